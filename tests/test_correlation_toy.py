"""The Figure 3.1 toy: NMS keeps the best-scored box, AP50 cannot see the score order."""

from __future__ import annotations

import pytest

from reproduction.running import correlation_toy


def _iou(a: list[float], b: list[float]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    return w * h / (aw * ah + bw * bh - w * h)


@pytest.mark.parametrize("iou", [0.95, 0.75, 0.5, 0.3])
def test_a_shifted_box_has_the_asked_iou(iou: float) -> None:
    gt = list(correlation_toy.GT_BOX)
    assert _iou(correlation_toy.box_with_iou(gt, iou), gt) == pytest.approx(iou)


def test_nms_keeps_the_best_localised_box_only_for_positively_correlated_scores() -> None:
    table = correlation_toy.nms_panel(0.3).set_index("scores")
    assert list(table.index) == list(correlation_toy.ORDERS)
    assert table.loc["positively correlated", "IoU of kept box"] == pytest.approx(0.9)
    assert table.loc["negatively correlated", "IoU of kept box"] < 0.9
    assert (table["kept after NMS"] < 4).all()
    kept_all = correlation_toy.nms_panel(0.99)  # nothing overlaps that much: all kept
    assert (kept_all["kept after NMS"] == 4).all()


def test_ap50_is_blind_to_the_score_order_where_ap75_and_ap_are_not() -> None:
    table = correlation_toy.ap_panel()
    pos, neg = table.loc["positively correlated"], table.loc["negatively correlated"]
    assert pos["AP50"] == pytest.approx(neg["AP50"])
    assert pos["AP75"] > neg["AP75"] and pos["AP (COCO)"] > neg["AP (COCO)"]
