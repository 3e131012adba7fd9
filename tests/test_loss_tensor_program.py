"""The loss as a tensor program: masks instead of selections, closed forms, deferred checks.

Each result is held against a direct computation (the positives selected, torchsort's soft
ranks, mmdet's box coder and IoU), so the program that avoids host synchronisation computes
the same numbers as the plain one.
"""

from __future__ import annotations

import pytest
import torch
import torchsort
from hypothesis import given, settings
from hypothesis import strategies as st

from corrlib.losses import (
    correlation_loss,
    grouped_correlation_loss,
    pearson,
    raise_pending,
    validation,
)

KIND_SETTINGS = (
    {"kind": "concordance"},
    {"kind": "concordance", "moments": "sample"},
    {"kind": "pearson"},
    {"kind": "spearman"},
    {"kind": "spearman", "rank_scale": "unit_gap"},
    {"kind": "spearman", "regularization_strength": 0.01},
)


def _torchsort_spearman(x: torch.Tensor, y: torch.Tensor, strength: float) -> torch.Tensor:
    """Spearman on torchsort's soft ranks, the definition the closed form must equal (ranks
    times the strength: the closed form says they are then the values plus a constant, and
    the correlation's epsilon sees the same spread)."""

    def rank(v):
        return torchsort.soft_rank(v[None], regularization_strength=strength)[0] * strength

    return pearson(rank(x), rank(y))


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 400),
    seed=st.integers(0, 10**6),
    strength=st.sampled_from([1.0, 1.5, 4.0]),
)
def test_the_thesis_spearman_is_its_closed_form(n, seed, strength):
    """At a strength ≥ 1 on values in [0, 1], Spearman Loss is computed without soft ranks;
    torchsort's soft ranks give the same loss."""
    g = torch.Generator().manual_seed(seed)
    ious = torch.rand(n, generator=g, dtype=torch.float64)
    scores = (0.5 * ious + 0.5 * torch.rand(n, generator=g, dtype=torch.float64)).clamp(0, 1)
    got = correlation_loss(scores, ious, "spearman", regularization_strength=strength)
    expected = 1.0 - _torchsort_spearman(ious, scores, strength)
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("setting", KIND_SETTINGS, ids=lambda s: ",".join(map(str, s.values())))
@pytest.mark.parametrize("grouping", ["batch", "level_mean", "image_sum"])
def test_weights_mask_what_a_selection_would_keep(setting, grouping):
    g = torch.Generator().manual_seed(3)
    n = 300
    scores = torch.rand(n, generator=g, dtype=torch.float64, requires_grad=True)
    ious = torch.rand(n, generator=g, dtype=torch.float64)
    groups = torch.randint(0, 5, (n,), generator=g)
    groups[groups == 3] = 2  # an empty group
    positive = torch.rand(n, generator=g) < 0.4
    positive[groups == 4] = False
    positive[(groups == 4).nonzero()[0]] = True  # a group with one positive
    masked = grouped_correlation_loss(
        scores, ious, groups, grouping, weights=positive.float(), num_groups=5, **setting
    )
    (grad_masked,) = torch.autograd.grad(masked, scores)
    keep = positive.nonzero().squeeze(1)
    selected = grouped_correlation_loss(
        scores[keep], ious[keep], groups[keep], grouping, num_groups=5, **setting
    )
    (grad_selected,) = torch.autograd.grad(selected, scores)
    by_hand = [
        correlation_loss(scores[keep][groups[keep] == k], ious[keep][groups[keep] == k], **setting)
        for k in range(5)
        if int((groups[keep] == k).sum()) >= 2
    ]
    if grouping == "batch":
        expected = correlation_loss(scores[keep], ious[keep], **setting)
    elif grouping == "level_mean":
        expected = torch.stack(by_hand).mean()
    else:
        expected = torch.stack(by_hand).sum()
    torch.testing.assert_close(masked, expected, rtol=1e-6, atol=1e-9)
    torch.testing.assert_close(selected, expected, rtol=1e-6, atol=1e-9)
    torch.testing.assert_close(grad_masked, grad_selected, rtol=1e-5, atol=1e-9)
    assert bool((grad_masked[~positive] == 0).all())


def test_undefined_groups_add_zero_and_keep_the_graph():
    scores = torch.tensor([0.2, 0.2, 0.5, 0.9, 0.1], requires_grad=True)
    ious = torch.tensor([0.3, 0.6, 0.5, 0.5, 0.4])
    groups = torch.tensor([0, 0, 1, 1, 2])
    # group 0: constant scores; group 1: constant IoUs; group 2: one positive
    loss = grouped_correlation_loss(scores, ious, groups, "level_mean", num_groups=3)
    assert loss.item() == 0.0
    loss.backward()
    assert bool((scores.grad == 0).all())
    empty = correlation_loss(torch.zeros(0, requires_grad=True), torch.zeros(0))
    assert empty.item() == 0.0


def test_values_are_checked_now_on_cpu_later_when_deferred_and_not_when_off():
    scores, ious = torch.tensor([0.1, float("nan"), 0.4]), torch.rand(3)
    with pytest.raises(ValueError, match=r"scores contains a non-finite value \(nan\)"):
        correlation_loss(scores, ious)
    # a masked-out NaN is no positive's: not an error
    weights = torch.tensor([1.0, 0.0, 1.0])
    assert torch.isfinite(correlation_loss(scores, ious, weights=weights))
    with validation("deferred"):
        correlation_loss(scores, ious)  # no error yet: nothing waits for the values
        with pytest.raises(ValueError, match=r"scores contains .* deferred check"):
            correlation_loss(torch.rand(3), torch.rand(3))  # the next call reports it
        correlation_loss(torch.rand(3), torch.tensor([0.2, float("inf"), 0.1]))
        with pytest.raises(ValueError, match=r"ious contains a non-finite value \(inf\)"):
            raise_pending(wait=True)
    with validation("off"):
        correlation_loss(scores, ious)  # unchecked
    with pytest.raises(ValueError, match="regularization_strength"):
        correlation_loss(torch.tensor([0.0, 5.0, 1.0]), torch.rand(3), "spearman")
    with pytest.raises(ValueError, match="unknown validation mode 'sometimes'"):
        with validation("sometimes"):
            pass


def test_shapes_are_refused_at_once_in_every_mode():
    for mode in ("eager", "deferred", "off"):
        with validation(mode):
            with pytest.raises(ValueError, match="differ in length: 4 vs 5"):
                correlation_loss(torch.rand(4), torch.rand(5))
            with pytest.raises(ValueError, match="weights must be one 0/1 value per positive"):
                correlation_loss(torch.rand(4), torch.rand(4), weights=torch.ones(3))


def test_box_maths_equal_mmdets_coder_and_iou():
    from mmdet.models.task_modules.coders import DeltaXYWHBBoxCoder
    from mmdet.structures.bbox import bbox_overlaps

    from corrlib.integration.heads.box_maths import aligned_iou, decode_with

    g = torch.Generator().manual_seed(0)
    xy = torch.rand(500, 2, generator=g) * 100
    priors = torch.cat([xy, xy + 1 + torch.rand(500, 2, generator=g) * 50], dim=1)
    deltas = torch.randn(500, 4, generator=g) * 2  # some beyond the width/height clip
    coder = DeltaXYWHBBoxCoder(target_means=(0.1, 0.0, -0.1, 0.2), target_stds=(0.1, 0.1, 0.2, 0.2))
    ours, theirs = decode_with(coder, priors, deltas), coder.decode(priors, deltas)
    torch.testing.assert_close(ours, theirs)
    targets = coder.decode(priors, torch.randn(500, 4, generator=g) * 0.3)
    torch.testing.assert_close(
        aligned_iou(ours, targets), bbox_overlaps(ours, targets, is_aligned=True)
    )
