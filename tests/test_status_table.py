"""The status page's table: rows filled by this build's runs and by the committed ones."""

from __future__ import annotations

from pathlib import Path

from reproduction import book_pages, report, verdicts
from reproduction.status_table import COLUMNS, status_rows

ROOT = Path(__file__).resolve().parent.parent


def test_every_item_of_every_page_has_a_row_and_committed_runs_fill_the_tables():
    runs = report.load_runs(ROOT / "no-such-results", "demo")
    evidence = verdicts.collect_evidence(ROOT / "no-such-results", ROOT / "archive")
    table = status_rows(runs, evidence, "demo")
    assert list(table.columns) == COLUMNS
    assert list(table["thesis"]) == [item for page in book_pages.PAGES for item in page.shows]
    by_item = table.set_index("thesis")
    yolact = by_item.loc["Table 5.3"]
    assert yolact["rows with runs"] == "0 / 3" and yolact["profile"] == "—"
    assert yolact["committed rows with runs"].startswith("3 / 3 in archive/")
    assert by_item.loc["Table 5.5", "rows with runs"].startswith("cannot be tested here")
    assert by_item.loc["§5.5.4", "committed rows with runs"].startswith("yes, in archive/")

    bare = status_rows(runs, [], "demo").set_index("thesis")
    assert set(bare["committed rows with runs"]) == {"—"}
    assert (
        bare.loc["Table 5.1", "rows with runs"]
        == f"0 / {len(report.side_by_side('5.1', runs, ['AP']))}"
    )
