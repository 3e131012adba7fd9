"""One run: an experiment, a profile, a seed and the run's overrides, resolved once (pure data).

Every entry point — the training and evaluation commands, the train and evaluate notebooks,
the learning-curve and pretraining drivers — turns its parameters into a :class:`Run` with
:meth:`Run.resolve` and passes that value on: the trainer, the evaluator and the config builder
(:func:`reproduction.running.config_builder.build_config`) read the profile and experiment from
it and never look a name up again. Each override is a field of :class:`RunOverrides`, with its
default and its check there::

    run = Run.resolve("atss_concordance_0.3", "demo", seed=2, max_iters=300)
    run.profile.overlay, run.device, run.work_dir
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from reproduction.spec import paths
from reproduction.spec.experiments import Experiment, get_experiment
from reproduction.spec.profiles import Profile, get_profile

DEVICES: tuple[str, ...] = ("cpu", "cuda")
"""The devices a run trains and evaluates on."""


def default_device(profile: Profile) -> str:
    """Return the device a profile's runs use unless told otherwise: cpu for the embedded
    synthetic data, cuda for COCO."""
    return "cpu" if profile.synthetic else "cuda"


def _positive_int(name: str, value: object) -> None:
    """ValueError naming ``name`` unless ``value`` is None or an integer >= 1."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"run override {name}={value!r}: expected an integer >= 1 or None")


def _path(name: str, value: object) -> None:
    """ValueError naming ``name`` unless ``value`` is None or a path (str or os.PathLike)."""
    if value is not None and not isinstance(value, (str, os.PathLike)):
        raise ValueError(f"run override {name}={value!r}: expected a path or None")


@dataclass(frozen=True)
class RunOverrides:
    """What a run changes of its profile's defaults; each field's default leaves it alone.

    Attributes:
        max_iters: train this many iterations (smoke / demo: stretch or cut, keeping the
            schedule's shape; paper: an iteration loop with warm-up only, a check); None: the
            profile's schedule.
        validate: evaluate on the validation split during training (smoke / demo: at the end;
            paper: after each epoch); None: only when ``val_interval`` is set.
        val_interval: with validation, evaluate every this many iterations (a learning curve;
            iteration-based schedules only).
        val_images: validate and test on the first this many validation images only (a check).
        device: "cpu" or "cuda" (:data:`DEVICES`); None: cpu for synthetic data, else cuda.
        gpus: paper configs: the number of GPUs, so that images per GPU = batch / gpus; None:
            the profile's (:attr:`reproduction.spec.profiles.Profile.gpus`).
        data_root: the dataset root; None: the profile's
            (:func:`reproduction.dataset.profile_data_dir`).
        work_dir: where the checkpoint and log go; None: :func:`reproduction.spec.paths.work_dir`.
        backbone_checkpoint: paper configs: a local file to initialise the backbone from
            instead of the ImageNet download.

    Raises:
        ValueError: an override fails its check; the message names the field and the value.
    """

    max_iters: int | None = None
    validate: bool | None = None
    val_interval: int | None = None
    val_images: int | None = None
    device: str | None = None
    gpus: int | None = None
    data_root: str | os.PathLike[str] | None = None
    work_dir: str | os.PathLike[str] | None = None
    backbone_checkpoint: str | os.PathLike[str] | None = None

    def __post_init__(self) -> None:
        for name in ("max_iters", "val_interval", "val_images", "gpus"):
            _positive_int(name, getattr(self, name))
        for name in ("data_root", "work_dir", "backbone_checkpoint"):
            _path(name, getattr(self, name))
        if self.validate is not None and not isinstance(self.validate, bool):
            raise ValueError(
                f"run override validate={self.validate!r}: expected True, False or None"
            )
        if self.validate is False and self.val_interval is not None:
            raise ValueError(
                f"run override val_interval={self.val_interval!r} needs validate=True "
                "(it sets when validation runs), got validate=False"
            )
        if self.device is not None and self.device not in DEVICES:
            raise ValueError(f"run override device={self.device!r}: expected one of {DEVICES}")


OVERRIDE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(RunOverrides))
"""The names :meth:`Run.resolve` accepts as overrides."""


def _known_overrides(names: Any) -> None:
    """ValueError naming the first of ``names`` that is no field of :class:`RunOverrides`."""
    unknown = sorted(set(names) - set(OVERRIDE_NAMES))
    if unknown:
        raise ValueError(f"unknown run override {unknown[0]!r}; expected one of {OVERRIDE_NAMES}")


@dataclass(frozen=True)
class Run:
    """One training (and its evaluation): what it trains, in which profile, with which seed.

    Attributes:
        experiment: the experiment (:mod:`reproduction.spec.experiments`).
        profile: the profile (:mod:`reproduction.spec.profiles`), check profiles too.
        seed: the training seed (the data stay those of data seed 0).
        overrides: what the run changes of the profile's defaults (:class:`RunOverrides`).
    """

    experiment: Experiment
    profile: Profile
    seed: int = 0
    overrides: RunOverrides = field(default_factory=RunOverrides)

    def __post_init__(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"run seed={self.seed!r}: expected an integer >= 0")

    @classmethod
    def resolve(
        cls, experiment_id: str, profile: str | Profile, seed: int = 0, **overrides: Any
    ) -> Run:
        """Return the run of an experiment id and a profile (its name, looked up once here, or
        the profile itself, e.g. a command line's already resolved).

        ``overrides``: fields of :class:`RunOverrides` (None leaves a field at its default).

        Raises:
            KeyError: an unknown experiment id (with suggestions).
            ValueError: an unknown profile, a bad seed, an unknown override name, or an override
                that fails its check (the message names the field and the value).
        """
        _known_overrides(overrides)
        spec = profile if isinstance(profile, Profile) else get_profile(profile)
        return cls(get_experiment(experiment_id), spec, seed, RunOverrides(**overrides))

    def with_overrides(self, **changes: Any) -> Run:
        """Return the same run with these overrides changed (checked as in :meth:`resolve`)."""
        _known_overrides(changes)
        return replace(self, overrides=replace(self.overrides, **changes))

    @property
    def device(self) -> str:
        """Return the run's device: the override, else cpu for synthetic data, else cuda."""
        return self.overrides.device or default_device(self.profile)

    @property
    def gpus(self) -> int | None:
        """Return the run's GPU count: the override, else the profile's (None: one image per
        process and step)."""
        return self.overrides.gpus or self.profile.gpus

    @property
    def validate(self) -> bool:
        """Return whether the run validates during training: the override, else whether it
        has a ``val_interval``."""
        if self.overrides.validate is not None:
            return self.overrides.validate
        return self.overrides.val_interval is not None

    @property
    def work_dir(self) -> Path:
        """Return the run's work dir: the override, else
        ``<root>/work_dirs/<profile>/<experiment>/seed<seed>`` (:func:`reproduction.spec.paths.
        work_dir`)."""
        given = self.overrides.work_dir
        if given is not None:
            return Path(given)
        return paths.work_dir(self.profile.name, self.experiment.id, self.seed)

    def __str__(self) -> str:
        return f"{self.experiment.id} ({self.profile.name}, seed {self.seed})"


__all__ = ["DEVICES", "OVERRIDE_NAMES", "Run", "RunOverrides", "default_device"]
