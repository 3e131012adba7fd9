"""How the interval of a paired difference narrows: the demo-protocol study.

Pure functions on results records and kept detections (numpy, pandas, corrlib.metrics): no
torch, no mmdet. The study notebook uses them to measure, for each detector's baseline /
Correlation-Loss pair, the 95 % interval of the paired difference as a function of

- the number of seeds (every subset of the seeds run, averaged),
- the size of the validation set (the same trained models re-scored on nested subsets of
  the validation images, from the detections kept beside each results file),

and, across study settings, of the schedule length and the number of classes.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from corrlib import metrics
from reproduction.analysis.stats import direction, excludes_zero, mean_interval, paired_difference
from reproduction.records.run_table import per_seed
from reproduction.spec.paths import detections_file

STUDY_METRICS: tuple[str, ...] = ("beta_img", "beta_cls", "AP", "AP75")
"""The paired differences the study follows (all in percentage points)."""


def interval_by_seed_count(
    baseline: dict[int, float],
    variant: dict[int, float],
    max_subsets: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """Return, for each number of seeds n ≥ 2, the mean half-width of the paired interval.

    Averages over subsets of n of the shared seeds (all of them, or ``max_subsets`` drawn at
    random when there are more). Columns: ``n_seeds``, ``half_width`` (points),
    ``resolved_share`` (share of subsets whose interval excludes 0), ``subsets``.
    """
    shared = sorted(set(baseline) & set(variant))
    rng = np.random.default_rng(seed)
    rows = []
    for n in range(2, len(shared) + 1):
        subsets = list(itertools.combinations(shared, n))
        if len(subsets) > max_subsets:
            picks = rng.choice(len(subsets), size=max_subsets, replace=False)
            subsets = [subsets[i] for i in picks]
        widths, resolved = [], []
        for subset in subsets:
            diff = paired_difference(
                {s: baseline[s] for s in subset}, {s: variant[s] for s in subset}
            )
            widths.append(diff.half_width)
            resolved.append(excludes_zero(diff))
        rows.append(
            {
                "n_seeds": n,
                "half_width": float(np.mean(widths)),
                "resolved_share": float(np.mean(resolved)),
                "subsets": len(subsets),
            }
        )
    return pd.DataFrame(rows, columns=["n_seeds", "half_width", "resolved_share", "subsets"])


def seeds_to_resolve(
    differences: Sequence[float],
    confidence: float = 0.95,
    max_seeds: int = 100,
    half_width: float | None = None,
) -> int | None:
    """Project how many seeds would resolve an effect of the size measured (a projection).

    From per-seed paired differences (at least two), with mean m and sample standard
    deviation s, return the smallest n ≥ 2 for which the t-interval half-width
    t_{(1+confidence)/2, n-1} · s / √n falls below |m| (the interval would exclude 0),
    assuming m and s stay as measured; None if no n ≤ ``max_seeds`` does (or m = 0).
    With ``half_width`` (in the differences' unit), the target is instead a half-width of at
    most ``half_width``, whatever m is. Raises ValueError for fewer than two values.
    """
    values = np.asarray(differences, dtype=float)
    if values.size < 2 or not np.all(np.isfinite(values)):
        raise ValueError(f"need at least two finite paired differences, got {values.tolist()}")
    mean, sd = abs(float(values.mean())), float(values.std(ddof=1))
    if half_width is None and mean == 0.0:
        return None
    for n in range(2, max_seeds + 1):
        half = scipy_stats.t.ppf((1 + confidence) / 2, n - 1) * sd / np.sqrt(n)
        if (half < mean) if half_width is None else (half <= half_width):
            return n
    return None


def subset_ground_truth(gt: dict, image_ids: Iterable[int]) -> dict:
    """Return a COCO ground-truth dict restricted to ``image_ids`` (categories kept)."""
    keep = set(int(i) for i in image_ids)
    return {
        **gt,
        "images": [im for im in gt["images"] if im["id"] in keep],
        "annotations": [a for a in gt["annotations"] if a["image_id"] in keep],
    }


def rescore(gt: dict, kept: dict, image_ids: Sequence[int]) -> dict[str, float | None]:
    """Score kept detections on a subset of the validation images; metrics in points (%).

    Args:
        gt: the full COCO ground truth (parsed).
        kept: the ``seed<k>.detections.json`` content (``detections``, ``pre_nms_positives``).
        image_ids: the images to score on.

    Returns:
        ``{"AP", "AP75", "beta_cls", "beta_img"}`` ×100; None where a value is undefined on
        the subset (β_img without pre-NMS positives, β_cls without a class of two true
        positives).
    """
    keep = set(int(i) for i in image_ids)
    sub_gt = subset_ground_truth(gt, keep)
    dets = [d for d in kept["detections"] if d["image_id"] in keep]
    analysis = metrics.analyse(sub_gt, dets, bounds=False)
    pairs = [
        (np.asarray(v["scores"]), np.asarray(v["ious"]))
        for k, v in kept.get("pre_nms_positives", {}).items()
        if int(k) in keep
    ]
    beta_img = metrics.image_level_correlation(pairs) if pairs else None
    values = {
        "AP": analysis["ap"]["AP"],
        "AP75": analysis["ap"]["AP75"],
        "beta_cls": analysis["beta_cls"]["value"],
        "beta_img": beta_img,
    }
    return {
        k: None if v is None or not np.isfinite(v) else 100 * float(v) for k, v in values.items()
    }


def interval_by_val_size(
    gt_json: Path,
    baseline_files: dict[int, Path],
    variant_files: dict[int, Path],
    sizes: Sequence[int],
    study_metrics: Sequence[str] = STUDY_METRICS,
) -> pd.DataFrame:
    """Return the paired interval of each metric on nested subsets of the validation images.

    ``baseline_files`` / ``variant_files`` map seed → kept-detections file. The first ``n``
    images (in id order) form the subset of size n, so subsets are nested. Columns:
    ``n_val``, ``metric``, ``mean`` (points), ``low``, ``high``, ``half_width``, ``verdict``.
    """
    gt = json.loads(Path(gt_json).read_text())
    ids = sorted(im["id"] for im in gt["images"])
    kept = {
        (arm, s): json.loads(Path(p).read_text())
        for arm, files in (("base", baseline_files), ("var", variant_files))
        for s, p in files.items()
    }
    seeds = sorted(set(baseline_files) & set(variant_files))
    rows = []
    for n in sizes:
        subset = ids[: min(n, len(ids))]
        scores = {key: rescore(gt, data, subset) for key, data in kept.items()}
        for metric in study_metrics:
            base = {s: scores["base", s][metric] for s in seeds}
            var = {s: scores["var", s][metric] for s in seeds}
            if any(v is None for v in (*base.values(), *var.values())):
                continue
            diff = paired_difference(base, var)
            rows.append(
                {"n_val": len(subset), "metric": metric, "mean": diff.mean, "low": diff.low,
                 "high": diff.high, "half_width": diff.half_width, "verdict": direction(diff)}
            )  # fmt: skip
    return pd.DataFrame(
        rows, columns=["n_val", "metric", "mean", "low", "high", "half_width", "verdict"]
    )


def intervals_by_seed_count(
    runs: pd.DataFrame,
    pairs: Sequence[tuple[str, str]],
    study_metrics: Sequence[str] = STUDY_METRICS,
) -> pd.DataFrame:
    """Return :func:`interval_by_seed_count` of every pair and metric in one frame: its
    columns (``n_seeds``, ``half_width`` in points, ``resolved_share``, ``subsets``) plus
    ``pair`` (:func:`pair_label`) and ``metric``; empty (no columns) when no pair has two
    shared seeds."""
    rows: list[dict] = []
    for base, var in pairs:
        for metric in study_metrics:
            table = interval_by_seed_count(
                per_seed(runs, base, metric), per_seed(runs, var, metric)
            )
            label = pair_label((base, var))
            rows += [dict(r, pair=label, metric=metric) for r in table.to_dict("records")]
    return pd.DataFrame(rows)


def validation_sizes(fractions: str, n_val: int) -> list[int]:
    """Return the nested validation-subset sizes of ``fractions`` ("0.25,0.5,1.0", fractions
    of the ``n_val`` images): each rounded, at least 2, sorted, without repeats.

    Raises:
        ValueError: naming an item that is not a number.
    """
    sizes = set()
    for item in (f.strip() for f in fractions.split(",") if f.strip()):
        try:
            sizes.add(max(2, round(float(item) * n_val)))
        except ValueError as err:
            raise ValueError(f"val_fractions: {item!r} is not a number") from err
    return sorted(sizes)


def intervals_by_val_size(
    runs: pd.DataFrame,
    pairs: Sequence[tuple[str, str]],
    gt_json: Path,
    fractions: str,
    results_root: Path,
    profile: str,
) -> pd.DataFrame:
    """Return :func:`interval_by_val_size` of every pair whose runs kept their detections
    (``seed<k>.detections.json`` beside each results file under ``results_root``), on the
    :func:`validation_sizes` of ``fractions``, with a ``pair`` column; empty (no columns)
    when ``gt_json`` is absent or no pair kept detections of every shared seed."""
    if not Path(gt_json).is_file():
        return pd.DataFrame()
    n_val = len(json.loads(Path(gt_json).read_text())["images"])
    sizes = validation_sizes(fractions, n_val)
    frames = []
    for pair in pairs:
        seeds = sorted(paired_differences(runs, pair, "AP"))  # the shared seeds
        kept = [{s: detections_file(results_root, profile, e, s) for s in seeds} for e in pair]
        if all(p.is_file() for files in kept for p in files.values()):
            table = interval_by_val_size(gt_json, *kept, sizes)
            frames.append(table.assign(pair=pair_label(pair)))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# ---------------------------------------------------------------------------------------------
# across settings: schedule length, number of classes, and the choice of a protocol


def paired_differences(runs: pd.DataFrame, pair: tuple[str, str], metric: str) -> dict[int, float]:
    """Return {seed: variant − baseline} over the seeds both experiments of ``pair`` ran."""
    base, var = (per_seed(runs, e, metric) for e in pair)
    return {s: var[s] - base[s] for s in sorted(set(base) & set(var))}


def pair_label(pair: tuple[str, str]) -> str:
    """Return the name of a (baseline, variant) pair in the study's tables: "variant − baseline"."""
    base, var = pair
    return f"{var} − {base}"


def parse_pairs(text: str) -> list[tuple[str, str]]:
    """Return the pairs of a "baseline:variant,..." string (a notebook parameter); ValueError
    names an item that is not "baseline:variant"."""
    pairs = []
    for item in (i.strip() for i in text.split(",") if i.strip()):
        parts = item.split(":")
        if len(parts) != 2 or not all(parts):
            raise ValueError(f"expected 'baseline:variant', got {item!r}")
        pairs.append((parts[0], parts[1]))
    return pairs


def study_pairs(text: str = "") -> list[tuple[str, str]]:
    """Return the study's (baseline, variant) pairs: those of ``text`` ("baseline:variant,...")
    if given, else the demo plan's (:meth:`reproduction.spec.plans.Plan.pairs`)."""
    from reproduction.spec.plans import plan

    return parse_pairs(text) if text.strip() else plan("demo").pairs()


def present_pairs(runs: pd.DataFrame, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return the pairs of which both experiments have at least one run with an AP."""
    return [p for p in pairs if all(per_seed(runs, e, "AP") for e in p)]


def differences_per_seed(
    runs: pd.DataFrame,
    pairs: Sequence[tuple[str, str]],
    study_metrics: Sequence[str] = STUDY_METRICS,
) -> pd.DataFrame:
    """Return every paired difference, one row per (pair, metric, shared seed).

    Columns: ``pair`` (:func:`pair_label`), ``metric``, ``seed``, ``difference`` (variant −
    baseline, points; :func:`paired_differences`).
    """
    rows = [
        {"pair": pair_label(pair), "metric": metric, "seed": seed, "difference": diff}
        for pair in pairs
        for metric in study_metrics
        for seed, diff in paired_differences(runs, pair, metric).items()
    ]
    return pd.DataFrame(rows, columns=["pair", "metric", "seed", "difference"])


def resolution_table(
    runs: pd.DataFrame,
    pairs: Sequence[tuple[str, str]],
    study_metrics: Sequence[str] = STUDY_METRICS,
    parallel: int = 2,
) -> pd.DataFrame:
    """Return, per pair and metric, the measured paired difference and a projection.

    Columns: ``pair``, ``metric``, ``seeds run``, ``Δ (points)``, ``95% CI`` ("[low, high]" or
    "n=1"), ``verdict`` ("gain", "loss" or "not resolved":
    :func:`reproduction.analysis.stats.direction`),
    ``seeds to resolve (projected)`` ("—" with one seed, "> 100" when no number does;
    :func:`seeds_to_resolve`) and ``train + eval min (projected)`` (that many seeds ×
    :func:`minutes_per_seed` of the pair, ``parallel`` jobs; None when not projected).
    Pairs and metrics without a shared seed are left out.
    """
    rows = []
    for pair in pairs:
        seed_minutes = minutes_per_seed(runs, pair, parallel)
        for metric in study_metrics:
            by_seed = paired_differences(runs, pair, metric)
            if not by_seed:
                continue
            values = list(by_seed.values())
            diff = mean_interval(values)
            need = seeds_to_resolve(values) if len(values) >= 2 else None
            ci = diff.format(signed=True, bounds_only=True)
            projected = "—" if len(values) < 2 else (str(need) if need else "> 100")
            rows.append(
                {"pair": pair_label(pair), "metric": metric, "seeds run": len(values),
                 "Δ (points)": diff.mean, "95% CI": ci, "verdict": direction(diff),
                 "seeds to resolve (projected)": projected,
                 "train + eval min (projected)": need * seed_minutes if need else None}
            )  # fmt: skip
    columns = ["pair", "metric", "seeds run", "Δ (points)", "95% CI", "verdict"]
    extra = ["seeds to resolve (projected)", "train + eval min (projected)"]
    return pd.DataFrame(rows, columns=[*columns, *extra])


PROTOCOL_METRICS: tuple[str, ...] = ("beta_img", "beta_cls")
"""The metrics a demo protocol must resolve for every pair (the correlation the loss targets)."""

MIN_PROTOCOL_SEEDS = 5
"""The fewest seeds a chosen protocol has: with two or three, a t-interval over differences
that happen to agree can exclude 0 although the next seed would not."""


def protocol_targets(
    pairs: Sequence[tuple[str, str]], target_metrics: Sequence[str] = PROTOCOL_METRICS
) -> list[str]:
    """Return the "pair|metric" keys (as in :func:`protocol_options`) a protocol must resolve."""
    return [f"{pair_label(pair)}|{metric}" for pair in pairs for metric in target_metrics]


def describe_setting(name: str) -> str:
    """Return a study setting's schedule and class count, and its validation-split size, model
    overlay and image size where they are not the first demo's, e.g. "600 it, 8 cls" or
    "600 it, 3 cls, 1000 val, overlay demo, 96 px"."""
    from reproduction.dataset import PRESETS
    from reproduction.spec.profiles import DEMO_ITERS, V1_PROFILE, get_profile

    spec, first = get_profile(name), get_profile(V1_PROFILE)
    data = PRESETS[spec.dataset]
    val = "" if data.n_val == PRESETS[first.dataset].n_val else f", {data.n_val} val"
    model = "" if spec.overlay == first.overlay else f", overlay {spec.overlay}"
    size = "" if spec.image_size == first.image_size else f", {spec.image_size} px"
    return f"{spec.max_iters or DEMO_ITERS} it, {data.n_classes} cls{val}{model}{size}"


def protocol_of(name: str) -> tuple[str, str, int, int, int]:
    """Return what a profile runs, as a protocol: (model overlay, dataset preset, schedule in
    iterations, image side in pixels, number of seeds of its plan)."""
    from reproduction.spec.plans import plan
    from reproduction.spec.profiles import DEMO_ITERS, OVERLAY_IMAGE_SIZE, get_profile

    spec = get_profile(name)
    return (
        spec.overlay,
        spec.dataset,
        spec.max_iters or DEMO_ITERS,
        spec.image_size or OVERLAY_IMAGE_SIZE,
        len(plan(name).seeds),
    )


def paired_by_setting(
    settings: dict[str, pd.DataFrame],
    pairs: Sequence[tuple[str, str]],
    study_metrics: Sequence[str] = STUDY_METRICS,
) -> pd.DataFrame:
    """Return the paired difference of each pair and metric in each setting (profile).

    ``settings`` maps a setting name (e.g. a profile) to its ``run_table.load_runs`` frame;
    ``pairs`` are (baseline id, variant id). Columns: ``setting``, ``pair`` ("variant −
    baseline"), ``metric``, ``n_seeds``, ``mean`` (points), ``low``, ``high``, ``half_width``
    (None with one seed), ``verdict``. Pairs without a shared seed are left out.
    """
    rows = []
    for setting, runs in settings.items():
        for base, var in pairs:
            for metric in study_metrics:
                diffs = paired_differences(runs, (base, var), metric)
                if not diffs:
                    continue
                diff = mean_interval(list(diffs.values()))
                rows.append(
                    {"setting": setting, "pair": pair_label((base, var)), "metric": metric,
                     "n_seeds": len(diffs), "mean": diff.mean, "low": diff.low,
                     "high": diff.high, "half_width": diff.half_width,
                     "verdict": direction(diff)}
                )  # fmt: skip
    columns = ["setting", "pair", "metric", "n_seeds", "mean", "low", "high", "half_width"]
    return pd.DataFrame(rows, columns=[*columns, "verdict"])


def minutes_per_seed(runs: pd.DataFrame, experiments: Sequence[str], parallel: int = 2) -> float:
    """Wall minutes one seed of ``experiments`` takes: training + evaluation, ``parallel`` jobs.

    From the results' measured s/iter × iterations and evaluation seconds (mean over the
    seeds run); ValueError names an experiment without runs.
    """
    total_s = 0.0
    for experiment in experiments:
        rows = runs[runs["experiment"] == experiment] if not runs.empty else runs
        if rows.empty:
            raise ValueError(f"no runs of {experiment!r} to time")
        train_s = (rows["s_per_iter"].astype(float) * rows["iterations"].astype(float)).mean()
        eval_s = rows["evaluation_s"].astype(float).fillna(0.0).mean()
        total_s += float(train_s + eval_s)
    return total_s / parallel / 60.0


def _resolves(differences: Sequence[float], n: int, confidence: float = 0.95) -> bool:
    """Whether a t-interval over ``n`` seeds, with the measured mean and spread, excludes 0.

    The half-width shrinks with n, so this holds exactly when :func:`seeds_to_resolve`
    finds a number of seeds no larger than n.
    """
    if n < 2 or len(differences) < 2:
        return False
    return seeds_to_resolve(differences, confidence, max_seeds=n) is not None


def protocol_options(
    settings: dict[str, pd.DataFrame],
    pairs: Sequence[tuple[str, str]],
    study_metrics: Sequence[str] = STUDY_METRICS,
    max_seeds: int = 12,
    parallel: int = 2,
    other_minutes: float = 0.0,
    measured: pd.DataFrame | None = None,
    reference: str | None = None,
) -> pd.DataFrame:
    """Return, for each setting and number of seeds, what it resolves and what it costs.

    For n up to the seeds run, the verdict is measured on the first n shared seeds (in seed
    order, as a protocol with seeds 0 … n−1 would run them); beyond, it is projected from all
    measured per-seed differences (t-interval with their mean and standard deviation; see
    :func:`seeds_to_resolve`). Columns: ``setting``, ``n_seeds``, ``basis`` ("measured" /
    "projected"), ``minutes`` (n × :func:`minutes_per_seed` of every experiment of the pairs
    + ``other_minutes``; or, where ``measured`` (:func:`timed_runs`) has the setting with
    that many seeds, the measured wall minutes of its whole ``./run``), ``cost`` ("measured
    ./run" / "modelled" / "modelled × f"), ``resolved`` (a tuple of "pair|metric" keys),
    ``n_resolved``.

    Modelled minutes are those of the machine each setting's runs were trained on (their
    ``cpu``). With ``measured`` and its ``reference`` setting (the first demo), a setting
    trained on the same processor as the reference's runs is scaled to the timed machine by
    f = the reference's measured minutes / its modelled minutes ("modelled × f"), so that it
    compares with the measured budget; settings trained elsewhere stay "modelled".
    """
    timed = {}
    if measured is not None and not measured.empty:
        timed = {(r.setting, int(r.n_seeds)): float(r.minutes) for r in measured.itertuples()}
    scale = _machine_scale(settings, pairs, timed, reference, parallel, other_minutes)
    rows = []
    experiments = list(dict.fromkeys(e for pair in pairs for e in pair))
    for setting, runs in settings.items():
        try:
            seed_minutes = minutes_per_seed(runs, experiments, parallel)
        except ValueError:
            continue
        diffs = {
            (pair_label((base, var)), metric): paired_differences(runs, (base, var), metric)
            for base, var in pairs
            for metric in study_metrics
        }
        seeds_run = min((len(d) for d in diffs.values() if d), default=0)
        for n in range(1, max_seeds + 1):
            resolved = []
            for (pair, metric), by_seed in diffs.items():
                values = list(by_seed.values())
                if n <= len(values):
                    first = values[:n]  # by_seed is in seed order
                    ok = n >= 2 and excludes_zero(first)
                else:
                    ok = _resolves(values, n)
                if ok:
                    resolved.append(f"{pair}|{metric}")
            minutes, cost = timed.get((setting, n)), "measured ./run"
            if minutes is None:
                factor = scale.get(_single_cpu(runs))
                minutes = (n * seed_minutes + other_minutes) * (factor or 1.0)
                cost = "modelled" if factor is None else f"modelled × {factor:.2f}"
            rows.append(
                {"setting": setting, "n_seeds": n,
                 "basis": "measured" if n <= seeds_run else "projected",
                 "minutes": minutes, "cost": cost,
                 "resolved": tuple(resolved), "n_resolved": len(resolved)}
            )  # fmt: skip
    columns = ["setting", "n_seeds", "basis", "minutes", "cost", "resolved", "n_resolved"]
    return pd.DataFrame(rows, columns=columns)


def _single_cpu(runs: pd.DataFrame) -> str | None:
    """The one processor a setting's runs were trained on, or None (several, or unknown)."""
    cpus = set(runs["cpu"].dropna()) if "cpu" in runs.columns else set()
    return cpus.pop() if len(cpus) == 1 else None


def _machine_scale(
    settings: dict[str, pd.DataFrame],
    pairs: Sequence[tuple[str, str]],
    timed: dict[tuple[str, int], float],
    reference: str | None,
    parallel: int,
    other_minutes: float,
) -> dict[str | None, float]:
    """{processor: measured / modelled minutes of the reference}, or {} when the reference
    was not timed, has no runs, or its runs were trained on more than one processor."""
    runs = settings.get(reference) if reference else None
    cpu = _single_cpu(runs) if runs is not None else None
    entry = next(((n, m) for (s, n), m in timed.items() if s == reference), None)
    if cpu is None or entry is None:
        return {}
    n_seeds, measured = entry
    experiments = list(dict.fromkeys(e for pair in pairs for e in pair))
    try:
        modelled = n_seeds * minutes_per_seed(runs, experiments, parallel) + other_minutes
    except ValueError:
        return {}
    return {cpu: measured / modelled}


def study_setting_of(name: str) -> str:
    """Return the study setting (:func:`reproduction.spec.profiles.study_settings`) whose runs
    measure what profile ``name``'s do (a profile that runs a study setting with more seeds is
    timed as that setting); ``name`` itself when it is one, is no profile, or no study setting
    shares its setting."""
    from reproduction.spec.profiles import PROFILES, same_setting, study_settings

    if name in study_settings() or name not in PROFILES:
        return name
    return next((s for s in study_settings() if s in same_setting(name)), name)


def timed_runs(timings: Sequence[dict], reference: str) -> pd.DataFrame:
    """Return the runs of the latest timing record that timed the ``reference`` profile.

    ``timings`` are runs as :func:`reproduction.records.run_timing.read_timings` returns them (each
    with ``record``, ``recorded``, ``profile``, ``seeds``, ``wall_s``). Only runs of one
    record count: its runs were made one after the other on one machine, so their ratios are
    side by side.
    Columns: ``setting`` (the study setting the timed profile runs,
    :func:`study_setting_of`), ``n_seeds``, ``minutes`` (wall minutes of the
    whole ``./run``), ``ratio`` (to the reference's), ``record``, ``cpu``, ``commit``. Empty
    when no record times ``reference``.
    """
    columns = ["setting", "n_seeds", "minutes", "ratio", "record", "cpu", "commit"]
    with_reference = [
        (t.get("recorded") or "", t["record"]) for t in timings if t["profile"] == reference
    ]
    if not with_reference:
        return pd.DataFrame(columns=columns)
    latest = max(with_reference)[1]  # the most recently recorded (ISO times sort)
    runs = [t for t in timings if t["record"] == latest]
    reference_s = next(t["wall_s"] for t in runs if t["profile"] == reference)
    rows = [
        {"setting": study_setting_of(t["profile"]), "n_seeds": len(t["seeds"]),
         "minutes": t["wall_s"] / 60.0,
         "ratio": t["wall_s"] / reference_s, "record": t["record"], "cpu": t.get("cpu"),
         "commit": t.get("commit")}
        for t in runs
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def run_budget(
    measured: pd.DataFrame, reference: str, factor: float, fallback_minutes: float
) -> tuple[float, str]:
    """Return the demo's wall-time budget in minutes, and a sentence saying what it is.

    ``factor`` × the ``reference`` profile's measured ``./run`` (a :func:`timed_runs`
    table) where one was timed; else ``fallback_minutes``.
    """
    row = measured[measured["setting"] == reference] if not measured.empty else measured
    if row.empty:
        return fallback_minutes, (
            f"{fallback_minutes:.0f} minutes (no side-by-side timing of `{reference}` committed)"
        )
    minutes = float(row["minutes"].iloc[0])
    return factor * minutes, (
        f"{factor:g} × the measured `./run` of `{reference}` ({minutes:.1f} min, "
        f"`{row['record'].iloc[0]}`) = {factor * minutes:.1f} minutes"
    )


def choose_protocol(
    options: pd.DataFrame,
    targets: Sequence[str],
    budget_minutes: float,
    min_seeds: int = MIN_PROTOCOL_SEEDS,
) -> dict[str, object]:
    """Choose the cheapest protocol of at least ``min_seeds`` seeds that resolves every
    target ("pair|metric" keys).

    Returns ``{"within_budget": row or None, "cheapest": row or None}``: the cheapest option
    (a dict of an :func:`protocol_options` row) resolving all targets with ``minutes`` ≤
    ``budget_minutes``, and the cheapest resolving all targets at any cost (None when no
    option does, e.g. an effect whose measured mean is 0).
    """
    wanted = set(targets)
    if not options.empty:
        options = options[options["n_seeds"] >= min_seeds]
    hits = (
        options[[wanted <= set(r) for r in options["resolved"]]] if not options.empty else options
    )
    hits = hits.sort_values(["minutes", "n_seeds"]) if not hits.empty else hits
    cheapest = None if hits.empty else hits.iloc[0].to_dict()
    within = hits[hits["minutes"] <= budget_minutes] if not hits.empty else hits
    return {
        "within_budget": None if within.empty else within.iloc[0].to_dict(),
        "cheapest": cheapest,
    }
