"""The protocol page's tables and sentences (``notebooks/study.ipynb``): which runs each study
setting has, the protocol options as the page lists them, and what the measurements choose.

The numbers come from :mod:`reproduction.analysis.study`; this module only loads the settings'
runs and words and shapes the results, so that the notebook holds parameters and calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from reproduction.analysis import study
from reproduction.analysis.stats import NOT_RESOLVED
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


__all__ = [
    "SHOWN_SEED_COUNTS",
    "choice_markdown",
    "options_table",
    "profile_markdown",
    "resolution_summary",
    "setting_runs",
    "target_label",
]
