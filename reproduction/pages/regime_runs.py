"""The regime runs: which profiles and pairs the regime pages read, how they load them, and
what their runs cost.

Both regime pages (``notebooks/ap_per_iou.ipynb``: :mod:`reproduction.pages.iou_page`;
``notebooks/regimes.ipynb``: :mod:`reproduction.pages.regime_pages`) and the protocol page's
cost table read runs through this module: a profile's results records from the local runs or
the committed archive, whichever holds more runs
(:func:`reproduction.records.archive.best_records`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reproduction.analysis.stats import Interval
from reproduction.records.archive import best_records
from reproduction.records.provenance_text import commit_of, hardware_line, parameters_markdown
from reproduction.spec.experiments import pairs_among
from reproduction.spec.labels import reader_label
from reproduction.spec.plans import REGIME_PAIR
from reproduction.spec.profiles import (
    DEMO_ITERS,
    PRETRAINED_PROFILE,
    TRAINING_LENGTHS,
    data_label,
    training_length_profile,
)

PAIR: tuple[str, str] = REGIME_PAIR
"""The pair every regime profile runs (:data:`reproduction.spec.plans.REGIME_PAIR`): ATSS with
and without Concordance Loss (λ = 0.3)."""


START_PROFILES: dict[str, str] = {"random weights": "demo", "pretrained": PRETRAINED_PROFILE}
"""The two starts the start comparison shows, by label → profile."""


REGIME_PROFILES: tuple[str, ...] = (
    *(training_length_profile(n) for n in TRAINING_LENGTHS if n != DEMO_ITERS),
    PRETRAINED_PROFILE,
)
"""The profiles the regime pages add to the default demo (its other training lengths and its
pretrained start), whose cost the protocol page lists."""


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


def row_interval(row: Mapping) -> Interval:
    """Return an effect row (:data:`reproduction.analysis.regimes.EFFECT_COLUMNS`) as an
    :class:`reproduction.analysis.stats.Interval` (no bound where the row has none)."""
    low, high = row["low"], row["high"]
    return Interval(
        float(row["effect"]),
        None if pd.isna(low) else float(low),
        None if pd.isna(high) else float(high),
        int(row["n"]),
    )


def effect_text(row: Mapping) -> str:
    """Return an effect row (:data:`reproduction.analysis.regimes.EFFECT_COLUMNS`) as
    ``"+1.2 [+0.3, +2.1]"`` (``"+1.2 (n=1)"`` with one seed), in points."""
    return row_interval(row).format(1, signed=True)


EFFECT_LABELS: dict[str, str] = {
    "AP": "Δ AP",
    "AP50": "Δ AP50",
    "AP75": "Δ AP75",
    "beta_cls": "Δ β_cls",
    "oLRP": "Δ oLRP (lower is better)",
}
"""A metric's effect as a table column names it."""


def metric_cells(group: pd.DataFrame, metrics: Sequence[str]) -> dict[str, str]:
    """Return column (:data:`EFFECT_LABELS`) → :func:`effect_text` of each of ``metrics``
    among the effect rows of ``group`` (one row per metric), "—" for a metric it lacks."""
    by_metric = {row["metric"]: row for _, row in group.iterrows()}
    return {EFFECT_LABELS[m]: effect_text(by_metric[m]) if m in by_metric else "—" for m in metrics}


def profile_pairs(runs: Loaded) -> list[tuple[str, str]]:
    """Return the baseline / Correlation-Loss pairs among a profile's experiments, in record
    order."""
    return pairs_among(dict.fromkeys(r["experiment"]["id"] for r in runs.records))


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
        for pair in profile_pairs(loaded) if pairs is None else pairs:
            records = [r for r in loaded.records if r["experiment"]["id"] in pair]
            if records:
                rows.append(
                    {
                        "setting": reader_label(profile=name),
                        "pair": reader_label(pair=pair),
                        **_cost(records),
                    }
                )
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


def runs_markdown(loaded: Sequence[Loaded]) -> str:
    """Return one Markdown list item per profile of ``loaded``: its data, source, experiments
    and seeds, git commits and hardware (an item saying so when there is none)."""
    if not loaded:
        return "- No results files of these settings yet, local or committed."
    lines = []
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


def provenance_markdown(loaded: Sequence[Loaded], *, parameters: Mapping[str, object]) -> str:
    """Return the provenance block of a page that reads several profiles: the parameters, then
    :func:`runs_markdown` of the profiles."""
    return "\n".join(["**Provenance**", "", parameters_markdown(parameters), runs_markdown(loaded)])


__all__ = [
    "EFFECT_LABELS",
    "Cache",
    "Loaded",
    "PAIR",
    "REGIME_PROFILES",
    "START_PROFILES",
    "by_length",
    "by_start",
    "cost_table",
    "effect_text",
    "load",
    "loaded_with_runs",
    "metric_cells",
    "profile_pairs",
    "provenance_markdown",
    "row_interval",
    "runs_markdown",
]
