"""The status page's table: for every thesis item a book page shows, whether runs fill it.

One row per item of :data:`reproduction.spec.book_pages.PAGES` (in book order): the page, the
profile this build's runs come from, how many of the item's rows those runs fill, and how
many the committed runs with the most of its experiments fill
(:func:`reproduction.analysis.verdicts.committed_beside`), named by where they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from reproduction.analysis import stats
from reproduction.analysis.verdicts import AnyEvidence
from reproduction.pages import report
from reproduction.pages.verdict_tables import committed_beside
from reproduction.spec import book_pages, thesis, thesis_rows

SUMMARY_COLUMN = {"5.3": "AP_mask"}
"""The thesis column a table's rows are counted by, where it is not AP (Table 5.3: mask AP)."""

TOYS = frozenset({"Figures 2.3 / 2.4", "Figure 3.1"})
"""Items computed on their page from toy data, with no training."""

UNTESTABLE = {"Table 5.5": "cannot be tested here (COCO test-dev server, R-101/X-101 DCN)"}
"""Items no profile here can reproduce, with why."""

COLUMNS = ["thesis", "page", "profile", "rows with runs", "committed rows with runs"]


def _filled(name: str, runs: pd.DataFrame) -> tuple[int, int]:
    """(rows with runs, rows) of thesis table ``name`` in ``runs``."""
    table = report.side_by_side(name, runs, [SUMMARY_COLUMN.get(name, "AP")])
    done = table[("", "status")] != stats.NOT_RUN
    return int(done.sum()), len(table)


def _gradient_done(runs: pd.DataFrame) -> bool:
    return bool((report.gradient_rows(runs)["runs"] != stats.NOT_RUN).any())


def status_rows(runs: pd.DataFrame, evidence: Sequence[AnyEvidence], profile: str) -> pd.DataFrame:
    """Return the status table (columns :data:`COLUMNS`).

    ``runs``: this build's runs of ``profile`` (:func:`reproduction.pages.report.load_runs`);
    ``evidence``: :func:`reproduction.analysis.verdicts.collect_evidence`. "rows with runs" reads
    e.g. "3 / 5" for a thesis table, "yes" / "not run" for a figure or section; "committed
    rows with runs" the same of the committed runs shown beside this build's on the item's
    page, with their place ("3 / 5 in archive/demo-128px"), or "—" where there are none.
    """
    rows = []
    for page in book_pages.PAGES:
        for item in page.shows:
            name = item.removeprefix("Table ")
            row = {"thesis": item, "page": page.name, "committed rows with runs": "—"}
            if item in UNTESTABLE:
                rows.append({**row, "profile": "—", "rows with runs": UNTESTABLE[item]})
                continue
            if name in thesis.TABLES and thesis.TABLES[name].kind != "per_class":
                filled, total = _filled(name, runs)
                reproduced, ok = f"{filled} / {total}", filled > 0
                committed = committed_beside(
                    evidence, thesis_rows.table_experiments(name), runs, profile
                )
                if committed is not None:
                    filled, total = _filled(name, committed.runs)
                    row["committed rows with runs"] = f"{filled} / {total} in {committed.label()}"
            elif item == "§5.5.4":
                ok = _gradient_done(runs)
                reproduced = "yes" if ok else stats.NOT_RUN
                committed = committed_beside(
                    evidence, thesis_rows.gradient_experiments(), runs, profile
                )
                if committed is not None and _gradient_done(committed.runs):
                    row["committed rows with runs"] = f"yes, in {committed.label()}"
            else:
                ok = item in TOYS or not runs.empty
                reproduced = "yes" if ok else stats.NOT_RUN
            where = "toy (no training)" if item in TOYS else profile
            rows.append({**row, "profile": where if ok else "—", "rows with runs": reproduced})
    return pd.DataFrame(rows, columns=COLUMNS)


__all__ = ["COLUMNS", "status_rows"]
