"""Correlation coefficients and Correlation Loss on plain torch tensors (torch + torchsort only).

Public API::

    pearson(x, y)                         # Eq. 2.1
    spearman(x, y, regularization_strength=None, rank_scale="absolute")
                                          # Eq. 2.2, torchsort soft ranks (l2)
    concordance(x, y, moments="population")   # Eq. 2.3
    correlation_loss(scores, ious, kind="concordance", regularization_strength=None,
                     rank_scale="absolute", moments="population")
                                          # 1 − ρ(IoU, ŝ), Eq. 4.2; IoUs are constants
    grouped_correlation_loss(scores, ious, groups, reduction="batch", **loss_kwargs)
                                          # per pyramid level / per image, then combined
    soft_rank(x, regularization_strength=None, rank_scale="absolute"), unit_gap(x)
    soft_rank_l2(x, regularization_strength, method="auto")
                                          # torchsort's l2 soft ranks, faster, with a
                                          # parallel path for GPUs (fast_soft_rank)
    KINDS                                 # ("concordance", "spearman", "pearson")
    ap_loss(logits, labels), alrp_loss(logits, labels, loc_errors),
    rank_sort_loss(logits, labels, quality)  # ranking losses, error-driven gradients
"""

from corrlib.losses.correlation import (
    KINDS,
    concordance,
    correlation_loss,
    grouped_correlation_loss,
    pearson,
    soft_rank,
    spearman,
    unit_gap,
)
from corrlib.losses.fast_soft_rank import soft_rank_l2
from corrlib.losses.rank_based import alrp_loss, ap_loss, rank_sort_loss, smooth_step

__all__ = [
    "KINDS",
    "alrp_loss",
    "ap_loss",
    "concordance",
    "correlation_loss",
    "grouped_correlation_loss",
    "pearson",
    "rank_sort_loss",
    "smooth_step",
    "soft_rank",
    "soft_rank_l2",
    "spearman",
    "unit_gap",
]
