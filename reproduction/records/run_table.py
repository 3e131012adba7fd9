"""Results files as a table: one row per run (experiment, seed), metrics in % like the thesis.

The frame every analysis and page works on: :func:`load_runs` reads a profile's results files
(:mod:`reproduction.records.results`), :func:`runs_frame` turns any records into the same frame, and
:func:`per_seed` / :func:`experiment_means` read it back per experiment. pandas only.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from corrlib.names import DEFAULT_GRADIENT
from reproduction.records.results import iter_results

PERCENT_METRICS: tuple[str, ...] = (
    "AP", "AP50", "AP75", "APs", "APm", "APl",
    "oLRP", "oLRP_Loc", "oLRP_FP", "oLRP_FN",
    "beta_cls", "beta_img",
    "mask_AP", "mask_AP50", "mask_AP75",
)  # fmt: skip
"""Metrics stored as fractions in results files and shown ×100 (thesis units, %); the mask AP
columns are None for a detector without masks (only YOLACT predicts them, Table 5.3)."""


BOUND_COLUMNS: dict[str, tuple[str, str]] = {
    "AP_upper": ("upper", "AP"), "AP50_upper": ("upper", "AP50"), "AP75_upper": ("upper", "AP75"),
    "AP_lower": ("lower", "AP"), "AP50_lower": ("lower", "AP50"), "AP75_lower": ("lower", "AP75"),
}  # fmt: skip
"""Thesis bound columns (Tables 3.1, 3.2) and where they sit in a results file's bounds."""


def _training_cpu(provenance: dict) -> str | None:
    """The processor the run was trained on: that of ``provenance.trained`` when the run was
    evaluated again elsewhere or later (:mod:`reproduction.running.evaluate`), else the record's."""
    source = provenance.get("trained") or provenance
    return (source.get("hardware") or {}).get("cpu")


def _flatten(record: dict) -> dict:
    """One results record → one flat row: descriptors, metrics in %, training time."""
    exp, metrics = record["experiment"], record["metrics"]
    row: dict = {
        "experiment": exp["id"],
        "detector": exp["detector"],
        "kind": exp.get("kind"),
        "loss_weight": exp.get("loss_weight"),
        "gradient": exp.get("gradient", DEFAULT_GRADIENT),
        "seed": record["seed"],
        "profile": record["profile"],
        "dataset": record["dataset"].get("name"),
        "synthetic": record["dataset"].get("synthetic"),
        "n_val_images": record["dataset"].get("n_val_images"),
        "beta_cls_classes": metrics.get("beta_cls_classes"),
        "beta_img_images": metrics.get("beta_img_images"),
        "s_per_iter": record["training"].get("seconds_per_iter"),
        "iterations": record["training"].get("iterations"),
        "evaluation_s": record.get("evaluation_s"),
        "device": record.get("provenance", {}).get("hardware", {}).get("device"),
        "cpu": _training_cpu(record.get("provenance") or {}),
    }
    for name in PERCENT_METRICS:
        value = metrics.get(name)
        row[name] = None if value is None else 100.0 * value
    for column, (side, name) in BOUND_COLUMNS.items():
        for level in ("class", "image"):
            bounds = metrics.get(f"{level}_bounds") or {}
            value = (bounds.get(side) or {}).get(name)
            row[f"{level}_{column}"] = None if value is None else 100.0 * value
    return row


def load_runs(results_root: Path, profile: str) -> pd.DataFrame:
    """Return every run of a profile, one row per (experiment, seed); metrics in %."""
    return runs_frame(iter_results(Path(results_root), profile))


def runs_frame(records: Iterable[dict]) -> pd.DataFrame:
    """Return results records as :func:`load_runs`' frame, one row per record; metrics in %."""
    rows = [_flatten(r) for r in records]
    columns = list(_flatten(_EMPTY_RECORD).keys())
    return pd.DataFrame(rows, columns=columns)


_EMPTY_RECORD: dict = {
    "experiment": {"id": "", "detector": ""},
    "metrics": {},
    "training": {},
    "dataset": {},
    "seed": 0,
    "profile": "",
}


def experiment_means(runs: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Return the mean over seeds of each experiment for ``columns``, plus ``n_seeds``."""
    if runs.empty:
        return pd.DataFrame(columns=[*columns, "n_seeds"])
    present = [c for c in columns if c in runs.columns]  # e.g. no AP_mask: we score boxes
    grouped = runs.groupby("experiment")
    means = grouped[present].mean(numeric_only=False).reindex(columns=columns)
    means["n_seeds"] = grouped.size()
    return means


def per_seed(runs: pd.DataFrame, experiment_id: str, column: str) -> dict[int, float]:
    """Return {seed: value} of one experiment's column in a :func:`load_runs` frame.

    Seeds whose value is undefined (None / NaN) are left out; an empty frame gives {}.
    """
    if runs.empty:
        return {}
    rows = runs[runs["experiment"] == experiment_id]
    return {
        int(s): float(v)
        for s, v in zip(rows["seed"], rows[column], strict=True)
        if v is not None and not pd.isna(v)
    }
