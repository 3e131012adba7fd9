"""The front page and the two regime pages as a reader opens them: in headless Chromium at 1280
and 390 px, built from the committed archive alone.

The three notebooks are executed with papermill (no local runs: an empty results folder, the
repository's ``archive/``) into a small book of those pages, built with Jupyter Book. The test
fails on a page that scrolls sideways, a table wider than its column without a scroll
container around it, and an experiment id in a heading or table cell outside the provenance
blocks (the figures' legends are checked in ``tests/test_front_page.py``). With
``CORRLIB_SCREENSHOTS`` set, it leaves there a screenshot of each page at each width and
``reader_pages.json``: the experiment ids left in each page's text, and the longest evidence
cell of the front page.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from book_html import layout_problems, measure_layout, screenshot
from test_front_page import ids_in

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

PAGES = ("claims", "ap_per_iou", "regimes")
"""The front page, the per-threshold page and the training-length page (notebook names)."""

WIDTHS = (1280, 390)
"""A laptop and a phone."""


EVIDENCE_CHARS = 80
"""The most characters an evidence cell's text may have (its provenance is a link away)."""


def _evidence_links(page: Path) -> list[str]:
    """The texts of a page's links to an evidence set's provenance (``#evidence-...``)."""
    html = page.read_text(encoding="utf-8")
    found = re.findall(r'<a[^>]*href="#evidence-[^"]*"[^>]*>(.*?)</a>', html, re.S)
    return [unescape(re.sub(r"<[^>]+>", "", text)).strip() for text in found]


def _need_chromium() -> None:
    """Skip without chromium (fail in CI, where scripts/setup.sh installs it)."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI; scripts/setup.sh should have installed it")
        pytest.skip("chromium not installed (CORRLIB_BROWSER=1 bash scripts/setup.sh)")


def _run(*args: str, cwd: Path) -> None:
    """Run a command; the notebooks' kernel imports this checkout's packages."""
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [*args], cwd=cwd, capture_output=True, text=True, timeout=900, check=False,
        env={**os.environ, "PYTHONPATH": path},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]


@pytest.fixture(scope="module")
def reader_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the three pages from the committed archive; return the book's HTML folder
    (skipped, before building, where chromium is missing: the build serves the browser)."""
    _need_chromium()
    work = tmp_path_factory.mktemp("reader")
    results = work / "results"  # empty: the archive alone, before and after a workflow run
    results.mkdir()
    book = work / "book"
    shutil.copytree(REPO / "book", book, ignore=shutil.ignore_patterns("_build", "executed"))
    (book / "executed").mkdir()
    for name in PAGES:
        out = book / "executed" / f"{name}.ipynb"
        options = ["-p", "results_root", str(results), "-p", "archive_root", str(REPO / "archive")]
        if name == "claims":
            options += ["-p", "profile", "demo"]
        _run(
            str(BIN / "python"), "-m", "papermill", "-k", "corrlib", "--cwd",
            str(REPO / "notebooks"), "--log-level", "WARNING",
            str(REPO / "notebooks" / f"{name}.ipynb"), str(out), *options, cwd=work,
        )  # fmt: skip
        _run(str(BIN / "python"), "-m", "reproduction.pages.notebook_tags", str(out), cwd=REPO)
    toc = ["format: jb-book", "root: executed/claims", "chapters:"]
    toc += [f"  - file: executed/{name}" for name in PAGES[1:]]
    (book / "_toc.yml").write_text("\n".join(toc) + "\n", encoding="utf-8")
    _run(str(BIN / "jupyter-book"), "build", str(book), "--quiet", cwd=work)
    html = book / "_build" / "html" / "executed"
    assert all((html / f"{name}.html").is_file() for name in PAGES)
    return html


@pytest.mark.slow
def test_the_reader_pages_read_at_1280_and_390_px(reader_book: Path, tmp_path: Path) -> None:
    problems, found = [], {}
    for name in PAGES:
        page = reader_book / f"{name}.html"
        for width in WIDTHS:
            report = measure_layout(CHROMIUM, page, width, tmp_path / f"layout-{width}")
            where = f"{name} at {width} px"
            problems += [f"{where}: {p}" for p in layout_problems(report, width, True)]
            for table in report["tables"]:
                too_wide = table["right"] > report["article_right"] + 1
                if table["visible"] and too_wide and not table["scrolls"]:
                    problems.append(f"{where}: table {table['index']} is wider than its column")
            for label in report["labels"]:
                named = ids_in(label["text"])
                if named:
                    problems.append(f"{where}: <{label['tag']}> names {sorted(named)}")
            if width == WIDTHS[0]:
                found[name] = {"experiment_ids_in_text": sorted(ids_in(report["text"]))}
                if name == "claims":
                    cells = [label["text"] for label in report["labels"] if label["tag"] == "td"]
                    found[name]["longest_cell"] = max((len(c) for c in cells), default=0)
                    evidence = _evidence_links(page)
                    found[name]["longest_evidence"] = max(map(len, evidence), default=0)
                    if found[name]["longest_evidence"] > EVIDENCE_CHARS:
                        problems.append(f"{where}: evidence {max(evidence, key=len)!r}")
    assert not problems, "\n".join(problems)
    shots = Path(os.environ.get("CORRLIB_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    for name in PAGES:
        for width in WIDTHS:
            shot = shots / f"{name}-{width}.png"
            taken = screenshot(CHROMIUM, reader_book / f"{name}.html", width, 2400, shot,
                               tmp_path / "shots")  # fmt: skip
            assert taken.returncode == 0 and shot.stat().st_size > 20_000, taken.stderr[-2000:]
    (shots / "reader_pages.json").write_text(json.dumps(found, indent=1), encoding="utf-8")
