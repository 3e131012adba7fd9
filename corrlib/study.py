"""How the interval of a paired difference narrows: the demo-protocol study (issue 7).

Pure functions on results records and kept detections (numpy, pandas, corrlib.metrics): no
torch, no mmdet. The study notebook uses them to measure, for each detector's baseline /
Correlation-Loss pair, the 95 % interval of the paired difference as a function of

- the number of seeds (every subset of the seeds run, averaged),
- the size of the validation set (the same trained models re-scored on nested subsets of
  the validation images, from the detections kept beside each results file),

and, across study settings, of the schedule length and the number of classes.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from corrlib import metrics
from corrlib.stats import paired_difference, verdict

STUDY_METRICS: tuple[str, ...] = ("beta_img", "beta_cls", "AP", "AP75")
"""The paired differences the study follows (all in percentage points)."""


def interval_by_seed_count(
    baseline: dict[int, float],
    variant: dict[int, float],
    max_subsets: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """Return, for each number of seeds n ≥ 2, the mean half-width of the paired interval.

    Averages over subsets of n of the shared seeds (all of them, or ``max_subsets`` drawn at
    random when there are more). Columns: ``n_seeds``, ``half_width`` (points),
    ``resolved_share`` (share of subsets whose interval excludes 0), ``subsets``.
    """
    shared = sorted(set(baseline) & set(variant))
    rng = np.random.default_rng(seed)
    rows = []
    for n in range(2, len(shared) + 1):
        subsets = list(itertools.combinations(shared, n))
        if len(subsets) > max_subsets:
            picks = rng.choice(len(subsets), size=max_subsets, replace=False)
            subsets = [subsets[i] for i in picks]
        widths, resolved = [], []
        for subset in subsets:
            diff = paired_difference(
                {s: baseline[s] for s in subset}, {s: variant[s] for s in subset}
            )
            widths.append(diff.half_width)
            resolved.append(verdict(diff) != "not resolved")
        rows.append(
            {
                "n_seeds": n,
                "half_width": float(np.mean(widths)),
                "resolved_share": float(np.mean(resolved)),
                "subsets": len(subsets),
            }
        )
    return pd.DataFrame(rows, columns=["n_seeds", "half_width", "resolved_share", "subsets"])


def seeds_to_resolve(
    differences: Sequence[float], confidence: float = 0.95, max_seeds: int = 100
) -> int | None:
    """Project how many seeds would resolve an effect of the size measured (a projection).

    From per-seed paired differences (at least two), with mean m and sample standard
    deviation s, return the smallest n ≥ 2 for which the t-interval half-width
    t_{(1+confidence)/2, n-1} · s / √n falls below |m|, assuming m and s stay as measured;
    None if no n ≤ ``max_seeds`` does (or m = 0). Raises ValueError for fewer than two values.
    """
    values = np.asarray(differences, dtype=float)
    if values.size < 2 or not np.all(np.isfinite(values)):
        raise ValueError(f"need at least two finite paired differences, got {values.tolist()}")
    mean, sd = abs(float(values.mean())), float(values.std(ddof=1))
    if mean == 0.0:
        return None
    for n in range(2, max_seeds + 1):
        if scipy_stats.t.ppf((1 + confidence) / 2, n - 1) * sd / np.sqrt(n) < mean:
            return n
    return None


def subset_ground_truth(gt: dict, image_ids: Iterable[int]) -> dict:
    """Return a COCO ground-truth dict restricted to ``image_ids`` (categories kept)."""
    keep = set(int(i) for i in image_ids)
    return {
        **gt,
        "images": [im for im in gt["images"] if im["id"] in keep],
        "annotations": [a for a in gt["annotations"] if a["image_id"] in keep],
    }


def rescore(gt: dict, kept: dict, image_ids: Sequence[int]) -> dict[str, float | None]:
    """Score kept detections on a subset of the validation images; metrics in points (%).

    Args:
        gt: the full COCO ground truth (parsed).
        kept: the ``seed<k>.detections.json`` content (``detections``, ``pre_nms_positives``).
        image_ids: the images to score on.

    Returns:
        ``{"AP", "AP75", "beta_cls", "beta_img"}`` ×100; None where a value is undefined on
        the subset (β_img without pre-NMS positives, β_cls without a class of two true
        positives).
    """
    keep = set(int(i) for i in image_ids)
    sub_gt = subset_ground_truth(gt, keep)
    dets = [d for d in kept["detections"] if d["image_id"] in keep]
    analysis = metrics.analyse(sub_gt, dets, bounds=False)
    pairs = [
        (np.asarray(v["scores"]), np.asarray(v["ious"]))
        for k, v in kept.get("pre_nms_positives", {}).items()
        if int(k) in keep
    ]
    beta_img = metrics.image_level_correlation(pairs) if pairs else None
    values = {
        "AP": analysis["ap"]["AP"],
        "AP75": analysis["ap"]["AP75"],
        "beta_cls": analysis["beta_cls"]["value"],
        "beta_img": beta_img,
    }
    return {
        k: None if v is None or not np.isfinite(v) else 100 * float(v) for k, v in values.items()
    }


def interval_by_val_size(
    gt_json: Path,
    baseline_files: dict[int, Path],
    variant_files: dict[int, Path],
    sizes: Sequence[int],
    study_metrics: Sequence[str] = STUDY_METRICS,
) -> pd.DataFrame:
    """Return the paired interval of each metric on nested subsets of the validation images.

    ``baseline_files`` / ``variant_files`` map seed → kept-detections file. The first ``n``
    images (in id order) form the subset of size n, so subsets are nested. Columns:
    ``n_val``, ``metric``, ``mean`` (points), ``low``, ``high``, ``half_width``, ``verdict``.
    """
    gt = json.loads(Path(gt_json).read_text())
    ids = sorted(im["id"] for im in gt["images"])
    kept = {
        (arm, s): json.loads(Path(p).read_text())
        for arm, files in (("base", baseline_files), ("var", variant_files))
        for s, p in files.items()
    }
    seeds = sorted(set(baseline_files) & set(variant_files))
    rows = []
    for n in sizes:
        subset = ids[: min(n, len(ids))]
        scores = {key: rescore(gt, data, subset) for key, data in kept.items()}
        for metric in study_metrics:
            base = {s: scores["base", s][metric] for s in seeds}
            var = {s: scores["var", s][metric] for s in seeds}
            if any(v is None for v in (*base.values(), *var.values())):
                continue
            diff = paired_difference(base, var)
            rows.append(
                {"n_val": len(subset), "metric": metric, "mean": diff.mean, "low": diff.low,
                 "high": diff.high, "half_width": diff.half_width, "verdict": verdict(diff)}
            )  # fmt: skip
    return pd.DataFrame(
        rows, columns=["n_val", "metric", "mean", "low", "high", "half_width", "verdict"]
    )
