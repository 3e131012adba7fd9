"""One image of the embedded dataset: objects placed on a cluttered background.

Objects are drawn one after another, and a later object hides what it covers of earlier ones.
The annotation of an object is its *visible* part (as in COCO): its mask is the set of pixels it
shows in the final image, and its box is the tight box around that mask. A placement is
rejected when it would leave an earlier object with less than half of its own pixels visible,
or when less than half of the new object lies inside the image, so every annotated object
remains recognisable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .background import hsv_to_rgb, paint_background
from .shapes import FILL_FRACTIONS, SHAPE_CLASSES

COCO_REFERENCE_AREA = 640 * 480
"""Area (pixels) of a typical COCO image, to which COCO's size ranges refer."""

COCO_SMALL_MAX = 32**2
COCO_LARGE_MIN = 96**2

SIZE_MIX = (0.40, 0.35, 0.25)
"""Probabilities of drawing a small, a medium and a large object (close to COCO's shares)."""

MIN_SQRT_AREA = 4.0
"""Smallest object drawn: square root of its area, in pixels."""

MAX_SQRT_AREA_FRACTION = 0.42
"""Largest object drawn: square root of its area, as a fraction of the image side."""

MAX_SIDE_FRACTION = 0.9
"""No side of an object's own box exceeds this fraction of the image side."""

MIN_VISIBLE_AREA = 10
"""An object shows at least this many pixels."""

MIN_VISIBLE_FRACTION = 0.5
"""An object keeps at least this fraction of its own pixels visible after later objects."""

OBJECTS_PER_IMAGE = (2, 8)
"""Inclusive range of the number of objects attempted per image."""

PLACEMENT_TRIES = 8
"""Positions tried for an object before it is left out."""

HUE_JITTER = 0.035
"""Standard deviation (turns) of an instance's hue around its class hue."""


@dataclass(frozen=True)
class SceneObject:
    """An annotated object: ``category_index`` (0-based class) and its visible ``mask``
    (bool array, ``(height, width)``)."""

    category_index: int
    mask: np.ndarray


@dataclass(frozen=True)
class Scene:
    """A rendered image (uint8 array ``(height, width, 3)``) and its objects, in draw order."""

    image: np.ndarray
    objects: list[SceneObject]


def area_ranges(width: int, height: int) -> dict[str, tuple[float, float]]:
    """Return COCO's object-size ranges scaled to an image of ``width`` x ``height`` pixels.

    COCO calls an object small below 32² pixels of area and large above 96², for images of
    about 640 x 480. For a smaller image the same fractions of the image area are used. Returns
    ``{"all", "small", "medium", "large"}`` mapped to ``(min_area, max_area)`` in pixels, in the
    order of ``COCOeval.params.areaRng`` (which a smaller-image evaluation can set to these).
    """
    scale = width * height / COCO_REFERENCE_AREA
    small, large = COCO_SMALL_MAX * scale, COCO_LARGE_MIN * scale
    top = 1e10
    return {
        "all": (0.0, top),
        "small": (0.0, small),
        "medium": (small, large),
        "large": (large, top),
    }


def _sample_sqrt_area(rng: np.random.Generator, size: int) -> float:
    ranges = area_ranges(size, size)
    small = math.sqrt(ranges["small"][1])
    large = math.sqrt(ranges["large"][0])
    bounds = [(MIN_SQRT_AREA, small), (small, large), (large, MAX_SQRT_AREA_FRACTION * size)]
    low, high = bounds[int(rng.choice(3, p=SIZE_MIX))]
    low = max(low, MIN_SQRT_AREA)
    high = max(high, low * 1.001)
    return float(math.exp(rng.uniform(math.log(low), math.log(high))))


@dataclass(frozen=True)
class _Shape:
    category_index: int
    width: float
    height: float
    angle: float


def _sample_shape(rng: np.random.Generator, size: int, n_classes: int) -> _Shape:
    index = int(rng.integers(n_classes))
    cls = SHAPE_CLASSES[index]
    box_area = _sample_sqrt_area(rng, size) ** 2 / FILL_FRACTIONS[index]
    aspect = math.exp(rng.uniform(math.log(cls.aspect[0]), math.log(cls.aspect[1])))
    width, height = math.sqrt(box_area * aspect), math.sqrt(box_area / aspect)
    shrink = min(1.0, MAX_SIDE_FRACTION * size / max(width, height))
    return _Shape(index, width * shrink, height * shrink, rng.uniform(0.0, 2.0 * math.pi))


def _rasterise(
    shape: _Shape, cx: float, cy: float, size: int
) -> tuple[tuple[slice, slice], np.ndarray, np.ndarray, np.ndarray] | None:
    """Return (window, local mask, u, v) of a shape centred at (cx, cy), or None if off-image."""
    cos, sin = math.cos(shape.angle), math.sin(shape.angle)
    hw, hh = shape.width / 2.0, shape.height / 2.0
    ex, ey = abs(hw * cos) + abs(hh * sin), abs(hw * sin) + abs(hh * cos)
    x0, x1 = max(0, math.floor(cx - ex)), min(size, math.ceil(cx + ex) + 1)
    y0, y1 = max(0, math.floor(cy - ey)), min(size, math.ceil(cy + ey) + 1)
    if x1 <= x0 or y1 <= y0:
        return None
    dx = (np.arange(x0, x1, dtype=np.float32) + 0.5 - cx)[None, :]
    dy = (np.arange(y0, y1, dtype=np.float32) + 0.5 - cy)[:, None]
    u = (dx * cos + dy * sin) / hw
    v = (dy * cos - dx * sin) / hh
    mask = SHAPE_CLASSES[shape.category_index].mask_fn(u, v)
    return (slice(y0, y1), slice(x0, x1)), mask, u, v


def _paint(
    rng: np.random.Generator,
    region: np.ndarray,
    mask: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    hue: float,
) -> None:
    colour = hsv_to_rgb(
        hue + rng.normal(0.0, HUE_JITTER), rng.uniform(0.55, 1.0), rng.uniform(0.55, 1.0)
    )
    light = rng.uniform(0.0, 2.0 * math.pi)
    shade = 1.0 + rng.uniform(0.0, 0.25) * (u * math.cos(light) + v * math.sin(light))
    region[mask] = (shade[:, :, None] * colour)[mask]


def render_scene(rng: np.random.Generator, size: int, n_classes: int) -> Scene:
    """Draw one ``size`` x ``size`` image with objects of the first ``n_classes`` classes.

    Returns the image and its objects (visible masks), all drawn from ``rng``.
    """
    image = paint_background(rng, size)
    owner = np.full((size, size), -1, dtype=np.int16)
    visible: list[int] = []
    own_area: list[int] = []
    classes: list[int] = []
    n_objects = int(rng.integers(OBJECTS_PER_IMAGE[0], OBJECTS_PER_IMAGE[1] + 1))
    for _ in range(n_objects):
        shape = _sample_shape(rng, size, n_classes)
        full_area = FILL_FRACTIONS[shape.category_index] * shape.width * shape.height
        for _try in range(PLACEMENT_TRIES):
            cx, cy = rng.uniform(0.0, size, size=2)
            drawn = _rasterise(shape, float(cx), float(cy), size)
            if drawn is None:
                continue
            window, mask, u, v = drawn
            area = int(mask.sum())
            if area < max(MIN_VISIBLE_AREA, MIN_VISIBLE_FRACTION * full_area):
                continue
            hidden = np.bincount(owner[window][mask] + 1, minlength=len(visible) + 1)[1:]
            if any(
                visible[j] - hidden[j] < max(MIN_VISIBLE_AREA, MIN_VISIBLE_FRACTION * own_area[j])
                for j in np.flatnonzero(hidden)
            ):
                continue
            for j in np.flatnonzero(hidden):
                visible[j] -= int(hidden[j])
            owner[window][mask] = len(visible)
            visible.append(area)
            own_area.append(area)
            classes.append(shape.category_index)
            _paint(rng, image[window], mask, u, v, SHAPE_CLASSES[shape.category_index].hue)
            break
    noisy = image + rng.normal(0.0, rng.uniform(0.01, 0.05), size=image.shape).astype(np.float32)
    pixels = np.round(np.clip(noisy, 0.0, 1.0) * 255.0).astype(np.uint8)
    objects = [SceneObject(k, owner == i) for i, k in enumerate(classes)]
    return Scene(pixels, objects)
