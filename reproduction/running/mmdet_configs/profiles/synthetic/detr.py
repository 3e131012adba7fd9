"""Demo / smoke overlay for detr: DETR narrowed to train on a 2-core CPU.

mmdet's DETR keeps its structure — ResNet C5 features, a transformer encoder and decoder with
learned object queries, Hungarian matching, softmax cross-entropy + L1 + GIoU losses, no NMS —
at the demo scale: the last ResNet-18 stage (512 channels) mapped to 64 channels, 2 encoder and
2 decoder layers with 4 heads and 256 FFN channels, no dropout, 30 queries. The optimiser is
DETR's (AdamW, gradient clipping at 0.1) with the learning rate raised and the backbone not
slowed down, for training from scratch in a short schedule.
"""

embed_dims = 64
num_queries = 30
layer = dict(
    self_attn_cfg=dict(embed_dims=embed_dims, num_heads=4, dropout=0.0),
    ffn_cfg=dict(embed_dims=embed_dims, feedforward_channels=256, ffn_drop=0.0),
)

model = dict(
    num_queries=num_queries,
    backbone=dict(out_indices=(3,)),
    neck=dict(
        _delete_=True,
        type="ChannelMapper",
        in_channels=[512],
        kernel_size=1,
        out_channels=embed_dims,
        act_cfg=None,
        norm_cfg=None,
        num_outs=1,
    ),
    encoder=dict(num_layers=2, layer_cfg=layer),
    decoder=dict(
        num_layers=2,
        layer_cfg=dict(layer, cross_attn_cfg=dict(embed_dims=embed_dims, num_heads=4, dropout=0.0)),
    ),
    positional_encoding=dict(num_feats=embed_dims // 2),
    bbox_head=dict(embed_dims=embed_dims),
    test_cfg=dict(max_per_img=num_queries),
)

optim_wrapper = dict(
    optimizer=dict(_delete_=True, type="AdamW", lr=2e-4, weight_decay=0.0001),
    clip_grad=dict(max_norm=0.1, norm_type=2),
    paramwise_cfg=dict(_delete_=True),
)
