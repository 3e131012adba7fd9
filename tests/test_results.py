"""Results files: schema checks, atomic writes, strict JSON, clear errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from reproduction.records.results import (
    ResultsError,
    iter_results,
    read_results,
    results_path,
    write_results,
)


def make_record(experiment: str = "atss_baseline", seed: int = 0, ap: float = 0.3) -> dict:
    """A minimal valid results record (fractions)."""
    return {
        "experiment": {"id": experiment, "detector": experiment.split("_")[0], "kind": None,
                       "loss_weight": 0.0, "gradient": "classifier"},
        "profile": "smoke",
        "seed": seed,
        "dataset": {"name": "smoke", "synthetic": True, "n_val_images": 8},
        "metrics": {"AP": ap, "AP50": 0.5, "AP75": 0.25, "beta_cls": 0.4, "beta_img": 0.3},
        "training": {"iterations": 2, "seconds_per_iter": 0.4, "wall_s": 1.0},
    }  # fmt: skip


def test_round_trip_and_layout(tmp_path: Path) -> None:
    path = results_path(tmp_path, "smoke", "atss_baseline", 3)
    assert path == tmp_path / "smoke" / "atss_baseline" / "seed3.json"
    write_results(path, make_record(seed=3))
    record = read_results(path)
    assert record["schema"] == 1 and record["seed"] == 3 and record["metrics"]["AP"] == 0.3
    assert [p.name for p in path.parent.iterdir()] == ["seed3.json"]  # no temporary left


def test_nan_becomes_null_and_file_is_strict_json(tmp_path: Path) -> None:
    record = make_record()
    record["metrics"]["beta_img"] = math.nan
    record["metrics"]["nested"] = {"x": [1.0, math.inf]}
    path = write_results(tmp_path / "r.json", record)
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    loaded = json.loads(text)
    assert loaded["metrics"]["beta_img"] is None
    assert loaded["metrics"]["nested"]["x"] == [1.0, None]


@pytest.mark.parametrize(
    ("section", "field", "message"),
    [
        ("metrics", "AP75", "required field 'metrics.AP75' is missing"),
        ("experiment", "id", "required field 'experiment.id' is missing"),
        ("", "seed", "required field 'seed' is missing"),
    ],
)
def test_missing_field_is_named_and_nothing_written(
    tmp_path: Path, section: str, field: str, message: str
) -> None:
    record = make_record()
    del (record[section] if section else record)[field]
    with pytest.raises(ResultsError, match=message):
        write_results(tmp_path / "r.json", record)
    assert list(tmp_path.iterdir()) == []


def test_malformed_and_missing_files_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": 1,\n  "seed": }')
    with pytest.raises(ResultsError, match=r"bad.json: malformed JSON at line 2"):
        read_results(bad)
    with pytest.raises(ResultsError, match="no such results file"):
        read_results(tmp_path / "absent.json")


def test_iter_results_sorted(tmp_path: Path) -> None:
    for experiment, seed in [("b_exp", 1), ("a_exp", 0), ("b_exp", 0)]:
        write_results(results_path(tmp_path, "smoke", experiment, seed),
                      make_record(experiment, seed))  # fmt: skip
    side_file = results_path(tmp_path, "smoke", "a_exp", 0).with_name("seed0.detections.json")
    side_file.write_text("{}")  # detections kept beside a results file are not results
    order = [(r["experiment"]["id"], r["seed"]) for r in iter_results(tmp_path, "smoke")]
    assert order == [("a_exp", 0), ("b_exp", 0), ("b_exp", 1)]
