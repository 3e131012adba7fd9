"""Generating the embedded dataset: COCO-format train and val splits of rendered scenes.

Layout written (the same as :data:`reproduction.dataset.paths.EMBEDDED_SPLITS`)::

    <out>/annotations/train.json   <out>/train/000001.png ...
    <out>/annotations/val.json     <out>/val/000001.png ...
    <out>/generation.json          parameters, generator source hash, library versions

Each image is drawn from its own random stream, seeded by ``(seed, split, index)``, so the
val images do not depend on the number of train images. The same parameters give
byte-identical files on the same platform and library versions.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import PIL
from PIL import Image

from reproduction.spec.paths import GENERATED_DIR

from .atomic import build_directory
from .coco_format import instance_annotation
from .paths import data_root
from .scene import render_scene
from .shapes import CLASS_NAMES, MAX_CLASSES

_SPLIT_STREAMS = {"train": 0, "val": 1}
_GENERATOR_MODULES = ("shapes", "background", "scene", "coco_format", "generate")
MANIFEST = "generation.json"


@dataclass(frozen=True)
class DatasetSpec:
    """Size of an embedded dataset: images per split, image side (pixels), number of classes."""

    n_train: int
    n_val: int
    image_size: int
    n_classes: int


PRESETS: dict[str, DatasetSpec] = {
    "smoke": DatasetSpec(n_train=16, n_val=8, image_size=96, n_classes=MAX_CLASSES),
    "demo": DatasetSpec(n_train=800, n_val=200, image_size=128, n_classes=MAX_CLASSES),
    "demo-3cls": DatasetSpec(n_train=800, n_val=200, image_size=128, n_classes=3),
    "demo-3cls-val1000": DatasetSpec(n_train=800, n_val=1000, image_size=128, n_classes=3),
}
"""Named dataset sizes: ``smoke`` for tests and CI, ``demo`` for CPU training, ``demo-3cls``
(the demo's size on its first three classes) for the protocol study's class-count axis, and
``demo-3cls-val1000``, the default demo's: ``demo-3cls`` with five times its validation split.
The generator draws the training images first and the validation images in order, so the two
3-class sets share their 800 training images and the first 200 validation images; a model
trained on one is evaluated on more images of the same distribution on the other. Why the
default needs them: the study page's section 3 (the interval of β_cls against the number of
validation images)."""


def _source_hash() -> str:
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _GENERATOR_MODULES:
        digest.update((here / f"{name}.py").read_bytes())
    return digest.hexdigest()


def _manifest(spec: DatasetSpec, seed: int) -> dict[str, Any]:
    return {
        "generator": "reproduction.dataset",
        "params": {**asdict(spec), "seed": seed},
        "source_sha256": _source_hash(),
        "numpy": np.__version__,
        "pillow": PIL.__version__,
    }


def _write_json(path: Path, obj: Any) -> None:
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"))
    path.write_text(text + "\n", encoding="ascii")


def _write_split(root: Path, split: str, n_images: int, spec: DatasetSpec, seed: int) -> None:
    image_dir = root / split
    image_dir.mkdir()
    images: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for index in range(n_images):
        rng = np.random.default_rng([seed, _SPLIT_STREAMS[split], index])
        scene = render_scene(rng, spec.image_size, spec.n_classes)
        image_id = index + 1
        file_name = f"{image_id:06d}.png"
        Image.fromarray(scene.image).save(image_dir / file_name, format="PNG", compress_level=6)
        images.append(
            {
                "id": image_id,
                "file_name": file_name,
                "width": spec.image_size,
                "height": spec.image_size,
            }
        )
        for obj in scene.objects:
            annotations.append(
                instance_annotation(
                    len(annotations) + 1, image_id, obj.category_index + 1, obj.mask
                )
            )
    coco = {
        "info": {
            "description": f"corrlib embedded synthetic shapes dataset, {split} split "
            f"(synthetic; not COCO)",
            "version": "1",
            "seed": seed,
        },
        "licenses": [],
        "categories": [
            {"id": k + 1, "name": CLASS_NAMES[k], "supercategory": "shape"}
            for k in range(spec.n_classes)
        ],
        "images": images,
        "annotations": annotations,
    }
    _write_json(root / "annotations" / f"{split}.json", coco)


def _validate(spec: DatasetSpec, seed: int) -> None:
    if not 1 <= spec.n_classes <= MAX_CLASSES:
        raise ValueError(f"n_classes must be between 1 and {MAX_CLASSES}, got {spec.n_classes}")
    if spec.n_train < 0 or spec.n_val < 0:
        raise ValueError(f"image counts must be >= 0, got {spec.n_train} and {spec.n_val}")
    if spec.image_size < 32:
        raise ValueError(f"image_size must be at least 32 pixels, got {spec.image_size}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")


def _holds(out_dir: Path, manifest: dict[str, Any]) -> bool:
    manifest_path = out_dir / MANIFEST
    if not manifest_path.is_file() or not all(
        (out_dir / "annotations" / f"{s}.json").is_file() for s in _SPLIT_STREAMS
    ):
        return False
    try:
        return bool(json.loads(manifest_path.read_text(encoding="utf-8")) == manifest)
    except (OSError, ValueError):
        return False


def is_current(out_dir: Path, spec: DatasetSpec, seed: int) -> bool:
    """Return True if ``out_dir`` holds the set that these parameters and this code generate."""
    return _holds(Path(out_dir), _manifest(spec, seed))


def generate_dataset(
    out_dir: Path,
    *,
    n_train: int,
    n_val: int,
    image_size: int,
    n_classes: int,
    seed: int,
    force: bool = False,
) -> Path:
    """Generate an embedded dataset into ``out_dir`` and return ``out_dir``.

    ``n_train`` and ``n_val`` images of ``image_size`` x ``image_size`` pixels, objects of the
    first ``n_classes`` classes of :data:`CLASS_NAMES`, all determined by ``seed``. The
    directory is written atomically (see :mod:`reproduction.dataset.atomic`). If ``out_dir`` already
    holds a set generated with the same parameters by the same generator code and library
    versions, nothing is done (unless ``force``); otherwise it is replaced as a whole.
    """
    out_dir = Path(out_dir)
    spec = DatasetSpec(n_train=n_train, n_val=n_val, image_size=image_size, n_classes=n_classes)
    _validate(spec, seed)
    manifest = _manifest(spec, seed)
    if not force and _holds(out_dir, manifest):
        return out_dir

    def build(tmp: Path) -> None:
        (tmp / "annotations").mkdir()
        _write_split(tmp, "train", n_train, spec, seed)
        _write_split(tmp, "val", n_val, spec, seed)
        _write_json(tmp / MANIFEST, manifest)

    return build_directory(out_dir, build)


def preset_dir(name: str, seed: int = 0) -> Path:
    """Return the default directory of a preset: ``<data>/generated/<name>`` for seed 0, else
    ``<data>/generated/<name>-seed<seed>``."""
    preset = name if seed == 0 else f"{name}-seed{seed}"
    return data_root() / GENERATED_DIR.format(preset=preset)


def generate_preset(
    name: str, out_dir: Path | None = None, seed: int = 0, *, force: bool = False
) -> Path:
    """Generate the named preset (see :data:`PRESETS`) and return its directory.

    ``out_dir`` defaults to :func:`preset_dir`.
    """
    if name not in PRESETS:
        raise ValueError(f"unknown dataset preset {name!r}; known: {', '.join(PRESETS)}")
    spec = PRESETS[name]
    target = Path(out_dir) if out_dir is not None else preset_dir(name, seed)
    return generate_dataset(target, **asdict(spec), seed=seed, force=force)


def timed_generate(
    out_dir: Path, spec: DatasetSpec, seed: int, force: bool = False
) -> tuple[Path, float]:
    """Generate like :func:`generate_dataset`; return the directory and the wall time (s)."""
    start = time.perf_counter()
    path = generate_dataset(out_dir, **asdict(spec), seed=seed, force=force)
    return path, time.perf_counter() - start
