"""The comparison methods of Tables 3.1, 3.2 and 5.4 on the common ATSS baseline, and DETR.

Each method trains 2 iterations in the smoke profile through mmengine's Runner, with and without
Correlation Loss; the heads are checked directly (loss keys, gradients reaching both branches,
pre-NMS positives at test time); configs and registry entries are checked in all profiles.
CPU only, the embedded ``smoke`` dataset (fixture ``smoke_data_root``).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import torch
from smoke_models import build_model, head_losses, smoke_batch, smoke_cfg, total_loss

from reproduction.spec.experiments import DETECTORS, get_experiment, list_experiments
from reproduction.spec.run import Run

CORR = dict(type="CorrelationLoss", kind="concordance", loss_weight=0.2, gradient="classifier")

# experiment id (or (baseline id, add loss_corr)), loss keys the log must show
RUNS: dict[str, tuple[str, bool, tuple[str, ...]]] = {
    "centerness": ("atss_centerness_baseline", False, ("loss_cls", "loss_centerness")),
    "centerness+corr": ("atss_centerness_concordance_0.2", False, ("loss_centerness",)),
    "qfl": ("atss_qfl_baseline", False, ("loss_cls", "loss_bbox")),
    "qfl+corr": ("atss_qfl_concordance_0.2", False, ("loss_cls",)),
    "rs": ("atss_rs_baseline", False, ("loss_rank", "loss_sort", "loss_bbox")),
    "rs+corr": ("atss_rs_concordance_0.2", False, ("loss_rank", "loss_sort")),
    "aploss": ("atss_aploss_baseline", False, ("loss_cls", "loss_bbox")),
    "aploss+corr": ("atss_aploss_baseline", True, ("loss_cls",)),
    "alrp": ("atss_alrp_baseline", False, ("loss_cls", "loss_bbox")),
    "alrp+corr": ("atss_alrp_baseline", True, ("loss_cls",)),
    "detr": ("detr_baseline", False, ("loss_cls", "loss_bbox", "loss_iou")),
}
NEW_ATSS = ("atss_qfl", "atss_rs", "atss_aploss", "atss_alrp")
HEAD_TYPES = {
    "atss_qfl": ("CorrQFLATSSHead", "QualityFocalLoss"),
    "atss_rs": ("CorrRankingATSSHead", "RankSortLoss"),
    "atss_aploss": ("CorrRankingATSSHead", "APLoss"),
    "atss_alrp": ("CorrRankingATSSHead", "aLRPLoss"),
}


# ---------------------------------------------------------------------------------------------
# two training iterations through the Runner


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(RUNS))
def test_method_trains_two_iterations_in_smoke_profile(name, smoke_data_root, tmp_path):
    from reproduction.running.train import train_config as train

    experiment, add_corr, keys = RUNS[name]
    cfg = smoke_cfg(experiment, smoke_data_root, tmp_path, validate=False)
    run = f"{name}-{uuid.uuid4().hex[:8]}"
    cfg.experiment_name = cfg.visualizer.name = run  # own logger and visualizer
    if add_corr:
        cfg.model.bbox_head.loss_corr = dict(CORR)
    train(cfg)

    scalars = list(tmp_path.glob("*/vis_data/scalars.json"))
    assert len(scalars) == 1
    logged = [json.loads(line) for line in scalars[0].read_text().splitlines()]
    assert [rec["iter"] for rec in logged] == [1, 2]
    with_corr = add_corr or not get_experiment(experiment).is_baseline
    for rec in logged:
        assert ("loss_corr" in rec) == with_corr
        assert all(k in rec for k in keys), (keys, sorted(rec))
        assert torch.isfinite(torch.tensor(rec["loss"]))
    assert (tmp_path / "iter_2.pth").is_file()


# ---------------------------------------------------------------------------------------------
# the heads, built directly

_MODELS: dict[tuple, torch.nn.Module] = {}


def _batch(root: Path, split: str = "train") -> dict:
    """One cached smoke batch (the ATSS pipeline every method here shares)."""
    return smoke_batch(smoke_cfg("atss_baseline", root), split)


def _model(experiment: str, root: Path, corr: bool = False):
    """The smoke-profile model of an experiment (seed 0), optionally with ``CORR``; cached."""
    key = (experiment, str(root), corr)
    if key not in _MODELS:
        cfg = smoke_cfg(experiment, root)
        if corr:
            cfg.model.bbox_head.loss_corr = dict(CORR)
        _MODELS[key] = build_model(cfg.model)
    return _MODELS[key]


@pytest.mark.parametrize("detector", NEW_ATSS)
def test_head_losses_reach_both_branches(detector, smoke_data_root):
    model = _model(f"{detector}_baseline", smoke_data_root)
    model.zero_grad()
    losses = head_losses(model, _batch(smoke_data_root))
    assert "loss_corr" not in losses and "loss_centerness" not in losses
    total_loss(losses).backward()
    head = model.bbox_head
    assert head.atss_cls.weight.grad.abs().sum() > 0
    assert head.atss_reg.weight.grad.abs().sum() > 0
    assert not any(
        p.grad is not None and p.grad.abs().sum() > 0
        for n, p in head.named_parameters()
        if "centerness" in n
    )


@pytest.mark.parametrize("detector", NEW_ATSS)
def test_loss_corr_adds_a_term_and_leaves_the_method_losses_unchanged(detector, smoke_data_root):
    data = _batch(smoke_data_root)
    base = head_losses(_model(f"{detector}_baseline", smoke_data_root), data)
    corr = head_losses(_model(f"{detector}_baseline", smoke_data_root, corr=True), data)
    assert set(corr) == set(base) | {"loss_corr"}
    for key, value in base.items():
        torch.testing.assert_close(total_loss({key: corr[key]}), total_loss({key: value}))
    assert 0.0 <= float(corr["loss_corr"]) <= 2 * CORR["loss_weight"]


def test_rs_head_self_balances_the_box_loss(smoke_data_root):
    losses = head_losses(_model("atss_rs_baseline", smoke_data_root), _batch(smoke_data_root))
    ranking = float(losses["loss_rank"] + losses["loss_sort"])
    assert 0.0 < ranking <= 2.0
    assert float(losses["loss_bbox"]) == pytest.approx(ranking, rel=1e-5)


def test_ranking_head_rejects_other_losses_and_the_aux_head(smoke_data_root):
    from mmdet.registry import MODELS

    cfg = smoke_cfg("atss_rs_baseline", smoke_data_root).model.bbox_head
    with pytest.raises(ValueError, match="auxiliary"):
        MODELS.build(dict(cfg, with_aux_head=True))
    with pytest.raises(TypeError, match="RankSortLoss"):
        MODELS.build(dict(cfg, loss_cls=dict(type="FocalLoss", use_sigmoid=True)))


@pytest.mark.parametrize("detector", NEW_ATSS)
def test_pre_nms_positives_on_the_comparison_heads(detector, smoke_data_root):
    from corrlib.integration.heads import PreNMSPositivesMixin

    assert isinstance(
        _model(f"{detector}_baseline", smoke_data_root).bbox_head, PreNMSPositivesMixin
    )
    model = _model(f"{detector}_baseline", smoke_data_root).eval()
    outputs = {}
    for permutation in (None, "upper"):
        # the switches are read at predict time; random weights: keep every candidate
        model.bbox_head.test_cfg.update(
            score_thr=0.0,
            max_per_img=100_000,
            emit_pre_nms_positives=True,
            score_permutation=permutation,
        )
        with torch.no_grad():
            outputs[permutation] = model.test_step(_batch(smoke_data_root, "val"))
    assert sum(len(s.pre_nms_positives) for s in outputs[None]) >= 2
    for plain, upper in zip(outputs[None], outputs["upper"], strict=True):
        pos, q = plain.pre_nms_positives, upper.pre_nms_positives
        assert bool((pos.ious >= 0.5).all())
        torch.testing.assert_close(q.scores.sort().values, pos.scores.sort().values)
        by_iou = q.scores[q.ious.argsort(descending=True, stable=True)]
        assert bool((by_iou[1:] <= by_iou[:-1]).all())


def test_detr_predicts_without_nms(smoke_data_root):
    model = _model("detr_baseline", smoke_data_root).eval()
    with torch.no_grad():
        out = model.test_step(_batch(smoke_data_root, "val"))
    assert all(len(s.pred_instances) == model.num_queries for s in out)


# ---------------------------------------------------------------------------------------------
# configs and registry


@pytest.mark.parametrize("profile", ["smoke", "demo", "paper"])
def test_configs_in_every_profile(profile, tmp_path):
    from reproduction.running.config_builder import build_config

    for detector, (head_type, loss_type) in HEAD_TYPES.items():
        cfg = build_config(
            Run.resolve(f"{detector}_baseline", profile, data_root=tmp_path, validate=True)
        )
        head = cfg.model.bbox_head
        assert head.type == head_type and head.loss_cls.type == loss_type
        assert head.with_aux_head is False and head.loss_corr is None
        assert "gamma" not in head.loss_cls  # focal loss's arguments do not leak in
        assert cfg.corrlib.nms_based
        if profile == "paper":
            assert cfg.model.backbone.depth == 50 and head.in_channels == 256
            lr = 0.01 if detector == "atss_qfl" else 0.008
            assert cfg.optim_wrapper.optimizer.lr == pytest.approx(lr)
        else:
            fpn = 32 if profile == "demo" else 64  # the default demo narrows every dense head
            assert cfg.model.backbone.depth == 18 and head.in_channels == fpn
    detr = build_config(Run.resolve("detr_baseline", profile, data_root=tmp_path, validate=True))
    assert detr.model.type == "DETR" and not detr.corrlib.nms_based
    assert "loss_corr" not in detr.model.bbox_head
    if profile == "paper":
        assert detr.model.bbox_head.embed_dims == 256 and detr.model.num_queries == 100
    else:
        assert detr.model.bbox_head.embed_dims == detr.model.neck.out_channels == 64
        assert detr.model.encoder.num_layers == detr.model.decoder.num_layers == 2
        assert detr.optim_wrapper.optimizer.type == "AdamW"


def test_registry_has_the_comparison_rows():
    assert {"atss_qfl", "atss_rs", "atss_aploss", "atss_alrp", "detr"} <= set(DETECTORS)
    t31 = {e.id for e in list_experiments(table="3.1")}
    assert t31 == {
        "atss_aploss_baseline",
        "atss_baseline",
        "atss_centerness_baseline",
        "atss_alrp_baseline",
        "atss_qfl_baseline",
        "atss_rs_baseline",
    }
    t32 = {e.id for e in list_experiments(table="3.2")}
    assert t32 == t31 | {"sparsercnn_baseline", "detr_baseline"}
    t54 = {e.id for e in list_experiments(table="5.4")}
    assert {
        "atss_qfl_baseline",
        "atss_qfl_concordance_0.2",
        "atss_rs_baseline",
        "atss_rs_concordance_0.2",
    } <= t54
    assert {e.loss_weight for e in list_experiments(detector="atss_rs", table="5.7")} == {
        0.0,
        0.1,
        0.2,
        0.3,
        0.4,
        0.5,
    }


def test_report_maps_every_comparison_row_to_the_thesis():
    from reproduction.spec.thesis_rows import thesis_keys

    expected = {
        "atss_aploss_baseline": "atss_ap",
        "atss_alrp_baseline": "atss_alrp",
        "atss_qfl_baseline": "atss_qfl",
        "atss_rs_baseline": "atss_rs",
        "detr_baseline": "detr",
    }
    for experiment, key in expected.items():
        assert thesis_keys(experiment, "3.2") == [key]
    assert thesis_keys("atss_rs_concordance_0.2", "5.4") == ["atss_rs+conc"]
    assert thesis_keys("atss_qfl_concordance_0.2", "5.4") == ["atss_qfl+conc"]
    assert thesis_keys("atss_rs_concordance_0.3", "5.7") == ["atss_rs+conc@0.3"]
