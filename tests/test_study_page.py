"""The protocol page's sentences and tables from made-up study results."""

from __future__ import annotations

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
