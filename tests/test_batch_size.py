"""The demo's baselines at half the batch: the profile, its config and the effects it measures."""

from __future__ import annotations

import pytest

from reproduction.analysis.batch_size import COMPARISONS, half_batch_effects
from reproduction.spec.plans import HALF_BATCH_BASELINES, REGIME_SEEDS, plan
from reproduction.spec.profiles import (
    DEMO_IMAGES_PER_STEP,
    DEMO_ITERS,
    HALF_BATCH_PROFILE,
    get_profile,
)


def _record(experiment: str, seed: int, ap: float, *, val_images: int = 10) -> dict:
    return {
        "experiment": {"id": experiment},
        "seed": seed,
        "dataset": {"name": "embedded", "n_val_images": val_images},
        "metrics": {"AP": ap, "AP50": ap, "AP75": ap, "beta_cls": 0.4, "oLRP": 1 - ap},
    }


def test_the_profile_changes_the_batch_and_the_length_of_the_default_demo_alone() -> None:
    half, demo = get_profile(HALF_BATCH_PROFILE), get_profile("demo")
    assert half.images_per_step * 2 == DEMO_IMAGES_PER_STEP
    assert half.max_iters == 2 * DEMO_ITERS  # the same images seen
    changed = {i for i, (a, b) in enumerate(zip(half.setting, demo.setting, strict=True)) if a != b}
    assert changed == {2, 5}  # max_iters and images_per_step
    assert not half.judged and demo.judged
    assert plan(HALF_BATCH_PROFILE).experiments == HALF_BATCH_BASELINES
    assert plan(HALF_BATCH_PROFILE).seeds == REGIME_SEEDS
    assert plan(HALF_BATCH_PROFILE).pairs() == []


def test_its_config_halves_the_batch_and_keeps_the_learning_rate() -> None:
    pytest.importorskip("mmdet")
    from reproduction.running.config_builder import build_config
    from reproduction.spec.run import Run

    half = build_config(Run.resolve("atss_baseline", HALF_BATCH_PROFILE))
    demo = build_config(Run.resolve("atss_baseline", "demo"))
    assert demo.train_dataloader.batch_size == DEMO_IMAGES_PER_STEP
    assert half.train_dataloader.batch_size == DEMO_IMAGES_PER_STEP // 2
    assert half.train_cfg.max_iters == 2 * demo.train_cfg.max_iters
    assert half.optim_wrapper.optimizer.lr == demo.optim_wrapper.optimizer.lr
    assert half.image_size == demo.image_size
    # the warm-up counts iterations, whatever the batch (the author's 500 at either); the
    # learning-rate steps keep their place in the longer schedule
    warmups = [[s.end for s in cfg.param_scheduler if s.type == "LinearLR"] for cfg in (half, demo)]
    assert warmups[0] == warmups[1] and warmups[0]
    steps = [
        [s.milestones for s in cfg.param_scheduler if "milestones" in s] for cfg in (half, demo)
    ]
    assert [[2 * m for m in ms] for ms in steps[1]] == steps[0]


def test_the_verdicts_never_read_the_half_batch_runs(tmp_path) -> None:
    from reproduction.analysis import verdicts
    from reproduction.records.results import write_results

    archive = tmp_path / "archive"
    record = {
        "schema": 1,
        "experiment": {
            "id": "atss_baseline",
            "detector": "atss",
            "kind": None,
            "loss_weight": None,
        },
        "profile": HALF_BATCH_PROFILE,
        "seed": 0,
        "dataset": {"name": "x", "synthetic": True, "n_val_images": 10},
        "metrics": {"AP": 0.3, "AP50": 0.5, "AP75": 0.3, "beta_cls": 0.4, "beta_img": 0.5},
        "training": {"iterations": 1200, "seconds_per_iter": 0.2, "wall_s": 240.0},
        "evaluation_s": 30.0,
        "provenance": {"git": {"commit": "abc"}, "hardware": {"cpu": "cpu", "cores": 2}},
    }
    write_results(archive / HALF_BATCH_PROFILE / "atss_baseline" / "seed0.json", record)
    evidence = verdicts.collect_evidence(tmp_path / "results", archive)
    assert all(item.profile != HALF_BATCH_PROFILE for item in evidence)
    found = verdicts.collect_evidence(tmp_path / "results", archive, [HALF_BATCH_PROFILE])
    assert [item.profile for item in found] == [HALF_BATCH_PROFILE]


def test_the_three_effects_pair_by_seed_across_the_two_batches() -> None:
    full, half = [], []
    for seed in range(4):
        full += [
            _record("atss_baseline", seed, 0.30 + 0.01 * seed),
            _record("atss_concordance_0.3", seed, 0.31 + 0.01 * seed),
        ]
        half.append(_record("atss_baseline", seed, 0.28 + 0.01 * seed))
    effects = half_batch_effects(full, half, [("atss_baseline", "atss_concordance_0.3")])
    ap = effects[effects["metric"] == "AP"].set_index("comparison")
    assert list(ap.index) == list(COMPARISONS)
    assert ap.loc["half batch", "effect"] == pytest.approx(-2.0)
    assert ap.loc["matched", "effect"] == pytest.approx(1.0)
    assert ap.loc["author's baselines", "effect"] == pytest.approx(3.0)
    assert (ap["n"] == 4).all()
    # no half-batch run yet: the matched effect alone, on every seed
    alone = half_batch_effects(full, [], [("atss_baseline", "atss_concordance_0.3")])
    assert set(alone["comparison"]) == {"matched"} and (alone["n"] == 4).all()
    # the three effects stand on the half-batch runs' seeds
    some = half_batch_effects(full, half[:2], [("atss_baseline", "atss_concordance_0.3")])
    assert (some["n"] == 2).all() and len(set(some["comparison"])) == 3


def test_runs_on_different_data_are_refused() -> None:
    full = [_record("atss_baseline", 0, 0.3, val_images=10)]
    half = [_record("atss_baseline", 0, 0.3, val_images=20)]
    with pytest.raises(ValueError, match="different data"):
        half_batch_effects(full, half, [("atss_baseline", "atss_concordance_0.3")])


def test_the_page_section_names_each_comparison_and_says_which_way_the_baseline_moved() -> None:
    from reproduction.pages import batch_page
    from reproduction.pages.regime_runs import Loaded

    full, half = [], []
    for seed in range(3):
        full += [
            _record("atss_baseline", seed, 0.30 + 0.01 * seed),
            _record("atss_concordance_0.3", seed, 0.31 + 0.01 * seed),
        ]
        half.append(_record("atss_baseline", seed, 0.28 + 0.012 * seed))
    effects = batch_page.effects(
        Loaded("demo", tuple(full), "archive"), Loaded(HALF_BATCH_PROFILE, tuple(half), "archive")
    )
    table = batch_page.effects_table(effects)
    assert list(table["compared"]) == [batch_page.COMPARISON_LABELS[c] for c in COMPARISONS]
    assert set(table["pair"]) == {"ATSS ± Concordance Loss, λ = 0.3"}
    assert (table["seeds"] == 3).all()
    text = batch_page.summary(effects)
    assert "(lower; 3 paired seeds)" in text and "1,200 iterations of 4 images" in text
    assert batch_page.summary(effects.iloc[0:0]).startswith("*No run")


def test_the_differences_list_names_the_half_batch_runs() -> None:
    from reproduction.spec import author_code

    topics = {d.topic: d for d in author_code.DIFFERENCES}
    for topic, runs in author_code.SETTING_RUNS.items():
        assert topic in topics and HALF_BATCH_PROFILE in (topics[topic].measured or "")
        assert [r.split(" in ")[0] for r in runs] == list(HALF_BATCH_BASELINES)
