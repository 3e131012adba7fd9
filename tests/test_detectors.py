"""Correlation Loss on RetinaNet, FoveaBox, ATSS and PAA heads; pre-NMS positives; configs.

All on CPU with the embedded ``smoke`` dataset (fixture ``smoke_data_root``). Tests that run
mmengine's Runner are marked slow (seconds each); everything else builds models directly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from smoke_models import (
    assert_matches_mmdet,
    build_model,
    head_losses,
    smoke_batch,
    smoke_cfg,
    total_loss,
)

from reproduction.spec.experiments import (
    DETECTORS,
    experiment_ids,
    get_experiment,
    list_experiments,
)
from reproduction.spec.run import Run

# detector -> (baseline, with Correlation Loss at the thesis's λ), mmdet's own head,
# (regression conv, classification conv) of the head
CASES = {
    "retinanet": (
        ("retinanet_baseline", "retinanet_spearman_0.1"),
        "RetinaHead",
        ("retina_reg", "retina_cls"),
    ),
    "fovea": (("fovea_baseline", "fovea_concordance_0.2"), "FoveaHead", ("conv_reg", "conv_cls")),
    "atss": (("atss_baseline", "atss_concordance_0.3"), "ATSSHead", ("atss_reg", "atss_cls")),
    "paa": (("paa_baseline", "paa_concordance_0.3"), "PAAHead", ("atss_reg", "atss_cls")),
}
CORRLIB_ONLY_KEYS = ("loss_corr", "with_aux_head")


# ---------------------------------------------------------------------------------------------
# helpers


_MODELS: dict[tuple, torch.nn.Module] = {}


def _model(experiment: str, root: Path, **head):
    """The smoke-profile model of an experiment (seed 0), with head overrides; cached."""
    key = (experiment, str(root), tuple(sorted(head.items())))
    if key not in _MODELS:
        cfg = smoke_cfg(experiment, root)
        cfg.model.bbox_head.update(head)
        _MODELS[key] = build_model(cfg.model)
    return _MODELS[key]


def _grads(model, data: dict, names: tuple[str, str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Gradients of the head's regression and classification output convs after backward."""
    model.zero_grad()
    total_loss(head_losses(model, data)).backward()
    head = model.bbox_head
    return tuple(getattr(head, n).weight.grad.detach().clone() for n in names)


# ---------------------------------------------------------------------------------------------
# training through mmengine's Runner


@pytest.mark.slow
@pytest.mark.parametrize("with_corr", [False, True], ids=["baseline", "corr"])
@pytest.mark.parametrize("detector", sorted(CASES))
def test_trains_two_iterations_in_smoke_profile(detector, with_corr, smoke_data_root, tmp_path):
    from corrlib.integration.checkpoints import allow_mmengine_checkpoints
    from reproduction.running.train import train_config as train

    experiment = CASES[detector][0][int(with_corr)]
    cfg = smoke_cfg(experiment, smoke_data_root, tmp_path, validate=False)
    train(cfg)

    scalars = list(tmp_path.glob("*/vis_data/scalars.json"))
    assert len(scalars) == 1
    logged = [json.loads(line) for line in scalars[0].read_text().splitlines()]
    assert [rec["iter"] for rec in logged] == [1, 2]
    assert all(("loss_corr" in rec) == with_corr for rec in logged)
    assert all(torch.isfinite(torch.tensor(rec["loss"])) for rec in logged)
    ckpt = tmp_path / "iter_2.pth"
    assert ckpt.is_file()
    allow_mmengine_checkpoints()  # the checkpoint loads with torch's safe loader
    state = torch.load(ckpt, map_location="cpu", weights_only=True)
    assert state["meta"]["iter"] == 2 and "state_dict" in state


# ---------------------------------------------------------------------------------------------
# the loss term


@pytest.mark.parametrize("detector", sorted(CASES))
def test_loss_dict_has_loss_corr_only_when_configured(detector, smoke_data_root):
    (base_id, corr_id), _, _ = CASES[detector]
    data = smoke_batch(smoke_cfg(base_id, smoke_data_root))
    base_model = _model(base_id, smoke_data_root)
    corr_model = _model(corr_id, smoke_data_root)
    corr_model.load_state_dict(base_model.state_dict())
    base, corr = head_losses(base_model, data), head_losses(corr_model, data)
    assert "loss_corr" not in base
    assert set(corr) == set(base) | {"loss_corr"}
    value = corr["loss_corr"]
    assert value.dim() == 0 and value.requires_grad
    lam = get_experiment(corr_id).loss_weight
    assert 0.0 <= value.item() <= 2.0 * lam + 1e-6  # λ · (1 − ρ), ρ ∈ [−1, 1]
    assert value.item() > 0.0  # random init: far from perfect correlation
    for key in base:  # the detector's own terms are untouched
        torch.testing.assert_close(total_loss({key: corr[key]}), total_loss({key: base[key]}))


@pytest.mark.parametrize("detector", sorted(CASES))
def test_gradient_switch_selects_the_branch(detector, smoke_data_root):
    """gradient='classifier': the regression conv gets the baseline's gradients, the
    classifier's change; gradient='regressor': the other way round (§5.5.4)."""
    (base_id, corr_id), _, names = CASES[detector]
    data = smoke_batch(smoke_cfg(base_id, smoke_data_root))
    base, corr = _model(base_id, smoke_data_root), _model(corr_id, smoke_data_root)
    corr.load_state_dict(base.state_dict())
    g_base = _grads(base, data, names)
    switch = corr.bbox_head.loss_corr
    assert switch.gradient == "classifier"  # the thesis's choice is the default

    reg, cls = _grads(corr, data, names)
    torch.testing.assert_close(reg, g_base[0], rtol=1e-6, atol=1e-9)
    assert not torch.allclose(cls, g_base[1], rtol=1e-6, atol=1e-9)

    switch.gradient = "regressor"
    try:
        reg, cls = _grads(corr, data, names)
    finally:
        switch.gradient = "classifier"
    torch.testing.assert_close(cls, g_base[1], rtol=1e-6, atol=1e-9)
    # random init: near-constant scores make the IoU-side gradient tiny, but it is there
    assert not torch.equal(reg, g_base[0])


@pytest.mark.parametrize("detector", sorted(CASES))
def test_without_loss_corr_the_head_is_mmdets(detector, smoke_data_root):
    """loss_corr=None (and the aux head on): same losses and predictions as mmdet's head."""
    (base_id, _), mmdet_head, _ = CASES[detector]
    cfg = smoke_cfg(base_id, smoke_data_root)
    ours_cfg = cfg.model.deepcopy()
    if "with_aux_head" in ours_cfg.bbox_head:
        ours_cfg.bbox_head.with_aux_head = True
    theirs_cfg = ours_cfg.deepcopy()
    theirs_cfg.bbox_head.type = mmdet_head
    for key in CORRLIB_ONLY_KEYS:
        theirs_cfg.bbox_head.pop(key, None)
    ours, theirs = build_model(ours_cfg), build_model(theirs_cfg)
    assert_matches_mmdet(ours, theirs, cfg, head_losses)


@pytest.mark.parametrize("detector", ["atss", "paa"])
def test_aux_head_off_has_no_aux_parameters_or_loss(detector, smoke_data_root):
    (base_id, _), _, _ = CASES[detector]
    cfg = smoke_cfg(base_id, smoke_data_root)
    assert cfg.model.bbox_head.with_aux_head is False
    model = _model(base_id, smoke_data_root)
    assert not list(model.bbox_head.atss_centerness.parameters())
    losses = head_losses(model, smoke_batch(cfg))
    assert not {"loss_centerness", "loss_iou"} & set(losses)


# ---------------------------------------------------------------------------------------------
# pre-NMS positives


_PREDICTORS: dict[str, torch.nn.Module] = {}


def _predict(experiment: str, root: Path, permutation: str | None) -> list:
    """Predictions on a val batch with pre-NMS positives (and the given permutation)."""
    from reproduction.running.config_builder import enable_pre_nms_positives

    cfg = smoke_cfg(experiment, root)
    enable_pre_nms_positives(cfg, permutation)
    cfg.model.test_cfg.score_thr = 0.0  # random weights: keep every candidate
    cfg.model.test_cfg.max_per_img = 100_000  # ... and every detection NMS leaves
    if experiment not in _PREDICTORS:
        _PREDICTORS[experiment] = build_model(cfg.model).eval()
    model = _PREDICTORS[experiment]
    model.bbox_head.test_cfg = cfg.model.test_cfg  # the switches are read at predict time
    with torch.no_grad():
        return model.test_step(smoke_batch(cfg, "val"))


@pytest.mark.parametrize("detector", sorted(CASES))
def test_pre_nms_positives_and_score_permutation(detector, smoke_data_root):
    (base_id, _), _, _ = CASES[detector]
    plain = _predict(base_id, smoke_data_root, None)
    upper = _predict(base_id, smoke_data_root, "upper")
    lower = _predict(base_id, smoke_data_root, "lower")

    assert sum(len(s.pre_nms_positives) for s in plain) >= 2
    rescored = outputs_changed = 0
    for p, u, lo in zip(plain, upper, lower, strict=True):
        pos = p.pre_nms_positives
        assert pos.scores.shape == pos.ious.shape == pos.labels.shape
        assert bool((pos.ious >= 0.5).all()) and bool((pos.ious <= 1.0).all())
        for perm, descending in ((u, True), (lo, False)):
            q = perm.pre_nms_positives
            torch.testing.assert_close(q.ious, pos.ious)  # same candidates, same boxes
            torch.testing.assert_close(q.scores.sort().values, pos.scores.sort().values)
            by_iou = q.scores[q.ious.argsort(descending=True, stable=True)]
            steps = by_iou[1:] - by_iou[:-1]
            assert bool((steps <= 0).all() if descending else (steps >= 0).all())
        if not torch.equal(u.pre_nms_positives.scores, pos.scores):
            rescored += 1  # NMS ran on the new scores: other (box, score) pairs may survive
            same_boxes = torch.equal(u.pred_instances.bboxes, p.pred_instances.bboxes)
            same_scores = torch.equal(u.pred_instances.scores, p.pred_instances.scores)
            outputs_changed += not (same_boxes and same_scores)
    assert rescored and outputs_changed


def test_pre_nms_needs_ground_truth(smoke_data_root):
    from reproduction.running.config_builder import enable_pre_nms_positives

    cfg = smoke_cfg("retinanet_baseline", smoke_data_root)
    enable_pre_nms_positives(cfg)
    model = build_model(cfg.model).eval()
    data = dict(smoke_batch(cfg, "val"))
    samples = [s.clone() for s in data["data_samples"]]
    del samples[0].gt_instances
    data["data_samples"] = samples
    with pytest.raises(ValueError, match="gt_instances"), torch.no_grad():
        model.test_step(data)


def test_match_and_permute_on_hand_made_candidates():
    from corrlib.integration.heads import match_positives, permute_positive_scores

    gt_boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0], [20.0, 20.0, 30.0, 30.0]])
    gt_labels = torch.tensor([0, 1])
    boxes = torch.tensor(
        [
            [0.0, 0.0, 10.0, 10.0],  # IoU 1 with gt 0, class 0: positive
            [0.0, 0.0, 10.0, 6.0],  # IoU 0.6, class 0: positive
            [0.0, 0.0, 10.0, 10.0],  # IoU 1 but class 1 (gt 0 is class 0): negative
            [20.0, 20.0, 30.0, 26.0],  # IoU 0.6 with gt 1, class 1: positive
            [0.0, 0.0, 10.0, 4.0],  # IoU 0.4: negative
        ]
    )
    labels = torch.tensor([0, 0, 1, 1, 0])
    mask, ious = match_positives(boxes, labels, gt_boxes, gt_labels)
    assert mask.tolist() == [True, True, False, True, False]
    torch.testing.assert_close(ious, torch.tensor([1.0, 0.6, 0.0, 0.6, 0.4]))

    scores = torch.tensor([0.1, 0.9, 0.5, 0.3, 0.7])
    upper = permute_positive_scores(scores, mask, ious, "upper")
    lower = permute_positive_scores(scores, mask, ious, "lower")
    # positives' scores {0.1, 0.9, 0.3}; IoU order: 1.0, then 0.6 (index 1), 0.6 (index 3)
    torch.testing.assert_close(upper, torch.tensor([0.9, 0.3, 0.5, 0.1, 0.7]))
    torch.testing.assert_close(lower, torch.tensor([0.1, 0.9, 0.5, 0.3, 0.7]))
    # tied IoUs keep their scores' order (the class-level bounds' rule): index 3 outranks 1
    swapped = torch.tensor([0.1, 0.3, 0.5, 0.9, 0.7])
    torch.testing.assert_close(
        permute_positive_scores(swapped, mask, ious, "upper"),
        torch.tensor([0.9, 0.1, 0.5, 0.3, 0.7]),
    )
    with pytest.raises(ValueError, match="score_permutation"):
        permute_positive_scores(scores, mask, ious, "best")
    empty_mask, empty_ious = match_positives(boxes, labels, gt_boxes[:0], gt_labels[:0])
    assert not empty_mask.any() and empty_ious.shape == (5,)


# ---------------------------------------------------------------------------------------------
# registry and configs


def test_registry_unknown_id_names_it_and_suggests():
    with pytest.raises(KeyError) as info:
        get_experiment("atss_concordence_0.3")
    message = str(info.value)
    assert "atss_concordence_0.3" in message and "atss_concordance_0.3" in message
    with pytest.raises(KeyError, match="unknown detector"):
        list_experiments(detector="yolo")


def test_registry_covers_the_thesis_rows():
    ids = set(experiment_ids())
    assert len(ids) == len(experiment_ids())  # unique
    headline = {
        "retinanet_spearman_0.1",
        "fovea_concordance_0.2",
        "atss_concordance_0.3",
        "paa_concordance_0.3",
        "sparsercnn_spearman_0.2",
        "sparsercnn_concordance_0.3",
        "yolact_spearman_0.5",
    }
    assert headline <= ids
    assert {e.detector for e in list_experiments(table="5.1")} == {
        "retinanet",
        "fovea",
        "atss",
        "paa",
        "sparsercnn",
    }
    grid = list_experiments(table="5.7")
    assert {(e.detector, e.loss_weight) for e in grid if not e.is_baseline} >= {
        ("atss", lam) for lam in (0.1, 0.2, 0.3, 0.4, 0.5)
    }
    assert {e.gradient for e in list_experiments(table="§5.5.4")} == {
        "classifier",
        "regressor",
        "both",
    }
    assert {e.kind for e in list_experiments(table="5.6")} == {
        None,
        "pearson",
        "concordance",
        "spearman",
    }
    for e in list_experiments():
        assert e.detector in DETECTORS
        assert (e.loss_corr() is None) == e.is_baseline
        # only the settings beyond the thesis (the author's code, rank-faithful) reproduce
        # no thesis cell; their loss_corr says their settings
        assert bool(e.reproduces) != bool(e.variant), e.id
        for setting in e.variant:
            assert setting in e.loss_corr().values(), e.id


@pytest.mark.parametrize("profile", ["smoke", "demo", "demo-v1", "paper"])
def test_config_applies_profile_and_experiment(profile, tmp_path):
    from reproduction.running.config_builder import build_config

    cfg = build_config(
        Run.resolve(
            "fovea_concordance_0.2",
            profile,
            data_root=tmp_path / "nowhere",
            work_dir=tmp_path / "w",
            seed=3,
            validate=True,
        )
    )
    head = cfg.model.bbox_head
    assert head.type == "CorrFoveaHead"
    # the paper profile computes concordance with the thesis author's sample moments
    author = dict(moments="sample") if profile == "paper" else {}
    assert head.loss_corr == dict(
        type="CorrelationLoss", kind="concordance", loss_weight=0.2, gradient="classifier", **author
    )
    assert cfg.randomness.seed == 3 and cfg.work_dir == str(tmp_path / "w")
    assert cfg.custom_imports.imports == ["corrlib.integration"]
    assert cfg.train_dataloader.dataset.data_root == f"{tmp_path / 'nowhere'}/"
    if profile == "paper":
        assert cfg.model.backbone.depth == 50
        assert cfg.model.backbone.init_cfg.checkpoint == "torchvision://resnet50"
        assert cfg.train_cfg.max_epochs == 12
        assert cfg.train_dataloader.batch_size * 4 == 16
        assert head.num_classes == 80
    else:
        assert cfg.model.backbone.depth == 18 and cfg.model.backbone.init_cfg is None
        fpn = 32 if profile == "demo" else 64  # the default demo narrows the dense heads
        assert cfg.model.neck.out_channels == head.in_channels == fpn
        assert cfg.train_cfg.type == "IterBasedTrainLoop"
        assert head.num_classes == len(cfg.train_dataloader.dataset.metainfo["classes"])
    baseline = build_config(
        Run.resolve("fovea_baseline", profile, data_root=tmp_path, validate=True)
    )
    assert baseline.model.bbox_head.loss_corr is None


def test_config_max_iters_keeps_the_schedule_shape(tmp_path):
    from reproduction.running.config_builder import build_config

    cfg = build_config(
        Run.resolve("atss_baseline", "demo", data_root=tmp_path, max_iters=1200, validate=True)
    )
    assert cfg.train_cfg.max_iters == cfg.train_cfg.val_interval == 1200
    steps = [s for s in cfg.param_scheduler if s.type == "MultiStepLR"][0]
    assert steps.milestones == [900, 1100] and steps.end == 1200
    paper = build_config(
        Run.resolve(
            "atss_baseline", "paper", data_root=tmp_path, max_iters=5, gpus=8, validate=True
        )
    )
    assert paper.train_cfg.type == "IterBasedTrainLoop" and paper.train_cfg.max_iters == 5
    assert paper.train_dataloader.batch_size == 2


def test_study_variants_change_only_schedule_or_classes():
    from reproduction import dataset as corrdata
    from reproduction.running.config_builder import build_config, default_data_root

    demo = build_config(
        Run.resolve("atss_concordance_0.3", "demo-v1", validate=True)
    )  # the setting the study varies
    long = build_config(Run.resolve("atss_concordance_0.3", "demo-it1200", validate=True))
    assert long.train_cfg.max_iters == 2 * demo.train_cfg.max_iters == 1200
    assert [s for s in long.param_scheduler if s.type == "MultiStepLR"][0].milestones == [
        900,
        1100,
    ]
    assert long.model == demo.model and long.corrlib.profile == "demo-it1200"
    three = build_config(Run.resolve("atss_baseline", "demo-3cls", validate=True))
    assert three.train_cfg.max_iters == demo.train_cfg.max_iters
    assert default_data_root("demo-3cls") == corrdata.preset_dir("demo-3cls")
    assert three.model.bbox_head.num_classes == corrdata.PRESETS["demo-3cls"].n_classes == 3
    with pytest.raises(ValueError, match="unknown profile 'demo-long-typo'"):
        build_config(Run.resolve("atss_baseline", "demo-long-typo", validate=True))


def test_the_image_size_variant_scales_every_resize_and_nothing_else():
    from mmengine.config import Config

    from reproduction.running.config_builder import _apply_image_size, build_config

    default = build_config(Run.resolve("retinanet_spearman_0.1", "demo-128px", validate=True))
    small = build_config(Run.resolve("retinanet_spearman_0.1", "demo", validate=True))
    assert small.image_size == (96, 96) and default.image_size == (128, 128)
    for loader in ("train_dataloader", "val_dataloader"):
        sizes = [t.scale for t in small[loader].dataset.pipeline if t.type == "Resize"]
        assert sizes == [(96, 96)], loader
    assert small.model == default.model and small.train_cfg == default.train_cfg
    # the 3x Sparse R-CNN's multi-scale resizes and crop shrink by the same factor
    strong = build_config(Run.resolve("sparsercnn_3x_baseline", "demo-128px", validate=True))
    strong_small = build_config(Run.resolve("sparsercnn_3x_baseline", "demo", validate=True))

    def resizes(cfg) -> list:
        (choice,) = [t for t in cfg.train_dataloader.dataset.pipeline if t.type == "RandomChoice"]
        return [
            t.get("scales") or t.get("crop_size") for branch in choice.transforms for t in branch
        ]

    assert resizes(strong)[0][-1] == (128, 213) and resizes(strong_small)[0][-1] == (96, 160)
    assert [len(r) for r in resizes(strong)] == [len(r) for r in resizes(strong_small)]
    assert resizes(strong_small)[2] == tuple(round(v * 0.75) for v in resizes(strong)[2])
    cfg = Config(dict(image_size=(128, 128), train_pipeline=[dict(type="Resize", scale=(64, 32))]))
    _apply_image_size(cfg, 64)
    assert cfg.train_pipeline[0].scale == (32, 16)
    with pytest.raises(ValueError, match="at least 16 pixels"):
        _apply_image_size(cfg, 8)
    with pytest.raises(ValueError, match="no image_size"):
        _apply_image_size(Config(dict(train_pipeline=[])), 64)


@pytest.mark.parametrize("experiment", ["atss_concordance_0.3", "retinanet_spearman_0.1"])
def test_the_default_demo_is_demo_v1_narrowed_on_three_classes_at_96_px(experiment):
    from reproduction import dataset as corrdata
    from reproduction.running.config_builder import build_config, default_data_root

    demo, v1 = (
        build_config(Run.resolve(experiment, "demo", validate=True)),
        build_config(Run.resolve(experiment, "demo-v1", validate=True)),
    )
    assert demo.model.backbone.base_channels == 32 and "base_channels" not in v1.model.backbone
    assert demo.model.neck.in_channels == [32, 64, 128, 256]
    assert v1.model.neck.in_channels == [64, 128, 256, 512]
    head = demo.model.bbox_head
    assert demo.model.neck.out_channels == head.in_channels == head.feat_channels == 32
    assert v1.model.neck.out_channels == v1.model.bbox_head.feat_channels == 64
    assert head.num_classes == corrdata.PRESETS["demo-3cls-val1000"].n_classes == 3
    assert default_data_root("demo") == corrdata.preset_dir("demo-3cls-val1000")
    assert v1.model.bbox_head.num_classes == corrdata.PRESETS["demo"].n_classes
    # everything else is the first demo's: schedule, optimiser, batch, pipeline, the loss
    assert demo.image_size == (96, 96) and v1.image_size == (128, 128)
    for key in ("train_cfg", "param_scheduler", "optim_wrapper", "train_dataloader"):
        if key == "train_dataloader":
            assert demo[key].batch_size == v1[key].batch_size == 8
            # at the default's 96 px: only the resize differs
            scaled = [
                dict(t, scale=(96, 96)) if t["type"] == "Resize" else dict(t)
                for t in v1[key].dataset.pipeline
            ]
            assert [dict(t) for t in demo[key].dataset.pipeline] == scaled
        else:
            assert demo[key] == v1[key], key
    assert head.loss_corr == v1.model.bbox_head.loss_corr
    kind, weight = experiment.split("_")[1], float(experiment.rsplit("_", 1)[1])
    assert (head.loss_corr.type, head.loss_corr.kind) == ("CorrelationLoss", kind)
    assert head.loss_corr.loss_weight == weight
    assert head.anchor_generator == v1.model.bbox_head.anchor_generator


def test_the_narrowed_demo_keeps_every_detectors_channels_consistent(tmp_path):
    from reproduction.running.config_builder import build_config

    detr = build_config(Run.resolve("detr_baseline", "demo", data_root=tmp_path, validate=True))
    assert detr.model.neck.in_channels == [32 * 2**3]  # the half-width C5
    for experiment in ("sparsercnn_baseline", "yolact_baseline", "atss_qfl_baseline"):
        cfg = build_config(Run.resolve(experiment, "demo", data_root=tmp_path, validate=True))
        assert cfg.model.neck.in_channels == [32, 64, 128, 256], experiment
    # the comparison methods of Tables 3.1 and 5.4 keep the width of the ATSS they compare to
    atss = build_config(
        Run.resolve("atss_baseline", "demo", data_root=tmp_path, validate=True)
    ).model.bbox_head.in_channels
    for detector in ("atss_centerness", "atss_qfl", "atss_rs", "atss_aploss", "atss_alrp"):
        cfg = build_config(
            Run.resolve(f"{detector}_baseline", "demo", data_root=tmp_path, validate=True)
        )
        assert cfg.model.neck.out_channels == cfg.model.bbox_head.in_channels == atss, detector


def test_every_registered_detector_with_a_config_file_builds(tmp_path):
    from reproduction.running.config_builder import build_config
    from reproduction.running.mmdet_configs import CONFIG_DIR

    built = 0
    for detector in DETECTORS:
        if not (CONFIG_DIR / f"{detector}.py").is_file():
            continue  # detectors whose configs are still to come
        for experiment in list_experiments(detector=detector):
            cfg = build_config(
                Run.resolve(experiment.id, "demo", data_root=tmp_path, validate=True)
            )
            assert cfg.corrlib.experiment == experiment.id
            built += 1
    assert built >= len(list_experiments(detector="atss"))


# ---------------------------------------------------------------------------------------------
# the command line


def test_cli_rejects_unknown_experiment_and_missing_data(tmp_path, capsys):
    from reproduction.running.train import main

    assert main(["atss_concordence_0.3", "--profile", "smoke"]) == 2
    assert "atss_concordance_0.3" in capsys.readouterr().err
    work = tmp_path / "work"
    code = main(
        [
            "atss_baseline",
            "--profile",
            "smoke",
            "--data-root",
            str(tmp_path / "none"),
            "--work-dir",
            str(work),
        ]
    )
    assert code == 2
    assert "dataset" in capsys.readouterr().err
    assert not work.exists()  # nothing written


def test_cli_dumps_the_resolved_config(tmp_path, capsys):
    from reproduction.running.train import main

    assert main(["paa_concordance_0.3", "--profile", "demo", "--dump-config"]) == 0
    text = capsys.readouterr().out
    assert "CorrPAAHead" in text and "kind='concordance'" in text
    out = tmp_path / "cfg.py"
    assert main(["paa_concordance_0.3", "--profile", "paper", "--dump-config", str(out)]) == 0
    assert "instances_val2017.json" in out.read_text()


def test_checkpoint_loader_allows_only_history_buffer_methods():
    import pickle

    from mmengine.logging.history_buffer import HistoryBuffer

    from corrlib.integration.checkpoints import _history_buffer_method

    assert _history_buffer_method(HistoryBuffer, "mean") is HistoryBuffer.mean
    with pytest.raises(pickle.UnpicklingError):
        _history_buffer_method(HistoryBuffer, "__init__")
    with pytest.raises(pickle.UnpicklingError):
        _history_buffer_method(torch, "load")


@pytest.mark.parametrize("detector", sorted(CASES))
def test_positives_carry_their_level_and_image_for_the_authors_groupings(detector, smoke_data_root):
    """A batch of one image twice: the per-image groups the head passes hold the same
    positives, level by level, and the per-level and per-image losses are those groups'."""
    import copy

    from corrlib.losses import grouped_correlation_loss

    (base_id, corr_id), _, _ = CASES[detector]
    data = smoke_batch(smoke_cfg(base_id, smoke_data_root))
    twice = {
        "inputs": [data["inputs"][0], data["inputs"][0].clone()],
        "data_samples": [data["data_samples"][0], copy.deepcopy(data["data_samples"][0])],
    }
    model = _model(corr_id, smoke_data_root)
    module = model.bbox_head.loss_corr
    seen = {}
    forward = module.forward

    def recording(scores, ious, levels=None, images=None, weights=None, **counts):
        keep = weights > 0  # the head passes every prior, its positives as 0/1 weights
        seen.update(
            scores=scores.detach()[keep],
            ious=ious.detach()[keep],
            levels=levels[keep],
            images=images[keep],
        )
        return forward(scores, ious, levels=levels, images=images, weights=weights, **counts)

    module.forward = recording
    try:
        for grouping in ("level_mean", "image_sum"):
            module.grouping = grouping
            value = head_losses(model, twice)["loss_corr"]
            scores, levels, images = seen["scores"], seen["levels"], seen["images"]
            assert set(images.tolist()) == {0, 1}
            for level in levels.unique():
                first = scores[(images == 0) & (levels == level)].sort().values
                second = scores[(images == 1) & (levels == level)].sort().values
                torch.testing.assert_close(first, second)
            groups = levels if grouping == "level_mean" else images
            expected = module.loss_weight * grouped_correlation_loss(
                scores, seen["ious"], groups, grouping, kind=module.kind
            )
            torch.testing.assert_close(value.detach(), expected)
            assert len(levels.unique()) >= 2  # the groups are levels, not one pool
    finally:
        module.forward = forward
        module.grouping = "batch"


def test_the_paper_profile_follows_the_authors_loss_settings_where_the_thesis_is_silent(
    tmp_path,
):
    from reproduction.running.config_builder import build_config

    def loss_corr(experiment, profile="paper"):
        cfg = build_config(
            Run.resolve(experiment, profile, data_root=tmp_path, gpus=1, validate=True)
        )
        return cfg.model.bbox_head.loss_corr

    retina = loss_corr("retinanet_spearman_0.1")
    assert (retina.grouping, retina.moments) == ("level_mean", "sample")
    yolact = loss_corr("yolact_concordance_0.4")
    assert (yolact.grouping, yolact.moments) == ("image_sum", "sample")
    atss = loss_corr("atss_concordance_0.3")
    assert atss.moments == "sample" and "grouping" not in atss
    # an experiment that names its own settings keeps them; the demo keeps the thesis's
    assert "moments" not in loss_corr("retinanet_spearman_0.1_unitgap")
    assert "grouping" not in loss_corr("retinanet_spearman_0.1", "demo")
    assert loss_corr("atss_baseline") is None


def test_the_authors_no_aux_head_keeps_the_branch_with_a_zero_loss_weight(smoke_data_root):
    """The author's 'without auxiliary head' (docs/library.md): the branch stays, its loss
    weighs 0, so it trains nothing yet still scales the test scores; here the branch is removed
    instead."""
    zero = dict(type="CrossEntropyLoss", use_sigmoid=True, loss_weight=0.0)
    cfg = smoke_cfg("atss_concordance_0.3", smoke_data_root)
    cfg.model.bbox_head.update(with_aux_head=True, loss_centerness=zero)
    kept = build_model(cfg.model)
    removed = _model("atss_concordance_0.3", smoke_data_root)
    data = smoke_batch(smoke_cfg("atss_baseline", smoke_data_root))
    losses = head_losses(kept, data)
    assert isinstance(kept.bbox_head.atss_centerness, torch.nn.Conv2d)
    assert total_loss({"loss_centerness": losses["loss_centerness"]}).item() == 0.0
    assert "loss_centerness" not in head_losses(removed, data)
    assert not isinstance(removed.bbox_head.atss_centerness, torch.nn.Conv2d)
