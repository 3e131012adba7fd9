"""Learning curves: the log parser, the learning threshold, the record and the reason a
comparison of a method that does not learn cannot be tested; the builder's evaluation interval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reproduction.records import learning_curves as lc
from reproduction.running import train_curve
from reproduction.running.config_builder import build_config
from reproduction.spec.run import Run


def _log(work: Path, entries: list[dict], stamp: str = "20260101_000000") -> Path:
    path = work / stamp / "vis_data" / "scalars.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(e) + "\n" for e in entries))
    return path


def _validation(step: int, ap: float, ap50: float) -> dict:
    return {"coco/bbox_mAP": ap, "coco/bbox_mAP_50": ap50, "data_time": 0.1, "step": step}


def test_read_points_takes_the_evaluations_in_percent_by_iteration(tmp_path):
    _log(
        tmp_path,
        [
            {"loss": 1.2, "time": 0.5, "step": 300},
            _validation(300, 0.004, 0.01),
            {"loss": 1.0, "time": 0.5, "step": 600},
            _validation(600, 0.031, 0.09),
        ],
    )
    points = lc.read_points(tmp_path)
    assert [p.iteration for p in points] == [300, 600]
    assert points[1].AP == pytest.approx(3.1) and points[1].AP50 == pytest.approx(9.0)


def test_an_evaluation_logged_at_epoch_zero_takes_the_iteration_of_the_training_before_it(
    tmp_path,
):
    _log(
        tmp_path,
        [
            {"loss": 1.0, "time": 0.5, "step": 280},
            {"loss": 1.0, "time": 0.5, "step": 300},
            _validation(0, 0.01, 0.02),
            {"loss": 0.9, "time": 0.5, "step": 600},
            _validation(0, 0.03, 0.05),
        ],
    )
    assert [p.iteration for p in lc.read_points(tmp_path)] == [300, 600]
    # logged every 20 iterations, evaluated every 150: the evaluation at 150 follows the 140 log
    _log(
        tmp_path,
        [{"loss": 1.0, "step": 140}, _validation(0, 0.01, 0.02), {"loss": 1.0, "step": 300}],
    )
    assert [p.iteration for p in lc.read_points(tmp_path, every=150)] == [150]
    assert [p.iteration for p in lc.read_points(tmp_path)] == [140]


def test_a_resumed_run_adds_its_evaluations_and_a_repeated_one_keeps_the_later_log(tmp_path):
    _log(tmp_path, [_validation(300, 0.01, 0.02)], "20260101_000000")
    _log(tmp_path, [_validation(300, 0.02, 0.04), _validation(600, 0.07, 0.2)], "20260102_000000")
    points = lc.read_points(tmp_path)
    assert [(p.iteration, round(p.AP, 6)) for p in points] == [(300, 2.0), (600, 7.0)]


def test_a_log_without_evaluation_or_with_a_broken_line_is_named(tmp_path):
    _log(tmp_path, [{"loss": 1.0, "time": 0.5, "step": 20, "lr": 0.01}])
    with pytest.raises(lc.CurveError, match="no validation"):
        lc.read_points(tmp_path)
    log = _log(tmp_path, [_validation(300, 0.01, 0.02)])
    log.write_text(log.read_text() + "{not json\n")
    with pytest.raises(lc.CurveError, match="line 2"):
        lc.read_points(tmp_path)


def test_an_evaluation_that_detected_nothing_counts_as_ap_zero(tmp_path):
    _log(
        tmp_path,
        [
            {"lr": 0.01, "loss": 2.0, "time": 0.5, "step": 2},
            {"data_time": 0.04, "time": 6.3, "step": 2},  # mmdet: no detections, no metric
            {"lr": 0.01, "loss": 1.9, "time": 0.5, "step": 4},
            _validation(4, 0.009, 0.05),
        ],
    )
    points = lc.read_points(tmp_path)
    assert [(p.iteration, p.AP) for p in points] == [(2, 0.0), (4, pytest.approx(0.9))]


def test_first_learning_is_the_first_evaluation_at_or_above_the_threshold():
    points = [
        lc.CurvePoint(300, 1.0, 3.0),
        lc.CurvePoint(600, 5.0, 12.0),
        lc.CurvePoint(900, 9.0, 20.0),
    ]
    assert lc.first_learning(points) == 600
    assert lc.first_learning(points, threshold=10.0) is None


def _record(experiment: str, aps: list[float], seed: int = 0, every: int = 300) -> dict:
    points = [lc.CurvePoint(every * (i + 1), ap, 2 * ap) for i, ap in enumerate(aps)]
    training = {"iterations": every * len(aps), "seconds_per_iter": 0.3, "wall_s": 10.0}
    return lc.curve_record(experiment, "demo", seed, every, points, training, {"git": {}})


def test_curve_records_round_trip_and_a_missing_field_is_named(tmp_path):
    record = _record("detr_baseline", [0.0, 0.2, 0.4])
    path = lc.curve_path(tmp_path, "demo", "detr_baseline", 0)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(record))
    assert path == tmp_path / "curves" / "demo" / "detr_baseline" / "seed0.json"
    assert lc.iter_curves(tmp_path, "demo") == [record]
    assert record["learns_at"] is None and record["threshold_AP"] == lc.LEARNS_AP
    del record["points"][1]["AP"]
    path.write_text(json.dumps(record))
    with pytest.raises(lc.CurveError, match=r"points\[1\]\.AP"):
        lc.read_curve(path)


def test_an_earlier_root_hides_the_same_seed_of_a_later_one(tmp_path):
    for root, aps in (("results", [1.0, 6.0]), ("archive", [0.0, 0.1])):
        path = lc.curve_path(tmp_path / root, "demo", "atss_rs_baseline", 0)
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(_record("atss_rs_baseline", aps)))
    curves = lc.load_curves([tmp_path / "results", tmp_path / "archive"], "demo")
    assert [r["learns_at"] for r in curves["atss_rs_baseline"]] == [600]


def test_only_an_experiment_whose_every_curve_stays_under_the_threshold_is_untestable():
    curves = {
        "detr_baseline": [_record("detr_baseline", [0.0, 0.3, 0.1], every=600)],
        "atss_rs_baseline": [_record("atss_rs_baseline", [1.0, 4.0, 7.5])],
    }
    reason = lc.not_learning_reason(["atss_baseline", "detr_baseline"], curves)
    assert reason == (
        "detr_baseline stays under AP 5 % through 1800 iterations "
        "(best AP 0.3 % at 1200; learning curve, seed 0)"
    )
    assert lc.not_learning_reason(["atss_rs_baseline", "atss_baseline"], curves) is None


def test_train_curve_refuses_bad_lengths_and_the_paper_profile(tmp_path):
    with pytest.raises(ValueError, match="every"):
        train_curve.train_curve(
            Run.resolve("detr_baseline", "demo", max_iters=100, val_interval=300),
            results_root=tmp_path,
        )
    with pytest.raises(ValueError, match="embedded-data"):
        train_curve.train_curve(
            Run.resolve("detr_baseline", "paper", max_iters=600, val_interval=300),
            results_root=tmp_path,
        )
    assert train_curve.main(["detr_baseline", "--max-iters", "10", "--every", "0"]) == 2


def test_the_builder_validates_every_n_iterations_only_when_asked(tmp_path):
    cfg = build_config(
        Run.resolve(
            "atss_rs_baseline", "demo", data_root=tmp_path, max_iters=2400, val_interval=300
        )
    )
    assert cfg.train_cfg.max_iters == 2400 and cfg.train_cfg.val_interval == 300
    assert cfg.default_hooks.logger.log_metric_by_epoch is False
    assert cfg.val_evaluator["type"] == "CocoMetric" and cfg.val_evaluator["metric"] == "bbox"
    assert cfg.val_evaluator["ann_file"] == str(tmp_path / "annotations" / "val.json")
    plain = build_config(
        Run.resolve("atss_rs_baseline", "demo", data_root=tmp_path, max_iters=2400, validate=True)
    )
    assert plain.train_cfg.val_interval == 2400
    with pytest.raises(ValueError, match="validate"):
        build_config(
            Run.resolve(
                "atss_baseline", "demo", data_root=tmp_path, validate=False, val_interval=300
            )
        )
    with pytest.raises(ValueError, match=">= 1"):
        build_config(Run.resolve("atss_baseline", "demo", data_root=tmp_path, val_interval=0))


def test_curves_are_archived_beside_results_and_a_profile_without_curves_is_an_error(tmp_path):
    from reproduction.records import archive

    record = _record("detr_baseline", [0.0, 0.2])
    source = lc.curve_path(tmp_path / "results", "demo", "detr_baseline", 0)
    source.parent.mkdir(parents=True)
    source.write_text(json.dumps(record))
    written = archive.archive_curves(tmp_path / "results", tmp_path / "archive", "demo")
    assert written == [lc.curve_path(tmp_path / "archive", "demo", "detr_baseline", 0)]
    assert lc.read_curve(written[0]) == record
    assert archive.main(["--curves", "demo-3cls", "--results", str(tmp_path / "results")]) == 2


def test_the_page_tables_say_what_each_curve_shows():
    curves = {
        "detr_baseline": [_record("detr_baseline", [0.0, 0.4, 0.2], every=600)],
        "atss_rs_baseline": [_record("atss_rs_baseline", [3.0, 7.0])],
    }
    table = lc.curves_table(curves).set_index("experiment")
    assert table.loc["detr_baseline", "finding"] == (
        "does not learn: best AP 0.4 % through 1800 iterations"
    )
    assert table.loc["atss_rs_baseline", "finding"] == "learns: AP ≥ 5 % from iteration 600"
    assert table.loc["detr_baseline", "best AP"] == pytest.approx(0.4)
    assert table.loc["detr_baseline", "final AP"] == pytest.approx(0.2)
    frame = lc.curves_frame(curves)
    assert len(frame) == 5 and set(frame.columns) == {
        "experiment",
        "seed",
        "iteration",
        "AP",
        "AP50",
    }
    text = lc.provenance_markdown(curves, "demo", parameters={"profile": "demo"})
    assert "synthetic" in text and "2 (2 experiments; seeds 0)" in text
    assert "No learning curves" in lc.provenance_markdown(
        {}, "demo", parameters={"profile": "demo"}
    )


def test_plot_curves_draws_a_line_per_curve_and_the_threshold():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from reproduction.pages import figures

    frame = lc.curves_frame({"detr_baseline": [_record("detr_baseline", [0.0, 0.4, 0.2])]})
    fig, ax = plt.subplots()
    figures.plot_curves(ax, frame, lc.LEARNS_AP)
    assert len(ax.lines) == 2
    assert list(ax.lines[0].get_xdata()) == [300, 600, 900]
    assert ax.lines[1].get_ydata()[0] == lc.LEARNS_AP
    plt.close(fig)


def test_the_pages_note_names_only_the_methods_that_do_not_learn():
    curves = {
        "detr_baseline": [_record("detr_baseline", [0.0, 0.4], every=600)],
        "atss_rs_baseline": [_record("atss_rs_baseline", [7.0, 9.0])],
    }
    note = lc.not_learning_markdown(curves)
    assert "detr_baseline stays under AP 5 % through 1200 iterations" in note
    assert "atss_rs_baseline" not in note and "(learning_curves.ipynb)" in note
    assert lc.not_learning_markdown(curves, ["atss_rs_baseline"]) is None
    assert lc.not_learning_markdown({}) is None


def test_a_smoke_curve_trains_evaluates_every_n_iterations_and_records_each(
    tmp_path, smoke_data_root
):
    path = train_curve.train_curve(
        Run.resolve(
            "atss_baseline",
            "smoke",
            max_iters=4,
            val_interval=2,
            work_dir=tmp_path / "work",
            data_root=smoke_data_root,
        ),
        results_root=tmp_path / "results",
    )
    record = lc.read_curve(path)
    assert path == lc.curve_path(tmp_path / "results", "smoke", "atss_baseline", 0)
    assert [p["iteration"] for p in record["points"]] == [2, 4]
    assert record["training"]["iterations"] == 4 and record["every"] == 2
    assert record["provenance"]["setting"] == {
        "overlay": "smoke",
        "dataset": "smoke",
        "max_iters": 4,
    }
    again = train_curve.train_curve(
        Run.resolve(
            "atss_baseline", "smoke", max_iters=4, val_interval=2, work_dir=tmp_path / "work"
        ),
        results_root=tmp_path / "again",
        record_only=True,
    )
    assert lc.read_curve(again)["points"] == record["points"]
