"""The page-numbers comparison: what counts as a number, and what a difference reports."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "page_numbers.py"
spec = importlib.util.spec_from_file_location("page_numbers", SCRIPT)
page_numbers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(page_numbers)


def _notebook(path: Path, html: str, markdown: str) -> None:
    cells = [
        {"cell_type": "code", "id": "a", "outputs": [{"data": {"text/html": [html]}}]},
        {"cell_type": "code", "id": "b", "outputs": [{"data": {"text/markdown": [markdown]}}]},
        {"cell_type": "code", "id": "c", "outputs": [{"data": {"image/png": "iVBOR1234"}}]},
    ]
    path.write_text(json.dumps({"cells": cells}))


def test_numbers_skip_commits_dates_and_tags():
    text = "AP −1.2 [−1.5, +0.8] at 0.50; commit 7ad73a3804 on 2026-12-04T10:00:00Z, n=24"
    assert page_numbers.numbers(text) == ["-1.2", "-1.5", "+0.8", "0.50", "24"]
    assert page_numbers.output_text(
        {"data": {"text/html": ["<td>3.5</td><td>x2</td>"]}}
    ).split() == [
        "3.5",
        "x2",
    ]


def test_a_changed_number_is_reported_and_renamed_words_are_not(tmp_path):
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir(), after.mkdir()
    _notebook(before / "p.ipynb", "<td>holds</td><td>+1.2</td>", "effect 3 of 4")
    _notebook(after / "p.ipynb", "<td>same direction</td><td>+1.2</td>", "effect 3 of 4")
    assert (
        page_numbers.differences(
            page_numbers.folder_numbers(before), page_numbers.folder_numbers(after)
        )
        == []
    )
    assert page_numbers.main([str(before), "--compare", str(after)]) == 0
    _notebook(after / "p.ipynb", "<td>+1.3</td>", "effect 3 of 4")
    lines = page_numbers.differences(
        page_numbers.folder_numbers(before), page_numbers.folder_numbers(after)
    )
    assert len(lines) == 1 and "p a:0" in lines[0] and "'+1.2'" in lines[0] and "'+1.3'" in lines[0]
    (after / "q.ipynb").write_text(json.dumps({"cells": []}))
    assert page_numbers.main([str(before), "--compare", str(after)]) == 1
