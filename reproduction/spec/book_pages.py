"""The book's pages: their notebooks, titles, parts and the thesis items each shows (pure data).

The one list of pages. The workflow (Snakefile) executes :func:`analysis_notebooks`, the status
page finds a thesis item's page with :func:`page_of`, and ``book/_toc.yml`` is written from
:data:`PAGES` (``python -m reproduction.spec.book_pages toc book/_toc.yml``, run by the workflow
before each book build; a test checks the committed file is what it writes).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from reproduction.spec.paths import EXECUTED_PAGE


@dataclass(frozen=True)
class Page:
    """One page of the book.

    Attributes:
        name: a notebook page's notebook, ``notebooks/<name>.ipynb`` (executed into
            ``book/executed/<name>.ipynb``), or a Markdown page's ``book/<name>.md``.
        title: the page's heading (the first line of the notebook or file, without "# ").
        part: the caption of the book part it sits in.
        shows: the thesis items (``"Table 5.1"``, ``"Figure 1.3"``, ``"§5.5.4"``) it reproduces.
        notebook: False for a Markdown page.
        takes_profile: whether the notebook has a ``profile`` parameter, the workflow's
            profile whose runs it shows; False for a page of no profile's runs or of fixed
            profiles (the workflow then does not pass one).
    """

    name: str
    title: str
    part: str
    shows: tuple[str, ...] = ()
    notebook: bool = True
    takes_profile: bool = True

    @property
    def toc_file(self) -> str:
        """Return the page's entry in ``_toc.yml`` (relative to ``book/``, no suffix)."""
        if not self.notebook:
            return self.name
        executed = Path(EXECUTED_PAGE.format(name=self.name))
        return (executed.parent.relative_to("book") / executed.stem).as_posix()


LANDING = Page("claims", "Does the thesis hold here?", "")
"""The book's landing page: the claims table with a verdict per claim (a notebook page)."""

ROOT = LANDING.toc_file
"""The landing page's entry in ``_toc.yml`` (``root:``)."""

_CH2 = "Background (thesis Chapter 2)"
_CH3 = "Effects of correlation (Chapter 3)"
_CH5 = "Experiments (Chapter 5)"
_REGIMES = "Where the AP effect sits"

PAGES: tuple[Page, ...] = (
    Page("status", "Reproduction status", "Status"),
    Page(
        "coefficients",
        "What each coefficient measures (Figures 2.3 and 2.4)",
        _CH2,
        ("Figures 2.3 / 2.4",),
        takes_profile=False,
    ),
    Page("soft_spearman", "Spearman Loss at the thesis's setting is Pearson Loss", _CH2),
    Page(
        "toy_correlation",
        "How correlation affects NMS and AP (Figure 3.1, a toy)",
        _CH3,
        ("Figure 3.1",),
    ),
    Page(
        "bounds",
        "Correlation and its bounds (Tables 3.1 and 3.2)",
        _CH3,
        ("Table 3.1", "Table 3.2"),
    ),
    Page(
        "table_5_1",
        "Correlation Loss on five detectors (Table 5.1)",
        _CH5,
        ("Table 5.1", "Table 5.2", "Table 5.5"),
    ),
    Page("table_5_3", "YOLACT, instance segmentation (Table 5.3)", _CH5, ("Table 5.3",)),
    Page(
        "table_5_4",
        "Correlation Loss with other methods on ATSS (Table 5.4)",
        _CH5,
        ("Table 5.4",),
    ),
    Page("table_5_6", "Pearson, Concordance and Spearman Loss (Table 5.6)", _CH5, ("Table 5.6",)),
    Page("table_5_7", "The weight λ_corr (Table 5.7)", _CH5, ("Table 5.7",)),
    Page("table_5_8", "Effect on classes (Table 5.8)", _CH5, ("Table 5.8",)),
    Page("figure_1_3", "AP against class-level correlation (Figure 1.3)", _CH5, ("Figure 1.3",)),
    Page("overhead", "Training-time overhead (§5.5.3)", _CH5, ("§5.5.3",)),
    Page("gradient", "Which head receives the gradient (§5.5.4)", _CH5, ("§5.5.4",)),
    Page(
        "ap_per_iou",
        "Where the AP goes: the effect at each IoU threshold",
        _REGIMES,
        takes_profile=False,
    ),
    Page(
        "regimes",
        "When the gain shows: training length and a pretrained start",
        _REGIMES,
        takes_profile=False,
    ),
    Page("rank_loss", "A loss on ranks at its own λ", _REGIMES),
    Page(
        "study",
        "The demo protocol: how many seeds resolve the effect?",
        "The demo's statistical power",
    ),
    Page(
        "learning_curves",
        "Which methods learn in the demo's schedule? (learning curves)",
        "The demo's statistical power",
    ),
    Page("differences", "Differences from the author's code", "Reference"),
    Page("reproduce", "How to re-run this book", "Reference", notebook=False),
)
"""Every page after the landing page, in book order."""

NOT_SHOWN: tuple[str, ...] = ()
"""Thesis items no page shows (none: Table 5.5, which cannot be tested here, is shown as the
thesis's data on the Table 5.1 page with the reason)."""


def analysis_notebooks() -> list[str]:
    """Return the notebook names of the notebook pages, landing page first (what the workflow
    runs)."""
    return [LANDING.name, *(p.name for p in PAGES if p.notebook)]


def papermill_parameters(name: str, profile: str) -> str:
    """Return the papermill options the workflow runs notebook page ``name`` with:
    ``-p profile <profile>`` for a page that takes the profile, else the empty string."""
    page = next((p for p in (LANDING, *PAGES) if p.name == name and p.notebook), None)
    if page is None:
        raise KeyError(f"no notebook page named {name!r} in reproduction.spec.book_pages")
    return f"-p profile {profile}" if page.takes_profile else ""


def page_of(item: str) -> str | None:
    """Return the name of the page that shows a thesis item ("Table 5.1"), or None."""
    return next((p.name for p in PAGES if item in p.shows), None)


def toc() -> dict:
    """Return the Jupyter Book table of contents of :data:`PAGES` (the ``_toc.yml`` mapping)."""
    parts: dict[str, list[dict[str, str]]] = {}
    for page in PAGES:
        parts.setdefault(page.part, []).append({"file": page.toc_file})
    return {
        "format": "jb-book",
        "root": ROOT,
        "parts": [{"caption": c, "chapters": chapters} for c, chapters in parts.items()],
    }


def toc_yaml() -> str:
    """Return :func:`toc` as the text of ``_toc.yml`` (a fixed, diff-friendly layout)."""
    spec = toc()
    lines = [
        "# Written by `python -m reproduction.spec.book_pages toc book/_toc.yml` from",
        "# reproduction/spec/book_pages.py (the list of pages); edit that file, not this one.",
        f"format: {spec['format']}",
        f"root: {spec['root']}",
        "parts:",
    ]
    for part in spec["parts"]:
        lines += [f"  - caption: {part['caption']}", "    chapters:"]
        lines += [f"      - file: {c['file']}" for c in part["chapters"]]
    return "\n".join(lines) + "\n"


def write_toc(path: Path) -> bool:
    """Write :func:`toc_yaml` to ``path`` unless it already holds it; return True if written."""
    text = toc_yaml()
    path = Path(path)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    """Command line: ``toc PATH`` writes the table of contents; ``notebooks`` lists them.

    Returns the exit status (0).
    """
    parser = argparse.ArgumentParser(
        prog="python -m reproduction.spec.book_pages", description=__doc__
    )
    sub = parser.add_subparsers(dest="command", required=True)
    write = sub.add_parser("toc", help="write book/_toc.yml from the list of pages")
    write.add_argument("path", type=Path, nargs="?", default=Path("book/_toc.yml"))
    sub.add_parser("notebooks", help="print the notebook pages, one a line")
    args = parser.parse_args(argv)
    if args.command == "toc":
        write_toc(args.path)
    else:
        print("\n".join(analysis_notebooks()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
