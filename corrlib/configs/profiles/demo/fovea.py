"""Demo / smoke overlay for FoveaBox: the P2-P6 pyramid of ``_pyramid_p2.py``.

Base edges and scale ranges are halved with the strides.
"""

_base_ = "./_pyramid_p2.py"

model = dict(
    bbox_head=dict(
        strides=[4, 8, 16, 32, 64],
        base_edge_list=[8, 16, 32, 64, 128],
        scale_ranges=((1, 32), (16, 64), (32, 128), (64, 256), (128, 512)),
    )
)
