"""Tests of reproduction.dataset: the embedded dataset generator and the dataset check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

from reproduction.dataset import (
    CLASS_NAMES,
    DatasetError,
    area_ranges,
    check_coco_dataset,
    generate_dataset,
    generate_preset,
)
from reproduction.dataset import generate as generate_module
from reproduction.dataset.__main__ import main

# pycocotools 2.0.11 warns about numpy 2's copy keyword inside its own decode().
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

SMALL = dict(n_train=12, n_val=6, image_size=96, n_classes=8)


def _files(root: Path) -> dict[str, bytes]:
    """Return every file under ``root`` (relative path -> bytes)."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Return (size, mtime in ns) of every path under ``root``."""
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.rglob("*"))}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_dataset(tmp_path_factory.mktemp("gen") / "set", **SMALL, seed=0)


@pytest.fixture()
def copy(dataset: Path, tmp_path: Path) -> Path:
    """A private copy of the small dataset, for tests that break it."""
    return Path(shutil.copytree(dataset, tmp_path / "set"))


# --- generation -------------------------------------------------------------------------


def test_layout(dataset: Path) -> None:
    for split, n in (("train", SMALL["n_train"]), ("val", SMALL["n_val"])):
        assert len(list((dataset / split).glob("*.png"))) == n
        assert (dataset / "annotations" / f"{split}.json").is_file()
    assert not [p for p in dataset.parent.iterdir() if p.name.startswith(".")]


def test_same_seed_gives_identical_files(dataset: Path, tmp_path: Path) -> None:
    again = generate_dataset(tmp_path / "again", **SMALL, seed=0)
    assert _files(again) == _files(dataset)


def test_different_seed_gives_different_files(dataset: Path, tmp_path: Path) -> None:
    other = _files(generate_dataset(tmp_path / "other", **SMALL, seed=1))
    base = _files(dataset)
    assert other["annotations/train.json"] != base["annotations/train.json"]
    assert all(other[f"train/{i:06d}.png"] != base[f"train/{i:06d}.png"] for i in (1, 2, 3))


def test_val_does_not_depend_on_train_count(dataset: Path, tmp_path: Path) -> None:
    fewer = generate_dataset(tmp_path / "fewer", **{**SMALL, "n_train": 2}, seed=0)
    assert _files(fewer / "val") == _files(dataset / "val")
    assert (fewer / "annotations/val.json").read_bytes() == (
        dataset / "annotations/val.json"
    ).read_bytes()


def test_pycocotools_loads_and_boxes_match_masks(dataset: Path) -> None:
    for split in ("train", "val"):
        coco = COCO(str(dataset / "annotations" / f"{split}.json"))
        assert [c["name"] for c in coco.loadCats(coco.getCatIds())] == list(CLASS_NAMES)
        assert coco.getAnnIds()
        for ann in coco.loadAnns(coco.getAnnIds()):
            image = coco.imgs[ann["image_id"]]
            x, y, w, h = ann["bbox"]
            assert x >= 0 and y >= 0 and w > 0 and h > 0
            assert x + w <= image["width"] and y + h <= image["height"]
            rle = coco.annToRLE(ann)
            assert mask_utils.toBbox(rle).tolist() == ann["bbox"]
            assert int(mask_utils.area(rle)) == ann["area"] > 0
            assert ann["iscrowd"] == 0


def test_masks_are_disjoint_visible_parts(dataset: Path) -> None:
    coco = COCO(str(dataset / "annotations" / "train.json"))
    for image_id in coco.getImgIds():
        masks = [coco.annToMask(a) for a in coco.loadAnns(coco.getAnnIds(imgIds=image_id))]
        if masks:
            assert np.sum(masks, axis=0).max() <= 1


def test_sizes_aspects_and_overlaps_vary(tmp_path: Path) -> None:
    size = 128
    root = generate_dataset(
        tmp_path / "sizes", n_train=60, n_val=0, image_size=size, n_classes=8, seed=3
    )
    anns = json.loads((root / "annotations/train.json").read_text())["annotations"]
    areas = np.array([a["area"] for a in anns])
    ranges = area_ranges(size, size)
    shares = [
        np.mean((areas >= lo) & (areas < hi))
        for lo, hi in (ranges["small"], ranges["medium"], ranges["large"])
    ]
    assert min(shares) > 0.1, shares
    aspects = np.array([a["bbox"][2] / a["bbox"][3] for a in anns])
    assert aspects.min() < 0.4 and aspects.max() > 2.5
    assert len({a["category_id"] for a in anns}) == 8
    overlapping = 0
    by_image: dict[int, list[list[int]]] = {}
    for a in anns:
        by_image.setdefault(a["image_id"], []).append(a["bbox"])
    for boxes in by_image.values():
        ious = mask_utils.iou(boxes, boxes, [0] * len(boxes))
        overlapping += int(np.sum(np.triu(np.asarray(ious), 1) > 0))
    assert overlapping > 10


def test_number_of_classes(tmp_path: Path) -> None:
    root = generate_dataset(
        tmp_path / "k3", n_train=10, n_val=0, image_size=64, n_classes=3, seed=0
    )
    data = json.loads((root / "annotations/train.json").read_text())
    assert [c["name"] for c in data["categories"]] == list(CLASS_NAMES[:3])
    assert {a["category_id"] for a in data["annotations"]} <= {1, 2, 3}
    with pytest.raises(ValueError, match="n_classes"):
        generate_dataset(tmp_path / "k9", n_train=1, n_val=0, image_size=64, n_classes=9, seed=0)


def test_regeneration_is_noop_and_force_replaces(tmp_path: Path) -> None:
    root = generate_dataset(
        tmp_path / "set", n_train=3, n_val=2, image_size=64, n_classes=4, seed=0
    )
    before = _snapshot(root)
    assert generate_dataset(root, n_train=3, n_val=2, image_size=64, n_classes=4, seed=0) == root
    assert _snapshot(root) == before
    (root / "stray.txt").write_text("x")
    generate_dataset(root, n_train=3, n_val=2, image_size=64, n_classes=4, seed=0, force=True)
    assert not (root / "stray.txt").exists()
    generate_dataset(root, n_train=2, n_val=2, image_size=64, n_classes=4, seed=0)
    assert len(list((root / "train").iterdir())) == 2


def test_interrupted_generation_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(root: Path, split: str, *args: object) -> None:
        (root / split).mkdir()
        raise KeyboardInterrupt

    monkeypatch.setattr(generate_module, "_write_split", broken)
    with pytest.raises(KeyboardInterrupt):
        generate_dataset(tmp_path / "set", n_train=2, n_val=1, image_size=64, n_classes=2, seed=0)
    assert list(tmp_path.iterdir()) == []


def test_preset_and_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = generate_preset("smoke", tmp_path / "smoke")
    assert check_coco_dataset(root)["train"].n_images == 16
    with pytest.raises(ValueError, match="unknown dataset preset"):
        generate_preset("nope", tmp_path / "nope")
    out = tmp_path / "cli"
    assert (
        main(
            [
                "generate",
                "--preset",
                "smoke",
                "--out",
                str(out),
                "--images-train",
                "3",
                "--images-val",
                "2",
                "--size",
                "64",
                "--classes",
                "2",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert str(out) in printed and " s" in printed
    assert check_coco_dataset(out)["val"].n_images == 2


# --- the dataset check --------------------------------------------------------------------


def _check_fails(root: Path, *expected: str, splits: tuple[str, ...] = ("train", "val")) -> str:
    """Run the check on a broken dataset; assert it names ``expected`` and wrote nothing."""
    parent = root.parent
    before = _snapshot(parent)
    with pytest.raises(DatasetError) as info:
        check_coco_dataset(root, splits)
    assert _snapshot(parent) == before
    message = str(info.value)
    for text in expected:
        assert text in message, message
    return message


def test_check_passes_on_generated_set(dataset: Path) -> None:
    summary = check_coco_dataset(dataset)
    assert summary["train"].n_images == SMALL["n_train"]
    assert summary["val"].n_categories == 8
    assert issubclass(DatasetError, ValueError)


def test_check_missing_root(tmp_path: Path) -> None:
    _check_fails(tmp_path / "absent", str(tmp_path / "absent"), "not found")


def test_check_empty_root(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    _check_fails(tmp_path / "empty", "no dataset found", "train2017")


def test_check_missing_image_dir(copy: Path) -> None:
    shutil.rmtree(copy / "val")
    _check_fails(copy, "image directory missing", str(copy / "val"))


def test_check_missing_annotation_file(copy: Path) -> None:
    (copy / "annotations" / "val.json").unlink()
    _check_fails(copy, "annotation file missing", "val.json")


def test_check_malformed_json(copy: Path) -> None:
    (copy / "annotations" / "train.json").write_text('{\n  "images": [\n    {"id": 1,,}\n')
    _check_fails(copy, "malformed JSON", "train.json", "line 3, column")


def test_check_missing_image(copy: Path) -> None:
    (copy / "train" / "000003.png").unlink()
    _check_fails(copy, "000003.png", "train.json", "absent")


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ("annotations", "bbox"),
        ("annotations", "category_id"),
        ("images", "file_name"),
        ("images", "width"),
        ("categories", "id"),
    ],
)
def test_check_missing_field(copy: Path, section: str, field: str) -> None:
    path = copy / "annotations" / "val.json"
    data = json.loads(path.read_text())
    del data[section][1][field]
    path.write_text(json.dumps(data))
    _check_fails(copy, "val.json", f"{section}[1]", f"'{field}'")


def test_check_bad_values(copy: Path) -> None:
    path = copy / "annotations" / "val.json"
    data = json.loads(path.read_text())
    data["annotations"][0]["image_id"] = 999
    path.write_text(json.dumps(data))
    _check_fails(copy, "val.json", "image_id 999")
    del data["images"]
    path.write_text(json.dumps(data))
    _check_fails(copy, "val.json", "'images'")


def test_check_coco_layout(dataset: Path, tmp_path: Path) -> None:
    root = tmp_path / "coco"
    (root / "annotations").mkdir(parents=True)
    shutil.copytree(dataset / "train", root / "train2017")
    shutil.copytree(dataset / "val", root / "val2017")
    shutil.copytree(dataset / "val", root / "test2017")
    shutil.copy(dataset / "annotations/train.json", root / "annotations/instances_train2017.json")
    shutil.copy(dataset / "annotations/val.json", root / "annotations/instances_val2017.json")
    info = json.loads((dataset / "annotations/val.json").read_text())
    del info["annotations"]
    (root / "annotations/image_info_test-dev2017.json").write_text(json.dumps(info))
    summary = check_coco_dataset(root, ("train", "val", "test-dev"))
    assert summary["test-dev"].n_annotations == 0
    assert summary["train"].image_dir == root / "train2017"
    (root / "val2017" / "000002.png").unlink()
    _check_fails(root, "000002.png", "val2017")
    _check_fails(root, "'nope'", splits=("nope",))


def test_check_command(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--root", str(copy)]) == 0
    assert "OK" in capsys.readouterr().out
    (copy / "annotations" / "train.json").unlink()
    assert main(["check", "--root", str(copy)]) == 1
    assert "train.json" in capsys.readouterr().err


def test_a_larger_validation_split_keeps_the_training_images_and_the_first_validation_ones(
    tmp_path: Path,
) -> None:
    small = generate_dataset(
        tmp_path / "v3", n_train=4, n_val=3, image_size=64, n_classes=3, seed=0
    )
    large = generate_dataset(
        tmp_path / "v7", n_train=4, n_val=7, image_size=64, n_classes=3, seed=0
    )
    for name in sorted(p.name for p in (small / "train").iterdir()):
        assert (small / "train" / name).read_bytes() == (large / "train" / name).read_bytes()
    for name in sorted(p.name for p in (small / "val").iterdir()):
        assert (small / "val" / name).read_bytes() == (large / "val" / name).read_bytes()
    assert len(list((large / "val").iterdir())) == 7

    def annotations(root: Path, split: str) -> list[dict]:
        return json.loads((root / "annotations" / f"{split}.json").read_text())["annotations"]

    assert annotations(small, "train") == annotations(large, "train")
    first = {
        im["id"] for im in json.loads((small / "annotations" / "val.json").read_text())["images"]
    }
    kept = [a for a in annotations(large, "val") if a["image_id"] in first]
    assert [(a["image_id"], a["bbox"]) for a in annotations(small, "val")] == [
        (a["image_id"], a["bbox"]) for a in kept
    ]
