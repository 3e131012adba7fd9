"""Cell tags of the executed notebooks that the book renders.

papermill adds a cell tagged ``injected-parameters`` to each notebook it executes, right after
the notebook's ``parameters`` cell. The book's pages show neither: each page's provenance
block lists the parameters it ran with
(:func:`reproduction.records.provenance_text.parameters_markdown`), so the workflow tags both
cells ``remove-cell`` in each executed copy before the book is built::

    python -m reproduction.pages.notebook_tags book/executed/table_5_1.ipynb

Plain JSON in and out (the layout nbformat writes: one-space indent, UTF-8 kept); no kernel.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

FOLDED_TAGS: tuple[str, ...] = ("parameters", "injected-parameters")
"""Cells with any of these tags are left out of the rendered page."""

REMOVE_CELL = "remove-cell"
"""The Jupyter Book tag that leaves a cell (source and output) out of the page."""


def fold_parameters(notebook: dict) -> int:
    """Tag :data:`REMOVE_CELL` on each cell of ``notebook`` that has a :data:`FOLDED_TAGS` tag.

    Changes ``notebook`` (a parsed ``.ipynb``) in place; returns how many cells got the tag
    (0 when each already had it).
    """
    added = 0
    for cell in notebook.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        if any(tag in tags for tag in FOLDED_TAGS) and REMOVE_CELL not in tags:
            tags.append(REMOVE_CELL)
            added += 1
    return added


def fold_file(path: Path) -> int:
    """Apply :func:`fold_parameters` to the notebook file at ``path``; return the count.

    The file is rewritten only when a tag was added.
    """
    path = Path(path)
    notebook = json.loads(path.read_text(encoding="utf-8"))
    added = fold_parameters(notebook)
    if added:
        text = json.dumps(notebook, indent=1, ensure_ascii=False)
        path.write_text(text + "\n", encoding="utf-8")
    return added


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: fold the parameter cells of each notebook given; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m reproduction.pages.notebook_tags",
        description="Tag the parameters and papermill's injected cell remove-cell.",
    )
    parser.add_argument("notebooks", type=Path, nargs="+", help="executed .ipynb files")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        fold_file(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
