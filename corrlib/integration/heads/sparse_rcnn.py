"""Sparse R-CNN's dynamic instance interactive head with Correlation Loss (thesis §4.2, §5.2.2).

Sparse R-CNN is NMS-free and refines its learnable proposals over several stages (6 in the
thesis), each with its own :class:`~mmdet.models.roi_heads.bbox_heads.DIIHead` and its own
Hungarian matching. The thesis adds L_corr "to every stage" (§4.2): in each stage, the positives
are the proposals matched to a ground-truth box, ŝ is the predicted probability of that box's
class (sigmoid, as the head's focal loss uses) and IoU is the overlap of the stage's decoded
box with the box it is matched to.

Config (one entry per stage head; ``SparseRoIHead`` names the loss ``s{stage}.loss_corr``)::

    roi_head=dict(bbox_head=[dict(type='CorrDIIHead', ...,
                                  loss_corr=dict(type='CorrelationLoss', kind='spearman',
                                                 loss_weight=0.2))
                             for _ in range(6)])

``SparseRoIHead`` multiplies every ``loss*`` term of a stage by that stage's
``stage_loss_weights`` entry (all 1 in the thesis), so L_corr is weighted like the stage's
other losses. With ``loss_corr=None`` the head is exactly mmdet's ``DIIHead``.
"""

from __future__ import annotations

import torch
from mmdet.models.roi_heads.bbox_heads import DIIHead
from mmdet.models.task_modules import SamplingResult
from mmdet.registry import MODELS
from mmdet.utils import ConfigType
from torch import Tensor

from corrlib.integration.heads.box_maths import aligned_iou
from corrlib.integration.heads.corr_mixin import CorrelationLossMixin


def gt_class_probabilities(cls_score: Tensor, labels: Tensor, use_sigmoid: bool) -> Tensor:
    """Probability of each row's ground-truth class, keeping ``cls_score``'s graph.

    Args:
        cls_score: logits, shape (N, C) for a sigmoid classifier or (N, C + 1) for a softmax
            classifier whose last column is the background.
        labels: the ground-truth class of each row, shape (N,), values in [0, C).
        use_sigmoid: whether the classifier is trained with sigmoid (focal) loss.

    Returns:
        Shape (N,): sigmoid(logit of the class), or the softmax probability of the class.
    """
    cls_score = cls_score.float()
    probs = cls_score.sigmoid() if use_sigmoid else cls_score.softmax(dim=-1)
    return probs.gather(1, labels.long().view(-1, 1)).view(-1)


def scores_and_ious(
    cls_score: Tensor, labels: Tensor, pred_boxes: Tensor, target_boxes: Tensor, use_sigmoid: bool
) -> tuple[Tensor, Tensor]:
    """ŝ and IoU of positives, both on their graphs (1-D, float32).

    Args:
        cls_score: logits of the positives, (P, C) sigmoid or (P, C + 1) softmax.
        labels: their ground-truth classes, (P,).
        pred_boxes: their decoded boxes, (P, 4), xyxy in pixels.
        target_boxes: their ground-truth boxes, (P, 4), xyxy in pixels.
        use_sigmoid: whether the classifier is a sigmoid (focal-loss) one.
    """
    scores = gt_class_probabilities(cls_score, labels, use_sigmoid)
    ious = aligned_iou(pred_boxes.float(), target_boxes.float())
    return scores, ious


@MODELS.register_module()
class CorrDIIHead(CorrelationLossMixin, DIIHead):
    """:class:`DIIHead` plus an optional Correlation Loss on the stage's matched proposals.

    Args:
        loss_corr: config of the Correlation Loss (e.g. ``dict(type='CorrelationLoss',
            kind='spearman', loss_weight=0.2)``), or None for mmdet's DIIHead unchanged.
        **kwargs: everything :class:`DIIHead` takes.
    """

    def loss_and_target(
        self,
        cls_score: Tensor,
        bbox_pred: Tensor,
        sampling_results: list[SamplingResult],
        rcnn_train_cfg: ConfigType,
        imgs_whwh: Tensor,
        concat: bool = True,
        reduction_override: str | None = None,
    ) -> dict:
        """DIIHead's losses and targets, plus ``loss_corr`` under ``"loss_bbox"``.

        ``cls_score`` (num_images * num_proposals, C) and ``bbox_pred`` (the decoded boxes,
        same rows, xyxy) carry their graphs, so :class:`CorrelationLoss` decides which branch
        receives L_corr's gradient. The positives are those of the whole batch at this stage
        (under distributed training, of this process's batch).
        """
        results = super().loss_and_target(
            cls_score,
            bbox_pred,
            sampling_results,
            rcnn_train_cfg,
            imgs_whwh=imgs_whwh,
            concat=concat,
            reduction_override=reduction_override,
        )
        if self.with_loss_corr:
            labels, _, bbox_targets, _ = results["bbox_targets"]
            results["loss_bbox"]["loss_corr"] = self.corr_loss(
                cls_score, bbox_pred, labels, bbox_targets
            )
        return results

    def corr_loss(
        self, cls_score: Tensor, bbox_pred: Tensor, labels: Tensor, bbox_targets: Tensor
    ) -> Tensor:
        """L_corr (weighted) over the matched proposals of one stage.

        Args:
            cls_score: class logits of all proposals, shape (N, C) or (N, C + 1).
            bbox_pred: decoded boxes of all proposals, shape (N, 4), xyxy.
            labels: targets from :meth:`get_targets`, shape (N,); background is C.
            bbox_targets: matched ground-truth boxes, shape (N, 4), xyxy (zeros for
                unmatched proposals).
        """
        if isinstance(labels, (list, tuple)):  # concat=False
            labels, bbox_targets = torch.cat(labels), torch.cat(bbox_targets)
        positive = (labels >= 0) & (labels < self.num_classes)
        scores, ious = scores_and_ious(  # every proposal; the positives are a mask
            cls_score.reshape(labels.numel(), -1),
            labels.clamp(min=0, max=self.num_classes - 1),
            bbox_pred.reshape(-1, 4),
            bbox_targets,
            self.loss_cls.use_sigmoid,
        )
        if not getattr(self.loss_corr, "takes_weights", False):
            keep = positive.nonzero().squeeze(1)
            return self.loss_corr(scores[keep], ious[keep])
        return self.loss_corr(scores, ious, weights=positive.float())
