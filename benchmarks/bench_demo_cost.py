"""Benchmark: where a demo training run's time goes, and what each model knob costs.

For each detector of the demo pairs (ATSS, RetinaNet) and each variant of the demo model —
backbone width (``ResNet(base_channels=...)``), depth, image size, batch size, FPN / head
channels, and combinations — the model is built from the same seed and timed in interleaved
rounds (round r runs every variant once, so load changes on a shared machine hit all alike).
Each training iteration is split into data loading (one batch from the dataloader, no worker
process), forward (data preprocessor + losses), backward and optimiser step (with gradient
clipping); the evaluation of the validation split is timed as inference per image (the
metrics' own cost, a few seconds per run, is not in it). The tables give medians, the ratio
of each variant to the reference, and the projected wall time of one run (schedule ×
s/iter + evaluation of the val set).

A second table compares the threading layouts of a 2-core machine on the reference model:
two jobs of one thread each, side by side, against one job with two threads (the same
iterations, timed in the same run). Its ratio says which layout trains more runs per hour.

    .venv/bin/python benchmarks/bench_demo_cost.py [--iters 6] [--warmup 2] [--val-images 32]
        [--detectors atss,retinanet] [--variants all] [--profile demo-v1] [--no-threading]

The profile's data must exist (``python -m reproduction.dataset generate --preset <preset>``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from _training_timer import batch_iterator, model_and_optimiser

from reproduction.spec.run import Run

DETECTORS: dict[str, str] = {"atss": "atss_baseline", "retinanet": "retinanet_baseline"}
"""The demo pairs' detectors and the baseline experiment timed for each."""


def _backbone_width(base: int) -> Callable:
    def apply(cfg) -> None:
        cfg.model.backbone.base_channels = base
        cfg.model.neck.in_channels = [base * 2**i for i in range(4)]

    return apply


def _depth(depth: int) -> Callable:
    def apply(cfg) -> None:
        cfg.model.backbone.depth = depth

    return apply


def _fpn_channels(channels: int) -> Callable:
    def apply(cfg) -> None:
        cfg.model.neck.out_channels = channels
        cfg.model.bbox_head.in_channels = channels
        cfg.model.bbox_head.feat_channels = channels
        norm = cfg.model.bbox_head.get("norm_cfg")
        if norm and norm.get("type") == "GN":
            norm.num_groups = min(norm.num_groups, channels)

    return apply


def _image_size(size: int) -> Callable:
    def apply(cfg) -> None:
        for loader in (cfg.train_dataloader, cfg.val_dataloader):
            for step in loader.dataset.pipeline:
                if step["type"] == "Resize":
                    step["scale"] = (size, size)

    return apply


def _batch(size: int) -> Callable:
    def apply(cfg) -> None:
        cfg.train_dataloader.batch_size = size

    return apply


def _all(*changes: Callable) -> Callable:
    def apply(cfg) -> None:
        for change in changes:
            change(cfg)

    return apply


VARIANTS: dict[str, Callable] = {
    "reference": _all(),
    "backbone width 1/2 (base_channels 32)": _backbone_width(32),
    "backbone width 1/4 (base_channels 16)": _backbone_width(16),
    "depth 34 (vs 18)": _depth(34),
    "FPN + head 32 ch": _fpn_channels(32),
    "image 96 px": _image_size(96),
    "image 64 px": _image_size(64),
    "batch 4": _batch(4),
    "width 1/2 + FPN 32": _all(_backbone_width(32), _fpn_channels(32)),
    "width 1/2 + FPN 32 + 96 px": _all(_backbone_width(32), _fpn_channels(32), _image_size(96)),
}
"""Model knobs, each a change applied to the profile's config ("reference": none)."""

PROFILE_ROWS: dict[str, str] = {"profile demo (the default)": "demo"}
"""Rows built from another profile unchanged (its overlay, dataset and class count)."""


@dataclass
class Timing:
    """Median seconds of each part of one training iteration, and of inference per image."""

    data: float
    forward: float
    backward: float
    step: float
    eval_per_image: float
    batch_size: int

    @property
    def per_iter(self) -> float:
        return self.data + self.forward + self.backward + self.step


def _build(experiment: str, profile: str, variant: str, n_batches: int, n_val: int):
    """Return (model, optim wrapper, train loader iterator, preloaded train/val batches, cfg)."""
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools' index messages
        return _build_quietly(experiment, profile, variant, n_batches, n_val)


def _build_quietly(experiment: str, profile: str, variant: str, n_batches: int, n_val: int):
    from reproduction.running.config_builder import build_config

    if variant in PROFILE_ROWS:
        cfg = build_config(Run.resolve(experiment, PROFILE_ROWS[variant], validate=True))
    else:
        cfg = build_config(Run.resolve(experiment, profile, validate=True))
        VARIANTS[variant](cfg)
    model, optim = model_and_optimiser(cfg)
    loader = batch_iterator(cfg.train_dataloader)
    val_loader = batch_iterator(cfg.val_dataloader)
    val_batches = [next(val_loader) for _ in range(-(-n_val // cfg.val_dataloader.batch_size))]
    batches = [next(loader) for _ in range(n_batches)]
    return model, optim, loader, batches, val_batches, cfg


def _time_iteration(model, optim, loader, batch) -> tuple[float, float, float, float]:
    """One training iteration, split: (data, forward, backward, step) seconds."""
    start = time.perf_counter()
    next(loader)  # the cost of loading a batch; the timed step uses the preloaded one
    loaded = time.perf_counter()
    data = model.data_preprocessor(batch, True)
    losses = model._run_forward(data, mode="loss")
    loss, _ = model.parse_losses(losses)
    forward = time.perf_counter()
    optim.backward(loss)
    backward = time.perf_counter()
    optim.step()
    optim.zero_grad()
    end = time.perf_counter()
    return loaded - start, forward - loaded, backward - forward, end - backward


def measure(
    detectors: list[str], variants: list[str], profile: str, iters: int, warmup: int, n_val: int
) -> dict[tuple[str, str], Timing]:
    """Time every (detector, variant) in interleaved rounds; return the medians."""
    from mmdet.utils import register_all_modules

    register_all_modules()
    keys = [(d, v) for d in detectors for v in variants]
    runs = {key: _build(DETECTORS[key[0]], profile, key[1], warmup + iters, n_val) for key in keys}
    parts: dict[tuple[str, str], list[tuple[float, float, float, float]]] = {k: [] for k in keys}
    for step in range(warmup + iters):
        for key, (model, optim, loader, batches, _, _) in runs.items():
            split = _time_iteration(model, optim, loader, batches[step])
            if step >= warmup:
                parts[key].append(split)
    evals: dict[tuple[str, str], list[float]] = {k: [] for k in keys}
    for model, *_ in runs.values():
        model.eval()
    rounds = max(len(r[4]) for r in runs.values())
    with torch.no_grad():
        for i in range(rounds):
            for key, (model, _, _, _, val_batches, _) in runs.items():
                if i < len(val_batches):
                    batch = val_batches[i]
                    start = time.perf_counter()
                    model.test_step(batch)
                    evals[key].append((time.perf_counter() - start) / len(batch["inputs"]))
    return {
        key: Timing(
            *(statistics.median(p[i] for p in parts[key]) for i in range(4)),
            eval_per_image=statistics.median(evals[key]),
            batch_size=runs[key][5].train_dataloader.batch_size,
        )
        for key in keys
    }


def _run_shape(profile: str) -> tuple[int, int]:
    """(training iterations, validation images) of one run of the profile."""
    from reproduction.running.config_builder import build_config, default_data_root

    cfg = build_config(Run.resolve(DETECTORS["atss"], profile, validate=True))
    val = default_data_root(profile) / "annotations" / "val.json"
    with open(val, encoding="utf-8") as f:
        n_val = len(json.load(f)["images"])
    return int(cfg.train_cfg.max_iters), n_val


def print_cost_tables(timings: dict, detectors: list[str], variants: list[str], profile: str):
    """Markdown: per detector, the split of one run's wall time and each knob's s/iter ratio."""
    max_iters, n_val = _run_shape(profile)
    for detector in detectors:
        ref = timings[(detector, "reference")]
        train = {part: max_iters * getattr(ref, part) for part in ("data", "forward", "backward")}
        train["step"] = max_iters * ref.step
        evaluation = n_val * ref.eval_per_image
        total = sum(train.values()) + evaluation
        print(f"\n### {detector}: one `{profile}` run ({max_iters} its, {n_val} val images)\n")
        print("| part | s per run | share |")
        print("|---|---:|---:|")
        for part, seconds in (*train.items(), ("evaluation (inference)", evaluation)):
            print(f"| {part} | {seconds:.0f} | {seconds / total:.0%} |")
        print(f"| **total** | **{total:.0f}** | 100% |")

        print(f"\n### {detector}: knobs (ratio = reference / variant; > 1 is cheaper)\n")
        print(
            "| variant | s/iter | ratio s/iter | s/image (train) | ratio s/image | "
            "forward | backward | step | data | eval ms/image | ratio eval | run min |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for variant in variants:
            t = timings[(detector, variant)]
            per_image, ref_image = t.per_iter / t.batch_size, ref.per_iter / ref.batch_size
            run_min = (max_iters * t.per_iter + n_val * t.eval_per_image) / 60
            print(
                f"| {variant} | {t.per_iter:.3f} | {ref.per_iter / t.per_iter:.2f} | "
                f"{per_image:.4f} | {ref_image / per_image:.2f} | {t.forward:.3f} | "
                f"{t.backward:.3f} | {t.step:.3f} | {t.data:.3f} | "
                f"{1000 * t.eval_per_image:.1f} | {ref.eval_per_image / t.eval_per_image:.2f} | "
                f"{run_min:.1f} |"
            )


def _worker(profile: str, detector: str, threads: int, iters: int, warmup: int) -> None:
    """Child process: time ``iters`` iterations of the reference model with ``threads``."""
    torch.set_num_threads(threads)
    timings = measure([detector], ["reference"], profile, iters, warmup, n_val=8)
    print(json.dumps({"s_per_iter": timings[(detector, "reference")].per_iter}))


def _spawn(profile: str, detector: str, threads: int, iters: int, warmup: int):
    args = [sys.executable, __file__, "--worker", detector, "--threads", str(threads)]
    args += ["--profile", profile, "--iters", str(iters), "--warmup", str(warmup)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, text=True)


def _result(proc) -> float:
    out, _ = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"benchmark worker failed with exit status {proc.returncode}")
    return json.loads(out.strip().splitlines()[-1])["s_per_iter"]


def print_threading_table(profile: str, detector: str, iters: int, warmup: int, rounds: int):
    """Markdown: two jobs × one thread vs one job × two threads, alternated ``rounds`` times."""
    two_jobs: list[float] = []
    one_job: list[float] = []
    for _ in range(rounds):
        procs = [_spawn(profile, detector, 1, iters, warmup) for _ in range(2)]
        two_jobs.append(statistics.mean(_result(p) for p in procs))
        one_job.append(_result(_spawn(profile, detector, 2, iters, warmup)))
    pair, single = statistics.median(two_jobs), statistics.median(one_job)
    print(f"\n### threading layout on 2 cores ({detector}, reference model)\n")
    print("| layout | s/iter of each job | iterations per second, machine | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| 2 jobs × 1 thread | {pair:.3f} | {2 / pair:.2f} | {(2 / pair) / (1 / single):.2f} |")
    print(f"| 1 job × 2 threads | {single:.3f} | {1 / single:.2f} | 1.00 |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iters", type=int, default=6, help="timed iterations per variant")
    parser.add_argument("--warmup", type=int, default=2, help="untimed iterations first")
    parser.add_argument("--val-images", type=int, default=32, help="val images timed")
    parser.add_argument("--threads", type=int, default=1, help="threads of the knob table")
    parser.add_argument("--detectors", default=",".join(DETECTORS))
    parser.add_argument("--variants", default="all", help="comma-separated names, or all")
    parser.add_argument("--profile", default="demo-v1", help="the reference model's profile")
    parser.add_argument("--no-threading", action="store_true", help="skip the layout table")
    parser.add_argument("--threading-rounds", type=int, default=2)
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.profile, args.worker, args.threads, args.iters, args.warmup)
        return
    detectors = args.detectors.split(",")
    every = [*VARIANTS, *PROFILE_ROWS]
    variants = every if args.variants == "all" else args.variants.split(",")
    if "reference" not in variants:
        variants.insert(0, "reference")
    unknown = [v for v in variants if v not in every] + [d for d in detectors if d not in DETECTORS]
    if unknown:
        parser.error(f"unknown variant or detector: {', '.join(unknown)}")
    torch.set_num_threads(args.threads)
    print(
        f"Demo training cost, CPU, {args.threads} thread(s); reference = profile "
        f"`{args.profile}`; medians of {args.iters} interleaved iterations after {args.warmup} "
        f"warm-up; evaluation = inference on {args.val_images} val images"
    )
    timings = measure(detectors, variants, args.profile, args.iters, args.warmup, args.val_images)
    print_cost_tables(timings, detectors, variants, args.profile)
    if not args.no_threading:
        print_threading_table(
            args.profile, detectors[0], args.iters, args.warmup, args.threading_rounds
        )


if __name__ == "__main__":
    main()
