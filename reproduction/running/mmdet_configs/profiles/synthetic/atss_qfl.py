"""Demo / smoke overlay for atss_qfl: the ATSS head widths (64-channel FPN)."""

_base_ = "./atss.py"
