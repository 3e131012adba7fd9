"""Fast l2 soft ranks, equal to ``torchsort.soft_rank(x[None], regularization="l2")[0]``.

The l2 soft rank of Blondel et al. (2020, "Fast differentiable sorting and ranking") is the
Euclidean projection of θ = x / ε onto the permutahedron of (1, 2, ..., n); rank 1 is the
smallest value. With θ sorted ascending, a_1 ≤ ... ≤ a_n, and u_j = a_j − j:

    v = argmin_{v_1 ≤ ... ≤ v_n} ‖v − u‖²      (isotonic regression of u)
    soft rank of the j-th smallest value = a_j − v_j

v is constant on blocks of consecutive sorted positions and equals the mean of u over each
block, so the Jacobian with respect to a is I − P, where P replaces a vector by its block
means, and with respect to x it is (I − P) / ε in sorted coordinates. torchsort solves the
same problem reversed (a descending sort and a non-increasing regression of s − (n, ..., 1)).
Tied values always share a block (u drops by 1 between them), so the result does not depend
on the order a sort gives to ties. Blocks whose means are equal are pooled, as torchsort does.

Two exact paths compute v and its blocks:

- ``"cpu"`` (the default for CPU tensors): the sort by numpy through torch's numpy bridge
  (this package does not import numpy; float32 values are sorted as packed 64-bit integer
  keys, which numpy sorts with SIMD instructions where its ``argsort`` cannot), and the
  pool-adjacent-violators algorithm (PAV) by torchsort's compiled CPU op on the very input
  torchsort gives it, so the values are torchsort's to the last bit. The sort order and the
  block ends are kept for backward: a gather, a cumulative sum and a scatter.
- ``"parallel"`` (the default on other devices): tensor operations only, no per-element
  Python loop and one host–device synchronisation per call; prefix sums and means in
  float64. It first runs ``pool_rounds`` rounds that each pool every maximal run of adjacent
  violating blocks at once (block means from prefix sums). Pooling adjacent violators in any
  order ends at the unique solution, but a pooled block can absorb its neighbours one per
  round: the rounds alone need up to n of them (n − 1 that pool and one that finds nothing
  left), e.g. n/2 + 1 for a run of gaps 1.01 ε followed by as many ties. One check then
  decides (the synchronisation, which also catches non-finite values): when the last round
  pooled nothing, its blocks are the solution; otherwise v is computed from scratch as the
  slopes of the lower convex hull of the cumulative sums, P_k = (k, u_1 + ... + u_k), built
  by L = ⌈log2(n + 1)⌉ levels of pairwise hull merges in which every left vertex searches its
  tangent point on the right hull at once, in ℓ steps at level ℓ: a fixed schedule of
  L(L − 1)/2 search steps (136 at n = 10⁵), exact for any input.

Rounds the pooling needs (the rounds that pool, plus the one that finds nothing to pool) on
unit-gap-scaled values (x − min) / ((max − min) / (n − 1)) at strength 0.1, five draws each
at n = 10³, 10⁴, 10⁵: uniform values 3–5, normal ones 3–6, values with many ties 2; these
settle within the default of 8 rounds. Skewed (exponential) values need 5–7 at 10³, 8–96 at
10⁴ and about 100–1,000 at 10⁵, and unit-gap values at strengths 0.5–2 thousands at 10⁵:
those take the hull computation. In the worst case a call therefore runs ``pool_rounds``
rounds and the whole hull schedule. Counted as tensor operations (kernel launches on a GPU),
a call is about 250 with the default 8 rounds; the hull computation adds about 850 at
n = 10³, 1,400 at 10⁴ and 1,900 at 10⁵; backward is 17.

Public API::

    soft_rank_l2(x, regularization_strength, *, method="auto", pool_rounds=None)
    METHODS                      # ("auto", "cpu", "parallel")
    DEFAULT_POOL_ROUNDS          # 8
"""

from __future__ import annotations

import math

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

from corrlib.names import check_choice

METHODS: tuple[str, ...] = ("auto", "cpu", "parallel")
"""``method`` of :func:`soft_rank_l2`: "auto" (the CPU path for CPU tensors, the parallel path
elsewhere), "cpu" or "parallel"."""

DEFAULT_POOL_ROUNDS = 8
"""Pooling rounds the parallel path runs before its single convergence check."""

_WORK = torch.float64
"""The parallel path's prefix sums and block means (values keep their dtype elsewhere)."""

_SAME_BLOCK = 1e-9
"""Adjacent blocks whose values v differ by at most this are one block for backward, as in
torchsort's backward. Equal means are a kink of the soft ranks, where the derivative jumps;
rounding decides on which side a near-tie falls, and with this margin both paths fall on
torchsort's side of it."""


def soft_rank_l2(
    x: Tensor,
    regularization_strength: float,
    *,
    method: str = "auto",
    pool_rounds: int | None = None,
) -> Tensor:
    """l2 soft ranks of ``x``, equal to torchsort's; rank 1 is the smallest value.

    Args:
        x: a floating-point tensor of shape (n,), or (rows, n) to rank each row on its own.
            float16 and bfloat16 are ranked in float32 and returned in their own dtype.
        regularization_strength: ε > 0, in the units of ``x``. As ε → 0 the soft ranks tend to
            the exact ranks (ties averaged); for ε above one to two mean gaps of the sorted
            values they are x / ε plus a constant.
        method: "auto", "cpu" or "parallel" (:data:`METHODS`; see the module docstring).
            "cpu" on a tensor of another device ranks a host copy and returns to the device.
        pool_rounds: parallel path only: pooling rounds before the convergence check
            (default :data:`DEFAULT_POOL_ROUNDS`); 0 goes straight to the hull computation.

    Returns:
        A tensor of the shape, dtype and device of ``x``: the soft ranks, in rank units
        (between 1 and n, and summing to n(n + 1)/2 per row). Differentiable in ``x``: the
        backward pass is the exact vector–Jacobian product (block averaging), not
        differentiable twice.

    Raises:
        ValueError: ``x`` is not a floating-point tensor of one or two dimensions or holds a
            non-finite value; ε is not a finite number > 0; unknown ``method``; ``pool_rounds``
            not an integer ≥ 0.
    """
    _check_input(x)
    strength = _check_strength(regularization_strength)
    check_choice("method", method, METHODS)
    if pool_rounds is None:
        pool_rounds = DEFAULT_POOL_ROUNDS
    if isinstance(pool_rounds, bool) or not isinstance(pool_rounds, int) or pool_rounds < 0:
        raise ValueError(f"pool_rounds must be an integer >= 0, got {pool_rounds!r}")
    method = _resolve_method(method, x.device)
    values = x if x.dtype in (torch.float32, torch.float64) else x.float()
    rows = values if values.dim() == 2 else values.unsqueeze(0)
    if rows.numel() == 0:
        ranks = rows * 0.0
    else:
        ranks = _SoftRankL2.apply(rows, 1.0 / strength, method, pool_rounds)
    return (ranks if x.dim() == 2 else ranks.squeeze(0)).to(x.dtype)


def _resolve_method(method: str, device: torch.device) -> str:
    """The path "auto" takes on ``device``: "cpu" for CPU tensors (where torchsort's CPU op
    and numpy are installed), "parallel" elsewhere; "cpu" and "parallel" are kept."""
    if method == "auto":
        return "cpu" if device.type == "cpu" and _cpu_path_available() else "parallel"
    if method == "cpu" and not _cpu_path_available():
        raise ValueError('method "cpu" needs torchsort\'s compiled CPU op and numpy')
    return method


def _check_input(x: Tensor) -> None:
    """Raise ValueError naming the problem unless ``x`` is a 1-D or 2-D floating tensor."""
    if not isinstance(x, Tensor):
        raise ValueError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if x.dim() not in (1, 2):
        raise ValueError(f"x must be 1-D (n,) or 2-D (rows, n), got shape {tuple(x.shape)}")
    if not torch.is_floating_point(x):
        raise ValueError(f"x must be a floating-point tensor, got dtype {x.dtype}")


def _check_strength(strength: float) -> float:
    """Return ε as a float; raise ValueError unless it is a finite real number > 0."""
    if isinstance(strength, bool) or not isinstance(strength, (int, float)):
        raise ValueError(
            f"regularization_strength must be a number > 0, got {type(strength).__name__}"
        )
    if not math.isfinite(strength) or strength <= 0:
        raise ValueError(f"regularization_strength must be finite and > 0, got {strength}")
    return float(strength)


def _nonfinite_error() -> ValueError:
    return ValueError("x contains a non-finite value (inf or nan)")


_CPU_OP: list = []
"""torchsort's compiled CPU PAV op, or None where it or numpy is missing (set on first use)."""


def _cpu_isotonic():
    """torchsort's CPU op solving argmin_{v_1 ≥ ... ≥ v_n} ‖v − y‖² for each row of y, or None
    where torchsort's extension or numpy (for the sort) cannot be used."""
    if not _CPU_OP:
        try:
            from torchsort.isotonic_cpu import isotonic_l2

            torch.zeros(1).numpy()  # RuntimeError where torch runs without numpy
        except (ImportError, RuntimeError):
            isotonic_l2 = None
        _CPU_OP.append(isotonic_l2)
    return _CPU_OP[0]


def _cpu_path_available() -> bool:
    return _cpu_isotonic() is not None


class _SoftRankL2(torch.autograd.Function):
    """Soft ranks of each row of a (rows, n) float32/float64 tensor, n ≥ 1."""

    @staticmethod
    def forward(ctx, rows: Tensor, scale: float, method: str, pool_rounds: int) -> Tensor:
        ctx.scale, ctx.method = scale, method
        if method == "cpu":
            ranks, ctx.cpu_blocks = _cpu_forward(
                rows.detach().cpu(), scale, need_blocks=ctx.needs_input_grad[0]
            )
            return ranks.to(rows.device)
        ranks, order, start, end = _parallel_forward(
            rows.detach(), scale, pool_rounds, need_blocks=ctx.needs_input_grad[0]
        )
        ctx.save_for_backward(order, start, end)
        return ranks

    @staticmethod
    @once_differentiable
    def backward(ctx, grad: Tensor) -> tuple[Tensor, None, None, None]:
        if ctx.method == "cpu":
            out = _cpu_backward(grad.detach().cpu(), ctx.scale, *ctx.cpu_blocks)
            return out.to(grad.device), None, None, None
        order, start, end = ctx.saved_tensors
        return _parallel_backward(grad, ctx.scale, order, start, end), None, None, None


# --- the CPU path ---------------------------------------------------------------------------
# numpy arrays through torch's bridge (``Tensor.numpy``, ``torch.from_numpy``) and their
# methods only: this package does not import numpy.

_RANGES: dict = {}
"""(dtype, "down" or "up") → (N, N − 1, ..., 1) or (0, 1, ..., N − 1) as a numpy array of
that dtype, grown on demand."""


def _countdown(n: int, dtype: torch.dtype):
    """(n, n − 1, ..., 1) as a numpy array of ``dtype`` (torchsort's weights), a view of a
    shared cache: read it, never write it."""
    cached = _RANGES.get((dtype, "down"))
    if cached is None or cached.shape[0] < n:
        cached = torch.arange(max(n, 1024), 0, -1, dtype=dtype).numpy()
        _RANGES[dtype, "down"] = cached
    return cached[cached.shape[0] - n :]


def _positions(n: int):
    """(0, 1, ..., n − 1) as an int64 numpy array, a view of a shared cache (read only)."""
    cached = _RANGES.get((torch.int64, "up"))
    if cached is None or cached.shape[0] < n:
        cached = torch.arange(max(n, 1024)).numpy()
        _RANGES[torch.int64, "up"] = cached
    return cached[:n]


def _ascending_order(values):
    """Indices (int64 numpy array) that sort each row of a (rows, n) float32/float64 numpy
    array ascending; tied values in any order (they do not change the soft ranks).

    float32 rows are sorted as 64-bit integer keys (the float's bits, made order-preserving,
    above the position), which numpy sorts with SIMD instructions where ``argsort`` cannot:
    several times faster on x86 CPUs without AVX-512.
    """
    rows, n = values.shape
    if values.dtype.itemsize != 4 or n >= 1 << 31:
        return values.argsort(axis=-1)
    bits = values.view("int32")
    keys = (bits ^ ((bits >> 31) & 0x7FFFFFFF)).astype("int64") << 32  # negatives reversed
    keys |= _positions(n)
    keys.sort(axis=-1)
    keys &= 0xFFFFFFFF
    return keys


def _cpu_forward(theta_rows: Tensor, scale: float, need_blocks: bool):
    """Soft ranks of (rows, n) CPU values by torchsort's PAV op, on torchsort's own input.

    Returns (ranks, blocks): ranks shaped as the input; ``blocks`` (None unless
    ``need_blocks``) = (order, ends) for backward: the flattened positions of the values
    sorted descending row after row, and the last sorted position of each block.
    """
    theta = (theta_rows * scale).contiguous()  # the product torchsort forms, same rounding
    rows, n = theta.shape
    t = theta.numpy()
    order = _ascending_order(t)[:, ::-1]
    if rows > 1:
        order = order + torch.arange(0, rows * n, n).numpy()[:, None]
    order = order.ravel()
    s = t.ravel().take(order)  # descending within each row
    ends = s.reshape(rows, n)[:, [0, -1]]  # nan and +inf sort first, -inf last
    if not (abs(ends) < math.inf).all():
        raise _nonfinite_error()
    y = torch.from_numpy(s.reshape(rows, n) - _countdown(n, theta.dtype))
    dual = _cpu_isotonic()(y).numpy().ravel()  # non-increasing regression of s − (n, ..., 1)
    ranks = torch.empty_like(theta)
    ranks.numpy().ravel()[order] = s - dual
    if not need_blocks:
        return ranks, None
    # A block ends at each row's end and wherever the (exactly copied) block value changes
    # by more than _SAME_BLOCK (compared in the values' dtype, as torchsort does).
    change = abs(dual[1:] - dual[:-1]) > _SAME_BLOCK
    change[n - 1 :: n] = True
    last = change.nonzero()[0]
    block_ends = torch.empty(last.shape[0] + 1, dtype=torch.int64).numpy()
    block_ends[:-1] = last
    block_ends[-1] = rows * n - 1
    return ranks, (order, block_ends)


def _cpu_backward(grad: Tensor, scale: float, order, block_ends) -> Tensor:
    """(I − P) grad / ε for the CPU path, P averaging over each block (see _cpu_forward)."""
    g = grad.contiguous().numpy().ravel().take(order)  # sorted as the blocks
    sums = g.cumsum(dtype="float64").take(block_ends)
    sums[1:] = sums[1:] - sums[:-1]
    sizes = block_ends.copy()
    sizes[1:] = block_ends[1:] - block_ends[:-1]
    sizes[0] += 1
    out = torch.empty_like(grad)
    out.numpy().ravel()[order] = (g - (sums / sizes).repeat(sizes)) * scale
    return out


# --- the parallel path ----------------------------------------------------------------------


def _parallel_forward(theta_rows: Tensor, scale: float, pool_rounds: int, need_blocks: bool):
    """Soft ranks of (rows, n) values with tensor operations only (any device).

    Returns (ranks, order, start, end): the ranks, shaped and typed as the input; the
    ascending sort order of each row; and for each sorted position the first and last sorted
    position of its block for backward (blocks within _SAME_BLOCK of each other joined;
    None unless ``need_blocks``).
    """
    theta = theta_rows * scale
    rows, n = theta.shape
    a, order = torch.sort(theta, dim=-1)
    a_work = a.to(_WORK)
    u = a_work - torch.arange(1, n + 1, dtype=_WORK, device=theta.device)
    csum = torch.nn.functional.pad(u.cumsum(dim=-1), (1, 0))  # (rows, n + 1), csum[:, 0] = 0
    start, end, mean, unsettled = _pool_rounds(u, csum, pool_rounds)
    ends = torch.cat([a[:, :1], a[:, -1:]], dim=1)  # -inf sorts first, nan and +inf last
    nonfinite = ~torch.isfinite(ends).all()
    if unsettled is None:
        unsettled = torch.ones_like(nonfinite)
    # the one host–device synchronisation: both flags in one scalar read (an operation a
    # sync counter sees on any device, unlike tolist)
    code = int(nonfinite.to(torch.int64) * 2 + unsettled.to(torch.int64))
    nonfinite, unsettled = code >= 2, code % 2 == 1
    if nonfinite:
        raise _nonfinite_error()
    if unsettled:
        start, end = _hull_blocks(u, csum)
        mean = _block_means(u, csum, start, end)
    ranks = torch.empty_like(theta).scatter_(-1, order, (a_work - mean).to(theta.dtype))
    if not need_blocks:
        return ranks, order, None, None
    start, end = _runs(mean[:, 1:] - mean[:, :-1] <= _SAME_BLOCK)
    return ranks, order, start, end


def _runs(joined: Tensor) -> tuple[Tensor, Tensor]:
    """First and last position of the block of each element of each row.

    ``joined`` (rows, n − 1) says whether elements j and j + 1 share a block. Returns two int64
    tensors (rows, n).
    """
    rows, n = joined.shape[0], joined.shape[1] + 1
    index = torch.arange(n, device=joined.device).expand(rows, n)
    split = ~joined
    edge = torch.ones(rows, 1, dtype=torch.bool, device=joined.device)
    is_start = torch.cat([edge, split], dim=1)
    is_end = torch.cat([split, edge], dim=1)
    start = torch.where(is_start, index, 0).cummax(dim=1).values
    last = n - 1
    end = last - torch.where(is_end, last - index, 0).flip(1).cummax(dim=1).values.flip(1)
    return start, end


def _block_means(u: Tensor, csum: Tensor, start: Tensor, end: Tensor) -> Tensor:
    """Mean of u over each element's block [start, end], from the prefix sums ``csum``
    (one-element blocks exactly u)."""
    size = end - start + 1
    total = csum.gather(1, end + 1) - csum.gather(1, start)
    return torch.where(size == 1, u, total / size.to(u.dtype))


def _pool_rounds(u: Tensor, csum: Tensor, rounds: int):
    """Pool maximal runs of adjacent violating blocks, ``rounds`` times, without syncing.

    A boundary between two blocks is violated when the left block's mean is ≥ the right one's;
    every maximal run of blocks joined by violated boundaries becomes one block, which is the
    same as pooling its adjacent violators one after another. Returns (start, end, mean,
    unsettled): the blocks and block means of the state the last round checked, and a 0-d
    bool tensor, True when that round still found something to pool (None if rounds is 0).
    """
    rows, n = u.shape
    joined = torch.zeros(rows, n - 1, dtype=torch.bool, device=u.device)
    start = end = mean = unsettled = None
    for _ in range(rounds):
        start, end = _runs(joined)
        mean = _block_means(u, csum, start, end)
        pooled = mean[:, :-1] >= mean[:, 1:]  # true inside blocks (equal means) and at violations
        unsettled = (pooled & ~joined).any()
        joined = pooled
    return start, end, mean, unsettled


def _hull_blocks(u: Tensor, csum: Tensor) -> tuple[Tensor, Tensor]:
    """Blocks of the isotonic regression of each row of u (rows, n), for any input.

    The regression is the slope of the greatest convex minorant of the cumulative sums: the
    blocks are the edges of the lower convex hull of P_k = (k, csum[k]), k = 0..n. Rows are
    padded to M = 2^L points along a line steeper than every block mean (slope > max u), so
    the real hull is unchanged; the hull of each chunk of 2^ℓ points is kept as the list of
    its vertices, packed at the front of the chunk's slots, and adjacent chunks are merged
    level by level. Merging hulls A (left) and B (right): every vertex of A finds its tangent
    point on B by a search in ℓ power-of-two steps; the bridge is the vertex whose tangent
    line is lowest just left of B (any other tangent line passes above the bridge there); the
    merged hull is A up to the bridge, then B from its tangent point. Collinear vertices are
    dropped (first-lowest bridge vertex, farthest tangent point), so equal block means pool.
    Returns two int64 tensors (rows, n): the first and last position of each element's block.
    """
    rows, points = csum.shape
    n = points - 1
    device = u.device
    levels = max(1, (points - 1).bit_length())
    size = 1 << levels
    top = u.max(dim=1, keepdim=True).values
    pad_slope = top + top.abs() + 1.0  # > top even where adding 1 would round away
    k = torch.arange(1, size - points + 1, dtype=_WORK, device=device)
    height = torch.cat([csum, csum[:, -1:] + k * pad_slope], dim=1)  # (rows, size)
    hull = torch.arange(size, device=device).expand(rows, size)
    count = torch.ones(rows, size, dtype=torch.int64, device=device)
    inf = torch.full((), math.inf, dtype=_WORK, device=device)  # no host-to-device copy
    for level in range(levels):
        s = 1 << level
        pairs = size // (2 * s)
        both = hull.reshape(rows, pairs, 2 * s)
        left, right = both[..., :s], both[..., s:]
        n_left, n_right = count[:, 0::2], count[:, 1::2]  # (rows, pairs)
        lx = left.to(_WORK)
        ly = height.gather(1, left.reshape(rows, -1)).reshape(rows, pairs, s)
        rx = right.to(_WORK)
        ry = height.gather(1, right.reshape(rows, -1)).reshape(rows, pairs, s)
        # slope of B's edge from vertex b to b + 1; +inf from its last vertex on
        edge = (ry[..., 1:] - ry[..., :-1]) / (rx[..., 1:] - rx[..., :-1])
        edge = torch.cat([edge, inf.expand(rows, pairs, 1)], dim=2)
        position = torch.arange(s, device=device)
        edge = torch.where(position < (n_right - 1).unsqueeze(-1), edge, inf)
        # positions past B's last vertex: x = +inf, y = −inf, so that no search step goes there
        beyond_b = position >= n_right.unsqueeze(-1)
        rx_safe = torch.where(beyond_b, inf, rx)
        ry_safe = torch.where(beyond_b, -inf, ry)
        table = torch.stack([rx_safe, ry_safe, edge], dim=-1)  # (rows, pairs, s, 3)
        # Tangent from each vertex of A to B: the first b whose next edge is steeper than the
        # line from the A vertex to b (seen from the left, B's slopes fall, then rise). A
        # search in power-of-two steps: every position before `first` is known to be passed.
        first = torch.zeros(rows, pairs, s, dtype=torch.int64, device=device)
        step = s >> 1
        while step:
            probe = table.gather(2, (first + (step - 1)).unsqueeze(-1).expand(rows, pairs, s, 3))
            passed = probe[..., 2] <= (probe[..., 1] - ly) / (probe[..., 0] - lx)
            first = first + passed * step
            step >>= 1
        touch = table.gather(2, first.unsqueeze(-1).expand(rows, pairs, s, 3))
        slope = (touch[..., 1] - ly) / (touch[..., 0] - lx)
        x0 = rx[..., :1] - 0.5  # between the two chunks
        line = ly + slope * (x0 - lx)
        line = torch.where(position < n_left.unsqueeze(-1), line, inf)
        bridge = line.argmin(dim=-1, keepdim=True)  # first minimum: leftmost on a tie
        tangent = first.gather(2, bridge)
        slot = torch.arange(2 * s, device=device)
        source = torch.where(slot <= bridge, slot, slot - bridge - 1 + s + tangent)
        hull = both.gather(2, source.clamp(max=2 * s - 1)).reshape(rows, size)
        count = (bridge + 1 + n_right.unsqueeze(-1) - tangent).squeeze(-1)
    # the vertices, padded with `size` after the last one, give each element's edge
    count = count[:, :1]
    vertices = torch.where(torch.arange(size, device=device) < count, hull, size)
    element = torch.arange(n, device=device).expand(rows, n).contiguous()
    edge_index = torch.searchsorted(vertices, element, right=True) - 1
    start = vertices.gather(1, edge_index)
    end = vertices.gather(1, edge_index + 1) - 1
    return start, end


def _parallel_backward(
    grad: Tensor, scale: float, order: Tensor, start: Tensor, end: Tensor
) -> Tensor:
    """(I − P) grad / ε in the input's coordinates: P averages over each block (tensor ops)."""
    g = grad.gather(-1, order).to(_WORK)
    gsum = torch.nn.functional.pad(g.cumsum(dim=-1), (1, 0))
    mean = _block_means(g, gsum, start, end)
    return torch.empty_like(grad).scatter_(-1, order, ((g - mean) * scale).to(grad.dtype))
