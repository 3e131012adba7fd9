"""The profiles: what data, schedule and config overlay each named profile runs with (pure data).

Three main profiles: ``smoke`` (tests), ``demo`` (the default, a 2-core CPU in well under an
hour) and ``paper`` (COCO on GPUs). ``demo-v1`` keeps the first demo setting (full-width
ResNet-18, 64-channel FPN, 8 classes), the reference the demo's cost is measured against. The
demo-protocol study (``notebooks/study.ipynb``) adds *study variants*: the first demo with its
schedule length or number of classes changed, and the default's model and data at the
overlay's 128-pixel images (``demo-128px``), so that the study can measure how the interval of
a paired difference depends on each. Every other module asks this
table, never a hard-coded profile name, what a profile means.

*Check profiles* run the paper profile's configs unchanged but for a few things, to check the
configs and code end to end without GPUs or COCO (:func:`check_profile_name`): ``paper-check-
<N>it`` on COCO, ``paper-standin-<N>it`` on the synthetic COCO-format stand-in
(``python -m reproduction.dataset coco-standin``). :func:`get_profile` makes one from its name;
they are not in :data:`PROFILES`."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """One named profile.

    Attributes:
        name: the name used on the command line, in work and results paths.
        overlay: the config overlay it builds on:
            ``reproduction/running/mmdet_configs/profiles/<overlay>.py`` ("smoke", "demo" or
            "paper").
        dataset: the embedded dataset preset (``reproduction.dataset.PRESETS``) or "coco".
        max_iters: schedule length in iterations, replacing the overlay's (the schedule's
            shape — warm-up and steps as fractions — is kept); None keeps the overlay's.
        purpose: one line for the book and ``--help``.
        is_study_variant: True for the demo variants the protocol study compares.
        gpus: the number of GPUs a run uses by default (images per GPU = batch / gpus); the
            paper profile's is the thesis's 4 (§5.1: 4 GPUs × 4 images). None (check
            profiles): one image per process and step, whatever the config's batch.
        image_size: the side, in pixels, that the embedded images are resized to, replacing
            the overlay's (:data:`OVERLAY_IMAGE_SIZE`; every resize of the pipelines is scaled by
            the same factor); None keeps the overlay's.
        check: a check profile (module docstring): the paper configs with ``max_iters``
            iterations (an iteration loop with warm-up only), one image per step by default
            and no ImageNet initialisation unless a local checkpoint is given
            (:func:`reproduction.running.config_builder.build_config`); the plumbing, not results.
        standin: its data are the synthetic COCO-format stand-in, not COCO.
        pretrained: the name of the pretraining (:data:`reproduction.running.pretrain.PRETRAININGS`)
            whose backbone its detectors start from; None: from random weights.
        images_per_step: the images of one training step (the batch), replacing the
            overlay's; None keeps the overlay's.
        judged: whether the claims' verdicts read its runs; False for a profile that measures
            one difference from the author's code (e.g. :data:`HALF_BATCH_PROFILE`), whose
            runs are no regime of the front page.
    """

    name: str
    overlay: str
    dataset: str
    max_iters: int | None
    purpose: str
    is_study_variant: bool = False
    gpus: int | None = 1
    image_size: int | None = None
    check: bool = False
    standin: bool = False
    pretrained: str | None = None
    images_per_step: int | None = None
    judged: bool = True

    @property
    def synthetic(self) -> bool:
        """True when the profile trains and evaluates on the embedded synthetic data."""
        return self.dataset != "coco"

    @property
    def setting(self) -> tuple[str, str, int | None, int | None, str | None, int | None]:
        """What a run of this profile trains and evaluates: (overlay, dataset, max_iters,
        image_size, pretrained, images_per_step).

        Two profiles with the same setting produce runs that measure the same thing (e.g. the
        default ``demo`` and a profile that would run it with more seeds).
        """
        return (
            self.overlay,
            self.dataset,
            self.max_iters,
            self.image_size,
            self.pretrained,
            self.images_per_step,
        )


MAIN_PROFILES: tuple[str, ...] = ("smoke", "demo", "paper")
"""The three profiles of the design, from the cheapest."""

PREVIOUS_PROFILE = "demo-128px"
"""The default demo's model and data at the overlay's 128-pixel images, a study variant beside
the default's 96 pixels, whose five seeds resolve the β_img and β_cls gains of both pairs
within the demo's budget (``notebooks/study.ipynb``, section 6). Its committed runs are in
``archive/demo-128px``."""

V1_PROFILE = "demo-v1"
"""The first demo setting (``demo_v1.py`` overlay: full-width ResNet-18, 64-channel FPN, 8 classes,
one seed), kept runnable so that it and the default ``demo`` can be timed side by side; the
study variants change one of its settings. Its committed runs are in ``archive/demo-v1``."""

DEMO_ITERS = 600
"""Length of the demo schedule (``reproduction/running/mmdet_configs/profiles/demo.py``), for
labels."""

OVERLAY_IMAGE_SIZE = 128
"""The side of the demo overlays' input images in pixels (``demo_v1.py``'s ``image_size``), for
labels; the builder reads the overlay's own value."""

DEMO_IMAGE_SIZE = 96
"""The side, in pixels, of the default ``demo`` profile's images (the overlay's are scaled to
it): the cheapest image size at which five paired seeds resolve the demo's β gains."""

TRAINING_LENGTHS: tuple[int, ...] = (300, 600, 1200, 2400, 4800)
"""The schedule lengths, in iterations, at which the training-length pages compare the default
demo's pairs: half, once, twice, four and eight times :data:`DEMO_ITERS`."""


PRETRAINED_PROFILE = "demo-pretrained"
"""The default demo, its backbone starting from the synthetic pretraining
(:mod:`reproduction.running.pretrain`) instead of random weights."""


DEMO_IMAGES_PER_STEP = 8
"""The images of one training step of the demo overlays (``demo_v1.py``'s train batch), for
labels; the builder reads the overlay's own value."""

HALF_BATCH_PROFILE = "demo-halfbatch"
"""The default demo at half its batch (4 images per step) for twice its iterations, at the same
learning rate and warm-up iterations: the same images seen, as the thesis author's baseline
configs of ATSS, PAA and RetinaNet trained beside Correlation-Loss configs at twice their batch
(:data:`reproduction.spec.author_code.DIFFERENCES`, "Baselines: half the images per step").
Its baselines, paired by seed with the demo's, measure what that difference changes."""


def training_length_profile(iterations: int) -> str:
    """Return the name of the profile that runs the default demo ``iterations`` long:
    ``demo`` itself at :data:`DEMO_ITERS`, else ``demo-len<iterations>``; ValueError for a
    length not in :data:`TRAINING_LENGTHS`."""
    if iterations not in TRAINING_LENGTHS:
        raise ValueError(
            f"no profile trains the demo {iterations!r} iterations; lengths: {TRAINING_LENGTHS}"
        )
    return "demo" if iterations == DEMO_ITERS else f"demo-len{iterations}"


def _length_profiles() -> tuple[Profile, ...]:
    return tuple(
        Profile(
            training_length_profile(n),
            "demo",
            "demo-3cls-val1000",
            n,
            f"the default demo trained {n} iterations, not {DEMO_ITERS}",
            image_size=DEMO_IMAGE_SIZE,
        )
        for n in TRAINING_LENGTHS
        if n != DEMO_ITERS
    )


_ALL: tuple[Profile, ...] = (
    Profile("smoke", "smoke", "smoke", None, "plumbing check for tests; numbers mean nothing"),
    Profile(
        "demo",
        "demo",
        "demo-3cls-val1000",
        None,
        "the default: half-width ResNet-18, 32-channel FPN, 96 px, 3 classes, 1000 validation"
        " images, 5 seeds, 2-core CPU",
        image_size=DEMO_IMAGE_SIZE,
    ),
    Profile("paper", "paper", "coco", None, "the thesis's settings: COCO 2017, 1x, GPUs", gpus=4),
    Profile("demo-it300", "demo_v1", "demo", 300, "study: the demo with half its schedule", True),
    Profile(
        "demo-it1200", "demo_v1", "demo", 1200, "study: the demo with twice its schedule", True
    ),
    Profile("demo-3cls", "demo_v1", "demo-3cls", None, "study: the demo on 3 classes of 8", True),
    Profile(
        PREVIOUS_PROFILE,
        "demo",
        "demo-3cls-val1000",
        None,
        "study: the default demo at the overlay's 128-pixel images instead of 96",
        True,
    ),
    Profile(
        V1_PROFILE,
        "demo_v1",
        "demo",
        None,
        "the first demo: ResNet-18, 64-channel FPN, 8 classes, 1 seed (the study's reference)",
    ),
    *_length_profiles(),
    Profile(
        PRETRAINED_PROFILE,
        "demo",
        "demo-3cls-val1000",
        None,
        "the default demo, its backbone pretrained on synthetic object crops",
        image_size=DEMO_IMAGE_SIZE,
        pretrained="shapes-crops",
    ),
    Profile(
        HALF_BATCH_PROFILE,
        "demo",
        "demo-3cls-val1000",
        2 * DEMO_ITERS,
        f"the default demo at {DEMO_IMAGES_PER_STEP // 2} images per step for "
        f"{2 * DEMO_ITERS:,} iterations, the same learning rate and warm-up: the thesis "
        "author's baseline batch",
        image_size=DEMO_IMAGE_SIZE,
        images_per_step=DEMO_IMAGES_PER_STEP // 2,
        judged=False,
    ),
)
PROFILES: dict[str, Profile] = {p.name: p for p in _ALL}
"""Every profile by name: the main three, then the study variants."""


CHECK_PROFILE = re.compile(r"paper-(check|standin)-([1-9][0-9]*)it")
"""The names of the check profiles: ``paper-check-<N>it`` (COCO), ``paper-standin-<N>it``
(the stand-in), N the number of training iterations."""


def check_profile_name(max_iters: int, standin: bool) -> str:
    """Return the name of the check profile that trains the paper configs ``max_iters``
    iterations on the COCO stand-in (``standin``) or on COCO; ValueError below 1."""
    if isinstance(max_iters, bool) or not isinstance(max_iters, int) or max_iters < 1:
        raise ValueError(f"max_iters must be an integer >= 1, got {max_iters!r}")
    return f"paper-{'standin' if standin else 'check'}-{max_iters}it"


def _check_profile(name: str) -> Profile | None:
    match = CHECK_PROFILE.fullmatch(name)
    if match is None:
        return None
    standin, iters = match.group(1) == "standin", int(match.group(2))
    data = "a synthetic COCO-format stand-in (NOT COCO)" if standin else "COCO 2017"
    purpose = (
        f"paper configs on {data}, {iters} iteration{'s' if iters != 1 else ''}: "
        "the plumbing, not results"
    )
    return Profile(name, "paper", "coco", iters, purpose, gpus=None, check=True, standin=standin)


def get_profile(name: str) -> Profile:
    """Return the named profile (a check profile too); ValueError lists the known names."""
    try:
        return PROFILES[name]
    except KeyError:
        check = _check_profile(name)
        if check is not None:
            return check
        raise ValueError(
            f"unknown profile {name!r}; expected one of {', '.join(PROFILES)}, or a check "
            "profile paper-check-<N>it / paper-standin-<N>it"
        ) from None


def same_setting(name: str) -> tuple[str, ...]:
    """Return the names of every profile whose runs measure what ``name``'s do (itself too)."""
    setting = get_profile(name).setting
    names = tuple(p.name for p in _ALL if p.setting == setting)
    return names if name in names else (name, *names)  # a check profile is in no table


def judged_profiles() -> tuple[str, ...]:
    """Return the names of the profiles whose runs the claims' verdicts read: every judged
    profile (:attr:`Profile.judged`) but ``smoke``, whose numbers mean nothing."""
    return tuple(p.name for p in _ALL if p.judged and p.name != "smoke")


def study_variants() -> tuple[Profile, ...]:
    """Return the demo variants of the protocol study, in table order."""
    return tuple(p for p in _ALL if p.is_study_variant)


def study_settings() -> tuple[str, ...]:
    """Return the settings of the protocol study: the first demo, its variants and the
    narrowed default, by name.

    Ordered as its tables and figures show them: the first demo's data by schedule length
    (half, the demo's, twice), then the settings on other data (fewer classes; then the
    narrowed model by decreasing image size, 128 px and last the default ``demo``'s 96, so
    that its cost and power sit beside those it replaced).
    """
    settings = (get_profile(V1_PROFILE), *study_variants(), get_profile("demo"))
    demo_data = get_profile(V1_PROFILE).dataset

    def order(p: Profile) -> tuple:
        return (
            p.dataset != demo_data,
            p.max_iters or DEMO_ITERS,
            -(p.image_size or OVERLAY_IMAGE_SIZE),
        )

    return tuple(p.name for p in sorted(settings, key=order))


@dataclass(frozen=True)
class Regime:
    """How long and from where a profile's detectors train: what the front page gives a
    verdict column of its own.

    Attributes:
        iterations: the schedule length in iterations (None: the thesis's own schedule, COCO).
        pretrained: whether the backbone starts from a pretraining instead of random weights.
        coco: whether the runs are on COCO at the thesis's settings (else synthetic data).
    """

    iterations: int | None
    pretrained: bool
    coco: bool = False


def regime_of(name: str) -> Regime:
    """Return the regime of a profile: its schedule length and start (random weights or a
    pretrained backbone); the thesis's settings for a profile on COCO."""
    spec = get_profile(name)
    if not spec.synthetic:
        return Regime(None, True, coco=True)
    return Regime(spec.max_iters or DEMO_ITERS, spec.pretrained is not None)


def regime_order(regime: Regime) -> tuple:
    """Sort key of the regimes as the front page's columns show them: the default demo's
    first, then the other lengths from scratch, shortest first, then the pretrained starts,
    then COCO."""
    default = regime_of("demo")
    return (regime != default, regime.coco, regime.pretrained, regime.iterations or 0)


PROFILE_DATA: dict[str, str] = {
    "smoke": "tiny embedded synthetic smoke set (synthetic data, NOT COCO; a plumbing check "
    "whose numbers mean nothing)",
    "demo": "embedded synthetic shapes dataset (synthetic data, NOT COCO)",
    "paper": "COCO 2017 (train2017 / val2017)",
}


def data_label(profile: str) -> str:
    """Return a one-line label saying which data a profile's numbers come from.

    A study variant of the demo says what it changes (schedule or classes) and that its data
    are synthetic; a check profile of the paper configs, its data and iterations ("paper
    configs on a synthetic COCO-format stand-in (NOT COCO), 2 iterations: the plumbing, not
    results").
    """
    if profile in PROFILE_DATA:
        return f"{profile} profile: {PROFILE_DATA[profile]}"
    try:
        spec = get_profile(profile)
    except ValueError:
        return f"{profile} profile: unknown data"
    if spec.check:  # the paper configs cut short: says the data and the iterations
        return f"{profile} profile: {spec.purpose}"
    data = "embedded synthetic shapes dataset (synthetic data, NOT COCO)"
    return f"{profile} profile ({spec.purpose}): {data if spec.synthetic else 'COCO 2017'}"
