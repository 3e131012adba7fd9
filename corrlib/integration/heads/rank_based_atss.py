"""ATSS trained with a ranking-based loss (AP, aLRP, Rank & Sort), optionally + Correlation Loss.

:class:`CorrRankingATSSHead` is ATSS's head (assigner, anchors, box coder, no centerness branch)
whose losses are computed over the *whole batch at once* — a ranking loss ranks every anchor ×
class logit of the batch against every other — with the loss chosen by ``loss_cls``:

- ``type='APLoss'`` (Chen et al.): L_AP on the logits; box loss as for RS Loss below (our
  choice, so that AP Loss and RS Loss differ only in the ranking loss).
- ``type='RankSortLoss'`` (Oksuz et al., 2021): the positives' targets are the IoUs of their
  decoded predicted boxes with their target boxes (detached), so the sorting part orders the
  positives by IoU. Box loss: the GIoU loss of positives weighted by each positive's largest
  predicted class probability (detached) and normalised by the sum of those weights, then
  *self-balanced*: multiplied by (L_rank + L_sort) / L_box, detached, every iteration — as in
  the RS Loss authors' ATSS. The log shows ``loss_rank``, ``loss_sort`` and ``loss_bbox``.
- ``type='aLRPLoss'`` (Oksuz et al., 2020): one loss for both tasks. The localisation errors
  are ε = (1 − GIoU)/2 ∈ [0, 1] of the positives; the classification component receives the
  aLRP update (including ε), the localisation component is aLRP's rank-weighted mean of ε,
  weighted by the loss's self-balancing weight (see :class:`corrlib.integration.rank_based_losses.
  aLRPLoss`). ``loss_bbox`` in the config is not used. The log shows ``loss_cls`` and
  ``loss_bbox`` (the weighted localisation component).

The ranking losses count ranks on logits; at test time, scores are the sigmoid probabilities,
as for Focal Loss. With ``loss_corr`` set, ``loss_corr`` is added over the same positives
(ŝ = probability of the ground-truth class, IoU of the decoded box), as for every corrlib head.
Pre-NMS positives at test time come with :class:`CorrATSSHead`'s ``PreNMSPositivesMixin``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from mmdet.registry import MODELS
from mmdet.structures.bbox import bbox_overlaps
from mmdet.utils import reduce_mean
from torch import Tensor

from corrlib.integration.heads.atss import CorrATSSHead
from corrlib.integration.rank_based_losses import APLoss, RankSortLoss, aLRPLoss

_EPS = 1e-12


@dataclass
class FlatBatch:
    """A batch's head outputs and ATSS targets over all levels, valid anchors only.

    Attributes:
        logits: (M, C) classification logits.
        labels: (M,) assigned classes (``num_classes`` = background).
        pos: (P,) indices into the M rows of the positives.
        pred_boxes: (P, 4) decoded predicted boxes of the positives (on the graph), pixels.
        target_boxes: (P, 4) their target boxes, pixels.
        deltas: (M, 4) raw regression outputs (for a zero loss on the graph).
    """

    logits: Tensor
    labels: Tensor
    pos: Tensor
    pred_boxes: Tensor
    target_boxes: Tensor
    deltas: Tensor


@MODELS.register_module()
class CorrRankingATSSHead(CorrATSSHead):
    """ATSS head trained with AP Loss, aLRP Loss or Rank & Sort Loss (see the module doc).

    Args (besides ``CorrATSSHead``'s, ``loss_cls`` choosing the ranking loss):
        with_aux_head: must be False (the ranking-loss ATSS of the thesis has no centerness
            branch); the default here.
    """

    def __init__(self, *args, with_aux_head: bool = False, **kwargs) -> None:
        if with_aux_head:
            raise ValueError("CorrRankingATSSHead has no auxiliary (centerness) head")
        super().__init__(*args, with_aux_head=False, **kwargs)
        if not isinstance(self.loss_cls, (APLoss, RankSortLoss, aLRPLoss)):
            raise TypeError(
                "CorrRankingATSSHead needs loss_cls of type 'APLoss', 'RankSortLoss' or "
                f"'aLRPLoss', got {type(self.loss_cls).__name__}"
            )

    # ---- gathering the batch ---------------------------------------------------------------
    def _flat_batch(
        self,
        cls_scores: list[Tensor],
        bbox_preds: list[Tensor],
        batch_gt_instances: list,
        batch_img_metas: list[dict],
        batch_gt_instances_ignore: list | None,
    ) -> FlatBatch:
        """Assign targets with ATSS and flatten outputs and targets over levels and images."""
        featmap_sizes = [f.size()[-2:] for f in cls_scores]
        anchors, valid = self.get_anchors(featmap_sizes, batch_img_metas, cls_scores[0].device)
        anchors, labels, label_weights, bbox_targets, _, _ = self.get_targets(
            anchors,
            valid,
            batch_gt_instances,
            batch_img_metas,
            batch_gt_instances_ignore=batch_gt_instances_ignore,
        )
        self.__dict__.pop("_corr_targets", None)  # loss_corr uses the flat positives below
        c = self.cls_out_channels
        logits = torch.cat([s.permute(0, 2, 3, 1).reshape(-1, c) for s in cls_scores])
        deltas = torch.cat([d.permute(0, 2, 3, 1).reshape(-1, 4) for d in bbox_preds])
        anchors = torch.cat([a.reshape(-1, 4) for a in anchors])
        labels = torch.cat([lab.reshape(-1) for lab in labels])
        label_weights = torch.cat([w.reshape(-1) for w in label_weights])
        bbox_targets = torch.cat([t.reshape(-1, 4) for t in bbox_targets])

        keep = (label_weights > 0).nonzero().squeeze(1)  # ignored anchors take no part
        logits, deltas, anchors = logits[keep], deltas[keep], anchors[keep]
        labels, bbox_targets = labels[keep], bbox_targets[keep]
        pos = ((labels >= 0) & (labels < self.num_classes)).nonzero().squeeze(1)
        pred_boxes = self.bbox_coder.decode(anchors[pos], deltas[pos])
        return FlatBatch(logits, labels, pos, pred_boxes, bbox_targets[pos], deltas)

    # ---- losses ----------------------------------------------------------------------------
    def loss_by_feat(
        self,
        cls_scores: list[Tensor],
        bbox_preds: list[Tensor],
        centernesses: list[Tensor],
        batch_gt_instances: list,
        batch_img_metas: list[dict],
        batch_gt_instances_ignore: list | None = None,
    ) -> dict[str, Tensor]:
        """The ranking loss over the batch, its box loss, and ``loss_corr`` if configured.

        Returns:
            A dict of 0-d tensors: ``loss_rank`` + ``loss_sort`` (RS Loss) or ``loss_cls``
            (AP / aLRP Loss), ``loss_bbox``, and ``loss_corr`` with Correlation Loss.
            Values are unitless (ranking errors in [0, 1], GIoU-based box losses).
        """
        batch = self._flat_batch(
            cls_scores,
            bbox_preds,
            batch_gt_instances,
            batch_img_metas,
            batch_gt_instances_ignore,
        )
        flat_labels = torch.zeros_like(batch.logits, dtype=torch.bool)
        flat_labels[batch.pos, batch.labels[batch.pos]] = True  # (M, C), row-major = pos order
        n_pos = batch.pos.numel()

        if n_pos == 0:
            zero = batch.logits.sum() * 0 + batch.deltas.sum() * 0
            keys = (
                ("loss_rank", "loss_sort")
                if isinstance(self.loss_cls, RankSortLoss)
                else ("loss_cls",)
            )
            losses = {k: zero for k in keys}
            losses["loss_bbox"] = zero
        elif isinstance(self.loss_cls, aLRPLoss):
            giou = bbox_overlaps(batch.pred_boxes, batch.target_boxes, mode="giou", is_aligned=True)
            loc_errors = (1.0 - giou) / 2.0
            loss_cls, loss_loc = self.loss_cls(batch.logits, flat_labels, loc_errors)
            losses = dict(loss_cls=loss_cls, loss_bbox=loss_loc)
        else:
            if isinstance(self.loss_cls, RankSortLoss):
                ious = bbox_overlaps(batch.pred_boxes.detach(), batch.target_boxes, is_aligned=True)
                loss_rank, loss_sort = self.loss_cls(batch.logits, flat_labels, ious)
                losses = dict(loss_rank=loss_rank, loss_sort=loss_sort)
            else:
                losses = dict(loss_cls=self.loss_cls(batch.logits, flat_labels))
            losses["loss_bbox"] = self._self_balanced_box_loss(batch, sum(losses.values()))

        if self.with_loss_corr:
            if n_pos > 0:
                self.add_loss_corr(
                    losses,
                    batch.logits[batch.pos],
                    batch.labels[batch.pos],
                    batch.pred_boxes,
                    batch.target_boxes,
                )
            else:
                losses["loss_corr"] = batch.logits.sum() * 0
        return losses

    def _self_balanced_box_loss(self, batch: FlatBatch, ranking_loss: Tensor) -> Tensor:
        """Score-weighted GIoU loss of the positives, scaled to the ranking loss's value.

        Returns L_box · (ranking_loss / L_box), both factors of the ratio detached: a 0-d tensor
        equal in value to ``ranking_loss`` whose gradient is that of L_box scaled by the ratio.
        """
        weights = batch.logits.detach()[batch.pos].sigmoid().max(dim=1).values
        norm = reduce_mean(weights.sum()).clamp(min=_EPS).item()
        loss_box = self.loss_bbox(
            batch.pred_boxes, batch.target_boxes, weight=weights, avg_factor=norm
        )
        if float(loss_box.detach()) <= _EPS:
            return loss_box
        return loss_box * (ranking_loss.detach() / loss_box.detach())


__all__ = ["CorrRankingATSSHead", "FlatBatch"]
