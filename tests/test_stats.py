"""Intervals over seeds against scipy.stats, and the verdict on paired differences."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from reproduction.stats import (
    NOT_RESOLVED,
    bootstrap_interval,
    mean_interval,
    paired_difference,
    verdict,
)

SAMPLES = [
    [36.7, 40.1, 33.2],
    [13.5, 11.8, 15.2, 12.9, 14.4],
    [0.31, 0.35, 0.29, 0.4, 0.33, 0.36, 0.3],
]


@pytest.mark.parametrize("values", SAMPLES)
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_t_interval_equals_scipy(values: list[float], confidence: float) -> None:
    got = mean_interval(values, confidence)
    low, high = stats.t.interval(
        confidence, df=len(values) - 1, loc=np.mean(values), scale=stats.sem(values)
    )
    assert got.mean == pytest.approx(np.mean(values))
    assert (got.low, got.high) == (pytest.approx(low), pytest.approx(high))
    assert got.n == len(values)


@pytest.mark.parametrize("values", SAMPLES)
def test_bootstrap_interval_close_to_scipy_percentile(values: list[float]) -> None:
    got = bootstrap_interval(values, n_resamples=20_000, seed=1)
    ref = stats.bootstrap(
        (np.asarray(values),), np.mean, n_resamples=20_000, method="percentile",
        random_state=np.random.default_rng(2),
    ).confidence_interval  # fmt: skip
    width = ref.high - ref.low
    assert got.low == pytest.approx(ref.low, abs=0.05 * width)
    assert got.high == pytest.approx(ref.high, abs=0.05 * width)


def test_single_seed_has_no_interval_and_is_not_resolved() -> None:
    one = mean_interval([4.2])
    assert one.low is None and one.high is None and one.format() == "4.2 (n=1)"
    assert verdict(paired_difference({0: 1.0}, {0: 3.0})) == NOT_RESOLVED


def test_paired_difference_uses_shared_seeds_only() -> None:
    baseline = {0: 10.0, 1: 12.0, 2: 11.0, 7: 50.0}
    variant = {0: 11.0, 1: 13.5, 2: 12.0, 9: -50.0}
    diff = paired_difference(baseline, variant)
    assert diff.n == 3
    assert diff.mean == pytest.approx(np.mean([1.0, 1.5, 1.0]))
    with pytest.raises(ValueError, match="no shared seed"):
        paired_difference({0: 1.0}, {1: 2.0})


def test_pairing_cancels_shared_noise() -> None:
    """Seed-to-seed noise common to both arms widens unpaired, not paired, intervals."""
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 5, 6)
    baseline = dict(enumerate(30 + noise))
    variant = dict(enumerate(31 + noise + rng.normal(0, 0.2, 6)))
    paired = paired_difference(baseline, variant)
    assert verdict(paired) == "gain"
    unpaired = (
        mean_interval(list(variant.values())).low - mean_interval(list(baseline.values())).high
    )
    assert unpaired < 0  # the unpaired intervals overlap: no conclusion without pairing


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1.0, 1.2, 0.9, 1.1], "gain"),
        ([-1.0, -1.2, -0.9], "loss"),
        ([-1.0, 1.0, 0.5], NOT_RESOLVED),
    ],
)
def test_verdict(values: list[float], expected: str) -> None:
    assert verdict(mean_interval(values)) == expected


def test_bad_values_are_named() -> None:
    with pytest.raises(ValueError, match="empty"):
        mean_interval([])
    with pytest.raises(ValueError, match="non-finite value: nan"):
        mean_interval([1.0, float("nan")])
