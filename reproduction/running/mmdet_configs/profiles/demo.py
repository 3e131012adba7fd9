"""The demo overlay: the first demo's (``demo_v1.py``) with a half-width ResNet-18.

The same detector, data pipeline, batch and schedule as ``demo_v1.py``, with the backbone at half
width (``base_channels=32``: stages of 32/64/128/256 channels). The dense heads (the demo
pairs, FoveaBox, PAA and the ATSS comparison methods) also narrow their FPN and head to 32
channels (``demo/<detector>.py``); the others keep their demo widths. Measured side by
side (``benchmarks/bench_demo_cost.py``): 2.7x (ATSS) / 2.8x (RetinaNet) less time per training
iteration than ``demo_v1.py``. The default ``demo`` profile runs it on 3 classes (1000 validation
images) at 96 px (its ``image_size``, scaling this overlay's 128) with 5 seeds; the thesis's
λ_corr and coefficients are unchanged.
"""

_base_ = "./demo_v1.py"

base_channels = 32
model = dict(
    backbone=dict(base_channels=base_channels),
    neck=dict(in_channels=[base_channels * 2**i for i in range(4)]),
)
