"""Check the paper profile's experiments end to end: train N iterations, evaluate, tabulate.

Each experiment runs its paper config unchanged except for the number of iterations, the
validation subset and the backbone's ImageNet initialisation (a check profile,
``paper-standin-<N>it``; docs/profiles.md, "Checking the paper configs"), on the synthetic
COCO-format stand-in (``python -m reproduction.dataset coco-standin``), one image per step. Each
experiment runs in its own process (train, then evaluate on the first validation images);
the script prints a Markdown table: experiment, seconds per training iteration on this
machine, peak memory (the largest RSS of the experiment's processes, MiB), and status ("ok",
or the first line of the error). The numbers are the plumbing, not results.

    python scripts/paper_check.py                          # every paper-profile experiment
    python scripts/paper_check.py retinanet_baseline detr_baseline --iters 2 --val-images 4
    python scripts/paper_check.py --standin data/generated/coco-standin --json check.json

Without ``--standin`` a small stand-in is written to a temporary directory first. The exit
status is 0 when every experiment passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere: the checkout's packages
    sys.path.insert(0, str(REPO))

DEFAULT_ITERS = 2
DEFAULT_VAL_IMAGES = 4
COLUMNS = ("experiment", "s/iter", "peak RSS (MiB)", "status")


def paper_experiments() -> list[str]:
    """Every experiment the paper profile runs (:func:`reproduction.spec.plans.plan`)."""
    from reproduction.spec.plans import plan

    return list(plan("paper").experiments)


def check_one(
    experiment: str,
    *,
    standin: Path,
    work_dir: Path,
    iters: int,
    val_images: int,
    device: str = "cpu",
    backbone_checkpoint: Path | None = None,
) -> dict:
    """Train and evaluate one experiment in this process; return what the table shows.

    Returns ``{"experiment", "seconds_per_iter", "iterations", "status" ("ok"),
    "results_file", "checkpoint"}``; errors propagate.
    """
    from reproduction.dataset import is_coco_standin
    from reproduction.running.evaluate import evaluate_experiment
    from reproduction.running.train import train_experiment
    from reproduction.spec.profiles import check_profile_name
    from reproduction.spec.run import Run

    profile = check_profile_name(iters, standin=is_coco_standin(standin))
    run = Run.resolve(
        experiment,
        profile,
        work_dir=work_dir,
        device=device,
        data_root=standin,
        backbone_checkpoint=backbone_checkpoint,
    )
    summary = train_experiment(run)
    results_file = work_dir / "results.json"
    evaluate_experiment(run.with_overrides(val_images=val_images), results_file=results_file)
    return {
        "experiment": experiment,
        "seconds_per_iter": summary["seconds_per_iter"],
        "iterations": summary["iterations"],
        "status": "ok",
        "results_file": str(results_file),
        "checkpoint": str(work_dir / summary["checkpoint"]),
    }


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0][:200] if lines else "failed"


def check_in_process(experiment: str, args: argparse.Namespace, work_dir: Path) -> dict:
    """Run :func:`check_one` in a child process; add its peak RSS (MiB) and wall time."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--one",
        experiment,
        "--standin",
        str(args.standin),
        "--work-root",
        str(work_dir.parent),
        "--iters",
        str(args.iters),
        "--val-images",
        str(args.val_images),
        "--device",
        args.device,
    ]
    if args.backbone_checkpoint is not None:
        command += ["--backbone-checkpoint", str(args.backbone_checkpoint)]
    out = work_dir.parent / f"{experiment}.row.json"
    log = work_dir.parent / f"{experiment}.log"
    started = time.perf_counter()
    with open(log, "w") as handle:
        child = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, cwd=REPO)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    row = {"experiment": experiment, "seconds_per_iter": None, "status": "failed"}
    if out.is_file():
        row = json.loads(out.read_text())
    elif child.returncode != 0:
        row["status"] = f"process ended with status {child.returncode} (log: {log})"
    row["peak_rss_mib"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    row["wall_s"] = time.perf_counter() - started
    return row


def _run_one(args: argparse.Namespace) -> int:
    """``--one EXPERIMENT``: check it here and write its row (the parent reads it)."""
    work_root = Path(args.work_root)
    work_dir = work_root / args.one
    row_file = work_root / f"{args.one}.row.json"
    try:
        row = check_one(
            args.one,
            standin=Path(args.standin),
            work_dir=work_dir,
            iters=args.iters,
            val_images=args.val_images,
            device=args.device,
            backbone_checkpoint=args.backbone_checkpoint,
        )
    except Exception as err:  # the table reports every failure, whatever it is
        traceback.print_exc()
        message = f"{type(err).__name__}: {_first_line(str(err)) if str(err) else ''}"
        row = {"experiment": args.one, "seconds_per_iter": None, "status": message}
    row_file.write_text(json.dumps(row))
    return 0 if row["status"] == "ok" else 1


def markdown_table(rows: list[dict]) -> str:
    """The check's Markdown table (one row per experiment)."""

    def cell(value, fmt: str) -> str:
        return "n/a" if value is None else format(value, fmt)

    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        status = str(row["status"]).replace("|", "\\|")
        lines.append(
            f"| {row['experiment']} | {cell(row.get('seconds_per_iter'), '.1f')} | "
            f"{cell(row.get('peak_rss_mib'), '.0f')} | {status} |"
        )
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python scripts/paper_check.py",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("experiments", nargs="*", help="experiment ids (default: every paper one)")
    p.add_argument("--iters", type=int, default=DEFAULT_ITERS, help="training iterations")
    p.add_argument("--val-images", type=int, default=DEFAULT_VAL_IMAGES)
    p.add_argument(
        "--standin",
        type=Path,
        default=None,
        help="the COCO stand-in (default: write a small one to a temporary directory)",
    )
    p.add_argument("--work-root", type=Path, default=None, help="default: a temporary directory")
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    p.add_argument(
        "--backbone-checkpoint",
        type=Path,
        default=None,
        help="initialise the backbone from this local file (default: random weights)",
    )
    p.add_argument("--keep", action="store_true", help="keep the work dirs (checkpoints)")
    p.add_argument("--json", type=Path, default=None, help="also write the rows as JSON here")
    p.add_argument("--one", default=None, help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the check; print the table; return 0 when every experiment passed."""
    args = _parser().parse_args(argv)
    if args.one is not None:
        return _run_one(args)
    import shutil

    from reproduction.dataset import generate_coco_standin
    from reproduction.spec.experiments import get_experiment
    from reproduction.spec.profiles import check_profile_name

    experiments = args.experiments or paper_experiments()
    try:
        check_profile_name(args.iters, standin=True)
        for experiment in experiments:
            get_experiment(experiment)  # an unknown id stops here, with suggestions
    except (KeyError, ValueError) as err:
        print(f"error: {err.args[0] if err.args else err}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="paper-check-") as tmp:
        if args.standin is None:
            args.standin = generate_coco_standin(
                Path(tmp) / "coco-standin", n_train=8, n_val=max(args.val_images, 4)
            )
        work_root = args.work_root or Path(tmp) / "work"
        work_root.mkdir(parents=True, exist_ok=True)
        rows = []
        for experiment in experiments:
            row = check_in_process(experiment, args, work_root / experiment)
            rows.append(row)
            print(
                f"{experiment}: {row['status']} ({row['wall_s']:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
            if not args.keep:
                shutil.rmtree(work_root / experiment, ignore_errors=True)
            if args.json is not None:  # after each experiment: a long check can be stopped
                args.json.write_text(json.dumps(rows, indent=2) + "\n")
    print(markdown_table(rows))
    return 0 if all(r["status"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
