"""The toy of Figure 3.1 (``notebooks/toy_correlation.ipynb``): how the correlation of scores
with IoUs decides which box NMS keeps, and what AP50, AP75 and COCO AP see of it.

Two panels, each computed for positively and for negatively correlated scores: (a) four
overlapping detections of one object go through NMS (mmcv's); (b) three true positives and a
false positive are scored by :func:`corrlib.metrics.coco_ap`. Boxes are COCO ``[x, y, w, h]``
in pixels; IoUs are fractions; AP is in % (thesis units).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch
from mmcv.ops import nms

from corrlib import metrics

GT_BOX: tuple[float, float, float, float] = (20.0, 20.0, 40.0, 40.0)
"""The toy's ground-truth box, ``[x, y, w, h]`` in pixels."""

ORDERS: tuple[str, ...] = ("positively correlated", "negatively correlated")
"""The two score orders each panel compares: scores rising with IoU, and falling."""


def box_with_iou(gt: Sequence[float], iou: float) -> list[float]:
    """Return a box of the ground truth's size, shifted right so that its IoU with ``gt`` is
    ``iou`` (``[x, y, w, h]``, pixels)."""
    x, y, w, h = gt
    shift = w * (1 - iou) / (1 + iou)
    return [x + shift, y, w, h]


def nms_panel(
    iou_threshold: float,
    ious: Sequence[float] = (0.9, 0.75, 0.6, 0.5),
    scores: Sequence[float] = (0.8, 0.6, 0.4, 0.2),
    gt: Sequence[float] = GT_BOX,
) -> pd.DataFrame:
    """Panel (a): detections of one object with the given IoUs go through NMS at
    ``iou_threshold``, once scored ``scores`` in IoU order and once in reverse.

    Returns:
        One row per order (:data:`ORDERS`): ``scores``, ``kept after NMS`` (boxes kept) and
        ``IoU of kept box`` (the best IoU among those kept, a fraction).
    """
    overlaps = np.asarray(ious, dtype=float)
    boxes = np.array([box_with_iou(gt, i) for i in overlaps])
    xyxy = torch.tensor(np.c_[boxes[:, :2], boxes[:, :2] + boxes[:, 2:]], dtype=torch.float32)
    ordered = np.asarray(scores, dtype=float)
    rows = []
    for name, s in zip(ORDERS, (ordered, ordered[::-1]), strict=True):
        _, keep = nms(
            xyxy, torch.tensor(s.copy(), dtype=torch.float32), iou_threshold=iou_threshold
        )
        kept = keep.numpy()
        rows.append(
            {"scores": name, "kept after NMS": len(kept), "IoU of kept box": overlaps[kept].max()}
        )
    return pd.DataFrame(rows)


def ap_panel(
    tp_ious: Sequence[float] = (0.95, 0.8, 0.6),
    tp_scores: Sequence[float] = (0.9, 0.6, 0.3),
    gt: Sequence[float] = GT_BOX,
) -> pd.DataFrame:
    """Panel (b): one object per image in three images, a true positive on each (IoUs
    ``tp_ious``) and a false positive (score 0.7) on the first; the true positives are scored
    ``tp_scores`` in IoU order, then in reverse.

    Returns:
        One row per order (:data:`ORDERS`), indexed by ``scores``: ``AP50``, ``AP75`` and
        ``AP (COCO)`` (%, :func:`corrlib.metrics.coco_ap`).
    """
    images = range(1, len(tp_ious) + 1)
    gt_json = {
        "images": [{"id": k, "width": 100, "height": 100, "file_name": f"{k}.png"} for k in images],
        "categories": [{"id": 1, "name": "object"}],
        "annotations": [
            {"id": k, "image_id": k, "category_id": 1, "bbox": list(gt),
             "area": float(gt[2] * gt[3]), "iscrowd": 0}
            for k in images
        ],
    }  # fmt: skip
    tp_boxes = [box_with_iou(gt, i) for i in tp_ious]
    fp = {"image_id": 1, "category_id": 1, "bbox": [70.0, 70.0, 20.0, 20.0], "score": 0.7}
    rows = []
    for name, order in zip(ORDERS, (list(tp_scores), list(tp_scores)[::-1]), strict=True):
        dets = [
            {"image_id": k + 1, "category_id": 1, "bbox": b, "score": s}
            for k, (b, s) in enumerate(zip(tp_boxes, order, strict=True))
        ] + [fp]
        ap = metrics.coco_ap(gt_json, dets)
        rows.append(
            {
                "scores": name,
                "AP50": 100 * ap["AP50"],
                "AP75": 100 * ap["AP75"],
                "AP (COCO)": 100 * ap["AP"],
            }
        )
    return pd.DataFrame(rows).set_index("scores")
