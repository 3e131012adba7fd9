"""The book's repository, issue and launch buttons (book/_config.yml, book/_ext/source_launch.py).

A copy of the book's sources is built with unexecuted notebooks standing in for the executed
copies (the buttons do not depend on outputs), in a temporary tree shaped like the repository,
so the check takes seconds and touches nothing in the checkout.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONFIG = yaml.safe_load((REPO / "book" / "_config.yml").read_text())
MISSING = "gradient"  # a page whose source notebook the test removes from its copy

sys.path.insert(0, str(REPO / "book" / "_ext"))
from book_html import broken_links  # noqa: E402
from source_launch import source_notebook  # noqa: E402


def test_source_notebook_maps_executed_pages_only() -> None:
    assert source_notebook("executed/table_5_1") == "notebooks/table_5_1.ipynb"
    assert source_notebook("claims") is None  # a name outside executed/
    assert source_notebook("reproduce") is None


def test_the_repository_is_one_setting() -> None:
    repo = CONFIG["repository"]
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", repo["url"])
    assert repo["branch"] == "main" and repo["path_to_book"] == "book"
    assert CONFIG["html"]["use_repository_button"] and CONFIG["html"]["use_issues_button"]
    launch = CONFIG["launch_buttons"]
    assert launch["notebook_interface"] == "jupyterlab"
    assert launch["binderhub_url"] == "https://mybinder.org"
    assert launch["colab_url"] == "https://colab.research.google.com"
    # no other file of the book spells the address out
    for path in (REPO / "book").rglob("*"):
        if path.is_file() and path.suffix in {".md", ".yml", ".py", ".css"}:
            if path.name != "_config.yml":
                assert repo["url"] not in path.read_text(), path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(
        REPO / "book", root / "book", ignore=shutil.ignore_patterns("_build", "executed")
    )
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    toc = (REPO / "book" / "_toc.yml").read_text()
    pages = re.findall(r"(?:file|root):\s*executed/(\w+)", toc)
    assert "coefficients" in pages and MISSING in pages
    (root / "book" / "executed").mkdir()
    for name in pages:
        shutil.copy(REPO / "notebooks" / f"{name}.ipynb", root / "book" / "executed")
    (root / "notebooks" / f"{MISSING}.ipynb").unlink()
    done = subprocess.run(  # as the workflow builds it: a warning fails the build
        [str(BIN / "jupyter-book"), "build", "book", "--quiet", "-W", "-n", "--keep-going"],
        cwd=root, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return root / "book" / "_build" / "html"


@pytest.mark.slow
def test_links_between_pages_resolve_without_outputs(built: Path) -> None:
    # the Markdown links and the book's own navigation; outputs (the claims table's raw HTML
    # links) are checked on the executed book, tests/test_workflow.py
    assert 'href="status.html"' in (built / "executed" / "claims.html").read_text()
    assert broken_links(built) == []


def _links(page: Path) -> list[str]:
    return re.findall(r'href="(https://[^"]+)"', page.read_text())


@pytest.mark.slow
def test_launch_buttons_open_the_source_notebook(built: Path) -> None:
    org_repo = CONFIG["repository"]["url"].removeprefix("https://github.com/")
    links = _links(built / "executed" / "coefficients.html")
    source = "notebooks/coefficients.ipynb"
    binder = f"https://mybinder.org/v2/gh/{org_repo}/main?urlpath=lab/tree/{source}"
    colab = f"https://colab.research.google.com/github/{org_repo}/blob/main/{source}"
    assert binder in links, links
    assert colab in links, links
    assert not any("executed/" in link for link in links if "mybinder" in link or "colab" in link)
    # without a source notebook the page offers no launch at all
    missing = _links(built / "executed" / f"{MISSING}.html")
    assert not any("mybinder" in link or "colab" in link for link in missing), missing


@pytest.mark.slow
def test_repository_and_issue_buttons(built: Path) -> None:
    url = CONFIG["repository"]["url"]
    links = _links(built / "reproduce.html")
    assert url in links, links
    assert any(link.startswith(f"{url}/issues/new?") for link in links), links
    assert not any("mybinder" in link for link in links)  # a Markdown page: nothing to launch
