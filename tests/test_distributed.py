"""Training in two processes (torchrun, gloo on CPUs) and evaluating the run it leaves.

The trainer is the one every way of training uses (``python -m reproduction.running.train``); here
it
runs under ``torchrun --nproc_per_node 2`` as it would on a GPU machine, on the smoke profile for
a few iterations. The evaluation then goes through
:func:`reproduction.running.evaluate.evaluate_experiment`
and through its command line, as a researcher evaluates a run trained by hand.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reproduction.records.results import read_results
from reproduction.spec.run import Run

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
EXPERIMENT = "atss_concordance_0.3"
ITERS = 3


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict[str, str]:
    # One thread per process: two processes share the machine's cores.
    return {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}


@pytest.fixture(scope="module")
def two_process_run(tmp_path_factory, smoke_data_root: Path) -> dict:
    """Train the smoke profile with torchrun on two CPU processes; return what it left."""
    work = tmp_path_factory.mktemp("torchrun") / "work"
    command = [
        str(BIN / "torchrun"),
        "--nproc_per_node",
        "2",
        "--master-addr",
        "127.0.0.1",
        "--master-port",
        str(_free_port()),
        "-m",
        "reproduction.running.train",
        EXPERIMENT,
        "--profile",
        "smoke",
        "--launcher",
        "pytorch",
        "--work-dir",
        str(work),
        "--data-root",
        str(smoke_data_root),
        "--max-iters",
        str(ITERS),
    ]
    started = time.perf_counter()
    proc = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, env=_env()
    )
    seconds = time.perf_counter() - started
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    print(f"torchrun, 2 processes, {ITERS} iterations: {seconds:.1f} s")
    return {"work_dir": work, "stdout": proc.stdout, "data_root": smoke_data_root}


@pytest.mark.slow
def test_two_processes_train_and_leave_one_summary(two_process_run):
    work = two_process_run["work_dir"]
    summary = json.loads((work / "train_summary.json").read_text())
    assert summary["experiment"] == EXPERIMENT and summary["profile"] == "smoke"
    assert summary["iterations"] == ITERS
    assert summary["device"] == "cpu"
    assert (work / summary["checkpoint"]).is_file()
    assert summary["checkpoint"] == f"iter_{ITERS}.pth"
    # Only rank 0 prints the summary: one JSON object on stdout.
    assert two_process_run["stdout"].count('"experiment":') == 1
    # The run really was distributed over two processes, and the Correlation Loss was trained.
    logs = list(work.glob("*/*.log"))
    assert len(logs) == 1, logs
    log = logs[0].read_text()
    assert "Distributed training: True" in log
    assert "GPU number: 2" in log  # mmengine's name for the world size
    assert "loss_corr" in log


@pytest.mark.slow
def test_the_two_process_run_evaluates(two_process_run, tmp_path):
    from reproduction.running.evaluate import evaluate_experiment

    results_file = tmp_path / "seed0.json"
    record = evaluate_experiment(
        Run.resolve(
            EXPERIMENT,
            "smoke",
            seed=0,
            work_dir=two_process_run["work_dir"],
            data_root=two_process_run["data_root"],
        ),
        results_file=results_file,
    )
    stored = read_results(results_file)
    assert stored["training"]["iterations"] == ITERS
    assert stored["experiment"]["id"] == EXPERIMENT
    for name in ("AP", "AP50", "AP75", "oLRP"):
        value = stored["metrics"][name]
        assert value is not None and 0.0 <= value <= 1.0, (name, value)
    # Three iterations leave too few true positives for the correlations to be defined
    # everywhere; where they are, they are correlations.
    for name in ("beta_cls", "beta_img"):
        value = stored["metrics"][name]
        assert value is None or -1.0 <= value <= 1.0, (name, value)
    bounds = stored["metrics"]["image_bounds"]  # ATSS is NMS-based: the image-level bounds
    assert set(bounds) == {"upper", "lower"}
    assert all(v is None or 0.0 <= v <= 1.0 for side in bounds.values() for v in side.values())
    # A few iterations may leave every score below the test threshold: no detection is fine.
    assert isinstance(stored["metrics"]["n_detections"], int)
    assert (tmp_path / "seed0.detections.json").is_file()
    assert record["metrics"]["AP"] == stored["metrics"]["AP"]


@pytest.mark.slow
def test_evaluate_command_line(two_process_run, tmp_path):
    results_file = tmp_path / "cli" / "seed0.json"
    command = [
        sys.executable,
        "-m",
        "reproduction.running.evaluate",
        EXPERIMENT,
        "--profile",
        "smoke",
        "--seed",
        "0",
        "--work-dir",
        str(two_process_run["work_dir"]),
        "--results-file",
        str(results_file),
        "--data-root",
        str(two_process_run["data_root"]),
    ]
    proc = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=600, env=_env()
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    printed = json.loads(proc.stdout[proc.stdout.index("{") :])
    stored = read_results(results_file)
    assert printed["results_file"] == str(results_file)
    assert printed["AP"] == stored["metrics"]["AP"]
    assert stored["training"]["iterations"] == ITERS

    # A work dir without a finished training is a clear error, not a traceback.
    empty = tmp_path / "not_trained"
    empty.mkdir()
    proc = subprocess.run(
        [*command[:9], str(empty), *command[10:]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env=_env(),
    )
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "no training summary" in proc.stderr


@pytest.mark.slow
def test_evaluating_a_run_again_keeps_the_provenance_of_its_training(two_process_run, tmp_path):
    from reproduction.records.results import ResultsError, write_results
    from reproduction.running.evaluate import evaluate_experiment

    def evaluate(name: str, trained_by: Path | None = None, seed: int = 0) -> dict:
        return evaluate_experiment(
            Run.resolve(
                EXPERIMENT,
                "smoke",
                seed=seed,
                work_dir=two_process_run["work_dir"],
                data_root=two_process_run["data_root"],
            ),
            results_file=tmp_path / name / "seed0.json",
            trained_by=trained_by,
        )

    first = evaluate("first")
    assert "trained" not in first["provenance"]
    # as an archived file would name the training's commit: mark the first one's
    marked = read_results(tmp_path / "first" / "seed0.json")
    marked["provenance"]["git"] = {"commit": "0" * 40, "dirty": False}
    write_results(tmp_path / "first" / "seed0.json", marked)
    again = evaluate("again", trained_by=tmp_path / "first" / "seed0.json")
    assert again["provenance"]["trained"]["git"]["commit"] == "0" * 40
    assert again["provenance"]["git"]["commit"] != "0" * 40
    # evaluated a third time from the second: the training's provenance is still the first's
    third = evaluate("third", trained_by=tmp_path / "again" / "seed0.json")
    assert third["provenance"]["trained"] == again["provenance"]["trained"]
    with pytest.raises(ResultsError, match=rf"{EXPERIMENT} seed 0, not of {EXPERIMENT} seed 1"):
        evaluate("wrong", trained_by=tmp_path / "first" / "seed0.json", seed=1)
    assert not (tmp_path / "wrong").exists()
