"""One training run as the workflow needs it: train (or resume), then a summary file.

The train notebook calls :func:`train_experiment`; the paper profile's torchrun jobs call
``python -m corrlib.integration.runs`` with the same arguments. Both leave, beside mmengine's
checkpoint and log, ``train_summary.json`` in the work dir — written last and atomically, so
its presence means the run finished (the workflow's marker). A work dir holding a checkpoint
but no summary (an interrupted run) is resumed from its last checkpoint.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from corrlib.profiles import get_profile
from corrlib.results import write_json_atomic

SUMMARY_NAME = "train_summary.json"


def seconds_per_iter(work_dir: Path) -> float | None:
    """Median seconds per training iteration from mmengine's ``scalars.json`` logs.

    Reads the ``time`` entries mmengine logs (an average over each log interval) and drops the
    first interval (start-up, data-loader warm-up). None when the log has no timing.
    """
    times: list[float] = []
    for path in sorted(work_dir.glob("*/vis_data/scalars.json")):
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            if "time" in entry and "loss" in entry:
                times.append(float(entry["time"]))
    if len(times) > 1:
        times = times[1:]
    if not times:
        return None
    times.sort()
    return times[len(times) // 2]


def train_experiment(
    experiment: str,
    profile: str,
    *,
    seed: int = 0,
    work_dir: str | Path | None = None,
    device: str = "cpu",
    data_root: str | Path | None = None,
    max_iters: int | None = None,
    launcher: str = "none",
    gpus: int | None = None,
) -> dict:
    """Train one experiment (resuming an interrupted run); return and write its summary.

    Returns ``{"experiment", "profile", "seed", "checkpoint" (path), "iterations",
    "seconds_per_iter" (median s/iter), "wall_s" (s, this call), "resumed" (bool)}``.

    Raises:
        corrlib.data.DatasetError: the dataset check failed (nothing is written).
        KeyError: unknown experiment id.
    """
    if device == "cpu":  # before torch sees a GPU: mmengine moves the model to any it finds
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
    from mmengine.runner import Runner

    from corrlib import data as corrdata
    from corrlib.integration.configs import THESIS_GPUS, build_config
    from corrlib.integration.train import allow_mmengine_checkpoints

    cfg = build_config(
        experiment,
        profile,
        data_root=data_root,
        work_dir=work_dir,
        seed=seed,
        max_iters=max_iters,
        device=device,
        gpus=gpus or THESIS_GPUS,
        validate=False,
    )
    work = Path(cfg.work_dir)
    layout = "embedded" if get_profile(profile).synthetic else "coco"
    corrdata.check_coco_dataset(Path(cfg.corrlib.data_root), ("train", "val"), layout=layout)

    allow_mmengine_checkpoints()
    resumed = (work / "last_checkpoint").is_file()
    cfg.resume = resumed
    cfg.launcher = launcher
    started = time.perf_counter()
    runner = Runner.from_cfg(cfg)
    runner.train()
    checkpoint = Path((work / "last_checkpoint").read_text().strip())
    checkpoint = checkpoint if checkpoint.is_absolute() else Path.cwd() / checkpoint
    summary = {
        "experiment": experiment,
        "profile": profile,
        "seed": seed,
        "checkpoint": os.path.relpath(checkpoint, work)
        if os.path.isabs(checkpoint)
        else checkpoint,
        "iterations": int(runner.iter),
        "seconds_per_iter": seconds_per_iter(work),
        "wall_s": time.perf_counter() - started,
        "resumed": resumed,
        "device": device,
    }
    if int(os.environ.get("RANK", "0")) == 0:
        write_json_atomic(work / SUMMARY_NAME, summary)
    return summary


def read_summary(work_dir: str | Path) -> dict:
    """Return a finished run's summary, with ``checkpoint`` resolved against the work dir."""
    work = Path(work_dir)
    path = work / SUMMARY_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no training summary; train the experiment first")
    summary = json.loads(path.read_text())
    summary["checkpoint"] = str(work / summary["checkpoint"])
    return summary


def main(argv: list[str] | None = None) -> int:
    """CLI for launchers (torchrun, srun): the arguments of :func:`train_experiment`."""
    p = argparse.ArgumentParser(description="Train one experiment and write its summary.")
    p.add_argument("experiment")
    p.add_argument("--profile", default="demo")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--work-dir", default=None)
    p.add_argument("--device", default="cpu")
    p.add_argument("--data-root", default=None)
    p.add_argument("--max-iters", type=int, default=None)
    p.add_argument("--gpus", type=int, default=None)
    p.add_argument("--launcher", default="none", choices=("none", "pytorch", "slurm", "mpi"))
    args = p.parse_args(argv)
    summary = train_experiment(
        args.experiment, args.profile, seed=args.seed, work_dir=args.work_dir,
        device=args.device, data_root=args.data_root, max_iters=args.max_iters,
        launcher=args.launcher, gpus=args.gpus,
    )  # fmt: skip
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
