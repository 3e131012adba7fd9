"""The checks the book tests use (tests/book_html.py), on small pages made here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from book_html import broken_links, layout_problems, measure_layout, pages

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _site(root: Path) -> Path:
    (root / "executed").mkdir(parents=True)
    (root / "_static").mkdir()
    (root / "_static" / "theme.css").write_text("")
    (root / "_static" / "asset.html").write_text('<a href="missing.html">assets: not read</a>')
    (root / "index.html").write_text('<meta http-equiv="refresh" content="0; url=executed/a.html">')
    (root / "executed" / "a.html").write_text(
        '<link href="../_static/theme.css"><h1 id="top">A</h1>'
        '<a href="b.html">b</a> <a href="b.html#results">b results</a> <a href="#top">up</a>'
        '<a href="#">theme button</a> <a href="https://example.org/x.html">out</a>'
        '<a href="mailto:x@example.org">mail</a> <a href="../">home</a>'
    )
    (root / "executed" / "b.html").write_text('<section id="results"><a name="old"></a></section>')
    return root


def test_broken_links_accepts_a_consistent_site(tmp_path: Path) -> None:
    root = _site(tmp_path / "html")
    assert [p.relative_to(root).as_posix() for p in pages(root)] == [
        "executed/a.html", "executed/b.html", "index.html",
    ]  # fmt: skip
    assert broken_links(root) == []


def test_broken_links_names_a_missing_page_anchor_or_asset(tmp_path: Path) -> None:
    root = _site(tmp_path / "html")
    (root / "executed" / "c.html").write_text(
        '<a href="b.html#old">kept</a> <a href="status.md">a Markdown name</a>'
        '<a href="#study.md">an unresolved reference</a> <a href="b.html#nowhere">x</a>'
        '<img src="../_images/plot.png"> <a href="../../outside.html">up too far</a>'
    )
    problems = broken_links(root)
    assert len(problems) == 5, problems
    assert "executed/c.html: status.md (no file executed/status.md)" in problems
    assert "executed/c.html: #study.md (no id 'study.md' in that page)" in problems
    assert "executed/c.html: b.html#nowhere (no id 'nowhere' in that page)" in problems
    assert any("plot.png" in p for p in problems)
    assert any("outside the build" in p for p in problems)


def _report(**changes: object) -> dict:
    report = {
        "inner_width": 1280, "viewport": 1265, "document_width": 1265,
        "article": "article.bd-article", "article_width": 740, "article_right": 993,
        "article_scroll_width": 740, "article_client_width": 740,
        "tables": [{"index": 0, "first_cell": "method", "width": 600, "right": 900,
                    "scrolls": False, "visible": True}],
    }  # fmt: skip
    report.update(changes)
    return report


def test_layout_problems_reads_a_report() -> None:
    assert layout_problems(_report(), 1280, tables_may_scroll=False) == []
    assert layout_problems(_report(inner_width=500), 390, True) == ["viewport 500 px, not 390"]
    wide = _report(document_width=1400, article_scroll_width=900)
    assert len(layout_problems(wide, 1280, True)) == 2
    table = dict(_report()["tables"][0], scrolls=True)
    assert layout_problems(_report(tables=[table]), 1280, True) == []
    assert layout_problems(_report(tables=[table]), 1280, False) == [
        "table 0 ('method', 600 px) scrolls sideways"
    ]
    hidden = dict(table, visible=False)  # a table inside a folded block
    assert layout_problems(_report(tables=[hidden]), 1280, False) == []


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
def test_measure_layout_sees_a_table_that_scrolls(tmp_path: Path) -> None:
    row = "".join(f"<td>cell{k}</td>" for k in range(12))
    (tmp_path / "page.html").write_text(
        "<html><body style='margin:0'><article class='bd-article'>"
        f"<div style='overflow-x:auto'><table><tr>{row}</tr></table></div>"
        "</article></body></html>"
    )
    for width, scrolls in [(1280, False), (390, True)]:
        report = measure_layout(CHROMIUM, tmp_path / "page.html", width, tmp_path / "profile")
        assert report["inner_width"] == width
        assert [t["scrolls"] for t in report["tables"]] == [scrolls]
        assert layout_problems(report, width, tables_may_scroll=True) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html", "profile"]  # no copies
    (tmp_path / "page.html").write_text(
        "<html><body><article class='bd-article'><h2>atss_baseline</h2>"
        "<div class='cell_output'><table><tr><td>a cell</td></tr></table></div>"
        "<div class='cell_output'><p><strong>Provenance</strong></p><table><tr><td>ids</td>"
        "</tr></table></div><div class='provenance'><h3>hidden</h3></div>"
        "</article></body></html>"
    )
    report = measure_layout(CHROMIUM, tmp_path / "page.html", 1280, tmp_path / "profile")
    assert report["labels"] == [
        {"tag": "h2", "text": "atss_baseline"},
        {"tag": "td", "text": "a cell"},
    ]
    assert (
        "a cell" in report["text"]
        and "ids" not in report["text"]
        and "hidden" not in report["text"]
    )
    (tmp_path / "page.html").write_text(
        "<html><body><main><div style='width:900px'>wide</div></main></body></html>"
    )
    report = measure_layout(CHROMIUM, tmp_path / "page.html", 390, tmp_path / "profile")
    assert report["article"] == "main." and report["document_width"] > 390
    problems = layout_problems(report, 390, tables_may_scroll=True)
    assert [p.split(":")[0] for p in problems] == [
        "page scrolls sideways",
        "main content overflows",
    ]
