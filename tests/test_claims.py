"""The claims registry and the verdicts computed from paired seeds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reproduction.analysis import verdicts
from reproduction.analysis.stats import JUDGEMENTS, judge, mean_interval
from reproduction.pages import verdict_tables
from reproduction.spec import claims, thesis, thesis_rows
from reproduction.spec.claims import Claim, Comparison, ThesisCell
from reproduction.spec.experiments import experiment_ids

ROOT = Path(__file__).resolve().parent.parent


def test_every_comparison_names_registered_experiments_and_a_known_test():
    known = set(experiment_ids())
    for claim in claims.CLAIMS:
        for comparison in claim.comparisons:
            assert comparison.reference in known, (claim.id, comparison.reference)
            assert comparison.treatment in known, (claim.id, comparison.treatment)
            assert comparison.test in claims.TESTS


def test_every_claim_links_a_notebook_and_untestable_claims_say_why():
    for claim in claims.CLAIMS:
        assert (ROOT / "notebooks" / f"{claim.page}.ipynb").is_file(), claim.page
        if not claim.comparisons:
            assert claim.untestable, claim.id
    assert claims.get_claim("sota").untestable
    with pytest.raises(KeyError, match="unknown claim"):
        claims.get_claim("nonsense")


def test_the_claims_the_thesis_makes_are_all_listed():
    sources = {c.source for c in claims.CLAIMS}
    for source in ("Table 5.1", "Table 5.2", "Table 5.3", "Table 5.4", "Table 5.5", "Table 5.6"):
        assert source in sources
    for source in ("Table 5.7", "Table 5.8", "§5.5.3", "§5.5.4", "Figure 1.3(a)"):
        assert source in sources


def test_thesis_effects_come_from_the_thesis_numbers():
    ap = claims.get_claim("ap_nms").comparisons
    atss = next(c for c in ap if c.treatment == "atss_concordance_0.3")
    expected = thesis.value("5.1", "atss_fl+conc", "AP") - thesis.value("5.1", "atss_fl", "AP")
    assert atss.thesis_effect() == pytest.approx(expected)
    assert atss.thesis_effect() == pytest.approx(1.1)
    beta = claims.get_claim("beta_cls").comparisons[0]
    assert beta.thesis_effect() == pytest.approx(45.2 - 40.3)
    cost = claims.get_claim("cost").comparisons[0]
    assert cost.thesis_effect() == pytest.approx(100 * (0.51 / 0.50 - 1))
    gradient = claims.get_claim("gradient").comparisons
    assert [round(c.thesis_effect(), 1) for c in gradient] == [1.8, 0.4]
    assert claims.get_claim("beta_img").comparisons[1].thesis_effect() is None


def _interval(values):
    return mean_interval(values)


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        ("increase", "increase"),
        ("decrease", "decrease"),
        ("within", "within"),
        ("not_below", "not_below"),
        ("class_majority", "increase"),  # the share of classes improved, minus 50
    ],
)
def test_each_test_is_a_change_the_one_judge_knows(test, expected):
    assert test in claims.TESTS
    assert verdicts.expected_change(test) == expected
    assert judge([1.0, 1.2], expected) in JUDGEMENTS


@pytest.mark.parametrize(
    ("test", "values", "margin", "expected"),
    [
        ("increase", [1.0, 1.2, 0.9], 0, verdicts.HOLDS),
        ("increase", [-1.0, -1.2, -0.9], 0, verdicts.CONTRADICTED),
        ("increase", [-1.0, 1.2, 0.1], 0, verdicts.NOT_RESOLVED),
        ("increase", [1.0], 0, verdicts.NOT_RESOLVED),
        ("decrease", [-1.0, -1.2, -0.9], 0, verdicts.HOLDS),
        ("decrease", [1.0, 1.2, 0.9], 0, verdicts.CONTRADICTED),
        ("within", [0.5, -0.5, 0.2], 5.0, verdicts.HOLDS),
        ("within", [20.0, 21.0, 19.0], 5.0, verdicts.CONTRADICTED),
        ("within", [0.0, 10.0, 5.0], 5.0, verdicts.NOT_RESOLVED),
        ("not_below", [-0.1, 0.1, 0.0], 0.5, verdicts.HOLDS),
        ("not_below", [-2.0, -2.1, -1.9], 0.5, verdicts.CONTRADICTED),
    ],
)
def test_a_comparison_is_judged_on_its_paired_seeds(test, values, margin, expected):
    """Runs whose per-seed differences are ``values`` (points; "within": % of a reference of
    100) get the verdict of the one judge."""
    claim = Claim("c", "text", "Table 5.1", "table_5_1")
    comparison = Comparison("x", "a_baseline", "a_var", "AP", test, margin=margin)
    rows = [("a_baseline", s, 100.0, 0.2) for s in range(len(values))]
    rows += [("a_var", s, 100.0 + v, 0.2) for s, v in enumerate(values)]
    cv = verdicts.judge_comparison(claim, comparison, [_evidence("demo", "local", rows)])
    assert cv.verdict == expected
    assert cv.effect.mean == pytest.approx(sum(values) / len(values))
    assert cv.seeds == tuple(range(len(values)))


def test_an_unknown_test_is_refused():
    claim = Claim("c", "text", "Table 5.1", "table_5_1")
    rows = [("a_baseline", s, 10.0, 0.2) for s in (0, 1)] + [
        ("a_var", s, 11.0, 0.2) for s in (0, 1)
    ]
    bigger = Comparison("x", "a_baseline", "a_var", "AP", "bigger")
    with pytest.raises(ValueError, match="unknown expected change 'bigger'"):
        verdicts.judge_comparison(claim, bigger, [_evidence("demo", "local", rows)])


def _runs(rows):
    return pd.DataFrame(rows, columns=["experiment", "seed", "AP", "s_per_iter"])


def _evidence(profile, source, rows, records=()):
    return verdicts.Evidence(profile, source, _runs(rows), tuple(records))


def test_seed_differences_pair_by_seed():
    ev = _evidence(
        "demo",
        "local",
        [
            ("a_baseline", 0, 10.0, 0.20),
            ("a_baseline", 1, 12.0, 0.20),
            ("a_baseline", 2, 11.0, 0.20),
            ("a_var", 0, 11.0, 0.21),
            ("a_var", 1, 12.5, 0.19),
        ],
    )
    diff = verdicts.seed_differences(ev, Comparison("x", "a_baseline", "a_var", "AP"))
    assert diff == {0: pytest.approx(1.0), 1: pytest.approx(0.5)}
    within = verdicts.seed_differences(
        ev, Comparison("x", "a_baseline", "a_var", "s_per_iter", "within", margin=5)
    )
    assert within == {0: pytest.approx(5.0), 1: pytest.approx(-5.0)}
    assert verdicts.seed_differences(ev, Comparison("x", "a_baseline", "a_var", "beta")) == {}


def test_class_majority_counts_classes_that_improve():
    def record(exp, seed, per_class):
        return {"experiment": {"id": exp}, "seed": seed, "metrics": {"per_class_AP": per_class}}

    records = [
        record("b", 0, {"a": 0.1, "b": 0.2, "c": 0.3, "d": 0.4}),
        record("v", 0, {"a": 0.2, "b": 0.3, "c": 0.4, "d": 0.1}),
    ]
    ev = _evidence("demo", "local", [], records)
    comparison = Comparison("x", "b", "v", "per_class_AP", "class_majority")
    assert verdicts.seed_differences(ev, comparison) == {0: pytest.approx(75.0 - 50.0)}
    records += [
        record("b", 1, {"a": 0.1, "b": 0.2, "c": 0.3, "d": 0.4}),
        record("v", 1, {"a": 0.2, "b": 0.3, "c": 0.4, "d": 0.5}),
    ]
    claim = Claim("c", "text", "Table 5.8", "table_5_8")
    cv = verdicts.judge_comparison(claim, comparison, [_evidence("demo", "local", [], records)])
    assert cv.effect.mean == pytest.approx(87.5 - 50.0) and cv.seeds == (0, 1)
    assert cv.verdict == judge(cv.effect, "increase") == verdicts.NOT_RESOLVED  # 2 seeds, far apart
    shown = verdict_tables.detail_table([(claim, [cv])]).iloc[0]["ours [95% CI] (seeds)"]
    low, high = cv.effect.low + 50, cv.effect.high + 50
    assert shown == f"88 % of classes [{low:.0f}, {high:.0f}] (n=2)"


def test_the_evidence_with_most_paired_seeds_wins_and_ties_prefer_the_books_profile():
    claim = Claim("c", "text", "Table 5.1", "table_5_1")
    comparison = Comparison("x", "a_baseline", "a_var", "AP")
    two = [("a_baseline", s, 10.0, 0.2) for s in (0, 1)] + [("a_var", s, 11.0, 0.2) for s in (0, 1)]
    three = [("a_baseline", s, 10.0, 0.2) for s in (0, 1, 2)]
    three += [("a_var", s, 9.0 + 0.1 * s, 0.2) for s in (0, 1, 2)]
    evidence = [_evidence("demo", "local", two), _evidence("demo-3cls", "archive", three)]
    cv = verdicts.judge_comparison(claim, comparison, evidence, prefer="demo")
    assert cv.evidence.profile == "demo-3cls" and cv.seeds == (0, 1, 2)
    assert cv.verdict == verdicts.CONTRADICTED
    tie = [_evidence("demo-3cls", "archive", two), _evidence("demo", "local", two)]
    assert verdicts.judge_comparison(claim, comparison, tie, "demo").evidence.profile == "demo"
    none = verdicts.judge_comparison(claim, Comparison("x", "q", "r", "AP"), evidence)
    assert none.verdict == verdicts.NOT_RUN and none.effect is None


def test_claim_verdict_aggregates_its_comparisons():
    claim = Claim("c", "text", "Table 5.1", "table_5_1")
    comparison = Comparison("x", "a", "b", "AP")

    def cv(verdict):
        return verdicts.ComparisonVerdict(claim, comparison, verdict)

    assert verdicts.claim_verdict(claim, [cv("holds"), cv("not run")]) == (
        "holds",
        "1 holds, 1 not run",
    )
    assert verdicts.claim_verdict(claim, [cv("holds"), cv("contradicted")])[0] == "contradicted"
    assert verdicts.claim_verdict(claim, [cv("holds"), cv("not resolved")])[0] == "not resolved"
    assert verdicts.claim_verdict(claim, [cv("not run")])[0] == "not run"
    untestable = Claim("u", "text", "Table 5.5", "table_5_1", untestable="no server")
    assert verdicts.claim_verdict(untestable, []) == ("cannot be tested here", "no server")


def _flat_curve(experiment, aps, every=300):
    from reproduction.records import learning_curves as lc

    points = [lc.CurvePoint(every * (i + 1), ap, 2 * ap) for i, ap in enumerate(aps)]
    training = {"iterations": every * len(aps), "seconds_per_iter": 0.3, "wall_s": 1.0}
    return lc.curve_record(experiment, "demo", 0, every, points, training, {})


def test_a_method_whose_curve_never_learns_makes_its_comparisons_untestable_in_that_setting():
    claim = Claim("c", "text", "Table 5.4", "table_5_4")
    comparison = Comparison("x", "a_baseline", "a_var", "AP")
    rows = [("a_baseline", s, 1.0, 0.2) for s in (0, 1)] + [("a_var", s, 1.5, 0.2) for s in (0, 1)]
    flat = {"a_baseline": [_flat_curve("a_baseline", [0.5, 1.0, 2.0])]}
    demo = verdicts.Evidence("demo", "archive", _runs(rows), (), flat)
    cv = verdicts.judge_comparison(claim, comparison, [demo], prefer="demo")
    assert cv.verdict == verdicts.UNTESTABLE
    assert "a_baseline stays under AP 5 % through 900 iterations" in cv.note
    assert "archive/curves/demo" in verdict_tables.detail_table([(claim, [cv])])["evidence"][0]
    # the same runs in another setting (no curve there) are judged as usual
    other = verdicts.Evidence("demo-it1200", "local", _runs(rows))
    assert (
        verdicts.judge_comparison(claim, comparison, [other], "demo").verdict
        != "cannot be tested here"
    )
    # a curve that reaches the threshold leaves the comparison to its runs
    learns = verdicts.Evidence(
        "demo", "archive", _runs(rows), (), {"a_baseline": [_flat_curve("a_baseline", [1, 6])]}
    )
    assert verdicts.judge_comparison(claim, comparison, [learns], "demo").verdict == "holds"
    # with no runs at all, the curve of the book's profile still decides
    bare = verdicts.Evidence("demo", "archive", _runs([]), (), flat)
    assert (
        verdicts.judge_comparison(claim, comparison, [bare], "demo").verdict
        == "cannot be tested here"
    )
    # ... and with no runs and no curve in the book's profile, a curve of another setting does
    elsewhere = verdicts.Evidence("demo-128px", "archive", _runs([]), (), flat)
    away = verdicts.judge_comparison(claim, comparison, [elsewhere], "demo")
    assert away.verdict == "cannot be tested here" and "archive/curves/demo-128px" in away.note
    no_curve = verdicts.Evidence("demo-128px", "archive", _runs([]), (), {})
    assert verdicts.judge_comparison(claim, comparison, [no_curve], "demo").verdict == "not run"
    assert verdicts.claim_verdict(claim, [cv, cv])[0] == "cannot be tested here"
    not_run = verdicts.ComparisonVerdict(claim, comparison, verdicts.NOT_RUN)
    assert verdicts.claim_verdict(claim, [cv, not_run])[0] == "not run"
    holds = verdicts.ComparisonVerdict(claim, comparison, verdicts.HOLDS)
    assert verdicts.claim_verdict(claim, [cv, holds]) == (
        "holds",
        "1 holds, 1 cannot be tested here",
    )


def test_summary_table_has_a_verdict_for_every_claim(tmp_path):
    evidence = verdicts.collect_evidence(tmp_path / "results", tmp_path / "archive")
    assert evidence == []
    table = verdict_tables.summary_table(verdicts.evaluate_claims(evidence, prefer="demo"))
    assert len(table) == len(claims.CLAIMS)
    assert set(table["verdict"]) == {verdicts.NOT_RUN, verdicts.UNTESTABLE}
    sota = table[table["source"] == "Table 5.5"].iloc[0]
    assert sota["verdict"] == verdicts.UNTESTABLE
    runs = table[table["verdict"] == verdicts.NOT_RUN]
    assert all(text.startswith("run it: ./run main add=") for text in runs["evidence"])


def test_summary_row_shows_the_comparison_that_decides_the_verdict():
    first = Comparison("first pair", "a_baseline", "a_variant", "AP")
    second = Comparison("second pair", "b_baseline", "b_variant", "AP")
    claim = Claim("c", "some claim", "Table 5.1", "table_5_1", (first, second))
    unresolved = verdicts.ComparisonVerdict(
        claim, first, verdicts.NOT_RESOLVED, mean_interval([-0.5, 0.1, 0.2])
    )
    against = verdicts.ComparisonVerdict(
        claim, second, verdicts.CONTRADICTED, mean_interval([-1.0, -1.1, -0.9])
    )
    row = verdict_tables.summary_table([(claim, [unresolved, against])]).iloc[0]
    assert row["verdict"] == verdicts.CONTRADICTED
    assert row["compared"] == "second pair"
    assert row["ours [95% CI] (seeds)"].startswith("-1.0 [")
    # a claim none of whose comparisons ran shows its first
    idle = [verdicts.ComparisonVerdict(claim, c, verdicts.NOT_RUN) for c in (first, second)]
    row = verdict_tables.summary_table([(claim, idle)]).iloc[0]
    assert (row["verdict"], row["compared"]) == (verdicts.NOT_RUN, "first pair")


def test_a_table_is_shown_again_from_the_committed_set_with_most_of_its_experiments():
    table = ("a_baseline", "a_var", "b_baseline")
    small = [("a_baseline", s, 10.0, 0.2) for s in (0, 1)]
    wide = small + [("a_var", s, 11.0, 0.2) for s in (0, 1)]
    evidence = [
        _evidence("demo-3cls", "archive", small * 3),  # more runs, fewer experiments
        _evidence("demo-128px", "archive", wide),
        _evidence("demo", "local", wide + [("b_baseline", 0, 9.0, 0.2)]),  # not committed
    ]
    shown = verdict_tables.committed_beside(evidence, table, _runs([]), prefer="demo")
    assert shown is evidence[1]
    note = verdict_tables.committed_note(shown, table)
    assert "`archive/demo-128px`, seeds 0–1 of its experiments" in note
    assert "synthetic data" in note
    assert "seed 0 of" in verdict_tables.committed_note(evidence[2], ("b_baseline",))
    # this build's runs already hold as many seeds of each: nothing more to show
    assert verdict_tables.committed_beside(evidence, table, _runs(wide), "demo") is None
    # one seed fewer of one experiment: the committed set is shown
    assert verdict_tables.committed_beside(evidence, table, _runs(wide[:-1]), "demo") is shown
    assert verdict_tables.committed_beside(evidence, ("c_baseline",), _runs([]), "demo") is None


def test_a_tables_experiments_are_those_that_fill_its_rows():

    assert set(thesis_rows.table_experiments("5.3")) == {
        "yolact_baseline",
        "yolact_concordance_0.4",
        "yolact_spearman_0.5",
    }
    assert "sparsercnn_3x_baseline" in thesis_rows.table_experiments("5.2")
    assert thesis_rows.table_experiments("no such table") == ()


def test_thesis_cell_prefers_a_stated_value():
    assert ThesisCell("§5.5.3", "x", "s_per_iter", stated=0.5).value() == 0.5
    assert ThesisCell("5.1", "atss_fl", "AP").value() == thesis.value("5.1", "atss_fl", "AP")


def test_runs_evaluated_on_different_validation_sets_are_never_paired(tmp_path):
    from reproduction.records.results import results_path, write_results
    from tests.test_results import make_record

    def record(experiment, seed, ap, n_val):
        r = make_record(experiment, seed, ap)
        r["profile"] = "demo"
        r["dataset"] = {"name": f"set{n_val}", "synthetic": True, "n_val_images": n_val}
        return r

    archive = tmp_path / "archive"
    # baseline seeds 0-2 on the small split, the variant's seeds 0-2 on the larger one, and
    # seed 3 of both on the larger one: only seed 3 is a pair measured on the same data
    for seed in (0, 1, 2):
        write_results(
            results_path(archive, "demo", "a_baseline", seed), record("a_baseline", seed, 0.3, 200)
        )
        write_results(
            results_path(archive, "demo", "a_var", seed), record("a_var", seed, 0.5, 1000)
        )
    write_results(
        results_path(archive, "demo", "a_baseline", 3), record("a_baseline", 3, 0.30, 1000)
    )
    write_results(results_path(archive, "demo", "a_var", 3), record("a_var", 3, 0.31, 1000))
    evidence = verdicts.collect_evidence(tmp_path / "results", archive, ["demo"])
    assert sorted(e.dataset for e in evidence) == [
        "set1000 (1000 val images)",
        "set200 (200 val images)",
    ]
    comparison = Comparison("x", "a_baseline", "a_var", "AP")
    by_set = {e.dataset: verdicts.seed_differences(e, comparison) for e in evidence}
    assert by_set["set200 (200 val images)"] == {}
    assert by_set["set1000 (1000 val images)"] == {3: pytest.approx(1.0)}
    claim = Claim("c", "text", "Table 5.1", "table_5_1")
    cv = verdicts.judge_comparison(claim, comparison, evidence)
    assert cv.seeds == (3,)
    assert cv.evidence.label() == "archive/demo on set1000 (1000 val images)"
    # one dataset left: the evidence is not split and its label names no dataset
    for seed in (0, 1, 2):
        (archive / "demo" / "a_baseline" / f"seed{seed}.json").unlink()
    alone = verdicts.collect_evidence(tmp_path / "results", archive, ["demo"])
    assert [e.dataset for e in alone] == [None]
    assert alone[0].label() == "archive/demo"


def test_the_rank_faithful_loss_and_the_authors_grouping_are_claims_comparisons():
    """The rank-faithful Spearman Loss is compared with the baseline and with the thesis's
    Spearman Loss, and RetinaNet's per-level grouping with the baseline on AP and oLRP (their
    verdicts on the committed runs are the archive check's:
    ``reproduction.analysis.archive_check``)."""
    rank = claims.get_claim("rank_loss").comparisons
    assert len(rank) == 24
    # at the thesis's λ on any runs; at each chosen λ on the longer schedule's fresh runs only
    assert [c.profile for c in rank[:12]] == [None] * 12
    assert {c.profile for c in rank[12:]} == {"demo-len2400"}
    assert {c.treatment for c in rank[12:]} == {
        "atss_spearman_0.03_unitgap",
        "retinanet_spearman_0.03_unitgap",
    }
    perlevel = [
        c
        for claim_id in ("ap_nms", "olrp_nms")
        for c in claims.get_claim(claim_id).comparisons
        if c.treatment == "retinanet_spearman_0.1_perlevel"
    ]
    assert [c.metric for c in perlevel] == ["AP", "oLRP"]
