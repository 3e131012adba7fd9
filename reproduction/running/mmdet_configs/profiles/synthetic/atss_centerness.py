"""Demo / smoke overlay for ATSS with its centerness head: the same as ATSS's."""

_base_ = "./atss.py"
