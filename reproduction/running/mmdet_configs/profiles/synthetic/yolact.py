"""Demo / smoke overlay for yolact: YOLACT narrowed to train on a 2-core CPU.

64-channel FPN (P3–P7), box head and protonet (mmdet: 256), 32 prototypes as in YOLACT, and
anchors scaled to the 128-pixel demo images: mmdet's YOLACT places anchors of 24–384 pixels
(3 × 8 … 3 × 128) on 550-pixel inputs; here 6–96 pixels (3 × 2 … 3 × 32) on 128-pixel inputs,
centred in their cells as YOLACT's are. Pipelines load masks; evaluation reports box and
mask AP. YOLACT's heavy augmentation (expand, min-IoU crop, photometric distortion) is left
out, as in the other demo detectors. The schedule is the demo's, stretched by YOLACT's
``demo_schedule_scale`` (55 / 12, see ``corrlib/configs/yolact.py``).
"""

channels = 64
num_protos = 32
strides = [8, 16, 32, 64, 128]  # P3–P7 on a 128-pixel input: 16×16 … 1×1

model = dict(
    bbox_head=dict(
        in_channels=channels,
        feat_channels=channels,
        num_protos=num_protos,
        anchor_generator=dict(
            _delete_=True,
            type="AnchorGenerator",
            octave_base_scale=3,
            scales_per_octave=1,
            base_sizes=[2, 4, 8, 16, 32],
            ratios=[0.5, 1.0, 2.0],
            strides=strides,
            centers=[(s / 2, s / 2) for s in strides],
        ),
    ),
    mask_head=dict(
        in_channels=channels,
        num_protos=num_protos,
        proto_channels=(channels, channels, channels, None, channels, num_protos),
    ),
)

image_size = (128, 128)
train_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="LoadAnnotations", with_bbox=True, with_mask=True),
    dict(type="Resize", scale=image_size, keep_ratio=False),
    dict(type="RandomFlip", prob=0.5),
    dict(type="PackDetInputs"),
]
test_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="Resize", scale=image_size, keep_ratio=False),
    dict(type="LoadAnnotations", with_bbox=True, with_mask=True),
    dict(
        type="PackDetInputs",
        meta_keys=("img_id", "img_path", "ori_shape", "img_shape", "scale_factor"),
    ),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(metric=["bbox", "segm"])
test_evaluator = val_evaluator
