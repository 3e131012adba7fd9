"""AP⁺¹ / AP⁻¹: the score re-ordering helpers and the class-level bounds (Table 3.2)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corrlib.metrics import (
    class_level_bounds,
    coco_ap,
    iou_ordered_permutation,
    reorder_scores_by_iou,
    reorder_within_groups,
    spearman,
)


def test_iou_ordered_permutation_hand_worked():
    scores = np.array([0.9, 0.5, 0.7])
    ious = np.array([0.6, 0.8, 0.7])
    up = iou_ordered_permutation(scores, ious, +1)
    # IoU 0.8 (index 1) gets 0.9, IoU 0.7 (index 2) gets 0.7, IoU 0.6 (index 0) gets 0.5.
    np.testing.assert_array_equal(scores[up], [0.5, 0.9, 0.7])
    down = iou_ordered_permutation(scores, ious, -1)
    np.testing.assert_array_equal(scores[down], [0.9, 0.5, 0.7])
    assert sorted(up.tolist()) == [0, 1, 2]


def test_equal_ious_keep_their_score_order():
    scores = np.array([0.2, 0.9, 0.5])
    ious = np.array([0.7, 0.7, 0.9])
    new = reorder_scores_by_iou(scores, ious, +1)
    assert new[2] == 0.9  # the best IoU gets the best score
    assert new[1] > new[0]  # the tied pair keeps its order (0.9 was above 0.2)
    new = reorder_scores_by_iou(scores, ious, -1)
    assert new[2] == 0.2 and new[1] > new[0]


def test_reordering_rejects_bad_arguments():
    with pytest.raises(ValueError, match="direction"):
        iou_ordered_permutation([0.1, 0.2], [0.5, 0.6], 0)
    with pytest.raises(ValueError, match="length"):
        iou_ordered_permutation([0.1, 0.2], [0.5], 1)
    with pytest.raises(ValueError, match="finite"):
        reorder_within_groups([0.1, float("nan")], [0.5, 0.6], [0, 0], 1)


distinct = st.lists(
    st.floats(min_value=0.0, max_value=1.0, allow_nan=False), min_size=2, max_size=20, unique=True
)


@settings(max_examples=60, deadline=None)
@given(distinct, st.randoms(use_true_random=False), st.sampled_from([1, -1]))
def test_reordering_properties(scores, rnd, direction):
    scores = np.array(scores)
    ious = scores.copy()
    rnd.shuffle(ious)
    new = reorder_scores_by_iou(scores, ious, direction)
    assert sorted(new.tolist()) == sorted(scores.tolist())  # the same scores
    assert spearman(ious, new) == pytest.approx(direction)
    # The permutation helper and the re-ordering agree.
    np.testing.assert_array_equal(scores[iou_ordered_permutation(scores, ious, direction)], new)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**31), st.sampled_from([1, -1]))
def test_reorder_within_groups_is_per_group_reordering(seed, direction):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 40))
    scores = rng.uniform(size=n)
    ious = rng.uniform(0.5, 1.0, size=n)
    groups = rng.integers(0, 4, size=n)
    new = reorder_within_groups(scores, ious, groups, direction)
    for g in np.unique(groups):
        member = groups == g
        np.testing.assert_array_equal(
            new[member], reorder_scores_by_iou(scores[member], ious[member], direction)
        )


def _no_duplicate_case(seed: int) -> tuple[dict, list[dict]]:
    """Objects far apart, at most one detection of the right class per object.

    Every detection overlaps at most one object, so no detection can take another's object
    when scores move: COCO's matches cannot change, only the ranking of the TPs.
    """
    rng = np.random.default_rng(seed)
    images, anns, dets = [], [], []
    scores = iter(rng.permutation(np.linspace(0.01, 0.99, 2000)))  # distinct scores
    for image_id in range(1, 7):
        images.append({"id": image_id, "width": 1400, "height": 600})
        for j in range(int(rng.integers(1, 6))):
            x = 250.0 * j
            cat = int(rng.integers(1, 4))
            anns.append(
                {
                    "id": len(anns) + 1,
                    "image_id": image_id,
                    "category_id": cat,
                    "bbox": [x, 0.0, 100.0, 100.0],
                    "area": 1e4,
                    "iscrowd": 0,
                }
            )
            if rng.uniform() < 0.85:  # a detection whose IoU with the object is r
                r = float(rng.uniform(0.3, 1.0))
                box = [x, 0.0, 100.0 * r, 100.0]
                dets.append(
                    {"image_id": image_id, "category_id": cat, "bbox": box, "score": next(scores)}
                )
        for _ in range(int(rng.integers(0, 5))):  # background false positives
            x, size = float(rng.uniform(0, 1200)), float(rng.uniform(10, 90))
            dets.append(
                {
                    "image_id": image_id,
                    "category_id": int(rng.integers(1, 4)),
                    "bbox": [x, 300.0, size, size],
                    "score": next(scores),
                }
            )
    categories = [{"id": c, "name": str(c)} for c in (1, 2, 3)]
    return {"images": images, "annotations": anns, "categories": categories}, dets


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=2**31))
def test_class_level_bounds_enclose_ap_without_duplicates(seed):
    gt, dets = _no_duplicate_case(seed)
    ap = coco_ap(gt, dets)
    bounds = class_level_bounds(gt, dets)
    upper, lower = bounds["upper"], bounds["lower"]
    tol = 1e-12
    for key in ("AP", "AP75"):
        assert upper[key] + tol >= ap[key] >= lower[key] - tol, key
    assert upper["AP50"] == pytest.approx(ap["AP50"])
    assert lower["AP50"] == pytest.approx(ap["AP50"])
    for cat, value in ap["per_class"].items():
        if not np.isnan(value):
            assert upper["per_class"][cat] + tol >= value >= lower["per_class"][cat] - tol


def test_class_level_bounds_hand_worked():
    # Three objects, one per image; TPs with IoUs 0.9, 0.6, 0.55 and scores that oppose them.
    images = [{"id": i, "width": 400, "height": 400} for i in (1, 2, 3)]
    anns = [
        {"id": i, "image_id": i, "category_id": 1, "bbox": [0, 0, 100, 100], "area": 1e4}
        for i in (1, 2, 3)
    ]
    gt = {"images": images, "annotations": anns, "categories": [{"id": 1, "name": "a"}]}

    def dets_with(tp_scores):
        widths = (90.0, 60.0, 55.0)
        tps = [
            {"image_id": i, "category_id": 1, "bbox": [0, 0, w, 100.0], "score": s}
            for i, w, s in zip((1, 2, 3), widths, tp_scores, strict=True)
        ]
        fp = {"image_id": 1, "category_id": 1, "bbox": [200, 200, 50, 50], "score": 0.8}
        return tps + [fp]

    negative = dets_with((0.6, 0.7, 0.9))
    bounds = class_level_bounds(gt, negative)
    assert bounds["upper"] == coco_ap(gt, dets_with((0.9, 0.7, 0.6)))
    assert bounds["lower"] == coco_ap(gt, dets_with((0.6, 0.7, 0.9)))
    assert bounds["upper"]["AP75"] > bounds["lower"]["AP75"]


def test_a_duplicate_can_take_over_an_object_when_scores_move():
    # One object per image. Image 1: detection A (IoU 0.95, score 0.9) and its duplicate B
    # (IoU 0.6, score 0.8, an FP). Image 2: detection C (IoU 0.55, score 0.3).
    # Lower bound: A gets 0.3 and C gets 0.9, so B (0.8) now comes first on the object of
    # image 1 and A becomes the duplicate: TP TP FP instead of TP FP TP.
    images = [{"id": i, "width": 400, "height": 400} for i in (1, 2)]
    anns = [
        {"id": i, "image_id": i, "category_id": 1, "bbox": [0, 0, 100, 100], "area": 1e4}
        for i in (1, 2)
    ]
    gt = {"images": images, "annotations": anns, "categories": [{"id": 1, "name": "a"}]}
    dets = [
        {"image_id": 1, "category_id": 1, "bbox": [0, 0, 95.0, 100.0], "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": [0, 0, 60.0, 100.0], "score": 0.8},
        {"image_id": 2, "category_id": 1, "bbox": [0, 0, 55.0, 100.0], "score": 0.3},
    ]
    ap50 = coco_ap(gt, dets)["AP50"]
    # TP FP TP over 2 objects: precision 1 up to recall 1/2 (51 points), then 2/3 (50 points).
    assert ap50 == pytest.approx((51 + 50 * 2 / 3) / 101)
    lower = class_level_bounds(gt, dets)["lower"]
    assert lower["AP50"] == pytest.approx(1.0)  # TP TP FP


def test_bounds_move_ap_on_ordinary_cases():
    # Guards against a bound that changes nothing: on random cases the bounds are mostly strict.
    strict_upper = strict_lower = 0
    for seed in range(6):
        gt, dets = _no_duplicate_case(seed)
        ap = coco_ap(gt, dets)["AP"]
        bounds = class_level_bounds(gt, dets)
        strict_upper += bounds["upper"]["AP"] > ap + 1e-9
        strict_lower += bounds["lower"]["AP"] < ap - 1e-9
    assert strict_upper >= 4 and strict_lower >= 4
