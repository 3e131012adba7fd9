"""Re-ordering scores to follow (or oppose) the IoU order: the AP⁺¹ / AP⁻¹ bounds.

The thesis's bounds (Tables 3.1, 3.2) keep every box and every score value, and only hand the
positives' scores to the positives in the order of their IoUs: highest IoU gets the highest
score for the upper bound (direction +1), the lowest score for the lower bound (direction -1).
Image-level (Table 3.1): the positives of one image before NMS; class-level (Table 3.2): the
true positives of one class after post-processing. These helpers are that one operation.
"""

from __future__ import annotations

import numpy as np

__all__ = ["iou_ordered_permutation", "reorder_scores_by_iou", "reorder_within_groups"]


def _check_direction(direction: int) -> int:
    if direction not in (1, -1):
        raise ValueError(f"direction must be +1 (upper bound) or -1 (lower bound), got {direction}")
    return direction


def iou_ordered_permutation(scores, ious, direction: int = 1) -> np.ndarray:
    """The permutation that makes scores follow (+1) or oppose (-1) the IoU order.

    Args:
        scores: (N,) scores of the positives of one image or one class.
        ious: (N,) their IoUs with their ground truths.
        direction: +1 to give the highest score to the highest IoU, -1 to the lowest IoU.

    Returns:
        ``perm``, (N,) int64 indices such that ``scores[perm]`` is the re-ordered score vector:
        the same multiset of scores, with ``ious`` and ``scores[perm]`` in the same (+1) or
        opposite (-1) rank order. Positives with equal IoUs keep their original relative order
        of scores, so tied IoUs never gain or lose against each other.
    """
    direction = _check_direction(direction)
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    ious = np.asarray(ious, dtype=np.float64).reshape(-1)
    if scores.shape != ious.shape:
        raise ValueError(f"scores and ious differ in length: {scores.size} and {ious.size}")
    if not (np.all(np.isfinite(scores)) and np.all(np.isfinite(ious))):
        raise ValueError("scores and ious must be finite (found NaN or infinity)")
    # Positions from the one that should get the highest score to the one that gets the lowest.
    receivers = np.lexsort((-scores, -direction * ious))
    # Original indices of the scores from highest to lowest (stable for equal scores).
    donors = np.argsort(-scores, kind="mergesort")
    perm = np.empty(scores.size, dtype=np.int64)
    perm[receivers] = donors
    return perm


def reorder_scores_by_iou(scores, ious, direction: int = 1) -> np.ndarray:
    """Return the scores re-ordered by `iou_ordered_permutation` (a new (N,) float64 array)."""
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    return scores[iou_ordered_permutation(scores, ious, direction)]


def reorder_within_groups(scores, ious, groups, direction: int = 1) -> np.ndarray:
    """Re-order scores by IoU separately within each group (e.g. each class or each image).

    Args:
        scores: (N,) scores of positives.
        ious: (N,) their IoUs.
        groups: (N,) integer group labels; scores move only between members of one group.
        direction: +1 (upper bound) or -1 (lower bound).

    Returns:
        (N,) float64 array of re-ordered scores, aligned with the inputs.
    """
    direction = _check_direction(direction)
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    ious = np.asarray(ious, dtype=np.float64).reshape(-1)
    groups = np.asarray(groups).reshape(-1)
    if not scores.shape == ious.shape == groups.shape:
        raise ValueError(
            f"scores, ious and groups differ in length: {scores.size}, {ious.size}, {groups.size}"
        )
    if not (np.all(np.isfinite(scores)) and np.all(np.isfinite(ious))):
        raise ValueError("scores and ious must be finite (found NaN or infinity)")
    # One sort does every group: receivers ordered by (group, IoU, original score), donors by
    # (group, score); equal group sizes line the two orders up member by member.
    receivers = np.lexsort((-scores, -direction * ious, groups))
    donors = np.lexsort((-scores, groups))
    out = np.empty_like(scores)
    out[receivers] = scores[donors]
    return out
