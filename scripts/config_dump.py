"""Every training config the project can build, as text, and where two dumps differ.

A refactoring of the config builder must leave every built config as it was. This script builds
the training config of every (profile, experiment) the project defines — each profile of
:data:`reproduction.spec.profiles.PROFILES` and two check profiles, with its plan and every group
of experiments a run may add to it (:data:`reproduction.spec.plans.EXTENSIONS`), seed 0, as the
training command builds it — plus a few runs that set each override, and writes each as sorted
JSON, one file per config. No data are needed: an embedded dataset that is not generated yet
takes its preset's classes. A config the builder refuses is written as the error it raised.

Paths that vary by checkout are written relative to the repository root (the data root and
``$COCO_ROOT`` too, as ``<data>`` and ``<coco>``), so that two checkouts' dumps compare::

    python scripts/config_dump.py DIR                  # write DIR/<profile>/<experiment>.json
    python scripts/config_dump.py --compare A B        # exit 1 when a config differs
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

CHECK_PROFILES: tuple[str, ...] = ("paper-check-2it", "paper-standin-2it")
"""Check profiles dumped beside the named ones (any iteration count builds alike)."""

OVERRIDES: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("demo", "atss_baseline", "max_iters", {"max_iters": 7}),
    ("demo", "atss_baseline", "val_interval", {"val_interval": 3}),
    ("demo", "atss_baseline", "val_images", {"val_images": 5, "validate": True}),
    ("demo", "atss_baseline", "validate", {"validate": True}),
    ("demo", "atss_baseline", "seed3", {"seed": 3}),
    ("demo", "atss_baseline", "cuda", {"device": "cuda"}),
    ("smoke", "retinanet_spearman_0.1", "work_dir", {"work_dir": "elsewhere/run"}),
    ("smoke", "retinanet_spearman_0.1", "data_root", {"data_root": "elsewhere/data"}),
    ("paper", "atss_concordance_0.3", "gpus8", {"gpus": 8}),
    ("paper", "atss_concordance_0.3", "max_iters", {"max_iters": 5}),
    ("paper-standin-2it", "atss_baseline", "gpus2", {"gpus": 2}),
)
"""(profile, experiment, name, overrides): runs that set an override, dumped as
``<profile>/<experiment>@<name>.json``."""


def runs() -> list[tuple[str, str]]:
    """Return every (profile, experiment id) to dump, in a stable order."""
    from reproduction.spec.plans import EXTENSIONS, plan
    from reproduction.spec.profiles import PROFILES

    out: list[tuple[str, str]] = []
    for profile in (*PROFILES, *CHECK_PROFILES):
        experiments = plan(profile).adding(list(EXTENSIONS)).experiments
        out.extend((profile, experiment) for experiment in experiments)
    return out


def build(profile: str, experiment: str, **overrides: Any) -> dict:
    """Return the training config of one run as the training command builds it, as a dict."""
    from reproduction.running.config_builder import build_config
    from reproduction.spec.run import Run

    return build_config(Run.resolve(experiment, profile, **overrides)).to_dict()


def normalised(text: str) -> str:
    """Return ``text`` with the data root, the COCO root and the repository root replaced by
    ``<data>``, ``<coco>`` and nothing (paths relative to the checkout)."""
    from reproduction import dataset

    for path, name in (
        (dataset.coco_root(), "<coco>"),
        (dataset.data_root(), "<data>"),
        (REPO, ""),
    ):
        resolved = str(Path(path).resolve())
        text = text.replace(resolved + "/", f"{name}/" if name else "")
        text = text.replace(resolved, name or ".")
    return text


def config_text(profile: str, experiment: str, **overrides: Any) -> str:
    """Return the sorted JSON of one run's config, or ``error: <type>: <message>``."""
    try:
        body = json.dumps(build(profile, experiment, **overrides), indent=1, sort_keys=True,
                          default=repr)  # fmt: skip
    except (KeyError, ValueError, FileNotFoundError) as err:
        body = f"error: {type(err).__name__}: {err}"
    return normalised(body) + "\n"


def dump(out: Path) -> int:
    """Write every config under ``out``; return how many were written."""
    count = 0
    jobs = [(p, e, e, {}) for p, e in runs()]
    jobs += [(p, e, f"{e}@{name}", dict(o)) for p, e, name, o in OVERRIDES]
    for profile, experiment, name, overrides in jobs:
        path = out / profile / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(config_text(profile, experiment, **overrides), encoding="utf-8")
        count += 1
    return count


def compare(a: Path, b: Path) -> int:
    """Print the configs that differ between dumps ``a`` and ``b`` (and their differing lines);
    return the number of differing or missing configs."""
    names_a = {p.relative_to(a) for p in a.rglob("*.json")}
    names_b = {p.relative_to(b) for p in b.rglob("*.json")}
    problems = 0
    for name in sorted(names_a ^ names_b):
        print(f"only in {a if name in names_a else b}: {name}")
        problems += 1
    for name in sorted(names_a & names_b):
        old = (a / name).read_text(encoding="utf-8").splitlines()
        new = (b / name).read_text(encoding="utf-8").splitlines()
        if old != new:
            problems += 1
            print(f"differs: {name}")
            for line in difflib.unified_diff(
                old, new, str(a / name), str(b / name), n=1, lineterm=""
            ):
                print(f"  {line}")
    print(f"{len(names_a & names_b)} configs in both; {problems} differ or are missing")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return 0, or 1 when ``--compare`` finds a difference."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out", nargs="?", type=Path, help="folder to write the configs into")
    p.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"))
    args = p.parse_args(argv)
    if args.compare:
        return 1 if compare(*args.compare) else 0
    if args.out is None:
        p.error("give a folder to write into, or --compare A B")
    print(f"{dump(args.out)} configs written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
