"""The page "A loss on ranks at its own λ": the rank-faithful Spearman Loss's λ sweep.

Reads the sweep's effects (:mod:`reproduction.analysis.rank_sweep`) from one profile's runs
(local or committed, whichever holds more) and turns them into the page's tables and sentences.
"""

from __future__ import annotations

import pandas as pd

from reproduction.analysis.rank_sweep import SWEEP_METRICS, THESIS_LOSS, best_lambda, sweep_effects
from reproduction.analysis.stats import GAIN, NOT_RESOLVED, direction
from reproduction.pages.regime_runs import Loaded, effect_text, row_interval
from reproduction.spec.experiments import get_experiment

DETECTORS: dict[str, str] = {"atss": "ATSS", "retinanet": "RetinaNet"}
"""The swept detectors and their names for a reader."""

METRIC_LABELS: dict[str, str] = {
    "AP": "Δ AP",
    "AP50": "Δ AP50",
    "AP75": "Δ AP75",
    "beta_cls": "Δ β_cls",
    "oLRP": "Δ oLRP (lower is better)",
}


def effects_of(runs: Loaded, detector: str) -> pd.DataFrame:
    """Return the sweep's effects on ``detector`` in ``runs`` (one profile's records)."""
    return sweep_effects(runs.records, detector)


def sweep_table(effects: pd.DataFrame) -> pd.DataFrame:
    """Return one row per λ and reference ("against"), one column per metric of
    :data:`METRIC_LABELS`: the effect in points with its 95 % interval, and the paired seeds."""
    rows = []
    for (lam, against), group in effects.groupby(["lambda", "against"], sort=True):
        by_metric = {row["metric"]: row for _, row in group.iterrows()}
        row = {"λ": f"{lam:g}", "against": against, "seeds": int(group["n"].max())}
        for metric in SWEEP_METRICS:
            row[METRIC_LABELS[metric]] = (
                effect_text(by_metric[metric]) if metric in by_metric else "—"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _word(row: pd.Series) -> str:
    """The verdict word of an effect row against Pearson Loss, by its interval: better,
    worse or not resolved (oLRP is an error: lower is better)."""
    effect = row_interval(row)
    went = direction(effect, lower_is_better=str(row["metric"]).startswith("oLRP"))
    if went == NOT_RESOLVED:
        return "not resolved"
    return "better than Pearson Loss" if went == GAIN else "worse than Pearson Loss"


def sweep_summary(effects: pd.DataFrame, detector: str) -> str:
    """Return the sweep's answer for ``detector`` in a few sentences (Markdown): the λ with
    the largest AP effect over Pearson Loss, and where it stands on each metric."""
    name = DETECTORS[detector]
    best = best_lambda(effects)
    if best is None:
        return f"*{name}: no λ of the sweep has two paired seeds yet.*"
    thesis = get_experiment(THESIS_LOSS[detector])
    chosen = effects[(effects["lambda"] == best) & (effects["against"] == "Pearson Loss")]
    parts = []
    for _, row in chosen.iterrows():
        word = _word(row)
        parts.append(f"{METRIC_LABELS[row['metric']]} {effect_text(row)} ({word})")
    seeds = int(chosen["n"].max())
    return (
        f"**{name}**: the rank-faithful loss's best λ on these runs is **{best:g}** (largest "
        f"AP effect over Pearson Loss, the thesis's Spearman Loss at λ = "
        f"{thesis.loss_weight:g}; {seeds} paired seeds). Against Pearson Loss: "
        + "; ".join(parts)
        + ". The λ was chosen on these runs, so its effect here favours it; the test of it is "
        "a fresh run at a longer schedule."
    )
