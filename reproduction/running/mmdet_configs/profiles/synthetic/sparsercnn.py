"""Demo / smoke overlay for sparsercnn: Sparse R-CNN narrowed to train on a 2-core CPU.

The thesis's Sparse R-CNN (256-channel dynamic heads, 100 proposals) takes 4 s per iteration
here; this one keeps its structure — learnable proposals, six stages with self-attention,
dynamic convolution, Hungarian matching, focal + L1 + GIoU losses — at 64 channels
(following the demo FPN), 2048 → 256 FFN channels, 64 → 16 dynamic-conv channels and 50
proposals. The optimiser is the thesis's (AdamW, gradient clipping at 1) with a learning rate
raised for training from scratch in a short schedule.
"""

num_stages = 6
num_proposals = 50
channels = 64

model = dict(
    rpn_head=dict(num_proposals=num_proposals, proposal_feature_channel=channels),
    roi_head=dict(
        proposal_feature_channel=channels,
        bbox_roi_extractor=dict(out_channels=channels),
        bbox_head=[
            dict(
                type="CorrDIIHead",
                num_classes=80,  # set from the dataset by the builder
                num_ffn_fcs=2,
                num_heads=8,
                num_cls_fcs=1,
                num_reg_fcs=3,
                feedforward_channels=256,
                in_channels=channels,
                dropout=0.0,
                ffn_act_cfg=dict(type="ReLU", inplace=True),
                dynamic_conv_cfg=dict(
                    type="DynamicConv",
                    in_channels=channels,
                    feat_channels=16,
                    out_channels=channels,
                    input_feat_shape=7,
                    act_cfg=dict(type="ReLU", inplace=True),
                    norm_cfg=dict(type="LN"),
                ),
                loss_bbox=dict(type="L1Loss", loss_weight=5.0),
                loss_iou=dict(type="GIoULoss", loss_weight=2.0),
                loss_cls=dict(
                    type="FocalLoss", use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=2.0
                ),
                bbox_coder=dict(
                    type="DeltaXYWHBBoxCoder",
                    clip_border=False,
                    target_means=[0.0, 0.0, 0.0, 0.0],
                    target_stds=[0.5, 0.5, 1.0, 1.0],
                ),
                loss_corr=None,
            )
            for _ in range(num_stages)
        ],
    ),
    test_cfg=dict(rcnn=dict(max_per_img=num_proposals)),
)

optim_wrapper = dict(
    optimizer=dict(_delete_=True, type="AdamW", lr=2e-4, weight_decay=0.0001),
    clip_grad=dict(max_norm=1, norm_type=2),
)
