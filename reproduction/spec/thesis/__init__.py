"""The thesis's own numbers, as data: Tables 3.1, 3.2, 5.1-5.8 and Figure 1.3.

Notebooks print these beside the reproduced numbers. Everything is transcribed as printed in
a plain-text rendering of the thesis (which is not part of this repository); disagreements
between tables and cells that the text extraction garbles are kept as printed and listed in
``TABLES[name].notes``.
Importing this module needs only the standard library; :func:`table` and :func:`figure` import
pandas when called.

API
---
``TABLES``
    ``{"3.1": TableInfo, ...}``: caption (verbatim), value columns, the header of each column as
    printed, units, section, page (from the List of Tables), lines of the text file, notes.
``table(name) -> pandas.DataFrame``
    One row per printed row (Table 5.7: one row per model and λ_corr), indexed by a stable key.
``value(table, row_key, column) -> float | None``
    One cell; ``None`` where the thesis leaves the cell empty.
``row(table, row_key) -> dict``
    One row with every descriptor, missing cells as ``None``.
``FIGURES`` / ``figure(name)``
    Figure 1.3 (a) AP_C vs β_cls and (b) the gains; the text gives no data points for it, so
    they are derived from the tables they come from (each row says which).

Value columns (the same name means the same measure in every table; all in %)
---------------------------------------------------------------------------------
``AP`` COCO-style AP_C (IoU 0.50:0.95); ``AP50``, ``AP75`` AP at IoU 0.50 / 0.75;
``APs``, ``APm``, ``APl`` AP_C of small / medium / large objects; ``AP_mask``, ``AP50_mask``,
``AP75_mask`` the same for instance masks (YOLACT); ``oLRP``, ``oLRP_Loc``, ``oLRP_FP``,
``oLRP_FN`` optimal LRP and its components (lower is better); ``beta_img`` (Eq. 3.1),
``beta_cls`` (Eq. 3.2); ``AP_lower``/``AP50_lower``/``AP75_lower`` the lower bounds AP^{-1}
and ``AP_upper``/``AP50_upper``/``AP75_upper`` the upper bounds AP^{+1} (image level in
Table 3.1, class level in Table 3.2); ``AP_baseline``/``AP_corr`` per-class AP of Sparse
R-CNN without / with Correlation Loss (Table 5.8). Not in %: ``epochs`` (Table 5.5).

Descriptor columns of the experiment tables
-------------------------------------------
``method`` (row label as printed), ``group`` (section header(s) of the table the row sits in),
``detector``, ``variant`` (see ``reproduction.spec.thesis._data.BASES``), ``corr_loss`` (whether
the row
adds Correlation Loss), ``coefficient`` (``"concordance"``, ``"spearman"``, ``"pearson"`` or
None), ``lambda_corr`` (None where the text does not say it), ``lambda_source`` (where the text
says it). Row keys read ``<base>[+conc|+spear|+pearson][@<λ_corr>]``, e.g. ``"atss_fl+conc"``,
``"sparse_rcnn+spear@0.2"``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from reproduction.spec.thesis import _data as D
from reproduction.spec.thesis.prose import GRADIENT_HEADS_5_5_4, TRAINING_TIME_5_5_3

GRID_LAMBDAS: tuple[float, ...] = D.GRID_LAMBDAS
"""The λ_corr columns of Table 5.7, as printed (0 is the model without Correlation Loss)."""

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COLUMNS",
    "FIGURES",
    "TABLES",
    "FigureInfo",
    "GRADIENT_HEADS_5_5_4",
    "TRAINING_TIME_5_5_3",
    "TableInfo",
    "figure",
    "row",
    "table",
    "value",
]

#: Glossary of every value column used by any table.
COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "AP": "COCO-style AP (AP_C), mean over IoU thresholds 0.50:0.05:0.95",
        "AP50": "AP at IoU 0.50",
        "AP75": "AP at IoU 0.75",
        "APs": "AP_C of small objects",
        "APm": "AP_C of medium objects",
        "APl": "AP_C of large objects",
        "AP_mask": "COCO-style mask AP (instance segmentation)",
        "AP50_mask": "mask AP at IoU 0.50",
        "AP75_mask": "mask AP at IoU 0.75",
        "oLRP": "optimal LRP (lower is better)",
        "oLRP_Loc": "localisation component of oLRP",
        "oLRP_FP": "false-positive component of oLRP",
        "oLRP_FN": "false-negative component of oLRP",
        "beta_img": "image-level correlation β_img (Eq. 3.1)",
        "beta_cls": "class-level correlation β_cls (Eq. 3.2)",
        "AP_lower": "lower-bound AP_C^{-1}: true positives' scores re-ranked against the IoU order",
        "AP50_lower": "lower-bound AP_50^{-1}",
        "AP75_lower": "lower-bound AP_75^{-1}",
        "AP_upper": "upper-bound AP_C^{+1}: true positives' scores re-ranked to follow the IoUs",
        "AP50_upper": "upper-bound AP_50^{+1}",
        "AP75_upper": "upper-bound AP_75^{+1}",
        "AP_baseline": "per-class AP_C of Sparse R-CNN",
        "AP_corr": "per-class AP_C of Sparse R-CNN with Correlation Loss",
        "epochs": "training epochs",
    }
)


@dataclass(frozen=True)
class TableInfo:
    """Metadata of one thesis table.

    Attributes:
        name: table number, e.g. ``"5.1"``.
        caption: the caption, verbatim from the text (without the ``Table X.Y:`` prefix).
        kind: ``"experiments"``, ``"sota"``, ``"lambda_grid"`` or ``"per_class"``.
        section: thesis section the table belongs to.
        columns: value columns in printed order (names from :data:`COLUMNS`).
        printed: value column -> its header as printed in the text.
        units: value column -> unit (``"%"`` for all measures).
        descriptors: the other (non-value) columns of :func:`table`, in order.
        page: thesis page from the List of Tables (None where it is not listed).
        lines: first and last line (1-based) of caption + table in the thesis text file.
        notes: ambiguities, garbles and inconsistencies of the printed table.
    """

    name: str
    caption: str
    kind: str
    section: str
    columns: tuple[str, ...]
    printed: Mapping[str, str]
    units: Mapping[str, str]
    descriptors: tuple[str, ...]
    page: int | None
    lines: tuple[int, int]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class FigureInfo:
    """Metadata of a figure whose data points are derived from tables.

    Attributes:
        name: e.g. ``"1.3a"``.
        caption: what the panel shows (the thesis's caption, shortened).
        columns: the columns of :func:`figure`.
        derived_from: the tables the points come from.
        notes: how the points were obtained.
    """

    name: str
    caption: str
    columns: tuple[str, ...]
    derived_from: tuple[str, ...]
    notes: tuple[str, ...]


_EXP_DESCRIPTORS = (
    "method",
    "group",
    "detector",
    "variant",
    "corr_loss",
    "coefficient",
    "lambda_corr",
    "lambda_source",
)
_T54_DESCRIPTORS = _EXP_DESCRIPTORS[:4] + ("aux_head", "qfl", "rs_loss") + _EXP_DESCRIPTORS[4:]
_T55_DESCRIPTORS = ("method", "group", "backbone", "venue", "corr_loss")
_T58_DESCRIPTORS = ("class_name", "coco_name")


def _info(
    name: str,
    kind: str,
    section: str,
    columns: tuple[str, ...],
    printed: tuple[str, ...],
    descriptors: tuple[str, ...],
    page: int | None,
    lines: tuple[int, int],
    notes: tuple[str, ...] = (),
) -> TableInfo:
    """Build a :class:`TableInfo` (units: ``%`` except ``epochs``)."""
    units = {c: ("epochs" if c == "epochs" else "%") for c in columns}
    return TableInfo(
        name=name,
        caption=D.CAPTIONS[name],
        kind=kind,
        section=section,
        columns=columns,
        printed=MappingProxyType(dict(zip(columns, printed, strict=True))),
        units=MappingProxyType(units),
        descriptors=descriptors,
        page=page,
        lines=lines,
        notes=notes,
    )


_CTR_MISMATCH = (
    "'ATSS w. ctr. head' prints AP50/AP75 57.4/42.5 in Table 3.2 but 57.5/42.6 in Tables 3.1 "
    "and 5.4; kept as printed."
)
_GROUP_HEADERS = (
    "The group header row ('Performance' | 'Modify ranking of scores') is misaligned by tabs "
    "in the text; columns follow the second header row."
)

#: Metadata of every transcribed table, by table number.
TABLES: Mapping[str, TableInfo] = MappingProxyType(
    {
        "3.1": _info(
            "3.1",
            kind="experiments",
            section="3.2 Analysis of Object Detectors in Terms of Correlation",
            columns=D.T31_COLUMNS,
            printed=D.T31_PRINTED,
            descriptors=_EXP_DESCRIPTORS,
            page=16,
            lines=(397, 409),
            notes=(
                "Bounds are image-level: scores of positives re-ranked within each image "
                "before NMS (§3.2.1).",
                "'ATSS w. ctr. head [1]' has upper bounds 40.6/56.8/41.8 (AP/AP50/AP75), far "
                "below every other row (54.2-57.1/70.4-72.4/58.7-62.2) and AP50_upper < AP50; "
                "probably an error in the thesis, kept as printed.",
                _GROUP_HEADERS,
            ),
        ),
        "3.2": _info(
            "3.2",
            kind="experiments",
            section="3.2 Analysis of Object Detectors in Terms of Correlation",
            columns=D.T32_COLUMNS,
            printed=D.T32_PRINTED,
            descriptors=_EXP_DESCRIPTORS,
            page=None,
            lines=(415, 431),
            notes=(
                "Bounds are class-level: scores of true positives re-ranked within each class "
                "after post-processing (§3.2.1); AP50 bounds therefore equal AP50.",
                "Not in the List of Tables of the text, so its page is unknown (None).",
                _CTR_MISMATCH,
                _GROUP_HEADERS,
            ),
        ),
        "5.1": _info(
            "5.1",
            kind="experiments",
            section="5.2 Comparison with Methods Not Enforcing Correlation",
            columns=D.T51_COLUMNS,
            printed=D.T51_PRINTED,
            descriptors=_EXP_DESCRIPTORS,
            page=25,
            lines=(542, 559),
            notes=(
                "'Retina Net' and 'Fovea Box' are printed with a space.",
                "ATSS and PAA are without auxiliary heads (caption).",
                "ATSS prints oLRP 69.0 here but 68.9 in Table 5.4; 'ATSS w. Conc.Corr' prints "
                "AP50/AP75 57.9/43.2 here (and in Table 5.6) but 57.6/43.1 in Table 5.4.",
                "λ_corr from §5.2.1-5.2.2; line 540 ('Concordance Loss (λ_corr = 0.3) improves "
                "ATSS [1] (λ_corr = 0.3) and PAA [2]') is read as 0.3 for ATSS and PAA. No "
                "λ_corr is given for RetinaNet+Conc, FoveaBox+Spear, ATSS+Spear, PAA+Spear.",
            ),
        ),
        "5.2": _info(
            "5.2",
            kind="experiments",
            section="5.2.2 NMS-free Detectors",
            columns=D.T52_COLUMNS,
            printed=D.T52_PRINTED,
            descriptors=_EXP_DESCRIPTORS,
            page=26,
            lines=(569, 574),
            notes=(
                "The cell AP75 of 'w. Spear.Corr' prints as '50 .4'; read as 50.4.",
                "The header prints plain 'AP' (COCO-style AP_C).",
                "No λ_corr is given.",
            ),
        ),
        "5.3": _info(
            "5.3",
            kind="experiments",
            section="5.2.3 Instance Segmentation",
            columns=D.T53_COLUMNS,
            printed=D.T53_PRINTED,
            descriptors=_EXP_DESCRIPTORS,
            page=26,
            lines=(582, 587),
            notes=(
                "Mask AP of YOLACT.",
                "§5.2.3 gives λ_corr = 0.5 for the Spearman row; Table 5.7's 'YOLACT + "
                "Concordance Loss' reaches 29.0 only at λ = 0.4 (28.8 at 0.2, 0.3, 0.5), so the "
                "Concordance row's λ_corr is unknown and Table 5.7's label or the text is off.",
            ),
        ),
        "5.4": _info(
            "5.4",
            kind="experiments",
            section="5.3 Comparison with Methods Enforcing Correlation",
            columns=D.T54_COLUMNS,
            printed=D.T54_PRINTED,
            descriptors=_T54_DESCRIPTORS,
            page=27,
            lines=(597, 607),
            notes=(
                "Rows are printed as checkmarks only (Aux. [1], QFL [9], RS Loss[10], Corr. "
                "Loss (Ours)); the method strings are composed from the checked headers.",
                "The header 'Corr. Loss (Ours)' is split over two tab columns; its checkmarks "
                "sit in the second.",
                "The Correlation Loss is the Concordance Loss (§5.3.1, §5.3.2).",
                "λ_corr = 0.3 for ATSS+Conc (§5.2.1, Table 5.7); 0.2 for RS Loss+Conc is "
                "inferred from Table 5.7 (the only λ giving 40.2); unknown for Aux+Conc and "
                "QFL+Conc.",
                "Baseline oLRP 68.9 vs 69.0 in Table 5.1; ATSS+Conc AP50/AP75 57.6/43.1 vs "
                "57.9/43.2 in Tables 5.1 and 5.6.",
            ),
        ),
        "5.5": _info(
            "5.5",
            kind="sota",
            section="5.4 Comparison with SOTA",
            columns=D.T55_COLUMNS,
            printed=D.T55_PRINTED,
            descriptors=_T55_DESCRIPTORS,
            page=29,
            lines=(637, 654),
            notes=(
                "COCO test-dev; all rows except 'Ours' are copied by the thesis from papers.",
                "The group column is a rotated label garbled in the text ('ased', 'd-Sh', 'Ē' "
                "= NMS-based; 'e', 'S-fre', 'MN' = NMS-free; 'urs', 'Õ' = Ours); the grouping "
                "follows those fragments and §5.4.1-5.4.2.",
                "Venue is empty for the two Corr-Sparse R-CNN rows (None).",
                "The coefficient and λ_corr of Corr-Sparse R-CNN are not given.",
            ),
        ),
        "5.6": _info(
            "5.6",
            kind="experiments",
            section="5.5.1 Optimizing Different Correlation Coefficients",
            columns=D.T56_COLUMNS,
            printed=D.T56_PRINTED,
            descriptors=_EXP_DESCRIPTORS,
            page=30,
            lines=(670, 680),
            notes=(
                "'Sparse R-CNN' prints AP50 55.9 here but 55.8 in Tables 3.2 and 5.1.",
                "Concordance/Spearman rows repeat Table 5.1, whose λ_corr they take; the "
                "Pearson rows' λ_corr is not given.",
            ),
        ),
        "5.7": _info(
            "5.7",
            kind="lambda_grid",
            section="5.5.2 Sensitivity to λ_corr",
            columns=D.T57_COLUMNS,
            printed=D.T57_PRINTED,
            descriptors=_EXP_DESCRIPTORS,
            page=31,
            lines=(688, 694),
            notes=(
                "Long form: one row per printed row and λ_corr column; key '<row>@<λ>'.",
                "Cells are unlabelled; they are AP_C (they equal the AP_C of Tables 5.1, 5.3 "
                "and 5.4 at λ = 0 and at the λ the text names), hence %.",
                "λ_corr = 0.0 is the model without Correlation Loss (corr_loss False).",
                "'YOLACT + Concordance Loss' peaks at 29.0 for λ = 0.4, but §5.2.3 reports "
                "Spearman Loss, λ = 0.5, for the 29.0 of Table 5.3.",
            ),
        ),
        "5.8": _info(
            "5.8",
            kind="per_class",
            section="5.5.5 Effect on Different Classes",
            columns=D.T58_COLUMNS,
            printed=D.T58_PRINTED,
            descriptors=_T58_DESCRIPTORS,
            page=32,
            lines=(708, 800),
            notes=(
                "Printed over three pages; the printed order is kept (80 classes).",
                "'COW' is printed in capitals; coco_name/key use 'cow'.",
                "Column means are 37.7 and 39.3, the AP_C of Sparse R-CNN and of its Spearman "
                "(λ = 0.2) variant in Table 5.1 (Pearson in Table 5.6 also gives 39.3); the "
                "coefficient is not named.",
                "Body caption reads 'the80' (List of Tables: 'the 80').",
                "64 classes improve, 2 are equal (dog, giraffe), 14 drop.",
            ),
        ),
    }
)

_EXPERIMENT_ROWS: dict[str, tuple[dict[str, Any], ...]] = {
    "3.1": D.T31_ROWS,
    "3.2": D.T32_ROWS,
    "5.1": D.T51_ROWS,
    "5.2": D.T52_ROWS,
    "5.3": D.T53_ROWS,
    "5.4": D.T54_ROWS,
    "5.6": D.T56_ROWS,
}


def _parse_key(key: str) -> tuple[str, str | None, float | None]:
    """Split an experiment key into (base, coefficient, λ from ``@``)."""
    stem, _, lam = key.partition("@")
    base, _, suffix = stem.partition("+")
    coefficient = D.COEFFICIENT_SUFFIXES[suffix] if suffix else None
    return base, coefficient, (float(lam) if lam else None)


def _experiment_record(
    name: str,
    key: str,
    method: str,
    group: str | None,
    values: tuple[float | None, ...],
    lam: float | None,
    lam_src: str | None,
) -> dict[str, Any]:
    """A full record (descriptors and values) of one experiment-table row."""
    base, coefficient, _ = _parse_key(key)
    detector, variant, _ = D.BASES[base]
    corr = coefficient is not None and (lam is None or lam > 0)
    rec: dict[str, Any] = {
        "key": key,
        "method": method,
        "group": group,
        "detector": detector,
        "variant": variant,
    }
    if name == "5.4":
        rec["aux_head"] = variant == "ctr_head"
        rec["qfl"] = variant == "qfl"
        rec["rs_loss"] = variant == "rs_loss"
    rec.update(
        corr_loss=corr,
        coefficient=coefficient,
        lambda_corr=lam,
        lambda_source=lam_src,
    )
    rec.update(zip(TABLES[name].columns, values, strict=True))
    return rec


def _build_records() -> dict[str, dict[str, dict[str, Any]]]:
    """All rows of all tables as ``{table: {key: record}}`` (printed order kept)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name, rows in _EXPERIMENT_ROWS.items():
        recs = [
            _experiment_record(
                name, r["key"], r["method"], r["group"], r["values"], r["lam"], r["lam_src"]
            )
            for r in rows
        ]
        out[name] = {r["key"]: r for r in recs}
    t55: dict[str, dict[str, Any]] = {}
    for key, method, group, backbone, epochs, values, venue in D.T55_ROWS:
        rec = {
            "key": key,
            "method": method,
            "group": group,
            "backbone": backbone,
            "venue": venue,
            "corr_loss": group == "Ours",
            "epochs": float(epochs),
        }
        rec.update(zip(D.T55_COLUMNS[1:], values, strict=True))
        t55[key] = rec
    out["5.5"] = t55
    t57: dict[str, dict[str, Any]] = {}
    for stem, method, values in D.T57_ROWS:
        for lam, v in zip(D.GRID_LAMBDAS, values, strict=True):
            key = f"{stem}@{lam:.1f}"
            t57[key] = _experiment_record(
                "5.7", key, method, None, (v,), lam, "Table 5.7 column header"
            )
    out["5.7"] = t57
    t58: dict[str, dict[str, Any]] = {}
    for printed, base, corr in D.T58_ROWS:
        coco = printed.lower()
        key = coco.replace(" ", "_")
        t58[key] = {
            "key": key,
            "class_name": printed,
            "coco_name": coco,
            "AP_baseline": base,
            "AP_corr": corr,
        }
    out["5.8"] = t58
    return out


_RECORDS = _build_records()


def _info_of(name: str) -> TableInfo:
    """The :class:`TableInfo` of ``name``, with a helpful error for unknown tables."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown thesis table {name!r}; known: {sorted(TABLES)}") from None


def row(table_name: str, row_key: str) -> dict[str, Any]:
    """One row of a thesis table as a dict (missing cells are ``None``).

    Args:
        table_name: table number, e.g. ``"5.1"``.
        row_key: the row's key, e.g. ``"atss_fl+conc"`` (see :func:`table` for the keys).

    Returns:
        A copy of the row: ``key``, the descriptor columns and the value columns.
    """
    _info_of(table_name)
    recs = _RECORDS[table_name]
    if row_key not in recs:
        raise KeyError(f"table {table_name}: unknown row {row_key!r}; known: {list(recs)}")
    return dict(recs[row_key])


def value(table: str, row_key: str, column: str) -> float | None:
    """One cell of a thesis table, as printed (in %; ``epochs`` in epochs).

    Args:
        table: table number, e.g. ``"5.7"``.
        row_key: the row's key, e.g. ``"sparse_rcnn+spear@0.2"``.
        column: a value column of that table (``TABLES[table].columns``), e.g. ``"AP"``.

    Returns:
        The number, or ``None`` where the thesis leaves the cell empty.
    """
    info = _info_of(table)
    if column not in info.columns:
        raise KeyError(f"table {table}: {column!r} is not a value column; known: {info.columns}")
    v = row(table, row_key)[column]
    return None if v is None else float(v)


def table(name: str) -> pd.DataFrame:
    """A thesis table as a pandas DataFrame, indexed by the stable row key.

    Columns are ``TABLES[name].descriptors`` then ``TABLES[name].columns``. Value columns are
    float (a cell the thesis leaves empty would be NaN; use :func:`value` to get ``None``);
    flag columns (``corr_loss``, ``aux_head`` ...) are bool; the other descriptor columns are
    Python objects, so a missing one (e.g. ``venue``, ``lambda_corr``) stays ``None``.
    The printed row order is kept.

    Args:
        name: table number: ``"3.1"``, ``"3.2"``, ``"5.1"`` ... ``"5.8"``.
    """
    import pandas as pd

    info = _info_of(name)
    recs = list(_RECORDS[name].values())
    index = pd.Index([r["key"] for r in recs], name="key", dtype=object)
    data: dict[str, pd.Series] = {}
    for col in info.descriptors:
        cells = [r[col] for r in recs]
        kind = bool if all(isinstance(c, bool) for c in cells) else object
        data[col] = pd.Series(cells, index=index, dtype=kind)
    for col in info.columns:
        cells = [math.nan if r[col] is None else float(r[col]) for r in recs]
        data[col] = pd.Series(cells, index=index, dtype="float64")
    df = pd.DataFrame(data, index=index)
    df.attrs["thesis_table"] = name
    df.attrs["caption"] = info.caption
    df.attrs["units"] = dict(info.units)
    return df


#: Figures whose points are derived from the tables (the text gives no data points).
FIGURES: Mapping[str, FigureInfo] = MappingProxyType(
    {
        "1.3a": FigureInfo(
            name="1.3a",
            caption=(
                "Figure 1.3(a): AP_C vs. class-level correlation β_cls for ATSS with FL, "
                "auxiliary head, QFL, RS Loss (red dots) and the same with Correlation Loss "
                "(green stars)."
            ),
            columns=("setting", "corr_loss", "marker", "AP", "beta_cls", "table", "row_key"),
            derived_from=("5.4",),
            notes=(
                "The text gives no data points for Figure 1.3; these are the AP_C and β_cls "
                "columns of Table 5.4, whose eight rows are exactly the four ATSS settings the "
                "caption names, without and with (Concordance) Correlation Loss.",
            ),
        ),
        "1.3b": FigureInfo(
            name="1.3b",
            caption=(
                "Figure 1.3(b): AP_C gains of Correlation Loss on ATSS without auxiliary head "
                "(1.1), Sparse R-CNN (1.6) and YOLACT (0.7, mask AP)."
            ),
            columns=(
                "model",
                "AP_baseline",
                "AP_corr",
                "gain",
                "gain_in_caption",
                "table",
                "baseline_key",
                "corr_key",
            ),
            derived_from=("5.1", "5.3"),
            notes=(
                "The caption states the gains; the AP_C values come from Table 5.1 (ATSS "
                "+Conc, Sparse R-CNN +Spear) and Table 5.3 (YOLACT +Spear, mask AP), the rows "
                "whose differences equal the stated gains.",
            ),
        ),
    }
)

_FIG_13A = (
    ("FL", "atss_fl"),
    ("aux. head", "atss_ctr"),
    ("QFL", "atss_qfl"),
    ("RS Loss", "atss_rs"),
)
_FIG_13B = (
    ("ATSS w/o aux. head", "5.1", "atss_fl", "atss_fl+conc", "AP", 1.1),
    ("Sparse R-CNN", "5.1", "sparse_rcnn", "sparse_rcnn+spear", "AP", 1.6),
    ("YOLACT", "5.3", "yolact", "yolact+spear", "AP_mask", 0.7),
)


def figure(name: str) -> pd.DataFrame:
    """The data points of a thesis figure, derived from the tables (see ``FIGURES[name]``).

    Args:
        name: ``"1.3a"`` (AP_C vs β_cls, one row per point) or ``"1.3b"`` (gains).
    """
    import pandas as pd

    if name not in FIGURES:
        raise KeyError(f"unknown thesis figure {name!r}; known: {sorted(FIGURES)}")
    rows: list[dict[str, Any]] = []
    if name == "1.3a":
        for corr in (False, True):
            for setting, base in _FIG_13A:
                key = f"{base}+conc" if corr else base
                rows.append(
                    {
                        "setting": setting,
                        "corr_loss": corr,
                        "marker": "green star" if corr else "red dot",
                        "AP": value("5.4", key, "AP"),
                        "beta_cls": value("5.4", key, "beta_cls"),
                        "table": "5.4",
                        "row_key": key,
                    }
                )
    else:
        for model, tname, base, corr_key, col, stated in _FIG_13B:
            ap0, ap1 = value(tname, base, col), value(tname, corr_key, col)
            if ap0 is None or ap1 is None:  # pragma: no cover - the data has no gap here
                raise ValueError(f"Figure {name}: missing AP in Table {tname}")
            rows.append(
                {
                    "model": model,
                    "AP_baseline": ap0,
                    "AP_corr": ap1,
                    "gain": round(ap1 - ap0, 1),
                    "gain_in_caption": stated,
                    "table": tname,
                    "baseline_key": base,
                    "corr_key": corr_key,
                }
            )
    return pd.DataFrame(rows, columns=list(FIGURES[name].columns))
