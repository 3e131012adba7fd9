"""Loading mmengine checkpoints with torch's safe ``weights_only`` loader.

torch >= 2.6 loads with ``weights_only=True`` by default, and mmengine 0.10.7 checkpoints then
fail on the message hub they keep in ``meta``. :func:`allow_mmengine_checkpoints` allow-lists
exactly the types such a checkpoint holds, so that a checkpoint from elsewhere cannot run code.
Importing :mod:`corrlib.integration` calls it, so an mmdet config with
``custom_imports=dict(imports=['corrlib.integration'])`` can ``resume`` or ``load_from`` its own
checkpoints; calling it again does nothing more.
"""

from __future__ import annotations


def allow_mmengine_checkpoints() -> None:
    """Allow-list, for ``torch.load(weights_only=True)``, exactly what mmengine checkpoints hold.

    torch ≥ 2.6 loads with ``weights_only=True`` by default. mmengine 0.10.7 checkpoints keep
    the message hub in ``meta``: ``HistoryBuffer`` objects holding numpy arrays, and a dict of
    the buffer's statistics methods pickled as ``getattr(HistoryBuffer, 'mean')``. Allowing
    the builtin ``getattr`` would let a checkpoint reach any attribute of anything (and so run
    code); instead the name ``getattr`` is mapped to :func:`_history_buffer_method`, which
    returns only those methods. The numpy types are plain containers. Nothing else may be
    constructed on loading. Idempotent.
    """
    import numpy as np
    import torch
    from mmengine.logging.history_buffer import HistoryBuffer

    multiarray = _numpy_multiarray()
    dtype_classes = [type(np.dtype(t)) for t in ("float64", "float32", "int64", "int32", "bool")]
    torch.serialization.add_safe_globals(
        [
            HistoryBuffer,
            np.ndarray,
            np.dtype,
            multiarray._reconstruct,
            multiarray.scalar,
            *dtype_classes,
            (_history_buffer_method, "__builtin__.getattr"),
            (_history_buffer_method, "builtins.getattr"),
        ]
    )


def _history_buffer_method(obj: object, name: str):
    """``getattr`` restricted to ``HistoryBuffer``'s statistics methods (for unpickling)."""
    from mmengine.logging.history_buffer import HistoryBuffer

    allowed = {"min", "max", "current", "mean", *HistoryBuffer._statistics_methods}
    if obj is HistoryBuffer and name in allowed:
        return getattr(HistoryBuffer, name)
    import pickle

    raise pickle.UnpicklingError(
        f"checkpoint asks for getattr({obj!r}, {name!r}); only HistoryBuffer statistics "
        "methods are allowed"
    )


def _numpy_multiarray():
    """numpy's ``multiarray`` module (``numpy._core`` in numpy 2, ``numpy.core`` before)."""
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy < 2
        from numpy.core import multiarray
    return multiarray
