"""The protocol page's tables and sentences (``notebooks/study.ipynb``): which runs each study
setting has, the protocol options as the page lists them, and what the measurements choose.

The numbers come from :mod:`reproduction.analysis.study`; this module only loads the settings'
runs and words and shapes the results, so that the notebook holds parameters and calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from reproduction.analysis import study
from reproduction.analysis.stats import NOT_RESOLVED
from reproduction.pages import report
from reproduction.records import archive
from reproduction.spec import plans

SHOWN_SEED_COUNTS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 8, 10, 12)
"""The seed counts the options table shows (the others are computed, not listed)."""


def setting_runs(
    settings: Sequence[str],
    pairs: Sequence[tuple[str, str]],
    results_root: Path,
    archive_root: Path,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Load each study setting's runs of the pairs' experiments from the source with more
    runs (:func:`reproduction.records.archive.load_best`).

    Returns:
        ``(runs, sources)``: setting → its runs frame (settings with runs only), and one row
        per setting: ``setting``, ``schedule / classes``, ``source``, ``runs``, ``seeds``.
    """
    experiments = [e for pair in pairs for e in pair]
    runs: dict[str, pd.DataFrame] = {}
    rows = []
    for name in settings:
        frame, source = archive.load_best(name, Path(results_root), Path(archive_root))
        frame = frame[frame["experiment"].isin(experiments)]
        if not frame.empty:
            runs[name] = frame
        seeds = ", ".join(map(str, sorted(set(frame["seed"])))) if not frame.empty else "—"
        rows.append(
            {
                "setting": name,
                "schedule / classes": study.describe_setting(name),
                "source": source,
                "runs": len(frame),
                "seeds": seeds,
            }
        )
    return runs, pd.DataFrame(rows)


def resolution_summary(protocol: pd.DataFrame, budget_minutes: float) -> str:
    """What the resolution table (:func:`reproduction.analysis.study.resolution_table`) says,
    as Markdown bullets: how many differences the seeds run resolve, and which would fit the
    budget at their projected seeds; "" for an empty table."""
    if protocol.empty:
        return ""
    projected = protocol["train + eval min (projected)"].astype(float)
    fits = protocol[projected.fillna(1e9) <= budget_minutes]
    resolved = protocol[protocol["verdict"] != NOT_RESOLVED]
    seeds_run = ", ".join(sorted({str(n) for n in protocol["seeds run"]}))
    lines = [
        f"- Measured: {len(resolved)} of {len(protocol)} (pair, metric) differences are "
        f"resolved with the seeds run ({seeds_run})."
    ]
    if (protocol["seeds run"] < 2).all():
        lines.append(
            "- With one seed nothing can be resolved and nothing projected: run "
            "`./run main seeds=0,1,2` to measure the spread."
        )
    else:
        fitting = ", ".join(f"{r.metric} of {r.pair}" for r in fits.itertuples()) or "none"
        lines.append(
            f"- Projected to fit the {budget_minutes:.0f}-minute budget (training and "
            "evaluation of that pair alone; section 6 costs both pairs together): "
            f"{fitting}. Everything else needs a longer protocol than the demo's."
        )
    return "\n".join(lines)


def target_label(key: str) -> str:
    """A protocol target's short label: ``"<pair>|beta_img"`` → ``"atss β_img"``."""
    pair, metric = key.split("|")
    return f"{pair.split('_')[0]} {metric.replace('beta_', 'β_')}"


def options_table(options: pd.DataFrame, targets: Sequence[str]) -> pd.DataFrame:
    """The protocol options (:func:`reproduction.analysis.study.protocol_options`) as the
    page lists them: for the seed counts of :data:`SHOWN_SEED_COUNTS`, a ✓ / · column per
    target, how many targets each resolves and what else it resolves; indexed by (setting,
    n_seeds)."""
    marks = {
        target_label(t): ["✓" if t in r else "·" for r in options["resolved"]] for t in targets
    }
    shown = options.assign(**marks)
    shown["targets resolved"] = [sum(t in r for t in targets) for r in options["resolved"]]
    shown["other resolved"] = [
        ", ".join(target_label(x) for x in r if x not in targets) or "—"
        for r in options["resolved"]
    ]
    keep = shown[shown["n_seeds"].isin(SHOWN_SEED_COUNTS)]
    columns = ["basis", "minutes", "cost", *map(target_label, targets)]
    columns += ["targets resolved", "other resolved"]
    return keep.set_index(["setting", "n_seeds"])[columns]


def _targets_resolved(options: pd.DataFrame, targets: Sequence[str]) -> pd.DataFrame:
    return options.assign(
        targets_resolved=[sum(t in r for t in targets) for r in options["resolved"]]
    ).sort_values(["targets_resolved", "minutes"], ascending=[False, True])


def choice_markdown(
    options: pd.DataFrame,
    targets: Sequence[str],
    budget: float,
    budget_basis: str,
    profile: str,
    max_seeds: int,
) -> str:
    """What the options choose, as Markdown: the protocol that resolves every target within
    the budget, or why none does and what it would take."""
    choice = study.choose_protocol(options, targets, budget)
    best_each = _targets_resolved(options, targets)
    fits = options[options["minutes"] <= budget]
    most_in_budget = max((sum(t in r for t in targets) for r in fits["resolved"]), default=0)
    lines = [
        f"A protocol has at least {study.MIN_PROTOCOL_SEEDS} seeds: fewer can agree by "
        f"chance. The budget: {budget_basis}."
    ]
    if choice["within_budget"] is not None:
        c = choice["within_budget"]
        lines.append(
            f"**Chosen demo protocol:** `{c['setting']}` with {c['n_seeds']} seeds "
            f"({c['basis']}), about {c['minutes']:.0f} minutes ({c['cost']}): it resolves "
            "β_img and β_cls of both pairs within the budget."
        )
        return "\n".join(lines)
    lines.append(
        f"**No protocol within the {budget:.0f}-minute budget resolves "
        f"β_img and β_cls of both pairs** (at most {most_in_budget} of the "
        f"{len(targets)} targets fit in it). The default `{profile}` ({len(plans.DEMO_SEEDS)} "
        'paired seeds) leaves some of them "not resolved" on its own runs; the verdicts '
        "use the committed runs with more seeds."
    )
    if choice["cheapest"] is not None:
        c = choice["cheapest"]
        lines.append(
            f"- What it takes: `{c['setting']}` with {c['n_seeds']} seeds "
            f"({c['basis']}), about {c['minutes']:.0f} minutes on 2 cores."
        )
        return "\n".join(lines)
    unresolved = [t for t in targets if not any(t in r for r in options["resolved"])]
    lines.append(
        "- No setting resolves every target within "
        f"{max_seeds} seeds, measured or projected; never resolved: "
        + ", ".join(f"`{t.replace('|', '` ')}" for t in unresolved)
        + "."
    )
    top = best_each.iloc[0]
    lines.append(
        f"- The most any protocol resolves: {top['targets_resolved']} of "
        f"{len(targets)} targets, first with `{top['setting']}` × "
        f"{top['n_seeds']} seeds ({top['basis']}, about "
        f"{top['minutes']:.0f} minutes)."
    )
    return "\n".join(lines)


def profile_markdown(
    options: pd.DataFrame, targets: Sequence[str], budget: float, profile: str
) -> str:
    """The protocol the measurements choose (within the budget, else the cheapest that
    resolves every target, else the one resolving the most) beside what ``profile`` runs."""
    choice = study.choose_protocol(options, targets, budget)
    pick = choice["within_budget"] or choice["cheapest"]
    if pick is None:  # nothing resolves every target: the protocol that resolves the most
        pick = _targets_resolved(options, targets).iloc[0].to_dict()
    chosen = (*study.protocol_of(pick["setting"])[:4], int(pick["n_seeds"]))
    lines = [
        f"These measurements choose `{pick['setting']}` with {chosen[4]} seeds (about "
        f"{pick['minutes']:.0f} minutes, {pick['cost']}). What the profiles run "
        "(`reproduction/spec/profiles.py`, `reproduction/spec/plans.py`):",
        "",
    ]
    overlay, dataset, iters, size, n_seeds = study.protocol_of(profile)
    same = "matches" if (overlay, dataset, iters, size, n_seeds) == chosen else "**differs from**"
    lines.append(
        f"- `PROFILE={profile} ./run`: the demo's pairs on the `{dataset}` data at {size} px, "
        f"{iters} iterations, {n_seeds} seeds, model overlay `{overlay}`; it {same} this "
        "choice."
    )
    return "\n".join(lines)


Part = str | Styler | Figure
"""What a section of the page shows, in order: Markdown text, a styled table or a figure
(:func:`reproduction.pages.page.show` displays them)."""


def pairs_line(present: Sequence[tuple[str, str]]) -> str:
    """The line that names the pairs with runs (Markdown), or says there are none."""
    names = ", ".join(f"`{study.pair_label(p)}`" for p in present)
    return "Pairs with runs: " + (names or "**none** — run the workflow first (`./run`).")


def line_grid(frame: pd.DataFrame, x: str, y: str, xlabel: str, ylabel: str) -> Figure:
    """Return a grid of line plots of ``y`` against ``x``, one panel per ``pair``, one line
    per ``metric`` (``frame``: a long frame with those columns)."""
    grid = sns.relplot(
        data=frame, x=x, y=y, hue="metric", col="pair",
        kind="line", marker="o", height=3.2, aspect=1.3,
    )  # fmt: skip
    grid.set_axis_labels(xlabel, ylabel)
    grid.set_titles("{col_name}")
    return grid.figure


def per_seed_parts(diffs: pd.DataFrame) -> list[Part]:
    """Section 1: the paired differences (points) per pair and seed, one column per metric
    (``diffs``: :func:`reproduction.analysis.study.differences_per_seed`)."""
    if diffs.empty:
        return ["No paired runs yet."]
    table = diffs.pivot_table(index=["pair", "seed"], columns="metric", values="difference")
    return [report.format_table(table, formats="{:+.1f}")]


def seed_count_parts(by_seeds: pd.DataFrame) -> list[Part]:
    """Section 2: the interval's half-width against the number of seeds, as a figure and a
    table (``by_seeds``: :func:`reproduction.analysis.study.intervals_by_seed_count`)."""
    if by_seeds.empty:
        return ["**Not measured:** fewer than two seeds per experiment in this profile."]
    figure = line_grid(by_seeds, "n_seeds", "half_width", "seeds", "95 % half-width (points)")
    table = report.format_table(
        by_seeds.set_index(["pair", "metric", "n_seeds"]),
        formats={"half_width": "{:.1f}", "resolved_share": "{:.0%}"},
    )
    return [figure, table]


INTERVAL_FORMATS = {"mean": "{:+.1f}", "low": "{:+.1f}", "high": "{:+.1f}", "half_width": "{:.1f}"}
"""How the page prints a paired interval (points)."""


def val_size_parts(by_val: pd.DataFrame, gt_json: Path) -> list[Part]:
    """Section 3: the paired difference against the validation images, as a figure and a
    table (``by_val``: :func:`reproduction.analysis.study.intervals_by_val_size`), or why it
    was not measured."""
    if by_val.empty:
        where = f"`{Path(gt_json).name}`"
        return [f"**Not measured:** no kept detections or no ground truth at {where}."]
    figure = line_grid(by_val, "n_val", "mean", "validation images", "paired difference (points)")
    table = by_val.set_index(["pair", "metric", "n_val"])
    return [figure, report.format_table(table, formats=INTERVAL_FORMATS)]


def resolution_parts(protocol: pd.DataFrame) -> list[Part]:
    """Section 4: the resolution table
    (:func:`reproduction.analysis.study.resolution_table`)."""
    if protocol.empty:
        return ["No paired runs yet."]
    formats = {"Δ (points)": "{:+.1f}", "train + eval min (projected)": "{:.0f}"}
    return [report.format_table(protocol.set_index(["pair", "metric"]), formats=formats)]


NO_STUDY_RUNS = (
    "**Not measured:** no study runs here or in `archive/` "
    "(`snakemake --cores 2 study_runs` makes them: hours on 2 cores; "
    "section 6 gives each setting's cost)."
)


def sources_parts(sources: pd.DataFrame, by_setting: pd.DataFrame) -> list[Part]:
    """Section 5's opening: which runs each setting has (:func:`setting_runs`), and a note
    when no setting has study runs."""
    return [report.format_table(sources), *([NO_STUDY_RUNS] if by_setting.empty else [])]


def setting_figure(
    by_setting: pd.DataFrame, settings: Sequence[str], metrics: Sequence[str]
) -> Figure:
    """Return section 5's figure: per metric (2 × 2 panels), each pair's mean paired
    difference (points) with its 95 % interval per setting, in ``settings``' order
    (``by_setting``: :func:`reproduction.analysis.study.paired_by_setting`)."""
    order = [s for s in settings if s in set(by_setting["setting"])]
    fig, axes = plt.subplots(2, 2, figsize=(11, 8))
    axes = axes.ravel()
    for ax, metric in zip(axes, metrics, strict=True):
        for k, pair in enumerate(sorted(set(by_setting["pair"]))):
            part = by_setting[(by_setting["metric"] == metric) & (by_setting["pair"] == pair)]
            part = part.set_index("setting").reindex(order).dropna(subset=["mean"])
            x = [order.index(s) + (k - 0.5) * 0.15 for s in part.index]
            low = (part["mean"] - part["low"]).fillna(0)
            high = (part["high"] - part["mean"]).fillna(0)
            ax.errorbar(
                x, part["mean"], yerr=[low, high], fmt="o", capsize=3, label=pair.split(" − ")[0]
            )
        ax.axhline(0, color="grey", lw=1)
        labels = [f"{s}\n({study.describe_setting(s)})" for s in order]
        ax.set_xticks(range(len(order)), labels, fontsize=8)
        ax.set_title(metric)
        ax.set_ylabel("paired difference (points)")
    axes[0].legend(fontsize=8, title="variant", title_fontsize=8)
    fig.tight_layout()
    return fig


def setting_parts(
    by_setting: pd.DataFrame, settings: Sequence[str], metrics: Sequence[str]
) -> list[Part]:
    """Section 5: :func:`setting_figure` and its table; nothing without study runs."""
    if by_setting.empty:
        return []
    table = by_setting.set_index(["pair", "metric", "setting"])
    return [
        setting_figure(by_setting, settings, metrics),
        report.format_table(table, formats=INTERVAL_FORMATS),
    ]


def timed_parts(timed: pd.DataFrame) -> list[Part]:
    """Section 6's whole ``./run`` timings (:func:`reproduction.analysis.study.timed_runs`),
    with the processor they ran on; nothing when none is committed."""
    if timed.empty:
        return []
    table = timed.set_index(["setting", "n_seeds"])[["minutes", "ratio", "record", "commit"]]
    return [
        f"*Whole `./run`s timed side by side ({timed['cpu'].iloc[0]}):*",
        report.format_table(table, formats={"minutes": "{:.1f}", "ratio": "{:.2f}"}),
    ]


def options_parts(options: pd.DataFrame, targets: Sequence[str]) -> list[Part]:
    """Section 6's options table (:func:`options_table`), or that there is none."""
    if options.empty:
        return ["No study runs: no protocol can be chosen."]
    return [report.format_table(options_table(options, targets), formats={"minutes": "{:.0f}"})]


def provenance_parts(
    runs: pd.DataFrame,
    profile: str,
    results_root: Path,
    archive_root: Path,
    settings: Mapping[str, pd.DataFrame],
    sources: pd.DataFrame,
    parameters: Mapping[str, object],
) -> list[str]:
    """The page's provenance blocks (Markdown): this build's runs of ``profile`` with the
    page's parameters, then each study setting whose runs come from the archive or are not
    ``profile`` (``settings``, ``sources``: :func:`setting_runs`)."""
    blocks = [report.provenance_markdown(runs, profile, results_root, parameters=parameters)]
    source_of = dict(zip(sources["setting"], sources["source"], strict=True))
    for name, frame in settings.items():
        if name != profile or source_of[name] == "archive":
            where = Path(archive_root) if source_of[name] == "archive" else Path(results_root)
            blocks.append(
                f"*Study runs, {name} ({source_of[name]}):*\n\n"
                + report.provenance_markdown(frame, name, where)
            )
    return blocks


__all__ = [
    "INTERVAL_FORMATS",
    "NO_STUDY_RUNS",
    "SHOWN_SEED_COUNTS",
    "Part",
    "choice_markdown",
    "line_grid",
    "options_parts",
    "options_table",
    "pairs_line",
    "per_seed_parts",
    "profile_markdown",
    "provenance_parts",
    "resolution_parts",
    "resolution_summary",
    "seed_count_parts",
    "setting_figure",
    "setting_parts",
    "setting_runs",
    "sources_parts",
    "target_label",
    "timed_parts",
    "val_size_parts",
]
