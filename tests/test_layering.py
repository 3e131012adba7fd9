"""The layering of the two packages, at run time and in the import contracts.

``lint-imports`` (run by ``./run test``) reads the contracts in ``pyproject.toml`` and checks the
import statements. These tests check what an import really loads, in a fresh interpreter, and
that the contracts catch a broken layer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Packages of the companion's extra (and the companion itself) that a researcher installing
# ``corrlib[mmdet]`` does not have. matplotlib is not among them: mmdet requires it and
# ``mmdet.utils`` imports it.
COMPANION_ONLY = ("pandas", "seaborn", "papermill", "snakemake", "jupyter_book", "reproduction")


def _loaded_after(statement: str, watched: tuple[str, ...], blocked: tuple[str, ...] = ()) -> list:
    """Run ``statement`` in a fresh interpreter; return the packages of ``watched`` it loaded.

    ``blocked`` packages are made unimportable first (as if not installed), so that a module
    that needs one fails to import instead of loading it quietly.
    """
    script = textwrap.dedent(
        f"""
        import json, sys

        class Block:
            # A finder ahead of all others: the blocked packages look not installed.
            @staticmethod
            def find_spec(name, path=None, target=None):
                if any(name == b or name.startswith(b + ".") for b in {list(blocked)!r}):
                    raise ModuleNotFoundError(f"No module named {{name!r}} (blocked)")
                return None

        sys.meta_path.insert(0, Block)
        {statement}
        watched = {list(watched)!r}
        loaded = sorted(
            w for w in watched
            if any(m == w or m.startswith(w + ".") for m in list(sys.modules))
        )
        print(json.dumps(loaded))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, f"{statement!r} failed:\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_watch_sees_a_loaded_package():
    # The helper itself must be able to report a hit, else the tests below prove nothing.
    assert _loaded_after("import json as _j, email.message", ("email", "xml")) == ["email"]


def test_a_blocked_package_cannot_be_imported():
    with pytest.raises(AssertionError, match="ImportError|ModuleNotFoundError"):
        _loaded_after("import email", ("email",), blocked=("email",))


@pytest.mark.slow
def test_integration_needs_nothing_of_the_companion():
    # With the companion's packages absent, the integration still imports (mmdet itself takes
    # seaborn only when it is there) ...
    assert _loaded_after("import corrlib.integration", COMPANION_ONLY, blocked=COMPANION_ONLY) == []
    # ... and in the full environment it never reaches the companion or its workflow tools.
    assert (
        _loaded_after(
            "import corrlib.integration",
            ("reproduction", "papermill", "snakemake", "jupyter_book", "nbformat"),
        )
        == []
    )


def test_metrics_load_no_torch_and_no_mmdet():
    watched = ("torch", "torchsort", "mmdet", "mmengine", "mmcv", "pandas", "reproduction")
    assert _loaded_after("import corrlib.metrics", watched) == []
    # Blocked outright, the metrics still import and run on plain arrays.
    assert (
        _loaded_after(
            "import corrlib.metrics, numpy as np; "
            "assert abs(corrlib.metrics.spearman(np.arange(5.0), np.arange(5.0)) - 1) < 1e-12",
            watched,
            blocked=watched,
        )
        == []
    )


def test_losses_load_torch_only():
    watched = (
        "mmdet",
        "mmengine",
        "mmcv",
        "pandas",
        "faster_coco_eval",
        "pycocotools",
        "corrlib.metrics",
        "corrlib.integration",
        "reproduction",
    )
    assert _loaded_after("import corrlib.losses", watched) == []
    assert _loaded_after("import corrlib.losses", ("torch",)) == ["torch"]


def test_dataset_generator_loads_no_torch():
    watched = ("torch", "mmdet", "mmengine", "mmcv", "corrlib")
    assert _loaded_after("import reproduction.dataset", watched, blocked=watched) == []


def _lint_imports(cwd: Path, *contracts: str) -> subprocess.CompletedProcess:
    """``lint-imports`` on the packages and ``pyproject.toml`` in ``cwd`` (only ``contracts``,
    given by id, if any)."""
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        pytest.skip("lint-imports is not installed (the dev extra)")
    return subprocess.run(
        [str(exe), "--no-cache", "--no-logo", *(f"--contract={c}" for c in contracts)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(cwd)},
    )


def test_import_contracts_hold():
    proc = _lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("corrlib/metrics/ap.py", "import torch", "metrics"),
        ("corrlib/losses/correlation.py", "import mmengine", "losses"),
        ("corrlib/metrics/lrp.py", "import reproduction.analysis.stats", "library-not-companion"),
        ("reproduction/dataset/shapes.py", "import torch", "dataset"),
        ("reproduction/spec/plans.py", "import mmdet", "mmdet-importers"),
        ("reproduction/records/results.py", "import corrlib.integration", "integration-importers"),
        # Indirect: the statistics reaching mmengine through a driver.
        (
            "reproduction/analysis/stats.py",
            "import reproduction.running.train",
            "drivers-importers",
        ),
        ("reproduction/pages/report.py", "import torch", "analysis"),
        # The layers: an upward import, and one between the two sibling packages.
        ("reproduction/spec/paths.py", "import reproduction.pages.report", "layers"),
        ("reproduction/records/results.py", "import reproduction.analysis.stats", "layers"),
        ("reproduction/analysis/regimes.py", "import reproduction.running.pretrain", "layers"),
        ("reproduction/dataset/shapes.py", "import reproduction.records.results", "layers"),
    ],
)
def test_import_contracts_catch_a_broken_layer(tmp_path, module, line, contract):
    for package in ("corrlib", "reproduction"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert _lint_imports(tmp_path, contract).returncode == 0
    with open(tmp_path / module, "a", encoding="utf-8") as f:
        f.write(f"\n{line}\n")
    proc = _lint_imports(tmp_path, contract)
    assert proc.returncode != 0, proc.stdout[-4000:]
    assert "1 broken" in proc.stdout, proc.stdout[-4000:]
