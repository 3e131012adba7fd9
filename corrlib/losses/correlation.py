"""Differentiable correlation coefficients and the Correlation Loss (thesis Ch. 2 and 4).

Pure torch (+ torchsort for soft ranks): no mmdet here, so the maths is testable on plain
tensors. All functions take two 1-D tensors of equal length and return 0-d tensors.

- :func:`pearson`      α(x, y), Eq. 2.1
- :func:`spearman`     β(x, y) = α(R(x), R(y)) with torchsort's soft ranks (l2), Eq. 2.2
- :func:`concordance`  γ(x, y) = 2 α σx σy / (σx² + σy² + (x̄ − ȳ)²), Eq. 2.3 (Lin, 1989)
- :func:`correlation_loss`  L_corr = 1 − ρ(IoU, ŝ), Eq. 4.2

Variances are population variances (divide by N), as in Lin's concordance coefficient;
Pearson and Spearman do not depend on that choice.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from corrlib.names import KINDS  # the names accepted for ``kind`` (defined once, torch-free)

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


def _moments(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
    """Return (mean x, mean y, var x, var y, cov xy), population moments."""
    mx, my = x.mean(), y.mean()
    dx, dy = x - mx, y - my
    return mx, my, (dx * dx).mean(), (dy * dy).mean(), (dx * dy).mean()


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


def concordance(x: Tensor, y: Tensor) -> Tensor:
    """Lin's concordance correlation γ(x, y) (Eq. 2.3), a 0-d tensor in [−1, 1].

    γ = 2·cov(x, y) / (var x + var y + (x̄ − ȳ)²), which equals Eq. 2.3 since
    α σx σy = cov. Returns 0 (on the graph) for fewer than two elements or a constant input.
    """
    _check_pair(x, y)
    if _degenerate(x, y):
        return _zero_like_graph(x, y)
    mx, my, vx, vy, cxy = _moments(x, y)
    return 2.0 * cxy / (vx + vy + (mx - my) ** 2 + _EPS)


def soft_rank(x: Tensor, regularization_strength: float = 1.0) -> Tensor:
    """Soft ranks of a 1-D tensor (torchsort, l2 regularisation); rank 1 is the smallest.

    As ``regularization_strength`` → 0 they approach the exact ranks (ties averaged).
    """
    import torchsort  # local: importing torchsort loads its compiled extension

    return torchsort.soft_rank(
        x.unsqueeze(0), regularization="l2", regularization_strength=regularization_strength
    ).squeeze(0)


def spearman(x: Tensor, y: Tensor, regularization_strength: float = 1.0) -> Tensor:
    """Spearman correlation β(x, y) (Eq. 2.2) on torchsort soft ranks of both inputs.

    A 0-d tensor in [−1, 1]; 0 (on the graph) for fewer than two elements or a constant input.
    """
    _check_pair(x, y)
    if regularization_strength <= 0:
        raise ValueError(f"regularization_strength must be > 0, got {regularization_strength}")
    if _degenerate(x, y):
        return _zero_like_graph(x, y)
    return pearson(soft_rank(x, regularization_strength), soft_rank(y, regularization_strength))


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
    regularization_strength: float = 1.0,
    *,
    iou_gradient: bool = False,
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
        regularization_strength: torchsort's soft-rank strength, used by "spearman" only.
        iou_gradient: let the gradient flow into ``ious`` as well (the §5.5.4 ablation).

    Returns:
        A 0-d tensor in [0, 2] (unweighted; multiply by λ_corr, Eq. 4.1). When the loss is
        undefined (fewer than two positives, constant scores or constant IoUs) it is a zero
        that stays on the graph: ``backward()`` works and every gradient is 0.

    Raises:
        ValueError: unknown ``kind``; inputs not 1-D, of different lengths, or not finite.
    """
    coefficient = _COEFFICIENTS.get(kind)
    if coefficient is None:
        raise ValueError(f"unknown correlation kind {kind!r}; expected one of {KINDS}")
    _check_pair(scores, ious, "scores", "ious")
    if not iou_gradient:
        ious = ious.detach()
    if _degenerate(scores, ious):
        return _zero_like_graph(scores, ious)
    if kind == "spearman":
        rho = spearman(ious, scores, regularization_strength)
    else:
        rho = coefficient(ious, scores)
    return 1.0 - rho


_COEFFICIENTS: dict[str, Callable[[Tensor, Tensor], Tensor]] = {
    "concordance": concordance,
    "spearman": spearman,
    "pearson": pearson,
}
