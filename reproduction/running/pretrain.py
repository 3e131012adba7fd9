"""A pretrained start for the demo: the demo's backbone trained once to classify synthetic shapes.

The thesis fine-tunes ImageNet-pretrained backbones; the demo cannot download one, so its
detectors start from random weights. This module builds the demo's stand-in for ImageNet from
the synthetic generator itself (never a downloaded model): object crops of generated scenes,
each labelled with its shape class, drawn from random-number streams that the detection
dataset never uses (:data:`CROP_STREAMS`), from all :data:`MAX_CLASSES` shape classes (as
ImageNet has more classes than COCO). The backbone of a profile's detectors (the same ResNet
config) learns to classify them with a linear head on its last stage; its weights and a record
of the pretraining (accuracy on held-out crops, time, provenance) become a workflow output
that a profile with :attr:`reproduction.spec.profiles.Profile.pretrained` initialises its backbone
from.

Command line (writes :data:`reproduction.spec.paths.PRETRAINED_BACKBONE` and
:data:`reproduction.spec.paths.PRETRAINED_RECORD` under the results root)::

    python -m reproduction.running.pretrain shapes-crops [--root results]
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from reproduction.dataset.scene import render_scene
from reproduction.dataset.shapes import CLASS_NAMES, MAX_CLASSES
from reproduction.records.results import write_json_atomic
from reproduction.spec.paths import pretrained_backbone, pretrained_record, results_dir
from reproduction.spec.run import Run

CROP_STREAMS: dict[str, int] = {"train": 2, "held_out": 3, "flip": 4}
"""The random-number streams of the crops (``numpy.random.default_rng([seed, stream, k])``)
and of their random flips; the detection dataset's splits use streams 0 and 1, so no crop
comes from a detection image."""


@dataclass(frozen=True)
class Pretraining:
    """One pretraining recipe.

    Attributes:
        name: the name profiles use (:attr:`reproduction.spec.profiles.Profile.pretrained`).
        profile: the profile whose detectors' backbone config is pretrained.
        iterations: SGD steps.
        batch_size: crops per step.
        crop_size: the side, in pixels, crops are resized to.
        scene_size: the side, in pixels, of the generated scenes crops are cut from.
        context: how much of the object's box side is added around it on each side (0.25:
            a box 1.5 times the object's).
        lr: peak learning rate (linear warm-up over ``warmup`` steps, then cosine to 0).
        warmup: warm-up steps.
        weight_decay: SGD weight decay.
        seed: the seed of the crops and of the weights' initialisation.
        held_out: how many held-out crops the accuracy is measured on.
    """

    name: str
    profile: str
    iterations: int
    batch_size: int
    crop_size: int
    scene_size: int
    context: float
    lr: float
    warmup: int
    weight_decay: float
    seed: int
    held_out: int


PRETRAININGS: dict[str, Pretraining] = {
    "shapes-crops": Pretraining(
        name="shapes-crops",
        profile="demo",
        iterations=1500,
        batch_size=64,
        crop_size=64,
        scene_size=128,
        context=0.25,
        lr=0.1,
        warmup=100,
        weight_decay=5e-5,
        seed=0,
        held_out=1024,
    ),
}
"""Every pretraining recipe by name."""


def get_pretraining(name: str) -> Pretraining:
    """Return the named recipe; ValueError lists the known names."""
    try:
        return PRETRAININGS[name]
    except KeyError:
        raise ValueError(
            f"unknown pretraining {name!r}; expected one of {', '.join(PRETRAININGS)}"
        ) from None


def crop_box(mask: np.ndarray, context: float) -> tuple[int, int, int, int]:
    """Return the crop ``(x0, y0, x1, y1)`` (pixels, end exclusive) around a visible mask.

    The object's box grown by ``context`` times its side on each side, clipped to the image.
    ValueError for an empty mask or a negative ``context``.
    """
    if context < 0:
        raise ValueError(f"context must be >= 0, got {context}")
    ys, xs = np.nonzero(mask)
    if xs.size == 0:
        raise ValueError("the mask is empty: no object to crop")
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    grow_x, grow_y = context * (x1 - x0), context * (y1 - y0)
    height, width = mask.shape
    return (
        max(0, int(math.floor(x0 - grow_x))),
        max(0, int(math.floor(y0 - grow_y))),
        min(width, int(math.ceil(x1 + grow_x))),
        min(height, int(math.ceil(y1 + grow_y))),
    )


def object_crops(
    recipe: Pretraining, stream: str, first_scene: int, n_crops: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Cut ``n_crops`` labelled object crops from generated scenes ``first_scene``, ….

    Args:
        recipe: sizes, context and seed.
        stream: a key of :data:`CROP_STREAMS`.
        first_scene: the index of the first scene (scenes are drawn in order, so consecutive
            calls continue where the last one stopped).
        n_crops: how many crops.

    Returns:
        ``(images, labels, next_scene)``: uint8 RGB crops ``(n_crops, crop_size, crop_size,
        3)``, int64 class indices in ``[0, MAX_CLASSES)``, and the index of the first scene not
        used.
    """
    images = np.empty((n_crops, recipe.crop_size, recipe.crop_size, 3), dtype=np.uint8)
    labels = np.empty(n_crops, dtype=np.int64)
    filled, scene_index = 0, first_scene
    while filled < n_crops:
        rng = np.random.default_rng([recipe.seed, CROP_STREAMS[stream], scene_index])
        scene = render_scene(rng, recipe.scene_size, MAX_CLASSES)
        scene_index += 1
        for obj in scene.objects:
            if filled == n_crops:
                break
            x0, y0, x1, y1 = crop_box(obj.mask, recipe.context)
            patch = Image.fromarray(scene.image[y0:y1, x0:x1])
            size = (recipe.crop_size, recipe.crop_size)
            images[filled] = np.asarray(patch.resize(size, Image.BILINEAR))
            labels[filled] = obj.category_index
            filled += 1
    return images, labels, scene_index


def learning_rate(recipe: Pretraining, step: int) -> float:
    """The learning rate at 0-based ``step``: linear warm-up from 0.1 % of ``lr``, then cosine
    decay to 0 at ``iterations``."""
    if step < recipe.warmup:
        return recipe.lr * (0.001 + (1 - 0.001) * step / recipe.warmup)
    progress = (step - recipe.warmup) / max(1, recipe.iterations - recipe.warmup)
    return recipe.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def _backbone_config(profile: str) -> tuple[dict, list[float], list[float]]:
    """The profile's backbone config (an ATSS run's; every demo detector shares it) and its
    input normalisation (RGB mean and std, 0–255)."""
    from reproduction.running.config_builder import build_config

    cfg = build_config(Run.resolve("atss_baseline", profile, validate=False))
    backbone = cfg.model.backbone.to_dict()
    backbone["init_cfg"] = None
    pre = cfg.model.data_preprocessor
    if not pre.get("bgr_to_rgb", False):
        raise ValueError(f"profile {profile!r}: expected an RGB data preprocessor")
    return backbone, list(pre.mean), list(pre.std)


def pretrain(
    recipe: Pretraining,
    *,
    iterations: int | None = None,
    on_step: Callable[[int, float], None] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Pretrain the recipe's backbone on object crops.

    Args:
        recipe: the recipe.
        iterations: stop after this many steps instead of ``recipe.iterations`` (tests), with
            the recipe's schedule cut short.
        on_step: called with (step, loss) after each step.

    Returns:
        ``(state_dict, record)``: the backbone's weights (tensors, CPU) and a JSON-ready
        record: the recipe, ``iterations`` run, ``final_loss`` (mean cross-entropy of the last
        50 steps, nats), ``held_out_accuracy`` (fraction of held-out crops classified right),
        ``chance_accuracy`` (the most frequent held-out class's share), ``wall_s``.
    """
    import torch
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    from mmengine.logging import MMLogger

    register_all_modules()
    steps = recipe.iterations if iterations is None else iterations
    backbone_cfg, mean, std = _backbone_config(recipe.profile)
    torch.manual_seed(recipe.seed)
    backbone = MODELS.build(backbone_cfg)
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)  # init_weights logs every parameter at INFO
    try:
        backbone.init_weights()
    finally:
        logger.setLevel(level)
    with torch.no_grad():
        width = backbone(torch.zeros(1, 3, recipe.crop_size, recipe.crop_size))[-1].shape[1]
    head = torch.nn.Linear(width, MAX_CLASSES)
    params = list(backbone.parameters()) + list(head.parameters())
    optimiser = torch.optim.SGD(
        params, lr=recipe.lr, momentum=0.9, weight_decay=recipe.weight_decay
    )
    mean_t = torch.tensor(mean).view(1, 3, 1, 1)
    std_t = torch.tensor(std).view(1, 3, 1, 1)

    def batch(images: np.ndarray) -> torch.Tensor:
        x = torch.from_numpy(images).permute(0, 3, 1, 2).float()
        return (x - mean_t) / std_t

    def logits(x: torch.Tensor) -> torch.Tensor:
        return head(backbone(x)[-1].mean(dim=(2, 3)))

    flip = np.random.default_rng([recipe.seed, CROP_STREAMS["flip"]])
    started = time.perf_counter()
    losses: list[float] = []
    next_scene = 0
    backbone.train()
    for step in range(steps):
        images, labels, next_scene = object_crops(recipe, "train", next_scene, recipe.batch_size)
        flipped = flip.random(len(images)) < 0.5
        images[flipped] = images[flipped, :, ::-1]
        for group in optimiser.param_groups:
            group["lr"] = learning_rate(recipe, step)
        loss = torch.nn.functional.cross_entropy(logits(batch(images)), torch.from_numpy(labels))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
        if on_step is not None:
            on_step(step, losses[-1])
    wall_s = time.perf_counter() - started

    backbone.eval()
    images, labels, _ = object_crops(recipe, "held_out", 0, recipe.held_out)
    correct = 0
    with torch.no_grad():
        for start in range(0, len(images), 256):
            predicted = logits(batch(images[start : start + 256])).argmax(dim=1).numpy()
            correct += int((predicted == labels[start : start + 256]).sum())
    counts = np.bincount(labels, minlength=MAX_CLASSES)
    record = {
        "recipe": asdict(recipe),
        "iterations": steps,
        "classes": list(CLASS_NAMES[:MAX_CLASSES]),
        "final_loss": float(np.mean(losses[-50:])) if losses else None,
        "held_out_accuracy": correct / len(labels),
        "chance_accuracy": float(counts.max() / counts.sum()),
        "wall_s": wall_s,
        "backbone": backbone_cfg,
    }
    state = {k: v.detach().cpu() for k, v in backbone.state_dict().items()}
    return state, record


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_pretrained(
    root: str | os.PathLike[str], name: str, state: dict[str, Any], record: dict[str, Any]
) -> dict[str, Any]:
    """Write the backbone's weights (``{"state_dict": ...}``, which mmengine's ``Pretrained``
    initialisation loads) and the record (with the weights' SHA-256 and the provenance added)
    to :func:`reproduction.spec.paths.pretrained_backbone` / :func:`~reproduction.spec.paths.
    pretrained_record` under the results root ``root``, each through a temporary file and a
    rename. Returns the record as written."""
    import torch

    from reproduction.records.provenance import collect

    weights = pretrained_backbone(root, name)
    out = weights.parent
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=out, suffix=".pth.tmp", delete=False) as handle:
        torch.save({"state_dict": state}, handle)
    os.replace(handle.name, weights)
    written = {**record, "backbone_sha256": sha256_of(weights), "provenance": collect("cpu")}
    write_json_atomic(pretrained_record(root, name), written)
    return written


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reproduction.running.pretrain",
        description="Pretrain the demo backbone on synthetic object crops (no download).",
    )
    parser.add_argument("name", choices=sorted(PRETRAININGS), help="the recipe")
    parser.add_argument(
        "--root", default=None, type=Path, help="results root (default: the checkout's results/)"
    )
    parser.add_argument(
        "--iterations", type=int, default=None, help="stop early (a check; not for results)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0)."""
    args = _parser().parse_args(argv)
    recipe = get_pretraining(args.name)

    def report(step: int, loss: float) -> None:
        if step % 100 == 0:
            print(f"step {step}: cross-entropy {loss:.3f}", flush=True)

    state, record = pretrain(recipe, iterations=args.iterations, on_step=report)
    root = results_dir(args.root)
    written = write_pretrained(root, recipe.name, state, record)
    print(
        f"{recipe.name}: held-out accuracy {written['held_out_accuracy']:.3f} "
        f"(chance {written['chance_accuracy']:.3f}) after {written['iterations']} steps, "
        f"{written['wall_s']:.0f} s; {pretrained_backbone(root, recipe.name)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
