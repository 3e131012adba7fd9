"""Benchmark: seconds per training iteration of each comparison method, relative to Focal Loss.

The methods of Tables 3.1, 3.2 and 5.4 — ATSS (no aux. head) with Focal Loss, with its
centerness head, with QFL, RS Loss, AP Loss, aLRP Loss, and DETR — in the demo profile (ResNet-18,
64-channel FPN, 128 px, batch 8), with and without Correlation Loss where Table 5.4 has the
combination. One training iteration = data preprocessing, forward, losses, backward and the
optimiser step (``model.train_step``), timed as ``_training_timer.py`` says (preloaded batches,
interleaved rounds); the table gives each method's median seconds per iteration and its ratio
to ATSS with Focal Loss in the same run.

    .venv/bin/python benchmarks/bench_methods.py [--iters 5] [--warmup 2] [--threads N]
        [--no-corr] [--data-root data/generated/demo]

The demo data must exist (``python -m reproduction.dataset generate --preset demo``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from _training_timer import median_seconds_per_iteration

BASELINE = "atss_baseline"
METHODS: tuple[tuple[str, str], ...] = (
    ("atss_baseline", "ATSS w. Focal Loss (no aux. head)"),
    ("atss_centerness_baseline", "ATSS w. ctr. head"),
    ("atss_qfl_baseline", "ATSS w. QFL"),
    ("atss_rs_baseline", "ATSS w. RS Loss"),
    ("atss_aploss_baseline", "ATSS w. AP Loss"),
    ("atss_alrp_baseline", "ATSS w. aLRP Loss"),
    ("detr_baseline", "DETR (demo-narrowed)"),
)
WITH_CORR: tuple[tuple[str, str], ...] = (
    ("atss_concordance_0.3", "ATSS + Corr. Loss"),
    ("atss_centerness_concordance_0.2", "ATSS + ctr. head + Corr. Loss"),
    ("atss_qfl_concordance_0.2", "ATSS + QFL + Corr. Loss"),
    ("atss_rs_concordance_0.2", "ATSS + RS Loss + Corr. Loss"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iters", type=int, default=5, help="timed iterations per method")
    parser.add_argument("--warmup", type=int, default=2, help="untimed iterations first")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--no-corr", action="store_true", help="skip the + Corr. Loss rows")
    parser.add_argument("--data-root", type=Path, default=None)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    methods = METHODS + (() if args.no_corr else WITH_CORR)
    medians = median_seconds_per_iteration(
        [exp for exp, _ in methods], args.data_root, args.iters, args.warmup
    )
    base = medians[BASELINE]
    print(
        f"Training iteration (demo profile: ResNet-18, 128 px, batch 8), CPU, "
        f"{args.threads} thread(s); median of {args.iters} interleaved iterations after "
        f"{args.warmup} warm-up\n"
    )
    print("| method | experiment | s/iter | relative to ATSS w. Focal Loss |")
    print("|---|---|---:|---:|")
    for exp, name in methods:
        print(f"| {name} | `{exp}` | {medians[exp]:.3f} | {medians[exp] / base:.2f}× |")


if __name__ == "__main__":
    main()
