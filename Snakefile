# The workflow: dataset → train → evaluate → analysis notebooks → book.
#
#   snakemake --cores 2                                  # demo profile (default)
#   snakemake --cores 2 --config profile=smoke           # the plumbing check
#   snakemake -n --config profile=paper                  # what the paper profile would run
#   snakemake --cores 2 --config seeds=0,1,2             # every experiment with seeds 0, 1, 2
#   snakemake --cores 2 --config add=comparisons         # + Tables 3.1 / 3.2 / 5.4 methods
#
# Every arrow is a file, so a re-run recomputes only what changed, and an interrupted run
# resumes where it stopped (add --rerun-incomplete after a hard kill). Experiment ids and
# seeds come from reproduction.spec.plans / reproduction.spec.experiments, the single registry; file paths
# from reproduction.spec.paths (WORK_DIR, RESULTS_FILE, ... as wildcard patterns); the book's pages
# from reproduction.spec.book_pages. Notebooks do the work; this file only runs them (papermill) and
# the project's commands.
#
# On a Slurm cluster every step is a Slurm job, through the Slurm executor plugin and the
# workflow profile profiles/slurm (docs/slurm.md, "On a Slurm cluster"):
#   snakemake --workflow-profile profiles/slurm --config profile=smoke
#   snakemake --workflow-profile profiles/slurm --config profile=paper gpus=8   # COCO_ROOT set
# a paper training job then asks Slurm for `gpus` GPUs and runs torchrun with as many
# processes on one node.
#
# Checking the paper configs without GPUs or COCO (docs/profiles.md, "Checking the paper configs"):
#   COCO_ROOT=data/generated/coco-standin snakemake --cores 2 --config profile=paper \
#       max_iters=2 val_images=16 device=cpu [only=retinanet_baseline,detr_baseline]
# trains every paper experiment (or those of `only`) max_iters iterations, one image per step,
# evaluates each on the first val_images validation images and builds the book, under the
# check profile paper-standin-<N>it (paper-check-<N>it when COCO_ROOT is a real COCO copy).
import os
import sys
from dataclasses import replace
from pathlib import Path

from reproduction.spec.paths import ROOT_ENV

# The repository root every job resolves its results, archive, data and work directories
# under (reproduction.spec.paths.repo_root): the folder of this Snakefile, whose paths the
# rules below name relative to it, so that a copy of the workflow writes into itself.
os.environ[ROOT_ENV] = str(Path(workflow.basedir).resolve())

from reproduction.spec import book_pages
from reproduction.dataset import EMBEDDED_SPLITS, coco_root, data_root, is_coco_standin
from reproduction.spec.experiments import get_experiment
from reproduction.spec.paths import (
    ARCHIVE_ROOT,
    COCO_CHECKED,
    CURVES_DIR,
    EXECUTED_PAGE,
    EXPECTED_VERDICTS,
    GENERATED_DIR,
    PRETRAINED_BACKBONE,
    PRETRAINED_RECORD,
    RESULTS_FILE,
    RESULTS_ROOT,
    RUN_NOTEBOOK,
    TRAIN_SUMMARY,
    WORK_DIR,
)
from reproduction.spec.launch import launch_settings
from reproduction.spec.plans import STUDY_SEEDS, plan
from reproduction.spec.profiles import check_profile_name, get_profile, study_settings
from reproduction.records.results import results_files

PROFILE = config.get("profile", "demo")
if "max_iters" in config:  # the paper configs' check mode: a check profile (docs/profiles.md)
    if get_profile(PROFILE).overlay != "paper":
        raise ValueError(f"max_iters= checks the paper profile's configs, not {PROFILE!r}'s")
    PROFILE = check_profile_name(int(config["max_iters"]), standin=is_coco_standin(coco_root()))
PLAN = plan(PROFILE)
if "seeds" in config:  # e.g. --config seeds=0,1,2: paired runs (every experiment, same seeds)
    PLAN = PLAN.with_seeds(str(config["seeds"]).split(","))
if "add" in config:  # e.g. --config add=comparisons: more experiments (reproduction.spec.plans.EXTENSIONS)
    PLAN = PLAN.adding(str(config["add"]).split(","))
if "only" in config:  # e.g. --config only=retinanet_baseline,detr_baseline: these runs alone
    ONLY = [get_experiment(e.strip()).id for e in str(config["only"]).split(",") if e.strip()]
    PLAN = replace(PLAN, experiments=tuple(ONLY))


def launch(profile):
    """How the jobs of ``profile`` are launched (device, GPUs, torchrun, validation subset):
    the command line's gpus / device / val_images apply to the profile it names, every other
    profile's jobs keep their own (reproduction.spec.launch), so that a run of one profile
    never changes another's parameters and retrains it."""
    return launch_settings(profile, PROFILE, config)


launch(PROFILE)  # a bad gpus / device / val_images fails here, naming it
PY = sys.executable
JUPYTER_BOOK = os.path.join(os.path.dirname(PY), "jupyter-book")
PAPERMILL = f"{PY} -m papermill -k corrlib --cwd notebooks --log-level WARNING"
ANALYSES = book_pages.analysis_notebooks()
# Wildcard patterns: the templates of reproduction.spec.paths under their roots.
RESULTS_PATTERN = f"{RESULTS_ROOT}/{RESULTS_FILE}"
RUN_NOTEBOOK_PATTERN = f"{RESULTS_ROOT}/{RUN_NOTEBOOK}"
COCO_CHECKED_PATTERN = f"{RESULTS_ROOT}/{COCO_CHECKED}"
DATA = data_root()  # $CORRLIB_DATA, else the checkout's data/ (what the notebooks read)
GENERATED_VAL = f"{DATA}/{GENERATED_DIR}/{EMBEDDED_SPLITS['val'][1]}"
RESULTS = [RESULTS_PATTERN.format(profile=PROFILE, experiment=e, seed=s) for e, s in PLAN.runs()]


def dataset_ready(profile):
    """The file that stands for a profile's checked dataset (generated, or COCO checked)."""
    spec = get_profile(profile)
    if spec.synthetic:
        return GENERATED_VAL.format(preset=spec.dataset)
    return COCO_CHECKED_PATTERN.format(profile=profile)


def training_inputs(profile):
    """What training a run of the profile needs: its dataset, and the pretrained backbone of a
    profile that starts from one (reproduction.running.pretrain)."""
    spec = get_profile(profile)
    ready = [dataset_ready(profile)]
    if spec.pretrained is not None:
        ready.append(f"{RESULTS_ROOT}/{PRETRAINED_BACKBONE.format(name=spec.pretrained)}")
    return ready


DATASET_READY = dataset_ready(PROFILE)
# The protocol study (notebooks/study.ipynb): the demo and its variants (reproduction.spec.profiles:
# schedule length, class count), each with the demo's baseline / Correlation-Loss pairs and
# seeds 0, 1, 2 (--config study_seeds=0,1,2,3 for more). Their results files can be archived
# (python -m reproduction.records.archive ...) and committed; the study page reads those when no local
# study runs exist, and is re-run when either changes.
STUDY_PROFILES = list(study_settings())
STUDY_SEED_LIST = str(config.get("study_seeds", ",".join(map(str, STUDY_SEEDS)))).split(",")
STUDY_RESULTS = [
    RESULTS_PATTERN.format(profile=name, experiment=e, seed=s)
    for name in STUDY_PROFILES
    for e, s in plan(name).with_seeds(STUDY_SEED_LIST).runs()
]


def curve_files():
    """The learning curves of the profile that exist, local and committed (pages and verdicts
    read them: reproduction.records.learning_curves)."""
    return [
        str(path)
        for root in (RESULTS_ROOT, ARCHIVE_ROOT)
        for path in sorted(Path(root, CURVES_DIR, PROFILE).glob("*/seed*.json"))
    ]


def archive_files():
    """Every committed file of the archive (results files, learning curves, timings): each
    page's verdicts read them, so a page is rebuilt when the archive changes (not when the
    data check's table of expected verdicts does: no page reads it)."""
    return sorted(
        str(path) for path in Path(ARCHIVE_ROOT).rglob("*.json") if path.name != EXPECTED_VERDICTS
    )


def analysis_inputs(wildcards):
    """A page's results files, the profile's learning curves and the archive; the study page
    also depends on the local study runs that exist."""
    if wildcards.name != "study":
        return RESULTS + curve_files() + archive_files()
    present = [
        str(path)
        for name in STUDY_PROFILES
        if name != PROFILE
        for path in results_files(RESULTS_ROOT, name)
    ]
    return RESULTS + curve_files() + archive_files() + present


rule all:
    input:
        "book/_build/html/index.html",


rule study:  # the demo-protocol study page alone: snakemake study --config seeds=0,1,2
    input:
        EXECUTED_PAGE.format(name="study"),


rule study_runs:  # train and evaluate the study variants: snakemake --cores 2 study_runs
    input:
        STUDY_RESULTS,


rule embedded_dataset:
    output:
        GENERATED_VAL,
    params:
        out=lambda wildcards: f"{DATA}/{GENERATED_DIR.format(preset=wildcards.preset)}",
    shell:
        "{PY} -m reproduction.dataset generate --preset {wildcards.preset} --out {params.out}"


rule check_coco:
    output:
        COCO_CHECKED_PATTERN.format(profile=PROFILE),
    params:
        root=coco_root(),
    shell:
        "{PY} -m reproduction.dataset check --root {params.root} --layout coco > {output}.tmp"
        " && mv {output}.tmp {output}"


rule pretrain:  # the demo backbone pretrained on synthetic object crops (no download)
    output:
        weights=f"{RESULTS_ROOT}/{PRETRAINED_BACKBONE}",
        record=f"{RESULTS_ROOT}/{PRETRAINED_RECORD}",
    threads: 1
    shell:
        "OMP_NUM_THREADS={threads} {PY} -m reproduction.running.pretrain {wildcards.name}"
        " --root {RESULTS_ROOT}"


rule train:
    input:
        lambda wildcards: training_inputs(wildcards.profile),
        notebook="notebooks/train.ipynb",
    output:
        TRAIN_SUMMARY,
    log:
        notebook=RUN_NOTEBOOK_PATTERN.replace("{step}", "train"),
    retries: 1  # a notebook kernel that fails to start (port race) gets one more try
    threads: 1
    resources:
        gpus=lambda wildcards: launch(wildcards.profile).train_gpus,
        gpu=lambda wildcards: launch(wildcards.profile).train_gpus,  # the Slurm plugin's name
    params:  # each from the job's own profile (launch), never from the one named
        gpus_arg=lambda wildcards: launch(wildcards.profile).gpus_arg,
        device=lambda wildcards: launch(wildcards.profile).device,
        torchrun=lambda wildcards: launch(wildcards.profile).torchrun,
        train_gpus=lambda wildcards: launch(wildcards.profile).train_gpus,
    run:
        if params.torchrun:
            shell(
                "torchrun --nproc_per_node {params.train_gpus} -m reproduction.running.train "
                "{wildcards.experiment} --profile {wildcards.profile} --seed {wildcards.seed} "
                "--device cuda {params.gpus_arg} --launcher pytorch"
            )
        else:
            shell(
                "OMP_NUM_THREADS={threads} {PAPERMILL} {input.notebook} {log.notebook}"
                " -p experiment {wildcards.experiment} -p profile {wildcards.profile}"
                " -p seed {wildcards.seed} -p device {params.device}"
            )  # the work dir: the run's own under the root (WORK_DIR)


rule evaluate:
    input:
        summary=TRAIN_SUMMARY,
        notebook="notebooks/evaluate.ipynb",
    output:
        RESULTS_PATTERN,
    log:
        notebook=RUN_NOTEBOOK_PATTERN.replace("{step}", "evaluate"),
    retries: 1  # a notebook kernel that fails to start (port race) gets one more try
    threads: 1
    params:  # each from the job's own profile (launch), never from the one named
        device=lambda wildcards: launch(wildcards.profile).device,
        val_images=lambda wildcards: launch(wildcards.profile).val_images_arg,  # a new subset re-evaluates
    shell:
        "OMP_NUM_THREADS={threads} {PAPERMILL} {input.notebook} {log.notebook}"
        " -p experiment {wildcards.experiment} -p profile {wildcards.profile}"
        " -p seed {wildcards.seed} -p device {params.device}{params.val_images}"
        # the work dir and results file: the run's own under the root (WORK_DIR, {output})


rule analysis:
    input:
        analysis_inputs,
        notebook="notebooks/{name}.ipynb",
    output:
        EXECUTED_PAGE,
    retries: 1  # a notebook kernel that fails to start (port race) gets one more try
    wildcard_constraints:
        name="|".join(ANALYSES),
    params:
        parameters=lambda wildcards: book_pages.papermill_parameters(wildcards.name, PROFILE),
    shell:  # the page shows its parameters in its provenance block, not as cells
        "{PAPERMILL} {input.notebook} {output}.tmp.ipynb {params.parameters}"
        " && {PY} -m reproduction.pages.notebook_tags {output}.tmp.ipynb"
        " && mv {output}.tmp.ipynb {output}"


rule book:
    input:
        expand(EXECUTED_PAGE, name=ANALYSES),
        book_pages.__file__,  # the list of pages, which _toc.yml is written from
        "book/_config.yml",
        "book/_static/tables.css",
        "book/_ext/source_launch.py",
        [f"book/{p.name}.md" for p in book_pages.PAGES if not p.notebook],
    output:
        "book/_build/html/index.html",
    shell:  # the table of contents is written from reproduction.spec.book_pages, then the book built;
        # a warning (a broken link or reference, an unknown output) fails the build
        "{PY} -m reproduction.spec.book_pages toc book/_toc.yml"
        " && {JUPYTER_BOOK} build book --quiet -W -n --keep-going"
