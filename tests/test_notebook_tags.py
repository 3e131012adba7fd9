"""The executed pages fold papermill's parameter cells away (reproduction.pages.notebook_tags)."""

from __future__ import annotations

import json
from pathlib import Path

from reproduction.pages import notebook_tags


def _notebook() -> dict:
    def cell(tags: list[str] | None, source: str) -> dict:
        meta = {"tags": tags} if tags is not None else {}
        return {"cell_type": "code", "metadata": meta, "source": source, "outputs": []}

    return {
        "cells": [
            cell(["parameters", "remove-cell"], 'profile = "demo"'),
            cell(["injected-parameters"], '# Parameters\nprofile = "smoke"'),
            cell(["hide-input"], "report.format_table(t51)"),
            cell(None, "x = 1"),
        ],
        "metadata": {"kernelspec": {"name": "corrlib"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def test_fold_parameters_tags_only_the_parameter_cells() -> None:
    nb = _notebook()
    assert notebook_tags.fold_parameters(nb) == 1  # the parameters cell already had it
    tags = [c["metadata"].get("tags") for c in nb["cells"]]
    assert tags == [
        ["parameters", "remove-cell"],
        ["injected-parameters", "remove-cell"],
        ["hide-input"],
        None,
    ]
    assert notebook_tags.fold_parameters(nb) == 0  # idempotent


def test_fold_file_rewrites_only_a_changed_notebook(tmp_path: Path) -> None:
    path = tmp_path / "page.ipynb"
    path.write_text(json.dumps(_notebook(), indent=1, ensure_ascii=False) + "\n")
    assert notebook_tags.main([str(path)]) == 0
    folded = json.loads(path.read_text())
    assert "remove-cell" in folded["cells"][1]["metadata"]["tags"]
    assert folded["metadata"] == {"kernelspec": {"name": "corrlib"}}  # the rest unchanged
    assert [c["source"] for c in folded["cells"]] == [c["source"] for c in _notebook()["cells"]]
    before = path.stat().st_mtime_ns
    assert notebook_tags.fold_file(path) == 0 and path.stat().st_mtime_ns == before
