"""Demo / smoke overlay for atss_alrp: ATSS head widths; the self-balancing weight of aLRP Loss
is re-estimated every 50 iterations (the paper: every epoch; the demo has no epochs)."""

_base_ = "./atss.py"

model = dict(bbox_head=dict(loss_cls=dict(sb_interval=50)))
