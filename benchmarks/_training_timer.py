"""Shared by the training benchmarks: time ``model.train_step`` of several experiments.

Each experiment is built in the demo profile from the same seed and fed the same preloaded
batches, so data loading is not timed and every experiment sees identical inputs. Iterations are
interleaved (round r runs every experiment once) so that load changes on a shared machine hit
all experiments alike.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

import torch


def model_and_optimiser(cfg):
    """Return (model in train mode, optimiser wrapper) of a config, built from seed 0."""
    from mmdet.registry import MODELS
    from mmengine.logging import MMLogger
    from mmengine.optim import build_optim_wrapper

    MMLogger.get_current_instance().setLevel(logging.WARNING)  # no per-parameter init log
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    return model, build_optim_wrapper(model, cfg.optim_wrapper)


def batch_iterator(loader_cfg):
    """Return an iterator over a dataloader config's batches, in this process, from seed 0."""
    from mmengine.runner import Runner

    loader_cfg = loader_cfg.copy()
    loader_cfg.update(num_workers=0, persistent_workers=False)
    return iter(Runner.build_dataloader(loader_cfg, seed=0))


def build_training(experiment: str, data_root: Path, n_batches: int):
    """Return (model, optimiser wrapper, preloaded batches) of an experiment, demo profile."""
    from reproduction.config_builder import build_config

    cfg = build_config(experiment, "demo", data_root=data_root, validate=False)
    model, optim = model_and_optimiser(cfg)
    loader = batch_iterator(cfg.train_dataloader)
    return model, optim, [next(loader) for _ in range(n_batches)]


def median_seconds_per_iteration(
    experiments: Sequence[str], data_root: Path | None, iters: int, warmup: int
) -> dict[str, float]:
    """Return each experiment's median seconds per training iteration (interleaved rounds,
    :func:`seconds_per_round`)."""
    seconds = seconds_per_round(experiments, data_root, iters, warmup)
    return {exp: statistics.median(values) for exp, values in seconds.items()}


def seconds_per_round(
    experiments: Sequence[str], data_root: Path | None, iters: int, warmup: int
) -> dict[str, list[float]]:
    """Return each experiment's seconds of each timed training iteration, in round order.

    Round r runs iteration r of every experiment, one after the other, on the same batch.
    ``warmup`` untimed rounds come first; then ``iters`` timed rounds. ``data_root`` None
    means the demo dataset's default place (it must have been generated).
    """
    from mmdet.utils import register_all_modules

    from reproduction.config_builder import default_data_root

    register_all_modules()
    root = data_root or default_data_root("demo")
    total = warmup + iters
    runs = {exp: build_training(exp, root, total) for exp in dict.fromkeys(experiments)}
    seconds: dict[str, list[float]] = {exp: [] for exp in runs}
    for step in range(total):
        for exp, (model, optim, batches) in runs.items():
            start = time.perf_counter()
            model.train_step(batches[step], optim)
            if step >= warmup:
                seconds[exp].append(time.perf_counter() - start)
    return seconds
