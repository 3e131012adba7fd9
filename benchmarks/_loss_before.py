"""The loss path as it was before it became sync-free: kept so that the benchmarks time the
old and the new implementation side by side in one run. Not used by the library.

Differentiable correlation coefficients and the Correlation Loss (thesis Ch. 2 and 4).

Pure torch (+ torchsort for soft ranks): no mmdet here, so the maths is testable on plain
tensors. All functions take two 1-D tensors of equal length and return 0-d tensors.

- :func:`pearson`      α(x, y), Eq. 2.1
- :func:`spearman`     β(x, y) = α(R(x), R(y)) with torchsort's soft ranks (l2), Eq. 2.2
- :func:`concordance`  γ(x, y) = 2 α σx σy / (σx² + σy² + (x̄ − ȳ)²), Eq. 2.3 (Lin, 1989)
- :func:`correlation_loss`  L_corr = 1 − ρ(IoU, ŝ), Eq. 4.2
- :func:`grouped_correlation_loss`  L_corr computed per group (pyramid level, image) and
  combined (:data:`corrlib.names.REDUCTIONS`)

Concordance uses population moments (divide by N, Lin's definition) unless
``moments="sample"`` (divide by N − 1); Pearson and Spearman do not depend on that choice.

Spearman at the thesis's setting (``rank_scale="absolute"``, strength 1) is Pearson: torchsort's
l2 soft rank projects the values onto the permutahedron, and when the strength exceeds one to
two mean gaps of the sorted values (always, for values in [0, 1] at strength 1) the projection
pools all of them into one block whose soft ranks are the values plus a constant.
``rank_scale="unit_gap"`` rescales the values to a unit mean gap first, so that the strength is
relative to their spacing and the soft ranks follow the exact ranks.
"""

from __future__ import annotations

import torch
from torch import Tensor

from corrlib.names import (  # the accepted names, defined once and torch-free
    DEFAULT_GROUPING,
    DEFAULT_MOMENTS,
    DEFAULT_RANK_SCALE,
    DEFAULT_STRENGTH,
    GROUPINGS,
    KINDS,
    MOMENTS,
    RANK_SCALES,
)

REDUCTIONS, DEFAULT_REDUCTION = GROUPINGS, DEFAULT_GROUPING  # their names when this was copied

# Added under square roots and to denominators so that nearly constant inputs give finite
# gradients; far below the variance of any non-degenerate set of scores or IoUs.
_EPS = 1e-12


def _check_pair(x: Tensor, y: Tensor, x_name: str = "x", y_name: str = "y") -> None:
    """Raise ValueError naming the problem unless x and y are finite 1-D tensors of one length."""
    for name, t in ((x_name, x), (y_name, y)):
        if not isinstance(t, Tensor):
            raise ValueError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if t.dim() != 1:
            raise ValueError(f"{name} must be 1-D, got shape {tuple(t.shape)}")
        if not torch.is_floating_point(t):
            raise ValueError(f"{name} must be a floating-point tensor, got dtype {t.dtype}")
        if not bool(torch.isfinite(t).all()):
            bad = t[~torch.isfinite(t)][0].item()
            raise ValueError(f"{name} contains a non-finite value ({bad})")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"{x_name} and {y_name} differ in length: {x.shape[0]} vs {y.shape[0]}")


def _moments(
    x: Tensor, y: Tensor, moments: str = DEFAULT_MOMENTS
) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
    """Return (mean x, mean y, var x, var y, cov xy): population moments (divide by n) or,
    with ``moments="sample"``, sample moments (divide by n − 1)."""
    mx, my = x.mean(), y.mean()
    dx, dy = x - mx, y - my
    denominator = x.shape[0] - (1 if moments == "sample" else 0)
    return (
        mx,
        my,
        (dx * dx).sum() / denominator,
        (dy * dy).sum() / denominator,
        (dx * dy).sum() / denominator,
    )


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    """Raise ValueError naming ``name`` unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; expected one of {allowed}")


def pearson(x: Tensor, y: Tensor) -> Tensor:
    """Pearson correlation α(x, y) (Eq. 2.1), a 0-d tensor in [−1, 1].

    Returns 0 (attached to the graph) when x or y is constant or has fewer than two
    elements, where the coefficient is undefined.
    """
    _check_pair(x, y)
    if _degenerate(x, y):
        return _zero_like_graph(x, y)
    _, _, vx, vy, cxy = _moments(x, y)
    return cxy / torch.sqrt(vx * vy + _EPS)


def concordance(x: Tensor, y: Tensor, moments: str = DEFAULT_MOMENTS) -> Tensor:
    """Lin's concordance correlation γ(x, y) (Eq. 2.3), a 0-d tensor in [−1, 1].

    γ = 2·cov(x, y) / (var x + var y + (x̄ − ȳ)²), which equals Eq. 2.3 since
    α σx σy = cov. ``moments``: "population" (divide by n, Lin's definition) or "sample"
    (divide by n − 1). Returns 0 (on the graph) for fewer than two elements or a constant input.
    """
    _check_pair(x, y)
    _check_choice("moments", moments, MOMENTS)
    if _degenerate(x, y):
        return _zero_like_graph(x, y)
    mx, my, vx, vy, cxy = _moments(x, y, moments)
    return 2.0 * cxy / (vx + vy + (mx - my) ** 2 + _EPS)


def unit_gap(x: Tensor) -> Tensor:
    """Return ``(x − min x) / g`` with ``g = (max x − min x) / (n − 1)``, the mean gap between
    consecutive sorted values: values in [0, n − 1] whose mean gap is 1.

    The offset and the gap are constants (no gradient flows through them); a constant or
    one-element input is returned unchanged.
    """
    if x.shape[0] < 2:
        return x
    low, high = x.min().detach(), x.max().detach()
    if bool(high == low):
        return x
    return (x - low) / ((high - low) / (x.shape[0] - 1))


def soft_rank(
    x: Tensor, regularization_strength: float | None = None, rank_scale: str = DEFAULT_RANK_SCALE
) -> Tensor:
    """Soft ranks of a 1-D tensor (torchsort, l2 regularisation); rank 1 is the smallest.

    ``rank_scale`` (:data:`corrlib.names.RANK_SCALES`): "absolute" ranks the values as they
    are, with the strength in their units; "unit_gap" ranks :func:`unit_gap` of them, so the
    strength is relative to their mean spacing. ``regularization_strength`` None means
    :data:`corrlib.names.DEFAULT_STRENGTH` for the scale. As the strength → 0 the soft ranks
    approach the exact ranks (ties averaged); at any strength above a threshold between one
    and two mean gaps of the sorted values they are the values plus a constant.
    """
    import torchsort  # local: importing torchsort loads its compiled extension

    _check_choice("rank_scale", rank_scale, RANK_SCALES)
    strength = _strength(regularization_strength, rank_scale)
    values = unit_gap(x) if rank_scale == "unit_gap" else x
    return torchsort.soft_rank(
        values.unsqueeze(0), regularization="l2", regularization_strength=strength
    ).squeeze(0)


def _strength(regularization_strength: float | None, rank_scale: str) -> float:
    """The soft-rank strength to use: the given one (> 0), else the scale's default."""
    if regularization_strength is None:
        return DEFAULT_STRENGTH[rank_scale]
    if regularization_strength <= 0:
        raise ValueError(f"regularization_strength must be > 0, got {regularization_strength}")
    return float(regularization_strength)


def spearman(
    x: Tensor,
    y: Tensor,
    regularization_strength: float | None = None,
    rank_scale: str = DEFAULT_RANK_SCALE,
) -> Tensor:
    """Spearman correlation β(x, y) (Eq. 2.2) on torchsort soft ranks of both inputs.

    See :func:`soft_rank` for ``regularization_strength`` and ``rank_scale``; at the defaults
    (absolute values, strength 1) this equals :func:`pearson` for inputs in [0, 1].
    A 0-d tensor in [−1, 1]; 0 (on the graph) for fewer than two elements or a constant input.
    """
    _check_pair(x, y)
    _check_choice("rank_scale", rank_scale, RANK_SCALES)
    strength = _strength(regularization_strength, rank_scale)
    if _degenerate(x, y):
        return _zero_like_graph(x, y)
    return pearson(soft_rank(x, strength, rank_scale), soft_rank(y, strength, rank_scale))


def _degenerate(x: Tensor, y: Tensor) -> bool:
    """True when a correlation of x and y is undefined: < 2 elements or a constant input."""
    if x.shape[0] < 2:
        return True
    return bool(x.max() == x.min()) or bool(y.max() == y.min())


def _zero_like_graph(*tensors: Tensor) -> Tensor:
    """A 0-d zero that depends on every input, so backward() runs and gives zero gradients."""
    return sum((t.sum() * 0.0 for t in tensors), start=torch.zeros((), dtype=tensors[0].dtype))


def correlation_loss(
    scores: Tensor,
    ious: Tensor,
    kind: str = "concordance",
    regularization_strength: float | None = None,
    *,
    iou_gradient: bool = False,
    rank_scale: str = DEFAULT_RANK_SCALE,
    moments: str = DEFAULT_MOMENTS,
) -> Tensor:
    """Correlation Loss L_corr = 1 − ρ(IoU, ŝ) (Eq. 4.2) over the positives of a batch.

    Args:
        scores: 1-D tensor, the predicted probability of the ground-truth class of each
            positive (in [0, 1]).
        ious: 1-D tensor of the same length, IoU of each positive's decoded box with its
            target. Treated as constants (detached) unless ``iou_gradient`` is True, so by
            default the gradient reaches the classifier only (thesis §4.2).
        kind: "concordance" (Concordance Loss), "spearman" (Spearman Loss, soft ranks) or
            "pearson" (Pearson Loss).
        regularization_strength: torchsort's soft-rank strength, used by "spearman" only;
            None: 1.0 for ``rank_scale="absolute"`` (the thesis's), 0.1 for "unit_gap".
        iou_gradient: let the gradient flow into ``ious`` as well (the §5.5.4 ablation).
        rank_scale: "spearman" only. "absolute" (the thesis's setting, which at strength 1
            makes Spearman Loss equal to Pearson Loss) or "unit_gap" (rank-faithful: the soft
            ranks follow the exact ranks); see :func:`soft_rank`.
        moments: "concordance" only. "population" (divide by n) or "sample" (n − 1, the
            thesis author's code).

    Returns:
        A 0-d tensor in [0, 2] (unweighted; multiply by λ_corr, Eq. 4.1). When the loss is
        undefined (fewer than two positives, constant scores or constant IoUs) it is a zero
        that stays on the graph: ``backward()`` works and every gradient is 0.

    Raises:
        ValueError: unknown ``kind``, ``rank_scale`` or ``moments``; inputs not 1-D, of
            different lengths, or not finite.
    """
    _check_choice("correlation kind", kind, KINDS)
    _check_choice("rank_scale", rank_scale, RANK_SCALES)
    _check_choice("moments", moments, MOMENTS)
    strength = _strength(regularization_strength, rank_scale)
    _check_pair(scores, ious, "scores", "ious")
    if not iou_gradient:
        ious = ious.detach()
    if _degenerate(scores, ious):
        return _zero_like_graph(scores, ious)
    if kind == "spearman":
        rho = spearman(ious, scores, strength, rank_scale)
    elif kind == "concordance":
        rho = concordance(ious, scores, moments)
    else:
        rho = pearson(ious, scores)
    return 1.0 - rho


def grouped_correlation_loss(
    scores: Tensor,
    ious: Tensor,
    groups: Tensor | None,
    reduction: str = DEFAULT_REDUCTION,
    **loss_kwargs,
) -> Tensor:
    """Correlation Loss over groups of positives, combined as ``reduction`` says.

    Args:
        scores, ious: as in :func:`correlation_loss`, shape (P,).
        groups: the group of each positive, an integer tensor of shape (P,): its pyramid level
            for "level_mean", its image for "image_sum"; ignored (may be None) for "batch".
        reduction: :data:`corrlib.names.REDUCTIONS`. "batch": one loss over all positives
            (:func:`correlation_loss`); "level_mean": one loss per group, averaged over the
            groups holding at least two positives; "image_sum": one loss per group, summed.
        **loss_kwargs: passed to :func:`correlation_loss` (``kind``, ``rank_scale``, ...).

    Returns:
        A 0-d tensor (unweighted): in [0, 2] for "batch" and "level_mean", in
        [0, 2 × groups] for "image_sum". A zero on the graph when no group holds two positives.
        A group whose correlation is undefined (a constant input) adds 0 and, for
        "level_mean", still counts among the groups averaged over.

    Raises:
        ValueError: unknown ``reduction``, or ``groups`` missing or not one per positive.
    """
    _check_choice("reduction", reduction, REDUCTIONS)
    if reduction == "batch":
        return correlation_loss(scores, ious, **loss_kwargs)
    if groups is None or groups.shape != scores.shape:
        got = None if groups is None else tuple(groups.shape)
        raise ValueError(
            f"reduction {reduction!r} needs one group per positive: groups of shape "
            f"{tuple(scores.shape)}, got {got}"
        )
    losses = [
        correlation_loss(scores[groups == g], ious[groups == g], **loss_kwargs)
        for g in torch.unique(groups)
        if int((groups == g).sum()) >= 2
    ]
    if not losses:
        return _zero_like_graph(scores, ious)
    total = torch.stack(losses).sum()
    return total / len(losses) if reduction == "level_mean" else total
