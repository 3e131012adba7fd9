"""FoveaBox's head with Correlation Loss (Table 5.1) and pre-NMS positives."""

from __future__ import annotations

import torch
from mmdet.models.dense_heads import FoveaHead
from mmdet.registry import MODELS

from corrlib.integration.heads.corr_mixin import CorrelationLossMixin, level_rows
from corrlib.integration.heads.pre_nms import PreNMSPositivesMixin


@MODELS.register_module()
class CorrFoveaHead(CorrelationLossMixin, PreNMSPositivesMixin, FoveaHead):
    """``FoveaHead`` plus an optional ``loss_corr`` entry.

    Positives are the feature-map points inside a ground truth's fovea at its pyramid level
    (FoveaBox's own assignment). Predicted boxes and target boxes are both decoded with
    FoveaBox's own decoder from the point, the level's base edge and the (log-space) offsets,
    so the target is the box the head regresses to (the ground truth, up to FoveaBox's clamping
    of offsets to [1/16, 16]). ``loss_corr=None`` gives mmdet's ``FoveaHead``.
    """

    def get_targets(self, batch_gt_instances, featmap_sizes, priors_list) -> tuple:
        """mmdet's flattened targets; kept (with sizes and points) for ``loss_corr``."""
        targets = super().get_targets(batch_gt_instances, featmap_sizes, priors_list)
        self._stash_corr_targets(featmap_sizes, priors_list, targets)
        return targets

    def loss_by_feat(
        self,
        cls_scores,
        bbox_preds,
        batch_gt_instances,
        batch_img_metas,
        batch_gt_instances_ignore=None,
    ) -> dict:
        """mmdet's losses (``loss_cls``, ``loss_bbox``) plus ``loss_corr`` when configured."""
        losses = super().loss_by_feat(
            cls_scores, bbox_preds, batch_gt_instances, batch_img_metas, batch_gt_instances_ignore
        )
        if not self.with_loss_corr:
            return losses
        featmap_sizes, points, (labels, bbox_targets) = self._pop_corr_targets()
        num_imgs = cls_scores[0].shape[0]
        # mmdet flattens Fovea's targets level by level, images within a level
        sizes = [num_imgs * int(h) * int(w) for h, w in featmap_sizes]
        rows = level_rows(
            cls_scores,
            bbox_preds,
            [p.repeat(num_imgs, 1) for p in points],
            labels.split(sizes),
            bbox_targets.split(sizes),
            self.num_classes,
        )
        base_len = torch.cat(  # each row's level edge, from Python numbers (no device copy)
            [
                torch.full((size,), float(edge), device=rows.deltas.device)
                for size, edge in zip(sizes, self.base_edge_list, strict=True)
            ]
        )
        canvas = batch_img_metas[0]["batch_input_shape"]
        pred_boxes = self._bbox_decode(rows.priors, rows.deltas, base_len, canvas)
        target_boxes = self._bbox_decode(rows.priors, rows.targets, base_len, canvas)
        return self.add_masked_loss_corr(losses, rows, pred_boxes, target_boxes)
