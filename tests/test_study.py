"""The protocol study's functions: intervals narrow with seeds; validation subsets re-score."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from corrlib import metrics
from corrlib.study import interval_by_seed_count, interval_by_val_size, rescore, seeds_to_resolve


def test_interval_narrows_with_more_seeds() -> None:
    rng = np.random.default_rng(0)
    shared = rng.normal(0, 4, 8)
    baseline = dict(enumerate(30 + shared))
    variant = dict(enumerate(31 + shared + rng.normal(0, 0.3, 8)))
    table = interval_by_seed_count(baseline, variant)
    assert list(table["n_seeds"]) == list(range(2, 9))
    widths = table["half_width"].to_numpy()
    assert widths[0] > widths[-1] * 3  # t(1) is huge; eight seeds are far tighter
    assert table["resolved_share"].iloc[-1] >= table["resolved_share"].iloc[0]
    assert table["subsets"].iloc[0] == 28  # C(8, 2)


def _toy_set(tmp_path: Path) -> tuple[Path, dict, dict]:
    """Ten one-object images; a 'good' and a 'bad' detector, as kept-detection dicts."""
    images = [{"id": i, "width": 100, "height": 100, "file_name": f"{i}.png"} for i in range(1, 11)]
    anns = [{"id": i, "image_id": i, "category_id": 1, "bbox": [10, 10, 40, 40], "area": 1600,
             "iscrowd": 0} for i in range(1, 11)]  # fmt: skip
    gt = {"images": images, "annotations": anns, "categories": [{"id": 1, "name": "a"}]}
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(gt))

    def kept(shift: float) -> dict:
        dets = [{"image_id": i, "category_id": 1, "bbox": [10 + shift * i, 10, 40, 40],
                 "score": 0.9 - 0.05 * i} for i in range(1, 11)]  # fmt: skip
        return {"detections": dets, "pre_nms_positives": {}}

    return path, kept(0.5), kept(2.0)


def test_rescore_on_all_images_equals_metrics(tmp_path: Path) -> None:
    gt_path, good, _ = _toy_set(tmp_path)
    gt = json.loads(gt_path.read_text())
    scored = rescore(gt, good, [im["id"] for im in gt["images"]])
    assert scored["AP"] == pytest.approx(100 * metrics.coco_ap(gt, good["detections"])["AP"])
    assert scored["beta_img"] is None
    half = rescore(gt, good, [1, 2, 3, 4, 5])
    assert half["AP"] >= scored["AP"]  # the first images' boxes are the best localised


def test_interval_by_val_size_uses_nested_subsets(tmp_path: Path) -> None:
    gt_path, good, bad = _toy_set(tmp_path)
    files = {}
    for name, data in (("good", good), ("bad", bad)):
        for seed in (0, 1, 2):
            p = tmp_path / f"{name}{seed}.json"
            p.write_text(json.dumps(data))
            files[name, seed] = p
    table = interval_by_val_size(
        gt_path,
        {s: files["bad", s] for s in (0, 1, 2)},
        {s: files["good", s] for s in (0, 1, 2)},
        sizes=[4, 10],
        study_metrics=("AP", "AP75"),
    )
    assert set(table["n_val"]) == {4, 10} and set(table["metric"]) == {"AP", "AP75"}
    ap10 = table[(table["n_val"] == 10) & (table["metric"] == "AP")].iloc[0]
    assert ap10["mean"] > 0 and ap10["half_width"] == pytest.approx(0.0)  # identical seeds
    # one image holds one true positive: β_cls is undefined there and its row is left out,
    # not an error (the smoke profile's tiny validation set hits this)
    small = interval_by_val_size(
        gt_path,
        {s: files["bad", s] for s in (0, 1)},
        {s: files["good", s] for s in (0, 1)},
        sizes=[1, 10],
        study_metrics=("AP", "beta_cls"),
    )
    assert set(small[small["n_val"] == 1]["metric"]) == {"AP"}
    assert set(small[small["n_val"] == 10]["metric"]) == {"AP", "beta_cls"}


def test_seeds_to_resolve_matches_the_t_interval() -> None:
    from scipy import stats

    diffs = [1.0, 3.0, 2.0]  # mean 2, sd 1
    n = seeds_to_resolve(diffs)
    half = lambda k: stats.t.ppf(0.975, k - 1) / np.sqrt(k)  # noqa: E731  (× sd = 1)
    assert half(n) < 2.0 <= half(n - 1)  # the first n whose half-width is below |mean|
    assert n == 4  # t(3) 3.18 / 2 = 1.59 < 2; t(2) 4.30 / 1.73 = 2.48
    assert seeds_to_resolve([-1.0, 1.0]) is None  # mean 0: nothing to resolve
    assert seeds_to_resolve([0.1, -5.0, 5.2], max_seeds=10) is None
    with pytest.raises(ValueError, match="at least two"):
        seeds_to_resolve([1.0])
