"""The differences page's section "Baselines at half the batch, measured".

Reads the default demo's runs and the half-batch profile's
(:data:`reproduction.spec.profiles.HALF_BATCH_PROFILE`), local or committed (whichever holds
more), and turns :func:`reproduction.analysis.batch_size.half_batch_effects` into the section's
table and sentences.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reproduction.analysis.batch_size import BATCH_METRICS, COMPARISONS, half_batch_effects
from reproduction.analysis.stats import GAIN, NOT_RESOLVED, direction
from reproduction.pages import regime_runs
from reproduction.pages.regime_runs import Loaded, effect_text, load, row_interval
from reproduction.spec.labels import reader_label
from reproduction.spec.plans import HALF_BATCH_BASELINES, plan
from reproduction.spec.profiles import HALF_BATCH_PROFILE, get_profile

COMPARISON_LABELS: dict[str, str] = {
    "half batch": "baseline at half the batch − baseline",
    "matched": "loss − baseline, one batch (this project)",
    "author's baselines": "loss − baseline at half the batch (the author's configs)",
}
"""Each comparison of :data:`reproduction.analysis.batch_size.COMPARISONS` in words."""


def runs(results_dir: Path, archive_dir: Path) -> tuple[Loaded, Loaded]:
    """Return the loaded runs of the default demo and of the half-batch profile."""
    return load("demo", results_dir, archive_dir), load(
        HALF_BATCH_PROFILE, results_dir, archive_dir
    )


def pairs() -> list[tuple[str, str]]:
    """Return the demo's (baseline, Correlation-Loss variant) pairs whose baseline the
    half-batch profile trains."""
    return [pair for pair in plan("demo").pairs() if pair[0] in HALF_BATCH_BASELINES]


def effects(full: Loaded, half: Loaded) -> pd.DataFrame:
    """Return the three effects of each pair (:func:`half_batch_effects`)."""
    return half_batch_effects(full.records, half.records, pairs())


def effects_table(effects: pd.DataFrame) -> pd.DataFrame:
    """Return one row per pair and comparison, one column per metric
    (:data:`reproduction.pages.regime_runs.EFFECT_LABELS`): the effect in points with its 95 %
    interval, and the paired seeds."""
    rows = []
    for (baseline, variant, comparison), group in effects.groupby(
        ["baseline_id", "variant_id", "comparison"], sort=False
    ):
        row = {
            "pair": reader_label(pair=(baseline, variant)),
            "compared": COMPARISON_LABELS[comparison],
            "seeds": int(group["n"].max()),
        }
        rows.append({**row, **regime_runs.metric_cells(group, BATCH_METRICS)})
    return pd.DataFrame(rows)


def _moved(row: pd.Series) -> str:
    went = direction(row_interval(row))
    if went == NOT_RESOLVED:
        return "not resolved"
    return "higher" if went == GAIN else "lower"


def summary(effects: pd.DataFrame) -> str:
    """Return the section's answer in a few sentences (Markdown): for each pair, how the
    baseline's AP moves at half the batch, and the loss's AP effect against each baseline."""
    spec = get_profile(HALF_BATCH_PROFILE)
    setting = f"{spec.max_iters:,} iterations of {spec.images_per_step} images"
    if effects.empty:
        return "*No run of the half-batch baselines yet.*"
    sentences = []
    for (baseline, variant), group in effects.groupby(["baseline_id", "variant_id"], sort=False):
        ap = group[group["metric"] == "AP"].set_index("comparison")
        if "half batch" not in ap.index:
            sentences.append(
                f"**{reader_label(pair=(baseline, variant))}**: no half-batch run paired yet."
            )
            continue
        half = ap.loc["half batch"]
        text = (
            f"**{reader_label(pair=(baseline, variant))}**: at half the batch ({setting}, the "
            f"same images seen) the baseline's AP changes by {effect_text(half)} "
            f"({_moved(half)}; {int(half['n'])} paired seeds)."
        )
        if {"matched", "author's baselines"} <= set(ap.index):
            text += (
                " On the same seeds, the loss's AP effect reads "
                f"{effect_text(ap.loc['matched'])} against the baseline at its own batch and "
                f"{effect_text(ap.loc[COMPARISONS[2]])} against the baseline at half the batch, "
                "as the author's configs compared them."
            )
        sentences.append(text)
    return "\n\n".join(sentences)


def runs_markdown(half: Loaded) -> str:
    """Return the provenance line of the half-batch runs (Markdown list item; the demo's
    runs are the page's evidence already)."""
    if not half.records:
        return f"- {reader_label(profile=HALF_BATCH_PROFILE)}: no results file yet."
    return regime_runs.runs_markdown([half])
