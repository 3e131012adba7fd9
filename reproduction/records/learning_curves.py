"""Learning curves: a method's validation AP along one longer demo schedule.

A comparison says nothing when its baseline does not learn in the profile's schedule (RS Loss
and DETR at the demo's 600 iterations). A learning curve trains such a method once, for a
longer schedule (the demo's shape, stretched: warm-up and steps scale with it), evaluating on
the validation split every ``every`` iterations, and records AP and AP50 at each evaluation.
The first evaluation at which AP reaches :data:`LEARNS_AP` says which schedule would make the
method's comparisons worth running; a curve that never reaches it shows that no schedule up to
its length does, which is what the verdicts then say (:func:`not_learning_reason`).

Curve records live beside results files, under ``<root>/curves/<profile>/<experiment>/
seed<k>.json`` (:data:`reproduction.spec.paths.CURVE_FILE`), and are archived the same way.

This module reads and judges curves (no torch, no mmdet); :mod:`reproduction.running.train_curve`
trains one and writes its record::

    python -m reproduction.running.train_curve atss_rs_baseline --profile demo --max-iters 2400 \
        --every 300
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reproduction.records.provenance_text import commit_of, hardware_line, parameters_markdown
from reproduction.records.results import read_json_object
from reproduction.spec import paths
from reproduction.spec.profiles import data_label

LEARNS_AP = 5.0
"""AP (%) from which a method counts as learning: below it, its comparisons say nothing."""

CURVE_SCHEMA = 1
"""Version of the curve record's layout."""

_AP_KEY, _AP50_KEY = "coco/bbox_mAP", "coco/bbox_mAP_50"
"""mmdet's CocoMetric entries in mmengine's ``scalars.json`` (fractions of 1)."""


class CurveError(ValueError):
    """A curve record or log is missing, malformed or lacks a field; the message names which."""


@dataclass(frozen=True)
class CurvePoint:
    """One validation of a learning curve: AP and AP50 (%) after ``iteration`` iterations."""

    iteration: int
    AP: float
    AP50: float


def read_points(work_dir: str | Path, every: int | None = None) -> list[CurvePoint]:
    """Return the validations logged in a work dir's ``*/vis_data/scalars.json``, by iteration.

    An evaluation's iteration is its logged step where mmengine logs it by iteration
    (``log_metric_by_epoch=False``, which :func:`reproduction.running.config_builder.build_config`
    sets
    with ``val_interval``); where it logs the epoch instead (0 in an iteration loop), it is the
    step of the last training entry logged before it, rounded up to a multiple of ``every``
    (the evaluation interval, when given: evaluations run at its multiples). A run resumed in
    a second log directory contributes its evaluations too; an iteration evaluated twice keeps
    the later log's. An evaluation at which the model detected nothing (mmdet then logs no
    metric, only its timing) counts as AP 0. CurveError when the work dir has no evaluation.
    """
    work = Path(work_dir)
    found: dict[int, CurvePoint] = {}
    for log in sorted(work.glob("*/vis_data/scalars.json")):
        last_train = 0
        for number, line in enumerate(log.read_text().splitlines(), start=1):
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as err:
                raise CurveError(f"{log}: line {number} is not JSON ({err.msg})") from err
            step = int(entry.get("step", 0))
            if "loss" in entry or "lr" in entry:
                last_train = step
            elif "step" in entry:  # an evaluation: its metrics, or none if nothing was detected
                iteration = step if step >= last_train and step > 0 else last_train
                if iteration == last_train and every:
                    iteration = -(-last_train // every) * every
                found[iteration] = CurvePoint(
                    iteration,
                    100.0 * float(entry.get(_AP_KEY, 0.0)),
                    100.0 * float(entry.get(_AP50_KEY, 0.0)),
                )
    if not found:
        raise CurveError(f"{work}: no validation ({_AP_KEY}) in any */vis_data/scalars.json")
    return [found[k] for k in sorted(found)]


def first_learning(points: Sequence[CurvePoint], threshold: float = LEARNS_AP) -> int | None:
    """Return the first iteration whose AP (%) reaches ``threshold``; None if none does."""
    return next((p.iteration for p in points if p.AP >= threshold), None)


def curve_record(
    experiment: str,
    profile: str,
    seed: int,
    every: int,
    points: Sequence[CurvePoint],
    training: dict[str, Any],
    provenance: dict[str, Any],
) -> dict[str, Any]:
    """Return the record of one curve: ``{"schema", "experiment", "profile", "seed",
    "every" (iterations between evaluations), "points": [{"iteration", "AP", "AP50"} (%)],
    "learns_at" (first iteration with AP ≥ LEARNS_AP, or None), "threshold_AP",
    "training" (iterations, seconds_per_iter, wall_s), "provenance"}``."""
    return {
        "schema": CURVE_SCHEMA,
        "experiment": experiment,
        "profile": profile,
        "seed": seed,
        "every": every,
        "points": [{"iteration": p.iteration, "AP": p.AP, "AP50": p.AP50} for p in points],
        "learns_at": first_learning(points),
        "threshold_AP": LEARNS_AP,
        "training": training,
        "provenance": provenance,
    }


def curve_path(root: str | Path, profile: str, experiment: str, seed: int) -> Path:
    """Return ``<root>/curves/<profile>/<experiment>/seed<k>.json``."""
    return Path(root) / paths.CURVE_FILE.format(profile=profile, experiment=experiment, seed=seed)


def read_curve(path: str | Path) -> dict[str, Any]:
    """Return one curve record; CurveError names the file and the missing or bad field."""
    record = read_json_object(Path(path), CurveError, "curve")
    if record.get("schema") != CURVE_SCHEMA:
        raise CurveError(f"{path}: field 'schema' is not {CURVE_SCHEMA}")
    for name in ("experiment", "profile", "seed", "points", "training"):
        if name not in record:
            raise CurveError(f"{path}: required field '{name}' is missing")
    for i, point in enumerate(record["points"]):
        for name in ("iteration", "AP", "AP50"):
            if not isinstance(point, dict) or not isinstance(point.get(name), (int, float)):
                raise CurveError(f"{path}: points[{i}].{name} is missing or not a number")
    return record


def iter_curves(root: str | Path, profile: str) -> list[dict[str, Any]]:
    """Return every curve record of a profile under a root, by experiment id, then seed."""
    base = Path(root) / paths.CURVES_DIR / profile
    return [read_curve(p) for p in sorted(base.glob("*/seed*.json"))]


def load_curves(roots: Iterable[str | Path], profile: str) -> dict[str, list[dict[str, Any]]]:
    """Return experiment id → its curve records (one per seed) of a profile.

    ``roots`` are searched in order (e.g. the local results root, then the archive); a seed
    found in an earlier root hides the same seed in a later one.
    """
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for root in roots:
        for record in iter_curves(root, profile):
            found.setdefault((record["experiment"], int(record["seed"])), record)
    out: dict[str, list[dict[str, Any]]] = {}
    for (experiment, _seed), record in sorted(found.items()):
        out.setdefault(experiment, []).append(record)
    return out


def not_learning_reason(
    experiments: Iterable[str], curves: dict[str, list[dict[str, Any]]]
) -> str | None:
    """Return why a comparison of these experiments cannot be tested, or None.

    An experiment "does not learn" when it has curves and none reaches :data:`LEARNS_AP` (%)
    by its last evaluation. The reason names the experiment, its best AP and the schedule
    measured, e.g. ``"detr_baseline stays under AP 5 % through 4800 iterations (best AP 0.4 %
    at 4800; learning curve, seed 0)"``.
    """
    for experiment in experiments:
        records = curves.get(experiment) or []
        if not records or any(r.get("learns_at") is not None for r in records):
            continue
        best = max((p for r in records for p in r["points"]), key=lambda p: p["AP"])
        length = max(int(r["training"].get("iterations") or 0) for r in records)
        seeds = ", ".join(str(r["seed"]) for r in records)
        return (
            f"{experiment} stays under AP {LEARNS_AP:g} % through {length} iterations "
            f"(best AP {best['AP']:.1f} % at {best['iteration']}; learning curve, "
            f"seed {seeds})"
        )
    return None


def not_learning_markdown(
    curves: dict[str, list[dict[str, Any]]], experiments: Iterable[str] | None = None
) -> str | None:
    """Return a note (Markdown) naming the experiments whose curves never reach
    :data:`LEARNS_AP`, with their reasons and a link to the learning-curves page; None when
    every curve (of ``experiments``, default all) learns or there is none."""
    wanted = None if experiments is None else set(experiments)
    reasons = [
        not_learning_reason([experiment], curves)
        for experiment in curves
        if wanted is None or experiment in wanted
    ]
    reasons = [r for r in reasons if r is not None]
    if not reasons:
        return None
    lines = [
        "> **Does not learn here:** a row of these methods says nothing about Correlation Loss "
        "in this profile ([learning curves](learning_curves.ipynb)):"
    ]
    lines += [f"> - {r}" for r in reasons]
    return "\n".join(lines)


def finding(record: dict[str, Any]) -> str:
    """Return what one curve shows, e.g. ``"learns: AP ≥ 5 % from iteration 300"`` or
    ``"does not learn: best AP 0.4 % through 4800 iterations"``."""
    if record.get("learns_at") is not None:
        return f"learns: AP ≥ {LEARNS_AP:g} % from iteration {record['learns_at']}"
    best = max(p["AP"] for p in record["points"])
    length = record["training"].get("iterations")
    return f"does not learn: best AP {best:.1f} % through {length} iterations"


def curves_frame(curves: dict[str, list[dict[str, Any]]]) -> pd.DataFrame:
    """Return one row per evaluation: experiment, seed, iteration, AP, AP50 (%)."""
    rows = [
        {"experiment": exp, "seed": int(r["seed"]), **p}
        for exp, records in curves.items()
        for r in records
        for p in r["points"]
    ]
    return pd.DataFrame(rows, columns=["experiment", "seed", "iteration", "AP", "AP50"])


def curves_table(curves: dict[str, list[dict[str, Any]]]) -> pd.DataFrame:
    """Return one row per curve: experiment, seed, schedule (iterations), every (iterations
    between evaluations), final AP (%), best AP (%), finding (:func:`finding`), s/iter
    (median s per training iteration), training (min, wall time of the run), machine."""
    rows = []
    for experiment, records in curves.items():
        for r in records:
            training = r["training"]
            wall = training.get("wall_s")
            rows.append(
                {
                    "experiment": experiment,
                    "seed": int(r["seed"]),
                    "schedule": training.get("iterations"),
                    "every": r.get("every"),
                    "final AP": r["points"][-1]["AP"],
                    "best AP": max(p["AP"] for p in r["points"]),
                    "finding": finding(r),
                    "s/iter": training.get("seconds_per_iter"),
                    "training (min)": None if wall is None else wall / 60.0,
                    "machine": hardware_line(r),
                }
            )
    return pd.DataFrame(rows)


def provenance_markdown(
    curves: dict[str, list[dict[str, Any]]], profile: str, *, parameters: dict[str, object]
) -> str:
    """Return the learning-curves page's provenance block (Markdown): data, parameters,
    curves and seeds, git commits and machines of the curve records."""
    records = [r for rs in curves.values() for r in rs]
    lines = [
        "**Provenance**",
        "",
        f"- Data: {data_label(profile)}",
        parameters_markdown(parameters),
    ]
    if not records:
        lines.append("- No learning curves for this profile yet.")
        return "\n".join(lines)
    seeds = ", ".join(str(s) for s in sorted({int(r["seed"]) for r in records}))
    lines.append(f"- Curves: {len(records)} ({len(curves)} experiments; seeds {seeds})")
    lines.append(f"- Git commit(s): {', '.join(sorted({commit_of(r) for r in records}))}")
    lines.append(f"- Hardware: {'; '.join(sorted({hardware_line(r) for r in records}))}")
    return "\n".join(lines)
