"""The regime analysis: effects per IoU threshold, per training length and per start."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reproduction.analysis import regimes
from reproduction.pages import iou_page, regime_pages, regime_runs
from reproduction.records.results import write_results
from reproduction.spec.labels import reader_label

BASE, VARIANT = regime_runs.PAIR
THRESHOLDS = [f"{t:.2f}" for t in np.linspace(0.5, 0.95, 10)]


def _record(experiment: str, seed: int, ap: float, *, per_iou=None, profile="demo", **extra):
    metrics = {"AP": ap, "AP50": ap + 0.2, "AP75": ap - 0.05, "beta_cls": 0.4, "beta_img": 0.5}
    if per_iou is not None:
        metrics["AP_per_iou"] = dict(zip(THRESHOLDS, per_iou, strict=True))
    return {
        "schema": 1,
        "experiment": {"id": experiment, "detector": "atss", "kind": None, "loss_weight": None},
        "profile": profile,
        "seed": seed,
        "dataset": {"name": "x", "synthetic": True, "n_val_images": 10},
        "metrics": metrics,
        "training": {"iterations": 600, "seconds_per_iter": 0.2, "wall_s": 120.0},
        "evaluation_s": 30.0,
        "provenance": {"git": {"commit": "abc"}, "hardware": {"cpu": "cpu", "cores": 2}},
        **extra,
    }


def _iou_pair(n_seeds: int, effect: np.ndarray, noise: float = 0.0, seed: int = 0):
    """Records of both arms whose per-threshold AP differs by ``effect`` (fractions)."""
    rng = np.random.default_rng(seed)
    base_curve = np.linspace(0.6, 0.05, 10)
    records = []
    for s in range(n_seeds):
        jitter = rng.normal(0, noise, 10)
        base = base_curve + rng.normal(0, 0.01)
        records.append(_record(BASE, s, float(base.mean()), per_iou=list(base)))
        var = base + effect + jitter
        records.append(_record(VARIANT, s, float(var.mean()), per_iou=list(var)))
    return records


def test_iou_effects_are_paired_differences_at_each_threshold_in_points():
    effect = np.linspace(-0.05, 0.02, 10)
    effects = regimes.iou_effects(_iou_pair(4, effect, noise=0.002), BASE, VARIANT)
    assert list(effects["threshold"].round(2)) == [round(float(t), 2) for t in THRESHOLDS]
    assert effects["effect"].to_numpy() == pytest.approx(100 * effect, abs=0.5)
    assert (effects["n"] == 4).all()
    assert effects.iloc[0]["direction"] == "loss" and effects.iloc[-1]["direction"] == "gain"
    assert (effects["low"] < effects["effect"]).all() and (
        effects["effect"] < effects["high"]
    ).all()


def test_sign_change_is_interpolated_between_thresholds():
    effect = np.linspace(-0.05, 0.04, 10)  # zero at 0.5 + 5/9 * 0.45 = 0.75
    effects = regimes.iou_effects(_iou_pair(3, effect), BASE, VARIANT)
    assert regimes.sign_change(effects) == pytest.approx(0.75, abs=1e-6)
    assert (
        regimes.sign_change(regimes.iou_effects(_iou_pair(3, np.full(10, 0.01)), BASE, VARIANT))
        is None
    )


def test_runs_without_per_threshold_ap_count_in_coverage_not_in_the_curve():
    records = _iou_pair(2, np.full(10, 0.01))
    records += [_record(BASE, 5, 0.3), _record(VARIANT, 5, 0.31)]
    assert regimes.iou_coverage(records, BASE, VARIANT) == (2, 3)
    assert set(regimes.iou_effects(records, BASE, VARIANT)["n"]) == {2}
    assert regimes.iou_effects([_record(BASE, 0, 0.3)], BASE, VARIANT).empty


def _length_runs(slope_per_doubling: float, n_seeds: int = 6, noise: float = 0.002):
    """Records at four lengths whose AP effect grows by ``slope_per_doubling`` (fraction)."""
    rng = np.random.default_rng(1)
    out = {}
    for n in (300, 600, 1200, 2400):
        effect = slope_per_doubling * math.log2(n / 600) - 0.01
        recs = []
        for s in range(n_seeds):
            base = 0.3 + rng.normal(0, 0.02)
            recs += [
                _record(BASE, s, base),
                _record(VARIANT, s, base + effect + rng.normal(0, noise)),
            ]
        out[n] = recs
    return out


def test_effect_trend_recovers_the_slope_per_doubling_with_an_interval():
    trend = regimes.effect_trend(_length_runs(0.01), BASE, VARIANT, "AP", reference=600)
    assert trend.slope == pytest.approx(1.0, abs=0.15)  # points per doubling
    assert trend.intercept == pytest.approx(-1.0, abs=0.15)
    assert trend.low > 0 and trend.n == 24 and trend.lengths == (300, 600, 1200, 2400)
    flat = regimes.effect_trend(_length_runs(0.0, noise=0.01), BASE, VARIANT, "AP")
    assert flat.low < 0 < flat.high
    assert "no resolved trend" in regime_pages.trend_markdown(flat)
    assert "grows with training" in regime_pages.trend_markdown(trend)
    assert "(6, 6, 6, 6 seeds at 300, 600, 1200, 2400 iterations)" in (
        regime_pages.trend_markdown(trend)
    )
    one = regimes.effect_trend({600: _length_runs(0.01)[600]}, BASE, VARIANT, "AP")
    assert math.isnan(one.slope) and one.low is None
    assert "one length only" in regime_pages.trend_markdown(one)
    assert regimes.effect_trend({600: []}, BASE, VARIANT) is None


def test_an_equal_weight_trend_fits_only_the_seeds_every_length_has():
    runs = _length_runs(0.01, n_seeds=6)
    runs[600] += [  # extra seeds at one length only, their effect far off the line
        _record(exp, s, 0.3 + (0.05 if exp == VARIANT else 0.0))
        for s in range(6, 30)
        for exp in (BASE, VARIANT)
    ]
    runs[2400] = [r for r in runs[2400] if r["seed"] != 5]
    assert regimes.seeds_at_every_length(runs, BASE, VARIANT) == [0, 1, 2, 3, 4]
    every = regimes.effect_trend(runs, BASE, VARIANT, "AP")
    assert every.n == 6 + 30 + 6 + 5 and every.intercept > 2.0  # pulled by the extra seeds
    equal = regimes.effect_trend(runs, BASE, VARIANT, "AP", seeds=[0, 1, 2, 3, 4])
    assert equal.seeds == (5, 5, 5, 5) and every.seeds == (6, 30, 6, 5)
    assert equal.n == 20 and equal.slope == pytest.approx(1.0, abs=0.15)
    assert equal.intercept == pytest.approx(-1.0, abs=0.15)
    loaded = {n: regime_runs.Loaded("demo", recs, "archive") for n, recs in runs.items()}
    (ap,) = regime_pages.trends(loaded, ("AP",), equal_weight=True)
    assert ap == equal
    runs[300] = [r for r in runs[300] if r["seed"] == 5]  # seed 5 is not at 2400: none shared
    assert regimes.seeds_at_every_length(runs, BASE, VARIANT) == []
    loaded = {n: regime_runs.Loaded("demo", recs, "archive") for n, recs in runs.items()}
    assert regime_pages.trends(loaded, ("AP",), equal_weight=True) == []


def test_length_effects_and_arms_have_a_row_per_length_and_metric():
    runs = _length_runs(0.01, n_seeds=3)
    effects = regimes.length_effects(runs, BASE, VARIANT, ("AP", "AP50"))
    assert list(effects["iterations"]) == [300, 300, 600, 600, 1200, 1200, 2400, 2400]
    at_2400 = effects[(effects["iterations"] == 2400) & (effects["metric"] == "AP")].iloc[0]
    assert at_2400["effect"] == pytest.approx(1.0, abs=0.3)
    arms = regimes.length_arms(runs, [BASE, VARIANT], ("AP",))
    assert len(arms) == 8 and (arms["n"] == 3).all()
    table = regime_pages.effects_table(effects, "iterations")
    assert list(table.columns) == ["iterations", "Δ AP", "seeds", "Δ AP50"]
    assert table.iloc[-1]["Δ AP"].startswith("+1.")


def test_effect_difference_is_welch_over_two_independent_sets():
    a = _length_runs(0.0, noise=0.002)[600]
    b = [
        {**r, "metrics": {**r["metrics"], "AP": r["metrics"]["AP"] + 0.02}}
        if r["experiment"]["id"] == VARIANT
        else r
        for r in a
    ]
    interval = regimes.effect_difference(a, b, BASE, VARIANT, "AP")
    assert interval.mean == pytest.approx(2.0) and interval.low > 0
    assert regimes.effect_difference(a[:2], b, BASE, VARIANT) is None


def test_pages_read_the_source_with_more_runs_and_label_the_pretraining(tmp_path):
    results, archive = tmp_path / "results", tmp_path / "archive"
    pretraining = {
        "name": "shapes-crops",
        "recipe": {"batch_size": 64, "crop_size": 64, "held_out": 1024},
        "iterations": 1500,
        "classes": ["a"] * 8,
        "wall_s": 420.0,
        "held_out_accuracy": 0.95,
        "chance_accuracy": 0.14,
        "backbone_sha256": "f00",
    }
    for seed in range(3):
        for exp, ap in ((BASE, 0.30), (VARIANT, 0.32 + 0.001 * seed)):
            per_iou = list(np.linspace(0.5, 0.0, 10) + (ap - 0.3))
            rec = _record(exp, seed, ap, per_iou=per_iou, profile="demo-pretrained")
            rec["pretrained"] = pretraining
            write_results(archive / "demo-pretrained" / exp / f"seed{seed}.json", rec)
    write_results(
        results / "demo-pretrained" / BASE / "seed0.json",
        _record(BASE, 0, 0.1, profile="demo-pretrained"),
    )
    loaded = regime_runs.load("demo-pretrained", results, archive)
    assert loaded.source == "archive" and len(loaded.records) == 6
    summary = regime_pages.pretraining_summary(loaded)
    assert "95.0 %" in summary and "1500 steps" in summary and "6 runs" in summary
    starts = regime_runs.by_start(results, archive)
    assert list(starts) == ["pretrained"]
    assert "waits for runs of: random weights" in regime_pages.start_difference(starts)
    shown = iou_page.iou_profiles(results, archive, ["demo-pretrained"])
    assert [r.profile for r in shown] == ["demo-pretrained"]
    row = iou_page.iou_table(iou_page.iou_curves(shown)).iloc[0]
    assert row["seeds"] == 3 and row["Δ AP50"].startswith("+2.")
    assert row["pair"] == "ATSS ± Concordance Loss, λ = 0.3"
    assert row["setting"] == "600 iterations, pretrained backbone"
    costs = regime_runs.cost_table(["demo-pretrained"], results, archive)
    assert costs.iloc[0]["runs"] == 6 and costs.iloc[0]["training (h)"] == "0.20"
    note = regime_pages.regime_note(results, archive)
    assert "by start (600 iterations): pretrained +2.1" in note and "regimes.html" in note
    assert regime_pages.regime_note(tmp_path / "none", tmp_path / "none") == ""


def test_a_shared_cache_reads_each_profile_once(tmp_path, monkeypatch):
    results, archive = tmp_path / "results", tmp_path / "archive"
    for seed in range(2):
        for exp, ap in ((BASE, 0.30), (VARIANT, 0.31)):
            per_iou = list(np.linspace(0.5, 0.0, 10) + (ap - 0.3))
            write_results(
                archive / "demo" / exp / f"seed{seed}.json",
                _record(exp, seed, ap, per_iou=per_iou),
            )
    reads: list[str] = []
    real = regime_runs.best_records

    def counting(profile, *roots):
        reads.append(profile)
        return real(profile, *roots)

    monkeypatch.setattr(regime_runs, "best_records", counting)
    cache: regime_runs.Cache = {}
    first = regime_runs.by_length(results, archive, cache)
    second = regime_runs.by_start(results, archive, cache)
    assert first[600] is second["random weights"] and reads.count("demo") == 1
    reads.clear()
    note = regime_pages.regime_note(results, archive)
    assert "(600 iterations, from scratch, 2 seeds)" in note and reads.count("demo") == 1
    reads.clear()
    regime_runs.by_length(results, archive)
    regime_runs.by_start(results, archive)
    assert reads.count("demo") == 2  # no cache: each call reads


def test_every_pair_with_per_threshold_runs_gets_a_curve_and_a_panel(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results, archive = tmp_path / "results", tmp_path / "archive"
    retina = ("retinanet_baseline", "retinanet_spearman_0.1")
    for seed in range(3):
        for exp, ap in ((BASE, 0.30), (VARIANT, 0.31), (retina[0], 0.25), (retina[1], 0.24)):
            per_iou = list(np.linspace(0.5, 0.0, 10) + (ap - 0.3))
            record = _record(exp, seed, ap, per_iou=per_iou if seed < 2 else None)
            write_results(archive / "demo" / exp / f"seed{seed}.json", record)
    write_results(  # one seed only: too few for a curve
        archive / "demo-len300" / BASE / "seed0.json",
        _record(BASE, 0, 0.3, per_iou=[0.1] * 10, profile="demo-len300"),
    )
    write_results(
        archive / "demo-len300" / VARIANT / "seed0.json",
        _record(VARIANT, 0, 0.3, per_iou=[0.1] * 10, profile="demo-len300"),
    )
    shown = iou_page.iou_profiles(results, archive)
    assert [r.profile for r in shown] == ["demo"]
    curves = iou_page.iou_curves(shown)
    assert [(c.baseline, c.variant) for c in curves] == [regime_runs.PAIR, retina]
    assert [c.seeds for c in curves] == [2, 2]  # seed 2 kept AP50 / AP75 only
    assert curves[0].effects["effect"].iloc[0] == pytest.approx(1.0)
    assert curves[1].effects["effect"].iloc[0] == pytest.approx(-1.0)
    table = iou_page.iou_table(curves)
    assert list(table["pair"]) == [c.pair for c in curves]
    fig = plt.figure()
    iou_page.plot_iou(fig, curves)
    assert [ax.get_title() for ax in fig.axes] == [c.pair for c in curves]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[0].startswith("600 iterations, from scratch (2 seeds)")
    plt.close(fig)
    note = regime_pages.regime_note(results, archive)
    assert "Per IoU threshold (600 iterations, from scratch, 2 seeds)" in note
    assert "AP50 +1.0" in note


def test_pairs_run_at_two_lengths_get_their_own_frames_trends_and_costs(tmp_path):
    retina = ("retinanet_baseline", "retinanet_spearman_0.1")
    runs = _length_runs(0.01, n_seeds=3)
    for n, effect in ((600, -0.02), (2400, 0.0)):  # RetinaNet at two of the four lengths
        for s in range(3):
            runs[n] += [_record(retina[0], s, 0.25), _record(retina[1], s, 0.25 + effect)]
    runs[1200].append(_record(retina[0], 0, 0.25))  # a baseline alone pairs nothing
    loaded = {n: regime_runs.Loaded("demo", recs, "archive") for n, recs in runs.items()}
    assert regime_pages.length_pairs(loaded) == [regime_runs.PAIR, retina]
    _, effects = regime_pages.length_frames(loaded, ("AP",), retina)
    assert list(effects["iterations"]) == [600, 2400]
    assert list(effects["effect"].round(6)) == [-2.0, 0.0]
    (trend,) = regime_pages.trends(loaded, ("AP",), pair=retina)
    assert trend.lengths == (600, 2400) and trend.slope == pytest.approx(1.0)  # 2 doublings
    (equal,) = regime_pages.trends(loaded, ("AP",), pair=retina, equal_weight=True)
    assert equal.seeds == (3, 3)  # the lengths RetinaNet was not run at do not empty it
    assert reader_label(pair=retina) == "RetinaNet ± Spearman Loss, λ = 0.1"
    one = {600: loaded[600]}
    assert regime_pages.length_pairs(one) == []

    archive = tmp_path / "archive"
    for record in runs[2400]:
        name = f"seed{record['seed']}.json"
        write_results(archive / "demo-len2400" / record["experiment"]["id"] / name, record)
    costs = regime_runs.cost_table(["demo-len2400"], tmp_path / "results", archive)
    assert list(costs["pair"]) == [
        reader_label(pair=regime_runs.PAIR),
        reader_label(pair=retina),
    ]
    assert list(costs["runs"]) == [6, 6]
    only = regime_runs.cost_table(["demo-len2400"], tmp_path / "r", archive, [retina])
    assert list(only["pair"]) == [reader_label(pair=retina)]
    for record in runs[600]:
        name = f"seed{record['seed']}.json"
        write_results(archive / "demo" / record["experiment"]["id"] / name, record)
    note = regime_pages.regime_note(tmp_path / "results", archive)
    assert (
        "The AP effect of RetinaNet ± Spearman Loss, λ = 0.1 by training length: "
        "600 iterations -2.0" in note
    )


def test_differences_by_seed_pair_seeds_in_points_in_seed_order():
    records = [
        _record(BASE, 2, 0.30),
        _record(VARIANT, 2, 0.32),
        _record(BASE, 0, 0.40),
        _record(VARIANT, 0, 0.35),
        _record(BASE, 1, 0.50),  # no variant: unpaired
    ]
    diffs = regimes.differences_by_seed(iter(records), BASE, VARIANT, "AP")
    assert list(diffs) == [0, 2]
    assert diffs[0] == pytest.approx(-5.0) and diffs[2] == pytest.approx(2.0)


def test_a_prediction_leaves_its_length_out_and_says_whether_it_held():
    from reproduction.analysis.regimes import predict_effect

    def records(n_iters: int, effect: float, noise: list[float]) -> list[dict]:
        out = []
        for seed, e in enumerate(noise):
            out.append({"experiment": {"id": "b"}, "seed": seed, "metrics": {"AP": 0.30}})
            out.append(
                {
                    "experiment": {"id": "v"},
                    "seed": seed,
                    "metrics": {"AP": 0.30 + (effect + e) / 100},
                }
            )
        return out

    noise = [-0.2, 0.1, 0.2, -0.1]
    # the effect grows by 0.5 points per doubling from -1.0 at 600 iterations
    lengths = {n: records(n, -1.0 + 0.5 * math.log2(n / 600), noise) for n in (300, 600, 1200)}
    ahead = predict_effect(lengths, "b", "v", 4800)
    assert ahead.fitted_lengths == (300, 600, 1200) and ahead.measured is None
    assert ahead.predicted.mean == pytest.approx(0.5, abs=1e-9)
    assert ahead.predicted.low < 0.5 < ahead.predicted.high
    assert ahead.outcome == "not measured"
    lengths[4800] = records(4800, 0.5, noise)  # as predicted: holds
    assert predict_effect(lengths, "b", "v", 4800, new_seeds=4).outcome == "holds"
    lengths[4800] = records(4800, -3.0, noise)  # far below: fails
    # fewer paired seeds than the interval is for: no verdict yet
    assert predict_effect(lengths, "b", "v", 4800, new_seeds=8).outcome == "pending"
    failed = predict_effect(lengths, "b", "v", 4800, new_seeds=4)
    assert failed.outcome == "fails" and failed.measured.mean == pytest.approx(-3.0)
    assert failed.predicted.mean == pytest.approx(0.5, abs=1e-9)  # its own runs left out
    assert predict_effect({600: lengths[600]}, "b", "v", 4800) is None


def test_the_page_sets_each_recorded_prediction_beside_its_measurement():
    from reproduction.pages.regime_pages import prediction_rows
    from reproduction.pages.regime_runs import Loaded

    prediction = {
        "baseline": "atss_baseline",
        "variant": "atss_concordance_0.3",
        "iterations": 4800,
        "metric": "AP",
        "predicted": 1.0,
        "low": 0.2,
        "high": 1.8,
        "fitted_lengths": [600, 2400],
        "fitted_differences": 16,
    }
    before = prediction_rows([prediction], {})
    assert before.loc[0, "measured"] == "not run yet"
    assert before.loc[0, "pair"] == "ATSS ± Concordance Loss, λ = 0.3"
    records = []
    for seed, effect in enumerate([2.5, 2.7, 2.6]):  # far above the interval
        records.append(
            {"experiment": {"id": "atss_baseline"}, "seed": seed, "metrics": {"AP": 0.3}}
        )
        records.append(
            {
                "experiment": {"id": "atss_concordance_0.3"},
                "seed": seed,
                "metrics": {"AP": 0.3 + effect / 100},
            }
        )
    loaded = {4800: Loaded("demo-len4800", records, "archive")}
    assert prediction_rows([prediction], loaded).loc[0, "the prediction"] == "pending: 3 of 8 seeds"
    after = prediction_rows([{**prediction, "new_seeds": 3}], loaded)
    assert after.loc[0, "the prediction"] == "failed"
    assert after.loc[0, "measured"].startswith("+2.6") and "3 seeds" in after.loc[0, "measured"]
