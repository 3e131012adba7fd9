"""The ``corrlib-metrics`` command: its numbers, the exporters' formats and bad input."""

from __future__ import annotations

import copy
import importlib.metadata
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from corrlib.metrics import analyse
from corrlib.metrics.__main__ import main
from corrlib.metrics.summary import UNITS
from reproduction.dataset.random_coco import random_coco

AP_KEYS = ("AP", "AP50", "AP75", "APs", "APm", "APl")
LRP_KEYS = ("oLRP", "oLRP_Loc", "oLRP_FP", "oLRP_FN")


def _write(path: Path, data) -> str:
    path.write_text(json.dumps(data))
    return str(path)


def _same(a, b) -> bool:
    """Equal numbers, where a null in the JSON stands for NaN."""
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and math.isclose(a, b, rel_tol=0, abs_tol=1e-12)


@pytest.fixture(scope="module")
def coco():
    """A small random COCO set with one category that has no ground truth."""
    gt, dets = random_coco(n_images=25, n_categories=5, dets_per_image=30, seed=3)
    gt["categories"].append({"id": 9, "name": "never seen"})
    return gt, dets


@pytest.fixture
def files(tmp_path, coco):
    gt, dets = coco
    return _write(tmp_path / "gt.json", gt), _write(tmp_path / "dt.json", dets)


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_equals_analyse(tmp_path, files, coco, capsys):
    gt_path, dt_path = files
    out = tmp_path / "out.json"
    code, stdout, stderr = _run(capsys, "--gt", gt_path, "--dt", dt_path, "--json", out)
    assert code == 0
    assert stderr == ""  # no progress bar when stderr is not a terminal
    result = json.loads(out.read_text())
    expected = analyse(*coco)
    assert result["units"] == UNITS and "fraction" in result["units"]
    for key in AP_KEYS:
        assert _same(result[key], expected["ap"][key]), key
    for key in LRP_KEYS:
        assert _same(result[key], expected["olrp"][key]), key
    assert _same(result["beta_cls"], expected["beta_cls"]["value"])
    assert result["beta_cls_n_classes"] == expected["beta_cls"]["n_classes"] > 0
    for side in ("upper", "lower"):
        for key in ("AP", "AP50", "AP75"):
            assert _same(result[f"{key}_{side}"], expected["bounds"][side][key]), (key, side)
    assert result["AP_upper"] > result["AP"] > result["AP_lower"]

    rows = {row["id"]: row for row in result["per_class"]}
    gt, dets = coco
    assert sorted(rows) == sorted(c["id"] for c in gt["categories"])
    for cat, row in rows.items():
        assert row["name"] == next(c["name"] for c in gt["categories"] if c["id"] == cat)
        assert _same(row["AP"], expected["ap"]["per_class"][cat])
        assert _same(row["beta"], expected["beta_cls"]["per_class"].get(cat, math.nan))
        assert row["n_gt"] == sum(
            1 for a in gt["annotations"] if a["category_id"] == cat and not a["iscrowd"]
        )
        assert row["n_dt"] == sum(1 for d in dets if d["category_id"] == cat)
        lrp = expected["olrp"]["per_class"].get(cat)
        assert row["n_tp"] >= (lrp["n_tp"] if lrp else 0)
    assert rows[9]["AP"] is None and rows[9]["beta"] is None and rows[9]["n_gt"] == 0
    assert sum(row["n_tp"] for row in rows.values()) == result["n_true_positives"]
    assert result["n_detections"] == len(dets) and result["n_images"] == len(gt["images"])

    assert f"{100 * expected['ap']['AP']:.2f}" in stdout
    assert f"{100 * expected['olrp']['oLRP']:.2f}" in stdout
    assert f"over {expected['beta_cls']['n_classes']} classes" in stdout
    assert "never seen" not in stdout  # per-class rows only with --per-class
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dt.json", "gt.json", "out.json"]


def test_per_class_and_no_bounds(tmp_path, files, capsys):
    gt_path, dt_path = files
    out = tmp_path / "out.json"
    argv = ("--gt", gt_path, "--dt", dt_path, "--json", out, "--per-class", "--no-bounds")
    code, stdout, _ = _run(capsys, *argv)
    assert code == 0
    result = json.loads(out.read_text())
    assert "AP_upper" not in result and "AP75_lower" not in result
    assert "AP+1" not in stdout
    assert "never seen" in stdout
    rows = [line.split() for line in stdout.splitlines() if line.split()[1:2] == ["class_1"]]
    assert len(rows) == 1 and rows[0][0] == "1"
    assert len([line for line in stdout.splitlines() if "  class_" in line]) == 5


def test_wrapped_lists_and_extra_fields_give_the_same_numbers(tmp_path, files, coco, capsys):
    gt_path, dt_path = files
    _, dets = coco
    _run(capsys, "--gt", gt_path, "--dt", dt_path, "--json", tmp_path / "plain.json")
    plain = json.loads((tmp_path / "plain.json").read_text())
    # Detectron2 / mmdetection instance segmentation add masks; ultralytics adds file_name.
    extra = [
        {**d, "segmentation": {"size": [480, 640], "counts": "abc"}, "file_name": "x.jpg"}
        for d in dets
    ]
    for name, data in (
        ("wrapped_dt.json", {"detections": dets}),
        ("wrapped_ann.json", {"info": {}, "annotations": dets}),
        ("extra.json", extra),
    ):
        path = _write(tmp_path / name, data)
        out = tmp_path / f"out_{name}"
        code, _, stderr = _run(capsys, "--gt", gt_path, "--dt", path, "--json", out)
        assert code == 0, stderr
        result = json.loads(out.read_text())
        for key in (*AP_KEYS, *LRP_KEYS, "beta_cls", "AP_upper", "AP_lower"):
            assert _same(result[key], plain[key]), (name, key)


def _named(coco, stem: str):
    """The random set with file names; ``stem`` formats an image id into a file-name stem."""
    gt, dets = copy.deepcopy(coco)
    for img in gt["images"]:
        img["file_name"] = f"val/{stem.format(img['id'])}.jpg"
    return gt, dets


def test_yolo_string_ids_and_zero_based_classes(tmp_path, coco, capsys):
    """ultralytics: image_id is the file-name stem, category_id the 0-based class index."""
    gt, dets = _named(coco, "frame_{:04d}")
    yolo = [
        {
            "image_id": f"frame_{d['image_id']:04d}",
            "file_name": f"frame_{d['image_id']:04d}.jpg",
            "category_id": d["category_id"] - 1,
            "bbox": [round(v, 3) for v in d["bbox"]],
            "score": round(d["score"], 5),
        }
        for d in dets
    ]
    rounded = [
        {**d, "bbox": [round(v, 3) for v in d["bbox"]], "score": round(d["score"], 5)} for d in dets
    ]
    gt_path = _write(tmp_path / "gt.json", gt)
    dt_path = _write(tmp_path / "predictions.json", yolo)
    out = tmp_path / "out.json"
    code, _, stderr = _run(capsys, "--gt", gt_path, "--dt", dt_path, "--json", out)
    assert code == 2 and "--category-offset 1" in stderr and not out.exists()
    argv = ("--gt", gt_path, "--dt", dt_path, "--json", out, "--category-offset", "1")
    code, _, stderr = _run(capsys, *argv)
    assert code == 0, stderr
    result = json.loads(out.read_text())
    expected = analyse(gt, rounded)
    for key in AP_KEYS:
        assert _same(result[key], expected["ap"][key]), key
    assert _same(result["beta_cls"], expected["beta_cls"]["value"])


def test_images_by_name_when_numeric_stems_are_not_ids(tmp_path, coco, capsys):
    """Numeric stems that are not the ground truth's ids: ultralytics writes int(stem)."""
    gt, dets = _named(coco, "{:06d}")
    for img in gt["images"]:  # ids shifted by 1000, names keep the old number
        img["id"] += 1000
    for ann in gt["annotations"]:
        ann["image_id"] += 1000
    gt_path = _write(tmp_path / "gt.json", gt)
    dt_path = _write(tmp_path / "dt.json", dets)  # image_id = the number in the name
    code, _, stderr = _run(capsys, "--gt", gt_path, "--dt", dt_path)
    assert code == 2 and "unknown image_id" in stderr
    out = tmp_path / "out.json"
    code, _, stderr = _run(
        capsys, "--gt", gt_path, "--dt", dt_path, "--json", out, "--images-by-name"
    )
    assert code == 0, stderr
    shifted = [{**d, "image_id": d["image_id"] + 1000} for d in dets]
    assert _same(json.loads(out.read_text())["AP"], analyse(gt, shifted)["ap"]["AP"])


GOOD = {"image_id": 1, "category_id": 1, "bbox": [10.0, 10.0, 20.0, 20.0], "score": 0.5}


def _bad_text(text: str):
    return lambda path: path.write_text(text)


def _bad_dets(*changes):
    def write(path: Path) -> None:
        dets = [dict(GOOD), dict(GOOD)]
        dets[1].update(dict(changes))
        path.write_text(json.dumps(dets))  # json writes NaN and Infinity as JS literals

    return write


BAD_DETECTIONS = [
    (_bad_text("[{"), ["not valid JSON", "line 1"]),
    (_bad_text(""), ["the file is empty"]),
    (_bad_text("  \n"), ["the file is empty"]),
    (_bad_text('{"results": []}'), ["'results'", "'detections'"]),
    (_bad_text("42"), ["expected a list of detections, got int"]),
    (_bad_dets(("score", math.nan)), ["detection 1", "score", "nan"]),
    (_bad_dets(("score", math.inf)), ["detection 1", "score", "inf"]),
    (_bad_dets(("bbox", [1, 1, -2, 3])), ["detection 1", "negative bbox width -2"]),
    (_bad_dets(("bbox", [1, 1, 2, -3])), ["detection 1", "negative bbox height -3"]),
    (_bad_dets(("bbox", [1, 1, 2])), ["detection 1", "bbox", "[1, 1, 2]"]),
    (_bad_dets(("image_id", 7777)), ["detection 1", "unknown image_id 7777"]),
    (_bad_dets(("category_id", 55)), ["detection 1", "unknown category_id 55"]),
    (_bad_dets(("image_id", "nowhere")), ["detection 1", "image_id 'nowhere'"]),
    (_bad_dets(("score", "high")), ["detection 1", "bad score 'high'"]),
]


def _without_score(path: Path) -> None:
    path.write_text(json.dumps([GOOD, {k: v for k, v in GOOD.items() if k != "score"}]))


BAD_DETECTIONS.append((_without_score, ["detection 1", "lacks 'score'"]))


@pytest.mark.parametrize("write, needles", BAD_DETECTIONS)
def test_bad_detections_stop_with_one_message(tmp_path, coco, capsys, write, needles):
    gt_path = _write(tmp_path / "gt.json", coco[0])
    dt = tmp_path / "dt.json"
    write(dt)
    out = tmp_path / "out.json"
    code, stdout, stderr = _run(capsys, "--gt", gt_path, "--dt", dt, "--json", out)
    assert code == 2
    assert stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"corrlib-metrics: error: {dt}: ")
    for needle in needles:
        assert needle in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dt.json", "gt.json"]


def _gt_change(change):
    def write(path: Path, gt: dict) -> None:
        gt = copy.deepcopy(gt)
        change(gt)
        path.write_text(json.dumps(gt))

    return write


@pytest.mark.parametrize(
    "write, needles",
    [
        (lambda path, gt: path.write_text(""), ["the file is empty"]),
        (lambda path, gt: path.write_text("{'images': []}"), ["not valid JSON"]),
        (_gt_change(lambda g: g.pop("annotations")), ["lacks the 'annotations' section"]),
        (
            _gt_change(lambda g: g["annotations"][0].update(bbox=[0, 0, -4, 1])),
            ["annotation 1", "negative bbox width -4"],
        ),
        (_gt_change(lambda g: g["annotations"][2].pop("bbox")), ["annotation 3", "'bbox'"]),
    ],
)
def test_bad_ground_truth_stops_with_one_message(tmp_path, coco, capsys, write, needles):
    gt = tmp_path / "gt.json"
    write(gt, coco[0])
    dt_path = _write(tmp_path / "dt.json", coco[1])
    out = tmp_path / "out.json"
    out.write_text("an older result")
    code, stdout, stderr = _run(capsys, "--gt", gt, "--dt", dt_path, "--json", out)
    assert code == 2 and stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"corrlib-metrics: error: {gt}: ")
    for needle in needles:
        assert needle in lines[0]
    assert out.read_text() == "an older result"  # an existing file is left alone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dt.json", "gt.json", "out.json"]


def test_missing_files_and_folders(tmp_path, files, capsys):
    gt_path, dt_path = files
    missing = tmp_path / "missing.json"
    code, _, stderr = _run(capsys, "--gt", gt_path, "--dt", missing)
    assert code == 2 and f"{missing}: cannot read the file" in stderr
    code, _, stderr = _run(capsys, "--gt", missing, "--dt", dt_path)
    assert code == 2 and f"{missing}: cannot read the file" in stderr
    out = tmp_path / "no such folder" / "out.json"
    code, _, stderr = _run(capsys, "--gt", gt_path, "--dt", dt_path, "--json", out)
    assert code == 2 and "does not exist" in stderr and not out.parent.exists()


def test_ambiguous_file_name_stem(tmp_path, coco, capsys):
    gt, dets = _named(coco, "img_{}")
    gt["images"][1]["file_name"] = "other/img_1.png"  # two images with the stem img_1
    gt_path = _write(tmp_path / "gt.json", gt)
    dt_path = _write(tmp_path / "dt.json", [{**dets[0], "image_id": "img_1"}])
    code, _, stderr = _run(capsys, "--gt", gt_path, "--dt", dt_path)
    assert code == 2
    assert "image_id 'img_1'" in stderr and "ambiguous, 2 ground-truth images" in stderr


def test_usage_errors_return_two(capsys):
    code, _, stderr = _run(capsys, "--gt", "only.json")
    assert code == 2 and "--dt" in stderr


def test_module_help_and_console_script():
    done = subprocess.run(
        [sys.executable, "-m", "corrlib.metrics", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0
    for option in ("--gt", "--dt", "--json", "--per-class", "--category-offset", "units"):
        assert option in done.stdout
    scripts = importlib.metadata.entry_points(group="console_scripts")
    (script,) = [s for s in scripts if s.name == "corrlib-metrics"]
    assert script.value == "corrlib.metrics.__main__:main"
    assert script.load() is main
