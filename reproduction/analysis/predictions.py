"""Predictions of the training-length trend, written down before the runs that test them.

The trend of Correlation Loss's AP effect against training length predicts the effect at a
length not yet run (:func:`reproduction.analysis.regimes.predict_effect`). A prediction that can
fail is only a test if it is fixed before its runs are read: this command writes each planned
prediction, with the commit and the runs it was fitted on, to a record that is committed before
the campaign of the new length starts; the training-length page reads the record, and sets the
measured effect beside it once the runs exist.

    python -m reproduction.analysis.predictions --out archive/predictions/training_length.json
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from reproduction.analysis.regimes import PREDICTION_SEEDS, predict_effect
from reproduction.records.archive import best_records
from reproduction.records.provenance import git_commit
from reproduction.records.results import read_json_object, write_json_atomic
from reproduction.spec.paths import archive_dir, results_dir
from reproduction.spec.profiles import TRAINING_LENGTHS, training_length_profile

PLANNED: tuple[tuple[str, str, int], ...] = (
    ("atss_baseline", "atss_concordance_0.3", 4800),
    ("retinanet_baseline", "retinanet_spearman_0.1", 1200),
)
"""(baseline, variant, new length in iterations): the predictions made before their runs."""

METRICS: tuple[str, ...] = ("AP", "AP50", "AP75")


def by_length(results_root: Path, archive_root: Path) -> dict[int, list[dict]]:
    """Return iterations → the records of the default demo trained that long (local or
    committed, whichever holds more runs), for every length with a run."""
    loaded = {
        n: best_records(training_length_profile(n), results_root, archive_root)[0]
        for n in TRAINING_LENGTHS
    }
    return {n: records for n, records in loaded.items() if records}


def prediction_record(results_root: Path, archive_root: Path) -> dict:
    """Return the record of every :data:`PLANNED` prediction on every metric of
    :data:`METRICS`: the fitted effect and its prediction interval (points of %), the lengths
    and number of differences fitted; each made from the lengths other than its own."""
    lengths = by_length(results_root, archive_root)
    rows = []
    for baseline, variant, iterations in PLANNED:
        for metric in METRICS:
            p = predict_effect(lengths, baseline, variant, iterations, metric)
            if p is None:
                continue
            rows.append(
                {
                    "baseline": baseline,
                    "variant": variant,
                    "iterations": iterations,
                    "metric": metric,
                    "predicted": p.predicted.mean,
                    "low": p.predicted.low,
                    "high": p.predicted.high,
                    "fitted_lengths": list(p.fitted_lengths),
                    "fitted_differences": p.predicted.n,
                    "new_seeds": PREDICTION_SEEDS,
                }
            )
    return {
        "schema": 1,
        "kind": "training_length_predictions",
        "created_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git": git_commit(),
        "predictions": rows,
    }


def read_predictions(path: Path) -> list[dict]:
    """Return the predictions of a record written by this command ([] when there is none);
    ResultsError names a file that is not one."""
    if not Path(path).is_file():
        return []
    return list(read_json_object(Path(path), kind="training-length predictions")["predictions"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=None, help="default: results/")
    parser.add_argument("--archive", type=Path, default=None, help="default: archive/")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.results, args.archive = results_dir(args.results), archive_dir(args.archive)
    if args.out.exists():
        parser.error(f"{args.out} exists: a prediction is written once, before its runs")
    print(f"wrote {write_json_atomic(args.out, prediction_record(args.results, args.archive))}")


if __name__ == "__main__":
    main()
