"""The front page: verdicts by regime, the forest plot, the headline's answer, the evidence.

``notebooks/claims.ipynb`` reads this module. Every claim is judged once per regime the
evidence holds (:func:`reproduction.analysis.verdicts.evaluate_by_regime`: the demo's schedule
from scratch, each other schedule, the pretrained start, the thesis's settings), and the page
shows, above its table (:func:`regime_table_html`, one verdict column per regime), the
verdicts counted per regime (:func:`regime_counts_html`), the answer to "does the thesis hold
here?" for the headline claim with its numbers (:func:`headline_markdown`) and one figure of
every effect (:func:`plot_forest`). Evidence cells say in a few words where the runs are, how
many paired seeds and on what hardware (:func:`evidence_short`), and link to the anchored
provenance list at the page's end (:func:`evidence_list_html`), which names the seeds,
machines and commits. Labels are :func:`reproduction.spec.labels.reader_label`'s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape

import pandas as pd

from reproduction.analysis.stats import CONTRADICTED, HOLDS, NOT_RESOLVED, NOT_RUN
from reproduction.analysis.verdicts import (
    UNTESTABLE,
    VERDICTS,
    AnyEvidence,
    ComparisonVerdict,
    StepEvidence,
    claim_verdict,
    verdict_count,
)
from reproduction.pages.report import metric_label
from reproduction.spec.claims import Claim
from reproduction.spec.labels import reader_label
from reproduction.spec.profiles import Regime, regime_of

Judged = list[tuple[Claim, list[ComparisonVerdict]]]
"""Claims with their comparisons' verdicts (:func:`reproduction.analysis.verdicts.evaluate_claims`)."""

ByRegime = Mapping[Regime, Judged]
"""Regime → the claims judged on its evidence alone."""

VERDICT_CLASS: dict[str, str] = {
    HOLDS: "verdict-holds",
    CONTRADICTED: "verdict-contradicted",
    NOT_RESOLVED: "verdict-unresolved",
    NOT_RUN: "verdict-not-run",
    UNTESTABLE: "verdict-untestable",
}
"""The CSS class of each verdict's word (``book/_static/tables.css`` colours them)."""

VERDICT_COLOURS: dict[str, str] = {
    HOLDS: "#1a7f37",
    CONTRADICTED: "#c62828",
    NOT_RESOLVED: "#6e7781",
}
"""Each judged verdict's colour in the forest plot (the table's colours)."""


def anchor(item: AnyEvidence) -> str:
    """Return the id of an evidence set's entry in :func:`evidence_list_html`
    (``"evidence-archive-demo"``)."""
    return "evidence-" + re.sub(r"[^a-z0-9]+", "-", item.label().lower()).strip("-")


def _device(item: AnyEvidence, experiments: Sequence[str]) -> str:
    """"CPU", "GPU" or both, from the provenance of the runs (or the timing record)."""
    if isinstance(item, StepEvidence):
        devices = {item.device}
    else:
        wanted = set(experiments)
        devices = {
            ((r.get("provenance") or {}).get("hardware") or {}).get("device")
            for r in item.records
            if r.get("experiment", {}).get("id") in wanted
        }
    words = sorted({"GPU" if str(d).startswith("cuda") else "CPU" for d in devices if d})
    return " + ".join(words) or "hardware unknown"


def evidence_short(cv: ComparisonVerdict) -> str:
    """The evidence of a comparison in a few words: where the runs are, how many paired seeds
    (or interleaved steps) and on what, e.g. ``"archive/demo · 32 seeds · CPU"``; "—" when
    nothing ran."""
    item = cv.evidence
    if item is None:
        return "—"
    where = item.label() if isinstance(item, StepEvidence) else f"{item.root}/{item.profile}"
    n = len(cv.seeds)
    unit = item.unit if n != 1 else item.unit.rstrip("s")
    device = _device(item, (cv.comparison.reference, cv.comparison.treatment))
    return f"{where} · {n} {unit} · {device}"


def compared_label(cv: ComparisonVerdict) -> str:
    """What a comparison compares, in the reader's words: the pair's label
    (:func:`reproduction.spec.labels.reader_label`), with the metric where the claim compares
    several and the device of a timing at the thesis's scale; a comparison of one run's two
    numbers (a bound against its AP) keeps its own label."""
    comparison = cv.comparison
    if comparison.reference == comparison.treatment:
        return comparison.label
    text = reader_label(pair=(comparison.reference, comparison.treatment))
    if len({c.metric for c in cv.claim.comparisons}) > 1:
        text += f" ({metric_label(comparison.metric)})"
    if comparison.device is not None:
        text += f", thesis scale, {'GPU' if comparison.device == 'cuda' else 'CPU'}"
    return text


def _interval(cv: ComparisonVerdict) -> str:
    """Our effect with its interval, in the comparison's unit (points; % for a cost; % of
    classes improved for the class test); "—" without one."""
    if cv.effect is None:
        return "—"
    effect = cv.effect
    if cv.comparison.test == "class_majority":
        low = None if effect.low is None else effect.low + 50
        high = None if effect.high is None else effect.high + 50
        shifted = type(effect)(effect.mean + 50, low, high, effect.n)
        return shifted.format(0, unit=" % of classes")
    unit = " %" if cv.comparison.test == "within" else ""
    return effect.format(1, signed=True, unit=unit)


def _thesis(cv: ComparisonVerdict) -> str:
    """The thesis's effect of a comparison (its summary in words where it has no number)."""
    value = cv.thesis_effect
    if value is None:
        return cv.claim.thesis_summary or "—"
    unit = " %" if cv.comparison.test == "within" else ""
    return f"{value:+.1f}{unit}"


def deciding(verdicts: Sequence[ComparisonVerdict], verdict: str) -> ComparisonVerdict | None:
    """Return the comparison a claim's cell shows: the first that ran with the claim's
    ``verdict`` and the most paired seeds, else the one that ran with the most; None when
    none ran."""
    ran = [cv for cv in verdicts if cv.effect is not None]
    if not ran:
        return None
    same = [cv for cv in ran if cv.verdict == verdict] or ran
    return max(same, key=lambda cv: len(cv.seeds))


def _ran(verdicts: Sequence[ComparisonVerdict]) -> bool:
    return any(cv.effect is not None or cv.verdict == UNTESTABLE for cv in verdicts)


def regime_counts(by_regime: ByRegime) -> pd.DataFrame:
    """Return one row per regime: its label and how many claims get each verdict there
    (claims with no comparison run there are left out of the counts)."""
    rows = []
    for regime, judged in by_regime.items():
        counts = dict.fromkeys(VERDICTS, 0)
        for claim, verdicts in judged:
            if claim.untestable is None and not _ran(verdicts):
                continue
            counts[claim_verdict(claim, verdicts)[0]] += 1
        rows.append({"regime": reader_label(regime=regime), **counts})
    return pd.DataFrame(rows, columns=["regime", *VERDICTS])


def regime_counts_html(by_regime: ByRegime) -> str:
    """The verdicts counted per regime, one line each (HTML): "600 iterations, from scratch:
    5 hold, 6 contradicted, 4 not resolved"."""
    lines = []
    for row in regime_counts(by_regime).to_dict("records"):
        parts = [
            f'<span class="{VERDICT_CLASS[v]}">{row[v]} {escape(verdict_count(v, row[v]))}</span>'
            for v in VERDICTS
            if row[v]
        ]
        judged = sum(row[v] for v in VERDICTS)
        said = ", ".join(parts) or "no claim run"
        lines.append(
            f"<li><strong>{escape(row['regime'])}</strong> ({judged} claims): {said}</li>"
        )
    return '<ul class="regime-counts">' + "".join(lines) + "</ul>"


def _cell(claim: Claim, verdicts: Sequence[ComparisonVerdict], link: bool = True) -> str:
    """One regime's cell of a claim's row: the verdict, our effect, what it compares and the
    evidence in a few words (linked to its provenance); empty where nothing ran."""
    if not _ran(verdicts) and claim.untestable is None:
        return ""
    verdict, account = claim_verdict(claim, verdicts)
    word = f'<span class="{VERDICT_CLASS[verdict]}">{escape(verdict)}</span>'
    shown = deciding(verdicts, verdict)
    if shown is None:
        return word
    ran = sum(1 for cv in verdicts if cv.effect is not None)
    of = f" <small>({escape(account)})</small>" if ran > 1 else ""
    evidence = escape(evidence_short(shown))
    if link and shown.evidence is not None:
        evidence = f'<a href="#{anchor(shown.evidence)}">{evidence}</a>'
    return (
        f"{word}{of}<br>{escape(_interval(shown))}"
        f"<br><small>{escape(compared_label(shown))}; thesis {escape(_thesis(shown))}</small>"
        f"<br><small>{evidence}</small>"
    )


def regime_table_html(by_regime: ByRegime, page_link: str = "{page}.html") -> str:
    """The claims table with one verdict column per regime (HTML, no index).

    Columns: the claim (its source linked to its page by ``page_link``), then per regime
    (headed by its label) the claim's verdict there, our effect with its 95 % interval, the
    comparison shown with the thesis's effect, and the evidence in a few words linked to its
    provenance; a cell is empty where nothing of the claim ran in that regime.
    """
    regimes = list(by_regime)
    if not regimes:
        return "<p>No evidence yet: every claim is <em>not run</em>.</p>"
    head = ["claim", *(reader_label(regime=r) for r in regimes)]
    lines = ['<table class="claims claims-by-regime">', "<thead><tr>"]
    lines += [f"<th>{escape(h)}</th>" for h in head]
    lines.append("</tr></thead><tbody>")
    claims = [claim for claim, _ in by_regime[regimes[0]]]
    verdicts_of = {r: dict((c.id, v) for c, v in judged) for r, judged in by_regime.items()}
    for claim in claims:
        link = escape(page_link.format(page=claim.page))
        cell = f'{escape(claim.text)}<br><a href="{link}">{escape(claim.source)}</a>'
        if claim.untestable is not None:
            cell += f"<br><small>Cannot be tested here: {escape(claim.untestable)}.</small>"
        cells = [cell]
        for regime in regimes:
            verdicts = verdicts_of[regime][claim.id]
            first = regime == regimes[0]
            if claim.untestable is not None:
                cells.append(_cell(claim, verdicts) if first else "")
            else:
                cells.append(_cell(claim, verdicts))
        lines.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def headline_markdown(by_regime: ByRegime, claim_id: str | None = None) -> str:
    """The answer to "does the thesis hold here?" for the headline claim (the first claim, or
    ``claim_id``): its verdict in each regime where it ran, with the effects that decide it
    (resolved ones first, at most three per regime), their intervals and paired seeds."""
    if not by_regime:
        return "**Does the thesis hold here?** Nothing has run yet: every claim is *not run*."
    regimes = list(by_regime)
    claims = [claim for claim, _ in by_regime[regimes[0]]]
    claim = next((c for c in claims if c.id == claim_id), claims[0]) if claim_id else claims[0]
    sentences = []
    for regime in regimes:
        verdicts = dict((c.id, v) for c, v in by_regime[regime])[claim.id]
        ran = [cv for cv in verdicts if cv.effect is not None]
        if not ran:
            continue
        verdict, _ = claim_verdict(claim, verdicts)
        resolved = [cv for cv in ran if cv.verdict in (HOLDS, CONTRADICTED)]
        shown = sorted(resolved or ran, key=lambda cv: -len(cv.seeds))[:3]
        effects = "; ".join(
            f"{compared_label(cv)} {_interval(cv)} ({len(cv.seeds)} seeds, {cv.verdict})"
            for cv in shown
        )
        sentences.append(f"at **{reader_label(regime=regime)}** it *{verdict}*: {effects}")
    if not sentences:
        return (
            f"**Does the thesis hold here?** Its headline, “{claim.text}”, has no runs yet: "
            "*not run*."
        )
    text = "; ".join(sentences)
    return (
        f"**Does the thesis hold here?** Its headline, “{claim.text}” ({claim.source}): "
        f"{text}. Effects are Correlation Loss minus the baseline in points of AP, each with "
        "its 95 % interval over paired seeds, on synthetic data (NOT COCO) unless the regime "
        "says COCO."
    )


def forest_rows(by_regime: ByRegime) -> pd.DataFrame:
    """Return the forest plot's rows: per claim and regime where it ran, the comparison its
    cell shows (:func:`deciding`) with our effect and 95 % interval, the thesis's effect, the
    verdict and where "no effect" lies (0; 50 % for the share of classes improved)."""
    rows = []
    for regime, judged in by_regime.items():
        for order, (claim, verdicts) in enumerate(judged):
            verdict, _ = claim_verdict(claim, verdicts)
            cv = deciding(verdicts, verdict)
            if cv is None or cv.effect is None:
                continue
            shift = 50.0 if cv.comparison.test == "class_majority" else 0.0
            effect = cv.effect
            unit = {"within": "%", "class_majority": "% of classes improved"}.get(
                cv.comparison.test, "points"
            )
            rows.append(
                {
                    "order": order,
                    "claim": claim.short or claim.text,
                    "source": claim.source,
                    "regime": reader_label(regime=regime),
                    "compared": compared_label(cv),
                    "effect": effect.mean + shift,
                    "low": None if effect.low is None else effect.low + shift,
                    "high": None if effect.high is None else effect.high + shift,
                    "seeds": len(cv.seeds),
                    "thesis": cv.thesis_effect,
                    "null": shift,
                    "verdict": cv.verdict,
                    "unit": unit,
                }
            )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    regime_rank = {reader_label(regime=r): k for k, r in enumerate(by_regime)}
    frame["regime_rank"] = frame["regime"].map(regime_rank)
    return frame.sort_values(["order", "regime_rank"]).reset_index(drop=True)


def plot_forest(fig, rows: pd.DataFrame) -> None:  # noqa: ANN001 - a Figure
    """Draw the forest plot of :func:`forest_rows` on ``fig``: one panel per claim (its own
    scale and unit), one row per regime; our effect as a dot with its 95 % interval, coloured
    by the verdict, the thesis's effect as a hollow diamond, and "no effect" as a line."""
    from matplotlib.lines import Line2D

    claims = list(dict.fromkeys(rows["claim"]))
    sizes = [int((rows["claim"] == c).sum()) for c in claims]
    axes = fig.subplots(len(claims), 1, gridspec_kw={"height_ratios": [s + 0.9 for s in sizes]})
    axes = [axes] if len(claims) == 1 else list(axes)
    for ax, claim in zip(axes, claims, strict=True):
        shown = rows[rows["claim"] == claim].reset_index(drop=True)
        y = list(range(len(shown)))[::-1]
        null = float(shown["null"].iloc[0])
        ax.axvline(null, color="black", lw=0.8, zorder=1)
        for yk, row in zip(y, shown.to_dict("records"), strict=True):
            colour = VERDICT_COLOURS.get(row["verdict"], "#6e7781")
            if row["low"] is not None and not pd.isna(row["low"]):
                ax.plot([row["low"], row["high"]], [yk, yk], color=colour, lw=2.2, zorder=2)
            ax.plot(row["effect"], yk, "o", color=colour, ms=6, zorder=3)
            if row["thesis"] is not None and not pd.isna(row["thesis"]):
                ax.plot(row["thesis"] + null, yk, "D", mfc="white", mec="black", ms=6, zorder=4)
        ax.set_yticks(y, [f"{r['regime']} ({r['seeds']})" for r in shown.to_dict("records")])
        ax.set_ylim(-0.6, len(shown) - 0.4)
        ax.tick_params(axis="both", labelsize=9)
        ax.set_title(
            f"{claim} ({shown['source'].iloc[0]}) · {shown['unit'].iloc[0]}",
            loc="left",
            fontsize=10,
            fontweight="bold",
        )
        ax.grid(axis="x", color="#dddddd", lw=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    handles = [
        Line2D([], [], color=VERDICT_COLOURS[v], marker="o", lw=2.2, label=f"ours: {v}")
        for v in (HOLDS, CONTRADICTED, NOT_RESOLVED)
    ]
    handles.append(
        Line2D([], [], color="black", marker="D", mfc="white", ls="", label="thesis (COCO)")
    )
    fig.legend(handles=handles, loc="outside upper center", ncols=2, fontsize=9, frameon=False)


FOREST_WIDTH = 5.2
"""The forest plot's width in inches: at :data:`FOREST_DPI` a little narrower than the page's
column at 1280 px, and shrunk by about half at 390 px with its text still readable."""

FOREST_DPI = 120
"""The forest plot's resolution (dots per inch of the embedded image)."""


def forest_figure(rows: pd.DataFrame):  # noqa: ANN201 - a Figure
    """Return a new figure with :func:`plot_forest` of ``rows``, sized to its panels."""
    import matplotlib.pyplot as plt

    panels = rows["claim"].nunique()
    height = 0.9 + 0.42 * panels + 0.27 * len(rows)
    fig = plt.figure(figsize=(FOREST_WIDTH, height), dpi=FOREST_DPI, layout="constrained")
    plot_forest(fig, rows)
    return fig


def evidence_list_html(evidence: Sequence[AnyEvidence], profile: str) -> str:
    """The page's provenance block (HTML, class ``provenance``): the book's profile, then one
    anchored entry per evidence set (:func:`anchor`, which the evidence cells link to) with
    its regime, runs, experiments, seeds, commits and hardware
    (:meth:`reproduction.analysis.verdicts.Evidence.summary`)."""
    items = [f"<li>Book built for profile <code>{escape(profile)}</code>.</li>"]
    if not evidence:
        items.append("<li>No results files yet, local or archived: every claim is <em>not run</em>.</li>")
    for item in evidence:
        summary = re.sub(r"`([^`]*)`", r"<code>\1</code>", escape(item.summary()))
        regime = escape(reader_label(regime=regime_of(item.profile)))
        items.append(f'<li id="{anchor(item)}"><em>{regime}</em>: {summary}</li>')
    return (
        '<div class="provenance"><p><strong>Provenance</strong></p><ul>'
        + "".join(items)
        + "</ul></div>"
    )


def detail_table(by_regime: ByRegime) -> pd.DataFrame:
    """One row per comparison and regime where it ran (every comparison in the first regime,
    run or not): the claim in a few words, the regime, what is compared, the metric, the
    thesis's effect, ours, the verdict and the evidence in a few words."""
    rows = []
    for k, (regime, judged) in enumerate(by_regime.items()):
        for claim, verdicts in judged:
            for cv in verdicts:
                if k > 0 and cv.effect is None:
                    continue
                verdict = cv.verdict if cv.note is None else f"{cv.verdict}: {cv.note}"
                rows.append(
                    {
                        "claim": claim.short or claim.source,
                        "regime": reader_label(regime=regime),
                        "compared": compared_label(cv),
                        "metric": metric_label(cv.comparison.metric),
                        "thesis effect": _thesis(cv),
                        "ours [95% CI]": _interval(cv),
                        "verdict": verdict,
                        "evidence": evidence_short(cv),
                    }
                )
    return pd.DataFrame(rows)


__all__ = [
    "ByRegime",
    "VERDICT_CLASS",
    "anchor",
    "compared_label",
    "deciding",
    "detail_table",
    "evidence_list_html",
    "evidence_short",
    "forest_figure",
    "forest_rows",
    "headline_markdown",
    "plot_forest",
    "regime_counts",
    "regime_counts_html",
    "regime_table_html",
]
