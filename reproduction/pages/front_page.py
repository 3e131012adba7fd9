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
"""Claims with their comparisons' verdicts
(:func:`reproduction.analysis.verdicts.evaluate_claims`)."""

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
    """ "CPU", "GPU" or both, from the provenance of the runs (or the timing record)."""
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
    """Return one row per regime: its label and how many claims get each verdict there. The
    first regime (the book's) counts every claim, *not run* and *cannot be tested here*
    included; the others count the claims with a comparison run there."""
    rows = []
    for k, (regime, judged) in enumerate(by_regime.items()):
        counts = dict.fromkeys(VERDICTS, 0)
        for claim, verdicts in judged:
            if k > 0 and (claim.untestable is not None or not _ran(verdicts)):
                continue  # the first column counts every claim; the others, those run there
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
        claims = f"{judged} claim{'s' if judged != 1 else ''}"
        lines.append(f"<li><strong>{escape(row['regime'])}</strong> ({claims}): {said}</li>")
    return '<ul class="regime-counts">' + "".join(lines) + "</ul>"


def _cell(claim: Claim, verdicts: Sequence[ComparisonVerdict], link: bool = True) -> str:
    """One regime's cell of a claim's row: the verdict, our effect, what it compares and the
    evidence in a few words (linked to its provenance); empty where nothing ran."""
    if not _ran(verdicts) and claim.untestable is None:
        return ""
    verdict, _ = claim_verdict(claim, verdicts)
    word = f'<span class="{VERDICT_CLASS[verdict]}">{escape(verdict)}</span>'
    shown = deciding(verdicts, verdict)
    if shown is None:
        return word
    evidence = escape(evidence_short(shown))
    if link and shown.evidence is not None:
        evidence = f'<a href="#{anchor(shown.evidence)}">{evidence}</a>'
    return (
        f"{word}<br>{escape(_interval(shown))}"
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
    lines = ['<table class="claims-by-regime">', "<thead><tr>"]
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


_SAID: dict[str, str] = {
    HOLDS: "It **holds**",
    CONTRADICTED: "It is **contradicted**",
    NOT_RESOLVED: "It is **not resolved**",
}


def headline_markdown(by_regime: ByRegime, claim_id: str | None = None) -> str:
    """The answer to "does the thesis hold here?" for the headline claim (the first claim, or
    ``claim_id``), in one paragraph: the regimes where it holds, where it is contradicted and
    where it is not resolved, each with the effects that decide it (resolved ones first, at
    most two per regime; one where none is resolved), their intervals and paired seeds."""
    if not by_regime:
        return "**Does the thesis hold here?** Nothing has run yet: every claim is *not run*."
    first = next(iter(by_regime.values()))
    claim = next((c for c, _ in first if c.id == claim_id), first[0][0])
    groups: dict[str, list[str]] = {}
    for regime, judged in by_regime.items():
        verdicts = dict((c.id, v) for c, v in judged)[claim.id]
        ran = [cv for cv in verdicts if cv.effect is not None]
        if not ran:
            continue
        verdict, _ = claim_verdict(claim, verdicts)
        resolved = [cv for cv in ran if cv.verdict in (HOLDS, CONTRADICTED)]
        shown = sorted(resolved, key=lambda cv: -len(cv.seeds))[:2] or [deciding(ran, verdict)]
        effects = "; ".join(
            f"{compared_label(cv)}: {_interval(cv)}, {len(cv.seeds)} seeds" for cv in shown
        )
        groups.setdefault(verdict, []).append(f"at {reader_label(regime=regime)} ({effects})")
    text = claim.text.rstrip(".")
    if not groups:
        return f"**Does the thesis hold here?** Its headline, “{text}”, has no runs yet."
    sentences = [
        f"{_SAID.get(verdict, f'It is **{verdict}**')} "
        + (places[0] if len(places) == 1 else ", ".join(places[:-1]) + " and " + places[-1])
        + "."
        for verdict in (HOLDS, CONTRADICTED, NOT_RESOLVED, UNTESTABLE)
        if (places := groups.get(verdict))
    ]
    return (
        f"**Does the thesis hold here?** The thesis's headline ({claim.source}): “{text}”. "
        + " ".join(sentences)
        + " Each effect is Correlation Loss minus the baseline in points of AP with its 95 % "
        "interval over paired seeds, on synthetic data (NOT COCO); the figure and the table "
        "below answer every claim the same way."
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
            unit = {"within": "%", "class_majority": "% of classes"}.get(
                cv.comparison.test, "points"
            )
            rows.append(
                {
                    "order": order,
                    "claim": claim.short or claim.text,
                    "source": claim.source,
                    "regime": reader_label(regime=regime),
                    "row": reader_label(regime=regime, short=True),
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
    scale and unit, its title at the figure's left edge), one row per regime with its paired
    seeds; our effect as a dot with its 95 % interval, coloured by the verdict, the thesis's
    effect as a hollow diamond, and "no effect" as a vertical line."""
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    claims = list(dict.fromkeys(rows["claim"]))
    sizes = [int((rows["claim"] == c).sum()) for c in claims]
    top, *panels = fig.subfigures(
        len(claims) + 1, 1, height_ratios=[FOREST_LEGEND, *(s + FOREST_PANEL for s in sizes)]
    )
    for panel, claim in zip(panels, claims, strict=True):
        shown = rows[rows["claim"] == claim].reset_index(drop=True)
        unit = shown["unit"].iloc[0]
        panel.suptitle(
            f"{claim} ({shown['source'].iloc[0]})" + ("" if unit == "points" else f" · {unit}"),
            x=0.01,
            ha="left",
            wrap=True,
            fontsize=FOREST_FONT + 1,
            fontweight="bold",
        )
        ax = panel.subplots()
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
        ax.set_yticks(y, [f"{r['row']} ({r['seeds']})" for r in shown.to_dict("records")])
        ax.set_ylim(-0.6, len(shown) - 0.4)
        ax.tick_params(axis="both", labelsize=FOREST_FONT)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
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
    top.legend(
        handles=handles,
        loc="center",
        ncols=2,
        fontsize=FOREST_FONT,
        frameon=False,
        title="our effect (points unless marked), 95 % interval (paired seeds)",
        title_fontsize=FOREST_FONT,
    )


FOREST_WIDTH = 4.2
"""The forest plot's width in inches: at :data:`FOREST_DPI`, 420 px, which a 390 px screen
shrinks by a fifth only, so that its text stays readable there."""

FOREST_FONT = 9.5
"""The forest plot's type size in points (titles one point larger)."""

FOREST_DPI = 100
"""The forest plot's resolution (dots per inch of the embedded image)."""

FOREST_ROW = 0.2
"""The height of one regime's row of the forest plot, in inches."""

FOREST_PANEL = 2.8
"""What a claim's panel needs beside its rows (title, axis), in rows."""

FOREST_LEGEND = 4.0
"""The legend's height at the top, in rows."""


def forest_figure(rows: pd.DataFrame):  # noqa: ANN201 - a Figure
    """Return a new figure with :func:`plot_forest` of ``rows``, sized to its panels."""
    import matplotlib.pyplot as plt

    ratios = FOREST_LEGEND + FOREST_PANEL * rows["claim"].nunique() + len(rows)
    height = 0.2 + FOREST_ROW * ratios
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
        items.append(
            "<li>No results files yet, local or archived: every claim is <em>not run</em>.</li>"
        )
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
