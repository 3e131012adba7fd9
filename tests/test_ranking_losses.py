"""AP Loss, aLRP Loss and Rank & Sort Loss: hand-computed cases, gradient identities, modules.

Every hand-computed case is written out in its comment (δ, H, ranks, errors, primary terms), so
the expected numbers can be checked with pencil and paper against the papers' definitions.
"""

from __future__ import annotations

import pytest
import torch

from corrlib.losses import alrp_loss, ap_loss, rank_sort_loss, smooth_step
from corrlib.losses import rank_based as ranking_module

# two positives (logits 2 and 0) and one negative (logit 1): the running example
LOGITS = (2.0, 0.0, 1.0)
LABELS = (1, 1, 0)


def _leaf(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64, requires_grad=True)


def _labels(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.bool)


# ---------------------------------------------------------------------------------------------
# a direct, loop-per-positive reference of the papers' definitions


def _reference(logits, labels, delta, quality=None, loc=None):
    """(rank errors, sort errors, LRP errors, loc weights, gradient) by the papers' formulas."""
    s = [float(v) for v in logits]
    pos = [i for i, v in enumerate(labels) if v]
    neg = [i for i, v in enumerate(labels) if not v]
    n = len(pos)

    def h(x):
        return min(1.0, max(0.0, x / (2 * delta) + 0.5))

    grad = [0.0] * len(s)
    rank_err, sort_err, lrp_err, loc_w = [], [], [], [0.0] * n
    for a, i in enumerate(pos):
        above_pos = {b: h(s[j] - s[i]) for b, j in enumerate(pos) if j != i}
        above_neg = {j: h(s[j] - s[i]) for j in neg}
        n_fp = sum(above_neg.values())
        rank_pos = 1 + sum(above_pos.values())
        rank = rank_pos + n_fp
        rank_err.append(n_fp / rank)
        err = n_fp / rank
        if loc is not None:
            err = (n_fp + loc[a] + sum(hv * loc[b] for b, hv in above_pos.items())) / rank
            lrp_err.append(err)
            loc_w[a] += 1 / rank / n
            for b, hv in above_pos.items():
                loc_w[b] += hv / rank / n
        if n_fp > 1e-10:
            grad[i] -= err / n
            for j, hv in above_neg.items():
                grad[j] += err * hv / n_fp / n
        if quality is not None:
            y = quality
            cur = ((1 - y[a]) + sum(hv * (1 - y[b]) for b, hv in above_pos.items())) / rank_pos
            kept = {b: hv for b, hv in above_pos.items() if y[b] >= y[a]}
            tgt = ((1 - y[a]) + sum(hv * (1 - y[b]) for b, hv in kept.items())) / (
                1 + sum(kept.values())
            )
            sort_err.append(cur - tgt)
            miss = {b: hv for b, hv in above_pos.items() if y[b] < y[a]}
            mass = sum(miss.values())
            if mass > 1e-10:
                grad[i] -= (cur - tgt) / n
                for b, hv in miss.items():
                    grad[pos[b]] += (cur - tgt) * hv / mass / n
    return rank_err, sort_err, lrp_err, loc_w, grad


def _random_batch(seed: int, n: int = 60, n_pos: int = 12):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, generator=g, dtype=torch.float64) * 1.5
    labels = torch.zeros(n, dtype=torch.bool)
    labels[torch.randperm(n, generator=g)[:n_pos]] = True
    quality = torch.rand(n_pos, generator=g, dtype=torch.float64)
    loc = torch.rand(n_pos, generator=g, dtype=torch.float64)
    return logits, labels, quality, loc


# ---------------------------------------------------------------------------------------------
# the smoothed step


def test_smooth_step_is_the_papers_piecewise_linear_step():
    x = torch.tensor([-2.0, -0.5, -0.25, 0.0, 0.25, 0.5, 2.0])
    assert torch.allclose(smooth_step(x, 0.5), torch.tensor([0, 0, 0.25, 0.5, 0.75, 1, 1]))
    assert torch.allclose(smooth_step(x, 1.0), torch.tensor([0, 0.25, 0.375, 0.5, 0.625, 0.75, 1]))


# ---------------------------------------------------------------------------------------------
# hand-computed small cases


def test_rank_sort_loss_hand_computed():
    # δ = 0.5; positives p0 (s=2, y=0.5), p1 (s=0, y=0.9); negative n (s=1).
    # p0: nothing above it (x = −2, −1 → H = 0): ℓ_R = 0, ℓ_S = (1−.5)/1 = ℓ*_S → 0.
    # p1: p0 and n above (H = 1 each): rank = 3, N_FP = 1 → ℓ_R = 1/3; rank⁺ = 2,
    #     ℓ_S = ((1−.9) + (1−.5))/2 = 0.3; no positive above has y ≥ .9 → ℓ*_S = 0.1; 0.2.
    # L_rank = (0 + 1/3)/2 = 1/6, L_sort = 0.2/2 = 0.1.
    # Update: ranking: p1 −(1/3)/2, n +(1/3)/2; sorting: p1 −0.2/2, p0 (missorted) +0.2/2.
    logits = _leaf(LOGITS)
    loss_rank, loss_sort = rank_sort_loss(logits, _labels(LABELS), torch.tensor([0.5, 0.9]))
    assert loss_rank.item() == pytest.approx(1 / 6)
    assert loss_sort.item() == pytest.approx(0.1)
    (loss_rank + loss_sort).backward()
    assert logits.grad.tolist() == pytest.approx([0.1, -1 / 6 - 0.1, 1 / 6])


def test_rank_sort_components_back_propagate_their_own_updates():
    logits = _leaf(LOGITS)
    loss_rank, _ = rank_sort_loss(logits, _labels(LABELS), torch.tensor([0.5, 0.9]))
    loss_rank.backward()
    assert logits.grad.tolist() == pytest.approx([0.0, -1 / 6, 1 / 6])
    logits = _leaf(LOGITS)
    _, loss_sort = rank_sort_loss(logits, _labels(LABELS), torch.tensor([0.5, 0.9]))
    loss_sort.backward()
    assert logits.grad.tolist() == pytest.approx([0.1, -0.1, 0.0])


def test_ap_loss_hand_computed():
    # δ = 1; p0 (s=2): x = −2 (p1), −1 (n) → H = 0, 0: rank 1, N_FP 0, ℓ = 0.
    # p1 (s=0): x = 2 (p0), 1 (n) → H = 1, 1: rank 3, N_FP 1, ℓ = 1/3. L_AP = 1/6.
    # Update: L_{p1,n} = H/rank = 1/3 → p1 −1/6, n +1/6 (after the 1/|P| = 1/2).
    logits = _leaf(LOGITS)
    loss = ap_loss(logits, _labels(LABELS))
    assert loss.item() == pytest.approx(1 / 6)
    loss.backward()
    assert logits.grad.tolist() == pytest.approx([0.0, -1 / 6, 1 / 6])


def test_ap_loss_is_one_minus_ap_with_a_hard_step():
    # ranked list: pos, neg, pos → precisions 1 and 2/3 at the positives: AP = 5/6.
    loss = ap_loss(torch.tensor([3.0, 1.0, 2.0]), _labels((1, 1, 0)), delta=1e-6)
    assert loss.item() == pytest.approx(1 - 5 / 6)


def test_alrp_loss_hand_computed():
    # δ = 1, ε = (0.2, 0.4) for (p0, p1). Ranks as in the AP case.
    # p0: ℓ_LRP = (0 + 0.2)/1 = 0.2 (no negative above: no update).
    # p1: ℓ_LRP = (N_FP 1 + ε1 0.4 + H(p0) 1 · ε0 0.2)/3 = 1.6/3.
    # L_cls = (0 + 1/3)/2 = 1/6; L_loc = (0.2 + (0.4 + 0.2)/3)/2 = 0.2.
    # Update: p1 −(1.6/3)/2, n +(1.6/3)/2 (the whole LRP error, localisation included).
    # ∂L_loc/∂ε: ε0 is counted by p0 (1/1) and p1 (1/3): (1 + 1/3)/2; ε1 by p1: (1/3)/2.
    logits = _leaf(LOGITS)
    loc = _leaf([0.2, 0.4])
    loss_cls, loss_loc = alrp_loss(logits, _labels(LABELS), loc)
    assert loss_cls.item() == pytest.approx(1 / 6)
    assert loss_loc.item() == pytest.approx(0.2)
    (loss_cls + loss_loc).backward()
    assert logits.grad.tolist() == pytest.approx([0.0, -0.8 / 3, 0.8 / 3])
    assert loc.grad.tolist() == pytest.approx([2 / 3, 1 / 6])


# ---------------------------------------------------------------------------------------------
# zero loss when the ranking is perfect


def test_perfectly_ranked_batch_has_zero_rs_loss_and_no_gradient():
    # positives ordered by IoU with gaps ≥ δ, every negative more than δ below them
    logits = _leaf([4.0, 3.0, 2.0, 0.5, -1.0, 1.4])
    labels = _labels((1, 1, 1, 0, 0, 0))
    quality = torch.tensor([0.9, 0.7, 0.4])
    loss_rank, loss_sort = rank_sort_loss(logits, labels, quality)
    assert loss_rank.item() == 0.0 and loss_sort.item() == 0.0
    (loss_rank + loss_sort).backward()
    assert torch.count_nonzero(logits.grad) == 0


def test_swapping_two_positives_creates_sorting_error_only():
    logits = _leaf([3.0, 4.0, 2.0, 0.5])  # y 0.9 ranked below y 0.7
    loss_rank, loss_sort = rank_sort_loss(
        logits, _labels((1, 1, 1, 0)), torch.tensor([0.9, 0.7, 0.4])
    )
    assert loss_rank.item() == 0.0 and loss_sort.item() > 0
    loss_sort.backward()
    assert logits.grad[0] < 0 < logits.grad[1]  # the better box up, the worse one down
    assert logits.grad[3] == 0


def test_ap_and_alrp_classification_are_zero_when_negatives_are_below():
    logits = torch.tensor([2.0, 1.5, -1.0, -0.6])
    labels = _labels((1, 1, 0, 0))
    assert ap_loss(logits, labels).item() == 0.0
    loss_cls, loss_loc = alrp_loss(logits, labels, torch.tensor([0.0, 0.0]))
    assert loss_cls.item() == 0.0 and loss_loc.item() == 0.0


# ---------------------------------------------------------------------------------------------
# gradient identities ("balanced training") and the reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradients_of_a_batch_sum_to_zero(seed):
    logits, labels, quality, loc = _random_batch(seed)
    for loss_fn in (
        lambda x: ap_loss(x, labels),
        lambda x: sum(rank_sort_loss(x, labels, quality)),
        lambda x: alrp_loss(x, labels, loc)[0],
    ):
        x = logits.clone().requires_grad_(True)
        loss_fn(x).backward()
        assert x.grad.sum().item() == pytest.approx(0.0, abs=1e-12)
        assert x.grad[labels].sum() < 0 < x.grad[~labels].sum()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_magnitudes_equal_the_losses_as_the_papers_state(seed):
    logits, labels, quality, loc = _random_batch(seed, n=200, n_pos=10)
    logits[labels] -= 2.0  # every positive has negatives above it
    # AP Loss: the negatives' gradients sum to L_AP (and the positives' to −L_AP)
    x = logits.clone().requires_grad_(True)
    loss = ap_loss(x, labels)
    loss.backward()
    assert x.grad[~labels].sum().item() == pytest.approx(loss.item())
    # RS Loss: the ranking part gives the negatives L_rank; the sorting part nets zero over P
    x = logits.clone().requires_grad_(True)
    loss_rank, loss_sort = rank_sort_loss(x, labels, quality)
    loss_rank.backward()
    assert x.grad[~labels].sum().item() == pytest.approx(loss_rank.item())
    x = logits.clone().requires_grad_(True)
    rank_sort_loss(x, labels, quality)[1].backward()
    assert x.grad[labels].sum().item() == pytest.approx(0.0, abs=1e-12)
    assert x.grad[~labels].abs().sum().item() == 0.0
    # aLRP Loss: the negatives' gradients sum to L_aLRP = L_cls + L_loc (Theorem 2)
    x = logits.clone().requires_grad_(True)
    loss_cls, loss_loc = alrp_loss(x, labels, loc)
    loss_cls.backward()
    assert x.grad[~labels].sum().item() == pytest.approx((loss_cls + loss_loc).item())


@pytest.mark.parametrize("chunk", [None, 7])
@pytest.mark.parametrize("seed", [0, 1])
def test_vectorised_update_matches_the_loop_reference(seed, chunk, monkeypatch):
    if chunk is not None:  # force several chunks of positives
        monkeypatch.setattr(ranking_module, "_CHUNK_ELEMENTS", chunk * 70)
    logits, labels, quality, loc = _random_batch(seed)
    for delta in (0.5, 1.0):
        rank_err, sort_err, lrp_err, loc_w, grad = _reference(
            logits.tolist(), labels.tolist(), delta, quality=quality.tolist()
        )
        x = logits.clone().requires_grad_(True)
        loss_rank, loss_sort = rank_sort_loss(x, labels, quality, delta)
        (loss_rank + loss_sort).backward()
        assert loss_rank.item() == pytest.approx(sum(rank_err) / len(rank_err))
        assert loss_sort.item() == pytest.approx(sum(sort_err) / len(sort_err))
        assert x.grad.tolist() == pytest.approx(grad, abs=1e-12)

        rank_err, _, lrp_err, loc_w, grad = _reference(
            logits.tolist(), labels.tolist(), delta, loc=loc.tolist()
        )
        x = logits.clone().requires_grad_(True)
        eps = loc.clone().requires_grad_(True)
        loss_cls, loss_loc = alrp_loss(x, labels, eps, delta)
        (loss_cls + loss_loc).backward()
        assert loss_cls.item() == pytest.approx(sum(rank_err) / len(rank_err))
        assert x.grad.tolist() == pytest.approx(grad, abs=1e-12)
        assert eps.grad.tolist() == pytest.approx(loc_w, abs=1e-12)


def test_error_driven_updates_descend():
    logits, labels, quality, _ = _random_batch(3)
    x = logits.clone().requires_grad_(True)
    first = None
    for _ in range(100):
        loss = sum(rank_sort_loss(x, labels, quality))
        first = loss.item() if first is None else first
        x.grad = None
        loss.backward()
        with torch.no_grad():
            x -= 5.0 * x.grad
    assert sum(rank_sort_loss(x, labels, quality)).item() < 0.5 * first


# ---------------------------------------------------------------------------------------------
# shapes and edge cases


def test_matrix_logits_and_no_positives():
    logits = torch.randn(5, 3, requires_grad=True)
    labels = torch.zeros(5, 3, dtype=torch.bool)
    assert ap_loss(logits, labels).item() == 0.0
    loss_rank, loss_sort = rank_sort_loss(logits, labels, torch.zeros(0))
    (loss_rank + loss_sort).backward()
    assert logits.grad.shape == (5, 3) and torch.count_nonzero(logits.grad) == 0
    labels[1, 2] = labels[3, 0] = True
    logits.grad = None
    sum(rank_sort_loss(logits, labels, torch.tensor([0.3, 0.8]))).backward()
    assert logits.grad.shape == (5, 3) and logits.grad.sum().item() == pytest.approx(0, abs=1e-6)


def test_inputs_are_checked():
    with pytest.raises(ValueError, match="shape"):
        ap_loss(torch.zeros(3), torch.zeros(4, dtype=torch.bool))
    with pytest.raises(ValueError, match="one value per positive"):
        rank_sort_loss(torch.zeros(3), _labels((1, 1, 0)), torch.zeros(3))


# ---------------------------------------------------------------------------------------------
# the registered mmdet modules


def test_registered_modules_build_and_weight():
    from mmdet.registry import MODELS

    import corrlib.integration  # noqa: F401  (registers the losses)

    logits, labels = _leaf(LOGITS), _labels(LABELS)
    rs = MODELS.build(dict(type="RankSortLoss", loss_weight=2.0))
    loss_rank, loss_sort = rs(logits, labels, torch.tensor([0.5, 0.9]))
    assert loss_rank.item() == pytest.approx(2 / 6) and loss_sort.item() == pytest.approx(0.2)
    ap = MODELS.build(dict(type="APLoss", use_sigmoid=True))
    assert ap(logits, labels).item() == pytest.approx(1 / 6)
    with pytest.raises(ValueError, match="use_sigmoid=True"):
        MODELS.build(dict(type="APLoss", use_sigmoid=False))


def test_alrp_self_balancing_weight_follows_the_loss_ratio():
    from mmdet.registry import MODELS

    import corrlib.integration  # noqa: F401

    loss = MODELS.build(dict(type="aLRPLoss", sb_init=50.0, sb_interval=2))
    logits, labels, loc = _leaf(LOGITS), _labels(LABELS), torch.tensor([0.2, 0.4])
    loss_cls, loss_loc = loss(logits, labels, loc)
    assert loss_loc.item() == pytest.approx(50 * 0.2)  # the initial weight
    loss(logits, labels, loc)  # second call: the interval is over
    assert loss.sb_weight == pytest.approx((1 / 6 + 0.2) / 0.2)
    loss.eval()
    loss(logits, labels, loc)  # evaluation does not update it
    assert loss.sb_weight == pytest.approx((1 / 6 + 0.2) / 0.2)
