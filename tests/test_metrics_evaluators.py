"""The mmengine evaluators: registered in mmdet, and equal to corrlib.metrics on a fake batch."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from mmdet.registry import METRICS
from mmdet.structures import DetDataSample
from mmengine.evaluator import Evaluator
from mmengine.structures import InstanceData

import corrlib.integration  # noqa: F401  (registers the evaluators)
from corrlib import metrics
from corrlib.integration.evaluators import CorrelationMetric, LRPMetric
from reproduction.dataset.random_coco import random_coco

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:torch")

CLASSES = ("cat", "dog", "bird")
CATEGORY_IDS = (3, 7, 11)  # non-contiguous ids: label k is category CATEGORY_IDS[k]


def _dataset(seed: int = 0) -> tuple[dict, list[dict]]:
    gt, dets = random_coco(n_images=8, n_categories=3, dets_per_image=15, seed=seed)
    remap = dict(zip((1, 2, 3), CATEGORY_IDS, strict=True))
    gt["categories"] = [{"id": i, "name": n} for i, n in zip(CATEGORY_IDS, CLASSES, strict=True)]
    for item in gt["annotations"] + dets:
        item["category_id"] = remap[item["category_id"]]
    return gt, dets


def _samples(gt: dict, dets: list[dict], with_positives: bool, rng) -> tuple[list, list]:
    """One DetDataSample per image, as a model would emit it; and the pre-NMS pairs."""
    label_of = {c: k for k, c in enumerate(CATEGORY_IDS)}
    samples, pairs = [], []
    for image in gt["images"]:
        mine = [d for d in dets if d["image_id"] == image["id"]]
        xywh = np.array([d["bbox"] for d in mine], dtype=np.float64).reshape(-1, 4)
        xyxy = np.concatenate([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], axis=1)
        sample = DetDataSample(
            metainfo={"img_id": image["id"], "ori_shape": (image["height"], image["width"])}
        )
        sample.pred_instances = InstanceData(
            bboxes=torch.tensor(xyxy, dtype=torch.float64),
            scores=torch.tensor([d["score"] for d in mine], dtype=torch.float64),
            labels=torch.tensor([label_of[d["category_id"]] for d in mine], dtype=torch.long),
        )
        sample.instances = [
            {
                "bbox": [x, y, x + w, y + h],
                "bbox_label": label_of[a["category_id"]],
                "ignore_flag": a["iscrowd"],
            }
            for a in gt["annotations"]
            if a["image_id"] == image["id"]
            for x, y, w, h in [a["bbox"]]
        ]
        if with_positives:
            n = int(rng.integers(0, 6))
            scores, ious = rng.uniform(size=n), rng.uniform(0.5, 1.0, size=n)
            sample.pre_nms_positives = InstanceData(
                scores=torch.tensor(scores), ious=torch.tensor(ious)
            )
            pairs.append((scores, ious))
        samples.append(sample)
    return samples, pairs


def _run(cfg: dict, samples: list) -> dict:
    evaluator = Evaluator(METRICS.build(cfg))
    evaluator.dataset_meta = {"classes": CLASSES}
    for start in range(0, len(samples), 3):  # batches of three images
        evaluator.process(data_samples=samples[start : start + 3], data_batch=None)
    return evaluator.evaluate(len(samples))


def test_evaluators_are_registered_in_mmdet():
    assert METRICS.get("CorrelationMetric") is CorrelationMetric
    assert METRICS.get("LRPMetric") is LRPMetric


@pytest.mark.parametrize("use_ann_file", [True, False])
def test_correlation_metric_equals_corrlib_metrics(tmp_path, use_ann_file):
    gt, dets = _dataset()
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(gt))
    samples, pairs = _samples(gt, dets, with_positives=True, rng=np.random.default_rng(1))
    cfg = {"type": "CorrelationMetric"}
    if use_ann_file:
        cfg["ann_file"] = str(path)
    result = _run(cfg, samples)

    expected_cls = metrics.class_level_correlation_summary(str(path), dets)
    bounds = metrics.class_level_bounds(str(path), dets)
    ap = metrics.coco_ap(str(path), dets)
    assert result["corr/beta_cls"] == pytest.approx(expected_cls["value"])
    assert result["corr/beta_cls_classes"] == expected_cls["n_classes"] > 0
    assert result["corr/beta_img"] == pytest.approx(metrics.image_level_correlation(pairs))
    assert result["corr/beta_img_images"] > 0
    for key in ("AP", "AP50", "AP75"):
        assert result[f"corr/{key}"] == pytest.approx(ap[key])
        assert result[f"corr/{key}_upper"] == pytest.approx(bounds["upper"][key])
        assert result[f"corr/{key}_lower"] == pytest.approx(bounds["lower"][key])


def test_correlation_metric_without_positives_or_bounds(tmp_path):
    gt, dets = _dataset(seed=2)
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(gt))
    samples, _ = _samples(gt, dets, with_positives=False, rng=np.random.default_rng(0))
    result = _run({"type": "CorrelationMetric", "ann_file": str(path), "bounds": False}, samples)
    assert set(result) == {"corr/beta_cls", "corr/beta_cls_classes"}


def test_lrp_metric_equals_corrlib_metrics(tmp_path):
    gt, dets = _dataset(seed=3)
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(gt))
    samples, _ = _samples(gt, dets, with_positives=False, rng=np.random.default_rng(0))
    result = _run({"type": "LRPMetric", "ann_file": str(path), "classwise": True}, samples)
    expected = metrics.olrp(str(path), dets)
    for key in ("oLRP", "oLRP_Loc", "oLRP_FP", "oLRP_FN"):
        assert result[f"lrp/{key}"] == pytest.approx(expected[key])
    for cat, name in zip(CATEGORY_IDS, CLASSES, strict=True):
        if cat in expected["per_class"]:
            assert result[f"lrp/oLRP_{name}"] == pytest.approx(expected["per_class"][cat]["oLRP"])


def test_class_names_missing_from_the_annotation_file_are_reported(tmp_path):
    gt, dets = _dataset(seed=4)
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(gt))
    samples, _ = _samples(gt, dets, with_positives=False, rng=np.random.default_rng(0))
    evaluator = Evaluator(METRICS.build({"type": "LRPMetric", "ann_file": str(path)}))
    evaluator.dataset_meta = {"classes": ("cat", "dog", "horse")}
    evaluator.process(data_samples=samples, data_batch=None)
    with pytest.raises(ValueError, match=r"\['horse'\]"):
        evaluator.evaluate(len(samples))
