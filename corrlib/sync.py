"""Counting the operations that make the host wait for a GPU, on any device.

A training step that asks the device for a value (``.item()``, ``bool(tensor)``, ``nonzero``,
boolean-mask indexing, ``unique``) or copies a Python value onto it stalls the host until the
device has drained its queue: on a GPU each such operation costs a round trip, however little
arithmetic the step does. :class:`HostSyncCounter` tallies them by their aten operator while
code runs, on CPU as well, so a test on a machine without a GPU can hold a head to "adds no
synchronisation".

    from corrlib.sync import HostSyncCounter

    with HostSyncCounter() as counter:
        losses = model.loss(inputs, data_samples)
        sum(losses.values()).backward()
    print(counter.total, counter.counts)

Torch only (``torch.utils._python_dispatch``).
"""

from __future__ import annotations

from collections import Counter

import torch
from torch.utils._python_dispatch import TorchDispatchMode

ALWAYS_SYNCING: frozenset[str] = frozenset(
    {
        "_local_scalar_dense",  # .item(), bool(), int(), float() of a tensor
        "nonzero",  # output size depends on the data
        "_unique",
        "_unique2",
        "unique_dim",
        "unique_consecutive",
        "masked_select",
        "equal",
        "is_nonzero",
        "lift_fresh",  # torch.tensor(python value): a host-to-device copy on a GPU
    }
)
"""aten operators (packet names) that, on a GPU, always wait for the device or copy a Python
value onto it. Not among them: ``scalar_tensor``, a 0-d tensor that a GPU fills itself (no copy
from the host; ``torch.where`` makes one in backward); and reads that bypass the dispatcher
(``Tensor.tolist``, ``Tensor.numpy``), which no dispatch mode sees on a CPU: the tests' code
reads device values with ``int``/``float``/``bool`` only."""

DATA_DEPENDENT: frozenset[str] = frozenset({"index", "index_put", "index_put_", "_index_put_impl_"})
"""aten operators that wait for the device when one of their indices is a boolean mask."""


def _has_bool_index(args: tuple) -> bool:
    """True when an ``index``/``index_put`` call's indices include a boolean tensor."""
    if len(args) < 2 or not isinstance(args[1], (list, tuple)):
        return False
    return any(
        isinstance(i, torch.Tensor) and i.dtype in (torch.bool, torch.uint8) for i in args[1]
    )


def is_host_sync(name: str, args: tuple) -> bool:
    """Return True when the aten operator ``name`` (its packet name, e.g. "nonzero") called
    with ``args`` makes the host wait for a GPU (see :data:`ALWAYS_SYNCING`,
    :data:`DATA_DEPENDENT`)."""
    if name in ALWAYS_SYNCING:
        return True
    if name in DATA_DEPENDENT:
        return _has_bool_index(args)
    return False


class HostSyncCounter(TorchDispatchMode):
    """A dispatch mode that counts host-syncing aten calls while it is active.

    Attributes:
        counts: operator name → number of calls that sync (:func:`is_host_sync`).
    """

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()

    @property
    def total(self) -> int:
        """Return the number of host-syncing calls seen."""
        return sum(self.counts.values())

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: D105
        name = func.overloadpacket.__name__
        if is_host_sync(name, args):
            self.counts[name] += 1
        return func(*args, **(kwargs or {}))
