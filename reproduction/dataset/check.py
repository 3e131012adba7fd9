"""Checking a COCO-format dataset before training: one clear error, nothing written.

:func:`check_coco_dataset` accepts a COCO 2017 root or an embedded (generated) dataset root and
stops at the first problem it finds: a missing directory or annotation file, malformed JSON
(with line and column), a missing or ill-typed required field, a reference to an unknown image
or category, or an image listed in the annotations but absent from the image directory. It
only reads.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .paths import COCO_SPLITS, EMBEDDED_SPLITS


class DatasetError(ValueError):
    """A dataset is missing, incomplete or malformed; the message names the file, field or value."""


@dataclass(frozen=True)
class SplitSummary:
    """What a checked split holds: its files and the number of images, annotations, categories."""

    split: str
    image_dir: Path
    annotation_file: Path
    n_images: int
    n_annotations: int
    n_categories: int


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _detect_layout(root: Path) -> dict[str, tuple[str, str]]:
    coco_marks = [root / d for d in ("train2017", "val2017", "test2017")]
    coco_marks += [root / f for _, f in COCO_SPLITS.values()]
    if any(p.exists() for p in coco_marks):
        return COCO_SPLITS
    embedded_marks = [root / d for d, _ in EMBEDDED_SPLITS.values()]
    embedded_marks += [root / f for _, f in EMBEDDED_SPLITS.values()]
    if any(p.exists() for p in embedded_marks):
        return EMBEDDED_SPLITS
    raise DatasetError(
        f"no dataset found in {root}: expected the COCO 2017 layout (train2017/, val2017/, "
        f"annotations/instances_train2017.json, ...) or the embedded layout (train/, val/, "
        f"annotations/train.json, annotations/val.json)"
    )


def _resolve_splits(
    root: Path, splits: Sequence[str] | Mapping[str, tuple[str, str]], layout: str
) -> dict[str, tuple[str, str]]:
    if isinstance(splits, Mapping):
        return dict(splits)
    if layout == "coco":
        known = COCO_SPLITS
    elif layout == "embedded":
        known = EMBEDDED_SPLITS
    elif layout == "auto":
        known = _detect_layout(root)
    else:
        raise ValueError(f"layout must be 'auto', 'coco' or 'embedded', got {layout!r}")
    unknown = [s for s in splits if s not in known]
    if unknown:
        raise DatasetError(
            f"split {unknown[0]!r} does not exist in this dataset layout ({root}); "
            f"known splits: {', '.join(known)}"
        )
    return {s: known[s] for s in splits}


def _load_json(path: Path) -> Any:
    try:
        with path.open("r", encoding="utf-8") as handle:
            return json.load(handle)
    except json.JSONDecodeError as err:
        raise DatasetError(
            f"malformed JSON in {path}, line {err.lineno}, column {err.colno}: {err.msg}"
        ) from None
    except UnicodeDecodeError as err:
        raise DatasetError(f"{path} is not UTF-8 text (byte {err.start})") from None


def _require(path: Path, where: str, entry: Any, field: str, valid: Any, expected: str) -> Any:
    if not isinstance(entry, dict):
        raise DatasetError(f"{path}: {where} must be a JSON object, got {type(entry).__name__}")
    if field not in entry:
        raise DatasetError(f"{path}: {where} is missing required field '{field}'")
    value = entry[field]
    if not valid(value):
        raise DatasetError(
            f"{path}: {where} has invalid field '{field}' = {value!r:.80} (expected {expected})"
        )
    return value


def _is_bbox(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 4
        and all(_is_number(x) for x in value)
        and value[2] >= 0
        and value[3] >= 0
    )


def _check_images(path: Path, images: list[Any]) -> dict[int, str]:
    files: dict[int, str] = {}
    for i, image in enumerate(images):
        where = f"images[{i}]"
        image_id = _require(path, where, image, "id", _is_int, "an integer")
        where = f"images[{i}] (id {image_id})"
        name = _require(
            path, where, image, "file_name", lambda v: isinstance(v, str) and v != "", "a file name"
        )
        for field in ("width", "height"):
            _require(
                path, where, image, field, lambda v: _is_int(v) and v > 0, "a positive integer"
            )
        if image_id in files:
            raise DatasetError(f"{path}: {where} repeats image id {image_id}")
        files[image_id] = name
    return files


def _check_categories(path: Path, categories: list[Any]) -> set[int]:
    ids: set[int] = set()
    for i, category in enumerate(categories):
        cat_id = _require(path, f"categories[{i}]", category, "id", _is_int, "an integer")
        _require(
            path,
            f"categories[{i}] (id {cat_id})",
            category,
            "name",
            lambda v: isinstance(v, str),
            "a string",
        )
        if cat_id in ids:
            raise DatasetError(f"{path}: categories[{i}] repeats category id {cat_id}")
        ids.add(cat_id)
    return ids


def _check_annotations(
    path: Path, annotations: list[Any], image_ids: Mapping[int, str], category_ids: set[int]
) -> None:
    for i, ann in enumerate(annotations):
        ann_id = _require(path, f"annotations[{i}]", ann, "id", _is_int, "an integer")
        where = f"annotations[{i}] (id {ann_id})"
        image_id = _require(path, where, ann, "image_id", _is_int, "an integer")
        if image_id not in image_ids:
            raise DatasetError(f"{path}: {where} has image_id {image_id}, which no image has")
        category_id = _require(path, where, ann, "category_id", _is_int, "an integer")
        if category_id not in category_ids:
            raise DatasetError(
                f"{path}: {where} has category_id {category_id}, which no category has"
            )
        _require(path, where, ann, "bbox", _is_bbox, "[x, y, width, height], sizes >= 0")
        _require(path, where, ann, "area", lambda v: _is_number(v) and v >= 0, "a number >= 0")
        _require(
            path, where, ann, "iscrowd", lambda v: v in (0, 1) and not isinstance(v, bool), "0 or 1"
        )
        _require(
            path,
            where,
            ann,
            "segmentation",
            lambda v: isinstance(v, (list, dict)),
            "a list of polygons or an RLE object",
        )


def _check_split(root: Path, split: str, image_rel: str, ann_rel: str) -> SplitSummary:
    image_dir, ann_file = root / image_rel, root / ann_rel
    if not image_dir.is_dir():
        raise DatasetError(f"image directory missing for split '{split}': {image_dir}")
    if not ann_file.is_file():
        raise DatasetError(f"annotation file missing for split '{split}': {ann_file}")
    data = _load_json(ann_file)
    if not isinstance(data, dict):
        raise DatasetError(f"{ann_file}: top level must be a JSON object")
    required = ["images", "categories"] + ([] if split == "test-dev" else ["annotations"])
    for field in required:
        _require(ann_file, "the top level", data, field, lambda v: isinstance(v, list), "a list")
    files = _check_images(ann_file, data["images"])
    categories = _check_categories(ann_file, data["categories"])
    annotations = data.get("annotations") or []
    if not isinstance(annotations, list):
        raise DatasetError(f"{ann_file}: field 'annotations' must be a list")
    _check_annotations(ann_file, annotations, files, categories)
    present = set(os.listdir(image_dir))
    missing = [
        (i, n) for i, n in files.items() if n not in present and not (image_dir / n).is_file()
    ]
    if missing:
        image_id, name = missing[0]
        raise DatasetError(
            f"{len(missing)} image(s) referenced in {ann_file} are absent from {image_dir}; "
            f"first: {name} (image id {image_id})"
        )
    return SplitSummary(split, image_dir, ann_file, len(files), len(annotations), len(categories))


def check_coco_dataset(
    root: str | os.PathLike[str],
    splits: Sequence[str] | Mapping[str, tuple[str, str]] = ("train", "val"),
    *,
    layout: str = "auto",
) -> dict[str, SplitSummary]:
    """Check a COCO-format dataset before any training; return a summary per split.

    Args:
        root: dataset root: a COCO 2017 copy (``train2017/``, ``val2017/``, ``annotations/``)
            or a generated embedded set (``train/``, ``val/``, ``annotations/``).
        splits: split names (``train``, ``val``; ``test-dev`` for COCO, whose annotation file
            lists images only), or an explicit mapping ``name -> (image_dir, annotation_file)``
            relative to ``root``.
        layout: ``"auto"`` (detect from the files present), ``"coco"`` or ``"embedded"``.

    Returns:
        ``{split: SplitSummary}`` in the order of ``splits``.

    Raises:
        DatasetError: (a ``ValueError``) at the first problem, naming the directory, file
            (with line and column for malformed JSON), field or value. Nothing is written.
    """
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"dataset directory not found: {root}")
    resolved = _resolve_splits(root, splits, layout)
    return {name: _check_split(root, name, img, ann) for name, (img, ann) in resolved.items()}
