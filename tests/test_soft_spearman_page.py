"""The finding's page: whose positives it reads (running), and its figure, tables and sentences."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from reproduction.pages import soft_spearman_page as finding
from reproduction.running import soft_rank_finding as positives_of
from reproduction.running import soft_ranks
from reproduction.spec import thesis

matplotlib.use("Agg")
REPO = Path(__file__).resolve().parents[1]
POSITIVES = {"1": {"scores": [0.9, 0.2, 0.5], "ious": [0.8, 0.4, 0.6]}}


def _page(tmp_path: Path, positives_file: str = "", archived_experiment: str = "x") -> object:
    return positives_of.page_positives(
        "demo", "atss_x", 0, tmp_path / "results", positives_file,
        tmp_path / "archive", "demo", archived_experiment, 2, 120, 0,
    )  # fmt: skip


def test_the_run_then_the_committed_extract_then_synthetic_positives(tmp_path: Path) -> None:
    synthetic = _page(tmp_path)
    assert synthetic.synthetic and synthetic.scores.size == 120 and len(synthetic.per_image) == 2
    line = positives_of.data_line(synthetic, None, "demo", "demo")
    assert "synthetic positives" in line and "results/demo/atss_x/seed0.json" in line
    assert "archive/positives/demo/x/seed2.json" in line
    extract = tmp_path / "archive" / "positives" / "demo" / "x" / "seed2.json"
    extract.parent.mkdir(parents=True)
    extract.write_text(json.dumps({"experiment": {"id": "x"}, "pre_nms_positives": POSITIVES}))
    archived = _page(tmp_path)
    assert archived.archived and not archived.synthetic and archived.source == extract
    assert "`x` seed" in positives_of.run_label(archived, "", "atss_x", 0)
    assert _page(tmp_path, archived_experiment="").synthetic  # no extract asked for
    run = tmp_path / "results" / "demo" / "atss_x" / "seed0.json"
    run.parent.mkdir(parents=True)
    run.write_text(json.dumps({"pre_nms_positives": {**POSITIVES, "2": POSITIVES["1"]}}))
    own = _page(tmp_path)
    assert not own.archived and own.scores.size == 6 and own.source == run
    label = positives_of.run_label(own, "", "atss_x", 0)
    assert label == "`atss_x` seed 0"
    assert "the 6 pre-NMS positives of `atss_x` seed 0 over 2 validation images" in (
        positives_of.data_line(own, label, "demo", "demo")
    )
    given = _page(tmp_path, positives_file=str(extract))
    assert positives_of.run_label(given, str(extract), "atss_x", 0).startswith("`seed2.json` (the")


def test_the_sweep_table_keeps_whole_decades_of_both_scales() -> None:
    scores, ious = soft_ranks.synthetic_positives(60, 0)
    positives = positives_of.Positives(scores, ious, {"0": (scores, ious)}, Path("x"), Path("y"))
    swept = positives_of.sweeps(positives, soft_ranks.strength_grid(0.01, 1.0, 2))
    table = finding.decade_table(swept)
    assert list(table.columns) == list(finding.TABLE_COLUMNS.values())
    assert list(table["scale"]) == ["absolute"] * 3 + ["unit_gap"] * 3
    np.testing.assert_allclose(table["ε"], [0.01, 0.1, 1.0] * 2)
    at_one = table[(table["scale"] == "absolute") & (table["ε"] == 1.0)].iloc[0]
    assert at_one["|Δ loss|"] < 1e-9 and at_one["gradient ratio"] == pytest.approx(1.0)
    exact = soft_ranks.exact_spearman_loss(scores, ious)
    assert f"{exact:.4f}" in finding.decade_note(swept)
    fig = finding.sweep_figure(swept, positives_of.figure_title(positives, "`a`", "demo"))
    assert [ax.get_title() for ax in fig.axes[:2]] == [
        "rank_scale = 'absolute'",
        "rank_scale = 'unit_gap'",
    ]
    assert "pre-NMS positives of a, demo profile" in fig._suptitle.get_text()


def test_the_per_image_sentence_gives_the_largest_parting_strength() -> None:
    per_image = {
        "a": (np.array([0.9, 0.2, 0.5]), np.array([0.8, 0.4, 0.6])),
        "b": (np.array([0.3, 0.7]), np.array([0.5, 0.9])),
    }
    scores = np.concatenate([s for s, _ in per_image.values()])
    ious = np.concatenate([u for _, u in per_image.values()])
    text = positives_of.parting_markdown(
        positives_of.Positives(scores, ious, per_image, Path(), Path())
    )
    largest = max(r["parting"] for r in soft_ranks.image_partings(per_image))
    assert text.startswith(soft_ranks.parting_sentence(scores, ious))
    assert "(2 images with at least two positives" in text and f"largest {largest:.3g}" in text


def test_the_thesis_rows_are_every_spearman_and_pearson_row_of_the_thesis() -> None:
    rows = finding.thesis_rows()
    expected = 0
    for name in thesis.TABLES:
        printed = thesis.table(name)
        if "coefficient" in printed.columns:
            chosen = printed["coefficient"].isin(["spearman", "pearson"]) & printed["corr_loss"]
            expected += int(chosen.sum())
    assert len(rows) == expected > 0 and set(rows["what it trained"]) == {"Pearson Loss"}
    assert set(rows["coefficient as printed"]) == {"Spearman", "Pearson"}
    t56 = thesis.table("5.6")
    text = finding.table_5_6_markdown(rows)
    compared = 0
    for detector in t56["detector"].unique():
        ap = t56[(t56["detector"] == detector) & t56["corr_loss"]].set_index("coefficient")["AP"]
        if {"pearson", "spearman"} <= set(ap.index):
            compared += 1
            assert f"{ap['pearson']:.1f} AP with Pearson, {ap['spearman']:.1f} with" in text
    assert compared > 0


def test_the_registry_table_says_what_each_spearman_experiment_trains() -> None:
    table = finding.spearman_experiments()
    assert len(table) > 0
    for _, row in table.iterrows():
        faithful = row["rank scale"] != "absolute"
        assert (row["what it trains"] == "Pearson Loss") != faithful
    assert "unit_gap" in set(table["rank scale"]) and "absolute" in set(table["rank scale"])


def test_the_provenance_says_whose_positives_and_lists_the_parameters() -> None:
    text = finding.provenance_markdown("`a` seed 0", {"profile": "demo"})
    assert "the pre-NMS positives of `a` seed 0" in text and "`profile = 'demo'`" in text
    assert "synthetic positives drawn" in finding.provenance_markdown(None, {})
