"""Verdicts: whether each thesis claim holds here, from paired differences over seeds.

For every comparison of a claim (:mod:`reproduction.spec.claims`) the evidence is the runs of one
profile, from the local ``results/`` or the committed ``archive/``; the evidence with the most
paired seeds is used (ties: the book's own profile, then local runs), and the tables say which
it was, with its seeds and hardware. Per seed, the difference treatment − reference is taken
(same seed: same initialisation and data order); its 95 % t-interval over seeds decides. The
training-cost comparisons are judged instead on a step-timing record where one has both sides
(:class:`StepEvidence`: training steps timed interleaved on the same batches, paired by round),
since runs trained one after another met different machine loads. The interval verdicts are
:func:`reproduction.analysis.stats.judge`'s, against the change the comparison's test expects
(:func:`expected_change`):

- **holds**: the interval lies on the thesis's side (excludes 0; "within": inside the margin);
- **contradicted**: the interval lies on the other side;
- **not resolved**: the interval straddles the boundary, or only one seed ran;
- **not run**: no profile has runs of both experiments (the tables give the command);
- **cannot be tested here**: the claim needs what no profile has, or a comparison's method
  does not learn in the evidence's setting: its committed learning curve
  (:mod:`reproduction.records.learning_curves`) stays under AP 5 % through the schedule measured
  (the
  reason is given).

Numbers are points of % (AP-like metrics), % (relative cost, share of classes improved).
A COCO number is never subtracted from a synthetic one: effects are compared, not values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reproduction.analysis.stats import (
    CONTRADICTED,
    HOLDS,
    INCREASE,
    NOT_RESOLVED,
    NOT_RUN,
    Interval,
    judge,
    mean_interval,
)
from reproduction.records.learning_curves import load_curves, not_learning_reason
from reproduction.records.provenance_text import commit_of, hardware_line
from reproduction.records.results import dataset_key, iter_results
from reproduction.records.run_table import per_seed, runs_frame
from reproduction.records.step_timing import (
    STEP_TIMINGS_DIR,
    loss_implementation,
    read_step_timings,
    round_differences,
)
from reproduction.spec.claims import CLAIMS, Claim, Comparison
from reproduction.spec.profiles import (
    PROFILES,
    Regime,
    get_profile,
    judged_profiles,
    regime_of,
    regime_order,
    same_setting,
)

UNTESTABLE = "cannot be tested here"
VERDICTS: tuple[str, ...] = (HOLDS, CONTRADICTED, NOT_RESOLVED, NOT_RUN, UNTESTABLE)


@dataclass(frozen=True)
class Evidence:
    """The runs of one profile from one source.

    Attributes:
        profile: the profile the runs were made in.
        source: "local" (``results/``) or "archive" (committed ``archive/``).
        runs: :func:`reproduction.pages.report.load_runs` frame (metrics in %).
        records: the results records themselves (per-class AP, provenance).
        curves: experiment id → its learning-curve records in this profile and source.
        dataset: the dataset the runs were evaluated on, where this profile and source hold
            runs evaluated on more than one (then each is its own evidence); else None.
    """

    profile: str
    source: str
    runs: pd.DataFrame
    records: tuple[dict, ...] = field(default=(), repr=False)
    curves: dict[str, list[dict]] = field(default_factory=dict, repr=False)
    dataset: str | None = None

    @property
    def root(self) -> str:
        """The directory the runs were read from: "results" (local) or "archive"."""
        return "results" if self.source == "local" else "archive"

    def label(self) -> str:
        """E.g. ``"archive/demo"``, ``"archive/demo-x (setting of demo)"`` for a profile that
        runs the setting of another, or with the dataset where the
        profile's runs were evaluated on more than one: ``"archive/demo on demo-3cls (200 val
        images)"``."""
        others = [n for n in same_setting(self.profile) if n != self.profile]
        alias = f" (setting of {', '.join(others)})" if others else ""
        on = f" on {self.dataset}" if self.dataset else ""
        return f"{self.root}/{self.profile}{on}{alias}"

    unit = "seeds"
    """What the paired differences are paired by."""
    side_by_side = False
    """Whether the two sides were measured interleaved on one machine (timings: see
    :class:`StepEvidence`); runs trained one after the other are not."""
    legacy_loss_path = False
    """Whether a step timing ran the loss path before it became sync-free (runs: never)."""

    def hardware(self, experiments: Iterable[str]) -> str:
        """The hardware the given experiments' runs ran on, one entry per distinct machine."""
        wanted = set(experiments)
        lines = {
            hardware_line(r) for r in self.records if r.get("experiment", {}).get("id") in wanted
        }
        return "; ".join(sorted(lines)) or "unknown"

    def differences(self, comparison: Comparison) -> dict[int, float]:
        """Seed → the compared quantity of that seed's pair (:func:`seed_differences`); {}
        for a comparison that asks for another profile or for a device's step timings."""
        if comparison.device is not None:
            return {}
        if comparison.profile is not None and comparison.profile != self.profile:
            return {}
        return seed_differences(self, comparison)

    def summary(self) -> str:
        """One provenance line (Markdown): runs, experiments, seeds, commits, hardware."""
        runs = self.runs
        seeds = ", ".join(str(s) for s in sorted(int(s) for s in runs["seed"].unique()))
        commits = sorted({commit_of(r) for r in self.records})
        hardware = self.hardware(runs["experiment"].unique())
        return (
            f"`{self.label()}`: {len(runs)} runs of {runs['experiment'].nunique()} "
            f"experiments, seeds {seeds}; commits {', '.join(commits)}; {hardware}"
        )


STEP_METRIC = "s_per_iter"
"""The metric of the training-cost comparisons, which a step-timing record answers."""


@dataclass(frozen=True)
class StepEvidence:
    """One step-timing record (:mod:`reproduction.records.step_timing`): training steps of several
    experiments timed interleaved on the same batches, on one machine.

    It answers the training-cost comparisons (metric ``s_per_iter``) alone, paired by round
    instead of by seed, and is preferred there to the runs' own s/iter, which were measured
    one run after another under whatever load the machine had.

    Attributes:
        profile: the profile whose configs were timed.
        source: "local" (``results/``) or "archive" (committed ``archive/``).
        path: the record's file, relative to its root (``step_timings/overhead.json``).
        record: the record itself.
    """

    profile: str
    source: str
    path: str
    record: dict = field(repr=False)
    curves: dict[str, list[dict]] = field(default_factory=dict, repr=False)

    unit = "steps"
    side_by_side = True

    @property
    def root(self) -> str:
        """The directory the record was read from: "results" (local) or "archive"."""
        return "results" if self.source == "local" else "archive"

    def label(self) -> str:
        """E.g. ``"archive/step_timings/overhead.json"``."""
        return f"{self.root}/{self.path}"

    def hardware(self, experiments: Iterable[str] = ()) -> str:
        """The machine the steps were timed on, with the threads used."""
        threads = self.record.get("threads")
        return f"{hardware_line(self.record)}, {threads} thread(s)"

    def differences(self, comparison: Comparison) -> dict[int, float]:
        """Round → 100 · (treatment / reference − 1) of the step seconds (%), for a
        training-cost comparison; {} for any other or where the record lacks a side."""
        if comparison.metric != STEP_METRIC or comparison.test != "within":
            return {}
        if comparison.profile is None:
            if not get_profile(self.profile).synthetic:
                return {}
        elif comparison.profile != self.profile:
            return {}
        if comparison.device is not None and not str(self.device).startswith(comparison.device):
            return {}
        return round_differences(self.record, comparison.reference, comparison.treatment)

    @property
    def legacy_loss_path(self) -> bool:
        """True for a record of the loss path before it became sync-free (it names no
        ``loss_implementation``)."""
        return "loss_implementation" not in self.record

    @property
    def device(self) -> str | None:
        """The torch device the steps were timed on ("cpu", "cuda", ...), from provenance."""
        return ((self.record.get("provenance") or {}).get("hardware") or {}).get("device")

    def summary(self) -> str:
        """One provenance line (Markdown): steps, experiments, commit, hardware."""
        seconds = self.record["seconds"]
        rounds = len(next(iter(seconds.values())))
        commit = commit_of(self.record)
        load = self.record.get("load_average")
        beside = f", load average {load[0]:.1f} at the start" if load else ""
        return (
            f"`{self.label()}`: {rounds} interleaved training steps of each of {len(seconds)} "
            f"experiments on the same batches; commit {commit}; {self.hardware()}{beside}; "
            f"loss path: {loss_implementation(self.record)}"
        )


AnyEvidence = Evidence | StepEvidence
"""Either kind of evidence: runs (paired by seed) or a step-timing record (paired by round)."""


def collect_evidence(
    results_root: Path,
    archive_root: Path,
    profiles: Sequence[str] | None = None,
    *,
    read: Mapping[tuple[Path, str], Sequence[dict]] | None = None,
) -> list[AnyEvidence]:
    """Return every non-empty (profile, source) set of runs and learning curves, then every
    step-timing record (:class:`StepEvidence`) of those profiles.

    ``profiles`` defaults to :func:`reproduction.spec.profiles.judged_profiles`. Runs of one
    profile and source that were evaluated on different datasets (e.g. a validation split that
    grew) are never paired: each dataset's runs are their own evidence, named by it.
    ``read``: results records a caller has already read, (root, profile) → that profile's
    records under that root in :func:`reproduction.records.results.iter_results`' order; their
    files are not read again.
    """
    names = list(profiles) if profiles is not None else list(judged_profiles())
    known = {(Path(root), name): tuple(got) for (root, name), got in (read or {}).items()}
    found = []
    for name in names:
        for source, root in (("local", Path(results_root)), ("archive", Path(archive_root))):
            records = known.get((root, name))
            if records is None:
                records = tuple(iter_results(root, name))
            curves = load_curves([root], name)
            groups = _by_dataset(records)
            if not records and curves:
                found.append(Evidence(name, source, runs_frame(()), (), curves))
            for dataset, group in groups.items():
                named = dataset if len(groups) > 1 else None
                found.append(Evidence(name, source, runs_frame(group), group, curves, named))
    for source, root in (("local", Path(results_root)), ("archive", Path(archive_root))):
        for path, record in read_step_timings(root / STEP_TIMINGS_DIR):
            if record["profile"] in names:
                relative = path.relative_to(root).as_posix()
                found.append(StepEvidence(record["profile"], source, relative, record))
    return found


def _by_dataset(records: Sequence[dict]) -> dict[str, tuple[dict, ...]]:
    """Group results records by the dataset they were evaluated on: "<name> (<n> val
    images)" → records, in the order first seen."""
    groups: dict[str, list[dict]] = {}
    for record in records:
        groups.setdefault(dataset_key(record), []).append(record)
    return {key: tuple(group) for key, group in groups.items()}


def _per_class(evidence: Evidence, experiment: str) -> dict[int, dict[str, float]]:
    """seed → {class name: AP in %} of one experiment's runs."""
    out: dict[int, dict[str, float]] = {}
    for record in evidence.records:
        if record.get("experiment", {}).get("id") != experiment:
            continue
        per_class = (record.get("metrics") or {}).get("per_class_AP") or {}
        out[int(record["seed"])] = {
            str(k): 100.0 * float(v) for k, v in per_class.items() if v is not None
        }
    return out


def seed_differences(evidence: Evidence, comparison: Comparison) -> dict[int, float]:
    """Return seed → the compared quantity of one seed's pair of runs.

    "increase" / "decrease" / "not_below": treatment − reference (points); "within": the
    relative difference 100 · (treatment / reference − 1) (%); "class_majority": the share of
    classes whose AP rose, minus 50 (points of %). Seeds missing from either side are left out.
    """
    if comparison.test == "class_majority":
        ref = _per_class(evidence, comparison.reference)
        treat = _per_class(evidence, comparison.treatment)
        out = {}
        for seed in sorted(set(ref) & set(treat)):
            names = sorted(set(ref[seed]) & set(treat[seed]))
            if names:
                improved = sum(treat[seed][n] > ref[seed][n] for n in names)
                out[seed] = 100.0 * improved / len(names) - 50.0
        return out
    runs = evidence.runs
    if comparison.metric not in runs.columns or comparison.reference_column not in runs.columns:
        return {}
    ref = per_seed(runs, comparison.reference, comparison.reference_column)
    treat = per_seed(runs, comparison.treatment, comparison.metric)
    shared = sorted(set(ref) & set(treat))
    if comparison.test == "within":
        return {s: 100.0 * (treat[s] / ref[s] - 1.0) for s in shared if ref[s] > 0}
    return {s: treat[s] - ref[s] for s in shared}


def expected_change(test: str) -> str:
    """Return the change a comparison's test expects of its differences, as
    :func:`reproduction.analysis.stats.judge` takes it: the test itself ("increase", "decrease",
    "within", "not_below"), and "increase" for "class_majority" (whose differences are the
    share of classes improved minus 50, :func:`seed_differences`)."""
    return INCREASE if test == "class_majority" else test


@dataclass(frozen=True)
class ComparisonVerdict:
    """The verdict of one comparison, with the evidence it came from.

    ``effect`` is None when no evidence has both sides (verdict "not run"); ``seeds`` are the
    paired seeds used; ``note`` says why a comparison cannot be tested here.
    """

    claim: Claim
    comparison: Comparison
    verdict: str
    effect: Interval | None = None
    evidence: AnyEvidence | None = None
    seeds: tuple[int, ...] = ()
    note: str | None = None

    @property
    def thesis_effect(self) -> float | None:
        """The thesis's effect (same unit as :attr:`effect`)."""
        return self.comparison.thesis_effect()


def best_evidence(
    comparison: Comparison, evidence: Sequence[AnyEvidence], prefer: str | None = None
) -> tuple[AnyEvidence, dict[int, float]] | None:
    """Return (the evidence a comparison is judged on, its seed (or round) → compared
    quantity), or None when no evidence holds both sides of any seed.

    A step-timing record that has both experiments (:class:`StepEvidence`, paired by
    interleaved round) comes before any runs, one of the current loss path before one of the
    loss path before it became sync-free (the cost claim judges the loss, not an overhead
    since removed); then the most paired seeds; ties go to the profile ``prefer`` (or its
    setting), then to local runs.
    """
    best: tuple[tuple, AnyEvidence, dict[int, float]] | None = None
    preferred = set(same_setting(prefer)) if prefer in PROFILES else set()
    for item in evidence:
        diffs = item.differences(comparison)
        if not diffs:
            continue
        rank = (
            item.side_by_side,
            not item.legacy_loss_path,
            len(diffs),
            item.profile in preferred,
            item.source == "local",
        )
        if best is None or rank > best[0]:
            best = (rank, item, diffs)
    return None if best is None else (best[1], best[2])


def judge_comparison(
    claim: Claim, comparison: Comparison, evidence: Sequence[AnyEvidence], prefer: str | None = None
) -> ComparisonVerdict:
    """Judge one comparison on :func:`best_evidence`.

    A comparison with an experiment that does not learn in that evidence's setting (or, with
    no runs, in the setting of ``prefer``, else in any setting with learning curves of it) by
    its learning curves cannot be tested here (:func:`not_learning_in`).
    """
    best = best_evidence(comparison, evidence, prefer)
    # with no runs: the learning curves of the preferred setting, else of any that has them
    settings = [best[0].profile] if best is not None else [prefer, *(e.profile for e in evidence)]
    reasons = (not_learning_in(comparison, evidence, name) for name in dict.fromkeys(settings))
    reason = next((r for r in reasons if r is not None), None)
    if reason is not None:
        return ComparisonVerdict(claim, comparison, UNTESTABLE, note=reason)
    if best is None:
        return ComparisonVerdict(claim, comparison, NOT_RUN)
    item, diffs = best
    interval = mean_interval(list(diffs.values()))
    verdict = judge(interval, expected_change(comparison.test), comparison.margin)
    return ComparisonVerdict(claim, comparison, verdict, interval, item, tuple(sorted(diffs)))


def not_learning_in(
    comparison: Comparison, evidence: Sequence[AnyEvidence], profile: str | None
) -> str | None:
    """Return why one of the comparison's experiments does not learn in ``profile``'s setting
    (by the learning curves of the evidence with that setting), with where the curve is; or
    None (also for a name that is no profile)."""
    if profile not in PROFILES:
        return None
    setting = set(same_setting(profile))
    for item in evidence:
        if item.profile in setting and item.curves:
            reason = not_learning_reason((comparison.reference, comparison.treatment), item.curves)
            if reason is not None:
                return f"{reason}: {item.root}/curves/{item.profile} (synthetic data)"
    return None


def judge_claim(
    claim: Claim, evidence: Sequence[AnyEvidence], prefer: str | None = None
) -> list[ComparisonVerdict]:
    """Judge every comparison of a claim (none for a claim that cannot be tested here)."""
    return [judge_comparison(claim, c, evidence, prefer) for c in claim.comparisons]


def claim_verdict(claim: Claim, verdicts: Sequence[ComparisonVerdict]) -> tuple[str, str]:
    """Return the claim's verdict and a short account of its comparisons.

    The claim holds when every comparison that ran holds; it is contradicted when any is
    contradicted; cannot be tested here when every comparison that did not run cannot be and
    none ran; not run when none ran; otherwise not resolved. A comparison that cannot be tested
    here does not count as run. The account reads e.g. ``"2 hold"`` or ``"1 holds, 1 not
    resolved, 6 not run"``.
    """
    if claim.untestable is not None:
        return UNTESTABLE, claim.untestable
    counts = {v: sum(1 for cv in verdicts if cv.verdict == v) for v in VERDICTS}
    ran = len(verdicts) - counts[NOT_RUN] - counts[UNTESTABLE]
    parts = [f"{n} {verdict_count(v, n)}" for v, n in counts.items() if n]
    account = ", ".join(parts)
    if ran == 0:
        return (UNTESTABLE if counts[UNTESTABLE] and not counts[NOT_RUN] else NOT_RUN), account
    if counts[CONTRADICTED]:
        return CONTRADICTED, account
    if counts[HOLDS] == ran:
        return HOLDS, account
    return NOT_RESOLVED, account


def evaluate_claims(
    evidence: Sequence[AnyEvidence], prefer: str | None = None, claims: Sequence[Claim] = CLAIMS
) -> list[tuple[Claim, list[ComparisonVerdict]]]:
    """Judge every claim; return (claim, its comparison verdicts) in the registry's order."""
    return [(claim, judge_claim(claim, evidence, prefer)) for claim in claims]


def regimes_of(evidence: Sequence[AnyEvidence]) -> list[Regime]:
    """Return the regimes (:func:`reproduction.spec.profiles.regime_of`) that the evidence
    holds runs or step timings of, in the front page's column order."""
    held = {
        regime_of(item.profile)
        for item in evidence
        if isinstance(item, StepEvidence) or not item.runs.empty
    }
    return sorted(held, key=regime_order)


def evaluate_by_regime(
    evidence: Sequence[AnyEvidence],
    prefer: str | None = None,
    claims: Sequence[Claim] = CLAIMS,
    regimes: Sequence[Regime] | None = None,
) -> dict[Regime, list[tuple[Claim, list[ComparisonVerdict]]]]:
    """Judge every claim once per regime, on the evidence of that regime alone.

    ``regimes`` defaults to :func:`regimes_of` the evidence, and to the default demo's
    regime when the evidence holds none; the verdicts are
    :func:`evaluate_claims`' on the evidence whose profile is in the regime (the learning
    curves of that regime included), preferring ``prefer`` where it is in the regime. A claim
    with no comparison run in a regime is *not run* there.
    """
    chosen = list(regimes) if regimes is not None else regimes_of(evidence)
    if not chosen:
        chosen = [regime_of("demo")]
    out = {}
    for regime in chosen:
        inside = [item for item in evidence if regime_of(item.profile) == regime]
        preferred = prefer if prefer in PROFILES and regime_of(prefer) == regime else None
        out[regime] = evaluate_claims(inside, prefer=preferred, claims=claims)
    return out


def verdict_count(verdict: str, n: int) -> str:
    if verdict == HOLDS:
        return "holds" if n == 1 else "hold"
    return verdict
