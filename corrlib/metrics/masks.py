"""Mask AP: COCO's segmentation AP (``iouType="segm"``) of instance masks (thesis Table 5.3).

`coco_mask_ap` scores detections that carry a mask, as an instance-segmentation model (YOLACT)
produces them, against COCO ground truth whose ``segmentation`` is a polygon list or an RLE
(uncompressed, as the embedded dataset writes it, or compressed). The IoU of a detection and a
ground truth is the IoU of their masks; everything else is COCO's AP (faster-coco-eval, the
same numbers as pycocotools' ``COCOeval(..., "segm")``). The correlation metrics (β_img, β_cls,
the bounds, oLRP) stay on boxes: this module adds AP only.

A detection's ``segmentation`` is an RLE ``{"size": [height, width], "counts": ...}`` of a
binary mask of its whole image (``pycocotools.mask.encode`` of a Fortran-ordered uint8 array,
``counts`` as bytes or str; an uncompressed RLE with a list of ``counts`` is accepted too).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from faster_coco_eval import COCO, COCOeval_faster
from faster_coco_eval.core import mask as mask_utils

from corrlib.metrics.ap import summarise_precision
from corrlib.metrics.inputs import GroundTruth, load_ground_truth

__all__ = ["coco_mask_ap"]


def _quiet(*_args, **_kwargs) -> None:
    """A print function that prints nothing (faster-coco-eval reports progress through it)."""


def _image_sizes(gt: GroundTruth) -> dict[int, tuple[int, int]]:
    """Return image id -> (height, width) in pixels; ValueError names an image without them."""
    sizes = {}
    for img in gt.dataset["images"]:
        if "height" not in img or "width" not in img:
            raise ValueError(f"ground-truth image {img.get('id')} lacks 'height' or 'width'")
        sizes[int(img["id"])] = (int(img["height"]), int(img["width"]))
    return sizes


def _compressed_rle(segmentation, size: tuple[int, int], where: str) -> dict:
    """Return a detection's mask as a compressed RLE, after checking its form and size.

    Raises:
        ValueError: ``where`` names the detection: not an RLE dict, or another size than its
            image's ``(height, width)``.
    """
    if not isinstance(segmentation, Mapping) or not {"size", "counts"} <= set(segmentation):
        raise ValueError(f"{where}: segmentation must be an RLE dict with 'size' and 'counts'")
    got = [int(v) for v in segmentation["size"]]
    if got != list(size):
        raise ValueError(
            f"{where}: mask size {got} differs from its image's [height, width] {list(size)}"
        )
    counts = segmentation["counts"]
    if isinstance(counts, list):  # uncompressed RLE
        return mask_utils.frPyObjects(dict(segmentation), size[0], size[1])
    if isinstance(counts, str):
        counts = counts.encode("ascii")
    if not isinstance(counts, bytes):
        raise ValueError(
            f"{where}: RLE counts must be bytes, str or a list, got {type(counts).__name__}"
        )
    return {"size": got, "counts": counts}


def _indexed_coco(
    annotations: list[dict], gt: GroundTruth, sizes: dict[int, tuple[int, int]]
) -> COCO:
    """A faster-coco-eval COCO object of these annotations on the ground truth's images and
    categories, indexed."""
    coco = COCO(print_function=_quiet)
    coco.dataset = {
        "images": [{"id": i, "height": h, "width": w} for i, (h, w) in sorted(sizes.items())],
        "annotations": annotations,
        "categories": [{"id": int(c)} for c in gt.category_ids],
    }
    coco.createIndex()
    return coco


def _ground_truth_coco(gt: GroundTruth, sizes: dict[int, tuple[int, int]]) -> COCO:
    """The ground truth as faster-coco-eval's COCO object, with masks (ids renumbered 1..N)."""
    annotations = []
    for index, ann in enumerate(gt.dataset["annotations"]):
        if "segmentation" not in ann:
            raise ValueError(f"ground-truth annotation {ann.get('id')} lacks 'segmentation'")
        annotations.append(
            {
                "id": index + 1,
                "image_id": int(ann["image_id"]),
                "category_id": int(ann["category_id"]),
                "segmentation": ann["segmentation"],
                "bbox": [float(v) for v in ann["bbox"]],
                "area": float(ann.get("area", ann["bbox"][2] * ann["bbox"][3])),
                "iscrowd": int(bool(ann.get("iscrowd", 0))),
            }
        )
    return _indexed_coco(annotations, gt, sizes)


def _detections_coco(dets, gt: GroundTruth, sizes: dict[int, tuple[int, int]]) -> COCO:
    """The detections as a COCO object: compressed RLE masks, their areas and enclosing boxes.

    Raises:
        ValueError: naming the detection's index and field: not a dict, a missing field, an
            unknown image or category id, a non-finite score, a mask that is not an RLE of its
            image's size.
    """
    categories = set(gt.category_ids.tolist())
    annotations = []
    for i, det in enumerate(dets):
        where = f"detection {i}"
        if not isinstance(det, Mapping):
            raise ValueError(f"{where} must be a dict, got {type(det).__name__}")
        for field in ("image_id", "category_id", "score", "segmentation"):
            if field not in det:
                raise ValueError(f"{where} lacks '{field}'")
        image_id, category_id = int(det["image_id"]), int(det["category_id"])
        if image_id not in sizes:
            raise ValueError(f"{where}: unknown image_id {det['image_id']}")
        if category_id not in categories:
            raise ValueError(f"{where}: unknown category_id {det['category_id']}")
        score = float(det["score"])
        if not math.isfinite(score):
            raise ValueError(f"{where}: score must be finite, got {det['score']!r}")
        rle = _compressed_rle(det["segmentation"], sizes[image_id], where)
        annotations.append(
            {
                "id": i + 1,
                "image_id": image_id,
                "category_id": category_id,
                "segmentation": rle,
                "score": score,
                # sized by the mask, as pycocotools' loadRes does for results without a bbox
                "area": float(mask_utils.area(rle)),
                "bbox": [float(v) for v in mask_utils.toBbox(rle)],
                "iscrowd": 0,
            }
        )
    return _indexed_coco(annotations, gt, sizes)


def coco_mask_ap(gt_json, dets) -> dict:
    """COCO segmentation AP of instance masks (pycocotools' ``segm`` numbers).

    Args:
        gt_json: path of a COCO annotation file (or its parsed dict) whose images have
            ``height`` and ``width`` and whose annotations have a ``segmentation`` (polygons
            or RLE).
        dets: list of dicts with ``image_id``, ``category_id``, ``score`` and ``segmentation``
            (RLE of the image's size, see the module docstring); a ``bbox`` is ignored, and
            the small / medium / large ranges use the mask's area.

    Returns:
        Fractions in [0, 1] (not %), as `corrlib.metrics.coco_ap` but with mask IoU: ``AP``
        (IoU 0.50:0.95), ``AP50``, ``AP75``, ``APs``, ``APm``, ``APl`` (NaN where no ground
        truth has that size) and ``per_class``: category id -> mask AP.

    Raises:
        ValueError: bad ground truth (see `corrlib.metrics.coco_ap`; also an annotation without
            ``segmentation`` or an image without its size) or a bad detection (the message
            names its index and the field).
    """
    gt = load_ground_truth(gt_json)
    sizes = _image_sizes(gt)
    coco_gt = _ground_truth_coco(gt, sizes)
    coco_dt = _detections_coco(dets, gt, sizes)
    evaluator = COCOeval_faster(coco_gt, coco_dt, "segm", print_function=_quiet)
    evaluator.evaluate()
    evaluator.accumulate()
    precision = np.asarray(evaluator.eval["precision"], dtype=np.float64)
    return summarise_precision(precision, gt.category_ids)
