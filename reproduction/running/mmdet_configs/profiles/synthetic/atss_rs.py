"""Demo / smoke overlay for atss_rs: the ATSS head widths (64-channel FPN)."""

_base_ = "./atss.py"
