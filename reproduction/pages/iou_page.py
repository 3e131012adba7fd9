"""The per-threshold page's data and text: each pair's AP effect at every IoU threshold.

``notebooks/ap_per_iou.ipynb`` reads this module: the curves of every baseline /
Correlation-Loss pair whose runs record AP at each threshold (:class:`IouCurve`), their table
and figure beside the thesis's AP50 / AP75 effects, and the AP50 / AP75 effects of older runs
that kept only those. The numbers come from :mod:`reproduction.analysis.regimes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reproduction.analysis import regimes
from reproduction.analysis.stats import GAIN, LOSS
from reproduction.pages.regime_runs import (
    PAIR,
    Cache,
    Loaded,
    effect_text,
    load,
    profile_pairs,
)
from reproduction.spec.labels import reader_label
from reproduction.spec.profiles import (
    PRETRAINED_PROFILE,
    TRAINING_LENGTHS,
    training_length_profile,
)
from reproduction.spec.thesis_rows import thesis_effect

THESIS_TABLE = "5.1"
"""The thesis table whose AP50 / AP75 effects the per-threshold page sets beside ours."""


def iou_profiles(
    results_root: Path,
    archive_root: Path,
    profiles: Sequence[str] | None = None,
    cache: Cache | None = None,
) -> list[Loaded]:
    """Return the loaded runs of the profiles where some baseline / Correlation-Loss pair
    recorded AP at every IoU threshold in at least two paired seeds (default: the demo at
    every training length and the pretrained start)."""
    names = profiles or [
        *(training_length_profile(n) for n in TRAINING_LENGTHS),
        PRETRAINED_PROFILE,
    ]
    loaded = (load(name, results_root, archive_root, cache) for name in names)
    return [runs for runs in loaded if _iou_pairs(runs)]


@dataclass(frozen=True)
class IouCurve:
    """One pair's AP effect at each IoU threshold in one profile.

    Attributes:
        profile: the profile the runs belong to.
        source: where its records were read (``"local"`` or ``"archive"``).
        baseline, variant: the pair's experiment ids.
        effects: :func:`reproduction.analysis.regimes.iou_effects` (points of AP).
        crossing: the threshold where the mean effect changes sign, or None.
    """

    profile: str
    source: str
    baseline: str
    variant: str
    effects: pd.DataFrame
    crossing: float | None

    @property
    def seeds(self) -> int:
        """The paired seeds at every threshold (the fewest over thresholds)."""
        return int(self.effects["n"].min()) if not self.effects.empty else 0

    @property
    def pair(self) -> str:
        """The pair in the reader's words (:func:`reproduction.spec.labels.reader_label`)."""
        return reader_label(pair=(self.baseline, self.variant))


def _iou_pairs(runs: Loaded, min_seeds: int = 2) -> list[tuple[str, str]]:
    """The pairs of a profile that recorded AP at every IoU threshold in at least
    ``min_seeds`` paired seeds."""
    return [
        pair
        for pair in profile_pairs(runs)
        if regimes.iou_coverage(runs.records, *pair)[0] >= min_seeds
    ]


def iou_curves(loaded: Sequence[Loaded], min_seeds: int = 2) -> list[IouCurve]:
    """Return the :class:`IouCurve` of every pair of every loaded profile that recorded AP at
    every IoU threshold in at least ``min_seeds`` paired seeds, by profile then pair."""
    curves = []
    for runs in loaded:
        for baseline, variant in _iou_pairs(runs, min_seeds):
            effects = regimes.iou_effects(runs.records, baseline, variant)
            curves.append(
                IouCurve(
                    runs.profile,
                    runs.source,
                    baseline,
                    variant,
                    effects,
                    regimes.sign_change(effects),
                )
            )
    return curves


def thesis_iou_effects(variant: str = PAIR[1]) -> dict[float, float]:
    """Return the thesis's effects of ``variant`` on AP50 and AP75 (IoU → points; Table 5.1,
    COCO), those it prints."""
    out = {}
    for threshold, metric in ((0.5, "AP50"), (0.75, "AP75")):
        value = thesis_effect(variant, THESIS_TABLE, metric)
        if value is not None:
            out[threshold] = value
    return out


def iou_table(curves: Sequence[IouCurve]) -> pd.DataFrame:
    """Return one row per :class:`IouCurve`: the pair and setting, seeds with AP per
    threshold, the threshold where the mean effect changes sign, the effect at 0.50, 0.75 and
    0.95 with intervals, and the thresholds where the effect is a resolved gain or loss."""
    rows = []
    for curve in curves:
        by_t = {round(float(r["threshold"]), 2): r for r in curve.effects.to_dict("records")}
        gains = [f"{t:.2f}" for t, r in by_t.items() if r["direction"] == GAIN]
        losses = [f"{t:.2f}" for t, r in by_t.items() if r["direction"] == LOSS]
        rows.append(
            {
                "pair": curve.pair,
                "setting": reader_label(profile=curve.profile),
                "seeds": curve.seeds,
                "sign change at IoU": "—" if curve.crossing is None else f"{curve.crossing:.2f}",
                "Δ AP50": effect_text(by_t[0.5]) if 0.5 in by_t else "—",
                "Δ AP75": effect_text(by_t[0.75]) if 0.75 in by_t else "—",
                "Δ AP@0.95": effect_text(by_t[0.95]) if 0.95 in by_t else "—",
                "resolved gain at": ", ".join(gains) or "none",
                "resolved loss at": ", ".join(losses) or "none",
                "source": curve.source,
            }
        )
    return pd.DataFrame(rows)


def ap50_ap75_table(loaded: Sequence[Loaded]) -> pd.DataFrame:
    """Return, for every baseline / Correlation-Loss pair of the given profiles, the effects on
    AP50 and AP75 beside the thesis's (Table 5.1 where it has the row): the runs whose
    detections are no longer kept, so that AP at the other thresholds cannot be computed."""
    rows = []
    for runs in loaded:
        for baseline, variant in profile_pairs(runs):
            effects = regimes.pair_effects(runs.records, baseline, variant, ("AP50", "AP75"))
            if effects.empty:
                continue
            by_metric = {r["metric"]: r for r in effects.to_dict("records")}
            with_iou, paired = regimes.iou_coverage(runs.records, baseline, variant)
            row = {
                "setting": reader_label(profile=runs.profile),
                "pair": reader_label(pair=(baseline, variant)),
            }
            for metric in ("AP50", "AP75"):
                thesis = thesis_effect(variant, THESIS_TABLE, metric)
                row[f"thesis Δ {metric} (COCO)"] = "—" if thesis is None else f"{thesis:+.1f}"
                row[f"ours Δ {metric}"] = (
                    effect_text(by_metric[metric]) if metric in by_metric else "—"
                )
            row["seeds"] = paired
            row["AP per threshold"] = f"{with_iou} of {paired} seeds"
            rows.append(row)
    return pd.DataFrame(rows)


def plot_iou(fig, curves: Sequence[IouCurve]) -> None:  # noqa: ANN001 - a Figure
    """Draw each pair's effect against the IoU threshold on ``fig``, one panel per pair with a
    line per setting, and the thesis's AP50 and AP75 effects of that pair's variant
    (:func:`thesis_iou_effects`)."""
    from reproduction.pages.figures import plot_iou_effects, plot_thesis_effects

    by_pair: dict[str, list[IouCurve]] = {}
    for curve in curves:
        by_pair.setdefault(curve.pair, []).append(curve)
    axes = fig.subplots(1, len(by_pair), squeeze=False, sharey=True)[0]
    for ax, (pair, shown) in zip(axes, by_pair.items(), strict=True):
        for curve in shown:
            plot_iou_effects(
                ax,
                curve.effects,
                label=f"{reader_label(profile=curve.profile)} ({curve.seeds} seeds)",
                crossing=curve.crossing,
            )
        plot_thesis_effects(ax, thesis_iou_effects(shown[0].variant))
        ax.set_title(pair, fontsize=9)


__all__ = [
    "IouCurve",
    "THESIS_TABLE",
    "ap50_ap75_table",
    "iou_curves",
    "iou_profiles",
    "iou_table",
    "plot_iou",
    "thesis_iou_effects",
]
