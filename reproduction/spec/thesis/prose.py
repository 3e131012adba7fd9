"""Thesis numbers that are stated in the text rather than in a table (§5.5.3, §5.5.4).

Each entry keeps the sentence's numbers, their unit and the text line they come from, so the
book can quote them as the thesis's own.
"""

from __future__ import annotations

from types import MappingProxyType

TRAINING_TIME_5_5_3 = MappingProxyType(
    {
        "detector": "sparsercnn",
        "s_per_iter_baseline": 0.50,
        "s_per_iter_corr": 0.51,
        "unit": "s/iter",
        "hardware": "V100 GPUs",
        "text": "increases iteration time 0.50 seconds to 0.51 seconds on V100 GPUs",
        "section": "5.5.3",
    }
)
"""§5.5.3: training time of Sparse R-CNN without / with Correlation Loss (6 stages)."""

GRADIENT_HEADS_5_5_4 = MappingProxyType(
    {
        "detector": "sparsercnn",
        "AP": MappingProxyType({"classifier": 39.3, "regressor": 37.5, "both": 38.9}),
        "unit": "%",
        "text": "only localization head (37.5 AP) or both heads (38.9 AP) ... only through the "
        "classification head (39.3 AP)",
        "section": "5.5.4",
    }
)
"""§5.5.4: Sparse R-CNN AP when L_corr reaches the classifier, the box branch, or both."""
