"""Bad ground truth or detections raise ValueError naming the field and the value."""

from __future__ import annotations

import copy

import pytest

from corrlib.metrics import (
    analyse,
    class_level_bounds,
    class_level_correlation,
    coco_ap,
    olrp,
)

GT = {
    "images": [{"id": 1, "width": 200, "height": 200}, {"id": 2, "width": 200, "height": 200}],
    "annotations": [
        {"id": 1, "image_id": 1, "category_id": 3, "bbox": [10, 10, 50, 50], "area": 2500},
        {"id": 2, "image_id": 2, "category_id": 5, "bbox": [0, 0, 20, 40], "area": 800},
    ],
    "categories": [{"id": 3, "name": "cat"}, {"id": 5, "name": "dog"}],
}
GOOD = {"image_id": 1, "category_id": 3, "bbox": [12, 10, 50, 50], "score": 0.7}
FUNCTIONS = [coco_ap, olrp, class_level_correlation, class_level_bounds, analyse]


def _det(**changes) -> dict:
    det = dict(GOOD)
    det.update(changes)
    return det


@pytest.mark.parametrize("function", FUNCTIONS)
def test_good_input_is_accepted(function):
    function(GT, [GOOD, _det(image_id=2, category_id=5, bbox=[0, 0, 20, 30])])


@pytest.mark.parametrize(
    "det, pattern",
    [
        (_det(image_id=7), r"detection 1: unknown image_id 7"),
        (_det(category_id=4), r"detection 1: unknown category_id 4"),
        (_det(bbox=[0, 0, -5, 10]), r"detection 1: negative bbox width -5"),
        (_det(bbox=[0, 0, 5, -1]), r"detection 1: negative bbox height -1"),
        (_det(score=float("nan")), r"detection 1: score must be finite, got nan"),
        (_det(score=float("inf")), r"detection 1: score must be finite, got inf"),
        (_det(bbox=[0, 0, 5]), r"detection 1: bad bbox \[0, 0, 5\]"),
        (_det(bbox=[0, float("nan"), 5, 5]), r"detection 1: bbox must be finite"),
        (_det(score=None), r"detection 1: score must be finite"),
        (_det(image_id="one"), r"detection 1: bad image_id 'one'"),
        ({"image_id": 1, "category_id": 3, "bbox": [0, 0, 1, 1]}, r"detection 1 lacks 'score'"),
    ],
)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_bad_detections_raise_value_error(function, det, pattern):
    with pytest.raises(ValueError, match=pattern):
        function(GT, [GOOD, det])


def _gt(change) -> dict:
    gt = copy.deepcopy(GT)
    change(gt)
    return gt


@pytest.mark.parametrize(
    "gt, pattern",
    [
        (_gt(lambda g: g.update(annotations=[])), "ground truth is empty: no annotations"),
        (_gt(lambda g: g.update(images=[])), "ground truth is empty: no images"),
        (_gt(lambda g: g.pop("categories")), "lacks the 'categories' section"),
        (
            _gt(lambda g: g["annotations"][0].update(image_id=9)),
            "annotation 1: unknown image_id 9",
        ),
        (
            _gt(lambda g: g["annotations"][1].update(category_id=8)),
            "annotation 2: unknown category_id 8",
        ),
        (
            _gt(lambda g: g["annotations"][0].update(bbox=[0, 0, -3, 4])),
            "annotation 1: negative bbox width -3",
        ),
        ("not a path to anything.json", None),
        (42, "gt_json must be a path or a COCO dict, got int"),
    ],
)
def test_bad_ground_truth_raises(gt, pattern):
    if pattern is None:
        with pytest.raises(FileNotFoundError):
            coco_ap(gt, [GOOD])
        return
    with pytest.raises(ValueError, match=pattern):
        coco_ap(gt, [GOOD])


def test_inputs_are_not_modified():
    gt, dets = copy.deepcopy(GT), [dict(GOOD)]
    analyse(gt, dets)
    assert gt == GT and dets == [GOOD]
