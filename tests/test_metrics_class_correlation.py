"""β_cls (Eq 3.2): Spearman(IoU, score) of each class's true positives, averaged over classes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

from corrlib.metrics import (
    analyse,
    class_level_correlation,
    class_level_correlation_summary,
)
from reproduction.dataset.random_coco import random_coco


def _case(groups: dict[int, list[tuple[float, float]]], fps: int = 2) -> tuple[dict, list[dict]]:
    """One object per (class, TP) in its own column of one image, and ``fps`` FPs per class.

    ``groups`` maps a category id to (IoU, score) pairs of its TPs. A detection of width
    100 * IoU inside a 100 x 100 object has exactly that IoU.
    """
    anns, dets = [], []
    images = [{"id": 1, "width": 5000, "height": 1000}]
    for row, (cat, pairs) in enumerate(sorted(groups.items())):
        y = 300.0 * row
        for k, (iou, score) in enumerate(pairs):
            x = 150.0 * k
            anns.append(
                {
                    "id": len(anns) + 1,
                    "image_id": 1,
                    "category_id": cat,
                    "bbox": [x, y, 100.0, 100.0],
                    "area": 1e4,
                    "iscrowd": 0,
                }
            )
            dets.append(
                {
                    "image_id": 1,
                    "category_id": cat,
                    "bbox": [x, y, 100.0 * iou, 100.0],
                    "score": score,
                }
            )
        for k in range(fps):  # false positives: below the objects, overlapping nothing
            dets.append(
                {
                    "image_id": 1,
                    "category_id": cat,
                    "bbox": [150.0 * k, y + 150.0, 50.0, 50.0],
                    "score": 0.99 - 0.1 * k,
                }
            )
    categories = [{"id": c, "name": str(c)} for c in sorted(groups) + [99]]
    return {"images": images, "annotations": anns, "categories": categories}, dets


def test_beta_cls_equals_scipy_on_hand_built_classes():
    a = [(0.9, 0.3), (0.6, 0.5), (0.7, 0.1), (0.8, 0.9)]
    b = [(0.55, 0.2), (0.95, 0.8), (0.75, 0.6)]
    c = [(0.65, 0.4)]  # one TP: does not count
    d = [(0.3, 0.9), (0.4, 0.8)]  # IoUs below 0.5: no TP at all
    gt, dets = _case({1: a, 2: b, 3: c, 4: d})
    summary = class_level_correlation_summary(gt, dets)
    rho_a = spearmanr([p[0] for p in a], [p[1] for p in a]).statistic
    rho_b = spearmanr([p[0] for p in b], [p[1] for p in b]).statistic
    assert summary["n_classes"] == 2
    assert summary["per_class"] == pytest.approx({1: rho_a, 2: rho_b})
    assert summary["value"] == pytest.approx((rho_a + rho_b) / 2)
    assert class_level_correlation(gt, dets) == pytest.approx(summary["value"])
    assert rho_a != pytest.approx(rho_b)  # the mean is a real mean


def test_beta_cls_ties_get_average_ranks():
    a = [(0.9, 0.5), (0.8, 0.5), (0.6, 0.7), (0.7, 0.2)]
    gt, dets = _case({1: a})
    expected = spearmanr([p[0] for p in a], [p[1] for p in a]).statistic
    assert class_level_correlation(gt, dets) == pytest.approx(expected)


def test_beta_cls_ignores_crowd_matches_and_lower_ranked_duplicates():
    a = [(0.9, 0.9), (0.6, 0.5), (0.7, 0.6)]
    gt, dets = _case({1: a})
    baseline = class_level_correlation(gt, dets)
    assert baseline == pytest.approx(1.0)
    # A duplicate of the first object with a lower score and lower IoU is an FP.
    dets.append({"image_id": 1, "category_id": 1, "bbox": [0, 0, 80.0, 100.0], "score": 0.95})
    dets.append({"image_id": 1, "category_id": 1, "bbox": [0, 0, 99.0, 100.0], "score": 0.01})
    # The 0.95 duplicate (IoU 0.8) now takes the object: TPs (0.8, 0.95), (0.6, 0.5), (0.7, 0.6).
    expected = spearmanr([0.8, 0.6, 0.7], [0.95, 0.5, 0.6]).statistic
    assert class_level_correlation(gt, dets) == pytest.approx(expected)
    # A crowd region and a detection on it change nothing.
    gt["annotations"].append(
        {
            "id": 100,
            "image_id": 1,
            "category_id": 1,
            "bbox": [2000.0, 0.0, 300.0, 300.0],
            "area": 9e4,
            "iscrowd": 1,
        }
    )
    dets.append({"image_id": 1, "category_id": 1, "bbox": [2000, 0, 150, 290], "score": 0.97})
    assert class_level_correlation(gt, dets) == pytest.approx(expected)


def test_beta_cls_without_counting_classes_is_nan():
    gt, dets = _case({1: [(0.9, 0.5)], 2: [(0.4, 0.5), (0.3, 0.2)]})
    summary = class_level_correlation_summary(gt, dets)
    assert summary["n_classes"] == 0 and math.isnan(summary["value"])


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=0, max_value=2**31))
def test_beta_cls_range_and_order_invariance(seed):
    gt, dets = random_coco(
        n_images=6, n_categories=3, dets_per_image=12, gts_per_image=4.0, seed=seed
    )
    order = np.random.default_rng(seed).permutation(len(dets))
    first = analyse(gt, dets, bounds=True)
    second = analyse(gt, [dets[i] for i in order], bounds=True)
    value = first["beta_cls"]["value"]
    if not math.isnan(value):
        assert -1.0 <= value <= 1.0
        assert second["beta_cls"]["value"] == pytest.approx(value)
    assert first["beta_cls"]["n_classes"] == second["beta_cls"]["n_classes"]
    for key in ("AP", "AP50", "AP75"):
        assert second["ap"][key] == pytest.approx(first["ap"][key])
        for bound in ("upper", "lower"):
            assert second["bounds"][bound][key] == pytest.approx(first["bounds"][bound][key])
    assert second["olrp"]["oLRP"] == pytest.approx(first["olrp"]["oLRP"])
