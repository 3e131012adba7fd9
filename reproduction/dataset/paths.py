"""Where datasets live: the generated embedded sets and a user's copy of COCO 2017.

Both layouts share split names (``train``, ``val``, and for COCO ``test-dev``); each split is an
image directory and an annotation file, relative to the dataset root.
"""

from __future__ import annotations

import os
from pathlib import Path

from reproduction.spec import paths
from reproduction.spec.paths import GENERATED_DIR
from reproduction.spec.profiles import Profile

COCO_ROOT_ENV = "COCO_ROOT"
"""Environment variable naming the root of a user's COCO 2017 copy (the paper profile)."""

COCO_SPLITS: dict[str, tuple[str, str]] = {
    "train": ("train2017", "annotations/instances_train2017.json"),
    "val": ("val2017", "annotations/instances_val2017.json"),
    "test-dev": ("test2017", "annotations/image_info_test-dev2017.json"),
}
"""COCO 2017 splits: name -> (image directory, annotation file), relative to the root.

train2017 is the thesis's trainval35k, val2017 its minival; test-dev has no public labels."""

EMBEDDED_SPLITS: dict[str, tuple[str, str]] = {
    "train": ("train", "annotations/train.json"),
    "val": ("val", "annotations/val.json"),
}
"""Embedded (generated) dataset splits: name -> (image directory, annotation file)."""


def data_root() -> Path:
    """Return the project's data directory: ``$CORRLIB_DATA`` if set, else ``data/`` under the
    repository root (:func:`reproduction.spec.paths.data_dir`)."""
    return paths.data_dir()


def generated_root() -> Path:
    """Return the directory under which embedded datasets are generated (``<data>/generated``,
    :data:`reproduction.spec.paths.GENERATED_DIR`)."""
    return data_root() / Path(GENERATED_DIR.format(preset="_")).parent


def coco_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the COCO 2017 root: ``explicit`` if given, else ``$COCO_ROOT``, else ``<data>/coco``.

    Nothing is checked here; see :func:`reproduction.dataset.check_coco_dataset`.
    """
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get(COCO_ROOT_ENV)
    return Path(env) if env else data_root() / "coco"


def profile_data_dir(profile: Profile | str) -> Path:
    """Return the dataset root a profile (or a profile's name) trains and evaluates on.

    Embedded profiles: their preset's generated directory
    (:func:`reproduction.dataset.preset_dir` of :attr:`reproduction.spec.profiles.Profile.dataset`);
    the paper profile: the COCO root (``$COCO_ROOT``, else ``data/coco``).
    """
    from reproduction import dataset
    from reproduction.spec.profiles import get_profile

    spec = profile if isinstance(profile, Profile) else get_profile(profile)
    return dataset.preset_dir(spec.dataset) if spec.synthetic else dataset.coco_root()


def val_annotations(profile: str) -> Path:
    """Return the COCO-format ground truth of a profile's validation split."""
    from reproduction import dataset
    from reproduction.spec.profiles import get_profile

    splits = dataset.EMBEDDED_SPLITS if get_profile(profile).synthetic else dataset.COCO_SPLITS
    return profile_data_dir(profile) / splits["val"][1]
