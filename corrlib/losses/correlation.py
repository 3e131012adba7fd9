"""Differentiable correlation coefficients and the Correlation Loss (thesis Ch. 2 and 4).

Pure torch (+ torchsort's compiled PAV for soft ranks on a CPU): no mmdet here, so the maths
is testable on plain tensors. All functions take 1-D tensors of equal length and return 0-d tensors.

- :func:`pearson`      α(x, y), Eq. 2.1
- :func:`spearman`     β(x, y) = α(R(x), R(y)) with l2 soft ranks, Eq. 2.2
- :func:`concordance`  γ(x, y) = 2 α σx σy / (σx² + σy² + (x̄ − ȳ)²), Eq. 2.3 (Lin, 1989)
- :func:`correlation_loss`  L_corr = 1 − ρ(IoU, ŝ), Eq. 4.2
- :func:`grouped_correlation_loss`  L_corr computed per group (pyramid level, image) and
  combined as ``grouping`` says (:data:`corrlib.names.GROUPINGS`)

Concordance uses population moments (divide by N, Lin's definition) unless
``moments="sample"`` (divide by N − 1); Pearson and Spearman do not depend on that choice.

**No host synchronisation.** The loss is a tensor program: which positives count is a 0/1
``weights`` vector (a mask, never a selection), groups are segment sums over a number of groups
the caller knows (``index_add``), an undefined correlation is multiplied by a 0/1 mask (the
coefficient is finite everywhere thanks to an epsilon; unlike ``torch.where``, a mask adds no
scalar tensor in backward), constants are Python floats. On a GPU nothing in it waits for the
device, except a rank-faithful Spearman Loss, which compacts the positives once (one
``nonzero``) before soft-ranking them, and on a GPU checks once that its parallel soft rank
has converged (:mod:`corrlib.losses.fast_soft_rank`). Values are checked without waiting too
(:mod:`corrlib.losses.checks`).

**Spearman at the thesis's setting is Pearson, computed as such.** torchsort's l2 soft rank
projects the values onto the permutahedron; when the strength ε is at least the spread of the
values (max − min), every consecutive sorted gap is below ε, the projection pools all values
into one block, and the soft ranks are the values / ε plus a constant. Pearson does not change
under that map, so Spearman Loss with ``rank_scale="absolute"`` and ε ≥ 1 on scores and IoUs in
[0, 1] *is* Pearson Loss: this module computes it in that closed form (a check that the values
span at most ε guards it; the tests hold it against torchsort). ``rank_scale="unit_gap"``
rescales the values to a unit mean gap first, so that the strength is relative to their spacing
and the soft ranks follow the exact ranks.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from corrlib.losses.checks import check_metadata, check_values
from corrlib.losses.fast_soft_rank import soft_rank_l2
from corrlib.names import (  # the accepted names and their check, defined once, torch-free
    DEFAULT_GROUPING,
    DEFAULT_MOMENTS,
    DEFAULT_RANK_SCALE,
    DEFAULT_STRENGTH,
    GROUPINGS,
    KINDS,
    MOMENTS,
    RANK_SCALES,
    check_choice,
    refuse_reduction,
)

# Added under square roots and to denominators so that nearly constant inputs give finite
# gradients; far below the variance of any non-degenerate set of scores or IoUs.
_EPS = 1e-12


def _strength(regularization_strength: float | None, rank_scale: str) -> float:
    """The soft-rank strength to use: the given one (> 0), else the scale's default."""
    if regularization_strength is None:
        return DEFAULT_STRENGTH[rank_scale]
    if regularization_strength <= 0:
        raise ValueError(f"regularization_strength must be > 0, got {regularization_strength}")
    return float(regularization_strength)


# --------------------------------------------------------------------------------------------
# Segment statistics: sums, moments and extremes per group, without leaving the device


def _width(bottom: Tensor, top: Tensor) -> Tensor:
    """max − min from per-group extremes, 0 where a group is empty (±inf extremes)."""
    return (top - bottom).nan_to_num(0.0, posinf=0.0, neginf=0.0).clamp(min=0.0)


@dataclass(frozen=True)
class _Segments:
    """Which group each element belongs to and how much it counts.

    ``groups`` None means one group; ``weights`` None means every element counts 1.
    """

    groups: Tensor | None
    num_groups: int
    weights: Tensor | None

    def sum(self, values: Tensor) -> Tensor:
        """Return the weighted sum of ``values`` per group, shape (num_groups,)."""
        if self.weights is not None:
            values = values * self.weights
        if self.groups is None:
            return values.sum().reshape(1)
        out = values.new_zeros(self.num_groups)
        return out.index_add(0, self.groups, values)

    def extremes(self, values: Tensor) -> tuple[Tensor, Tensor]:
        """Return (min, max) of the counted ``values`` per group, each of shape
        (num_groups,), without gradient (+inf, −inf for a group with nothing counted)."""
        values = values.detach()
        high, low = values, values
        if self.weights is not None:
            absent = self.weights == 0
            high = values.masked_fill(absent, float("-inf"))
            low = values.masked_fill(absent, float("inf"))
        if self.groups is None:
            if values.numel() == 0:
                return values.new_full((1,), float("inf")), values.new_full((1,), float("-inf"))
            return low.amin().reshape(1), high.amax().reshape(1)
        top = values.new_full((self.num_groups,), float("-inf"))
        top = top.scatter_reduce(0, self.groups, high, "amax")
        bottom = values.new_full((self.num_groups,), float("inf"))
        bottom = bottom.scatter_reduce(0, self.groups, low, "amin")
        return bottom, top

    def spread(self, values: Tensor) -> Tensor:
        """Return max − min of the counted ``values`` per group (0 for an empty group), shape
        (num_groups,), without gradient."""
        return _width(*self.extremes(values))

    def per_element(self, per_group: Tensor) -> Tensor:
        """Return each element's value of a per-group tensor."""
        return per_group.expand(1) if self.groups is None else per_group[self.groups]


@dataclass(frozen=True)
class _Moments:
    """Per-group count, means, variances and covariance (shape (num_groups,) each)."""

    n: Tensor
    mx: Tensor
    my: Tensor
    vx: Tensor
    vy: Tensor
    cxy: Tensor


def _moments(x: Tensor, y: Tensor, seg: _Segments, moments: str = DEFAULT_MOMENTS) -> _Moments:
    """Return the moments of x and y per group: population moments (divide by n) or, with
    ``moments="sample"``, sample moments (divide by n − 1)."""
    ones = torch.ones_like(x)
    n = seg.sum(ones)
    count = n.clamp(min=1.0)
    mx, my = seg.sum(x) / count, seg.sum(y) / count
    dx, dy = x - seg.per_element(mx), y - seg.per_element(my)
    denominator = (n - 1.0).clamp(min=1.0) if moments == "sample" else count
    return _Moments(
        n=n,
        mx=mx,
        my=my,
        vx=seg.sum(dx * dx) / denominator,
        vy=seg.sum(dy * dy) / denominator,
        cxy=seg.sum(dx * dy) / denominator,
    )


def _defined(x: Tensor, y: Tensor, seg: _Segments, n: Tensor) -> Tensor:
    """Per group: True where a correlation is defined (two or more counted elements, neither
    input constant), a bool tensor of shape (num_groups,)."""
    return (n >= 2) & (seg.spread(x) > 0) & (seg.spread(y) > 0)


def _rho(kind: str, m: _Moments) -> Tensor:
    """Return the per-group coefficient of ``kind`` ("pearson" and "spearman" on ranks use
    Pearson's formula; "concordance" Lin's) from the moments."""
    if kind == "concordance":
        return 2.0 * m.cxy / (m.vx + m.vy + (m.mx - m.my) ** 2 + _EPS)
    return m.cxy / torch.sqrt(m.vx * m.vy + _EPS)


def _coefficient(x: Tensor, y: Tensor, kind: str, moments: str = DEFAULT_MOMENTS) -> Tensor:
    """ρ(x, y) of one group of plain 1-D tensors; 0 on the graph where undefined."""
    seg = _Segments(None, 1, None)
    m = _moments(x, y, seg, moments)
    rho = _rho(kind, m)
    return (rho * _defined(x, y, seg, m.n).to(rho.dtype)).squeeze(0)


# --------------------------------------------------------------------------------------------
# Coefficients of two 1-D tensors


def pearson(x: Tensor, y: Tensor) -> Tensor:
    """Pearson correlation α(x, y) (Eq. 2.1), a 0-d tensor in [−1, 1].

    Returns 0 (attached to the graph) when x or y is constant or has fewer than two
    elements, where the coefficient is undefined.
    """
    check_metadata(x, y)
    check_values((x, y), ("x", "y"))
    return _coefficient(x, y, "pearson")


def concordance(x: Tensor, y: Tensor, moments: str = DEFAULT_MOMENTS) -> Tensor:
    """Lin's concordance correlation γ(x, y) (Eq. 2.3), a 0-d tensor in [−1, 1].

    γ = 2·cov(x, y) / (var x + var y + (x̄ − ȳ)²), which equals Eq. 2.3 since
    α σx σy = cov. ``moments``: "population" (divide by n, Lin's definition) or "sample"
    (divide by n − 1). Returns 0 (on the graph) for fewer than two elements or a constant input.
    """
    check_metadata(x, y)
    check_choice("moments", moments, MOMENTS)
    check_values((x, y), ("x", "y"))
    return _coefficient(x, y, "concordance", moments)


def unit_gap(x: Tensor) -> Tensor:
    """Return ``(x − min x) / g`` with ``g = (max x − min x) / (n − 1)``, the mean gap between
    consecutive sorted values: values in [0, n − 1] whose mean gap is 1.

    The offset and the gap are constants (no gradient flows through them); a constant or
    one-element input is returned unchanged.
    """
    if x.shape[0] < 2:
        return x
    return _unit_gap_segments(x, _Segments(None, 1, None))


def _unit_gap_segments(x: Tensor, seg: _Segments) -> Tensor:
    """:func:`unit_gap` within each group (every element counts; no weights); a group that
    is constant or has one element is left as it is."""
    if x.numel() == 0:
        return x
    low, high = seg.extremes(x)
    n = seg.sum(torch.ones_like(x))
    gap = _width(low, high) / (n - 1.0).clamp(min=1.0)
    scalable = gap > 0
    gap = torch.where(scalable, gap, torch.ones_like(gap))
    low = torch.where(scalable, low, torch.zeros_like(low))
    return (x - seg.per_element(low)) / seg.per_element(gap)


def soft_rank(
    x: Tensor, regularization_strength: float | None = None, rank_scale: str = DEFAULT_RANK_SCALE
) -> Tensor:
    """Soft ranks of a 1-D tensor (l2 regularisation, torchsort's definition); rank 1 is the
    smallest.

    ``rank_scale`` (:data:`corrlib.names.RANK_SCALES`): "absolute" ranks the values as they
    are, with the strength in their units; "unit_gap" ranks :func:`unit_gap` of them, so the
    strength is relative to their mean spacing. ``regularization_strength`` None means
    :data:`corrlib.names.DEFAULT_STRENGTH` for the scale. As the strength → 0 the soft ranks
    approach the exact ranks (ties averaged); at any strength above a threshold between one
    and two mean gaps of the sorted values they are the values plus a constant.
    """
    check_choice("rank_scale", rank_scale, RANK_SCALES)
    strength = _strength(regularization_strength, rank_scale)
    values = unit_gap(x) if rank_scale == "unit_gap" else x
    return _soft_rank_rows(values.unsqueeze(0), strength).squeeze(0)


RANK_METHOD = "auto"
"""How the loss path soft-ranks (``method`` of :func:`corrlib.losses.fast_soft_rank.soft_rank_l2`):
"auto" takes the CPU path for CPU tensors and the parallel path on a GPU; "parallel" runs a
GPU's path on any device (the tests count its host interactions on a CPU this way)."""


def _soft_rank_rows(rows: Tensor, strength: float) -> Tensor:
    """l2 soft ranks of each row of a 2-D tensor (torchsort's definition, computed by
    :func:`corrlib.losses.fast_soft_rank.soft_rank_l2`: on a CPU torchsort's own PAV after a
    faster sort, on a GPU a parallel PAV)."""
    return soft_rank_l2(rows, strength, method=RANK_METHOD)


def _pools_to_values(rank_scale: str, strength: float) -> bool:
    """True when soft ranks of correlation-loss inputs (scores and IoUs, in [0, 1]) are
    provably the values / strength plus a constant: absolute values at a strength of at least
    1, their largest possible spread."""
    return rank_scale == "absolute" and strength >= 1.0


def spearman(
    x: Tensor,
    y: Tensor,
    regularization_strength: float | None = None,
    rank_scale: str = DEFAULT_RANK_SCALE,
) -> Tensor:
    """Spearman correlation β(x, y) (Eq. 2.2) on l2 soft ranks of both inputs.

    See :func:`soft_rank` for ``regularization_strength`` and ``rank_scale``; at the defaults
    (absolute values, strength 1) this equals :func:`pearson` for inputs in [0, 1].
    A 0-d tensor in [−1, 1]; 0 (on the graph) for fewer than two elements or a constant input.
    """
    check_metadata(x, y)
    check_choice("rank_scale", rank_scale, RANK_SCALES)
    strength = _strength(regularization_strength, rank_scale)
    check_values((x, y), ("x", "y"))
    if x.shape[0] < 2:
        return _coefficient(x, y, "pearson")
    rx, ry = soft_rank(x, strength, rank_scale), soft_rank(y, strength, rank_scale)
    rho = _coefficient(rx, ry, "pearson")
    seg = _Segments(None, 1, None)
    defined = _defined(x, y, seg, seg.sum(torch.ones_like(x))).squeeze(0)
    return rho * defined.to(rho.dtype)


# --------------------------------------------------------------------------------------------
# Correlation Loss


def _ranks_by_group(
    rows: list[Tensor], seg: _Segments, strength: float, rank_scale: str
) -> list[Tensor]:
    """Soft ranks, within each group, of each 1-D tensor of ``rows`` (no weights: the caller
    compacted them): groups are moved apart by an offset so large that no pooled block of the
    l2 projection spans two of them, which leaves each group's ranks those of the group alone
    plus a constant (Pearson does not see it); float64 then, each row's dtype out."""
    apart = seg.groups is not None and seg.num_groups > 1
    values = [row.double() if apart else row for row in rows]  # offsets need float64
    if rank_scale == "unit_gap":
        values = [_unit_gap_segments(v, seg) for v in values]
    if apart:
        widest = torch.stack([seg.spread(v) for v in values]).amax()
        offset = widest + strength * (rows[0].shape[0] + 2.0) + 1.0
        values = [v + seg.groups.double() * offset for v in values]
    if values[0].device.type == "cpu" and RANK_METHOD != "parallel":  # row by row: no backward
        # for a row without gradient
        ranked = [_soft_rank_rows(v[None], strength)[0] for v in values]
    else:  # one call: on a GPU, one convergence check for every row
        ranked = list(_soft_rank_rows(torch.stack(values), strength).unbind(0))
    return [r.to(row.dtype) for r, row in zip(ranked, rows, strict=True)]


def _group_losses(
    scores: Tensor,
    ious: Tensor,
    seg: _Segments,
    kind: str,
    strength: float,
    rank_scale: str,
    moments: str,
) -> tuple[Tensor, Tensor]:
    """Return (1 − ρ per group, 0 where undefined; counted elements per group), each of shape
    (num_groups,)."""
    n = seg.sum(torch.ones_like(scores))
    defined = _defined(scores, ious, seg, n)
    x, y = ious, scores
    if kind == "spearman" and not _pools_to_values(rank_scale, strength):
        if seg.weights is not None:  # compact the positives: the one sync of this path
            keep = seg.weights.nonzero().squeeze(1)
            x, y = x[keep], y[keep]
            groups = None if seg.groups is None else seg.groups[keep]
            seg = _Segments(groups, seg.num_groups, None)
        if x.shape[0] >= 2:  # fewer: undefined, whatever the ranks
            x, y = _ranks_by_group([x, y], seg, strength, rank_scale)
    m = _moments(x, y, seg, moments if kind == "concordance" else DEFAULT_MOMENTS)
    rho = _rho(kind, m)
    return (1.0 - rho) * defined.to(rho.dtype), n


def _as_weights(weights: Tensor | None, scores: Tensor) -> Tensor | None:
    """``weights`` as a float tensor like ``scores`` (0 or 1 each), or None; ValueError names
    a wrong shape."""
    if weights is None:
        return None
    if not isinstance(weights, Tensor) or weights.shape != scores.shape:
        got = tuple(weights.shape) if isinstance(weights, Tensor) else type(weights).__name__
        raise ValueError(
            f"weights must be one 0/1 value per positive {tuple(scores.shape)}, got {got}"
        )
    return weights.to(scores.dtype)


def correlation_loss(
    scores: Tensor,
    ious: Tensor,
    kind: str = "concordance",
    regularization_strength: float | None = None,
    *,
    iou_gradient: bool = False,
    rank_scale: str = DEFAULT_RANK_SCALE,
    moments: str = DEFAULT_MOMENTS,
    weights: Tensor | None = None,
) -> Tensor:
    """Correlation Loss L_corr = 1 − ρ(IoU, ŝ) (Eq. 4.2) over the positives of a batch.

    Args:
        scores: 1-D tensor, the predicted probability of the ground-truth class of each
            positive (in [0, 1]).
        ious: 1-D tensor of the same length, IoU of each positive's decoded box with its
            target (in [0, 1]). Treated as constants (detached) unless ``iou_gradient`` is
            True, so by default the gradient reaches the classifier only (thesis §4.2).
        kind: "concordance" (Concordance Loss), "spearman" (Spearman Loss, soft ranks) or
            "pearson" (Pearson Loss).
        regularization_strength: the soft-rank strength, used by "spearman" only;
            None: 1.0 for ``rank_scale="absolute"`` (the thesis's), 0.1 for "unit_gap".
        iou_gradient: let the gradient flow into ``ious`` as well (the §5.5.4 ablation).
        rank_scale: "spearman" only. "absolute" (the thesis's setting, which at strength 1
            makes Spearman Loss equal to Pearson Loss) or "unit_gap" (rank-faithful: the soft
            ranks follow the exact ranks); see :func:`soft_rank`.
        moments: "concordance" only. "population" (divide by n) or "sample" (n − 1, the
            thesis author's code).
        weights: optional 0/1 tensor like ``scores``: which elements are positives (the
            others are ignored). A mask rather than a selection, so that a head needs no
            ``nonzero`` on the device.

    Returns:
        A 0-d tensor in [0, 2] (unweighted; multiply by λ_corr, Eq. 4.1). When the loss is
        undefined (fewer than two positives, constant scores or constant IoUs) it is a zero
        that stays on the graph: ``backward()`` works and every gradient is 0.

    Raises:
        ValueError: unknown ``kind``, ``rank_scale`` or ``moments``; inputs not 1-D, of
            different lengths, or (per :mod:`corrlib.losses.checks`, maybe at a later call on
            a GPU) not finite, or spanning more than the strength where Spearman Loss uses its
            closed form.
    """
    return grouped_correlation_loss(
        scores,
        ious,
        None,
        "batch",
        kind=kind,
        regularization_strength=regularization_strength,
        iou_gradient=iou_gradient,
        rank_scale=rank_scale,
        moments=moments,
        weights=weights,
    )


def grouped_correlation_loss(
    scores: Tensor,
    ious: Tensor,
    groups: Tensor | None,
    grouping: str = DEFAULT_GROUPING,
    *,
    kind: str = "concordance",
    regularization_strength: float | None = None,
    iou_gradient: bool = False,
    rank_scale: str = DEFAULT_RANK_SCALE,
    moments: str = DEFAULT_MOMENTS,
    weights: Tensor | None = None,
    num_groups: int | None = None,
    reduction: None = None,
) -> Tensor:
    """Correlation Loss over groups of positives, combined as ``grouping`` says.

    Args:
        scores, ious, kind, regularization_strength, iou_gradient, rank_scale, moments,
            weights: as in :func:`correlation_loss`, shape (P,).
        groups: the group of each element, an integer tensor of shape (P,) with values in
            [0, num_groups): its pyramid level for "level_mean", its image for "image_sum";
            ignored (may be None) for "batch".
        grouping: :data:`corrlib.names.GROUPINGS`. "batch": one loss over all positives;
            "level_mean": one loss per group, averaged over the groups holding at least two
            positives; "image_sum": one loss per group, summed.
        num_groups: how many groups there are (a head knows: its levels, its images). None
            reads it from ``groups`` (``max + 1``), which makes a GPU wait once.
        reduction: refused (TypeError): the former name of ``grouping``; unlike mmdet's
            losses, Correlation Loss has no none / mean / sum reduction.

    Returns:
        A 0-d tensor (unweighted): in [0, 2] for "batch" and "level_mean", in
        [0, 2 × groups] for "image_sum". A zero on the graph when no group holds two positives.
        A group whose correlation is undefined (a constant input) adds 0 and, for
        "level_mean", still counts among the groups averaged over.

    Raises:
        TypeError: ``reduction`` given.
        ValueError: unknown ``grouping`` (or any argument :func:`correlation_loss` refuses),
            or ``groups`` missing or not one per positive.
    """
    refuse_reduction(reduction, "grouped_correlation_loss")
    check_choice("grouping", grouping, GROUPINGS)
    check_choice("correlation kind", kind, KINDS)
    check_choice("rank_scale", rank_scale, RANK_SCALES)
    check_choice("moments", moments, MOMENTS)
    strength = _strength(regularization_strength, rank_scale)
    check_metadata(scores, ious, "scores", "ious")
    w = _as_weights(weights, scores)
    if grouping == "batch":
        seg = _Segments(None, 1, w)
    else:
        if groups is None or groups.shape != scores.shape:
            got = None if groups is None else tuple(groups.shape)
            raise ValueError(
                f"grouping {grouping!r} needs one group per positive: groups of shape "
                f"{tuple(scores.shape)}, got {got}"
            )
        if num_groups is None:
            num_groups = int(groups.max()) + 1 if groups.numel() else 1
        seg = _Segments(groups.long(), int(num_groups), w)
    closed_form = kind == "spearman" and _pools_to_values(rank_scale, strength)
    check_values(
        (scores, ious),
        ("scores", "ious"),
        mask=None if w is None else w > 0,
        max_range=strength if closed_form else None,
        range_reason="Spearman Loss computes its soft ranks in closed form only for values "
        "that span at most regularization_strength (scores and IoUs in [0, 1] at strength 1)",
    )
    if not iou_gradient:
        ious = ious.detach()
    if w is not None:  # a row that is no positive may hold anything, even a NaN
        absent = w == 0
        scores, ious = scores.masked_fill(absent, 0.0), ious.masked_fill(absent, 0.0)
    losses, n = _group_losses(scores, ious, seg, kind, strength, rank_scale, moments)
    if grouping == "batch":
        return losses.squeeze(0)
    total = losses.sum()
    if grouping == "level_mean":
        return total / (n >= 2).sum().clamp(min=1)
    return total
