"""Shared demo / smoke overlay of the anchor-based heads (RetinaNet, ATSS, PAA).

The P2-P6 pyramid of ``_pyramid_p2.py`` with anchor strides 4-64; anchors keep the base size
of mmdet's config relative to the stride (RetinaNet 4 x stride, ATSS and PAA 8 x stride).
"""

_base_ = "./_pyramid_p2.py"

model = dict(bbox_head=dict(anchor_generator=dict(strides=[4, 8, 16, 32, 64])))
