"""Narrowed demo overlay of the dense heads: a 32-channel FPN and head (demo: 64).

GroupNorm keeps 32 groups (one channel each) where a head has it.
"""

channels = 32
model = dict(
    neck=dict(out_channels=channels),
    bbox_head=dict(in_channels=channels, feat_channels=channels),
)
