"""Benchmark: the ``corrlib-metrics`` command against one pycocotools COCOeval, from files.

Writes a synthetic ground truth of N images (80 classes, about 7 objects each) and its results
file (100 detections per image) to a temporary folder, then times, in the same run:

- one pycocotools bbox evaluation from the two files (COCO(gt), loadRes(dt), evaluate,
  accumulate, summarize): the unit;
- the command's whole analysis, ``main(["--gt", ..., "--dt", ..., "--json", ...])``: reading
  and checking both files, COCO AP, oLRP, β_cls, the class-level bounds, the table and the
  JSON;
- the same with ``--no-bounds`` (two COCO evaluations fewer).

Prints a Markdown table of seconds and the ratio to pycocotools, and checks that the AP the
command wrote equals pycocotools'.

    .venv/bin/python benchmarks/bench_cli.py [--images 5000] [--dets-per-image 100]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import tempfile
from pathlib import Path

from bench_metrics import timed

from corrlib.metrics.__main__ import main as corrlib_metrics
from reproduction.dataset.random_coco import random_coco


def pycocotools_from_files(gt_path: str, dt_path: str) -> list[float]:
    """One full pycocotools bbox evaluation of a results file; returns its 12 summary numbers."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO(gt_path)
        coco_dt = coco_gt.loadRes(dt_path)
        evaluator = COCOeval(coco_gt, coco_dt, "bbox")
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return list(evaluator.stats)


def run_command(argv: list[str]) -> None:
    """Run ``corrlib-metrics`` in this process, its table swallowed; fail on a non-zero exit."""
    with contextlib.redirect_stdout(io.StringIO()):
        code = corrlib_metrics(argv)
    if code != 0:
        raise SystemExit(f"corrlib-metrics {' '.join(argv)} exited with {code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=5000)
    parser.add_argument("--dets-per-image", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    gt, dets = random_coco(
        n_images=args.images, n_categories=80, dets_per_image=args.dets_per_image, seed=args.seed
    )
    with tempfile.TemporaryDirectory() as tmp:
        gt_path, dt_path = str(Path(tmp) / "gt.json"), str(Path(tmp) / "dt.json")
        out_path = str(Path(tmp) / "metrics.json")
        Path(gt_path).write_text(json.dumps(gt))
        Path(dt_path).write_text(json.dumps(dets))
        common = ["--gt", gt_path, "--dt", dt_path, "--json", out_path, "--quiet"]

        rows: list[tuple[str, float, str]] = []
        seconds, stats = timed(lambda: pycocotools_from_files(gt_path, dt_path))
        rows.append(("pycocotools COCOeval, bbox (the unit)", seconds, f"AP {stats[0]:.4f}"))

        seconds, _ = timed(lambda: run_command(common))
        written = json.loads(Path(out_path).read_text())
        rows.append(
            (
                "corrlib-metrics (AP, oLRP, β_cls, bounds, JSON)",
                seconds,
                f"AP {written['AP']:.4f}, oLRP {written['oLRP']:.4f}, "
                f"β_cls {written['beta_cls']:.4f}",
            )
        )
        if abs(written["AP"] - stats[0]) > 1e-9:
            raise SystemExit(f"corrlib-metrics wrote AP {written['AP']}, pycocotools {stats[0]}")

        seconds, _ = timed(lambda: run_command([*common, "--no-bounds"]))
        rows.append(("corrlib-metrics --no-bounds", seconds, ""))

    unit = rows[0][1]
    print(
        f"corrlib-metrics on {args.images:,} synthetic images x {args.dets_per_image} "
        f"detections ({len(dets):,} detections, {len(gt['annotations']):,} objects, 80 "
        "classes), both from JSON files; one run each, seconds and ratio to pycocotools\n"
    )
    print("| step | seconds | × pycocotools | value |")
    print("|---|---:|---:|---|")
    for name, seconds, note in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / unit:.2f} | {note} |")


if __name__ == "__main__":
    main()
