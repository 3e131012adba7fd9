"""Narrowed demo overlay for atss_qfl: the 32-channel FPN and head of ``_dense.py``."""

_base_ = "./_dense.py"
