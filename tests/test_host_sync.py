"""Correlation Loss adds no host synchronisation to a training step, on any corrlib head.

Counted on CPU with :class:`corrlib.sync.HostSyncCounter` (the aten operations that, on a GPU,
make the host wait for the device or copy a Python value onto it), over ``model.loss`` and
``backward`` of one smoke-profile step: each head with its Correlation Loss against the same
model, same weights and batch, with the loss switched off. Every coefficient and every
grouping the head supports; a rank-faithful Spearman Loss may add two (it compacts the
positives, then its soft rank, on a GPU's parallel path, checks once that it converged).
Values are checked as on a GPU (deferred: no wait).
"""

from __future__ import annotations

import pytest
import torch
from smoke_models import build_model, smoke_batch, smoke_cfg

from corrlib.sync import HostSyncCounter
from reproduction.running.host_syncs import SYNC_HEADS, loss_heads, set_loss_settings, step_syncs

SETTINGS: tuple[dict, ...] = (
    {"kind": "concordance"},
    {"kind": "pearson"},
    {"kind": "spearman"},
    {"kind": "concordance", "moments": "sample"},
    {"kind": "spearman", "rank_scale": "unit_gap"},
)
"""The loss settings counted on every head and grouping."""

RANK_FAITHFUL_SYNCS = 2
"""What one rank-faithful Spearman Loss call may add: the compaction of its positives and the
convergence check of its parallel soft rank (the path a GPU takes, counted here)."""


@pytest.mark.slow
@pytest.mark.parametrize("detector", sorted(SYNC_HEADS))
def test_correlation_loss_adds_no_host_synchronisation(detector, smoke_data_root):
    experiment, groupings = SYNC_HEADS[detector]
    cfg = smoke_cfg(experiment, smoke_data_root)
    model = build_model(cfg.model)
    data = smoke_batch(cfg)
    heads = loss_heads(model)
    modules = [h.loss_corr for h in heads if getattr(h, "loss_corr", None) is not None]
    assert modules, f"{experiment} has no loss_corr"
    for head in heads:
        head.loss_corr = None
    base_ops = step_syncs(model, data)
    baseline = base_ops.total()
    for head, module in zip(heads, modules, strict=True):
        head.loss_corr = module
    failures = []
    for grouping in groupings:
        for setting in SETTINGS:
            set_loss_settings(modules, grouping, setting)
            # a rank-faithful loss call compacts its positives (one nonzero) and soft-ranks
            # them with a GPU's parallel PAV, which checks once that it has converged
            allowed = RANK_FAITHFUL_SYNCS if setting.get("rank_scale") == "unit_gap" else 0
            allowed *= len(modules)
            ops = step_syncs(model, data)
            got = ops.total()
            if got > baseline + allowed:
                extra = {k: v - base_ops.get(k, 0) for k, v in ops.items()}
                failures.append(f"{grouping} {setting}: {got} vs {baseline} ({extra})")
    assert not failures, "\n".join(failures)


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
