"""The synthetic COCO 2017 stand-in: COCO's layout, categories and annotation format."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

from reproduction.dataset import (
    COCO_CATEGORY_IDS,
    COCO_CLASS_NAMES,
    check_coco_dataset,
    generate_coco_standin,
    is_coco_standin,
)
from reproduction.dataset import standin as standin_module
from reproduction.dataset.__main__ import main
from reproduction.dataset.polygons import mask_polygons, polygon_area

SPLITS = {"train": 12, "val": 4}
COCO_GAPS = {12, 26, 29, 30, 45, 66, 68, 69, 71, 83}


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("standin") / "coco"
    return generate_coco_standin(out, n_train=SPLITS["train"], n_val=SPLITS["val"], seed=0)


def _load(root: Path, split: str) -> dict:
    return json.loads((root / "annotations" / f"instances_{split}2017.json").read_text())


def test_layout_is_coco_2017s(standin: Path) -> None:
    for split, n in SPLITS.items():
        assert len(list((standin / f"{split}2017").glob("*.jpg"))) == n
        assert (standin / "annotations" / f"instances_{split}2017.json").is_file()
    summaries = check_coco_dataset(standin, layout="coco")
    assert {s: summaries[s].n_images for s in SPLITS} == SPLITS
    assert is_coco_standin(standin)
    assert not is_coco_standin(standin / "train2017")


@pytest.mark.parametrize("split", sorted(SPLITS))
def test_pycocotools_and_faster_coco_eval_load_it(standin: Path, split: str) -> None:
    from faster_coco_eval import COCO as FasterCOCO

    path = str(standin / "annotations" / f"instances_{split}2017.json")
    for coco in (COCO(path), FasterCOCO(path)):
        assert len(coco.getImgIds()) == SPLITS[split]
        assert sorted(coco.getCatIds()) == list(COCO_CATEGORY_IDS)
        assert len(coco.getAnnIds()) > SPLITS[split]


def test_categories_are_cocos_ids_and_names(standin: Path) -> None:
    from mmdet.datasets import CocoDataset

    assert len(COCO_CATEGORY_IDS) == 80
    assert set(range(1, 91)) - set(COCO_CATEGORY_IDS) == COCO_GAPS
    assert COCO_CLASS_NAMES == tuple(CocoDataset.METAINFO["classes"])
    for split in SPLITS:
        categories = _load(standin, split)["categories"]
        assert [c["id"] for c in categories] == list(COCO_CATEGORY_IDS)
        assert tuple(c["name"] for c in categories) == COCO_CLASS_NAMES
        assert {c["supercategory"] for c in categories} >= {"person", "vehicle", "indoor"}


def test_image_sizes_vary_like_cocos(standin: Path) -> None:
    sizes = set()
    for split in SPLITS:
        for image in _load(standin, split)["images"]:
            with Image.open(standin / f"{split}2017" / image["file_name"]) as pixels:
                assert pixels.size == (image["width"], image["height"])
                assert pixels.format == "JPEG" and pixels.mode == "RGB"
            assert len(image["file_name"]) == len("000000000001.jpg")
            sizes.add((image["width"], image["height"]))
    assert len(sizes) >= 4
    assert any(w > h for w, h in sizes) and any(w < h for w, h in sizes)
    assert sizes <= set(standin_module.COCO_IMAGE_SIZES)


def test_crowd_regions_are_rle_and_the_others_polygons(standin: Path) -> None:
    crowds = polygons = 0
    for split in SPLITS:
        data = _load(standin, split)
        coco = COCO(str(standin / "annotations" / f"instances_{split}2017.json"))
        images = {im["id"]: im for im in data["images"]}
        for ann in data["annotations"]:
            image = images[ann["image_id"]]
            segmentation = ann["segmentation"]
            if ann["iscrowd"]:
                crowds += 1
                # COCO's crowd format: an uncompressed RLE of the image's size
                assert segmentation["size"] == [image["height"], image["width"]]
                assert all(isinstance(c, int) for c in segmentation["counts"])
            else:
                polygons += 1
                assert isinstance(segmentation, list) and segmentation
                assert all(len(p) >= 6 and len(p) % 2 == 0 for p in segmentation)
                assert ann["area"] == sum(polygon_area(p) for p in segmentation)
            mask = coco.annToMask(ann)
            assert mask.sum() == ann["area"] > 0
            rle = mask_utils.encode(np.asfortranarray(mask))
            assert list(mask_utils.toBbox(rle)) == ann["bbox"]
            x, y, w, h = ann["bbox"]
            assert 0 <= x and 0 <= y and x + w <= image["width"] and y + h <= image["height"]
    assert crowds >= 1 and polygons >= 10 * crowds


def test_ids_are_unique_across_splits(standin: Path) -> None:
    train, val = _load(standin, "train"), _load(standin, "val")
    for key in ("images", "annotations"):
        ids = [x["id"] for x in train[key]] + [x["id"] for x in val[key]]
        assert len(ids) == len(set(ids))


def test_info_says_synthetic(standin: Path) -> None:
    for split in SPLITS:
        data = _load(standin, split)
        assert data["info"]["synthetic"] is True
        assert "NOT COCO" in data["info"]["description"]
        licenses = {lic["id"] for lic in data["licenses"]}
        assert licenses and all(im["license"] in licenses for im in data["images"])


def test_polygons_outline_each_part() -> None:
    mask = np.zeros((12, 16), dtype=bool)
    mask[1:6, 1:6] = True  # a square with a hole: one outline, hole filled
    mask[3, 3] = False
    mask[7:10, 8:15] = True
    mask[6, 7] = True  # touches the second part diagonally only: a part of its own
    polygons, region = mask_polygons(mask)
    assert len(polygons) == 3
    assert region.sum() == mask.sum() + 1
    assert polygons[0] == [1.0, 1.0, 6.0, 1.0, 6.0, 6.0, 1.0, 6.0]
    decoded = mask_utils.decode(mask_utils.merge(mask_utils.frPyObjects(polygons, 12, 16)))
    assert (decoded.astype(bool) == region).all()


def test_same_seed_same_files_and_a_no_op_rerun(tmp_path: Path) -> None:
    a = generate_coco_standin(tmp_path / "a", n_train=2, n_val=1, seed=3)
    b = generate_coco_standin(tmp_path / "b", n_train=2, n_val=1, seed=3)
    for split in SPLITS:
        name = f"annotations/instances_{split}2017.json"
        assert (a / name).read_bytes() == (b / name).read_bytes()
    stamp = (a / "generation.json").stat().st_mtime_ns
    generate_coco_standin(a, n_train=2, n_val=1, seed=3)
    assert (a / "generation.json").stat().st_mtime_ns == stamp
    generate_coco_standin(a, n_train=3, n_val=1, seed=3)  # an earlier stand-in is replaced
    assert len(_load(a, "train")["images"]) == 3


def test_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = standin_module._write_split

    def broken(root: Path, split: str, n_images: int, seed: int) -> None:
        if split == "val":
            raise RuntimeError("interrupted")
        real(root, split, n_images, seed)

    monkeypatch.setattr(standin_module, "_write_split", broken)
    with pytest.raises(RuntimeError, match="interrupted"):
        generate_coco_standin(tmp_path / "coco", n_train=1, n_val=1)
    assert list(tmp_path.iterdir()) == []


def test_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="train_images must be between 1 and"):
        generate_coco_standin(tmp_path / "x", n_train=0)
    with pytest.raises(ValueError, match="val_images must be an integer"):
        generate_coco_standin(tmp_path / "x", n_val=2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        generate_coco_standin(tmp_path / "x", seed=-1)
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError, match="not a directory"):
        generate_coco_standin(tmp_path / "file")
    coco = tmp_path / "real-coco"
    (coco / "annotations").mkdir(parents=True)
    with pytest.raises(FileExistsError, match="refusing to replace"):
        generate_coco_standin(coco, n_train=1, n_val=1)
    assert (coco / "annotations").is_dir() and not is_coco_standin(coco)


def test_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "coco"
    args = ["coco-standin", str(out), "--train-images", "2", "--val-images", "1", "--seed", "1"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "NOT COCO" in printed and f"COCO_ROOT={out}" in printed
    assert check_coco_dataset(out, layout="coco")["val"].n_images == 1
    assert main(["coco-standin", str(tmp_path / "y"), "--train-images", "0"]) == 2
    assert "error: train_images must be between 1" in capsys.readouterr().err
