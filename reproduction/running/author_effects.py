"""What the loss-level differences from the author's code do to L_corr and its gradient.

Three of the differences listed in :mod:`reproduction.spec.author_code` change how Correlation Loss
is computed from the same positives; this module measures them on synthetic positives, without
a detector:

- sample (n − 1) instead of population (n) moments in Concordance Loss, at n positives;
- one loss per pyramid level, averaged over levels (the author's RetinaNet), instead of one
  loss over all positives;
- one loss per image, summed over the images (the author's YOLACT), instead of one loss over
  all positives.

Synthetic positives (numpy, seeded): IoUs ``0.4 + 0.55 · Beta(2, 2)`` (mean 0.675, in
[0.4, 0.95]); classification logits ``−1 + 3 · (IoU − 0.675) + shift + N(0, 0.8²)``, so the
scores ŝ = sigmoid(logit) follow the IoUs loosely and sit below them (mean ≈ 0.28), as in a
detector partway through training. ``shift`` is 0 except where said: per pyramid level
(0, 0.2, 0.4, 0.6, 0.8, coarser levels scoring higher) and per image (N(0, 0.3²)), so that
groups differ in calibration as they do in a detector. Torch, :mod:`corrlib.losses` and numpy
only (no mmdet).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from corrlib.losses import correlation_loss, grouped_correlation_loss

MOMENT_SIZES: tuple[int, ...] = (2, 3, 5, 10, 50, 500)
"""Numbers of positives at which sample and population moments are compared."""

MOMENT_REPEATS = 200
"""Independent draws averaged at each of :data:`MOMENT_SIZES`."""

LEVEL_SIZES: tuple[int, ...] = (400, 250, 120, 30, 6)
"""Positives per pyramid level (P3 … P7) of one synthetic batch: most on the fine levels, a
handful on the coarsest, as in RetinaNet on COCO with 4 images."""

LEVEL_SHIFTS: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8)
"""Logit offset of each level's positives (coarser levels score higher)."""

IMAGES = 8
"""Images per synthetic batch for the per-image grouping (the author's YOLACT: 8 per GPU)."""

IMAGE_POSITIVES = (5, 60)
"""Range [low, high) of the number of positives per image."""

# the topics of reproduction.spec.author_code.DIFFERENCES these rows measure
TOPIC_MOMENTS = "Concordance: sample moments"
TOPIC_LEVELS = "RetinaNet: one loss per pyramid level"
TOPIC_IMAGES = "YOLACT: per-image loss, summed"
TOPIC_FOVEA_FLOOR = "FoveaBox concordance: 1e-6 in its Pearson term"

FOVEA_FLOOR = 1e-6
"""What the author's FoveaBox head adds to the denominator of the Pearson coefficient inside
its concordance (``√Σvx² · √Σvy² + 1e-6``, sums over the positives)."""


def synthetic_positives(
    rng: np.random.Generator, n: int, shift: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` synthetic positives (see the module docstring).

    Returns:
        (logits, ious): float64 arrays of shape (n,); logits in logit units, IoUs in [0.4, 0.95].
    """
    ious = 0.4 + 0.55 * rng.beta(2.0, 2.0, n)
    logits = -1.0 + 3.0 * (ious - 0.675) + shift + rng.normal(0.0, 0.8, n)
    return logits, ious


def level_batch(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The synthetic batch of the per-level comparison: :data:`LEVEL_SIZES` positives per level.

    Returns:
        (logits, ious, levels): float64, float64 and int64 arrays of length sum(LEVEL_SIZES);
        ``levels`` is each positive's level index (0 = finest).
    """
    rng = np.random.default_rng([seed, 1])
    parts = [synthetic_positives(rng, n, s) for n, s in zip(LEVEL_SIZES, LEVEL_SHIFTS, strict=True)]
    levels = np.repeat(np.arange(len(LEVEL_SIZES)), LEVEL_SIZES)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), levels


def image_batch(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The synthetic batch of the per-image comparison: :data:`IMAGES` images, each with a
    number of positives drawn from :data:`IMAGE_POSITIVES` and its own logit offset.

    Returns:
        (logits, ious, images): float64, float64 and int64 arrays; ``images`` is each
        positive's image index.
    """
    rng = np.random.default_rng([seed, 2])
    sizes = rng.integers(*IMAGE_POSITIVES, size=IMAGES)
    shifts = rng.normal(0.0, 0.3, IMAGES)
    parts = [synthetic_positives(rng, int(n), float(s)) for n, s in zip(sizes, shifts, strict=True)]
    images = np.repeat(np.arange(IMAGES), sizes)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), images


def _loss_and_grad_norm(
    logits: np.ndarray, ious: np.ndarray, groups: np.ndarray | None, **kwargs
) -> tuple[float, float]:
    """L_corr (unweighted) of these positives and the L2 norm of its gradient with respect to
    the logits (per logit unit), computed by :func:`grouped_correlation_loss` (``kwargs``:
    ``grouping``, ``kind``, ``moments``, ...)."""
    x = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    y = torch.tensor(ious, dtype=torch.float64)
    g: Tensor | None = None if groups is None else torch.as_tensor(groups)
    loss = grouped_correlation_loss(x.sigmoid(), y, g, **kwargs)
    loss.backward()
    return float(loss.detach()), float(x.grad.norm())


def _row(
    topic: str, setting: str, kind: str, n: int, a: tuple[float, float], b: tuple[float, float]
) -> dict:
    """One result row; ``a`` and ``b`` are (loss, gradient norm) of this project's and the
    author's way."""
    return {
        "topic": topic,
        "setting": setting,
        "kind": kind,
        "n": n,
        "loss_a": a[0],
        "loss_b": b[0],
        "abs_delta_loss": abs(b[0] - a[0]),
        "grad_norm_ratio": b[1] / a[1] if a[1] > 0 else float("nan"),
    }


def _floored_concordance_loss(
    logits: np.ndarray, ious: np.ndarray, floor: float
) -> tuple[float, float]:
    """1 − γ with γ = 2·r·σx·σy / (σx² + σy² + (x̄ − ȳ)²), sample moments, where the Pearson
    coefficient r has ``floor`` added to its denominator √Σvx²·√Σvy² (the author's FoveaBox;
    with ``floor`` 0 this is sample-moment Concordance Loss); returns (loss, gradient norm
    with respect to the logits), as :func:`_loss_and_grad_norm`."""
    x = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    scores, y = x.sigmoid(), torch.tensor(ious, dtype=torch.float64)
    vx, vy = scores - scores.mean(), y - y.mean()
    r = (vx * vy).sum() / ((vx * vx).sum().sqrt() * (vy * vy).sum().sqrt() + floor)
    var_x, var_y = scores.var(), y.var()
    gamma = (
        2.0 * r * var_x.sqrt() * var_y.sqrt() / (var_x + var_y + (scores.mean() - y.mean()) ** 2)
    )
    loss = 1.0 - gamma
    loss.backward()
    return float(loss.detach()), float(x.grad.norm())


def loss_level_effects(seed: int = 0) -> list[dict]:
    """Measure the three loss-level differences on synthetic positives (module docstring).

    ``a`` is always this project's default — one correlation over all positives, population
    moments — and ``b`` the author's way of the row's topic:

    - moments (concordance, n in :data:`MOMENT_SIZES`): sample moments; losses, |Δloss| and
      gradient norms are means over :data:`MOMENT_REPEATS` independent draws of n positives
      (the ratio is that of the mean norms);
    - per pyramid level (concordance and Spearman at the thesis's soft-rank setting, one batch
      of :data:`LEVEL_SIZES`): ``grouping="level_mean"``;
    - per image (concordance and Spearman, one batch of :data:`IMAGES` images):
      ``grouping="image_sum"``;
    - FoveaBox's floor (concordance with sample moments, n in :data:`MOMENT_SIZES`, means over
      :data:`MOMENT_REPEATS` draws): ``a`` without and ``b`` with :data:`FOVEA_FLOOR` in the
      Pearson term's denominator.

    Args:
        seed: seeds every draw (numpy ``default_rng``); the same seed gives the same rows.

    Returns:
        One dict per comparison with keys ``topic`` (a topic of
        :data:`reproduction.spec.author_code.DIFFERENCES`), ``setting`` (a vs b), ``kind``, ``n``
        (positives per loss: per draw for moments, in the whole batch otherwise),
        ``loss_a``, ``loss_b`` (unweighted L_corr = 1 − ρ, dimensionless, in [0, 2]; the
        per-image sum is in [0, 2 × images]), ``abs_delta_loss`` = |loss_b − loss_a| (same
        units) and ``grad_norm_ratio`` = ‖∂loss_b/∂logits‖ / ‖∂loss_a/∂logits‖ (L2 norms over
        all positives' logits; dimensionless; > 1: the author's way pushes harder).
    """
    rows: list[dict] = []
    rng = np.random.default_rng([seed, 0])
    for n in MOMENT_SIZES:
        pop, smp = [], []
        for _ in range(MOMENT_REPEATS):
            logits, ious = synthetic_positives(rng, n)
            pop.append(_loss_and_grad_norm(logits, ious, None, kind="concordance"))
            smp.append(
                _loss_and_grad_norm(logits, ious, None, kind="concordance", moments="sample")
            )
        p, s = np.asarray(pop), np.asarray(smp)
        row = _row(
            TOPIC_MOMENTS,
            "population (a) vs sample (b) moments",
            "concordance",
            n,
            (float(p[:, 0].mean()), float(p[:, 1].mean())),
            (float(s[:, 0].mean()), float(s[:, 1].mean())),
        )
        row["abs_delta_loss"] = float(np.abs(s[:, 0] - p[:, 0]).mean())
        rows.append(row)
    for topic, batch, grouping, setting in (
        (TOPIC_LEVELS, level_batch(seed), "level_mean", "pooled (a) vs per-level mean (b)"),
        (TOPIC_IMAGES, image_batch(seed), "image_sum", "pooled (a) vs per-image sum (b)"),
    ):
        logits, ious, groups = batch
        for kind in ("concordance", "spearman"):
            a = _loss_and_grad_norm(logits, ious, None, kind=kind)
            b = _loss_and_grad_norm(logits, ious, groups, kind=kind, grouping=grouping)
            rows.append(_row(topic, setting, kind, len(ious), a, b))
    rng = np.random.default_rng([seed, 3])
    for n in MOMENT_SIZES:
        plain, floored = [], []
        for _ in range(MOMENT_REPEATS):
            logits, ious = synthetic_positives(rng, n)
            plain.append(_floored_concordance_loss(logits, ious, 0.0))
            floored.append(_floored_concordance_loss(logits, ious, FOVEA_FLOOR))
        p, f = np.asarray(plain), np.asarray(floored)
        row = _row(
            TOPIC_FOVEA_FLOOR,
            "no floor (a) vs 1e-6 (b), sample moments",
            "concordance",
            n,
            (float(p[:, 0].mean()), float(p[:, 1].mean())),
            (float(f[:, 0].mean()), float(f[:, 1].mean())),
        )
        row["abs_delta_loss"] = float(np.abs(f[:, 0] - p[:, 0]).mean())
        rows.append(row)
    return rows


def per_group_losses(
    logits: np.ndarray, ious: np.ndarray, groups: np.ndarray, kind: str
) -> list[float]:
    """L_corr of each group with at least two positives, computed one group at a time with
    :func:`corrlib.losses.correlation_loss` (unweighted, dimensionless), in group order."""
    out = []
    for g in np.unique(groups):
        mask = groups == g
        if mask.sum() >= 2:
            scores = torch.tensor(logits[mask], dtype=torch.float64).sigmoid()
            out.append(float(correlation_loss(scores, torch.tensor(ious[mask]), kind=kind)))
    return out


__all__ = [
    "IMAGES",
    "LEVEL_SIZES",
    "MOMENT_SIZES",
    "image_batch",
    "level_batch",
    "loss_level_effects",
    "per_group_losses",
    "synthetic_positives",
]
