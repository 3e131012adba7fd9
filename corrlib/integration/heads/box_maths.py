"""Box decoding and aligned IoU for the Correlation Loss path, without host synchronisation.

mmdet's ``delta2bbox`` and ``bbox_overlaps`` copy their constants (means, stds, eps) from Python
onto the device at every call, and on a GPU each such copy waits for the device. These two
functions compute the same boxes and IoUs with their constants as Python floats, so the loss
path of a head adds no wait; the tests hold them equal to mmdet's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor


def decode_deltas(
    priors: Tensor,
    deltas: Tensor,
    means: Sequence[float] = (0.0, 0.0, 0.0, 0.0),
    stds: Sequence[float] = (1.0, 1.0, 1.0, 1.0),
    wh_ratio_clip: float = 16 / 1000,
) -> Tensor:
    """Return the boxes (P, 4), x1y1x2y2 in the priors' units, that (dx, dy, dw, dh)
    ``deltas`` (P, 4) encode relative to ``priors`` (P, 4): mmdet's ``DeltaXYWHBBoxCoder``
    decoding without a ``max_shape`` clip (the Correlation Loss compares a box with its target;
    nothing is clipped to the image)."""
    d = [deltas[:, i] * float(stds[i]) + float(means[i]) for i in range(4)]
    limit = abs(math.log(wh_ratio_clip))
    px = (priors[:, 0] + priors[:, 2]) * 0.5
    py = (priors[:, 1] + priors[:, 3]) * 0.5
    pw = priors[:, 2] - priors[:, 0]
    ph = priors[:, 3] - priors[:, 1]
    gx, gy = px + pw * d[0], py + ph * d[1]
    gw = pw * d[2].clamp(min=-limit, max=limit).exp()
    gh = ph * d[3].clamp(min=-limit, max=limit).exp()
    return torch.stack([gx - gw * 0.5, gy - gh * 0.5, gx + gw * 0.5, gy + gh * 0.5], dim=1)


def decode_with(coder: object, priors: Tensor, deltas: Tensor) -> Tensor:
    """Decode ``deltas`` with a head's box coder: :func:`decode_deltas` for mmdet's
    ``DeltaXYWHBBoxCoder`` without centre clamping (its constants read from the coder), the
    coder's own ``decode`` otherwise."""
    if type(coder).__name__ == "DeltaXYWHBBoxCoder" and not getattr(coder, "add_ctr_clamp", False):
        return decode_deltas(priors, deltas, coder.means, coder.stds, 16 / 1000)
    return coder.decode(priors, deltas)


def aligned_iou(boxes: Tensor, targets: Tensor, eps: float = 1e-6) -> Tensor:
    """Return the IoU of each box (P, 4) with the target in the same row (P, 4), x1y1x2y2,
    shape (P,), in [0, 1]; the union is floored at ``eps`` (mmdet's ``bbox_overlaps`` with
    ``is_aligned=True``)."""
    lt = torch.maximum(boxes[:, :2], targets[:, :2])
    rb = torch.minimum(boxes[:, 2:], targets[:, 2:])
    wh = (rb - lt).clamp(min=0.0)
    overlap = wh[:, 0] * wh[:, 1]
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    target_area = (targets[:, 2] - targets[:, 0]) * (targets[:, 3] - targets[:, 1])
    return overlap / (area + target_area - overlap).clamp(min=eps)
