"""Uncertainty over seeds: 95 % intervals of means and of paired differences (numpy + scipy).

Every reproduced number in the book is a mean over seeds with an interval, and every
Correlation-Loss row shows its paired difference from the baseline trained with the same seeds.

- :func:`mean_interval`: Student-t interval of a mean over seeds (the default method);
- :func:`bootstrap_interval`: percentile bootstrap over seeds (for the study notebook);
- :func:`paired_difference`: the t-interval of per-seed differences variant − baseline;
- :func:`verdict`: "gain", "loss" or "not resolved" (the interval contains 0).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

NOT_RESOLVED = "not resolved"


@dataclass(frozen=True)
class Interval:
    """A mean and its two-sided interval.

    Attributes:
        mean: the sample mean (same unit as the values).
        low, high: interval bounds; None when fewer than two values make it undefined.
        n: number of values (seeds).
        confidence: the interval's coverage, e.g. 0.95.
        method: "t" or "bootstrap".
    """

    mean: float
    low: float | None
    high: float | None
    n: int
    confidence: float = 0.95
    method: str = "t"

    @property
    def half_width(self) -> float | None:
        """Half the interval's width (None when undefined)."""
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2

    def format(self, digits: int = 1) -> str:
        """Return e.g. ``"12.3 [10.1, 14.5]"``, or ``"12.3 (n=1)"`` without an interval."""
        if self.low is None:
            return f"{self.mean:.{digits}f} (n={self.n})"
        return f"{self.mean:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"


def _clean(values: Sequence[float] | np.ndarray, name: str = "values") -> np.ndarray:
    array = np.asarray(values, dtype=float).ravel()
    if array.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains a non-finite value: {array[~np.isfinite(array)][0]}")
    return array


def mean_interval(values: Sequence[float] | np.ndarray, confidence: float = 0.95) -> Interval:
    """Return the mean and its Student-t interval: mean ± t(n−1) · s / √n.

    ``s`` is the sample standard deviation (ddof=1). With one value the interval is undefined
    (low = high = None); with identical values it has zero width.
    """
    array = _clean(values)
    mean = float(array.mean())
    if array.size < 2:
        return Interval(mean, None, None, 1, confidence, "t")
    sem = float(array.std(ddof=1)) / math.sqrt(array.size)
    half = float(stats.t.ppf(0.5 + confidence / 2, df=array.size - 1)) * sem
    return Interval(mean, mean - half, mean + half, int(array.size), confidence, "t")


def bootstrap_interval(
    values: Sequence[float] | np.ndarray,
    confidence: float = 0.95,
    n_resamples: int = 10_000,
    seed: int = 0,
) -> Interval:
    """Return the mean and its percentile-bootstrap interval over resampled seeds.

    Resamples the values with replacement ``n_resamples`` times (seeded generator) and takes
    the (1 − confidence)/2 and (1 + confidence)/2 quantiles of the resampled means.
    """
    array = _clean(values)
    mean = float(array.mean())
    if array.size < 2:
        return Interval(mean, None, None, 1, confidence, "bootstrap")
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, array.size, size=(n_resamples, array.size))
    means = array[picks].mean(axis=1)
    low, high = np.quantile(means, [(1 - confidence) / 2, (1 + confidence) / 2])
    return Interval(mean, float(low), float(high), int(array.size), confidence, "bootstrap")


def paired_difference(
    baseline: dict[int, float], variant: dict[int, float], confidence: float = 0.95
) -> Interval:
    """Return the t-interval of variant − baseline over the seeds both have.

    Args:
        baseline, variant: seed → value. Only seeds present in both count (the pairing:
            same seed, same initialisation and data order).

    Raises:
        ValueError: when the two share no seed.
    """
    shared = sorted(set(baseline) & set(variant))
    if not shared:
        raise ValueError(
            f"no shared seed between baseline seeds {sorted(baseline)} and variant seeds "
            f"{sorted(variant)}"
        )
    return mean_interval([variant[s] - baseline[s] for s in shared], confidence)


def verdict(difference: Interval) -> str:
    """Return "gain" (interval above 0), "loss" (below 0) or "not resolved" (contains 0).

    An undefined interval (one seed) is "not resolved".
    """
    if difference.low is None or difference.high is None:
        return NOT_RESOLVED
    if difference.low > 0:
        return "gain"
    if difference.high < 0:
        return "loss"
    return NOT_RESOLVED
