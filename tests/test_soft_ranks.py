"""Spearman Loss against Pearson Loss (reproduction.running.soft_ranks, corrlib.losses).

The first test is a property of corrlib itself: at the thesis's setting (absolute values, soft-
rank strength 1) Spearman Loss is Pearson Loss. It depends on how torchsort computes its l2
soft ranks and fails if that changes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from scipy import stats

from corrlib.losses import correlation_loss, unit_gap
from reproduction.running import soft_ranks


def _uniform_pair(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores and IoUs in [0, 1], including both ends (the widest spread the losses see)."""
    rng = np.random.default_rng(seed)
    scores, ious = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    scores[:2], ious[:2] = (0.0, 1.0), (1.0, 0.0)
    return scores, ious


def _loss_and_gradient(
    scores: np.ndarray, ious: np.ndarray, kind: str, dtype: torch.dtype = torch.float64, **kw
) -> tuple[float, np.ndarray]:
    s = torch.tensor(scores, dtype=dtype, requires_grad=True)
    loss = correlation_loss(s, torch.tensor(ious, dtype=dtype), kind, **kw)
    loss.backward()
    return loss.item(), s.grad.numpy()


@pytest.mark.parametrize("n", [5, 50, 5000])
def test_thesis_setting_spearman_equals_pearson(n: int) -> None:
    """corrlib property: with scores and IoUs in [0, 1], Spearman Loss at the default strength
    (1.0, the thesis's) and the absolute rank scale equals Pearson Loss, value and gradient.

    torchsort's l2 soft ranks pool every value into one block whenever the strength is at least
    (2/n)·max_k(mean of the k largest − mean of the rest) ≤ 2/n, so the soft ranks are the
    values plus a constant. This test fails if torchsort's soft ranks change that behaviour."""
    scores, ious = _uniform_pair(n, seed=n)
    l_pearson, g_pearson = _loss_and_gradient(scores, ious, "pearson")
    for strength in (None, 1.0):
        l_spearman, g_spearman = _loss_and_gradient(
            scores, ious, "spearman", regularization_strength=strength
        )
        assert abs(l_spearman - l_pearson) < 1e-10
        assert np.abs(g_spearman - g_pearson).max() < 1e-10
    # ... and it is not exact Spearman: on these inputs the two differ by more than rounding
    exact = 1.0 - stats.spearmanr(ious, scores).statistic
    assert l_pearson != pytest.approx(exact, abs=1e-6)


def test_thesis_setting_in_float32_agrees_to_rounding() -> None:
    scores, ious = _uniform_pair(500, seed=1)
    l_s, g_s = _loss_and_gradient(scores, ious, "spearman", torch.float32)
    l_p, g_p = _loss_and_gradient(scores, ious, "pearson", torch.float32)
    assert abs(l_s - l_p) < 1e-5
    assert np.abs(g_s - g_p).max() < 1e-5 * np.abs(g_p).max() + 1e-7


def test_parting_strength_closed_forms() -> None:
    # two values: one block iff ε ≥ their distance
    assert soft_ranks.parting_strength([0.2, 0.7]) == pytest.approx(0.5)
    # equally spaced values: ε* is the gap
    assert soft_ranks.parting_strength(np.linspace(0.1, 0.9, 9)) == pytest.approx(0.1)
    # constant values, fewer than two values: pooled at every strength
    assert soft_ranks.parting_strength([0.3, 0.3, 0.3]) == 0.0
    assert soft_ranks.parting_strength([0.3]) == 0.0
    # one high outlier: k = 1 gives 2 (max − mean of the rest) / n
    x = np.array([0.0, 0.01, 0.02, 0.03, 1.0])
    assert soft_ranks.parting_strength(x) == pytest.approx(2 * (1.0 - 0.015) / 5)


@pytest.mark.parametrize("seed", range(5))
def test_parting_strength_bounds_and_scale(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 400))
    x = rng.beta(0.5, 2.0, n)
    eps = soft_ranks.parting_strength(x)
    spread = x.max() - x.min()
    assert spread / n - 1e-15 <= eps <= 2 * spread / n + 1e-15
    summary = soft_ranks.parting_summary(x)
    assert 1.0 - 1e-12 <= summary["times_n_over_spread"] <= 2.0 + 1e-12
    assert summary["per_mean_gap"] == pytest.approx(eps / (spread / (n - 1)))
    assert soft_ranks.parting_strength(3.0 * x + 5.0) == pytest.approx(3.0 * eps)
    # the unit-gap values part at ε* divided by the mean gap
    unit = unit_gap(torch.tensor(x)).numpy()
    assert soft_ranks.parting_strength(unit) == pytest.approx(eps / (spread / (n - 1)))


@pytest.mark.parametrize(("n", "seed"), [(3, 0), (5, 1), (50, 2), (500, 3), (5000, 4)])
def test_soft_ranks_affine_above_parting_strength_and_not_below(n: int, seed: int) -> None:
    x = np.random.default_rng(seed).uniform(0.0, 1.0, n)
    eps = soft_ranks.parting_strength(x)
    assert soft_ranks.affine_residual(x, eps * (1 + 1e-9)) < 1e-12
    assert soft_ranks.affine_residual(x, eps) < 1e-12
    assert soft_ranks.affine_residual(x, 10 * eps) < 1e-12
    # just below, the residual grows in proportion to the distance to ε*
    below = [soft_ranks.affine_residual(x, eps * (1 - d)) for d in (1e-2, 1e-4)]
    assert below[0] > 1e-5 and below[1] > 1e-7
    assert below[0] > 10 * below[1]


def test_parting_strength_found_by_bisection_on_the_soft_ranks() -> None:
    """An independent search: the smallest ε at which torchsort's soft ranks are affine."""
    x = np.random.default_rng(7).gamma(2.0, 0.1, 40)
    low, high = 1e-6, 10.0
    for _ in range(80):
        middle = math.sqrt(low * high)
        if soft_ranks.affine_residual(x, middle) < 1e-12:
            high = middle
        else:
            low = middle
    assert high == pytest.approx(soft_ranks.parting_strength(x), rel=1e-8)


def test_two_values_and_equal_gaps_are_affine_below_parting_too() -> None:
    # the documented exceptions: exact ranks of two or of equally spaced values are affine
    assert soft_ranks.affine_residual([0.2, 0.7], 0.01) < 1e-12
    assert soft_ranks.affine_residual(np.linspace(0, 1, 11), 0.01) < 1e-12


@pytest.mark.parametrize("rank_scale", ["absolute", "unit_gap"])
def test_losses_part_at_the_loss_parting_strength(rank_scale: str) -> None:
    scores, ious = soft_ranks.synthetic_positives(300, seed=2)
    eps = soft_ranks.loss_parting_strength(scores, ious, rank_scale)
    above, below = soft_ranks.spearman_pearson_sweep(
        scores, ious, [eps * (1 + 1e-9), eps * (1 - 1e-2)], rank_scale
    )
    assert above["pooled"] and not below["pooled"]
    assert above["parting"] == below["parting"] == eps
    # not to 1e-15: Pearson adds 1e-12 to var x · var y, and the soft ranks at ε* ≪ 1 are the
    # values scaled by 1/ε, so that guard weighs ~1e-10 less on the ranks than on the values
    assert above["abs_difference"] < 1e-8
    assert above["grad_cosine"] == pytest.approx(1.0, abs=1e-12)
    assert above["grad_max_abs_difference"] < 1e-8
    assert below["abs_difference"] > 1e-7
    assert below["grad_max_abs_difference"] > 1e-7


def test_unit_gap_threshold_is_relative_to_the_spacing() -> None:
    scores, ious = soft_ranks.synthetic_positives(1000, seed=0)
    absolute = soft_ranks.loss_parting_strength(scores, ious, "absolute")
    relative = soft_ranks.loss_parting_strength(scores, ious, "unit_gap")
    expected = max(
        soft_ranks.parting_strength(v) / ((v.max() - v.min()) / (v.size - 1))
        for v in (scores, ious)
    )
    assert relative == pytest.approx(expected)
    assert absolute < 2 / 1000 and 0.5 < relative < 2.0  # bounds of parting_strength


@pytest.mark.parametrize("seed", range(3))
def test_unit_gap_follows_exact_spearman_on_random_pairs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, 1000)
    y = np.clip(x + rng.normal(0, 0.3, 1000), 0, 1)
    (row,) = soft_ranks.spearman_pearson_sweep(y, x, [0.1], "unit_gap")
    assert abs(row["L_spearman"] - row["L_exact_spearman"]) < 0.01
    assert row["L_exact_spearman"] == pytest.approx(1 - stats.spearmanr(x, y).statistic)


@pytest.mark.parametrize("n", [300, 1000, 5000])
def test_unit_gap_follows_exact_spearman_where_pearson_does_not(n: int) -> None:
    """A monotone, non-linear relation with a few outliers: Pearson Loss is more than 0.03
    from 1 − exact Spearman, rank-faithful Spearman Loss within 0.01 of it."""
    scores, ious = soft_ranks.synthetic_positives(n, seed=0)
    exact = 1.0 - stats.spearmanr(ious, scores).statistic
    st, si = torch.tensor(scores), torch.tensor(ious)
    unit = correlation_loss(st, si, "spearman", rank_scale="unit_gap").item()
    thesis = correlation_loss(st, si, "spearman").item()
    pearson = correlation_loss(st, si, "pearson").item()
    assert abs(unit - exact) < 0.01
    assert abs(pearson - exact) > 0.03
    assert thesis == pytest.approx(pearson, abs=1e-10)


def test_sweep_rows_and_units() -> None:
    scores, ious = soft_ranks.synthetic_positives(200, seed=1)
    strengths = [1e-5, 1e-3, 1.0]
    rows = soft_ranks.spearman_pearson_sweep(scores, ious, strengths)
    assert [r["strength"] for r in rows] == strengths
    keys = {
        "strength", "L_spearman", "L_pearson", "abs_difference", "L_exact_spearman",
        "grad_norm_spearman", "grad_norm_pearson", "grad_cosine", "grad_max_abs_difference",
        "parting", "pooled",
    }  # fmt: skip
    assert all(set(r) == keys for r in rows)
    assert rows[-1]["pooled"] and rows[-1]["abs_difference"] < 1e-12
    # at a strength far below ε*, soft-Spearman is close to the exact one, Pearson is not
    assert not rows[0]["pooled"]
    assert abs(rows[0]["L_spearman"] - rows[0]["L_exact_spearman"]) < 0.005
    assert rows[0]["grad_cosine"] < 0.99
    with pytest.raises(ValueError, match="differ in length"):
        soft_ranks.spearman_pearson_sweep(scores, ious[:-1], strengths)


@pytest.mark.parametrize(
    "case",
    [
        ([0.2, 0.2, 0.5, 0.5, 0.9], [0.6, 0.6, 0.7, 0.7, 0.8]),  # ties in both
        ([0.3, 0.8], [0.5, 0.9]),  # n = 2
        ([0.4, 0.4, 0.4, 0.4], [0.5, 0.6, 0.7, 0.8]),  # constant scores
        ([0.1, 0.5, 0.9], [0.7, 0.7, 0.7]),  # constant IoUs
    ],
    ids=["ties", "two", "constant-scores", "constant-ious"],
)
@pytest.mark.parametrize("rank_scale", ["absolute", "unit_gap"])
def test_gradients_finite_for_ties_two_and_constant(
    case: tuple[list[float], list[float]], rank_scale: str
) -> None:
    scores, ious = case
    rows = soft_ranks.spearman_pearson_sweep(scores, ious, [1e-4, 0.1, 1.0], rank_scale)
    for row in rows:
        for key in ("L_spearman", "L_pearson", "grad_norm_spearman", "grad_norm_pearson"):
            assert math.isfinite(row[key]), (key, row)
        assert math.isfinite(row["grad_max_abs_difference"])
        cosine = row["grad_cosine"]
        assert math.isnan(cosine) or -1.0 - 1e-9 <= cosine <= 1.0 + 1e-9
    for strength in (1e-4, 1.0):
        _, gradient = _loss_and_gradient(
            np.asarray(scores), np.asarray(ious), "spearman",
            regularization_strength=strength, rank_scale=rank_scale,
        )  # fmt: skip
        assert np.isfinite(gradient).all()


def test_parting_sentence_is_computed_from_the_data() -> None:
    scores, ious = soft_ranks.synthetic_positives(400, seed=3)
    sentence = soft_ranks.parting_sentence(scores, ious)
    eps = soft_ranks.loss_parting_strength(scores, ious)
    assert "400 positives" in sentence and f"{eps:.3g}" in sentence
    assert "undefined" in soft_ranks.parting_sentence([0.5, 0.5], [0.1, 0.2])


def _write(path: Path, record: dict) -> Path:
    path.write_text(json.dumps(record))
    return path


def test_positives_from_a_results_file_and_its_detections(tmp_path: Path) -> None:
    positives = {
        "1": {"scores": [0.9, 0.2], "ious": [0.8, 0.4]},
        "7": {"scores": [0.5], "ious": [0.6]},
        "9": {"scores": [], "ious": []},
    }
    results = _write(tmp_path / "seed0.json", {"schema": 1, "metrics": {}})
    _write(tmp_path / "seed0.detections.json", {"detections": [], "pre_nms_positives": positives})
    scores, ious = soft_ranks.positives_from_results(results)
    np.testing.assert_allclose(scores, [0.9, 0.2, 0.5])
    np.testing.assert_allclose(ious, [0.8, 0.4, 0.6])
    direct = soft_ranks.positives_from_results(tmp_path / "seed0.detections.json")
    np.testing.assert_allclose(direct[0], scores)
    assert list(soft_ranks.positives_per_image(results)) == ["1", "7", "9"]


def test_positives_errors_name_the_files(tmp_path: Path) -> None:
    results = _write(tmp_path / "seed1.json", {"schema": 1})
    with pytest.raises(ValueError, match=r"seed1\.json.*seed1\.detections\.json"):
        soft_ranks.positives_from_results(results)
    with pytest.raises(ValueError, match="no such file"):
        soft_ranks.positives_from_results(tmp_path / "seed2.json")
    mismatched = {"4": {"scores": [0.1, 0.2], "ious": [0.3]}}
    bad = _write(tmp_path / "seed3.json", {"pre_nms_positives": mismatched})
    with pytest.raises(ValueError, match=r"seed3\.json: image 4 has 2 scores but 1 IoUs"):
        soft_ranks.positives_from_results(bad)
    empty = _write(
        tmp_path / "seed4.json", {"pre_nms_positives": {"4": {"scores": [], "ious": []}}}
    )
    with pytest.raises(ValueError, match="holds no positive"):
        soft_ranks.positives_from_results(empty)


def test_an_extract_keeps_the_first_images_and_says_whose_they_are(tmp_path: Path) -> None:
    positives = {
        "10": {"scores": [0.3, 0.1], "ious": [0.5, 0.6]},
        "2": {"scores": [0.9, 0.2], "ious": [0.8, 0.4]},
        "1": {"scores": [0.123456789], "ious": [0.6]},
    }
    record = {"experiment": {"id": "atss_x"}, "profile": "demo", "seed": 3, "provenance": {}}
    results = _write(tmp_path / "seed3.json", record)
    _write(tmp_path / "seed3.detections.json", {"pre_nms_positives": positives})
    out = soft_ranks.write_positives_extract(results, tmp_path / "archive" / "x.json", images=2)
    assert list(soft_ranks.positives_per_image(out)) == ["1", "2"]  # by numeric id, first two
    scores, _ = soft_ranks.positives_from_results(out)
    np.testing.assert_allclose(scores, [0.123457, 0.9, 0.2])
    label = soft_ranks.extract_label(out)
    assert "`atss_x` seed 3" in label and "first 2 of its 3" in label
    assert "archive/x.json" in label


def test_the_strength_grid_spans_its_bounds_evenly_in_decades() -> None:
    grid = soft_ranks.strength_grid(1e-5, 10.0, 5)
    assert grid.size == 31 and grid[0] == pytest.approx(1e-5) and grid[-1] == pytest.approx(10.0)
    np.testing.assert_allclose(np.diff(np.log10(grid)), 0.2)
    np.testing.assert_allclose(grid, soft_ranks.DEFAULT_STRENGTHS)
    with pytest.raises(ValueError, match="smallest=0.0"):
        soft_ranks.strength_grid(0.0, 1.0, 5)


def test_synthetic_images_cut_the_positives_in_order() -> None:
    scores, ious = soft_ranks.synthetic_positives(230, 1)
    images = soft_ranks.synthetic_images(scores, ious)
    assert list(images) == ["0", "1", "2", "3"]  # 230 // 50 chunks
    np.testing.assert_array_equal(np.concatenate([s for s, _ in images.values()]), scores)
    np.testing.assert_array_equal(np.concatenate([u for _, u in images.values()]), ious)
    assert list(soft_ranks.synthetic_images(scores[:7], ious[:7])) == ["0"]


def test_image_partings_skip_images_without_a_correlation() -> None:
    per_image = {
        "a": (np.array([0.9, 0.2, 0.5]), np.array([0.8, 0.4, 0.6])),
        "one": (np.array([0.5]), np.array([0.5])),
        "flat": (np.array([0.5, 0.5]), np.array([0.3, 0.9])),
    }
    rows = soft_ranks.image_partings(per_image)
    assert rows == [{"n": 3, "parting": soft_ranks.loss_parting_strength(*per_image["a"])}]
    assert 0 < rows[0]["parting"] <= 2 * 0.7 / 3  # ε* ≤ 2 · spread / n
