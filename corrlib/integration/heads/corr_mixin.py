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
from dataclasses import dataclass

import torch
from mmdet.registry import MODELS
from mmdet.structures.bbox import get_box_tensor
from torch import Tensor

from corrlib.integration.heads.box_maths import aligned_iou, decode_with


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
    ious = aligned_iou(get_box_tensor(pred_boxes).float(), get_box_tensor(target_boxes).float())
    return scores, ious


@dataclass(frozen=True)
class DenseRows:
    """Every prior of a batch, level by level, as rows that Correlation Loss can mask.

    Nothing is selected: ``positive`` says which rows count, so that no ``nonzero`` makes a
    GPU wait. All tensors have one row per prior (levels concatenated, mmdet's order within a
    level: image, y, x, prior).

    Attributes:
        logits: the logit of each row's assigned class (of class 0 for a background row),
            shape (R,), on the classifier's graph.
        positive: 1.0 for a positive row (label in [0, num_classes)), else 0.0, shape (R,).
        priors: (R, D) priors (anchors D = 4, points D = 2).
        deltas: (R, 4) encoded regressions, on the regressor's graph.
        targets: (R, 4) regression targets.
        levels: (R,) pyramid level of each row.
        images: (R,) image of each row in the batch.
        num_levels, num_images: how many levels and images there are.
    """

    logits: Tensor
    positive: Tensor
    priors: Tensor
    deltas: Tensor
    targets: Tensor
    levels: Tensor
    images: Tensor
    num_levels: int
    num_images: int


def _assigned_logits(cls: Tensor, labels: Tensor, num_classes: int) -> Tensor:
    """The logit of each prior's assigned class, read from a level's (N, A * C, H, W) map
    without an NHWC copy of it; rows in mmdet's order (image, y, x, prior), shape (N*H*W*A,).
    A background label reads class 0 (the row is masked out)."""
    n, channels, h, w = cls.shape
    per_position = channels // num_classes
    lab = labels.reshape(n, h, w, per_position).permute(0, 3, 1, 2).long()
    first = torch.arange(per_position, device=cls.device).view(1, -1, 1, 1) * num_classes
    picked = cls.gather(1, lab.clamp(min=0, max=num_classes - 1) + first)
    return picked.permute(0, 2, 3, 1).reshape(-1)


def level_rows(
    cls_scores: Sequence[Tensor],
    bbox_preds: Sequence[Tensor],
    priors: Sequence[Tensor],
    labels: Sequence[Tensor],
    bbox_targets: Sequence[Tensor],
    num_classes: int,
) -> DenseRows:
    """Gather the rows of a batch from per-level head outputs and per-level targets.

    Args:
        cls_scores: per level, (N, num_priors * C, H, W) logits (sigmoid classifiers).
        bbox_preds: per level, (N, num_priors * 4, H, W) encoded regressions.
        priors: per level, (N, num_priors * H * W, D) priors, or anything reshapeable to
            (N * num_priors * H * W, D).
        labels: per level, N * num_priors * H * W labels; background is ``num_classes``.
        bbox_targets: per level, N * num_priors * H * W regression targets (4 each).
        num_classes: number of foreground classes C.

    Returns:
        :class:`DenseRows` of every prior, its positives marked.
    """
    parts: list[list[Tensor]] = [[], [], [], [], [], [], []]
    num_images = cls_scores[0].shape[0]
    for level, (cls, reg, pri, lab, tgt) in enumerate(
        zip(cls_scores, bbox_preds, priors, labels, bbox_targets, strict=True)
    ):
        lab = lab.reshape(-1)
        rows = lab.shape[0]
        parts[0].append(_assigned_logits(cls, lab, num_classes))
        parts[1].append(((lab >= 0) & (lab < num_classes)).float())
        parts[2].append(pri.reshape(rows, -1))
        parts[3].append(reg.permute(0, 2, 3, 1).reshape(rows, 4))
        parts[4].append(tgt.reshape(rows, 4))
        parts[5].append(torch.full((rows,), level, dtype=torch.long, device=lab.device))
        per_image = rows // num_images  # priors of one image at this level
        parts[6].append(torch.arange(rows, device=lab.device) // per_image)
    logits, positive, pri, deltas, targets, levels, images = (torch.cat(p) for p in parts)
    return DenseRows(
        logits, positive, pri, deltas, targets, levels, images, len(cls_scores), num_images
    )


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
                grouped per level or per image (``CorrelationLoss(grouping=...)``).

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

    def add_masked_loss_corr(
        self, losses: dict, rows: DenseRows, pred_boxes: Tensor, target_boxes: Tensor
    ) -> dict:
        """Add ``loss_corr`` over the positive rows of ``rows`` to ``losses`` (in place).

        ŝ is the sigmoid of each row's assigned-class logit, IoU that of its decoded box with
        its decoded target; the loss module gets every row with the positives as 0/1
        ``weights`` (and the levels, images and their counts), so nothing is selected on the
        device. A ``loss_corr`` that takes no ``weights`` gets the positives selected.
        """
        scores = rows.logits.float().sigmoid()
        ious = aligned_iou(get_box_tensor(pred_boxes).float(), get_box_tensor(target_boxes).float())
        if not getattr(self.loss_corr, "takes_weights", False):
            keep = rows.positive.nonzero().squeeze(1)
            losses["loss_corr"] = self.loss_corr(scores[keep], ious[keep])
            return losses
        losses["loss_corr"] = self.loss_corr(
            scores,
            ious,
            levels=rows.levels,
            images=rows.images,
            weights=rows.positive,
            num_levels=rows.num_levels,
            num_images=rows.num_images,
        )
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
        """``add_masked_loss_corr`` for anchor heads from their per-level targets.

        Args:
            losses: the head's loss dict (gets ``loss_corr``; modified in place and returned).
            cls_scores, bbox_preds: the head's per-level outputs.
            anchors: per level, (N, A_l, 4) anchors in the targets' order.
            labels, bbox_targets: per level, the targets of ``get_targets`` ((N, A_l) and
                (N, A_l, 4)); targets are boxes when ``reg_decoded_bbox`` is set, encoded
                deltas otherwise (then decoded with the head's ``bbox_coder``).
        """
        rows = level_rows(cls_scores, bbox_preds, anchors, labels, bbox_targets, self.num_classes)
        pred_boxes = decode_with(self.bbox_coder, rows.priors, rows.deltas)
        targets = rows.targets
        if not self.reg_decoded_bbox:
            targets = decode_with(self.bbox_coder, rows.priors, targets)
        return self.add_masked_loss_corr(losses, rows, pred_boxes, targets)

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
