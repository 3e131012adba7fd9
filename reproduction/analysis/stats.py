"""Uncertainty over seeds: 95 % intervals of means and of paired differences (numpy + scipy).

Every reproduced number in the book is a mean over seeds with an interval, and every
Correlation-Loss row shows its paired difference from the baseline trained with the same seeds.

- :func:`mean_interval`: Student-t interval of a mean over seeds (the default method);
- :func:`bootstrap_interval`: percentile bootstrap over seeds (for the study notebook);
- :func:`paired_difference`: the t-interval of per-seed differences variant − baseline;
- :func:`judge`: the one verdict on a paired difference against the change expected of it:
  :data:`HOLDS`, :data:`CONTRADICTED` or :data:`NOT_RESOLVED`;
- :func:`direction`: the same decision when no change is expected, in words of direction:
  :data:`GAIN`, :data:`LOSS` or :data:`NOT_RESOLVED` (and :func:`excludes_zero`);
- :meth:`Interval.format`: the one way an interval is printed (``"+1.2 [+0.3, +2.1]"``).

The words are module constants, so that every page, script and test reads the same ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

HOLDS = "holds"
"""Verdict: the interval lies on the side of the change expected (see :func:`judge`)."""
CONTRADICTED = "contradicted"
"""Verdict: the interval lies on the other side."""
NOT_RESOLVED = "not resolved"
"""Verdict: the interval straddles the boundary, or is undefined (one seed)."""
JUDGEMENTS: tuple[str, ...] = (HOLDS, CONTRADICTED, NOT_RESOLVED)
"""Every word :func:`judge` returns."""

NOT_RUN = "not run"
"""Status of a comparison, claim or thesis row that no results file measures yet (no verdict:
the pages say which command runs it)."""

GAIN = "gain"
"""Direction (:func:`direction`): the measure improved (rose; fell where lower is better)."""
LOSS = "loss"
"""Direction (:func:`direction`): the measure got worse."""

SAME_DIRECTION = "same direction as thesis"
"""Our change has the sign of the thesis's reported change, and its interval excludes 0
(whether that change is an improvement or not: the words compare signs only)."""
OPPOSITE_DIRECTION = "opposite direction to thesis"
"""Our change has the other sign than the thesis's reported change; its interval excludes 0."""

INCREASE = "increase"
"""Expected change: the difference is above 0."""
DECREASE = "decrease"
"""Expected change: the difference is below 0."""
WITHIN = "within"
"""Expected change: none beyond ± a margin (in the difference's unit)."""
NOT_BELOW = "not_below"
"""Expected change: no fall by more than a margin (in the difference's unit)."""
EXPECTED_CHANGES: tuple[str, ...] = (INCREASE, DECREASE, WITHIN, NOT_BELOW)
"""The changes :func:`judge` can test a difference against."""


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

    def format(
        self,
        digits: int = 1,
        *,
        signed: bool = False,
        unit: str = "",
        bounds_only: bool = False,
        count: str | None = None,
    ) -> str:
        """Return the interval as printed text, in the values' unit.

        Args:
            digits: decimals of the mean and the bounds.
            signed: print a sign on each number (for a difference: ``+1.2``).
            unit: text after the mean (``" %"``, ``" % of classes"``).
            bounds_only: print only the bounds, ``"[10.1, 14.5]"``, or ``"n=1"`` when the
                interval is undefined.
            count: print the number of values after the interval, ``" (n=3)"``, followed
                by ``count`` (``""``, or ``" steps"`` for ``" (n=3 steps)"``); None prints it
                only for an undefined interval.

        Returns:
            E.g. ``"12.3 [10.1, 14.5]"``, ``"12.3 (n=1)"`` without an interval (the
            defaults), ``"+1.2 % [+0.3, +2.1] (n=3 steps)"``, or ``"[+0.3, +2.1]"``.
        """
        sign = "+" if signed else ""
        n = f"n={self.n}{count or ''}"
        if self.low is None or self.high is None:
            return n if bounds_only else f"{self.mean:{sign}.{digits}f}{unit} ({n})"
        bounds = f"[{self.low:{sign}.{digits}f}, {self.high:{sign}.{digits}f}]"
        if bounds_only:
            return bounds
        counted = "" if count is None else f" ({n})"
        return f"{self.mean:{sign}.{digits}f}{unit} {bounds}{counted}"


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


def judge(
    difference: Interval | Sequence[float] | np.ndarray,
    expected: str = INCREASE,
    margin: float = 0.0,
) -> str:
    """Return the verdict on a paired difference: :data:`HOLDS`, :data:`CONTRADICTED` or
    :data:`NOT_RESOLVED`.

    The one place a verdict is decided (the book, the claims, the study and the scripts call
    it). ``difference`` is the interval of the differences (e.g. :func:`paired_difference`),
    or the per-seed differences themselves (their :func:`mean_interval` is taken).
    ``expected`` is the change the difference is tested against, with ``margin`` in the
    difference's unit:

    - :data:`INCREASE`: holds when the interval lies above 0, contradicted below 0;
    - :data:`DECREASE`: holds below 0, contradicted above 0;
    - :data:`WITHIN`: holds inside [−margin, margin], contradicted wholly beyond either end;
    - :data:`NOT_BELOW`: holds above −margin, contradicted wholly below −margin.

    Any other interval, and an undefined one (one seed), is not resolved.

    Raises:
        ValueError: for an unknown ``expected``, or no differences.
    """
    if expected not in EXPECTED_CHANGES:
        raise ValueError(f"unknown expected change {expected!r} (one of {EXPECTED_CHANGES})")
    interval = difference if isinstance(difference, Interval) else mean_interval(difference)
    low, high = interval.low, interval.high
    if low is None or high is None:
        return NOT_RESOLVED
    if expected == INCREASE:
        return HOLDS if low > 0 else CONTRADICTED if high < 0 else NOT_RESOLVED
    if expected == DECREASE:
        return HOLDS if high < 0 else CONTRADICTED if low > 0 else NOT_RESOLVED
    if expected == WITHIN:
        if -margin <= low and high <= margin:
            return HOLDS
        return CONTRADICTED if low > margin or high < -margin else NOT_RESOLVED
    return HOLDS if low > -margin else CONTRADICTED if high < -margin else NOT_RESOLVED


def direction(
    difference: Interval | Sequence[float] | np.ndarray, lower_is_better: bool = False
) -> str:
    """Return which way a paired difference went: :data:`GAIN`, :data:`LOSS` or
    :data:`NOT_RESOLVED` (the interval contains 0, or one seed).

    :func:`judge` against an improvement (:data:`INCREASE`, or :data:`DECREASE` where lower
    is better), in words of direction: for a difference with no expected change.
    """
    verdict = judge(difference, DECREASE if lower_is_better else INCREASE)
    return {HOLDS: GAIN, CONTRADICTED: LOSS}.get(verdict, NOT_RESOLVED)


def excludes_zero(difference: Interval | Sequence[float] | np.ndarray) -> bool:
    """Return whether the interval of a paired difference excludes 0 (a resolved
    :func:`direction`)."""
    return judge(difference) != NOT_RESOLVED
