"""Spearman rank correlation and the thesis's two correlation measures on plain arrays.

β_img (Eq 3.1) averages Spearman(IoU, score) over images (positives before NMS); β_cls (Eq 3.2)
averages it over classes (true positives after post-processing). Both are pure functions of
arrays here; `corrlib.metrics.api` finds the class-level true positives with COCO's matching.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

__all__ = [
    "CorrelationSummary",
    "spearman",
    "mean_group_correlation",
    "image_level_correlation",
    "image_level_correlation_summary",
]


@dataclass(frozen=True)
class CorrelationSummary:
    """A correlation averaged over groups (images or classes).

    Attributes:
        value: the mean Spearman coefficient over the groups that counted, in [-1, 1];
            NaN when no group counted.
        n_groups: how many groups counted (at least two members and a defined coefficient).
        per_group: the coefficient of each group that counted, keyed by the group's key.
    """

    value: float
    n_groups: int
    per_group: dict

    def as_dict(self, count_key: str = "n_groups", group_key: str = "per_group") -> dict:
        """Return ``{"value": ..., count_key: ..., group_key: ...}``."""
        return {"value": self.value, count_key: self.n_groups, group_key: dict(self.per_group)}


def _as_1d(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        bad = array[~np.isfinite(array)][0]
        raise ValueError(f"{name} must be finite, found {bad}")
    return array


def spearman(x, y) -> float:
    """Spearman's rank correlation of two equally long 1-D sequences.

    Tied values get the average of the ranks they span (as ``scipy.stats.spearmanr``), and the
    coefficient is the Pearson correlation of the ranks.

    Returns:
        The coefficient in [-1, 1] (a dimensionless float), or NaN when it is undefined: fewer
        than two values, or all values of one side equal.

    Raises:
        ValueError: the lengths differ, an input is not 1-D, or a value is NaN or infinite.
    """
    xs = _as_1d(x, "x")
    ys = _as_1d(y, "y")
    if xs.shape != ys.shape:
        raise ValueError(f"x and y must have the same length, got {xs.size} and {ys.size}")
    if xs.size < 2:
        return math.nan
    rx = rankdata(xs) - (xs.size + 1) / 2.0
    ry = rankdata(ys) - (ys.size + 1) / 2.0
    denominator = math.sqrt(float(np.dot(rx, rx)) * float(np.dot(ry, ry)))
    if denominator == 0.0:
        return math.nan
    return float(np.clip(np.dot(rx, ry) / denominator, -1.0, 1.0))


def mean_group_correlation(groups: Iterable[tuple[object, object, object]]) -> CorrelationSummary:
    """Average Spearman(IoU, score) over groups, the common core of Eq 3.1 and Eq 3.2.

    Args:
        groups: ``(key, scores, ious)`` triples, one per group (image or class).

    Returns:
        A `CorrelationSummary`: groups with fewer than two members, or whose scores or IoUs are
        all equal (coefficient undefined), do not count.
    """
    per_group: dict = {}
    for key, scores, ious in groups:
        scores_1d = _as_1d(scores, "scores")
        ious_1d = _as_1d(ious, "ious")
        if scores_1d.shape != ious_1d.shape:
            raise ValueError(
                f"group {key!r}: scores and ious differ in length "
                f"({scores_1d.size} and {ious_1d.size})"
            )
        if scores_1d.size < 2:
            continue
        rho = spearman(ious_1d, scores_1d)
        if not math.isnan(rho):
            per_group[key] = rho
    if not per_group:
        return CorrelationSummary(math.nan, 0, {})
    value = float(np.mean(list(per_group.values())))
    return CorrelationSummary(value, len(per_group), per_group)


def image_level_correlation_summary(pairs: Iterable[tuple[object, object]]) -> dict:
    """β_img (Eq 3.1) with the number of images that counted.

    Args:
        pairs: one ``(scores, ious)`` pair per image: the ground-truth-class scores and the IoUs
            (with their assigned ground truths) of that image's positive detections before NMS.

    Returns:
        ``{"value": β_img, "n_images": int, "per_image": {position in pairs: Spearman}}``; an
        image counts when it has at least two positives and a defined coefficient.
    """
    summary = mean_group_correlation((i, s, u) for i, (s, u) in enumerate(pairs))
    return summary.as_dict("n_images", "per_image")


def image_level_correlation(pairs: Iterable[tuple[object, object]]) -> float:
    """β_img (Eq 3.1): mean over images with at least two positives of Spearman(IoU, score).

    Args:
        pairs: one ``(scores, ious)`` pair of equally long 1-D arrays per image.

    Returns:
        β_img in [-1, 1] as a fraction (not %), NaN when no image has two positives with a
        defined coefficient.
    """
    return image_level_correlation_summary(pairs)["value"]
