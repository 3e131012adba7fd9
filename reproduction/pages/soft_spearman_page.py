"""The finding's page "Spearman Loss at the thesis's setting is Pearson Loss"
(``notebooks/soft_spearman.ipynb``): its figure, tables and sentences.

The sweeps come from :mod:`reproduction.running.soft_rank_finding` (rank scale → one row per
strength, with the columns of the running package's ``spearman_pearson_sweep``), the thesis
rows from its printed tables (:mod:`reproduction.spec.thesis`); this module draws and words
them, so that the notebook holds parameters and calls.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from corrlib.names import DEFAULT_STRENGTH
from reproduction.records.provenance_text import parameters_markdown
from reproduction.spec import experiments, thesis

TABLE_COLUMNS: dict[str, str] = {
    "rank_scale": "scale",
    "strength": "ε",
    "L_spearman": "Spearman Loss",
    "L_pearson": "Pearson Loss",
    "abs_difference": "|Δ loss|",
    "grad_cosine": "gradient cosine",
    "gradient ratio": "gradient ratio",
}
"""The sweep table's columns (the sweeps' names) and their
names on the page, in the page's order."""

TABLE_FORMATS: dict[str, str] = {
    "ε": "{:.0e}",
    "Spearman Loss": "{:.4f}",
    "Pearson Loss": "{:.4f}",
    "|Δ loss|": "{:.1e}",
    "gradient cosine": "{:.4f}",
    "gradient ratio": "{:.2f}",
}


def sweep_figure(swept: Mapping[str, pd.DataFrame], title: str) -> plt.Figure:
    """Return the page's figure: per rank scale, the two losses and 1 − exact Spearman
    against ε (top) and the gradients' cosine (bottom), with ε* and the default ε marked;
    ``swept``: two rank scales (the absolute first), each to its sweep."""
    fig, axes = plt.subplots(2, 2, figsize=(11, 6.5), sharex="col", height_ratios=(2, 1))
    for column, (scale, sweep) in enumerate(swept.items()):
        top, bottom = axes[0, column], axes[1, column]
        x = sweep["strength"]
        top.plot(x, sweep["L_spearman"], "o-", ms=3, label="Spearman Loss (soft)")
        top.plot(x, sweep["L_pearson"], "-", color="tab:red", label="Pearson Loss")
        top.plot(x, sweep["L_exact_spearman"], ":", color="black", label="1 − exact Spearman")
        bottom.plot(x, sweep["grad_cosine"], "o-", ms=3, color="tab:green")
        parting, default = sweep["parting"].iloc[0], DEFAULT_STRENGTH[scale]
        for ax in (top, bottom):
            ax.set_xscale("log")
            ax.axvline(parting, color="grey", ls="--", lw=1, label=f"ε* = {parting:.3g}")
            ax.axvline(default, color="grey", ls=":", lw=1, label=f"default ε = {default:g}")
        unit = "score / IoU units" if scale == "absolute" else "mean gaps"
        top.set(title=f"rank_scale = {scale!r}", ylabel="loss")
        bottom.set(xlabel=f"soft-rank strength ε ({unit})", ylabel="gradient cosine")
        top.legend(fontsize=8, loc="best")
    fig.suptitle(f"Spearman Loss against Pearson Loss: {title}", fontsize=10)
    fig.tight_layout()
    return fig


def decade_table(swept: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Return the sweeps' rows at whole powers of 10, both scales, with the page's column
    names (:data:`TABLE_COLUMNS`); "gradient ratio" is ‖∇ Spearman Loss‖ / ‖∇ Pearson Loss‖."""
    parts = []
    for scale, sweep in swept.items():
        fraction = np.log10(sweep["strength"].to_numpy()) % 1
        decades = np.isclose(fraction, 0) | np.isclose(fraction, 1)
        parts.append(sweep.loc[decades].assign(rank_scale=scale))
    table = pd.concat(parts)
    table["gradient ratio"] = table["grad_norm_spearman"] / table["grad_norm_pearson"]
    return table[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)


def decade_note(swept: Mapping[str, pd.DataFrame]) -> str:
    """The line above the sweep table: 1 − the exact Spearman correlation of the positives,
    and what the gradient ratio is."""
    exact = next(iter(swept.values()))["L_exact_spearman"].iloc[0]
    return (
        f"1 − the exact Spearman correlation of these positives: {exact:.4f}; gradient ratio: "
        "‖∇ Spearman Loss‖ / ‖∇ Pearson Loss‖."
    )


def thesis_rows() -> pd.DataFrame:
    """Return every thesis table row trained with Correlation Loss whose coefficient is
    Spearman or Pearson: ``table``, ``row``, ``detector``, ``λ_corr``, ``AP`` (%, of boxes or
    of masks: ``AP of``), ``coefficient as printed``, and ``what it trained`` (Pearson Loss:
    each ranked at ε = 1 on the absolute scale)."""
    rows = []
    for name in thesis.TABLES:
        printed = thesis.table(name)
        if "coefficient" not in printed.columns:
            continue
        chosen = printed[
            printed["coefficient"].isin(["spearman", "pearson"]) & printed["corr_loss"]
        ]
        boxes = "AP" in printed.columns
        for _, row in chosen.iterrows():
            rows.append(
                {
                    "table": name,
                    "row": row["method"],
                    "detector": row["detector"],
                    "λ_corr": row["lambda_corr"],
                    "AP": row["AP"] if boxes else row["AP_mask"],
                    "AP of": "boxes" if boxes else "masks",
                    "coefficient as printed": row["coefficient"].capitalize(),
                    "what it trained": "Pearson Loss",
                }
            )
    return pd.DataFrame(rows)


def table_5_6_markdown(rows: pd.DataFrame) -> str:
    """The paragraph on Table 5.6: its Pearson and Spearman rows (AP, %, and their gap, per
    detector) are two trainings of one loss, and so are the Spearman rows of the other tables
    of ``rows`` (:func:`thesis_rows`)."""
    t56 = thesis.table("5.6")
    pairs = []
    for detector in t56["detector"].unique():
        part = t56[t56["detector"] == detector]
        name = part.loc[~part["corr_loss"], "method"].iloc[0]
        ap = part[part["corr_loss"]].set_index("coefficient")["AP"]
        if {"pearson", "spearman"} <= set(ap.index):
            pairs.append(
                f"{name}: {ap['pearson']:.1f} AP with Pearson, {ap['spearman']:.1f} with "
                f"Spearman, a gap of {abs(ap['pearson'] - ap['spearman']):.1f}"
            )
    others = sorted(set(rows["table"]) - {"5.6"})
    return (
        "Table 5.6 sets out to compare the coefficients, but its Pearson and Spearman rows are "
        "two trainings of one loss (" + "; ".join(pairs) + "). Whatever separates them comes "
        "from training the same loss twice, possibly with different λ_corr (the thesis gives "
        "none for the Pearson rows), not from the choice of coefficient. The Spearman rows of "
        f"Tables {', '.join(others[:-1])} and {others[-1]} are likewise Pearson Loss."
    )


def spearman_experiments() -> pd.DataFrame:
    """Return every Spearman experiment of the registry: ``experiment``, ``rank scale``,
    ``default ε``, the thesis tables it ``reproduces`` ("—": none) and ``what it trains``
    (Pearson Loss on the absolute scale, rank-faithful Spearman Loss on the unit-gap one)."""
    return pd.DataFrame(
        [
            {
                "experiment": e.id,
                "rank scale": e.rank_scale,
                "default ε": DEFAULT_STRENGTH[e.rank_scale],
                "reproduces": ", ".join(ref.table for ref in e.reproduces) or "—",
                "what it trains": "Pearson Loss"
                if e.rank_scale == "absolute"
                else "rank-faithful Spearman Loss",
            }
            for e in experiments.list_experiments()
            if e.kind == "spearman"
        ]
    )


def provenance_markdown(label: str | None, parameters: Mapping[str, object]) -> str:
    """The page's provenance block (Markdown): whose positives (``label``, None: synthetic),
    that the thesis rows are its printed numbers, and the parameters the page ran with."""
    if label is None:
        where = "synthetic positives drawn on this page (no run's pre-NMS positives were found)"
    else:
        where = f"the pre-NMS positives of {label}"
    return (
        f"**Provenance**\n\n- Data: {where}; thesis rows: the thesis's printed numbers.\n"
        + parameters_markdown(parameters)
    )
