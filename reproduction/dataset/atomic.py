"""Writing a directory atomically: build it under a temporary name, then rename it into place.

An interrupted build leaves only a hidden ``.<name>.tmp-<pid>-*`` sibling, never a half-written
target; such leftovers of processes that no longer run are removed by the next build.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale(target: Path) -> None:
    for leftover in target.parent.glob(f".{target.name}.tmp-*"):
        pid_text = leftover.name[len(f".{target.name}.tmp-") :].split("-", 1)[0]
        if pid_text.isdigit() and not _pid_alive(int(pid_text)):
            shutil.rmtree(leftover, ignore_errors=True)


def build_directory(target: Path, build: Callable[[Path], None]) -> Path:
    """Run ``build(tmp_dir)`` on a fresh temporary directory, then move it to ``target``.

    An existing ``target`` is replaced as a whole. If ``build`` raises (or the process is
    interrupted), ``target`` is left as it was. Returns ``target``.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
    try:
        build(tmp)
        if target.exists():
            old = Path(
                tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-old-", dir=target.parent)
            )
            os.replace(target, old / "old")
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target
