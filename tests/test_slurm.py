"""The Slurm path, run for real on a single-node cluster (``scripts/slurm_cluster.sh``).

Two things run as Slurm jobs, each once per session (module fixtures): the workflow's smoke
steps for one experiment through Snakemake's Slurm executor plugin with the workflow profile
``profiles/slurm`` (dataset, training and evaluation, each a job that ``sacct`` reports), and
the two-task DDP training of ``scripts/slurm_train.sbatch`` (gloo on CPUs), submitted with
``sbatch``.

The cluster: ``CORRLIB_SLURM_CONF`` names the ``slurm.conf`` of a running one (``.ci/run``
starts it around ``./run test``); otherwise the module starts it with the script and stops it
afterwards. Where the script cannot start one (not root, no apt) the tests are skipped, and
fail under ``CI=true``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from workflow_copy import copy_workflow

from reproduction.records.results import read_results

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLUSTER_SCRIPT = ROOT / "scripts" / "slurm_cluster.sh"
SBATCH_SCRIPT = ROOT / "scripts" / "slurm_train.sbatch"
WORKFLOW_EXPERIMENT = "atss_baseline"  # the smoke plan's first run
DDP_EXPERIMENT = "atss_concordance_0.3"
DDP_ITERS = 3
CANNOT_START = 2  # slurm_cluster.sh's exit status where it cannot run (not root, no apt)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _slurm_env(conf: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "SLURM_CONF": str(conf), "OMP_NUM_THREADS": "1", **extra}


def _sacct(conf: Path, job_ids: list[str], fields: str, *, steps: bool = False) -> list[dict]:
    """sacct's rows for the jobs (allocations only unless ``steps``), as dicts."""
    command = ["sacct", "--parsable2", "--format", fields, "-j", ",".join(job_ids)]
    done = subprocess.run(
        command if steps else [*command, "-X"],
        capture_output=True,
        text=True,
        env=_slurm_env(conf),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.strip().splitlines()
    print("\n".join([header, *rows]))
    names = header.split("|")
    return [dict(zip(names, row.split("|"), strict=True)) for row in rows]


def _wait_for(job: str, env: dict[str, str], timeout: float) -> str:
    """Poll sacct each second until the job has ended; return its state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = subprocess.run(
            ["sacct", "-X", "-n", "--parsable2", "--format", "State", "-j", job],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        ).stdout.strip()
        if state and state not in ("PENDING", "RUNNING", "COMPLETING", "CONFIGURING"):
            return state
        time.sleep(1)
    raise AssertionError(f"job {job} still not finished after {timeout} s")


@pytest.fixture(scope="module")
def slurm_conf():
    """The slurm.conf of a running single-node cluster (started here if none is given)."""
    given = os.environ.get("CORRLIB_SLURM_CONF")
    if given:
        assert Path(given).is_file(), f"CORRLIB_SLURM_CONF={given}: no such file"
        yield Path(given)
        return
    started = subprocess.run(
        ["bash", str(CLUSTER_SCRIPT), "start"], capture_output=True, text=True, timeout=1200
    )
    if started.returncode == CANNOT_START:
        reason = f"no Slurm cluster here: {started.stderr.strip().splitlines()[-1]}"
        if _in_ci():
            pytest.fail(f"{reason} (CI: .ci/run starts one)", pytrace=False)
        pytest.skip(reason)
    assert started.returncode == 0, started.stderr[-3000:]
    conf = Path(started.stdout.strip().splitlines()[-1].removeprefix("SLURM_CONF="))
    ours = "already running" not in started.stderr
    yield conf
    if ours:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop"], timeout=300, check=True)


@pytest.fixture(scope="module")
def workflow_run(slurm_conf: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One smoke experiment through the workflow's Slurm profile, in a temporary copy."""
    work = copy_workflow(tmp_path_factory.mktemp("slurm-workflow"))
    target = f"results/smoke/{WORKFLOW_EXPERIMENT}/seed0.json"
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "snakemake"), "--workflow-profile", "profiles/slurm"]
        + ["--config", "profile=smoke", "--", target],
        cwd=work,
        capture_output=True,
        text=True,
        env=_slurm_env(slurm_conf, CORRLIB_DATA=str(work / "data")),
        timeout=1200,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-5000:]
    print(f"workflow on Slurm: {time.perf_counter() - started:.0f} s")
    submitted = re.findall(r"Job \d+ has been submitted with SLURM jobid (\d+) \(log: (\S+)\)", log)
    return {"work": work, "target": work / target, "log": log, "jobs": submitted}


@pytest.fixture(scope="module")
def ddp_run(slurm_conf: Path, smoke_data_root: Path, tmp_path_factory) -> dict:
    """The two-task training of scripts/slurm_train.sbatch on the smoke profile."""
    tmp = tmp_path_factory.mktemp("slurm-ddp")
    output = tmp / "job.out"
    started = time.perf_counter()
    env = _slurm_env(slurm_conf, CORRLIB_PYTHON=sys.executable)
    done = subprocess.run(
        ["sbatch", "--parsable", "--output", str(output), str(SBATCH_SCRIPT)]
        + [DDP_EXPERIMENT, "--profile", "smoke", "--max-iters", str(DDP_ITERS)]
        + ["--work-dir", str(tmp / "work"), "--data-root", str(smoke_data_root)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    job = done.stdout.strip().split(";")[0]
    state = _wait_for(job, env, timeout=900)  # sbatch --wait polls for up to 30 s at a time
    text = output.read_text() if output.is_file() else ""
    assert state == "COMPLETED", f"job {job}: {state}\n{text[-4000:]}"
    print(f"sbatch DDP training: {time.perf_counter() - started:.0f} s")
    return {"job": job, "output": text, "work": tmp / "work"}


@pytest.mark.slow
def test_the_workflow_runs_each_step_as_a_slurm_job(workflow_run, slurm_conf) -> None:
    jobs = workflow_run["jobs"]
    # dataset, training and evaluation, one Slurm job each
    rules = sorted(re.search(r"rule_(\w+)/", log).group(1) for _, log in jobs)
    assert rules == ["embedded_dataset", "evaluate", "train"], workflow_run["log"][-3000:]
    rows = _sacct(
        slurm_conf, [job for job, _ in jobs], "JobID,JobName,Partition,Account,State,ExitCode"
    )
    assert sorted(row["JobID"] for row in rows) == sorted(job for job, _ in jobs)
    for row in rows:
        assert (row["State"], row["ExitCode"]) == ("COMPLETED", "0:0"), row
        assert (row["Partition"], row["Account"]) == ("main", "corrlib"), row  # the profile's
    record = read_results(workflow_run["target"])
    assert record["experiment"]["id"] == WORKFLOW_EXPERIMENT
    assert record["dataset"]["synthetic"] is True
    assert 0.0 <= record["metrics"]["AP"] <= 1.0
    summary = workflow_run["work"] / "work_dirs/smoke" / WORKFLOW_EXPERIMENT / "seed0"
    assert json.loads((summary / "train_summary.json").read_text())["device"] == "cpu"


@pytest.mark.slow
def test_sbatch_trains_on_two_tasks(ddp_run, slurm_conf) -> None:
    output, work = ddp_run["output"], ddp_run["work"]
    # each task's process returned from the training
    assert "rank 0 of 2 on" in output and "rank 1 of 2 on" in output, output[-3000:]
    steps = _sacct(slurm_conf, [ddp_run["job"]], "JobID,NTasks,State,ExitCode", steps=True)
    step = next(row for row in steps if row["JobID"] == f"{ddp_run['job']}.0")
    assert (step["NTasks"], step["State"], step["ExitCode"]) == ("2", "COMPLETED", "0:0")
    summary = json.loads((work / "train_summary.json").read_text())
    assert summary["iterations"] == DDP_ITERS and summary["device"] == "cpu"
    assert (work / summary["checkpoint"]).is_file()
    assert output.count('"experiment":') == 1  # rank 0 alone prints the summary
    (log,) = work.glob("*/*.log")
    text = log.read_text()
    assert "Distributed training: True" in text and "GPU number: 2" in text  # world size 2
    assert "loss_corr" in text
