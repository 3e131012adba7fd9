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
# seeds come from reproduction.plans / reproduction.experiments, the single registry. Notebooks do the
# work; this file only runs them (papermill) and the project's commands.
#
# Paper profile on a cluster: set COCO_ROOT (see data/README.md), install the
# snakemake-executor-plugin-slurm, and run
#   snakemake --executor slurm --jobs 40 --config profile=paper gpus=8
# each training job then runs torchrun with `gpus` processes on one node.
import glob
import os
import sys

from reproduction.plans import STUDY_SEEDS, plan
from reproduction.profiles import get_profile, study_variants

PROFILE = config.get("profile", "demo")
PLAN = plan(PROFILE)
if "seeds" in config:  # e.g. --config seeds=0,1,2: paired runs (every experiment, same seeds)
    PLAN = PLAN.with_seeds(str(config["seeds"]).split(","))
if "add" in config:  # e.g. --config add=comparisons: more experiments (reproduction.plans.EXTENSIONS)
    PLAN = PLAN.adding(str(config["add"]).split(","))
GPUS = int(config.get("gpus", 8))
DEVICE = config.get("device", "cuda" if PROFILE == "paper" else "cpu")
PY = sys.executable
JUPYTER_BOOK = os.path.join(os.path.dirname(PY), "jupyter-book")
PAPERMILL = f"{PY} -m papermill -k corrlib --cwd notebooks --log-level WARNING"
ANALYSES = [
    "status", "coefficients", "toy_correlation", "bounds", "table_5_1", "table_5_3", "table_5_4",
    "table_5_6", "table_5_7", "table_5_8", "figure_1_3", "overhead", "gradient", "study",
]
RESULTS = [f"results/{PROFILE}/{e}/seed{s}.json" for e, s in PLAN.runs()]
DATA = os.environ.get("CORRLIB_DATA", "data")  # the same variable reproduction.dataset reads


def dataset_ready(profile):
    """The file that stands for a profile's checked dataset (generated, or COCO checked)."""
    spec = get_profile(profile)
    if spec.synthetic:
        return f"{DATA}/generated/{spec.dataset}/annotations/val.json"
    return f"results/{profile}/coco_checked.txt"


DATASET_READY = dataset_ready(PROFILE)
# The protocol study (notebooks/study.ipynb): the demo and its variants (reproduction.profiles:
# schedule length, class count), each with the demo's baseline / Correlation-Loss pairs and
# seeds 0, 1, 2 (--config study_seeds=0,1,2,3 for more). Their results files can be archived
# (python -m reproduction.archive ...) and committed; the study page reads those when no local
# study runs exist, and is re-run when either changes.
STUDY_PROFILES = ["demo", *(v.name for v in study_variants())]
STUDY_SEED_LIST = str(config.get("study_seeds", ",".join(map(str, STUDY_SEEDS)))).split(",")
STUDY_RESULTS = [
    f"results/{name}/{e}/seed{s}.json"
    for name in STUDY_PROFILES
    for e, s in plan(name).with_seeds(STUDY_SEED_LIST).runs()
]


def analysis_inputs(wildcards):
    """A page's results files; the study page also depends on the study runs that exist."""
    if wildcards.name != "study":
        return RESULTS
    present = [
        path
        for root in ("results", "archive")
        for name in STUDY_PROFILES
        if name != PROFILE
        for path in sorted(glob.glob(f"{root}/{name}/*/seed[0-9]*.json"))
        if not path.endswith(".detections.json")
    ]
    return RESULTS + present


rule all:
    input:
        "book/_build/html/index.html",


rule study:  # the demo-protocol study page alone: snakemake study --config seeds=0,1,2
    input:
        "book/executed/study.ipynb",


rule study_runs:  # train and evaluate the study variants: snakemake --cores 2 study_runs
    input:
        STUDY_RESULTS,


rule embedded_dataset:
    output:
        f"{DATA}/generated/{{preset}}/annotations/val.json",
    shell:
        "{PY} -m reproduction.dataset generate --preset {wildcards.preset} --out {DATA}/generated/{wildcards.preset}"


rule check_coco:
    output:
        f"results/{PROFILE}/coco_checked.txt",
    params:
        root=os.environ.get("COCO_ROOT", "data/coco"),
    shell:
        "{PY} -m reproduction.dataset check --root {params.root} --layout coco > {output}.tmp"
        " && mv {output}.tmp {output}"


rule train:
    input:
        lambda wildcards: dataset_ready(wildcards.profile),
        notebook="notebooks/train.ipynb",
    output:
        "work_dirs/{profile}/{experiment}/seed{seed}/train_summary.json",
    log:
        notebook="results/{profile}/notebooks/train_{experiment}_seed{seed}.ipynb",
    retries: 1  # a notebook kernel that fails to start (port race) gets one more try
    threads: 1
    resources:
        gpus=GPUS if PROFILE == "paper" else 0,
    params:
        work_dir="work_dirs/{profile}/{experiment}/seed{seed}",
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
        summary="work_dirs/{profile}/{experiment}/seed{seed}/train_summary.json",
        notebook="notebooks/evaluate.ipynb",
    output:
        "results/{profile}/{experiment}/seed{seed}.json",
    log:
        notebook="results/{profile}/notebooks/evaluate_{experiment}_seed{seed}.ipynb",
    retries: 1  # a notebook kernel that fails to start (port race) gets one more try
    threads: 1
    params:
        work_dir="work_dirs/{profile}/{experiment}/seed{seed}",
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
        "book/executed/{name}.ipynb",
    retries: 1  # a notebook kernel that fails to start (port race) gets one more try
    wildcard_constraints:
        name="|".join(ANALYSES),
    params:
        profile=PROFILE,
    shell:
        "{PAPERMILL} {input.notebook} {output}.tmp.ipynb -p profile {params.profile}"
        " && mv {output}.tmp.ipynb {output}"


rule book:
    input:
        expand("book/executed/{name}.ipynb", name=ANALYSES),
        "book/_config.yml",
        "book/_toc.yml",
        "book/intro.md",
        "book/reproduce.md",
    output:
        "book/_build/html/index.html",
    shell:
        "{JUPYTER_BOOK} build book --quiet"
