"""The README and the pages of docs/: the README stays short, every relative link and anchor of
those Markdown files resolves (GitHub's rules), every docs page is linked from the README, CI
runs the README's test command, and code comments that point to a docs section name one that
exists.

The checks work on text alone (no Markdown renderer): headings and links inside fenced code
blocks and inline code spans are not headings or links, as on GitHub.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README_MAX_LINES = 150
"""The README fits on a screen or two; everything longer lives in docs/."""

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+\1")
_LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
_HTML_ID = re.compile(r"<[a-zA-Z][^>]*\s(?:id|name)=[\"']([^\"']+)[\"']")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")


def _prose_lines(text: str) -> list[str]:
    """Returns the lines of ``text`` outside fenced code blocks, inline code removed."""
    lines, fence = [], ""
    for line in text.splitlines():
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
            continue
        if opened:
            fence = opened.group(1)
            continue
        lines.append(_INLINE_CODE.sub("", line))
    return lines


def github_slug(heading: str) -> str:
    """Returns the anchor GitHub gives a heading's text: the rendered text lower-cased, every
    character but letters, digits, spaces, hyphens and underscores dropped, spaces → hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
    text = text.replace("`", "").replace("*", "")
    text = "".join(c for c in text.lower() if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Returns the anchors a Markdown text defines: its headings' slugs (a repeated slug gets
    ``-1``, ``-2``, … as on GitHub) and the ``id``/``name`` of its HTML elements."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for line in _prose_lines(text):
        found.update(_HTML_ID.findall(line))
        heading = _HEADING.match(line)
        if heading is None:
            continue
        slug = github_slug(heading.group(2))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def headings(text: str) -> list[str]:
    """Returns the text of every heading of a Markdown text, in order, code blocks left out."""
    return [m.group(2) for line in _prose_lines(text) if (m := _HEADING.match(line))]


def link_targets(text: str) -> list[str]:
    """Returns the targets of a Markdown text's inline links, images and reference
    definitions, in order; those inside code are left out."""
    targets = []
    for line in _prose_lines(text):
        targets += _LINK.findall(line)
        reference = _REFERENCE.match(line)
        if reference:
            targets.append(reference.group(1))
    return targets


def broken_links(page: Path, root: Path) -> list[str]:
    """Returns one line per relative link of the Markdown file ``page`` that does not resolve:
    a file missing or outside ``root``, or an ``#anchor`` that the target Markdown file does not
    define. Links with a scheme (``https:``, ``mailto:``) are not checked."""
    problems = []
    name = page.relative_to(root).as_posix()
    for target in link_targets(page.read_text(encoding="utf-8")):
        if not target or _SCHEME.match(target):
            continue
        path_part, _, anchor = target.partition("#")
        if path_part.startswith("/"):
            problems.append(f"{name}: {target} (an absolute path; write it relative to the page)")
            continue
        file = (page.parent / path_part).resolve() if path_part else page.resolve()
        if not file.is_relative_to(root.resolve()):
            problems.append(f"{name}: {target} (outside the repository)")
        elif not file.exists():
            problems.append(f"{name}: {target} (no file {file.relative_to(root.resolve())})")
        elif anchor and file.suffix != ".md":
            problems.append(f"{name}: {target} (an anchor into a file that is not Markdown)")
        elif anchor and anchor not in anchors(file.read_text(encoding="utf-8")):
            problems.append(f"{name}: {target} (no heading '#{anchor}' in {file.name})")
    return problems


def _checked_pages(root: Path) -> list[Path]:
    return [root / "README.md", root / "data" / "README.md", *sorted((root / "docs").glob("*.md"))]


# --- the checker itself, on pages made here --------------------------------------------------


def test_github_slug_follows_githubs_rules() -> None:
    assert github_slug("Checking the paper configs (no GPU, no COCO)") == (
        "checking-the-paper-configs-no-gpu-no-coco"
    )
    assert github_slug("Measuring any detector's results") == "measuring-any-detectors-results"
    assert github_slug("A loss on ranks at its own λ — `reduction`") == (
        "a-loss-on-ranks-at-its-own-λ--reduction"
    )
    assert github_slug("See [the page](other.md)") == "see-the-page"


def test_broken_links_names_each_missing_file_and_anchor(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text(
        "# Page A\n\n## Twice\n\n## Twice\n\n```bash\n# not a heading\n[x](gone.md)\n```\n"
        '<a id="kept"></a>\n'
    )
    (tmp_path / "README.md").write_text(
        "[ok](docs/a.md) [ok](docs/a.md#page-a) [ok](docs/a.md#twice-1) [ok](docs/a.md#kept)\n"
        "[web](https://example.org/x.md#y) `[code](missing.md)` [self](#title)\n"
        "# Title\n"
        "[bad](docs/b.md) [bad](docs/a.md#twice-2) [bad](docs/a.md#not-a-heading)\n"
        "[bad](../outside.md) [bad](/docs/a.md) ![img](docs/pic.png)\n"
        "[ref]: docs/c.md\n"
    )
    problems = broken_links(tmp_path / "README.md", tmp_path)
    assert problems == [
        "README.md: docs/b.md (no file docs/b.md)",
        "README.md: docs/a.md#twice-2 (no heading '#twice-2' in a.md)",
        "README.md: docs/a.md#not-a-heading (no heading '#not-a-heading' in a.md)",
        "README.md: ../outside.md (outside the repository)",
        "README.md: /docs/a.md (an absolute path; write it relative to the page)",
        "README.md: docs/pic.png (no file docs/pic.png)",
        "README.md: docs/c.md (no file docs/c.md)",
    ]
    assert broken_links(tmp_path / "docs" / "a.md", tmp_path) == []  # the fenced link: code


# --- the repository's pages ---------------------------------------------------------------------


def test_the_readme_fits_on_a_screen_or_two() -> None:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines, more than {README_MAX_LINES}: move detail to docs/"
    )


@pytest.mark.parametrize("page", _checked_pages(REPO), ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_relative_link_resolves(page: Path) -> None:
    assert broken_links(page, REPO) == []


def test_every_docs_page_is_linked_from_the_readme() -> None:
    docs = sorted((REPO / "docs").glob("*.md"))
    assert docs, "docs/ holds no Markdown page"
    linked = {
        (REPO / target.partition("#")[0]).resolve()
        for target in link_targets((REPO / "README.md").read_text(encoding="utf-8"))
        if not _SCHEME.match(target)
    }
    unlinked = [p.relative_to(REPO).as_posix() for p in docs if p.resolve() not in linked]
    assert unlinked == [], f"docs pages the README does not link: {unlinked}"


def test_ci_runs_the_readmes_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^(\./run test)\b", readme, flags=re.MULTILINE)
    assert commands, "README.md shows no `./run test` command line"
    ci = [
        line
        for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    ]
    assert any(re.search(r"(^|\s)\./run test(\s|$)", line) for line in ci), (
        ".ci/run does not run `./run test`, the README's test command"
    )


_POINTER = re.compile(r"(README|README\.md|docs/[\w.-]+\.md), \"([^\"]+)\"")
_POINTING_FILES = ("Snakefile", "profiles", "scripts", "reproduction", "corrlib", "tests", "run")


def test_comments_that_point_to_a_section_name_one_that_exists() -> None:
    files = []
    for name in _POINTING_FILES:
        path = REPO / name
        files += [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    pointers = []
    for file in files:
        if file.suffix not in {"", ".py", ".yaml", ".sh", ".sbatch"} or file == Path(__file__):
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        pointers += [
            (file, "README.md" if page == "README" else page, section)
            for page, section in _POINTER.findall(text)
        ]
    assert pointers, "no code comment points to a docs section: is the pattern still used?"
    for file, page, section in pointers:
        where = f"{file.relative_to(REPO)} points to {page}, {section!r}"
        assert (REPO / page).is_file(), f"{where}: no such page"
        titles = headings((REPO / page).read_text(encoding="utf-8"))
        assert any(t.startswith(section) for t in titles), f"{where}: no such heading"
