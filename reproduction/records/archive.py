"""Results kept in the repository: copy runs' results files into ``archive/`` to commit them.

Runs that are too long to repeat on every build — the protocol study's demo variants on a CPU,
or the same study at a larger scale on a GPU — are archived: their results files (the small
``seed<k>.json`` records, with their provenance: commit, hardware, seeds, package versions;
never the kept detections or checkpoints) are copied to ``archive/<profile>/<experiment>/``
and committed. The book then renders them without re-training; anyone can still re-run them
(``snakemake --cores 2 study_runs``), and a page prefers the source with more seeds.

Learning curves (:mod:`reproduction.records.learning_curves`) are archived the same way, from
``results/curves/<profile>/`` to ``archive/curves/<profile>/`` (``--curves``).

Usage::

    python -m reproduction.records.archive demo demo-it300 demo-it1200 demo-3cls demo-128px \
        --experiments atss_baseline,atss_concordance_0.3,retinanet_baseline,retinanet_spearman_0.1
    python -m reproduction.records.archive --curves demo
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from reproduction.records.learning_curves import curve_path, iter_curves
from reproduction.records.results import iter_results, results_path, write_json_atomic
from reproduction.records.run_table import runs_frame
from reproduction.spec.paths import archive_dir, results_dir


def archive_profile(
    results_root: Path,
    archive_root: Path,
    profile: str,
    experiments: Sequence[str] | None = None,
) -> list[Path]:
    """Copy the results files of ``profile`` from ``results_root`` to ``archive_root``.

    ``experiments`` limits the copy to those experiment ids (default: every experiment).

    Each file is read and validated first (ResultsError names a bad one, and nothing of that
    file is written), then written atomically. Returns the archived paths; ValueError when the
    profile has no results under ``results_root``.
    """
    records = [
        r
        for r in iter_results(Path(results_root), profile)
        if experiments is None or r["experiment"]["id"] in experiments
    ]
    if not records:
        raise ValueError(f"no results files under {Path(results_root) / profile}")
    written = []
    for record in records:
        target = results_path(archive_root, profile, record["experiment"]["id"], record["seed"])
        written.append(write_json_atomic(target, record))
    return written


def archive_curves(
    results_root: Path,
    archive_root: Path,
    profile: str,
    experiments: Sequence[str] | None = None,
) -> list[Path]:
    """Copy the learning curves of ``profile`` from ``results_root`` to ``archive_root``.

    Each record is read and checked first (CurveError names a bad one), then written
    atomically. Returns the archived paths; ValueError when the profile has no curves.
    """
    records = [
        r
        for r in iter_curves(Path(results_root), profile)
        if experiments is None or r["experiment"] in experiments
    ]
    if not records:
        raise ValueError(f"no learning curves under {Path(results_root) / 'curves' / profile}")
    return [
        write_json_atomic(curve_path(archive_root, profile, r["experiment"], int(r["seed"])), r)
        for r in records
    ]


def best_records(profile: str, results_root: Path, archive_root: Path) -> tuple[list[dict], str]:
    """Return a profile's results records from the source with more runs.

    Looks in ``results_root`` (runs made here) and ``archive_root`` (committed); the one with
    more (experiment, seed) runs wins, a tie goes to the local runs (``results_root`` that is
    ``archive_root`` itself reads as the archive). Returns the records and ``"local"``,
    ``"archive"`` or ``"none"``.
    """
    local = list(iter_results(Path(results_root), profile))
    archived = list(iter_results(Path(archive_root), profile))
    if not local and not archived:
        return [], "none"
    if len(archived) > len(local) or Path(results_root).resolve() == Path(archive_root).resolve():
        return archived, "archive"
    return local, "local"


def load_best(profile: str, results_root: Path, archive_root: Path) -> tuple[pd.DataFrame, str]:
    """Return a profile's runs (``run_table.load_runs`` frame) from the source with more seeds
    (:func:`best_records`), and that source's name."""
    records, source = best_records(profile, results_root, archive_root)
    return runs_frame(records), source


def main(argv: Sequence[str] | None = None) -> int:
    """Archive the named profiles; return 0, or 2 after printing the first error."""
    parser = argparse.ArgumentParser(
        prog="python -m reproduction.records.archive",
        description="Copy results files (results/<profile>/...) into archive/ for committing.",
    )
    parser.add_argument("profiles", nargs="+", help="profile names, e.g. demo-it1200")
    parser.add_argument("--results", type=Path, default=None, help="default: results/")
    parser.add_argument("--to", type=Path, default=None, help="default: archive/")
    parser.add_argument(
        "--experiments", default=None, help="comma-separated experiment ids (default: all)"
    )
    parser.add_argument(
        "--curves", action="store_true", help="archive the profiles' learning curves instead"
    )
    args = parser.parse_args(argv)
    args.results, args.to = results_dir(args.results), archive_dir(args.to)
    chosen = args.experiments.split(",") if args.experiments else None
    copy, kind = (
        (archive_curves, "learning curves") if args.curves else (archive_profile, "results files")
    )
    for profile in args.profiles:
        try:
            paths = copy(args.results, args.to, profile, chosen)
        except ValueError as err:  # ResultsError and CurveError are ValueErrors
            print(f"error: {err}", file=sys.stderr)
            return 2
        print(f"{profile}: {len(paths)} {kind} → {paths[0].parent.parent}")
    return 0


__all__ = ["archive_curves", "archive_profile", "best_records", "load_best", "main"]

if __name__ == "__main__":
    raise SystemExit(main())
