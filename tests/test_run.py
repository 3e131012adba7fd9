"""The run object: one value resolved once from an experiment id, a profile and a seed, each
override checked in one place with an error naming the field and the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from reproduction.spec import paths
from reproduction.spec.experiments import get_experiment
from reproduction.spec.profiles import get_profile
from reproduction.spec.run import DEVICES, OVERRIDE_NAMES, Run, RunOverrides


def test_a_run_resolves_its_experiment_and_profile_once() -> None:
    run = Run.resolve("atss_concordance_0.3", "demo", 2, max_iters=300)
    assert run.experiment == get_experiment("atss_concordance_0.3")
    assert run.profile == get_profile("demo")
    assert run.seed == 2 and run.overrides.max_iters == 300
    # a profile already resolved (a command line's) is taken as it is
    assert Run.resolve("atss_concordance_0.3", get_profile("demo"), 2, max_iters=300) == run


def test_a_run_takes_its_defaults_from_the_profile() -> None:
    demo, paper = Run.resolve("atss_baseline", "demo"), Run.resolve("atss_baseline", "paper")
    assert (demo.device, paper.device) == ("cpu", "cuda")
    assert (demo.gpus, paper.gpus) == (get_profile("demo").gpus, get_profile("paper").gpus)
    assert paper.with_overrides(gpus=8).gpus == 8
    assert not demo.validate and demo.with_overrides(val_interval=5).validate
    assert demo.work_dir == paths.repo_root() / "work_dirs" / "demo" / "atss_baseline" / "seed0"
    assert demo.with_overrides(work_dir="w").work_dir == Path("w")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_iters", 0),
        ("max_iters", 2.5),
        ("val_interval", -1),
        ("val_images", 0),
        ("val_images", True),
        ("gpus", 0),
        ("device", "tpu"),
        ("validate", "yes"),
        ("data_root", 3),
        ("work_dir", 3),
        ("backbone_checkpoint", 1.0),
    ],
)
def test_each_override_names_itself_and_its_value_when_bad(field: str, value: object) -> None:
    with pytest.raises(ValueError) as err:
        Run.resolve("atss_baseline", "demo", **{field: value})
    assert f"{field}={value!r}" in str(err.value)


def test_conflicting_and_unknown_overrides_and_bad_seeds_are_refused() -> None:
    with pytest.raises(ValueError, match="val_interval=3 needs validate=True"):
        RunOverrides(validate=False, val_interval=3)
    with pytest.raises(ValueError, match="unknown run override 'max_iter'"):
        Run.resolve("atss_baseline", "demo", max_iter=3)
    with pytest.raises(ValueError, match="seed=-1"):
        Run.resolve("atss_baseline", "demo", -1)
    with pytest.raises(ValueError, match="unknown profile 'demo-typo'"):
        Run.resolve("atss_baseline", "demo-typo")
    with pytest.raises(KeyError):
        Run.resolve("atss_typo", "demo")
    assert "device" in OVERRIDE_NAMES and DEVICES == ("cpu", "cuda")


def test_a_run_is_frozen() -> None:
    run = Run.resolve("atss_baseline", "smoke")
    with pytest.raises(AttributeError):
        run.seed = 3  # type: ignore[misc]


def test_the_workflow_settings_are_checked_where_a_runs_overrides_are() -> None:
    from reproduction.spec.launch import launch_settings

    named = launch_settings("paper", "paper", {"gpus": "8", "device": "cpu", "val_images": "16"})
    assert (named.gpus, named.device, named.val_images) == (8, "cpu", 16)
    other = launch_settings("smoke", "paper", {"gpus": "8", "device": "cuda"})
    assert (other.gpus, other.device) == (get_profile("smoke").gpus, "cpu")
    for key, value in (("gpus", "x"), ("gpus", "0"), ("device", "tpu"), ("val_images", "-1")):
        with pytest.raises(ValueError, match=f"workflow setting: run override {key}="):
            launch_settings("paper", "paper", {key: value})
