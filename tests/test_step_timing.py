"""Step-timing records: their format, and the training-cost verdicts that read them."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from reproduction.analysis import verdicts
from reproduction.pages import verdict_tables
from reproduction.records.results import ResultsError
from reproduction.records.step_timing import (
    STEP_TIMINGS_DIR,
    overhead_table,
    read_step_timings,
    round_differences,
    step_timing_record,
    validate_step_timing,
    write_step_timing,
)
from reproduction.spec.claims import Claim, Comparison

PROVENANCE = {
    "git": {"commit": "abcdef1234567890", "dirty": False},
    "hardware": {"cpu": "Test CPU", "cores": 2, "device": "cpu"},
}


def _record(seconds):
    return step_timing_record(seconds, "demo", 1, 2, PROVENANCE, (2.5, 2.0, 1.5))


def test_a_record_round_trips_and_pairs_rounds(tmp_path):
    record = _record({"a_baseline": [0.20, 0.40, 0.30], "a_var": [0.21, 0.42, 0.30]})
    path = write_step_timing(tmp_path / "t.json", record)
    [(read_path, read)] = read_step_timings(tmp_path)
    assert read_path == path and read == record
    diffs = round_differences(read, "a_baseline", "a_var")
    assert diffs == {0: pytest.approx(5.0), 1: pytest.approx(5.0), 2: pytest.approx(0.0)}
    assert round_differences(read, "a_baseline", "other") == {}
    assert read_step_timings(tmp_path / "none") == []


def test_the_overhead_table_pairs_each_experiment_with_its_baseline():
    record = _record(
        {
            "atss_baseline": [0.20, 0.40, 0.30],
            "atss_concordance_0.3": [0.22, 0.40, 0.33],
            "retinanet_baseline": [0.5, 0.5, 0.5],
        }
    )
    [row] = overhead_table(record).to_dict("records")
    assert (row["baseline"], row["experiment"], row["rounds"]) == (
        "atss_baseline",
        "atss_concordance_0.3",
        3,
    )
    assert row["baseline s/iter"] == pytest.approx(0.30)
    assert row["s/iter"] == pytest.approx(0.33)
    assert row["overhead %"] == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "runs"}, "field 'kind' is 'runs'"),
        ({"seconds": {"a": [0.1, 0.2], "b": [0.1]}}, "same number"),
        ({"seconds": {"a": [0.1, -0.2]}}, r"seconds\.a' holds -0\.2"),
        ({"seconds": {}}, "field 'seconds'"),
    ],
)
def test_a_bad_record_is_refused_naming_the_field(tmp_path, change, message):
    record = {**_record({"a": [0.1, 0.2]}), **change}
    with pytest.raises(ResultsError, match=message):
        validate_step_timing(record, "bad.json")
    (tmp_path / "bad.json").write_text(json.dumps(record))
    with pytest.raises(ResultsError, match="bad.json"):
        read_step_timings(tmp_path)
    assert not list(tmp_path.glob(".*tmp"))
    with pytest.raises(ResultsError):
        write_step_timing(tmp_path / "out.json", record)
    assert not (tmp_path / "out.json").exists()


def _runs(rows):
    return pd.DataFrame(rows, columns=["experiment", "seed", "AP", "s_per_iter"])


def test_the_cost_verdict_prefers_interleaved_steps_to_the_runs_own_timing(tmp_path):
    claim = Claim("cost", "text", "§5.5.3", "overhead")
    cost = Comparison("x", "a_baseline", "a_var", "s_per_iter", "within", margin=5.0)
    ap = Comparison("x", "a_baseline", "a_var", "AP")
    # four seeds trained at different loads: +50 % apart; interleaved steps: about +1 %
    rows = [("a_baseline", s, 10.0, 0.2) for s in range(4)]
    rows += [("a_var", s, 11.0 + 0.1 * s, 0.3) for s in range(4)]
    runs = verdicts.Evidence("demo", "archive", _runs(rows))
    write_step_timing(
        tmp_path / "archive" / STEP_TIMINGS_DIR / "overhead.json",
        _record({"a_baseline": [0.20, 0.30, 0.25], "a_var": [0.202, 0.303, 0.2525]}),
    )
    steps = [
        e
        for e in verdicts.collect_evidence(tmp_path / "results", tmp_path / "archive", ["demo"])
        if e.side_by_side
    ]
    assert len(steps) == 1 and steps[0].label() == "archive/step_timings/overhead.json"

    cv = verdicts.judge_comparison(claim, cost, [runs, *steps], prefer="demo")
    assert cv.evidence is steps[0] and cv.seeds == (0, 1, 2)
    assert cv.effect.mean == pytest.approx(1.0)
    assert cv.verdict == verdicts.HOLDS
    row = verdict_tables.detail_table([(claim, [cv])]).iloc[0]
    assert row["ours [95% CI] (seeds)"].endswith("(n=3 steps)")
    assert row["evidence"] == "archive/step_timings/overhead.json · 3 steps · CPU"
    provenance = verdict_tables.evidence_markdown(steps, "demo")
    assert "30 interleaved" not in provenance and "3 interleaved training steps" in provenance
    assert "load average 2.5 at the start" in provenance

    # without the record the runs decide; other metrics never read the record
    alone = verdicts.judge_comparison(claim, cost, [runs], prefer="demo")
    assert alone.evidence is runs and alone.verdict == verdicts.CONTRADICTED
    on_ap = verdicts.judge_comparison(claim, ap, [runs, *steps], prefer="demo")
    assert on_ap.evidence is runs and on_ap.seeds == (0, 1, 2, 3)


def test_thesis_scale_comparisons_read_only_the_paper_records_of_their_device(tmp_path):
    """A paper-profile record (the thesis's configs) answers only the comparisons that ask
    for the paper profile and its device; the demo's comparisons keep the demo's record."""
    claim = Claim("cost", "text", "§5.5.3", "overhead")
    demo = Comparison("x", "a_baseline", "a_var", "s_per_iter", "within", margin=5.0)
    on_cpu = Comparison(
        "x",
        "a_baseline",
        "a_var",
        "s_per_iter",
        "within",
        margin=5.0,
        profile="paper",
        device="cpu",
    )
    on_gpu = Comparison(
        "x",
        "a_baseline",
        "a_var",
        "s_per_iter",
        "within",
        margin=5.0,
        profile="paper",
        device="cuda",
    )
    steps = {"a_baseline": [10.0, 11.0, 12.0], "a_var": [10.1, 11.1, 12.1]}
    folder = tmp_path / "archive" / STEP_TIMINGS_DIR
    write_step_timing(
        folder / "overhead.json", _record({"a_baseline": [1.0] * 5, "a_var": [2.0] * 5})
    )
    write_step_timing(
        folder / "paper_cpu.json", step_timing_record(steps, "paper", 1, 1, PROVENANCE)
    )
    evidence = verdicts.collect_evidence(tmp_path / "results", tmp_path / "archive")
    demo_cv = verdicts.judge_comparison(claim, demo, evidence, prefer="demo")
    assert demo_cv.evidence.label().endswith("overhead.json") and demo_cv.effect.n == 5
    cpu_cv = verdicts.judge_comparison(claim, on_cpu, evidence, prefer="demo")
    assert cpu_cv.evidence.label().endswith("paper_cpu.json") and cpu_cv.effect.n == 3
    assert cpu_cv.effect.mean == pytest.approx(100 * (10.1 / 10 + 11.1 / 11 + 12.1 / 12) / 3 - 100)
    gpu_cv = verdicts.judge_comparison(claim, on_gpu, evidence, prefer="demo")
    assert gpu_cv.verdict == verdicts.NOT_RUN  # no record timed on a GPU
