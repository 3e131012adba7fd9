"""The protocol page's sentences and tables from made-up study results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reproduction.analysis.stats import NOT_RESOLVED
from reproduction.pages import study_page

A = "atss_concordance_0.3 − atss_baseline"
R = "retinanet_spearman_0.1 − retinanet_baseline"
TARGETS = [f"{A}|beta_img", f"{A}|beta_cls", f"{R}|beta_img", f"{R}|beta_cls"]


def _options(rows):
    return pd.DataFrame(
        [
            {"setting": s, "n_seeds": n, "basis": "measured", "minutes": m, "cost": "c",
             "resolved": tuple(r)}
            for s, n, m, r in rows
        ]
    )  # fmt: skip


def test_the_resolution_summary_counts_what_is_resolved_and_what_fits():
    protocol = pd.DataFrame(
        {
            "pair": [A, A],
            "metric": ["AP", "beta_cls"],
            "seeds run": [5, 5],
            "verdict": [NOT_RESOLVED, "gain"],
            "train + eval min (projected)": [50.0, 10.0],
        }
    )
    text = study_page.resolution_summary(protocol, 20.0)
    assert "1 of 2 (pair, metric) differences are resolved with the seeds run (5)" in text
    assert "20-minute budget" in text and f"beta_cls of {A}" in text and f"AP of {A}" not in text
    one = protocol.assign(**{"seeds run": [1, 1]})
    assert "With one seed nothing can be resolved" in study_page.resolution_summary(one, 20.0)
    assert study_page.resolution_summary(protocol.iloc[0:0], 20.0) == ""


def test_the_options_table_marks_each_target_and_lists_the_shown_seed_counts():
    options = _options(
        [("demo", 5, 30.0, TARGETS), ("demo", 7, 40.0, TARGETS), ("demo", 3, 20.0, TARGETS[:1])]
    )
    table = study_page.options_table(options, TARGETS)
    assert list(table.index.get_level_values("n_seeds")) == [5, 3]  # 7 is not shown
    assert (
        table.loc[("demo", 3), "atss β_img"] == "✓" and table.loc[("demo", 3), "atss β_cls"] == "·"
    )
    assert table.loc[("demo", 5), "targets resolved"] == 4
    assert study_page.target_label(f"{R}|beta_cls") == "retinanet β_cls"


def test_the_choice_names_the_protocol_or_what_it_would_take():
    within = _options([("demo", 5, 15.0, TARGETS), ("demo-v1", 5, 10.0, TARGETS[:2])])
    text = study_page.choice_markdown(within, TARGETS, 20.0, "20 minutes", "demo", 12)
    assert "**Chosen demo protocol:** `demo` with 5 seeds" in text
    costly = _options([("demo", 5, 60.0, TARGETS)])
    text = study_page.choice_markdown(costly, TARGETS, 20.0, "20 minutes", "demo", 12)
    assert "No protocol within the 20-minute budget" in text and "What it takes: `demo`" in text
    never = _options([("demo", 5, 60.0, TARGETS[:3])])
    text = study_page.choice_markdown(never, TARGETS, 20.0, "20 minutes", "demo", 12)
    assert "never resolved" in text and "3 of 4 targets" in text
    assert "`demo` with 5 seeds" in study_page.profile_markdown(within, TARGETS, 20.0, "demo")


def test_each_section_shows_its_table_or_says_why_not():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from pandas.io.formats.style import Styler

    assert study_page.per_seed_parts(pd.DataFrame(columns=["pair"])) == ["No paired runs yet."]
    diffs = pd.DataFrame(
        {"pair": [A, A], "metric": ["AP", "AP"], "seed": [0, 1], "difference": [1.25, -0.5]}
    )
    (table,) = study_page.per_seed_parts(diffs)
    assert isinstance(table, Styler) and "+1.2" in table.to_html() and "-0.5" in table.to_html()
    assert "Not measured" in study_page.seed_count_parts(pd.DataFrame())[0]
    by_seeds = pd.DataFrame(
        {"pair": [A, A], "metric": ["AP", "AP"], "n_seeds": [2, 3], "half_width": [4.0, 2.0],
         "resolved_share": [0.0, 0.5], "subsets": [3, 1]}
    )  # fmt: skip
    figure, styled = study_page.seed_count_parts(by_seeds)
    assert isinstance(figure, Figure) and "50%" in styled.to_html()
    assert "`gt.json`" in study_page.val_size_parts(pd.DataFrame(), Path("x/gt.json"))[0]
    assert study_page.setting_parts(pd.DataFrame(), ["demo"], ["AP"]) == []
    sources = pd.DataFrame({"setting": ["demo"], "source": ["archive"]})
    parts = study_page.sources_parts(sources, pd.DataFrame())
    assert len(parts) == 2 and parts[1] == study_page.NO_STUDY_RUNS
    assert study_page.timed_parts(pd.DataFrame()) == []
    assert study_page.options_parts(pd.DataFrame(), TARGETS) == [
        "No study runs: no protocol can be chosen."
    ]
    assert study_page.pairs_line([]).endswith("**none** — run the workflow first (`./run`).")
    assert study_page.pairs_line([("atss_baseline", "atss_x")]) == (
        "Pairs with runs: `atss_x − atss_baseline`"
    )


def test_the_setting_figure_has_a_panel_per_metric_and_a_point_per_setting():
    import matplotlib

    matplotlib.use("Agg")
    by_setting = pd.DataFrame(
        [
            {"pair": A, "metric": m, "setting": s, "mean": 1.0, "low": 0.0, "high": 2.0}
            for m in ("beta_img", "beta_cls", "AP", "AP75")
            for s in ("demo-it300", "demo")
        ]
    )
    fig = study_page.setting_figure(
        by_setting, ["demo", "demo-3cls", "demo-it300"], ["beta_img", "beta_cls", "AP", "AP75"]
    )
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["beta_img", "beta_cls", "AP", "AP75"]
    ticks = [t.get_text().split("\n")[0] for t in axes[0].get_xticklabels()]
    assert ticks == ["demo", "demo-it300"]  # the settings' order, those with runs only


def test_the_provenance_lists_the_page_runs_then_each_archived_setting(tmp_path):
    runs = pd.DataFrame(columns=["experiment", "seed"])
    sources = pd.DataFrame({"setting": ["demo", "demo-it300"], "source": ["local", "archive"]})
    settings = {"demo": runs, "demo-it300": runs}
    blocks = study_page.provenance_parts(
        runs, "demo", tmp_path, tmp_path / "archive", settings, sources, {"profile": "demo"}
    )
    assert len(blocks) == 2 and "`profile = 'demo'`" in blocks[0]
    assert blocks[1].startswith("*Study runs, demo-it300 (archive):*")
