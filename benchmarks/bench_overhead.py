"""Benchmark: training time per iteration with and without Correlation Loss, per detector.

The thesis (§5.5.3) reports 0.50 → 0.51 s/iter for Sparse R-CNN on a V100; the goal here is an
overhead under 1 %. For each detector of Tables 5.1 and 5.3, its baseline and its thesis
Correlation-Loss experiment are built in the demo profile from the same seed, fed the same
preloaded batches, and timed in interleaved rounds (``_training_timer.py``). The table gives the
median seconds per iteration of each and the overhead (with / without − 1).

    .venv/bin/python benchmarks/bench_overhead.py [--iters 10] [--warmup 2] [--threads N]
        [--data-root DIR] [--out archive/step_timings/overhead.json]
    # the thesis's scale: its configs (ResNet-50-FPN, 1333×800), one image per step on a CPU
    .venv/bin/python benchmarks/bench_overhead.py --profile paper --images-per-step 1 \
        --out archive/step_timings/paper_cpu.json
    # on a GPU, the thesis's images per GPU (4; YOLACT 8), 100 rounds, and one warm step of
    # each loss region under torch.cuda.set_sync_debug_mode("error")
    .venv/bin/python benchmarks/bench_overhead.py --profile paper --device cuda --iters 100 \
        --sync-debug

``--sync-debug`` runs one more step of each Correlation-Loss model with its loss region (the
head's gathering of positives, its IoUs, the loss and its checks) under
``torch.cuda.set_sync_debug_mode("error")`` on a GPU, or counted by
:class:`corrlib.sync.HostSyncCounter` on a CPU, and prints what it found. A record names the
loss implementation that ran (:data:`corrlib.losses.LOSS_PATH`).

``--out`` also writes every timed step's seconds as a step-timing record
(:mod:`reproduction.records.step_timing`): the training-cost verdicts (§5.5.3) read committed ones
from
``archive/step_timings/``, paired round by round. The demo data must exist (``python -m
reproduction.dataset generate --preset demo-3cls-val1000``, the demo profile's dataset).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
from pathlib import Path

import torch
from _training_timer import build_training, seconds_per_round

from corrlib.losses import LOSS_PATH
from reproduction.records import provenance
from reproduction.records.step_timing import step_timing_record, write_step_timing

PAIRS: tuple[tuple[str, str, str], ...] = (
    ("RetinaNet", "retinanet_baseline", "retinanet_spearman_0.1"),
    ("FoveaBox", "fovea_baseline", "fovea_concordance_0.2"),
    ("ATSS (no aux. head)", "atss_baseline", "atss_concordance_0.3"),
    ("PAA (no IoU head)", "paa_baseline", "paa_concordance_0.3"),
    ("Sparse R-CNN (6 stages)", "sparsercnn_baseline", "sparsercnn_spearman_0.2"),
    ("YOLACT", "yolact_baseline", "yolact_concordance_0.4"),
)


LOSS_REGIONS: tuple[tuple[str, str], ...] = (
    ("corrlib.integration.heads.corr_mixin", "CorrelationLossMixin.add_anchor_loss_corr"),
    ("corrlib.integration.heads.corr_mixin", "CorrelationLossMixin.add_masked_loss_corr"),
    ("corrlib.integration.heads.sparse_rcnn", "CorrDIIHead.corr_loss"),
    ("corrlib.integration.heads.yolact", "CorrYOLACTHead._row_scores_and_ious"),
    ("corrlib.integration.loss", "CorrelationLoss.forward"),
)
"""The methods that make up a head's Correlation-Loss path (module, class.method)."""


@contextlib.contextmanager
def _guarded(guard):
    """Run every method of :data:`LOSS_REGIONS` inside ``guard()`` while the block runs."""
    import importlib

    originals = []
    for module_name, qualified in LOSS_REGIONS:
        cls_name, method = qualified.split(".")
        cls = getattr(importlib.import_module(module_name), cls_name)
        original = getattr(cls, method)

        def wrapped(*args, __original=original, **kwargs):
            with guard():
                return __original(*args, **kwargs)

        originals.append((cls, method, original))
        setattr(cls, method, wrapped)
    try:
        yield
    finally:
        for cls, method, original in originals:
            setattr(cls, method, original)


def loss_region_syncs(
    experiment: str, data_root, profile: str, device: str, images_per_step
) -> str:
    """Run two steps of ``experiment`` (one warm-up) and check the second's loss region for
    host syncs: on a GPU under ``torch.cuda.set_sync_debug_mode("error")``, on a CPU with
    :class:`corrlib.sync.HostSyncCounter`; return what was found, in words."""
    from mmdet.utils import register_all_modules

    from corrlib.losses import validation
    from corrlib.sync import HostSyncCounter
    from reproduction.running.config_builder import default_data_root

    register_all_modules()
    root = data_root or (default_data_root("demo") if profile != "paper" else None)
    model, optim, batches = build_training(experiment, root, 2, profile, device, images_per_step)
    model.train_step(batches[0], optim)
    if device.startswith("cuda"):

        @contextlib.contextmanager
        def guard():
            previous = torch.cuda.get_sync_debug_mode()
            torch.cuda.set_sync_debug_mode("error")
            try:
                yield
            finally:
                torch.cuda.set_sync_debug_mode(previous)

        try:
            with _guarded(guard):
                model.train_step(batches[1], optim)
        except RuntimeError as err:
            return f"a host sync: {str(err).splitlines()[0]}"
        return "no host sync (set_sync_debug_mode('error') raised nothing)"
    counter = HostSyncCounter()
    depth = [0]  # the regions nest (a head's method calls the loss): count once

    @contextlib.contextmanager
    def counting():
        depth[0] += 1
        try:
            if depth[0] == 1:
                with counter:
                    yield
            else:
                yield
        finally:
            depth[0] -= 1

    with validation("deferred"), _guarded(counting):
        model.train_step(batches[1], optim)
    return f"{counter.total} host-syncing call(s) {dict(counter.counts) or ''}".strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--iters",
        type=int,
        default=None,
        help="timed iterations per run (default 10 on a CPU; 100 on a GPU, so that a 1 ms "
        "difference of a step resolves)",
    )
    parser.add_argument("--warmup", type=int, default=2, help="untimed iterations first")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--data-root", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="write a step-timing record")
    parser.add_argument("--profile", choices=("demo", "paper"), default="demo")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (paper profile)")
    parser.add_argument(
        "--images-per-step",
        type=int,
        default=None,
        help="paper profile: images per step (default the thesis's per GPU: 4, YOLACT 8)",
    )
    parser.add_argument(
        "--only", default=None, help="comma-separated detector names of the table to time"
    )
    parser.add_argument(
        "--sync-debug",
        action="store_true",
        help="one more step per loss model, its loss region checked for host syncs",
    )
    args = parser.parse_args()
    if args.iters is None:
        args.iters = 100 if args.device.startswith("cuda") else 10
    torch.set_num_threads(args.threads)

    pairs = [p for p in PAIRS if args.only is None or p[1].split("_")[0] in args.only.split(",")]
    experiments = [exp for _, base, corr in pairs for exp in (base, corr)]
    load = os.getloadavg()
    seconds = seconds_per_round(
        experiments,
        args.data_root,
        args.iters,
        args.warmup,
        args.profile,
        args.device,
        args.images_per_step,
    )
    medians = {exp: statistics.median(values) for exp, values in seconds.items()}
    if args.profile == "paper":
        per_step = args.images_per_step or "the thesis's per GPU"
        scale = f"paper configs (ResNet-50-FPN), synthetic images, {per_step} image(s) per step"
    else:
        scale = "demo profile, batch 8"
    print(
        f"Training iteration ({scale}), {args.device}, {args.threads} thread(s); median of "
        f"{args.iters} interleaved iterations after {args.warmup} warm-up\n"
    )
    print("| detector | without L_corr (s/iter) | with L_corr (s/iter) | overhead |")
    print("|---|---:|---:|---:|")
    for name, base, corr in pairs:
        overhead = medians[corr] / medians[base] - 1
        print(f"| {name} | {medians[base]:.3f} | {medians[corr]:.3f} | {overhead:+.1%} |")
    if args.out is not None:
        record = step_timing_record(
            seconds,
            args.profile,
            args.threads,
            args.warmup,
            provenance.collect(args.device),
            load,
            images_per_step=args.images_per_step,
            loss_implementation=LOSS_PATH,
        )
        print(f"\nwrote {write_step_timing(args.out, record)}")
    if args.sync_debug:
        print(f"\nHost syncs in the loss region of one warm step ({args.device}):\n")
        print("| detector | loss region |")
        print("|---|---|")
        for name, _, corr in pairs:
            found = loss_region_syncs(
                corr, args.data_root, args.profile, args.device, args.images_per_step
            )
            print(f"| {name} | {found} |")


if __name__ == "__main__":
    main()
