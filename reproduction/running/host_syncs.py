"""Counting the host synchronisations a training step's Correlation Loss adds, per head.

One home for what the sync test (``tests/test_host_sync.py``) asserts and the sync benchmark
(``benchmarks/bench_syncs.py``) prints: which experiment stands for each corrlib head and which
groupings its head passes groups for, how to switch a model's loss off and on, and how one
step is counted (:class:`corrlib.sync.HostSyncCounter`, as a GPU would run it).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator

import torch

from corrlib.losses import correlation, raise_pending, validation
from corrlib.sync import HostSyncCounter

SYNC_HEADS: dict[str, tuple[str, tuple[str, ...]]] = {
    "retinanet": ("retinanet_spearman_0.1", ("batch", "level_mean", "image_sum")),
    "fovea": ("fovea_concordance_0.2", ("batch", "level_mean", "image_sum")),
    "atss": ("atss_concordance_0.3", ("batch", "level_mean", "image_sum")),
    "paa": ("paa_concordance_0.3", ("batch", "level_mean", "image_sum")),
    "sparsercnn": ("sparsercnn_spearman_0.2", ("batch",)),
    "yolact": ("yolact_concordance_0.4", ("batch", "image_sum")),
}
"""Detector → (a Correlation-Loss experiment of it, the groupings its head passes groups for)."""


def loss_heads(model) -> list:  # noqa: ANN001 - an mmdet detector
    """Return the model's heads that can carry ``loss_corr`` (Sparse R-CNN: one per stage)."""
    return [model.bbox_head] if hasattr(model, "bbox_head") else list(model.roi_head.bbox_head)


def set_loss_settings(modules: list, grouping: str, setting: dict) -> None:
    """Give every ``loss_corr`` module of ``modules`` the ``grouping`` and the loss
    ``setting`` (``kind``, and ``moments`` / ``rank_scale`` where not the thesis's)."""
    for module in modules:
        module.grouping = grouping
        module.kind = setting["kind"]
        module.moments = setting.get("moments", "population")
        module.rank_scale = setting.get("rank_scale", "absolute")
        module.regularization_strength = None


@contextlib.contextmanager
def as_on_a_gpu() -> Iterator[None]:
    """Values checked deferred and soft ranks on the parallel path, as on a GPU."""
    previous = correlation.RANK_METHOD
    correlation.RANK_METHOD = "parallel"
    try:
        with validation("deferred"):
            yield
    finally:
        correlation.RANK_METHOD = previous


def step_syncs(model, data: dict) -> Counter[str]:  # noqa: ANN001 - an mmdet detector
    """Return the host-syncing calls of one training step's ``model.loss`` and ``backward``
    by aten operator, the loss run as on a GPU (values checked deferred, soft ranks on the
    parallel path); the samplers' random draws seeded alike for every call."""
    model.train()
    model.zero_grad()
    processed = model.data_preprocessor(data, True)
    torch.manual_seed(0)
    raise_pending(wait=True)
    with as_on_a_gpu(), HostSyncCounter() as counter:
        losses = model.loss(processed["inputs"], processed["data_samples"])
        total = sum(sum(v) if isinstance(v, list) else v for k, v in losses.items() if "loss" in k)
        total.backward()
    raise_pending(wait=True)
    return counter.counts
