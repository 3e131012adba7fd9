"""corrlib.losses.fast_soft_rank: l2 soft ranks equal to torchsort's, on both paths.

Values are compared at a fraction of their magnitude, max(n, max |x| / ε): 1e-9 in float64,
1e-5 in float32. The CPU path runs torchsort's own PAV op on torchsort's own input, so at 10⁴
values and more it is also compared bit for bit. The parallel path accumulates in float64, so
in float32 at 10⁴ values and more the reference is torchsort run on the same values in
float64: torchsort's float32 running sums are themselves off by more than 1e-5 of n there
(2.6e-5 measured at n = 10⁴ with ties, strength 1); below that both references are used.
"""

from __future__ import annotations

import math

import pytest
import torch
import torchsort
from hypothesis import given, settings
from hypothesis import strategies as st

from corrlib.losses import fast_soft_rank as sr
from corrlib.losses.fast_soft_rank import DEFAULT_POOL_ROUNDS, METHODS, soft_rank_l2

# (method, pool_rounds): the CPU path, the parallel path as it runs by default, and the
# parallel path forced through its hull computation.
PATHS = [("cpu", None), ("parallel", None), ("parallel", 0)]
PATH_IDS = ["cpu", "parallel", "parallel-hull"]


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """One intra-op thread: on a shared 2-core machine OpenMP's spin-waiting threads made the
    parallel path's many small operations at 10⁵ values 50x slower (2.9 s vs 55 ms a call)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _reference(x: torch.Tensor, strength: float) -> torch.Tensor:
    rows = x if x.dim() == 2 else x.unsqueeze(0)
    ranks = torchsort.soft_rank(rows, regularization="l2", regularization_strength=strength)
    return ranks if x.dim() == 2 else ranks.squeeze(0)


def _values(kind: str, n: int, generator: torch.Generator) -> torch.Tensor:
    """float64 test values: uniform, normal, exponential (skewed), or with many ties."""
    if kind == "uniform":
        return torch.rand(n, generator=generator, dtype=torch.float64)
    if kind == "normal":
        return torch.randn(n, generator=generator, dtype=torch.float64)
    if kind == "exponential":
        return -torch.log(torch.rand(n, generator=generator, dtype=torch.float64))
    return torch.randint(0, max(2, n // 10), (n,), generator=generator).double()


def _unit_gap(x: torch.Tensor) -> torch.Tensor:
    spread = x.max() - x.min()
    return x if x.shape[-1] < 2 or spread == 0 else (x - x.min()) / (spread / (x.shape[-1] - 1))


def _assert_close(
    got: torch.Tensor, want: torch.Tensor, x: torch.Tensor, strength: float, rtol: float = 1e-5
):
    """|got − want| ≤ rtol × the magnitude of the values, max(n, max |x| / ε, 1)."""
    assert got.shape == want.shape
    magnitude = max(x.shape[-1], x.abs().max().item() / strength if x.numel() else 0.0, 1.0)
    error = (got.double() - want.double()).abs().max().item() if got.numel() else 0.0
    assert error <= rtol * magnitude, f"error {error:.3g} at magnitude {magnitude:.3g}"


@pytest.mark.parametrize(("method", "pool_rounds"), PATHS, ids=PATH_IDS)
@pytest.mark.parametrize(
    ("n", "kind"),
    [(1, "uniform"), (2, "uniform"), (2, "ties"), (3, "normal"), (3, "ties")]
    + [(100, kind) for kind in ("uniform", "normal", "exponential", "ties")],
)
def test_equals_torchsort_small(method, pool_rounds, n, kind):
    generator = torch.Generator().manual_seed(n)
    x = _values(kind, n, generator)
    for strength in (1e-4, 0.1, 1.0, 1e4):
        for values in (x, _unit_gap(x)):
            want = _reference(values, strength)
            got = soft_rank_l2(values, strength, method=method, pool_rounds=pool_rounds)
            assert got.dtype == torch.float64
            _assert_close(got, want, values, strength, rtol=1e-9)
            # float32: against torchsort on the same float32 values, in float32 and float64
            v32 = values.float()
            got32 = soft_rank_l2(v32, strength, method=method, pool_rounds=pool_rounds)
            assert got32.dtype == torch.float32
            _assert_close(got32, _reference(v32, strength), v32, strength)
            _assert_close(got32, _reference(v32.double(), strength), v32, strength)


@pytest.mark.parametrize(("method", "pool_rounds"), PATHS, ids=PATH_IDS)
@pytest.mark.parametrize(
    ("n", "kind", "strength"),
    [
        (10_000, "uniform", 0.1),  # unit-gap values, the rank-faithful setting
        (10_000, "exponential", 0.1),  # skewed: more rounds than the default, hull path
        (10_000, "ties", 1.0),
        (10_000, "normal", 1e-3),
        (100_000, "normal", 0.1),
    ],
)
def test_equals_torchsort_large(method, pool_rounds, n, kind, strength):
    generator = torch.Generator().manual_seed(n)
    x = _unit_gap(_values(kind, n, generator))
    # (the hull computation takes a few tenths of a second on a CPU at 10⁵: float64 only)
    dtypes = (
        [torch.float64] if n == 100_000 and pool_rounds == 0 else [torch.float64, torch.float32]
    )
    for dtype in dtypes:
        values = x.to(dtype)
        got = soft_rank_l2(values, strength, method=method, pool_rounds=pool_rounds)
        want = _reference(values.double(), strength)
        _assert_close(got, want, values, strength, rtol=1e-9 if dtype == torch.float64 else 1e-5)
        if method == "cpu":  # torchsort's own op on torchsort's own input: the same bits
            assert torch.equal(got, _reference(values, strength))


@pytest.mark.parametrize(("method", "pool_rounds"), PATHS, ids=PATH_IDS)
def test_rows_are_ranked_independently(method, pool_rounds):
    generator = torch.Generator().manual_seed(3)
    x = torch.randn(4, 50, generator=generator, dtype=torch.float64)
    x[1] = torch.randint(0, 5, (50,), generator=generator).double()  # ties
    x[2] *= 100.0  # a row that stays close to the exact ranks
    for strength in (0.1, 1.0):
        got = soft_rank_l2(x, strength, method=method, pool_rounds=pool_rounds)
        _assert_close(got, _reference(x, strength), x, strength)
        for row in range(4):
            one = soft_rank_l2(x[row], strength, method=method, pool_rounds=pool_rounds)
            _assert_close(got[row], one, x[row], strength)


@pytest.mark.parametrize(("method", "pool_rounds"), PATHS, ids=PATH_IDS)
def test_gradient_equals_torchsort(method, pool_rounds):
    generator = torch.Generator().manual_seed(5)
    for n, kind, strength in [(1, "uniform", 1.0), (300, "normal", 0.5), (300, "ties", 1.0)]:
        x = _values(kind, n, generator)
        weights = torch.randn(2, n, generator=generator, dtype=torch.float64)
        for rows in (x, torch.stack([x, x.flip(0)])):
            w = weights[0] if rows.dim() == 1 else weights
            mine = rows.clone().requires_grad_()
            (
                soft_rank_l2(mine, strength, method=method, pool_rounds=pool_rounds) * w
            ).sum().backward()
            theirs = rows.clone().requires_grad_()
            (_reference(theirs, strength) * w).sum().backward()
            torch.testing.assert_close(mine.grad, theirs.grad, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(("method", "pool_rounds"), PATHS, ids=PATH_IDS)
def test_gradient_at_near_ties_follows_torchsort(method, pool_rounds):
    # Gaps of exactly one ε (steps of 0.5 at ε = 0.5, some after steps of 1.01, so the values
    # carry rounding) make adjacent block means equal up to rounding: a kink, where rounding
    # picks the side. Blocks within 1e-9 count as one in backward, as in torchsort's.
    steps = torch.tensor([0.0, 0.5, 1.0, 1.01, 2.0], dtype=torch.float64)
    for seed in (1, 3):
        generator = torch.Generator().manual_seed(seed)
        x = steps[torch.randint(0, 5, (200,), generator=generator)].cumsum(0)
        w = torch.randn(200, generator=generator, dtype=torch.float64)
        mine = x.clone().requires_grad_()
        (soft_rank_l2(mine, 0.5, method=method, pool_rounds=pool_rounds) * w).sum().backward()
        theirs = x.clone().requires_grad_()
        (_reference(theirs, 0.5) * w).sum().backward()
        torch.testing.assert_close(mine.grad, theirs.grad, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(("method", "pool_rounds"), PATHS, ids=PATH_IDS)
def test_gradcheck(method, pool_rounds):
    generator = torch.Generator().manual_seed(7)
    # Values spaced so that blocks of several elements form and no block boundary lies within
    # gradcheck's finite-difference step.
    x = torch.tensor([0.3, 0.0, 2.0, 0.25, 4.0, 4.5, 1.1, 7.0], dtype=torch.float64)
    batch = torch.randn(3, 6, generator=generator, dtype=torch.float64)
    for values, strength in [(x, 1.0), (x, 0.2), (batch, 0.7), (x[:1], 1.0)]:

        def function(v, strength=strength):
            return soft_rank_l2(v, strength, method=method, pool_rounds=pool_rounds)

        assert torch.autograd.gradcheck(function, (values.clone().requires_grad_(),))


def test_pooled_blocks_get_block_averaged_gradients():
    # With ε large every value pools into one block: ranks = x / ε + const, gradient of
    # Σ w·r is (w − mean w) / ε on every path.
    x = torch.tensor([0.1, 0.5, 0.2, 0.9], dtype=torch.float64)
    w = torch.tensor([1.0, 2.0, 3.0, 6.0], dtype=torch.float64)
    for method, pool_rounds in PATHS:
        v = x.clone().requires_grad_()
        ranks = soft_rank_l2(v, 10.0, method=method, pool_rounds=pool_rounds)
        torch.testing.assert_close(ranks, x / 10.0 - x.mean() / 10.0 + 2.5)
        (ranks * w).sum().backward()
        torch.testing.assert_close(v.grad, (w - w.mean()) / 10.0)


def test_rank_one_is_the_smallest_and_ranks_sum_to_the_triangle():
    x = torch.tensor([3.0, -1.0, 2.0, 10.0])
    for method, pool_rounds in PATHS:
        ranks = soft_rank_l2(x, 1e-3, method=method, pool_rounds=pool_rounds)
        torch.testing.assert_close(ranks, torch.tensor([3.0, 1.0, 2.0, 4.0]))
        ranks = soft_rank_l2(x, 2.0, method=method, pool_rounds=pool_rounds)
        assert ranks.sum().item() == pytest.approx(10.0)


def test_ties_share_their_rank_whatever_their_order():
    x = torch.tensor([2.0, 1.0, 2.0, 0.0, 2.0, 1.0], dtype=torch.float64)
    for method, pool_rounds in PATHS:
        ranks = soft_rank_l2(x, 1e-3, method=method, pool_rounds=pool_rounds)
        torch.testing.assert_close(ranks, torch.tensor([5.0, 2.5, 5.0, 1.0, 5.0, 2.5]).double())


def test_the_rounds_settle_unit_gap_values_at_strength_0_1(monkeypatch):
    # The documented typical case: the default rounds suffice, the hull path is not needed.
    def no_hull(*args):
        raise AssertionError("the hull path ran")

    monkeypatch.setattr(sr, "_hull_blocks", no_hull)
    generator = torch.Generator().manual_seed(11)
    for kind in ("uniform", "normal", "ties"):
        x = _unit_gap(_values(kind, 10_000, generator))
        got = soft_rank_l2(x, 0.1, method="parallel")
        _assert_close(got, _reference(x, 0.1), x, 0.1)


def test_a_cascade_needs_n_over_2_rounds_and_the_hull_path_gets_it_right():
    # A ramp of gaps 1.01 followed by as many ties (strength 1): the tied block absorbs one
    # ramp value per round. The default rounds do not settle it; the hull path does.
    m = 40
    x = torch.cat([torch.arange(m) * 1.01, torch.full((m,), m * 1.01)]).double()
    a = torch.sort(x).values
    u = (a - torch.arange(1, 2 * m + 1, dtype=torch.float64)).unsqueeze(0)
    csum = torch.nn.functional.pad(u.cumsum(-1), (1, 0))
    assert sr._pool_rounds(u, csum, DEFAULT_POOL_ROUNDS)[3].item()  # not settled
    assert sr._pool_rounds(u, csum, m)[3].item()
    assert not sr._pool_rounds(u, csum, m + 2)[3].item()
    for method, pool_rounds in PATHS + [("parallel", 2 * m)]:
        got = soft_rank_l2(x, 1.0, method=method, pool_rounds=pool_rounds)
        _assert_close(got, _reference(x, 1.0), x, 1.0)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.integers(-3, 3).map(float), st.floats(-50, 50, allow_nan=False)),
        min_size=1,
        max_size=40,
    ),
    strength=st.sampled_from([1e-3, 0.05, 0.3, 1.0, 2.5, 40.0]),
)
def test_property_both_paths_equal_torchsort(values, strength):
    x = torch.tensor(values, dtype=torch.float64)
    want = _reference(x, strength)
    for method, pool_rounds in PATHS + [("parallel", 1)]:
        got = soft_rank_l2(x, strength, method=method, pool_rounds=pool_rounds)
        _assert_close(got, want, x, strength)


def test_the_float32_key_sort_orders_like_argsort():
    generator = torch.Generator().manual_seed(13)
    values = torch.randn(3, 2000, generator=generator) * 1e3
    values[:, :20] = torch.tensor(
        [0.0, -0.0, 1e-40, -1e-40, 3.4e38, -3.4e38, 1.0, -1.0] * 2 + [5.0] * 4
    )
    values[1, 100:200] = 7.0  # ties
    for t in (values, values[:, :1], values.double()):
        order = torch.from_numpy(sr._ascending_order(t.numpy()))
        assert torch.equal(t.gather(1, order), torch.sort(t, dim=1).values)
        assert torch.equal(torch.sort(order, dim=1).values, torch.arange(t.shape[1]).expand_as(t))


def test_half_precision_is_ranked_in_float32():
    x = torch.tensor([0.5, 0.25, 1.0, 0.75])
    for dtype in (torch.float16, torch.bfloat16):
        ranks = soft_rank_l2(x.to(dtype), 0.01)
        assert ranks.dtype == dtype
        torch.testing.assert_close(ranks.float(), torch.tensor([2.0, 1.0, 4.0, 3.0]))


def test_empty_input_gives_empty_ranks():
    assert soft_rank_l2(torch.zeros(0), 1.0).shape == (0,)
    assert soft_rank_l2(torch.zeros(3, 0), 1.0, method="parallel").shape == (3, 0)


def test_the_package_exports_it_beside_torchsorts_soft_rank():
    import corrlib.losses
    from corrlib.losses import correlation

    assert corrlib.losses.soft_rank_l2 is soft_rank_l2
    assert corrlib.losses.soft_rank is correlation.soft_rank  # not shadowed by the module


def test_auto_picks_the_cpu_path_on_cpu_and_the_parallel_path_on_a_gpu():
    assert METHODS == ("auto", "cpu", "parallel")
    assert sr._resolve_method("auto", torch.device("cpu")) == "cpu"
    assert sr._resolve_method("auto", torch.device("cuda")) == "parallel"
    assert sr._resolve_method("parallel", torch.device("cpu")) == "parallel"
    x = torch.randn(500, generator=torch.Generator().manual_seed(2))
    assert torch.equal(soft_rank_l2(x, 0.3), _reference(x, 0.3))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: soft_rank_l2([1.0, 2.0], 1.0), "x must be a torch.Tensor, got list"),
        (lambda: soft_rank_l2(torch.tensor(1.0), 1.0), r"x must be 1-D \(n,\) or 2-D"),
        (lambda: soft_rank_l2(torch.zeros(2, 2, 2), 1.0), r"got shape \(2, 2, 2\)"),
        (
            lambda: soft_rank_l2(torch.arange(3), 1.0),
            "floating-point tensor, got dtype torch.int64",
        ),
        (lambda: soft_rank_l2(torch.ones(3, dtype=torch.bool), 1.0), "got dtype torch.bool"),
        (
            lambda: soft_rank_l2(torch.ones(3), 0.0),
            "regularization_strength must be finite and > 0",
        ),
        (lambda: soft_rank_l2(torch.ones(3), -1.0), "regularization_strength must be finite"),
        (lambda: soft_rank_l2(torch.ones(3), math.nan), "regularization_strength must be finite"),
        (lambda: soft_rank_l2(torch.ones(3), "1"), "regularization_strength must be a number"),
        (lambda: soft_rank_l2(torch.ones(3), True), "regularization_strength must be a number"),
        (lambda: soft_rank_l2(torch.ones(3), 1.0, method="gpu"), "unknown method 'gpu'"),
        (lambda: soft_rank_l2(torch.ones(3), 1.0, pool_rounds=-1), "pool_rounds must be an"),
        (lambda: soft_rank_l2(torch.ones(3), 1.0, pool_rounds=2.0), "pool_rounds must be an"),
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(("method", "pool_rounds"), PATHS, ids=PATH_IDS)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_refused(method, pool_rounds, bad):
    x = torch.tensor([[0.0, 1.0, 2.0], [0.5, 0.5, 0.5]])
    x[1, 1] = bad
    with pytest.raises(ValueError, match="x contains a non-finite value"):
        soft_rank_l2(x, 1.0, method=method, pool_rounds=pool_rounds)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_parallel_path_synchronises_once():
    x = torch.rand(10_000, device="cuda", dtype=torch.float64)
    for pool_rounds in (None, 0):
        ranks = soft_rank_l2(x, 0.5, pool_rounds=pool_rounds)  # warm-up
        torch.cuda.synchronize()
        torch.cuda.set_sync_debug_mode("warn")
        try:
            with pytest.warns(UserWarning) as caught:
                ranks = soft_rank_l2(x, 0.5, pool_rounds=pool_rounds)
        finally:
            torch.cuda.set_sync_debug_mode("default")
        syncs = [w for w in caught if "synchroniz" in str(w.message)]
        assert len(syncs) == 1, [str(w.message) for w in syncs]
        _assert_close(ranks.cpu(), _reference(x.cpu(), 0.5), x.cpu(), 0.5)
