"""The runs the claims still lack in one profile, with what each costs: a campaign's to-do list.

A claim's comparison gets an interval (so a verdict other than "not run" or a one-seed "not
resolved") once both of its experiments have at least two paired seeds in one evidence set
(one profile, source and dataset: :func:`reproduction.analysis.verdicts.collect_evidence`).
:func:`missing_runs` lists, claim by claim in the registry's order
(:data:`reproduction.spec.claims.CLAIMS`), every (experiment, seed) of ``seeds`` that the evidence
the
comparison is judged on (:func:`reproduction.analysis.verdicts.best_evidence`) does not hold yet,
so that a
run counts only where the verdict can pair it. It skips comparisons that cannot be tested in the
profile: an experiment whose learning curves show it does not learn there
(:func:`reproduction.analysis.verdicts.not_learning_in`), and the training-cost comparisons
(s/iter),
which are judged on step timings (``benchmarks/bench_overhead.py``). Each run's cost is the
median measured minutes of the runs already made of that experiment, else of its baseline, in
the same setting; else of the experiment in another profile, named (e.g. the 128-pixel
``demo-128px``: a different setting, so only a rough guide).

Usage::

    python -m reproduction.analysis.missing_runs demo                # table: what is missing, cost
    python -m reproduction.analysis.missing_runs demo --seeds 3      # seeds 0, 1, 2 of every
    experiment
    python -m reproduction.analysis.missing_runs demo --queue        # "PROFILE EXPERIMENT SEED"
    lines
    python -m reproduction.analysis.missing_runs demo --source "Table 5.2"   # the claims of one
    table

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

from reproduction.analysis.verdicts import (
    STEP_METRIC,
    AnyEvidence,
    Evidence,
    best_evidence,
    collect_evidence,
    not_learning_in,
)
from reproduction.spec.claims import CLAIMS, Claim, Comparison
from reproduction.spec.experiments import baseline_of
from reproduction.spec.paths import archive_dir, results_dir
from reproduction.spec.profiles import get_profile, same_setting

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
        experiment: an experiment id (:mod:`reproduction.spec.experiments`).
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
    runs of it). Frames are :func:`reproduction.pages.report.load_runs`' (s_per_iter
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
    claims: Sequence[Claim], evidence: Sequence[AnyEvidence], profile: str
) -> Iterable[tuple[str, Comparison]]:
    """Yield ("<source>: <label>", comparison) of every comparison runs can test in
    ``profile``'s setting."""
    for claim in claims:
        for comparison in claim.comparisons:
            if comparison.metric == STEP_METRIC:  # judged on step timings
                continue
            if not_learning_in(comparison, evidence, profile) is not None:
                continue
            yield f"{claim.source}: {comparison.label}", comparison


def judged_runs(
    comparison: Comparison, evidence: Sequence[Evidence], profile: str
) -> set[tuple[str, int]]:
    """Return the (experiment, seed) runs of the comparison's experiments in the one evidence
    set it is judged on (:func:`reproduction.analysis.verdicts.best_evidence`); without a paired
    seed
    anywhere, in the set holding the most of them (ties: ``profile``'s, then local); else
    none."""
    experiments = {comparison.reference, comparison.treatment}
    best = best_evidence(comparison, evidence, profile)
    chosen: Evidence | None = None
    if best is not None:
        chosen = best[0] if isinstance(best[0], Evidence) else None
    else:
        held = [(int(item.runs["experiment"].isin(experiments).sum()), item) for item in evidence]
        held = [(n, item) for n, item in held if n]
        chosen = max(
            held,
            key=lambda h: (h[0], h[1].profile == profile, h[1].source == "local"),
            default=(0, None),
        )[1]
    if chosen is None:
        return set()
    runs = chosen.runs[chosen.runs["experiment"].isin(experiments)]
    return set(zip(runs["experiment"], runs["seed"].astype(int), strict=True))


def missing_runs(
    evidence: Sequence[AnyEvidence],
    profile: str,
    seeds: Sequence[int],
    claims: Sequence[Claim] = CLAIMS,
) -> list[MissingRun]:
    """Return the runs of ``seeds`` the claims' comparisons lack in ``profile``'s setting,
    each once.

    ``evidence``: :func:`reproduction.analysis.verdicts.collect_evidence`'s sets; those of
    ``profile``'s
    setting are searched for runs (:func:`judged_runs`) and give the learning curves whose
    experiments that do not learn are skipped; the archived runs of other profiles give cost
    estimates only (:func:`run_minutes`). Ordered by claim, then seed, then the comparison's
    reference before its treatment, so that a campaign stopped part-way leaves whole pairs.
    """
    setting = set(same_setting(profile))
    mine = [e for e in evidence if isinstance(e, Evidence) and e.profile in setting]
    runs = _frame([e.runs for e in mine])
    others = _frame(
        [
            e.runs
            for e in evidence
            if isinstance(e, Evidence) and e.source == "archive" and e.profile not in setting
        ]
    )
    listed: set[tuple[str, int]] = set()
    costs: dict[str, tuple[float | None, str | None]] = {}  # one estimate per experiment
    missing = []
    for needed_by, comparison in _comparisons_needing_runs(claims, mine, profile):
        made = judged_runs(comparison, mine, profile)
        experiments = dict.fromkeys((comparison.reference, comparison.treatment))
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


def _frame(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The non-empty ``frames`` stacked (an empty frame when none is)."""
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


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
    evidence: Sequence[AnyEvidence],
    seeds: int = DEFAULT_SEEDS,
    claims: Sequence[Claim] = CLAIMS,
) -> list[MissingRun]:
    """Return :func:`missing_runs` of ``claims`` for seeds 0 .. ``seeds`` − 1 in ``profile``,
    on ``evidence`` (:func:`reproduction.analysis.verdicts.collect_evidence`, results and
    archive)."""
    return missing_runs(evidence, profile, range(seeds), claims)


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
        prog="python -m reproduction.analysis.missing_runs",
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
        "--results", type=Path, default=None, help="local results (default: results/)"
    )
    parser.add_argument(
        "--archive",
        type=Path,
        default=None,
        help="committed results (default: archive/)",
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
    args.results, args.archive = results_dir(args.results), archive_dir(args.archive)
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
    evidence = collect_evidence(args.results, args.archive)
    missing = profile_missing(args.profile, evidence, args.seeds, claims)
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
