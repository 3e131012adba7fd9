"""Benchmark: l2 soft ranks of ``corrlib.losses.soft_rank_l2`` against torchsort's.

Prints two Markdown tables.

1. Median milliseconds of one forward+backward, per number of values n, for: torchsort's
   soft rank, the CPU path and the parallel path of ``soft_rank_l2`` (unit-gap values,
   strength 0.1), Pearson Loss (``correlation_loss(scores, ious, kind="pearson")``) and the
   rank-faithful Spearman Loss (two soft ranks, the IoUs' without gradient, then Pearson of
   the ranks) on torchsort's soft ranks and on ``soft_rank_l2``'s default path; each also as
   a ratio to Pearson Loss in the same run (the columns are timed in turn within each
   repeat, so load on the machine falls on all of them alike).
2. The pooling rounds the parallel path needs on unit-gap values at strength 0.1 (rounds that
   change the blocks, plus the one that finds nothing left to pool), per distribution; the
   default is ``DEFAULT_POOL_ROUNDS``, beyond which the hull computation runs.

    .venv/bin/python benchmarks/bench_soft_rank.py [--repeats 20] [--threads 1] [--device cpu]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch
import torchsort

from corrlib.losses import correlation_loss, pearson, soft_rank_l2, unit_gap
from corrlib.losses import fast_soft_rank as fsr

SIZES = (10**3, 10**4, 10**5)
STRENGTH = 0.1
REFERENCE = "Pearson loss"


def _columns(ious: torch.Tensor) -> dict[str, Callable[[torch.Tensor], torch.Tensor]]:
    """Column → a function of the scores (with gradient) returning a scalar to backpropagate."""
    target = unit_gap(ious)

    def torchsort_rank(scores):
        values = unit_gap(scores).unsqueeze(0)
        return torchsort.soft_rank(values, regularization_strength=STRENGTH).sum()

    def spearman(rank):
        return lambda scores: 1.0 - pearson(rank(target), rank(unit_gap(scores)))

    def torchsort_1d(values):
        return torchsort.soft_rank(values.unsqueeze(0), regularization_strength=STRENGTH)[0]

    return {
        "torchsort": torchsort_rank,
        "cpu path": lambda s: soft_rank_l2(unit_gap(s), STRENGTH, method="cpu").sum(),
        "parallel path": lambda s: soft_rank_l2(unit_gap(s), STRENGTH, method="parallel").sum(),
        REFERENCE: lambda s: correlation_loss(s, ious, kind="pearson"),
        "Spearman, torchsort": spearman(torchsort_1d),
        "Spearman, soft_rank_l2": spearman(lambda v: soft_rank_l2(v, STRENGTH)),
    }


def time_once(function: Callable, scores: torch.Tensor, cuda: bool) -> float:
    """Seconds for one forward+backward (on a GPU, to the end of its last kernel)."""
    scores = scores.detach().requires_grad_()
    if cuda:
        torch.cuda.synchronize()
    start = time.perf_counter()
    function(scores).backward()
    if cuda:
        torch.cuda.synchronize()
    return time.perf_counter() - start


def rounds_needed(x: torch.Tensor, strength: float, limit: int = 100_000) -> int:
    """Pooling rounds the parallel path needs on x (one row): the rounds that change the
    blocks plus the round that finds nothing to pool (the same steps as its rounds, counted
    here one at a time)."""
    theta = x.double().unsqueeze(0) / strength
    a = torch.sort(theta, dim=-1).values
    u = a - torch.arange(1, x.shape[0] + 1, dtype=torch.float64, device=x.device)
    csum = torch.nn.functional.pad(u.cumsum(-1), (1, 0))
    joined = torch.zeros(1, x.shape[0] - 1, dtype=torch.bool, device=x.device)
    for rounds in range(1, limit + 1):
        start, end = fsr._runs(joined)
        mean = fsr._block_means(u, csum, start, end)
        pooled = mean[:, :-1] >= mean[:, 1:]
        if not bool((pooled & ~joined).any()):
            return rounds
        joined = pooled
    return limit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cuda = args.device.startswith("cuda")
    generator = torch.Generator().manual_seed(0)
    medians: dict[tuple[str, int], float] = {}
    for n in SIZES:
        scores = torch.rand(n, generator=generator).to(args.device)
        ious = torch.rand(n, generator=generator).to(args.device)
        columns = _columns(ious)
        runs: dict[str, list[float]] = {name: [] for name in columns}
        for function in columns.values():  # warm-up (extension load, allocator)
            time_once(function, scores, cuda)
        for _ in range(args.repeats):
            for name, function in columns.items():
                runs[name].append(time_once(function, scores, cuda))
        for name in columns:
            medians[name, n] = statistics.median(runs[name])
    names = list(_columns(torch.rand(2)))
    print(
        f"l2 soft rank (unit-gap values, strength {STRENGTH}) and losses, forward+backward, "
        f"{args.device}, {args.threads} thread(s), median of {args.repeats}: ms (× {REFERENCE})"
    )
    print()
    print("| n | " + " | ".join(names) + " |")
    print("|---:|" + "---:|" * len(names))
    for n in SIZES:
        reference = medians[REFERENCE, n]
        cells = [
            f"{medians[name, n] * 1e3:.3f} ({medians[name, n] / reference:.2f}×)" for name in names
        ]
        print(f"| {n:.0e} | " + " | ".join(cells) + " |")
    print()
    kinds = {
        "uniform": lambda n: torch.rand(n, generator=generator),
        "normal": lambda n: torch.randn(n, generator=generator),
        "exponential": lambda n: -torch.log(torch.rand(n, generator=generator)),
        "ties (n/10 values)": lambda n: torch.randint(
            0, n // 10, (n,), generator=generator
        ).float(),
    }
    print(
        f"Pooling rounds the parallel path needs, unit-gap values at strength {STRENGTH} "
        f"(default {fsr.DEFAULT_POOL_ROUNDS}; more: the hull computation runs)"
    )
    print()
    print("| n | " + " | ".join(kinds) + " |")
    print("|---:|" + "---:|" * len(kinds))
    for n in SIZES:
        cells = [str(rounds_needed(unit_gap(make(n)), STRENGTH)) for make in kinds.values()]
        print(f"| {n:.0e} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
