"""Which runs each profile makes: experiment ids of the registry × seeds (pure data).

The workflow (Snakefile) reads :func:`plan` and nothing else to decide what to train; every id
is checked against :mod:`reproduction.spec.experiments`, the single source of experiment
definitions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from reproduction.spec.experiments import (
    RANK_LOSS_DETECTORS,
    RANK_LOSS_THESIS_LOSS,
    experiment_ids,
    get_experiment,
    list_experiments,
    pairs_among,
    rank_loss_arm,
)
from reproduction.spec.profiles import (
    DEMO_ITERS,
    HALF_BATCH_PROFILE,
    PRETRAINED_PROFILE,
    TRAINING_LENGTHS,
    get_profile,
    training_length_profile,
)

STUDY_SEEDS: tuple[int, ...] = (0, 1, 2)
"""Seeds of a study variant's plan: an interval over seeds needs more than one."""

DEMO_SEEDS: tuple[int, ...] = (0, 1, 2, 3, 4)
"""Seeds of the default ``demo`` profile: the fewest with which the protocol study found its
setting resolves the β_img and β_cls gains of both pairs (and the fewest a protocol may have,
:data:`reproduction.analysis.study.MIN_PROTOCOL_SEEDS`); its whole ``./run`` takes at most twice the
first demo's, measured side by side (the protocol page gives the measured times)."""

_TABLE_5_1_DETECTORS = ("retinanet", "fovea", "atss", "paa", "sparsercnn")
_DEMO_PAIRS = (
    "atss_baseline",
    "atss_concordance_0.3",
    "retinanet_baseline",
    "retinanet_spearman_0.1",
)
"""The demo's two baseline / Correlation-Loss pairs (also those of the study variants)."""

REGIME_SEEDS: tuple[int, ...] = tuple(range(8))
"""Seeds of the regime profiles (training lengths other than the demo's, the pretrained
start): eight paired seeds per arm."""

REGIME_PAIR = ("atss_baseline", "atss_concordance_0.3")
"""The pair the regime profiles run: ATSS with and without Concordance Loss (λ = 0.3)."""

RETINANET_PAIR = ("retinanet_baseline", "retinanet_spearman_0.1")
"""The demo's RetinaNet pair, which some training lengths run beside :data:`REGIME_PAIR`."""

RETINANET_LENGTHS: tuple[int, ...] = (1200, 2400)
"""The training lengths (iterations) whose profiles run :data:`RETINANET_PAIR` too: with the
demo's 600, three lengths, so that its trend can be fitted on two and tested on the third."""

RANK_LOSS_LENGTH = 2400
"""The training length (iterations) at which each swept detector's rank-faithful loss at its
chosen λ (:data:`reproduction.spec.experiments.RANK_LOSS_CHOSEN`) is trained beside the
thesis's Spearman Loss (Pearson Loss) on fresh runs: the λ was chosen on the demo's."""


def rank_loss_arms() -> tuple[str, ...]:
    """Return what the :data:`RANK_LOSS_LENGTH` profile runs for the rank-faithful loss: each
    swept detector's thesis Spearman Loss, then its rank-faithful loss at the chosen λ."""
    return tuple(
        e for d in RANK_LOSS_DETECTORS for e in (RANK_LOSS_THESIS_LOSS[d], rank_loss_arm(d))
    )


def length_experiments(iterations: int) -> tuple[str, ...]:
    """Return the experiments of the profile that trains the demo ``iterations`` long (other
    than the demo's own): :data:`REGIME_PAIR`, then :data:`RETINANET_PAIR` at
    :data:`RETINANET_LENGTHS`, then the baselines and :func:`rank_loss_arms` at
    :data:`RANK_LOSS_LENGTH`."""
    experiments = list(REGIME_PAIR)
    if iterations in RETINANET_LENGTHS:
        experiments += RETINANET_PAIR
    if iterations == RANK_LOSS_LENGTH:
        experiments += rank_loss_arms()
    return tuple(dict.fromkeys(experiments))


HALF_BATCH_BASELINES = ("atss_baseline", "retinanet_baseline")
"""What :data:`reproduction.spec.profiles.HALF_BATCH_PROFILE` trains: the baselines of the
demo's two pairs, whose thesis configs set half the Correlation-Loss configs' batch; each is
paired by seed with the same baseline in the default demo."""


@dataclass(frozen=True)
class Plan:
    """The runs of one profile.

    Attributes:
        profile: a name of :data:`reproduction.spec.profiles.PROFILES`.
        experiments: experiment ids, in the order they are listed in the book.
        seeds: the seeds every experiment runs with (paired: a baseline and its variants
            share each seed).
    """

    profile: str
    experiments: tuple[str, ...]
    seeds: tuple[int, ...]

    @property
    def dataset(self) -> str:
        """Return "embedded-<preset>" (e.g. "embedded-demo") or "coco": the profile's dataset
        (:attr:`reproduction.spec.profiles.Profile.dataset`, its one home)."""
        spec = get_profile(self.profile)
        return f"embedded-{spec.dataset}" if spec.synthetic else "coco"

    def pairs(self) -> list[tuple[str, str]]:
        """Return the (baseline id, variant id) pairs of the plan: each Correlation-Loss
        experiment with its baseline (:func:`reproduction.spec.experiments.baseline_of`), where
        both are planned, in plan order."""
        return pairs_among(self.experiments)

    def with_seeds(self, seeds: Sequence[int | str]) -> Plan:
        """Return the same plan with other seeds; ValueError names a seed that is no integer."""
        try:
            parsed = tuple(int(s) for s in seeds)
        except ValueError as err:
            raise ValueError(f"seeds must be integers, got {list(seeds)}") from err
        if not parsed:
            raise ValueError("seeds is empty")
        return replace(self, seeds=parsed)

    def adding(self, names: Sequence[str]) -> Plan:
        """Return the plan with more experiments: each name is a group of :data:`EXTENSIONS`
        or an experiment id. Experiments already planned keep their place; the others follow
        in the order given. KeyError (with suggestions) names an unknown id."""
        added: list[str] = []
        for name in (n.strip() for n in names if n.strip()):
            group = EXTENSIONS.get(name)
            if group is None:
                get_experiment(name)  # raises KeyError with suggestions
                group = (name,)
            added.extend(group() if callable(group) else group)
        ordered = dict.fromkeys((*self.experiments, *added))
        return replace(self, experiments=tuple(ordered))

    def runs(self) -> list[tuple[str, int]]:
        """Return every (experiment id, seed) pair of the plan."""
        return [(e, s) for e in self.experiments for s in self.seeds]


def _paper_experiments() -> tuple[str, ...]:
    """Every registry experiment that reproduces a thesis table or section."""
    return tuple(e.id for e in list_experiments() if e.reproduces)


_PLANS: dict[str, Plan] = {
    "smoke": Plan("smoke", ("atss_baseline", "retinanet_spearman_0.1"), (0,)),
    "demo": Plan("demo", _DEMO_PAIRS, DEMO_SEEDS),
    "demo-v1": Plan("demo-v1", _DEMO_PAIRS, (0,)),
    **{
        training_length_profile(n): Plan(
            training_length_profile(n), length_experiments(n), REGIME_SEEDS
        )
        for n in TRAINING_LENGTHS
        if n != DEMO_ITERS
    },
    PRETRAINED_PROFILE: Plan(PRETRAINED_PROFILE, REGIME_PAIR, REGIME_SEEDS),
    HALF_BATCH_PROFILE: Plan(HALF_BATCH_PROFILE, HALF_BATCH_BASELINES, REGIME_SEEDS),
}


EXTENSIONS: dict[str, tuple[str, ...] | Callable[[], tuple[str, ...]]] = {
    # Tables 3.1, 3.2 and 5.4: the methods compared on one ATSS, with and without L_corr,
    # and the NMS-free detectors of Table 3.2.
    "comparisons": (
        "atss_baseline",
        "atss_concordance_0.3",
        "atss_centerness_baseline",
        "atss_centerness_concordance_0.2",
        "atss_qfl_baseline",
        "atss_qfl_concordance_0.2",
        "atss_rs_baseline",
        "atss_rs_concordance_0.2",
        "atss_aploss_baseline",
        "atss_alrp_baseline",
        "detr_baseline",
        "sparsercnn_baseline",
    ),
    # Table 5.2: the stronger Sparse R-CNN (demo: 3x schedule, 3x proposals, multi-scale
    # training and random crop), without and with each coefficient.
    "table_5_2": (
        "sparsercnn_3x_baseline",
        "sparsercnn_3x_concordance_0.3",
        "sparsercnn_3x_spearman_0.2",
    ),
    # Table 5.3: YOLACT, scored on masks (mask AP) and boxes.
    "table_5_3": ("yolact_baseline", "yolact_concordance_0.4", "yolact_spearman_0.5"),
    # §5.5.4: Sparse R-CNN with Spearman Loss, its gradient through the classifier only, the
    # regressor only, or both heads (the same seeds pair them).
    "gradient": (
        "sparsercnn_spearman_0.2",
        "sparsercnn_spearman_0.2_regressor",
        "sparsercnn_spearman_0.2_both",
    ),
    # every experiment of the registry that reproduces a thesis table or section
    "all": _paper_experiments,
}
"""Named groups of experiments a run can add to a profile's plan (``--config add=...``)."""


def plan(profile: str) -> Plan:
    """Return the plan of a profile; ValueError names an unknown profile or experiment.

    A study variant of the demo (:func:`reproduction.spec.profiles.study_variants`) runs the demo's
    baseline / Correlation-Loss pairs with :data:`STUDY_SEEDS`.
    """
    spec = get_profile(profile)
    if spec.overlay == "paper":  # the paper profile, or a check of its configs
        return Plan(profile, _paper_experiments(), (0,))
    if spec.is_study_variant:
        demo = _PLANS["demo"]
        chosen = Plan(profile, demo.experiments, STUDY_SEEDS)
    else:
        chosen = _PLANS[profile]
    known = set(experiment_ids())
    for experiment_id in chosen.experiments:
        if experiment_id not in known:
            get_experiment(experiment_id)  # raises KeyError with suggestions
    return chosen
