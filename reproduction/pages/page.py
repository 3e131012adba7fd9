"""The parts every results page shares: the data note, the untrained note, the page's verdicts
and its provenance block with the parameters the page ran with.

A page notebook loads its runs once (:meth:`ResultsPage.load`: every results, curve and
step-timing file read once, the records kept on the page) and shows, around its own
tables, ``page.header()`` (what data the numbers come from, and which experiments did not
learn), ``page.verdicts_html()`` (the verdicts on the claims it shows) and ``page.provenance()``
(its parameters, runs, commits and hardware). The parameters are those the page ran with, read
from the kernel's own input (:func:`page_parameters`): the notebook's ``parameters`` cell and,
under papermill, the cell papermill injected after it; a page never types them again.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from reproduction.analysis import verdicts
from reproduction.pages import report, verdict_tables
from reproduction.records import run_table
from reproduction.records.results import iter_results
from reproduction.spec.profiles import data_label

THESIS_DATA = "COCO 2017, as printed in the thesis."
"""What the thesis's numbers on a page are measured on."""

INJECTED_MARK = "# Parameters"
"""The first line of the cell papermill injects after a notebook's ``parameters`` cell."""


def _assigned_names(source: str) -> list[str] | None:
    """The names a cell assigns if every statement of it assigns constants to plain names
    (a parameters cell), else None."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return None
    names: list[str] = []
    for node in body:
        if not isinstance(node, ast.Assign) or not all(
            isinstance(t, ast.Name) for t in node.targets
        ):
            return None
        try:
            ast.literal_eval(node.value)
        except ValueError:
            return None
        names += [t.id for t in node.targets if t.id not in names]
    return names or None


def page_parameters(
    history: Sequence[str] | None = None, namespace: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return the parameters a page ran with: name → value, in the parameters cell's order.

    The parameters cell is the first cell run in the kernel that only assigns constants to
    names (a notebook's first code cell); each value is the name's value now, so papermill's
    injected values (``-p name value``, run right after it) are those returned.

    Args:
        history: the sources of the cells run so far, oldest first (default: IPython's
            ``In``); for tests.
        namespace: where the values are read (default: the kernel's user namespace).

    Raises:
        RuntimeError: no cell run so far looks like a parameters cell.
    """
    if history is None or namespace is None:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None:
            raise RuntimeError("page_parameters reads the kernel's history: run it in a notebook")
        history = shell.user_ns.get("In", []) if history is None else history
        namespace = shell.user_ns if namespace is None else namespace
    for source in history:
        if source.lstrip().startswith(INJECTED_MARK):
            continue
        names = _assigned_names(source)
        if names:
            return {name: namespace[name] for name in names}
    raise RuntimeError("no parameters cell has run in this kernel")


def show(*parts: object, display: Callable[[object], None] | None = None) -> None:
    """Show each part on the page, in order: a str as Markdown (an empty one: nothing), a
    matplotlib figure as its image (then closed, so that the notebook does not show it a
    second time), anything else (a styled table) as it is.

    ``display``: what shows one object (default: IPython's ``display``); for tests.
    """
    if display is None:
        from IPython.display import display
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            from IPython.display import Markdown

            display(Markdown(part))
        elif _is_figure(part):
            import matplotlib.pyplot as plt

            display(part)
            plt.close(part)
        else:
            display(part)


def _is_figure(part: object) -> bool:
    """Whether ``part`` is a matplotlib figure (without importing matplotlib for a page
    that draws none)."""
    return type(part).__module__.startswith("matplotlib.") and hasattr(part, "savefig")


@dataclass
class ResultsPage:
    """One results page: its name (``notebooks/<name>.ipynb``), profile and roots, its runs
    and the evidence behind the claims' verdicts.

    Attributes:
        name: the page's notebook name (:data:`reproduction.spec.book_pages.PAGES`).
        profile: the profile whose local runs the page reads.
        results_root: the local results (``results/``).
        archive_root: the committed results (``archive/``).
        records: the profile's local results records, as read
            (:func:`reproduction.records.results.iter_results`).
        runs: the same runs as a table (:func:`reproduction.records.run_table.runs_frame`,
            in %).
        evidence: every set of runs the verdicts may be judged on
            (:func:`reproduction.analysis.verdicts.collect_evidence`).
    """

    name: str
    profile: str
    results_root: Path
    archive_root: Path
    records: tuple[dict, ...] = field(repr=False)
    runs: pd.DataFrame = field(repr=False)
    evidence: list = field(repr=False)

    @classmethod
    def load(
        cls, name: str, profile: str, results_root: str | Path, archive_root: str | Path
    ) -> ResultsPage:
        """Read the profile's runs and the evidence of every profile (local and archive),
        each file once: the profile's own records are read here and handed to the evidence
        and, later, to the provenance block."""
        results, archive = Path(results_root), Path(archive_root)
        records = tuple(iter_results(results, profile))
        return cls(
            name,
            profile,
            results,
            archive,
            records,
            run_table.runs_frame(records),
            verdicts.collect_evidence(results, archive, read={(results, profile): records}),
        )

    def header(self, thesis: str = THESIS_DATA) -> str:
        """The page's opening note as Markdown: what data our numbers and the thesis's come
        from, then (when some experiment did not learn) which ones
        (:func:`reproduction.pages.report.untrained_note`)."""
        note = f"> **Reproduced numbers:** {data_label(self.profile)}. **Thesis numbers:** {thesis}"
        untrained = report.untrained_note(self.runs)
        return note + ("\n\n" + untrained if untrained else "")

    def verdicts_html(self) -> str:
        """The verdicts on the claims this page shows, as HTML
        (:func:`reproduction.pages.verdict_tables.page_verdicts_html`), judged on the evidence
        the page loaded."""
        return verdict_tables.page_verdicts_html(
            self.name, self.results_root, self.archive_root, self.profile, self.evidence
        )

    def provenance(self, parameters: Mapping[str, object] | None = None) -> str:
        """The provenance block as Markdown (:func:`reproduction.pages.report.
        provenance_markdown`), with the parameters the page ran with (default:
        :func:`page_parameters`)."""
        shown = page_parameters() if parameters is None else parameters
        return report.provenance_markdown(
            self.runs, self.profile, self.results_root, parameters=shown, records=self.records
        )


__all__ = ["INJECTED_MARK", "THESIS_DATA", "ResultsPage", "page_parameters", "show"]
