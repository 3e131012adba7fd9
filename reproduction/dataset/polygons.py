"""Masks to COCO polygons: the outline of each part of a mask, traced along pixel edges.

COCO annotates most objects with polygons: one closed outline per visible part, holes not
represented (the region inside an outline counts as the object's). :func:`mask_polygons`
returns such outlines for a boolean mask. Each part (a 4-connected component) is outlined
exactly along the edges of its pixels, so the region a polygon encloses is the part with its
holes filled, and its area (:func:`polygon_area`) is that region's number of pixels.
Coordinates are pixel corners: pixel ``(row, col)`` is the square ``[col, col + 1] x [row, row
+ 1]``, as in COCO's boxes.
"""

from __future__ import annotations

import numpy as np

_RIGHT_TURN = {(1, 0): (0, 1), (0, 1): (-1, 0), (-1, 0): (0, -1), (0, -1): (1, 0)}
_LEFT_TURN = {v: k for k, v in _RIGHT_TURN.items()}


def _inside(mask: np.ndarray, row: int, col: int) -> bool:
    height, width = mask.shape
    return 0 <= row < height and 0 <= col < width and bool(mask[row, col])


def trace_outline(mask: np.ndarray, row: int, col: int) -> list[tuple[int, int]]:
    """Return the outer outline of the 4-connected part of ``mask`` holding pixel
    ``(row, col)``, which must be the part's first pixel in row-major order.

    The outline is a list of its corners ``(x, y)`` (pixel-corner coordinates), walked
    clockwise on the image (inside on the right), starting at the pixel's top-left corner;
    only the corners where the outline turns are listed.
    """
    if not _inside(mask, row, col) or _inside(mask, row - 1, col) or _inside(mask, row, col - 1):
        raise ValueError(f"pixel ({row}, {col}) is not the first pixel of a part of the mask")
    start = (col, row)
    x, y = start
    dx, dy = 0, -1  # as if arriving up the pixel's left edge: the outline turns east here
    corners: list[tuple[int, int]] = []
    while True:
        # the two pixels beside the next edge: ahead-right and ahead-left of (x, y)
        right = _inside(mask, (2 * y + dy + dx - 1) // 2, (2 * x + dx - dy - 1) // 2)
        left = _inside(mask, (2 * y + dy - dx - 1) // 2, (2 * x + dx + dy - 1) // 2)
        if not right:  # the outline turns right (also at a diagonal touch: 4-connectivity)
            turned = _RIGHT_TURN[(dx, dy)]
        elif left:
            turned = _LEFT_TURN[(dx, dy)]
        else:
            turned = (dx, dy)
        if turned != (dx, dy):
            corners.append((x, y))
        dx, dy = turned
        x, y = x + dx, y + dy
        if (x, y) == start:  # only one of the four pixels at the start corner is inside
            break
    return corners


def fill_outline(corners: list[tuple[int, int]], shape: tuple[int, int]) -> np.ndarray:
    """Return the pixels (bool array of ``shape``) whose centres lie inside an outline of
    :func:`trace_outline` (even-odd rule over its vertical edges)."""
    toggles = np.zeros((shape[0], shape[1] + 1), dtype=np.int32)
    closed = [*corners, corners[0]]
    for (x0, y0), (x1, y1) in zip(closed[:-1], closed[1:], strict=True):
        if x0 == x1 and y0 != y1:
            low, high = min(y0, y1), max(y0, y1)
            toggles[low:high, x0] += 1
    return (np.cumsum(toggles, axis=1)[:, : shape[1]] % 2).astype(bool)


def polygon_area(polygon: list[float]) -> float:
    """Return the area enclosed by a flat COCO polygon ``[x1, y1, x2, y2, ...]`` (shoelace)."""
    xs = np.asarray(polygon[0::2], dtype=np.float64)
    ys = np.asarray(polygon[1::2], dtype=np.float64)
    return float(abs(np.dot(xs, np.roll(ys, -1)) - np.dot(ys, np.roll(xs, -1))) / 2.0)


def mask_polygons(mask: np.ndarray, min_area: int = 1) -> tuple[list[list[float]], np.ndarray]:
    """Return the COCO polygons of a mask's parts and the region they enclose.

    Each 4-connected part of at least ``min_area`` pixels (counting its holes) gives one flat
    polygon ``[x1, y1, x2, y2, ...]`` in pixel-corner coordinates; smaller parts are left out.
    The region is the union of the parts' filled outlines (bool array like ``mask``): its
    pixel count is the sum of the polygons' areas.
    """
    mask = np.asarray(mask, dtype=bool)
    remaining = mask.copy()
    region = np.zeros_like(mask)
    polygons: list[list[float]] = []
    while remaining.any():
        flat = int(np.flatnonzero(remaining)[0])
        row, col = divmod(flat, mask.shape[1])
        corners = trace_outline(remaining, row, col)
        filled = fill_outline(corners, mask.shape)
        remaining &= ~filled
        if int(filled.sum()) >= min_area:
            region |= filled
            polygons.append([float(v) for corner in corners for v in corner])
    return polygons, region
