"""Benchmark: forward + backward time of ``correlation_loss`` for each loss on CPU.

Prints a Markdown table of median milliseconds per forward+backward over repeated runs, for
10², 10³, 10⁴ and 10⁵ positives, for each kind and for the rank-faithful Spearman Loss
(``rank_scale="unit_gap"``), with each time as a ratio to Pearson Loss's in the same run (the
machines are noisy; compare the ratios).

    .venv/bin/python benchmarks/bench_loss.py [--repeats 20] [--threads 1] [--device cuda]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from corrlib.losses import KINDS, correlation_loss

SIZES = (10**2, 10**3, 10**4, 10**5)
LOSSES: dict[str, dict] = {
    **{kind: {"kind": kind} for kind in KINDS},
    "spearman, unit_gap": {"kind": "spearman", "rank_scale": "unit_gap"},
}
"""Column → the keyword arguments of ``correlation_loss``."""
REFERENCE = "pearson"


def time_once(loss: dict, n: int, generator: torch.Generator, device: str = "cpu") -> float:
    """Return seconds for one forward+backward of the loss on n random positives (on a GPU,
    to the end of its last kernel)."""
    scores = torch.rand(n, generator=generator).to(device).requires_grad_()
    ious = torch.rand(n, generator=generator).to(device)
    cuda = device.startswith("cuda")
    if cuda:
        torch.cuda.synchronize()
    start = time.perf_counter()
    correlation_loss(scores, ious, **loss).backward()
    if cuda:
        torch.cuda.synchronize()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(0)
    medians: dict[tuple[str, int], float] = {}
    for n in SIZES:
        for name, loss in LOSSES.items():
            time_once(loss, n, generator, args.device)  # warm-up (extension load, allocator)
            runs = [time_once(loss, n, generator, args.device) for _ in range(args.repeats)]
            medians[name, n] = statistics.median(runs)
    print(
        f"correlation_loss forward+backward, {args.device}, {args.threads} thread(s), "
        f"median of {args.repeats} runs (ms; ratio to {REFERENCE})\n"
    )
    print("| positives | " + " | ".join(LOSSES) + " |")
    print("|---:|" + "---:|" * len(LOSSES))
    for n in SIZES:
        base = medians[REFERENCE, n]
        cells = [f"{1e3 * medians[k, n]:.3f} ({medians[k, n] / base:.1f}×)" for k in LOSSES]
        print(f"| {n:,} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
