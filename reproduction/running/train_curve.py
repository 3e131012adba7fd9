"""Train one learning curve and write its record (:mod:`reproduction.records.learning_curves`).

The experiment trains for ``--max-iters`` iterations of the profile's schedule, stretched
(warm-up and steps scale with it), in its own work dir
(:data:`reproduction.spec.paths.CURVE_WORK_DIR`), evaluating on the validation split every
``--every`` iterations; its AP and AP50 at each evaluation go to
``results/curves/<profile>/<experiment>/seed<k>.json`` with the run's provenance. An interrupted
curve resumes from its last checkpoint; ``--record-only`` rewrites the record of a finished
one. Archive it with ``python -m reproduction.records.archive --curves <profile>``.

Usage::

    python -m reproduction.running.train_curve atss_rs_baseline --profile demo --max-iters 2400
    --every 300
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from reproduction.records.learning_curves import curve_path, curve_record, read_curve, read_points
from reproduction.records.results import write_json_atomic
from reproduction.spec import paths
from reproduction.spec.profiles import PROFILES
from reproduction.spec.run import Run


def train_curve(
    run: Run,
    *,
    results_root: str | Path | None = None,
    record_only: bool = False,
) -> Path:
    """Train one curve (resuming an interrupted one) and write its record; return its path.

    ``run`` (:class:`reproduction.spec.run.Run`) sets the schedule (``max_iters``) and the
    evaluations' interval (``val_interval``), both required; its work dir defaults to
    :func:`reproduction.spec.paths.curve_work_dir` (not the run's usual one). ``results_root``:
    default :func:`reproduction.spec.paths.results_dir`. ``record_only`` skips training and
    writes the record of a finished work dir. ValueError for the paper profile or bad lengths;
    CurveError when the log holds no evaluation.
    """
    spec, experiment, seed = run.profile, run.experiment.id, run.seed
    max_iters, every = run.overrides.max_iters, run.overrides.val_interval
    if not spec.synthetic:
        raise ValueError(f"learning curves are for the embedded-data profiles, not {spec.name!r}")
    if every is None or max_iters is None or max_iters < every:
        raise ValueError(f"need 1 <= every <= max_iters, got every={every}, max_iters={max_iters}")
    if run.overrides.work_dir is None:
        run = run.with_overrides(work_dir=paths.curve_work_dir(spec.name, experiment, seed))
    work = run.work_dir
    from reproduction.records import provenance
    from reproduction.running import train

    if record_only:
        summary = train.read_summary(work)
    else:
        summary = train.train_experiment(run)
    training = {k: summary.get(k) for k in ("iterations", "seconds_per_iter", "wall_s")}
    record = curve_record(
        experiment,
        spec.name,
        seed,
        every,
        read_points(work, every),
        training,
        {
            **provenance.collect(summary.get("device")),
            "setting": {"overlay": spec.overlay, "dataset": spec.dataset, "max_iters": max_iters},
        },
    )
    results = paths.results_dir(results_root)
    return write_json_atomic(curve_path(results, spec.name, experiment, seed), record)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m reproduction.running.train_curve",
        description="Train one experiment for a longer schedule, evaluating every N iterations, "
        "and write its learning curve (results/curves/<profile>/<experiment>/seed<k>.json).",
    )
    p.add_argument("experiment", help="experiment id, e.g. atss_rs_baseline")
    p.add_argument("--profile", choices=[n for n in PROFILES if n != "paper"], default="demo")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-iters", type=int, required=True, help="schedule length (iterations)")
    p.add_argument("--every", type=int, required=True, help="iterations between evaluations")
    p.add_argument(
        "--results", type=Path, default=None, help="results root (default: the checkout's results/)"
    )
    p.add_argument(
        "--record-only", action="store_true", help="write the record of a finished work dir"
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; print the record's path and its points; 0, or 2 after one error line."""
    args = _parser().parse_args(argv)
    try:
        run = Run.resolve(
            args.experiment, args.profile, args.seed, max_iters=args.max_iters,
            val_interval=args.every,
        )  # fmt: skip
        path = train_curve(run, results_root=args.results, record_only=args.record_only)
    except (KeyError, ValueError, FileNotFoundError) as err:
        print(f"error: {err.args[0] if err.args else err}", file=sys.stderr)
        return 2
    record = read_curve(path)
    print(path)
    for point in record["points"]:
        print(f"  {point['iteration']:>6}  AP {point['AP']:5.1f}  AP50 {point['AP50']:5.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
