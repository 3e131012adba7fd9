"""mmdetection config files of the companion, read by
:func:`reproduction.running.config_builder.build_config`.

Layout — four layers, applied in this order; later layers override earlier ones:

1. ``<detector>.py`` — the detector as the thesis trains it (paper profile): it inherits
   mmdet's own config (``_base_ = 'mmdet::...'``: ResNet-50-FPN, ImageNet initialisation, 1x
   schedule, COCO) and swaps in corrlib's head, with ``loss_corr=None``.
2. ``profiles/<overlay>.py`` — what a profile's overlay (``Profile.overlay``) changes for every
   detector: data, image size, backbone scale, schedule, logging (paper: only the batch
   layout). ``demo.py`` (the default demo and the regime profiles) is ``demo_v1.py`` (the
   first demo, ``demo-v1``, and the study's variants of it) with a half-width backbone;
   ``smoke.py`` is ``demo_v1.py`` cut to a few iterations.
3. ``profiles/synthetic/<detector>.py`` — what every profile on the embedded synthetic data
   changes for one detector (pyramid levels, anchors for small images); optional. Then
   ``profiles/<overlay>/<detector>.py``, the overlay's own per-detector changes, where it has
   them (``demo/``: 32-channel FPN and head; ``paper/``: the thesis author's settings).
4. the experiment (:mod:`reproduction.spec.experiments`) — ``loss_corr`` on the detector's
   heads — and the run (data root, classes, seed, work dir, iterations), set in Python by
   the builder.

Layers 2 and 3 are *overlays*: plain config files merged onto the detector config with
mmengine's merge rules (dicts merge key by key, lists are replaced, ``_delete_=True`` replaces
a dict). ``python -m reproduction.running.train EXP --profile P --dump-config`` prints the
result, the one place to read what a run really uses.
"""

from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent
"""Directory holding the config files."""
