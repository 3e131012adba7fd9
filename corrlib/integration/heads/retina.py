"""RetinaNet's head with Correlation Loss (Table 5.1) and pre-NMS positives."""

from __future__ import annotations

import torch
from mmdet.models.dense_heads import RetinaHead
from mmdet.registry import MODELS

from corrlib.integration.heads.corr_mixin import CorrelationLossMixin
from corrlib.integration.heads.pre_nms import PreNMSPositivesMixin


@MODELS.register_module()
class CorrRetinaHead(CorrelationLossMixin, PreNMSPositivesMixin, RetinaHead):
    """``RetinaHead`` plus an optional ``loss_corr`` entry.

    Positives are the anchors the head's assigner marks foreground (MaxIoUAssigner); the IoU
    is that of the decoded predicted box with the decoded regression target (the assigned
    ground-truth box). ``loss_corr=None`` gives mmdet's ``RetinaHead``.
    """

    def get_targets(self, anchor_list, valid_flag_list, *args, **kwargs) -> tuple:
        """mmdet's targets; also kept (with the anchors) for the Correlation Loss."""
        targets = super().get_targets(anchor_list, valid_flag_list, *args, **kwargs)
        self._stash_corr_targets(anchor_list, targets)
        return targets

    def loss_by_feat(self, cls_scores, bbox_preds, *args, **kwargs) -> dict:
        """mmdet's losses (``loss_cls``, ``loss_bbox``) plus ``loss_corr`` when configured."""
        losses = super().loss_by_feat(cls_scores, bbox_preds, *args, **kwargs)
        if not self.with_loss_corr:
            return losses
        anchor_list, (labels, _, bbox_targets, _, _) = self._pop_corr_targets()
        anchors = [torch.stack(per_image) for per_image in zip(*anchor_list, strict=True)]
        return self.add_anchor_loss_corr(
            losses, cls_scores, bbox_preds, anchors, labels, bbox_targets
        )
