"""The reader's labels: experiments, pairs, profiles and regimes in words (pure data).

The book names what it compares in the reader's language, never by the ids the registry and
the workflow use: :func:`reader_label` is the one function that turns an experiment id
(``"atss_concordance_0.3"`` → ``"ATSS with Concordance Loss, λ = 0.3"``), a baseline /
Correlation-Loss pair (→ ``"ATSS ± Concordance Loss, λ = 0.3"``), a profile
(``"demo-len2400"`` → ``"2,400 iterations, from scratch"``) or a regime
(:class:`reproduction.spec.profiles.Regime`) into words. Every heading, legend, table and note
of the book calls it; ids stay where a reader needs them to re-run something (the reproduce
page, the provenance blocks).
"""

from __future__ import annotations

from reproduction.spec.experiments import Experiment, get_experiment
from reproduction.spec.profiles import (
    DEMO_IMAGE_SIZE,
    DEMO_IMAGES_PER_STEP,
    DEMO_ITERS,
    OVERLAY_IMAGE_SIZE,
    V1_PROFILE,
    Regime,
    get_profile,
    regime_of,
)

DETECTOR_NAMES: dict[str, str] = {
    "retinanet": "RetinaNet",
    "fovea": "FoveaBox",
    "atss": "ATSS",
    "atss_centerness": "ATSS + aux. head",
    "paa": "PAA",
    "sparsercnn": "Sparse R-CNN",
    "sparsercnn_3x": "Sparse R-CNN 3x",
    "yolact": "YOLACT",
    "atss_qfl": "ATSS + QFL",
    "atss_rs": "ATSS + RS Loss",
    "atss_aploss": "ATSS + AP Loss",
    "atss_alrp": "ATSS + aLRP Loss",
    "detr": "DETR",
}
"""Each detector of :data:`reproduction.spec.experiments.DETECTORS` as the book names it."""

_KIND_NAMES: dict[str, str] = {
    "concordance": "Concordance Loss",
    "spearman": "Spearman Loss",
    "pearson": "Pearson Loss",
}
_VARIANT_WORDS: dict[str, str] = {
    "unit_gap": "rank-faithful",
    "level_mean": "per level",
    "image_sum": "per image",
    "sample": "sample moments",
}
_GRADIENT_WORDS: dict[str, str] = {
    "regressor": "through the regressor",
    "both": "through both heads",
}


def _loss(experiment: Experiment) -> str:
    """The Correlation Loss of an experiment in words: "Concordance Loss, λ = 0.3",
    "rank-faithful Spearman Loss, λ = 0.1", "Spearman Loss per level, λ = 0.1",
    "Spearman Loss through the regressor, λ = 0.2"."""
    name = _KIND_NAMES[experiment.kind or ""]
    words = [_VARIANT_WORDS[v] for v in experiment.variant]
    before = [w for w in words if w == "rank-faithful"]
    after = [w for w in words if w != "rank-faithful"]
    if experiment.gradient in _GRADIENT_WORDS:
        after.append(_GRADIENT_WORDS[experiment.gradient])
    text = " ".join([*before, name])
    if after:
        text += " " + ", ".join(after)
    return f"{text}, λ = {experiment.loss_weight:g}"


def _experiment_label(experiment_id: str) -> str:
    experiment = get_experiment(experiment_id)
    detector = DETECTOR_NAMES[experiment.detector]
    if experiment.is_baseline:
        return f"{detector}, baseline"
    return f"{detector} with {_loss(experiment)}"


def _pair_label(reference: str, treatment: str) -> str:
    ref, treat = get_experiment(reference), get_experiment(treatment)
    if ref.id == treat.id:
        return _experiment_label(ref.id)
    if ref.is_baseline and treat.baseline == ref.id:
        return f"{DETECTOR_NAMES[treat.detector]} ± {_loss(treat)}"
    if ref.detector == treat.detector and not ref.is_baseline and not treat.is_baseline:
        return f"{DETECTOR_NAMES[treat.detector]}: {_loss(treat)} vs {_loss(ref)}"
    return f"{_experiment_label(treatment)} vs {_experiment_label(reference)}"


def _iterations(n: int) -> str:
    return f"{n:,} iterations"


def _regime_label(regime: Regime, short: bool = False) -> str:
    if regime.coco:
        return "COCO" if short else "COCO, the thesis's settings"
    if short:
        start = "pretrained" if regime.pretrained else "from scratch"
        return f"{regime.iterations or DEMO_ITERS:,} it., {start}"
    start = "pretrained backbone" if regime.pretrained else "from scratch"
    return f"{_iterations(regime.iterations or DEMO_ITERS)}, {start}"


def _profile_label(profile: str) -> str:
    spec = get_profile(profile)
    if spec.check:
        return f"the thesis's configs, {spec.max_iters} iterations (a plumbing check)"
    if profile == "smoke":
        return "a plumbing check (a few iterations; numbers mean nothing)"
    label = _regime_label(regime_of(profile))
    if spec.overlay == get_profile(V1_PROFILE).overlay:  # the first demo's model
        same_data = spec.dataset == get_profile(V1_PROFILE).dataset
        label += ", the first demo" if same_data else ", the first demo's model on fewer classes"
    elif spec.synthetic and (spec.image_size or OVERLAY_IMAGE_SIZE) != DEMO_IMAGE_SIZE:
        label += f", {spec.image_size or OVERLAY_IMAGE_SIZE} px images"
    if spec.images_per_step is not None and spec.images_per_step != DEMO_IMAGES_PER_STEP:
        label += f", {spec.images_per_step} images per step"
    return label


def reader_label(
    *,
    experiment: str | None = None,
    pair: tuple[str, str] | None = None,
    profile: str | None = None,
    regime: Regime | None = None,
    short: bool = False,
) -> str:
    """Return the reader's label of one experiment, pair, profile or regime (give exactly one).

    Args:
        experiment: an experiment id → ``"ATSS with Concordance Loss, λ = 0.3"``,
            ``"ATSS, baseline"``.
        pair: (reference id, treatment id) → ``"ATSS ± Concordance Loss, λ = 0.3"`` for a
            baseline and its Correlation-Loss variant; ``"ATSS: rank-faithful Spearman Loss,
            λ = 0.3 vs Spearman Loss, λ = 0.3"`` for two losses on one detector; the two
            experiments' labels joined by "vs" otherwise.
        profile: a profile name → its regime and what else sets it apart from the default
            demo: ``"2,400 iterations, from scratch"``, ``"600 iterations, pretrained
            backbone"``, ``"600 iterations, from scratch, 128 px images"``.
        regime: a :class:`reproduction.spec.profiles.Regime` → ``"600 iterations, from
            scratch"``, ``"COCO, the thesis's settings"``.
        short: a regime's short form, for a figure's narrow row labels: ``"2,400 it., from
            scratch"``, ``"600 it., pretrained"``, ``"COCO"``.

    Raises:
        ValueError: none or more than one given; KeyError / ValueError for an unknown id or
        profile.
    """
    given = [x is not None for x in (experiment, pair, profile, regime)]
    if sum(given) != 1:
        raise ValueError("reader_label takes exactly one of experiment, pair, profile, regime")
    if experiment is not None:
        return _experiment_label(experiment)
    if pair is not None:
        return _pair_label(*pair)
    if profile is not None:
        return _profile_label(profile)
    assert regime is not None
    return _regime_label(regime, short)


__all__ = ["DETECTOR_NAMES", "reader_label"]
