"""The regime pages' data and text: which runs they read, their tables and their sentences.

Two pages read this module (``notebooks/ap_per_iou.ipynb``, ``notebooks/regimes.ipynb``) and
the claims page reads :func:`regime_note`. Each function loads results records from the local
runs or the committed archive (whichever holds more runs, per profile:
:func:`reproduction.records.archive.best_records`), computes with
:mod:`reproduction.analysis.regimes` and
returns frames or Markdown; the notebooks hold parameters and calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reproduction.analysis import regimes
from reproduction.analysis.stats import GAIN, LOSS, Interval, direction
from reproduction.pages.report import metric_label
from reproduction.records.archive import best_records
from reproduction.records.provenance_text import commit_of, hardware_line, parameters_markdown
from reproduction.spec.experiments import pairs_among
from reproduction.spec.profiles import (
    DEMO_ITERS,
    PRETRAINED_PROFILE,
    TRAINING_LENGTHS,
    data_label,
    get_profile,
    training_length_profile,
)
from reproduction.spec.thesis_rows import thesis_effect

PAIR: tuple[str, str] = ("atss_baseline", "atss_concordance_0.3")
"""The pair the regime profiles run (:data:`reproduction.spec.plans` runs it at every length and
from the pretrained start)."""

START_PROFILES: dict[str, str] = {"random weights": "demo", "pretrained": PRETRAINED_PROFILE}
"""The two starts the start comparison shows, by label → profile."""

REGIME_PROFILES: tuple[str, ...] = (
    *(training_length_profile(n) for n in TRAINING_LENGTHS if n != DEMO_ITERS),
    PRETRAINED_PROFILE,
)
"""The profiles the regime pages add to the default demo (its other training lengths and its
pretrained start), whose cost the protocol page lists."""

THESIS_TABLE = "5.1"
"""The thesis table whose AP50 / AP75 effects the per-threshold page sets beside ours."""


@dataclass(frozen=True)
class Loaded:
    """A profile's results records and where they came from (``"local"``, ``"archive"`` or
    ``"none"``)."""

    profile: str
    records: list[dict]
    source: str


Cache = dict[str, Loaded]
"""Profile → its loaded runs, shared by calls that read the same profiles (one page's build)."""


def load(
    profile: str, results_root: Path, archive_root: Path, cache: Cache | None = None
) -> Loaded:
    """Return a profile's records from the source with more runs; with a ``cache``, read
    each profile once and keep it there (the same roots are assumed for every call)."""
    if cache is not None and profile in cache:
        return cache[profile]
    records, source = best_records(profile, Path(results_root), Path(archive_root))
    loaded = Loaded(profile, records, source)
    if cache is not None:
        cache[profile] = loaded
    return loaded


def loaded_with_runs(
    profiles: Sequence[str], results_root: Path, archive_root: Path
) -> list[Loaded]:
    """Return the loaded runs of those ``profiles`` that have any."""
    loaded = (load(name, results_root, archive_root) for name in profiles)
    return [runs for runs in loaded if runs.records]


def by_length(
    results_root: Path, archive_root: Path, cache: Cache | None = None
) -> dict[int, Loaded]:
    """Return iterations → the loaded runs of the default demo trained that long (every
    length of :data:`reproduction.spec.profiles.TRAINING_LENGTHS` with at least one run)."""
    loaded = {
        n: load(training_length_profile(n), results_root, archive_root, cache)
        for n in TRAINING_LENGTHS
    }
    return {n: runs for n, runs in loaded.items() if runs.records}


def by_start(
    results_root: Path, archive_root: Path, cache: Cache | None = None
) -> dict[str, Loaded]:
    """Return start label → its loaded runs (:data:`START_PROFILES`, those with runs)."""
    loaded = {
        label: load(name, results_root, archive_root, cache)
        for label, name in START_PROFILES.items()
    }
    return {label: runs for label, runs in loaded.items() if runs.records}


def _interval(row: Mapping) -> Interval:
    low, high = row["low"], row["high"]
    return Interval(
        float(row["effect"]),
        None if pd.isna(low) else float(low),
        None if pd.isna(high) else float(high),
        int(row["n"]),
    )


def effect_text(row: Mapping) -> str:
    """An effect row (:data:`reproduction.analysis.regimes.EFFECT_COLUMNS`) as ``"+1.2 [+0.3,
    +2.1]"``
    (``"+1.2 (n=1)"`` with one seed)."""
    return _interval(row).format(1, signed=True)


def _profile_label(profile: str) -> str:
    spec = get_profile(profile)
    if spec.pretrained is not None:
        return f"{profile} (pretrained start, {spec.max_iters or DEMO_ITERS} it.)"
    return f"{profile} ({spec.max_iters or DEMO_ITERS} it., random weights)"


def _pairs(runs: Loaded) -> list[tuple[str, str]]:
    """The baseline / Correlation-Loss pairs among a profile's experiments, in record order."""
    return pairs_among(dict.fromkeys(r["experiment"]["id"] for r in runs.records))


def iou_profiles(
    results_root: Path,
    archive_root: Path,
    profiles: Sequence[str] | None = None,
    cache: Cache | None = None,
) -> list[Loaded]:
    """Return the loaded runs of the profiles where some baseline / Correlation-Loss pair
    recorded AP at every IoU threshold in at least two paired seeds (default: the demo at
    every training length and the pretrained start)."""
    names = profiles or [
        *(training_length_profile(n) for n in TRAINING_LENGTHS),
        PRETRAINED_PROFILE,
    ]
    loaded = (load(name, results_root, archive_root, cache) for name in names)
    return [runs for runs in loaded if iou_curves([runs])]


@dataclass(frozen=True)
class IouCurve:
    """One pair's AP effect at each IoU threshold in one profile.

    Attributes:
        profile: the profile the runs belong to.
        source: where its records were read (``"local"`` or ``"archive"``).
        baseline, variant: the pair's experiment ids.
        effects: :func:`reproduction.analysis.regimes.iou_effects` (points of AP).
        crossing: the threshold where the mean effect changes sign, or None.
    """

    profile: str
    source: str
    baseline: str
    variant: str
    effects: pd.DataFrame
    crossing: float | None

    @property
    def seeds(self) -> int:
        """The paired seeds at every threshold (the fewest over thresholds)."""
        return int(self.effects["n"].min()) if not self.effects.empty else 0

    @property
    def pair(self) -> str:
        """The pair as a label (:func:`pair_label`)."""
        return pair_label((self.baseline, self.variant))


def iou_curves(loaded: Sequence[Loaded], min_seeds: int = 2) -> list[IouCurve]:
    """Return the :class:`IouCurve` of every pair of every loaded profile that recorded AP at
    every IoU threshold in at least ``min_seeds`` paired seeds, by profile then pair."""
    curves = []
    for runs in loaded:
        for baseline, variant in _pairs(runs):
            if regimes.iou_coverage(runs.records, baseline, variant)[0] < min_seeds:
                continue
            effects = regimes.iou_effects(runs.records, baseline, variant)
            curves.append(
                IouCurve(
                    runs.profile,
                    runs.source,
                    baseline,
                    variant,
                    effects,
                    regimes.sign_change(effects),
                )
            )
    return curves


def thesis_iou_effects(variant: str = PAIR[1]) -> dict[float, float]:
    """Return the thesis's effects of ``variant`` on AP50 and AP75 (IoU → points; Table 5.1,
    COCO), those it prints."""
    out = {}
    for threshold, metric in ((0.5, "AP50"), (0.75, "AP75")):
        value = thesis_effect(variant, THESIS_TABLE, metric)
        if value is not None:
            out[threshold] = value
    return out


def iou_table(curves: Sequence[IouCurve]) -> pd.DataFrame:
    """Return one row per :class:`IouCurve`: the pair and setting, seeds with AP per
    threshold, the threshold where the mean effect changes sign, the effect at 0.50, 0.75 and
    0.95 with intervals, and the thresholds where the effect is a resolved gain or loss."""
    rows = []
    for curve in curves:
        by_t = {round(float(r["threshold"]), 2): r for r in curve.effects.to_dict("records")}
        gains = [f"{t:.2f}" for t, r in by_t.items() if r["direction"] == GAIN]
        losses = [f"{t:.2f}" for t, r in by_t.items() if r["direction"] == LOSS]
        rows.append(
            {
                "pair": curve.pair,
                "setting": _profile_label(curve.profile),
                "seeds": curve.seeds,
                "sign change at IoU": "—" if curve.crossing is None else f"{curve.crossing:.2f}",
                "Δ AP50": effect_text(by_t[0.5]) if 0.5 in by_t else "—",
                "Δ AP75": effect_text(by_t[0.75]) if 0.75 in by_t else "—",
                "Δ AP@0.95": effect_text(by_t[0.95]) if 0.95 in by_t else "—",
                "resolved gain at": ", ".join(gains) or "none",
                "resolved loss at": ", ".join(losses) or "none",
                "source": curve.source,
            }
        )
    return pd.DataFrame(rows)


def ap50_ap75_table(loaded: Sequence[Loaded]) -> pd.DataFrame:
    """Return, for every baseline / Correlation-Loss pair of the given profiles, the effects on
    AP50 and AP75 beside the thesis's (Table 5.1 where it has the row): the runs whose
    detections are no longer kept, so that AP at the other thresholds cannot be computed."""
    rows = []
    for runs in loaded:
        for baseline, variant in _pairs(runs):
            effects = regimes.pair_effects(runs.records, baseline, variant, ("AP50", "AP75"))
            if effects.empty:
                continue
            by_metric = {r["metric"]: r for r in effects.to_dict("records")}
            with_iou, paired = regimes.iou_coverage(runs.records, baseline, variant)
            row = {"profile": runs.profile, "pair": pair_label((baseline, variant))}
            for metric in ("AP50", "AP75"):
                thesis = thesis_effect(variant, THESIS_TABLE, metric)
                row[f"thesis Δ {metric} (COCO)"] = "—" if thesis is None else f"{thesis:+.1f}"
                row[f"ours Δ {metric}"] = (
                    effect_text(by_metric[metric]) if metric in by_metric else "—"
                )
            row["seeds"] = paired
            row["AP per threshold"] = f"{with_iou} of {paired} seeds"
            rows.append(row)
    return pd.DataFrame(rows)


def length_pairs(loaded: Mapping[int, Loaded]) -> list[tuple[str, str]]:
    """Return the baseline / Correlation-Loss pairs with paired seeds at two or more of the
    loaded lengths: :data:`PAIR` first (the pair every regime profile runs), then the others
    in the order they are first met."""
    lengths_of: dict[tuple[str, str], int] = {}
    for runs in loaded.values():
        for pair in _pairs(runs):
            base, var = (regimes.by_seed(runs.records, e, "AP") for e in pair)
            if set(base) & set(var):
                lengths_of[pair] = lengths_of.get(pair, 0) + 1
    found = [pair for pair, n in lengths_of.items() if n >= 2]
    return sorted(found, key=lambda pair: pair != PAIR)


def pair_label(pair: tuple[str, str]) -> str:
    """A pair as a label, ``"<variant> − <baseline>"`` (as on the per-threshold page)."""
    baseline, variant = pair
    return f"{variant} − {baseline}"


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


def cost_table(
    profiles: Sequence[str],
    results_root: Path,
    archive_root: Path,
    pairs: Sequence[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Return what the runs of each pair (default: every baseline / Correlation-Loss pair a
    profile has) cost in each profile, one row per profile and pair: runs, hours of training
    and of evaluation on one core each (sums of the results files' ``training.wall_s`` and
    ``evaluation_s``), the median seconds per iteration, and the machines they ran on; the
    numbers as text, rounded for the page; and the one-off pretraining a profile's runs
    started from (its record's ``wall_s``), where they did."""
    rows = []
    for name in profiles:
        loaded = load(name, results_root, archive_root)
        for pair in _pairs(loaded) if pairs is None else pairs:
            records = [r for r in loaded.records if r["experiment"]["id"] in pair]
            if records:
                rows.append({"profile": name, "pair": pair_label(pair), **_cost(records)})
    return pd.DataFrame(rows)


def _cost(records: Sequence[Mapping]) -> dict[str, object]:
    """The cost columns of :func:`cost_table` for one set of runs."""
    train = [r["training"].get("wall_s") or 0.0 for r in records]
    evaluate = [r.get("evaluation_s") or 0.0 for r in records]
    per_iter = sorted(
        r["training"]["seconds_per_iter"] for r in records if r["training"].get("seconds_per_iter")
    )
    cpus = {
        ((r.get("provenance") or {}).get("hardware") or {}).get("cpu") or "unknown" for r in records
    }
    pretrainings = [r["pretrained"] for r in records if r.get("pretrained")]
    return {
        "runs": len(records),
        "training (h)": f"{sum(train) / 3600:.2f}",
        "evaluation (h)": f"{sum(evaluate) / 3600:.2f}",
        "s / iteration (median)": f"{per_iter[len(per_iter) // 2]:.3f}" if per_iter else "—",
        "machines": len(cpus),
        "pretraining (h, once)": (
            f"{pretrainings[0]['wall_s'] / 3600:.2f}" if pretrainings else "—"
        ),
    }


def _commits(records: Sequence[Mapping], shown: int = 4) -> str:
    commits = sorted({commit_of(r) for r in records})
    if len(commits) <= shown:
        return ", ".join(commits)
    return f"{len(commits)} commits (each results file names its own)"


def plot_iou(fig, curves: Sequence[IouCurve]) -> None:  # noqa: ANN001 - a Figure
    """Draw each pair's effect against the IoU threshold on ``fig``, one panel per pair with a
    line per setting, and the thesis's AP50 and AP75 effects of that pair's variant
    (:func:`thesis_iou_effects`)."""
    from reproduction.pages.figures import plot_iou_effects, plot_thesis_effects

    by_pair: dict[str, list[IouCurve]] = {}
    for curve in curves:
        by_pair.setdefault(curve.pair, []).append(curve)
    axes = fig.subplots(1, len(by_pair), squeeze=False, sharey=True)[0]
    for ax, (pair, shown) in zip(axes, by_pair.items(), strict=True):
        for curve in shown:
            plot_iou_effects(
                ax,
                curve.effects,
                label=f"{curve.profile} ({curve.seeds} seeds)",
                crossing=curve.crossing,
            )
        plot_thesis_effects(ax, thesis_iou_effects(shown[0].variant))
        ax.legend(fontsize=7)
        ax.set_title(pair, fontsize=9)


def plot_lengths(  # noqa: ANN001 - a Figure
    fig, loaded: Mapping[int, Loaded], pair: tuple[str, str] = PAIR
) -> None:
    """Draw both arms and the effect of ``pair`` on each metric of
    :data:`reproduction.analysis.regimes.EFFECT_METRICS` against training length on ``fig``."""
    from reproduction.pages.figures import plot_against_length

    metrics = list(regimes.EFFECT_METRICS)
    arms, effects = length_frames(loaded, metrics, pair)
    axes = fig.subplots(2, len(metrics)).ravel()
    names = {experiment: experiment for experiment in pair}
    plot_against_length(axes, arms, effects, metrics, names, [metric_label(m) for m in metrics])


def provenance_markdown(loaded: Sequence[Loaded], *, parameters: Mapping[str, object]) -> str:
    """Return the provenance block of a page that reads several profiles: the parameters, then
    for each profile its data, source, experiments and seeds, git commits and hardware."""
    lines = ["**Provenance**", "", parameters_markdown(parameters)]
    if not loaded:
        lines.append("- No results files of these settings yet, local or committed.")
    for runs in loaded:
        seeds = sorted({int(r["seed"]) for r in runs.records})
        experiments = sorted({r["experiment"]["id"] for r in runs.records})
        lines.append(
            f"- {data_label(runs.profile)}. Source: {runs.source}; {len(runs.records)} runs "
            f"({', '.join(experiments)}; seeds {', '.join(map(str, seeds))}); git commit(s) "
            f"{_commits(runs.records)}; hardware: "
            f"{'; '.join(sorted({hardware_line(r) for r in runs.records}))}"
        )
    return "\n".join(lines)


def _by_length_text(effects: pd.DataFrame) -> str:
    """AP effects by length (:func:`length_frames`) as ``"300 it. -0.6 [-1.4, +0.2] (n=8);
    600 it. …"``."""
    return "; ".join(
        f"{int(r['iterations'])} it. {_interval(r).format(1, signed=True, count='')}"
        for r in effects.to_dict("records")
    )


def regime_note(results_root: Path, archive_root: Path) -> str:
    """A few sentences for the claims page, under the AP claims: where the demo's AP effect of
    the ATSS pair is positive (IoU thresholds, training lengths, start), and the effect of
    any other pair run at several lengths by length, with numbers, from the runs there are;
    "" when none of the regime runs exists."""
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
            f"Per IoU threshold ({curve.profile}, {curve.seeds} seeds) the effect "
            f"{where}: AP50 {effect_text(at[0.5])}, AP75 {effect_text(at[0.75])}."
        )
    lengths = by_length(results_root, archive_root, cache)
    _, effects = length_frames(lengths, ("AP",))
    if len(effects) >= 2:
        parts.append(f"Its AP effect by training length: {_by_length_text(effects)}.")
    starts = by_start(results_root, archive_root, cache)
    if "pretrained" in starts:
        frame = start_frame(starts)
        listed = "; ".join(
            f"{r['start']} {_interval(r).format(1, signed=True, count='')}"
            for r in frame[frame["metric"] == "AP"].to_dict("records")
        )
        parts.append(f"Its AP effect by start (600 it.): {listed}.")
    for pair in length_pairs(lengths):
        if pair != PAIR:
            _, effects = length_frames(lengths, ("AP",), pair)
            parts.append(
                f"The AP effect of {pair_label(pair)} by training length: "
                f"{_by_length_text(effects)}."
            )
    if not parts:
        return ""
    return (
        "**Where the AP effect sits (ATSS + Concordance Loss unless named; demo, synthetic "
        "data).** " + " ".join(parts) + " Pages: [AP at each IoU threshold](ap_per_iou.html), "
        "[training length and start](regimes.html)."
    )


__all__ = [
    "PAIR",
    "REGIME_PROFILES",
    "Cache",
    "IouCurve",
    "START_PROFILES",
    "Loaded",
    "ap50_ap75_table",
    "by_length",
    "by_start",
    "cost_table",
    "effect_text",
    "effects_table",
    "iou_curves",
    "iou_profiles",
    "iou_table",
    "length_frames",
    "length_pairs",
    "load",
    "loaded_with_runs",
    "pair_label",
    "plot_iou",
    "plot_lengths",
    "pretraining_summary",
    "provenance_markdown",
    "regime_note",
    "start_difference",
    "start_frame",
    "thesis_iou_effects",
    "trend_markdown",
    "trends",
]
