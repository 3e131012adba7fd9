"""Resolve a run into a complete mmengine config.

:func:`build_config` is the one place where a thesis experiment
(:mod:`reproduction.spec.experiments`) meets a profile (smoke / demo / paper,
:mod:`reproduction.spec.profiles`) and a run's seed and overrides (data, work dir, schedule
length, validation; :class:`reproduction.spec.run.Run`, resolved once by the entry point). The
layers it stacks are described in :mod:`reproduction.running.mmdet_configs`.

Adding a detector takes files only, no edit here:

1. ``reproduction/running/mmdet_configs/<detector>.py``: inherits mmdet's config, sets the head type
   and declares ``corrlib = dict(corr_heads=[...], class_heads=[...], nms_based=...)`` — the
   dotted paths of the heads that take ``loss_corr`` and ``num_classes`` (a path to a list, such
   as Sparse R-CNN's six ``model.roi_head.bbox_head`` stages, applies to every item); optionally
   ``total_batch_size`` (paper profile, default 16) and ``demo_schedule_scale`` (demo profile:
   train this many times the demo schedule, default 1);
2. ``reproduction/running/mmdet_configs/profiles/synthetic/<detector>.py`` (optional): the
   detector's changes on the embedded synthetic data (head widths, proposals, pipelines with
   masks, ...); an overlay may add ``profiles/<overlay>/<detector>.py`` on top (the demo's
   narrower heads, the paper profile's author settings);
3. the detector's name in :data:`reproduction.spec.experiments.DETECTORS` and its experiments there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmengine.config import Config, ConfigDict

from reproduction import dataset as corrdata
from reproduction.running.mmdet_configs import CONFIG_DIR
from reproduction.spec import paths
from reproduction.spec.experiments import Experiment
from reproduction.spec.profiles import PROFILES, Profile
from reproduction.spec.run import DEVICES, Run

SYNTHETIC_DIR = "synthetic"
"""The folder of ``mmdet_configs/profiles/`` whose per-detector files every profile on the
embedded synthetic data merges (small images: pyramid levels and anchors), before its
overlay's own folder."""

_LOADERS = ("train_dataloader", "val_dataloader", "test_dataloader")
_EVALUATORS = ("val_evaluator", "test_evaluator")


def detector_config_path(detector: str) -> Path:
    """The paper-profile config file of a detector (raises FileNotFoundError naming it)."""
    path = CONFIG_DIR / f"{detector}.py"
    if not path.is_file():
        raise FileNotFoundError(f"no config for detector {detector!r}: expected {path}")
    return path


def default_data_root(profile: Profile | str) -> Path:
    """Return where a profile's data live by default
    (:func:`reproduction.dataset.profile_data_dir`).

    Embedded profiles: the generated preset of the profile (``data/generated/<preset>``, data
    seed 0 whatever the training seed); paper: ``$COCO_ROOT`` (else ``data/coco``).
    """
    return corrdata.profile_data_dir(profile)


def data_root_of(run: Run) -> Path:
    """Return the dataset root of a run: its ``data_root`` override, else its profile's
    (:func:`default_data_root`)."""
    given = run.overrides.data_root
    return Path(given) if given is not None else default_data_root(run.profile)


def build_config(run: Run) -> Config:
    """The complete config of one training run (:class:`reproduction.spec.run.Run`).

    The run's profile picks the overlay, data and schedule; its overrides
    (:class:`reproduction.spec.run.RunOverrides`) then change, in this order: the schedule
    length (``max_iters``), the validation interval, the validation subset (``val_images``),
    the validation loop (dropped unless the run validates), the distributed backend (gloo on
    cpu), the seed and the work dir. The data root is not checked here (the training CLI checks
    it before anything is written). A check profile
    (:attr:`reproduction.spec.profiles.Profile.check`) without a ``backbone_checkpoint``
    initialises the backbone randomly, so that it needs no internet.

    Returns:
        An ``mmengine.Config`` ready for ``Runner.from_cfg``. Its ``corrlib`` entry records
        the experiment, profile, data root and seed.

    Raises:
        ValueError: ``val_interval`` on an epoch-based schedule, or ``gpus`` that do not divide
            the total batch size.
        FileNotFoundError: a missing ``backbone_checkpoint`` or pretrained backbone.
    """
    spec, experiment, over = run.profile, run.experiment, run.overrides
    cfg = Config.fromfile(str(detector_config_path(experiment.detector)))
    _merge_file(cfg, CONFIG_DIR / "profiles" / f"{spec.overlay}.py")
    detector_file = f"{experiment.detector}.py"
    if spec.synthetic:  # every synthetic profile's per-detector settings (pyramid, anchors)
        _merge_file(cfg, CONFIG_DIR / "profiles" / SYNTHETIC_DIR / detector_file, optional=True)
    # the overlay's own per-detector settings (the narrowed demo's heads; the thesis author's
    # on the paper configs, where the thesis is silent)
    _merge_file(cfg, CONFIG_DIR / "profiles" / spec.overlay / detector_file, optional=True)

    root = data_root_of(run)
    if not spec.synthetic:
        _apply_coco(cfg, root, run.gpus)
        if spec.check:  # the paper configs cut to a check's iterations (not for results)
            _apply_max_iters(cfg, spec.overlay, spec.max_iters)
        if spec.check or over.backbone_checkpoint is not None:
            _apply_backbone_init(cfg, over.backbone_checkpoint)
    else:
        _apply_embedded(cfg, root)
        warmup = _warmup_iters(cfg)  # the overlay's, before the schedule is stretched
        if spec.max_iters is not None:  # a study variant: another schedule length
            _apply_max_iters(cfg, spec.overlay, spec.max_iters)
        if spec.image_size is not None:  # a study variant: another image size
            _apply_image_size(cfg, spec.image_size)
        if spec.images_per_step is not None:  # another batch (the author's baselines')
            _apply_images_per_step(cfg, spec.images_per_step, warmup)
        if spec.pretrained is not None:  # the backbone starts from the synthetic pretraining
            _apply_backbone_init(
                cfg, paths.pretrained_backbone(paths.results_dir(), spec.pretrained)
            )
        scale = cfg.corrlib.get("demo_schedule_scale", 1)
        if spec.overlay != "smoke" and scale != 1:  # e.g. the 3x Sparse R-CNN of Table 5.2
            _apply_max_iters(cfg, spec.overlay, round(cfg.train_cfg.max_iters * scale))
    _apply_experiment(cfg, experiment)
    if over.max_iters is not None:
        _apply_max_iters(cfg, spec.overlay, over.max_iters)
    if over.val_interval is not None:
        _apply_val_interval(cfg, over.val_interval)
    if over.val_images is not None:
        _apply_val_images(cfg, over.val_images)
    if not run.validate:  # mmengine runs no validation loop when all three are None
        cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    if run.device == "cpu":
        cfg.env_cfg.dist_cfg = dict(backend="gloo")
    cfg.randomness = dict(seed=run.seed, deterministic=False)
    cfg.work_dir = str(run.work_dir)
    cfg.corrlib.update(
        experiment=experiment.id,
        profile=spec.name,
        detector=experiment.detector,
        data_root=str(root),
        seed=run.seed,
        device=run.device,
        reproduces=[str(ref) for ref in experiment.reproduces],
        val_images=over.val_images,
    )
    return cfg


def enable_pre_nms_positives(cfg: Config, score_permutation: str | None = None) -> Config:
    """Switch on the test-time pre-NMS positives (and optionally the score permutation).

    Sets ``emit_pre_nms_positives`` / ``score_permutation`` in ``model.test_cfg`` (see
    :mod:`corrlib.integration.heads.pre_nms`); the config is modified and returned.

    Raises:
        ValueError: the detector is NMS-free (``corrlib.nms_based`` is False).
    """
    if not cfg.get("corrlib", {}).get("nms_based", False):
        raise ValueError("pre-NMS positives need an NMS-based detector with a corrlib head")
    cfg.model.test_cfg.emit_pre_nms_positives = True
    cfg.model.test_cfg.score_permutation = score_permutation
    return cfg


# ---------------------------------------------------------------------------------------------
# Layers


def _merge_file(cfg: Config, path: Path, optional: bool = False) -> None:
    """Merge the overlay config file ``path`` onto ``cfg`` (mmengine's merge rules)."""
    if not path.is_file():
        if optional:
            return
        raise FileNotFoundError(f"config overlay not found: {path}")
    overlay = Config.fromfile(str(path))
    cfg.merge_from_dict(overlay.to_dict())


def _nodes(cfg: Config, dotted: str) -> Iterator[ConfigDict]:
    """The config dicts at a dotted path; a list at the path yields each of its items."""
    node: Any = cfg
    for key in dotted.split("."):
        node = node[key]
    yield from (node if isinstance(node, list) else [node])


def _datasets(cfg: Config) -> Iterator[tuple[str, ConfigDict]]:
    """(loader name, innermost dataset config) of each configured dataloader."""
    for name in _LOADERS:
        loader = cfg.get(name)
        if not loader:
            continue
        dataset = loader["dataset"]
        while "dataset" in dataset:  # wrappers such as RepeatDataset
            dataset = dataset["dataset"]
        yield name, dataset


def _apply_coco(cfg: Config, root: Path, gpus: int | None) -> None:
    """Paper profile: COCO 2017 under ``root``; images per GPU = total batch / gpus (None:
    one image per GPU, whatever the batch)."""
    # a detector config may fix its own (YOLACT's standard setting: 8 images per batch)
    total = int(cfg.corrlib.get("total_batch_size", cfg.get("total_batch_size", 16)))
    gpus = total if gpus is None else gpus
    if gpus < 1 or total % gpus:
        raise ValueError(f"gpus must divide the total batch size {total}, got {gpus}")
    cfg.data_root = f"{root}/"
    for _, dataset in _datasets(cfg):
        dataset.data_root = f"{root}/"
    for name in _EVALUATORS:
        if cfg.get(name) and "ann_file" in cfg[name]:
            cfg[name].ann_file = str(root / "annotations" / "instances_val2017.json")
    cfg.train_dataloader.batch_size = total // gpus


def _apply_backbone_init(cfg: Config, checkpoint: str | os.PathLike[str] | None) -> None:
    """Initialise the backbone from a local ``checkpoint`` file instead of mmdet's ImageNet
    download (``torchvision://resnet50``), or randomly (None). FileNotFoundError names a
    missing file; ValueError a config whose backbone has no ``init_cfg`` to replace."""
    backbone = cfg.model.get("backbone")
    if backbone is None or "init_cfg" not in backbone:
        raise ValueError("the detector config has no backbone init_cfg to replace")
    if checkpoint is None:
        backbone.init_cfg = None
        return
    path = Path(checkpoint)
    if not path.is_file():
        raise FileNotFoundError(
            f"backbone checkpoint not found: {path} (a pretraining's weights are made by "
            "python -m reproduction.running.pretrain)"
        )
    backbone.init_cfg = dict(type="Pretrained", checkpoint=str(path))


def _apply_val_images(cfg: Config, n_images: int) -> None:
    """Validate and test on the first ``n_images`` validation images (mmengine's dataset
    ``indices``; :class:`reproduction.spec.run.RunOverrides` checks the number)."""
    for name, dataset in _datasets(cfg):
        if name != "train_dataloader":
            dataset.indices = n_images


def _apply_embedded(cfg: Config, root: Path) -> None:
    """Smoke / demo: the embedded dataset at ``root``, its classes, ``num_classes``."""
    classes = _embedded_classes(root)
    cfg.data_root = f"{root}/"
    for _, dataset in _datasets(cfg):
        dataset.data_root = f"{root}/"
        dataset.metainfo = dict(classes=classes)
    for name in _EVALUATORS:
        if cfg.get(name):
            cfg[name].ann_file = str(root / "annotations" / "val.json")
    for path in cfg.corrlib.class_heads:
        for head in _nodes(cfg, path):
            head.num_classes = len(classes)


def _embedded_classes(root: Path) -> tuple[str, ...]:
    """Class names of an embedded dataset: its train annotations' categories, by id.

    Falls back to the preset's classes of ``reproduction.dataset`` when the dataset is not generated
    yet (so that a config can be printed before the data exist).
    """
    ann = root / "annotations" / "train.json"
    if ann.is_file():
        with open(ann, encoding="utf-8") as f:
            categories = json.load(f).get("categories", [])
        return tuple(c["name"] for c in sorted(categories, key=lambda c: c["id"]))
    preset = corrdata.PRESETS.get(root.name.split("-seed")[0], corrdata.PRESETS["demo"])
    return tuple(corrdata.CLASS_NAMES[: preset.n_classes])


def _apply_experiment(cfg: Config, experiment: Experiment) -> None:
    """Put the experiment's ``loss_corr`` (None for a baseline) on the detector's heads.

    Where the thesis is silent on how the loss is computed, the profile may follow the thesis
    author's code: ``corrlib.loss_corr_settings`` of the config (e.g. the paper profile's
    ``grouping``, ``moments``) completes the entry of an experiment that uses the thesis's
    settings; an experiment that names its own settings (:attr:`Experiment.variant`) keeps them.
    """
    settings = dict(cfg.corrlib.get("loss_corr_settings", {}))
    for path in cfg.corrlib.corr_heads:
        for head in _nodes(cfg, path):
            entry = experiment.loss_corr()
            if entry is not None and not experiment.variant:
                entry.update(settings)
            head.loss_corr = entry


_RESIZE_KEYS = ("scale", "scales", "crop_size")
"""The size-valued keys of mmdet's resizing and cropping transforms (Resize, RandomResize,
RandomChoiceResize, RandomCrop): pixel sizes, or lists of them."""


def _apply_image_size(cfg: Config, size: int) -> None:
    """Resize the images to ``size`` pixels instead of the overlay's ``image_size``: every
    size of every pipeline's resizing and cropping transforms (nested ones too) is scaled by
    size / the overlay's side, rounded to whole pixels. ValueError without an ``image_size``
    in the overlay, or for a size below 16."""
    if size < 16:
        raise ValueError(f"image_size must be at least 16 pixels, got {size}")
    if "image_size" not in cfg:
        raise ValueError("the profile's overlay defines no image_size to replace")
    factor = size / cfg.image_size[0]

    def scaled(value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return max(1, round(value * factor))
        if isinstance(value, (list, tuple)):
            return type(value)(scaled(v) for v in value)
        return value

    seen: set[int] = set()  # a pipeline may be shared by two dataloaders: scale it once

    def visit(node: Any) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, dict):
            for key in _RESIZE_KEYS:
                if key in node and "type" in node:
                    node[key] = scaled(node[key])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    for name in (*_LOADERS, "train_pipeline", "test_pipeline"):
        visit(cfg.get(name))
    cfg.image_size = (size, size)


def _warmup_iters(cfg: Config) -> int | None:
    """Return the iterations of the config's linear warm-up (None without one)."""
    for sched in cfg.get("param_scheduler") or []:
        if sched.get("type") == "LinearLR":
            return int(sched.end)
    return None


def _apply_images_per_step(cfg: Config, images: int, warmup: int | None) -> None:
    """Train on ``images`` images per step instead of the overlay's batch, one process, the
    learning rate unchanged (:attr:`reproduction.spec.profiles.Profile.images_per_step`), and
    the linear warm-up ``warmup`` iterations long whatever the schedule's length, as mmdet
    2.x's ``warmup_iters`` (the thesis author's configs warm up 500 iterations at either
    batch). ValueError below 1."""
    if isinstance(images, bool) or not isinstance(images, int) or images < 1:
        raise ValueError(f"images_per_step must be an integer >= 1, got {images!r}")
    cfg.train_dataloader.batch_size = images
    if warmup is not None:
        for sched in cfg.param_scheduler:
            if sched.get("type") == "LinearLR":
                sched.end = min(warmup, cfg.train_cfg.max_iters)


def _apply_max_iters(cfg: Config, overlay: str, max_iters: int) -> None:
    """Train ``max_iters`` iterations (:attr:`reproduction.spec.run.RunOverrides.max_iters`;
    the override and the profiles check the number)."""
    if overlay == "paper":
        cfg.train_cfg = dict(type="IterBasedTrainLoop", max_iters=max_iters, val_interval=max_iters)
        cfg.param_scheduler = [
            dict(
                type="LinearLR",
                start_factor=0.001,
                by_epoch=False,
                begin=0,
                end=min(500, max_iters),
            )
        ]
        cfg.default_hooks.checkpoint = dict(
            type="CheckpointHook", by_epoch=False, interval=max_iters, max_keep_ckpts=1
        )
        cfg.log_processor = dict(type="LogProcessor", window_size=50, by_epoch=False)
        # log (and time) at least once: seconds per iteration come from the log
        cfg.default_hooks.logger.interval = min(cfg.default_hooks.logger.interval, max_iters)
        return
    old = cfg.train_cfg.max_iters
    scale = max_iters / old
    for sched in cfg.param_scheduler:
        if "end" in sched:
            sched.end = max(1, round(sched.end * scale)) if sched.end < old else max_iters
        if "milestones" in sched:
            sched.milestones = [max(1, round(m * scale)) for m in sched.milestones]
    cfg.train_cfg.max_iters = max_iters
    cfg.train_cfg.val_interval = max_iters
    # the overlay's resume interval where the schedule is longer, else one checkpoint at the end
    hook = cfg.default_hooks.checkpoint
    hook.interval = min(hook.interval, max_iters)


def _apply_val_interval(cfg: Config, val_interval: int) -> None:
    """Validate every ``val_interval`` iterations (:attr:`reproduction.spec.run.RunOverrides.
    val_interval`, which checks the number); ValueError on an epoch-based schedule."""
    if cfg.train_cfg.get("type") != "IterBasedTrainLoop":
        raise ValueError(
            f"val_interval needs an iteration-based schedule, not {cfg.train_cfg.get('type')!r}"
        )
    cfg.train_cfg.val_interval = val_interval
    # log each evaluation at its iteration (mmengine's default logs the epoch: 0 here)
    cfg.default_hooks.logger.log_metric_by_epoch = False


__all__ = [
    "DEVICES",
    "PROFILES",
    "build_config",
    "data_root_of",
    "default_data_root",
    "detector_config_path",
    "enable_pre_nms_positives",
]
