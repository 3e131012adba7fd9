"""The runs the claims still lack in one profile, with what each costs: a campaign's to-do list.

A claim's comparison gets an interval (so a verdict other than "not run" or a one-seed "not
resolved") once both of its experiments have at least two paired seeds. :func:`missing_runs`
lists, claim by claim in the registry's order (:data:`reproduction.claims.CLAIMS`), every
(experiment, seed) of ``seeds`` that no results file holds yet, skipping comparisons that
cannot be tested in the profile: an experiment whose learning curves show it does not learn
there (:func:`reproduction.learning_curves.not_learning_reason`), and the training-cost
comparisons (s/iter), which are judged on step timings (``benchmarks/bench_overhead.py``).
Each run's cost is the median measured minutes of the runs already made of that experiment,
else of its baseline, in the same profile; else of the experiment in another profile, named
(e.g. the 128-pixel ``demo-128px``: a different setting, so only a rough guide).

Usage::

    python -m reproduction.missing_runs demo                # table: what is missing, cost
    python -m reproduction.missing_runs demo --seeds 3      # seeds 0, 1, 2 of every experiment
    python -m reproduction.missing_runs demo --queue        # "PROFILE EXPERIMENT SEED" lines
    python -m reproduction.missing_runs demo --source "Table 5.2"   # the claims of one table

The queue lines, in the table's order (each baseline beside its variant, seed by seed), are
what a background campaign trains; ``scripts/campaign.sh`` trains a group of them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reproduction.archive import ARCHIVE_ROOT
from reproduction.claims import CLAIMS, Claim
from reproduction.experiments import baseline_of
from reproduction.learning_curves import load_curves, not_learning_reason
from reproduction.profiles import PROFILES, get_profile, same_setting
from reproduction.report import load_runs
from reproduction.verdicts import STEP_METRIC

DEFAULT_SEEDS = 2
"""Seeds per experiment by default: the fewest that give a paired interval."""

TABLE_COLUMNS = [
    "experiment",
    "seeds missing",
    "minutes per run",
    "estimated from",
    "first needed by",
]


@dataclass(frozen=True)
class MissingRun:
    """One run (experiment, seed) that no results file of the profile holds.

    Attributes:
        experiment: an experiment id (:mod:`reproduction.experiments`).
        seed: the seed.
        needed_by: the first claim that needs it: its source and the comparison's label
            ("Table 5.2: Sparse R-CNN 3x, Spearman 0.2").
        minutes: the estimated wall time of the run (training + evaluation) in minutes, or
            None when no run of it or of its baseline was made in the profile.
        estimated_from: whose runs gave ``minutes``: the experiment itself or its baseline,
            with the profile in parentheses when it is another profile's; None without one.
    """

    experiment: str
    seed: int
    needed_by: str
    minutes: float | None
    estimated_from: str | None


def run_minutes(
    runs: pd.DataFrame, experiment: str, others: pd.DataFrame | None = None
) -> tuple[float | None, str | None]:
    """Return (median minutes of training + evaluation of a run, whose runs gave it), or
    (None, None) when none did.

    Tried in turn: ``runs`` of ``experiment``, of its baseline, then ``others`` (runs of other
    profiles) of the two, named "<experiment> (<profile>)" (of the profile with the most
    runs of it). Frames are :func:`reproduction.report.load_runs`' (s_per_iter
    and evaluation_s in s); a run's training time is its s/iter × iterations.
    """
    for source in dict.fromkeys((experiment, baseline_of(experiment))):
        minutes = _median_minutes(runs, source)
        if minutes is not None:
            return minutes, source
    if others is None or others.empty:
        return None, None
    for source in dict.fromkeys((experiment, baseline_of(experiment))):
        made = others[others["experiment"] == source]
        if not made.empty:
            profile = made["profile"].value_counts().index[0]
            minutes = _median_minutes(made[made["profile"] == profile], source)
            if minutes is not None:
                return minutes, f"{source} ({profile})"
    return None, None


def _median_minutes(runs: pd.DataFrame, experiment: str) -> float | None:
    """Median minutes (s/iter × iterations + evaluation s, / 60) of ``runs`` of ``experiment``."""
    if runs.empty:
        return None
    made = runs[runs["experiment"] == experiment]
    seconds = (made["s_per_iter"] * made["iterations"] + made["evaluation_s"].fillna(0.0)).dropna()
    return None if seconds.empty else float(seconds.median()) / 60.0


def _comparisons_needing_runs(
    claims: Sequence[Claim], curves: dict[str, list[dict[str, Any]]]
) -> Iterable[tuple[str, tuple[str, ...]]]:
    """Yield ("<source>: <label>", its experiments) of every comparison runs can test."""
    for claim in claims:
        for comparison in claim.comparisons:
            if comparison.metric == STEP_METRIC:  # judged on step timings
                continue
            experiments = tuple(dict.fromkeys((comparison.reference, comparison.treatment)))
            if not_learning_reason(experiments, curves) is not None:
                continue
            yield f"{claim.source}: {comparison.label}", experiments


def missing_runs(
    runs: pd.DataFrame,
    seeds: Sequence[int],
    curves: dict[str, list[dict[str, Any]]] | None = None,
    claims: Sequence[Claim] = CLAIMS,
    others: pd.DataFrame | None = None,
) -> list[MissingRun]:
    """Return the runs of ``seeds`` the claims' comparisons lack in ``runs``, each once.

    ``runs``: every run made of one setting (a :func:`reproduction.report.load_runs` frame,
    committed and local together); ``curves``: that setting's learning curves by experiment
    (:func:`reproduction.learning_curves.load_curves`), whose experiments that do not learn
    are skipped; ``others``: runs of other profiles, for cost estimates only
    (:func:`run_minutes`). Ordered by claim, then seed, then the comparison's reference before its
    treatment, so that a campaign stopped part-way leaves whole pairs.
    """
    made = set(zip(runs["experiment"], runs["seed"].astype(int), strict=True))
    listed: set[tuple[str, int]] = set()
    costs: dict[str, tuple[float | None, str | None]] = {}  # one estimate per experiment
    missing = []
    for needed_by, experiments in _comparisons_needing_runs(claims, curves or {}):
        for seed in seeds:
            for experiment in experiments:
                key = (experiment, int(seed))
                if key in made or key in listed:
                    continue
                listed.add(key)
                if experiment not in costs:
                    costs[experiment] = run_minutes(runs, experiment, others)
                missing.append(MissingRun(experiment, int(seed), needed_by, *costs[experiment]))
    return missing


def missing_table(missing: Sequence[MissingRun]) -> pd.DataFrame:
    """Return one row per experiment of ``missing`` (columns :data:`TABLE_COLUMNS`), in the
    order first listed; "seeds missing" reads e.g. "0, 1", "minutes per run" is rounded to
    one decimal ("—" where unknown)."""
    rows: dict[str, dict[str, Any]] = {}
    for run in missing:
        row = rows.setdefault(
            run.experiment,
            {
                "experiment": run.experiment,
                "seeds": [],
                "minutes per run": "—" if run.minutes is None else f"{run.minutes:.1f}",
                "estimated from": run.estimated_from or "—",
                "first needed by": run.needed_by,
            },
        )
        row["seeds"].append(run.seed)
    for row in rows.values():
        row["seeds missing"] = ", ".join(str(s) for s in sorted(row.pop("seeds")))
    return pd.DataFrame(list(rows.values()), columns=TABLE_COLUMNS)


def total_minutes(missing: Sequence[MissingRun]) -> tuple[float, int]:
    """Return (the summed estimated minutes of ``missing``, how many runs have no estimate)."""
    known = [run.minutes for run in missing if run.minutes is not None]
    return float(sum(known)), len(missing) - len(known)


def setting_runs(profile: str, roots: Sequence[Path]) -> pd.DataFrame:
    """Return every run under ``roots`` (results and archive) of the profiles that measure
    what ``profile``'s do (:func:`reproduction.profiles.same_setting`), one row per
    (experiment, seed): the first root holding a run wins."""
    frames = [load_runs(root, name) for name in same_setting(profile) for root in roots]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return load_runs(roots[0], profile)
    return pd.concat(frames, ignore_index=True).drop_duplicates(["experiment", "seed"])


def other_runs(profile: str, root: Path) -> pd.DataFrame:
    """Return the runs under ``root`` of every other setting than ``profile``'s (but
    ``smoke``, whose timings mean nothing), for cost estimates."""
    same = set(same_setting(profile)) | {"smoke"}
    frames = [load_runs(root, name) for name in PROFILES if name not in same]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else load_runs(root, profile)


def setting_curves(profile: str, roots: Sequence[Path]) -> dict[str, list[dict[str, Any]]]:
    """Return the learning curves under ``roots`` of the profiles with ``profile``'s setting."""
    curves: dict[str, list[dict[str, Any]]] = {}
    for name in same_setting(profile):
        for experiment, records in load_curves(roots, name).items():
            curves.setdefault(experiment, []).extend(records)
    return curves


def claims_from(sources: Sequence[str] | None) -> tuple[Claim, ...]:
    """Return the claims made in ``sources`` (e.g. "Table 5.2", "§5.5.4"; a claim of
    "Tables 3.1, 3.2" matches "Table 3.1" too), or every claim for None; ValueError names a
    source no claim has, with the known ones."""
    if not sources:
        return CLAIMS
    chosen = []
    for source in sources:
        number = source.removeprefix("Table ").strip()
        found = [
            c
            for c in CLAIMS
            if c.source == source or number in c.source.removeprefix("Tables ").split(", ")
        ]
        if not found:
            known = ", ".join(dict.fromkeys(c.source for c in CLAIMS))
            raise ValueError(f"no claim is made in {source!r}; claims are made in {known}")
        chosen.extend(c for c in found if c not in chosen)
    return tuple(c for c in CLAIMS if c in chosen)


def profile_missing(
    profile: str,
    roots: Sequence[Path],
    seeds: int = DEFAULT_SEEDS,
    claims: Sequence[Claim] = CLAIMS,
) -> list[MissingRun]:
    """Return :func:`missing_runs` of ``claims`` for seeds 0 .. ``seeds`` − 1 in ``profile``,
    counting the runs of its setting under ``roots`` (results roots, the archive last: the
    other profiles' runs it holds give the cost estimates where the setting has none)."""
    runs = setting_runs(profile, roots)
    curves = setting_curves(profile, roots)
    others = other_runs(profile, roots[-1])
    return missing_runs(runs, range(seeds), curves, claims, others=others)


def summary_line(profile: str, missing: Sequence[MissingRun], seeds: int) -> str:
    """One sentence: how many runs are missing and their estimated hours (or that none are)."""
    if not missing:
        return f"`{profile}`: every comparison has seeds 0–{seeds - 1} of its runs."
    minutes, unknown = total_minutes(missing)
    text = (
        f"`{profile}`: {len(missing)} runs missing for seeds 0–{seeds - 1}, estimated"
        f" {minutes / 60:.1f} h one run at a time, on the hardware of the runs each is"
        " estimated from"
    )
    return text + (f"; {unknown} without an estimate." if unknown else ".")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reproduction.missing_runs",
        description="List the runs the thesis's claims still lack in a profile, with their cost.",
    )
    parser.add_argument("profile", help="a profile name, e.g. demo")
    parser.add_argument(
        "--seeds",
        type=int,
        default=DEFAULT_SEEDS,
        help=f"seeds 0 .. N-1 of every experiment (default {DEFAULT_SEEDS}: the fewest for an"
        " interval)",
    )
    parser.add_argument(
        "--root",
        type=Path,
        action="append",
        help="a results root to count runs in, repeatable, the archive last (default:"
        " results, archive)",
    )
    parser.add_argument(
        "--source",
        action="append",
        help='only the claims made there, e.g. "Table 5.2" or "§5.5.4" (repeatable)',
    )
    parser.add_argument(
        "--queue", action="store_true", help='print "PROFILE EXPERIMENT SEED" lines instead'
    )
    args = parser.parse_args(argv)
    try:
        get_profile(args.profile)
    except ValueError as err:
        parser.error(str(err))
    if args.seeds < 1:
        parser.error(f"--seeds must be at least 1, got {args.seeds}")
    try:
        claims = claims_from(args.source)
    except ValueError as err:
        parser.error(str(err))
    roots = args.root or [Path("results"), ARCHIVE_ROOT]
    missing = profile_missing(args.profile, roots, args.seeds, claims)
    if args.queue:
        for run in missing:
            print(f"{args.profile} {run.experiment} {run.seed}")
        return 0
    if missing:
        with pd.option_context("display.width", 200, "display.max_colwidth", 60):
            print(missing_table(missing).to_string(index=False), end="\n\n")
    print(summary_line(args.profile, missing, args.seeds).replace("`", ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
