"""``corrlib-metrics`` / ``python -m corrlib.metrics``: the thesis's metrics for any detector.

Reads a COCO ground-truth file and a COCO results file, prints a table of COCO AP, oLRP and its
components, β_cls and the class-level AP bounds (optionally one row per class), and with
``--json`` writes them all, as fractions, to a JSON file. The numbers are those of
`corrlib.metrics.analyse`; the dict written is `corrlib.metrics.summary.summarise`'s.

Exit status: 0 on success, 2 on bad input or arguments (one message on stderr naming the file,
the field and the value; nothing is written).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from corrlib.metrics.inputs import (
    GroundTruth,
    detections_to_arrays,
    load_ground_truth,
    normalise_results,
    read_json_file,
    results_list,
)
from corrlib.metrics.summary import STAGES, json_ready, summarise

__all__ = ["main", "build_parser", "format_summary", "format_per_class", "write_json"]

PROG = "corrlib-metrics"
EXIT_BAD_INPUT = 2

_EPILOG = """\
results files:
  A JSON list of COCO result dicts {"image_id", "category_id", "bbox": [x, y, w, h] in
  pixels, "score"}, as written by mmdetection (*.bbox.json), Detectron2
  (coco_instances_results.json), ultralytics YOLO (predictions.json) and pycocotools'
  loadRes; or a dict holding that list under "detections" or "annotations". Extra fields
  (segmentation, keypoints, file_name, ...) are ignored; only boxes are evaluated.
  A string image_id (ultralytics writes the file-name stem of non-numeric names) is matched
  to the ground-truth image whose file_name, base name or stem it equals (it must be
  unambiguous); an integer image_id is used as it is. ultralytics writes class indices
  + 1 as category ids for datasets other than COCO (older versions the 0-based index:
  use --category-offset 1). Not read: pickled (.pkl) or torch (.pth) result files.

output:
  The table prints values in % (oLRP and its components are errors: lower is better;
  beta_cls is printed x 100). --json writes fractions (AP and oLRP in [0, 1], beta in [-1, 1], null
  where undefined; the file says so under "units"): AP, AP50, AP75, APs, APm, APl, oLRP,
  oLRP_Loc, oLRP_FP, oLRP_FN, beta_cls, beta_cls_n_classes, AP/AP50/AP75_upper and _lower
  (class-level AP+1 / AP-1: each class's true-positive scores re-ordered to follow / oppose
  their IoUs), counts, and "per_class": id, name, n_gt, n_dt, n_tp, AP, oLRP, beta.
  True positives, oLRP and beta use COCO's matching at IoU 0.5, 100 detections per image.

exit status: 0 success; 2 bad input or arguments: one message on stderr naming the file,
  the field and the value ("detection i" counts from 0 in the file's list); nothing written.
"""


class BadInput(Exception):
    """Input the command refuses: ``str(error)`` is the one line it prints."""


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser of ``corrlib-metrics``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="COCO AP, oLRP, beta_cls and the class-level AP bounds (AP+1 / AP-1)\n"
        "of a detector's COCO-format results, all from one COCO matching.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--gt", required=True, metavar="GT.json", help="COCO annotation file")
    parser.add_argument(
        "--dt", required=True, metavar="DETECTIONS.json", help="COCO results file (see below)"
    )
    parser.add_argument(
        "--json", metavar="OUT.json", help="also write every number, as fractions, to this file"
    )
    parser.add_argument(
        "--per-class",
        action="store_true",
        help="also print one row per class (the JSON always has them)",
    )
    parser.add_argument(
        "--no-bounds",
        action="store_true",
        help="skip the class-level AP bounds (two fewer COCO evaluations)",
    )
    parser.add_argument(
        "--category-offset",
        type=int,
        default=0,
        metavar="K",
        help="add K to every detection's category_id (1 maps 0-based class indices onto "
        "1-based category ids)",
    )
    parser.add_argument(
        "--images-by-name",
        action="store_true",
        help="match every detection to its image by name: its file_name field, else its "
        "image_id read as a file name or stem (when numeric stems are not the GT's ids)",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bar (it is shown on stderr only when stderr is a terminal)",
    )
    return parser


class _Stages:
    """A tqdm bar over the stages of the analysis, on stderr (off when not a terminal)."""

    def __init__(self, names: Sequence[str], quiet: bool):
        from tqdm import tqdm

        self._bar = tqdm(
            total=len(names),
            file=sys.stderr,
            disable=True if quiet else None,
            leave=False,
            delay=0.5,
            unit="stage",
            bar_format="{desc}: {n_fmt}/{total_fmt} stages |{bar}| {elapsed}",
        )
        self._started = 0

    def __call__(self, name: str) -> None:
        """Mark the previous stage done and show that ``name`` has started."""
        if self._started:
            self._bar.update(1)
        self._started += 1
        self._bar.set_description_str(name, refresh=True)

    def close(self) -> None:
        """Remove the bar."""
        self._bar.close()


@contextlib.contextmanager
def _stages(names: Sequence[str], quiet: bool) -> Iterator[_Stages]:
    bar = _Stages(names, quiet)
    try:
        yield bar
    finally:
        bar.close()


def _read_ground_truth(path: str) -> GroundTruth:
    try:
        return load_ground_truth(read_json_file(path))
    except ValueError as err:
        raise BadInput(f"{path}: {err}") from None


def _category_hint(dets: Sequence, gt: GroundTruth, offset: int) -> str:
    """Advice when every category id would be known after shifting it by one."""
    ids = {d.get("category_id") for d in dets if isinstance(d, dict)}
    if not ids or not all(isinstance(c, int) for c in ids):
        return ""
    known = set(gt.category_ids.tolist())
    for shift in (1, -1):
        if all(c + offset + shift in known for c in ids):
            return f" (every id would be known with --category-offset {offset + shift})"
    return ""


def _read_detections(path: str, gt: GroundTruth, args: argparse.Namespace):
    raw: list = []
    try:
        raw = results_list(read_json_file(path))
        dets = normalise_results(
            raw, gt, category_offset=args.category_offset, images_by_name=args.images_by_name
        )
        return detections_to_arrays(dets, gt)
    except ValueError as err:
        message = str(err)
        if "unknown category_id" in message:
            message += _category_hint(raw, gt, args.category_offset)
        raise BadInput(f"{path}: {message}") from None


def _check_output(path: str | None) -> None:
    if path is None:
        return
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise BadInput(f"{path}: the folder {str(Path(path).parent)!r} does not exist")
    if Path(path).is_dir():
        raise BadInput(f"{path}: is a folder, not a file name")


def write_json(path: str, data: dict) -> None:
    """Write ``data`` as JSON to ``path`` atomically: a temporary file beside it, then rename.

    NaN and infinities are written as ``null``. Either the whole file appears or, on an error,
    nothing (an existing file stays as it was).
    """
    target = Path(path)
    text = json.dumps(json_ready(data), indent=2, allow_nan=False, ensure_ascii=False) + "\n"
    handle = tempfile.NamedTemporaryFile(
        "w",
        encoding="utf-8",
        dir=target.resolve().parent,
        prefix=f".{target.name}.",
        suffix=".tmp",
        delete=False,
    )
    try:
        with handle:
            handle.write(text)
        os.replace(handle.name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


def _pct(value: float, width: int = 7) -> str:
    """A fraction as a percentage with two decimals, or '-' when undefined."""
    if value is None or not math.isfinite(value):
        return "-".rjust(width)
    return f"{100.0 * value:{width}.2f}"


def format_summary(summary: dict, gt_path: str = "", dt_path: str = "") -> str:
    """The readable table of a `corrlib.metrics.summary.summarise` dict (values in %)."""
    lines = []
    if gt_path or dt_path:
        lines.append(f"{dt_path} against {gt_path}")
    lines.append(
        f"{summary['n_images']:,} images, {summary['n_categories']:,} categories, "
        f"{summary['n_ground_truths']:,} objects, {summary['n_detections']:,} detections, "
        f"{summary['n_true_positives']:,} true positives at IoU 0.5 (values in %)"
    )
    lines.append("")
    ap_keys = ("AP", "AP50", "AP75", "APs", "APm", "APl")
    lines.append(f"{'':22}" + "".join(f"{k:>8}" for k in ap_keys))
    lines.append(f"{'COCO AP':22}" + "".join(" " + _pct(summary[k]) for k in ap_keys))
    for side, label in (("upper", "AP+1 (upper bound)"), ("lower", "AP-1 (lower bound)")):
        if f"AP_{side}" in summary:
            values = (summary[f"{k}_{side}"] for k in ("AP", "AP50", "AP75"))
            lines.append(f"{label:22}" + "".join(" " + _pct(v) for v in values))
    lines.append("")
    lines.append(f"{'':22}" + "".join(f"{k:>8}" for k in ("oLRP", "Loc", "FP", "FN")))
    values = (summary[k] for k in ("oLRP", "oLRP_Loc", "oLRP_FP", "oLRP_FN"))
    lines.append(f"{'oLRP (lower = better)':22}" + "".join(" " + _pct(v) for v in values))
    lines.append("")
    lines.append(
        f"{'beta_cls':22} {_pct(summary['beta_cls'])}   "
        f"(mean Spearman(IoU, score) over {summary['beta_cls_n_classes']} classes)"
    )
    return "\n".join(lines)


def format_per_class(rows: Sequence[dict]) -> str:
    """The per-class table of `corrlib.metrics.summary.per_class_rows` (AP, oLRP, beta in %)."""
    header = (
        f"{'id':>6}  {'name':<24}{'n_gt':>7}{'n_dt':>8}{'n_tp':>7}{'AP':>8}{'oLRP':>8}{'beta':>8}"
    )
    lines = [header]
    for row in rows:
        name = row["name"] if len(row["name"]) <= 24 else row["name"][:23] + "~"
        lines.append(
            f"{row['id']:>6}  {name:<24}{row['n_gt']:>7}{row['n_dt']:>8}{row['n_tp']:>7}"
            f" {_pct(row['AP'])} {_pct(row['oLRP'])} {_pct(row['beta'])}"
        )
    return "\n".join(lines)


def _analyse(args: argparse.Namespace) -> dict:
    _check_output(args.json)
    stages = ["reading ground truth", "reading detections", *STAGES]
    if args.no_bounds:
        stages.remove(STAGES[-1])
    with _stages(stages, args.quiet) as stage:
        stage(stages[0])
        gt = _read_ground_truth(args.gt)
        stage(stages[1])
        dets = _read_detections(args.dt, gt, args)
        summary = summarise(gt, dets, bounds=not args.no_bounds, on_stage=stage)
    return {"ground_truth": args.gt, "detections": args.dt, **summary}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command.

    Args:
        argv: the arguments (without the program name); ``sys.argv[1:]`` when None.

    Returns:
        The exit status: 0 on success, 2 on bad input or arguments (``--help`` returns 0).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else EXIT_BAD_INPUT
    try:
        summary = _analyse(args)
        if args.json:
            try:
                write_json(args.json, summary)
            except OSError as err:
                raise BadInput(f"{args.json}: cannot write: {err.strerror or err}") from None
    except BadInput as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(format_summary(summary, args.gt, args.dt))
    if args.per_class:
        print()
        print(format_per_class(summary["per_class"]))
    if args.json:
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
