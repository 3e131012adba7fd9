"""Pre-NMS positives of NMS-based dense heads, and post-processing with re-ordered scores.

For β_img (thesis Eq. 3.1) and the image-level bounds AP⁺¹ / AP⁻¹ (Table 3.1) a detector must
expose, per image, the scores and IoUs of its positive detections *before* NMS, and must be able
to run NMS again after the positives' scores have been re-ordered to follow (or oppose) the IoU
order. :class:`PreNMSPositivesMixin` does both for any head whose post-processing goes through
mmdet's ``_bbox_post_process`` (RetinaNet, FoveaBox, ATSS, PAA, ...). Switched on from the
head's ``test_cfg``::

    test_cfg=dict(..., emit_pre_nms_positives=True,      # attach `pre_nms_positives`
                  score_permutation=None,              # or 'upper' / 'lower'
                  pre_nms_iou_thr=0.5)

Definitions (documented here once, used by every head):

- **Candidates** are the (box, class, score) triples that enter NMS: what mmdet keeps after
  ``score_thr`` and ``nms_pre``, with the score NMS ranks by (``cls × centerness`` with ATSS's
  centerness head, ``sqrt(cls × IoU-pred)`` with PAA's IoU head, the class probability
  otherwise), boxes in the coordinates of the ground truth (the original image when testing
  with ``rescale=True``).
- A candidate is a **positive** when its box has IoU ≥ ``pre_nms_iou_thr`` (0.5) with a
  ground-truth box *of its own class* (crowd / ignored boxes are not ground truth here). This is
  the test-time counterpart of Eq. 3.1's "positive detections before NMS": the thesis assigns
  each positive to a ground truth; at test time there are no assigner targets, so assignment
  is by IoU with a ground truth of the same class, whose probability is then the candidate's
  score (ŝ of the ground-truth class). Its **IoU** is the largest such IoU.
- **Permutation** (``score_permutation``): within the image, the positives' scores are
  reassigned by IoU order: ``'upper'`` gives the highest score to the highest IoU (β_img = 1),
  ``'lower'`` the highest score to the lowest IoU (β_img = −1); ties in IoU keep candidate
  order. Negatives' scores, other classes' scores and all boxes are untouched (§3.2.1), then NMS
  runs as usual.

Each prediction data sample then carries ``pre_nms_positives``, an ``InstanceData`` with
``scores`` (the positives' scores as they entered NMS, so after any permutation), ``ious`` and
``labels`` (1-D tensors of one length). Testing requires ``gt_instances`` in the data samples,
in the coordinates of the predictions: mmdet's test pipelines load annotations after
``Resize`` (original-image coordinates) and predict with ``rescale=True``, which matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from mmdet.structures.bbox import bbox_overlaps, get_box_tensor, scale_boxes
from mmengine.structures import InstanceData
from torch import Tensor

from corrlib.metrics.reordering import iou_ordered_permutation

PERMUTATIONS: tuple[str, ...] = ("upper", "lower")


def match_positives(
    boxes: Tensor,
    labels: Tensor,
    gt_boxes: Tensor,
    gt_labels: Tensor,
    iou_thr: float = 0.5,
) -> tuple[Tensor, Tensor]:
    """Which candidates are positives, and their IoUs.

    Args:
        boxes: candidate boxes, (n, 4), x1y1x2y2.
        labels: candidate classes, (n,).
        gt_boxes: ground-truth boxes of the image, (g, 4), same coordinates.
        gt_labels: their classes, (g,).
        iou_thr: the IoU a positive needs with a ground truth of its class.

    Returns:
        (mask, ious): ``mask`` (n,) bool marks positives; ``ious`` (n,) is each candidate's
        largest IoU with a ground truth of its own class (0 when there is none).
    """
    n = boxes.shape[0]
    if n == 0 or gt_boxes.shape[0] == 0:
        zeros = boxes.new_zeros(n)
        return zeros.bool(), zeros
    overlaps = bbox_overlaps(boxes.float(), gt_boxes.to(boxes.device).float())  # (n, g)
    same_class = labels.view(-1, 1) == gt_labels.to(labels.device).view(1, -1)
    ious = overlaps.masked_fill(~same_class, 0.0).max(dim=1).values
    return ious >= iou_thr, ious


def permute_positive_scores(scores: Tensor, mask: Tensor, ious: Tensor, mode: str) -> Tensor:
    """Re-order the positives' scores by IoU; return a new score tensor.

    Args:
        scores: candidate scores, (n,).
        mask: positives, (n,) bool.
        ious: candidates' IoUs, (n,).
        mode: ``'upper'`` (highest score to highest IoU) or ``'lower'`` (to lowest IoU).

    Returns:
        A copy of ``scores`` whose positive entries hold the same multiset of values, ranked by
        IoU as ``mode`` says (:func:`corrlib.metrics.reordering.iou_ordered_permutation`: positives
        with equal IoUs keep their scores' original order); other entries unchanged.
    """
    if mode not in PERMUTATIONS:
        raise ValueError(f"score_permutation must be one of {PERMUTATIONS} or None, got {mode!r}")
    out = scores.clone()
    pos = mask.nonzero().squeeze(1)
    if pos.numel() < 2:
        return out
    # the same rule as the class-level bounds (corrlib.metrics), ties in IoU included
    perm = iou_ordered_permutation(
        scores[pos].detach().cpu().numpy(),
        ious[pos].detach().cpu().numpy(),
        direction=1 if mode == "upper" else -1,
    )
    out[pos] = scores[pos][torch.as_tensor(perm, device=scores.device)]
    return out


@dataclass
class _PreNMSState:
    """What one ``predict`` call needs to find and record each image's positives."""

    gts: list[InstanceData]
    iou_thr: float
    permutation: str | None
    index: dict[int, int] = field(default_factory=dict)  # id(img_meta) -> image index
    found: dict[int, InstanceData] = field(default_factory=dict)


class PreNMSPositivesMixin:
    """Emits ``pre_nms_positives`` and re-orders positives' scores before NMS (see module doc).

    Place it before the mmdet head among the bases. Heads whose candidates are not the base
    dense head's flat (bboxes, scores, labels) form override :meth:`_apply_pre_nms`.
    """

    _pre_nms: _PreNMSState | None = None

    # ---- switches -------------------------------------------------------------------------
    def _pre_nms_settings(self) -> tuple[bool, str | None, float]:
        cfg = getattr(self, "test_cfg", None) or {}
        permutation = cfg.get("score_permutation", None)
        if permutation is not None and permutation not in PERMUTATIONS:
            raise ValueError(
                f"test_cfg.score_permutation must be one of {PERMUTATIONS} or None, "
                f"got {permutation!r}"
            )
        emit = bool(cfg.get("emit_pre_nms_positives", False))
        return emit or permutation is not None, permutation, float(cfg.get("pre_nms_iou_thr", 0.5))

    # ---- the test-time entry points of mmdet's dense heads ----------------------------------
    def predict(self, x, batch_data_samples, rescale: bool = False):
        """mmdet's ``predict``; with the switches on, also attaches ``pre_nms_positives``."""
        active, permutation, iou_thr = self._pre_nms_settings()
        if not active:
            return super().predict(x, batch_data_samples, rescale=rescale)
        gts = []
        for i, sample in enumerate(batch_data_samples):
            if "gt_instances" not in sample:
                raise ValueError(
                    f"pre-NMS positives need ground truth at test time, but data sample {i} "
                    f"({sample.metainfo.get('img_path', '?')}) has no gt_instances: load "
                    "annotations in the test pipeline (LoadAnnotations before PackDetInputs)"
                )
            gts.append(sample.gt_instances)
        self._pre_nms = _PreNMSState(gts=gts, iou_thr=iou_thr, permutation=permutation)
        try:
            results = super().predict(x, batch_data_samples, rescale=rescale)
            for i, sample in enumerate(batch_data_samples):
                sample.pre_nms_positives = self._pre_nms.found.get(i) or _empty_positives(
                    results[i].scores
                )
        finally:
            self._pre_nms = None
        return results

    def predict_by_feat(self, *args, batch_img_metas=None, **kwargs):
        """mmdet's ``predict_by_feat``; remembers which image each meta dict belongs to."""
        if self._pre_nms is not None and batch_img_metas is not None:
            self._pre_nms.index = {id(meta): i for i, meta in enumerate(batch_img_metas)}
        return super().predict_by_feat(*args, batch_img_metas=batch_img_metas, **kwargs)

    def _bbox_post_process(
        self,
        results: InstanceData,
        cfg,
        rescale: bool = False,
        with_nms: bool = True,
        img_meta: dict | None = None,
    ) -> InstanceData:
        """mmdet's post-processing, with positives recorded / re-scored just before NMS."""
        image = self._pre_nms_image(img_meta)
        if image is None:
            return super()._bbox_post_process(results, cfg, rescale, with_nms, img_meta)
        if rescale:
            results.bboxes = scale_boxes(results.bboxes, [1 / s for s in img_meta["scale_factor"]])
        results = self._apply_pre_nms(image, results, cfg)
        return super()._bbox_post_process(results, cfg, False, with_nms, img_meta)

    # ---- helpers ----------------------------------------------------------------------------
    def _pre_nms_image(self, img_meta: dict | None) -> int | None:
        """Index of the image being post-processed when positives are wanted, else None."""
        if self._pre_nms is None or img_meta is None:
            return None
        return self._pre_nms.index.get(id(img_meta))

    def _apply_pre_nms(self, image: int, results: InstanceData, cfg) -> InstanceData:
        """Record / re-order the positives among flat candidates (bboxes, scores, labels).

        ``score_factors`` (centerness) are folded into ``scores`` first, as mmdet does right
        before NMS, so the recorded score is the one NMS ranks by.
        """
        if "score_factors" in results:
            results.scores = results.scores * results.pop("score_factors")
        results.scores = self._record_pre_nms(
            image, get_box_tensor(results.bboxes), results.labels, results.scores
        )
        return results

    def _record_pre_nms(self, image: int, boxes: Tensor, labels: Tensor, scores: Tensor) -> Tensor:
        """Find the image's positives among candidates, store them, return (permuted) scores."""
        state = self._pre_nms
        gt = state.gts[image]
        mask, ious = match_positives(
            boxes, labels, get_box_tensor(gt.bboxes), gt.labels, state.iou_thr
        )
        if state.permutation is not None:
            scores = permute_positive_scores(scores, mask, ious, state.permutation)
        state.found[image] = InstanceData(
            scores=scores[mask].detach(), ious=ious[mask].detach(), labels=labels[mask].detach()
        )
        return scores


def _empty_positives(like: Tensor) -> InstanceData:
    """No positives: empty ``scores``, ``ious`` and ``labels`` on ``like``'s device."""
    empty = like.new_zeros(0)
    return InstanceData(scores=empty, ious=empty.clone(), labels=empty.long())


__all__ = [
    "PERMUTATIONS",
    "PreNMSPositivesMixin",
    "match_positives",
    "permute_positive_scores",
]
