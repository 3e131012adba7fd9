"""Textured, cluttered backgrounds for the embedded dataset.

A background is a colour gradient, plus low-frequency colour noise, plus distractor clutter
(irregular blobs and thin lines whose colours may resemble the object classes). All images are
float32 arrays of shape ``(height, width, 3)`` with values in [0, 1].
"""

from __future__ import annotations

import numpy as np


def hsv_to_rgb(hue: float, saturation: float, value: float) -> np.ndarray:
    """Return the RGB colour (float32 array of 3 values in [0, 1]) of an HSV colour.

    ``hue`` is in turns (any real number; only its fractional part matters), ``saturation``
    and ``value`` in [0, 1].
    """
    h6 = (hue % 1.0) * 6.0
    sector = int(h6) % 6
    frac = h6 - int(h6)
    p = value * (1.0 - saturation)
    q = value * (1.0 - saturation * frac)
    t = value * (1.0 - saturation * (1.0 - frac))
    rgb = [
        (value, t, p),
        (q, value, p),
        (p, value, t),
        (p, q, value),
        (t, p, value),
        (value, p, q),
    ][sector]
    return np.asarray(rgb, dtype=np.float32)


def pixel_grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the x and y coordinates (pixels) of the pixel centres of a square image.

    Both are float32 arrays of shape ``(size, size)``; pixel ``(row, col)`` has its centre at
    ``x = col + 0.5``, ``y = row + 0.5``.
    """
    axis = np.arange(size, dtype=np.float32) + 0.5
    return np.meshgrid(axis, axis)


def smooth_noise(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """Return low-frequency colour noise: a float32 ``(size, size, 3)`` array, values in [-1, 1].

    A ``(cells + 1)``-square grid of random colours is interpolated bilinearly over the image,
    so the noise varies on a scale of ``size / cells`` pixels.
    """
    knots = rng.uniform(-1.0, 1.0, size=(cells + 1, cells + 1, 3)).astype(np.float32)
    pos = (np.arange(size, dtype=np.float32) + 0.5) / size * cells
    i0 = np.minimum(pos.astype(np.int64), cells - 1)
    w = (pos - i0)[:, None]
    rows = knots[i0] * (1.0 - w[:, :, None]) + knots[i0 + 1] * w[:, :, None]
    wc = (pos - i0)[None, :, None]
    return rows[:, i0] * (1.0 - wc) + rows[:, i0 + 1] * wc


def _muted_colour(rng: np.random.Generator) -> np.ndarray:
    return hsv_to_rgb(rng.uniform(), rng.uniform(0.05, 0.5), rng.uniform(0.25, 0.8))


def _add_blob(rng: np.random.Generator, image: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    size = image.shape[0]
    radius = size * rng.uniform(0.02, 0.16)
    cx, cy = rng.uniform(0, size, size=2)
    phi = np.arctan2(y - cy, x - cx)
    wobble = np.ones_like(phi)
    for k in (2, 3):  # few lobes, so that no blob looks like a star or a cross
        wobble += rng.uniform(0.0, 0.2) * np.cos(k * phi + rng.uniform(0, 2 * np.pi))
    inside = np.hypot(x - cx, y - cy) <= radius * wobble
    colour = hsv_to_rgb(rng.uniform(), rng.uniform(0.1, 0.9), rng.uniform(0.2, 0.95))
    alpha = rng.uniform(0.35, 0.9)
    image[inside] = image[inside] * (1.0 - alpha) + colour * alpha


def _add_line(rng: np.random.Generator, image: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    size = image.shape[0]
    x0, y0, x1, y1 = rng.uniform(0, size, size=4)
    dx, dy = x1 - x0, y1 - y0
    length2 = max(dx * dx + dy * dy, 1e-6)
    t = np.clip(((x - x0) * dx + (y - y0) * dy) / length2, 0.0, 1.0)
    dist = np.hypot(x - (x0 + t * dx), y - (y0 + t * dy))
    inside = dist <= rng.uniform(0.4, 1.2)
    image[inside] = _muted_colour(rng) * 1.2


def paint_background(rng: np.random.Generator, size: int) -> np.ndarray:
    """Return a cluttered background: float32 array ``(size, size, 3)``, values in [0, 1]."""
    x, y = pixel_grid(size)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = ((x - size / 2) * np.cos(angle) + (y - size / 2) * np.sin(angle)) / size + 0.5
    ramp = np.clip(ramp, 0.0, 1.0)[:, :, None]
    image = _muted_colour(rng) * (1.0 - ramp) + _muted_colour(rng) * ramp
    image = image + rng.uniform(0.04, 0.14) * smooth_noise(rng, size, int(rng.integers(3, 9)))
    for _ in range(int(rng.integers(2, 9))):
        _add_blob(rng, image, x, y)
    for _ in range(int(rng.integers(0, 5))):
        _add_line(rng, image, x, y)
    return np.clip(image, 0.0, 1.0).astype(np.float32)
