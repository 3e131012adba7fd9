"""Tables and labels for the book: reproduced results beside the thesis's numbers.

Used by the analysis notebooks; imports pandas, never torch or mmdet. Reproduced values are
read from results files (:mod:`reproduction.records.results`) and shown in % like the thesis (β
too).

Main entry points::

    runs = load_runs(results_root, profile)        # one row per (experiment, seed), in %
    table = side_by_side("5.1", runs, ["AP", "AP50", "AP75"])   # thesis | reproduced | CI
    effects = paired_effects(runs, ["AP"], table="5.1")  # thesis Δ beside ours, same sign?
    format_side_by_side(table, ["AP", "AP50"])     # one metric group, fits a page
    format_table(frame)                            # any frame: no index, one decimal
    provenance_markdown(runs, profile, root, parameters={...})  # a page's provenance block
    data_label(profile)                            # what data the numbers come from
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from reproduction.analysis.stats import (
    CONTRADICTED,
    DECREASE,
    HOLDS,
    INCREASE,
    NOT_RESOLVED,
    NOT_RUN,
    OPPOSITE_DIRECTION,
    SAME_DIRECTION,
    Interval,
    direction,
    judge,
    mean_interval,
    paired_difference,
)
from reproduction.records.provenance_text import commit_of, hardware_line, parameters_markdown
from reproduction.records.results import iter_results
from reproduction.records.run_table import experiment_means, per_seed
from reproduction.spec import thesis
from reproduction.spec.claims import SPEARMAN_ROW_MARK
from reproduction.spec.experiments import (
    KIND_SUFFIXES,
    baseline_of,
    get_experiment,
    pairs_among,
)
from reproduction.spec.profiles import data_label
from reproduction.spec.thesis_rows import gradient_experiments, thesis_effect, thesis_keys

UNTRAINED_AP = 5.0
"""Mean AP (%) below which a run is said not to have learned to detect in its profile."""


def untrained_note(runs: pd.DataFrame, threshold: float = UNTRAINED_AP) -> str:
    """Return a Markdown warning naming the experiments whose mean AP is below ``threshold``.

    Their β and bounds describe a detector that has not learned yet and say little about the
    method; the tables still print them. Returns "" when every experiment is above.
    """
    if runs.empty or "AP" not in runs.columns:
        return ""
    means = runs.groupby("experiment")["AP"].mean()
    weak = means[means < threshold]
    if weak.empty:
        return ""
    names = ", ".join(f"`{e}` (AP {ap:.1f})" for e, ap in weak.items())
    return (
        f"> **Did not learn to detect in this profile** (mean AP below {threshold:g} %): "
        f"{names}. Their rows are printed as measured, but their β and bounds describe an "
        "untrained detector, not the method; this profile's schedule is too short for them."
    )


def side_by_side(
    table_name: str,
    runs: pd.DataFrame,
    columns: list[str],
    *,
    ours_columns: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Return a thesis table beside our reproduction: per column, thesis | reproduced | 95% CI.

    Rows are the thesis's rows (printed labels); a row no run reproduces shows the thesis's
    value and ``NOT_RUN`` in its status, never a number. "reproduced" is the mean over
    seeds and "95% CI" its Student-t interval over seeds
    (:func:`reproduction.analysis.stats.mean_interval`).
    ``ours_columns`` maps a thesis column to the results column that reproduces it (default:
    the same name; Tables 3.1 / 3.2 bounds use ``image_AP_upper`` / ``class_AP_upper`` and so
    on). The two are measured on different data (the thesis on COCO): they sit side by side
    and are never subtracted; effects are compared in :func:`paired_effects`.
    """
    ours_columns = ours_columns or {}
    reference = thesis.table(table_name)
    our_names = [ours_columns.get(c, c) for c in columns]
    means = experiment_means(runs, our_names) if not runs.empty else None
    by_key: dict[str, str] = {}
    if means is not None:
        for experiment_id in means.index:
            for key in thesis_keys(experiment_id, table_name):
                by_key.setdefault(key, experiment_id)
    records = []
    for key, row in reference.iterrows():
        label = row.get("method", key)
        if table_name == "5.7":
            label = f"{label}, λ={row['lambda_corr']:.1f}"
        if f"+{KIND_SUFFIXES['spearman']}" in str(key):
            label = f"{label} {SPEARMAN_ROW_MARK}"
        record: dict = {("", "method"): label}
        experiment_id = by_key.get(key)
        for column, ours in zip(columns, our_names, strict=True):
            theirs = row.get(column)
            mine = None if experiment_id is None else means.loc[experiment_id, ours]
            record[(column, "thesis")] = theirs
            record[(column, "reproduced")] = mine
            record[(column, "95% CI")] = _interval_text(runs, experiment_id, ours)
        if experiment_id is None:
            record[("", "status")] = NOT_RUN
        else:
            n = int(means.loc[experiment_id, "n_seeds"])
            record[("", "status")] = f"{experiment_id} ({n} seed{'s' if n != 1 else ''})"
        records.append(record)
    frame = pd.DataFrame.from_records(records, index=list(reference.index))
    frame.columns = pd.MultiIndex.from_tuples(frame.columns)
    return frame


def _interval_text(runs: pd.DataFrame, experiment_id: str | None, column: str) -> str | None:
    """Return "[low, high]" of an experiment's column over seeds (its unit, one decimal;
    :meth:`reproduction.analysis.stats.Interval.format`), "n=1", or None."""
    if experiment_id is None:
        return None
    if column not in runs.columns:
        return None
    values = runs.loc[runs["experiment"] == experiment_id, column].dropna()
    if values.empty:
        return None
    return mean_interval(values.to_numpy(dtype=float)).format(bounds_only=True)


def agreement(
    difference: Interval, thesis_delta: float | None, lower_is_better: bool = False
) -> str:
    """Return how the sign of our paired difference compares with the thesis's reported change.

    With a known, non-zero thesis change: :data:`~reproduction.analysis.stats.SAME_DIRECTION` (the
    interval excludes 0 on the side of the thesis's change, whether that change is a gain or
    a loss), :data:`~reproduction.analysis.stats.OPPOSITE_DIRECTION` (on the other side) or
    ``"not resolved"`` (:func:`reproduction.analysis.stats.judge` against the thesis's sign).
    Without
    one (or a zero change): the direction alone, "gain" / "loss" (for a metric where lower is
    better, a fall is the gain) or "not resolved" (:func:`reproduction.analysis.stats.direction`).
    """
    if thesis_delta is None or thesis_delta == 0:
        return direction(difference, lower_is_better)
    verdict = judge(difference, INCREASE if thesis_delta > 0 else DECREASE)
    return {HOLDS: SAME_DIRECTION, CONTRADICTED: OPPOSITE_DIRECTION}.get(verdict, NOT_RESOLVED)


LOWER_IS_BETTER: frozenset[str] = frozenset({"oLRP", "oLRP_Loc", "oLRP_FP", "oLRP_FN"})
"""Metrics where a fall is an improvement (errors)."""

AGREEMENT_COLUMN = "direction vs thesis Δ"
"""The column of :func:`paired_effects` that compares the sign of our change with the
thesis's (:func:`agreement`): a sign, not a verdict on a claim (those are
:mod:`reproduction.analysis.verdicts`')."""

EFFECT_COLUMNS: tuple[str, ...] = (
    "experiment", "metric", "thesis Δ (COCO)", "ours Δ", "95% CI", "seeds", AGREEMENT_COLUMN,
)  # fmt: skip


def paired_effects(
    runs: pd.DataFrame, metrics: list[str], table: str | None = None
) -> pd.DataFrame:
    """Return each Correlation-Loss experiment's paired difference from its baseline.

    One row per (experiment with L_corr whose baseline also ran, metric): the thesis's own
    effect in ``table`` (points; None without a table or a thesis row), ours — the mean over
    shared seeds of (variant − baseline) in points of this profile's data — its 95 %
    t-interval, the number of paired seeds, and how the sign of ours compares with the
    thesis's (:data:`AGREEMENT_COLUMN`, :func:`agreement`). The two effects are each measured
    on one dataset; their signs are compared, never their values.
    Columns: :data:`EFFECT_COLUMNS`, no index.
    """
    records = []
    present = sorted(set(runs["experiment"])) if not runs.empty else []
    for _, experiment_id in pairs_among(present):
        for metric in metrics:
            base = per_seed(runs, baseline_of(experiment_id), metric)
            var = per_seed(runs, experiment_id, metric)
            theirs = thesis_effect(experiment_id, table, metric) if table else None
            record = {
                "experiment": f"{experiment_id} − {baseline_of(experiment_id)}",
                "metric": metric,
                "thesis Δ (COCO)": theirs,
                "ours Δ": None,
                "95% CI": None,
                "seeds": len(set(base) & set(var)),
                AGREEMENT_COLUMN: NOT_RUN,
            }
            if set(base) & set(var):
                diff = paired_difference(base, var)
                record["ours Δ"] = diff.mean
                record["95% CI"] = diff.format(signed=True, bounds_only=True)
                record[AGREEMENT_COLUMN] = agreement(diff, theirs, metric in LOWER_IS_BETTER)
            records.append(record)
    return pd.DataFrame(records, columns=list(EFFECT_COLUMNS))


def format_effects(frame: pd.DataFrame) -> pd.io.formats.style.Styler:
    """The paired-effects table for a page: signed numbers with one decimal, metrics as the
    thesis writes them (:func:`metric_label`), no index."""
    shown = frame.assign(metric=frame["metric"].map(metric_label))
    signed = {"thesis Δ (COCO)": "{:+.1f}", "ours Δ": "{:+.1f}"}
    return shown.style.format(signed, na_rep="—").hide(axis="index")


def index_as_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with a named index moved into columns and an unnamed one dropped.

    What a page shows has no bare index: a named index (``experiment``, or ``pair`` and
    ``seed``) becomes columns of that name, an unnamed one (a thesis row key, 0 … n−1) goes.
    The name of a flat column index (``metric`` of a pivot) is dropped too.
    """
    named = any(name is not None for name in frame.index.names)
    shown = frame.reset_index() if named else frame.reset_index(drop=True)
    if not isinstance(shown.columns, pd.MultiIndex):
        shown.columns.name = None
    return shown


def format_table(
    frame: pd.DataFrame, digits: int = 1, formats: Mapping[str, str] | str | None = None
) -> pd.io.formats.style.Styler:
    """Return a pandas Styler for a page: no index, ``digits`` decimals, blanks as '—'.

    The index is shown as columns where it is named (:func:`index_as_columns`), and a flat
    column index prints metric names as the thesis does (:func:`metric_label`: ``beta_cls``
    as β_cls). ``formats`` maps columns (by their names in ``frame``) to format strings
    (``{"Δ": "{:+.1f}"}``), or is one format string for every number column (not for the
    index, a seed stays a seed); it overrides ``digits``.
    """
    shown = index_as_columns(frame)
    if isinstance(formats, str):
        formats = {c: formats for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    formats = {metric_label(c): f for c, f in (formats or {}).items()}
    if not isinstance(shown.columns, pd.MultiIndex):
        shown = shown.rename(columns=metric_label)
    # one call: a second Styler.format would reset the columns it does not name
    return shown.style.format(formats or None, precision=digits, na_rep="—").hide(axis="index")


def format_text_table(frame: pd.DataFrame) -> pd.io.formats.style.Styler:
    """Return :func:`format_table` of a table of text (names, options, prose) whose cells may
    wrap inside long words (the book's ``wrap-text`` class), so it never widens the page."""
    return format_table(frame).set_table_attributes('class="wrap-text"')


METRIC_LABELS: dict[str, str] = {
    "beta_img": "β_img", "beta_cls": "β_cls",
    "AP_lower": "AP⁻¹", "AP50_lower": "AP50⁻¹", "AP75_lower": "AP75⁻¹",
    "AP_upper": "AP⁺¹", "AP50_upper": "AP50⁺¹", "AP75_upper": "AP75⁺¹",
    "AP_mask": "mask AP", "AP50_mask": "mask AP50", "AP75_mask": "mask AP75",
    "mask_AP": "mask AP", "mask_AP50": "mask AP50", "mask_AP75": "mask AP75",
    "image_AP_lower": "image AP⁻¹", "image_AP_upper": "image AP⁺¹",
    "class_AP_lower": "class AP⁻¹", "class_AP_upper": "class AP⁺¹",
    "n_seeds": "seeds", "s_per_iter": "s/iter", "n_val": "validation images",
    "half_width": "95% half-width", "resolved_share": "share resolved",
}  # fmt: skip
"""A column's printed name in a table header (a metric as the thesis writes it), where it
differs from its name in the results frames."""

OURS_COLUMN = "ours [95% CI]"
"""The header of the reproduced column of :func:`compact_side_by_side`."""

RUNS_COLUMN = "our runs"
"""The header of the column that names the runs of a row (or says :data:`NOT_RUN`)."""


def metric_label(metric: str) -> str:
    """Return a metric's printed name (:data:`METRIC_LABELS`, else the name itself)."""
    return METRIC_LABELS.get(metric, metric)


def _number(value: object, digits: int) -> str:
    """Return ``value`` with ``digits`` decimals, or "—" when it is missing."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return f"{float(value):.{digits}f}"


def ours_text(mean: object, interval: str | None, digits: int = 1) -> str:
    """Return a reproduced mean with its interval as one cell: "12.3 [10.1, 14.5]".

    ``interval`` is a :func:`side_by_side` "95% CI" cell: "[low, high]", or "n=1" (printed
    "(n=1)"), or None. A missing mean gives "—". The interval's space is a no-break space, so
    a narrow cell wraps between the mean and its interval, never inside the interval.
    """
    number = _number(mean, digits)
    if number == "—" or not interval:
        return number
    shown = interval.replace(", ", ",\N{NO-BREAK SPACE}")
    return f"{number} {shown if shown.startswith('[') else f'({shown})'}"


def compact_side_by_side(
    frame: pd.DataFrame,
    metrics: Sequence[str] | None = None,
    digits: int = 1,
    *,
    runs: bool = True,
) -> pd.DataFrame:
    """Return a :func:`side_by_side` table as text, two columns per metric, for a page.

    Per metric (``metrics``, a group of the table's columns; default: all, in order) the
    thesis's value and :data:`OURS_COLUMN` — our mean with its 95 % interval in one cell
    (:func:`ours_text`) — under the metric's printed name (:func:`metric_label`); first the
    thesis's method, last :data:`RUNS_COLUMN` (unless ``runs`` is False: a second group of
    the same rows, below a first that names the runs). The thesis's row keys are not shown.
    A wide table fits a page as several calls, one per metric group (AP family, oLRP family).
    """
    available = list(dict.fromkeys(c for c, sub in frame.columns if sub == "thesis"))
    metrics = list(metrics) if metrics is not None else available
    unknown = [m for m in metrics if m not in available]
    if unknown:
        raise KeyError(f"not columns of this table: {unknown} (it has {available})")
    columns = [("", "method")]
    for metric in metrics:
        columns += [(metric_label(metric), "thesis"), (metric_label(metric), OURS_COLUMN)]
    if runs:
        columns.append(("", RUNS_COLUMN))
    records = []
    for _, row in frame.iterrows():
        cells = [row[("", "method")]]
        for metric in metrics:
            cells.append(_number(row[(metric, "thesis")], digits))
            cells.append(ours_text(row[(metric, "reproduced")], row[(metric, "95% CI")], digits))
        if runs:
            cells.append(row[("", "status")])
        records.append(cells)
    return pd.DataFrame(records, columns=pd.MultiIndex.from_tuples(columns))


def format_side_by_side(
    frame: pd.DataFrame,
    metrics: Sequence[str] | None = None,
    digits: int = 1,
    *,
    runs: bool = True,
) -> pd.io.formats.style.Styler:
    """Return :func:`compact_side_by_side` of one metric group as a Styler with no index."""
    return compact_side_by_side(frame, metrics, digits, runs=runs).style.hide(axis="index")


AP_COLUMNS: tuple[str, ...] = ("AP", "AP50", "AP75")
"""The AP columns of Table 5.1 (%, higher is better)."""

OLRP_COLUMNS: tuple[str, ...] = ("oLRP", "oLRP_Loc", "oLRP_FP", "oLRP_FN")
"""oLRP and its components, Table 5.1's other columns (%, lower is better)."""


def ap_and_olrp_parts(
    frame: pd.DataFrame, headings: bool = True
) -> list[str | pd.io.formats.style.Styler]:
    """Return a Table 5.1 side by side (:func:`side_by_side` with :data:`AP_COLUMNS` and
    :data:`OLRP_COLUMNS`) as the page shows it: the AP table, then the oLRP table without the
    runs column, each after a Markdown heading that says which way is better (``headings``)."""
    ap = format_side_by_side(frame, list(AP_COLUMNS))
    olrp = format_side_by_side(frame, list(OLRP_COLUMNS), runs=False)
    if not headings:
        return [ap, olrp]
    return [
        "**AP, AP50, AP75** (%, higher is better)",
        ap,
        "**oLRP and its components** (%, lower is better)",
        olrp,
    ]


def provenance_markdown(
    runs: pd.DataFrame,
    profile: str,
    results_root: Path,
    parameters: Mapping[str, object] | None = None,
    records: Sequence[dict] | None = None,
) -> str:
    """Return the provenance block of a results page as Markdown.

    Lists the profile and its data, the page's ``parameters`` (:func:`parameters_markdown`,
    when given), experiments and seeds, and — from the results files — git commits, package
    versions and hardware. Empty runs give a block that says so. ``records``: the profile's
    results records when the page has read them already (default: read from
    ``results_root``).
    """
    lines = ["**Provenance**", "", f"- Data: {data_label(profile)}"]
    if parameters is not None:
        lines.append(parameters_markdown(parameters))
    if runs.empty:
        lines.append("- No results files for this profile yet: only the thesis's numbers show.")
        return "\n".join(lines)
    seeds = sorted(int(s) for s in runs["seed"].unique())
    lines.append(
        f"- Runs: {len(runs)} ({runs['experiment'].nunique()} experiments; "
        f"seeds {', '.join(map(str, seeds))})"
    )
    if records is None:
        records = list(iter_results(Path(results_root), profile))
    commits = sorted({commit_of(r) for r in records})
    lines.append(f"- Git commit(s): {', '.join(commits)}")
    hardware = {hardware_line(r) for r in records}
    lines.append(f"- Hardware: {'; '.join(sorted(hardware))}")
    packages = (records[-1].get("provenance") or {}).get("packages", {})
    if packages:
        lines.append("- Packages: " + ", ".join(f"{k} {v}" for k, v in packages.items() if v))
    return "\n".join(lines)


def overhead(runs: pd.DataFrame) -> pd.DataFrame:
    """Return the training speed of each experiment beside its baseline's (§5.5.3).

    One row per experiment that ran: ``detector``, ``experiment``, ``s_per_iter`` (mean over
    seeds), ``baseline`` (:func:`reproduction.spec.experiments.baseline_of`) and ``ratio to
    baseline`` (None when the baseline did not run or has no time).
    """
    columns = ["detector", "experiment", "s_per_iter", "baseline", "ratio to baseline"]
    if runs.empty:
        return pd.DataFrame(columns=columns)
    speed = runs.groupby(["detector", "experiment"])["s_per_iter"].mean().reset_index()
    by_experiment = speed.set_index("experiment")["s_per_iter"]
    speed["baseline"] = [baseline_of(e) for e in speed["experiment"]]
    base = speed["baseline"].map(by_experiment)
    speed["ratio to baseline"] = [
        None if b is None or pd.isna(b) or b == 0 or pd.isna(s) else s / b
        for s, b in zip(speed["s_per_iter"], base, strict=True)
    ]
    return speed[columns]


def per_class_ap(results_root: Path, profile: str) -> pd.DataFrame:
    """Return the per-class AP of every run (%), one row per (experiment, seed, class).

    Columns: ``experiment``, ``seed``, ``detector``, ``kind``, ``class``, ``AP`` (None where a
    class's AP is undefined). Empty when no run stored per-class AP.
    """
    rows = [
        {
            "experiment": record["experiment"]["id"],
            "seed": record["seed"],
            "detector": record["experiment"]["detector"],
            "kind": record["experiment"].get("kind"),
            "class": name,
            "AP": None if ap is None else 100.0 * ap,
        }
        for record in iter_results(Path(results_root), profile)
        for name, ap in (record["metrics"].get("per_class_AP") or {}).items()
    ]
    return pd.DataFrame(rows, columns=["experiment", "seed", "detector", "kind", "class", "AP"])


def classes_improved(per_class: pd.DataFrame) -> pd.DataFrame:
    """Return, per Correlation-Loss experiment, how many classes its mean AP beats its
    baseline's on (Table 5.8's count).

    ``per_class`` is a :func:`per_class_ap` frame. Columns: ``detector``, ``experiment``,
    ``baseline``, ``classes improved``, ``classes`` (classes with an AP in both). Experiments
    whose baseline has no per-class AP are left out.
    """
    columns = ["detector", "experiment", "baseline", "classes improved", "classes"]
    if per_class.empty:
        return pd.DataFrame(columns=columns)
    means = per_class.groupby(["experiment", "class"])["AP"].mean()
    rows = []
    for _, experiment in pairs_among(sorted(set(per_class["experiment"]))):
        exp = get_experiment(experiment)
        delta = (means.loc[experiment] - means.loc[exp.baseline]).dropna()
        rows.append(
            {"detector": exp.detector, "experiment": experiment, "baseline": exp.baseline,
             "classes improved": int((delta > 0).sum()), "classes": len(delta)}
        )  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def gradient_rows(runs: pd.DataFrame, section: str = "§5.5.4") -> pd.DataFrame:
    """Return §5.5.4's rows: where L_corr's gradient goes, the thesis's AP beside ours.

    One row per gradient setting of the section's thesis numbers
    (:data:`reproduction.spec.thesis.GRADIENT_HEADS_5_5_4`), indexed by the setting. A row's runs
    are those of the experiments the registry says reproduce ``section`` with that
    ``gradient`` (Sparse R-CNN with Spearman Loss) and nothing else; ``AP reproduced`` is
    their mean over seeds and ``runs`` names them, or says :data:`NOT_RUN`.
    """
    reference = thesis.GRADIENT_HEADS_5_5_4["AP"]
    by_gradient: dict[str, list[str]] = {}
    for experiment_id in gradient_experiments(section):
        by_gradient.setdefault(get_experiment(experiment_id).gradient, []).append(experiment_id)
    rows = []
    for gradient, ap in reference.items():
        ids = by_gradient.get(gradient, [])
        mine = runs[runs["experiment"].isin(ids)] if not runs.empty else runs
        done = sorted(set(mine["experiment"])) if not mine.empty else []
        rows.append(
            {
                "gradient reaches": gradient,
                "experiment": ", ".join(ids) or "—",
                "AP thesis (Sparse R-CNN, COCO)": ap,
                "runs": (", ".join(f"{e} ({_seeds_text(mine, e)})" for e in done) or NOT_RUN),
                "AP reproduced": float(mine["AP"].mean()) if done else None,
            }
        )
    return pd.DataFrame(rows).set_index("gradient reaches")


def _seeds_text(runs: pd.DataFrame, experiment_id: str) -> str:
    """Return "1 seed" / "<n> seeds": how many runs of an experiment a frame holds."""
    n = int((runs["experiment"] == experiment_id).sum())
    return f"{n} seed{'s' if n != 1 else ''}"


BOUND_TABLES: dict[str, tuple[str, str]] = {
    "3.1": ("image", "beta_img"),
    "3.2": ("class", "beta_cls"),
}
"""The bounds tables: the level each bounds at, and that level's correlation column."""

_BOUND_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "**Lower bounds AP⁻¹** (scores opposing the IoUs, %)",
        ("AP_lower", "AP50_lower", "AP75_lower"),
    ),
    (
        "**Upper bounds AP⁺¹** (scores following the IoUs, %)",
        ("AP_upper", "AP50_upper", "AP75_upper"),
    ),
)


def bounds_columns(table_name: str) -> tuple[list[str], dict[str, str]]:
    """Return the columns of a bounds table (``"3.1"`` or ``"3.2"``: AP, its correlation and
    the bounds) and where our runs hold each bound (``image_AP_upper`` ...), for
    :func:`side_by_side`'s ``columns`` and ``ours_columns``. KeyError for another table."""
    level, beta = BOUND_TABLES[table_name]
    bounds = [c for _, group in _BOUND_GROUPS for c in group]
    return ["AP", "AP50", "AP75", beta, *bounds], {c: f"{level}_{c}" for c in bounds}


def bounds_parts(table: pd.DataFrame, table_name: str) -> list[tuple[str, object]]:
    """Return a bounds table (:func:`side_by_side` of :func:`bounds_columns`) as the page shows
    it: (caption, Styler) for AP with the correlation (with the runs column), then the lower
    and the upper bounds."""
    beta = BOUND_TABLES[table_name][1]
    parts = [
        ("**AP and correlation** (%)", format_side_by_side(table, ["AP", "AP50", "AP75", beta]))
    ]
    parts += [
        (caption, format_side_by_side(table, list(group), runs=False))
        for caption, group in _BOUND_GROUPS
    ]
    return parts


def bounds_side_by_side(table_name: str, runs: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`side_by_side` of a bounds table (``"3.1"``, ``"3.2"``) with its
    :func:`bounds_columns`."""
    columns, where = bounds_columns(table_name)
    return side_by_side(table_name, runs, columns, ours_columns=where)
