"""Benchmark: corrlib.metrics against one pycocotools COCOeval on a synthetic COCO-sized set.

Makes a synthetic ground truth of N images (80 classes, about 7 objects each) with 100
detections per image, writes the ground truth to a temporary JSON file, and times, from that
file and the list of result dicts:

- one pycocotools evaluation (COCO(file), loadRes, evaluate, accumulate, summarize): the unit;
- faster-coco-eval alone (the same steps), for reference;
- each of corrlib's coco_ap, olrp, class_level_correlation and class_level_bounds on its own;
- analyse: all four from one shared COCO matching (the goal: within 1.5x the unit).

Prints a Markdown table of seconds and the ratio to pycocotools measured in the same run.

    .venv/bin/python benchmarks/bench_metrics.py [--images 5000] [--skip-pycocotools]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from corrlib import metrics
from reproduction.dataset.random_coco import random_coco


def timed(function: Callable[[], object]) -> tuple[float, object]:
    """Return (seconds, result) of one call."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def pycocotools_eval(gt_path: str, dets: list[dict]) -> list[float]:
    """One full pycocotools bbox evaluation; returns its 12 summary numbers."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO(gt_path)
        coco_dt = coco_gt.loadRes(copy.deepcopy(dets))  # loadRes modifies the dicts
        evaluator = COCOeval(coco_gt, coco_dt, "bbox")
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return list(evaluator.stats)


def faster_coco_eval_eval(gt_path: str, dets: list[dict]) -> list[float]:
    """The same evaluation with faster-coco-eval."""
    from faster_coco_eval import COCO, COCOeval_faster

    coco_gt = COCO(gt_path)
    coco_dt = coco_gt.loadRes(copy.deepcopy(dets))
    evaluator = COCOeval_faster(coco_gt, coco_dt, "bbox", print_function=lambda *_: None)
    evaluator.evaluate()
    evaluator.accumulate()
    evaluator.summarize()
    return list(evaluator.stats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=5000)
    parser.add_argument("--dets-per-image", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--skip-pycocotools",
        action="store_true",
        help="do not run pycocotools (ratios are then to faster-coco-eval)",
    )
    args = parser.parse_args()

    gt, dets = random_coco(
        n_images=args.images, n_categories=80, dets_per_image=args.dets_per_image, seed=args.seed
    )
    with tempfile.TemporaryDirectory() as tmp:
        gt_path = str(Path(tmp) / "gt.json")
        Path(gt_path).write_text(json.dumps(gt))
        rows: list[tuple[str, float, str]] = []
        reference_ap = None
        if not args.skip_pycocotools:
            seconds, stats = timed(lambda: pycocotools_eval(gt_path, dets))
            rows.append(("pycocotools COCOeval (the unit)", seconds, f"AP {stats[0]:.4f}"))
            reference_ap = stats[0]
        seconds, stats = timed(lambda: faster_coco_eval_eval(gt_path, dets))
        rows.append(("faster-coco-eval COCOeval", seconds, f"AP {stats[0]:.4f}"))

        seconds, ap = timed(lambda: metrics.coco_ap(gt_path, dets))
        rows.append(("corrlib coco_ap", seconds, f"AP {ap['AP']:.4f}"))
        if reference_ap is not None and abs(ap["AP"] - reference_ap) > 1e-9:
            raise SystemExit(f"coco_ap {ap['AP']} differs from pycocotools {reference_ap}")
        seconds, lrp = timed(lambda: metrics.olrp(gt_path, dets))
        rows.append(("corrlib olrp", seconds, f"oLRP {lrp['oLRP']:.4f}"))
        seconds, beta = timed(lambda: metrics.class_level_correlation(gt_path, dets))
        rows.append(("corrlib class_level_correlation", seconds, f"β_cls {beta:.4f}"))
        seconds, bounds = timed(lambda: metrics.class_level_bounds(gt_path, dets))
        rows.append(
            (
                "corrlib class_level_bounds",
                seconds,
                f"AP⁺¹ {bounds['upper']['AP']:.4f}, AP⁻¹ {bounds['lower']['AP']:.4f}",
            )
        )
        separate = sum(row[1] for row in rows[-4:])
        rows.append(("the four above, one after another", separate, ""))
        seconds, everything = timed(lambda: metrics.analyse(gt_path, dets))
        rows.append(("corrlib analyse (all four, one matching)", seconds, ""))
        if abs(everything["ap"]["AP"] - ap["AP"]) > 1e-12:
            raise SystemExit("analyse and coco_ap disagree")

    unit = rows[0][1]
    unit_name = "pycocotools" if reference_ap is not None else "faster-coco-eval"
    n_dets = len(dets)
    print(
        f"corrlib.metrics on {args.images:,} synthetic images x {args.dets_per_image} "
        f"detections ({n_dets:,} detections, {len(gt['annotations']):,} objects, 80 classes); "
        f"one run each, seconds and ratio to {unit_name}\n"
    )
    print(f"| step | seconds | × {unit_name} | value |")
    print("|---|---:|---:|---|")
    for name, seconds, note in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / unit:.2f} | {note} |")


if __name__ == "__main__":
    main()
