"""The paper profile's check mode: its configs, unchanged but for the iterations, the validation
subset and the backbone's initialisation, trained and evaluated on the COCO stand-in.

The slow test trains one experiment of each family of detectors one iteration on one image
and evaluates it on four validation images (``scripts/paper_check.py``); the others build
configs only.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import torch

from reproduction.dataset import generate_coco_standin
from reproduction.running.config_builder import build_config
from reproduction.running.evaluate import ground_truth_subset
from reproduction.running.train import DatasetCheckFailed, train_experiment
from reproduction.spec.plans import plan
from reproduction.spec.profiles import check_profile_name, data_label, get_profile
from reproduction.spec.run import Run

REPO = Path(__file__).resolve().parents[1]

FAMILIES = {
    "retinanet_concordance_0.1": "anchor-based dense (per-level loss)",
    "fovea_spearman_0.2": "point-based dense",
    "sparsercnn_concordance_0.3": "Sparse R-CNN (six stages)",
    "yolact_concordance_0.4": "YOLACT with masks (per-image loss)",
    "detr_baseline": "DETR",
    "atss_rs_concordance_0.2": "a rank-based loss (RS Loss)",
}
"""One experiment per family of the paper profile's detectors: what the slow test trains."""

DETECTOR_EXAMPLES = (
    "retinanet_baseline",
    "fovea_baseline",
    "atss_concordance_0.3",
    "paa_spearman_0.3",
    "sparsercnn_spearman_0.2_both",
    "sparsercnn_3x_baseline",
    "yolact_baseline",
    "atss_centerness_baseline",
    "atss_qfl_concordance_0.2",
    "atss_rs_baseline",
    "atss_aploss_baseline",
    "atss_alrp_baseline",
    "detr_baseline",
)
"""An experiment of each detector config of the paper profile."""


def _paper_check_script():
    spec = importlib.util.spec_from_file_location("paper_check", REPO / "scripts/paper_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_coco_standin(tmp_path_factory.mktemp("coco") / "standin", n_train=4, n_val=4)


@pytest.fixture(scope="module")
def imagenet_like(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised ResNet-50 in torchvision's layout (with its ``fc`` classifier),
    written locally: what ``torchvision://resnet50`` would download, without the internet."""
    from mmdet.models.backbones import ResNet

    torch.manual_seed(1)
    state = ResNet(depth=50).state_dict()
    for key, value in state.items():
        if key.endswith("conv1.weight") or key.endswith("conv2.weight"):
            state[key] = torch.randn_like(value) * 0.05
    state["fc.weight"] = torch.zeros(1000, 2048)
    state["fc.bias"] = torch.zeros(1000)
    path = tmp_path_factory.mktemp("weights") / "resnet50_random.pth"
    torch.save(state, path)
    return path


def test_check_profiles_are_named_by_iterations_and_data() -> None:
    spec = get_profile(check_profile_name(2, standin=True))
    assert (spec.name, spec.overlay, spec.max_iters, spec.check, spec.standin, spec.gpus) == (
        "paper-standin-2it",
        "paper",
        2,
        True,
        True,
        None,
    )
    assert not spec.synthetic  # the paper code paths: COCO layout, COCO's classes
    assert get_profile("paper-check-1it").standin is False
    assert "synthetic COCO-format stand-in" in data_label("paper-standin-2it")
    assert data_label("paper-standin-2it").endswith("2 iterations: the plumbing, not results")
    assert "COCO 2017, 1 iteration: the plumbing" in data_label("paper-check-1it")
    assert plan("paper-standin-2it").experiments == plan("paper").experiments
    for bad in ("paper-standin-0it", "paper-standin-it", "demo-check-2it"):
        with pytest.raises(ValueError, match="unknown profile"):
            get_profile(bad)
    with pytest.raises(ValueError, match="max_iters"):
        check_profile_name(0, standin=True)


def _without(cfg: dict, *paths: str) -> dict:
    for path in paths:
        *parents, leaf = path.split(".")
        node = cfg
        for key in parents:
            node = node[key]
        node.pop(leaf, None)
    return cfg


@pytest.mark.parametrize("experiment", DETECTOR_EXAMPLES)
def test_check_changes_only_iterations_validation_subset_and_init(
    experiment: str, standin: Path
) -> None:
    check = build_config(
        Run.resolve(experiment, "paper-standin-2it", data_root=standin, val_images=4, validate=True)
    )
    total = check.corrlib.get("total_batch_size", check.get("total_batch_size", 16))
    paper = build_config(
        Run.resolve(experiment, "paper", data_root=standin, gpus=total, validate=True)
    ).to_dict()
    assert check.train_cfg == dict(type="IterBasedTrainLoop", max_iters=2, val_interval=2)
    assert check.model.backbone.init_cfg is None
    assert check.train_dataloader.batch_size == 1
    assert check.val_dataloader.dataset.indices == 4
    assert paper["model"]["backbone"]["init_cfg"]["checkpoint"] == "torchvision://resnet50"
    # everything else is the paper's (with as many GPUs as its batch has images)
    check = check.to_dict()
    schedule = ("train_cfg", "param_scheduler", "default_hooks", "log_processor")
    for cfg in (paper, check):
        _without(cfg, "model.backbone.init_cfg", *schedule, "corrlib", "work_dir")
        _without(cfg, "val_dataloader.dataset.indices", "test_dataloader.dataset.indices")
    assert check == paper


def test_a_local_checkpoint_initialises_the_backbone(standin: Path, imagenet_like: Path) -> None:
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules

    register_all_modules()
    cfg = build_config(
        Run.resolve(
            "retinanet_baseline",
            "paper-standin-1it",
            data_root=standin,
            backbone_checkpoint=imagenet_like,
            validate=True,
        )
    )
    assert cfg.model.backbone.init_cfg == dict(type="Pretrained", checkpoint=str(imagenet_like))
    model = MODELS.build(cfg.model)
    model.init_weights()
    expected = torch.load(imagenet_like, weights_only=True)
    for key in ("conv1.weight", "layer1.0.conv2.weight", "layer4.2.conv1.weight"):
        assert torch.equal(model.backbone.state_dict()[key], expected[key])
    with pytest.raises(FileNotFoundError, match="backbone checkpoint not found"):
        build_config(
            Run.resolve(
                "retinanet_baseline",
                "paper-standin-1it",
                backbone_checkpoint="nope.pth",
                validate=True,
            )
        )


def test_profiles_refuse_the_wrong_data(standin: Path, tmp_path: Path) -> None:
    with pytest.raises(DatasetCheckFailed, match="stand-in, not COCO"):
        train_experiment(
            Run.resolve("retinanet_baseline", "paper", data_root=standin, device="cpu")
        )
    with pytest.raises(DatasetCheckFailed, match="is no COCO stand-in"):
        train_experiment(
            Run.resolve("retinanet_baseline", "paper-standin-1it", data_root=tmp_path, device="cpu")
        )


def test_ground_truth_subset() -> None:
    gt = {
        "images": [{"id": 1}, {"id": 2}],
        "annotations": [{"id": 5, "image_id": 1}, {"id": 6, "image_id": 2}],
        "categories": [{"id": 3, "name": "x"}],
    }
    sub = ground_truth_subset(gt, [2])
    assert sub["images"] == [{"id": 2}] and [a["id"] for a in sub["annotations"]] == [6]
    assert sub["categories"] == gt["categories"]


@pytest.fixture(scope="module")
def family_check(
    standin: Path, imagenet_like: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, dict], Path]:
    """Run scripts/paper_check.py for :data:`FAMILIES`: one iteration of one image each, the
    backbone from the local checkpoint, four validation images; return rows and work root."""
    work = tmp_path_factory.mktemp("check")
    rows_file = work / "rows.json"
    status = _paper_check_script().main(
        [
            *FAMILIES,
            "--iters",
            "1",
            "--val-images",
            "4",
            "--standin",
            str(standin),
            "--work-root",
            str(work / "runs"),
            "--backbone-checkpoint",
            str(imagenet_like),
            "--keep",
            "--json",
            str(rows_file),
        ]
    )
    rows = {row["experiment"]: row for row in json.loads(rows_file.read_text())}
    assert set(rows) == set(FAMILIES)
    assert status == (0 if all(r["status"] == "ok" for r in rows.values()) else 1)
    return rows, work / "runs"


@pytest.mark.slow
@pytest.mark.parametrize("experiment", FAMILIES)
def test_paper_config_trains_and_evaluates(
    experiment: str, family_check: tuple[dict[str, dict], Path], imagenet_like: Path
) -> None:
    from corrlib.integration.checkpoints import allow_mmengine_checkpoints

    rows, work = family_check
    row = rows[experiment]
    assert row["status"] == "ok", f"{FAMILIES[experiment]}: {row['status']}"
    assert row["iterations"] == 1 and row["seconds_per_iter"] > 0 and row["peak_rss_mib"] > 100
    record = json.loads(Path(row["results_file"]).read_text())
    assert record["profile"] == "paper-standin-1it"
    assert record["dataset"]["synthetic"] is True and record["dataset"]["n_val_images"] == 4
    assert record["training"]["iterations"] == 1
    if experiment.startswith("yolact"):
        assert 0.0 <= record["metrics"]["mask_AP"] <= 1.0  # a fraction, not None
    # the backbone started from the local file (one step at the warm-up's learning rate
    # leaves it within a hair; a random initialisation would be far)
    allow_mmengine_checkpoints()
    trained = torch.load(row["checkpoint"], map_location="cpu", weights_only=True)["state_dict"]
    start = torch.load(imagenet_like, weights_only=True)["conv1.weight"]
    assert torch.allclose(trained["backbone.conv1.weight"], start, atol=1e-3)
    assert (work / experiment).is_dir()


def test_workflow_check_mode_dry_run(standin: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from workflow_copy import copy_workflow

    work = copy_workflow(tmp_path / "workflow")
    snakemake = Path(sys.executable).parent / "snakemake"
    config = ["profile=paper", "max_iters=2", "val_images=4", "device=cpu"]
    dry = subprocess.run(
        [str(snakemake), "-n", "-p", "--cores", "2", "--config", *config],
        cwd=work,
        env={**os.environ, "COCO_ROOT": str(standin)},
        capture_output=True,
        text=True,
        check=False,
    )
    text = dry.stdout + dry.stderr
    assert dry.returncode == 0, text[-3000:]
    n_runs = len(plan("paper").runs())
    assert any(line.split()[:2] == ["train", str(n_runs)] for line in text.splitlines()), text
    assert "results/paper-standin-2it/retinanet_baseline/seed0.json" in text
    assert "-p val_images 4" in text
    only = subprocess.run(
        [str(snakemake), "-n", "--cores", "2", "--config", *config, "only=detr_baseline"],
        cwd=work,
        env={**os.environ, "COCO_ROOT": str(standin)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert only.returncode == 0, (only.stdout + only.stderr)[-3000:]
    assert any(line.split()[:2] == ["train", "1"] for line in only.stdout.splitlines())
