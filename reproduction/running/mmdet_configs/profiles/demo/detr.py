"""Narrowed demo overlay for DETR: its channel mapper reads the half-width C5 (256 channels)."""

model = dict(neck=dict(in_channels=[256]))
