"""ATSS's head with Correlation Loss, with or without its centerness head (Tables 5.1, 5.4)."""

from __future__ import annotations

from mmdet.models.dense_heads import ATSSHead
from mmdet.registry import MODELS

from corrlib.integration.heads.aux_switch import AuxHeadSwitchMixin
from corrlib.integration.heads.corr_mixin import CorrelationLossMixin
from corrlib.integration.heads.pre_nms import PreNMSPositivesMixin


@MODELS.register_module()
class CorrATSSHead(CorrelationLossMixin, AuxHeadSwitchMixin, PreNMSPositivesMixin, ATSSHead):
    """``ATSSHead`` plus ``loss_corr`` and ``with_aux_head``.

    ``with_aux_head=False`` is Table 5.1's "ATSS without auxiliary head": no centerness branch
    is trained and scores are not multiplied by centerness at test time (see
    :mod:`corrlib.integration.heads.aux_switch`). The ATSS-specific weighting of the GIoU loss
    by centerness *targets* stays: it is part of ATSS's regression loss, not of the branch.
    Positives are the ATSS assigner's; the IoU is that of the decoded predicted box with its
    target box. ``loss_corr=None, with_aux_head=True`` gives mmdet's ``ATSSHead``.
    """

    def get_targets(self, *args, **kwargs) -> tuple:
        """mmdet's targets (they start with the per-level anchors), kept for ``loss_corr``."""
        targets = super().get_targets(*args, **kwargs)
        self._stash_corr_targets(targets)
        return targets

    def loss_by_feat(self, cls_scores, bbox_preds, centernesses, *args, **kwargs) -> dict:
        """mmdet's losses, without ``loss_centerness`` if the aux head is off, + ``loss_corr``."""
        losses = super().loss_by_feat(cls_scores, bbox_preds, centernesses, *args, **kwargs)
        losses = self._drop_aux_loss(losses, "loss_centerness")
        if not self.with_loss_corr:
            return losses
        ((anchors, labels, _, bbox_targets, _, _),) = self._pop_corr_targets()
        return self.add_anchor_loss_corr(
            losses, cls_scores, bbox_preds, anchors, labels, bbox_targets
        )

    def predict_by_feat(self, cls_scores, bbox_preds, score_factors=None, **kwargs):
        """mmdet's prediction; centerness is not used as a score factor without the aux head."""
        if not self.with_aux_head:
            score_factors = None
        return super().predict_by_feat(cls_scores, bbox_preds, score_factors, **kwargs)
