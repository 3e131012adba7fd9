"""Shared by the training benchmarks: time ``model.train_step`` of several experiments.

Each experiment is built in one profile from the same seed and fed the same preloaded batches,
so data loading is not timed and every experiment sees identical inputs. Iterations are
interleaved (round r runs every experiment once) so that load changes on a shared machine hit
all experiments alike.

The demo profile's batches come from its dataset. The paper profile's come from no dataset:
each step gets the same synthetic images at the size of the config's training pipeline
(1333×800 for the 1x detectors, 550×550 for YOLACT) with random boxes (and masks for YOLACT)
over COCO's 80 classes, so its configs are timed unchanged but for the backbone's ImageNet
initialisation, which needs the internet and does not change a step's cost.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

import torch

from reproduction.spec.run import Run


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


PAPER_OBJECTS_PER_IMAGE = 7
"""Ground-truth objects per synthetic image of the paper-scale timing (COCO averages about 7)."""


def training_image_size(cfg) -> tuple[int, int]:
    """Return (height, width) in pixels that a config's training pipeline resizes to: the
    largest scale of its first resizing transform, else COCO's 1333×800."""
    for step in cfg.train_dataloader.dataset.get("pipeline", []):
        scale = step.get("scale") or step.get("scales")
        if scale is None:
            continue
        sizes = [scale] if isinstance(scale[0], int) else list(scale)
        width, height = max(sizes, key=lambda s: s[0] * s[1])
        return int(height), int(width)
    return 800, 1333


def synthetic_batch(cfg, images: int, seed: int = 0) -> dict:
    """A batch of ``images`` synthetic images at :func:`training_image_size` with random
    boxes (and masks where the model has a mask head) over COCO's 80 classes."""
    from mmdet.testing import demo_mm_inputs

    torch.manual_seed(seed)
    height, width = training_image_size(cfg)
    return demo_mm_inputs(
        batch_size=images,
        image_shapes=[(3, height, width)] * images,
        num_items=[PAPER_OBJECTS_PER_IMAGE] * images,
        num_classes=80,
        with_mask="mask_head" in cfg.model,
    )


def build_training(
    experiment: str,
    data_root: Path | None,
    n_batches: int,
    profile: str = "demo",
    device: str = "cpu",
    images_per_step: int | None = None,
):
    """Return (model, optimiser wrapper, preloaded batches) of an experiment.

    Demo profile: batches from the dataset at ``data_root``. Paper profile: ``images_per_step``
    synthetic images per batch (:func:`synthetic_batch`; default the thesis's images per GPU,
    the config's batch over 4 GPUs), the backbone's ImageNet initialisation dropped, the model
    on ``device``.
    """
    from reproduction.running.config_builder import build_config

    if profile != "paper":
        cfg = build_config(Run.resolve(experiment, profile, data_root=data_root, validate=False))
        model, optim = model_and_optimiser(cfg)
        loader = batch_iterator(cfg.train_dataloader)
        return model, optim, [next(loader) for _ in range(n_batches)]
    cfg = build_config(
        Run.resolve(
            experiment,
            "paper",
            data_root=data_root or "coco",
            validate=False,
            device=device,
            gpus=4,
        )
    )
    cfg.model.backbone.init_cfg = None  # ImageNet weights need the internet; cost is the same
    model, optim = model_and_optimiser(cfg)
    model.to(device)
    images = images_per_step or cfg.train_dataloader.batch_size
    batch = synthetic_batch(cfg, images)
    return model, optim, [batch] * n_batches


def median_seconds_per_iteration(
    experiments: Sequence[str], data_root: Path | None, iters: int, warmup: int
) -> dict[str, float]:
    """Return each experiment's median seconds per training iteration (interleaved rounds,
    :func:`seconds_per_round`)."""
    seconds = seconds_per_round(experiments, data_root, iters, warmup)
    return {exp: statistics.median(values) for exp, values in seconds.items()}


def seconds_per_round(
    experiments: Sequence[str],
    data_root: Path | None,
    iters: int,
    warmup: int,
    profile: str = "demo",
    device: str = "cpu",
    images_per_step: int | None = None,
) -> dict[str, list[float]]:
    """Return each experiment's seconds of each timed training iteration, in round order.

    Round r runs iteration r of every experiment, one after the other, on the same batch.
    ``warmup`` untimed rounds come first; then ``iters`` timed rounds. ``data_root`` None
    means the demo dataset's default place (it must have been generated); the paper profile
    needs none (:func:`build_training`). On a GPU each step is timed to its last kernel.
    """
    from mmdet.utils import register_all_modules

    from reproduction.running.config_builder import default_data_root

    register_all_modules()
    root = data_root or (default_data_root("demo") if profile != "paper" else None)
    total = warmup + iters
    runs = {
        exp: build_training(exp, root, total, profile, device, images_per_step)
        for exp in dict.fromkeys(experiments)
    }
    cuda = device.startswith("cuda")
    seconds: dict[str, list[float]] = {exp: [] for exp in runs}
    for step in range(total):
        for exp, (model, optim, batches) in runs.items():
            if cuda:
                torch.cuda.synchronize()
            start = time.perf_counter()
            model.train_step(batches[step], optim)
            if cuda:
                torch.cuda.synchronize()
            if step >= warmup:
                seconds[exp].append(time.perf_counter() - start)
    return seconds
