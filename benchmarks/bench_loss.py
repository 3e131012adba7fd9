"""Benchmark: forward + backward time and host syncs of ``correlation_loss``, now and before.

Prints Markdown tables, per number of positives and per loss, of the median milliseconds of one
forward+backward, its ratio to Pearson Loss's in the same run, and the host-syncing operations
one call makes (:class:`corrlib.sync.HostSyncCounter`: what makes a GPU's host wait). The
implementation before the loss path became sync-free (``benchmarks/_loss_before.py``) is timed
in the same run, the two alternating call by call, so that their ratio does not depend on the
machine's mood; so is the cost of the value checks (validation "auto" against "off").

    .venv/bin/python benchmarks/bench_loss.py [--repeats 20] [--threads 1] [--device cuda]
        [--sizes 100,1000,10000,100000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _loss_before  # noqa: E402  (the benchmarks folder, for the old implementation)

from corrlib.losses import correlation_loss, raise_pending, validation  # noqa: E402
from corrlib.sync import HostSyncCounter  # noqa: E402
from reproduction.running.host_syncs import as_on_a_gpu  # noqa: E402

SIZES = (10**2, 10**3, 10**4, 10**5)
LOSSES: dict[str, dict] = {
    "pearson": {"kind": "pearson"},
    "concordance": {"kind": "concordance"},
    "spearman (thesis)": {"kind": "spearman"},
    "spearman, unit_gap": {"kind": "spearman", "rank_scale": "unit_gap"},
}
"""Column → the keyword arguments of ``correlation_loss``."""
REFERENCE = "pearson"

IMPLEMENTATIONS: dict[str, Callable] = {
    "now": correlation_loss,
    "before": _loss_before.correlation_loss,
}


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def time_once(
    function: Callable, loss: dict, scores: torch.Tensor, ious: torch.Tensor, device: str
) -> float:
    """Return seconds for one forward+backward of the loss (on a GPU, to its last kernel)."""
    scores = scores.detach().requires_grad_()
    _sync(device)
    start = time.perf_counter()
    function(scores, ious, **loss).backward()
    _sync(device)
    return time.perf_counter() - start


def syncs_per_call(function: Callable, loss: dict, scores, ious) -> int:
    """Return the host-syncing operations of one forward+backward, run as on a GPU (values
    checked deferred, soft ranks on the parallel path)."""
    scores = scores.detach().requires_grad_()
    with as_on_a_gpu(), HostSyncCounter() as counter:
        function(scores, ious, **loss).backward()
    raise_pending(wait=True)
    return counter.total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    sizes = [int(s) for s in args.sizes.split(",")]
    generator = torch.Generator().manual_seed(0)
    medians: dict[tuple[str, str, int], float] = {}
    syncs: dict[tuple[str, str], int] = {}
    for n in sizes:
        scores = torch.rand(n, generator=generator).to(args.device)
        ious = torch.rand(n, generator=generator).to(args.device)
        for name, loss in LOSSES.items():
            runs: dict[str, list[float]] = {impl: [] for impl in (*IMPLEMENTATIONS, "now, off")}
            for function in IMPLEMENTATIONS.values():  # warm-up (extensions, allocator)
                time_once(function, loss, scores, ious, args.device)
            for _ in range(args.repeats):  # interleaved: each round times every variant
                for impl, function in IMPLEMENTATIONS.items():
                    runs[impl].append(time_once(function, loss, scores, ious, args.device))
                with validation("off"):
                    runs["now, off"].append(
                        time_once(correlation_loss, loss, scores, ious, args.device)
                    )
            raise_pending(wait=True)
            for impl, times in runs.items():
                medians[impl, name, n] = statistics.median(times)
            if n == sizes[0]:
                for impl, function in IMPLEMENTATIONS.items():
                    syncs[impl, name] = syncs_per_call(function, loss, scores, ious)
    print(
        f"correlation_loss forward+backward, {args.device}, {args.threads} thread(s), "
        f"median of {args.repeats} interleaved runs: ms (ratio to {REFERENCE} of the same "
        "implementation)\n"
    )
    for impl in (*IMPLEMENTATIONS, "now, off"):
        label = {"now": "now (validation auto)", "now, off": "now, validation off"}.get(impl, impl)
        print(f"**{label}**\n")
        print("| positives | " + " | ".join(LOSSES) + " |")
        print("|---:|" + "---:|" * len(LOSSES))
        for n in sizes:
            base = medians[impl, REFERENCE, n]
            cells = [
                f"{1e3 * medians[impl, k, n]:.3f} ({medians[impl, k, n] / base:.2f}×)"
                for k in LOSSES
            ]
            print(f"| {n:,} | " + " | ".join(cells) + " |")
        print()
    for title, numerator, denominator in (
        ("now against before** (time before / time now, same run)", "before", "now"),
        ("validation's cost** (time with checks / without, now)", "now", "now, off"),
    ):
        print(f"**{title}\n")
        print("| positives | " + " | ".join(LOSSES) + " |")
        print("|---:|" + "---:|" * len(LOSSES))
        for n in sizes:
            ratios = [medians[numerator, k, n] / medians[denominator, k, n] for k in LOSSES]
            print(f"| {n:,} | " + " | ".join(f"{r:.2f}×" for r in ratios) + " |")
        print()
    print(f"**host syncs per call** ({sizes[0]:,} positives, run as on a GPU)\n")
    print("| implementation | " + " | ".join(LOSSES) + " |")
    print("|---|" + "---:|" * len(LOSSES))
    for impl in IMPLEMENTATIONS:
        print(f"| {impl} | " + " | ".join(str(syncs[impl, k]) for k in LOSSES) + " |")


if __name__ == "__main__":
    main()
