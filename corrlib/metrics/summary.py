"""One flat, JSON-ready summary of a detector's results: every metric of `analyse` at once.

`summarise` runs the shared COCO matching once (plus two evaluations for the class-level
bounds) and returns a dict whose top-level keys are plain numbers, so a results file can be
compared, tabulated or plotted without knowing the library::

    AP AP50 AP75 APs APm APl              COCO AP at 100 detections per image
    oLRP oLRP_Loc oLRP_FP oLRP_FN         optimal LRP and its components (tau = 0.5)
    beta_cls beta_cls_n_classes           class-level Spearman(IoU, score) of the TPs
    AP_upper AP50_upper AP75_upper        class-level AP⁺¹ (TP scores follow IoU)
    AP_lower AP50_lower AP75_lower        class-level AP⁻¹ (TP scores oppose IoU)
    per_class                             one row per category (see `per_class_rows`)

All values are fractions (AP, oLRP in [0, 1]; β in [-1, 1]), never %; an undefined value is
NaN here and ``null`` after `json_ready`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from corrlib.metrics.ap import AP_KEYS
from corrlib.metrics.api import (
    ap_from_evaluation,
    beta_cls_from_evaluation,
    bounds_from_evaluation,
    olrp_from_evaluation,
)
from corrlib.metrics.evaluation import MAX_DETS, TAU, CocoEvaluation, CocoSession
from corrlib.metrics.inputs import Detections, GroundTruth

__all__ = [
    "UNITS",
    "STAGES",
    "LRP_KEYS",
    "BOUND_KEYS",
    "summarise",
    "per_class_rows",
    "json_ready",
]

UNITS = (
    "fractions, not %: AP and oLRP values in [0, 1], beta in [-1, 1]; null = undefined "
    "(no ground truth in that size range, fewer than two true positives, ...)"
)
LRP_KEYS = ("oLRP", "oLRP_Loc", "oLRP_FP", "oLRP_FN")
BOUND_KEYS = ("AP", "AP50", "AP75")
STAGES = (
    "COCO matching",
    "oLRP",
    "beta_cls",
    "class-level bounds",
)
"""The stages `summarise` reports to its ``on_stage`` callback, in order (the last one only
with ``bounds=True``)."""


def _counts(category_id: np.ndarray) -> dict[int, int]:
    """How often each category id occurs."""
    ids, counts = np.unique(category_id, return_counts=True)
    return dict(zip(ids.tolist(), counts.tolist(), strict=True))


def per_class_rows(
    gt: GroundTruth, evaluation: CocoEvaluation, ap: dict, lrp: dict, beta: dict
) -> list[dict]:
    """One row per ground-truth category, in the order of the category ids.

    Args:
        gt: the ground truth (for the category names).
        evaluation: the shared COCO evaluation.
        ap: `corrlib.metrics.api.ap_from_evaluation` of it.
        lrp: `corrlib.metrics.api.olrp_from_evaluation` of it.
        beta: `corrlib.metrics.api.beta_cls_from_evaluation` of it.

    Returns:
        Dicts with ``id``, ``name`` (the category's ``name``, or its id as text), ``n_gt``
        (non-crowd ground truths), ``n_dt`` (detections), ``n_tp`` (true positives at IoU 0.5
        under COCO's matching, at most 100 detections per image), ``AP`` (IoU 0.50:0.95,
        fraction), ``oLRP`` (fraction) and ``beta`` (Spearman of IoU and score over the
        class's TPs, in [-1, 1]); NaN where undefined: AP and oLRP without ground truth, beta
        with fewer than two TPs or all their IoUs or scores equal.
    """
    names = {int(c["id"]): c.get("name") for c in gt.dataset["categories"]}
    category_id = evaluation.detections.category_id
    dt_counts = _counts(category_id)
    tp_counts = _counts(category_id[evaluation.tp])
    rows = []
    for k, cat in enumerate(evaluation.category_ids.tolist()):
        name = names.get(cat)
        rows.append(
            {
                "id": cat,
                "name": str(name) if name is not None else str(cat),
                "n_gt": int(evaluation.n_gt[k]),
                "n_dt": int(dt_counts.get(cat, 0)),
                "n_tp": int(tp_counts.get(cat, 0)),
                "AP": float(ap["per_class"][cat]),
                "oLRP": float(lrp["per_class"].get(cat, {}).get("oLRP", math.nan)),
                "beta": float(beta["per_class"].get(cat, math.nan)),
            }
        )
    return rows


def summarise(
    gt: GroundTruth,
    dets: Detections,
    *,
    bounds: bool = True,
    on_stage: Callable[[str], None] | None = None,
) -> dict:
    """Every class-level metric of the thesis for one set of results, as one flat dict.

    Args:
        gt: checked ground truth (`corrlib.metrics.inputs.load_ground_truth`).
        dets: checked detections (`corrlib.metrics.inputs.detections_to_arrays`).
        bounds: also compute the class-level AP bounds (two more COCO evaluations).
        on_stage: called with each name of `STAGES` as that stage starts (for a progress bar).

    Returns:
        The keys listed in the module docstring (fractions; NaN where undefined), the bound
        keys only with ``bounds``; also ``units`` (`UNITS`), ``n_images``, ``n_categories``,
        ``n_detections``, ``n_ground_truths`` (non-crowd), ``n_true_positives`` (at IoU 0.5),
        ``iou_threshold`` (0.5, for TPs, oLRP and β) and ``max_detections`` (100 per image
        and category, as COCO). The numbers equal those of `corrlib.metrics.analyse`.
    """
    step = on_stage or (lambda _name: None)
    step(STAGES[0])
    session = CocoSession(gt)
    evaluation = session.evaluate(dets)
    ap = ap_from_evaluation(evaluation)
    step(STAGES[1])
    lrp = olrp_from_evaluation(evaluation)
    step(STAGES[2])
    beta = beta_cls_from_evaluation(evaluation)
    out: dict = {"units": UNITS}
    out.update({key: float(ap[key]) for key in AP_KEYS})
    out.update({key: float(lrp[key]) for key in LRP_KEYS})
    out["beta_cls"] = float(beta["value"])
    out["beta_cls_n_classes"] = int(beta["n_classes"])
    if bounds:
        step(STAGES[3])
        both = bounds_from_evaluation(session, evaluation)
        for side in ("upper", "lower"):
            out.update({f"{key}_{side}": float(both[side][key]) for key in BOUND_KEYS})
    out.update(
        {
            "n_images": int(gt.image_ids.size),
            "n_categories": int(gt.category_ids.size),
            "n_detections": len(dets),
            "n_ground_truths": int(evaluation.n_gt.sum()),
            "n_true_positives": int(np.count_nonzero(evaluation.tp)),
            "iou_threshold": TAU,
            "max_detections": MAX_DETS,
        }
    )
    out["per_class"] = per_class_rows(gt, evaluation, ap, lrp, beta)
    return out


def json_ready(value):
    """A copy of a summary with every NaN or infinity replaced by None (JSON ``null``).

    Returns:
        The same structure (dicts, lists, numbers, strings), safe for ``json.dumps`` with
        ``allow_nan=False``; numpy scalars become Python numbers.
    """
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
