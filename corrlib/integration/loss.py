"""``CorrelationLoss``: the thesis's Correlation Loss as an mmdet-registered module."""

from __future__ import annotations

from mmdet.registry import MODELS
from torch import Tensor, nn

from corrlib.losses import grouped_correlation_loss
from corrlib.names import (
    DEFAULT_GRADIENT,
    DEFAULT_GROUPING,
    DEFAULT_MOMENTS,
    DEFAULT_RANK_SCALE,
    GRADIENTS,
    GROUPINGS,
    KINDS,
    MOMENTS,
    RANK_SCALES,
    check_choice,
    refuse_reduction,
)


@MODELS.register_module()
class CorrelationLoss(nn.Module):
    """λ_corr · (1 − ρ(IoU, ŝ)) over the positives of a batch (Eq. 4.1, 4.2).

    Config::

        loss_corr=dict(type='CorrelationLoss', kind='concordance', loss_weight=0.3)
        # a rank-faithful Spearman Loss (soft ranks that follow the exact ranks):
        loss_corr=dict(type='CorrelationLoss', kind='spearman', rank_scale='unit_gap')
        # the thesis author's RetinaNet: one correlation per pyramid level, averaged:
        loss_corr=dict(type='CorrelationLoss', kind='spearman', grouping='level_mean')

    Args:
        kind: "concordance", "spearman" or "pearson".
        loss_weight: λ_corr.
        regularization_strength: torchsort soft-rank strength ("spearman" only); None: the
            rank scale's default (1.0 absolute, the thesis's; 0.1 of the mean gap).
        gradient: "classifier" (default: IoUs are constants, §4.2), "regressor" (scores are
            constants, the gradient reaches the box branch through the IoUs) or "both".
        rank_scale: "absolute" (default, the thesis's; Spearman then equals Pearson for values
            in [0, 1]) or "unit_gap" ("spearman" only; see
            :func:`corrlib.losses.soft_rank`).
        moments: "population" (default) or "sample" ("concordance" only).
        grouping: over which positives one correlation is computed
            (:data:`corrlib.names.GROUPINGS`): "batch" (default: one correlation over the
            batch's positives), "level_mean" (per pyramid level, averaged over levels with two
            or more positives) or "image_sum" (per image, summed); the head passes the groups.
        reduction: refused (TypeError naming ``grouping``): its former name. Unlike mmdet's
            losses, Correlation Loss has no none / mean / sum reduction.
    """

    def __init__(
        self,
        kind: str = "concordance",
        loss_weight: float = 1.0,
        regularization_strength: float | None = None,
        gradient: str = DEFAULT_GRADIENT,
        rank_scale: str = DEFAULT_RANK_SCALE,
        moments: str = DEFAULT_MOMENTS,
        grouping: str = DEFAULT_GROUPING,
        *,
        reduction: None = None,
    ) -> None:
        super().__init__()
        refuse_reduction(reduction, "CorrelationLoss")
        for name, value, allowed in (
            ("kind", kind, KINDS),
            ("gradient", gradient, GRADIENTS),
            ("rank_scale", rank_scale, RANK_SCALES),
            ("moments", moments, MOMENTS),
            ("grouping", grouping, GROUPINGS),
        ):
            check_choice(name, value, allowed, owner="CorrelationLoss")
        if loss_weight < 0:
            raise ValueError(f"CorrelationLoss: loss_weight must be >= 0, got {loss_weight}")
        if regularization_strength is not None and regularization_strength <= 0:
            raise ValueError(
                f"CorrelationLoss: regularization_strength must be > 0, "
                f"got {regularization_strength}"
            )
        self.kind = kind
        self.loss_weight = float(loss_weight)
        self.regularization_strength = regularization_strength
        self.gradient = gradient
        self.rank_scale = rank_scale
        self.moments = moments
        self.grouping = grouping

    takes_weights = True
    """The heads may pass every row with 0/1 ``weights`` instead of selecting the positives."""

    @property
    def reduction(self) -> None:
        """No such attribute (AttributeError): the former name of :attr:`grouping`."""
        raise AttributeError("CorrelationLoss has no reduction; its grouping is `grouping`")

    @reduction.setter
    def reduction(self, value: object) -> None:
        """Refuse to set the former name of :attr:`grouping` (TypeError naming it), so that
        ``loss.reduction = "level_mean"`` does not pass unnoticed."""
        refuse_reduction(value, "CorrelationLoss")
        raise TypeError("CorrelationLoss: reduction is no attribute; set grouping")

    def forward(
        self,
        scores: Tensor,
        ious: Tensor,
        levels: Tensor | None = None,
        images: Tensor | None = None,
        weights: Tensor | None = None,
        num_levels: int | None = None,
        num_images: int | None = None,
    ) -> Tensor:
        """Return the weighted loss, a 0-d tensor.

        Args:
            scores: probabilities of the ground-truth class of the positives, shape (N,).
            ious: IoUs of the positives' decoded boxes with their targets, shape (N,);
                they may carry the box branch's graph, and are detached unless
                ``gradient`` is "regressor" or "both".
            levels: each positive's pyramid level, shape (N,); needed by "level_mean".
            images: each positive's image in the batch, shape (N,); needed by "image_sum".
            weights: optional 0/1 tensor of shape (N,): which rows are positives (a head
                passes every prior with a mask, so that nothing waits for the GPU).
            num_levels, num_images: how many levels / images the groups range over (None:
                read from ``levels`` / ``images``, which waits for a GPU once).
        """
        if self.gradient == "regressor":
            scores = scores.detach()
        groups, num_groups = {
            "level_mean": (levels, num_levels),
            "image_sum": (images, num_images),
        }.get(self.grouping, (None, None))
        loss = grouped_correlation_loss(
            scores,
            ious,
            groups,
            self.grouping,
            kind=self.kind,
            regularization_strength=self.regularization_strength,
            iou_gradient=self.gradient != "classifier",
            rank_scale=self.rank_scale,
            moments=self.moments,
            weights=weights,
            num_groups=num_groups,
        )
        return loss * self.loss_weight

    def extra_repr(self) -> str:
        return (
            f"kind={self.kind!r}, loss_weight={self.loss_weight}, gradient={self.gradient!r}, "
            f"rank_scale={self.rank_scale!r}, moments={self.moments!r}, "
            f"grouping={self.grouping!r}"
        )
