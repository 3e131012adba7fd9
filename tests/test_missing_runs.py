"""The runs the claims still lack: which, in what order, and what each is estimated to cost."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reproduction.analysis.missing_runs import (
    TABLE_COLUMNS,
    claims_from,
    main,
    missing_runs,
    missing_table,
    run_minutes,
    total_minutes,
)
from reproduction.analysis.verdicts import Evidence
from reproduction.records.results import results_path, write_results
from reproduction.records.run_table import load_runs
from reproduction.spec.claims import CLAIMS, Claim, Comparison
from reproduction.spec.experiments import experiment_ids


def _runs(rows: list[tuple[str, int, float, int, float]], profile: str = "demo") -> pd.DataFrame:
    """A runs frame of (experiment, seed, s/iter, iterations, evaluation s) rows, AP 30 %."""
    columns = ["experiment", "seed", "s_per_iter", "iterations", "evaluation_s"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["profile"] = profile
    frame["AP"] = 30.0
    return frame


def _evidence(
    runs: pd.DataFrame, source: str = "archive", curves: dict | None = None, **kw
) -> Evidence:
    """One evidence set of ``runs`` (their profile's), with learning curves."""
    profile = runs["profile"].iloc[0] if not runs.empty else "demo"
    return Evidence(profile, source, runs, curves=curves or {}, **kw)


def _claim(source: str, *comparisons: Comparison) -> Claim:
    return Claim(source.lower(), f"claim of {source}", source, "page", comparisons)


CONC = Comparison("ATSS, concordance 0.3", "atss_baseline", "atss_concordance_0.3", "AP")
SPEAR = Comparison("ATSS, Spearman 0.3", "atss_baseline", "atss_spearman_0.3", "AP")
TIMED = Comparison(
    "RetinaNet cost", "retinanet_baseline", "retinanet_spearman_0.1", "s_per_iter", "within"
)
DETR = Comparison("DETR bound", "detr_baseline", "detr_baseline", "image_AP_upper")
NOT_LEARNING = {
    "detr_baseline": [
        {
            "seed": 0,
            "learns_at": None,
            "points": [{"iteration": 600, "AP": 0.4}],
            "training": {"iterations": 600},
        }
    ]
}


def test_missing_runs_are_listed_once_by_claim_then_seed_with_each_pair_together():
    claims = (_claim("Table A", CONC, TIMED), _claim("Table B", SPEAR, DETR))
    runs = _runs([("atss_baseline", 0, 2.0, 60, 30.0)])
    missing = missing_runs([_evidence(runs, curves=NOT_LEARNING)], "demo", [0, 1], claims)
    assert [(m.experiment, m.seed) for m in missing] == [
        ("atss_concordance_0.3", 0),
        ("atss_baseline", 1),
        ("atss_concordance_0.3", 1),
        ("atss_spearman_0.3", 0),
        ("atss_spearman_0.3", 1),
    ]
    # the first claim that needs a run names it; the later one does not list it again
    assert missing[1].needed_by == "Table A: ATSS, concordance 0.3"
    assert missing[3].needed_by == "Table B: ATSS, Spearman 0.3"
    # timed comparisons and experiments that do not learn are left out
    assert not {"retinanet_baseline", "detr_baseline"} & {m.experiment for m in missing}
    # without the curves, DETR is a run like any other
    assert ("detr_baseline", 0) in {
        (m.experiment, m.seed) for m in missing_runs([_evidence(runs)], "demo", [0], claims)
    }
    # with every run made, nothing is missing
    full = _runs(
        [(e, s, 1.0, 10, 0.0) for e in ("atss_baseline", "atss_concordance_0.3") for s in (0, 1)]
    )
    assert missing_runs([_evidence(full)], "demo", [0, 1], (_claim("Table A", CONC),)) == []


def test_a_run_counts_only_in_the_evidence_set_the_verdict_pairs_it_in():
    """Runs split over two sets (here two datasets) are never paired by the verdicts, so the
    set with the most pairs decides what is missing; another profile's runs count for nothing."""
    claims = (_claim("Table A", CONC),)
    pairs = _runs([(e, 0, 1.0, 10, 0.0) for e in ("atss_baseline", "atss_concordance_0.3")])
    lone = _runs([("atss_baseline", 1, 1.0, 10, 0.0)])
    split = [_evidence(pairs, dataset="val 1000"), _evidence(lone, dataset="val 200")]
    assert [(m.experiment, m.seed) for m in missing_runs(split, "demo", [0, 1], claims)] == [
        ("atss_baseline", 1),
        ("atss_concordance_0.3", 1),
    ]
    # without any pair, the set holding the most of the two experiments' runs decides
    more = _runs([("atss_baseline", s, 1.0, 10, 0.0) for s in (1, 2)])
    local = _runs([("atss_baseline", 0, 1.0, 10, 0.0)])
    half = [_evidence(more), _evidence(local, "local")]
    assert [(m.experiment, m.seed) for m in missing_runs(half, "demo", [0, 1], claims)] == [
        ("atss_baseline", 0),
        ("atss_concordance_0.3", 0),
        ("atss_concordance_0.3", 1),
    ]
    # a tie goes to the local runs
    tied = [_evidence(lone), _evidence(local, "local")]
    assert ("atss_baseline", 1) in {
        (m.experiment, m.seed) for m in missing_runs(tied, "demo", [0, 1], claims)
    }
    # another setting's archived runs are no runs of this one: they only give the costs
    elsewhere = [_evidence(pairs.assign(profile="demo-128px"))]
    missing = missing_runs(elsewhere, "demo", [0], claims)
    assert [(m.experiment, m.estimated_from) for m in missing] == [
        ("atss_baseline", "atss_baseline (demo-128px)"),
        ("atss_concordance_0.3", "atss_concordance_0.3 (demo-128px)"),
    ]


def test_run_minutes_use_the_experiment_then_its_baseline_then_other_profiles():
    runs = _runs([("atss_baseline", 0, 2.0, 60, 30.0), ("atss_baseline", 1, 4.0, 60, 30.0)])
    # median of (2 × 60 + 30) s and (4 × 60 + 30) s = 210 s
    assert run_minutes(runs, "atss_baseline") == (pytest.approx(3.5), "atss_baseline")
    assert run_minutes(runs, "atss_concordance_0.3") == (pytest.approx(3.5), "atss_baseline")
    others = _runs([("yolact_baseline", 0, 1.0, 600, 60.0)], profile="demo-128px")
    assert run_minutes(runs, "yolact_spearman_0.5", others) == (
        pytest.approx(11.0),
        "yolact_baseline (demo-128px)",
    )
    assert run_minutes(runs, "paa_baseline", others) == (None, None)


def test_missing_table_groups_seeds_and_marks_unknown_costs():
    runs = _runs([("atss_baseline", 0, 2.0, 60, 30.0)])
    claims = (_claim("Table A", CONC), _claim("Table C", TIMED))
    missing = missing_runs([_evidence(runs)], "demo", [0, 1], claims)
    table = missing_table(missing).set_index("experiment")
    assert list(missing_table(missing).columns) == TABLE_COLUMNS
    assert table.loc["atss_concordance_0.3", "seeds missing"] == "0, 1"
    assert table.loc["atss_baseline", "seeds missing"] == "1"
    assert table.loc["atss_baseline", "minutes per run"] == "2.5"
    unknown = missing_runs([], "demo", [0], (_claim("Table D", SPEAR),))
    assert missing_table(unknown)["minutes per run"].tolist() == ["—", "—"]
    assert total_minutes(missing) == (pytest.approx(7.5), 0)
    assert total_minutes(unknown) == (0.0, 2)


def _archive_run(root: Path, experiment: str, seed: int) -> None:
    record = {
        "schema": 1,
        "experiment": {"id": experiment, "detector": experiment.split("_")[0], "kind": None,
                       "loss_weight": None},
        "profile": "demo",
        "seed": seed,
        "dataset": {"name": "demo-3cls-val1000", "synthetic": True, "n_val_images": 10},
        "metrics": {"AP": 0.3, "AP50": 0.5, "AP75": 0.3, "beta_cls": 0.4, "beta_img": 0.5},
        "training": {"iterations": 600, "seconds_per_iter": 0.2, "wall_s": 120.0},
        "evaluation_s": 30.0,
        "provenance": {"git": {"commit": "abc"}, "hardware": {"cpu": "cpu", "cores": 2}},
    }  # fmt: skip
    write_results(results_path(root, "demo", experiment, seed), record)


def test_the_queue_lists_only_the_runs_the_archive_lacks(tmp_path, capsys):
    archive = tmp_path / "archive"
    for experiment, seed in (
        ("atss_baseline", 0),
        ("atss_baseline", 1),
        ("atss_concordance_0.3", 0),
    ):
        _archive_run(archive, experiment, seed)
    args = ["demo", "--queue", "--results", str(tmp_path / "results"), "--archive", str(archive)]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    archived = load_runs(archive, "demo")
    made = set(zip(archived["experiment"], archived["seed"].astype(int), strict=True))
    known = set(experiment_ids())
    queued = set()
    for line in lines:
        profile, experiment, seed = line.split()
        assert profile == "demo" and experiment in known and seed in {"0", "1"}
        queued.add((experiment, int(seed)))
    assert not queued & made
    assert ("atss_concordance_0.3", 1) in queued  # its baseline ran with seed 1; it did not


def test_bad_arguments_name_the_problem(capsys):
    with pytest.raises(SystemExit):
        main(["no-such-profile"])
    assert "unknown profile 'no-such-profile'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["demo", "--seeds", "0"])
    assert "--seeds must be at least 1, got 0" in capsys.readouterr().err


def test_claims_can_be_chosen_by_where_the_thesis_makes_them():
    assert {c.source for c in claims_from(["Table 5.2"])} == {"Table 5.2"}
    assert {c.source for c in claims_from(["Table 3.2", "§5.5.4"])} == {"Tables 3.1, 3.2", "§5.5.4"}
    assert claims_from(None) == CLAIMS
    with pytest.raises(ValueError, match="no claim is made in 'Table 9.9'; claims are made in"):
        claims_from(["Table 9.9"])
