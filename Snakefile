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
# seeds come from reproduction.plans / reproduction.experiments, the single registry; file paths
# from reproduction.paths (WORK_DIR, RESULTS_FILE, ... as wildcard patterns); the book's pages
# from reproduction.book_pages. Notebooks do the work; this file only runs them (papermill) and
# the project's commands.
#
# Paper profile on a cluster: set COCO_ROOT (see data/README.md), install the
# snakemake-executor-plugin-slurm, and run
#   snakemake --executor slurm --jobs 40 --config profile=paper gpus=8
# each training job then runs torchrun with `gpus` processes on one node.
import os
import sys
from pathlib import Path

from reproduction import book_pages
from reproduction.dataset import EMBEDDED_SPLITS, coco_root, data_root
from reproduction.paths import (
    ARCHIVE_ROOT,
    COCO_CHECKED,
    CURVES_DIR,
    EXECUTED_PAGE,
    GENERATED_DIR,
    RESULTS_FILE,
    RESULTS_ROOT,
    RUN_NOTEBOOK,
    TRAIN_SUMMARY,
    WORK_DIR,
)
from reproduction.plans import STUDY_SEEDS, plan
from reproduction.profiles import get_profile, study_settings
from reproduction.results import results_files

PROFILE = config.get("profile", "demo")
PLAN = plan(PROFILE)
if "seeds" in config:  # e.g. --config seeds=0,1,2: paired runs (every experiment, same seeds)
    PLAN = PLAN.with_seeds(str(config["seeds"]).split(","))
if "add" in config:  # e.g. --config add=comparisons: more experiments (reproduction.plans.EXTENSIONS)
    PLAN = PLAN.adding(str(config["add"]).split(","))
GPUS = int(config.get("gpus", get_profile(PROFILE).gpus))
DEVICE = config.get("device", "cuda" if PROFILE == "paper" else "cpu")
PY = sys.executable
JUPYTER_BOOK = os.path.join(os.path.dirname(PY), "jupyter-book")
PAPERMILL = f"{PY} -m papermill -k corrlib --cwd notebooks --log-level WARNING"
ANALYSES = book_pages.analysis_notebooks()
# Wildcard patterns: the templates of reproduction.paths under their roots.
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


DATASET_READY = dataset_ready(PROFILE)
# The protocol study (notebooks/study.ipynb): the demo and its variants (reproduction.profiles:
# schedule length, class count), each with the demo's baseline / Correlation-Loss pairs and
# seeds 0, 1, 2 (--config study_seeds=0,1,2,3 for more). Their results files can be archived
# (python -m reproduction.archive ...) and committed; the study page reads those when no local
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
    read them: reproduction.learning_curves)."""
    return [
        str(path)
        for root in (RESULTS_ROOT, ARCHIVE_ROOT)
        for path in sorted(Path(root, CURVES_DIR, PROFILE).glob("*/seed*.json"))
    ]


def archive_files():
    """Every committed file of the archive (results files, learning curves, timings): each
    page's verdicts read them, so a page is rebuilt when the archive changes."""
    return sorted(str(path) for path in Path(ARCHIVE_ROOT).rglob("*.json"))


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


rule train:
    input:
        lambda wildcards: dataset_ready(wildcards.profile),
        notebook="notebooks/train.ipynb",
    output:
        TRAIN_SUMMARY,
    log:
        notebook=RUN_NOTEBOOK_PATTERN.replace("{step}", "train"),
    retries: 1  # a notebook kernel that fails to start (port race) gets one more try
    threads: 1
    resources:
        gpus=GPUS if PROFILE == "paper" else 0,
    params:
        work_dir=WORK_DIR,
    run:
        if wildcards.profile == "paper":
            shell(
                "torchrun --nproc_per_node {GPUS} -m reproduction.train "
                "{wildcards.experiment} --profile paper --seed {wildcards.seed} --device cuda "
                "--gpus {GPUS} --work-dir {params.work_dir} --launcher pytorch"
            )
        else:
            shell(
                "OMP_NUM_THREADS={threads} {PAPERMILL} {input.notebook} {log.notebook}"
                " -p experiment {wildcards.experiment} -p profile {wildcards.profile}"
                " -p seed {wildcards.seed} -p device {DEVICE}"
                " -p work_dir ../{params.work_dir}"
            )


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
    params:
        work_dir=WORK_DIR,
    shell:
        "OMP_NUM_THREADS={threads} {PAPERMILL} {input.notebook} {log.notebook}"
        " -p experiment {wildcards.experiment} -p profile {wildcards.profile}"
        " -p seed {wildcards.seed} -p device {DEVICE} -p work_dir ../{params.work_dir}"
        " -p results_file ../{output}"


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
        profile=PROFILE,
    shell:  # the page shows its parameters in its provenance block, not as cells
        "{PAPERMILL} {input.notebook} {output}.tmp.ipynb -p profile {params.profile}"
        " && {PY} -m reproduction.notebook_tags {output}.tmp.ipynb"
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
    shell:  # the table of contents is written from reproduction.book_pages, then the book built;
        # a warning (a broken link or reference, an unknown output) fails the build
        "{PY} -m reproduction.book_pages toc book/_toc.yml"
        " && {JUPYTER_BOOK} build book --quiet -W -n --keep-going"
