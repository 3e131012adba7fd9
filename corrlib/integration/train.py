"""Train one thesis experiment: ``python -m corrlib.integration.train EXPERIMENT [options]``.

The experiment ids are those of :mod:`corrlib.experiments` (``python -c "from
corrlib.experiments import experiment_ids; print(experiment_ids())"``). The run's config is
:func:`corrlib.integration.build_config` of the experiment and profile; the dataset is checked
first (a missing or malformed file stops the run with one error naming it, before anything is
written); then mmengine's Runner trains and leaves the checkpoint, the log (``*.log`` and
``vis_data/scalars.json`` with ``loss_corr`` among the losses) and the config in the work dir
(default ``work_dirs/<profile>/<experiment>/seed<seed>``).

Examples::

    # demo profile on a CPU (data: python -m corrlib.data generate --preset demo)
    python -m corrlib.integration.train atss_baseline --profile demo
    python -m corrlib.integration.train atss_concordance_0.3 --profile demo

    # read the resolved config without training
    python -m corrlib.integration.train atss_concordance_0.3 --profile demo --dump-config
    python -m corrlib.integration.train atss_concordance_0.3 --profile paper --dump-config cfg.py

Paper profile on N GPUs of one machine (COCO 2017 under ``$COCO_ROOT``, see data/README.md);
images per GPU are 16 / N, so that the batch is the thesis's 16 (§5.1: 4 GPUs × 4 images)::

    torchrun --nproc_per_node 4 -m corrlib.integration.train atss_concordance_0.3 \\
        --profile paper --device cuda --gpus 4 --launcher pytorch

Under SLURM, one task per GPU, with mmengine's slurm launcher (it reads SLURM_PROCID,
SLURM_NTASKS and the node list; pick a free MASTER_PORT)::

    srun -p PARTITION --gres=gpu:4 --ntasks=4 --ntasks-per-node=4 --cpus-per-task=5 \\
        env MASTER_PORT=29500 python -m corrlib.integration.train atss_concordance_0.3 \\
        --profile paper --device cuda --gpus 4 --launcher slurm

Checkpoints are loaded (``--resume``, and by the evaluation) with torch's safe
``weights_only`` loader; :func:`allow_mmengine_checkpoints` allow-lists the few mmengine and
numpy types an mmengine checkpoint holds, rather than unpickling arbitrary code.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from corrlib.profiles import PROFILES, get_profile


def allow_mmengine_checkpoints() -> None:
    """Allow-list, for ``torch.load(weights_only=True)``, exactly what mmengine checkpoints hold.

    torch ≥ 2.6 loads with ``weights_only=True`` by default. mmengine 0.10.7 checkpoints keep
    the message hub in ``meta``: ``HistoryBuffer`` objects holding numpy arrays, and a dict of
    the buffer's statistics methods pickled as ``getattr(HistoryBuffer, 'mean')``. Allowing
    the builtin ``getattr`` would let a checkpoint reach any attribute of anything (and so run
    code); instead the name ``getattr`` is mapped to :func:`_history_buffer_method`, which
    returns only those methods. The numpy types are plain containers. Nothing else may be
    constructed on loading. Idempotent.
    """
    import numpy as np
    import torch
    from mmengine.logging.history_buffer import HistoryBuffer

    multiarray = _numpy_multiarray()
    dtype_classes = [type(np.dtype(t)) for t in ("float64", "float32", "int64", "int32", "bool")]
    torch.serialization.add_safe_globals(
        [
            HistoryBuffer,
            np.ndarray,
            np.dtype,
            multiarray._reconstruct,
            multiarray.scalar,
            *dtype_classes,
            (_history_buffer_method, "__builtin__.getattr"),
            (_history_buffer_method, "builtins.getattr"),
        ]
    )


def _history_buffer_method(obj: object, name: str):
    """``getattr`` restricted to ``HistoryBuffer``'s statistics methods (for unpickling)."""
    from mmengine.logging.history_buffer import HistoryBuffer

    allowed = {"min", "max", "current", "mean", *HistoryBuffer._statistics_methods}
    if obj is HistoryBuffer and name in allowed:
        return getattr(HistoryBuffer, name)
    import pickle

    raise pickle.UnpicklingError(
        f"checkpoint asks for getattr({obj!r}, {name!r}); only HistoryBuffer statistics "
        "methods are allowed"
    )


def _numpy_multiarray():
    """numpy's ``multiarray`` module (``numpy._core`` in numpy 2, ``numpy.core`` before)."""
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy < 2
        from numpy.core import multiarray
    return multiarray


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m corrlib.integration.train",
        description="Train one thesis experiment (see corrlib.experiments) in a profile.",
    )
    p.add_argument("experiment", help="experiment id, e.g. atss_concordance_0.3")
    p.add_argument("--profile", choices=list(PROFILES), default="demo")
    p.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    p.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="default work_dirs/<profile>/<experiment>/seed<seed>",
    )
    p.add_argument(
        "--data-root",
        type=Path,
        default=None,
        help="dataset root (default: the profile's; paper: $COCO_ROOT)",
    )
    p.add_argument(
        "--max-iters",
        type=int,
        default=None,
        help="train this many iterations (smoke/demo keep the schedule's shape)",
    )
    p.add_argument(
        "--device",
        choices=("cpu", "cuda"),
        default=None,
        help="default: cuda for the paper profile, cpu otherwise",
    )
    p.add_argument(
        "--gpus",
        type=int,
        default=None,
        help="paper: number of GPUs (images per GPU = 16 / gpus); default: "
        "the launcher's world size, else 4 as in the thesis",
    )
    p.add_argument("--launcher", choices=("none", "pytorch", "slurm", "mpi"), default="none")
    p.add_argument(
        "--no-validate",
        action="store_true",
        help="skip the evaluation on the validation split during training",
    )
    p.add_argument(
        "--resume", action="store_true", help="resume from the work dir's last checkpoint"
    )
    p.add_argument(
        "--dump-config",
        nargs="?",
        const="-",
        default=None,
        metavar="PATH",
        help="print the resolved config (or write it to PATH) and exit",
    )
    return p


def _world_size() -> int | None:
    """The launcher's number of processes, if a launcher set one."""
    for var in ("WORLD_SIZE", "SLURM_NTASKS"):
        if os.environ.get(var):
            return int(os.environ[var])
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit status (0 ok, 2 bad input or dataset)."""
    args = _parser().parse_args(argv)
    device = args.device or ("cpu" if get_profile(args.profile).synthetic else "cuda")
    if device == "cpu":  # before torch sees a GPU: mmengine puts the model on any it finds
        os.environ["CUDA_VISIBLE_DEVICES"] = ""

    from corrlib.integration.configs import THESIS_GPUS, build_config, default_data_root

    gpus = args.gpus or (_world_size() if args.launcher != "none" else None) or THESIS_GPUS
    try:
        cfg = build_config(
            args.experiment,
            args.profile,
            data_root=args.data_root,
            work_dir=args.work_dir,
            seed=args.seed,
            max_iters=args.max_iters,
            device=device,
            gpus=gpus,
            validate=not args.no_validate,
        )
    except (KeyError, ValueError, FileNotFoundError) as err:
        print(f"error: {err.args[0] if err.args else err}", file=sys.stderr)
        return 2

    if args.dump_config is not None:
        if args.dump_config == "-":
            print(cfg.pretty_text)
        else:
            cfg.dump(args.dump_config)
        return 0

    data_root = Path(cfg.corrlib.data_root) if args.data_root is None else args.data_root
    if not _check_dataset(data_root, args.profile, default_data_root(args.profile)):
        return 2

    cfg.launcher = args.launcher
    cfg.resume = args.resume
    train(cfg)
    return 0


def _check_dataset(root: Path, profile: str, default_root: Path) -> bool:
    """Check the dataset before anything is written; print one clear error if it fails."""
    from corrlib import data as corrdata

    spec = get_profile(profile)
    layout = "embedded" if spec.synthetic else "coco"
    try:
        corrdata.check_coco_dataset(root, ("train", "val"), layout=layout)
    except corrdata.DatasetError as err:
        hint = ""
        if spec.synthetic and root == default_root:
            hint = f" (generate it: python -m corrlib.data generate --preset {spec.dataset})"
        elif not spec.synthetic:
            hint = f" (set ${corrdata.COCO_ROOT_ENV}; see data/README.md)"
        print(f"error: dataset check failed: {err}{hint}", file=sys.stderr)
        return False
    return True


def train(cfg) -> None:
    """Train with mmengine's Runner from a config of :func:`build_config`."""
    from mmengine.runner import Runner

    allow_mmengine_checkpoints()
    if cfg.get("visualizer") is not None:
        # mmengine keeps visualizers by name for the whole process; mmdet's configs name theirs
        # 'visualizer', so a second run in one process (tests, notebooks) would log into the
        # first run's directory. One name per run keeps each run's scalars in its own work dir.
        cfg.visualizer.name = f"visualizer_{id(cfg)}_{os.getpid()}_{time.time_ns()}"
    runner = Runner.from_cfg(cfg)
    runner.train()


if __name__ == "__main__":
    sys.exit(main())
