"""Figure 1.3 in the thesis's language: points per experiment, pairs joined by arrows."""

from __future__ import annotations

import math

import matplotlib
import pandas as pd
import pytest

from reproduction.pages import figures
from reproduction.spec import thesis

matplotlib.use("Agg")


def _runs():
    rows = []
    for seed, (bb, bv, ab, av) in enumerate(
        [(40, 45, 30, 31), (42, 46, 31, 31.5), (41, 47, 29, 30)]
    ):
        rows.append({"experiment": "a_baseline", "seed": seed, "beta_cls": bb, "AP": ab})
        rows.append({"experiment": "a_var", "seed": seed, "beta_cls": bv, "AP": av})
    rows.append({"experiment": "b_baseline", "seed": 0, "beta_cls": 10.0, "AP": 5.0})
    return pd.DataFrame(rows)


def test_pair_points_means_and_intervals_over_shared_seeds():
    points = figures.pair_points(
        _runs(), [("A", "a_baseline", "a_var"), ("B", "b_baseline", "b_var")]
    )
    assert list(points["setting"]) == ["A", "A"]  # B has no Correlation-Loss run
    base = points[~points["corr_loss"]].iloc[0]
    corr = points[points["corr_loss"]].iloc[0]
    assert base["x"] == pytest.approx(41.0) and corr["x"] == pytest.approx(46.0)
    assert base["n"] == 3 and base["x_low"] < 41.0 < base["x_high"]
    assert corr["y"] == pytest.approx((31 + 31.5 + 30) / 3)


def test_plot_pairs_draws_dots_stars_and_one_arrow_per_pair():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    figures.plot_pairs(ax, figures.pair_points(_runs(), [("A", "a_baseline", "a_var")]))
    markers = [c.get_label() for c in ax.collections if c.get_label().startswith("with")]
    assert "with Correlation Loss" in markers and "without Correlation Loss" in markers
    arrows = [t for t in ax.texts if t.arrow_patch is not None]
    assert len(arrows) == 1
    plt.close(fig)


def test_thesis_points_follow_figure_1_3a():
    points = figures.thesis_points(thesis.figure("1.3a"))
    assert len(points) == 8 and points["corr_loss"].sum() == 4
    fl = points[(points["setting"] == "FL") & points["corr_loss"]].iloc[0]
    assert fl["x"] == pytest.approx(45.2) and fl["y"] == pytest.approx(39.8)
    assert math.isnan(fl["x_low"])


def test_iou_effects_give_their_sign_change_in_the_legend_and_a_dotted_line():
    effects = pd.DataFrame(
        {
            "threshold": [0.5, 0.6, 0.7],
            "effect": [-2.0, 0.0, 2.0],
            "low": [-3.0, -1.0, 1.0],
            "high": [-1.0, 1.0, 3.0],
        }
    )
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    figures.plot_iou_effects(ax, effects, label="demo (8 seeds)", crossing=0.6)
    figures.plot_iou_effects(ax, effects, label="demo-len300 (8 seeds)")
    ax.legend()
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["demo (8 seeds); sign change ≈ 0.60", "demo-len300 (8 seeds)"]
    dotted = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert len(dotted) == 1 and list(dotted[0].get_xdata()) == [0.6, 0.6]
    plt.close(fig)


def test_table_5_1_bars_have_a_panel_per_source_and_a_bar_per_loss():
    from reproduction.pages import plot_data

    both = plot_data.ap_by_detector(pd.DataFrame(), "demo")
    grid = figures.ap_bars(both)
    titles = [ax.get_title() for ax in grid.axes.flat]
    assert titles == sorted(set(both["source"]), key=list(both["source"]).index)
    bars = [p for p in grid.axes.flat[0].patches if p.get_height() > 0]
    assert len(bars) == both.groupby(["detector", "loss"]).ngroups  # a bar per detector × loss
