"""The names Correlation Loss accepts, defined once and importable without torch.

``corrlib.losses`` and ``corrlib.integration`` validate their arguments against these tuples
with :func:`check_choice`; the thesis companion (registry, report, notebooks) reads them from
here, so a coefficient or gradient setting is spelled in one place. Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable

KINDS: tuple[str, ...] = ("concordance", "spearman", "pearson")
"""Correlation coefficients of Correlation Loss (``kind``): concordance (Eq. 2.3), Spearman
(soft ranks, Eq. 2.2) and Pearson (Eq. 2.1)."""

GRADIENTS: tuple[str, ...] = ("classifier", "regressor", "both")
"""Which branch receives the gradient of L_corr (``gradient``, thesis §5.5.4): the classifier
only (IoUs are constants; the thesis's choice, §4.2), the box regressor only (scores are
constants) or both."""

DEFAULT_GRADIENT = "classifier"
"""The thesis's setting (§4.2)."""

RANK_SCALES: tuple[str, ...] = ("absolute", "unit_gap")
"""How Spearman Loss scales its inputs before soft-ranking them (``rank_scale``).

- ``"absolute"``: the values as they are, with the soft-rank strength ε in the values' own
  units (the thesis's and its author's setting, ε = 1). Above a strength ε* of one to two
  mean gaps between consecutive sorted values (at most 2 / n for values in [0, 1]), every
  value pools into one block, the soft ranks are the values plus a constant, and Spearman
  Loss equals Pearson Loss: always so for scores and IoUs at ε = 1.
- ``"unit_gap"``: the values are first mapped to ``(x − min) / g`` with ``g`` their mean gap
  ``(max − min) / (n − 1)``, so ε is relative to the spacing of the values and the soft ranks
  follow the exact ranks whatever the number of positives and the spread of their values."""

DEFAULT_RANK_SCALE = "absolute"
"""The thesis's setting."""

DEFAULT_STRENGTH: dict[str, float] = {"absolute": 1.0, "unit_gap": 0.1}
"""The soft-rank strength ε used when none is given, per rank scale: torchsort's default
(1.0, the thesis's) on absolute values; 0.1 of the mean gap on unit-gap values."""

MOMENTS: tuple[str, ...] = ("population", "sample")
"""Which variance Concordance Loss uses (``moments``): population moments (divide by n, Lin's
definition) or sample moments (divide by n − 1, ``torch.var``'s default, as in the thesis
author's code). Pearson and Spearman do not depend on the choice."""

DEFAULT_MOMENTS = "population"

GROUPINGS: tuple[str, ...] = ("batch", "level_mean", "image_sum")
"""Over which positives one correlation is computed and how the results combine
(``grouping``):

- ``"batch"``: one correlation over all positives of the batch (the thesis's Eq. 4.2);
- ``"level_mean"``: one per pyramid level, averaged over the levels with at least two
  positives (the thesis author's RetinaNet);
- ``"image_sum"``: one per image, summed over the images of the batch (the thesis author's
  YOLACT).

Not mmdet's ``reduction`` (none / mean / sum of a loss's elements): Correlation Loss has no such
option, and refuses the name (:func:`refuse_reduction`)."""

DEFAULT_GROUPING = "batch"


def check_choice(
    option: str, value: object, allowed: Iterable[str], owner: str | None = None
) -> None:
    """Return None when ``value`` is one of ``allowed``; else raise ValueError naming the
    option, the value and the allowed choices (prefixed with ``owner``, e.g. a class name,
    where given)."""
    allowed = tuple(allowed)
    if value not in allowed:
        where = f"{owner}: " if owner else ""
        raise ValueError(f"{where}unknown {option} {value!r}; expected one of {allowed}")


def refuse_reduction(value: object, owner: str) -> None:
    """Return None when ``value`` (what was passed as ``reduction``) is None; else raise
    TypeError naming the value given, the option ``grouping`` and :data:`GROUPINGS`.

    ``reduction`` is the former name of ``grouping``; in mmdet every loss's ``reduction``
    means none / mean / sum of its elements, which Correlation Loss does not have.
    """
    if value is None:
        return
    hint = f"; write grouping={value!r}" if value in GROUPINGS else ""
    raise TypeError(
        f"{owner}: reduction={value!r} is no option: Correlation Loss has no none / mean / "
        f"sum reduction like mmdet's losses; how its positives are grouped is the option "
        f"grouping (formerly named reduction), one of {GROUPINGS}{hint}"
    )


__all__ = [
    "DEFAULT_GRADIENT",
    "DEFAULT_GROUPING",
    "DEFAULT_MOMENTS",
    "DEFAULT_RANK_SCALE",
    "DEFAULT_STRENGTH",
    "GRADIENTS",
    "GROUPINGS",
    "KINDS",
    "MOMENTS",
    "RANK_SCALES",
    "check_choice",
    "refuse_reduction",
]
