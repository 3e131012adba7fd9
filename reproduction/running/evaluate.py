"""Evaluate a trained experiment: inference on the validation split → one results file.

The evaluate notebook calls :func:`evaluate_experiment`; so does the command line, for a run
trained by hand (``python -m reproduction.running.train``)::

    python -m reproduction.running.evaluate atss_concordance_0.3 --profile demo --seed 0
    python -m reproduction.running.evaluate atss_concordance_0.3 --profile demo --seed 0 \\
        --work-dir work_dirs/demo/atss_concordance_0.3/seed0 \\
        --results-file results/demo/atss_concordance_0.3/seed0.json

The work dir and results file default to the workflow's places (those shown). A run evaluated
again (its profile's validation split grew, say) keeps the provenance of its training from the
earlier results file, as ``provenance.trained``::

    python -m reproduction.running.evaluate atss_concordance_0.3 --profile demo --seed 0 \
        --trained-by archive/demo/atss_concordance_0.3/seed0.json

It runs the detector over the validation set (mmengine's dataloader, the model's own
``test_step``), turns its predictions into COCO results, and computes with
:mod:`corrlib.metrics`:

- the AP family, oLRP, β_cls and the class-level bounds (Table 3.2) from one COCO matching;
- β_img (Eq 3.1) from the pre-NMS positives the NMS-based heads emit
  (``test_cfg.emit_pre_nms_positives``), and the image-level bounds (Table 3.1) from two more
  post-processings with the positives' scores re-ordered (``test_cfg.score_permutation``),
  on the same features (:func:`predict_passes`: each image goes through the network once);
- for a detector that predicts instance masks (YOLACT, Table 5.3): mask AP, AP50 and AP75
  (COCO's ``segm`` evaluation of the masks as RLEs, :func:`corrlib.metrics.coco_mask_ap`),
  stored as ``mask_AP``, ``mask_AP50``, ``mask_AP75``; the correlation metrics stay on boxes.

NMS-free detectors (Sparse R-CNN) have no pre-NMS stage: β_img and the image-level bounds are
then None. Everything is stored as fractions (see :mod:`reproduction.records.results`).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from corrlib import metrics
from corrlib.integration.evaluators import coco_detections, prediction_arrays
from reproduction.records.provenance import collect
from reproduction.records.results import (
    ResultsError,
    read_json_object,
    read_results,
    results_path,
    write_json_atomic,
    write_results,
)
from reproduction.running.train import add_run_arguments, read_summary
from reproduction.spec.paths import pretrained_record, results_dir
from reproduction.spec.run import Run


def _head_test_cfg(cfg: Config) -> Any:
    """Return the test_cfg dict that the detector's dense head reads."""
    model = cfg.model
    if model.get("test_cfg") is not None:
        return model.test_cfg
    return model.bbox_head.test_cfg


def evaluates_masks(cfg: Config) -> bool:
    """Return whether the detector config evaluates instance masks (``"segm"`` among its
    ``val_evaluator`` metrics, as YOLACT's does): then its predictions carry masks."""
    evaluators = cfg.get("val_evaluator") or []
    if isinstance(evaluators, dict):
        evaluators = [evaluators]
    for evaluator in evaluators:
        metric = evaluator.get("metric", [])
        if "segm" in ([metric] if isinstance(metric, str) else list(metric)):
            return True
    return False


def mask_rles(sample) -> list[dict]:
    """Return one image's predicted masks (``pred_instances.masks``, N × H × W, at the original
    image size) as compressed COCO RLEs, in prediction order: ``{"size": [H, W], "counts":
    str}`` (``pycocotools.mask.encode``; ``counts`` decoded to text so it is JSON)."""
    from pycocotools import mask as mask_utils

    masks = sample.pred_instances.masks
    masks = masks.detach().cpu().numpy() if hasattr(masks, "detach") else np.asarray(masks)
    if masks.shape[0] == 0:
        return []
    rles = mask_utils.encode(np.asfortranarray(masks.transpose(1, 2, 0).astype(np.uint8)))
    return [
        {"size": [int(v) for v in r["size"]], "counts": r["counts"].decode("ascii")} for r in rles
    ]


Predictions = tuple[list[dict], dict[int, tuple[np.ndarray, np.ndarray]]]
"""One pass's (COCO results, per-image pre-NMS positives); see :func:`predict`."""


def predict(
    cfg: Config,
    model: torch.nn.Module,
    *,
    emit_positives: bool,
    score_permutation: str | None = None,
    masks: bool = False,
) -> Predictions:
    """Run the model over ``cfg.val_dataloader``; return (COCO results, per-image positives).

    COCO results have ``image_id``, ``category_id``, ``bbox`` (x, y, w, h in pixels of the
    original image) and ``score``; with ``masks`` (a model that predicts instance masks, see
    :func:`evaluates_masks`) also ``segmentation``, the mask as an RLE (:func:`mask_rles`).
    Positives map image id → ``(scores, ious)`` arrays of the positive detections before NMS;
    empty when ``emit_positives`` is False. ``score_permutation`` (``'upper'``, ``'lower'``)
    re-orders the positives' scores before NMS (:mod:`corrlib.integration.heads.pre_nms`).
    """
    passes = predict_passes(
        cfg, model, (score_permutation,), emit_positives=emit_positives, masks=masks
    )
    return passes[score_permutation]


def predict_passes(
    cfg: Config,
    model: torch.nn.Module,
    permutations: tuple[str | None, ...],
    *,
    emit_positives: bool,
    masks: bool = False,
) -> dict[str | None, Predictions]:
    """Predict the validation split once per score permutation, computing features once.

    Returns, for each entry of ``permutations`` (None: the scores as the model gives them;
    ``'upper'`` / ``'lower'``: re-ordered, the image-level bounds), what :func:`predict` with
    that ``score_permutation`` returns. Every image is loaded, and run through the backbone,
    the neck and the box head's layers, once; only the head's post-processing (score
    permutation, NMS) and what follows it (YOLACT's masks) run once per permutation. A
    permuted pass emits positives whatever ``emit_positives`` says; masks are kept for the
    unpermuted pass only (the bounds are box AP).
    """
    test_cfgs = {}
    for permutation in permutations:
        test_cfg = copy.deepcopy(_head_test_cfg(cfg))
        test_cfg["emit_pre_nms_positives"] = emit_positives or permutation is not None
        test_cfg["score_permutation"] = permutation
        test_cfgs[permutation] = test_cfg
    head = getattr(model, "bbox_head", None)
    rescorable = hasattr(head, "test_cfg")  # a dense box head whose post-processing we set
    if len(permutations) > 1 and not rescorable:
        raise ValueError(f"{type(model).__name__} has no dense box head to re-score")
    loader = Runner.build_dataloader(cfg.val_dataloader)
    category_ids = list(loader.dataset.cat_ids)
    per_image: dict[str | None, list[dict]] = {p: [] for p in permutations}
    rles: list[dict] = []
    positives: dict[str | None, dict] = {p: {} for p in permutations}
    model.eval()
    with torch.no_grad():
        for batch in loader:
            data = model.data_preprocessor(batch, False)
            with _features_computed_once(model, data["inputs"], active=len(permutations) > 1):
                for permutation in permutations:
                    if rescorable:
                        head.test_cfg = test_cfgs[permutation]
                    for sample in model(**data, mode="predict"):
                        per_image[permutation].append(prediction_arrays(sample))
                        if masks and permutation is None:
                            rles.extend(mask_rles(sample))
                        found = sample.get("pre_nms_positives")
                        if test_cfgs[permutation]["emit_pre_nms_positives"] and found is not None:
                            positives[permutation][int(sample.img_id)] = (
                                found.scores.cpu().numpy(),
                                found.ious.cpu().numpy(),
                            )
    out = {}
    for permutation in permutations:
        results = coco_detections(per_image[permutation], category_ids)
        if masks and permutation is None:  # coco_detections keeps images' and detections' order
            for det, rle in zip(results, rles, strict=True):
                det["segmentation"] = rle
        out[permutation] = (results, positives[permutation])
    return out


@contextmanager
def _features_computed_once(
    model: torch.nn.Module, inputs: torch.Tensor, *, active: bool
) -> Iterator[None]:
    """Within the block, the model's ``extract_feat`` (backbone + neck) and its box head's
    layers run once on ``inputs``: later calls return the first call's outputs. Yields None;
    with ``active`` False it changes nothing. Outputs are read, never modified, by mmdet's
    post-processing, so every pass sees the same tensors."""
    if not active:
        yield
        return
    head = model.bbox_head
    features = model.extract_feat(inputs)
    head_outputs: list[Any] = []
    compute_head = head.forward

    def head_once(x, *args, **kwargs):
        if x is not features:
            raise RuntimeError("the box head was called on features other than the batch's")
        if not head_outputs:
            head_outputs.append(compute_head(x, *args, **kwargs))
        return head_outputs[0]

    model.extract_feat = lambda _inputs: features  # instance attributes shadow the methods
    head.forward = head_once
    try:
        yield
    finally:
        del model.extract_feat
        del head.forward


def _ap_family(ap: dict) -> dict:
    return {k: ap[k] for k in ("AP", "AP50", "AP75", "APs", "APm", "APl")}


def evaluate_experiment(
    run: Run,
    *,
    results_file: str | Path | None = None,
    trained_by: str | Path | None = None,
) -> dict:
    """Evaluate the checkpoint a training of ``run`` left in its work dir; write and return the
    record.

    ``run`` (:class:`reproduction.spec.run.Run`): its work dir, device, data root and
    ``val_images`` (evaluate on the first this many validation images only, a check, scored
    against those images' annotations alone); the evaluation always builds the run's
    validation loop.

    Reads ``train_summary.json`` (written by the train notebook) for the checkpoint and the
    training time. ``trained_by``: an earlier results file of the same run (e.g. the archived
    one, when a run is evaluated again on a larger validation split); its provenance, which
    names the commit and machine the model was trained with, is kept as ``provenance.trained``.
    ``results_file``: default ``<root>/results/<profile>/<experiment>/seed<k>.json``
    (:func:`reproduction.spec.paths.results_dir`); the kept detections go beside it.
    Returns the results record (fractions; see :mod:`reproduction.records.results`).

    Raises:
        ResultsError: ``trained_by`` is unreadable or is another experiment's or seed's run.
    """
    from reproduction.running.config_builder import build_config

    run = run.with_overrides(validate=True, val_interval=None)
    work_dir, device, val_images = run.work_dir, run.device, run.overrides.val_images
    summary = read_summary(work_dir)
    trained = _training_provenance(trained_by, run.experiment.id, run.seed) if trained_by else None
    cfg = build_config(run)
    if results_file is None:
        results_file = results_path(results_dir(), run.profile.name, run.experiment.id, run.seed)
    dataset_cfg = cfg.val_dataloader.dataset
    gt_json = Path(dataset_cfg.data_root) / dataset_cfg.ann_file
    gt = json.loads(gt_json.read_text())

    from mmdet.registry import MODELS
    from mmengine.runner import load_checkpoint

    from corrlib.integration.checkpoints import allow_mmengine_checkpoints

    allow_mmengine_checkpoints()  # torch's weights_only loader, with mmengine's types allowed
    model = MODELS.build(cfg.model)
    load_checkpoint(model, summary["checkpoint"], map_location=device)
    model.to(device)

    started = time.perf_counter()
    nms_based = bool(cfg.corrlib.nms_based)  # the detector config says; no second list
    with_masks = evaluates_masks(cfg)
    permutations = (None, "upper", "lower") if nms_based else (None,)
    passes = predict_passes(cfg, model, permutations, emit_positives=nms_based, masks=with_masks)
    dets, positives = passes[None]
    if val_images is not None:  # score the evaluated images against their own annotations
        gt = ground_truth_subset(gt, _evaluated_image_ids(cfg))
    analysis = metrics.analyse(gt, dets)  # boxes: AP, oLRP, β and bounds stay on boxes
    mask_ap = metrics.coco_mask_ap(gt, dets) if with_masks else {}
    beta_img = metrics.image_level_correlation_summary(positives.values()) if nms_based else None
    image_bounds = None
    if nms_based:
        image_bounds = {}
        for side in ("upper", "lower"):
            image_bounds[side] = _ap_family(metrics.coco_ap(gt, passes[side][0]))
    record = _results_record(
        run,
        dataset_cfg,
        gt,
        _metrics_record(analysis, mask_ap, beta_img, image_bounds, gt, len(dets)),
        summary,
        evaluation_s=time.perf_counter() - started,
        provenance={**collect(device), **({"trained": trained} if trained else {})},
    )
    write_results(Path(results_file), record)
    write_json_atomic(
        detections_path(results_file),
        {
            "annotation_file": dataset_cfg.ann_file,
            "detections": [  # boxes only: the masks are scored above, not kept
                {k: v for k, v in d.items() if k != "segmentation"} for d in dets
            ],
            "pre_nms_positives": {
                str(k): {"scores": v[0].tolist(), "ious": v[1].tolist()}
                for k, v in positives.items()
            },
        },
    )
    return record


def _metrics_record(
    analysis: dict,
    mask_ap: dict,
    beta_img: dict | None,
    image_bounds: dict | None,
    gt: dict,
    n_detections: int,
) -> dict[str, Any]:
    """The ``metrics`` of a results record (fractions; see :mod:`reproduction.records.results`)
    from the box analysis (:func:`corrlib.metrics.analyse`), the mask AP (empty without
    masks), β_img's summary and the image-level bounds (None for an NMS-free detector)."""
    names = {c["id"]: c["name"] for c in gt["categories"]}
    return {
        **_ap_family(analysis["ap"]),
        **{k: analysis["olrp"][k] for k in ("oLRP", "oLRP_Loc", "oLRP_FP", "oLRP_FN")},
        "beta_cls": analysis["beta_cls"]["value"],
        "beta_cls_classes": analysis["beta_cls"]["n_classes"],
        "beta_img": None if beta_img is None else beta_img["value"],
        "beta_img_images": None if beta_img is None else beta_img["n_images"],
        "class_bounds": {s: _ap_family(analysis["bounds"][s]) for s in ("upper", "lower")},
        "image_bounds": image_bounds,
        "per_class_AP": {names[int(c)]: ap for c, ap in analysis["ap"]["per_class"].items()},
        # AP at each COCO IoU threshold, "0.50" ... "0.95" (AP50 and AP75 are two of them)
        "AP_per_iou": dict(analysis["ap"]["per_iou"]),
        # mask AP (COCO segm) for a detector that predicts masks (YOLACT), else None
        **{f"mask_{k}": mask_ap.get(k) for k in ("AP", "AP50", "AP75")},
        "n_detections": n_detections,
    }


def _results_record(
    run: Run,
    dataset_cfg: Any,
    gt: dict,
    metrics_record: dict[str, Any],
    summary: dict,
    *,
    evaluation_s: float,
    provenance: dict,
) -> dict[str, Any]:
    """A run's results record (:mod:`reproduction.records.results`): the experiment, profile,
    seed and dataset, its metrics, the training summary's time, the pretraining its backbone
    started from (None from random weights), the evaluation's seconds and the provenance."""
    exp, spec = run.experiment, run.profile
    return {
        "experiment": {
            "id": exp.id,
            "detector": exp.detector,
            "kind": exp.kind,
            "loss_weight": exp.loss_weight,
            "gradient": exp.gradient,
            "rank_scale": exp.rank_scale,
            # CorrelationLoss's grouping, under the field's schema-1 name, which every
            # archived results file has (records are data: the field keeps its name)
            "reduction": exp.grouping,
            "moments": exp.moments,
        },
        "profile": spec.name,
        "seed": run.seed,
        "dataset": {
            "name": Path(dataset_cfg.data_root).name,
            "synthetic": spec.synthetic or spec.standin,
            "n_val_images": len(gt["images"]),
        },
        "metrics": metrics_record,
        "training": {
            "iterations": summary.get("iterations"),
            "seconds_per_iter": summary.get("seconds_per_iter"),
            "wall_s": summary.get("wall_s"),
        },
        "pretrained": _pretraining_record(spec.pretrained),
        "evaluation_s": evaluation_s,
        "provenance": provenance,
    }


def _pretraining_record(name: str | None) -> dict | None:
    """The record of the pretraining ``name`` (:func:`reproduction.spec.paths.pretrained_record`
    under the checkout's results root), or None for a run from random weights; ResultsError
    when the record is missing or unreadable."""
    if name is None:
        return None
    path = pretrained_record(results_dir(), name)
    record = read_json_object(path, kind="pretraining record")
    return {"name": name, **record}


def _evaluated_image_ids(cfg: Config) -> list[int]:
    """The ids of the images the config's validation loader yields (its ``indices`` subset)."""
    from mmdet.registry import DATASETS
    from mmengine.registry import init_default_scope

    init_default_scope(cfg.get("default_scope", "mmdet"))
    dataset = DATASETS.build(copy.deepcopy(cfg.val_dataloader.dataset))
    return [int(dataset.get_data_info(i)["img_id"]) for i in range(len(dataset))]


def ground_truth_subset(gt: dict, image_ids) -> dict:
    """Return a COCO ground truth restricted to ``image_ids``: those images and their
    annotations, every category (the other fields as they are)."""
    keep = {int(i) for i in image_ids}
    return {
        **gt,
        "images": [im for im in gt["images"] if int(im["id"]) in keep],
        "annotations": [a for a in gt.get("annotations", []) if int(a["image_id"]) in keep],
    }


def detections_path(results_file: str | Path) -> Path:
    """Return where the detections behind a results file are kept (``seed<k>.detections.json``).

    They let a study re-score subsets of the validation images without re-running inference.
    """
    results_file = Path(results_file)
    return results_file.with_name(results_file.stem + ".detections.json")


def _training_provenance(path: str | Path, experiment: str, seed: int) -> dict:
    """The provenance of the training named by an earlier results file of the same run: its
    ``provenance.trained`` when it was itself a later evaluation, else its ``provenance``."""
    earlier = read_results(Path(path))
    found = (earlier["experiment"]["id"], int(earlier["seed"]))
    if found != (experiment, seed):
        raise ResultsError(
            f"{path}: --trained-by is the results file of {found[0]} seed {found[1]}, "
            f"not of {experiment} seed {seed}"
        )
    provenance = earlier.get("provenance") or {}
    return provenance.get("trained") or provenance


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m reproduction.running.evaluate",
        description="Evaluate a finished training run (its work dir holds train_summary.json) "
        "on the validation split; write the results file and print its metrics.",
    )
    add_run_arguments(p)
    p.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="the training's work dir (default <root>/work_dirs/<profile>/<experiment>/seed<seed>)",
    )
    p.add_argument(
        "--results-file",
        type=Path,
        default=None,
        help="where to write the results "
        "(default <root>/results/<profile>/<experiment>/seed<seed>.json)",
    )
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    p.add_argument(
        "--trained-by",
        type=Path,
        default=None,
        metavar="RESULTS_FILE",
        help="an earlier results file of this run (evaluating it again, e.g. on a larger "
        "validation split): its provenance is kept as provenance.trained",
    )
    p.add_argument(
        "--val-images",
        type=int,
        default=None,
        metavar="N",
        help="evaluate on the first N validation images only (a check)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; print the headline metrics; return the exit status (0 ok, 2 bad input)."""
    args = _parser().parse_args(argv)
    try:
        run = Run.resolve(
            args.experiment, args.profile, args.seed, work_dir=args.work_dir,
            device=args.device, data_root=args.data_root, val_images=args.val_images,
        )  # fmt: skip
        results_file = args.results_file or results_path(
            results_dir(), run.profile.name, run.experiment.id, run.seed
        )
        record = evaluate_experiment(run, results_file=results_file, trained_by=args.trained_by)
    except (KeyError, ValueError, FileNotFoundError) as err:  # ResultsError is a ValueError
        print(f"error: {err.args[0] if err.args else err}", file=sys.stderr)
        return 2
    shown = ("AP", "AP50", "AP75", "oLRP", "beta_cls", "beta_img")
    headline = {k: record["metrics"][k] for k in shown}
    print(json.dumps({"results_file": str(results_file), **headline}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
