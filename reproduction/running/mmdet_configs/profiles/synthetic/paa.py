"""Demo / smoke overlay for PAA: 64-channel head, pyramid P2-P6 (see ``_anchors_p2.py``)."""

_base_ = "./_anchors_p2.py"
