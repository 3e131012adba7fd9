"""The protocol study's functions: intervals narrow with seeds; validation subsets re-score."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from corrlib import metrics
from reproduction.analysis.study import (
    MIN_PROTOCOL_SEEDS,
    choose_protocol,
    interval_by_seed_count,
    interval_by_val_size,
    minutes_per_seed,
    paired_by_setting,
    protocol_options,
    rescore,
    run_budget,
    seeds_to_resolve,
    timed_runs,
)


def test_interval_narrows_with_more_seeds() -> None:
    rng = np.random.default_rng(0)
    shared = rng.normal(0, 4, 8)
    baseline = dict(enumerate(30 + shared))
    variant = dict(enumerate(31 + shared + rng.normal(0, 0.3, 8)))
    table = interval_by_seed_count(baseline, variant)
    assert list(table["n_seeds"]) == list(range(2, 9))
    widths = table["half_width"].to_numpy()
    assert widths[0] > widths[-1] * 3  # t(1) is huge; eight seeds are far tighter
    assert table["resolved_share"].iloc[-1] >= table["resolved_share"].iloc[0]
    assert table["subsets"].iloc[0] == 28  # C(8, 2)


def _toy_set(tmp_path: Path) -> tuple[Path, dict, dict]:
    """Ten one-object images; a 'good' and a 'bad' detector, as kept-detection dicts."""
    images = [{"id": i, "width": 100, "height": 100, "file_name": f"{i}.png"} for i in range(1, 11)]
    anns = [{"id": i, "image_id": i, "category_id": 1, "bbox": [10, 10, 40, 40], "area": 1600,
             "iscrowd": 0} for i in range(1, 11)]  # fmt: skip
    gt = {"images": images, "annotations": anns, "categories": [{"id": 1, "name": "a"}]}
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(gt))

    def kept(shift: float) -> dict:
        dets = [{"image_id": i, "category_id": 1, "bbox": [10 + shift * i, 10, 40, 40],
                 "score": 0.9 - 0.05 * i} for i in range(1, 11)]  # fmt: skip
        return {"detections": dets, "pre_nms_positives": {}}

    return path, kept(0.5), kept(2.0)


def test_rescore_on_all_images_equals_metrics(tmp_path: Path) -> None:
    gt_path, good, _ = _toy_set(tmp_path)
    gt = json.loads(gt_path.read_text())
    scored = rescore(gt, good, [im["id"] for im in gt["images"]])
    assert scored["AP"] == pytest.approx(100 * metrics.coco_ap(gt, good["detections"])["AP"])
    assert scored["beta_img"] is None
    half = rescore(gt, good, [1, 2, 3, 4, 5])
    assert half["AP"] >= scored["AP"]  # the first images' boxes are the best localised


def test_interval_by_val_size_uses_nested_subsets(tmp_path: Path) -> None:
    gt_path, good, bad = _toy_set(tmp_path)
    files = {}
    for name, data in (("good", good), ("bad", bad)):
        for seed in (0, 1, 2):
            p = tmp_path / f"{name}{seed}.json"
            p.write_text(json.dumps(data))
            files[name, seed] = p
    table = interval_by_val_size(
        gt_path,
        {s: files["bad", s] for s in (0, 1, 2)},
        {s: files["good", s] for s in (0, 1, 2)},
        sizes=[4, 10],
        study_metrics=("AP", "AP75"),
    )
    assert set(table["n_val"]) == {4, 10} and set(table["metric"]) == {"AP", "AP75"}
    ap10 = table[(table["n_val"] == 10) & (table["metric"] == "AP")].iloc[0]
    assert ap10["mean"] > 0 and ap10["half_width"] == pytest.approx(0.0)  # identical seeds
    # one image holds one true positive: β_cls is undefined there and its row is left out,
    # not an error (the smoke profile's tiny validation set hits this)
    small = interval_by_val_size(
        gt_path,
        {s: files["bad", s] for s in (0, 1)},
        {s: files["good", s] for s in (0, 1)},
        sizes=[1, 10],
        study_metrics=("AP", "beta_cls"),
    )
    assert set(small[small["n_val"] == 1]["metric"]) == {"AP"}
    assert set(small[small["n_val"] == 10]["metric"]) == {"AP", "beta_cls"}


def test_seeds_to_resolve_matches_the_t_interval() -> None:
    from scipy import stats

    diffs = [1.0, 3.0, 2.0]  # mean 2, sd 1
    n = seeds_to_resolve(diffs)
    half = lambda k: stats.t.ppf(0.975, k - 1) / np.sqrt(k)  # noqa: E731  (× sd = 1)
    assert half(n) < 2.0 <= half(n - 1)  # the first n whose half-width is below |mean|
    assert n == 4  # t(3) 3.18 / 2 = 1.59 < 2; t(2) 4.30 / 1.73 = 2.48
    assert seeds_to_resolve([-1.0, 1.0]) is None  # mean 0: nothing to resolve
    assert seeds_to_resolve([0.1, -5.0, 5.2], max_seeds=10) is None
    with pytest.raises(ValueError, match="at least two"):
        seeds_to_resolve([1.0])


def test_seeds_to_a_target_half_width_ignore_the_mean() -> None:
    from scipy import stats

    half = lambda k: stats.t.ppf(0.975, k - 1) / np.sqrt(k)  # noqa: E731  (× sd = 1)
    for diffs in ([1.0, 3.0, 2.0], [-1.0, 1.0, 0.0]):  # sd 1; the second's mean is 0
        n = seeds_to_resolve(diffs, half_width=0.5, max_seeds=1000)
        assert half(n) <= 0.5 < half(n - 1)  # the first n at most the target half-width
    assert n == 18
    assert seeds_to_resolve([1.0, 3.0, 2.0], half_width=0.5, max_seeds=10) is None


# ---------------------------------------------------------------------------------------------
# across settings and the protocol choice


def _runs(diffs: dict[int, float], s_per_iter: float = 0.5, iterations: int = 600) -> pd.DataFrame:
    """A load_runs-like frame: a baseline at 40 and its variant at 40 + diff, per seed."""
    rows = []
    for seed, diff in diffs.items():
        for experiment, beta in (("a_baseline", 40.0), ("a_corr", 40.0 + diff)):
            rows.append({"experiment": experiment, "seed": seed, "beta_cls": beta,
                         "beta_img": beta, "AP": 30.0, "AP75": 20.0, "s_per_iter": s_per_iter,
                         "iterations": iterations, "evaluation_s": 12.0})  # fmt: skip
    return pd.DataFrame(rows)


PAIR = [("a_baseline", "a_corr")]


def test_paired_by_setting_equals_the_t_interval_of_differences() -> None:
    from scipy import stats

    diffs = {0: 2.0, 1: 4.0, 2: 3.0}
    table = paired_by_setting({"long": _runs(diffs), "one": _runs({0: 5.0})}, PAIR)
    row = table[(table["setting"] == "long") & (table["metric"] == "beta_cls")].iloc[0]
    low, high = stats.t.interval(0.95, 2, loc=3.0, scale=stats.sem([2.0, 4.0, 3.0]))
    assert row["mean"] == pytest.approx(3.0) and row["n_seeds"] == 3
    assert (row["low"], row["high"]) == pytest.approx((low, high))
    assert row["verdict"] == "gain" and row["pair"] == "a_corr − a_baseline"
    one = table[(table["setting"] == "one") & (table["metric"] == "AP")].iloc[0]
    assert one["verdict"] == "not resolved" and pd.isna(one["low"])  # one seed: no interval


def test_minutes_per_seed_counts_training_and_evaluation_in_parallel() -> None:
    runs = _runs({0: 1.0, 1: 1.0})
    # two experiments × (0.5 s × 600 + 12 s), two jobs at a time
    assert minutes_per_seed(runs, ["a_baseline", "a_corr"]) == pytest.approx(312 / 60)
    with pytest.raises(ValueError, match="no runs of 'b_baseline'"):
        minutes_per_seed(runs, ["b_baseline"])


def test_protocol_options_measure_then_project_and_the_choice_is_the_cheapest() -> None:
    noisy = _runs({0: 2.0, 1: 3.0, 2: 2.5})  # mean 2.5, sd 0.5: t(2) half-width 1.24
    cheap = _runs({0: 2.0, 1: 3.0, 2: 2.5}, iterations=300)
    options = protocol_options({"long": noisy, "short": cheap}, PAIR, ("beta_cls",), max_seeds=5)
    long = options[options["setting"] == "long"].set_index("n_seeds")
    assert list(long["basis"]) == ["measured"] * 3 + ["projected"] * 2
    assert long.loc[2, "n_resolved"] == 0  # seeds 0, 1 → t(1) interval contains 0
    assert long.loc[3, "resolved"] == ("a_corr − a_baseline|beta_cls",)
    assert long.loc[5, "minutes"] == pytest.approx(5 * 312 / 60)
    target = ["a_corr − a_baseline|beta_cls"]
    choice = choose_protocol(options, target, budget_minutes=10.0, min_seeds=2)
    assert choice["within_budget"]["setting"] == "short"  # same verdicts, half the time
    assert choice["within_budget"]["n_seeds"] == 3
    assert choose_protocol(options, target, 1.0, min_seeds=2)["within_budget"] is None
    # by default a protocol has at least MIN_PROTOCOL_SEEDS seeds, though 3 resolve here
    assert MIN_PROTOCOL_SEEDS == 5
    assert choose_protocol(options, target, budget_minutes=10.0)["cheapest"]["n_seeds"] == 5
    assert choose_protocol(options, target, 10.0, min_seeds=6)["cheapest"] is None
    flat = protocol_options({"flat": _runs({0: -1.0, 1: 1.0, 2: 0.0})}, PAIR, ("beta_cls",))
    assert choose_protocol(flat, target, 1e9) == {"within_budget": None, "cheapest": None}


def _timed(record: str, recorded: str, **walls: tuple[int, float]) -> list[dict]:
    """Timing runs of one record: profile → (number of seeds, wall seconds)."""
    return [
        {"record": record, "recorded": recorded, "profile": profile.replace("_", "-"),
         "seeds": list(range(n)), "wall_s": wall, "cpu": "cpu", "commit": "abc"}
        for profile, (n, wall) in walls.items()
    ]  # fmt: skip


def test_timed_runs_takes_one_record_and_measured_minutes_replace_the_model(monkeypatch) -> None:
    from dataclasses import replace

    from reproduction.spec import profiles

    old = _timed("a.json", "2026-01-01T00:00:00Z", long=(5, 600.0), demo_v1=(1, 300.0))
    new = _timed("b.json", "2026-02-01T00:00:00Z", short=(3, 900.0), demo_v1=(1, 600.0))
    table = timed_runs(old + new + _timed("c.json", "2026-03-01T00:00:00Z", x=(1, 1.0)), "demo-v1")
    # the latest record that timed the reference; no ratio mixes two records
    assert set(table["record"]) == {"b.json"}
    short = table.set_index("setting").loc["short"]
    assert short["minutes"] == pytest.approx(15.0) and short["ratio"] == pytest.approx(1.5)
    assert timed_runs(new, "demo").empty
    # a profile that runs a study setting with more seeds is timed as that setting
    more = replace(profiles.get_profile("demo"), name="demo-long", purpose="more seeds")
    monkeypatch.setattr(profiles, "_ALL", (*profiles._ALL, more))
    monkeypatch.setitem(profiles.PROFILES, more.name, more)
    long = _timed("d.json", "2026-04-01T00:00:00Z", demo_long=(5, 3000.0), demo_v1=(1, 1200.0))
    assert timed_runs(long, "demo-v1").set_index("setting").loc["demo", "n_seeds"] == 5

    runs = _runs({0: 2.0, 1: 3.0, 2: 2.5}, iterations=300)
    options = protocol_options({"short": runs}, PAIR, ("beta_cls",), max_seeds=4, measured=table)
    by_n = options.set_index("n_seeds")
    assert by_n.loc[3, "minutes"] == pytest.approx(15.0) and by_n.loc[3, "cost"] == "measured ./run"
    assert by_n.loc[4, "cost"] == "modelled"  # no ./run with 4 seeds was timed
    assert by_n.loc[4, "minutes"] == pytest.approx(4 * 162 / 60)
    choice = choose_protocol(options, ["a_corr − a_baseline|beta_cls"], 12.0, min_seeds=3)
    assert choice["within_budget"]["n_seeds"] == 4  # 3 seeds measured 15 min: over budget
    budget, basis = run_budget(table, "demo-v1", 2.0, fallback_minutes=20.0)
    assert budget == pytest.approx(20.0) and "2 × the measured `./run` of `demo-v1`" in basis
    assert run_budget(table.iloc[0:0], "demo-v1", 2.0, 7.0)[0] == 7.0


def test_archive_copies_validated_results_and_the_larger_source_wins(tmp_path: Path) -> None:
    from reproduction.records.archive import archive_profile, load_best, main
    from reproduction.records.results import ResultsError, results_path, write_results
    from tests.test_results import make_record

    local, archive = tmp_path / "results", tmp_path / "archive"
    for seed in (0, 1):
        write_results(results_path(local, "smoke", "atss_baseline", seed), make_record(seed=seed))
    (local / "smoke" / "atss_baseline" / "seed0.detections.json").write_text("{}")
    written = archive_profile(local, archive, "smoke")
    assert sorted(p.name for p in written) == ["seed0.json", "seed1.json"]
    assert not (archive / "smoke" / "atss_baseline" / "seed0.detections.json").exists()
    assert archive_profile(local, tmp_path / "none", "smoke", ["atss_baseline"]) != []
    with pytest.raises(ValueError, match="no results files"):
        archive_profile(local, tmp_path / "none", "smoke", ["retinanet_baseline"])
    frame, source = load_best("smoke", tmp_path / "elsewhere", archive)
    assert source == "archive" and sorted(frame["seed"]) == [0, 1]
    assert load_best("smoke", local, archive)[1] == "local"  # a tie goes to the local runs
    assert load_best("smoke", archive, archive)[1] == "archive"  # the archive read as "local"
    assert load_best("demo", local, archive)[1] == "none"
    with pytest.raises(ValueError, match="no results files under"):
        archive_profile(local, archive, "demo")
    (local / "smoke" / "atss_baseline" / "seed1.json").write_text("{not json")
    with pytest.raises(ResultsError, match="seed1.json: malformed JSON"):
        archive_profile(local, tmp_path / "second", "smoke")
    assert main(["demo", "--results", str(local), "--to", str(archive)]) == 2


def test_differences_per_seed_and_resolution_table_follow_the_paired_differences() -> None:
    from reproduction.analysis.stats import mean_interval
    from reproduction.analysis.study import (
        differences_per_seed,
        paired_differences,
        resolution_table,
    )

    diffs = {0: 2.0, 1: 3.0, 2: 2.5}
    runs = _runs(diffs)
    table = differences_per_seed(runs, PAIR, ("beta_cls", "AP"))
    beta = table[table["metric"] == "beta_cls"].set_index("seed")["difference"]
    assert beta.to_dict() == pytest.approx(diffs)
    assert (table.loc[table["metric"] == "AP", "difference"] == 0).all()
    assert set(table["pair"]) == {"a_corr − a_baseline"}
    protocol = resolution_table(runs, PAIR, ("beta_cls",)).set_index("metric")
    row = protocol.loc["beta_cls"]
    interval = mean_interval(list(paired_differences(runs, PAIR[0], "beta_cls").values()))
    assert row["Δ (points)"] == pytest.approx(2.5) and row["seeds run"] == 3
    assert row["95% CI"] == f"[{interval.low:+.1f}, {interval.high:+.1f}]"
    assert row["verdict"] == "gain"
    need = seeds_to_resolve(list(diffs.values()))
    assert row["seeds to resolve (projected)"] == str(need)
    assert row["train + eval min (projected)"] == pytest.approx(need * 312 / 60)
    one = resolution_table(_runs({0: 1.0}), PAIR, ("beta_cls",)).iloc[0]
    assert one["95% CI"] == "n=1" and one["seeds to resolve (projected)"] == "—"
    assert pd.isna(one["train + eval min (projected)"])


def test_the_study_reads_its_pairs_settings_and_targets_from_plans_and_profiles() -> None:
    from reproduction.analysis.study import (
        describe_setting,
        parse_pairs,
        present_pairs,
        protocol_targets,
        study_pairs,
    )
    from reproduction.dataset import PRESETS
    from reproduction.spec.plans import plan
    from reproduction.spec.profiles import get_profile, study_settings, study_variants

    assert study_pairs() == plan("demo").pairs() and study_pairs()
    assert study_pairs("a:b, c:d") == [("a", "b"), ("c", "d")]
    with pytest.raises(ValueError, match="baseline:variant"):
        parse_pairs("a_baseline")
    settings = study_settings()
    # the study varies the first demo's setting (demo-v1), one setting at a time, beside the
    # narrowed default that replaced it
    assert set(settings) == {"demo-v1", "demo", *(v.name for v in study_variants())}
    assert describe_setting("demo-128px").endswith("cls, 1000 val, overlay demo")
    assert describe_setting("demo").endswith("cls, 1000 val, overlay demo, 96 px")
    iters = [get_profile(s).max_iters or 600 for s in settings if get_profile(s).dataset == "demo"]
    assert iters == sorted(iters)
    classes = PRESETS[get_profile("demo-3cls").dataset].n_classes
    assert describe_setting("demo-3cls").endswith(f"{classes} cls")
    assert protocol_targets(PAIR) == [
        "a_corr − a_baseline|beta_img",
        "a_corr − a_baseline|beta_cls",
    ]
    runs = _runs({0: 1.0})
    assert present_pairs(runs, [*PAIR, ("a_baseline", "b_corr")]) == PAIR


def test_protocol_of_names_overlay_data_schedule_and_seeds() -> None:
    from reproduction.analysis.study import protocol_of
    from reproduction.spec.plans import plan
    from reproduction.spec.profiles import get_profile

    assert protocol_of("demo-v1") == ("demo_v1", "demo", 600, 128, len(plan("demo-v1").seeds))
    overlay, dataset, iters, size, n_seeds = protocol_of("demo-it1200")
    assert (overlay, dataset, iters, size) == ("demo_v1", "demo", 1200, 128)
    assert protocol_of("demo") == ("demo", "demo-3cls-val1000", 600, 96, 5)
    assert protocol_of("demo-128px")[:4] == ("demo", "demo-3cls-val1000", 600, 128)
    assert n_seeds == len(plan("demo-it1200").seeds)
    assert protocol_of("demo")[:2] == get_profile("demo").setting[:2]
    assert protocol_of("demo")[4] == len(plan("demo").seeds)


def test_modelled_minutes_are_scaled_to_the_timed_machine_by_the_reference() -> None:
    def on(cpu: str, iterations: int = 600) -> pd.DataFrame:
        return _runs({0: 2.0, 1: 3.0, 2: 2.5}, iterations=iterations).assign(cpu=cpu)

    settings = {"ref": on("A"), "same": on("A", 300), "far": on("B", 300)}
    # the reference (5.2 modelled minutes per seed) took twice that when timed
    timed = pd.DataFrame({"setting": ["ref"], "n_seeds": [1], "minutes": [2 * 312 / 60]})
    options = protocol_options(
        settings, PAIR, ("beta_cls",), max_seeds=3, measured=timed, reference="ref"
    ).set_index(["setting", "n_seeds"])
    assert options.loc[("ref", 1), "cost"] == "measured ./run"
    assert options.loc[("same", 3), "cost"] == "modelled × 2.00"
    assert options.loc[("same", 3), "minutes"] == pytest.approx(2 * 3 * 162 / 60)
    assert options.loc[("far", 3), "cost"] == "modelled"  # trained on another machine
    assert options.loc[("far", 3), "minutes"] == pytest.approx(3 * 162 / 60)
    unscaled = protocol_options(settings, PAIR, ("beta_cls",), max_seeds=3, measured=timed)
    assert set(unscaled[unscaled["setting"] != "ref"]["cost"]) == {"modelled"}


def test_intervals_by_seed_count_stack_every_pair_and_metric() -> None:
    from reproduction.analysis.study import interval_by_seed_count, intervals_by_seed_count

    runs = _runs({0: 2.0, 1: 3.0, 2: 2.5, 3: 1.0})
    table = intervals_by_seed_count(runs, PAIR, ("beta_cls", "AP"))
    assert set(table["metric"]) == {"beta_cls", "AP"} and set(table["pair"]) == {
        "a_corr − a_baseline"
    }
    beta = table[table["metric"] == "beta_cls"].reset_index(drop=True)
    alone = interval_by_seed_count(
        {s: 40.0 for s in range(4)}, {0: 42.0, 1: 43.0, 2: 42.5, 3: 41.0}
    )
    pd.testing.assert_frame_equal(beta[alone.columns], alone)
    assert intervals_by_seed_count(_runs({0: 1.0}), PAIR).empty  # one seed: no interval


def test_validation_sizes_are_nested_rounded_and_named_when_bad() -> None:
    from reproduction.analysis.study import validation_sizes

    assert validation_sizes("0.25,0.5,1.0", 1000) == [250, 500, 1000]
    assert validation_sizes("0.001, 0.5,0.5", 10) == [2, 5]  # at least 2, no repeats
    with pytest.raises(ValueError, match="'half' is not a number"):
        validation_sizes("0.25,half", 10)


def test_intervals_by_val_size_read_the_kept_detections_of_each_pair(tmp_path: Path) -> None:
    from reproduction.analysis.study import intervals_by_val_size
    from reproduction.spec.paths import detections_file

    gt_path, good, bad = _toy_set(tmp_path)
    runs = _runs({0: 1.0, 1: 2.0})
    args = (runs, PAIR, gt_path, "0.4,1.0", tmp_path / "results", "demo")
    assert intervals_by_val_size(*args).empty  # no kept detections yet
    for experiment, data in (("a_baseline", bad), ("a_corr", good)):
        for seed in (0, 1):
            path = detections_file(tmp_path / "results", "demo", experiment, seed)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(data))
    table = intervals_by_val_size(*args)
    assert set(table["n_val"]) == {4, 10} and set(table["pair"]) == {"a_corr − a_baseline"}
    ap = table[(table["n_val"] == 10) & (table["metric"] == "AP")].iloc[0]
    assert ap["mean"] > 0  # the better-localised detector is the variant
    assert intervals_by_val_size(
        runs, PAIR, tmp_path / "absent.json", "1.0", tmp_path, "demo"
    ).empty
