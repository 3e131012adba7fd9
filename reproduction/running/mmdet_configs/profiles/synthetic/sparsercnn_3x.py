"""Demo / smoke overlay for sparsercnn_3x: the stronger Sparse R-CNN of Table 5.2, scaled down.

The demo Sparse R-CNN (``sparsercnn.py`` beside this file) with the changes of Table 5.2
(following Sun et al. and mmdet's 3x config): three times the proposals (150 vs 50; thesis 300
vs 100), three times the schedule (``corrlib.demo_schedule_scale`` of the detector config),
multi-scale training and DETR-style random cropping. The scales are mmdet's, shrunk by the
ratio of the test sizes (128 / 800): shorter side 480–800 becomes 77–128 in steps of 8.
"""

_base_ = "./sparsercnn.py"

num_proposals = 150
model = dict(
    rpn_head=dict(num_proposals=num_proposals), test_cfg=dict(rcnn=dict(max_per_img=num_proposals))
)

# mmdet: RandomChoiceResize over (480..800, 1333), or resize to (400..600, 1333), crop
# 384..600, resize again. Here each size is × 128 / 800 (1333 → 213).
_scales = [(s, 213) for s in (77, 82, 87, 92, 97, 102, 108, 113, 118, 123, 128)]
train_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="LoadAnnotations", with_bbox=True),
    dict(type="RandomFlip", prob=0.5),
    dict(
        type="RandomChoice",
        transforms=[
            [dict(type="RandomChoiceResize", scales=_scales, keep_ratio=True)],
            [
                dict(
                    type="RandomChoiceResize",
                    scales=[(64, 213), (80, 213), (96, 213)],
                    keep_ratio=True,
                ),
                dict(
                    type="RandomCrop",
                    crop_type="absolute_range",
                    crop_size=(61, 96),
                    allow_negative_crop=True,
                ),
                dict(type="RandomChoiceResize", scales=_scales, keep_ratio=True),
            ],
        ],
    ),
    dict(type="PackDetInputs"),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
