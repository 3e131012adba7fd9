"""The object classes of the embedded dataset: their shapes and their colours.

Each class is a shape drawn inside a (possibly rotated) box. A shape is a function of the
normalised coordinates ``(u, v)`` of a pixel centre in the frame of that box, both running from
-1 to 1 across it, that says whether the pixel belongs to the object. The classes also differ
in hue (evenly spaced around the colour wheel, jittered per instance), so that a detector can
tell them apart at every size, including objects a few pixels wide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ShapeFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""Maps normalised box coordinates ``(u, v)`` (arrays of equal shape) to a boolean mask."""

RING_INNER = 0.6
"""Inner radius of the ring, as a fraction of its outer radius."""

CROSS_ARM = 0.32
"""Half-width of a cross arm, as a fraction of the half-size of its box."""

STAR_INNER = 0.42
"""Radius between the points of the star, as a fraction of the radius at its points."""


def _disc(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return u * u + v * v <= 1.0


def _box(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return (np.abs(u) <= 1.0) & (np.abs(v) <= 1.0)


def _triangle(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return (v <= 1.0) & (np.abs(u) <= (v + 1.0) * 0.5)


def _ring(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    r2 = u * u + v * v
    return (r2 <= 1.0) & (r2 >= RING_INNER * RING_INNER)


def _cross(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    au, av = np.abs(u), np.abs(v)
    return ((au <= CROSS_ARM) & (av <= 1.0)) | ((av <= CROSS_ARM) & (au <= 1.0))


def _star(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    radius = np.hypot(u, v)
    lobe = (1.0 + np.cos(5.0 * np.arctan2(v, u))) * 0.5
    return radius <= STAR_INNER + (1.0 - STAR_INNER) * lobe * lobe


@dataclass(frozen=True)
class ShapeClass:
    """One object class.

    Attributes:
        name: category name written to the COCO ``categories`` list.
        mask_fn: the shape, see :data:`ShapeFn`.
        aspect: range ``(low, high)`` of the width/height ratio of the shape's own box, before
            rotation; sampled log-uniformly.
        hue: mean hue of the class, in turns (0 to 1).
    """

    name: str
    mask_fn: ShapeFn
    aspect: tuple[float, float]
    hue: float


_N_HUES = 8
SHAPE_CLASSES: tuple[ShapeClass, ...] = (
    ShapeClass("circle", _disc, (0.85, 1.18), 0 / _N_HUES),
    ShapeClass("square", _box, (0.8, 1.25), 1 / _N_HUES),
    ShapeClass("triangle", _triangle, (0.7, 1.4), 2 / _N_HUES),
    ShapeClass("ring", _ring, (0.8, 1.25), 3 / _N_HUES),
    ShapeClass("cross", _cross, (0.75, 1.33), 4 / _N_HUES),
    ShapeClass("star", _star, (0.8, 1.25), 5 / _N_HUES),
    ShapeClass("ellipse", _disc, (1.8, 3.0), 6 / _N_HUES),
    ShapeClass("bar", _box, (3.0, 6.0), 7 / _N_HUES),
)
"""All classes, in category order (category id = index + 1)."""

CLASS_NAMES: tuple[str, ...] = tuple(c.name for c in SHAPE_CLASSES)
"""Names of all classes; a dataset with ``n_classes = K`` uses the first K."""

MAX_CLASSES = len(SHAPE_CLASSES)


def fill_fraction(shape: ShapeClass, grid: int = 101) -> float:
    """Return the fraction (0 to 1) of its own unrotated box that a shape covers."""
    axis = (np.arange(grid) + 0.5) / grid * 2.0 - 1.0
    u, v = np.meshgrid(axis, axis)
    return float(shape.mask_fn(u, v).mean())


FILL_FRACTIONS: tuple[float, ...] = tuple(fill_fraction(c) for c in SHAPE_CLASSES)
"""Per class, the fraction of its unrotated box that the shape covers."""
