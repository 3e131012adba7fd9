"""Benchmark: host-syncing operations of one training step, per head, with and without the loss.

Prints a Markdown table: for each corrlib head (the smoke profile's model, 2 images), the
host-syncing aten calls (:class:`corrlib.sync.HostSyncCounter`: what makes a GPU's host wait,
counted on any device) of ``model.loss`` + ``backward`` without Correlation Loss, and how many
the loss adds for each coefficient and each grouping the head passes groups for. Values are
checked as on a GPU (deferred) and soft ranks take a GPU's parallel path. The tests hold the
added count at zero, two for a rank-faithful Spearman Loss (``tests/test_host_sync.py``);
this prints it.

    .venv/bin/python benchmarks/bench_syncs.py [--detectors retinanet,atss]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import torch

from reproduction.running.host_syncs import SYNC_HEADS, loss_heads, set_loss_settings, step_syncs
from reproduction.spec.run import Run

SETTINGS: dict[str, dict] = {
    "concordance": {"kind": "concordance"},
    "pearson": {"kind": "pearson"},
    "spearman": {"kind": "spearman"},
    "spearman, unit_gap": {"kind": "spearman", "rank_scale": "unit_gap"},
}


def _model_and_batch(experiment: str, data_root: Path):
    """The smoke-profile model of ``experiment`` (seed 0) and one training batch."""
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    from mmengine.runner import Runner

    from reproduction.running.config_builder import build_config

    cfg = build_config(
        Run.resolve(
            experiment, "smoke", data_root=data_root, work_dir=data_root / "work", validate=True
        )
    )
    register_all_modules()
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    loader = cfg.train_dataloader.copy()
    loader.batch_size = 2
    return model, next(iter(Runner.build_dataloader(loader, seed=0)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detectors", default=",".join(SYNC_HEADS))
    args = parser.parse_args()
    from reproduction.dataset import generate_preset

    torch.set_num_threads(1)
    data_root = generate_preset("smoke", Path(tempfile.mkdtemp()) / "smoke")
    print("Host-syncing calls of one smoke training step (2 images), loss + backward\n")
    print("| head | grouping | without the loss | " + " | ".join(SETTINGS) + " |")
    print("|---|---|---:|" + "---:|" * len(SETTINGS))
    for detector in args.detectors.split(","):
        experiment, groupings = SYNC_HEADS[detector]
        model, data = _model_and_batch(experiment, data_root)
        heads = loss_heads(model)
        modules = [h.loss_corr for h in heads]
        for head in heads:
            head.loss_corr = None
        baseline = step_syncs(model, data).total()
        for head, module in zip(heads, modules, strict=True):
            head.loss_corr = module
        for grouping in groupings:
            added = []
            for setting in SETTINGS.values():
                set_loss_settings(modules, grouping, setting)
                added.append(step_syncs(model, data).total() - baseline)
            cells = " | ".join(f"{a:+d}" for a in added)
            print(f"| {detector} | {grouping} | {baseline} | {cells} |")


if __name__ == "__main__":
    main()
