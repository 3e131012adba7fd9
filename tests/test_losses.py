"""Tests of corrlib.losses: coefficients against scipy and Eq. 2.3, gradients, edge cases."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import stats

from corrlib.losses import KINDS, concordance, correlation_loss, pearson, spearman


def _concordance_reference(x: np.ndarray, y: np.ndarray) -> float:
    """Eq. 2.3 written out with numpy: 2 α σx σy / (σx² + σy² + (x̄ − ȳ)²), population σ."""
    alpha = stats.pearsonr(x, y).statistic
    sx, sy = x.std(), y.std()
    return 2 * alpha * sx * sy / (sx**2 + sy**2 + (x.mean() - y.mean()) ** 2)


@pytest.fixture(params=range(5))
def random_pair(request: pytest.FixtureRequest) -> tuple[np.ndarray, np.ndarray]:
    """Tie-free, correlated scores-like and IoU-like samples of varying size (float64)."""
    rng = np.random.default_rng(request.param)
    n = int(rng.integers(5, 200))
    x = rng.uniform(0.3, 1.0, n)
    y = np.clip(0.6 * x + rng.normal(0, 0.15, n), 0.0, 1.0) + rng.uniform(0, 1e-6, n)
    return x, y


def test_pearson_equals_scipy(random_pair: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = random_pair
    got = pearson(torch.tensor(x), torch.tensor(y)).item()
    assert got == pytest.approx(stats.pearsonr(x, y).statistic, abs=1e-5)


def test_concordance_equals_eq_2_3(random_pair: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = random_pair
    got = concordance(torch.tensor(x), torch.tensor(y)).item()
    assert got == pytest.approx(_concordance_reference(x, y), abs=1e-5)


def test_spearman_with_small_strength_equals_scipy(
    random_pair: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = random_pair
    # Soft ranks reach the exact ranks once the strength is below the smallest gap.
    gap = min(np.diff(np.sort(x)).min(), np.diff(np.sort(y)).min())
    got = spearman(torch.tensor(x), torch.tensor(y), regularization_strength=gap / 10).item()
    assert got == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-5)


def test_concordance_is_one_only_on_identity_and_penalises_scale() -> None:
    x = torch.tensor([0.1, 0.4, 0.5, 0.9], dtype=torch.float64)
    assert concordance(x, x).item() == pytest.approx(1.0)
    # Pearson ignores a change of scale; concordance does not (thesis Fig. 2.3 vs 2.4).
    assert pearson(x, 0.5 * x).item() == pytest.approx(1.0)
    assert concordance(x, 0.5 * x).item() < 0.9


@pytest.mark.parametrize("kind", KINDS)
def test_loss_is_one_minus_coefficient(kind: str) -> None:
    rng = np.random.default_rng(7)
    scores = torch.tensor(rng.uniform(0, 1, 50))
    ious = torch.tensor(rng.uniform(0.5, 1, 50))
    coefficient = {"concordance": concordance, "pearson": pearson, "spearman": spearman}[kind]
    expected = 1 - coefficient(ious, scores).item()
    assert correlation_loss(scores, ious, kind).item() == pytest.approx(expected, abs=1e-12)
    assert 0.0 <= correlation_loss(scores, ious, kind).item() <= 2.0


@pytest.mark.parametrize("kind", KINDS)
def test_gradcheck_float64_and_iou_gets_no_gradient(kind: str) -> None:
    rng = np.random.default_rng(3)
    scores = torch.tensor(rng.uniform(0.05, 0.95, 12), requires_grad=True)
    ious = torch.tensor(rng.uniform(0.5, 0.95, 12), requires_grad=True)

    def scores_only(s: torch.Tensor) -> torch.Tensor:
        return correlation_loss(s, ious, kind, regularization_strength=0.5)

    assert torch.autograd.gradcheck(scores_only, (scores,), eps=1e-6, atol=1e-5)
    correlation_loss(scores, ious, kind).backward()
    assert ious.grad is None
    assert scores.grad is not None and torch.isfinite(scores.grad).all()
    assert scores.grad.abs().sum() > 0


def test_iou_gradient_switch_reaches_ious() -> None:
    scores = torch.tensor([0.2, 0.5, 0.7, 0.1], dtype=torch.float64)
    ious = torch.tensor([0.6, 0.9, 0.7, 0.55], dtype=torch.float64, requires_grad=True)
    correlation_loss(scores, ious, "concordance", iou_gradient=True).backward()
    assert ious.grad is not None and ious.grad.abs().sum() > 0


def test_minimising_concordance_pulls_scores_towards_ious() -> None:
    ious = torch.tensor([0.5, 0.6, 0.7, 0.8, 0.9])
    scores = torch.full((5,), 0.1).add(torch.linspace(0, 0.01, 5)).requires_grad_()
    opt = torch.optim.Adam([scores], lr=0.01)
    before = correlation_loss(scores, ious).item()
    for _ in range(300):
        opt.zero_grad()
        correlation_loss(scores, ious).backward()
        opt.step()
    assert correlation_loss(scores, ious).item() < before / 4
    assert torch.allclose(scores.detach(), ious, atol=0.1)


DEGENERATE = {
    "empty": ([], []),
    "one positive": ([0.3], [0.8]),
    "constant scores": ([0.4, 0.4, 0.4], [0.5, 0.7, 0.9]),
    "constant ious": ([0.1, 0.5, 0.9], [0.6, 0.6, 0.6]),
    "all tied": ([0.2, 0.2], [0.7, 0.7]),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", DEGENERATE)
def test_degenerate_input_gives_zero_on_graph(kind: str, case: str) -> None:
    s, i = DEGENERATE[case]
    scores = torch.tensor(s, dtype=torch.float32, requires_grad=True)
    ious = torch.tensor(i, dtype=torch.float32)
    loss = correlation_loss(scores, ious, kind)
    assert loss.item() == 0.0 and loss.requires_grad
    loss.backward()
    assert scores.grad is not None and torch.all(scores.grad == 0)


@pytest.mark.parametrize("kind", KINDS)
def test_partial_ties_give_finite_gradients(kind: str) -> None:
    scores = torch.tensor([0.3, 0.3, 0.3, 0.8, 0.8], requires_grad=True)
    ious = torch.tensor([0.5, 0.9, 0.9, 0.6, 0.6])
    loss = correlation_loss(scores, ious, kind)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(scores.grad).all()


@pytest.mark.parametrize(
    ("scores", "ious", "kind", "message"),
    [
        (torch.rand(4), torch.rand(5), "concordance", "differ in length: 4 vs 5"),
        (torch.rand(2, 3), torch.rand(2, 3), "concordance", "scores must be 1-D"),
        (torch.rand(3), torch.rand(3, 1), "pearson", "ious must be 1-D"),
        (torch.tensor([0.1, float("nan")]), torch.rand(2), "spearman", "non-finite value (nan)"),
        (torch.rand(2), torch.tensor([0.5, float("inf")]), "concordance", "non-finite value (inf)"),
        (torch.rand(3), torch.rand(3), "kendall", "unknown correlation kind 'kendall'"),
        (torch.tensor([1, 2]), torch.rand(2), "pearson", "floating-point"),
    ],
)
def test_bad_input_raises_value_error_naming_it(
    scores: torch.Tensor, ious: torch.Tensor, kind: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        correlation_loss(scores, ious, kind)


# --------------------------------------------------------------------------------------------
# The thesis author's settings: sample moments, per-level and per-image groupings


def test_sample_moments_follow_the_n_minus_1_definition_and_matter_at_small_n() -> None:
    from corrlib.losses import concordance

    rng = np.random.default_rng(3)
    gaps = {}
    for n in (3, 200):
        x = rng.uniform(0.2, 1.0, n)
        y = np.clip(0.5 * x + rng.normal(0.1, 0.1, n), 0.0, 1.0)  # correlated, means apart
        sx, sy = x.std(ddof=1), y.std(ddof=1)
        cov = np.cov(x, y, ddof=1)[0, 1]
        expected = 2 * cov / (sx**2 + sy**2 + (x.mean() - y.mean()) ** 2)
        tx, ty = torch.tensor(x), torch.tensor(y)
        sample = concordance(tx, ty, moments="sample").item()
        assert sample == pytest.approx(expected, abs=1e-9)
        gaps[n] = abs(sample - concordance(tx, ty).item())
    assert gaps[3] > 10 * gaps[200] > 0  # n − 1 against n: a small-batch effect
    with pytest.raises(ValueError, match="moments"):
        concordance(torch.rand(4), torch.rand(4), moments="unbiased")


def _grouped_inputs(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    groups = torch.tensor([0] * 30 + [1] * 12 + [2] * 5 + [3] * 1)  # level 3: one positive
    ious = torch.rand(48, generator=gen, dtype=torch.float64)
    scores = (0.5 * ious + 0.5 * torch.rand(48, generator=gen, dtype=torch.float64)).clamp(0, 1)
    return scores.requires_grad_(), ious, groups


def test_level_mean_averages_the_levels_holding_two_or_more_positives() -> None:
    from corrlib.losses import grouped_correlation_loss

    scores, ious, levels = _grouped_inputs()
    got = grouped_correlation_loss(scores, ious, levels, "level_mean", kind="spearman")
    by_hand = [
        correlation_loss(scores[levels == g], ious[levels == g], "spearman") for g in (0, 1, 2)
    ]
    assert got.item() == pytest.approx(torch.stack(by_hand).mean().item(), abs=1e-12)
    pooled = grouped_correlation_loss(scores, ious, None, "batch", kind="spearman")
    assert pooled.item() == pytest.approx(correlation_loss(scores, ious, "spearman").item())
    assert abs(pooled.item() - got.item()) > 1e-3  # the groupings are different losses
    got.backward()
    assert torch.isfinite(scores.grad).all() and scores.grad[levels == 3].abs().sum() == 0


def test_image_sum_adds_one_loss_per_image() -> None:
    from corrlib.losses import grouped_correlation_loss

    scores, ious, images = _grouped_inputs(1)
    got = grouped_correlation_loss(scores, ious, images, "image_sum", kind="concordance")
    by_hand = sum(correlation_loss(scores[images == g], ious[images == g]) for g in (0, 1, 2))
    assert got.item() == pytest.approx(by_hand.item(), abs=1e-12)
    assert got.item() > 1.0  # about three times one image's loss, not their mean


def test_grouped_loss_needs_one_group_per_positive_and_is_zero_without_a_pair() -> None:
    from corrlib.losses import grouped_correlation_loss

    scores, ious, groups = _grouped_inputs()
    with pytest.raises(ValueError, match="one group per positive"):
        grouped_correlation_loss(scores, ious, None, "level_mean")
    with pytest.raises(ValueError, match="one group per positive"):
        grouped_correlation_loss(scores, ious, groups[:-1], "image_sum")
    with pytest.raises(ValueError, match="unknown grouping 'per_anchor'"):
        grouped_correlation_loss(scores, ious, groups, "per_anchor")
    lonely = grouped_correlation_loss(scores[:3], ious[:3], torch.arange(3), "level_mean")
    assert lonely.item() == 0.0
    lonely.backward()
    assert scores.grad is not None and scores.grad.abs().sum() == 0


def test_the_former_name_reduction_is_refused_naming_grouping() -> None:
    """mmdet's losses take ``reduction`` (none / mean / sum); the grouping of positives was
    once named so: either habit gets a TypeError naming the value and ``grouping``."""
    from corrlib.losses import grouped_correlation_loss
    from corrlib.names import GROUPINGS

    scores, ious, groups = _grouped_inputs()
    for value in ("level_mean", "mean"):
        with pytest.raises(TypeError, match=f"reduction='{value}'.* grouping") as err:
            grouped_correlation_loss(scores, ious, groups, reduction=value)
        assert str(GROUPINGS) in str(err.value)
        assert (f"grouping={value!r}" in str(err.value)) == (value in GROUPINGS)
    by_position = grouped_correlation_loss(scores, ious, groups, "level_mean")
    by_name = grouped_correlation_loss(scores, ious, groups, grouping="level_mean")
    assert by_position.item() == by_name.item()


def test_unknown_rank_scale_names_the_argument() -> None:
    with pytest.raises(ValueError, match="rank_scale"):
        correlation_loss(torch.rand(5), torch.rand(5), "spearman", rank_scale="relative")
    with pytest.raises(ValueError, match="regularization_strength"):
        correlation_loss(torch.rand(5), torch.rand(5), "spearman", regularization_strength=0.0)
