"""One mmdet training iteration on CPU with Correlation Loss chosen by config (fast).

Proves that the compiled mmcv ops, mmdet, torchsort and corrlib's registered extensions work
together: the config names corrlib only through ``custom_imports`` and ``type=`` strings, as a
researcher's own config would.
"""

from __future__ import annotations

import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.utils import import_modules_from_strings

CONFIG = dict(
    custom_imports=dict(imports=["corrlib.integration"], allow_failed_imports=False),
    model=dict(
        type="RetinaNet",
        data_preprocessor=dict(
            type="DetDataPreprocessor", mean=[0, 0, 0], std=[255, 255, 255], pad_size_divisor=32
        ),
        backbone=dict(
            type="ResNet", depth=18, out_indices=(1, 2, 3), norm_eval=False, init_cfg=None
        ),
        neck=dict(type="FPN", in_channels=[128, 256, 512], out_channels=32, num_outs=3),
        bbox_head=dict(
            type="CorrRetinaHead",
            num_classes=3,
            in_channels=32,
            feat_channels=32,
            stacked_convs=1,
            anchor_generator=dict(
                type="AnchorGenerator",
                octave_base_scale=4,
                scales_per_octave=3,
                ratios=[0.5, 1.0, 2.0],
                strides=[8, 16, 32],
            ),
            bbox_coder=dict(
                type="DeltaXYWHBBoxCoder", target_means=[0.0] * 4, target_stds=[1.0] * 4
            ),
            loss_cls=dict(
                type="FocalLoss", use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0
            ),
            loss_bbox=dict(type="L1Loss", loss_weight=1.0),
            loss_corr=dict(type="CorrelationLoss", kind="spearman", loss_weight=0.1),
        ),
        train_cfg=dict(
            assigner=dict(
                type="MaxIoUAssigner",
                pos_iou_thr=0.5,
                neg_iou_thr=0.4,
                min_pos_iou=0,
                ignore_iof_thr=-1,
            ),
            sampler=dict(type="PseudoSampler"),
            allowed_border=-1,
            pos_weight=-1,
            debug=False,
        ),
        test_cfg=dict(
            nms_pre=100,
            min_bbox_size=0,
            score_thr=0.0,
            nms=dict(type="nms", iou_threshold=0.5),
            max_per_img=20,
        ),
    ),
    optim_wrapper=dict(type="OptimWrapper", optimizer=dict(type="SGD", lr=0.01, momentum=0.9)),
)


def test_one_training_iteration_with_correlation_loss_from_config() -> None:
    from mmdet.registry import MODELS
    from mmdet.testing import demo_mm_inputs
    from mmdet.utils import register_all_modules

    register_all_modules()
    cfg = Config(CONFIG)
    import_modules_from_strings(**cfg.custom_imports)  # what mmengine's Runner does

    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    batch = demo_mm_inputs(batch_size=2, image_shapes=(3, 64, 64), num_items=[4, 3], num_classes=3)
    before = model.bbox_head.retina_cls.weight.detach().clone()

    log_vars = model.train_step(batch, optim)

    assert {"loss_cls", "loss_bbox", "loss_corr"} <= set(log_vars)
    assert torch.isfinite(log_vars["loss"])
    assert not torch.equal(before, model.bbox_head.retina_cls.weight)  # a step was taken

    model.eval()
    with torch.no_grad():  # prediction runs mmcv's compiled NMS
        results = model.test_step(batch)
    assert len(results) == 2 and results[0].pred_instances.bboxes.shape[1] == 4


def test_importing_the_integration_allows_mmengine_checkpoints_in_the_safe_loader():
    import torch
    from mmengine.logging.history_buffer import HistoryBuffer

    import corrlib.integration  # noqa: F401  (allow-lists on import)

    assert HistoryBuffer in torch.serialization.get_safe_globals()


def test_correlation_loss_groups_by_grouping_and_refuses_mmdets_reduction():
    """``grouping`` chooses how positives are grouped; ``reduction`` (mmdet's none / mean /
    sum, and the option's former name) is refused by name, from a config and as an attribute."""
    import pytest
    from mmdet.registry import MODELS

    import corrlib.integration  # noqa: F401  (registers CorrelationLoss)

    loss = MODELS.build(dict(type="CorrelationLoss", kind="spearman", grouping="level_mean"))
    assert loss.grouping == "level_mean" and "grouping='level_mean'" in repr(loss)
    gen = torch.Generator().manual_seed(0)
    scores, ious = torch.rand(12, generator=gen), torch.rand(12, generator=gen)
    levels = torch.arange(12) % 3
    per_level = loss(scores, ious, levels=levels, num_levels=3)
    pooled = MODELS.build(dict(type="CorrelationLoss", kind="spearman"))(scores, ious)
    assert per_level.item() != pooled.item()
    for value in ("level_mean", "mean"):
        with pytest.raises(TypeError, match=f"reduction='{value}'.* grouping"):
            MODELS.build(dict(type="CorrelationLoss", kind="spearman", reduction=value))
    with pytest.raises(ValueError, match="CorrelationLoss: unknown grouping 'per_anchor'"):
        MODELS.build(dict(type="CorrelationLoss", grouping="per_anchor"))
    with pytest.raises(TypeError, match="reduction='image_sum'.* grouping"):
        loss.reduction = "image_sum"
    assert loss.grouping == "level_mean" and not hasattr(loss, "reduction")
