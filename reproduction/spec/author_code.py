"""How this companion differs from the thesis author's public implementation (pure data).

The thesis author published Correlation Loss as a fork of mmdetection 2.18
(``fehmikahraman/CorrLoss`` on GitHub): the loss is written into each detector's head
(``mmdet/models/dense_heads/corr_*_head.py``; for Sparse R-CNN into the fork's own
``mmdet/models/roi_heads/bbox_heads/dii_head.py``) and the trainings are the files of
``configs/CorrLoss/``. This companion implements the loss once (:mod:`corrlib.losses`), adds
it to mmdetection 3.x heads (:mod:`corrlib.integration`) and trains the detectors from mmdet's
own configs (:mod:`reproduction.running.mmdet_configs`, paper profile).

:data:`DIFFERENCES` lists every difference between the two that can change a number (a loss
value, a gradient, a trained detector, a test-time score), each with what the author's code
does (and the file of that repository where it is seen), what this project does, why, the
option that selects the author's behaviour where one exists, and what measures its effect.
Entries are ordered by how much they can change a reported number, largest first; the entries
whose ``why`` starts with "follows the author" come last: they are checks that the two agree,
kept so that the list is complete.

:data:`TRAINING_RUNS` names the registered experiments (:mod:`reproduction.spec.experiments`) whose
paired trainings measure a difference, :data:`SETTING_RUNS` the trainings of one experiment in
two profiles that do; :func:`table_rows` gives the list as plain rows for a table. Pure data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from reproduction.spec.plans import HALF_BATCH_BASELINES
from reproduction.spec.profiles import HALF_BATCH_PROFILE

REPOSITORY = "fehmikahraman/CorrLoss"
"""The author's repository on GitHub (mmdetection 2.18.1 fork)."""

FOLLOWS = "follows the author"
"""How ``why`` begins when this project does what the author's code does."""


@dataclass(frozen=True)
class Difference:
    """One difference between the author's implementation and this project.

    Attributes:
        topic: a short name.
        detectors: the detectors it concerns (names of
        :data:`reproduction.spec.experiments.DETECTORS`),
            or ``("all",)``.
        author: what the author's code does, and the file(s) of :data:`REPOSITORY` where it is
            seen.
        here: what this project does, and the module or option that does it.
        why: why this project does it so, or "follows the author ..." where it does the same.
        option: the corrlib or config option that selects the author's behaviour, or None
            when there is none (or nothing to select).
        measured: None, or what measures the effect: a function (``author_effects.<name>``)
            and/or a comparison of training runs (see :data:`TRAINING_RUNS`).
    """

    topic: str
    detectors: tuple[str, ...]
    author: str
    here: str
    why: str
    option: str | None = None
    measured: str | None = None


_LEVEL_EFFECTS = "author_effects.loss_level_effects"

DIFFERENCES: tuple[Difference, ...] = (
    Difference(
        topic="YOLACT: per-image loss, summed",
        detectors=("yolact",),
        author=(
            "corr_yolact_head.py (loss_single_OHEM): one correlation per image (images with two "
            "or more positives), each times λ; mmdet 2.x sums the per-image list, so L_corr is "
            "λ × Σ over the GPU's 8 images — up to 8 times a per-image mean, and its weight "
            "grows with the images per GPU"
        ),
        here=(
            "paper profile: the author's, one correlation per image summed "
            "(reproduction/running/mmdet_configs/profiles/paper/yolact.py sets "
            "CorrelationLoss(grouping='image_sum')); demo and smoke: one correlation over all "
            "positives of the batch (grouping='batch', the thesis's Eq. 4.2)"
        ),
        why=(
            "the thesis defines L_corr over the positives of a batch (Eq. 4.2) with λ as the "
            "weight; a sum over images makes the effective weight depend on the batch split"
        ),
        option="CorrelationLoss(grouping='image_sum') (needs use_ohem=True, YOLACT's default)",
        measured=_LEVEL_EFFECTS,
    ),
    Difference(
        topic="YOLACT: batch, learning rate, clipping, warm-up",
        detectors=("yolact",),
        author=(
            "configs/CorrLoss/yolact_r50_4x8_coco.py: 8 images per GPU on 4 GPUs (README: "
            "'on 4 GPUs as we did'; 32 per batch), SGD lr 4e-3, weight decay 5e-4, gradient "
            "clipping at norm 35, 1,000 linear warm-up iterations from 0.1, 55 epochs "
            "(steps 20/42/49/52); BN trained with the statistics of 8 images"
        ),
        here=(
            "paper profile: the author's "
            "(reproduction/running/mmdet_configs/profiles/paper/yolact.py: 32 images per batch, "
            "8 per GPU on 4 GPUs, lr 4e-3, clipping at 35, 1,000 warm-up "
            "iterations); mmdet 3.x's standard yolact_r50_1xb8-55e_coco has 8 images in all, "
            "lr 1e-3, no clipping and 500 warm-up iterations"
        ),
        why=(
            "the thesis says only 'YOLACT in its standard setting'; where it is silent the "
            "paper profile follows the author's config, which is the setting its numbers came "
            "from"
        ),
        option="the paper profile's YOLACT overlay",
        measured=None,
    ),
    Difference(
        topic="ATSS without aux head: branch kept, untrained",
        detectors=("atss",),
        author=(
            "configs/CorrLoss/atss_r50_fpn_1x_coco_concordance_noauxhead_03.py only sets the "
            "centerness loss weight to 0: the centerness conv stays in the model at its random "
            "initialisation (only weight decay moves it), and mmdet 2.18's ATSS test path still "
            "multiplies every score by its sigmoid (about 0.5, varying from box to box), which "
            "re-orders detections; no 'no aux head' baseline config is published"
        ),
        here=(
            "CorrATSSHead(with_aux_head=False) (corrlib.integration.heads.aux_switch): the conv "
            "is replaced by a parameter-free zero map, loss_centerness is dropped, and test "
            "scores are the class probabilities alone (baseline and Correlation Loss alike)"
        ),
        why=(
            "the thesis says the auxiliary heads are removed (Table 5.1); an untrained branch "
            "that still scales test scores is not removed and adds noise to the ranking"
        ),
        option=None,
        measured=None,
    ),
    Difference(
        topic="RetinaNet: one loss per pyramid level",
        detectors=("retinanet",),
        author=(
            "corr_retina_head.py with use_loss_single=1 "
            "(retinanet_r50_fpn_1x_coco_spearman_single_01.py, RetinaNet's only config): one "
            "correlation per FPN level over the GPU's 4 images, averaged over the levels with "
            "two or more positives (a level whose loss is NaN still counts), times λ; a "
            "level with 3 positives weighs as much as one with 300"
        ),
        here=(
            "paper profile: the author's (reproduction/running/mmdet_configs/profiles/paper/"
            "retinanet.py sets CorrelationLoss(grouping='level_mean')); demo: one correlation "
            "over all positives of the batch (the thesis's Eq. 4.2), and the per-level "
            "grouping as its own experiment"
        ),
        why=(
            "the thesis's Eq. 4.2 is one correlation over the batch's positives; the author's "
            "RetinaNet computed it per level, so the paper profile does, and the demo runs both"
        ),
        option="CorrelationLoss(grouping='level_mean')",
        measured=f"{_LEVEL_EFFECTS}; runs retinanet_spearman_0.1_perlevel",
    ),
    Difference(
        topic="YOLACT Spearman λ",
        detectors=("yolact",),
        author="configs/CorrLoss/yolact_r50_4x8_coco_spearman_02.py: λ = 0.2",
        here="yolact_spearman_0.5: λ = 0.5 (reproduction.spec.experiments, Table 5.3)",
        why="the thesis states λ = 0.5 for the Spearman row of Table 5.3 (§5.2.3)",
        option="an experiment with loss_weight=0.2 (not registered)",
        measured=None,
    ),
    Difference(
        topic="PAA without aux head: candidate pre-selection",
        detectors=("paa",),
        author=(
            "corr_paa_head.py hard-codes NMS and score-voting scores to the class probability "
            "(for every CorrPAAHead), but the nms_pre top-1000 per level still ranks by "
            "sqrt(score × sigmoid(IoU branch)), whose branch is untrained "
            "(paa_r50_fpn_1x_coco_concordance_noauxhead_03.py: loss weight 0)"
        ),
        here=(
            "CorrPAAHead(with_aux_head=False): the IoU branch is a zero map (a constant factor), "
            "so pre-selection, NMS and score voting all rank by the class probability"
        ),
        why=(
            "no auxiliary head means no auxiliary factor anywhere; NMS scoring follows the author"
        ),
        option=None,
        measured=None,
    ),
    Difference(
        topic="Baselines: loss on by default in the fork's RoI heads",
        detectors=("sparsercnn", "sparsercnn_3x"),
        author=(
            "the fork's DIIHead (mmdet/models/roi_heads/bbox_heads/dii_head.py) adds Spearman "
            "L_corr with λ = 0.2 unless corr_w is set (bbox_head.py adds λ = 0.1 to the "
            "heads built on BBoxHead, e.g. Faster R-CNN's), so a Sparse R-CNN trained in that "
            "fork from mmdet's stock config is not a plain baseline; the fork's Table 5.2 "
            "baseline config (configs/CorrLoss/sparse_rcnn_r50_fpn_300_proposals_crop_"
            "mstrain_480-800_3x_coco.py) sets no corr_w, so it would train with that default "
            "Spearman Loss (its _base_ file is not in the repository)"
        ),
        here="baselines have loss_corr=None: CorrDIIHead is exactly mmdet's DIIHead",
        why="a baseline is the detector without Correlation Loss",
        option=None,
        measured=None,
    ),
    Difference(
        topic="FoveaBox: boxes decoded without clipping",
        detectors=("fovea",),
        author=(
            "corr_fovea_head.py (get_bbox_targets): predicted and target boxes are decoded "
            "from the point, the level's base edge and exp(offsets) without clipping to the "
            "image (its loop walks image by image while the flattened tensors are level by "
            "level, but both boxes get the same centre and scale, which leaves the IoU as is)"
        ),
        here=(
            "mmdet 3.x FoveaHead._bbox_decode clips both boxes to the padded batch canvas "
            "(corrlib.integration.heads.fovea), so a prediction crossing the border has a "
            "higher IoU here"
        ),
        why="reuses mmdet's decoder, the boxes FoveaBox outputs at test time",
        option=None,
        measured=None,
    ),
    Difference(
        topic="Framework: mmdetection 2.18 vs 3.3",
        detectors=("all",),
        author="mmdetection 2.18.1 (mmdet/version.py), mmcv 1.x, configs/_base_ of that version",
        here=(
            "mmdetection 3.3.0 with mmcv 2.1.0 and mmengine 0.10.7; detectors from mmdet 3.x "
            "configs (reproduction/running/mmdet_configs/*.py)"
        ),
        why=(
            "the maintained version; configs keep the same models, schedules and test settings, "
            "but data pipelines and implementations were rewritten, so baselines can differ "
            "slightly"
        ),
        option=None,
        measured=None,
    ),
    Difference(
        topic="Baselines: half the images per step",
        detectors=("atss", "paa", "retinanet"),
        author=(
            "configs/CorrLoss/atss_r50_fpn_1x_coco.py, paa_r50_fpn_1x_coco.py and "
            "retinanet_r50_fpn_1x_coco.py set no samples_per_gpu, so mmdet 2.x's "
            "_base_/datasets/coco_detection.py gives 2 images per GPU (8 on 4 GPUs) at lr 0.01; "
            "the Correlation-Loss configs of the same detectors set samples_per_gpu=4 (16, the "
            "thesis's stated batch, §5.1) at the same lr"
        ),
        here=(
            "baseline and Correlation-Loss runs of a profile share one batch and learning rate "
            "(paper profile: 16 images, 4 per GPU; demo: 8)"
        ),
        why=(
            "a paired comparison changes one thing; if the thesis's baselines ran at 8 images "
            "(twice the iterations of 16 over 12 epochs, at the same lr), their effects mix "
            "the loss with the batch size and schedule"
        ),
        option=f"profile {HALF_BATCH_PROFILE} (the demo's baselines at half the batch)",
        measured=f"runs of profile {HALF_BATCH_PROFILE}, paired by seed with the demo's",
    ),
    Difference(
        topic="FoveaBox concordance: 1e-6 in its Pearson term",
        detectors=("fovea",),
        author=(
            "corr_fovea_head.py (concordancer): Pearson's r = Σvx·vy / (√Σvx²·√Σvy² + 1e-6), "
            "then γ = 2·r·σx·σy / (σx² + σy² + (x̄ − ȳ)²) with torch.var/std (sample "
            "moments); the targets clamped to [1/16, 16] before their log are mmdet's own "
            "FoveaBox (the same in mmdet 3.x)"
        ),
        here=(
            "γ = 2·cov / (var x + var y + (x̄ − ȳ)² + 1e-12) (corrlib.losses.concordance): "
            "no floor inside r"
        ),
        why=(
            "the floor only matters when the positives' scores or IoUs barely vary "
            "(√Σvx²·√Σvy² near 1e-6); it lowers |γ| slightly there"
        ),
        option=None,
        measured="author_effects.loss_level_effects",
    ),
    Difference(
        topic="Host synchronisation on the loss path",
        detectors=("all",),
        author=(
            "corr_*_head.py: positives selected with nonzero / boolean masks per level "
            "(RetinaNet) or per batch, `if len(...) > 1` and NaN tests read back on the host, "
            "constants made from Python lists; each makes a GPU's host wait, several times per "
            "pyramid level (RetinaNet) or per stage (Sparse R-CNN) of every training step"
        ),
        here=(
            "none: corrlib's heads pass every prior with the positives as 0/1 weights, groups "
            "as segment sums over counts the head knows, constants as Python floats, value "
            "checks deferred (corrlib.losses.checks); a rank-faithful Spearman Loss compacts "
            "the positives once. Before this, corrlib's loss path waited more often than the "
            "author's (input checks at three levels, per-level nonzero, unique and a loop "
            "over groups)"
        ),
        why=(
            "on a GPU each wait drains the device's queue, so the loss's cost on a step is "
            "latency, not arithmetic; the training-cost claim should judge the loss"
        ),
        option="corrlib.losses.set_validation('eager') reads checks at once (one wait a call)",
        measured="tests/test_host_sync.py counts the waits per head; benchmarks/bench_syncs.py",
    ),
    Difference(
        topic="ATSS pooled branch: box loss normaliser per GPU",
        detectors=("atss",),
        author=(
            "corr_atss_head.py with use_loss_single=0 (both ATSS configs) divides the GIoU loss "
            "by this GPU's sum of centerness targets; mmdet's ATSS (and the author's per-level "
            "branch) average that sum over GPUs first"
        ),
        here="mmdet 3.x ATSSHead's loss, averaged over GPUs (CorrATSSHead adds only L_corr)",
        why="the detector's own losses are mmdet's; only L_corr is added",
        option=None,
        measured=None,
    ),
    Difference(
        topic="Concordance: sample moments",
        detectors=("atss", "paa", "fovea", "sparsercnn", "sparsercnn_3x", "yolact", "retinanet"),
        author=(
            "every head's concordancer uses torch.var and torch.std (divide by n − 1) with the "
            "mean difference (x̄ − ȳ)² undivided, so the mean gap between scores and IoUs "
            "weighs less than in Lin's coefficient; large at a handful of positives, "
            "negligible at hundreds"
        ),
        here=(
            "paper profile: the author's sample moments (profiles/paper.py sets "
            "CorrelationLoss(moments='sample')); demo and smoke: population moments (divide by "
            "n, Lin's definition)"
        ),
        why=(
            "Lin's concordance (thesis Eq. 2.3) uses population moments; pooled over a batch "
            "the two agree to well under 1 %, and the paper profile follows the author"
        ),
        option="CorrelationLoss(moments='sample')",
        measured=_LEVEL_EFFECTS,
    ),
    Difference(
        topic="Positives pooled per GPU",
        detectors=("all",),
        author=(
            "every head computes L_corr on one GPU's images (4 per GPU, YOLACT 8) and DDP "
            "averages the gradients; configs/CorrLoss/*: samples_per_gpu=4, thesis §5.1: 4 GPUs"
        ),
        here=(
            "also per process: the paper profile splits 16 images over 4 GPUs (4 each, as the "
            "author; YOLACT 32 over 4 GPUs, 8 each, as the author); the demo profile trains one "
            "process on 8 images, so its correlation pools 8 images"
        ),
        why=(
            f"{FOLLOWS} on the paper profile; the demo's single process has no GPU split to follow"
        ),
        option="train --gpus (paper profile: images per GPU = batch / gpus)",
        measured=None,
    ),
    Difference(
        topic="Spearman soft ranks on absolute values (= Pearson)",
        detectors=("all",),
        author=(
            "every head's spearmanr: torchsort.soft_rank of the raw scores and IoUs at strength "
            "1.0 (ATSS: regul_strength, default 1.0); for values in [0, 1] the soft ranks are "
            "the values plus a constant, so Spearman Loss is Pearson Loss"
        ),
        here=(
            "corrlib.losses.spearman with rank_scale='absolute' and strength 1 by default, the "
            "same computation"
        ),
        why=(
            f"{FOLLOWS}: the thesis's numbers were made with it; rank_scale='unit_gap' is the "
            "rank-faithful alternative, trained as separate experiments"
        ),
        option="CorrelationLoss(rank_scale='absolute') (the default)",
        measured="runs retinanet_spearman_0.1_unitgap, atss_spearman_0.3_unitgap",
    ),
    Difference(
        topic="IoU floor and undefined losses",
        detectors=("all",),
        author=(
            "IoUs clamped to at least 1e-6 (PAA: 1e-12) and detached; fewer than two positives "
            "gives 0; a NaN loss (a constant input) is replaced by 0 (every corr_* head, "
            "dii_head.py)"
        ),
        here=(
            "IoUs not clamped; fewer than two positives or a constant input gives a zero on the "
            "graph; 1e-12 added to denominators (corrlib.losses.correlation_loss)"
        ),
        why=f"{FOLLOWS} in effect: the two differ by at most a 1e-6 shift of an IoU",
        option=None,
        measured=None,
    ),
    Difference(
        topic="Scores, IoUs and gradient path",
        detectors=("all",),
        author=(
            "ŝ = sigmoid of the ground-truth class logit (YOLACT: softmax over 81 classes); IoU "
            "of the decoded prediction with the assigned ground truth; IoUs detached, so only "
            "the classifier gets the gradient (every corr_* head, dii_head.py)"
        ),
        here="the same (corrlib.integration.heads.corr_mixin, sparse_rcnn.scores_and_ious)",
        why=f"{FOLLOWS} (thesis §4.2)",
        option="CorrelationLoss(gradient='classifier') (the default)",
        measured="runs sparsercnn_spearman_0.2_regressor, sparsercnn_spearman_0.2_both",
    ),
    Difference(
        topic="Positives",
        detectors=("all",),
        author=(
            "the assigner's positives of each head: MaxIoU (RetinaNet, YOLACT), ATSS, PAA after "
            "its GMM re-assignment, FoveaBox's fovea areas, Sparse R-CNN's Hungarian matches "
            "per stage"
        ),
        here="the same positives, taken from mmdet 3.x's targets of each head",
        why=FOLLOWS,
        option=None,
        measured=None,
    ),
    Difference(
        topic="Sparse R-CNN: per stage, times the stage weight",
        detectors=("sparsercnn", "sparsercnn_3x"),
        author=(
            "dii_head.py: L_corr pooled over the GPU's proposals matched at each of the 6 "
            "stages, times the stage weight (1); sparse_rcnn_r50_fpn_1x_coco_spearman_02.py"
        ),
        here="CorrDIIHead on every stage (s0 … s5.loss_corr), stage weights 1",
        why=f"{FOLLOWS} (thesis §4.2)",
        option=None,
        measured=None,
    ),
    Difference(
        topic="λ of the other configs",
        detectors=("retinanet", "atss", "paa", "fovea", "sparsercnn", "sparsercnn_3x", "yolact"),
        author=(
            "configs/CorrLoss: RetinaNet Spearman 0.1, ATSS (no aux) concordance 0.3, ATSS "
            "(with aux) concordance 0.2, PAA concordance 0.3, FoveaBox concordance and "
            "Spearman 0.2, Sparse R-CNN Spearman 0.2 (1x and 3x), concordance 0.3 (3x), "
            "YOLACT concordance 0.4"
        ),
        here=(
            "the same λ (reproduction.spec.experiments; lambda_source says thesis or "
            "official-config); rows without a config or thesis value use the other "
            "coefficient's λ ('assumed')"
        ),
        why=FOLLOWS,
        option=None,
        measured=None,
    ),
    Difference(
        topic="Optimiser, schedule, test settings",
        detectors=("retinanet", "atss", "paa", "fovea", "sparsercnn", "sparsercnn_3x"),
        author=(
            "configs/CorrLoss/*: 4 images × 4 GPUs; SGD lr 0.01, momentum 0.9, weight decay "
            "1e-4, 500 warm-up iterations from 0.001, 12 epochs with steps at 8 and 11; Sparse "
            "R-CNN AdamW lr 2.5e-5, weight decay 1e-4, clipping at norm 1; test: score "
            "threshold 0.05, nms_pre 1000, NMS IoU 0.5 (RetinaNet, FoveaBox) or 0.6 (ATSS, "
            "PAA, with score voting), 100 per image; Sparse R-CNN top 100 (3x: 300)"
        ),
        here="the same values from mmdet 3.x's configs and the paper profile (16 images)",
        why=FOLLOWS,
        option=None,
        measured=None,
    ),
)
"""Every difference, ordered by how much it can change a reported number (largest first)."""

TRAINING_RUNS: dict[str, tuple[str, ...]] = {
    "RetinaNet: one loss per pyramid level": (
        "retinanet_spearman_0.1_perlevel vs retinanet_spearman_0.1",
        "retinanet_spearman_0.1_perlevel vs retinanet_baseline",
    ),
    "Spearman soft ranks on absolute values (= Pearson)": (
        "retinanet_spearman_0.1_unitgap vs retinanet_spearman_0.1",
        "atss_spearman_0.3_unitgap vs atss_spearman_0.3",
    ),
    "Scores, IoUs and gradient path": (
        "sparsercnn_spearman_0.2_regressor vs sparsercnn_spearman_0.2",
        "sparsercnn_spearman_0.2_both vs sparsercnn_spearman_0.2",
    ),
}
"""Topic → the paired trainings (registered experiments) that measure it; the claims page
shows their verdicts. Topics not listed were not measured in training runs."""


SETTING_RUNS: dict[str, tuple[str, ...]] = {
    "Baselines: half the images per step": tuple(
        f"{baseline} in {HALF_BATCH_PROFILE} vs in demo" for baseline in HALF_BATCH_BASELINES
    ),
}
"""Topic → the trainings of one experiment in two profiles (another setting of the same run,
paired by seed) that measure it; the differences page shows their effects."""


TRAINING_CLAIMS: tuple[str, ...] = ("ap_nms", "olrp_nms", "rank_loss", "gradient")
"""The claims (:mod:`reproduction.spec.claims` ids) whose comparisons hold the trainings of
:data:`TRAINING_RUNS`."""

TRAINING_LABELS = "RetinaNet, Spearman|rank-faithful|classifier only"
"""A pattern of the comparison labels of those claims that measure a difference (a regular
expression for ``pandas.Series.str.contains``)."""


def follows_author(difference: Difference) -> bool:
    """True when this project does what the author's code does (``why`` says so)."""
    return difference.why.startswith(FOLLOWS)


def table_rows() -> list[dict[str, str]]:
    """Return :data:`DIFFERENCES` as rows for a table, in their order.

    Each row has the fields of :class:`Difference` as strings (``detectors`` joined with
    ", ", None as "—") plus "trained": the paired trainings of :data:`TRAINING_RUNS` and
    :data:`SETTING_RUNS` that measure it, or "no".
    """
    rows = []
    for d in DIFFERENCES:
        row = {k: ("—" if v is None else v) for k, v in asdict(d).items()}
        row["detectors"] = ", ".join(d.detectors)
        trained = (*TRAINING_RUNS.get(d.topic, ()), *SETTING_RUNS.get(d.topic, ()))
        row["trained"] = "; ".join(trained) or "no"
        rows.append(row)
    return rows


__all__ = [
    "DIFFERENCES",
    "FOLLOWS",
    "REPOSITORY",
    "SETTING_RUNS",
    "TRAINING_RUNS",
    "Difference",
    "follows_author",
    "table_rows",
]
