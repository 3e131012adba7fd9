"""Narrowed demo overlay for fovea: the 32-channel FPN and head of ``_dense.py``."""

_base_ = "./_dense.py"
