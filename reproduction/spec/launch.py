"""How a job of a profile is launched: its device, GPUs and validation subset (pure data).

The workflow names one profile on its command line and may override its launch settings there
(``--config gpus=8 device=cpu val_images=16``). Those overrides belong to that profile alone: a
job of another profile in the same DAG (the study page reads the demo's local runs, whatever
the profile named) keeps its own profile's settings, so a run of one profile never changes the
parameters of, and so never retrains, another's. :func:`launch_settings` is the one place that
decides this; the Snakefile asks it per job, from the job's ``profile`` wildcard.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reproduction.spec.profiles import get_profile
from reproduction.spec.run import RunOverrides, default_device

LAUNCH_KEYS: tuple[str, ...] = ("gpus", "device", "val_images")
"""The workflow settings (``--config KEY=VALUE``) that change how the named profile's jobs are
launched."""


@dataclass(frozen=True)
class Launch:
    """The launch settings of one profile's jobs.

    Attributes:
        gpus: GPUs per training run (images per GPU = batch / gpus); None: one image per
            process and step (a check profile).
        device: "cpu" or "cuda" (:data:`reproduction.spec.run.DEVICES`).
        val_images: evaluate on the first this many validation images only; None: all.
        synthetic: the profile's data are the embedded synthetic set.
    """

    gpus: int | None
    device: str
    val_images: int | None
    synthetic: bool

    @property
    def torchrun(self) -> bool:
        """True when training goes through torchrun (the paper configs on GPUs)."""
        return not self.synthetic and self.device == "cuda"

    @property
    def train_gpus(self) -> int:
        """Return the GPUs a training job asks the scheduler for (0 off torchrun)."""
        return (self.gpus or 1) if self.torchrun else 0

    @property
    def gpus_arg(self) -> str:
        """Return the trainer's ``--gpus N`` argument, or "" when ``gpus`` is None."""
        return "" if self.gpus is None else f"--gpus {self.gpus}"

    @property
    def val_images_arg(self) -> str:
        """Return the evaluation notebook's ``-p val_images N`` argument, or ""."""
        return "" if self.val_images is None else f" -p val_images {self.val_images}"


def _integer(value: object) -> object:
    """Return a workflow setting's text as an int where it is one (else unchanged, for
    :class:`reproduction.spec.run.RunOverrides` to refuse, naming it); None stays None."""
    if value is None or isinstance(value, (bool, int)):
        return value
    try:
        return int(str(value))
    except ValueError:
        return value


def launch_settings(
    profile: str, named: str, overrides: Mapping[str, object] | None = None
) -> Launch:
    """Return how the jobs of ``profile`` are launched in a workflow run that names ``named``.

    ``overrides`` (the workflow's ``--config`` settings; only :data:`LAUNCH_KEYS` are read)
    apply when ``profile`` is ``named``; the jobs of any other profile get their profile's own
    settings: its GPUs (:attr:`reproduction.spec.profiles.Profile.gpus`), its default device
    (:func:`reproduction.spec.run.default_device`), every validation image. Each setting is
    checked where a run's override is (:class:`reproduction.spec.run.RunOverrides`); ValueError
    names a ``gpus`` or ``val_images`` that is no integer >= 1, or an unknown ``device``.
    """
    spec = get_profile(profile)
    given = dict(overrides or {}) if profile == named else {}
    try:
        checked = RunOverrides(
            gpus=_integer(given.get("gpus")),  # type: ignore[arg-type]
            device=None if given.get("device") is None else str(given["device"]),
            val_images=_integer(given.get("val_images")),  # type: ignore[arg-type]
        )
    except ValueError as err:
        raise ValueError(f"workflow setting: {err}") from None
    return Launch(
        gpus=checked.gpus if checked.gpus is not None else spec.gpus,
        device=checked.device or default_device(spec),
        val_images=checked.val_images,
        synthetic=spec.synthetic,
    )
