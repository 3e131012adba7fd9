"""Optimal LRP (Oksuz et al., TPAMI 2021) of one class, from its matched detections.

For the detections kept at a score threshold s (those with score >= s),

    LRP = (sum over TPs of (1 - IoU) / (1 - tau) + N_FP + N_FN) / (N_TP + N_FP + N_FN),

and oLRP is its minimum over s. Its components at that LRP-optimal threshold are
oLRP_Loc = mean (1 - IoU) over the TPs, oLRP_FP = N_FP / (N_TP + N_FP) and
oLRP_FN = N_FN / N_GT. Because COCO's matching is greedy in descending score order, the
matches of the detections above a threshold are the matches of the whole list restricted to
them, so one matching serves every threshold. Thresholds are the distinct scores: detections
with equal scores are kept or dropped together.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["ClassLRP", "optimal_lrp", "average_lrp"]


@dataclass(frozen=True)
class ClassLRP:
    """oLRP of one class; errors are fractions in [0, 1], lower is better.

    Attributes:
        oLRP: the optimal LRP error.
        oLRP_Loc: mean (1 - IoU) of the TPs at the optimal threshold; NaN without a TP.
        oLRP_FP: N_FP / (N_TP + N_FP) at the optimal threshold; NaN without a TP.
        oLRP_FN: N_FN / N_GT at the optimal threshold.
        threshold: the LRP-optimal score threshold (keep detections with score >= it);
            NaN without a TP.
        n_tp, n_fp, n_fn: the counts at the optimal threshold.
    """

    oLRP: float
    oLRP_Loc: float
    oLRP_FP: float
    oLRP_FN: float
    threshold: float
    n_tp: int
    n_fp: int
    n_fn: int

    def as_dict(self) -> dict:
        """Return the fields as a plain dict."""
        return asdict(self)


def optimal_lrp(scores, is_tp, ious, n_gt: int, tau: float = 0.5) -> ClassLRP:
    """oLRP of one class.

    Args:
        scores: (N,) confidence scores of the class's evaluated detections (detections that
            COCO ignores, e.g. matched to a crowd region, must be left out by the caller).
        is_tp: (N,) bool, True where the detection is a true positive at IoU >= ``tau``.
        ious: (N,) IoU of each TP with its ground truth (values at FPs are not read).
        n_gt: number of (non-ignored) ground-truth objects of the class, at least 1.
        tau: the TP validation threshold (0.5 in the thesis).

    Returns:
        A `ClassLRP`. A class without any TP has oLRP = oLRP_FN = 1 and NaN Loc, FP, threshold.
    """
    if n_gt < 1:
        raise ValueError(f"n_gt must be at least 1, got {n_gt}")
    if not 0.0 < tau < 1.0:
        raise ValueError(f"tau must lie in (0, 1), got {tau}")
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    is_tp = np.asarray(is_tp, dtype=bool).reshape(-1)
    ious = np.asarray(ious, dtype=np.float64).reshape(-1)
    if not scores.shape == is_tp.shape == ious.shape:
        raise ValueError(
            f"scores, is_tp and ious differ in length: {scores.size}, {is_tp.size}, {ious.size}"
        )
    if not is_tp.any():
        return ClassLRP(1.0, math.nan, math.nan, 1.0, math.nan, 0, 0, int(n_gt))

    order = np.argsort(-scores, kind="mergesort")
    sorted_scores = scores[order]
    tp_sorted = is_tp[order]
    n_tp = np.cumsum(tp_sorted)
    n_fp = np.cumsum(~tp_sorted)
    loc = np.cumsum(np.where(tp_sorted, 1.0 - ious[order], 0.0))
    # A threshold keeps whole groups of equal scores: evaluate at each group's last member.
    last_of_group = np.ones(scores.size, dtype=bool)
    last_of_group[:-1] = sorted_scores[:-1] != sorted_scores[1:]
    candidates = np.flatnonzero(last_of_group & (n_tp > 0))
    lrp = (loc[candidates] / (1.0 - tau) + n_fp[candidates] + (n_gt - n_tp[candidates])) / (
        n_fp[candidates] + n_gt
    )
    best = candidates[int(np.argmin(lrp))]
    tp, fp = int(n_tp[best]), int(n_fp[best])
    return ClassLRP(
        oLRP=float(lrp.min()),
        oLRP_Loc=float(loc[best] / tp),
        oLRP_FP=fp / (tp + fp),
        oLRP_FN=(n_gt - tp) / n_gt,
        threshold=float(sorted_scores[best]),
        n_tp=tp,
        n_fp=fp,
        n_fn=int(n_gt - tp),
    )


def average_lrp(per_class: dict) -> dict:
    """Average class-wise oLRP results the way Oksuz et al. do.

    Args:
        per_class: category id -> `ClassLRP` for the classes that have ground truth.

    Returns:
        ``{"oLRP", "oLRP_Loc", "oLRP_FP", "oLRP_FN"}`` as fractions: each the mean over the
        classes where it is defined (Loc and FP skip classes without a TP); NaN if none.
    """
    out = {}
    for key in ("oLRP", "oLRP_Loc", "oLRP_FP", "oLRP_FN"):
        values = [getattr(r, key) for r in per_class.values()]
        values = [v for v in values if not math.isnan(v)]
        out[key] = float(np.mean(values)) if values else math.nan
    return out
