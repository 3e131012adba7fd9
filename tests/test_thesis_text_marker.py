"""The ``thesis_text`` marker: skipped where the thesis text is absent, failed under CI=true."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import thesis_text

ROOT = Path(__file__).resolve().parents[1]


def _pytest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """The text-based caption tests, in a fresh pytest, with ``env`` on top of ours."""
    environ = {k: v for k, v in os.environ.items() if k not in ("CI", thesis_text.ENV_VAR)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "tests/test_thesis_numbers.py",
            "-k",
            "caption_verbatim or printed_header_semantics",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**environ, **env},
    )


def test_absent_text_skips_with_one_reason(tmp_path):
    proc = _pytest(tmp_path, **{thesis_text.ENV_VAR: str(tmp_path)})
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "1 passed, 10 skipped" in proc.stdout, proc.stdout[-3000:]
    reasons = [ln for ln in proc.stdout.splitlines() if ln.startswith("SKIPPED")]
    assert len(reasons) == 1 and thesis_text.SKIP_REASON in reasons[0], reasons


def test_absent_text_fails_under_ci(tmp_path):
    proc = _pytest(tmp_path, CI="true", **{thesis_text.ENV_VAR: str(tmp_path)})
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert "10 failed, 1 passed" in proc.stdout, proc.stdout[-3000:]
    assert "the thesis text is missing" in proc.stdout


def test_a_file_without_the_title_is_not_the_text(tmp_path):
    (tmp_path / "other.txt").write_text("Some other document\n", encoding="utf-8")
    proc = _pytest(tmp_path, **{thesis_text.ENV_VAR: str(tmp_path)})
    assert "10 skipped" in proc.stdout, proc.stdout[-3000:]
