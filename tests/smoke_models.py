"""Helpers shared by the detector tests: smoke-profile configs, models, batches and losses.

Everything runs on CPU with the embedded ``smoke`` dataset (fixture ``smoke_data_root``).
Batches are cached so that every model of a test sees the same images.
"""

from __future__ import annotations

from pathlib import Path

import torch

from reproduction.spec.run import Run

_BATCHES: dict[tuple, dict] = {}


def smoke_cfg(experiment: str, root: Path, work_dir: Path | None = None, **kwargs):
    """The smoke-profile config of an experiment on the dataset at ``root``."""
    from reproduction.running.config_builder import build_config

    work_dir = work_dir if work_dir is not None else root.parent / "work"
    return build_config(
        Run.resolve(
            experiment, "smoke", data_root=root, work_dir=work_dir, **{"validate": True, **kwargs}
        )
    )


def build_model(model_cfg, seed: int = 0) -> torch.nn.Module:
    """An initialised mmdet model from a model config, its weights drawn with ``seed``."""
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules

    register_all_modules()
    torch.manual_seed(seed)
    model = MODELS.build(model_cfg)
    model.init_weights()  # e.g. Sparse R-CNN's box deltas need their near-zero initialisation
    return model


def smoke_batch(cfg, split: str = "train", batch_size: int | None = None) -> dict:
    """One unprocessed batch (2 train / 4 val images by default), cached per pipeline."""
    from mmengine.runner import Runner

    size = batch_size or (2 if split == "train" else 4)
    key = (cfg.corrlib.detector, cfg.corrlib.data_root, split, size)
    if key not in _BATCHES:
        loader_cfg = (cfg.train_dataloader if split == "train" else cfg.val_dataloader).copy()
        loader_cfg.batch_size = size
        _BATCHES[key] = next(iter(Runner.build_dataloader(loader_cfg, seed=0)))
    return _BATCHES[key]


def head_losses(model, data: dict) -> dict:
    """The dense head's loss dict on a batch (training-mode forward, no optimiser step)."""
    model.train()
    processed = model.data_preprocessor(data, True)
    feats = model.extract_feat(processed["inputs"])
    return model.bbox_head.loss(feats, processed["data_samples"])


def total_loss(losses: dict) -> torch.Tensor:
    """The sum of every ``loss*`` entry of a loss dict (lists summed first)."""
    return sum(sum(v) if isinstance(v, list) else v for k, v in losses.items() if "loss" in k)


def assert_matches_mmdet(ours, theirs, cfg, losses) -> None:
    """Assert two models with equal weights give identical losses and predictions.

    ``losses(model, batch)`` returns a loss dict; every entry must be equal to the bit, and the
    predicted scores and boxes on a validation batch equal.
    """
    theirs.load_state_dict(ours.state_dict())
    data = smoke_batch(cfg)
    l_ours, l_theirs = losses(ours, data), losses(theirs, data)
    assert set(l_ours) == set(l_theirs)
    for key in l_ours:
        torch.testing.assert_close(
            total_loss({key: l_ours[key]}), total_loss({key: l_theirs[key]}), rtol=0, atol=0
        )
    val = smoke_batch(cfg, "val")
    ours.eval(), theirs.eval()
    with torch.no_grad():
        p_ours, p_theirs = ours.test_step(val), theirs.test_step(val)
    for a, b in zip(p_ours, p_theirs, strict=True):
        torch.testing.assert_close(a.pred_instances.scores, b.pred_instances.scores)
        torch.testing.assert_close(a.pred_instances.bboxes, b.pred_instances.bboxes)
