"""The first demo's overlay (``demo-v1`` and the study's variants of it): every detector,
scaled to train in minutes on a 2-core CPU.

Embedded synthetic dataset (``reproduction.dataset``, preset ``demo``: 128×128 images), ResNet-18
trained from scratch (no pretrained weights can be downloaded here), a 64-channel FPN, batch 8,
an iteration-based schedule with warm-up and two steps. The experiment's λ_corr and
coefficient are the thesis's, unchanged. Data root, class names and ``num_classes`` are set by
the builder from the dataset.
"""

image_size = (128, 128)

model = dict(
    backbone=dict(
        _delete_=True,
        type="ResNet",
        depth=18,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        frozen_stages=-1,
        norm_cfg=dict(type="BN", requires_grad=True),
        norm_eval=False,
        style="pytorch",
        init_cfg=None,
    ),
    neck=dict(in_channels=[64, 128, 256, 512], out_channels=64),
)

train_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="LoadAnnotations", with_bbox=True),
    dict(type="Resize", scale=image_size, keep_ratio=True),
    dict(type="RandomFlip", prob=0.5),
    dict(type="PackDetInputs"),
]
test_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="Resize", scale=image_size, keep_ratio=True),
    dict(type="LoadAnnotations", with_bbox=True),
    dict(
        type="PackDetInputs",
        meta_keys=("img_id", "img_path", "ori_shape", "img_shape", "scale_factor"),
    ),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(
        ann_file="annotations/train.json",
        data_prefix=dict(img="train/"),
        filter_cfg=dict(filter_empty_gt=True, min_size=0),
        pipeline=train_pipeline,
    ),
)
val_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(
        ann_file="annotations/val.json", data_prefix=dict(img="val/"), pipeline=test_pipeline
    ),
)
test_dataloader = val_dataloader
val_evaluator = dict(type="CocoMetric", metric="bbox", format_only=False)
test_evaluator = val_evaluator

max_iters = 600
train_cfg = dict(
    _delete_=True, type="IterBasedTrainLoop", max_iters=max_iters, val_interval=max_iters
)
param_scheduler = [
    dict(type="LinearLR", start_factor=0.001, by_epoch=False, begin=0, end=100),
    dict(
        type="MultiStepLR", by_epoch=False, begin=0, end=max_iters, milestones=[450, 550], gamma=0.1
    ),
]
optim_wrapper = dict(
    optimizer=dict(type="SGD", lr=0.01, momentum=0.9, weight_decay=0.0001),
    clip_grad=dict(max_norm=35, norm_type=2),
)
auto_scale_lr = dict(enable=False, base_batch_size=8)

# A checkpoint every 300 iterations (and one at the end) keeps the latest only: a run that is
# stopped — a killed job, a session that ends mid-campaign — resumes from it when it is trained
# again in the same work dir (``reproduction.running.train``). Longer schedules keep the interval.
checkpoint_interval = 300
default_hooks = dict(
    logger=dict(type="LoggerHook", interval=20),
    checkpoint=dict(
        type="CheckpointHook",
        by_epoch=False,
        interval=checkpoint_interval,
        max_keep_ckpts=1,
        save_last=True,
    ),
)
log_processor = dict(by_epoch=False, window_size=20)
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend="gloo"))
