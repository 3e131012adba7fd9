"""Where a result came from: git commit, package versions, hardware (standard library only).

:func:`collect` returns a JSON-ready dict that every results file and every results page of
the book carries, so that a number can be traced to the code, packages and machine that made it.
"""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from reproduction.spec.paths import CHECKOUT

PACKAGES: tuple[str, ...] = (
    "torch",
    "mmengine",
    "mmcv",
    "mmdet",
    "torchsort",
    "faster-coco-eval",
    "pycocotools",
    "numpy",
    "scipy",
    "corrlib",
)
"""Distributions whose versions a provenance record lists."""

REPO_ROOT = CHECKOUT
"""The code's git repository: the checkout that holds the package
(:data:`reproduction.spec.paths.CHECKOUT`)."""


def git_commit(repo: Path = REPO_ROOT) -> dict[str, str | bool | None]:
    """Return ``{"commit": sha or None, "dirty": bool or None}`` of the working tree."""

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(
                ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    sha = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": sha, "dirty": None if status is None else bool(status)}


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str | None]:
    """Return the installed version of each distribution (None where it is not installed)."""
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def hardware(device: str | None = None) -> dict[str, object]:
    """Return the machine: CPU model, usable cores, memory (GiB), and the GPU if one is used.

    ``device`` is the torch device string a run used ("cpu", "cuda", "cuda:0"); the GPU's
    name is looked up only when it names CUDA (importing torch then).
    """
    info: dict[str, object] = {
        "cpu": _cpu_model(),
        "cores": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "platform": platform.platform(terse=True),
        "python": platform.python_version(),
    }
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        info["memory_gib"] = round(pages / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        info["memory_gib"] = None
    info["device"] = device or "cpu"
    if device and device.startswith("cuda"):
        import torch

        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(torch.device(device))
            info["gpu_count"] = torch.cuda.device_count()
    return info


def collect(device: str | None = None) -> dict[str, object]:
    """Return the full provenance record: git, packages, hardware and a UTC timestamp."""
    return {
        "git": git_commit(),
        "packages": package_versions(),
        "hardware": hardware(device),
        "created_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
