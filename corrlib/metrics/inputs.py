"""Reading and checking the two inputs of every metric: COCO ground truth and COCO results.

`load_ground_truth` reads a COCO annotation file (or takes its parsed dict) and
`detections_to_arrays` turns a list of COCO result dicts into columns. For results files as
detectors' exporters write them, `read_json_file` reads a file, `results_list` finds the list of
detections in it and `normalise_results` maps string image ids (file-name stems) and offset
category ids onto the ground truth's. All raise ValueError naming the offending field and
value, so a bad file fails loudly instead of scoring silently.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import numpy as np

__all__ = [
    "GroundTruth",
    "Detections",
    "load_ground_truth",
    "detections_to_arrays",
    "read_json_file",
    "results_list",
    "normalise_results",
]


@dataclass(frozen=True)
class GroundTruth:
    """A checked COCO ground-truth dataset.

    Attributes:
        dataset: the COCO dict (``images``, ``annotations``, ``categories``), as read.
        image_ids: (I,) int64, sorted ids of the images.
        category_ids: (K,) int64, sorted ids of the categories.
    """

    dataset: dict
    image_ids: np.ndarray
    category_ids: np.ndarray


@dataclass(frozen=True)
class Detections:
    """COCO results as columns, aligned with the input list.

    Attributes:
        image_id: (N,) int64.
        category_id: (N,) int64.
        bbox: (N, 4) float64 boxes as x, y, width, height in pixels.
        score: (N,) float64 confidence scores.
    """

    image_id: np.ndarray
    category_id: np.ndarray
    bbox: np.ndarray
    score: np.ndarray

    def __len__(self) -> int:
        return int(self.score.size)

    def with_scores(self, score: np.ndarray) -> Detections:
        """Return the same detections with other scores ((N,) array)."""
        score = np.asarray(score, dtype=np.float64)
        if score.shape != self.score.shape:
            raise ValueError(f"need {self.score.size} scores, got shape {score.shape}")
        return Detections(self.image_id, self.category_id, self.bbox, score)


def load_ground_truth(gt_json) -> GroundTruth:
    """Read and check a COCO annotation file.

    Args:
        gt_json: path of a COCO annotation file (str or path-like), or its already parsed dict.

    Returns:
        A `GroundTruth`.

    Raises:
        ValueError: a missing section, no images or no annotations (empty ground truth), an
            annotation on an unknown image or category, or a box with a negative or non-finite
            width or height.
    """
    if isinstance(gt_json, Mapping):
        dataset = dict(gt_json)
    elif isinstance(gt_json, (str, os.PathLike)):
        with open(gt_json, encoding="utf-8") as handle:
            dataset = json.load(handle)
    else:
        raise ValueError(f"gt_json must be a path or a COCO dict, got {type(gt_json).__name__}")
    for section in ("images", "annotations", "categories"):
        if section not in dataset:
            raise ValueError(f"ground truth lacks the '{section}' section")
    if not dataset["images"]:
        raise ValueError("ground truth is empty: no images")
    if not dataset["categories"]:
        raise ValueError("ground truth is empty: no categories")
    if not dataset["annotations"]:
        raise ValueError("ground truth is empty: no annotations")
    image_ids = np.unique(np.asarray([img["id"] for img in dataset["images"]], dtype=np.int64))
    category_ids = np.unique(
        np.asarray([cat["id"] for cat in dataset["categories"]], dtype=np.int64)
    )
    known_images = set(image_ids.tolist())
    known_categories = set(category_ids.tolist())
    for ann in dataset["annotations"]:
        ann_id = ann.get("id")
        for field in ("image_id", "category_id", "bbox"):
            if field not in ann:
                raise ValueError(f"ground-truth annotation {ann_id} lacks '{field}'")
        if ann["image_id"] not in known_images:
            raise ValueError(
                f"ground-truth annotation {ann_id}: unknown image_id {ann['image_id']}"
            )
        if ann["category_id"] not in known_categories:
            raise ValueError(
                f"ground-truth annotation {ann_id}: unknown category_id {ann['category_id']}"
            )
        _check_box(ann["bbox"], f"ground-truth annotation {ann_id}")
    return GroundTruth(dataset, image_ids, category_ids)


def _check_box(box, where: str) -> None:
    if not isinstance(box, Sequence) or len(box) != 4:
        raise ValueError(f"{where}: bbox must be [x, y, width, height], got {box!r}")
    for name, value in zip(("x", "y", "width", "height"), box, strict=True):
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"{where}: bbox {name} must be a finite number, got {value!r}")
    if box[2] < 0:
        raise ValueError(f"{where}: negative bbox width {box[2]}")
    if box[3] < 0:
        raise ValueError(f"{where}: negative bbox height {box[3]}")


def detections_to_arrays(dets, gt: GroundTruth) -> Detections:
    """Check COCO result dicts against the ground truth and return them as columns.

    Args:
        dets: sequence of dicts with ``image_id``, ``category_id``, ``bbox`` (x, y, w, h in
            pixels) and ``score``; extra keys are ignored. An empty sequence is allowed.
        gt: the ground truth the detections refer to.

    Returns:
        `Detections`, aligned with ``dets``.

    Raises:
        ValueError: naming the detection's index, the field and the value: a missing field, an
            unknown image or category id, a bbox that is not four finite numbers or has a
            negative width or height, a NaN or infinite score.
    """
    n = len(dets)
    image_id = np.empty(n, dtype=np.int64)
    category_id = np.empty(n, dtype=np.int64)
    score = np.empty(n, dtype=np.float64)
    bbox = np.empty((n, 4), dtype=np.float64)
    for i, det in enumerate(dets):
        try:
            image_id[i] = det["image_id"]
            category_id[i] = det["category_id"]
            score[i] = det["score"]
            bbox[i] = det["bbox"]
        except KeyError as err:
            raise ValueError(f"detection {i} lacks '{err.args[0]}'") from None
        except (TypeError, ValueError):
            _raise_bad_detection(i, det)
    _check_columns(image_id, category_id, bbox, score, gt)
    return Detections(image_id, category_id, bbox, score)


def _raise_bad_detection(i: int, det) -> None:
    """Find which field of a detection could not be converted, and say so."""
    if not isinstance(det, Mapping):
        raise ValueError(f"detection {i} must be a dict, got {type(det).__name__}")
    targets = {
        "image_id": np.empty(1, dtype=np.int64),
        "category_id": np.empty(1, dtype=np.int64),
        "score": np.empty(1, dtype=np.float64),
        "bbox": np.empty((1, 4), dtype=np.float64),
    }
    for field, target in targets.items():
        try:
            target[0] = det[field]
        except (TypeError, ValueError):
            raise ValueError(f"detection {i}: bad {field} {det[field]!r}") from None
    raise ValueError(f"detection {i}: unreadable {det!r}")


def _check_columns(image_id, category_id, bbox, score, gt: GroundTruth) -> None:
    def first(mask: np.ndarray) -> int:
        return int(np.flatnonzero(mask)[0])

    bad = ~np.isin(image_id, gt.image_ids)
    if bad.any():
        i = first(bad)
        raise ValueError(f"detection {i}: unknown image_id {image_id[i]}")
    bad = ~np.isin(category_id, gt.category_ids)
    if bad.any():
        i = first(bad)
        raise ValueError(f"detection {i}: unknown category_id {category_id[i]}")
    bad = ~np.isfinite(score)
    if bad.any():
        i = first(bad)
        raise ValueError(f"detection {i}: score must be finite, got {score[i]}")
    bad = ~np.isfinite(bbox).all(axis=1)
    if bad.any():
        i = first(bad)
        raise ValueError(f"detection {i}: bbox must be finite, got {bbox[i].tolist()}")
    for column, name in ((2, "width"), (3, "height")):
        bad = bbox[:, column] < 0
        if bad.any():
            i = first(bad)
            raise ValueError(f"detection {i}: negative bbox {name} {bbox[i, column]}")


def read_json_file(path) -> object:
    """Read one JSON file (ground truth or results) and return what it holds.

    Args:
        path: a str or path-like.

    Returns:
        The parsed JSON value (dict, list, ...).

    Raises:
        ValueError: the file cannot be opened or read, is empty (only whitespace), or is not
            valid JSON (the message gives the line and column). The message does not repeat the
            path: the caller names the file.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise ValueError(f"cannot read the file: {reason}") from None
    if not text.strip():
        raise ValueError("the file is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(
            f"not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}"
        ) from None


RESULTS_WRAPPERS = ("detections", "annotations")


def results_list(data) -> list:
    """The list of COCO result dicts in a parsed results file.

    Accepts the plain COCO results list that mmdetection (``*.bbox.json``), Detectron2
    (``coco_instances_results.json``), ultralytics (``predictions.json``) and pycocotools'
    ``loadRes`` use, or a dict that wraps it under ``"detections"`` or ``"annotations"`` (a
    COCO-style file whose annotations carry scores).

    Returns:
        The list itself (not a copy).

    Raises:
        ValueError: anything else, saying what was found.
    """
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        for key in RESULTS_WRAPPERS:
            if key in data:
                if not isinstance(data[key], list):
                    raise ValueError(
                        f"'{key}' must be a list of detections, got {type(data[key]).__name__}"
                    )
                return data[key]
        keys = ", ".join(repr(k) for k in list(data)[:8]) or "none"
        raise ValueError(
            "expected a list of detections or a dict with a 'detections' or 'annotations' "
            f"list, got a dict with keys {keys}"
        )
    raise ValueError(f"expected a list of detections, got {type(data).__name__}")


def _image_names(gt: GroundTruth) -> dict[str, set[int]]:
    """Every name an image of the ground truth goes by: its file_name, base name and stem
    (and a numeric stem without its leading zeros)."""
    names: dict[str, set[int]] = {}
    for img in gt.dataset["images"]:
        file_name = img.get("file_name")
        if not isinstance(file_name, str) or not file_name:
            continue
        path = PurePosixPath(file_name.replace("\\", "/"))
        aliases = {file_name, path.name, path.stem}
        if path.stem.isdigit():
            aliases.add(str(int(path.stem)))  # ultralytics writes int(stem): 000042 -> 42
        for name in aliases:
            names.setdefault(name, set()).add(int(img["id"]))
    return names


def _name_to_id(name: str, names: dict[str, set[int]], known: set[int]) -> int | str:
    """The image id ``name`` refers to, or an explanation (a str starting with ':')."""
    path = PurePosixPath(name.replace("\\", "/"))
    for candidate in (name, path.name, path.stem):
        ids = names.get(candidate)
        if ids is None:
            continue
        if len(ids) > 1:
            listed = ", ".join(str(i) for i in sorted(ids)[:5])
            return f": ambiguous, {len(ids)} ground-truth images have that file name ({listed})"
        return next(iter(ids))
    if name.strip().lstrip("+-").isdigit() and int(name) in known:
        return int(name)
    if not names:
        return ": the ground truth's images have no file_name to match it with"
    return ": no ground-truth image has that file_name or file-name stem"


def normalise_results(
    dets: Sequence, gt: GroundTruth, *, category_offset: int = 0, images_by_name: bool = False
) -> list:
    """Bring results from other exporters onto the ground truth's image and category ids.

    - A string ``image_id`` (ultralytics writes the image's file-name stem when it is not a
      number) becomes the id of the ground-truth image whose ``file_name``, base name or stem
      it equals; a string of digits that matches no name is read as the number.
    - With ``images_by_name``, every detection is matched by name: its ``file_name`` field
      (newer ultralytics versions write one) or else its ``image_id`` read as a name. Use it
      when numeric stems are not the ground truth's ids.
    - ``category_offset`` is added to every ``category_id`` (1 maps 0-based class indices
      onto 1-based category ids).

    Args:
        dets: COCO result dicts (`results_list`). They are not modified.
        gt: the ground truth.
        category_offset: an integer added to each category id.
        images_by_name: match every detection to its image by name.

    Returns:
        A list aligned with ``dets``: the same dicts where nothing changes, shallow copies
        with the new ``image_id`` / ``category_id`` otherwise. Missing or malformed fields are
        left for `detections_to_arrays` to report.

    Raises:
        ValueError: ``detection i: unknown image_id 'name': ...`` when a name matches no
            ground-truth image or more than one.
    """
    if not images_by_name and not category_offset:
        if not any(isinstance(d, Mapping) and isinstance(d.get("image_id"), str) for d in dets):
            return list(dets)
    names = _image_names(gt)
    known = set(gt.image_ids.tolist())
    out = []
    for i, det in enumerate(dets):
        if not isinstance(det, Mapping):
            out.append(det)
            continue
        changes = {}
        image_id = det.get("image_id")
        if images_by_name and isinstance(det.get("file_name"), str):
            field, name = "file_name", det["file_name"]
        elif isinstance(image_id, str) or (images_by_name and image_id is not None):
            field, name = "image_id", str(image_id)
        else:
            field, name = "", ""
        if field:
            resolved = _name_to_id(name, names, known)
            if isinstance(resolved, str):
                raise ValueError(f"detection {i}: unknown {field} {name!r}{resolved}")
            changes["image_id"] = resolved
        category_id = det.get("category_id")
        if category_offset and isinstance(category_id, (int, float)):
            changes["category_id"] = category_id + category_offset
        out.append({**det, **changes} if changes else det)
    return out
