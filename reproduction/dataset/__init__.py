"""The embedded synthetic dataset and checks of COCO-format datasets.

Depends only on numpy and Pillow (no torch, no mmdet).

- :func:`generate_dataset`, :func:`generate_preset`: write a deterministic COCO-format instance
  dataset (boxes and RLE masks) of coloured shapes on cluttered backgrounds;
  :data:`CLASS_NAMES`, :data:`PRESETS`, :func:`area_ranges`.
- :func:`generate_coco_standin`: write a synthetic stand-in with COCO 2017's layout, 80
  categories (:data:`COCO_CATEGORIES`) and annotation format, for checking the paper profile
  without COCO; :func:`is_coco_standin` recognises one.
- :func:`check_coco_dataset`: before training, check that a dataset (COCO 2017 or embedded)
  is complete and well-formed; raises :class:`DatasetError`.
- :func:`coco_root`: where the user's COCO lives (``$COCO_ROOT``); :func:`profile_data_dir`
  and :func:`val_annotations`: a profile's dataset root and validation ground truth.

Command line: ``python -m reproduction.dataset generate --preset demo``,
``python -m reproduction.dataset coco-standin OUT_DIR`` and
``python -m reproduction.dataset check --root DIR``.
"""

from .check import DatasetError, SplitSummary, check_coco_dataset
from .coco_categories import COCO_CATEGORIES, COCO_CATEGORY_IDS, COCO_CLASS_NAMES
from .generate import (
    PRESETS,
    DatasetSpec,
    generate_dataset,
    generate_preset,
    is_current,
    preset_dir,
)
from .paths import (
    COCO_ROOT_ENV,
    COCO_SPLITS,
    EMBEDDED_SPLITS,
    coco_root,
    data_root,
    profile_data_dir,
    val_annotations,
)
from .scene import area_ranges
from .shapes import CLASS_NAMES, MAX_CLASSES
from .standin import generate_coco_standin, is_coco_standin

__all__ = [
    "CLASS_NAMES",
    "COCO_CATEGORIES",
    "COCO_CATEGORY_IDS",
    "COCO_CLASS_NAMES",
    "COCO_ROOT_ENV",
    "COCO_SPLITS",
    "EMBEDDED_SPLITS",
    "MAX_CLASSES",
    "PRESETS",
    "DatasetError",
    "DatasetSpec",
    "SplitSummary",
    "area_ranges",
    "check_coco_dataset",
    "coco_root",
    "data_root",
    "generate_coco_standin",
    "generate_dataset",
    "generate_preset",
    "is_coco_standin",
    "is_current",
    "preset_dir",
    "profile_data_dir",
    "val_annotations",
]
