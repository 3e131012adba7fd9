"""Profile plans: ids come from the registry; seeds pair every experiment."""

from __future__ import annotations

import pytest

from reproduction.spec.experiments import experiment_ids
from reproduction.spec.plans import EXTENSIONS, STUDY_SEEDS, plan
from reproduction.spec.profiles import PROFILES, get_profile, study_variants


@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_planned_experiment_is_in_the_registry(profile: str) -> None:
    chosen = plan(profile)
    assert chosen.experiments and set(chosen.experiments) <= set(experiment_ids())


def test_demo_pairs_each_correlation_loss_run_with_its_baseline() -> None:
    ids = set(plan("demo").experiments)
    for experiment_id in ids - {e for e in ids if e.endswith("_baseline")}:
        assert f"{experiment_id.split('_')[0]}_baseline" in ids


def test_with_seeds_and_errors() -> None:
    three = plan("smoke").with_seeds(["0", "1", "2"])
    assert three.seeds == (0, 1, 2)
    assert len(three.runs()) == 3 * len(three.experiments)
    with pytest.raises(ValueError, match="seeds must be integers"):
        plan("smoke").with_seeds(["zero"])
    with pytest.raises(ValueError, match="unknown profile 'laptop'"):
        plan("laptop")


def test_adding_groups_and_ids_keeps_order_and_checks_names() -> None:
    demo = plan("demo")
    more = demo.adding(["comparisons", "fovea_baseline", "atss_baseline"])
    assert more.experiments[: len(demo.experiments)] == demo.experiments
    assert len(set(more.experiments)) == len(more.experiments)  # no run twice
    assert set(EXTENSIONS["comparisons"]) | {"fovea_baseline"} <= set(more.experiments)
    assert more.experiments[-1] == "fovea_baseline"
    assert set(demo.adding(["all"]).experiments) == set(plan("paper").experiments)
    with pytest.raises(KeyError, match="atss_baselin"):
        demo.adding(["atss_baselin"])


def test_every_extension_is_in_the_registry() -> None:
    for name, group in EXTENSIONS.items():
        ids = group() if callable(group) else group
        assert ids and set(ids) <= set(experiment_ids()), name


def test_study_variants_run_the_demo_pairs_with_three_seeds() -> None:
    demo = plan("demo")
    variants = study_variants()
    assert {v.name for v in variants} >= {"demo-it300", "demo-it1200", "demo-3cls"}
    for variant in variants:
        chosen = plan(variant.name)
        assert chosen.experiments == demo.experiments
        assert chosen.seeds == STUDY_SEEDS and len(STUDY_SEEDS) >= 3
        assert chosen.dataset == f"embedded-{variant.dataset}"
    with pytest.raises(ValueError, match="unknown profile 'demo-it7'"):
        get_profile("demo-it7")


def test_the_default_demo_runs_paired_seeds_and_demo_v1_keeps_the_first_demo() -> None:
    from reproduction.analysis.study import MIN_PROTOCOL_SEEDS
    from reproduction.spec.plans import DEMO_SEEDS
    from reproduction.spec.profiles import (
        PREVIOUS_PROFILE,
        V1_PROFILE,
        same_setting,
        study_settings,
    )

    demo, v1 = plan("demo"), plan(V1_PROFILE)
    assert demo.seeds == DEMO_SEEDS and len(DEMO_SEEDS) >= 2  # paired, with an interval
    assert len(DEMO_SEEDS) >= MIN_PROTOCOL_SEEDS  # as many seeds as a protocol needs
    assert v1.seeds == (0,) and v1.experiments == demo.experiments
    assert len(demo.pairs()) == 2  # ATSS and RetinaNet, each with its baseline
    assert get_profile("demo").setting != get_profile(V1_PROFILE).setting
    # no other profile measures what the default's runs do
    assert same_setting("demo") == ("demo",)
    # the default at 128 px (the one before), then the default at 96 px close the study's
    assert V1_PROFILE in study_settings()
    assert study_settings()[-2:] == (PREVIOUS_PROFILE, "demo")
    assert get_profile("demo").image_size == 96 and get_profile(PREVIOUS_PROFILE).image_size is None
    assert get_profile("demo").setting[:3] == get_profile(PREVIOUS_PROFILE).setting[:3]
    assert get_profile(V1_PROFILE).setting == ("demo_v1", "demo", None, None, None, None)


def test_every_embedded_plan_names_its_profiles_dataset() -> None:
    from reproduction.spec.profiles import PREVIOUS_PROFILE

    for name, spec in PROFILES.items():
        if spec.synthetic:
            assert plan(name).dataset == f"embedded-{spec.dataset}", name
    previous = plan(PREVIOUS_PROFILE)  # a study variant: the demo's pairs with the study's seeds
    assert previous.seeds == STUDY_SEEDS and previous.experiments == plan("demo").experiments
    assert get_profile(PREVIOUS_PROFILE).is_study_variant


def test_a_plans_dataset_and_pairs_come_from_the_profile_and_the_registry() -> None:
    from reproduction.spec.experiments import baseline_of, get_experiment

    for name, spec in PROFILES.items():
        expected = f"embedded-{spec.dataset}" if spec.synthetic else "coco"
        assert plan(name).dataset == expected, name
    pairs = plan("paper").pairs()
    assert pairs
    for base, variant in pairs:
        assert base == baseline_of(variant) and get_experiment(base).is_baseline
        assert get_experiment(base).detector == get_experiment(variant).detector
    assert plan("smoke").pairs() == []  # its baseline and variant are of two detectors


def test_regime_profiles_change_one_thing_of_the_default_demo() -> None:
    """The training-length profiles differ from ``demo`` in their length alone, the pretrained
    one in its start alone; each runs the ATSS pair with the regime seeds."""
    from reproduction.spec.plans import REGIME_SEEDS, RETINANET_LENGTHS
    from reproduction.spec.profiles import (
        DEMO_ITERS,
        PRETRAINED_PROFILE,
        TRAINING_LENGTHS,
        training_length_profile,
    )

    demo = get_profile("demo").setting
    assert training_length_profile(DEMO_ITERS) == "demo"
    for n in TRAINING_LENGTHS:
        name = training_length_profile(n)
        setting = get_profile(name).setting
        assert setting[:2] == demo[:2] and setting[3:] == demo[3:]
        assert setting[2] == (None if n == DEMO_ITERS else n)
        if n != DEMO_ITERS:
            assert plan(name).pairs()[0] == ("atss_baseline", "atss_concordance_0.3")
            retinanet = ("retinanet_baseline", "retinanet_spearman_0.1")
            assert (retinanet in plan(name).pairs()) == (n in RETINANET_LENGTHS)
            assert plan(name).seeds == REGIME_SEEDS and len(REGIME_SEEDS) >= 8
    # with the demo's own length, RetinaNet's pair has three lengths: a trend and a test
    assert len({DEMO_ITERS, *RETINANET_LENGTHS}) >= 3
    with pytest.raises(ValueError, match="lengths"):
        training_length_profile(450)
    pretrained = get_profile(PRETRAINED_PROFILE).setting
    assert pretrained[:4] == demo[:4] and pretrained[4] is not None and demo[4] is None
    assert plan(PRETRAINED_PROFILE).seeds == REGIME_SEEDS
