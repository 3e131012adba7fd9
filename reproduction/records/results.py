"""Results files: one JSON per (profile, experiment, seed), written atomically, read with checks.

A results file is what the evaluate notebook writes and every table notebook reads
(``results/<profile>/<experiment>/seed<k>.json``). Metric values are fractions (AP 0.412 means
41.2 %); β values lie in [−1, 1]; times are seconds. Standard library only.

Schema (version 1)::

    {
      "schema": 1,
      "experiment": {"id", "detector", "kind", "loss_weight", "gradient",
                     "rank_scale", "reduction", "moments"},   # the last three: files
                                                             # without them ran the thesis's;
                                                             # "reduction" holds the loss's
                                                             # grouping (its schema-1 name)
      "profile": "demo", "seed": 0,
      "dataset": {"name", "synthetic": bool, "n_val_images"},
      "metrics": {"AP", "AP50", "AP75", "APs", "APm", "APl",
                  "oLRP", "oLRP_Loc", "oLRP_FP", "oLRP_FN",
                  "beta_cls", "beta_cls_classes", "beta_img", "beta_img_images",
                  "class_bounds": {"upper": {...AP family}, "lower": {...}},
                  "image_bounds": {"upper": {...}, "lower": {...}} or null,
                  "per_class_AP": {"<category name>": AP},
                  "AP_per_iou": {"0.50": AP, ..., "0.95": AP}},   # files without it
                                                             # predate it: AP50/AP75 only
      "training": {"iterations", "seconds_per_iter", "wall_s"},
      "provenance": {...}   # reproduction.records.provenance.collect(); for a run evaluated again,
                            # "trained": the provenance of its training
    }
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from reproduction.spec.paths import results_file

SCHEMA_VERSION = 1
_RESULTS_NAME = re.compile(r"seed\d+\.json")
REQUIRED: dict[str, tuple[str, ...]] = {
    "": ("schema", "experiment", "profile", "seed", "dataset", "metrics", "training"),
    "experiment": ("id", "detector", "kind", "loss_weight"),
    "metrics": ("AP", "AP50", "AP75", "beta_cls", "beta_img"),
}


class ResultsError(ValueError):
    """A results file is missing, malformed, or lacks a field; the message names which."""


def dataset_key(record: Mapping[str, Any]) -> str:
    """Return the dataset a results record was evaluated on, as "<name> (<n> val images)"
    ("?" for a part the record lacks): two records with the same key were evaluated on the
    same data."""
    data = record.get("dataset") or {}
    return f"{data.get('name', '?')} ({data.get('n_val_images', '?')} val images)"


def results_path(results_root: Path, profile: str, experiment_id: str, seed: int) -> Path:
    """Return where the results of one run live: ``<root>/<profile>/<experiment>/seed<k>.json``
    (:data:`reproduction.spec.paths.RESULTS_FILE`)."""
    return results_file(results_root, profile, experiment_id, seed)


def write_json_atomic(path: Path, data: Any) -> Path:
    """Write ``data`` as JSON to ``path`` through a temporary file and a rename; return path.

    NaN and ±Inf are refused (``allow_nan=False``) so every file is strict JSON: write None
    for an undefined value.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2, sort_keys=True, allow_nan=False)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def clean_floats(value: Any) -> Any:
    """Return ``value`` with NaN / ±Inf floats (also inside dicts and lists) replaced by None."""
    if isinstance(value, float):
        return None if not math.isfinite(value) else value
    if isinstance(value, dict):
        return {k: clean_floats(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_floats(v) for v in value]
    return value


def write_results(path: Path, record: dict[str, Any]) -> Path:
    """Validate ``record`` against the schema, then write it atomically; return the path."""
    record = clean_floats({"schema": SCHEMA_VERSION, **record})
    validate(record, source=str(path))
    return write_json_atomic(path, record)


def validate(record: dict[str, Any], source: str = "<record>") -> dict[str, Any]:
    """Return ``record`` if it has every required field, else raise ResultsError naming it."""
    if record.get("schema") != SCHEMA_VERSION:
        raise ResultsError(
            f"{source}: field 'schema' is {record.get('schema')!r}, expected {SCHEMA_VERSION}"
        )
    for section, fields in REQUIRED.items():
        where = record if not section else record.get(section)
        if not isinstance(where, dict):
            raise ResultsError(f"{source}: field '{section}' is missing or not an object")
        for field in fields:
            if field not in where:
                name = f"{section}.{field}" if section else field
                raise ResultsError(f"{source}: required field '{name}' is missing")
    return record


def read_json_object(
    path: Path, error: type[ValueError] = ResultsError, kind: str = "results"
) -> dict[str, Any]:
    """Return the JSON object in a file; ``error`` names the file and what is wrong with it
    (missing, malformed at a line, or not an object). ``kind`` names the file in the message
    ("no such results file"; an empty kind: "no such file")."""
    path = Path(path)
    try:
        record = json.loads(path.read_text())
    except FileNotFoundError as err:
        what = f"{kind} file" if kind else "file"
        raise error(f"{path}: no such {what}") from err
    except json.JSONDecodeError as err:
        raise error(f"{path}: malformed JSON at line {err.lineno}: {err.msg}") from err
    if not isinstance(record, dict):
        raise error(f"{path}: top level is {type(record).__name__}, expected an object")
    return record


def read_results(path: Path) -> dict[str, Any]:
    """Return one validated results record; ResultsError names the file and the problem."""
    return validate(read_json_object(path), source=str(path))


def results_files(results_root: Path, profile: str) -> list[Path]:
    """Return the results files of a profile under a root (sorted by experiment id, then
    seed), leaving out the kept detections (``seed<k>.detections.json``) beside them."""
    base = Path(results_root) / profile
    return [p for p in sorted(base.glob("*/seed*.json")) if _RESULTS_NAME.fullmatch(p.name)]


def iter_results(results_root: Path, profile: str) -> Iterator[dict[str, Any]]:
    """Yield every results record of a profile (sorted by experiment id, then seed)."""
    for path in results_files(results_root, profile):
        yield read_results(path)
