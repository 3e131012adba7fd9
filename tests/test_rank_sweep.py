"""The rank-faithful loss's λ sweep: which runs it pairs, its effects and its best λ."""

from __future__ import annotations

import pytest

from reproduction.analysis.rank_sweep import best_lambda, sweep_arms, sweep_effects
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
