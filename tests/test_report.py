"""The book's tables: thesis rows beside reproduced means, Δ, and 'not run'."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reproduction.analysis import stats
from reproduction.analysis.stats import (
    GAIN,
    LOSS,
    NOT_RESOLVED,
    OPPOSITE_DIRECTION,
    SAME_DIRECTION,
    mean_interval,
)
from reproduction.pages import report
from reproduction.records import provenance_text, run_table
from reproduction.records.results import results_path, write_results
from reproduction.spec import thesis, thesis_rows
from reproduction.spec.experiments import get_experiment


def _write(
    root: Path, experiment_id: str, seed: int, ap: float, s_per_iter: float = 0.5, **metrics
) -> None:
    exp = get_experiment(experiment_id)
    write_results(
        results_path(root, "demo", experiment_id, seed),
        {
            "experiment": {"id": exp.id, "detector": exp.detector, "kind": exp.kind,
                           "loss_weight": exp.loss_weight, "gradient": exp.gradient},
            "profile": "demo",
            "seed": seed,
            "dataset": {"name": "demo", "synthetic": True, "n_val_images": 10},
            "metrics": {"AP": ap, "AP50": 0.5, "AP75": 0.2, "beta_cls": 0.3, "beta_img": None,
                        "class_bounds": {"upper": {"AP": ap + 0.1}, "lower": {"AP": ap - 0.1}},
                        **metrics},
            "training": {"iterations": 10, "seconds_per_iter": s_per_iter, "wall_s": 5.0},
            "provenance": {"git": {"commit": "abc"}, "hardware": {"cpu": "test", "cores": 2},
                           "packages": {"mmdet": "3.3.0"}},
        },
    )  # fmt: skip


def test_thesis_keys_follow_detector_kind_and_lambda() -> None:
    assert thesis_rows.thesis_keys("atss_concordance_0.3", "5.1") == ["atss_fl+conc"]
    assert thesis_rows.thesis_keys("atss_concordance_0.3", "5.7") == ["atss_fl+conc@0.3"]
    assert thesis_rows.thesis_keys("atss_baseline", "5.7") == ["atss_fl+conc@0.0"]
    # Table 5.1 states λ = 0.1 for RetinaNet's Spearman row: another λ is not that row.
    assert thesis_rows.thesis_keys("retinanet_spearman_0.1", "5.1") == ["retinanet+spear"]
    assert thesis_rows.thesis_keys("retinanet_baseline", "3.1") == []


def test_side_by_side_means_over_seeds_and_marks_the_rest(tmp_path: Path) -> None:
    _write(tmp_path, "atss_baseline", 0, 0.20)
    _write(tmp_path, "atss_baseline", 1, 0.30)
    _write(tmp_path, "atss_concordance_0.3", 0, 0.40)
    runs = run_table.load_runs(tmp_path, "demo")
    assert len(runs) == 3 and runs["AP"].max() == pytest.approx(40.0)  # stored as %
    table = report.side_by_side("5.1", runs, ["AP"])
    assert list(table.index) == list(thesis.table("5.1").index)
    base = table.loc["atss_fl"]
    assert base[("AP", "reproduced")] == pytest.approx(25.0)
    assert base[("AP", "thesis")] == thesis.value("5.1", "atss_fl", "AP")
    assert not any(name == "Δ" for _, name in table.columns)  # no COCO − synthetic number
    assert base[("", "status")] == "atss_baseline (2 seeds)"
    assert table.loc["paa", ("", "status")] == stats.NOT_RUN
    assert pd.isna(table.loc["paa", ("AP", "reproduced")])


def test_bounds_columns_map_to_class_level_results(tmp_path: Path) -> None:
    _write(tmp_path, "atss_baseline", 0, 0.20)
    runs = run_table.load_runs(tmp_path, "demo")
    mapping = {"AP_upper": "class_AP_upper", "AP_lower": "class_AP_lower"}
    table = report.side_by_side("3.2", runs, ["AP_upper", "AP_lower"], ours_columns=mapping)
    assert table.loc["atss_fl", ("AP_upper", "reproduced")] == pytest.approx(30.0)
    assert table.loc["atss_fl", ("AP_lower", "reproduced")] == pytest.approx(10.0)


def test_provenance_block_names_data_commit_and_hardware(tmp_path: Path) -> None:
    _write(tmp_path, "atss_baseline", 0, 0.2)
    runs = run_table.load_runs(tmp_path, "demo")
    text = report.provenance_markdown(runs, "demo", tmp_path)
    assert "synthetic" in text and "NOT COCO" in text
    assert "abc" in text and "test (2 cores" in text and "seeds 0" in text
    empty = report.provenance_markdown(run_table.load_runs(tmp_path, "smoke"), "smoke", tmp_path)
    assert "No results files" in empty


def test_intervals_and_paired_effects(tmp_path: Path) -> None:
    for seed, (base, var) in enumerate([(0.20, 0.25), (0.30, 0.36), (0.25, 0.31)]):
        _write(tmp_path, "atss_baseline", seed, base)
        _write(tmp_path, "atss_concordance_0.3", seed, var)
    _write(tmp_path, "retinanet_spearman_0.1", 0, 0.1)  # no baseline ran: not paired
    runs = run_table.load_runs(tmp_path, "demo")
    table = report.side_by_side("5.1", runs, ["AP"])
    assert table.loc["atss_fl", ("AP", "95% CI")].startswith("[")
    assert table.loc["retinanet+spear", ("AP", "95% CI")] == "n=1"
    effects = report.paired_effects(runs, ["AP", "AP75"], table="5.1")
    assert list(effects["experiment"]) == ["atss_concordance_0.3 − atss_baseline"] * 2
    ap = effects[effects["metric"] == "AP"].iloc[0]
    assert ap["ours Δ"] == pytest.approx((5 + 6 + 6) / 3)
    thesis_ap = thesis.value("5.1", "atss_fl+conc", "AP") - thesis.value("5.1", "atss_fl", "AP")
    assert ap["thesis Δ (COCO)"] == pytest.approx(thesis_ap)
    assert ap[report.AGREEMENT_COLUMN] == SAME_DIRECTION and ap["seeds"] == 3
    interval = mean_interval([5.0, 6.0, 6.0])
    assert ap["95% CI"] == f"[{interval.low:+.1f}, {interval.high:+.1f}]"
    assert "verdict" not in effects.columns  # a comparison of signs, not a claim's verdict
    ap75 = effects[effects["metric"] == "AP75"].iloc[0]
    assert ap75["ours Δ"] == pytest.approx(0.0)
    assert ap75[report.AGREEMENT_COLUMN] == NOT_RESOLVED
    no_table = report.paired_effects(runs, ["AP"]).iloc[0]
    assert no_table[report.AGREEMENT_COLUMN] == GAIN  # no thesis change: our direction alone
    shown = report.format_effects(report.paired_effects(runs, ["beta_cls"])).to_html()
    assert ">β_cls<" in shown and "row_heading" not in shown and ">+0.0<" in shown


def test_agreement_compares_our_sign_with_the_thesis_change() -> None:
    up, down = mean_interval([1.0, 1.2, 0.9]), mean_interval([-1.0, -1.2, -0.9])
    assert report.agreement(up, 1.1) == SAME_DIRECTION == "same direction as thesis"
    assert report.agreement(down, 1.1) == OPPOSITE_DIRECTION
    # an AP loss where the thesis's table went down too: the same direction, not "holds"
    assert report.agreement(down, -0.5) == SAME_DIRECTION
    assert report.agreement(up, -0.5, lower_is_better=True) == OPPOSITE_DIRECTION
    assert report.agreement(down, None, lower_is_better=True) == GAIN
    assert report.agreement(down, 0.0) == LOSS
    assert report.agreement(mean_interval([-1.0, 1.0, 0.1]), 1.0) == NOT_RESOLVED
    assert report.agreement(mean_interval([2.0]), 1.0) == NOT_RESOLVED  # one seed
    assert thesis_rows.thesis_effect("atss_concordance_0.3", "5.7", "AP") == pytest.approx(
        39.8 - 38.7
    )
    assert thesis_rows.thesis_effect("atss_concordance_0.3", "3.2", "AP") is None


def test_a_column_no_run_has_is_blank_not_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "atss_baseline", 0, 0.2)
    runs = run_table.load_runs(tmp_path, "demo")
    table = report.side_by_side("5.3", runs, ["AP_mask"])  # YOLACT mask AP: we score boxes
    assert table[("AP_mask", "reproduced")].isna().all()
    assert (table[("", "status")] == stats.NOT_RUN).all()


def test_untrained_note_names_runs_below_the_threshold(tmp_path: Path) -> None:
    _write(tmp_path, "atss_baseline", 0, 0.30)
    _write(tmp_path, "detr_baseline", 0, 0.001)
    _write(tmp_path, "detr_baseline", 1, 0.05)  # mean AP 2.55 %
    note = report.untrained_note(run_table.load_runs(tmp_path, "demo"))
    assert "`detr_baseline` (AP 2.5)" in note or "`detr_baseline` (AP 2.6)" in note
    assert "atss_baseline" not in note
    assert report.untrained_note(run_table.load_runs(tmp_path, "demo"), threshold=1.0) == ""


def test_the_registry_alone_places_runs_in_thesis_rows(tmp_path: Path) -> None:
    from reproduction.spec.experiments import list_experiments

    for exp in list_experiments():
        for name in ("3.1", "3.2", "5.1", "5.2", "5.3", "5.4", "5.6", "5.7"):
            keys = [r.key for r in exp.reproduces if r.table == name]
            assert thesis_rows.thesis_keys(exp.id, name) == keys, (exp.id, name)
    # Only λ 0.4 reproduces Table 5.3's concordance row; the rest of YOLACT's λ grid is Table
    # 5.7's, even where it is the only run (and with add=all, where 0.1 sorts first).
    _write(tmp_path, "yolact_concordance_0.1", 0, 0.10)
    only_grid = report.side_by_side("5.3", run_table.load_runs(tmp_path, "demo"), ["AP"])
    assert only_grid.loc["yolact+conc", ("", "status")] == stats.NOT_RUN
    _write(tmp_path, "yolact_concordance_0.4", 0, 0.30)
    table = report.side_by_side("5.3", run_table.load_runs(tmp_path, "demo"), ["AP"])
    assert table.loc["yolact+conc", ("", "status")] == "yolact_concordance_0.4 (1 seed)"
    assert table.loc["yolact+conc", ("AP", "reproduced")] == pytest.approx(30.0)
    grid = report.side_by_side("5.7", run_table.load_runs(tmp_path, "demo"), ["AP"])
    assert grid.loc["yolact+conc@0.1", ("", "status")].startswith("yolact_concordance_0.1")


def test_every_registry_row_key_is_a_thesis_row_with_one_experiment() -> None:
    from reproduction.spec.experiments import list_experiments

    seen: dict[tuple[str, str], str] = {}
    for exp in list_experiments():
        for ref in exp.reproduces:
            if ref.table.startswith("§"):
                assert ref.key is None
                continue
            assert ref.key in thesis.table(ref.table).index, (exp.id, ref)
            assert seen.setdefault((ref.table, ref.key), exp.id) == exp.id, ref
            lam = thesis.table(ref.table).loc[ref.key].get("lambda_corr")
            if lam is not None and not pd.isna(lam) and not exp.is_baseline:
                assert float(lam) == pytest.approx(exp.loss_weight), (exp.id, ref)


def test_overhead_divides_by_the_registry_baseline(tmp_path: Path) -> None:
    _write(tmp_path, "atss_baseline", 0, 0.2, s_per_iter=0.4)
    _write(tmp_path, "atss_concordance_0.3", 0, 0.2, s_per_iter=0.5)
    _write(tmp_path, "retinanet_spearman_0.1", 0, 0.2, s_per_iter=0.3)  # its baseline: absent
    table = report.overhead(run_table.load_runs(tmp_path, "demo")).set_index("experiment")
    assert table.loc["atss_concordance_0.3", "baseline"] == "atss_baseline"
    assert table.loc["atss_concordance_0.3", "ratio to baseline"] == pytest.approx(1.25)
    assert table.loc["atss_baseline", "ratio to baseline"] == pytest.approx(1.0)
    assert pd.isna(table.loc["retinanet_spearman_0.1", "ratio to baseline"])


def test_classes_improved_pairs_each_variant_with_its_baseline(tmp_path: Path) -> None:
    _write(tmp_path, "atss_baseline", 0, 0.2, per_class_AP={"a": 0.2, "b": 0.5, "c": None})
    _write(tmp_path, "atss_concordance_0.3", 0, 0.2, per_class_AP={"a": 0.3, "b": 0.4, "c": 0.1})
    _write(tmp_path, "retinanet_baseline", 0, 0.2, per_class_AP={"a": 0.9, "b": 0.9})
    per_class = report.per_class_ap(tmp_path, "demo")
    assert len(per_class) == 8 and per_class["AP"].max() == pytest.approx(90.0)
    counts = report.classes_improved(per_class).set_index("experiment")
    assert list(counts.index) == ["atss_concordance_0.3"]  # retinanet: no variant ran
    row = counts.loc["atss_concordance_0.3"]
    assert row["baseline"] == "atss_baseline"
    assert (row["classes improved"], row["classes"]) == (1, 2)  # "c": no baseline AP


def test_gradient_rows_read_only_sparse_rcnn_runs_of_that_gradient(tmp_path: Path) -> None:
    # Classifier-gradient runs of other detectors are not §5.5.4's Sparse R-CNN row.
    _write(tmp_path, "atss_concordance_0.3", 0, 0.30)
    _write(tmp_path, "retinanet_spearman_0.1", 0, 0.20)
    _write(tmp_path, "sparsercnn_spearman_0.2_regressor", 0, 0.10)
    rows = report.gradient_rows(run_table.load_runs(tmp_path, "demo"))
    assert list(rows.index) == list(thesis.GRADIENT_HEADS_5_5_4["AP"])
    assert rows.loc["classifier", "runs"] == stats.NOT_RUN
    assert pd.isna(rows.loc["classifier", "AP reproduced"])
    assert rows.loc["classifier", "experiment"] == "sparsercnn_spearman_0.2"
    assert rows.loc["regressor", "AP reproduced"] == pytest.approx(10.0)
    assert rows.loc["both", "runs"] == stats.NOT_RUN
    for gradient, ap in thesis.GRADIENT_HEADS_5_5_4["AP"].items():
        assert rows.loc[gradient, "AP thesis (Sparse R-CNN, COCO)"] == ap
    _write(tmp_path, "sparsercnn_spearman_0.2", 0, 0.25)
    _write(tmp_path, "sparsercnn_spearman_0.2", 1, 0.35)
    rows = report.gradient_rows(run_table.load_runs(tmp_path, "demo"))
    assert rows.loc["classifier", "AP reproduced"] == pytest.approx(30.0)
    assert rows.loc["classifier", "runs"] == "sparsercnn_spearman_0.2 (2 seeds)"


def test_compact_side_by_side_puts_ours_and_its_interval_in_one_cell(tmp_path: Path) -> None:
    for seed, ap in enumerate([0.20, 0.30, 0.25]):
        _write(tmp_path, "atss_baseline", seed, ap)
    _write(tmp_path, "atss_concordance_0.3", 0, 0.40)
    runs = run_table.load_runs(tmp_path, "demo")
    cols = ["AP", "AP50", "oLRP"]
    full = report.side_by_side("5.1", runs, cols)
    ap_group = report.compact_side_by_side(full, ["AP", "AP50"])
    ours = report.OURS_COLUMN
    assert list(ap_group.columns) == [
        ("", "method"), ("AP", "thesis"), ("AP", ours), ("AP50", "thesis"), ("AP50", ours),
        ("", report.RUNS_COLUMN),
    ]  # fmt: skip
    assert list(ap_group.index) == list(range(len(full)))  # no thesis row keys
    base = ap_group.iloc[list(full.index).index("atss_fl")]
    low, high = full.loc["atss_fl", ("AP", "95% CI")].strip("[]").split(", ")
    assert base[("AP", ours)] == f"25.0 [{low},\N{NO-BREAK SPACE}{high}]"  # wraps before "["
    assert base[("AP", "thesis")] == f"{thesis.value('5.1', 'atss_fl', 'AP'):.1f}"
    assert base[("", report.RUNS_COLUMN)] == "atss_baseline (3 seeds)"
    single = ap_group.iloc[list(full.index).index("atss_fl+conc")]
    assert single[("AP", ours)] == "40.0 (n=1)"
    absent = ap_group.iloc[list(full.index).index("paa")]
    assert absent[("AP", ours)] == "—" and absent[("", report.RUNS_COLUMN)] == "not run"
    # all metric groups together hold every column once; a column the table lacks is an error
    whole = report.compact_side_by_side(full)
    assert [c for c, sub in whole.columns if sub == "thesis"] == cols
    second = report.compact_side_by_side(full, ["oLRP"], runs=False)  # below a first group
    assert list(second.columns) == [("", "method"), ("oLRP", "thesis"), ("oLRP", ours)]
    html = report.format_side_by_side(full, ["oLRP"], runs=False).to_html()
    assert report.RUNS_COLUMN not in html and "atss_fl" not in html and "method" in html
    with pytest.raises(KeyError, match="oLRP_FP"):
        report.compact_side_by_side(full, ["oLRP_FP"])


def test_metric_labels_and_ours_text() -> None:
    assert report.metric_label("beta_cls") == "β_cls"
    assert report.metric_label("AP_upper") == "AP⁺¹" and report.metric_label("AP") == "AP"
    assert report.ours_text(12.345, "[10.0, 14.7]") == "12.3 [10.0,\N{NO-BREAK SPACE}14.7]"
    assert report.ours_text(12.345, "n=1", digits=2) == "12.35 (n=1)"
    assert report.ours_text(None, None) == "—" and report.ours_text(float("nan"), "n=1") == "—"


def test_format_table_shows_no_bare_index(tmp_path: Path) -> None:
    _write(tmp_path, "atss_baseline", 0, 0.2)
    runs = run_table.load_runs(tmp_path, "demo")
    means = run_table.experiment_means(runs, ["AP", "beta_cls"])
    html = report.format_table(means).to_html()
    assert "<th" in html and ">experiment</th>" in html  # the named index, now a column
    assert ">β_cls</th>" in html and ">beta_cls<" not in html
    assert "row_heading" not in html  # no index cells
    assert ">20.0<" in html
    # an unnamed index (thesis row keys) is dropped, a pivot's column name too
    keyed = report.format_table(pd.DataFrame({"AP": [1.0]}, index=["atss_fl"])).to_html()
    assert "atss_fl" not in keyed
    pivot = pd.DataFrame(
        {"pair": ["p", "p"], "seed": [3, 3], "metric": ["AP", "AP75"], "d": [1.234, -2.0]}
    ).pivot_table(index=["pair", "seed"], columns="metric", values="d")
    shown = report.index_as_columns(pivot)
    assert list(shown.columns) == ["pair", "seed", "AP", "AP75"] and shown.columns.name is None
    signed = report.format_table(pivot, formats="{:+.1f}").to_html()
    assert ">+1.2<" in signed and ">-2.0<" in signed and ">p<" in signed
    assert ">3<" in signed and "+3" not in signed  # the index's seed is no signed number
    by_name = report.format_table(means, formats={"beta_cls": "{:.3f}"}).to_html()
    assert ">30.000<" in by_name and ">20.0<" in by_name


def test_provenance_lists_the_parameters_a_page_ran_with(tmp_path: Path) -> None:
    _write(tmp_path, "atss_baseline", 0, 0.2)
    runs = run_table.load_runs(tmp_path, "demo")
    params = {"profile": "demo", "results_root": "../results", "seeds": None}
    text = report.provenance_markdown(runs, "demo", tmp_path, parameters=params)
    assert "- Parameters: `profile = 'demo'`, `results_root = '../results'`, `seeds = None`" in text
    assert "Parameters" not in report.provenance_markdown(runs, "demo", tmp_path)
    empty = report.provenance_markdown(runs.iloc[:0], "smoke", tmp_path, parameters=params)
    assert "`profile = 'demo'`" in empty and "No results files" in empty
    assert provenance_text.parameters_markdown({}) == "- Parameters: none"
