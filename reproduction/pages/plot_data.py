"""The frames the pages' figures draw: the thesis's numbers and ours in one long table.

Each function returns a pandas frame ready for one seaborn call on a page (the notebook holds
the call, this module the data), with a ``source`` column that says "thesis (COCO)" or
"reproduced (<profile>)" wherever both appear, so that no figure mixes the two unlabelled.
"""

from __future__ import annotations

import pandas as pd

from reproduction.spec import thesis

THESIS_SOURCE = "thesis (COCO)"
"""The ``source`` of the thesis's rows in a figure's frame."""

ATSS_METHODS: tuple[str, ...] = ("atss", "atss_centerness", "atss_qfl", "atss_rs")
"""The detectors of Table 5.4: ATSS and the correlation methods compared on it."""

BOUND_MEASURES: dict[str, tuple[str, str, str]] = {
    "image": ("image_AP_lower", "AP", "image_AP_upper"),
    "class": ("class_AP_lower", "AP", "class_AP_upper"),
}
"""A level's bounds and AP in a runs frame, in the order AP⁻¹ ≤ AP ≤ AP⁺¹."""


def reproduced(profile: str) -> str:
    """The ``source`` of our rows: ``"reproduced (<profile>)"``."""
    return f"reproduced ({profile})"


def ap_by_detector(runs: pd.DataFrame, profile: str) -> pd.DataFrame:
    """Table 5.1's AP per detector and loss, the thesis's rows then our runs (one row per
    seed), for a bar chart per source.

    Returns:
        Columns ``detector``, ``corr_loss`` (bool), ``coefficient`` (None for a baseline),
        ``AP`` (%), ``source`` and ``loss`` (the coefficient, or "baseline").
    """
    columns = ["detector", "corr_loss", "coefficient", "AP", "source"]
    panels = [thesis.table("5.1").assign(source=THESIS_SOURCE)[columns]]
    if not runs.empty:
        ours = runs.assign(
            source=reproduced(profile), corr_loss=runs["kind"].notna(), coefficient=runs["kind"]
        )
        panels.append(ours[columns])
    both = pd.concat(panels, ignore_index=True)
    both["loss"] = both["coefficient"].fillna("baseline")
    return both


def lambda_grid(reproduced_ap: pd.DataFrame, profile: str) -> pd.DataFrame:
    """Table 5.7's AP against λ_corr per model: the thesis's rows, then ours where a row ran.

    Args:
        reproduced_ap: :func:`reproduction.pages.report.side_by_side` of Table 5.7 with the
            ``AP`` column (its ``("AP", "reproduced")`` column is read; empty: thesis only).

    Returns:
        Columns ``model``, ``lambda_corr``, ``AP`` (%), ``source``.
    """
    ref = thesis.table("5.7").reset_index()
    ref["model"] = ref["method"]
    ref["source"] = THESIS_SOURCE
    lines = [ref[["model", "lambda_corr", "AP", "source"]]]
    if not reproduced_ap.empty:
        ours = reproduced_ap[("AP", "reproduced")].dropna()
        if not ours.empty:
            mine = (
                ref.set_index("key")
                .loc[ours.index, ["model", "lambda_corr"]]
                .assign(AP=ours.to_numpy(), source=reproduced(profile))
            )
            lines.append(mine.reset_index(drop=True))
    return pd.concat(lines, ignore_index=True)


def atss_methods(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs of Table 5.4's detectors (:data:`ATSS_METHODS`), with a ``loss`` column:
    "with Corr. Loss" or "without"."""
    if runs.empty:
        return runs.assign(loss=pd.Series(dtype=object))
    ours = runs[runs["detector"].isin(ATSS_METHODS)]
    return ours.assign(
        loss=ours["kind"].map(lambda k: "without" if pd.isna(k) else "with Corr. Loss")
    )


def bounds_long(runs: pd.DataFrame, level: str = "class") -> pd.DataFrame:
    """Every run's AP and its bounds at ``level`` ("image" or "class"), one row per (run,
    measure), for a bar chart AP⁻¹ ≤ AP ≤ AP⁺¹ per experiment.

    Returns:
        Columns ``experiment``, ``measure`` (the runs-frame column), ``AP (%)``; runs without
        the bounds are left out. ValueError for another level.
    """
    if level not in BOUND_MEASURES:
        raise ValueError(f"level must be one of {sorted(BOUND_MEASURES)}, got {level!r}")
    if runs.empty:
        return pd.DataFrame(columns=["experiment", "measure", "AP (%)"])
    return runs.melt(
        id_vars=["experiment"],
        value_vars=list(BOUND_MEASURES[level]),
        var_name="measure",
        value_name="AP (%)",
    ).dropna()


__all__ = [
    "ATSS_METHODS",
    "BOUND_MEASURES",
    "THESIS_SOURCE",
    "ap_by_detector",
    "atss_methods",
    "bounds_long",
    "lambda_grid",
    "reproduced",
]
