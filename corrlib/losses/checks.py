"""Input checks of Correlation Loss that never make a GPU wait.

Shapes, dtypes and lengths are metadata: checking them is free on any device, and a bad one
raises at once. Values (finite, within a range) live on the device: reading them back makes the
host wait for the GPU, which on a training step costs more than the loss itself. So a value
check is computed as a few tensor reductions, and what happens with its result depends on the
validation mode:

- ``"auto"`` (the default): ``"eager"`` for tensors on the CPU, where reading a value costs
  nothing; ``"deferred"`` for tensors on a GPU.
- ``"eager"``: read the result now and raise ``ValueError`` naming the problem.
- ``"deferred"``: copy the result to the host without waiting (pinned memory, a CUDA event) and
  raise the ``ValueError`` at a later call, the first one after the copy has landed (usually the
  next training step's), or at :func:`raise_pending` (which waits). Nothing is lost, nothing
  waits; a bad batch is reported one step late.
- ``"off"``: no value checks (shapes are still checked).

    import corrlib.losses as L
    L.set_validation("off")            # or: with L.validation("eager"): ...
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import Tensor

from corrlib.names import check_choice

VALIDATION_MODES: tuple[str, ...] = ("auto", "eager", "deferred", "off")
"""The accepted validation modes (see the module docstring)."""

_mode = "auto"


def set_validation(mode: str) -> str:
    """Set the validation mode of every Correlation Loss call; return the previous one.

    ValueError names an unknown mode.
    """
    global _mode
    check_choice("validation mode", mode, VALIDATION_MODES)
    previous, _mode = _mode, mode
    return previous


def get_validation() -> str:
    """Return the validation mode in force (one of :data:`VALIDATION_MODES`)."""
    return _mode


@contextmanager
def validation(mode: str) -> Iterator[None]:
    """Run the block with validation mode ``mode``, then restore the previous one."""
    previous = set_validation(mode)
    try:
        yield
    finally:
        set_validation(previous)


def check_metadata(x: object, y: object, x_name: str = "x", y_name: str = "y") -> None:
    """Raise ValueError naming the problem unless x and y are floating-point 1-D tensors of one
    length on one device (metadata only: free on any device)."""
    for name, t in ((x_name, x), (y_name, y)):
        if not isinstance(t, Tensor):
            raise ValueError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if t.dim() != 1:
            raise ValueError(f"{name} must be 1-D, got shape {tuple(t.shape)}")
        if not torch.is_floating_point(t):
            raise ValueError(f"{name} must be a floating-point tensor, got dtype {t.dtype}")
    assert isinstance(x, Tensor) and isinstance(y, Tensor)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"{x_name} and {y_name} differ in length: {x.shape[0]} vs {y.shape[0]}")
    if x.device != y.device:
        raise ValueError(
            f"{x_name} and {y_name} are on different devices: {x.device} vs {y.device}"
        )


@dataclass(frozen=True)
class _Check:
    """What a value check measured of some named inputs, and the range they must keep."""

    names: tuple[str, ...]
    max_range: float | None
    range_reason: str


def _statistics(values: tuple[Tensor, ...], mask: Tensor | None, spread: bool) -> Tensor:
    """Return, per input, its sum (non-finite exactly when a value is: NaN, or ±inf) and, with
    ``spread``, its max − min, as one small tensor on their device; rows where ``mask`` is
    False count as absent (0)."""
    values = tuple(v.detach() for v in values)
    absent = None if mask is None else ~mask
    parts = [v.sum() if absent is None else v.masked_fill(absent, 0.0).sum() for v in values]
    if spread:
        for v in values:
            if v.numel() == 0:
                parts.append(v.sum())
            elif absent is None:
                parts.append(v.amax() - v.amin())
            else:
                high = v.masked_fill(absent, float("-inf")).amax()
                low = v.masked_fill(absent, float("inf")).amin()
                parts.append((high - low).clamp(min=0.0))
    return torch.stack(parts)


def _problem(check: _Check, stats: list[float]) -> str | None:
    """The first problem the statistics show, as a message naming the input, else None."""
    k = len(check.names)
    for name, total in zip(check.names, stats[:k], strict=True):
        if not math.isfinite(total):
            what = "nan" if math.isnan(total) else ("inf" if total > 0 else "-inf")
            return f"{name} contains a non-finite value ({what})"
    if check.max_range is not None:
        for name, spread in zip(check.names, stats[k:], strict=True):
            if spread > check.max_range:
                return (
                    f"{name} spans {spread:.6g} (max − min), more than {check.max_range:g}: "
                    f"{check.range_reason}"
                )
    return None


_pending: list[tuple[Tensor, object, _Check]] = []


def raise_pending(wait: bool = False) -> None:
    """Raise the ValueError of the first deferred check that found a problem.

    Only checks whose copy to the host has landed are read unless ``wait`` is True (then this
    waits for every one, which syncs with the GPU). Checks read are forgotten.
    """
    while _pending:
        host, event, check = _pending[0]
        if event is not None and not wait and not event.query():
            return
        if event is not None:
            event.synchronize()
        _pending.pop(0)
        problem = _problem(check, host.tolist())
        if problem is not None:
            _pending.clear()
            raise ValueError(f"{problem} (found by a deferred check of an earlier call)")


def check_values(
    values: tuple[Tensor, ...],
    names: tuple[str, ...],
    mask: Tensor | None = None,
    max_range: float | None = None,
    range_reason: str = "",
) -> None:
    """Check that ``values`` are finite where ``mask`` is True (everywhere when None) and,
    with ``max_range``, that each spans at most that much; as the validation mode says.

    Raises:
        ValueError: naming the input and the problem, now (eager) or at a later call
            (deferred: a problem of an earlier call).
    """
    mode = _mode
    if mode == "off" or not values:
        return
    device = values[0].device
    if mode == "auto":
        mode = "eager" if device.type == "cpu" else "deferred"
    raise_pending()
    check = _Check(names, max_range, range_reason)
    stats = _statistics(values, mask, max_range is not None)
    if mode == "eager":
        problem = _problem(check, stats.tolist())
        if problem is not None:
            raise ValueError(problem)
        return
    if device.type == "cuda":
        host = torch.empty(stats.shape, dtype=stats.dtype, pin_memory=True)
        host.copy_(stats, non_blocking=True)
        event = torch.cuda.Event()
        event.record()
        _pending.append((host, event, check))
    else:  # no device to wait for: kept as it is, read at the next call
        _pending.append((stats, None, check))
