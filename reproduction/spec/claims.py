"""The thesis's claims as data: what each says, where, which runs test it, and its own effect.

A claim is tested by one or more :class:`Comparison` s. A comparison pairs a *reference* run
and a *treatment* run (usually the baseline and the same detector with Correlation Loss,
trained with the same seeds) on one metric, and says which direction the thesis reports. The
thesis's own effect is computed from the thesis numbers (:mod:`reproduction.spec.thesis`), never
typed in. Verdicts are :mod:`reproduction.analysis.verdicts`' job; this module holds no logic beyond
reading the thesis's cells.

Kinds of test (:attr:`Comparison.test`):

- ``"increase"`` / ``"decrease"``: the treatment raises / lowers the metric (paired difference
  treatment − reference over seeds);
- ``"within"``: the relative difference (treatment / reference − 1, in %) stays within
  ± :attr:`Comparison.margin` (a cost that the thesis calls negligible);
- ``"not_below"``: the treatment is not worse than the reference by more than
  :attr:`Comparison.margin` points (the thesis's "does not outperform" of Pearson Loss);
- ``"class_majority"``: in most classes the treatment's per-class AP is higher (fraction of
  classes that improve, per seed, above 50 %).

Metric names are those of :func:`reproduction.pages.report.load_runs` (in %, s_per_iter in s), plus
``mask_AP``, ``mask_AP50``, ``mask_AP75`` for instance masks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reproduction.spec import thesis
from reproduction.spec.experiments import (
    LAMBDA_GRID,
    RANK_LOSS_CHOSEN,
    baseline_of,
    get_experiment,
    rank_loss_arm,
)
from reproduction.spec.plans import RANK_LOSS_LENGTH
from reproduction.spec.profiles import training_length_profile
from reproduction.spec.thesis_rows import thesis_keys

TESTS: tuple[str, ...] = ("increase", "decrease", "within", "not_below", "class_majority")


@dataclass(frozen=True)
class ThesisCell:
    """One number of the thesis: ``thesis.value(table, row, column)``, or a stated value.

    ``stated`` holds numbers the thesis gives in prose (§5.5.3, §5.5.4), with ``table`` naming
    the section; otherwise the value is read from the table.
    """

    table: str
    row: str
    column: str
    stated: float | None = None

    def value(self) -> float | None:
        """The thesis's number (its unit: % for AP-like columns, s/iter for timing)."""
        if self.stated is not None:
            return self.stated
        return thesis.value(self.table, self.row, self.column)


@dataclass(frozen=True)
class Comparison:
    """One paired comparison that tests a claim.

    Attributes:
        label: what is compared, for the tables ("ATSS, concordance 0.3").
        reference, treatment: experiment ids (:mod:`reproduction.spec.experiments`), trained with
            the same seeds.
        metric: the column compared (see the module docstring).
        test: one of :data:`TESTS`.
        thesis_reference, thesis_treatment: the thesis's numbers for the two; None where the
            thesis reports no such number (then its effect is unknown, the direction is
            still the claim's).
        margin: for "within" (in %) and "not_below" (in points).
        reference_metric: the reference's column when it differs from ``metric`` (a bound
            against the AP of the same run); None means ``metric``.
        profile: judge only on evidence of this profile (the training cost at the thesis's
            scale: "paper"); None: any runs, and step-timing records of the synthetic profiles.
        device: with ``profile``, judge only on step-timing records timed on this device
            ("cpu" or "cuda"); None: any.
    """

    label: str
    reference: str
    treatment: str
    metric: str
    test: str = "increase"
    thesis_reference: ThesisCell | None = None
    thesis_treatment: ThesisCell | None = None
    margin: float = 0.0
    reference_metric: str | None = None
    profile: str | None = None
    device: str | None = None

    @property
    def reference_column(self) -> str:
        """The reference's column: :attr:`reference_metric`, else :attr:`metric`."""
        return self.reference_metric or self.metric

    def thesis_effect(self) -> float | None:
        """The thesis's effect: treatment − reference (points; "within": relative, in %)."""
        if self.thesis_reference is None or self.thesis_treatment is None:
            return None
        ref, treat = self.thesis_reference.value(), self.thesis_treatment.value()
        if ref is None or treat is None:
            return None
        if self.test == "within":
            return 100.0 * (treat / ref - 1.0)
        return treat - ref


@dataclass(frozen=True)
class Claim:
    """One claim of the thesis.

    Attributes:
        id: a stable short name ("ap_nms").
        text: the claim in one line of our own words.
        source: where the thesis makes it ("Table 5.1", "§5.5.3").
        page: the book page (notebook name) that shows its evidence.
        comparisons: the comparisons that test it; empty when it cannot be tested here.
        untestable: why no profile here can test it (None when it can).
        thesis_summary: the thesis's effect in words where no single number says it
            (e.g. "64 of 80 classes").
        note: what a reader must know to read the claim's verdict, in words of its own
            (each note says its own thing; the Spearman finding is stated once, by
            :func:`notes_markdown`); None when nothing.
        short: the claim in a few words, for the forest plot's rows ("AP, NMS-based
            detectors").
    """

    id: str
    text: str
    source: str
    page: str
    comparisons: tuple[Comparison, ...] = ()
    untestable: str | None = None
    thesis_summary: str | None = None
    note: str | None = None
    short: str = ""


def _cell(table: str, row: str, column: str) -> ThesisCell:
    return ThesisCell(table, row, column)


def _pair(
    label: str,
    reference: str,
    treatment: str,
    metric: str,
    table: str | None,
    ref_row: str | None,
    treat_row: str | None,
    *,
    test: str = "increase",
    column: str | None = None,
    margin: float = 0.0,
) -> Comparison:
    """A comparison whose thesis numbers are two cells of one table (or none)."""
    column = column or metric
    cells = (None, None)
    if table is not None and ref_row is not None and treat_row is not None:
        cells = (_cell(table, ref_row, column), _cell(table, treat_row, column))
    return Comparison(label, reference, treatment, metric, test, *cells, margin=margin)


def _row(experiment: str, table: str) -> str:
    """The one row of ``table`` that ``experiment`` reproduces, from the registry's
    ``reproduces`` (:func:`reproduction.spec.thesis_rows.thesis_keys`); ValueError when it
    reproduces none or several."""
    keys = thesis_keys(experiment, table)
    if len(keys) != 1:
        raise ValueError(f"{experiment} reproduces {len(keys)} rows of Table {table}: {keys}")
    return keys[0]


def _registry_pair(
    label: str,
    reference: str,
    treatment: str,
    metric: str,
    table: str,
    *,
    rows_of: str | None = None,
    **kwargs: Any,
) -> Comparison:
    """A comparison whose thesis cells are the rows the two experiments reproduce (the
    registry's mapping, its one home); ``rows_of``: the experiment whose row stands for the
    treatment when it reproduces none itself (a variant of a thesis experiment)."""
    return _pair(
        label,
        reference,
        treatment,
        metric,
        table,
        _row(reference, table),
        _row(rows_of or treatment, table),
        **kwargs,
    )


FINDING_PAGE = "soft_spearman"
"""The book page (notebook name) that shows why Spearman Loss at the thesis's setting is
Pearson Loss."""

SPEARMAN_IS_PEARSON = (
    "At the thesis's setting (torchsort's soft ranks at strength 1 on scores and IoUs in "
    "[0, 1]) Spearman Loss equals Pearson Loss: every Spearman row is a Pearson Loss row."
)
"""The finding that every Spearman row of the thesis is a Pearson Loss row (its one home):
the front page's notes state it once, and the pages with Spearman rows above their tables."""

SPEARMAN_ROW_MARK = "(= Pearson Loss at ε = 1)"
"""What every table appends to the label of a thesis row trained with Spearman Loss."""

_T51 = (
    ("RetinaNet, concordance 0.1", "retinanet_concordance_0.1", None),
    ("RetinaNet, Spearman 0.1 (pooled over levels)", "retinanet_spearman_0.1", None),
    (  # the label keys the committed expected verdicts (archive data): it keeps its words
        "RetinaNet, Spearman 0.1 per level (the author's reduction)",
        "retinanet_spearman_0.1_perlevel",
        "retinanet_spearman_0.1",
    ),
    ("FoveaBox, concordance 0.2", "fovea_concordance_0.2", None),
    ("FoveaBox, Spearman 0.2", "fovea_spearman_0.2", None),
    ("ATSS, concordance 0.3", "atss_concordance_0.3", None),
    ("ATSS, Spearman 0.3", "atss_spearman_0.3", None),
    ("PAA, concordance 0.3", "paa_concordance_0.3", None),
    ("PAA, Spearman 0.3", "paa_spearman_0.3", None),
)
"""Table 5.1's comparisons: label, Correlation-Loss experiment (against its baseline), and the
experiment whose thesis row stands for it where it reproduces none itself."""


def _table_5_1(metric: str, test: str = "increase") -> tuple[Comparison, ...]:
    return tuple(
        _registry_pair(label, baseline_of(exp), exp, metric, "5.1", rows_of=rows_of, test=test)
        for label, exp, rows_of in _T51
    )


_SPARSE = (
    ("Sparse R-CNN, concordance 0.3", "sparsercnn_concordance_0.3"),
    ("Sparse R-CNN, Spearman 0.2", "sparsercnn_spearman_0.2"),
)
_SPARSE_3X = (
    ("Sparse R-CNN 3x, concordance 0.3", "sparsercnn_3x_concordance_0.3"),
    ("Sparse R-CNN 3x, Spearman 0.2", "sparsercnn_3x_spearman_0.2"),
)
_ATSS_SETTINGS = (
    ("ATSS (FL), concordance 0.3", "atss_baseline", "atss_concordance_0.3"),
    (
        "ATSS + aux. head, concordance 0.2",
        "atss_centerness_baseline",
        "atss_centerness_concordance_0.2",
    ),
    ("ATSS + QFL, concordance 0.2", "atss_qfl_baseline", "atss_qfl_concordance_0.2"),
    ("ATSS + RS Loss, concordance 0.2", "atss_rs_baseline", "atss_rs_concordance_0.2"),
)


def _lambda_grid() -> tuple[Comparison, ...]:
    return tuple(
        _registry_pair(
            f"ATSS, concordance λ={lam:g}",
            "atss_baseline",
            f"atss_concordance_{lam:g}",
            "AP",
            "5.7",
        )
        for lam in LAMBDA_GRID
    )


_LOCALISATION_PAIRS = (
    ("RetinaNet", "retinanet_concordance_0.1", "retinanet_spearman_0.1"),
    ("FoveaBox", "fovea_concordance_0.2", "fovea_spearman_0.2"),
    ("ATSS", "atss_concordance_0.3", "atss_spearman_0.3"),
    ("PAA", "paa_concordance_0.3", "paa_spearman_0.3"),
    ("Sparse R-CNN", "sparsercnn_concordance_0.3", "sparsercnn_spearman_0.2"),
)


def _localisation_error() -> tuple[Comparison, ...]:
    """Spearman Loss against concordance Loss on oLRP_Loc, per detector of Table 5.1."""
    return tuple(
        _registry_pair(
            f"{name}: Spearman vs concordance", conc, spear, "oLRP_Loc", "5.1", test="decrease"
        )
        for name, conc, spear in _LOCALISATION_PAIRS
    )


_RANK_FAITHFUL = (
    ("RetinaNet", "retinanet_baseline", "retinanet_spearman_0.1", "retinanet_spearman_0.1_unitgap"),
    ("ATSS", "atss_baseline", "atss_spearman_0.3", "atss_spearman_0.3_unitgap"),
)


def _rank_faithful() -> tuple[Comparison, ...]:
    """The rank-faithful Spearman Loss against the baseline and against the thesis's
    Spearman Loss (Pearson Loss), on AP, β_img and β_cls: at the thesis's λ on any runs, then
    at each detector's chosen λ on the fresh runs of the longer schedule only (the λ was chosen
    on the demo's); the thesis has no numbers here."""
    at_thesis_lambda = tuple(
        Comparison(f"{name}: rank-faithful Spearman vs {against} ({metric})", ref, faithful, metric)
        for name, baseline, thesis_loss, faithful in _RANK_FAITHFUL
        for against, ref in (("baseline", baseline), ("the thesis's Spearman", thesis_loss))
        for metric in ("beta_img", "beta_cls", "AP")
    )
    longer = training_length_profile(RANK_LOSS_LENGTH)
    at_own_lambda = tuple(
        Comparison(
            f"{name}: rank-faithful Spearman at its λ {RANK_LOSS_CHOSEN[detector]:g} vs "
            f"{against} ({metric}; fresh runs)",
            ref,
            rank_loss_arm(detector),
            metric,
            profile=longer,
        )
        for name, baseline, thesis_loss, _ in _RANK_FAITHFUL
        for detector in (get_experiment(baseline).detector,)
        for against, ref in (("baseline", baseline), ("the thesis's Spearman", thesis_loss))
        for metric in ("beta_img", "beta_cls", "AP")
    )
    return at_thesis_lambda + at_own_lambda


def _gradient_ablation() -> tuple[Comparison, ...]:
    ap = thesis.GRADIENT_HEADS_5_5_4["AP"]
    best = ThesisCell("§5.5.4", "classifier only", "AP", stated=ap["classifier"])
    return tuple(
        Comparison(
            f"Sparse R-CNN, classifier only vs {name}",
            f"sparsercnn_spearman_0.2_{other}",
            "sparsercnn_spearman_0.2",
            "AP",
            "increase",
            ThesisCell("§5.5.4", name, "AP", stated=ap[other]),
            best,
        )
        for other, name in (("regressor", "regressor only"), ("both", "both heads"))
    )


def _training_cost() -> tuple[Comparison, ...]:
    timing = thesis.TRAINING_TIME_5_5_3
    ref = ThesisCell("§5.5.3", "baseline", "s_per_iter", stated=timing["s_per_iter_baseline"])
    treat = ThesisCell("§5.5.3", "with L_corr", "s_per_iter", stated=timing["s_per_iter_corr"])
    pairs = [
        Comparison(
            "Sparse R-CNN, Spearman 0.2",
            "sparsercnn_baseline",
            "sparsercnn_spearman_0.2",
            "s_per_iter",
            "within",
            ref,
            treat,
            margin=5.0,
        )
    ]
    for label, reference, treatment in _ATSS_SETTINGS[:1]:
        pairs.append(Comparison(label, reference, treatment, "s_per_iter", "within", margin=5.0))
    pairs.append(
        Comparison(
            "RetinaNet, Spearman 0.1",
            "retinanet_baseline",
            "retinanet_spearman_0.1",
            "s_per_iter",
            "within",
            margin=5.0,
        )
    )
    for device, where in (("cpu", "CPU, one image per step"), ("cuda", "GPU, 4 images per step")):
        for label, reference, treatment in THESIS_SCALE_PAIRS:
            cells = (ref, treat) if reference == "sparsercnn_baseline" else (None, None)
            pairs.append(
                Comparison(
                    f"{label}, thesis scale (R-50-FPN at 1333×800; {where})",
                    reference,
                    treatment,
                    "s_per_iter",
                    "within",
                    *cells,
                    margin=5.0,
                    profile="paper",
                    device=device,
                )
            )
    return tuple(pairs)


THESIS_SCALE_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("RetinaNet, Spearman 0.1", "retinanet_baseline", "retinanet_spearman_0.1"),
    ("FoveaBox, concordance 0.2", "fovea_baseline", "fovea_concordance_0.2"),
    ("ATSS, concordance 0.3", "atss_baseline", "atss_concordance_0.3"),
    ("PAA, concordance 0.3", "paa_baseline", "paa_concordance_0.3"),
    ("Sparse R-CNN, Spearman 0.2", "sparsercnn_baseline", "sparsercnn_spearman_0.2"),
    ("YOLACT, concordance 0.4", "yolact_baseline", "yolact_concordance_0.4"),
)
"""The six detectors' pairs whose training steps are timed with the paper configs
(``benchmarks/bench_overhead.py --profile paper``) for the training-cost claim."""


def _beta(metric: str) -> tuple[Comparison, ...]:
    """ATSS with concordance Loss (Table 5.4's row) and RetinaNet with Spearman Loss (no row
    of Table 5.4: the thesis's effect is unknown) on a correlation coefficient."""
    return (
        _registry_pair(
            "ATSS, concordance 0.3", "atss_baseline", "atss_concordance_0.3", metric, "5.4"
        ),
        _pair(
            "RetinaNet, Spearman 0.1",
            "retinanet_baseline",
            "retinanet_spearman_0.1",
            metric,
            None,
            None,
            None,
        ),
    )


def _bounds_gap(table: str, level: str) -> tuple[Comparison, ...]:
    """AP⁺¹ − AP of the baseline detectors: the room that a better correlation could fill."""
    rows = (
        ("ATSS (FL)", "atss_baseline", _row("atss_baseline", table)),
        ("ATSS + QFL", "atss_qfl_baseline", _row("atss_qfl_baseline", table)),
    )
    return tuple(
        Comparison(
            f"{label}: {level}-level AP⁺¹ − AP",
            experiment,
            experiment,
            f"{level}_AP_upper",
            "increase",
            _cell(table, row, "AP"),
            _cell(table, row, "AP_upper"),
            reference_metric="AP",
        )
        for label, experiment, row in rows
    )


CLAIMS: tuple[Claim, ...] = (
    Claim(
        "ap_nms",
        "Correlation Loss raises the AP of the NMS-based detectors (RetinaNet, FoveaBox, ATSS, "
        "PAA).",
        "Table 5.1",
        "table_5_1",
        _table_5_1("AP"),
        note=(
            "RetinaNet is run with two groupings of its loss: pooled over the pyramid levels "
            "(one correlation over the batch's positives, the thesis's Eq. 4.2) and per level, "
            "averaged over the levels with two or more positives, which is what the thesis "
            "author's RetinaNet config computes."
        ),
        short="AP, NMS-based detectors",
    ),
    Claim(
        "olrp_nms",
        "Correlation Loss lowers the oLRP error of the NMS-based detectors.",
        "Table 5.1",
        "table_5_1",
        _table_5_1("oLRP", test="decrease"),
        note=(
            "oLRP is an error (Oksuz et al., τ = 0.5): lower is better, so the thesis's effect "
            "is negative and a verdict that holds has a negative interval."
        ),
        short="oLRP, NMS-based detectors",
    ),
    Claim(
        "olrp_loc_spearman",
        "Spearman Loss gives a lower localisation error (oLRP_Loc) than concordance Loss in "
        "every detector of Table 5.1.",
        "§5.5.1",
        "table_5_1",
        _localisation_error(),
        note=(
            "What the thesis credits to Spearman Loss here is Pearson Loss's: each comparison "
            "is Pearson Loss against Concordance Loss on the localisation error."
        ),
        short="oLRP_Loc, Spearman vs Concordance",
    ),
    Claim(
        "ap_sparse",
        "Correlation Loss raises the AP of Sparse R-CNN, an NMS-free detector.",
        "Table 5.1",
        "table_5_1",
        tuple(
            _registry_pair(label, "sparsercnn_baseline", exp, "AP", "5.1") for label, exp in _SPARSE
        ),
        short="AP, Sparse R-CNN",
    ),
    Claim(
        "ap_sparse_strong",
        "The AP gain holds for the stronger Sparse R-CNN (36 epochs, 300 proposals, multi-scale "
        "training and cropping).",
        "Table 5.2",
        "table_5_1",
        tuple(
            _registry_pair(label, "sparsercnn_3x_baseline", exp, "AP", "5.2")
            for label, exp in _SPARSE_3X
        ),
        short="AP, stronger Sparse R-CNN",
    ),
    Claim(
        "mask_ap_yolact",
        "Correlation Loss raises YOLACT's mask AP.",
        "Table 5.3",
        "table_5_3",
        (
            _registry_pair(
                "YOLACT, concordance 0.4",
                "yolact_baseline",
                "yolact_concordance_0.4",
                "mask_AP",
                "5.3",
                column="AP_mask",
            ),
            _registry_pair(
                "YOLACT, Spearman 0.5",
                "yolact_baseline",
                "yolact_spearman_0.5",
                "mask_AP",
                "5.3",
                column="AP_mask",
            ),
        ),
        short="mask AP, YOLACT",
    ),
    Claim(
        "beta_img",
        "Correlation Loss raises the image-level correlation β_img.",
        "Table 5.4",
        "table_5_4",
        _beta("beta_img"),
        short="β_img",
    ),
    Claim(
        "beta_cls",
        "Correlation Loss raises the class-level correlation β_cls.",
        "Table 5.4",
        "table_5_4",
        _beta("beta_cls"),
        short="β_cls",
    ),
    Claim(
        "complementary",
        "Correlation Loss adds to methods that already improve correlation (auxiliary head, "
        "QFL, RS Loss): AP rises on top of each.",
        "Table 5.4",
        "table_5_4",
        tuple(
            _registry_pair(label, ref, treat, "AP", "5.4")
            for label, ref, treat in _ATSS_SETTINGS[1:]
        ),
        short="AP on top of other methods",
    ),
    Claim(
        "figure_1_3a",
        "Enforcing correlation moves every ATSS setting up in both β_cls and AP.",
        "Figure 1.3(a)",
        "figure_1_3",
        tuple(
            _registry_pair(f"{label} ({metric})", ref, treat, metric, "5.4")
            for label, ref, treat in _ATSS_SETTINGS
            for metric in ("AP", "beta_cls")
        ),
        short="AP and β_cls, ATSS settings",
    ),
    Claim(
        "pearson",
        "Pearson Loss does not outperform the better of concordance and Spearman Loss "
        "(within 0.5 AP).",
        "Table 5.6",
        "table_5_6",
        (
            _registry_pair(
                "ATSS: concordance 0.3 vs Pearson 0.3",
                "atss_pearson_0.3",
                "atss_concordance_0.3",
                "AP",
                "5.6",
                test="not_below",
                margin=0.5,
            ),
            _registry_pair(
                "Sparse R-CNN: Spearman 0.2 vs Pearson 0.2",
                "sparsercnn_pearson_0.2",
                "sparsercnn_spearman_0.2",
                "AP",
                "5.6",
                test="not_below",
                margin=0.5,
            ),
        ),
        note=(
            "The Spearman rows of Table 5.6 compare a loss with itself, so their difference in "
            "the thesis is the spread of one loss between runs; only the concordance row "
            "compares two losses."
        ),
        short="Pearson Loss no better",
    ),
    Claim(
        "lambda",
        "Every λ_corr from 0.1 to 0.5 improves ATSS's AP over λ_corr = 0.",
        "Table 5.7",
        "table_5_7",
        _lambda_grid(),
        short="AP at every λ",
    ),
    Claim(
        "cost",
        "Correlation Loss adds a negligible training cost (within 5 % per iteration).",
        "§5.5.3",
        "overhead",
        _training_cost(),
        short="training cost",
    ),
    Claim(
        "gradient",
        "Sending L_corr's gradient through the classifier only beats the regressor only and "
        "both heads.",
        "§5.5.4",
        "gradient",
        _gradient_ablation(),
        short="gradient to the classifier only",
    ),
    Claim(
        "classes",
        "Correlation Loss improves most classes, not a few.",
        "Table 5.8",
        "table_5_8",
        (
            Comparison(
                "Sparse R-CNN, Spearman 0.2",
                "sparsercnn_baseline",
                "sparsercnn_spearman_0.2",
                "per_class_AP",
                "class_majority",
            ),
            Comparison(
                "ATSS, concordance 0.3",
                "atss_baseline",
                "atss_concordance_0.3",
                "per_class_AP",
                "class_majority",
            ),
        ),
        thesis_summary="64 of 80 classes improve (Sparse R-CNN)",
        short="most classes improve",
    ),
    Claim(
        "bounds_gap",
        "The gap between AP and its upper bound AP⁺¹ leaves room for a better correlation.",
        "Tables 3.1, 3.2",
        "bounds",
        _bounds_gap("3.1", "image") + _bounds_gap("3.2", "class"),
        short="room under AP⁺¹",
    ),
    Claim(
        "rank_loss",
        "A Spearman Loss on ranks, not on values (soft ranks that follow the exact ranks), "
        "raises β_img, β_cls and AP, over the baseline and over the thesis's Spearman Loss.",
        "beyond the thesis",
        "soft_spearman",
        _rank_faithful(),
        thesis_summary="not in the thesis: its Spearman Loss is Pearson Loss",
        note=(
            "This loss is the companion's, not the thesis's: Spearman Loss whose inputs are "
            "rescaled to a unit mean gap before soft ranking at strength 0.1, so that its soft "
            "ranks follow the exact ranks. Against the thesis's Spearman Loss it is a loss on "
            "ranks against a loss on values. It is compared at the thesis's λ, and at each "
            "detector's own λ (the best of a sweep on the demo's runs) on fresh runs of the "
            f"{RANK_LOSS_LENGTH:,}-iteration schedule only, so that the runs that chose the λ "
            "do not judge it."
        ),
        short="rank-faithful Spearman Loss",
    ),
    Claim(
        "sota",
        "Sparse R-CNN with Correlation Loss is competitive with the state of the art on COCO "
        "test-dev.",
        "Table 5.5",
        "table_5_1",
        untestable=(
            "needs COCO test-dev, whose ground truth is held by the evaluation server, and "
            "R-101 / X-101 DCN backbones trained for 36 epochs; no profile here has either"
        ),
        short="state of the art",
    ),
)
"""Every claim of the thesis that the book answers, in the order of the front page."""


def get_claim(claim_id: str) -> Claim:
    """Return the claim with this id; KeyError lists the known ids."""
    for claim in CLAIMS:
        if claim.id == claim_id:
            return claim
    raise KeyError(f"unknown claim {claim_id!r}; known: {', '.join(c.id for c in CLAIMS)}")


def finding_link() -> str:
    """A Markdown link to :data:`FINDING_PAGE` for a cell's output, which the book renders as
    it is: the link names the built page (``.html``), beside the pages that show it."""
    return f"[Why: Spearman Loss at the thesis's setting]({FINDING_PAGE}.html)"


def finding_markdown() -> str:
    """The note a page with Spearman rows shows above its tables (Markdown)."""
    return f"**Spearman rows.** {SPEARMAN_IS_PEARSON} They are marked {SPEARMAN_ROW_MARK}. " + (
        finding_link()
    )


def notes_markdown(claims: Sequence[Claim] = CLAIMS) -> str:
    """The front page's notes, as a Markdown list: first the Spearman finding, stated once and
    linked to :data:`FINDING_PAGE` (when some claim has a Spearman row), then one item per
    claim that carries a note, its source first, in the claim's own words; an empty string
    when there is nothing to note."""
    items = []
    if any(
        "spearman" in c.treatment or "spearman" in c.reference
        for x in claims
        for c in x.comparisons
    ):
        items.append(f"- **Spearman rows.** {SPEARMAN_IS_PEARSON} {finding_link()}.")
    for claim in claims:
        if claim.note is not None:
            items.append(f"- **{claim.source}**, {claim.short or claim.text}: {claim.note}")
    return "\n".join(items)


def claims_on_page(page: str) -> tuple[Claim, ...]:
    """Return the claims whose evidence a book page (notebook name) shows."""
    return tuple(c for c in CLAIMS if c.page == page)
