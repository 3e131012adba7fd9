"""Ranking-based losses of object detection: AP Loss, aLRP Loss, Rank & Sort Loss (torch only).

These losses are not differentiable as written (they count ranks); their papers define the
gradient instead, by the *error-driven update* (Chen et al., 2020, "AP-Loss for Accurate One-Stage
Object Detection"; Oksuz et al., 2020, "A Ranking-based, Balanced Loss Function Unifying
Classification and Localisation in Object Detection" (aLRP); Oksuz et al., 2021, "Rank & Sort
Loss for Object Detection and Instance Segmentation" (RS)). Each loss here is a
``torch.autograd.Function`` whose ``forward`` returns the loss value and whose ``backward``
returns that update; the maths sits in the pure functions beside them.

Notation (shared by the three papers). Logits s (the classifier's pre-sigmoid outputs over all
anchors × classes of a batch); positives P (an anchor paired with its ground-truth class),
negatives N (everything else). For i ∈ P and any j, x_ij = s_j − s_i and the smoothed step

    H(x) = 0 (x < −δ),  x / 2δ + 1/2 (−δ ≤ x ≤ δ),  1 (x > δ)

counts j as ranked above i. For each positive i:

- N_FP(i) = Σ_{j∈N} H(x_ij) (negatives above i), rank⁺(i) = 1 + Σ_{j∈P, j≠i} H(x_ij),
  rank(i) = rank⁺(i) + N_FP(i) (i counts itself once, as in the AP/aLRP papers);
- ranking error ℓ_R(i) = N_FP(i) / rank(i) (its mean over P is AP Loss, 1 − AP);
- error-driven update: the error of i is distributed over the examples that cause it with the
  probability mass p(j|i) ∝ H(x_ij), the primary terms L_ij = (ℓ(i) − ℓ*(i)) p(j|i), and

      ∂L/∂s_i = (1/|P|) (Σ_j L_ji − Σ_j L_ij),

  so that positives are pushed up and the examples above them down by the same total: the
  gradients of a batch sum to zero (Theorem 2 of the aLRP paper; "balanced training").

Per loss:

- **AP Loss** (δ = 1): target error 0, primary terms only towards negatives.
- **aLRP Loss** (δ = 1 in the paper's classification ranking): with a localisation error
  ε(k) ∈ [0, 1] per positive (the paper's (1 − GIoU)/2), the LRP error of positive i is
  ℓ_LRP(i) = (N_FP(i) + ε(i) + Σ_{k∈P, k≠i} H(x_ik) ε(k)) / rank(i). Its classification part
  L_cls = mean_i N_FP(i)/rank(i) is the reported value, but the update distributes the *whole*
  ℓ_LRP(i) over the negatives above i, so a badly localised positive is pushed up harder. The
  localisation part L_loc = (1/|P|) Σ_i (ε(i) + Σ_{k≠i} H(x_ik) ε(k)) / rank(i) is differentiable
  in ε with the ranks held constant.
- **RS Loss** (δ = 0.5): targets y ∈ [0, 1] of positives (their IoUs). ℓ_RS(i) = ℓ_R(i) + ℓ_S(i)
  − ℓ*_S(i) with the sorting error ℓ_S(i) = Σ_{j∈P} H(x_ij)(1 − y_j) / rank⁺(i) (H(x_ii) = 1)
  and its target ℓ*_S(i), the same sum over the positives with y_j ≥ y_i only. The ranking
  error goes to negatives above i; the sorting error to the positives above i with y_j < y_i.
  A batch whose negatives all lie δ below the lowest positive and whose positives are ordered
  by y with gaps of δ has zero RS Loss.

Negatives more than δ below the lowest positive have H = 0 for every positive and no gradient,
so only the "relevant" negatives enter the pairwise computations, which run in chunks of
positives to bound memory. Public API::

    smooth_step(x, delta)                       -> H(x)
    ap_loss(logits, labels, delta=1.0)          -> L_AP                       (0-d)
    alrp_loss(logits, labels, loc_errors, delta=1.0) -> (L_cls, L_loc)        (0-d, 0-d)
    rank_sort_loss(logits, labels, quality, delta=0.5) -> (L_rank, L_sort)    (0-d, 0-d)
    APLossFunction, aLRPLossFunction, RankSortFunction   # the autograd Functions
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

_EPS = 1e-10
"""Below this, an error or a probability mass counts as zero (no update is made)."""

_CHUNK_ELEMENTS = 1 << 22
"""Pairwise entries computed at once (positives per chunk × (positives + relevant negatives))."""


def smooth_step(x: Tensor, delta: float) -> Tensor:
    """The smoothed Heaviside step H(x) of the AP/aLRP/RS papers, elementwise in [0, 1]."""
    return torch.clamp(x / (2.0 * delta) + 0.5, min=0.0, max=1.0)


@dataclass
class RankingUpdate:
    """Per-positive errors and the error-driven update of one ranking loss.

    Attributes:
        rank_error: ℓ_R(i) = N_FP(i) / rank(i) of each positive, shape (P,).
        sort_error: ℓ_S(i) − ℓ*_S(i) (RS Loss) or None, shape (P,).
        loc_weight: aLRP: the constant weight of each positive's localisation error in L_loc
            (L_loc = Σ_k loc_weight_k ε(k)), shape (P,); None otherwise.
        fg_grad: ∂L/∂s of the positives, (P,) (sum of the ranking and sorting parts: see
            ``fg_grad_sort``).
        bg_grad: ∂L/∂s of the relevant negatives, (R,).
        fg_grad_sort: the sorting part of ``fg_grad`` (RS Loss), else None.
    """

    rank_error: Tensor
    sort_error: Tensor | None
    loc_weight: Tensor | None
    fg_grad: Tensor
    bg_grad: Tensor
    fg_grad_sort: Tensor | None


def ranking_update(
    fg: Tensor,
    bg: Tensor,
    delta: float,
    quality: Tensor | None = None,
    loc_errors: Tensor | None = None,
) -> RankingUpdate:
    """Errors and error-driven gradients of positives ``fg`` against negatives ``bg``.

    Args:
        fg: logits of the positives, (P,), P ≥ 1.
        bg: logits of the (relevant) negatives, (R,).
        delta: δ of the smoothed step.
        quality: RS Loss: the positives' continuous labels y ∈ [0, 1] (IoUs), (P,); enables
            the sorting error.
        loc_errors: aLRP Loss: the positives' localisation errors ε ∈ [0, 1], (P,); the
            ranking update then distributes ℓ_LRP(i) instead of ℓ_R(i).

    Returns:
        A :class:`RankingUpdate`; gradients are already divided by |P| (they are those of the
        mean over positives).
    """
    fg, bg = fg.detach(), bg.detach()
    n_pos = fg.numel()
    fg_grad = fg.new_zeros(n_pos)
    fg_grad_sort = fg.new_zeros(n_pos) if quality is not None else None
    bg_grad = bg.new_zeros(bg.numel())
    rank_error = fg.new_zeros(n_pos)
    sort_error = fg.new_zeros(n_pos) if quality is not None else None
    loc_weight = fg.new_zeros(n_pos) if loc_errors is not None else None
    chunk = max(1, _CHUNK_ELEMENTS // max(1, n_pos + bg.numel()))
    for start in range(0, n_pos, chunk):
        idx = torch.arange(start, min(start + chunk, n_pos), device=fg.device)
        s_i = fg[idx, None]
        h_pos = smooth_step(fg[None, :] - s_i, delta)  # (c, P)
        h_pos[torch.arange(idx.numel(), device=fg.device), idx] = 0.0  # j ≠ i
        h_neg = smooth_step(bg[None, :] - s_i, delta)  # (c, R)
        n_fp = h_neg.sum(1)
        rank_pos = 1.0 + h_pos.sum(1)
        rank = rank_pos + n_fp
        rank_error[idx] = n_fp / rank

        # ranking part: the error of i goes to the negatives above it (target error 0)
        error = rank_error[idx]
        if loc_errors is not None:  # aLRP: the whole LRP error, localisation included
            loc_sum = loc_errors[idx] + (h_pos * loc_errors[None, :]).sum(1)
            error = (n_fp + loc_sum) / rank
            weights = h_pos / rank[:, None]
            loc_weight += weights.sum(0)
            loc_weight[idx] += 1.0 / rank
        active = n_fp > _EPS
        error = torch.where(active, error, torch.zeros_like(error))
        fg_grad[idx] -= error
        bg_grad += (h_neg * (error / n_fp.clamp(min=_EPS))[:, None]).sum(0)

        # sorting part (RS): the sorting error of i goes to the positives above it whose
        # quality is lower than its own
        if quality is not None:
            y_i = quality[idx]
            not_y = 1.0 - quality
            kept = (quality[None, :] >= y_i[:, None]).to(fg.dtype)  # ranked-above allowed
            current = ((1.0 - y_i) + (h_pos * not_y[None, :]).sum(1)) / rank_pos
            h_kept = h_pos * kept
            target = ((1.0 - y_i) + (h_kept * not_y[None, :]).sum(1)) / (1.0 + h_kept.sum(1))
            err = current - target
            sort_error[idx] = err
            missorted = h_pos * (1.0 - kept)
            mass = missorted.sum(1)
            err = torch.where(mass > _EPS, err, torch.zeros_like(err))
            fg_grad_sort[idx] -= err
            fg_grad_sort += (missorted * (err / mass.clamp(min=_EPS))[:, None]).sum(0)

    fg_grad /= n_pos
    bg_grad /= n_pos
    if fg_grad_sort is not None:
        fg_grad_sort /= n_pos
        fg_grad += fg_grad_sort
    if loc_weight is not None:
        loc_weight /= n_pos
    return RankingUpdate(rank_error, sort_error, loc_weight, fg_grad, bg_grad, fg_grad_sort)


def _split(logits: Tensor, labels: Tensor, delta: float) -> tuple[Tensor, Tensor, Tensor]:
    """Flatten; return (positive mask, relevant-negative mask, positive logits) of a batch.

    A negative is relevant when its logit is at least (lowest positive logit − δ): the others
    have H = 0 with every positive.
    """
    flat = logits.detach().reshape(-1)
    pos = labels.reshape(-1).bool()
    fg = flat[pos]
    relevant = (~pos) & (flat >= fg.min() - delta)
    return pos, relevant, fg


def _check(logits: Tensor, labels: Tensor, *others: Tensor | None) -> None:
    """Raise ValueError unless the inputs are shaped consistently."""
    if labels.shape != logits.shape:
        raise ValueError(
            f"labels must have the logits' shape {tuple(logits.shape)}, got {tuple(labels.shape)}"
        )
    n_pos = int(labels.bool().sum())
    for other in others:
        if other is not None and other.reshape(-1).numel() != n_pos:
            raise ValueError(
                f"expected one value per positive ({n_pos}), got {other.reshape(-1).numel()}"
            )


class APLossFunction(torch.autograd.Function):
    """AP Loss (Chen et al.): value 1 − AP over the batch, gradient by error-driven update.

    ``apply(logits, labels, delta)``: ``labels`` marks positives (same shape as ``logits``,
    at least one positive). Returns L_AP, a 0-d tensor; ``logits`` gets the update.
    """

    @staticmethod
    def forward(ctx, logits: Tensor, labels: Tensor, delta: float) -> Tensor:  # type: ignore[override]
        pos, relevant, fg = _split(logits, labels, delta)
        upd = ranking_update(fg, logits.detach().reshape(-1)[relevant], delta)
        grad = logits.new_zeros(logits.numel())
        grad[pos] = upd.fg_grad
        grad[relevant] = upd.bg_grad
        ctx.save_for_backward(grad.view_as(logits))
        return upd.rank_error.mean()

    @staticmethod
    def backward(ctx, grad_out: Tensor):  # type: ignore[override]
        (grad,) = ctx.saved_tensors
        return grad * grad_out, None, None


class aLRPLossFunction(torch.autograd.Function):  # noqa: N801  (the paper's name)
    """aLRP Loss's classification component (Oksuz et al., 2020).

    ``apply(logits, labels, loc_errors, delta)``: ``loc_errors`` are the positives' ε ∈ [0, 1]
    in the order of ``labels.nonzero()`` (treated as constants here). Returns
    ``(L_cls, loc_weight)``: L_cls = mean_i N_FP(i)/rank(i), a 0-d tensor whose gradient
    is the update distributing ℓ_LRP(i); and the constant weights (P,) with which
    L_loc = Σ_k loc_weight_k ε(k) (non-differentiable output).
    """

    @staticmethod
    def forward(  # type: ignore[override]
        ctx, logits: Tensor, labels: Tensor, loc_errors: Tensor, delta: float
    ) -> tuple[Tensor, Tensor]:
        pos, relevant, fg = _split(logits, labels, delta)
        upd = ranking_update(
            fg,
            logits.detach().reshape(-1)[relevant],
            delta,
            loc_errors=loc_errors.detach().reshape(-1).to(fg.dtype),
        )
        grad = logits.new_zeros(logits.numel())
        grad[pos] = upd.fg_grad
        grad[relevant] = upd.bg_grad
        ctx.save_for_backward(grad.view_as(logits))
        ctx.mark_non_differentiable(upd.loc_weight)
        return upd.rank_error.mean(), upd.loc_weight

    @staticmethod
    def backward(ctx, grad_out: Tensor, _grad_weights: Tensor):  # type: ignore[override]
        (grad,) = ctx.saved_tensors
        return grad * grad_out, None, None, None


class RankSortFunction(torch.autograd.Function):
    """Rank & Sort Loss (Oksuz et al., 2021).

    ``apply(logits, labels, quality, delta)``: ``quality`` are the positives' y ∈ [0, 1]
    (IoUs) in the order of ``labels.nonzero()``. Returns ``(L_rank, L_sort)``, two 0-d
    tensors (L_RS = their sum); each back-propagates its own part of the update.
    """

    @staticmethod
    def forward(  # type: ignore[override]
        ctx, logits: Tensor, labels: Tensor, quality: Tensor, delta: float
    ) -> tuple[Tensor, Tensor]:
        pos, relevant, fg = _split(logits, labels, delta)
        upd = ranking_update(
            fg,
            logits.detach().reshape(-1)[relevant],
            delta,
            quality=quality.detach().reshape(-1).to(fg.dtype),
        )
        grad_rank = logits.new_zeros(logits.numel())
        grad_rank[pos] = upd.fg_grad - upd.fg_grad_sort
        grad_rank[relevant] = upd.bg_grad
        grad_sort = logits.new_zeros(logits.numel())
        grad_sort[pos] = upd.fg_grad_sort
        ctx.save_for_backward(grad_rank.view_as(logits), grad_sort.view_as(logits))
        return upd.rank_error.mean(), upd.sort_error.mean()

    @staticmethod
    def backward(ctx, grad_rank_out: Tensor, grad_sort_out: Tensor):  # type: ignore[override]
        grad_rank, grad_sort = ctx.saved_tensors
        return grad_rank * grad_rank_out + grad_sort * grad_sort_out, None, None, None


def _no_positives(logits: Tensor) -> Tensor:
    """A zero on the graph of ``logits`` (zero gradient), for batches without positives."""
    return logits.sum() * 0.0


def ap_loss(logits: Tensor, labels: Tensor, delta: float = 1.0) -> Tensor:
    """AP Loss, 1 − AP of the batch's ranking (a 0-d tensor in [0, 1]; 0 without positives).

    Args:
        logits: classifier logits of any shape (all anchors × classes of the batch).
        labels: same shape; nonzero marks positives.
        delta: δ of the smoothed step (the paper's 1.0).
    """
    _check(logits, labels)
    if not bool(labels.bool().any()):
        return _no_positives(logits)
    return APLossFunction.apply(logits, labels, float(delta))


def alrp_loss(
    logits: Tensor, labels: Tensor, loc_errors: Tensor, delta: float = 1.0
) -> tuple[Tensor, Tensor]:
    """aLRP Loss, split into its classification and localisation components.

    Args:
        logits: classifier logits of any shape; ``labels`` (same shape, nonzero = positive).
        loc_errors: ε(k) ∈ [0, 1] of the positives, in the order of ``labels.nonzero()``;
            may carry the box branch's graph (only L_loc is differentiated through it).
        delta: δ of the smoothed step (the paper's 1.0).

    Returns:
        ``(L_cls, L_loc)``, 0-d tensors in [0, 1]: L_cls = mean N_FP(i)/rank(i), back-propagating
        the aLRP update to the logits; L_loc = (1/|P|) Σ_i (ε(i) + Σ_{k≠i} H(x_ik) ε(k))/rank(i)
        with ranks held constant. L_aLRP = L_cls + L_loc. Both are zero without positives.
    """
    _check(logits, labels, loc_errors)
    if not bool(labels.bool().any()):
        zero = _no_positives(logits)
        return zero, zero + loc_errors.sum() * 0.0
    loss_cls, weights = aLRPLossFunction.apply(logits, labels, loc_errors, float(delta))
    loss_loc = (weights.to(loc_errors.dtype) * loc_errors.reshape(-1)).sum()
    return loss_cls, loss_loc


def rank_sort_loss(
    logits: Tensor, labels: Tensor, quality: Tensor, delta: float = 0.5
) -> tuple[Tensor, Tensor]:
    """Rank & Sort Loss, as its ranking and sorting components.

    Args:
        logits: classifier logits of any shape; ``labels`` (same shape, nonzero = positive).
        quality: the positives' continuous labels y ∈ [0, 1] (IoU with their ground truth), in
            the order of ``labels.nonzero()`` (treated as constants).
        delta: δ of the smoothed step (the paper's 0.5).

    Returns:
        ``(L_rank, L_sort)``, 0-d tensors in [0, 1]; L_RS = L_rank + L_sort. Zero without
        positives.
    """
    _check(logits, labels, quality)
    if not bool(labels.bool().any()):
        zero = _no_positives(logits)
        return zero, zero.clone()
    return RankSortFunction.apply(logits, labels, quality, float(delta))


__all__ = [
    "APLossFunction",
    "RankSortFunction",
    "RankingUpdate",
    "aLRPLossFunction",
    "alrp_loss",
    "ap_loss",
    "rank_sort_loss",
    "ranking_update",
    "smooth_step",
]
