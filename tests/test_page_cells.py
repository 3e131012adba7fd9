"""What a book page shows of its notebook (the cell tags of ``notebooks/*.ipynb``).

No setup code (imports, loading the runs) on the page; analysis code folded (``hide-input``);
the ``parameters`` cell left out and its values listed in the page's provenance block; links
between pages that name a page of the book.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from reproduction.spec import book_pages

REPO = Path(__file__).resolve().parents[1]
SHOWN_AS = {"hide-input", "remove-input", "remove-cell"}
"""The tags that say how a code cell appears on its page; each code cell has one."""


def _notebook(name: str) -> dict:
    return json.loads((REPO / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))


def _code_cells(nb: dict) -> list[tuple[str, list[str]]]:
    return [
        ("".join(c["source"]), c.get("metadata", {}).get("tags", []))
        for c in nb["cells"]
        if c["cell_type"] == "code"
    ]


def _parameters(nb: dict) -> list[str]:
    source = next(s for s, tags in _code_cells(nb) if "parameters" in tags)
    return [t.id for node in ast.parse(source).body if isinstance(node, ast.Assign)
            for t in node.targets]  # fmt: skip


@pytest.mark.parametrize("name", book_pages.analysis_notebooks())
def test_setup_code_is_removed_and_analysis_code_folded(name: str) -> None:
    for source, tags in _code_cells(_notebook(name)):
        first = source.strip().splitlines()[0]
        shown = SHOWN_AS & set(tags)
        assert len(shown) == 1, f"{name}: cell {first!r} has {sorted(shown)}"
        body = ast.parse(source).body
        if body and isinstance(body[0], ast.Import | ast.ImportFrom):
            assert shown != {"hide-input"}, f"{name}: setup cell {first!r} is on the page"


@pytest.mark.parametrize("name", book_pages.analysis_notebooks())
def test_the_parameters_are_listed_in_the_provenance_block(name: str) -> None:
    """Each page has a parameters cell, left out of the page, and its provenance block lists
    the values it ran with as the kernel holds them (``page_parameters``, directly or through
    ``ResultsPage.provenance``): no page types its parameters a second time."""
    nb = _notebook(name)
    cells = _code_cells(nb)
    assert any({"parameters", "remove-cell"} <= set(tags) for _, tags in cells), name
    assert _parameters(nb), name
    last, tags = cells[-1]
    assert "remove-input" in tags, f"{name}: the provenance block's code is on the page"
    assert "page_parameters()" in last or "page.provenance()" in last, name
    every = "\n".join(source for source, _ in cells)
    assert "PARAMETERS = {" not in every, f"{name}: its parameters typed again"


LINK = re.compile(r"\]\(([^)#\s]+)(#[^)\s]*)?\)")


def test_links_between_pages_name_pages_of_the_book() -> None:
    executed = {f"{n}.ipynb" for n in book_pages.analysis_notebooks()}
    markdown = {f"../{p.name}.md" for p in book_pages.PAGES if not p.notebook}
    seen = 0
    for name in book_pages.analysis_notebooks():
        for cell in _notebook(name)["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            for target, _ in LINK.findall("".join(cell["source"])):
                if "://" in target:
                    continue
                seen += 1
                # the executed copies sit together in book/executed/, the Markdown pages above
                assert target in executed | markdown, f"{name}: link to {target}"
    assert seen >= 2  # the claims page links the status and protocol pages


MAX_CODE_LINES = 60
"""The most non-blank code lines a notebook holds outside its parameters cell: notebooks
hold parameters and calls, the logic lives in the package with its tests."""


@pytest.mark.parametrize("path", sorted((REPO / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_a_notebook_holds_parameters_and_calls(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    lines = [
        line
        for source, tags in _code_cells(nb)
        if "parameters" not in tags
        for line in source.splitlines()
        if line.strip()
    ]
    assert 0 < len(lines) <= MAX_CODE_LINES, f"{path.name}: {len(lines)} code lines"
