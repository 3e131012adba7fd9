"""Correlation coefficients and Correlation Loss on plain torch tensors (torch + torchsort only).

Public API::

    pearson(x, y)                         # Eq. 2.1
    spearman(x, y, regularization_strength=None, rank_scale="absolute")
                                          # Eq. 2.2, torchsort soft ranks (l2)
    concordance(x, y, moments="population")   # Eq. 2.3
    correlation_loss(scores, ious, kind="concordance", regularization_strength=None,
                     rank_scale="absolute", moments="population")
                                          # 1 − ρ(IoU, ŝ), Eq. 4.2; IoUs are constants
    grouped_correlation_loss(scores, ious, groups, grouping="batch", num_groups=None,
                             weights=None, **loss_kwargs)
                                          # per pyramid level / per image, then combined;
                                          # weights: a 0/1 mask of the positives
    set_validation("auto" | "eager" | "deferred" | "off"), validation(mode), raise_pending()
                                          # value checks that never wait for a GPU
    soft_rank(x, regularization_strength=None, rank_scale="absolute"), unit_gap(x)
    soft_rank_l2(x, regularization_strength, method="auto")
                                          # torchsort's l2 soft ranks, faster, with a
                                          # parallel path for GPUs (fast_soft_rank)
    KINDS                                 # ("concordance", "spearman", "pearson")
    ap_loss(logits, labels), alrp_loss(logits, labels, loc_errors),
    rank_sort_loss(logits, labels, quality)  # ranking losses, error-driven gradients
"""

from corrlib.losses.checks import (
    VALIDATION_MODES,
    get_validation,
    raise_pending,
    set_validation,
    validation,
)
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

LOSS_PATH = "sync-free: positives as 0/1 weights, segment sums, deferred value checks"
"""Which implementation of the loss path this is, in words (benchmark records name it)."""

__all__ = [
    "KINDS",
    "LOSS_PATH",
    "VALIDATION_MODES",
    "alrp_loss",
    "ap_loss",
    "concordance",
    "get_validation",
    "correlation_loss",
    "grouped_correlation_loss",
    "pearson",
    "raise_pending",
    "rank_sort_loss",
    "set_validation",
    "smooth_step",
    "soft_rank",
    "soft_rank_l2",
    "spearman",
    "unit_gap",
    "validation",
]
