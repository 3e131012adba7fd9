"""Correlation metrics, rank bounds and oLRP for object detection (thesis Chapter 3, Table 5.1).

Inputs are COCO files and COCO results; everything is a fraction (not %)::

    from corrlib import metrics
    metrics.coco_ap(gt_json, dets)          # AP, AP50, AP75, APs, APm, APl, per_class, per_iou
    metrics.olrp(gt_json, dets)             # oLRP, oLRP_Loc, oLRP_FP, oLRP_FN, per_class
    metrics.class_level_correlation(gt_json, dets)      # β_cls (Eq 3.2)
    metrics.image_level_correlation(pairs)              # β_img (Eq 3.1), pairs of (scores, ious)
    metrics.class_level_bounds(gt_json, dets)           # {"upper": AP⁺¹ dict, "lower": AP⁻¹ dict}
    metrics.analyse(gt_json, dets)          # all of the above (but β_img) from one COCO matching
    metrics.coco_mask_ap(gt_json, mask_dets)  # mask AP (COCO segm), dets with RLE segmentation

``gt_json`` is the path of a COCO annotation file (or its parsed dict); ``dets`` a list of dicts
with ``image_id``, ``category_id``, ``bbox`` (x, y, w, h in pixels) and ``score``. Bad input
raises ValueError naming the field and value. For the image-level bounds (Table 3.1) a
detector re-orders its positives' scores before NMS with `iou_ordered_permutation` and the
result is scored with `coco_ap`.

From a shell, ``corrlib-metrics --gt GT.json --dt DETECTIONS.json [--json OUT.json]`` (or
``python -m corrlib.metrics``) prints all of them for any detector's COCO results file
(`corrlib.metrics.summary` builds the dict it writes).

This package imports numpy, scipy and the COCO evaluators only (no torch, no mmdet); the
command adds tqdm for its progress bar.
"""

from corrlib.metrics.api import (
    analyse,
    class_level_bounds,
    class_level_correlation,
    class_level_correlation_summary,
    coco_ap,
    olrp,
)
from corrlib.metrics.correlation import (
    image_level_correlation,
    image_level_correlation_summary,
    spearman,
)
from corrlib.metrics.lrp import optimal_lrp
from corrlib.metrics.masks import coco_mask_ap
from corrlib.metrics.reordering import (
    iou_ordered_permutation,
    reorder_scores_by_iou,
    reorder_within_groups,
)

__all__ = [
    "analyse",
    "coco_ap",
    "coco_mask_ap",
    "olrp",
    "class_level_correlation",
    "class_level_correlation_summary",
    "image_level_correlation",
    "image_level_correlation_summary",
    "class_level_bounds",
    "iou_ordered_permutation",
    "reorder_scores_by_iou",
    "reorder_within_groups",
    "optimal_lrp",
    "spearman",
]
