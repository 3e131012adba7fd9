"""The front page: reader labels, verdicts by regime, the forest plot, evidence in few words."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from reproduction.analysis import verdicts
from reproduction.pages import front_page, iou_page, regime_pages, regime_runs
from reproduction.spec import claims as claims_spec
from reproduction.spec.claims import CLAIMS, Claim, Comparison
from reproduction.spec.experiments import DETECTORS, experiment_ids
from reproduction.spec.labels import DETECTOR_NAMES, reader_label
from reproduction.spec.profiles import PROFILES, Regime, regime_of

REPO = Path(__file__).resolve().parents[1]
ARCHIVE = REPO / "archive"
ID_PATTERN = re.compile(
    r"(?<![\w.-])(" + "|".join(re.escape(i) for i in sorted(experiment_ids(), key=len)[::-1])
    + r")(?![\w]|\.\d)"
)  # fmt: skip
"""An experiment id as a word of a text (not a part of a longer id)."""


def ids_in(text: str) -> set[str]:
    """The experiment ids a text names."""
    return set(ID_PATTERN.findall(text))


# ------------------------------------------------------------------------------ labels


def test_ids_in_finds_whole_ids_only() -> None:
    assert ids_in("ATSS (atss_concordance_0.3).") == {"atss_concordance_0.3"}
    assert ids_in("atss_spearman_0.3_unitgap vs atss_baseline") == {
        "atss_spearman_0.3_unitgap",
        "atss_baseline",
    }
    assert ids_in("ATSS ± Concordance Loss, λ = 0.3; archive/demo-len2400") == set()


def test_reader_label_names_experiments_pairs_profiles_and_regimes_in_words() -> None:
    pair = ("atss_baseline", "atss_concordance_0.3")
    assert reader_label(pair=pair) == "ATSS ± Concordance Loss, λ = 0.3"
    assert reader_label(experiment="atss_concordance_0.3") == "ATSS with Concordance Loss, λ = 0.3"
    assert reader_label(experiment="retinanet_baseline") == "RetinaNet, baseline"
    assert reader_label(profile="demo-len2400") == "2,400 iterations, from scratch"
    assert reader_label(profile="demo") == "600 iterations, from scratch"
    assert reader_label(profile="demo-pretrained") == "600 iterations, pretrained backbone"
    assert reader_label(profile="demo-128px") == "600 iterations, from scratch, 128 px images"
    assert reader_label(regime=regime_of("paper")) == "COCO, the thesis's settings"
    faithful = ("atss_spearman_0.3", "atss_spearman_0.3_unitgap")
    assert reader_label(pair=faithful) == (
        "ATSS: rank-faithful Spearman Loss, λ = 0.3 vs Spearman Loss, λ = 0.3"
    )
    assert "per level" in reader_label(
        pair=("retinanet_baseline", "retinanet_spearman_0.1_perlevel")
    )
    assert "through the regressor" in reader_label(experiment="sparsercnn_spearman_0.2_regressor")
    with pytest.raises(ValueError, match="exactly one"):
        reader_label(experiment="atss_baseline", profile="demo")
    with pytest.raises(ValueError, match="exactly one"):
        reader_label()


def test_every_experiment_profile_and_detector_has_a_label_without_ids() -> None:
    assert set(DETECTOR_NAMES) == set(DETECTORS)
    for experiment in experiment_ids():
        label = reader_label(experiment=experiment)
        assert not ids_in(label), (experiment, label)
    for name in PROFILES:
        label = reader_label(profile=name)
        assert name not in label.split() and "demo-" not in label, (name, label)
    labels = [reader_label(profile=name) for name in PROFILES]
    assert len(set(labels)) >= len(labels) - 2  # profiles of one setting may share a label


def test_regimes_group_profiles_by_length_and_start() -> None:
    assert regime_of("demo") == regime_of("demo-128px") == Regime(600, False)
    assert regime_of("demo-len2400") == Regime(2400, False)
    assert regime_of("demo-pretrained") == Regime(600, True)
    assert regime_of("paper").coco


# ------------------------------------------------------------------------------ by regime

BASE, VAR = "atss_baseline", "atss_concordance_0.3"
CLAIM = Claim(
    "c", "Correlation Loss raises AP.", "Table X", "table_5_1",
    (Comparison("ATSS, concordance 0.3", BASE, VAR, "AP"),), short="AP",
)  # fmt: skip
OTHER = Claim(
    "d", "Correlation Loss raises β.", "Table Y", "table_5_4",
    (Comparison("ATSS, concordance 0.3", BASE, VAR, "beta_cls"),), short="β",
)  # fmt: skip


def _record(experiment: str, seed: int) -> dict:
    hardware = {"cpu": "Test CPU", "cores": 2, "device": "cpu"}
    return {
        "experiment": {"id": experiment},
        "seed": seed,
        "provenance": {"git": {"commit": "abcdef0123"}, "hardware": hardware},
    }


def _evidence(profile: str, effect: float, seeds: int = 6, beta: bool = True) -> verdicts.Evidence:
    rows, records = [], []
    for s in range(seeds):
        noise = 0.1 * ((s % 3) - 1)
        rows.append((BASE, s, 30.0 + s, 40.0))
        rows.append((VAR, s, 30.0 + s + effect + noise, 45.0 + noise if beta else None))
        records += [_record(BASE, s), _record(VAR, s)]
    frame = pd.DataFrame(rows, columns=["experiment", "seed", "AP", "beta_cls"])
    if not beta:
        frame = frame.drop(columns=["beta_cls"])
    return verdicts.Evidence(profile, "archive", frame, tuple(records))


def _by_regime() -> dict:
    evidence = [_evidence("demo-len2400", +0.6, beta=False), _evidence("demo", -1.1, seeds=8)]
    return verdicts.evaluate_by_regime(evidence, prefer="demo", claims=(CLAIM, OTHER))


def test_each_regime_is_judged_on_its_own_runs() -> None:
    by_regime = _by_regime()
    assert list(by_regime) == [Regime(600, False), Regime(2400, False)]  # the demo's first
    short, long = by_regime.values()
    assert [cv.verdict for cv in short[0][1]] == ["contradicted"]
    assert [cv.verdict for cv in long[0][1]] == ["holds"]
    assert short[0][1][0].evidence.profile == "demo" and len(short[0][1][0].seeds) == 8
    assert [cv.verdict for cv in long[1][1]] == ["not run"]  # no β at 2,400 iterations
    counts = front_page.regime_counts(by_regime).set_index("regime")
    assert counts.loc["600 iterations, from scratch", "contradicted"] == 1
    assert counts.loc["600 iterations, from scratch", "holds"] == 1
    assert counts.loc["2,400 iterations, from scratch", "holds"] == 1
    assert counts.loc["2,400 iterations, from scratch", "not run"] == 0  # nothing ran: left out
    empty = verdicts.evaluate_by_regime([], prefer="demo", claims=(CLAIM,))
    assert list(empty) == [Regime(600, False)]
    assert front_page.regime_counts(empty).iloc[0]["not run"] == 1  # the first counts all


class _Cells(HTMLParser):
    """The text of each table cell of an HTML fragment, and the ids it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.heads: list[str] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if tag in ("td", "th"):
            self._in = tag
            (self.cells if tag == "td" else self.heads).append("")

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag in ("td", "th"):
            self._in = None

    def handle_data(self, data):  # noqa: ANN001
        if self._in == "td":
            self.cells[-1] += data
        elif self._in == "th":
            self.heads[-1] += data


def _parse(html: str) -> _Cells:
    parser = _Cells()
    parser.feed(html)
    return parser


def test_the_table_has_a_column_per_regime_an_empty_cell_where_nothing_ran() -> None:
    by_regime = _by_regime()
    table = _parse(front_page.regime_table_html(by_regime))
    assert table.heads == [
        "claim",
        "600 iterations, from scratch",
        "2,400 iterations, from scratch",
    ]
    assert len(table.cells) == 2 * 3
    claim_row, other_row = table.cells[:3], table.cells[3:]
    assert claim_row[1].startswith("contradicted")
    assert "-1.1 [" in claim_row[1] and "archive/demo · 8 seeds · CPU" in claim_row[1]
    assert claim_row[2].startswith("holds") and "+0.6 [" in claim_row[2]
    assert "ATSS ± Concordance Loss, λ = 0.3" in claim_row[2]
    assert other_row[2] == ""  # no β ran at 2,400 iterations
    evidence = [_evidence("demo-len2400", +0.6, beta=False), _evidence("demo", -1.1, seeds=8)]
    listed = _parse(front_page.evidence_list_html(evidence, "demo"))
    links = [link[1:] for link in table.links if link.startswith("#")]
    assert links and set(links) <= listed.ids  # every evidence cell links to its provenance


def test_the_headline_answers_by_regime_with_numbers() -> None:
    text = front_page.headline_markdown(_by_regime())
    assert text.index("**holds**") < text.index("**contradicted**")
    assert "It **holds** at 2,400 iterations, from scratch (ATSS ± Concordance Loss" in text
    assert "It is **contradicted** at 600 iterations, from scratch" in text
    assert "ATSS ± Concordance Loss, λ = 0.3: -1.1 [" in text and "], 8 seeds)" in text
    assert ": +0.6 [" in text and "NOT COCO" in text
    assert "no runs yet" in front_page.headline_markdown(
        verdicts.evaluate_by_regime([], prefer="demo", claims=(CLAIM,))
    )


def test_the_forest_plot_draws_every_claim_and_regime_that_ran() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = front_page.forest_rows(_by_regime())
    assert list(zip(rows["claim"], rows["regime"], strict=True)) == [
        ("AP", "600 iterations, from scratch"),
        ("AP", "2,400 iterations, from scratch"),
        ("β", "600 iterations, from scratch"),
    ]
    assert list(rows["verdict"]) == ["contradicted", "holds", "holds"]
    assert (rows["low"] < rows["effect"]).all() and (rows["effect"] < rows["high"]).all()
    fig = front_page.forest_figure(rows)
    assert len(fig.axes) == 2
    first = fig.axes[0]
    assert [t.get_text() for t in first.get_yticklabels()] == [
        "600 it., from scratch (8)",
        "2,400 it., from scratch (6)",
    ]
    assert fig.subfigs[1].get_suptitle() == "AP (Table X)"
    legend = [t.get_text() for t in fig.subfigs[0].legends[0].get_texts()]
    assert legend == ["ours: holds", "ours: contradicted", "ours: not resolved", "thesis (COCO)"]
    plt.close(fig)


# ------------------------------------------------------------------------------ notes


def test_each_note_says_its_own_thing_and_the_finding_is_stated_once() -> None:
    notes = claims_spec.notes_markdown()
    assert notes.count(claims_spec.SPEARMAN_IS_PEARSON) == 1
    assert notes.count(f"({claims_spec.FINDING_PAGE}.html)") == 1
    items = [line for line in notes.splitlines() if line.startswith("- ")]
    assert len(items) == len(set(items)) == 1 + sum(c.note is not None for c in CLAIMS)
    sentences = [s.strip() for c in CLAIMS if c.note for s in c.note.split(". ")]
    assert len(sentences) == len(set(sentences))  # no sentence shared between two notes
    rank = claims_spec.get_claim("rank_loss").note
    assert "Spearman Loss equals Pearson Loss" not in rank and "unit mean gap" in rank
    assert all(c.short for c in CLAIMS)


# ------------------------------------------------------------------------------ the archive


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, dict]:
    """The committed archive's evidence and its verdicts by regime (no local runs)."""
    empty = tmp_path_factory.mktemp("results")
    evidence = verdicts.collect_evidence(empty, ARCHIVE)
    return evidence, verdicts.evaluate_by_regime(evidence, prefer="demo")


def test_the_archive_front_page_speaks_the_readers_language(archived) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    evidence, by_regime = archived
    regimes = list(by_regime)
    assert regimes[0] == regime_of("demo")
    assert {regime_of(item.profile) for item in evidence} == set(regimes)
    table = _parse(front_page.regime_table_html(by_regime))
    assert table.heads == ["claim", *(reader_label(regime=r) for r in regimes)]
    assert not {i for cell in table.cells + table.heads for i in ids_in(cell)}
    assert max(len(cell) for cell in front_page.detail_table(by_regime)["evidence"]) <= 80
    listed = _parse(front_page.evidence_list_html(evidence, "demo"))
    assert {link[1:] for link in table.links if link.startswith("#")} <= listed.ids
    details = front_page.detail_table(by_regime)
    for column in ("claim", "regime", "compared", "metric", "evidence"):
        assert not {i for cell in details[column] for i in ids_in(str(cell))}, column
    rows = front_page.forest_rows(by_regime)
    fig = front_page.forest_figure(rows)
    texts = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    texts += [panel.get_suptitle() for panel in fig.subfigs[1:]]
    texts += [t.get_text() for t in fig.subfigs[0].legends[0].get_texts()]
    assert not {i for text in texts for i in ids_in(text)}
    plt.close(fig)
    headline = front_page.headline_markdown(by_regime)
    first = CLAIMS[0]
    for regime, judged in by_regime.items():
        ran = [cv for cv in dict((c.id, v) for c, v in judged)[first.id] if cv.effect is not None]
        assert (reader_label(regime=regime) in headline) == bool(ran)
    assert not ids_in(headline)


def test_the_regime_pages_label_pairs_settings_and_legends_in_words(archived) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = REPO / "no-results-here"  # the archive alone
    assert not results.exists()
    shown = iou_page.iou_profiles(results, ARCHIVE)
    curves = iou_page.iou_curves(shown)
    tables = [iou_page.iou_table(curves), iou_page.ap50_ap75_table(shown)]
    lengths = regime_runs.by_length(results, ARCHIVE)
    for pair in regime_pages.length_pairs(lengths):
        fig = plt.figure()
        regime_pages.plot_lengths(fig, lengths, pair)
        texts = [
            t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()
        ]
        assert texts and not {i for t in texts for i in ids_in(t)}, texts
        plt.close(fig)
    if curves:
        fig = plt.figure()
        iou_page.plot_iou(fig, curves)
        texts = [ax.get_title() for ax in fig.axes]
        texts += [t.get_text() for ax in fig.axes for t in ax.get_legend().get_texts()]
        assert not {i for t in texts for i in ids_in(t)}, texts
        plt.close(fig)
    profiles = [r.profile for r in regime_runs.loaded_with_runs(list(PROFILES), results, ARCHIVE)]
    tables.append(regime_runs.cost_table(profiles, results, ARCHIVE))
    for table in tables:
        cells = [str(v) for v in table.to_numpy().ravel()] + list(table.columns)
        assert not {i for cell in cells for i in ids_in(cell)}
    note = regime_pages.regime_note(results, ARCHIVE)
    assert note and not ids_in(note)
