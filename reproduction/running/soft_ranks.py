"""When Spearman Loss is Pearson Loss: torchsort's soft ranks against the values they rank.

Pure functions on arrays (numpy, scipy, torch and :mod:`corrlib.losses`; no mmdet). The
soft-Spearman notebook calls them; nothing here draws or prints.

torchsort's l2 soft rank at strength ε (Blondel et al., 2020, *Fast Differentiable Sorting and
Ranking*) is the Euclidean projection of θ = x / ε onto the permutahedron, the convex hull of
the permutations of (1, …, n). With θ sorted in decreasing order, s_1 ≥ … ≥ s_n, and
w = (n, n − 1, …, 1), the projection is s − v, where v is the decreasing isotonic regression of
s − w (pool-adjacent-violators). A block of pooled positions gets one v, so inside a block the
soft ranks are θ minus a constant: when the whole vector is one block, the soft ranks are
x / ε + c, an increasing affine function of x, and any correlation of soft ranks is the
Pearson correlation of the values. :func:`parting_strength` gives the ε below which that stops.

Public API::

    parting_strength(values) -> float            # ε*: one block iff ε ≥ ε*
    parting_summary(values) -> dict              # ε* beside the spread, n and the mean gap
    loss_parting_strength(scores, ious, rank_scale) -> float   # where the two losses part
    affine_residual(values, strength, rank_scale) -> float     # 0 iff soft ranks are affine
    spearman_pearson_sweep(scores, ious, strengths, rank_scale) -> list[dict]
    strength_grid(smallest, largest, per_decade) -> array      # a sweep's strengths
    image_partings(per_image) -> list[dict]      # ε* of each image's positives
    synthetic_images(scores, ious, per_image) -> dict          # positives cut into "images"
    parting_sentence(scores, ious) -> str        # the page's sentence, from the data
    positives_from_results(path) -> (scores, ious)   # pre-NMS positives of a run
    synthetic_positives(n, seed) -> (scores, ious)   # labelled synthetic stand-in
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import torch
from scipy import stats

from corrlib.losses import correlation_loss, soft_rank, unit_gap
from reproduction.records.results import read_json_object, write_json_atomic

DEFAULT_STRENGTHS: tuple[float, ...] = tuple(float(e) for e in np.logspace(-5, 1, 31))
"""The strengths a sweep visits by default: 10⁻⁵ … 10, five per decade."""


def _as_array(values: Iterable[float] | np.ndarray | torch.Tensor, name: str) -> np.ndarray:
    """``values`` as a finite 1-D float64 array; ValueError naming ``name`` otherwise."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains a non-finite value")
    return array


def parting_strength(values: Iterable[float] | np.ndarray | torch.Tensor) -> float:
    """The strength ε* at and above which torchsort's l2 soft ranks of ``values`` are one
    pooled block, i.e. ``values / ε`` plus a constant.

    Derivation (see the module docstring for the projection): the decreasing isotonic fit of
    y = s − w is one constant block exactly when no leading run of positions has a mean of y
    above the mean of all of them. Over the k largest values (k = 1 … n − 1) the mean of w is
    n − (k − 1)/2, over all of them (n + 1)/2, so the condition reads
    (T_k − x̄) / ε ≤ (n − k) / 2, with T_k the mean of the k largest values and x̄ the mean of
    all. Since T_k − x̄ = (n − k)/n · (T_k − B_k), with B_k the mean of the other n − k values,

        ε* = (2 / n) · max_{1 ≤ k < n} (T_k − B_k).

    T_k − B_k never exceeds the spread (max − min), and T_1 − B_1 plus T_{n−1} − B_{n−1} is at
    least the spread, so spread / n ≤ ε* ≤ 2 · spread / n: in units of the mean gap
    g = spread / (n − 1), ε* / g lies in [(n − 1)/n, 2(n − 1)/n], and it is exactly 1 for equally
    spaced values. For values in [0, 1] and n ≥ 2, ε* ≤ 2/n ≤ 1: torchsort's default strength
    always pools. Below ε* the soft ranks are not an affine function of the values, unless the
    values are equally spaced (their exact ranks are then affine in them as well).

    Returns:
        ε* in the units of ``values`` (0.0 for fewer than two values or constant values,
        which are pooled at every strength).
    """
    x = _as_array(values, "values")
    n = x.shape[0]
    if n < 2 or x.max() == x.min():
        return 0.0
    s = np.sort(x)[::-1]
    top = np.cumsum(s)[:-1]  # sums of the k largest, k = 1 … n − 1
    k = np.arange(1, n)
    difference = top / k - (s.sum() - top) / (n - k)  # T_k − B_k
    return float(2.0 / n * difference.max())


def parting_summary(values: Iterable[float] | np.ndarray | torch.Tensor) -> dict[str, float]:
    """ε* of ``values`` (:func:`parting_strength`) beside what it scales with.

    Returns:
        ``{"n", "spread", "mean_gap", "parting", "per_mean_gap", "times_n_over_spread"}``:
        the number of values; max − min and (max − min)/(n − 1), in the values' units; ε* in
        the values' units; ε* divided by the mean gap (dimensionless, in [(n−1)/n, 2(n−1)/n]);
        ε* · n / spread (dimensionless, in [1, 2]). The ratios are NaN for constant values.
    """
    x = _as_array(values, "values")
    n = x.shape[0]
    spread = float(x.max() - x.min()) if n else 0.0
    gap = spread / (n - 1) if n > 1 else 0.0
    eps = parting_strength(x)
    return {
        "n": float(n),
        "spread": spread,
        "mean_gap": gap,
        "parting": eps,
        "per_mean_gap": eps / gap if gap > 0 else math.nan,
        "times_n_over_spread": eps * n / spread if spread > 0 else math.nan,
    }


def _ranked_values(x: np.ndarray, rank_scale: str) -> np.ndarray:
    """The values torchsort ranks under ``rank_scale``: as they are, or their unit-gap form."""
    if rank_scale == "unit_gap":
        return unit_gap(torch.from_numpy(x)).numpy()
    return x


def loss_parting_strength(
    scores: Iterable[float] | np.ndarray | torch.Tensor,
    ious: Iterable[float] | np.ndarray | torch.Tensor,
    rank_scale: str = "absolute",
) -> float:
    """The strength below which Spearman Loss and Pearson Loss of these positives part.

    Spearman Loss soft-ranks both inputs; it equals Pearson Loss when both are pooled, so the
    threshold is the larger of the two :func:`parting_strength` values, computed on the values
    torchsort ranks under ``rank_scale`` ("unit_gap": ε* of :func:`corrlib.losses.unit_gap`
    of each input, which is ε* divided by that input's mean gap).

    Returns:
        ε* in the units of ``regularization_strength`` for that ``rank_scale`` (score/IoU units
        for "absolute", mean gaps for "unit_gap").
    """
    s, u = _as_array(scores, "scores"), _as_array(ious, "ious")
    return max(
        parting_strength(_ranked_values(s, rank_scale)),
        parting_strength(_ranked_values(u, rank_scale)),
    )


def affine_residual(
    values: Iterable[float] | np.ndarray | torch.Tensor,
    strength: float,
    rank_scale: str = "absolute",
) -> float:
    """How far torchsort's soft ranks of ``values`` are from an affine function of them.

    Computes the soft ranks in float64 (:func:`corrlib.losses.soft_rank`), fits a·x + b by
    least squares and returns the largest absolute residual divided by the range of the soft
    ranks.

    Returns:
        A dimensionless number ≥ 0: ~1e-15 (rounding) when the soft ranks are affine in the
        values, clearly above that when they are not; 0.0 for fewer than two or constant values.
    """
    x = _as_array(values, "values")
    if x.shape[0] < 2 or x.max() == x.min():
        return 0.0
    ranks = soft_rank(torch.from_numpy(x), strength, rank_scale).detach().numpy()
    design = np.stack([x, np.ones_like(x)], axis=1)
    coef, *_ = np.linalg.lstsq(design, ranks, rcond=None)
    span = float(ranks.max() - ranks.min())
    if span == 0.0:
        return 0.0
    return float(np.abs(ranks - design @ coef).max() / span)


def exact_spearman_loss(
    scores: Iterable[float] | np.ndarray | torch.Tensor,
    ious: Iterable[float] | np.ndarray | torch.Tensor,
) -> float:
    """1 − scipy's exact Spearman correlation of IoUs and scores (ties get average ranks).

    Returns:
        A dimensionless number in [0, 2]; NaN when the correlation is undefined (fewer than two
        positives, or constant scores or IoUs).
    """
    s, u = _as_array(scores, "scores"), _as_array(ious, "ious")
    if s.shape[0] < 2 or s.max() == s.min() or u.max() == u.min():
        return math.nan
    return 1.0 - float(stats.spearmanr(u, s).statistic)


def _loss_and_gradient(
    scores: np.ndarray, ious: np.ndarray, kind: str, **options: object
) -> tuple[float, np.ndarray]:
    """Correlation Loss of ``kind`` in float64 and its gradient with respect to the scores."""
    s = torch.tensor(scores, dtype=torch.float64, requires_grad=True)
    u = torch.tensor(ious, dtype=torch.float64)
    loss = correlation_loss(s, u, kind, **options)
    (gradient,) = torch.autograd.grad(loss, s)
    return float(loss.detach()), gradient.numpy()


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two vectors; NaN when either is zero."""
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0.0 or nb == 0.0:
        return math.nan
    return float(np.dot(a, b) / (na * nb))


def spearman_pearson_sweep(
    scores: Iterable[float] | np.ndarray | torch.Tensor,
    ious: Iterable[float] | np.ndarray | torch.Tensor,
    strengths: Iterable[float] = DEFAULT_STRENGTHS,
    rank_scale: str = "absolute",
) -> list[dict[str, float | bool]]:
    """Spearman Loss against Pearson Loss of the same positives, one row per strength ε.

    Both losses are :func:`corrlib.losses.correlation_loss` (IoUs constant, as in training),
    computed in float64; gradients are with respect to the scores.

    Args:
        scores: the positives' ground-truth-class scores (probabilities in [0, 1]).
        ious: their IoUs with their targets, same length.
        strengths: the soft-rank strengths ε to visit, each > 0: in score/IoU units for
            ``rank_scale="absolute"``, in mean gaps for "unit_gap".
        rank_scale: Spearman Loss's rank scale (:data:`corrlib.names.RANK_SCALES`).

    Returns:
        One dict per strength, in the order given:

        - ``strength``: ε (units as above);
        - ``L_spearman``, ``L_pearson``: the two losses (dimensionless, in [0, 2]);
        - ``abs_difference``: |L_spearman − L_pearson| (dimensionless);
        - ``L_exact_spearman``: 1 − scipy's exact Spearman, the reference (NaN if undefined);
        - ``grad_norm_spearman``, ``grad_norm_pearson``: Euclidean norms of ∂L/∂scores (loss per
          unit of score);
        - ``grad_cosine``: cosine similarity of the two gradients (dimensionless; NaN when one
          is zero);
        - ``grad_max_abs_difference``: max over positives of |∂L_s/∂s_i − ∂L_p/∂s_i| (loss per
          unit of score);
        - ``parting``: ε* of these positives (:func:`loss_parting_strength`), same units as ε;
        - ``pooled``: True when ε ≥ ε*, where the two losses must agree.
    """
    s, u = _as_array(scores, "scores"), _as_array(ious, "ious")
    if s.shape != u.shape:
        raise ValueError(f"scores and ious differ in length: {s.shape[0]} vs {u.shape[0]}")
    exact = exact_spearman_loss(s, u)
    parting = loss_parting_strength(s, u, rank_scale)
    l_pearson, g_pearson = _loss_and_gradient(s, u, "pearson")
    rows: list[dict[str, float | bool]] = []
    for strength in strengths:
        eps = float(strength)
        l_spearman, g_spearman = _loss_and_gradient(
            s, u, "spearman", regularization_strength=eps, rank_scale=rank_scale
        )
        difference = g_spearman - g_pearson
        rows.append(
            {
                "strength": eps,
                "L_spearman": l_spearman,
                "L_pearson": l_pearson,
                "abs_difference": abs(l_spearman - l_pearson),
                "L_exact_spearman": exact,
                "grad_norm_spearman": float(np.linalg.norm(g_spearman)),
                "grad_norm_pearson": float(np.linalg.norm(g_pearson)),
                "grad_cosine": _cosine(g_spearman, g_pearson),
                "grad_max_abs_difference": float(np.abs(difference).max()) if s.size else 0.0,
                "parting": parting,
                "pooled": eps >= parting,
            }
        )
    return rows


def strength_grid(smallest: float, largest: float, per_decade: int) -> np.ndarray:
    """Return the strengths ε of a sweep: from ``smallest`` to ``largest`` (both included),
    evenly spaced on a log scale with ``per_decade`` strengths per factor of 10 (same units as
    the bounds).

    Raises:
        ValueError: the bounds are not 0 < smallest ≤ largest, or ``per_decade`` < 1.
    """
    if not 0.0 < smallest <= largest or per_decade < 1:
        raise ValueError(
            f"strengths need 0 < smallest <= largest and per_decade >= 1, got smallest="
            f"{smallest!r}, largest={largest!r}, per_decade={per_decade!r}"
        )
    count = int(round(np.log10(largest / smallest) * per_decade)) + 1
    return np.logspace(np.log10(smallest), np.log10(largest), count)


def image_partings(
    per_image: dict[str, tuple[np.ndarray, np.ndarray]],
) -> list[dict[str, float | int]]:
    """Return ε* (:func:`loss_parting_strength`, absolute scale) of each image's positives:
    one ``{"n": positives, "parting": ε*}`` per image of ``per_image`` (image → (scores,
    IoUs), as :func:`positives_per_image` returns) that has at least two positives and
    neither constant scores nor constant IoUs, in the mapping's order."""
    return [
        {"n": s.size, "parting": loss_parting_strength(s, u)}
        for s, u in per_image.values()
        if s.size >= 2 and np.ptp(s) > 0 and np.ptp(u) > 0
    ]


def synthetic_images(
    scores: np.ndarray, ious: np.ndarray, per_image: int = 50
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Cut positives (e.g. :func:`synthetic_positives`) into "images" of consecutive chunks
    of about ``per_image`` positives: ``{"0": (scores, ious), "1": ...}``, as
    :func:`positives_per_image` returns a run's (at least one image)."""
    chunks = max(1, scores.size // per_image)
    return {
        str(i): chunk
        for i, chunk in enumerate(
            zip(np.array_split(scores, chunks), np.array_split(ious, chunks), strict=True)
        )
    }


def parting_sentence(
    scores: Iterable[float] | np.ndarray | torch.Tensor,
    ious: Iterable[float] | np.ndarray | torch.Tensor,
    thesis_strength: float = 1.0,
) -> str:
    """One Markdown sentence, computed from these positives, on where the two losses part.

    Returns:
        Text giving n, the spread of the scores and of the IoUs, their ε* in absolute units,
        relative to their mean gap and as a multiple of spread / n, and how far below
        ``thesis_strength`` the larger ε* lies; a sentence saying the correlation is undefined
        for fewer than two positives or constant scores or IoUs.
    """
    s, u = _as_array(scores, "scores"), _as_array(ious, "ious")
    parts = {"scores": parting_summary(s), "IoUs": parting_summary(u)}
    n = int(parts["scores"]["n"])
    described = "; ".join(
        f"the {name} spread over {p['spread']:.3f} and part at ε* = {p['parting']:.3g}, "
        f"{p['per_mean_gap']:.2f} mean gaps or {p['times_n_over_spread']:.2f} × spread / n"
        for name, p in parts.items()
    )
    larger = max(p["parting"] for p in parts.values())
    if n < 2 or min(p["spread"] for p in parts.values()) == 0.0:
        return (
            f"For these {n} positives the correlation is undefined (fewer than two positives, "
            "or constant scores or IoUs): both losses are 0 at every strength."
        )
    return (
        f"For these {n} positives, {described}. Spearman Loss therefore equals Pearson Loss "
        f"for every ε ≥ {larger:.3g}, and the thesis's ε = {thesis_strength:g} is "
        f"{thesis_strength / larger:,.0f} times that threshold."
    )


def _positives_field(record: dict, source: Path) -> dict | list | None:
    """The ``pre_nms_positives`` field of a parsed file, or None when it has none."""
    found = record.get("pre_nms_positives") if isinstance(record, dict) else None
    if found is not None and not isinstance(found, dict | list):
        raise ValueError(f"{source}: 'pre_nms_positives' is a {type(found).__name__}")
    return found


def positives_per_image(path: str | Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The pre-NMS positives of one evaluated run, image by image.

    ``path`` is a run's results file (``seed<k>.json``) or the detections kept beside it
    (``seed<k>.detections.json``), where the evaluation writes ``pre_nms_positives`` as
    ``{"<image id>": {"scores": [...], "ious": [...]}}``. Given a results file without the
    field, the detections file beside it is read.

    Returns:
        ``{image id: (scores, ious)}``, float64 arrays of equal length: ground-truth-class
        scores (probabilities) and IoUs of each image's positives before NMS.

    Raises:
        ValueError: naming the file(s), when neither holds ``pre_nms_positives``, a file is
            missing or malformed, or an image's lists differ in length.
    """
    path = Path(path)
    tried = [path]
    record = _read_object(path)
    found = _positives_field(record, path)
    if found is None and not path.name.endswith(".detections.json"):
        beside = path.with_name(path.stem + ".detections.json")
        tried.append(beside)
        if beside.exists():
            found = _positives_field(_read_object(beside), beside)
    if found is None:
        names = " nor ".join(f"{p}{'' if p.exists() else ' (no such file)'}" for p in tried)
        raise ValueError(
            f"no 'pre_nms_positives' in {names}: evaluate the run with pre-NMS positives "
            "(the evaluation writes them to the detections kept beside the results file)"
        )
    items = found.items() if isinstance(found, dict) else enumerate(found)
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for image, entry in items:
        try:
            s = np.asarray(entry["scores"], dtype=np.float64).reshape(-1)
            u = np.asarray(entry["ious"], dtype=np.float64).reshape(-1)
        except (KeyError, TypeError) as err:
            raise ValueError(
                f"{tried[-1]}: image {image} of 'pre_nms_positives' lacks 'scores' or 'ious'"
            ) from err
        if s.shape != u.shape:
            raise ValueError(f"{tried[-1]}: image {image} has {s.size} scores but {u.size} IoUs")
        out[str(image)] = (s, u)
    return out


def _read_object(path: Path) -> dict:
    """A JSON object from ``path``; ValueError naming the file when it is missing or bad."""
    return read_json_object(path, ValueError, kind="")


def positives_from_results(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """All pre-NMS positives of one evaluated run, pooled over its images
    (:func:`positives_per_image`, same ``path`` and errors).

    Returns:
        ``(scores, ious)``: float64 arrays of equal length, scores as probabilities and IoUs
        in [0, 1], images in the file's order.

    Raises:
        ValueError: as :func:`positives_per_image`, and when the run has no positive at all.
    """
    per_image = positives_per_image(path)
    if not any(s.size for s, _ in per_image.values()):
        raise ValueError(f"{path}: 'pre_nms_positives' holds no positive")
    scores = np.concatenate([s for s, _ in per_image.values()])
    ious = np.concatenate([u for _, u in per_image.values()])
    return scores, ious


def write_positives_extract(source: str | Path, out: str | Path, images: int = 100) -> Path:
    """Write the pre-NMS positives of the first ``images`` images (by id) of an evaluated
    run to ``out``, with the run's experiment, seed and provenance: a small committed copy that
    the finding's page reads when no local run holds positives.

    Values are rounded to 6 decimals. Returns ``out``; ValueError as :func:`positives_per_image`.
    """
    source = Path(source)
    per_image = positives_per_image(source)
    kept = sorted(per_image, key=lambda k: (len(k), k))[:images]
    record = _read_object(
        source
        if not source.name.endswith(".detections.json")
        else source.with_name(source.name.replace(".detections", ""))
    )
    extract = {
        "kind": "pre_nms_positives_extract",
        "experiment": record.get("experiment"),
        "profile": record.get("profile"),
        "seed": record.get("seed"),
        "dataset": record.get("dataset"),
        "images": len(kept),
        "of_images": len(per_image),
        "provenance": record.get("provenance"),
        "pre_nms_positives": {
            k: {
                "scores": [round(float(v), 6) for v in per_image[k][0]],
                "ious": [round(float(v), 6) for v in per_image[k][1]],
            }
            for k in kept
        },
    }
    return write_json_atomic(Path(out), extract)


def extract_label(path: str | Path) -> str:
    """Say whose positives a :func:`write_positives_extract` file holds (Markdown): the
    experiment, seed and profile, how many images of how many, and the file."""
    record = _read_object(Path(path))
    experiment = (record.get("experiment") or {}).get("id", "?")
    return (
        f"`{experiment}` seed {record.get('seed')} (profile `{record.get('profile')}`; the "
        f"first {record.get('images')} of its {record.get('of_images')} validation images, "
        f"committed in `archive/{Path(path).as_posix().split('archive/')[-1]}`)"
    )


def synthetic_positives(
    n: int = 2000, seed: int = 0, outlier_fraction: float = 0.02
) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic stand-ins for a detector's positives (NOT a model's output).

    IoUs are drawn from 0.3 + 0.65 · Beta(2, 2); scores follow them through an increasing,
    non-linear curve, 1 / (1 + exp(−20 · (IoU − 0.72))), with Gaussian
    noise (s.d. 0.03), clipped to [0, 1], and ``outlier_fraction`` of the positives (drawn
    among the half with the highest IoUs) get scores in [0, 0.1], as poorly scored,
    well-localised boxes. On such positives Pearson Loss lies about 0.03–0.06 above
    1 − the exact Spearman correlation.

    Returns:
        ``(scores, ious)``: float64 arrays of length ``n``, both in [0, 1].
    """
    rng = np.random.default_rng(seed)
    ious = 0.3 + 0.65 * rng.beta(2.0, 2.0, n)
    scores = 1.0 / (1.0 + np.exp(-20.0 * (ious - 0.72)))
    scores = np.clip(scores + rng.normal(0.0, 0.03, n), 0.0, 1.0)
    n_out = int(round(outlier_fraction * n))
    if n_out:
        candidates = np.argsort(ious)[n // 2 :]
        chosen = rng.choice(candidates, size=min(n_out, candidates.size), replace=False)
        scores[chosen] = rng.uniform(0.0, 0.1, chosen.size)
    return scores, ious


__all__ = [
    "extract_label",
    "image_partings",
    "strength_grid",
    "synthetic_images",
    "write_positives_extract",
    "DEFAULT_STRENGTHS",
    "affine_residual",
    "exact_spearman_loss",
    "loss_parting_strength",
    "parting_sentence",
    "parting_strength",
    "parting_summary",
    "positives_from_results",
    "positives_per_image",
    "spearman_pearson_sweep",
    "synthetic_positives",
]
