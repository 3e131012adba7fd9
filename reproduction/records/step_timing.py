"""Interleaved training-step timings: the record a side-by-side benchmark writes
(``benchmarks/bench_overhead.py --out``) and the paired per-round differences that the
training-cost verdicts (§5.5.3) read.

A record holds, per experiment, the wall seconds of each timed training step
(``model.train_step``: forward, backward, optimiser). Round *k* ran step *k* of every
experiment one after the other on the same preloaded batch, so a change of machine load hits
every experiment of a round alike; the relative cost of two experiments is therefore taken
round by round (paired), as the effects of paired seeds are taken seed by seed. Runs trained
at different times under different loads are not compared this way.

A record, e.g. ``archive/step_timings/overhead.json``::

    {"schema": 1, "kind": "training_steps", "profile": "demo", "threads": 1, "warmup": 2,
     "load_average": [2.1, 2.0, 1.9],
     "provenance": {"git": ..., "hardware": ..., "created_utc": ...},
     "seconds": {"atss_baseline": [0.21, 0.20, ...], "atss_concordance_0.3": [...], ...}}
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from reproduction.records.results import ResultsError, read_json_object, write_json_atomic
from reproduction.spec.experiments import pairs_among

STEP_TIMINGS_DIR = "step_timings"
"""Where step-timing records live under ``archive/`` (committed) or ``results/`` (local)."""

KIND = "training_steps"
SCHEMA = 1


def step_timing_record(
    seconds: Mapping[str, Sequence[float]],
    profile: str,
    threads: int,
    warmup: int,
    provenance: dict[str, Any],
    load_average: Sequence[float] | None = None,
    images_per_step: int | None = None,
    loss_implementation: str | None = None,
) -> dict[str, Any]:
    """Return a validated record of per-round step seconds (see the module docstring).

    ``seconds``: experiment id → the seconds of its timed steps, one per round, in round
    order (every experiment the same number of rounds). ``load_average``: the machine's 1-,
    5- and 15-minute load averages when the timing began (other jobs running beside it), or
    None. ``images_per_step``: the images of each timed step where they differ from the
    profile's batch (the paper profile timed on one device), or None.
    ``loss_implementation``: which implementation of the loss path ran
    (:data:`corrlib.losses.LOSS_PATH`); a record without it ran the one before the loss path
    became sync-free. ResultsError (a ValueError) names what is wrong.
    """
    record = {
        "schema": SCHEMA,
        "kind": KIND,
        "profile": profile,
        "threads": int(threads),
        "warmup": int(warmup),
        "provenance": provenance,
        "seconds": {exp: [float(s) for s in values] for exp, values in seconds.items()},
        "load_average": None if load_average is None else [float(x) for x in load_average],
    }
    if images_per_step is not None:
        record["images_per_step"] = int(images_per_step)
    if loss_implementation is not None:
        record["loss_implementation"] = str(loss_implementation)
    return validate_step_timing(record)


LEGACY_IMPLEMENTATION = "positives selected on the device (before the sync-free loss path)"
"""What a record without ``loss_implementation`` ran: the loss path that selected positives
with ``nonzero`` and checked values with host reads, every step."""


def loss_implementation(record: dict[str, Any]) -> str:
    """Return which implementation of the loss path a record timed, in words."""
    return record.get("loss_implementation") or LEGACY_IMPLEMENTATION


def validate_step_timing(record: dict[str, Any], source: str = "<record>") -> dict[str, Any]:
    """Return ``record`` if it is a step-timing record; ResultsError names the field and value."""
    if record.get("kind") != KIND:
        raise ResultsError(f"{source}: field 'kind' is {record.get('kind')!r}, expected {KIND!r}")
    if record.get("schema") != SCHEMA:
        raise ResultsError(
            f"{source}: field 'schema' is {record.get('schema')!r}, expected {SCHEMA}"
        )
    for field in ("profile", "threads", "provenance"):
        if field not in record:
            raise ResultsError(f"{source}: required field '{field}' is missing")
    seconds = record.get("seconds")
    if not isinstance(seconds, dict) or not seconds:
        raise ResultsError(f"{source}: field 'seconds' is missing or not a non-empty object")
    rounds = {len(v) if isinstance(v, list) else -1 for v in seconds.values()}
    if len(rounds) != 1 or min(rounds) < 1:
        raise ResultsError(
            f"{source}: field 'seconds' must give every experiment the same number (≥ 1) of "
            f"rounds, got {sorted(rounds)}"
        )
    for exp, values in seconds.items():
        bad = [v for v in values if not isinstance(v, (int, float)) or v <= 0]
        if bad:
            raise ResultsError(f"{source}: field 'seconds.{exp}' holds {bad[0]!r}, not seconds > 0")
    return record


def write_step_timing(path: Path, record: dict[str, Any]) -> Path:
    """Validate ``record`` and write it atomically to ``path``; return the path."""
    return write_json_atomic(Path(path), validate_step_timing(record, source=str(path)))


def read_step_timings(directory: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Return (path, record) of every step-timing record in ``directory`` (``*.json``), by
    name; none when the directory does not exist. ResultsError names a file that is not one."""
    return [
        (path, validate_step_timing(read_json_object(path, kind="step timing"), str(path)))
        for path in sorted(Path(directory).glob("*.json"))
    ]


def scale_label(record: dict[str, Any]) -> str:
    """What a record timed, in words: the profile's configs and their inputs (the paper
    profile's at the thesis's scale on synthetic images, with the images of each step)."""
    if record["profile"] == "paper":
        per_step = record.get("images_per_step")
        images = f"{per_step} image(s) per step" if per_step else "the thesis's images per GPU"
        return (
            "the paper configs at the thesis's scale (ResNet-50-FPN, 1333×800; YOLACT 550×550), "
            f"{images}, synthetic images with random boxes"
        )
    return f"profile `{record['profile']}`, synthetic data"


def round_differences(record: dict[str, Any], reference: str, treatment: str) -> dict[int, float]:
    """Return round → 100 · (treatment's step seconds / reference's − 1) (%), or {} when the
    record lacks either experiment."""
    seconds = record["seconds"]
    if reference not in seconds or treatment not in seconds:
        return {}
    pairs = zip(seconds[reference], seconds[treatment], strict=True)
    return {k: 100.0 * (t / r - 1.0) for k, (r, t) in enumerate(pairs)}


def overhead_table(record: dict[str, Any]) -> pd.DataFrame:
    """Return one row per baseline / Correlation-Loss pair of a record
    (:func:`reproduction.spec.experiments.pairs_among`): ``baseline`` and ``experiment`` ids,
    their median step seconds (``baseline s/iter``, ``s/iter``), ``overhead %`` (the median
    over rounds of 100 · (s / baseline s − 1), paired by round) and ``rounds``."""
    seconds = record["seconds"]
    rows = []
    for base, corr in pairs_among(seconds):
        diffs = round_differences(record, base, corr)
        rows.append(
            {
                "baseline": base,
                "experiment": corr,
                "baseline s/iter": statistics.median(seconds[base]),
                "s/iter": statistics.median(seconds[corr]),
                "overhead %": statistics.median(diffs.values()),
                "rounds": len(diffs),
            }
        )
    return pd.DataFrame(
        rows,
        columns=["baseline", "experiment", "baseline s/iter", "s/iter", "overhead %", "rounds"],
    )


__all__ = [
    "STEP_TIMINGS_DIR",
    "overhead_table",
    "read_step_timings",
    "round_differences",
    "scale_label",
    "step_timing_record",
    "validate_step_timing",
    "write_step_timing",
]
