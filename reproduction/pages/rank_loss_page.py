"""The page "A loss on ranks at its own λ": the rank-faithful Spearman Loss's λ sweep.

Reads the sweep's effects (:mod:`reproduction.analysis.rank_sweep`) from one profile's runs
(local or committed, whichever holds more) and turns them into the page's tables and sentences.
"""

from __future__ import annotations

import pandas as pd

from reproduction.analysis.rank_sweep import SWEEP_METRICS, THESIS_LOSS, best_lambda, sweep_effects
from reproduction.analysis.regimes import iou_effects
from reproduction.analysis.stats import GAIN, NOT_RESOLVED, direction
from reproduction.pages.regime_runs import (
    EFFECT_LABELS,
    Loaded,
    effect_text,
    metric_cells,
    row_interval,
)
from reproduction.spec.experiments import RANK_LOSS_CHOSEN, get_experiment, rank_loss_arm
from reproduction.spec.plans import RANK_LOSS_LENGTH
from reproduction.spec.profiles import training_length_profile

DETECTORS: dict[str, str] = {"atss": "ATSS", "retinanet": "RetinaNet"}
"""The swept detectors and their names for a reader."""


def effects_of(runs: Loaded, detector: str) -> pd.DataFrame:
    """Return the sweep's effects on ``detector`` in ``runs`` (one profile's records)."""
    return sweep_effects(runs.records, detector)


def sweep_table(effects: pd.DataFrame) -> pd.DataFrame:
    """Return one row per λ and reference ("against"), one column per metric of
    :data:`EFFECT_LABELS`: the effect in points with its 95 % interval, and the paired seeds."""
    rows = []
    for (lam, against), group in effects.groupby(["lambda", "against"], sort=True):
        row = {"λ": f"{lam:g}", "against": against, "seeds": int(group["n"].max())}
        rows.append({**row, **metric_cells(group, SWEEP_METRICS)})
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
        parts.append(f"{EFFECT_LABELS[row['metric']]} {effect_text(row)} ({word})")
    seeds = int(chosen["n"].max())
    return (
        f"**{name}**: the rank-faithful loss's best λ on these runs is **{best:g}** (largest "
        f"AP effect over Pearson Loss, the thesis's Spearman Loss at λ = "
        f"{thesis.loss_weight:g}; {seeds} paired seeds). Against Pearson Loss: "
        + "; ".join(parts)
        + ". The λ was chosen on these runs, so its effect here favours it; the test of it is "
        "a fresh run at a longer schedule."
    )


def longer_profile() -> str:
    """Return the profile whose fresh runs test each detector's chosen λ
    (:data:`reproduction.spec.plans.RANK_LOSS_LENGTH` iterations)."""
    return training_length_profile(RANK_LOSS_LENGTH)


def threshold_table(runs: Loaded, detector: str, lam: float | None = None) -> pd.DataFrame:
    """Return the AP effect of the rank-faithful loss at ``lam`` (None: the chosen λ) over
    Pearson Loss at each IoU threshold: columns threshold, Δ AP with its 95 % interval (points)
    and paired seeds; empty when no paired seed records AP per threshold."""
    arm = rank_loss_arm(detector, lam)
    effects = iou_effects(runs.records, THESIS_LOSS[detector], arm)
    return pd.DataFrame(
        [
            {"IoU": f"{row['threshold']:.2f}", "Δ AP": effect_text(row), "seeds": int(row["n"])}
            for _, row in effects.iterrows()
        ]
    )


def chosen_summary(longer: Loaded, detector: str) -> str:
    """Return what the fresh runs of the longer schedule say of ``detector``'s chosen λ
    against Pearson Loss (Markdown), or how to train them where none is paired yet."""
    name, lam = DETECTORS[detector], RANK_LOSS_CHOSEN[detector]
    effects = effects_of(longer, detector)
    chosen = effects[(effects["lambda"] == lam) & (effects["against"] == "Pearson Loss")]
    if chosen.empty:
        arms = f"{THESIS_LOSS[detector]},{rank_loss_arm(detector)}"
        return (
            f"*{name}: no paired run of the chosen λ = {lam:g} at {RANK_LOSS_LENGTH:,} "
            f"iterations yet (`scripts/campaign.sh {longer.profile} 0 7 {arms}` trains them).*"
        )
    parts = [
        f"{EFFECT_LABELS[row['metric']]} {effect_text(row)} ({_word(row)})"
        for _, row in chosen.iterrows()
    ]
    return (
        f"**{name}**, fresh runs at {RANK_LOSS_LENGTH:,} iterations, the rank-faithful loss at "
        f"its chosen λ = {lam:g} against Pearson Loss ({int(chosen['n'].max())} paired seeds): "
        + "; ".join(parts)
        + "."
    )
