"""The status page's table: rows filled by this build's runs and by the committed ones."""

from __future__ import annotations

from pathlib import Path

from reproduction.analysis import verdicts
from reproduction.pages import report
from reproduction.pages.status_table import COLUMNS, status_rows
from reproduction.records import run_table
from reproduction.records.results import results_path, write_results
from reproduction.spec import book_pages
from tests.test_results import make_record

COMMITTED = (
    "yolact_baseline",
    "yolact_spearman_0.5",
    "yolact_concordance_0.4",
    "sparsercnn_spearman_0.2",
)
"""What the made-up archive holds: Table 5.3's three rows and one gradient setting of §5.5.4."""


def _archive(root: Path, profile: str = "demo-128px") -> Path:
    """Write one run of each of :data:`COMMITTED` under ``root / "archive"``; return it."""
    archive = root / "archive"
    for experiment in COMMITTED:
        record = make_record(experiment, 0, 0.3)
        record["profile"] = profile
        write_results(results_path(archive, profile, experiment, 0), record)
    return archive


def test_every_item_of_every_page_has_a_row_and_committed_runs_fill_the_tables(tmp_path):
    runs = run_table.load_runs(tmp_path / "results", "demo")
    evidence = verdicts.collect_evidence(tmp_path / "results", _archive(tmp_path))
    table = status_rows(runs, evidence, "demo")
    assert list(table.columns) == COLUMNS
    assert list(table["thesis"]) == [item for page in book_pages.PAGES for item in page.shows]
    by_item = table.set_index("thesis")
    yolact = by_item.loc["Table 5.3"]
    assert yolact["rows with runs"] == "0 / 3" and yolact["profile"] == "—"
    assert yolact["committed rows with runs"] == "3 / 3 in archive/demo-128px"
    assert by_item.loc["Table 5.5", "rows with runs"].startswith("cannot be tested here")
    assert by_item.loc["§5.5.4", "committed rows with runs"] == "yes, in archive/demo-128px"
    assert by_item.loc["Table 5.4", "committed rows with runs"] == "—"  # none of its runs

    bare = status_rows(runs, [], "demo").set_index("thesis")
    assert set(bare["committed rows with runs"]) == {"—"}
    assert (
        bare.loc["Table 5.1", "rows with runs"]
        == f"0 / {len(report.side_by_side('5.1', runs, ['AP']))}"
    )


def test_this_builds_own_runs_fill_their_rows_and_hide_committed_ones_no_richer(tmp_path):
    archive = _archive(tmp_path)
    local = _archive(tmp_path / "local", "demo")  # the same runs, made by this build
    runs = run_table.load_runs(local, "demo")
    evidence = verdicts.collect_evidence(local, archive)
    by_item = status_rows(runs, evidence, "demo").set_index("thesis")
    assert by_item.loc["Table 5.3", "rows with runs"] == "3 / 3"
    assert by_item.loc["Table 5.3", "profile"] == "demo"
    assert by_item.loc["Table 5.3", "committed rows with runs"] == "—"  # no more seeds there
    assert by_item.loc["§5.5.4", "rows with runs"] == "yes"
