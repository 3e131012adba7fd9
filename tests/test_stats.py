"""Intervals over seeds against scipy.stats, their printed form, and the verdict on paired
differences."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from reproduction.analysis.stats import (
    CONTRADICTED,
    GAIN,
    HOLDS,
    LOSS,
    NOT_RESOLVED,
    Interval,
    bootstrap_interval,
    direction,
    excludes_zero,
    judge,
    mean_interval,
    paired_difference,
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
    assert direction(paired_difference({0: 1.0}, {0: 3.0})) == NOT_RESOLVED


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
    assert direction(paired) == GAIN
    unpaired = (
        mean_interval(list(variant.values())).low - mean_interval(list(baseline.values())).high
    )
    assert unpaired < 0  # the unpaired intervals overlap: no conclusion without pairing


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1.0, 1.2, 0.9, 1.1], GAIN),
        ([-1.0, -1.2, -0.9], LOSS),
        ([-1.0, 1.0, 0.5], NOT_RESOLVED),
    ],
)
def test_direction(values: list[float], expected: str) -> None:
    assert direction(mean_interval(values)) == expected
    assert direction(values) == expected  # the differences themselves
    flipped = {GAIN: LOSS, LOSS: GAIN}.get(expected, expected)
    assert direction(values, lower_is_better=True) == flipped
    assert excludes_zero(values) == (expected != NOT_RESOLVED)


@pytest.mark.parametrize(
    ("expected", "values", "margin", "verdict"),
    [
        ("increase", [1.0, 1.2, 0.9], 0, HOLDS),
        ("increase", [-1.0, -1.2, -0.9], 0, CONTRADICTED),
        ("increase", [-1.0, 1.2, 0.1], 0, NOT_RESOLVED),
        ("increase", [1.0], 0, NOT_RESOLVED),
        ("decrease", [-1.0, -1.2, -0.9], 0, HOLDS),
        ("decrease", [1.0, 1.2, 0.9], 0, CONTRADICTED),
        ("decrease", [1.0], 0, NOT_RESOLVED),
        ("within", [0.5, -0.5, 0.2], 5.0, HOLDS),
        ("within", [20.0, 21.0, 19.0], 5.0, CONTRADICTED),
        ("within", [-20.0, -21.0, -19.0], 5.0, CONTRADICTED),
        ("within", [0.0, 10.0, 5.0], 5.0, NOT_RESOLVED),
        ("not_below", [-0.1, 0.1, 0.0], 0.5, HOLDS),
        ("not_below", [-2.0, -2.1, -1.9], 0.5, CONTRADICTED),
        ("not_below", [-2.0, 2.1, 0.0], 0.5, NOT_RESOLVED),
    ],
)
def test_judge(expected: str, values: list[float], margin: float, verdict: str) -> None:
    assert judge(mean_interval(values), expected, margin) == verdict
    assert judge(values, expected, margin) == verdict


def test_judge_rejects_an_unknown_change_and_no_differences() -> None:
    with pytest.raises(ValueError, match="unknown expected change 'bigger'"):
        judge([1.0, 2.0], "bigger")
    with pytest.raises(ValueError, match="empty"):
        judge([])


@pytest.mark.parametrize(
    ("interval", "kwargs", "text"),
    [
        (Interval(12.34, 10.06, 14.55, 3), {}, "12.3 [10.1, 14.6]"),
        (Interval(12.34, None, None, 1), {}, "12.3 (n=1)"),
        (Interval(1.25, -0.3, 2.8, 3), {"signed": True, "bounds_only": True}, "[-0.3, +2.8]"),
        (Interval(1.25, None, None, 1), {"signed": True, "bounds_only": True}, "n=1"),
        (Interval(0.1, 0.111, 0.129, 4), {"digits": 2, "bounds_only": True}, "[0.11, 0.13]"),
        (
            Interval(1.04, 0.52, 1.56, 3),
            {"signed": True, "unit": " %", "count": " steps"},
            "+1.0 % [+0.5, +1.6] (n=3 steps)",
        ),
        (Interval(-1.04, None, None, 1), {"signed": True, "count": ""}, "-1.0 (n=1)"),
        (
            Interval(60.0, 55.2, 64.8, 5),
            {"digits": 0, "unit": " %", "count": ""},
            "60 % [55, 65] (n=5)",
        ),
    ],
)
def test_an_interval_prints_one_way(interval: Interval, kwargs: dict, text: str) -> None:
    assert interval.format(**kwargs) == text


def test_bad_values_are_named() -> None:
    with pytest.raises(ValueError, match="empty"):
        mean_interval([])
    with pytest.raises(ValueError, match="non-finite value: nan"):
        mean_interval([1.0, float("nan")])
