"""Figures in the thesis's language: without Correlation Loss a red dot, with it a green star.

:func:`pair_points` turns runs into one point per experiment (mean over seeds and its 95 %
t-interval on both axes); :func:`plot_pairs` draws them with each baseline joined to its
Correlation-Loss variant by an arrow, as Figure 1.3 of the thesis does. The thesis's own
points (:func:`reproduction.spec.thesis.figure`) are drawn by the same function, without whiskers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd
import seaborn as sns

from reproduction.analysis.stats import mean_interval
from reproduction.records.run_table import per_seed

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WITHOUT = {"marker": "o", "color": "tab:red", "s": 45, "label": "without Correlation Loss"}
WITH = {"marker": "*", "color": "tab:green", "s": 150, "label": "with Correlation Loss"}

POINT_COLUMNS = ("setting", "corr_loss", "x", "x_low", "x_high", "y", "y_low", "y_high", "n")


def pair_points(
    runs: pd.DataFrame,
    pairs: Sequence[tuple[str, str, str]],
    x: str = "beta_cls",
    y: str = "AP",
) -> pd.DataFrame:
    """Return one row per experiment of the pairs that ran, with means and intervals.

    Args:
        runs: a :func:`reproduction.pages.report.load_runs` frame (metrics in %).
        pairs: (setting label, baseline id, Correlation-Loss id); a pair is kept only when
            both ran with at least one shared seed, and only the shared seeds count.
        x, y: the columns on the two axes.

    Returns:
        Columns :data:`POINT_COLUMNS`: ``x``/``y`` the means over seeds, ``*_low``/``*_high``
        their 95 % t-interval (NaN with one seed), ``n`` the seeds.
    """
    rows = []
    for setting, baseline, variant in pairs:
        xb, xv = per_seed(runs, baseline, x), per_seed(runs, variant, x)
        yb, yv = per_seed(runs, baseline, y), per_seed(runs, variant, y)
        seeds = sorted(set(xb) & set(xv) & set(yb) & set(yv))
        if not seeds:
            continue
        for corr, xs, ys in ((False, xb, yb), (True, xv, yv)):
            xi = mean_interval([xs[s] for s in seeds])
            yi = mean_interval([ys[s] for s in seeds])
            rows.append(
                {
                    "setting": setting,
                    "corr_loss": corr,
                    "x": xi.mean,
                    "x_low": float("nan") if xi.low is None else xi.low,
                    "x_high": float("nan") if xi.high is None else xi.high,
                    "y": yi.mean,
                    "y_low": float("nan") if yi.low is None else yi.low,
                    "y_high": float("nan") if yi.high is None else yi.high,
                    "n": len(seeds),
                }
            )
    return pd.DataFrame(rows, columns=list(POINT_COLUMNS))


def thesis_points(figure: pd.DataFrame, x: str = "beta_cls", y: str = "AP") -> pd.DataFrame:
    """The thesis's Figure 1.3(a) frame in :func:`pair_points`' columns (no intervals)."""
    return pd.DataFrame(
        {
            "setting": figure["setting"],
            "corr_loss": figure["corr_loss"].astype(bool),
            "x": figure[x].astype(float),
            "x_low": float("nan"),
            "x_high": float("nan"),
            "y": figure[y].astype(float),
            "y_low": float("nan"),
            "y_high": float("nan"),
            "n": 0,
        },
        columns=list(POINT_COLUMNS),
    )


def plot_pairs(ax: Axes, points: pd.DataFrame, *, annotate: bool = True) -> None:
    """Draw red dots (without), green stars (with), whiskers, and an arrow per setting."""
    for corr, style in ((False, WITHOUT), (True, WITH)):
        part = points[points["corr_loss"] == corr]
        if part.empty:
            continue
        xerr = [part["x"] - part["x_low"], part["x_high"] - part["x"]]
        yerr = [part["y"] - part["y_low"], part["y_high"] - part["y"]]
        if part["x_low"].notna().any():
            ax.errorbar(
                part["x"], part["y"], xerr=xerr, yerr=yerr, fmt="none",
                ecolor=style["color"], alpha=0.6, lw=1,
            )  # fmt: skip
        ax.scatter(part["x"], part["y"], zorder=3, **style)
    for setting, group in points.groupby("setting", sort=False):
        if len(group) != 2:
            continue
        base = group[~group["corr_loss"]].iloc[0]
        corr = group[group["corr_loss"]].iloc[0]
        ax.annotate(
            "",
            xy=(corr["x"], corr["y"]),
            xytext=(base["x"], base["y"]),
            arrowprops={"arrowstyle": "->", "color": "0.35", "lw": 1},
        )
        if annotate:
            ax.annotate(str(setting), (base["x"], base["y"]), fontsize=8, xytext=(4, -10),
                        textcoords="offset points")  # fmt: skip
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, loc="best", fontsize=8)


def pairs_in(runs: pd.DataFrame) -> list[tuple[str, str, str]]:
    """Every (label, baseline, Correlation-Loss experiment) whose two experiments both ran."""
    from reproduction.spec.experiments import pairs_among

    present = sorted(set(runs["experiment"])) if not runs.empty else []
    return [(variant, baseline, variant) for baseline, variant in pairs_among(present)]


def caption(runs: pd.DataFrame, source: str, data: str) -> str:
    """The figure's caption: what data, which runs, how many seeds (Markdown)."""
    if runs.empty:
        return f"*No runs in this build ({data}).*"
    seeds = sorted(int(s) for s in runs["seed"].unique())
    return (
        f"*Ours: {data}; runs from {source}; seeds {', '.join(map(str, seeds))} "
        f"({len(seeds)}); whiskers are 95 % t-intervals over the paired seeds. Thesis: COCO "
        "2017, the AP and β_cls columns of Table 5.4.*"
    )


def plot_curves(ax: Axes, frame: pd.DataFrame, threshold: float) -> None:
    """Draw learning curves: AP (%) against training iteration, one line per experiment and
    seed (:func:`reproduction.records.learning_curves.curves_frame`), with the learning threshold
    as a
    dashed line."""
    for (experiment, seed), curve in frame.groupby(["experiment", "seed"], sort=True):
        curve = curve.sort_values("iteration")
        ax.plot(curve["iteration"], curve["AP"], marker="o", label=f"{experiment} (seed {seed})")
    ax.axhline(threshold, color="grey", linestyle="--", label=f"AP {threshold:g} % (learns)")
    ax.set_xlabel("training iteration")
    ax.set_ylabel("validation AP (%)")
    ax.legend(fontsize="small")


def plot_iou_effects(
    ax: Axes,
    effects: pd.DataFrame,
    *,
    label: str,
    crossing: float | None = None,
) -> None:
    """Draw a pair's AP effect against the IoU threshold with its 95 % interval band.

    Args:
        effects: a :func:`reproduction.analysis.regimes.iou_effects` frame (points of AP).
        label: the line's legend entry (the pair and its seeds).
        crossing: the threshold where the mean effect changes sign
            (:func:`reproduction.analysis.regimes.sign_change`), marked by a dotted line in
            the line's colour and given in its legend entry (several curves' crossings sit
            close together, so they are not written on the plot).
    """
    x = effects["threshold"].astype(float)
    if crossing is not None:
        label = f"{label}; sign change ≈ {crossing:.2f}"
    line = ax.plot(x, effects["effect"], marker="o", label=label)[0]
    ax.fill_between(x, effects["low"], effects["high"], color=line.get_color(), alpha=0.2)
    ax.axhline(0.0, color="grey", linewidth=1)
    if crossing is not None:
        ax.axvline(crossing, color=line.get_color(), linestyle=":", linewidth=1.5)
    ax.set_xlabel("IoU threshold")
    ax.set_ylabel("Correlation Loss − baseline (AP points)")
    ax.legend(fontsize=7)


def plot_thesis_effects(ax: Axes, thesis: dict[float, float]) -> None:
    """Draw the thesis's effects at some IoU thresholds (IoU → points; COCO: AP50 and AP75)
    as black diamonds, and refresh the legend."""
    if not thesis:
        return
    ax.scatter(
        list(thesis),
        list(thesis.values()),
        marker="D",
        color="black",
        zorder=3,
        label="thesis (COCO): AP50, AP75",
    )
    ax.legend(fontsize=7)


def plot_against_length(
    axes: Sequence[Axes],
    arms: pd.DataFrame,
    effects: pd.DataFrame,
    metrics: Sequence[str],
    names: dict[str, str],
    titles: Sequence[str],
) -> None:
    """Draw, for each metric, both arms (upper row) and the effect (lower row) against the
    training length on a log2 axis, with 95 % intervals.

    Args:
        axes: a 2 × len(metrics) grid (row-major, e.g. ``fig.subplots(2, 4).ravel()``).
        arms: a :func:`reproduction.analysis.regimes.length_arms` frame.
        effects: a :func:`reproduction.analysis.regimes.length_effects` frame.
        metrics: the metrics, one column of axes each.
        names: experiment id → legend label.
        titles: each metric's column title.
    """
    width = len(metrics)
    for k, metric in enumerate(metrics):
        top, bottom = axes[k], axes[width + k]
        for experiment, label in names.items():
            rows = arms[(arms["metric"] == metric) & (arms["experiment"] == experiment)]
            style = WITH if "baseline" not in experiment else WITHOUT
            top.errorbar(
                rows["iterations"],
                rows["mean"],
                yerr=[rows["mean"] - rows["low"], rows["high"] - rows["mean"]],
                marker=style["marker"],
                color=style["color"],
                capsize=3,
                label=label,
            )
        rows = effects[effects["metric"] == metric]
        bottom.errorbar(
            rows["iterations"],
            rows["effect"],
            yerr=[rows["effect"] - rows["low"], rows["high"] - rows["effect"]],
            marker="s",
            color="black",
            capsize=3,
        )
        bottom.axhline(0.0, color="grey", linewidth=1)
        for ax in (top, bottom):
            ax.set_xscale("log", base=2)
            ax.set_xticks(sorted(set(arms["iterations"]) | set(effects["iterations"])))
            ax.get_xaxis().set_major_formatter("{x:.0f}")
        top.set_title(titles[k], fontsize=10)
        bottom.set_xlabel("training iterations")
    axes[0].set_ylabel("mean over seeds (%)")
    axes[width].set_ylabel("effect (points)")
    axes[0].legend(fontsize=7)


def ap_bars(both: pd.DataFrame, height: float = 3.5, aspect: float = 1.3) -> sns.FacetGrid:
    """Return Table 5.1's bar chart: AP (%) per detector, one bar per loss, one panel per
    source (``both`` is :func:`reproduction.pages.plot_data.ap_by_detector`'s frame; each
    panel has its own AP axis)."""
    grid = sns.catplot(
        data=both,
        x="detector",
        y="AP",
        hue="loss",
        col="source",
        kind="bar",
        sharey=False,
        errorbar=None,
        height=height,
        aspect=aspect,
    )
    grid.set_titles("{col_name}")
    return grid
