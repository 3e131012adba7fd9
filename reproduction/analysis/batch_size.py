"""What the thesis author's baseline batch changes: the demo's baselines at half the batch.

The author's baseline configs of ATSS, PAA and RetinaNet set no images per GPU, so they trained
at half the batch of the Correlation-Loss configs (8 images instead of 16, twice the
iterations, the same learning rate); the thesis's effect of the loss is then the loss at 16
minus a baseline at 8. :data:`reproduction.spec.profiles.HALF_BATCH_PROFILE` trains the
demo's baselines that way, and :func:`half_batch_effects` sets three paired effects side by
side for each of the demo's pairs:

- ``"half batch"``: the baseline at half the batch minus the baseline at the demo's batch
  (what the author's baseline setting changes by itself);
- ``"matched"``: the Correlation-Loss variant minus the baseline, both at the demo's batch
  (the effect as this project measures it);
- ``"author's baselines"``: the variant at the demo's batch minus the baseline at half the
  batch (the effect as the author's configs would measure it).

Every effect is paired by seed on the same validation data (both profiles evaluate the same
embedded dataset; :func:`half_batch_effects` checks it). Pure functions on results records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from reproduction.analysis.regimes import EFFECT_COLUMNS, effects_across
from reproduction.records.results import dataset_key

BATCH_METRICS: tuple[str, ...] = ("AP", "AP50", "AP75", "beta_cls", "oLRP")
"""The metrics of the batch-size effects (in %; oLRP is an error: lower is better)."""

COMPARISONS: tuple[str, ...] = ("half batch", "matched", "author's baselines")
"""The three effects of :func:`half_batch_effects`, in the order they are shown."""

BATCH_COLUMNS: tuple[str, ...] = ("baseline_id", "variant_id", "comparison", *EFFECT_COLUMNS)
"""The columns of :func:`half_batch_effects`: the pair, the comparison, then the effect."""


def half_batch_effects(
    full_runs: Sequence[Mapping],
    half: Sequence[Mapping],
    pairs: Sequence[tuple[str, str]],
    metrics: Sequence[str] = BATCH_METRICS,
) -> pd.DataFrame:
    """Return the three effects of :data:`COMPARISONS` for each (baseline, variant) pair.

    Args:
        full_runs: the runs at the demo's batch (the baseline and the variant of each pair);
            where ``half`` has runs of a pair's baseline, only their seeds are read, so that
            the three effects of the pair stand on the same seeds.
        half: the runs at half the batch (the baselines).
        pairs: (baseline id, Correlation-Loss variant id) pairs.
        metrics: results-record metrics (in %).

    Returns:
        Columns :data:`BATCH_COLUMNS`: the pair's ids, the comparison, then the effect columns of
        :data:`reproduction.analysis.regimes.EFFECT_COLUMNS` (in points, paired by seed), one
        row per pair, comparison and metric with a paired seed; empty when none has.

    Raises:
        ValueError: the two sets of runs were evaluated on different datasets (their effects
            would not be differences on the same data); the message names both.
    """
    seen_full = {dataset_key(r) for r in full_runs}
    seen_half = {dataset_key(r) for r in half}
    if full_runs and half and seen_full != seen_half:
        raise ValueError(
            f"the runs at the two batch sizes were evaluated on different data: "
            f"{sorted(seen_full)} vs {sorted(seen_half)}"
        )
    frames = []
    for baseline, variant in pairs:
        halved = {int(r["seed"]) for r in half if r["experiment"]["id"] == baseline}
        if halved:  # the three effects on the same seeds: those of the half-batch runs
            full = [r for r in full_runs if int(r["seed"]) in halved]
        else:
            full = list(full_runs)
        sides = {
            "half batch": (full, half, baseline, baseline),
            "matched": (full, full, baseline, variant),
            "author's baselines": (half, full, baseline, variant),
        }
        for comparison in COMPARISONS:
            reference_runs, variant_runs, reference, treated = sides[comparison]
            effects = effects_across(reference_runs, variant_runs, reference, treated, metrics)
            if effects.empty:
                continue
            effects.insert(0, "comparison", comparison)
            effects.insert(0, "variant_id", variant)
            effects.insert(0, "baseline_id", baseline)
            frames.append(effects)
    if not frames:
        return pd.DataFrame(columns=list(BATCH_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(BATCH_COLUMNS)]
