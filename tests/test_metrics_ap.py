"""COCO AP: equal to pycocotools, and the class-level situation of thesis Figure 3.1(b)."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from corrlib.metrics import analyse, class_level_correlation, coco_ap
from corrlib.metrics.evaluation import CocoSession
from corrlib.metrics.inputs import detections_to_arrays, load_ground_truth
from reproduction.dataset.random_coco import random_coco

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

KEYS = ("AP", "AP50", "AP75", "APs", "APm", "APl")


def _pycocotools(gt: dict, dets: list[dict]) -> COCOeval:
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = copy.deepcopy(gt)
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(copy.deepcopy(dets))
        evaluator = COCOeval(coco_gt, coco_dt, "bbox")
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return evaluator


def _random_case(seed: int, round_scores: bool = False) -> tuple[dict, list[dict]]:
    gt, dets = random_coco(
        n_images=25, n_categories=6, dets_per_image=30, crowd_fraction=0.1, seed=seed
    )
    rng = np.random.default_rng(seed)
    # One image and class with more than 100 detections: COCO keeps the 100 best.
    for _ in range(130):
        x, y = rng.uniform(0, 500, size=2)
        dets.append(
            {"image_id": 1, "category_id": 1, "bbox": [x, y, 40.0, 40.0], "score": rng.uniform()}
        )
    if round_scores:  # many equal scores: the order of ties must follow COCO's stable sort
        for det in dets:
            det["score"] = round(det["score"], 1)
    return gt, dets


@pytest.mark.parametrize("seed, round_scores", [(0, False), (1, False), (2, True)])
def test_coco_ap_equals_pycocotools(seed, round_scores):
    gt, dets = _random_case(seed, round_scores)
    ours = coco_ap(gt, dets)
    reference = _pycocotools(gt, dets)
    for key, expected in zip(KEYS, reference.stats[:6], strict=True):
        if expected == -1:
            assert math.isnan(ours[key])
        else:
            assert ours[key] == pytest.approx(expected, abs=1e-12), key
    precision = reference.eval["precision"][:, :, :, 0, -1]
    for k, cat in enumerate(reference.params.catIds):
        values = precision[:, :, k]
        values = values[values > -1]
        expected = values.mean() if values.size else math.nan
        assert ours["per_class"][cat] == pytest.approx(expected, abs=1e-12, nan_ok=True)
    assert 0.0 < ours["AP"] < ours["AP50"] <= 1.0


@pytest.mark.parametrize("seed, round_scores", [(0, False), (2, True)])
def test_matches_at_half_equal_pycocotools(seed, round_scores):
    """Our shared 0.5-matching equals pycocotools' dtMatches at IoU 0.5, area "all"."""
    gt, dets = _random_case(seed, round_scores)
    reference = _pycocotools(gt, dets)
    expected = {}
    for entry in reference.evalImgs:
        if entry is None or entry["aRng"] != reference.params.areaRng[0]:
            continue
        for det_id, gt_id, ignored in zip(
            entry["dtIds"], entry["dtMatches"][0], entry["dtIgnore"][0], strict=True
        ):
            expected[int(det_id) - 1] = (int(gt_id) - 1, bool(ignored))
    truth = load_ground_truth(gt)
    evaluation = CocoSession(truth).evaluate(detections_to_arrays(dets, truth))
    evaluated = set(np.flatnonzero(evaluation.evaluated).tolist())
    assert evaluated == set(expected)  # the 100-per-image-and-class cut
    crowded = sum(1 for d in dets if d["image_id"] == 1 and d["category_id"] == 1)
    assert crowded > 130
    assert len(evaluated) == len(dets) - (crowded - 100)
    for index, (gt_index, ignored) in expected.items():
        assert evaluation.matched_gt[index] == gt_index
        assert evaluation.ignored[index] == ignored
    tp = evaluation.tp
    assert tp.sum() > 20
    # The TPs' IoUs are the IoUs of their boxes with the matched ground-truth boxes.
    for index in np.flatnonzero(tp):
        gt_box = gt["annotations"][evaluation.matched_gt[index]]["bbox"]
        expected_iou = _iou(dets[index]["bbox"], gt_box)
        assert evaluation.iou[index] == pytest.approx(expected_iou, abs=1e-9)
        assert expected_iou >= 0.5


def _iou(a: list[float], b: list[float]) -> float:
    w = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = w * h
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def _figure_3_1b(positive: bool) -> tuple[dict, list[dict]]:
    """Three objects of one class, five detections after NMS: TP FP TP TP FP by score.

    The TPs' IoUs are 0.9 (the "orange" one), 0.6 and 0.55. Positively correlated: the 0.9 box
    has the highest TP score; negatively correlated: the lowest.
    """
    images = [{"id": i, "width": 400, "height": 400} for i in (1, 2, 3)]
    anns = [
        {
            "id": i,
            "image_id": i,
            "category_id": 1,
            "bbox": [0.0, 0.0, 100.0, 100.0],
            "area": 1e4,
            "iscrowd": 0,
        }
        for i in (1, 2, 3)
    ]
    gt = {"images": images, "annotations": anns, "categories": [{"id": 1, "name": "a"}]}
    tp_scores = [0.9, 0.7, 0.6] if positive else [0.6, 0.7, 0.9]
    dets = [
        {"image_id": 1, "category_id": 1, "bbox": [0, 0, 90.0, 100.0], "score": tp_scores[0]},
        {"image_id": 2, "category_id": 1, "bbox": [0, 0, 60.0, 100.0], "score": tp_scores[1]},
        {"image_id": 3, "category_id": 1, "bbox": [0, 0, 55.0, 100.0], "score": tp_scores[2]},
        {"image_id": 1, "category_id": 1, "bbox": [200, 200, 50, 50], "score": 0.8},  # FP
        {"image_id": 2, "category_id": 1, "bbox": [200, 200, 50, 50], "score": 0.5},  # FP
    ]
    return gt, dets


def test_figure_3_1b_equal_ap50_different_ap75():
    positive = coco_ap(*_figure_3_1b(positive=True))
    negative = coco_ap(*_figure_3_1b(positive=False))
    # AP50 (both): by score TP FP TP TP FP, 3 objects. Interpolated precision is 1 up to
    # recall 1/3 (34 of COCO's 101 recall points) and 3/4 after -> (34 + 67 * 0.75) / 101.
    expected_ap50 = (34 + 67 * 0.75) / 101
    assert positive["AP50"] == pytest.approx(expected_ap50)
    assert negative["AP50"] == pytest.approx(expected_ap50)
    # AP75: only the 0.9 box counts. Positively correlated it is ranked 1st (precision 1),
    # negatively 4th behind two FPs and two TPs turned FP (precision 1/4); recall 1/3 at most.
    assert positive["AP75"] == pytest.approx(34 / 101)
    assert negative["AP75"] == pytest.approx(34 / 101 / 4)
    assert positive["AP"] > negative["AP"]
    assert class_level_correlation(*_figure_3_1b(positive=True)) == pytest.approx(1.0)
    assert class_level_correlation(*_figure_3_1b(positive=False)) == pytest.approx(-1.0)


def test_path_and_dict_give_the_same_numbers(tmp_path):
    gt, dets = random_coco(n_images=10, n_categories=3, dets_per_image=15, seed=4)
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(gt))
    from_path, from_dict = coco_ap(str(path), dets), coco_ap(gt, dets)
    assert from_path == from_dict
    assert coco_ap(path, dets)["AP"] == from_dict["AP"]


def test_no_detections_give_zero_ap():
    gt, _ = random_coco(n_images=5, n_categories=2, dets_per_image=4, seed=6)
    result = coco_ap(gt, [])
    assert result["AP"] == 0.0 and result["AP50"] == 0.0


def test_analyse_agrees_with_the_single_functions():
    gt, dets = random_coco(n_images=15, n_categories=4, dets_per_image=20, seed=7)
    everything = analyse(gt, dets)
    assert everything["ap"] == coco_ap(gt, dets)
    assert everything["beta_cls"]["value"] == pytest.approx(class_level_correlation(gt, dets))
    assert set(everything) == {"ap", "olrp", "beta_cls", "bounds"}
    assert "bounds" not in analyse(gt, dets, bounds=False)


@pytest.mark.parametrize("seed", [0, 1])
def test_per_iou_ap_equals_pycocotools_at_each_threshold(seed):
    """AP at each IoU threshold: pycocotools' precision at that threshold, and AP is their
    mean (a mismatched threshold axis would break both)."""
    gt, dets = _random_case(seed, False)
    ours = coco_ap(gt, dets)
    reference = _pycocotools(gt, dets)
    precision = reference.eval["precision"][:, :, :, 0, -1]
    assert list(ours["per_iou"]) == [f"{t:.2f}" for t in reference.params.iouThrs]
    for i, key in enumerate(ours["per_iou"]):
        values = precision[i]
        assert ours["per_iou"][key] == pytest.approx(values[values > -1].mean(), abs=1e-12)
    assert ours["per_iou"]["0.50"] == ours["AP50"]
    assert ours["per_iou"]["0.75"] == ours["AP75"]
    assert np.mean(list(ours["per_iou"].values())) == pytest.approx(ours["AP"], abs=1e-12)
