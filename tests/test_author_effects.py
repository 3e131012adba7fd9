"""Tests of reproduction.running.author_effects and reproduction.spec.author_code: the loss-level
effects of
the author's choices (moments, per-level mean, per-image sum) and the list of differences."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from corrlib.losses import correlation_loss, grouped_correlation_loss
from corrlib.names import GROUPINGS, MOMENTS
from reproduction.running import author_effects
from reproduction.spec import author_code
from reproduction.spec.experiments import DETECTORS, experiment_ids


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return author_effects.loss_level_effects(seed=0)


def _row(rows: list[dict], topic: str, kind: str, n: int | None = None) -> dict:
    return next(
        r for r in rows if r["topic"] == topic and r["kind"] == kind and n in (None, r["n"])
    )


def test_rows_have_the_documented_fields_and_finite_values(rows: list[dict]) -> None:
    keys = {"topic", "setting", "kind", "n", "loss_a", "loss_b", "abs_delta_loss"}
    for r in rows:
        assert keys | {"grad_norm_ratio"} == set(r)
        for key in ("loss_a", "loss_b", "abs_delta_loss", "grad_norm_ratio"):
            assert np.isfinite(r[key]), r
        assert 0.0 <= r["loss_a"] <= 2.0
    assert len(rows) == 2 * len(author_effects.MOMENT_SIZES) + 4
    assert {r["topic"] for r in rows} <= {d.topic for d in author_code.DIFFERENCES}


def test_sample_moments_matter_at_two_positives_and_not_at_five_hundred(rows: list[dict]) -> None:
    topic = author_effects.TOPIC_MOMENTS
    small = _row(rows, topic, "concordance", 2)
    large = _row(rows, topic, "concordance", 500)
    assert small["abs_delta_loss"] > 10 * large["abs_delta_loss"]
    assert large["abs_delta_loss"] < 1e-3
    assert small["grad_norm_ratio"] > large["grad_norm_ratio"] > 1.0
    deltas = [_row(rows, topic, "concordance", n)["abs_delta_loss"] for n in (2, 5, 50, 500)]
    assert deltas == sorted(deltas, reverse=True)


def test_foveaboxs_floor_changes_the_loss_by_less_than_its_own_size(rows: list[dict]) -> None:
    """The author's 1e-6 inside FoveaBox's Pearson term: measurable at two positives, below
    1e-7 of the loss at five hundred, and never larger than 1e-4."""
    topic = author_effects.TOPIC_FOVEA_FLOOR
    deltas = [_row(rows, topic, "concordance", n)["abs_delta_loss"] for n in (2, 5, 50, 500)]
    assert deltas == sorted(deltas, reverse=True)
    assert 0 < deltas[-1] < 1e-7 and deltas[0] < 1e-4


def test_sample_moments_are_the_authors_formula() -> None:
    """The author's concordance written out: 2 r s_x s_y / (s_x² + s_y² + (x̄ − ȳ)²), n − 1."""
    rng = np.random.default_rng(3)
    logits, ious = author_effects.synthetic_positives(rng, 7)
    x = 1.0 / (1.0 + np.exp(-logits))
    r = np.corrcoef(x, ious)[0, 1]
    sx, sy = x.std(ddof=1), ious.std(ddof=1)
    expected = 1 - 2 * r * sx * sy / (sx**2 + sy**2 + (x.mean() - ious.mean()) ** 2)
    got = correlation_loss(
        torch.tensor(x), torch.tensor(ious), kind="concordance", moments="sample"
    ).item()
    assert got == pytest.approx(expected, abs=1e-9)
    population = correlation_loss(torch.tensor(x), torch.tensor(ious), kind="concordance").item()
    assert abs(got - population) > 1e-3


@pytest.mark.parametrize("kind", ["concordance", "spearman"])
def test_level_mean_is_the_mean_of_the_levels_losses(rows: list[dict], kind: str) -> None:
    logits, ious, levels = author_effects.level_batch(seed=0)
    by_hand = author_effects.per_group_losses(logits, ious, levels, kind)
    assert len(by_hand) == len(author_effects.LEVEL_SIZES)
    row = _row(rows, author_effects.TOPIC_LEVELS, kind)
    assert row["n"] == sum(author_effects.LEVEL_SIZES)
    assert row["loss_b"] == pytest.approx(np.mean(by_hand), abs=1e-9)
    pooled = correlation_loss(torch.tensor(logits).sigmoid(), torch.tensor(ious), kind=kind).item()
    assert row["loss_a"] == pytest.approx(pooled, abs=1e-9)
    assert row["loss_b"] != pytest.approx(row["loss_a"], abs=1e-3)


@pytest.mark.parametrize("kind", ["concordance", "spearman"])
def test_image_sum_is_the_number_of_images_times_their_mean_loss(
    rows: list[dict], kind: str
) -> None:
    logits, ious, images = author_effects.image_batch(seed=0)
    by_hand = author_effects.per_group_losses(logits, ious, images, kind)
    assert len(by_hand) == author_effects.IMAGES
    row = _row(rows, author_effects.TOPIC_IMAGES, kind)
    assert row["loss_b"] == pytest.approx(author_effects.IMAGES * np.mean(by_hand), abs=1e-9)
    # one image's loss is about the pooled loss, so the sum is several times it
    assert row["loss_b"] > 4 * row["loss_a"]
    assert row["grad_norm_ratio"] > 2.0


def test_grouped_loss_with_one_group_is_the_pooled_loss() -> None:
    logits, ious = author_effects.synthetic_positives(np.random.default_rng(5), 40)
    scores, y = torch.tensor(logits).sigmoid(), torch.tensor(ious)
    pooled = correlation_loss(scores, y, kind="concordance")
    for grouping in ("level_mean", "image_sum"):
        one = grouped_correlation_loss(
            scores, y, torch.zeros(40, dtype=torch.long), grouping, kind="concordance"
        )
        assert one.item() == pytest.approx(pooled.item(), abs=1e-12)


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(rows: list[dict]) -> None:
    assert author_effects.loss_level_effects(seed=0) == rows
    other = author_effects.loss_level_effects(seed=1)
    assert [r["loss_a"] for r in other] != [r["loss_a"] for r in rows]


def test_the_differences_name_known_detectors_options_and_runs() -> None:
    differences = author_code.DIFFERENCES
    topics = [d.topic for d in differences]
    assert len(topics) == len(set(topics))
    ids = set(experiment_ids())
    for d in differences:
        assert d.detectors == ("all",) or set(d.detectors) <= set(DETECTORS), d.topic
        assert d.author and d.here and d.why, d.topic
        assert author_code.REPOSITORY not in d.author  # files are named relative to the repo
    for topic, runs in author_code.TRAINING_RUNS.items():
        assert topic in topics
        for pair in runs:
            variant, baseline = pair.split(" vs ")
            assert {variant, baseline} <= ids, pair
    options = " ".join(d.option or "" for d in differences)
    for value in (*[m for m in MOMENTS if m != "population"], *GROUPINGS[1:]):
        assert f"'{value}'" in options
    # the loss-level rows of loss_level_effects are the differences that say so
    measured = {d.topic for d in differences if d.measured and "loss_level_effects" in d.measured}
    assert measured == {
        author_effects.TOPIC_MOMENTS,
        author_effects.TOPIC_LEVELS,
        author_effects.TOPIC_IMAGES,
        author_effects.TOPIC_FOVEA_FLOOR,
    }
    table = author_code.table_rows()
    assert [r["topic"] for r in table] == topics
    assert all(isinstance(v, str) for r in table for v in r.values())
    follows = [author_code.follows_author(d) for d in differences]
    assert any(follows) and not all(follows)
    assert follows == sorted(follows), "the checks that follow the author come last"
