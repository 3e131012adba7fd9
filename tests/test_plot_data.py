"""The frames the pages' figures draw, and the bounds tables' parts."""

from __future__ import annotations

import pandas as pd
import pytest

from reproduction.pages import plot_data, report
from reproduction.spec import thesis


def test_ap_by_detector_keeps_the_thesis_rows_and_labels_ours():
    runs = pd.DataFrame(
        [
            {"detector": "atss", "kind": None, "AP": 30.0},
            {"detector": "atss", "kind": "concordance", "AP": 31.0},
        ]
    )
    both = plot_data.ap_by_detector(runs, "demo")
    n_thesis = len(thesis.table("5.1"))
    assert len(both) == n_thesis + 2
    ours = both[both["source"] == "reproduced (demo)"]
    assert list(ours["loss"]) == ["baseline", "concordance"]
    assert list(ours["corr_loss"]) == [False, True]
    assert set(both["source"]) == {plot_data.THESIS_SOURCE, "reproduced (demo)"}
    assert len(plot_data.ap_by_detector(runs.iloc[0:0], "demo")) == n_thesis


def test_lambda_grid_puts_our_ap_on_the_thesis_row_it_reproduces():
    keys = thesis.table("5.7").index
    t57 = pd.DataFrame({("AP", "reproduced"): [12.5, None]}, index=[keys[1], keys[2]])
    grid = plot_data.lambda_grid(t57, "demo")
    ours = grid[grid["source"] == "reproduced (demo)"]
    assert len(ours) == 1 and ours["AP"].iloc[0] == 12.5
    assert ours["lambda_corr"].iloc[0] == thesis.table("5.7").loc[keys[1], "lambda_corr"]
    assert len(plot_data.lambda_grid(pd.DataFrame(), "demo")) == len(thesis.table("5.7"))


def test_atss_methods_and_bounds_long():
    runs = pd.DataFrame(
        [
            {"experiment": "atss_baseline", "detector": "atss", "kind": None, "AP": 30.0,
             "class_AP_lower": 20.0, "class_AP_upper": 40.0},
            {"experiment": "atss_qfl_concordance_0.2", "detector": "atss_qfl",
             "kind": "concordance", "AP": 31.0, "class_AP_lower": None, "class_AP_upper": 41.0},
            {"experiment": "retinanet_baseline", "detector": "retinanet", "kind": None,
             "AP": 20.0, "class_AP_lower": 10.0, "class_AP_upper": 30.0},
        ]
    )  # fmt: skip
    methods = plot_data.atss_methods(runs)
    assert list(methods["loss"]) == ["without", "with Corr. Loss"]
    long = plot_data.bounds_long(runs, "class")
    assert len(long) == 8  # 3 runs × 3 measures, less one missing lower bound
    first = long[long["experiment"] == "atss_baseline"].set_index("measure")["AP (%)"]
    assert first["class_AP_lower"] <= first["AP"] <= first["class_AP_upper"]
    with pytest.raises(ValueError, match="level"):
        plot_data.bounds_long(runs, "pixel")


def test_bounds_columns_map_each_bound_to_its_level():
    columns, where = report.bounds_columns("3.1")
    assert columns[:4] == ["AP", "AP50", "AP75", "beta_img"]
    assert where["AP_upper"] == "image_AP_upper" and len(where) == 6
    assert report.bounds_columns("3.2")[1]["AP50_lower"] == "class_AP50_lower"
    with pytest.raises(KeyError):
        report.bounds_columns("5.1")
