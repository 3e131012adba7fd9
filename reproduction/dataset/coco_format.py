"""Masks to COCO annotation fields: uncompressed run-length encoding, box and area.

The encoding follows pycocotools: the mask is read column by column (Fortran order) and
``counts`` alternates runs of 0s and 1s, starting with a (possibly empty) run of 0s.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def mask_to_rle(mask: np.ndarray) -> dict[str, Any]:
    """Return the uncompressed RLE ``{"size": [height, width], "counts": [...]}`` of a mask."""
    height, width = mask.shape
    flat = np.asarray(mask, dtype=bool).T.ravel()
    changes = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    edges = np.concatenate(([0], changes, [flat.size]))
    counts = np.diff(edges).tolist()
    if flat.size and flat[0]:
        counts.insert(0, 0)
    return {"size": [int(height), int(width)], "counts": [int(c) for c in counts]}


def mask_bbox(mask: np.ndarray) -> list[int]:
    """Return the tight box ``[x, y, width, height]`` (pixels) of a non-empty mask.

    ``x, y`` is the top-left corner of the top-left pixel; width and height count pixels, so the
    box equals pycocotools' ``toBbox`` of the mask.
    """
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        raise ValueError("mask_bbox: the mask is empty")
    return [int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1)]


def instance_annotation(
    ann_id: int, image_id: int, category_id: int, mask: np.ndarray
) -> dict[str, Any]:
    """Return a COCO instance annotation (``iscrowd = 0``) for a visible-part mask.

    ``area`` is the number of mask pixels; ``bbox`` is :func:`mask_bbox`; ``segmentation`` is
    :func:`mask_to_rle`.
    """
    return {
        "id": ann_id,
        "image_id": image_id,
        "category_id": category_id,
        "bbox": mask_bbox(mask),
        "area": int(mask.sum()),
        "iscrowd": 0,
        "segmentation": mask_to_rle(mask),
    }
