"""``CorrelationLoss``: the thesis's Correlation Loss as an mmdet-registered module."""

from __future__ import annotations

from mmdet.registry import MODELS
from torch import Tensor, nn

from corrlib.losses import correlation_loss
from corrlib.names import DEFAULT_GRADIENT, GRADIENTS, KINDS


@MODELS.register_module()
class CorrelationLoss(nn.Module):
    """λ_corr · (1 − ρ(IoU, ŝ)) over the positives of a batch (Eq. 4.1, 4.2).

    Config::

        loss_corr=dict(type='CorrelationLoss', kind='concordance', loss_weight=0.3)

    Args:
        kind: "concordance", "spearman" or "pearson".
        loss_weight: λ_corr.
        regularization_strength: torchsort soft-rank strength ("spearman" only).
        gradient: "classifier" (default: IoUs are constants, §4.2), "regressor" (scores are
            constants, the gradient reaches the box branch through the IoUs) or "both".
    """

    def __init__(
        self,
        kind: str = "concordance",
        loss_weight: float = 1.0,
        regularization_strength: float = 1.0,
        gradient: str = DEFAULT_GRADIENT,
    ) -> None:
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"CorrelationLoss: unknown kind {kind!r}; expected one of {KINDS}")
        if gradient not in GRADIENTS:
            raise ValueError(
                f"CorrelationLoss: unknown gradient {gradient!r}; expected one of {GRADIENTS}"
            )
        if loss_weight < 0:
            raise ValueError(f"CorrelationLoss: loss_weight must be >= 0, got {loss_weight}")
        self.kind = kind
        self.loss_weight = float(loss_weight)
        self.regularization_strength = float(regularization_strength)
        self.gradient = gradient

    def forward(self, scores: Tensor, ious: Tensor) -> Tensor:
        """Return the weighted loss, a 0-d tensor.

        Args:
            scores: probabilities of the ground-truth class of the positives, shape (N,).
            ious: IoUs of the positives' decoded boxes with their targets, shape (N,);
                they may carry the box branch's graph, and are detached unless
                ``gradient`` is "regressor" or "both".
        """
        if self.gradient == "regressor":
            scores = scores.detach()
        loss = correlation_loss(
            scores,
            ious,
            self.kind,
            self.regularization_strength,
            iou_gradient=self.gradient != "classifier",
        )
        return self.loss_weight * loss

    def extra_repr(self) -> str:
        return f"kind={self.kind!r}, loss_weight={self.loss_weight}, gradient={self.gradient!r}"
