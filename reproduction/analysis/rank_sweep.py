"""The rank-faithful Spearman Loss at its own λ: the sweep, and its best λ against Pearson Loss.

The thesis's Spearman Loss is Pearson Loss at its setting; the rank-faithful loss
(``rank_scale="unit_gap"``) is a loss on ranks, whose gradient is several times Pearson Loss's
at the same λ. The sweep trains it at :data:`reproduction.spec.experiments.RANK_LOSS_LAMBDAS`
beside the detector's thesis λ, each λ paired by seed with the baseline and with the thesis's
Spearman Loss at its λ (the Pearson-equivalent loss). :func:`sweep_effects` gives every effect
with its interval; :func:`best_lambda` the λ whose AP effect over the Pearson-equivalent loss
is largest (chosen on the sweep's runs, so a fair test of it needs other runs: the longer
schedule's).

Pure functions on results records (:mod:`reproduction.records.results`); no torch, no mmdet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from reproduction.analysis.regimes import pair_effects
from reproduction.spec.experiments import (
    RANK_LOSS_LAMBDAS,
    RANK_LOSS_THESIS_LOSS,
    get_experiment,
    rank_loss_arm,
)

SWEEP_METRICS: tuple[str, ...] = ("AP", "AP50", "AP75", "beta_cls", "oLRP")
"""The metrics of the sweep's effects (in %; oLRP is an error: lower is better)."""

THESIS_LOSS: dict[str, str] = RANK_LOSS_THESIS_LOSS
"""Each swept detector's thesis Spearman Loss (the Pearson-equivalent loss at the thesis's λ)."""

SWEEP_COLUMNS: tuple[str, ...] = (
    "lambda",
    "experiment",
    "against",
    "metric",
    "effect",
    "low",
    "high",
    "n",
    "direction",
)


def sweep_arms(detector: str) -> list[tuple[float, str]]:
    """Return (λ, experiment id) of the rank-faithful loss on ``detector``, by λ: the sweep's
    values and the thesis's λ; KeyError names a detector that is not swept."""
    thesis = get_experiment(THESIS_LOSS[detector])
    lambdas = sorted({*RANK_LOSS_LAMBDAS, thesis.loss_weight})
    return [(lam, rank_loss_arm(detector, lam)) for lam in lambdas]


def sweep_effects(
    records: Sequence[Mapping], detector: str, metrics: Sequence[str] = SWEEP_METRICS
) -> pd.DataFrame:
    """Return the effects (:data:`SWEEP_COLUMNS`) of each λ of the rank-faithful loss on
    ``detector`` over the baseline ("baseline") and over the thesis's Spearman Loss
    ("Pearson Loss"), paired by seed within ``records`` (one profile's runs: one setting and
    dataset); a λ without runs has no rows."""
    thesis = THESIS_LOSS[detector]
    baseline = get_experiment(thesis).baseline
    frames = []
    for lam, experiment in sweep_arms(detector):
        for against, reference in (("baseline", baseline), ("Pearson Loss", thesis)):
            effects = pair_effects(records, reference, experiment, metrics)
            if effects.empty:
                continue
            effects.insert(0, "against", against)
            effects.insert(0, "experiment", experiment)
            effects.insert(0, "lambda", lam)
            frames.append(effects)
    if not frames:
        return pd.DataFrame(columns=list(SWEEP_COLUMNS))
    table = pd.concat(frames, ignore_index=True)
    return table[list(SWEEP_COLUMNS)]


def best_lambda(effects: pd.DataFrame, metric: str = "AP") -> float | None:
    """Return the λ whose mean ``metric`` effect over Pearson Loss is largest (smallest for
    oLRP, an error), among the λ with at least two paired seeds; None when none has."""
    rows = effects[
        (effects["against"] == "Pearson Loss") & (effects["metric"] == metric) & (effects["n"] >= 2)
    ]
    if rows.empty:
        return None
    best = rows["effect"].idxmin() if metric.startswith("oLRP") else rows["effect"].idxmax()
    return float(rows.loc[best, "lambda"])
