"""The book's one list of pages: the table of contents, the workflow and the notebooks agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reproduction.spec import book_pages
from reproduction.spec.paths import EXECUTED_PAGE

REPO = Path(__file__).resolve().parents[1]
yaml = pytest.importorskip("yaml")  # Jupyter Book reads _toc.yml with PyYAML


def test_the_committed_toc_is_the_one_written_from_the_pages(tmp_path: Path) -> None:
    committed = (REPO / "book" / "_toc.yml").read_text(encoding="utf-8")
    assert committed == book_pages.toc_yaml(), "run: python -m reproduction.spec.book_pages toc"
    assert yaml.safe_load(committed) == book_pages.toc()
    files = [c["file"] for part in book_pages.toc()["parts"] for c in part["chapters"]]
    assert files == [p.toc_file for p in book_pages.PAGES]
    out = tmp_path / "_toc.yml"
    assert book_pages.write_toc(out) and not book_pages.write_toc(out)  # unchanged: no write
    assert book_pages.main(["toc", str(out)]) == 0 and out.read_text() == committed


def test_each_page_has_its_source_title_and_parameters() -> None:
    names = [p.name for p in book_pages.PAGES]
    assert len(names) == len(set(names))
    for page in book_pages.PAGES:
        if page.notebook:
            nb = json.loads((REPO / "notebooks" / f"{page.name}.ipynb").read_text())
            first = "".join(nb["cells"][0]["source"]).splitlines()[0]
            tags = [c.get("metadata", {}).get("tags", []) for c in nb["cells"]]
            assert any("parameters" in t for t in tags), page.name
            assert (
                page.toc_file
                == Path(EXECUTED_PAGE.format(name=page.name))
                .relative_to("book")
                .with_suffix("")
                .as_posix()
            )
        else:
            first = (REPO / "book" / f"{page.name}.md").read_text().splitlines()[0]
        assert first == f"# {page.title}", page.name
    landing = json.loads((REPO / "notebooks" / f"{book_pages.LANDING.name}.ipynb").read_text())
    assert "".join(landing["cells"][0]["source"]).splitlines()[0] == f"# {book_pages.LANDING.title}"
    assert book_pages.analysis_notebooks()[0] == book_pages.LANDING.name


def test_each_thesis_item_has_at_most_one_page() -> None:
    items = [i for p in book_pages.PAGES for i in p.shows]
    assert len(items) == len(set(items))
    assert book_pages.page_of("Table 5.2") == "table_5_1"
    assert book_pages.page_of("§5.5.4") == "gradient"
    assert book_pages.page_of("Table 5.5") == "table_5_1"  # the thesis's data, untestable here
    assert set(book_pages.NOT_SHOWN).isdisjoint(items)


def _parameter_names(name: str) -> set[str]:
    nb = json.loads((REPO / "notebooks" / f"{name}.ipynb").read_text())
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    return {
        line.split("=")[0].strip() for line in "".join(cell["source"]).splitlines() if "=" in line
    }


def test_the_workflow_passes_profile_exactly_to_the_pages_that_declare_it() -> None:
    for name in book_pages.analysis_notebooks():
        options = book_pages.papermill_parameters(name, "smoke")
        declared = "profile" in _parameter_names(name)
        assert options == ("-p profile smoke" if declared else ""), name
    assert book_pages.papermill_parameters("claims", "demo") == "-p profile demo"
    assert book_pages.papermill_parameters("regimes", "demo") == ""
    with pytest.raises(KeyError, match="no notebook page named 'reproduce'"):
        book_pages.papermill_parameters("reproduce", "demo")  # a Markdown page
