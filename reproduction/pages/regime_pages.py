"""The training-length page's data and text, and the claims page's regime note.

``notebooks/regimes.ipynb`` reads this module: each pair's effects against training length
with the fitted trend, the random-weights and pretrained starts side by side; the claims page
reads :func:`regime_note`. Runs are loaded by :mod:`reproduction.pages.regime_runs`, numbers
computed by :mod:`reproduction.analysis.regimes`; the notebooks hold parameters and calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from reproduction.analysis import regimes
from reproduction.analysis.stats import GAIN, LOSS, Interval, direction, mean_interval
from reproduction.pages.iou_page import iou_curves, iou_profiles
from reproduction.pages.regime_runs import (
    PAIR,
    START_PROFILES,
    Cache,
    Loaded,
    by_length,
    by_start,
    effect_text,
    profile_pairs,
    row_interval,
)
from reproduction.pages.report import metric_label
from reproduction.spec.labels import reader_label
from reproduction.spec.profiles import (
    DEMO_ITERS,
    training_length_profile,
)


def length_pairs(loaded: Mapping[int, Loaded]) -> list[tuple[str, str]]:
    """Return the baseline / Correlation-Loss pairs with paired seeds at two or more of the
    loaded lengths: :data:`PAIR` first (the pair every regime profile runs), then the others
    in the order they are first met."""
    lengths_of: dict[tuple[str, str], int] = {}
    for runs in loaded.values():
        for pair in profile_pairs(runs):
            if regimes.differences_by_seed(runs.records, *pair, "AP"):
                lengths_of[pair] = lengths_of.get(pair, 0) + 1
    found = [pair for pair, n in lengths_of.items() if n >= 2]
    return sorted(found, key=lambda pair: pair != PAIR)


def length_frames(
    loaded: Mapping[int, Loaded],
    metrics: Sequence[str] = regimes.EFFECT_METRICS,
    pair: tuple[str, str] = PAIR,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the arms (:func:`reproduction.analysis.regimes.length_arms`) and the effects
    (:func:`reproduction.analysis.regimes.length_effects`) of ``pair`` at each loaded
    length."""
    records = {n: runs.records for n, runs in loaded.items()}
    return (
        regimes.length_arms(records, pair, metrics),
        regimes.length_effects(records, *pair, metrics),
    )


def effects_table(effects: pd.DataFrame, by: str) -> pd.DataFrame:
    """Return an effects frame (with a ``by`` column: ``iterations`` or ``start``) as a page
    table: one row per ``by`` value, one column per metric (``"+1.2 [+0.3, +2.1]"``) and the
    paired seeds."""
    rows: dict = {}
    for row in effects.to_dict("records"):
        key = row[by]
        entry = rows.setdefault(key, {by: key})
        entry[f"Δ {metric_label(row['metric'])}"] = effect_text(row)
        entry["seeds"] = min(entry.get("seeds", row["n"]), row["n"])
    return pd.DataFrame(list(rows.values()))


def trends(
    loaded: Mapping[int, Loaded],
    metrics: Sequence[str] = ("AP", "AP50", "AP75"),
    *,
    equal_weight: bool = False,
    pair: tuple[str, str] = PAIR,
) -> list:
    """Return the :class:`reproduction.analysis.regimes.Trend` of each metric's effect of
    ``pair`` against training length (those that could be fitted): through every paired
    seed, or with ``equal_weight`` only through the seeds paired at every length the pair ran
    at (so a length with more seeds does not weigh more)."""
    records = {n: runs.records for n, runs in loaded.items()}
    fitted = []
    for m in metrics:
        seeds = regimes.seeds_at_every_length(records, *pair, m) if equal_weight else None
        if seeds is not None and not seeds:
            continue
        fitted.append(regimes.effect_trend(records, *pair, m, reference=DEMO_ITERS, seeds=seeds))
    return [t for t in fitted if t is not None]


def trend_markdown(trend: regimes.Trend) -> str:
    """One sentence on a fitted trend: the slope per doubling with its interval, what the
    interval says, and the lengths and points behind it."""
    lengths = ", ".join(str(n) for n in trend.lengths)
    if len(trend.lengths) < 2:
        return (
            f"- {metric_label(trend.metric)}: runs at one length only ({lengths} iterations); "
            "no trend can be fitted yet."
        )
    slope = trend.interval.format(2, signed=True)
    seeds = ", ".join(str(k) for k in trend.seeds)
    verdict = {
        GAIN: "the effect grows with training (the interval lies above 0)",
        LOSS: "the effect shrinks with training (the interval lies below 0)",
    }.get(
        direction(trend.interval), "no resolved trend (the interval contains 0, or too few points)"
    )
    return (
        f"- {metric_label(trend.metric)}: {slope} points per doubling of training, fitted "
        f"through {trend.n} paired differences ({seeds} seeds at {lengths} iterations); "
        f"{verdict}. The fitted "
        f"effect at {trend.reference} iterations is {trend.intercept:+.2f}."
    )


def start_frame(loaded: Mapping[str, Loaded]) -> pd.DataFrame:
    """Return :func:`reproduction.analysis.regimes.start_effects` of :data:`PAIR` for each start."""
    return regimes.start_effects({k: v.records for k, v in loaded.items()}, *PAIR)


def start_difference(loaded: Mapping[str, Loaded], metric: str = "AP") -> str:
    """One sentence: how much the pretrained start changes the effect on ``metric`` (Welch's
    interval over the two independent sets of paired seeds), or why it cannot be said."""
    if set(START_PROFILES) - set(loaded):
        missing = ", ".join(sorted(set(START_PROFILES) - set(loaded)))
        return f"The start comparison waits for runs of: {missing}."
    first, second = (loaded[k].records for k in START_PROFILES)
    interval = regimes.effect_difference(first, second, *PAIR, metric)
    if interval is None:
        return "The start comparison needs two paired seeds from each start."
    text = interval.format(2, signed=True)
    said = {
        GAIN: "larger from the pretrained start",
        LOSS: "smaller from the pretrained start",
    }.get(direction(interval), "not resolved: the interval contains 0")
    return (
        f"Effect on {metric_label(metric)} from the pretrained start minus the effect from "
        f"random weights: {text} points (Welch's 95 % interval); {said}."
    )


def pretraining_summary(loaded: Loaded) -> str:
    """One sentence on the pretraining the runs of ``loaded`` started from (its recipe,
    held-out accuracy and cost, from the record each results file carries), or "" when none
    of them carries one."""
    records = [r["pretrained"] for r in loaded.records if r.get("pretrained")]
    if not records:
        return ""
    shas = {r.get("backbone_sha256") for r in records}
    first = records[0]
    recipe = first["recipe"]
    return (
        f"The backbone was pretrained once ({first['name']}: {first['iterations']} steps of "
        f"{recipe['batch_size']} object crops of {recipe['crop_size']} px from "
        f"{len(first['classes'])} synthetic shape classes, {first['wall_s'] / 60:.1f} min); it "
        f"classifies {100 * first['held_out_accuracy']:.1f} % of {recipe['held_out']} held-out "
        f"crops right (the most frequent class: {100 * first['chance_accuracy']:.1f} %). "
        f"{len(records)} runs started from {'it' if len(shas) == 1 else f'{len(shas)} copies'}."
    )


def plot_lengths(  # noqa: ANN001 - a Figure
    fig, loaded: Mapping[int, Loaded], pair: tuple[str, str] = PAIR
) -> None:
    """Draw both arms and the effect of ``pair`` on each metric of
    :data:`reproduction.analysis.regimes.EFFECT_METRICS` against training length on ``fig``."""
    from reproduction.pages.figures import plot_against_length

    metrics = list(regimes.EFFECT_METRICS)
    arms, effects = length_frames(loaded, metrics, pair)
    axes = fig.subplots(2, len(metrics)).ravel()
    names = {experiment: reader_label(experiment=experiment) for experiment in pair}
    plot_against_length(axes, arms, effects, metrics, names, [metric_label(m) for m in metrics])


def _by_length_text(effects: pd.DataFrame) -> str:
    """AP effects by length (:func:`reproduction.analysis.regimes.length_effects`) as
    ``"300 iterations -0.6 [-1.4, +0.2] (n=8); 600 iterations …"``."""
    return "; ".join(
        f"{int(r['iterations']):,} iterations {row_interval(r).format(1, signed=True, count='')}"
        for r in effects.to_dict("records")
    )


def regime_note(results_root: Path, archive_root: Path) -> str:
    """A few sentences for the claims page, under the AP claims: where the demo's AP effect of
    the regime pair is positive (IoU thresholds, training lengths, start), and the effect of
    any other pair run at several lengths by length, with numbers, from the runs there are;
    "" when none of the regime runs exists. Pairs and settings are named by
    :func:`reproduction.spec.labels.reader_label`."""
    parts = []
    cache: Cache = {}  # the three readings below share profiles (the demo's is the largest)
    curves = [
        c
        for c in iou_curves(iou_profiles(results_root, archive_root, cache=cache))
        if (c.baseline, c.variant) == PAIR
    ]
    if curves:  # the default demo's curve, else the setting with the most seeds
        curve = max(
            curves, key=lambda c: (c.profile == training_length_profile(DEMO_ITERS), c.seeds)
        )
        at = {round(float(r["threshold"]), 2): r for r in curve.effects.to_dict("records")}
        where = (
            f"changes sign at IoU ≈ {curve.crossing:.2f}"
            if curve.crossing is not None
            else "keeps one sign"
        )
        parts.append(
            f"Per IoU threshold ({reader_label(profile=curve.profile)}, {curve.seeds} seeds) "
            f"the effect {where}: AP50 {effect_text(at[0.5])}, AP75 {effect_text(at[0.75])}."
        )
    lengths = by_length(results_root, archive_root, cache)
    records = {n: runs.records for n, runs in lengths.items()}
    effects = regimes.length_effects(records, *PAIR, ("AP",))
    if len(effects) >= 2:
        parts.append(f"Its AP effect by training length: {_by_length_text(effects)}.")
    starts = by_start(results_root, archive_root, cache)
    if "pretrained" in starts:
        frame = start_frame(starts)
        listed = "; ".join(
            f"{r['start']} {row_interval(r).format(1, signed=True, count='')}"
            for r in frame[frame["metric"] == "AP"].to_dict("records")
        )
        parts.append(f"Its AP effect by start ({DEMO_ITERS:,} iterations): {listed}.")
    for pair in length_pairs(lengths):
        if pair != PAIR:
            effects = regimes.length_effects(records, *pair, ("AP",))
            parts.append(
                f"The AP effect of {reader_label(pair=pair)} by training length: "
                f"{_by_length_text(effects)}."
            )
    if not parts:
        return ""
    return (
        f"**Where the AP effect sits ({reader_label(pair=PAIR)} unless named; synthetic "
        "data).** " + " ".join(parts) + " Pages: [AP at each IoU threshold](ap_per_iou.html), "
        "[training length and start](regimes.html)."
    )


def prediction_rows(predictions: Sequence[Mapping], loaded: Mapping[int, Loaded]) -> pd.DataFrame:
    """Return one row per recorded prediction (:mod:`reproduction.analysis.predictions`): the
    pair and new length in words, the metric, the prediction made before the runs (with its
    95 % prediction interval for the mean of the planned seeds), the effect measured since
    (with its t-interval, or "not run yet") and whether the prediction held."""
    rows = []
    for p in predictions:
        measured = None
        if p["iterations"] in loaded:
            diffs = regimes.differences_by_seed(
                loaded[p["iterations"]].records, p["baseline"], p["variant"], p["metric"]
            )
            if diffs:
                measured = mean_interval(list(diffs.values()))
        predicted = Interval(p["predicted"], p["low"], p["high"], p["fitted_differences"])
        planned = int(p.get("new_seeds", regimes.PREDICTION_SEEDS))
        outcome = regimes.Prediction(
            p["iterations"], p["metric"], predicted, tuple(p["fitted_lengths"]), measured, planned
        ).outcome
        if outcome == "pending":
            outcome = f"pending: {measured.n} of {planned} seeds"
        rows.append(
            {
                "pair": reader_label(pair=(p["baseline"], p["variant"])),
                "new length": f"{p['iterations']:,} iterations",
                "metric": p["metric"],
                "predicted (before the runs)": predicted.format(1, signed=True),
                "fitted on": ", ".join(f"{n:,}" for n in p["fitted_lengths"]) + " it.",
                "measured": "not run yet"
                if measured is None
                else f"{measured.format(1, signed=True)} ({measured.n} seeds)",
                "the prediction": {"holds": "held", "fails": "failed"}.get(outcome, outcome),
            }
        )
    return pd.DataFrame(rows)


__all__ = [
    "prediction_rows",
    "effects_table",
    "length_frames",
    "length_pairs",
    "plot_lengths",
    "pretraining_summary",
    "regime_note",
    "start_difference",
    "start_frame",
    "trend_markdown",
    "trends",
]
