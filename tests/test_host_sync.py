"""Correlation Loss adds no host synchronisation to a training step, on any corrlib head.

Counted on CPU with :class:`corrlib.sync.HostSyncCounter` (the aten operations that, on a GPU,
make the host wait for the device or copy a Python value onto it), over ``model.loss`` and
``backward`` of one smoke-profile step: each head with its Correlation Loss against the same
model, same weights and batch, with the loss switched off. Every coefficient and every
reduction the head supports; a rank-faithful Spearman Loss may add two (it compacts the
positives, then its soft rank, on a GPU's parallel path, checks once that it converged).
Values are checked as on a GPU (deferred: no wait).
"""

from __future__ import annotations

import pytest
import torch
from smoke_models import build_model, smoke_batch, smoke_cfg, total_loss

from corrlib.losses import checks, correlation
from corrlib.sync import HostSyncCounter

HEADS: dict[str, tuple[str, tuple[str, ...]]] = {
    "retinanet": ("retinanet_spearman_0.1", ("batch", "level_mean", "image_sum")),
    "fovea": ("fovea_concordance_0.2", ("batch", "level_mean", "image_sum")),
    "atss": ("atss_concordance_0.3", ("batch", "level_mean", "image_sum")),
    "paa": ("paa_concordance_0.3", ("batch", "level_mean", "image_sum")),
    "sparsercnn": ("sparsercnn_spearman_0.2", ("batch",)),
    "yolact": ("yolact_concordance_0.4", ("batch", "image_sum")),
}
"""Detector → (a Correlation-Loss experiment of it, the reductions its head passes groups for)."""

SETTINGS: tuple[dict, ...] = (
    {"kind": "concordance"},
    {"kind": "pearson"},
    {"kind": "spearman"},
    {"kind": "concordance", "moments": "sample"},
    {"kind": "spearman", "rank_scale": "unit_gap"},
)
"""The loss settings counted on every head and reduction."""

RANK_FAITHFUL_SYNCS = 2
"""What one rank-faithful Spearman Loss call may add: the compaction of its positives and the
convergence check of its parallel soft rank (the path a GPU takes, forced here)."""


def _corr_modules(model) -> list:
    """Every ``loss_corr`` module of the model (Sparse R-CNN: one per stage)."""
    heads = [model.bbox_head] if hasattr(model, "bbox_head") else list(model.roi_head.bbox_head)
    return [h.loss_corr for h in heads if getattr(h, "loss_corr", None) is not None]


def _syncs(model, data: dict) -> tuple[int, dict]:
    """Host-syncing calls of one training step's loss and backward (total, by operator)."""
    model.train()
    model.zero_grad()
    processed = model.data_preprocessor(data, True)
    torch.manual_seed(0)  # the samplers of some heads draw at random
    with HostSyncCounter() as counter:
        losses = model.loss(processed["inputs"], processed["data_samples"])
        total_loss(losses).backward()
    return counter.total, dict(counter.counts)


@pytest.mark.slow
@pytest.mark.parametrize("detector", sorted(HEADS))
def test_correlation_loss_adds_no_host_synchronisation(detector, smoke_data_root, monkeypatch):
    monkeypatch.setattr(correlation, "RANK_METHOD", "parallel")  # a GPU's soft-rank path
    experiment, reductions = HEADS[detector]
    cfg = smoke_cfg(experiment, smoke_data_root)
    model = build_model(cfg.model)
    data = smoke_batch(cfg)
    modules = _corr_modules(model)
    assert modules, f"{experiment} has no loss_corr"
    heads = [model.bbox_head] if hasattr(model, "bbox_head") else list(model.roi_head.bbox_head)
    previous = checks.set_validation("deferred")
    checks.raise_pending(wait=True)
    try:
        for head in heads:
            head.loss_corr = None
        baseline, base_ops = _syncs(model, data)
        for head, module in zip(heads, modules, strict=True):
            head.loss_corr = module
        failures = []
        for reduction in reductions:
            for setting in SETTINGS:
                for module in modules:
                    module.reduction = reduction
                    module.kind = setting["kind"]
                    module.moments = setting.get("moments", "population")
                    module.rank_scale = setting.get("rank_scale", "absolute")
                    module.regularization_strength = None
                # a rank-faithful loss call compacts its positives (one nonzero) and soft-ranks
                # them with a GPU's parallel PAV, which checks once that it has converged
                allowed = RANK_FAITHFUL_SYNCS if setting.get("rank_scale") == "unit_gap" else 0
                allowed *= len(modules)
                got, ops = _syncs(model, data)
                checks.raise_pending(wait=True)
                if got > baseline + allowed:
                    extra = {k: v - base_ops.get(k, 0) for k, v in ops.items()}
                    failures.append(f"{reduction} {setting}: {got} vs {baseline} ({extra})")
        assert not failures, "\n".join(failures)
    finally:
        checks.set_validation(previous)


def test_the_counter_sees_what_waits_and_nothing_else():
    x = torch.rand(10)
    with HostSyncCounter() as counter:
        y = (x * 2.0 + 1.0).sum()
        _ = torch.where(x > 0.5, x, x * 0.0).mean()
        _ = x.index_add(0, torch.zeros(10, dtype=torch.long), x)
    assert counter.total == 0, counter.counts
    with HostSyncCounter() as counter:
        float(y)
        _ = x[x > 0.5]
        _ = (x > 0.5).nonzero()
        _ = torch.tensor([1.0, 2.0])
    assert counter.counts["_local_scalar_dense"] == 1
    assert counter.counts["nonzero"] >= 1
    assert counter.total >= 4, counter.counts
