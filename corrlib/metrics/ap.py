"""COCO-style AP summaries from COCO's accumulated precision array.

COCO's ``accumulate`` produces ``precision[T, R, K, A, M]``: T = 10 IoU thresholds
(0.50:0.05:0.95), R = 101 recall thresholds, K categories, A = 4 area ranges
(all, small, medium, large), M = 3 detection limits (1, 10, 100), with -1 where a category has
no ground truth in that area range. `summarise_precision` reads the numbers the thesis reports.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["AP_KEYS", "IOU_THRESHOLDS", "iou_key", "summarise_precision"]

AP_KEYS = ("AP", "AP50", "AP75", "APs", "APm", "APl")
IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)


def iou_key(threshold: float) -> str:
    """The key of an IoU threshold in ``per_iou``: two decimals, e.g. ``"0.55"``."""
    return f"{threshold:.2f}"


def _mean_valid(values: np.ndarray) -> float:
    valid = values[values > -1]
    return float(valid.mean()) if valid.size else math.nan


def summarise_precision(precision: np.ndarray, category_ids) -> dict:
    """AP, AP50, AP75, APs, APm, APl and per-class AP at 100 detections per image.

    Args:
        precision: COCO's ``eval["precision"]``, shape (10, 101, K, 4, M); the last M index
            is taken as the 100-detection limit.
        category_ids: the K category ids in the order of the K axis.

    Returns:
        A dict of fractions in [0, 1] (not %): the six keys of `AP_KEYS` (NaN where no ground
        truth falls in the area range, where pycocotools prints -1); ``per_class``, a dict
        category id -> AP over IoUs 0.50:0.95 for all areas (NaN for a class without ground
        truth); and ``per_iou``, a dict IoU threshold (`iou_key`: ``"0.50"`` … ``"0.95"``) ->
        AP at that threshold over all classes and areas (``AP50`` and ``AP75`` are two of them;
        ``AP`` is their mean).
    """
    precision = np.asarray(precision, dtype=np.float64)
    if precision.ndim != 5 or precision.shape[0] != IOU_THRESHOLDS.size:
        raise ValueError(f"precision must have shape (10, R, K, A, M), got {precision.shape}")
    category_ids = [int(c) for c in category_ids]
    if precision.shape[2] != len(category_ids):
        raise ValueError(
            f"precision has {precision.shape[2]} categories, got {len(category_ids)} ids"
        )
    at_100 = precision[..., -1]
    t50 = int(np.argmin(np.abs(IOU_THRESHOLDS - 0.5)))
    t75 = int(np.argmin(np.abs(IOU_THRESHOLDS - 0.75)))
    out = {
        "AP": _mean_valid(at_100[:, :, :, 0]),
        "AP50": _mean_valid(at_100[t50, :, :, 0]),
        "AP75": _mean_valid(at_100[t75, :, :, 0]),
        "APs": _mean_valid(at_100[:, :, :, 1]),
        "APm": _mean_valid(at_100[:, :, :, 2]),
        "APl": _mean_valid(at_100[:, :, :, 3]),
    }
    out["per_class"] = {cat: _mean_valid(at_100[:, :, k, 0]) for k, cat in enumerate(category_ids)}
    out["per_iou"] = {
        iou_key(t): _mean_valid(at_100[i, :, :, 0]) for i, t in enumerate(IOU_THRESHOLDS)
    }
    return out
