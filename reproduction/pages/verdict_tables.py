"""The claims' verdicts as the book shows them: summary and detail tables, HTML, evidence notes.

Reads the judged claims of :mod:`reproduction.analysis.verdicts` and the tables of
:mod:`reproduction.pages.report`; writes nothing. The landing page shows :func:`summary_html` and
:func:`detail_table`, every results page :func:`page_verdicts_html`, and the thesis tables
:func:`committed_side_by_side` (a table of committed runs beside the thesis's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

from reproduction.analysis.verdicts import (
    AnyEvidence,
    ComparisonVerdict,
    Evidence,
    claim_verdict,
    collect_evidence,
    evaluate_claims,
)
from reproduction.pages.front_page import VERDICT_CLASS, evidence_short
from reproduction.pages.report import side_by_side
from reproduction.spec.claims import Claim
from reproduction.spec.profiles import data_label
from reproduction.spec.thesis_rows import table_experiments


def committed_beside(
    evidence: Sequence[AnyEvidence],
    experiments: Iterable[str],
    local: pd.DataFrame,
    prefer: str | None = None,
) -> Evidence | None:
    """Return the committed runs a page shows beside this build's own for a table of
    ``experiments``, or None.

    Of the archived run sets (one profile and dataset each, so that any pair in it was
    measured on the same data), the one holding the most of ``experiments``, then the most
    runs of them, then the profile ``prefer``. None when no archived set holds any, or when
    ``local`` (this build's runs, a :func:`reproduction.pages.report.load_runs` frame) already has
    as many seeds of each experiment that set holds.
    """
    wanted = set(experiments)
    best: tuple[tuple, Evidence] | None = None
    for item in evidence:
        if item.side_by_side or item.source != "archive" or item.runs.empty:
            continue
        held = item.runs[item.runs["experiment"].isin(wanted)]
        if held.empty:
            continue
        rank = (held["experiment"].nunique(), len(held), item.profile == prefer)
        if best is None or rank > best[0]:
            best = (rank, item)
    if best is None:
        return None
    chosen = best[1]
    held = chosen.runs[chosen.runs["experiment"].isin(wanted)]
    local_seeds = local.groupby("experiment")["seed"].nunique() if not local.empty else {}
    if all(
        local_seeds.get(experiment, 0) >= n
        for experiment, n in held.groupby("experiment")["seed"].nunique().items()
    ):
        return None
    return chosen


def committed_note(item: Evidence, experiments: Iterable[str]) -> str:
    """The Markdown lines above a table shown again from committed runs
    (:func:`committed_beside`): where they are, the seeds of the table's ``experiments``
    there, on what data, and why they are shown."""
    held = item.runs[item.runs["experiment"].isin(set(experiments))]
    seeds = sorted(int(s) for s in held["seed"].unique())
    span = f"seeds {seeds[0]}–{seeds[-1]}" if len(seeds) > 1 else f"seed {seeds[0]}"
    return (
        f"**The same table from committed runs:** `{item.label()}`, {span} of its experiments. "
        "This build's own runs hold fewer seeds of them; the verdicts below read these runs too."
        f"\n\n> **Data:** {data_label(item.profile)}."
    )


def committed_side_by_side(
    evidence: Sequence[AnyEvidence],
    table_name: str,
    columns: list[str],
    local: pd.DataFrame,
    prefer: str | None = None,
    ours_columns: dict[str, str] | None = None,
) -> tuple[str, pd.DataFrame] | None:
    """Return (:func:`committed_note`, :func:`reproduction.pages.report.side_by_side` of the
    committed runs) for a thesis table whose experiments this build ran fewer seeds of than
    the archive holds (:func:`committed_beside`), or None."""
    experiments = table_experiments(table_name)
    item = committed_beside(evidence, experiments, local, prefer)
    if item is None:
        return None
    table = side_by_side(table_name, item.runs, columns, ours_columns=ours_columns)
    return committed_note(item, experiments), table


def _format_effect(value: float | None, test: str, digits: int = 1) -> str:
    if value is None:
        return "—"
    unit = " %" if test == "within" else ""
    return f"{value:+.{digits}f}{unit}"


def _format_interval(cv: ComparisonVerdict, digits: int = 1) -> str:
    """Our effect with its interval and count (:meth:`reproduction.analysis.stats.Interval.format`):
    points, % ("within") or the share of classes improved ("class_majority")."""
    if cv.effect is None:
        return "—"
    effect = cv.effect
    if cv.comparison.test == "class_majority":  # back to the share of classes improved
        share = replace(
            effect,
            mean=effect.mean + 50,
            low=None if effect.low is None else effect.low + 50,
            high=None if effect.high is None else effect.high + 50,
        )
        return share.format(0, unit=" % of classes", count="")
    unit = " %" if cv.comparison.test == "within" else ""
    count = "" if cv.evidence is None or cv.evidence.unit == "seeds" else f" {cv.evidence.unit}"
    return effect.format(digits, signed=True, unit=unit, count=count)


def _thesis_text(cv: ComparisonVerdict) -> str:
    if cv.claim.thesis_summary and cv.comparison.thesis_reference is None:
        return cv.claim.thesis_summary if cv.comparison is cv.claim.comparisons[0] else "—"
    return _format_effect(cv.thesis_effect, cv.comparison.test)


def summary_table(judged: Sequence[tuple[Claim, list[ComparisonVerdict]]]) -> pd.DataFrame:
    """One row per claim: claim, source, thesis effect, our effect, verdict, page.

    "thesis effect" and "ours" are those of the comparison that decides the claim's verdict:
    its first comparison with that verdict which ran (e.g. the contradicted one of a
    contradicted claim), else its first that ran (the detail table lists every comparison);
    for a claim with more comparisons the verdict's account says how many hold.
    """
    rows = []
    for claim, verdicts in judged:
        verdict, account = claim_verdict(claim, verdicts)
        shown = _deciding(verdicts, verdict)
        rows.append(
            {
                "claim": claim.text,
                "source": claim.source,
                "compared": shown.comparison.label if shown else "—",
                "thesis effect": _thesis_text(shown) if shown else "—",
                "ours [95% CI] (seeds)": _format_interval(shown) if shown else "—",
                "verdict": verdict,
                "of its comparisons": account,
                "evidence": _evidence_text(shown) if shown else "—",
                "page": claim.page,
            }
        )
    return pd.DataFrame(rows)


def _deciding(verdicts: Sequence[ComparisonVerdict], verdict: str) -> ComparisonVerdict | None:
    """Return the comparison a claim's summary row shows: the first that ran with the claim's
    ``verdict``, else the first that ran, else the first; None for a claim without any."""
    ran = [cv for cv in verdicts if cv.effect is not None]
    return next((cv for cv in ran if cv.verdict == verdict), None) or next(
        iter(ran or verdicts), None
    )


def detail_table(
    judged: Sequence[tuple[Claim, list[ComparisonVerdict]]], claim_ids: Iterable[str] | None = None
) -> pd.DataFrame:
    """One row per comparison: claim id, compared, metric, thesis effect, ours, verdict, source."""
    wanted = set(claim_ids) if claim_ids is not None else None
    rows = []
    for claim, verdicts in judged:
        if wanted is not None and claim.id not in wanted:
            continue
        for cv in verdicts:
            rows.append(
                {
                    "claim": claim.id,
                    "compared": cv.comparison.label,
                    "metric": cv.comparison.metric,
                    "thesis effect": _thesis_text(cv),
                    "ours [95% CI] (seeds)": _format_interval(cv),
                    "verdict": cv.verdict,
                    "evidence": _evidence_text(cv),
                }
            )
    return pd.DataFrame(rows)


def _evidence_text(cv: ComparisonVerdict) -> str:
    if cv.note is not None:
        return cv.note
    if cv.evidence is None:
        if cv.claim.untestable is not None:
            return "—"
        return f"run it: ./run main add={cv.comparison.reference},{cv.comparison.treatment}"
    return evidence_short(cv)


def summary_html(
    judged: Sequence[tuple[Claim, list[ComparisonVerdict]]], page_link: str = "{page}.html"
) -> str:
    """The claims table as an HTML table that fits a page (no index, five columns).

    Columns: claim (with its source, linked to its page by ``page_link``), thesis effect,
    ours [95 % CI] (seeds) with what was compared, verdict (with how many comparisons hold),
    evidence. Returns the ``<table>`` markup.
    """
    from html import escape

    table = summary_table(judged)
    head = ("claim", "thesis effect", "ours [95% CI] (seeds)", "verdict", "evidence")
    lines = ['<table class="claims">', "<thead><tr>"]
    lines += [f"<th>{escape(h)}</th>" for h in head]
    lines.append("</tr></thead><tbody>")
    for row in table.to_dict("records"):
        link = escape(page_link.format(page=row["page"]))
        claim = f'{escape(row["claim"])}<br><a href="{link}">{escape(row["source"])}</a>'
        ours = f"{escape(row['ours [95% CI] (seeds)'])}<br><small>{escape(row['compared'])}</small>"
        verdict = (
            f'<span class="{VERDICT_CLASS[row["verdict"]]}">{escape(row["verdict"])}</span>'
            f"<br><small>{escape(row['of its comparisons'])}</small>"
        )
        cells = (claim, escape(row["thesis effect"]), ours, verdict, escape(row["evidence"]))
        lines.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def evidence_markdown(evidence: Sequence[AnyEvidence], profile: str) -> str:
    """The provenance block of the claims page: each evidence set with its runs and machines.

    Returns Markdown: the book's profile, then one line per (profile, source) with its number
    of runs, experiments, seeds, git commits and hardware, and one per step-timing record.
    """
    lines = ["**Provenance**", "", f"- Book built for profile `{profile}`."]
    if not evidence:
        lines.append("- No results files yet, local or archived: every claim is *not run*.")
    lines += [f"- {item.summary()}" for item in evidence]
    return "\n".join(lines)


def page_verdicts_html(
    page: str,
    results_root: Path,
    archive_root: Path,
    profile: str,
    evidence: Sequence[AnyEvidence] | None = None,
) -> str:
    """The verdicts of the claims a book page shows, as an HTML table (no index).

    One row per comparison (:func:`detail_table`) of
    :func:`reproduction.spec.claims.claims_on_page`;
    a short paragraph when the page has no claims. ``evidence``: the runs the verdicts are
    judged on when the page has already collected them from the same roots (default:
    :func:`reproduction.analysis.verdicts.collect_evidence` of the roots).
    """
    from reproduction.spec.claims import claims_on_page

    on_page = claims_on_page(page)
    if not on_page:
        return "<p>No claim of the thesis is tested on this page.</p>"
    if evidence is None:
        evidence = collect_evidence(Path(results_root), Path(archive_root))
    judged = evaluate_claims(evidence, prefer=profile, claims=on_page)
    parts = []
    for claim, verdicts in judged:
        verdict, account = claim_verdict(claim, verdicts)
        parts.append(
            f"<p><strong>{claim.source}</strong>: {claim.text} — <strong>{verdict}</strong>"
            f" ({account})</p>"
        )
    table = detail_table(judged).drop(columns=["claim"])
    parts.append(table.to_html(index=False, border=0, classes="claims-detail"))
    return "\n".join(parts)
