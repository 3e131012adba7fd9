"""Mask AP (COCO segm): equal to pycocotools' COCOeval "segm", and scored on masks, not boxes."""

from __future__ import annotations

import contextlib
import copy
import io
import math

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from corrlib.metrics import coco_ap, coco_mask_ap

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

KEYS = ("AP", "AP50", "AP75", "APs", "APm", "APl")
HEIGHT, WIDTH = 96, 128


def _uncompressed_rle(mask: np.ndarray) -> dict:
    """The uncompressed RLE (column-major runs, starting with zeros) the embedded set writes."""
    flat = mask.flatten(order="F").astype(np.int64)
    changes = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], changes, [flat.size]])
    counts = np.diff(bounds).tolist()
    if flat[0] == 1:
        counts = [0, *counts]
    return {"size": [HEIGHT, WIDTH], "counts": counts}


def _compressed(mask: np.ndarray) -> dict:
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": [int(v) for v in rle["size"]], "counts": rle["counts"].decode("ascii")}


def _random_case(seed: int) -> tuple[dict, list[dict]]:
    """Ground truth with RLE (category 1) and polygon (category 2) masks of varied sizes, and
    shifted, shrunk, mislabelled or spurious mask detections."""
    rng = np.random.default_rng(seed)
    images = [{"id": i, "height": HEIGHT, "width": WIDTH} for i in range(1, 6)]
    annotations, gt_masks = [], []
    for image in images:
        for _ in range(int(rng.integers(1, 4))):
            category = int(rng.integers(1, 3))
            h, w = (int(v) for v in rng.integers(6, 70, size=2))  # small and medium
            y, x = int(rng.integers(0, HEIGHT - h)), int(rng.integers(0, WIDTH - w))
            if category == 1:  # an ellipse, as an uncompressed RLE
                yy, xx = np.mgrid[:HEIGHT, :WIDTH]
                cy, cx = y + h / 2, x + w / 2
                mask = ((yy - cy) / (h / 2)) ** 2 + ((xx - cx) / (w / 2)) ** 2 <= 1
                segmentation = _uncompressed_rle(mask)
            else:  # a triangle, as a polygon
                segmentation = [[float(x), float(y + h), float(x + w), float(y + h), x + w / 2, y]]
                mask = mask_utils.decode(
                    mask_utils.merge(mask_utils.frPyObjects(segmentation, HEIGHT, WIDTH))
                ).astype(bool)
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": image["id"],
                    "category_id": category,
                    "segmentation": segmentation,
                    "area": float(mask.sum()),
                    "bbox": [float(x), float(y), float(w), float(h)],
                    "iscrowd": 0,
                }
            )
            gt_masks.append(mask)
    dets = []
    for ann, mask in zip(annotations, gt_masks, strict=True):
        for _ in range(3):
            shifted = np.roll(mask, tuple(int(v) for v in rng.integers(-4, 5, size=2)), (0, 1))
            category = ann["category_id"] if rng.uniform() < 0.8 else 3 - ann["category_id"]
            dets.append(
                {
                    "image_id": ann["image_id"],
                    "category_id": category,
                    "segmentation": _compressed(shifted),
                    "score": float(rng.uniform()),
                }
            )
    for image in images:  # a spurious blob per image
        blob = np.zeros((HEIGHT, WIDTH), dtype=bool)
        blob[2:9, 40:52] = True
        dets.append(
            {
                "image_id": image["id"],
                "category_id": 1,
                "segmentation": _compressed(blob),
                "score": float(rng.uniform()),
            }
        )
    categories = [{"id": 1, "name": "ellipse"}, {"id": 2, "name": "triangle"}]
    return {"images": images, "annotations": annotations, "categories": categories}, dets


def _pycocotools_segm(gt: dict, dets: list[dict]) -> np.ndarray:
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = copy.deepcopy(gt)
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(copy.deepcopy(dets))
        evaluator = COCOeval(coco_gt, coco_dt, "segm")
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return evaluator.stats


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mask_ap_equals_pycocotools_segm(seed):
    gt, dets = _random_case(seed)
    ours = coco_mask_ap(gt, dets)
    reference = _pycocotools_segm(gt, dets)
    assert 0.0 < ours["AP"] < 1.0  # a case where the value says something
    for k, key in enumerate(KEYS):
        expected = reference[k]
        if expected == -1:  # pycocotools' "no ground truth of this size"
            assert math.isnan(ours[key]), key
        else:
            assert ours[key] == pytest.approx(expected, abs=1e-9), key


def test_mask_ap_scores_masks_not_boxes():
    """A ring and a disc with the same box: box AP is 1, mask AP is not."""
    yy, xx = np.mgrid[:HEIGHT, :WIDTH]
    radius = np.hypot(yy - 24, xx - 32)
    disc, ring = radius <= 15, (radius <= 15) & (radius >= 11)
    gt = {
        "images": [{"id": 1, "height": HEIGHT, "width": WIDTH}],
        "annotations": [
            {
                "id": 1,
                "image_id": 1,
                "category_id": 1,
                "segmentation": _uncompressed_rle(disc),
                "area": float(disc.sum()),
                "bbox": [
                    float(v)
                    for v in mask_utils.toBbox(
                        mask_utils.encode(np.asfortranarray(disc.astype(np.uint8)))
                    )
                ],
                "iscrowd": 0,
            }
        ],
        "categories": [{"id": 1, "name": "disc"}],
    }
    box = gt["annotations"][0]["bbox"]
    dets = [
        {
            "image_id": 1,
            "category_id": 1,
            "bbox": box,
            "score": 0.9,
            "segmentation": _compressed(ring),
        }
    ]
    assert coco_ap(gt, dets)["AP"] == pytest.approx(1.0)
    ring_iou = ring.sum() / disc.sum()  # < 0.5: no match at any threshold
    assert ring_iou < 0.5
    assert coco_mask_ap(gt, dets)["AP"] == pytest.approx(0.0)
    dets[0]["segmentation"] = _compressed(disc)
    assert coco_mask_ap(gt, dets)["AP"] == pytest.approx(1.0)


def test_mask_ap_rejects_bad_masks():
    gt, dets = _random_case(0)
    wrong_size = copy.deepcopy(dets)
    wrong_size[3]["segmentation"] = _compressed(np.zeros((HEIGHT + 1, WIDTH), dtype=bool))
    with pytest.raises(ValueError, match="detection 3: mask size"):
        coco_mask_ap(gt, wrong_size)
    missing = copy.deepcopy(dets)
    del missing[5]["segmentation"]
    with pytest.raises(ValueError, match="detection 5 lacks 'segmentation'"):
        coco_mask_ap(gt, missing)
    no_masks = copy.deepcopy(gt)
    del no_masks["annotations"][0]["segmentation"]
    with pytest.raises(ValueError, match="lacks 'segmentation'"):
        coco_mask_ap(no_masks, dets)
