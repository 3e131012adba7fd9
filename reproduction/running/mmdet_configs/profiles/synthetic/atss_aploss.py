"""Demo / smoke overlay for atss_aploss: the ATSS head widths (64-channel FPN)."""

_base_ = "./atss.py"
