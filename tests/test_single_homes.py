"""One home per fact: names, paths and defaults are defined once and read everywhere else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from corrlib.names import DEFAULT_GRADIENT, GRADIENTS, KINDS
from reproduction.records.results import results_path
from reproduction.spec import book_pages, paths
from reproduction.spec.experiments import list_experiments
from reproduction.spec.plans import plan
from reproduction.spec.profiles import get_profile

REPO = Path(__file__).resolve().parents[1]


def test_the_names_load_without_torch_and_the_registry_uses_them() -> None:
    script = (
        "import json, sys; import corrlib.names, reproduction.spec.experiments, "
        "reproduction.pages.report; "
        "print(json.dumps(sorted(m for m in ('torch', 'torchsort', 'mmdet') if m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
    assert DEFAULT_GRADIENT in GRADIENTS
    experiments = list_experiments()
    assert {e.kind for e in experiments} - {None} == set(KINDS)
    assert {e.gradient for e in experiments} == set(GRADIENTS)


def test_the_loss_accepts_exactly_the_names() -> None:
    import torch

    from corrlib.losses import KINDS as LOSS_KINDS
    from corrlib.losses import correlation_loss

    assert LOSS_KINDS is KINDS
    scores, ious = torch.tensor([0.2, 0.5, 0.9]), torch.tensor([0.6, 0.7, 0.8])
    for kind in KINDS:
        assert torch.isfinite(correlation_loss(scores, ious, kind))
    with pytest.raises(ValueError, match="unknown correlation kind"):
        correlation_loss(scores, ious, "kendall")


def test_one_check_of_choices_names_the_option_the_value_and_the_choices() -> None:
    """:func:`corrlib.names.check_choice` is the one check of a named choice: the loss
    function, the mmdet module and the experiment registry refuse an unknown grouping with
    its message, and none of them words the check itself."""
    import re

    import torch

    from corrlib.losses import grouped_correlation_loss
    from corrlib.names import GROUPINGS, check_choice
    from reproduction.spec import experiments

    assert check_choice("grouping", "image_sum", GROUPINGS) is None
    with pytest.raises(ValueError) as err:
        check_choice("grouping", "per_anchor", GROUPINGS, owner="CorrelationLoss")
    message = str(err.value)
    assert message.startswith("CorrelationLoss: ")
    assert "grouping" in message and "'per_anchor'" in message
    assert all(f"'{choice}'" in message for choice in GROUPINGS)
    expected = re.escape(message.removeprefix("CorrelationLoss: "))
    scores = torch.rand(4)
    with pytest.raises(ValueError, match=expected):
        grouped_correlation_loss(scores, scores, torch.zeros(4, dtype=torch.long), "per_anchor")
    with pytest.raises(ValueError, match=expected):
        experiments._Builder().add("retinanet", "spearman", 0.1, grouping="per_anchor")
    homes = (
        "corrlib/losses/correlation.py",
        "corrlib/losses/checks.py",
        "corrlib/losses/fast_soft_rank.py",
        "corrlib/integration/loss.py",
        "reproduction/spec/experiments.py",
    )
    for home in homes:
        assert "expected one of" not in (REPO / home).read_text(encoding="utf-8"), home


def test_paths_fill_in_the_templates(tmp_path: Path) -> None:
    from reproduction import dataset

    assert paths.work_dir("demo", "atss_baseline", 2) == (
        paths.repo_root() / "work_dirs/demo/atss_baseline/seed2"
    )
    assert results_path(tmp_path, "demo", "x", 3) == tmp_path / "demo" / "x" / "seed3.json"
    kept = paths.detections_file(tmp_path, "demo", "x", 3)
    assert kept == results_path(tmp_path, "demo", "x", 3).with_name("seed3.detections.json")
    assert dataset.preset_dir("demo") == dataset.data_root() / "generated" / "demo"
    # A profile's data is its own dataset's: demo-128px trains on the default's, not on its name.
    previous = get_profile("demo-128px")
    assert dataset.profile_data_dir("demo-128px") == dataset.preset_dir(previous.dataset)
    assert dataset.val_annotations("demo-128px").parts[-3:] == (
        previous.dataset,
        "annotations",
        "val.json",
    )
    assert dataset.val_annotations("paper").name == "instances_val2017.json"


@pytest.fixture(scope="module")
def dry_run(tmp_path_factory: pytest.TempPathFactory):
    """Return a function that dry-runs the workflow for a profile (--forceall) in a scratch
    copy of it → its text."""
    from workflow_copy import copy_workflow

    work = copy_workflow(tmp_path_factory.mktemp("workflow"))
    cache: dict[str, str] = {}

    def run(profile: str) -> str:
        if profile not in cache:
            done = subprocess.run(
                [str(Path(sys.executable).with_name("snakemake")), "-n", "--forceall",
                 "--config", f"profile={profile}"],
                cwd=work, capture_output=True, text=True, timeout=300,
                env={**os.environ, "COCO_ROOT": "/nonexistent"},
            )  # fmt: skip
            assert done.returncode == 0, done.stderr[-3000:]
            cache[profile] = done.stdout + done.stderr
        return cache[profile]

    return run


@pytest.mark.slow
def test_the_workflow_writes_where_the_templates_say(dry_run) -> None:
    text = dry_run("smoke")
    for experiment, seed in plan("smoke").runs():
        fields = dict(profile="smoke", experiment=experiment, seed=seed)
        assert f"output: {paths.TRAIN_SUMMARY.format(**fields)}" in text
        results = paths.results_file(paths.RESULTS_ROOT, **fields)
        assert f"output: {results.as_posix()}" in text


@pytest.mark.slow
def test_the_workflow_takes_its_gpu_count_from_the_profile(dry_run) -> None:
    assert f"gpus={get_profile('paper').gpus}" in dry_run("paper")


@pytest.mark.slow
def test_the_workflow_executes_exactly_the_notebook_pages(dry_run) -> None:
    executed = {
        Path(line.split("output:")[1].strip()).stem
        for line in dry_run("smoke").splitlines()
        if "output:" in line and "book/executed/" in line
    }
    assert executed == set(book_pages.analysis_notebooks())
