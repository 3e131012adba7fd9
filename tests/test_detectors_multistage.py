"""Correlation Loss on Sparse R-CNN (six stages, NMS-free) and YOLACT (instance segmentation).

All on CPU with the embedded ``smoke`` dataset (fixture ``smoke_data_root``) and the smoke
profile's narrow models. Tests that run mmengine's Runner are marked slow (seconds each);
the others build models directly and compare losses and gradients on one batch.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from smoke_models import assert_matches_mmdet, build_model, smoke_batch, smoke_cfg, total_loss

from reproduction.spec.experiments import get_experiment
from reproduction.spec.run import Run

NUM_STAGES = 6

# detector -> (baseline, with Correlation Loss at the thesis's λ), mmdet's own head type
CASES = {
    "sparsercnn": (("sparsercnn_baseline", "sparsercnn_spearman_0.2"), "DIIHead"),
    "yolact": (("yolact_baseline", "yolact_spearman_0.5"), "YOLACTHead"),
}
# parameters only the classification / only the regression branch uses
BRANCHES = {
    "sparsercnn": {"classifier": ("fc_cls", "cls_fcs"), "regressor": ("fc_reg", "reg_fcs")},
    "yolact": {"classifier": ("conv_cls",), "regressor": ("conv_reg",)},
}


# ---------------------------------------------------------------------------------------------
# helpers


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """Run these small models on one intra-op thread: on a shared 2-core machine, OpenMP's
    spin-waiting threads made this module 4-5x slower (188 s vs 39 s measured) and barely help
    on an idle one."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _heads(model_cfg) -> list:
    """The config dicts of the heads that carry ``loss_corr`` (six stages, or one head)."""
    if "roi_head" in model_cfg:
        return list(model_cfg.roi_head.bbox_head)
    return [model_cfg.bbox_head]


BATCH_SIZE = 2


def _batch(cfg, split: str = "train") -> dict:
    """One cached smoke batch of ``BATCH_SIZE`` images for the detector's pipeline."""
    return smoke_batch(cfg, split, BATCH_SIZE)


def _losses(model, data: dict) -> dict:
    """The detector's loss dict on a batch (training-mode forward, no optimiser step)."""
    model.train()
    processed = model.data_preprocessor(data, True)
    return model.loss(processed["inputs"], processed["data_samples"])


def _branch_params(model, detector: str, branch: str) -> list[tuple[str, torch.nn.Parameter]]:
    """(name, parameter) of one branch, over every stage of Sparse R-CNN."""
    prefixes = BRANCHES[detector][branch]
    return [
        (name, p)
        for name, p in model.named_parameters()
        if any(f".{prefix}." in name for prefix in prefixes)
    ]


def _grads(model, data: dict, detector: str) -> dict[str, dict[str, torch.Tensor]]:
    """Gradients of the total loss w.r.t. each branch's parameters (None read as zeros)."""
    model.zero_grad()
    total_loss(_losses(model, data)).backward()
    return {
        branch: {
            name: (p.grad if p.grad is not None else torch.zeros_like(p)).detach().clone()
            for name, p in _branch_params(model, detector, branch)
        }
        for branch in ("classifier", "regressor")
    }


def _loss_corr_keys(detector: str) -> set[str]:
    if detector == "sparsercnn":
        return {f"s{stage}.loss_corr" for stage in range(NUM_STAGES)}
    return {"loss_corr"}


# ---------------------------------------------------------------------------------------------
# training through mmengine's Runner


@pytest.mark.slow
@pytest.mark.parametrize("with_corr", [False, True], ids=["baseline", "corr"])
@pytest.mark.parametrize("detector", sorted(CASES))
def test_trains_two_iterations_in_smoke_profile(detector, with_corr, smoke_data_root, tmp_path):
    from reproduction.running.train import train_config as train

    experiment = CASES[detector][0][int(with_corr)]
    cfg = smoke_cfg(experiment, smoke_data_root, tmp_path, validate=False)
    train(cfg)

    scalars = list(tmp_path.glob("*/vis_data/scalars.json"))
    assert len(scalars) == 1
    logged = [json.loads(line) for line in scalars[0].read_text().splitlines()]
    train_logs = [rec for rec in logged if "loss" in rec]
    assert [rec["iter"] for rec in train_logs] == [1, 2]
    for rec in train_logs:
        assert torch.isfinite(torch.tensor(rec["loss"]))
        present = {key for key in rec if key.endswith("loss_corr")}
        assert present == (_loss_corr_keys(detector) if with_corr else set())
    assert (tmp_path / "iter_2.pth").is_file()


# ---------------------------------------------------------------------------------------------
# the loss term


@pytest.mark.parametrize("detector", sorted(CASES))
def test_loss_dict_has_loss_corr_only_when_configured(detector, smoke_data_root):
    (base_id, corr_id), _ = CASES[detector]
    data = _batch(smoke_cfg(base_id, smoke_data_root))
    base = _losses(build_model(smoke_cfg(base_id, smoke_data_root).model), data)
    corr = _losses(build_model(smoke_cfg(corr_id, smoke_data_root).model), data)
    keys = _loss_corr_keys(detector)
    assert not keys & set(base)
    assert set(corr) == set(base) | keys
    lam = get_experiment(corr_id).loss_weight
    values = torch.stack([corr[key] for key in sorted(keys)])
    assert values.requires_grad
    assert bool((values >= 0).all()) and bool((values <= 2.0 * lam + 1e-6).all())
    assert bool((values > 0).any())  # random init: far from perfect correlation
    for key in base:  # the detector's own terms are untouched
        torch.testing.assert_close(total_loss({key: corr[key]}), total_loss({key: base[key]}))


def test_every_stage_of_sparse_rcnn_gets_the_experiments_loss(smoke_data_root):
    for experiment in (
        "sparsercnn_concordance_0.3",
        "sparsercnn_3x_spearman_0.2",
        "sparsercnn_spearman_0.2_both",
    ):
        model = build_model(smoke_cfg(experiment, smoke_data_root).model)
        expected = get_experiment(experiment)
        assert len(model.roi_head.bbox_head) == NUM_STAGES
        for head in model.roi_head.bbox_head:
            assert type(head).__name__ == "CorrDIIHead"
            assert head.loss_corr.kind == expected.kind
            assert head.loss_corr.loss_weight == expected.loss_weight
            assert head.loss_corr.gradient == expected.gradient


def _switch_cases() -> list:
    cases = []
    for detector in sorted(CASES):
        for gradient, unchanged, changed in (
            ("classifier", ("regressor",), ("classifier",)),
            ("regressor", ("classifier",), ("regressor",)),
            ("both", (), ("classifier", "regressor")),
        ):
            cases.append(
                pytest.param(detector, gradient, unchanged, changed, id=f"{detector}-{gradient}")
            )
    return cases


_BASE_GRADS: dict[str, tuple] = {}


@pytest.mark.parametrize("detector, gradient, unchanged, changed", _switch_cases())
def test_gradient_switch_selects_the_branch(
    detector, gradient, unchanged, changed, smoke_data_root
):
    """§5.5.4: with gradient='classifier' the regression branch gets the baseline's gradients
    and the classifier's change; 'regressor' the other way round; 'both' changes both."""
    (base_id, corr_id), _ = CASES[detector]
    data = _batch(smoke_cfg(base_id, smoke_data_root))
    if detector not in _BASE_GRADS:
        base = build_model(smoke_cfg(base_id, smoke_data_root).model)
        _BASE_GRADS[detector] = (base.state_dict(), _grads(base, data, detector))
    state, g_base = _BASE_GRADS[detector]
    corr_cfg = smoke_cfg(corr_id, smoke_data_root)
    for head in _heads(corr_cfg.model):
        head.loss_corr.gradient = gradient
    corr = build_model(corr_cfg.model)
    corr.load_state_dict(state)

    g_corr = _grads(corr, data, detector)

    assert g_base["classifier"] and g_base["regressor"]
    for branch in unchanged:
        for name, grad in g_base[branch].items():
            torch.testing.assert_close(
                g_corr[branch][name],
                grad,
                rtol=1e-6,
                atol=1e-9,
                msg=f"{branch} parameter {name} changed",
            )
    for branch in changed:
        assert any(
            not torch.allclose(g_corr[branch][name], grad, rtol=1e-6, atol=1e-9)
            for name, grad in g_base[branch].items()
        ), f"no {branch} gradient changed"


@pytest.mark.parametrize("detector", sorted(CASES))
def test_without_loss_corr_the_head_is_mmdets(detector, smoke_data_root):
    """loss_corr=None: exactly mmdet's losses and predictions."""
    (base_id, _), mmdet_head = CASES[detector]
    cfg = smoke_cfg(base_id, smoke_data_root)
    theirs_cfg = cfg.model.deepcopy()
    for head in _heads(theirs_cfg):
        head.type = mmdet_head
        head.pop("loss_corr")
    ours, theirs = build_model(cfg.model), build_model(theirs_cfg)
    assert type(_heads_of(theirs)[0]).__name__ == mmdet_head
    assert_matches_mmdet(ours, theirs, cfg, _losses)


def _heads_of(model) -> list:
    if hasattr(model, "roi_head"):
        return list(model.roi_head.bbox_head)
    return [model.bbox_head]


def test_yolact_positives_are_the_box_losss_positives(smoke_data_root):
    """ŝ and IoU come from exactly the anchors mmdet's box loss regresses, and the GT-class
    probability is the softmax one YOLACT's cross-entropy trains."""
    (_, corr_id), _ = CASES["yolact"]
    cfg = smoke_cfg(corr_id, smoke_data_root)
    model = build_model(cfg.model)
    head = model.bbox_head
    calls: list[int] = []
    seen: list[tuple[torch.Tensor, torch.Tensor]] = []
    record, score = head._record_positives, head._row_scores_and_ious

    def spy_record(cls_score, *rest):
        calls.append(cls_score.shape[0])
        record(cls_score, *rest)

    def spy_score(*rows):  # every row is scored; the positives are those the mask keeps
        scores, ious = score(*rows)
        positive = head._positives(rows[3])
        seen.append((scores[positive], ious[positive]))
        return scores, ious

    head._record_positives, head._row_scores_and_ious = spy_record, spy_score
    losses = _losses(model, _batch(cfg))
    assert len(calls) == BATCH_SIZE  # OHEM: one call per image
    assert len(seen) == 1  # L_corr once, over the batch
    scores, ious = seen[0]
    sampling = head._raw_positive_infos["sampling_results"]
    assert scores.shape == ious.shape == (sum(len(r.pos_inds) for r in sampling),)
    assert scores.numel() >= 2
    assert bool(((scores > 0) & (scores < 1)).all())
    assert bool(((ious >= 0) & (ious <= 1)).all())
    expected = head.loss_corr(scores, ious)
    torch.testing.assert_close(losses["loss_corr"], expected)


def test_yolact_per_image_loss_sums_one_loss_per_image(smoke_data_root):
    """grouping='image_sum' (the thesis author's YOLACT): one correlation per image's
    positives, summed; each image's positives are those mmdet's OHEM loss sees for it."""
    from corrlib.losses import correlation_loss

    (_, corr_id), _ = CASES["yolact"]
    cfg = smoke_cfg(corr_id, smoke_data_root)
    model = build_model(cfg.model)
    head = model.bbox_head
    per_image: list[tuple[torch.Tensor, torch.Tensor]] = []
    record = head._record_positives

    def spy_record(cls_score, bbox_pred, anchors, labels, bbox_targets):
        record(cls_score, bbox_pred, anchors, labels, bbox_targets)
        rows = head._corr_positives[-1]
        scores, ious = head._row_scores_and_ious(*rows)
        positive = head._positives(rows[3])
        per_image.append((scores[positive], ious[positive]))

    head._record_positives = spy_record
    head.loss_corr.grouping = "image_sum"
    losses = _losses(model, _batch(cfg))
    assert len(per_image) == BATCH_SIZE
    expected = sum(
        correlation_loss(s, i, head.loss_corr.kind) for s, i in per_image if s.numel() >= 2
    )
    torch.testing.assert_close(losses["loss_corr"], head.loss_corr.loss_weight * expected)
    head.use_ohem = False  # without OHEM mmdet's loss is not per image: refused by name
    with pytest.raises(ValueError, match="use_ohem"):
        _losses(model, _batch(cfg))


# ---------------------------------------------------------------------------------------------
# YOLACT's pre-NMS positives (Fast NMS)


def _yolact_predict(root: Path, permutation: str | None) -> list:
    from reproduction.running.config_builder import enable_pre_nms_positives

    cfg = smoke_cfg("yolact_baseline", root)
    enable_pre_nms_positives(cfg, permutation)
    cfg.model.test_cfg.score_thr = 0.0  # random weights: keep every candidate
    cfg.model.test_cfg.update(nms_pre=100, top_k=100, max_per_img=1000)  # all Fast NMS keeps
    model = build_model(cfg.model)
    model.eval()
    with torch.no_grad():
        return model.test_step(_batch(cfg, "val"))


def test_yolact_pre_nms_positives_and_score_permutation(smoke_data_root):
    plain = _yolact_predict(smoke_data_root, None)
    upper = _yolact_predict(smoke_data_root, "upper")
    lower = _yolact_predict(smoke_data_root, "lower")

    assert sum(len(s.pre_nms_positives) for s in plain) >= 2
    changed = False
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
            changed = True
            a, b = u.pred_instances, p.pred_instances  # Fast NMS saw other scores
            assert not (
                torch.equal(a.scores, b.scores)
                and torch.equal(a.bboxes, b.bboxes)
                and torch.equal(a.labels, b.labels)
            )
        assert "masks" in p.pred_instances  # the mask branch still runs
    assert changed


# ---------------------------------------------------------------------------------------------
# configs of the three profiles


def test_paper_configs_follow_the_thesis(tmp_path):
    from reproduction.running.config_builder import build_config

    one_x = build_config(
        Run.resolve("sparsercnn_spearman_0.2", "paper", data_root=tmp_path, validate=True)
    )
    heads = one_x.model.roi_head.bbox_head
    assert len(heads) == NUM_STAGES and {h.type for h in heads} == {"CorrDIIHead"}
    assert all(h.in_channels == 256 and h.num_classes == 80 for h in heads)
    assert one_x.model.rpn_head.num_proposals == 100
    assert one_x.model.backbone.depth == 50
    assert one_x.model.backbone.init_cfg.checkpoint == "torchvision://resnet50"
    assert one_x.train_cfg.max_epochs == 12
    assert one_x.train_dataloader.batch_size * 4 == 16
    assert one_x.optim_wrapper.optimizer.type == "AdamW"
    assert one_x.corrlib.nms_based is False

    three_x = build_config(
        Run.resolve("sparsercnn_3x_concordance_0.3", "paper", data_root=tmp_path, validate=True)
    )
    assert three_x.model.rpn_head.num_proposals == 300
    assert three_x.model.test_cfg.rcnn.max_per_img == 300
    assert three_x.train_cfg.max_epochs == 36
    pipeline = [t.type for t in three_x.train_dataloader.dataset.pipeline]
    assert "RandomChoice" in pipeline  # multi-scale resize, or resize + crop + resize
    assert {h.loss_corr.kind for h in three_x.model.roi_head.bbox_head} == {"concordance"}

    yolact = build_config(
        Run.resolve("yolact_spearman_0.5", "paper", data_root=tmp_path, gpus=1, validate=True)
    )
    assert yolact.model.bbox_head.type == "CorrYOLACTHead"
    assert yolact.model.bbox_head.loss_corr.loss_weight == 0.5
    assert yolact.model.bbox_head.num_classes == yolact.model.mask_head.num_classes == 80
    # the thesis author's setting: 8 images per GPU on 4 GPUs, lr 4e-3, clipping, 1,000 warm-up
    assert yolact.train_dataloader.batch_size == 32  # one GPU takes the whole batch of 32
    on_four = build_config(
        Run.resolve("yolact_spearman_0.5", "paper", data_root=tmp_path, gpus=4, validate=True)
    )
    assert on_four.train_dataloader.batch_size == 8
    assert yolact.optim_wrapper.optimizer.lr == 4e-3
    assert yolact.optim_wrapper.clip_grad.max_norm == 35
    assert yolact.param_scheduler[0].end == 1000
    assert yolact.train_cfg.max_epochs == 55
    assert set(yolact.val_evaluator.metric) == {"bbox", "segm"}


def test_demo_configs_are_narrow_and_3x_is_three_times_longer(tmp_path):
    from reproduction.running.config_builder import build_config

    one_x = build_config(
        Run.resolve("sparsercnn_baseline", "demo", data_root=tmp_path, validate=True)
    )
    three_x = build_config(
        Run.resolve("sparsercnn_3x_baseline", "demo", data_root=tmp_path, validate=True)
    )
    for cfg in (one_x, three_x):
        assert cfg.model.backbone.depth == 18 and cfg.model.backbone.init_cfg is None
        assert all(h.in_channels == 64 for h in cfg.model.roi_head.bbox_head)
        assert cfg.model.roi_head.bbox_roi_extractor.out_channels == 64
        assert cfg.model.rpn_head.proposal_feature_channel == 64
    assert three_x.model.rpn_head.num_proposals == 3 * one_x.model.rpn_head.num_proposals
    assert three_x.train_cfg.max_iters == 3 * one_x.train_cfg.max_iters
    steps = [s for s in three_x.param_scheduler if s.type == "MultiStepLR"][0]
    assert steps.end == three_x.train_cfg.max_iters
    smoke_3x = build_config(
        Run.resolve("sparsercnn_3x_baseline", "smoke", data_root=tmp_path, validate=True)
    )
    assert smoke_3x.train_cfg.max_iters == 2  # the smoke profile stays a handful

    yolact = build_config(
        Run.resolve("yolact_concordance_0.4", "demo", data_root=tmp_path, validate=True)
    )
    assert yolact.model.bbox_head.in_channels == yolact.model.mask_head.in_channels == 64
    assert yolact.model.neck.out_channels == 64
    for loader in (yolact.train_dataloader, yolact.val_dataloader):
        loads = [t for t in loader.dataset.pipeline if t.type == "LoadAnnotations"]
        assert loads and loads[0].with_mask
    assert set(yolact.val_evaluator.metric) == {"bbox", "segm"}
    # YOLACT's standard 55 epochs against the 12 of the 1x detectors
    assert yolact.train_cfg.max_iters == round(55 / 12 * one_x.train_cfg.max_iters)


# ---------------------------------------------------------------------------------------------
# YOLACT's evaluation: mask AP beside the box metrics


def test_only_yolact_evaluates_masks(smoke_data_root):
    from reproduction.running.evaluate import evaluates_masks

    assert evaluates_masks(smoke_cfg("yolact_baseline", smoke_data_root))
    assert not evaluates_masks(smoke_cfg("sparsercnn_baseline", smoke_data_root))
    assert not evaluates_masks(smoke_cfg("atss_baseline", smoke_data_root))


@pytest.mark.slow
def test_yolact_evaluation_scores_masks(smoke_data_root, tmp_path, monkeypatch):
    """Two smoke iterations, then the evaluate path: each detection's RLE is its predicted
    mask at the image's size, and the results record holds mask AP beside the box metrics."""
    import numpy as np
    from pycocotools import mask as mask_utils

    from reproduction.records.results import read_results
    from reproduction.running import config_builder
    from reproduction.running.evaluate import evaluate_experiment, mask_rles, predict
    from reproduction.running.train import train_experiment

    work = tmp_path / "work"
    train_experiment(
        Run.resolve("yolact_baseline", "smoke", work_dir=work, data_root=smoke_data_root)
    )
    build = config_builder.build_config

    def keep_every_candidate(*args, **kwargs):  # two iterations: scores are still tiny
        cfg = build(*args, **kwargs)
        cfg.model.test_cfg.score_thr = 0.0
        return cfg

    monkeypatch.setattr(config_builder, "build_config", keep_every_candidate)
    results_file = tmp_path / "seed0.json"
    record = evaluate_experiment(
        Run.resolve("yolact_baseline", "smoke", seed=0, work_dir=work, data_root=smoke_data_root),
        results_file=results_file,
    )
    stored = read_results(results_file)["metrics"]
    for key in ("mask_AP", "mask_AP50", "mask_AP75", "AP", "AP50"):  # masks and boxes
        assert stored[key] is not None and 0.0 <= stored[key] <= 1.0, key
        assert stored[key] == pytest.approx(record["metrics"][key]), key
    assert stored["n_detections"] > 0

    # the RLEs are the predicted masks, one per detection, in the detections' order
    cfg = keep_every_candidate(
        Run.resolve("yolact_baseline", "smoke", validate=True, data_root=smoke_data_root)
    )
    model = build_model(cfg.model)
    dets, _ = predict(cfg, model, emit_positives=False, masks=True)
    sizes = {
        img["id"]: [img["height"], img["width"]]
        for img in json.loads((smoke_data_root / "annotations" / "val.json").read_text())["images"]
    }
    assert dets and all(d["segmentation"]["size"] == sizes[d["image_id"]] for d in dets)
    model.eval()
    with torch.no_grad():
        sample = model.test_step(_batch(cfg, "val"))[0]
    masks = sample.pred_instances.masks.numpy()
    rles = mask_rles(sample)
    assert len(rles) == masks.shape[0] > 0
    decoded = mask_utils.decode([{**r, "counts": r["counts"].encode()} for r in rles])
    np.testing.assert_array_equal(decoded.transpose(2, 0, 1).astype(bool), masks)


def test_demo_3x_trains_multi_scale_with_random_crop(tmp_path):
    """Table 5.2's augmentation at the demo's scale: mmdet's resize choices (shorter side
    480-800) or resize + crop + resize, shrunk by 128 / 800 at the overlay's 128 pixels (the
    default's 96 scales them again, tests/test_detectors.py); testing stays at 128 pixels."""
    from reproduction.running.config_builder import build_config

    one_x = build_config(
        Run.resolve("sparsercnn_baseline", "demo-128px", data_root=tmp_path, validate=True)
    )
    three_x = build_config(
        Run.resolve("sparsercnn_3x_baseline", "demo-128px", data_root=tmp_path, validate=True)
    )
    assert "RandomChoice" not in [t.type for t in one_x.train_dataloader.dataset.pipeline]
    (choice,) = [t for t in three_x.train_dataloader.dataset.pipeline if t.type == "RandomChoice"]
    multi_scale, crop = choice.transforms
    shorter = sorted(s for s, _ in multi_scale[0].scales)
    assert shorter[0] == round(480 * 128 / 800) and shorter[-1] == 128 and len(shorter) == 11
    assert [t.type for t in crop] == ["RandomChoiceResize", "RandomCrop", "RandomChoiceResize"]
    assert crop[1].crop_size == (round(384 * 128 / 800), round(600 * 128 / 800))
    assert three_x.val_dataloader.dataset.pipeline == one_x.val_dataloader.dataset.pipeline
