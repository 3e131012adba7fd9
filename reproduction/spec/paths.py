"""Where the companion's files live: the one resolver of the repository root and of its
results, archive, data and work directories, and one template per kind of file (standard
library only).

:func:`repo_root` is the checkout: ``$CORRLIB_ROOT`` if set (the workflow sets it to the
directory its Snakefile is in, so that a copy of the workflow writes into itself), else the
checkout that holds this package. :func:`results_dir`, :func:`archive_dir`, :func:`data_dir`
and :func:`work_dir` are directories under it (the data root: ``$CORRLIB_DATA`` if set); none
depends on the working directory, so the package, the Snakefile and the notebooks (which
papermill runs in ``notebooks/``) name the same files.

The templates are ``str.format`` patterns, so the workflow (Snakefile) uses them as
Snakemake wildcard patterns and the functions below fill them in; the two cannot drift.
Every template is relative to the repository root (the workflow's working directory) unless a
root is passed::

    WORK_DIR        work_dirs/{profile}/{experiment}/seed{seed}     a run's checkpoint and log
    TRAIN_SUMMARY   <WORK_DIR>/train_summary.json                   written last by training
    RESULTS_FILE    {profile}/{experiment}/seed{seed}.json          under a results root
    DETECTIONS_FILE {profile}/{experiment}/seed{seed}.detections.json  (kept beside it)
    RUN_NOTEBOOK    {profile}/notebooks/{step}_{experiment}_seed{seed}.ipynb   (executed copy)
    COCO_CHECKED    {profile}/coco_checked.txt                       (COCO passed the check)
    GENERATED_DIR   generated/{preset}                               under the data root
                    (:func:`reproduction.dataset.data_root`: ``$CORRLIB_DATA`` or ``data``)
    EXECUTED_PAGE   book/executed/{name}.ipynb                       a book page, executed
    CURVE_FILE      curves/{profile}/{experiment}/seed{seed}.json    under a results root
    CURVE_WORK_DIR  work_dirs/curves/{profile}/{experiment}/seed{seed}   a learning curve's run
    PRETRAINED_BACKBONE  pretrained/{name}/backbone.pth            under a results root
    PRETRAINED_RECORD    pretrained/{name}/pretraining.json        (its settings and provenance)
"""

from __future__ import annotations

import os
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
"""The checkout that holds this package: the code's git repository (provenance), and the
repository root unless ``$CORRLIB_ROOT`` names another (:func:`repo_root`)."""

ROOT_ENV = "CORRLIB_ROOT"
"""Environment variable naming the repository root (default: the checkout holding the package)."""

DATA_ROOT_ENV = "CORRLIB_DATA"
"""Environment variable that overrides the repository's ``data/`` directory."""

DATA_DIR = "data"
"""The data root under the repository root (generated sets, a COCO copy)."""

WORK_DIR = "work_dirs/{profile}/{experiment}/seed{seed}"
"""A run's work dir (checkpoint, mmengine log, ``train_summary.json``)."""

TRAIN_SUMMARY = WORK_DIR + "/train_summary.json"
"""The file training writes last: its presence means the run finished."""

RESULTS_ROOT = "results"
"""The workflow's results root (``results/<profile>/...``)."""

ARCHIVE_ROOT = "archive"
"""The committed copies of results files (:mod:`reproduction.records.archive`), same layout."""

TIMINGS_DIR = "timings"
"""Side-by-side ``./run`` timings (:mod:`reproduction.records.run_timing`), under the archive
root."""

EXPECTED_VERDICTS = "expected_verdicts.json"
"""The claims' verdicts on the committed archive, as last accepted, under the archive root
(:mod:`reproduction.analysis.archive_check`); no page reads it."""

RESULTS_FILE = "{profile}/{experiment}/seed{seed}.json"
"""A run's results file, relative to a results root (:mod:`reproduction.records.results`)."""

DETECTIONS_FILE = "{profile}/{experiment}/seed{seed}.detections.json"
"""The kept detections behind a results file (re-scored by the protocol study)."""

RUN_NOTEBOOK = "{profile}/notebooks/{step}_{experiment}_seed{seed}.ipynb"
"""The executed train / evaluate notebook of a run (``step``: "train" or "evaluate")."""

COCO_CHECKED = "{profile}/coco_checked.txt"
"""The report of a passed COCO check (the paper profile's dataset stand-in)."""

GENERATED_DIR = "generated/{preset}"
"""An embedded dataset preset, generated, relative to the data root."""

EXECUTED_PAGE = "book/executed/{name}.ipynb"
"""A book page's executed notebook (the Jupyter Book source of the page)."""

CURVES_DIR = "curves"
"""Learning curves' directory under a results root (:mod:`reproduction.records.learning_curves`)."""

CURVE_FILE = CURVES_DIR + "/{profile}/{experiment}/seed{seed}.json"
"""A learning curve's record, relative to a results root (``results/`` or ``archive/``)."""

CURVE_WORK_DIR = "work_dirs/" + CURVES_DIR + "/{profile}/{experiment}/seed{seed}"
"""A learning curve's work dir (its checkpoint and mmengine log with the evaluations)."""


PRETRAINED_BACKBONE = "pretrained/{name}/backbone.pth"
"""A pretrained backbone's weights (:mod:`reproduction.running.pretrain`), relative to a results
root."""

PRETRAINED_RECORD = "pretrained/{name}/pretraining.json"
"""The record of that pretraining (recipe, held-out accuracy, time, provenance) beside them;
the archive keeps the record, not the weights."""


def pretrained_backbone(root: str | os.PathLike[str], name: str) -> Path:
    """Return the weights of the pretraining ``name`` under ``root``."""
    return Path(root) / PRETRAINED_BACKBONE.format(name=name)


def pretrained_record(root: str | os.PathLike[str], name: str) -> Path:
    """Return the record of the pretraining ``name`` under ``root``."""
    return Path(root) / PRETRAINED_RECORD.format(name=name)


def repo_root() -> Path:
    """Return the repository root, an absolute path: ``$CORRLIB_ROOT`` if set, else the
    checkout that holds this package (the folder with its ``pyproject.toml``).

    Raises:
        RuntimeError: neither is there (an installed package outside a checkout): set
            ``$CORRLIB_ROOT``.
    """
    env = os.environ.get(ROOT_ENV)
    if env:
        return Path(env).resolve()
    if (CHECKOUT / "pyproject.toml").is_file():
        return CHECKOUT
    raise RuntimeError(
        f"no repository root: the package is not in a checkout ({CHECKOUT} has no "
        f"pyproject.toml); set ${ROOT_ENV} to one"
    )


def results_dir(given: str | os.PathLike[str] | None = None) -> Path:
    """Return the results root: ``given`` if not None, else ``<root>/results``
    (:data:`RESULTS_ROOT` under :func:`repo_root`)."""
    return Path(given) if given is not None else repo_root() / RESULTS_ROOT


def archive_dir(given: str | os.PathLike[str] | None = None) -> Path:
    """Return the committed results' root: ``given`` if not None, else ``<root>/archive``
    (:data:`ARCHIVE_ROOT` under :func:`repo_root`)."""
    return Path(given) if given is not None else repo_root() / ARCHIVE_ROOT


def timings_dir(given: str | os.PathLike[str] | None = None) -> Path:
    """Return where side-by-side ``./run`` timings are committed: ``given`` if not None, else
    ``<root>/archive/timings`` (:data:`TIMINGS_DIR` under :func:`archive_dir`)."""
    return Path(given) if given is not None else archive_dir() / TIMINGS_DIR


def data_dir() -> Path:
    """Return the data root: ``$CORRLIB_DATA`` if set, else ``<root>/data``."""
    env = os.environ.get(DATA_ROOT_ENV)
    return Path(env) if env else repo_root() / DATA_DIR


def work_dir(profile: str, experiment: str, seed: int) -> Path:
    """Return a run's work dir, ``<root>/work_dirs/<profile>/<experiment>/seed<seed>``."""
    return repo_root() / WORK_DIR.format(profile=profile, experiment=experiment, seed=seed)


def curve_work_dir(profile: str, experiment: str, seed: int) -> Path:
    """Return a learning curve's work dir, ``<root>/work_dirs/curves/<profile>/...``."""
    return repo_root() / CURVE_WORK_DIR.format(profile=profile, experiment=experiment, seed=seed)


def results_file(root: str | os.PathLike[str], profile: str, experiment: str, seed: int) -> Path:
    """Return a run's results file: ``<root>/<profile>/<experiment>/seed<k>.json``."""
    return Path(root) / RESULTS_FILE.format(profile=profile, experiment=experiment, seed=seed)


def detections_file(root: str | os.PathLike[str], profile: str, experiment: str, seed: int) -> Path:
    """Return the kept detections of a run under ``root`` (``seed<k>.detections.json``)."""
    return Path(root) / DETECTIONS_FILE.format(profile=profile, experiment=experiment, seed=seed)
