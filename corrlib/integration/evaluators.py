"""mmengine evaluators for β_cls, β_img, the class-level AP bounds and oLRP.

Both are registered in mmdet's METRICS registry and sit next to ``CocoMetric``::

    val_evaluator = [
        dict(type='CocoMetric', ann_file=ann_file, metric='bbox'),
        dict(type='CorrelationMetric', ann_file=ann_file),
        dict(type='LRPMetric', ann_file=ann_file),
    ]

``process`` keeps each image's predictions (and, without ``ann_file``, its ground truth) as
numpy arrays; ``compute_metrics`` turns them into COCO results and calls `corrlib.metrics`.
β_img needs the positives before NMS: a model provides them by setting, on each prediction
data sample, ``pre_nms_positives`` with 1-D ``scores`` (ground-truth-class scores) and ``ious``
(IoU with the assigned ground truth). Without them β_img is not reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.fileio import get_local_path
from mmengine.logging import MMLogger

from corrlib import metrics
from corrlib.metrics.api import (
    ap_from_evaluation,
    beta_cls_from_evaluation,
    bounds_from_evaluation,
    olrp_from_evaluation,
)
from corrlib.metrics.evaluation import CocoEvaluation, CocoSession
from corrlib.metrics.inputs import GroundTruth, detections_to_arrays, load_ground_truth

__all__ = ["CorrelationMetric", "LRPMetric", "coco_detections", "prediction_arrays"]


def _numpy(value) -> np.ndarray:
    """A tensor (any device) or array-like as a numpy array."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _field(container, name: str, default=None):
    """``container[name]`` for dicts (data samples after ``to_dict``), else the attribute."""
    if isinstance(container, Mapping):
        return container.get(name, default)
    return getattr(container, name, default)


def prediction_arrays(sample) -> dict:
    """One image's predictions as arrays: ``img_id``, ``bboxes`` (N×4, x, y, w, h in pixels of
    the original image), ``scores`` (N) and ``labels`` (N, class indices of the dataset)."""
    pred = _field(sample, "pred_instances")
    boxes = _numpy(_field(pred, "bboxes")).reshape(-1, 4).astype(np.float64)
    return {
        "img_id": int(_field(sample, "img_id")),
        "bboxes": np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1),
        "scores": _numpy(_field(pred, "scores")).reshape(-1).astype(np.float64),
        "labels": _numpy(_field(pred, "labels")).reshape(-1).astype(np.int64),
    }


def coco_detections(results: Sequence[Mapping], cat_ids: Sequence[int]) -> list[dict]:
    """Per-image prediction arrays (:func:`prediction_arrays`) as COCO result dicts.

    Returns one ``{"image_id", "category_id", "bbox" (x, y, w, h), "score"}`` per detection;
    ``cat_ids[label]`` is the category id of a class index.
    """
    lookup = np.asarray(cat_ids, dtype=np.int64)
    dets = []
    for r in results:
        for box, score, label in zip(r["bboxes"].tolist(), r["scores"], r["labels"], strict=True):
            dets.append(
                {
                    "image_id": int(r["img_id"]),
                    "category_id": int(lookup[label]),
                    "bbox": box,
                    "score": float(score),
                }
            )
    return dets


class _CocoResultsMetric(BaseMetric):
    """Shared part: collect predictions per image, build the COCO ground truth and results.

    Args:
        ann_file: COCO annotation file of the evaluated split; without it the ground truth is
            taken from the data samples' ``instances`` (as ``CocoMetric`` does).
        backend_args: mmengine file backend arguments for reading ``ann_file``.
        collect_device: 'cpu' or 'gpu', for gathering results across ranks.
        prefix: prefix of the reported metric names (default: the class's ``default_prefix``).
    """

    def __init__(
        self,
        ann_file: str | None = None,
        backend_args: dict | None = None,
        collect_device: str = "cpu",
        prefix: str | None = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.ann_file = ann_file
        self.backend_args = backend_args

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Keep one result per image: predicted boxes (x, y, w, h), scores, labels, and more."""
        for sample in data_samples:
            result = prediction_arrays(sample)
            if self.ann_file is None:
                shape = _field(sample, "ori_shape")
                result["gt"] = {
                    "width": int(shape[1]),
                    "height": int(shape[0]),
                    "instances": [
                        {
                            "bbox": [float(v) for v in inst["bbox"]],
                            "bbox_label": int(inst["bbox_label"]),
                            "ignore_flag": int(inst.get("ignore_flag", 0)),
                        }
                        for inst in _field(sample, "instances", [])
                    ],
                }
            self._process_extra(sample, result)
            self.results.append(result)

    def _process_extra(self, sample, result: dict) -> None:
        """Hook for subclasses: add more per-image fields to ``result``."""

    def _ground_truth(self, results: list) -> tuple[GroundTruth, list[int]]:
        """The checked COCO ground truth and the category id of each label index."""
        classes = list((self.dataset_meta or {}).get("classes", []))
        if self.ann_file is not None:
            with get_local_path(self.ann_file, backend_args=self.backend_args) as local:
                gt = load_ground_truth(local)
            by_name = {c.get("name"): int(c["id"]) for c in gt.dataset["categories"]}
            missing = [name for name in classes if name not in by_name]
            if missing:
                raise ValueError(f"classes {missing} are not categories of {self.ann_file}")
            cat_ids = [by_name[name] for name in classes] or gt.category_ids.tolist()
            return gt, cat_ids
        n_classes = len(classes) or 1 + max(
            [int(r["labels"].max()) for r in results if r["labels"].size]
            + [i["bbox_label"] for r in results for i in r["gt"]["instances"]],
            default=0,
        )
        images, annotations = [], []
        for r in results:
            images.append(
                {"id": r["img_id"], "width": r["gt"]["width"], "height": r["gt"]["height"]}
            )
            for inst in r["gt"]["instances"]:
                x1, y1, x2, y2 = inst["bbox"]
                annotations.append(
                    {
                        "id": len(annotations) + 1,
                        "image_id": r["img_id"],
                        "category_id": inst["bbox_label"],
                        "bbox": [x1, y1, x2 - x1, y2 - y1],
                        "area": (x2 - x1) * (y2 - y1),
                        "iscrowd": inst["ignore_flag"],
                    }
                )
        categories = [
            {"id": k, "name": classes[k] if k < len(classes) else str(k)} for k in range(n_classes)
        ]
        gt = {"images": images, "annotations": annotations, "categories": categories}
        return load_ground_truth(gt), list(range(n_classes))

    def _evaluation(self, results: list) -> tuple[CocoSession, CocoEvaluation, dict]:
        """One COCO evaluation of the collected results.

        Returns:
            The session (for re-evaluations), the evaluation, and category id -> class name.
        """
        gt, cat_ids = self._ground_truth(results)
        session = CocoSession(gt)
        dets = detections_to_arrays(coco_detections(results, cat_ids), gt)
        classes = list((self.dataset_meta or {}).get("classes", []))
        names = {int(c["id"]): str(c.get("name", c["id"])) for c in gt.dataset["categories"]}
        names.update(zip(cat_ids, classes, strict=False))
        return session, session.evaluate(dets), names


@METRICS.register_module()
class CorrelationMetric(_CocoResultsMetric):
    """β_cls (Eq 3.2), β_img (Eq 3.1, when the model reports pre-NMS positives) and AP bounds.

    Reports (fractions, not %): ``beta_cls`` and ``beta_cls_classes`` (classes that counted);
    ``beta_img`` and ``beta_img_images`` when data samples carry ``pre_nms_positives``; with
    ``bounds=True``, ``AP``, ``AP50``, ``AP75`` and their class-level bounds ``AP_upper`` …
    ``AP75_lower`` (Table 3.2).

    Args:
        bounds: also compute the class-level AP⁺¹ / AP⁻¹ (two more COCO evaluations).
        **kwargs: see `_CocoResultsMetric`.
    """

    default_prefix: str | None = "corr"

    def __init__(self, bounds: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.bounds = bounds

    def _process_extra(self, sample, result: dict) -> None:
        positives = _field(sample, "pre_nms_positives")
        if positives is None:
            return
        scores = _numpy(_field(positives, "scores")).reshape(-1).astype(np.float64)
        ious = _numpy(_field(positives, "ious")).reshape(-1).astype(np.float64)
        result["pre_nms"] = (scores, ious)

    def compute_metrics(self, results: list) -> dict:
        """β_cls, β_img and the AP bounds of the collected results (see the class docstring)."""
        logger = MMLogger.get_current_instance()
        session, evaluation, _ = self._evaluation(results)
        beta_cls = beta_cls_from_evaluation(evaluation)
        out = {"beta_cls": beta_cls["value"], "beta_cls_classes": beta_cls["n_classes"]}
        pairs = [r["pre_nms"] for r in results if "pre_nms" in r]
        if pairs:
            beta_img = metrics.image_level_correlation_summary(pairs)
            out["beta_img"] = beta_img["value"]
            out["beta_img_images"] = beta_img["n_images"]
        if self.bounds:
            ap = ap_from_evaluation(evaluation)
            bounds = bounds_from_evaluation(session, evaluation)
            for key in ("AP", "AP50", "AP75"):
                out[key] = ap[key]
                out[f"{key}_upper"] = bounds["upper"][key]
                out[f"{key}_lower"] = bounds["lower"][key]
        logger.info("correlation: " + ", ".join(f"{k}={v:.4f}" for k, v in out.items()))
        return out


@METRICS.register_module()
class LRPMetric(_CocoResultsMetric):
    """Optimal LRP (Oksuz et al., TPAMI 2021; tau = 0.5): ``oLRP``, ``oLRP_Loc``, ``oLRP_FP``,
    ``oLRP_FN`` as fractions (lower is better).

    Args:
        classwise: also report each class's oLRP and LRP-optimal threshold, as
            ``oLRP_<class name>`` and ``threshold_<class name>``.
        **kwargs: see `_CocoResultsMetric`.
    """

    default_prefix: str | None = "lrp"

    def __init__(self, classwise: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.classwise = classwise

    def compute_metrics(self, results: list) -> dict:
        """oLRP and its components of the collected results."""
        logger = MMLogger.get_current_instance()
        _, evaluation, names = self._evaluation(results)
        lrp = olrp_from_evaluation(evaluation)
        keys = ("oLRP", "oLRP_Loc", "oLRP_FP", "oLRP_FN")
        out = {key: lrp[key] for key in keys}
        if self.classwise:
            for cat, entry in lrp["per_class"].items():
                out[f"oLRP_{names[cat]}"] = entry["oLRP"]
                out[f"threshold_{names[cat]}"] = entry["threshold"]
        logger.info("LRP: " + ", ".join(f"{k}={out[k]:.4f}" for k in keys))
        return out
