"""One COCO evaluation that every metric shares: AP's precision array and the matches at 0.5.

faster-coco-eval (same numbers as pycocotools' COCOeval, in C++) runs COCO's matching once per
set of scores. From that single pass this module keeps

- COCO's accumulated ``precision`` array, for AP (`corrlib.metrics.ap`);
- for every detection, the ground truth it matches at IoU >= 0.5 (area range "all", at most
  100 detections per image and category, crowd regions ignored) and that IoU, for oLRP, β_cls
  and the class-level bounds.

The 0.5-matches are computed from the IoU matrices the AP pass already built: the C++ matcher is
called again with only the 0.5 threshold and the "all" area range, so no IoU is computed twice.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
from faster_coco_eval import COCO, COCOeval_faster
from faster_coco_eval import faster_eval_api_cpp as _fce_cpp

from corrlib.metrics.inputs import Detections, GroundTruth

__all__ = ["CocoEvaluation", "CocoSession", "MAX_DETS", "TAU"]

MAX_DETS = 100
TAU = 0.5
_ALL_AREAS = [0.0, 1e5**2]


def _quiet(*_args, **_kwargs) -> None:
    """A print function that prints nothing (faster-coco-eval reports progress through it)."""


@dataclass(frozen=True)
class CocoEvaluation:
    """COCO's evaluation of one set of detections, per detection and accumulated.

    Attributes:
        detections: the evaluated detections (N of them).
        category_ids: (K,) sorted category ids, the K axis of ``precision``.
        precision: COCO's ``precision`` array, (10, 101, K, 4, 3).
        evaluated: (N,) bool, the detection is among the 100 highest-scoring of its image and
            category (COCO disregards the others entirely).
        matched_gt: (N,) int64, 0-based index into the ground-truth annotations of the match at
            IoU >= 0.5, or -1.
        iou: (N,) float64 IoU with that match (NaN without a match).
        ignored: (N,) bool, matched to a crowd region: neither TP nor FP.
        n_gt: (K,) int64 number of non-crowd ground truths per category.
    """

    detections: Detections
    category_ids: np.ndarray
    precision: np.ndarray
    evaluated: np.ndarray
    matched_gt: np.ndarray
    iou: np.ndarray
    ignored: np.ndarray
    n_gt: np.ndarray

    @property
    def tp(self) -> np.ndarray:
        """(N,) bool: true positives at IoU >= 0.5."""
        return self.evaluated & (self.matched_gt >= 0) & ~self.ignored

    @property
    def fp(self) -> np.ndarray:
        """(N,) bool: false positives at IoU >= 0.5."""
        return self.evaluated & (self.matched_gt < 0)


class CocoSession:
    """The ground truth prepared once for any number of COCO evaluations.

    Args:
        gt: checked ground truth (`corrlib.metrics.inputs.load_ground_truth`).
    """

    def __init__(self, gt: GroundTruth):
        self.gt = gt
        dataset = gt.dataset
        annotations = []
        for index, ann in enumerate(dataset["annotations"]):
            box = [float(v) for v in ann["bbox"]]
            annotations.append(
                {
                    "id": index + 1,  # our own ids: 1-based, unique, and an index into the file
                    "image_id": int(ann["image_id"]),
                    "category_id": int(ann["category_id"]),
                    "bbox": box,
                    "area": float(ann.get("area", box[2] * box[3])),
                    "iscrowd": int(bool(ann.get("iscrowd", 0))),
                }
            )
        self._images = [{"id": int(i)} | _size(img) for i, img in _images_by_id(dataset)]
        self._categories = [{"id": int(c)} for c in gt.category_ids]
        self.coco_gt = COCO(print_function=_quiet)
        self.coco_gt.dataset = {
            "images": self._images,
            "annotations": annotations,
            "categories": self._categories,
        }
        self.coco_gt.createIndex()
        self.gt_crowd = np.array([a["iscrowd"] for a in annotations], dtype=bool)
        gt_category = np.array([a["category_id"] for a in annotations], dtype=np.int64)
        self.n_gt = np.array(
            [np.count_nonzero((gt_category == c) & ~self.gt_crowd) for c in gt.category_ids],
            dtype=np.int64,
        )

    def _coco_dt(self, dets: Detections) -> COCO:
        boxes = dets.bbox.tolist()
        annotations = [
            {
                "id": k + 1,
                "image_id": i,
                "category_id": c,
                "bbox": b,
                "score": s,
                "area": b[2] * b[3],
                "iscrowd": 0,
            }
            for k, (i, c, b, s) in enumerate(
                zip(
                    dets.image_id.tolist(),
                    dets.category_id.tolist(),
                    boxes,
                    dets.score.tolist(),
                    strict=True,
                )
            )
        ]
        coco_dt = COCO(print_function=_quiet)
        coco_dt.dataset = {
            "images": self._images,
            "annotations": annotations,
            "categories": self._categories,
        }
        coco_dt.createIndex()
        return coco_dt

    def _run(self, dets: Detections) -> COCOeval_faster:
        evaluator = COCOeval_faster(
            self.coco_gt, self._coco_dt(dets), "bbox", print_function=_quiet
        )
        evaluator.evaluate()
        evaluator.accumulate()
        return evaluator

    def precision(self, dets: Detections) -> np.ndarray:
        """COCO's precision array (10, 101, K, 4, 3) for these detections (AP only, no matches)."""
        return np.asarray(self._run(dets).eval["precision"], dtype=np.float64)

    def evaluate(self, dets: Detections) -> CocoEvaluation:
        """Evaluate detections: COCO's precision array and every detection's match at 0.5."""
        evaluator = self._run(dets)
        matches = _matches_at_tau(evaluator)
        n = len(dets)
        matched_gt = np.full(n, -1, dtype=np.int64)
        iou = np.full(n, math.nan)
        if matches:
            keys = np.array(
                [tuple(map(int, key.split("_", 1))) for key in matches], dtype=np.int64
            ).reshape(-1, 2)
            matched_gt[keys[:, 0] - 1] = keys[:, 1] - 1
            iou[keys[:, 0] - 1] = np.fromiter(matches.values(), dtype=np.float64, count=len(keys))
        ignored = np.zeros(n, dtype=bool)
        has_match = matched_gt >= 0
        ignored[has_match] = self.gt_crowd[matched_gt[has_match]]
        return CocoEvaluation(
            detections=dets,
            category_ids=self.gt.category_ids,
            precision=np.asarray(evaluator.eval["precision"], dtype=np.float64),
            evaluated=top_k_per_group(dets.image_id, dets.category_id, dets.score, MAX_DETS),
            matched_gt=matched_gt,
            iou=iou,
            ignored=ignored,
            n_gt=self.n_gt,
        )


def _images_by_id(dataset: dict):
    seen = {}
    for img in dataset["images"]:
        seen.setdefault(int(img["id"]), img)
    return sorted(seen.items())


def _size(img: dict) -> dict:
    return {k: img[k] for k in ("width", "height") if k in img}


def _matches_at_tau(evaluator: COCOeval_faster) -> dict:
    """COCO's matches at IoU >= 0.5, area "all", 100 detections: ``"dtid_gtid" -> IoU``.

    faster-coco-eval reports the union of the matches over every IoU threshold and area range;
    re-running its C++ matcher on the IoUs already computed, with only the first threshold and
    the "all" range, gives exactly pycocotools' ``dtMatches`` at 0.5 (tests check this).
    """
    params = copy.deepcopy(evaluator._paramsEval)
    params.iouThrs = np.array([TAU])
    params.areaRng = [_ALL_AREAS]
    params.areaRngLbl = ["all"]
    params.maxDets = [MAX_DETS]
    p = evaluator.params
    cat_ids = p.catIds if p.useCats else [-1]
    ious = [[evaluator.ious[img, cat] for cat in cat_ids] for img in p.imgIds]
    result = _fce_cpp.COCOevalEvaluateAccumulate(
        params,
        ious,
        evaluator.gt_dataset,
        evaluator.dt_dataset,
        p.imgIds,
        p.catIds,
        bool(p.useCats),
    )
    return result["matched"]


def top_k_per_group(image_id, category_id, score, k: int) -> np.ndarray:
    """Which detections COCO evaluates: the ``k`` highest scores of each image and category.

    Returns:
        (N,) bool mask. Equal scores keep the input order, as COCO's stable sort does.
    """
    image_id = np.asarray(image_id)
    category_id = np.asarray(category_id)
    score = np.asarray(score, dtype=np.float64)
    n = score.size
    if n == 0:
        return np.zeros(0, dtype=bool)
    order = np.lexsort((np.arange(n), -score, category_id, image_id))
    img_sorted = image_id[order]
    cat_sorted = category_id[order]
    starts = np.ones(n, dtype=bool)
    starts[1:] = (img_sorted[1:] != img_sorted[:-1]) | (cat_sorted[1:] != cat_sorted[:-1])
    start_index = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    rank = np.arange(n) - start_index
    keep = np.empty(n, dtype=bool)
    keep[order] = rank < k
    return keep
