"""The public metrics of corrlib: COCO AP, oLRP, β_cls, β_img and the class-level AP bounds.

Every function takes ``gt_json`` (the path of a COCO annotation file, or its parsed dict) and
``dets`` (a list of COCO result dicts: ``image_id``, ``category_id``, ``bbox`` as x, y, w, h in
pixels, ``score``). `analyse` computes all of them from a single COCO matching; the single-metric
functions are thin views of the same computation. All values are fractions (not %).
"""

from __future__ import annotations

import numpy as np

from corrlib.metrics.ap import summarise_precision
from corrlib.metrics.correlation import mean_group_correlation
from corrlib.metrics.evaluation import TAU, CocoEvaluation, CocoSession
from corrlib.metrics.inputs import Detections, detections_to_arrays, load_ground_truth
from corrlib.metrics.lrp import average_lrp, optimal_lrp
from corrlib.metrics.reordering import reorder_within_groups

__all__ = [
    "analyse",
    "coco_ap",
    "olrp",
    "class_level_correlation",
    "class_level_correlation_summary",
    "class_level_bounds",
]


def _prepare(gt_json, dets) -> tuple[CocoSession, Detections]:
    gt = load_ground_truth(gt_json)
    return CocoSession(gt), detections_to_arrays(dets, gt)


def _by_category(evaluation: CocoEvaluation, mask: np.ndarray):
    """Yield ``(k, category_id, indices)`` of the detections in ``mask``, per category."""
    indices = np.flatnonzero(mask)
    cats = evaluation.detections.category_id[indices]
    order = np.argsort(cats, kind="stable")
    indices, cats = indices[order], cats[order]
    bounds = np.searchsorted(cats, evaluation.category_ids, side="left")
    ends = np.searchsorted(cats, evaluation.category_ids, side="right")
    for k, (cat, start, end) in enumerate(zip(evaluation.category_ids, bounds, ends, strict=True)):
        yield k, int(cat), indices[start:end]


def ap_from_evaluation(evaluation: CocoEvaluation) -> dict:
    """The `coco_ap` dict of an evaluation (see `coco_ap`)."""
    return summarise_precision(evaluation.precision, evaluation.category_ids)


def olrp_from_evaluation(evaluation: CocoEvaluation) -> dict:
    """The `olrp` dict of an evaluation (see `olrp`)."""
    dets = evaluation.detections
    counted = evaluation.evaluated & ~evaluation.ignored
    tp = evaluation.tp
    per_class = {}
    for k, cat, idx in _by_category(evaluation, counted):
        n_gt = int(evaluation.n_gt[k])
        if n_gt == 0:
            continue
        per_class[cat] = optimal_lrp(dets.score[idx], tp[idx], evaluation.iou[idx], n_gt, TAU)
    out = average_lrp(per_class)
    out["per_class"] = {cat: r.as_dict() for cat, r in per_class.items()}
    return out


def beta_cls_from_evaluation(evaluation: CocoEvaluation) -> dict:
    """The `class_level_correlation_summary` dict of an evaluation."""
    dets = evaluation.detections
    groups = (
        (cat, dets.score[idx], evaluation.iou[idx])
        for _, cat, idx in _by_category(evaluation, evaluation.tp)
    )
    return mean_group_correlation(groups).as_dict("n_classes", "per_class")


def bounded_scores(evaluation: CocoEvaluation, direction: int) -> np.ndarray:
    """Scores with each class's TP scores handed out in IoU order (+1 upper, -1 lower bound).

    Returns:
        (N,) float64 scores aligned with ``evaluation.detections``; false positives, ignored
        and unevaluated detections keep their scores.
    """
    dets = evaluation.detections
    tp = evaluation.tp
    scores = dets.score.copy()
    scores[tp] = reorder_within_groups(
        dets.score[tp], evaluation.iou[tp], dets.category_id[tp], direction
    )
    return scores


def bounds_from_evaluation(session: CocoSession, evaluation: CocoEvaluation) -> dict:
    """The `class_level_bounds` dict of an evaluation, re-matched with COCO's own matching."""
    dets = evaluation.detections
    out = {}
    for name, direction in (("upper", 1), ("lower", -1)):
        precision = session.precision(dets.with_scores(bounded_scores(evaluation, direction)))
        out[name] = summarise_precision(precision, evaluation.category_ids)
    return out


def analyse(gt_json, dets, *, bounds: bool = True) -> dict:
    """Every metric of the thesis's class-level analysis from one COCO matching.

    Args:
        gt_json: path of a COCO annotation file (or its parsed dict).
        dets: list of COCO result dicts.
        bounds: also compute the class-level AP bounds (two more COCO evaluations).

    Returns:
        ``{"ap": coco_ap(...), "olrp": olrp(...), "beta_cls": class_level_correlation_summary(...),
        "bounds": class_level_bounds(...)}`` (``"bounds"`` only when asked for).

    Raises:
        ValueError: bad ground truth or detections (see `coco_ap`).
    """
    session, arrays = _prepare(gt_json, dets)
    evaluation = session.evaluate(arrays)
    out = {
        "ap": ap_from_evaluation(evaluation),
        "olrp": olrp_from_evaluation(evaluation),
        "beta_cls": beta_cls_from_evaluation(evaluation),
    }
    if bounds:
        out["bounds"] = bounds_from_evaluation(session, evaluation)
    return out


def coco_ap(gt_json, dets) -> dict:
    """COCO-style AP (pycocotools' numbers, computed by faster-coco-eval).

    Args:
        gt_json: path of a COCO annotation file (or its parsed dict).
        dets: list of COCO result dicts (``image_id``, ``category_id``, ``bbox``, ``score``).

    Returns:
        Fractions in [0, 1]: ``AP`` (IoU 0.50:0.95), ``AP50``, ``AP75``, ``APs``, ``APm``, ``APl``
        (NaN where no ground truth has that size; pycocotools prints -1), and ``per_class``:
        category id -> AP (NaN for a category without ground truth), as in Table 5.8.

    Raises:
        ValueError: empty ground truth; a detection with an unknown image or category id, a
            negative width or height, a NaN score, or a missing field (the message names it).
    """
    session, arrays = _prepare(gt_json, dets)
    return summarise_precision(session.precision(arrays), session.gt.category_ids)


def olrp(gt_json, dets) -> dict:
    """Optimal LRP (Oksuz et al., TPAMI 2021) with tau = 0.5 and COCO's matching.

    Returns:
        ``oLRP``, ``oLRP_Loc``, ``oLRP_FP``, ``oLRP_FN``: fractions in [0, 1], lower is better,
        each averaged over the categories with ground truth (Loc and FP over those with a TP);
        ``per_class``: category id -> dict with the same four keys, ``threshold`` (the
        LRP-optimal score threshold) and ``n_tp``, ``n_fp``, ``n_fn`` at that threshold.

    Raises:
        ValueError: bad input, as `coco_ap`.
    """
    session, arrays = _prepare(gt_json, dets)
    return olrp_from_evaluation(session.evaluate(arrays))


def class_level_correlation_summary(gt_json, dets) -> dict:
    """β_cls (Eq 3.2) with how many classes counted.

    Returns:
        ``{"value": β_cls, "n_classes": int, "per_class": {category id: Spearman}}``; a class
        counts when it has at least two TPs and neither their IoUs nor their scores are all
        equal (otherwise the coefficient is undefined). ``value`` is NaN if no class counts.
    """
    session, arrays = _prepare(gt_json, dets)
    return beta_cls_from_evaluation(session.evaluate(arrays))


def class_level_correlation(gt_json, dets) -> float:
    """β_cls (Eq 3.2): mean over classes of Spearman(IoU, score) of the true positives.

    True positives are the detections matched at IoU >= 0.5 by COCO's greedy matching (crowd
    regions ignored, 100 detections per image and category); ties get average ranks; classes
    with fewer than two true positives do not count.

    Returns:
        β_cls in [-1, 1] as a fraction; NaN when no class counts.
    """
    return class_level_correlation_summary(gt_json, dets)["value"]


def class_level_bounds(gt_json, dets) -> dict:
    """Class-level AP⁺¹ / AP⁻¹ (Table 3.2).

    Within each class the true positives' scores are handed back to the true positives in the
    order of their IoUs (highest IoU gets the highest score for "upper", the lowest for
    "lower"); false positives and all boxes stay as they are; AP is evaluated again with COCO's
    own matching, so a duplicate may take over a ground truth when scores move.

    Returns:
        ``{"upper": coco_ap dict, "lower": coco_ap dict}``.
    """
    session, arrays = _prepare(gt_json, dets)
    return bounds_from_evaluation(session, session.evaluate(arrays))
