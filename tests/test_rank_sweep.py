"""The rank-faithful loss's λ sweep: which runs it pairs, its effects and its best λ."""

from __future__ import annotations

import pytest

from reproduction.analysis.rank_sweep import THESIS_LOSS, best_lambda, sweep_arms, sweep_effects
from reproduction.spec.experiments import get_experiment


def _record(experiment: str, seed: int, ap: float, beta: float) -> dict:
    return {
        "experiment": {"id": experiment},
        "seed": seed,
        "metrics": {"AP": ap, "AP50": ap, "AP75": ap, "beta_cls": beta, "oLRP": 1 - ap},
    }


def test_the_arms_are_registered_rank_faithful_losses_with_the_thesis_lambda():
    arms = sweep_arms("atss")
    assert [lam for lam, _ in arms] == [0.01, 0.03, 0.1, 0.3]
    for lam, experiment in arms:
        e = get_experiment(experiment)
        assert (e.kind, e.rank_scale, e.loss_weight) == ("spearman", "unit_gap", lam)
    with pytest.raises(KeyError):
        sweep_arms("paa")


def test_effects_pair_by_seed_and_the_best_lambda_beats_pearson_on_ap():
    records = []
    for seed in range(4):
        records += [
            _record("atss_baseline", seed, 0.30, 0.40),
            _record("atss_spearman_0.3", seed, 0.29 + 0.001 * seed, 0.50),
            _record("atss_spearman_0.03_unitgap", seed, 0.31 + 0.002 * seed, 0.55),
            _record("atss_spearman_0.3_unitgap", seed, 0.20, 0.60),
        ]
    records.append(_record("atss_spearman_0.01_unitgap", 9, 0.5, 0.5))  # no paired seed
    effects = sweep_effects(records, "atss")
    assert set(effects["lambda"]) == {0.03, 0.3}
    row = effects[
        (effects["lambda"] == 0.03)
        & (effects["against"] == "Pearson Loss")
        & (effects["metric"] == "AP")
    ].iloc[0]
    assert row["n"] == 4 and row["effect"] == pytest.approx(2.0 + 0.1 * 1.5)
    assert row["low"] > 0  # resolved: a gain over Pearson Loss
    assert best_lambda(effects) == 0.03
    assert best_lambda(effects, "oLRP") == 0.03
    assert best_lambda(effects.iloc[0:0]) is None


def test_the_chosen_lambdas_are_the_best_on_the_committed_demo_runs():
    """RANK_LOSS_CHOSEN is what the longer schedule trains; it must be the sweep's answer on
    the committed runs (more seeds that change the answer fail here)."""
    from reproduction.records.results import iter_results
    from reproduction.spec import paths
    from reproduction.spec.experiments import RANK_LOSS_CHOSEN

    records = list(iter_results(paths.archive_dir(), "demo"))
    for detector, lam in RANK_LOSS_CHOSEN.items():
        effects = sweep_effects(records, detector)
        assert best_lambda(effects) == lam, detector


def test_the_longer_schedule_trains_each_chosen_lambda_beside_pearson_loss():
    from reproduction.spec.experiments import RANK_LOSS_CHOSEN, rank_loss_arm
    from reproduction.spec.plans import RANK_LOSS_LENGTH, plan
    from reproduction.spec.profiles import training_length_profile

    planned = plan(training_length_profile(RANK_LOSS_LENGTH))
    for detector, lam in RANK_LOSS_CHOSEN.items():
        arm = get_experiment(rank_loss_arm(detector))
        assert (arm.loss_weight, arm.rank_scale) == (lam, "unit_gap")
        assert {arm.id, arm.baseline, THESIS_LOSS[detector]} <= set(planned.experiments)
    with pytest.raises(KeyError, match="not swept"):
        rank_loss_arm("paa")


def test_the_fresh_runs_answer_against_pearson_loss_or_say_how_to_train_them():
    from reproduction.pages import rank_loss_page
    from reproduction.pages.regime_runs import Loaded
    from reproduction.spec.experiments import rank_loss_arm

    arm = rank_loss_arm("atss")
    records = []
    for seed in range(3):
        records += [
            _record("atss_baseline", seed, 0.30, 0.40),
            _record(THESIS_LOSS["atss"], seed, 0.28 + 0.001 * seed, 0.50),
            _record(arm, seed, 0.31 + 0.002 * seed, 0.45),
        ]
    longer = Loaded(rank_loss_page.longer_profile(), tuple(records), "archive")
    text = rank_loss_page.chosen_summary(longer, "atss")
    assert "3 paired seeds" in text and "Δ AP +3.1" in text and "better than Pearson" in text
    empty = Loaded(rank_loss_page.longer_profile(), (), "archive")
    assert "scripts/campaign.sh" in rank_loss_page.chosen_summary(empty, "retinanet")
    assert rank_loss_page.threshold_table(longer, "atss").empty  # no AP per threshold here
