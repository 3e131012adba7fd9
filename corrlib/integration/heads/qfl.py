"""ATSS trained with Quality Focal Loss (QFL), with optional Correlation Loss (Tables 3.1-5.4).

The thesis's "ATSS w. QFL" row is QFL on the common ATSS baseline without an auxiliary head,
as the Rank & Sort Loss authors trained it in their released code: ATSS's assigner, anchors and
head, QFL, a GIoU box loss, no Distribution Focal Loss. mmdet's ``GFLHead`` is the whole GFL
detector (QFL *and* Distribution Focal Loss with an integral box representation); the narrowest
faithful option is therefore ATSS's head with only the classification loss swapped, which is
what :class:`CorrQFLATSSHead` does:

- classification: mmdet's ``QualityFocalLoss`` (β = 2), whose soft target for a positive is the
  IoU of its decoded predicted box with its target box (detached), 0 for everything else —
  the same quality target as GFL;
- localisation: ATSS's GIoU loss on positives, each weighted (as in GFL, and in the
  RS-Loss authors' QFL-on-ATSS code) by the positive's largest predicted class probability
  (detached), normalised by the sum of those weights over the batch (at least 1, as in GFL)
  (``bbox_weighting='score'``; ``'centerness'`` keeps ATSS's centerness-target weights);
- no centerness branch (``with_aux_head=False`` in the config); test scores are the
  classification probabilities, which QFL trains to be IoU estimates.
"""

from __future__ import annotations

from mmdet.registry import MODELS
from mmdet.structures.bbox import bbox_overlaps
from torch import Tensor

from corrlib.integration.heads.atss import CorrATSSHead

BBOX_WEIGHTINGS: tuple[str, ...] = ("score", "centerness")


@MODELS.register_module()
class CorrQFLATSSHead(CorrATSSHead):
    """``CorrATSSHead`` whose classification loss is Quality Focal Loss (see the module doc).

    Config: ``loss_cls=dict(type='QualityFocalLoss', use_sigmoid=True, beta=2.0,
    loss_weight=1.0)``, ``bbox_weighting`` ('score' or 'centerness'), plus everything
    ``CorrATSSHead`` takes (``loss_corr``, ``with_aux_head``).
    """

    def __init__(self, *args, bbox_weighting: str = "score", **kwargs) -> None:
        if bbox_weighting not in BBOX_WEIGHTINGS:
            raise ValueError(
                f"bbox_weighting must be one of {BBOX_WEIGHTINGS}, got {bbox_weighting!r}"
            )
        self.bbox_weighting = bbox_weighting
        super().__init__(*args, **kwargs)

    def loss_by_feat_single(
        self,
        anchors: Tensor,
        cls_score: Tensor,
        bbox_pred: Tensor,
        centerness: Tensor,
        labels: Tensor,
        label_weights: Tensor,
        bbox_targets: Tensor,
        avg_factor: float,
    ) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """One pyramid level's losses, in ``ATSSHead.loss_by_feat``'s contract.

        Returns:
            (QFL summed over the level / ``avg_factor`` (number of positives), the level's
            weighted GIoU loss *sum* (``loss_by_feat`` divides it by the batch's total box
            weight), the centerness loss (0 without the aux head), and the level's total box
            weight) — all 0-d tensors.
        """
        anchors = anchors.reshape(-1, 4)
        logits = cls_score.permute(0, 2, 3, 1).reshape(-1, self.cls_out_channels).contiguous()
        deltas = bbox_pred.permute(0, 2, 3, 1).reshape(-1, 4)
        centerness = centerness.permute(0, 2, 3, 1).reshape(-1)
        bbox_targets = bbox_targets.reshape(-1, 4)
        labels = labels.reshape(-1)
        label_weights = label_weights.reshape(-1)

        pos = ((labels >= 0) & (labels < self.num_classes)).nonzero().squeeze(1)
        quality = label_weights.new_zeros(labels.shape)
        if pos.numel() > 0:
            pred_boxes = self.bbox_coder.decode(anchors[pos], deltas[pos])
            target_boxes = bbox_targets[pos]  # ATSS regresses decoded boxes
            quality[pos] = bbox_overlaps(pred_boxes.detach(), target_boxes, is_aligned=True)
            if self.bbox_weighting == "score":
                weights = logits.detach()[pos].sigmoid().max(dim=1).values
            else:
                weights = self.centerness_target(anchors[pos], target_boxes)
            loss_bbox = self.loss_bbox(pred_boxes, target_boxes, weight=weights, avg_factor=1.0)
            if self.with_aux_head:
                loss_ctr = self.loss_centerness(
                    centerness[pos],
                    self.centerness_target(anchors[pos], target_boxes),
                    avg_factor=avg_factor,
                )
            else:
                loss_ctr = centerness.sum() * 0
            weight_sum = weights.sum()
        else:
            loss_bbox = deltas.sum() * 0
            loss_ctr = centerness.sum() * 0
            weight_sum = deltas.new_tensor(0.0)
        loss_cls = self.loss_cls(
            logits, (labels, quality), weight=label_weights, avg_factor=avg_factor
        )
        return loss_cls, loss_bbox, loss_ctr, weight_sum


__all__ = ["BBOX_WEIGHTINGS", "CorrQFLATSSHead"]
