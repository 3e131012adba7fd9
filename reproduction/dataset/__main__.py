"""Command line: ``python -m reproduction.dataset generate ...``, ``... coco-standin ...`` and
``... check ...``.

``generate`` writes an embedded dataset (a named preset, optionally resized) and prints where
it wrote and how long it took. ``coco-standin OUT_DIR`` writes a synthetic stand-in with COCO
2017's layout and categories (for checking the paper profile's configs without COCO; see
data/README.md). ``check`` checks a dataset root and prints a summary per split, or the one
error found (exit status 1).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from .check import DatasetError, check_coco_dataset
from .generate import PRESETS, is_current, preset_dir, timed_generate
from .paths import generated_root
from .standin import DEFAULT_TRAIN_IMAGES, DEFAULT_VAL_IMAGES, timed_generate_coco_standin


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m reproduction.dataset", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="generate the embedded synthetic dataset")
    gen.add_argument("--preset", choices=sorted(PRESETS), default="demo")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument(
        "--out", type=Path, default=None, help="output directory (default: data/generated/<name>)"
    )
    gen.add_argument("--images-train", type=int, default=None, dest="n_train")
    gen.add_argument("--images-val", type=int, default=None, dest="n_val")
    gen.add_argument(
        "--size", type=int, default=None, dest="image_size", help="image side in pixels"
    )
    gen.add_argument("--classes", type=int, default=None, dest="n_classes")
    gen.add_argument(
        "--force", action="store_true", help="regenerate even if an identical set is already there"
    )
    standin = commands.add_parser(
        "coco-standin",
        help="write a synthetic stand-in with COCO 2017's layout and categories (not COCO)",
    )
    standin.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    standin.add_argument("--train-images", type=int, default=DEFAULT_TRAIN_IMAGES)
    standin.add_argument("--val-images", type=int, default=DEFAULT_VAL_IMAGES)
    standin.add_argument("--seed", type=int, default=0)
    standin.add_argument(
        "--force", action="store_true", help="rewrite even if the same stand-in is already there"
    )
    chk = commands.add_parser("check", help="check a COCO-format dataset root")
    chk.add_argument("--root", type=Path, required=True)
    chk.add_argument("--splits", nargs="+", default=["train", "val"])
    chk.add_argument("--layout", choices=["auto", "coco", "embedded"], default="auto")
    return parser


def _generate(args: argparse.Namespace) -> int:
    overrides = {
        k: getattr(args, k)
        for k in ("n_train", "n_val", "image_size", "n_classes")
        if getattr(args, k) is not None
    }
    spec = replace(PRESETS[args.preset], **overrides)
    out = args.out
    if out is None and not overrides:
        out = preset_dir(args.preset, args.seed)
    elif out is None:
        name = (
            f"{args.preset}-{spec.n_train}x{spec.n_val}-{spec.image_size}px-"
            f"{spec.n_classes}cls" + (f"-seed{args.seed}" if args.seed else "")
        )
        out = generated_root() / name
    if not args.force and is_current(out, spec, args.seed):
        print(f"{out} is up to date (same parameters and generator); nothing written")
        return 0
    try:
        path, seconds = timed_generate(out, spec, args.seed, force=args.force)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(
        f"wrote {path} ({spec.n_train} train + {spec.n_val} val images, "
        f"{spec.image_size} px, {spec.n_classes} classes, seed {args.seed}) "
        f"in {seconds:.2f} s"
    )
    return 0


def _coco_standin(args: argparse.Namespace) -> int:
    try:
        path, seconds = timed_generate_coco_standin(
            args.out_dir,
            n_train=args.train_images,
            n_val=args.val_images,
            seed=args.seed,
            force=args.force,
        )
    except (ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(
        f"wrote {path}: a synthetic COCO-format stand-in, NOT COCO ({args.train_images} train +"
        f" {args.val_images} val images, seed {args.seed}) in {seconds:.1f} s; "
        f"point the paper profile at it with COCO_ROOT={path}"
    )
    return 0


def _check(args: argparse.Namespace) -> int:
    try:
        summaries = check_coco_dataset(args.root, args.splits, layout=args.layout)
    except DatasetError as err:
        print(f"dataset check failed: {err}", file=sys.stderr)
        return 1
    for s in summaries.values():
        print(
            f"{s.split}: {s.n_images} images, {s.n_annotations} annotations, "
            f"{s.n_categories} categories ({s.annotation_file})"
        )
    print(f"OK: {args.root}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    args = _parser().parse_args(argv)
    commands = {"generate": _generate, "coco-standin": _coco_standin, "check": _check}
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
