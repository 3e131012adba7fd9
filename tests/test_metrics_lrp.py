"""oLRP (Oksuz et al., TPAMI 2021) on hand-counted TP / FP / FN sets."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corrlib.metrics import olrp, optimal_lrp


def _lrp_by_definition(scores, is_tp, ious, n_gt, tau=0.5) -> dict:
    """Brute force: threshold -> (LRP, n_tp, n_fp, n_fn) at every distinct score with a TP."""
    table = {}
    for s in sorted(set(scores), reverse=True):
        kept = [i for i, v in enumerate(scores) if v >= s]
        tps = [i for i in kept if is_tp[i]]
        n_tp, n_fp = len(tps), len(kept) - len(tps)
        n_fn = n_gt - n_tp
        loc = sum((1 - ious[i]) / (1 - tau) for i in tps)
        if n_tp:
            table[s] = ((loc + n_fp + n_fn) / (n_tp + n_fp + n_fn), n_tp, n_fp, n_fn)
    return table


def test_optimal_lrp_hand_counted():
    # Sorted by score: TP (IoU .9), FP, TP (IoU .7), FP; 4 ground truths. LRP per threshold:
    #   keep 1: (0.1/0.5 + 0 + 3) / 4 = 0.80      keep 2: (0.2 + 1 + 3) / 5 = 0.84
    #   keep 3: (0.4/0.5 + 1 + 2) / 5 = 0.76      keep 4: (0.8 + 2 + 2) / 6 = 0.80
    result = optimal_lrp(
        scores=[0.9, 0.8, 0.7, 0.6],
        is_tp=[True, False, True, False],
        ious=[0.9, 0.0, 0.7, 0.0],
        n_gt=4,
    )
    assert result.oLRP == pytest.approx(0.76)
    assert result.threshold == pytest.approx(0.7)
    assert result.oLRP_Loc == pytest.approx((0.1 + 0.3) / 2)
    assert result.oLRP_FP == pytest.approx(1 / 3)
    assert result.oLRP_FN == pytest.approx(2 / 4)
    assert (result.n_tp, result.n_fp, result.n_fn) == (2, 1, 2)


def test_optimal_lrp_is_zero_for_a_perfect_detector_and_one_without_tp():
    perfect = optimal_lrp([0.9, 0.8], [True, True], [1.0, 1.0], n_gt=2)
    assert perfect.oLRP == pytest.approx(0.0)
    assert perfect.oLRP_FP == 0.0 and perfect.oLRP_FN == 0.0
    nothing = optimal_lrp([0.9, 0.8], [False, False], [0.0, 0.0], n_gt=3)
    assert nothing.oLRP == 1.0 and nothing.oLRP_FN == 1.0
    assert math.isnan(nothing.oLRP_Loc) and math.isnan(nothing.oLRP_FP)
    assert math.isnan(nothing.threshold)
    empty = optimal_lrp([], [], [], n_gt=1)
    assert empty.oLRP == 1.0 and empty.n_fn == 1


def test_optimal_lrp_keeps_equal_scores_together():
    # The TP and the FP share a score: no threshold keeps the TP alone.
    result = optimal_lrp([0.5, 0.5], [True, False], [1.0, 0.0], n_gt=1)
    assert (result.n_tp, result.n_fp) == (1, 1)
    assert result.oLRP == pytest.approx(0.5)  # (0 + 1 + 0) / 2


def test_optimal_lrp_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_gt"):
        optimal_lrp([0.5], [True], [0.9], n_gt=0)
    with pytest.raises(ValueError, match="tau"):
        optimal_lrp([0.5], [True], [0.9], n_gt=1, tau=1.0)
    with pytest.raises(ValueError, match="length"):
        optimal_lrp([0.5, 0.4], [True], [0.9], n_gt=1)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]),
            st.booleans(),
            st.floats(min_value=0.5, max_value=1.0),
        ),
        max_size=15,
    ),
    st.integers(min_value=0, max_value=5),
)
def test_optimal_lrp_matches_brute_force(rows, extra_gt):
    scores = [r[0] for r in rows]
    is_tp = [r[1] for r in rows]
    ious = [r[2] for r in rows]
    n_gt = sum(is_tp) + extra_gt
    if n_gt == 0:
        return
    result = optimal_lrp(scores, is_tp, ious, n_gt)
    table = _lrp_by_definition(scores, is_tp, ious, n_gt)
    assert 0.0 <= result.oLRP <= 1.0
    if not table:
        assert result.oLRP == 1.0
        return
    best = min(v[0] for v in table.values())
    assert result.oLRP == pytest.approx(best, abs=1e-12)
    # The threshold found is optimal (up to rounding), and its counts are the right ones.
    assert table[result.threshold][0] == pytest.approx(best, abs=1e-12)
    assert (result.n_tp, result.n_fp, result.n_fn) == table[result.threshold][1:]


def _square(x: float) -> list[float]:
    return [x, 0.0, 100.0, 100.0]


def _with_iou(x: float, iou: float) -> list[float]:
    """A box inside ``_square(x)`` whose IoU with it is exactly ``iou``."""
    return [x, 0.0, 100.0 * iou, 100.0]


def test_olrp_end_to_end_hand_counted():
    # Class 1: four objects, the hand-counted case above. Class 2: one object, no detection.
    # Class 3: no ground truth (does not count). A crowd region of class 1 swallows one
    # detection (neither TP nor FP).
    images = [{"id": 1, "width": 1000, "height": 200}, {"id": 2, "width": 1000, "height": 200}]
    categories = [{"id": c, "name": f"c{c}"} for c in (1, 2, 3)]
    anns = [
        {"id": k + 1, "image_id": 1, "category_id": 1, "bbox": _square(150.0 * k), "iscrowd": 0}
        for k in range(4)
    ]
    anns.append({"id": 5, "image_id": 2, "category_id": 2, "bbox": _square(0), "iscrowd": 0})
    anns.append({"id": 6, "image_id": 2, "category_id": 1, "bbox": _square(600), "iscrowd": 1})
    for ann in anns:
        ann["area"] = 100.0 * 100.0
    gt = {"images": images, "annotations": anns, "categories": categories}
    dets = [
        {"image_id": 1, "category_id": 1, "bbox": _with_iou(0, 0.9), "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": [0, 150, 30, 30], "score": 0.8},  # FP
        {"image_id": 1, "category_id": 1, "bbox": _with_iou(150, 0.7), "score": 0.7},
        {"image_id": 1, "category_id": 1, "bbox": [500, 150, 30, 30], "score": 0.6},  # FP
        {"image_id": 2, "category_id": 1, "bbox": _with_iou(600, 0.8), "score": 0.95},  # crowd
        {"image_id": 2, "category_id": 3, "bbox": _square(0), "score": 0.5},  # no GT class
    ]
    result = olrp(gt, dets)
    assert set(result["per_class"]) == {1, 2}
    first, second = result["per_class"][1], result["per_class"][2]
    assert first["oLRP"] == pytest.approx(0.76)
    assert first["threshold"] == pytest.approx(0.7)
    assert (first["n_tp"], first["n_fp"], first["n_fn"]) == (2, 1, 2)
    assert second["oLRP"] == 1.0 and second["oLRP_FN"] == 1.0
    assert result["oLRP"] == pytest.approx((0.76 + 1.0) / 2)
    assert result["oLRP_Loc"] == pytest.approx(0.2)  # only class 1 has a TP
    assert result["oLRP_FP"] == pytest.approx(1 / 3)
    assert result["oLRP_FN"] == pytest.approx((0.5 + 1.0) / 2)
    for key in ("oLRP", "oLRP_Loc", "oLRP_FP", "oLRP_FN"):
        assert 0.0 <= result[key] <= 1.0


def test_olrp_ignores_detection_order():
    rng = np.random.default_rng(3)
    from reproduction.dataset.random_coco import random_coco

    gt, dets = random_coco(n_images=12, n_categories=4, dets_per_image=20, seed=5)
    shuffled = [dets[i] for i in rng.permutation(len(dets))]
    a, b = olrp(gt, dets), olrp(gt, shuffled)
    for key in ("oLRP", "oLRP_Loc", "oLRP_FP", "oLRP_FN"):
        assert a[key] == pytest.approx(b[key])
    assert a["per_class"].keys() == b["per_class"].keys()
