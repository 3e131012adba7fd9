"""Correlation Loss on a dense head: the positives of a batch, their ŝ and their IoUs.

Shared by every corrlib head. A head subclass does two things:

1. call :meth:`CorrelationLossMixin.__init__` through ``super()`` (it takes the ``loss_corr``
   config entry and builds the registered ``CorrelationLoss``, or keeps None);
2. after its parent's ``loss_by_feat``, gather the batch's positives — their classification
   logits, assigned labels, decoded predicted boxes and target boxes, all from the head's own
   targets — and call :meth:`CorrelationLossMixin.add_loss_corr`.

With ``loss_corr=None`` nothing is computed and the head's losses are its parent's.

Definitions (thesis Eq. 4.2): ŝ is the sigmoid probability of the ground-truth class of each
positive; IoU is that of the positive's decoded predicted box with its target box. Both keep
their graphs; :class:`corrlib.integration.loss.CorrelationLoss` detaches what its ``gradient``
switch says (classifier only by default, §4.2).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from mmdet.registry import MODELS
from mmdet.structures.bbox import bbox_overlaps, get_box_tensor
from torch import Tensor


def positive_scores_and_ious(
    logits: Tensor, labels: Tensor, pred_boxes: Tensor, target_boxes: Tensor
) -> tuple[Tensor, Tensor]:
    """ŝ and IoU of positives (1-D tensors of equal length, both still on the graph).

    Args:
        logits: classification logits of the positives, shape (P, num_classes), sigmoid-based.
        labels: their ground-truth classes, shape (P,), in [0, num_classes).
        pred_boxes: their decoded predicted boxes, (P, 4), x1y1x2y2 in pixels.
        target_boxes: their target boxes, (P, 4), same format.

    Returns:
        (scores, ious): sigmoid probability of the ground-truth class, and the aligned IoU of
        each predicted box with its target, both float32 in [0, 1].
    """
    scores = logits.float().gather(1, labels.long().view(-1, 1)).squeeze(1).sigmoid()
    ious = bbox_overlaps(
        get_box_tensor(pred_boxes).float(), get_box_tensor(target_boxes).float(), is_aligned=True
    )
    return scores, ious


def level_positives(
    cls_scores: Sequence[Tensor],
    bbox_preds: Sequence[Tensor],
    priors: Sequence[Tensor],
    labels: Sequence[Tensor],
    bbox_targets: Sequence[Tensor],
    num_classes: int,
) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]:
    """Select the positives of a batch from per-level head outputs and per-level targets.

    Each level's tensors are flattened in mmdet's order (image, y, x, prior) and only the
    positives (labels in [0, num_classes)) are kept, so nothing of the size of all priors times
    all classes is concatenated. Sigmoid classifiers only (C = num_classes channels).

    Args:
        cls_scores: per level, (N, num_priors * C, H, W) logits.
        bbox_preds: per level, (N, num_priors * 4, H, W) encoded regressions.
        priors: per level, (N, num_priors * H * W, D) priors (anchors D=4, points D=2), or
            anything reshapeable to (N * num_priors * H * W, D).
        labels: per level, N * num_priors * H * W labels; background is ``num_classes``.
        bbox_targets: per level, N * num_priors * H * W regression targets (4 each).
        num_classes: number of foreground classes C.

    Returns:
        (logits, labels, priors, deltas, targets, levels, images) of the positives,
        concatenated over levels: shapes (P, C), (P,), (P, D), (P, 4), (P, 4), (P,), (P,) —
        ``levels`` is each positive's pyramid level index, ``images`` its image in the batch.
    """
    out: list[list[Tensor]] = [[], [], [], [], [], [], []]
    for level, (cls, reg, pri, lab, tgt) in enumerate(
        zip(cls_scores, bbox_preds, priors, labels, bbox_targets, strict=True)
    ):
        lab = lab.reshape(-1)
        pos = ((lab >= 0) & (lab < num_classes)).nonzero().squeeze(1)
        per_image = lab.shape[0] // cls.shape[0]  # priors of one image at this level
        out[0].append(cls.permute(0, 2, 3, 1).reshape(-1, num_classes)[pos])
        out[1].append(lab[pos])
        out[2].append(pri.reshape(-1, pri.shape[-1])[pos])
        out[3].append(reg.permute(0, 2, 3, 1).reshape(-1, 4)[pos])
        out[4].append(tgt.reshape(-1, 4)[pos])
        out[5].append(torch.full_like(pos, level))
        out[6].append(torch.div(pos, per_image, rounding_mode="floor"))
    return tuple(torch.cat(parts) for parts in out)  # type: ignore[return-value]


class CorrelationLossMixin:
    """Adds an optional ``loss_corr`` (a ``CorrelationLoss`` config) to an mmdet dense head.

    Put it first among the bases: ``class CorrXHead(CorrelationLossMixin, ..., XHead)``.
    The ``loss_corr`` module is built with ``MODELS.build``, so any registered loss taking
    ``(scores, ious)`` works.
    """

    def __init__(self, *args, loss_corr: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.loss_corr = MODELS.build(loss_corr) if loss_corr else None

    @property
    def with_loss_corr(self) -> bool:
        """True when the head adds Correlation Loss to its losses."""
        return self.loss_corr is not None

    def add_loss_corr(
        self,
        losses: dict,
        logits: Tensor,
        labels: Tensor,
        pred_boxes: Tensor,
        target_boxes: Tensor,
        levels: Tensor | None = None,
        images: Tensor | None = None,
    ) -> dict:
        """Add ``loss_corr`` = λ_corr · (1 − ρ(IoU, ŝ)) over the given positives to ``losses``.

        Args:
            losses: the head's loss dict; returned with the new key (modified in place).
            logits, labels, pred_boxes, target_boxes: the batch's positives, see
                :func:`positive_scores_and_ious`.
            levels, images: each positive's pyramid level and image, shape (P,), for a loss
                reduced per level or per image (``CorrelationLoss(reduction=...)``).

        Returns:
            ``losses`` with ``loss_corr``, a 0-d tensor (0 on the graph when fewer than two
            positives or a constant input leave the correlation undefined).
        """
        scores, ious = positive_scores_and_ious(logits, labels, pred_boxes, target_boxes)
        if levels is None and images is None:
            losses["loss_corr"] = self.loss_corr(scores, ious)
        else:
            losses["loss_corr"] = self.loss_corr(scores, ious, levels=levels, images=images)
        return losses

    def add_anchor_loss_corr(
        self,
        losses: dict,
        cls_scores: Sequence[Tensor],
        bbox_preds: Sequence[Tensor],
        anchors: Sequence[Tensor],
        labels: Sequence[Tensor],
        bbox_targets: Sequence[Tensor],
    ) -> dict:
        """``add_loss_corr`` for anchor heads from their per-level targets.

        Args:
            losses: the head's loss dict (gets ``loss_corr``; modified in place and returned).
            cls_scores, bbox_preds: the head's per-level outputs.
            anchors: per level, (N, A_l, 4) anchors in the targets' order.
            labels, bbox_targets: per level, the targets of ``get_targets`` ((N, A_l) and
                (N, A_l, 4)); targets are boxes when ``reg_decoded_bbox`` is set, encoded
                deltas otherwise (then decoded with the head's ``bbox_coder``).
        """
        logits, labs, priors, deltas, targets, levels, images = level_positives(
            cls_scores, bbox_preds, anchors, labels, bbox_targets, self.num_classes
        )
        pred_boxes = self.bbox_coder.decode(priors, deltas)
        if not self.reg_decoded_bbox:
            targets = self.bbox_coder.decode(priors, targets)
        return self.add_loss_corr(
            losses, logits, labs, pred_boxes, targets, levels=levels, images=images
        )

    def _stash_corr_targets(self, *items) -> None:
        """Keep what ``get_targets`` saw and returned, for ``loss_by_feat`` to reuse."""
        if self.with_loss_corr:
            self._corr_targets = items

    def _pop_corr_targets(self) -> tuple:
        """Return and forget the stashed targets (raises if ``get_targets`` was not called)."""
        items = self.__dict__.pop("_corr_targets", None)
        if items is None:
            raise RuntimeError(f"{type(self).__name__}: loss_by_feat ran without get_targets")
        return items
