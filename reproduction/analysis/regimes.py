"""Where Correlation Loss's AP effect goes: per IoU threshold, per training length, per start.

Three views of one baseline / Correlation-Loss pair, each a paired difference over seeds (the
variant minus the baseline trained with the same seed), in AP points:

- :func:`iou_effects`: the effect on AP at each COCO IoU threshold (0.50 … 0.95), from results
  files that record ``AP_per_iou`` (older files hold AP50 and AP75 only:
  :func:`iou_coverage` says how many), and :func:`sign_change`, the threshold where the mean
  effect changes sign;
- :func:`length_effects` and :func:`effect_trend`: the effect on AP, AP50, AP75 and β_cls at
  each training length, and the slope of an effect per doubling of the schedule with its
  interval;
- :func:`start_effects`: the same effects from random weights and from the synthetic
  pretraining (:mod:`reproduction.running.pretrain`).

Pure functions on results records (:mod:`reproduction.records.results`); no torch, no mmdet.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from reproduction.analysis.stats import Interval, direction, mean_interval, paired_difference

EFFECT_METRICS: tuple[str, ...] = ("AP", "AP50", "AP75", "beta_cls")
"""The metrics whose effects the training-length and start views show (AP family in %,
β_cls in % as well: 100 × the coefficient)."""

EFFECT_COLUMNS: tuple[str, ...] = (
    "metric",
    "baseline",
    "variant",
    "effect",
    "low",
    "high",
    "n",
    "direction",
)
"""The columns of an effects frame: means over the shared seeds (baseline, variant), the mean
paired difference (effect) with its 95 % t-interval (low, high; NaN with one seed), the number
of paired seeds and the effect's :func:`reproduction.analysis.stats.direction`."""


def _percent(record: Mapping, metric: str) -> float | None:
    """A metric of a results record in %, or None when the record lacks it."""
    value = record["metrics"].get(metric)
    return None if value is None else 100.0 * float(value)


def by_seed(records: Iterable[Mapping], experiment: str, metric: str) -> dict[int, float]:
    """Return seed → ``metric`` in % for the records of ``experiment`` that have it."""
    out: dict[int, float] = {}
    for record in records:
        if record["experiment"]["id"] != experiment:
            continue
        value = _percent(record, metric)
        if value is not None and math.isfinite(value):
            out[int(record["seed"])] = value
    return out


def differences_by_seed(
    records: Iterable[Mapping], baseline: str, variant: str, metric: str
) -> dict[int, float]:
    """Return seed → ``variant`` − ``baseline`` on ``metric`` in points, over the seeds both
    arms recorded it for, in seed order."""
    records = list(records)
    base, var = by_seed(records, baseline, metric), by_seed(records, variant, metric)
    return {s: var[s] - base[s] for s in sorted(set(base) & set(var))}


def iou_by_seed(records: Iterable[Mapping], experiment: str) -> dict[int, dict[float, float]]:
    """Return seed → {IoU threshold: AP in %} for the records of ``experiment`` that record
    AP at every threshold (``metrics.AP_per_iou``)."""
    out: dict[int, dict[float, float]] = {}
    for record in records:
        per_iou = record["metrics"].get("AP_per_iou")
        if record["experiment"]["id"] != experiment or not per_iou:
            continue
        out[int(record["seed"])] = {float(k): 100.0 * float(v) for k, v in per_iou.items()}
    return out


def iou_coverage(records: Sequence[Mapping], baseline: str, variant: str) -> tuple[int, int]:
    """Return (paired seeds with AP at every threshold, paired seeds in all) of a pair."""
    with_iou = set(iou_by_seed(records, baseline)) & set(iou_by_seed(records, variant))
    paired = set(differences_by_seed(records, baseline, variant, "AP"))
    return len(with_iou & paired), len(paired)


def _effect_row(metric: str, base: dict[int, float], var: dict[int, float]) -> dict | None:
    shared = sorted(set(base) & set(var))
    if not shared:
        return None
    effect = paired_difference(base, var)
    return {
        "metric": metric,
        "baseline": float(np.mean([base[s] for s in shared])),
        "variant": float(np.mean([var[s] for s in shared])),
        "effect": effect.mean,
        "low": math.nan if effect.low is None else effect.low,
        "high": math.nan if effect.high is None else effect.high,
        "n": effect.n,
        "direction": direction(effect),
    }


def pair_effects(
    records: Sequence[Mapping],
    baseline: str,
    variant: str,
    metrics: Sequence[str] = EFFECT_METRICS,
) -> pd.DataFrame:
    """Return the effects of ``variant`` over ``baseline`` on each metric (columns
    :data:`EFFECT_COLUMNS`, one row per metric with a shared seed, in ``metrics`` order)."""
    return effects_across(records, records, baseline, variant, metrics)


def effects_across(
    reference_records: Sequence[Mapping],
    variant_records: Sequence[Mapping],
    baseline: str,
    variant: str,
    metrics: Sequence[str] = EFFECT_METRICS,
) -> pd.DataFrame:
    """Return the effects of ``variant`` among ``variant_records`` over ``baseline`` among
    ``reference_records``, paired by seed: two profiles' runs evaluated on the same data (e.g.
    one detector at two batch sizes; the caller vouches for the data). Columns
    :data:`EFFECT_COLUMNS`, in points, one row per metric with a shared seed, in ``metrics``
    order."""
    rows = [
        _effect_row(
            m, by_seed(reference_records, baseline, m), by_seed(variant_records, variant, m)
        )
        for m in metrics
    ]
    return pd.DataFrame([r for r in rows if r is not None], columns=list(EFFECT_COLUMNS))


def iou_effects(records: Sequence[Mapping], baseline: str, variant: str) -> pd.DataFrame:
    """Return the effect on AP at each IoU threshold, over the seeds both arms recorded it for.

    Returns:
        Columns ``threshold`` (float) then :data:`EFFECT_COLUMNS` (``metric`` is
        ``"AP@<threshold>"``), one row per threshold in increasing order; empty when no paired
        seed records AP per threshold.
    """
    base, var = iou_by_seed(records, baseline), iou_by_seed(records, variant)
    shared = sorted(set(base) & set(var))
    columns = ["threshold", *EFFECT_COLUMNS]
    if not shared:
        return pd.DataFrame(columns=columns)
    thresholds = sorted(set.intersection(*(set(base[s]) & set(var[s]) for s in shared)))
    rows = []
    for t in thresholds:
        row = _effect_row(
            f"AP@{t:.2f}",
            {s: base[s][t] for s in shared},
            {s: var[s][t] for s in shared},
        )
        rows.append({"threshold": t, **row})
    return pd.DataFrame(rows, columns=columns)


def sign_change(effects: pd.DataFrame) -> float | None:
    """Return the IoU threshold where the mean effect first changes sign, interpolated
    linearly between the two thresholds around it (None when it keeps one sign).

    ``effects``: an :func:`iou_effects` frame.
    """
    t, e = effects["threshold"].to_numpy(float), effects["effect"].to_numpy(float)
    for k in range(len(e) - 1):
        if e[k] == 0:
            return float(t[k])
        if e[k] * e[k + 1] < 0:
            return float(t[k] + (t[k + 1] - t[k]) * e[k] / (e[k] - e[k + 1]))
    return None


def _effects_by(
    column: str,
    groups: Mapping[object, Sequence[Mapping]],
    baseline: str,
    variant: str,
    metrics: Sequence[str],
) -> pd.DataFrame:
    """:func:`pair_effects` of each group of records (in the mapping's order), the group's key
    in a first column ``column``; a group without a paired seed has no rows."""
    frames = [
        pair_effects(records, baseline, variant, metrics).assign(**{column: key})
        for key, records in groups.items()
    ]
    frames = [f for f in frames if not f.empty]
    columns = [column, *EFFECT_COLUMNS]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def length_effects(
    by_length: Mapping[int, Sequence[Mapping]],
    baseline: str,
    variant: str,
    metrics: Sequence[str] = EFFECT_METRICS,
) -> pd.DataFrame:
    """Return :func:`pair_effects` at each training length.

    Args:
        by_length: iterations → the results records of the profile trained that long.

    Returns:
        Columns ``iterations`` then :data:`EFFECT_COLUMNS`, by length then metric; a length
        without a paired seed has no rows.
    """
    return _effects_by("iterations", dict(sorted(by_length.items())), baseline, variant, metrics)


@dataclass(frozen=True)
class Trend:
    """A least-squares line through paired differences against log2(training length).

    Attributes:
        metric: the metric the differences are of.
        slope: change of the effect per doubling of the schedule (points of %).
        low, high: its 95 % t-interval (n − 2 degrees of freedom); None with fewer than
            three differences or one length.
        intercept: the fitted effect at ``reference`` iterations.
        reference: the length the intercept is read at.
        n: differences fitted (one per paired seed and length).
        lengths: the lengths that contributed.
        seeds: the paired seeds at each of ``lengths`` (how many points each contributed).
    """

    metric: str
    slope: float
    low: float | None
    high: float | None
    intercept: float
    reference: int
    n: int
    lengths: tuple[int, ...]
    seeds: tuple[int, ...] = ()

    @property
    def interval(self) -> Interval:
        """The slope as an :class:`reproduction.analysis.stats.Interval` (for formatting and
        :func:`reproduction.analysis.stats.direction`)."""
        return Interval(self.slope, self.low, self.high, self.n)


def effect_trend(
    by_length: Mapping[int, Sequence[Mapping]],
    baseline: str,
    variant: str,
    metric: str = "AP",
    reference: int = 600,
    seeds: Collection[int] | None = None,
) -> Trend | None:
    """Fit the paired differences of ``metric`` (every seed at every length, or only
    ``seeds``) against log2 of the training length; None when no length has a paired seed.

    Each paired difference is one point at x = log2(iterations / ``reference``), so the
    intercept is the effect at ``reference`` iterations and the slope the change per doubling.
    Runs at different lengths are trained separately, so the points are independent; the
    interval is the slope's ordinary least-squares t-interval. A length with more seeds
    weighs more; :func:`seeds_at_every_length` gives the seeds of an equal-weight fit.
    """
    xs: list[float] = []
    ys: list[float] = []
    lengths: list[int] = []
    counts: list[int] = []
    for n, records in sorted(by_length.items()):
        diffs = differences_by_seed(records, baseline, variant, metric)
        shared = [s for s in diffs if seeds is None or s in seeds]
        if shared:
            lengths.append(n)
            counts.append(len(shared))
        for s in shared:
            xs.append(math.log2(n / reference))
            ys.append(diffs[s])
    if not xs:
        return None
    x, y = np.asarray(xs), np.asarray(ys)
    if len(lengths) < 2:
        return Trend(
            metric,
            math.nan,
            None,
            None,
            float(y.mean()),
            reference,
            len(y),
            (lengths[0],),
            (counts[0],),
        )
    fit = scipy_stats.linregress(x, y)
    low = high = None
    if len(y) >= 3:
        half = float(scipy_stats.t.ppf(0.975, df=len(y) - 2)) * float(fit.stderr)
        low, high = float(fit.slope) - half, float(fit.slope) + half
    return Trend(
        metric,
        float(fit.slope),
        low,
        high,
        float(fit.intercept),
        reference,
        len(y),
        tuple(lengths),
        tuple(counts),
    )


def seeds_at_every_length(
    by_length: Mapping[int, Sequence[Mapping]], baseline: str, variant: str, metric: str = "AP"
) -> list[int]:
    """Return the seeds paired (both arms have ``metric``) at every length of ``by_length``
    where the pair has any paired seed, sorted; empty when no length has one or no seed is
    shared by all of them."""
    shared: set[int] | None = None
    for records in by_length.values():
        paired = set(differences_by_seed(records, baseline, variant, metric))
        if paired:
            shared = paired if shared is None else shared & paired
    return sorted(shared or ())


def start_effects(
    by_start: Mapping[str, Sequence[Mapping]],
    baseline: str,
    variant: str,
    metrics: Sequence[str] = EFFECT_METRICS,
) -> pd.DataFrame:
    """Return :func:`pair_effects` for each start (e.g. ``{"random weights": ..., "pretrained":
    ...}``): columns ``start`` then :data:`EFFECT_COLUMNS`, in the mapping's order."""
    return _effects_by("start", by_start, baseline, variant, metrics)


def effect_difference(
    first: Sequence[Mapping],
    second: Sequence[Mapping],
    baseline: str,
    variant: str,
    metric: str = "AP",
) -> Interval | None:
    """Return how much larger the paired effect is in ``second`` than in ``first`` (e.g.
    pretrained minus random weights): the difference of the two mean effects with Welch's
    95 % t-interval (the two sets of runs are trained independently); None when either has
    fewer than two paired seeds."""
    a, b = (
        np.asarray(list(differences_by_seed(records, baseline, variant, metric).values()))
        for records in (first, second)
    )
    if len(a) < 2 or len(b) < 2:
        return None
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    mean = float(b.mean() - a.mean())
    if se == 0:
        return Interval(mean, mean, mean, len(a) + len(b))
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = float(scipy_stats.t.ppf(0.975, df=dof)) * se
    return Interval(mean, mean - half, mean + half, len(a) + len(b))


def length_arms(
    by_length: Mapping[int, Sequence[Mapping]],
    experiments: Sequence[str],
    metrics: Sequence[str] = EFFECT_METRICS,
) -> pd.DataFrame:
    """Return each experiment's mean of each metric at each length with its 95 % t-interval.

    Returns:
        Columns ``iterations``, ``experiment``, ``metric``, ``mean``, ``low``, ``high`` (NaN
        with one seed), ``n``; a length or experiment without runs has no rows.
    """
    rows = []
    for n, records in sorted(by_length.items()):
        for experiment in experiments:
            for metric in metrics:
                interval = arm_interval(records, experiment, metric)
                if interval is None:
                    continue
                rows.append(
                    {
                        "iterations": n,
                        "experiment": experiment,
                        "metric": metric,
                        "mean": interval.mean,
                        "low": math.nan if interval.low is None else interval.low,
                        "high": math.nan if interval.high is None else interval.high,
                        "n": interval.n,
                    }
                )
    columns = ["iterations", "experiment", "metric", "mean", "low", "high", "n"]
    return pd.DataFrame(rows, columns=columns)


def arm_interval(records: Sequence[Mapping], experiment: str, metric: str) -> Interval | None:
    """Return the mean of ``metric`` (%) over an experiment's seeds with its t-interval, or
    None when it has no run."""
    values = by_seed(records, experiment, metric)
    return mean_interval(list(values.values())) if values else None


__all__ = [
    "EFFECT_COLUMNS",
    "EFFECT_METRICS",
    "Trend",
    "arm_interval",
    "by_seed",
    "differences_by_seed",
    "effect_difference",
    "effect_trend",
    "effects_across",
    "iou_by_seed",
    "iou_coverage",
    "iou_effects",
    "length_arms",
    "length_effects",
    "pair_effects",
    "seeds_at_every_length",
    "sign_change",
    "start_effects",
]


PREDICTION_SEEDS = 8
"""Paired seeds a new training length is run with, which the prediction interval is for."""


@dataclass(frozen=True)
class Prediction:
    """What the trend through the other lengths predicts for the effect at a new length, and
    what was measured there.

    Attributes:
        iterations: the new length.
        metric: the metric of the effect.
        predicted: the fitted effect at ``iterations`` and its 95 % prediction interval for the
            mean of :data:`PREDICTION_SEEDS` new paired seeds (points of %); ``n`` counts
            the fitted differences.
        fitted_lengths: the lengths the line went through (``iterations`` left out).
        measured: the mean paired difference at ``iterations`` and its t-interval, or None
            where that length has no paired seed yet.
        new_seeds: the paired seeds the prediction interval is for (the mean of that many).
    """

    iterations: int
    metric: str
    predicted: Interval
    fitted_lengths: tuple[int, ...]
    measured: Interval | None
    new_seeds: int = PREDICTION_SEEDS

    @property
    def outcome(self) -> str:
        """ "holds" when the mean of the planned seeds lies within the prediction interval,
        "fails" when outside it; "not measured" before the runs exist, "pending" while fewer
        than ``new_seeds`` are paired (a mean of fewer seeds scatters more than the interval
        allows for)."""
        if self.measured is None:
            return "not measured"
        low, high = self.predicted.low, self.predicted.high
        if low is None or high is None:
            return "not measured"
        if self.measured.n < self.new_seeds:
            return "pending"
        return "holds" if low <= self.measured.mean <= high else "fails"


def predict_effect(
    by_length: Mapping[int, Sequence[Mapping]],
    baseline: str,
    variant: str,
    iterations: int,
    metric: str = "AP",
    reference: int = 600,
    new_seeds: int = PREDICTION_SEEDS,
) -> Prediction | None:
    """Predict the effect of ``variant`` over ``baseline`` at ``iterations`` from the line
    through the paired differences at every other length (against log2 of the length, as
    :func:`effect_trend`), and set the measured effect there beside it.

    The interval is the ordinary least-squares prediction interval for the mean of
    ``new_seeds`` new differences at x0 = log2(iterations / reference):
    ŷ0 ± t(n − 2) · s · √(1/new_seeds + 1/n + (x0 − x̄)² / Sxx). None when the other lengths
    give fewer than two lengths or three differences.
    """
    xs: list[float] = []
    ys: list[float] = []
    lengths: list[int] = []
    for n, records in sorted(by_length.items()):
        if n == iterations:
            continue
        diffs = differences_by_seed(records, baseline, variant, metric)
        if diffs:
            lengths.append(n)
        for value in diffs.values():
            xs.append(math.log2(n / reference))
            ys.append(value)
    if len(lengths) < 2 or len(ys) < 3:
        return None
    x, y = np.asarray(xs), np.asarray(ys)
    fit = scipy_stats.linregress(x, y)
    x0 = math.log2(iterations / reference)
    centre = float(fit.intercept + fit.slope * x0)
    residual = y - (fit.intercept + fit.slope * x)
    s = math.sqrt(float(residual @ residual) / (len(y) - 2))
    sxx = float(((x - x.mean()) ** 2).sum())
    half = float(scipy_stats.t.ppf(0.975, df=len(y) - 2)) * s
    half *= math.sqrt(1.0 / new_seeds + 1.0 / len(y) + (x0 - float(x.mean())) ** 2 / sxx)
    measured = None
    if iterations in by_length:
        diffs = differences_by_seed(by_length[iterations], baseline, variant, metric)
        if diffs:
            measured = mean_interval(list(diffs.values()))
    return Prediction(
        iterations,
        metric,
        Interval(centre, centre - half, centre + half, len(y)),
        tuple(lengths),
        measured,
        new_seeds,
    )
