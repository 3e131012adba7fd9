"""Demo / smoke overlay for FoveaBox: the P2-P6 pyramid of ``_pyramid_p2.py``.

Base edges and scale ranges are halved with the strides. GroupNorm in the stacked
convolutions, as for RetinaNet (see ``retinanet.py``): mmdet's FoveaBox head has none, and
trained from scratch at 64 channels its classifier learns slowly (demo data, 300 iterations:
loss_cls 0.93 without, 0.52 with GroupNorm).
"""

_base_ = "./_pyramid_p2.py"

model = dict(
    bbox_head=dict(
        norm_cfg=dict(type="GN", num_groups=32, requires_grad=True),
        strides=[4, 8, 16, 32, 64],
        base_edge_list=[8, 16, 32, 64, 128],
        scale_ranges=((1, 32), (16, 64), (32, 128), (64, 256), (128, 512)),
    )
)
