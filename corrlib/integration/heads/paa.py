"""PAA's head with Correlation Loss, with or without its IoU prediction head (Table 5.1)."""

from __future__ import annotations

import torch
from mmdet.models.dense_heads import PAAHead
from mmdet.models.utils import images_to_levels
from mmdet.registry import MODELS
from mmengine.structures import InstanceData

from corrlib.integration.heads.aux_switch import AuxHeadSwitchMixin
from corrlib.integration.heads.corr_mixin import CorrelationLossMixin
from corrlib.integration.heads.pre_nms import PreNMSPositivesMixin


@MODELS.register_module()
class CorrPAAHead(CorrelationLossMixin, AuxHeadSwitchMixin, PreNMSPositivesMixin, PAAHead):
    """``PAAHead`` plus ``loss_corr`` and ``with_aux_head``.

    In mmdet, PAA's IoU prediction lives in the branch ATSS uses for centerness
    (``atss_centerness``), trained by ``loss_iou`` and used at test time as
    ``score = sqrt(cls × IoU-pred)``. ``with_aux_head=False`` (Table 5.1's "PAA without IoU
    head") drops the branch and ``loss_iou``, and ranks by the classification probability
    itself. Score voting, part of PAA's post-processing rather than a head, stays as
    configured (``score_voting``, on in mmdet's config).

    Positives are those after PAA's GMM re-assignment (the ones PAA's own losses use); the IoU
    is that of the decoded predicted box with its target box. ``loss_corr=None,
    with_aux_head=True`` gives mmdet's ``PAAHead``.
    """

    def get_targets(self, anchor_list, *args, **kwargs) -> tuple:
        """mmdet's (first-stage) targets, kept with the anchors for ``loss_corr``."""
        targets = super().get_targets(anchor_list, *args, **kwargs)
        self._stash_corr_targets(anchor_list, targets, [])
        return targets

    def paa_reassign(self, *args, **kwargs) -> tuple:
        """mmdet's GMM re-assignment of one image; its labels are kept for ``loss_corr``."""
        out = super().paa_reassign(*args, **kwargs)
        if self.with_loss_corr:
            self._corr_targets[2].append(out[0])
        return out

    def loss_by_feat(self, cls_scores, bbox_preds, iou_preds, *args, **kwargs) -> dict:
        """mmdet's losses, without ``loss_iou`` if the aux head is off, plus ``loss_corr``."""
        losses = super().loss_by_feat(cls_scores, bbox_preds, iou_preds, *args, **kwargs)
        losses = self._drop_aux_loss(losses, "loss_iou")
        if not self.with_loss_corr:
            return losses
        anchor_list, targets, reassigned_labels = self._pop_corr_targets()
        num_level_anchors = [a.shape[0] for a in anchor_list[0]]
        anchors = images_to_levels([torch.cat(a) for a in anchor_list], num_level_anchors)
        labels = images_to_levels(reassigned_labels, num_level_anchors)
        bbox_targets = images_to_levels(targets[2], num_level_anchors)
        return self.add_anchor_loss_corr(
            losses, cls_scores, bbox_preds, anchors, labels, bbox_targets
        )

    def _bbox_post_process(
        self,
        results: InstanceData,
        cfg,
        rescale: bool = False,
        with_nms: bool = True,
        img_meta: dict | None = None,
    ) -> InstanceData:
        """PAA's post-processing; without the IoU head, NMS ranks by the class probability.

        PAA ranks by ``sqrt(scores × score_factors)``; feeding ``scores²`` and factors of 1
        makes that the probability itself.
        """
        if not self.with_aux_head:
            results.scores = results.scores.pow(2)
            results.score_factors = torch.ones_like(results.score_factors)
        return super()._bbox_post_process(results, cfg, rescale, with_nms, img_meta)

    def _apply_pre_nms(self, image: int, results: InstanceData, cfg) -> InstanceData:
        """Pre-NMS positives on PAA's candidates: (box, class) entries above ``score_thr``.

        PAA keeps a (boxes × classes) score matrix; the candidates NMS sees are its entries
        whose ranking score ``sqrt(scores × score_factors)`` exceeds ``score_thr``.
        """
        nms_scores = (results.scores * results.score_factors[:, None]).sqrt()
        box_idx, labels = (nms_scores > cfg.score_thr).nonzero(as_tuple=True)
        new = self._record_pre_nms(
            image, results.bboxes[box_idx], labels, nms_scores[box_idx, labels]
        )
        nms_scores[box_idx, labels] = new
        results.scores = nms_scores.pow(2)
        results.score_factors = torch.ones_like(results.score_factors)
        return results
