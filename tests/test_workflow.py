"""The workflow end to end: smoke profile → results → book, and the book in a real browser.

The smoke run happens once per session in a temporary copy of the workflow's sources (the
Snakefile, notebooks and book sources), with ``CORRLIB_DATA`` pointing there, so a test run
never touches the checkout's own data, results or book.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from book_html import broken_links, chromium, layout_problems, measure_layout, screenshot
from workflow_copy import copy_workflow

from reproduction.records.results import read_results
from reproduction.spec import book_pages
from reproduction.spec.plans import plan

BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def snakemake(workdir: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the workflow's snakemake in ``workdir``; return the completed process (text)."""
    return subprocess.run(
        [str(BIN / "snakemake"), "--cores", "2", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=900,
    )


# Two seeds and a Correlation-Loss partner for the plan's baseline: paired runs, so the book
# shows intervals over seeds and paired differences (which a smoke run cannot resolve).
SMOKE_SEEDS = (0, 1)
SMOKE_PAIRED = "atss_concordance_0.3"
SMOKE_CONFIG = ("profile=smoke", "seeds=0,1", f"add={SMOKE_PAIRED}")
SMOKE_PLAN = plan("smoke").adding([SMOKE_PAIRED]).with_seeds(SMOKE_SEEDS)


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the smoke profile end to end in a temporary copy; return that directory."""
    work = copy_workflow(tmp_path_factory.mktemp("workflow"))
    env = {"CORRLIB_DATA": str(work / "data")}
    done = snakemake(work, "--config", *SMOKE_CONFIG, env=env)
    assert done.returncode == 0, done.stderr[-4000:]
    again = snakemake(work, "-n", "--config", *SMOKE_CONFIG, env=env)
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr
    return work


@pytest.mark.slow
def test_smoke_profile_produces_results_and_book(smoke_run: Path) -> None:
    runs = SMOKE_PLAN.runs()
    seen_seeds = set()
    for experiment, seed in runs:
        record = read_results(smoke_run / "results" / "smoke" / experiment / f"seed{seed}.json")
        assert record["dataset"]["synthetic"] is True
        assert 0.0 <= record["metrics"]["AP"] <= 1.0
        assert record["provenance"]["hardware"]["cores"] >= 1
        seen_seeds.add(record["seed"])
    assert seen_seeds == set(SMOKE_SEEDS)  # each results file records its seed
    html = smoke_run / "book" / "_build" / "html"
    assert (html / "index.html").is_file()
    page = (html / "executed" / "table_5_1.html").read_text()
    first = runs[0][0]
    assert f"{first} (2 seeds)" in page  # a reproduced row, labelled with its runs
    assert ">not run</td>" in page and "NOT COCO" in page  # a thesis row without runs
    assert "95% CI" in page  # intervals over seeds beside the means
    # the paired difference atss_concordance_0.3 − atss_baseline, per seed: with two smoke
    # seeds its t-interval (12.7 × s/√2) cannot exclude 0 unless it is degenerate
    assert SMOKE_PAIRED in page and re.search(r">\s*not resolved\s*</td>", page)
    assert "Provenance" in page
    # papermill's parameter cells are left out; the provenance block lists what the page ran with
    assert "# Parameters" not in page  # papermill's injected cell
    value = r"<span[^>]*>profile</span> <span[^>]*>=</span> <span[^>]*>'smoke'</span>"
    assert re.search("Parameters: <code[^>]*>" + value, page), page[-3000:]
    executed = json.loads((smoke_run / "book" / "executed" / "table_5_1.ipynb").read_text())
    injected = [
        c for c in executed["cells"] if "injected-parameters" in c["metadata"].get("tags", [])
    ]
    assert injected and all("remove-cell" in c["metadata"]["tags"] for c in injected)


@pytest.mark.slow
def test_book_links_and_anchors_resolve(smoke_run: Path) -> None:
    html = smoke_run / "book" / "_build" / "html"
    claims = (html / "executed" / "claims.html").read_text()
    assert claims.count('href="table_5_1.html"') >= 2  # the claims table's raw HTML links
    assert 'href="status.html"' in claims and 'href="study.html"' in claims  # Markdown links
    assert broken_links(html) == []


def test_paper_profile_dry_run_lists_every_experiment(tmp_path: Path) -> None:
    work = copy_workflow(tmp_path / "workflow")
    dry = snakemake(work, "-n", "--config", "profile=paper", env={"COCO_ROOT": "/nonexistent"})
    assert dry.returncode == 0, dry.stderr[-3000:]
    text = dry.stdout + dry.stderr
    n_runs = len(plan("paper").runs())
    assert any(line.split()[:2] == ["train", str(n_runs)] for line in text.splitlines()), text[
        -2000:
    ]
    assert "check_coco" in text


def _jobs_of(profile: str, text: str) -> list[str]:
    """The lines of a dry run's text that name a results or work file of ``profile``."""
    marks = (f"results/{profile}/", f"work_dirs/{profile}/")
    return [line for line in text.splitlines() if any(m in line for m in marks)]


OTHER_PROFILES: dict[str, tuple[str, ...]] = {
    "paper": ("profile=paper",),
    "check": ("profile=paper", "max_iters=2", "val_images=4", "device=cpu"),
}
"""Runs naming another profile than the smoke run's: the paper profile (its GPUs, torchrun)
and a check profile of it (no --gpus, a validation subset)."""


@pytest.mark.slow
@pytest.mark.parametrize("other", sorted(OTHER_PROFILES))
def test_another_profile_never_reruns_the_smoke_runs(smoke_run: Path, other: str) -> None:
    env = {"CORRLIB_DATA": str(smoke_run / "data"), "COCO_ROOT": "/nonexistent"}
    config = OTHER_PROFILES[other]
    whole = snakemake(smoke_run, "-n", "--config", *config, env=env)
    assert whole.returncode == 0, whole.stderr[-3000:]
    assert _jobs_of("smoke", whole.stdout + whole.stderr) == []
    # asked for by name in that run, the smoke profile's results are up to date: its jobs'
    # parameters come from their own profile, not from the one the command line names
    targets = [f"results/smoke/{e}/seed{s}.json" for e, s in SMOKE_PLAN.runs()]
    named = snakemake(smoke_run, "-n", "--config", *config, "--", *targets, env=env)
    text = named.stdout + named.stderr
    assert named.returncode == 0, text[-3000:]
    assert "Nothing to be done" in text, "\n".join(_jobs_of("smoke", text)) or text[-3000:]
    again = snakemake(smoke_run, "-n", "--config", *SMOKE_CONFIG, env=env)
    assert "Nothing to be done" in again.stdout + again.stderr


BOOK_PAGES = [f"executed/{name}.html" for name in book_pages.analysis_notebooks()] + [
    f"{p.name}.html" for p in book_pages.PAGES if not p.notebook
]
"""Every page of the book (the landing page's index.html only redirects to the claims page)."""

WIDTHS = (1280, 390)
"""A laptop and a phone: at 1280 px no table scrolls sideways; at 390 px a table may scroll
inside its box, but neither the page nor its main content is wider than the screen."""

SHOTS = ("executed/claims.html", "executed/table_5_1.html", "executed/study.html")
"""The pages screenshot at each width (into $CORRLIB_SCREENSHOTS when set, to look at)."""


@pytest.mark.slow
def test_book_pages_render_in_headless_chromium(smoke_run: Path, tmp_path: Path) -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI; scripts/setup.sh should have installed it")
        pytest.skip("chromium not installed (CORRLIB_BROWSER=1 bash scripts/setup.sh)")
    html = smoke_run / "book" / "_build" / "html"
    assert "url=executed/claims.html" in (html / "index.html").read_text()  # the claims page
    for page, needs in [("executed/claims.html", ["Does the thesis hold", "NOT COCO", "verdict"]),
                        ("executed/table_5_1.html", ["<table", "<img", "thesis"])]:  # fmt: skip
        profile_dir = tmp_path / page.replace("/", "_")
        dom = chromium(
            CHROMIUM, f"--user-data-dir={profile_dir}", "--dump-dom", (html / page).as_uri()
        )
        assert dom.returncode == 0, dom.stderr[-2000:]
        for needle in needs:
            assert needle in dom.stdout, f"{page}: {needle!r} not rendered"
    problems = []
    for page in BOOK_PAGES:
        for width in WIDTHS:
            report = measure_layout(CHROMIUM, html / page, width, tmp_path / f"layout-{width}")
            found = layout_problems(report, width, tables_may_scroll=width < 1280)
            problems += [f"{page} at {width} px: {problem}" for problem in found]
    assert not problems, "\n".join(problems)
    shots = Path(os.environ.get("CORRLIB_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    for page in SHOTS:
        for width in WIDTHS:
            shot = shots / f"{Path(page).stem}-{width}.png"
            taken = screenshot(CHROMIUM, html / page, width, 2400, shot, tmp_path / "shots")
            assert taken.returncode == 0 and shot.stat().st_size > 20_000, taken.stderr[-2000:]
