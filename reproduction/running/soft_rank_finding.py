"""Whose pre-NMS positives the finding's page (``notebooks/soft_spearman.ipynb``) reads, and
what it computes of them: the sweeps of Spearman Loss against Pearson Loss and where the two
part, image by image.

The positives are a run's (its results or detections file), else the committed extract
(``archive/positives/...``), else synthetic ones (:func:`soft_ranks.synthetic_positives`,
labelled as such). The page's figure and tables are drawn from these by
:mod:`reproduction.pages.soft_spearman_page`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from reproduction.running import soft_ranks
from reproduction.spec import paths, profiles

SCALES: tuple[str, ...] = ("absolute", "unit_gap")
"""The rank scales the page sweeps: the thesis's and the rank-faithful one."""


@dataclass(frozen=True)
class Positives:
    """The pre-NMS positives the page shows.

    Attributes:
        scores, ious: all positives pooled (float64 arrays of equal length).
        per_image: image id → (scores, IoUs) of that image (synthetic: chunks of ~50).
        source: the file they were read from (synthetic: the run's file that was looked for).
        archived_file: the committed extract looked for when the run's file has none.
        synthetic: True when no file held positives and synthetic ones were drawn.
        archived: True when they were read from the committed extract.
    """

    scores: np.ndarray
    ious: np.ndarray
    per_image: dict[str, tuple[np.ndarray, np.ndarray]]
    source: Path
    archived_file: Path
    synthetic: bool = False
    archived: bool = False


def find_positives(
    source: Path,
    archived_file: Path | None,
    n_synthetic: int,
    synthetic_seed: int,
    archived_for_message: Path | None = None,
) -> Positives:
    """Return the positives of the first file that holds some: ``source`` (a run's results
    or detections file), then ``archived_file`` (the committed extract; None: none); else
    ``n_synthetic`` synthetic positives (:func:`soft_ranks.synthetic_positives` with
    ``synthetic_seed``), cut into images of about 50. ``archived_for_message``: the extract's
    path as the page names it when ``archived_file`` is None (default: ``archived_file``)."""
    named = archived_file if archived_file is not None else archived_for_message
    for candidate in (source, archived_file):
        if candidate is None:
            continue
        try:
            per_image = soft_ranks.positives_per_image(candidate)
            scores, ious = soft_ranks.positives_from_results(candidate)
        except ValueError:
            continue
        archived = candidate != source
        return Positives(scores, ious, per_image, candidate, named, archived=archived)
    scores, ious = soft_ranks.synthetic_positives(n_synthetic, synthetic_seed)
    per_image = soft_ranks.synthetic_images(scores, ious)
    return Positives(scores, ious, per_image, source, named, synthetic=True)


def page_positives(
    profile: str,
    experiment: str,
    seed: int,
    results_root: str | Path,
    positives_file: str,
    archive_root: str | Path,
    archived_profile: str,
    archived_experiment: str,
    archived_seed: int,
    n_synthetic: int,
    synthetic_seed: int,
) -> Positives:
    """:func:`find_positives` with the page's parameters: ``positives_file`` when given, else
    the run (``profile``, ``experiment``, ``seed``) under ``results_root``; then the committed
    extract ``<archive_root>/positives/<archived_profile>/<archived_experiment>/seed<k>.json``
    (none when ``archived_experiment`` is empty)."""
    if positives_file:
        source = Path(positives_file)
    else:
        source = paths.results_file(results_root, profile, experiment, seed)
    archived = (
        Path(archive_root)
        / "positives"
        / archived_profile
        / archived_experiment
        / f"seed{archived_seed}.json"
    )
    chosen = archived if archived_experiment else None
    return find_positives(source, chosen, n_synthetic, synthetic_seed, archived)


def run_label(positives: Positives, positives_file: str, experiment: str, seed: int) -> str | None:
    """Whose positives they are, in Markdown (None for synthetic ones): the extract's run,
    the ``positives_file`` parameter's file, or the run's experiment and seed."""
    if positives.synthetic:
        return None
    if positives.archived:
        return soft_ranks.extract_label(positives.source)
    if positives_file:
        return f"`{positives.source.name}` (the `positives_file` parameter)"
    return f"`{experiment}` seed {seed}"


def data_line(positives: Positives, label: str | None, profile: str, archived_profile: str) -> str:
    """The page's opening note (Markdown): how many positives of which run over how many
    images and on what data, or that they are synthetic and why."""
    if positives.synthetic:
        n = positives.scores.size
        return (
            f"> **No run's pre-NMS positives were found** (neither `{positives.source}` nor "
            f"`{positives.archived_file}` holds them). Everything below uses "
            f"**synthetic positives** ({n} drawn by "
            "`reproduction.running.soft_ranks.synthetic_positives`: IoUs in [0.3, 0.95], scores "
            "an increasing non-linear function of them with noise and a few badly scored "
            "outliers). They are NOT a detector's output; run `./run` to train the demo and "
            "this page reads its positives."
        )
    data = profiles.data_label(archived_profile if positives.archived else profile)
    return (
        f"> **Positives:** the {positives.scores.size} pre-NMS positives of {label} over "
        f"{len(positives.per_image)} validation images, pooled ({data})."
    )


def figure_title(positives: Positives, label: str | None, profile: str) -> str:
    """What the figure shows, in words (no Markdown)."""
    if positives.synthetic:
        return "synthetic positives (NOT a detector's output)"
    return f"pre-NMS positives of {str(label).replace('`', '')}, {profile} profile"


def sweeps(positives: Positives, strengths: np.ndarray) -> dict[str, pd.DataFrame]:
    """Return rank scale → :func:`soft_ranks.spearman_pearson_sweep` of the positives over
    ``strengths`` (one row per strength), for each of :data:`SCALES`."""
    return {
        scale: pd.DataFrame(
            soft_ranks.spearman_pearson_sweep(positives.scores, positives.ious, strengths, scale)
        )
        for scale in SCALES
    }


def parting_markdown(positives: Positives) -> str:
    """The sentence on where the two losses part for these positives pooled
    (:func:`soft_ranks.parting_sentence`), then image by image: the median and largest ε*
    of the images with a defined correlation, against the thesis's ε = 1."""
    text = soft_ranks.parting_sentence(positives.scores, positives.ious)
    groups = pd.DataFrame(soft_ranks.image_partings(positives.per_image))
    if groups.empty:
        return text
    worst = groups.loc[groups["parting"].idxmax()]
    what = "synthetic images" if positives.synthetic else "images"
    return text + (
        f" Taken one image at a time ({len(groups)} {what} with at least two positives and a "
        f"defined correlation), the median ε* is {groups['parting'].median():.3g} and the "
        f"largest {worst['parting']:.3g} (an image of {int(worst['n'])} positives): "
        f"{'below' if worst['parting'] < 1 else 'not above'} 1 for every one of them, as the "
        "bound 2 · spread / n ≤ 1 promises."
    )
