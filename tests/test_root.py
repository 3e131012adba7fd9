"""One root: the repository root and its results, archive, data and work directories come from
one resolver (reproduction.spec.paths), whatever the working directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reproduction import dataset
from reproduction.spec import paths

REPO = Path(__file__).resolve().parents[1]

_SCRIPT = (
    "import json; from reproduction.spec import paths; from reproduction import dataset; "
    "print(json.dumps([str(paths.repo_root()), str(paths.results_dir()), "
    "str(paths.archive_dir()), str(paths.data_dir()), str(dataset.data_root()), "
    "str(paths.work_dir('demo', 'x', 1))]))"
)


def _resolved(cwd: Path, **env: str) -> list[str]:
    """The resolver's answers in a fresh interpreter started in ``cwd`` with ``env`` set."""
    clean = {k: v for k, v in os.environ.items() if k not in (paths.ROOT_ENV, "CORRLIB_DATA")}
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        cwd=cwd,
        env={**clean, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_root_is_the_checkout_from_any_working_directory(tmp_path: Path) -> None:
    here, elsewhere = _resolved(REPO), _resolved(tmp_path)
    assert here == elsewhere
    root = Path(here[0])
    assert root == REPO and (root / "pyproject.toml").is_file()
    assert here[1:] == [
        str(root / "results"),
        str(root / "archive"),
        str(root / "data"),
        str(root / "data"),
        str(root / "work_dirs" / "demo" / "x" / "seed1"),
    ]


def test_the_environment_overrides_the_root_and_the_data(tmp_path: Path) -> None:
    root, data = tmp_path / "copy", tmp_path / "data"
    answers = _resolved(REPO, CORRLIB_ROOT=str(root), CORRLIB_DATA=str(data))
    assert answers == [
        str(root),
        str(root / "results"),
        str(root / "archive"),
        str(data),
        str(data),
        str(root / "work_dirs" / "demo" / "x" / "seed1"),
    ]


def test_a_given_directory_wins_and_coco_root_still_reads_its_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert paths.results_dir(tmp_path) == tmp_path
    assert paths.archive_dir("a") == Path("a")
    monkeypatch.setenv("COCO_ROOT", str(tmp_path / "coco"))
    assert dataset.coco_root() == tmp_path / "coco"
    monkeypatch.delenv("COCO_ROOT")
    assert dataset.coco_root() == paths.data_dir() / "coco"


def test_no_notebook_defaults_to_a_path_relative_to_its_working_directory() -> None:
    checked = 0
    for notebook in sorted((REPO / "notebooks").glob("*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                assert '"../' not in "".join(cell["source"]), notebook.name
                checked += 1
    assert checked > 50


def test_the_timings_live_in_the_archive() -> None:
    from reproduction.records.run_timing import TIMINGS_DIR

    assert paths.timings_dir() == paths.archive_dir() / "timings"
    assert paths.repo_root() / TIMINGS_DIR == paths.timings_dir()
