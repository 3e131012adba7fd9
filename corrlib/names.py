"""The names Correlation Loss accepts, defined once and importable without torch.

``corrlib.losses`` and ``corrlib.integration`` validate their arguments against these tuples;
the thesis companion (registry, report, notebooks) reads them from here, so a coefficient or
gradient setting is spelled in one place. Standard library only.
"""

from __future__ import annotations

KINDS: tuple[str, ...] = ("concordance", "spearman", "pearson")
"""Correlation coefficients of Correlation Loss (``kind``): concordance (Eq. 2.3), Spearman
(soft ranks, Eq. 2.2) and Pearson (Eq. 2.1)."""

GRADIENTS: tuple[str, ...] = ("classifier", "regressor", "both")
"""Which branch receives the gradient of L_corr (``gradient``, thesis §5.5.4): the classifier
only (IoUs are constants; the thesis's choice, §4.2), the box regressor only (scores are
constants) or both."""

DEFAULT_GRADIENT = "classifier"
"""The thesis's setting (§4.2)."""

__all__ = ["DEFAULT_GRADIENT", "GRADIENTS", "KINDS"]
