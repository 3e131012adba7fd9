"""Train one thesis experiment: ``python -m reproduction.running.train EXPERIMENT [options]``.

The experiment ids are those of :mod:`reproduction.spec.experiments` (``python -c "from
reproduction.spec.experiments import experiment_ids; print(experiment_ids())"``). The run's config
is
:func:`reproduction.running.config_builder.build_config` of the experiment and profile; the dataset
is
checked first (a missing or malformed file stops the run with one error naming it, before
anything is written); then mmengine's Runner trains and leaves the checkpoint, the log
(``*.log`` and ``vis_data/scalars.json`` with ``loss_corr`` among the losses) and the config in
the work dir (default ``work_dirs/<profile>/<experiment>/seed<seed>``).

Examples::

    # demo profile on a CPU (data: python -m reproduction.dataset generate --preset demo)
    python -m reproduction.running.train atss_baseline --profile demo
    python -m reproduction.running.train atss_concordance_0.3 --profile demo

    # read the resolved config without training
    python -m reproduction.running.train atss_concordance_0.3 --profile demo --dump-config
    python -m reproduction.running.train atss_concordance_0.3 --profile paper --dump-config cfg.py

Paper profile on N GPUs of one machine (COCO 2017 under ``$COCO_ROOT``, see data/README.md);
images per GPU are 16 / N, so that the batch is the thesis's 16 (§5.1: 4 GPUs × 4 images)::

    torchrun --nproc_per_node 4 -m reproduction.running.train atss_concordance_0.3 \\
        --profile paper --device cuda --gpus 4 --launcher pytorch

On CPUs the same launchers run several processes over gloo (``--launcher pytorch`` under
torchrun, ``--launcher slurm`` under srun: see ``scripts/slurm_train.sbatch``)::

    torchrun --nproc_per_node 2 -m reproduction.running.train atss_concordance_0.3 \\
        --profile smoke --launcher pytorch

Under SLURM, one task per GPU, with mmengine's slurm launcher (it reads SLURM_PROCID,
SLURM_NTASKS and the node list; pick a free MASTER_PORT)::

    srun -p PARTITION --gres=gpu:4 --ntasks=4 --ntasks-per-node=4 --cpus-per-task=5 \\
        env MASTER_PORT=29500 python -m reproduction.running.train atss_concordance_0.3 \\
        --profile paper --device cuda --gpus 4 --launcher slurm

Every way of training goes through :func:`train_experiment` (this CLI, the train notebook,
torchrun, SLURM, Snakemake): it checks the dataset, trains or resumes an interrupted run, and
writes ``train_summary.json`` in the work dir last and atomically, so its presence means the
run finished. ``python -m reproduction.running.evaluate`` then evaluates any finished work dir.
Checkpoints are loaded with torch's safe ``weights_only`` loader
(:func:`corrlib.integration.checkpoints.allow_mmengine_checkpoints`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from corrlib.integration.checkpoints import allow_mmengine_checkpoints
from reproduction.records.results import write_json_atomic
from reproduction.spec.profiles import PROFILES, Profile, get_profile
from reproduction.spec.run import Run

SUMMARY_NAME = "train_summary.json"


def seconds_per_iter(work_dir: Path, since: float | None = None) -> float | None:
    """Median seconds per training iteration from mmengine's ``scalars.json`` logs.

    Reads the ``time`` entries mmengine logs (an average over each log interval) and drops the
    first interval (start-up, data-loader warm-up). ``since`` (a ``time.time()`` value): only
    logs written since then count, e.g. not those of an earlier run that was killed before its
    first checkpoint and so left nothing this run resumed from. None when no log has timing.
    """
    times: list[float] = []
    for path in sorted(work_dir.glob("*/vis_data/scalars.json")):
        if since is not None and path.stat().st_mtime < since:
            continue
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            if "time" in entry and "loss" in entry:
                times.append(float(entry["time"]))
    if len(times) > 1:
        times = times[1:]
    if not times:
        return None
    times.sort()
    return times[len(times) // 2]


class DatasetCheckFailed(RuntimeError):
    """The dataset check failed before anything was written (the message names the problem)."""


def train_experiment(run: Run, *, launcher: str = "none") -> dict:
    """Train one run (resuming an interrupted one); return and write its summary.

    ``run``: what to train (:class:`reproduction.spec.run.Run`, resolved by the entry point);
    ``launcher``: how its processes were started ("none", "pytorch", "slurm" or "mpi"); under a
    launcher a run without a ``gpus`` override takes the launcher's world size.

    Returns ``{"experiment", "profile", "seed", "checkpoint" (path relative to the work dir),
    "iterations", "seconds_per_iter" (median s/iter), "wall_s" (s, this call), "resumed"
    (bool), "device"}``; the same dict is written to ``<work dir>/train_summary.json`` by rank 0.

    Raises:
        DatasetCheckFailed: the dataset check failed (nothing is written).
    """
    if run.device == "cpu":  # before torch sees a GPU: mmengine moves the model to any it finds
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
    from reproduction.running.config_builder import build_config, default_data_root

    if run.overrides.gpus is None and launcher != "none" and _world_size():
        run = run.with_overrides(gpus=_world_size())
    cfg = build_config(run)
    root = Path(cfg.corrlib.data_root)
    problem = _dataset_problem(root, run.profile, default_data_root(run.profile))
    if problem:
        raise DatasetCheckFailed(problem)

    work = Path(cfg.work_dir)
    resumed = (work / "last_checkpoint").is_file()
    cfg.resume = resumed
    cfg.launcher = launcher
    started, started_at = time.perf_counter(), time.time()
    runner = train_config(cfg)
    # Rank 0 alone saves the checkpoint and the log; every rank reads them after it has.
    _barrier()
    checkpoint = Path((work / "last_checkpoint").read_text().strip())
    checkpoint = checkpoint if checkpoint.is_absolute() else Path.cwd() / checkpoint
    summary = {
        "experiment": run.experiment.id,
        "profile": run.profile.name,
        "seed": run.seed,
        "checkpoint": os.path.relpath(checkpoint, work),
        "iterations": int(runner.iter),
        # a fresh run's own log only; a resumed run's include the runs it resumed
        "seconds_per_iter": seconds_per_iter(work, since=None if resumed else started_at),
        "wall_s": time.perf_counter() - started,
        "resumed": resumed,
        "device": run.device,
    }
    if _rank() == 0:
        write_json_atomic(work / SUMMARY_NAME, summary)
    _barrier()  # the summary is there (its presence means "finished") when any rank returns
    return summary


def train_config(cfg):
    """Train with mmengine's Runner from a config of :func:`build_config`; return the runner."""
    from mmengine.runner import Runner

    allow_mmengine_checkpoints()
    if cfg.get("launcher", "none") != "none" and _device(cfg) == "cpu":
        _prepare_cpu_processes(cfg)
    if cfg.get("visualizer") is not None:
        # mmengine keeps visualizers by name for the whole process; mmdet's configs name theirs
        # 'visualizer', so a second run in one process (tests, notebooks) would log into the
        # first run's directory. One name per run keeps each run's scalars in its own work dir.
        cfg.visualizer.name = f"visualizer_{id(cfg)}_{os.getpid()}_{time.time_ns()}"
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


def _device(cfg) -> str:
    """The config's device (the builder records it), else cuda where torch sees a GPU."""
    import torch

    recorded = (cfg.get("corrlib") or {}).get("device")
    return recorded or ("cuda" if torch.cuda.is_available() else "cpu")


def _prepare_cpu_processes(cfg) -> None:
    """Let mmengine's Runner train on CPUs in several processes (gloo).

    mmengine 0.10.7 assumes a GPU per process when it starts a distributed run: its launchers
    call ``torch.cuda.set_device`` and it wraps the model in DDP with ``device_ids=[LOCAL_RANK]``.
    On CPUs the process group is started here instead (the Runner then leaves it alone) and
    the model is wrapped without device ids.
    """
    import torch.distributed as dist

    if cfg.launcher not in ("pytorch", "slurm"):
        raise ValueError(
            f"training on CPUs in several processes needs --launcher pytorch (torchrun) or "
            f"slurm (srun), not {cfg.launcher!r}"
        )
    if cfg.launcher == "slurm":
        _slurm_process_environment()
    if not dist.is_initialized():
        dist.init_process_group(backend="gloo")  # RANK, WORLD_SIZE, MASTER_* set by now
    wrapper = dict(cfg.get("model_wrapper_cfg") or {})
    wrapper.setdefault("type", "MMDistributedDataParallel")
    wrapper.setdefault("broadcast_buffers", False)
    wrapper.setdefault("find_unused_parameters", cfg.get("find_unused_parameters", False))
    wrapper["device_ids"] = None
    cfg.model_wrapper_cfg = wrapper


def _slurm_process_environment() -> None:
    """Set torch's process variables (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT)
    from Slurm's task variables, as mmengine's slurm launcher does for GPUs; variables already
    set are kept. The first host of the job's node list is the master (``scontrol``), else
    this host; the port is ``MASTER_PORT`` or 29500."""
    import subprocess

    env = os.environ
    for torch_name, slurm_name in (
        ("RANK", "SLURM_PROCID"),
        ("WORLD_SIZE", "SLURM_NTASKS"),
        ("LOCAL_RANK", "SLURM_LOCALID"),
    ):
        if torch_name not in env:
            if slurm_name not in env:
                raise ValueError(
                    f"--launcher slurm: {slurm_name} is not set (start the tasks with srun)"
                )
            env[torch_name] = env[slurm_name]
    if "MASTER_ADDR" not in env:
        nodes = env.get("SLURM_STEP_NODELIST") or env.get("SLURM_NODELIST", "")
        first = ""
        if nodes:
            shown = subprocess.run(
                ["scontrol", "show", "hostnames", nodes], capture_output=True, text=True
            )
            first = shown.stdout.split("\n")[0].strip() if shown.returncode == 0 else ""
        env["MASTER_ADDR"] = first or "127.0.0.1"
    env.setdefault("MASTER_PORT", "29500")


def _rank() -> int:
    """This process's rank (0 outside a distributed run)."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_rank()
    return int(os.environ.get("RANK", os.environ.get("SLURM_PROCID", "0")))


def _barrier() -> None:
    """Wait for every process of a distributed run (nothing outside one)."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.barrier()


def read_summary(work_dir: str | Path) -> dict:
    """Return a finished run's summary, with ``checkpoint`` resolved against the work dir."""
    work = Path(work_dir)
    path = work / SUMMARY_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no training summary; train the experiment first")
    summary = json.loads(path.read_text())
    summary["checkpoint"] = str(work / summary["checkpoint"])
    return summary


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m reproduction.running.train",
        description="Train one thesis experiment (see reproduction.spec.experiments) in a profile.",
    )
    add_run_arguments(p)
    p.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="default <root>/work_dirs/<profile>/<experiment>/seed<seed> (the repository root)",
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
        "the launcher's world size, else the profile's GPU count",
    )
    p.add_argument("--launcher", choices=("none", "pytorch", "slurm", "mpi"), default="none")
    p.add_argument(
        "--backbone-checkpoint",
        type=Path,
        default=None,
        metavar="FILE",
        help="paper configs: initialise the backbone from this local file (torchvision ResNet "
        "layout) instead of downloading ImageNet weights",
    )
    p.add_argument(
        "--validate",
        action="store_true",
        help="also evaluate on the validation split during training (the workflow evaluates "
        "afterwards with python -m reproduction.running.evaluate)",
    )
    p.add_argument(
        "--validate-every",
        type=int,
        default=None,
        metavar="N",
        help="evaluate on the validation split every N iterations (a learning curve; "
        "implies --validate)",
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


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Add what names one run to a command line (training's and evaluation's): the
    ``experiment`` id, ``--profile``, ``--seed`` and ``--data-root``."""
    parser.add_argument("experiment", help="experiment id, e.g. atss_concordance_0.3")
    parser.add_argument(
        "--profile",
        type=profile_name,
        default=PROFILES["demo"],
        help=f"one of {', '.join(PROFILES)}, or a check profile paper-check-<N>it / "
        "paper-standin-<N>it",
    )
    parser.add_argument("--seed", type=int, default=0, help="the training seed (default 0)")
    parser.add_argument(
        "--data-root",
        type=Path,
        default=None,
        help="dataset root (default: the profile's; paper: $COCO_ROOT)",
    )


def profile_name(name: str) -> Profile:
    """Argparse type of ``--profile``: the profile of a known or check profile's name,
    resolved here once (else an error naming the known ones)."""
    try:
        return get_profile(name)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _world_size() -> int | None:
    """The launcher's number of processes, if a launcher set one."""
    for var in ("WORLD_SIZE", "SLURM_NTASKS"):
        if os.environ.get(var):
            return int(os.environ[var])
    return None


def _dataset_problem(root: Path, spec: Profile, default_root: Path) -> str | None:
    """Check the dataset before anything is written; return one clear error, or None."""
    from reproduction import dataset as corrdata

    profile = spec.name
    layout = "embedded" if spec.synthetic else "coco"
    if not spec.synthetic and corrdata.is_coco_standin(root) != spec.standin:
        if spec.standin:
            return (
                f"{root} is no COCO stand-in, but profile {profile} is labelled as run on one "
                f"(write one: python -m reproduction.dataset coco-standin DIR; see data/README.md)"
            )
        return (
            f"{root} is the synthetic COCO stand-in, not COCO: profile {profile}'s results "
            f"would be labelled COCO 2017. Check the paper configs on it with a check profile "
            f'(paper-standin-<N>it; docs/profiles.md, "Checking the paper configs")'
        )
    try:
        corrdata.check_coco_dataset(root, ("train", "val"), layout=layout)
    except corrdata.DatasetError as err:
        hint = ""
        if spec.synthetic and root == default_root:
            hint = (
                f" (generate it: python -m reproduction.dataset generate --preset {spec.dataset})"
            )
        elif not spec.synthetic:
            hint = f" (set ${corrdata.COCO_ROOT_ENV}; see data/README.md)"
        return f"dataset check failed: {err}{hint}"
    return None


def run_of(args: argparse.Namespace) -> Run:
    """Return the run a training command line names (ValueError / KeyError naming a bad
    argument)."""
    return Run.resolve(
        args.experiment, args.profile, args.seed, work_dir=args.work_dir, device=args.device,
        data_root=args.data_root, max_iters=args.max_iters, gpus=args.gpus,
        validate=args.validate or None, val_interval=args.validate_every,
        backbone_checkpoint=args.backbone_checkpoint,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; print the summary; return the exit status (0 ok, 2 bad input or dataset)."""
    args = _parser().parse_args(argv)
    try:
        run = run_of(args)
        if args.dump_config is not None:
            from reproduction.running.config_builder import build_config

            cfg = build_config(run)
            if args.dump_config == "-":
                print(cfg.pretty_text)
            else:
                cfg.dump(args.dump_config)
            return 0
        summary = train_experiment(run, launcher=args.launcher)
    except (KeyError, ValueError, FileNotFoundError, DatasetCheckFailed) as err:
        print(f"error: {err.args[0] if err.args else err}", file=sys.stderr)
        return 2
    if _rank() == 0:
        print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
