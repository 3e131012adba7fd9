"""YOLACT's box head with Correlation Loss on its box positives (thesis §5.2.3, Table 5.3).

YOLACT (instance segmentation) detects boxes with an anchor head trained with softmax
cross-entropy and OHEM, and assembles masks from prototypes with the coefficients of its
positive anchors. Correlation Loss acts on the box branch: over the positive anchors of the
batch, ŝ is the softmax probability of the ground-truth class and IoU is the overlap of the
decoded box with its ground-truth box. The mask branch is unchanged.

Config::

    bbox_head=dict(type='CorrYOLACTHead', ...,
                   loss_corr=dict(type='CorrelationLoss', kind='spearman', loss_weight=0.5))

With ``loss_corr=None`` the head is exactly mmdet's ``YOLACTHead``.

Test time: the switches of :mod:`corrlib.integration.heads.pre_nms`
(``emit_pre_nms_positives``, ``score_permutation``) work as for the other NMS-based heads.
YOLACT post-processes with Fast NMS on a (box, class) score matrix rather than through mmdet's
common ``_bbox_post_process``, so its candidates are defined here: among the ``nms_pre``
anchors, each class's ``top_k`` highest-scoring boxes whose softmax score exceeds ``score_thr``
— the (box, class, score) triples Fast NMS can keep. Positives are matched against the ground
truth in original-image coordinates, while the boxes themselves stay in the coordinates
YOLACT's mask head expects.

How: mmdet's ``YOLACTHead.loss_by_feat`` hands each image (OHEM) or each level (without OHEM)
to a per-call loss method with the flattened scores, box deltas, anchors and targets. This head
lets those calls run unchanged and records, beside them, the positives they see; it then
computes L_corr once over the whole batch. So the positives are exactly the anchors that
mmdet's box loss regresses, and nothing is recomputed.
"""

from __future__ import annotations

import torch
from mmdet.models.dense_heads import YOLACTHead
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, InstanceList, OptInstanceList
from mmengine.structures import InstanceData
from torch import Tensor

from corrlib.integration.heads.box_maths import decode_with
from corrlib.integration.heads.corr_mixin import CorrelationLossMixin
from corrlib.integration.heads.pre_nms import PreNMSPositivesMixin
from corrlib.integration.heads.sparse_rcnn import scores_and_ious


@MODELS.register_module()
class CorrYOLACTHead(CorrelationLossMixin, PreNMSPositivesMixin, YOLACTHead):
    """:class:`YOLACTHead` plus an optional Correlation Loss on its box positives, and
    test-time pre-NMS positives (see the module docstring).

    Args:
        loss_corr: config of the Correlation Loss (e.g. ``dict(type='CorrelationLoss',
            kind='spearman', loss_weight=0.5)``), or None for mmdet's YOLACTHead unchanged.
        **kwargs: everything :class:`YOLACTHead` takes.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # (cls_score, bbox_pred, anchors, labels, bbox_targets) rows seen by the per-image /
        # per-level loss calls of one ``loss_by_feat``; None outside it.
        self._corr_positives: list[tuple[Tensor, ...]] | None = None

    def loss_by_feat(
        self,
        cls_scores: list[Tensor],
        bbox_preds: list[Tensor],
        coeff_preds: list[Tensor],
        batch_gt_instances: InstanceList,
        batch_img_metas: list[dict],
        batch_gt_instances_ignore: OptInstanceList = None,
    ) -> dict:
        """YOLACTHead's losses, plus ``loss_corr`` over the batch's box positives."""
        if not self.with_loss_corr:
            return super().loss_by_feat(
                cls_scores,
                bbox_preds,
                coeff_preds,
                batch_gt_instances,
                batch_img_metas,
                batch_gt_instances_ignore,
            )
        self._corr_positives = []
        try:
            losses = super().loss_by_feat(
                cls_scores,
                bbox_preds,
                coeff_preds,
                batch_gt_instances,
                batch_img_metas,
                batch_gt_instances_ignore,
            )
            records = self._corr_positives
            rows = [torch.cat(parts) for parts in zip(*records, strict=True)]
        finally:
            self._corr_positives = None
        # with OHEM (YOLACT's default) mmdet computes the loss image by image, so each record
        # is one image: the groups of grouping 'image_sum'
        record_ids = torch.cat(
            [torch.full_like(rec[3], i) for i, rec in enumerate(records)]  # one id per row
        )
        if getattr(self.loss_corr, "grouping", "batch") == "image_sum" and not self.use_ohem:
            raise ValueError(
                "CorrelationLoss grouping 'image_sum' on YOLACT needs use_ohem=True (mmdet "
                "computes the loss image by image only then)"
            )
        positive = self._positives(rows[3])
        scores, ious = self._row_scores_and_ious(*rows)
        if not getattr(self.loss_corr, "takes_weights", False):
            keep = positive.nonzero().squeeze(1)
            losses["loss_corr"] = self.loss_corr(scores[keep], ious[keep])
            return losses
        losses["loss_corr"] = self.loss_corr(
            scores, ious, images=record_ids, weights=positive.float(), num_images=len(records)
        )
        return losses

    def OHEMloss_by_feat_single(  # noqa: N802  (mmdet's name)
        self,
        cls_score: Tensor,
        bbox_pred: Tensor,
        anchors: Tensor,
        labels: Tensor,
        label_weights: Tensor,
        bbox_targets: Tensor,
        bbox_weights: Tensor,
        avg_factor: int,
    ) -> tuple:
        """mmdet's OHEM loss of one image; records its positives for L_corr."""
        out = super().OHEMloss_by_feat_single(
            cls_score,
            bbox_pred,
            anchors,
            labels,
            label_weights,
            bbox_targets,
            bbox_weights,
            avg_factor,
        )
        self._record_positives(cls_score, bbox_pred, anchors, labels, bbox_targets)
        return out

    def loss_by_feat_single(
        self,
        cls_score: Tensor,
        bbox_pred: Tensor,
        anchors: Tensor,
        labels: Tensor,
        label_weights: Tensor,
        bbox_targets: Tensor,
        bbox_weights: Tensor,
        avg_factor: int,
    ) -> tuple:
        """mmdet's loss of one level (``use_ohem=False``); records its positives for L_corr."""
        out = super().loss_by_feat_single(
            cls_score,
            bbox_pred,
            anchors,
            labels,
            label_weights,
            bbox_targets,
            bbox_weights,
            avg_factor,
        )
        self._record_positives(
            cls_score.permute(0, 2, 3, 1).reshape(-1, self.cls_out_channels),
            bbox_pred.permute(0, 2, 3, 1).reshape(-1, self.bbox_coder.encode_size),
            anchors,
            labels,
            bbox_targets,
        )
        return out

    def _record_positives(
        self,
        cls_score: Tensor,
        bbox_pred: Tensor,
        anchors: Tensor,
        labels: Tensor,
        bbox_targets: Tensor,
    ) -> None:
        """Keep these rows for L_corr (no-op outside ``loss_by_feat`` with a Correlation
        Loss); the positives are masked once per batch, in :meth:`_row_scores_and_ious`.

        Args:
            cls_score: logits, shape (M, C + 1) (softmax) or (M, C) (sigmoid).
            bbox_pred: box deltas (or decoded boxes when ``reg_decoded_bbox``), shape (M, 4).
            anchors, labels, bbox_targets: the matching anchors, labels (background = C) and
                regression targets, any shape that flattens to M rows.
        """
        if self._corr_positives is None:
            return
        m = cls_score.shape[0]
        self._corr_positives.append(
            (
                cls_score,
                bbox_pred.reshape(m, -1),
                anchors.reshape(m, -1),
                labels.reshape(m),
                bbox_targets.reshape(m, -1),
            )
        )

    def _positives(self, labels: Tensor) -> Tensor:
        """Which rows are positives (labels in [0, num_classes)), a 1-D bool tensor."""
        return (labels >= 0) & (labels < self.num_classes)

    def _row_scores_and_ious(
        self,
        cls_score: Tensor,
        bbox_pred: Tensor,
        anchors: Tensor,
        labels: Tensor,
        bbox_targets: Tensor,
    ) -> tuple[Tensor, Tensor]:
        """ŝ (probability of the assigned class; of class 0 for a background row) and IoU
        (decoded box vs. its decoded target) of every row, both on their graphs; the caller
        masks the positives, so nothing is selected on the device."""
        boxes, targets = bbox_pred, bbox_targets
        if not self.reg_decoded_bbox:
            boxes = decode_with(self.bbox_coder, anchors, boxes)
            targets = decode_with(self.bbox_coder, anchors, targets)
        labels = labels.clamp(min=0, max=self.num_classes - 1)
        return scores_and_ious(cls_score, labels, boxes, targets, self.use_sigmoid_cls)

    # ---- test time: pre-NMS positives ------------------------------------------------------
    def _bbox_post_process(
        self,
        multi_bboxes: Tensor,
        multi_scores: Tensor,
        multi_coeffs: Tensor,
        cfg: ConfigType,
        rescale: bool = False,
        img_meta: dict | None = None,
        **kwargs,
    ) -> InstanceData:
        """YOLACT's Fast-NMS post-processing, with positives recorded / re-scored before it.

        (YOLACT's signature, not that of mmdet's common post-processing that
        :class:`PreNMSPositivesMixin` wraps, hence the explicit call to YOLACTHead's.)
        """
        image = self._pre_nms_image(img_meta)
        if image is not None:
            multi_scores = self._yolact_pre_nms(image, multi_bboxes, multi_scores, cfg, img_meta)
        return YOLACTHead._bbox_post_process(
            self,
            multi_bboxes=multi_bboxes,
            multi_scores=multi_scores,
            multi_coeffs=multi_coeffs,
            cfg=cfg,
            rescale=rescale,
            img_meta=img_meta,
            **kwargs,
        )

    def _yolact_pre_nms(
        self, image: int, boxes: Tensor, scores: Tensor, cfg: ConfigType, img_meta: dict
    ) -> Tensor:
        """Record the image's positives among the Fast-NMS candidates; return the score
        matrix with their scores permuted (a copy) when a permutation is asked for.

        Args:
            image: index of the image in the batch.
            boxes: decoded boxes, (n, 4), in network-input coordinates.
            scores: class probabilities, (n, C + 1) with background last (softmax), or
                (n, C) (sigmoid).
            cfg: the test config (``score_thr``, ``top_k``).
            img_meta: the image's meta (``scale_factor`` maps boxes to the original image).
        """
        num_fg = self.num_classes
        fg = scores[:, :num_fg]
        candidates = fg > cfg.score_thr
        top_k = min(int(cfg.top_k), fg.shape[0])
        if top_k < fg.shape[0]:  # Fast NMS keeps each class's top_k boxes
            in_top_k = torch.zeros_like(candidates)
            in_top_k.scatter_(0, fg.topk(top_k, dim=0).indices, True)
            candidates &= in_top_k
        rows, labels = candidates.nonzero(as_tuple=True)
        match_boxes = boxes[rows]
        scale = img_meta.get("scale_factor")
        if scale is not None:  # ground truth is in original-image coordinates
            match_boxes = match_boxes / match_boxes.new_tensor(scale).repeat(2)
        new = self._record_pre_nms(image, match_boxes, labels, fg[rows, labels])
        if self._pre_nms.permutation is None:
            return scores
        scores = scores.clone()
        scores[rows, labels] = new
        return scores
