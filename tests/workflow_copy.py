"""A scratch copy of the workflow, so that no test runs Snakemake in the checkout itself.

Snakemake keeps its records (``.snakemake/``) and writes results, work directories and pages
relative to the directory it runs in; a test that ran it in the checkout would see, and could
change, whatever the checkout's own ``./run`` left there. Every test that runs Snakemake runs it
in a copy made here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

WORKFLOW_SOURCES: tuple[str, ...] = ("Snakefile", "notebooks", "book", "profiles")
"""What the workflow reads from the checkout besides the installed packages: the Snakefile,
the notebooks it executes, the book's sources and the Slurm workflow profile."""


def copy_workflow(destination: Path, *extra: str) -> Path:
    """Copy :data:`WORKFLOW_SOURCES` (the book without its builds and executed pages) and the
    checkout's paths ``extra`` (e.g. "archive") into ``destination``; return ``destination``.

    Run Snakemake there with ``CORRLIB_DATA`` pointing into it, so that the datasets it
    generates stay out of the checkout too.
    """
    destination.mkdir(parents=True, exist_ok=True)
    skip = shutil.ignore_patterns("_build", "executed", ".ipynb_checkpoints")
    for name in (*WORKFLOW_SOURCES, *extra):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=skip)
        else:
            shutil.copy(source, destination / name)
    return destination
