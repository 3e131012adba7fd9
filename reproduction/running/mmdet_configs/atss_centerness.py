"""ATSS with its centerness head (mmdet's standard ATSS; thesis Table 5.4)."""

_base_ = "./atss.py"

model = dict(bbox_head=dict(with_aux_head=True))
