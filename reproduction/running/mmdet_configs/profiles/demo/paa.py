"""Narrowed demo overlay for paa: the 32-channel FPN and head of ``_dense.py``."""

_base_ = "./_dense.py"
