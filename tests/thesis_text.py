"""Where the tests find the thesis text, which is not part of this repository.

The tests marked ``thesis_text`` compare the numbers of :mod:`reproduction.spec.thesis` with the
thesis as a plain-text file (the title near its top). The environment variable
``CORRLIB_THESIS_TEXT`` names the directory that holds that file; without it the tests look in
a folder beside the repository (where the project's own machines keep it). Where the text is
absent, the marked tests are skipped with one reason, except under ``CI=true``, where they fail:
continuous integration is meant to have the text.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

ENV_VAR = "CORRLIB_THESIS_TEXT"
TITLE = "CORRELATION LOSS: ENFORCING CORRELATION BETWEEN CLASSIFICATION AND LOCALIZATION"
_DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "paper"

SKIP_REASON = (
    f"the thesis text is not available (it is not part of this repository; set {ENV_VAR} "
    "to the directory holding it as a .txt file)"
)
CI_MESSAGE = (
    f"the thesis text is missing, and CI=true requires it: set {ENV_VAR} to the directory "
    "holding it as a .txt file"
)


def text_dir() -> Path:
    """The directory searched for the thesis text."""
    value = os.environ.get(ENV_VAR)
    return Path(value).expanduser() if value else _DEFAULT


@cache
def _find(directory: Path) -> Path | None:
    if not directory.is_dir():
        return None
    for path in sorted(directory.glob("*.txt")):
        if TITLE in path.read_text(encoding="utf-8", errors="replace")[:2000]:
            return path
    return None


def text_file() -> Path | None:
    """The thesis text (the ``.txt`` file with the thesis title near its top), or None."""
    return _find(text_dir())


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"
