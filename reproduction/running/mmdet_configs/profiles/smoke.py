"""Smoke profile overlay: the demo profile cut to a handful of iterations on the tiny set.

For tests and CI: it proves the plumbing (data, model, loss, optimiser, checkpoint, log,
evaluation) works end to end; its numbers mean nothing.
"""

_base_ = "./demo_v1.py"

train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False)
val_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False)
test_dataloader = val_dataloader

max_iters = 2
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type="LinearLR", start_factor=0.1, by_epoch=False, begin=0, end=max_iters),
]
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=max_iters))
log_processor = dict(window_size=1)
