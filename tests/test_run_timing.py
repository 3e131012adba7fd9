"""Side-by-side timing of whole ``./run`` invocations: specs, the fresh clone, the records."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from reproduction.records.results import ResultsError, write_json_atomic
from reproduction.records.run_timing import RunSpec, format_table, main, read_timings, time_runs


def test_run_specs_name_profile_settings_and_seeds() -> None:
    spec = RunSpec.parse("demo:seeds=0,1,2,3,4;add=comparisons")
    assert spec.profile == "demo" and spec.seeds == (0, 1, 2, 3, 4)
    assert spec.command() == ["./run", "main", "seeds=0,1,2,3,4", "add=comparisons"]
    from reproduction.spec.plans import plan

    assert RunSpec.parse("demo-v1").seeds == plan("demo-v1").seeds  # the plan's own seeds
    with pytest.raises(ValueError, match="unknown profile 'demo-2'"):
        RunSpec.parse("demo-2")
    with pytest.raises(ValueError, match="setting 'seeds' is not KEY=VALUE"):
        RunSpec.parse("demo:seeds")
    assert main(["--run", "nope", "--out", "x.json"]) == 2


def _fake_repo(tmp_path: Path) -> Path:
    """A git repository whose ``./run`` sleeps, leaves results behind, and fails for smoke."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "run").write_text(
        "#!/usr/bin/env bash\n"
        '[ "$1" = setup ] && { mkdir -p .venv; exit 0; }\n'
        "ls results >/dev/null 2>&1 && { echo 'not a fresh state'; exit 3; }\n"
        'mkdir -p results && echo "$PROFILE $*" > results/ran && sleep 0.2\n'
        '[ "$PROFILE" = smoke ] && exit 1\n'
        "exit 0\n"
    )
    (repo / "run").chmod(0o755)
    for args in (["init", "-q"], ["add", "run"], ["commit", "-qm", "fake"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True
        )
    return repo


def test_time_runs_times_each_run_from_a_fresh_clone(tmp_path: Path) -> None:
    repo = _fake_repo(tmp_path)
    specs = [RunSpec.parse("demo:seeds=0,1,2"), RunSpec.parse("smoke"), RunSpec.parse("demo-v1")]
    record = time_runs(specs, repo=repo)
    demo, smoke, v1 = record["runs"]
    # each started from a fresh state (the fake ./run refuses to find results left over)
    assert demo["rc"] == 0 and v1["rc"] == 0 and smoke["rc"] == 1
    assert 0.2 <= demo["wall_s"] < 30 and demo["seeds"] == [0, 1, 2]
    assert demo["settings"] == ["seeds=0,1,2"]
    assert len(record["commit"]) == 40 and "hardware" in record["provenance"]
    table = format_table(record).splitlines()
    assert table[0].split()[:3] == ["profile", "seeds", "wall"] and len(table) == 4
    assert table[-1].split()[-2] == "1.00"  # the last run is the reference

    out = tmp_path / "timings"
    write_json_atomic(out / "one.json", record)
    runs = read_timings(out)
    assert [r["profile"] for r in runs] == ["demo", "demo-v1"]  # the failed run does not count
    assert {r["record"] for r in runs} == {"one.json"} and runs[0]["recorded"]


def test_read_timings_names_a_bad_file_and_field(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"runs": [{"profile": "demo", "rc": 0}]}))
    with pytest.raises(ResultsError, match=r"a\.json: required field 'runs\[0\]\.seeds'"):
        read_timings(tmp_path)
    (tmp_path / "a.json").write_text(json.dumps({"run": []}))
    with pytest.raises(ResultsError, match=r"a\.json: field 'runs' is missing"):
        read_timings(tmp_path)
    (tmp_path / "a.json").write_text("{")
    with pytest.raises(ResultsError, match=r"a\.json: malformed JSON"):
        read_timings(tmp_path)
    assert read_timings(tmp_path / "none") == []
