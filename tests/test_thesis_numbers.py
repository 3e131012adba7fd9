"""The thesis's numbers in ``reproduction.spec.thesis`` against the thesis text itself.

The text-based tests (marker ``thesis_text``) read the thesis as plain text, which is not part
of this repository (:mod:`thesis_text` says where they look), find each table's header line,
walk its rows in printed order, parse the tab-separated numbers of each row's line and compare
them with the transcription, cell by cell. Where the text is absent they are skipped with one
reason (under ``CI=true`` they fail). The structural tests need no text.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

import pytest
import thesis_text

import reproduction.spec.thesis as thesis
from reproduction.spec.thesis import _data

ALL_TABLES = ("3.1", "3.2", "5.1", "5.2", "5.3", "5.4", "5.5", "5.6", "5.7", "5.8")

#: The start of each table's header line in the text (the first match is the table's).
HEADERS = {
    "3.1": "Method\tAP_{C}\tAP_{50}\tAP_{75}\tβ_{img}",
    "3.2": "Method\tAP_{C}\tAP_{50}\tAP_{75}\tβ_{cls}",
    "5.1": "Method\t$\\rm AP_{C}\\uparrow$\t$\\mathrm{AP}_{50}\\uparrow$",
    "5.2": "Method\tAP\tAP_{50}\tAP_{75}",
    "5.3": "Method\t$\\mathrm{AP}^{\\mathrm{mask}}",
    "5.4": "Aux. [1]\tQFL [9]\tRS Loss[10]\tCorr.\tLoss (Ours)",
    "5.5": "\tMethod\tBackbone\tEpochs",
    "5.6": "Method\tAP _C",
    "5.7": "λ_{corr}\t0.0",
    "5.8": "Class Name\tmAP (Sparse R-CNN)",
}

#: A hand-read sample of cells, at least three per table: (table, row key, column, value).
SAMPLE: tuple[tuple[str, str, str, float], ...] = (
    ("3.1", "atss_ap", "AP", 38.1),
    ("3.1", "atss_alrp", "beta_img", 33.8),
    ("3.1", "atss_rs", "AP_upper", 57.1),
    ("3.1", "atss_ctr", "AP50_upper", 56.8),
    ("3.1", "atss_fl", "AP75_lower", 21.1),
    ("3.2", "detr", "beta_cls", 47.0),
    ("3.2", "sparse_rcnn", "AP_upper", 48.6),
    ("3.2", "atss_qfl", "AP75_lower", 27.7),
    ("3.2", "atss_ctr", "AP50", 57.4),
    ("5.1", "retinanet", "oLRP", 70.7),
    ("5.1", "paa+conc", "AP", 40.7),
    ("5.1", "sparse_rcnn+spear", "AP75", 42.5),
    ("5.1", "foveabox+conc", "oLRP_FP", 28.6),
    ("5.1", "atss_fl+spear", "oLRP_Loc", 15.2),
    ("5.1", "retinanet+conc", "oLRP_FN", 49.3),
    ("5.2", "sparse_rcnn_strong", "AP", 45.0),
    ("5.2", "sparse_rcnn_strong+conc", "AP50", 64.4),
    ("5.2", "sparse_rcnn_strong+spear", "AP75", 50.4),  # printed "50 .4"
    ("5.3", "yolact", "AP_mask", 28.3),
    ("5.3", "yolact+conc", "AP75_mask", 29.6),
    ("5.3", "yolact+spear", "AP50_mask", 48.3),
    ("5.4", "atss_fl", "oLRP", 68.9),
    ("5.4", "atss_qfl+conc", "beta_img", 34.6),
    ("5.4", "atss_rs+conc", "beta_cls", 46.1),
    ("5.4", "atss_ctr+conc", "AP", 40.0),
    ("5.5", "corr_sparse_rcnn/x101_dcn", "AP", 51.0),
    ("5.5", "alrp_loss/x101_dcn", "epochs", 100.0),
    ("5.5", "deformable_detr/x101_dcn", "APl", 64.7),
    ("5.5", "tood/r101_dcn", "AP75", 54.1),
    ("5.5", "tsp_rcnn/r101_dcn", "APs", 29.0),
    ("5.6", "atss_fl+pearson", "AP", 39.4),
    ("5.6", "sparse_rcnn", "AP50", 55.9),
    ("5.6", "sparse_rcnn+pearson", "AP75", 42.2),
    ("5.7", "sparse_rcnn+spear@0.2", "AP", 39.3),
    ("5.7", "yolact+conc@0.4", "AP", 29.0),
    ("5.7", "atss_rs+conc@0.5", "AP", 39.5),
    ("5.7", "atss_fl+conc@0.0", "AP", 38.7),
    ("5.8", "person", "AP_baseline", 49.7),
    ("5.8", "hair_drier", "AP_corr", 2.4),
    ("5.8", "cow", "AP_corr", 56.5),
    ("5.8", "teddy_bear", "AP_baseline", 43.2),
)

#: Same experiment, different tables, different printed numbers (see TABLES[...].notes):
#: ((table, key), (table, key), column).
KNOWN_DISAGREEMENTS = {
    (("3.1", "atss_ctr"), ("3.2", "atss_ctr"), "AP50"),
    (("3.1", "atss_ctr"), ("3.2", "atss_ctr"), "AP75"),
    (("3.2", "atss_ctr"), ("5.4", "atss_ctr"), "AP50"),
    (("3.2", "atss_ctr"), ("5.4", "atss_ctr"), "AP75"),
    (("5.1", "atss_fl"), ("5.4", "atss_fl"), "oLRP"),
    (("5.1", "atss_fl+conc"), ("5.4", "atss_fl+conc"), "AP50"),
    (("5.1", "atss_fl+conc"), ("5.4", "atss_fl+conc"), "AP75"),
    (("5.4", "atss_fl+conc"), ("5.6", "atss_fl+conc"), "AP50"),
    (("5.4", "atss_fl+conc"), ("5.6", "atss_fl+conc"), "AP75"),
    (("3.2", "sparse_rcnn"), ("5.6", "sparse_rcnn"), "AP50"),
    (("5.1", "sparse_rcnn"), ("5.6", "sparse_rcnn"), "AP50"),
}

_NUM = re.compile(r"-?\d+(?:\.\d+)?")


@cache
def _lines() -> tuple[str, ...]:
    """The lines of the thesis text (0-based here; the metadata's line numbers are 1-based)."""
    path = thesis_text.text_file()
    if path is None:  # only a test that lacks the thesis_text marker gets here
        pytest.fail(thesis_text.CI_MESSAGE if thesis_text.in_ci() else thesis_text.SKIP_REASON)
    return tuple(path.read_text(encoding="utf-8").splitlines())


@pytest.fixture
def lines() -> tuple[str, ...]:
    """The lines of the thesis text; empty where it is absent (the marker then skips the test
    before it runs, or, under CI=true, fails it)."""
    return _lines() if thesis_text.text_file() is not None else ()


needs_text = pytest.mark.thesis_text


def _num(field: str) -> float | None:
    """A tab field as a number; stray spaces inside are dropped ("50 .4" -> 50.4)."""
    s = field.replace(" ", "")
    return float(s) if _NUM.fullmatch(s) else None


def _numbers(line: str) -> list[float]:
    return [n for f in line.split("\t") if (n := _num(f)) is not None]


def _labels(line: str) -> list[str]:
    return [f.strip() for f in line.split("\t") if f.strip() and _num(f) is None]


def _header_index(lines: tuple[str, ...], name: str) -> int:
    hits = [i for i, line in enumerate(lines) if line.startswith(HEADERS[name])]
    assert hits, f"header of Table {name} not found"
    if name != "5.8":  # 5.8 repeats its header on each page
        assert len(hits) == 1, f"header of Table {name} is not unique: lines {hits}"
    return hits[0]


def _t54_marks(rec: dict[str, Any]) -> list[str]:
    flags = [rec["aux_head"], rec["qfl"], rec["rs_loss"], False, rec["corr_loss"]]
    return ["\\checkmark" if f else "" for f in flags]


@cache
def _located(name: str) -> dict[str, tuple[int, list[float]]]:
    """Row key -> (0-based line, numbers of that line), walking the rows in printed order."""
    lines = _lines()
    df = thesis.table(name)
    pos = _header_index(lines, name)
    found: dict[str, tuple[int, list[float]]] = {}
    label_col = "class_name" if name == "5.8" else "method"
    for key in df.index:
        rec = thesis.row(name, key)
        if name == "5.7" and not key.endswith("@0.0"):
            found[key] = found[key.split("@")[0] + "@0.0"]
            continue
        j = pos + 1
        while j < len(lines):
            line = lines[j]
            if _numbers(line):
                if name == "5.4":
                    if line.split("\t")[:5] == _t54_marks(rec):
                        break
                elif rec[label_col] in _labels(line):
                    break
            j += 1
        assert j < len(lines), f"Table {name}: no line for row {key!r} ({rec[label_col]!r})"
        found[key] = (j, _numbers(lines[j]))
        pos = j
    return found


# ----------------------------------------------------------------------------- structure


def test_every_table_present() -> None:
    assert set(thesis.TABLES) == set(ALL_TABLES)
    for name in ALL_TABLES:
        info = thesis.TABLES[name]
        assert info.name == name and info.caption and info.notes
        df = thesis.table(name)
        assert len(df) > 0 and df.index.is_unique
        assert list(df.columns) == [*info.descriptors, *info.columns]
        assert df.attrs["thesis_table"] == name


def test_expected_row_counts() -> None:
    counts = {"3.1": 6, "3.2": 8, "5.1": 15, "5.2": 3, "5.3": 3, "5.4": 8, "5.5": 15, "5.6": 8}
    counts |= {"5.7": 24, "5.8": 80}
    assert {n: len(thesis.table(n)) for n in ALL_TABLES} == counts


def test_units_and_ranges() -> None:
    for name in ALL_TABLES:
        info = thesis.TABLES[name]
        assert set(info.units) == set(info.columns) == set(info.printed)
        assert set(info.columns) <= set(thesis.COLUMNS)
        df = thesis.table(name)
        for col in info.columns:
            assert info.units[col] == ("epochs" if col == "epochs" else "%")
            cells = df[col].tolist()
            assert not any(math.isnan(v) for v in cells), f"{name}/{col}: missing cell"
            if info.units[col] == "%":
                assert all(-100.0 <= v <= 100.0 for v in cells), f"{name}/{col}"
            # one decimal, as printed
            assert all(abs(v * 10 - round(v * 10)) < 1e-9 for v in cells), f"{name}/{col}"


def test_value_and_row_api() -> None:
    assert thesis.value("5.1", "atss_fl+conc", "AP") == 39.8
    assert isinstance(thesis.value("5.5", "atss/r101_dcn", "epochs"), float)
    rec = thesis.row("5.5", "corr_sparse_rcnn/r101_dcn")
    assert rec["venue"] is None  # empty in the thesis
    assert thesis.table("5.5").loc["corr_sparse_rcnn/r101_dcn", "venue"] is None
    assert thesis.row("5.1", "retinanet+conc")["lambda_corr"] is None  # not stated
    for bad in (("9.9", "x", "AP"), ("5.1", "nope", "AP"), ("5.1", "retinanet", "nope")):
        with pytest.raises(KeyError):
            thesis.value(*bad)
    with pytest.raises(KeyError):
        thesis.value("5.1", "retinanet", "method")  # not a value column


@pytest.mark.parametrize(("name", "key", "column", "expected"), SAMPLE)
def test_sample_values(name: str, key: str, column: str, expected: float) -> None:
    assert thesis.value(name, key, column) == expected


def test_sample_covers_every_table() -> None:
    for name in ALL_TABLES:
        assert sum(s[0] == name for s in SAMPLE) >= 3, name


def test_keys_and_descriptors() -> None:
    for name, info in thesis.TABLES.items():
        if info.kind not in ("experiments", "lambda_grid"):
            continue
        for key, rec in thesis.table(name).iterrows():
            stem, _, lam = str(key).partition("@")
            base, _, suffix = stem.partition("+")
            assert base in _data.BASES
            assert rec["detector"] == _data.BASES[base][0]
            assert rec["coefficient"] == (_data.COEFFICIENT_SUFFIXES[suffix] if suffix else None)
            if name == "5.7":
                assert rec["lambda_corr"] == float(lam)
                assert rec["corr_loss"] == (float(lam) > 0)
            else:
                assert not lam and rec["corr_loss"] == bool(suffix)
            if rec["lambda_corr"] is not None:
                assert rec["lambda_source"]
                assert rec["lambda_corr"] in _data.GRID_LAMBDAS
    classes = thesis.table("5.8")
    assert classes["coco_name"].is_unique and "cow" in classes["coco_name"].tolist()
    assert thesis.row("5.8", "cow")["class_name"] == "COW"  # printed in capitals


def test_same_experiment_agrees_across_tables() -> None:
    """A key shared by two experiment tables has the same numbers, bar the known misprints."""
    names = [n for n, i in thesis.TABLES.items() if i.kind == "experiments"]
    seen_disagreements = set()
    for a_i, a in enumerate(names):
        for b in names[a_i + 1 :]:
            da, db = thesis.table(a), thesis.table(b)
            # the bounds of 3.1 (image level) and 3.2 (class level) are different measures
            cols = {
                c
                for c in set(thesis.TABLES[a].columns) & set(thesis.TABLES[b].columns)
                if not c.endswith(("_lower", "_upper"))
            }
            for key in set(da.index) & set(db.index):
                for col in cols:
                    pair = ((a, key), (b, key), col)
                    if pair in KNOWN_DISAGREEMENTS:
                        assert da.loc[key, col] != db.loc[key, col], pair
                        seen_disagreements.add(pair)
                    else:
                        assert da.loc[key, col] == db.loc[key, col], pair
    assert seen_disagreements == KNOWN_DISAGREEMENTS


def test_lambda_grid_agrees_with_tables() -> None:
    """Table 5.7 at λ = 0 and at each λ_corr the text gives equals the other tables' AP_C."""
    pairs = [
        ("atss_fl+conc@0.0", ("5.1", "atss_fl", "AP")),
        ("atss_rs+conc@0.0", ("5.4", "atss_rs", "AP")),
        ("sparse_rcnn+spear@0.0", ("5.1", "sparse_rcnn", "AP")),
        ("yolact+conc@0.0", ("5.3", "yolact", "AP_mask")),
    ]
    for name in ("5.1", "5.3", "5.4", "5.6"):
        for key, rec in thesis.table(name).iterrows():
            if rec["lambda_corr"] is None:
                continue
            grid_key = f"{key}@{rec['lambda_corr']:.1f}"
            if grid_key in thesis.table("5.7").index:
                pairs.append((grid_key, (name, str(key), "AP")))
    assert len(pairs) >= 10
    for grid_key, (name, key, col) in pairs:
        assert thesis.value("5.7", grid_key, "AP") == thesis.value(name, key, col), grid_key


def test_figure_1_3() -> None:
    a = thesis.figure("1.3a")
    assert list(a.columns) == list(thesis.FIGURES["1.3a"].columns)
    assert len(a) == 8 and a["corr_loss"].sum() == 4
    for _, r in a.iterrows():
        assert r["beta_cls"] == thesis.value("5.4", r["row_key"], "beta_cls")
    b = thesis.figure("1.3b")
    assert b["gain"].tolist() == b["gain_in_caption"].tolist() == [1.1, 1.6, 0.7]


# ----------------------------------------------------------------------------- against text


@needs_text
@pytest.mark.parametrize("name", ALL_TABLES)
def test_every_cell_matches_text(name: str) -> None:
    info = thesis.TABLES[name]
    located = _located(name)
    lo, hi = info.lines
    for key, (j, numbers) in located.items():
        assert lo <= j + 1 <= hi, f"Table {name} row {key}: line {j + 1} outside {info.lines}"
        rec = thesis.row(name, key)
        if name == "5.7":
            lambdas = _numbers(_lines()[_header_index(_lines(), name)])
            assert tuple(lambdas) == _data.GRID_LAMBDAS
            assert numbers[lambdas.index(rec["lambda_corr"])] == rec["AP"], key
        else:
            assert numbers == [rec[c] for c in info.columns], f"Table {name} row {key}"


@needs_text
@pytest.mark.parametrize("name", ALL_TABLES)
def test_no_row_missed(lines: tuple[str, ...], name: str) -> None:
    lo, hi = thesis.TABLES[name].lines
    header = _header_index(lines, name)
    data_lines = {j for j in range(lo - 1, hi) if j != header and _numbers(lines[j])}
    assert data_lines == {j for j, _ in _located(name).values()}


@needs_text
@pytest.mark.parametrize(("name", "key", "column", "expected"), SAMPLE)
def test_sample_on_its_line(name: str, key: str, column: str, expected: float) -> None:
    j, numbers = _located(name)[key]
    assert expected in numbers, f"{expected} not on text line {j + 1}: {_lines()[j]!r}"


@needs_text
@pytest.mark.parametrize("name", ALL_TABLES)
def test_printed_headers_in_order(lines: tuple[str, ...], name: str) -> None:
    info = thesis.TABLES[name]
    if name == "5.7":
        return  # unlabelled cells
    header = lines[_header_index(lines, name)]
    positions = [header.find(info.printed[c]) for c in info.columns]
    assert -1 not in positions, (name, header)
    assert positions == sorted(positions), name


def test_printed_header_semantics() -> None:
    for name in ("3.1", "3.2"):
        printed = thesis.TABLES[name].printed
        assert all("-1" in printed[c] for c in ("AP_lower", "AP50_lower", "AP75_lower"))
        assert all("+1" in printed[c] for c in ("AP_upper", "AP50_upper", "AP75_upper"))
    assert "img" in thesis.TABLES["3.1"].printed["beta_img"]
    assert "cls" in thesis.TABLES["3.2"].printed["beta_cls"]
    assert "mask" in thesis.TABLES["5.3"].printed["AP_mask"]
    assert "Corr" in thesis.TABLES["5.8"].printed["AP_corr"]


@needs_text
@pytest.mark.parametrize("name", ("3.1", "3.2"))
def test_groups_match_text(lines: tuple[str, ...], name: str) -> None:
    header = _header_index(lines, name)
    for key, (j, _) in _located(name).items():
        above = [i for i in range(header + 1, j) if _labels(lines[i]) and not _numbers(lines[i])]
        printed_group = lines[above[-1]].strip().removeprefix("- ")
        assert thesis.row(name, key)["group"].split(" / ")[-1] == printed_group, key


@needs_text
@pytest.mark.parametrize("name", ALL_TABLES)
def test_caption_verbatim(lines: tuple[str, ...], name: str) -> None:
    info = thesis.TABLES[name]
    hits = [i for i, line in enumerate(lines) if line.strip() == f"Table {name}: {info.caption}"]
    assert hits, f"caption of Table {name} not found verbatim"
    lo, hi = info.lines
    assert any(lo <= i + 1 <= hi for i in hits)


@needs_text
def test_pages_from_list_of_tables(lines: tuple[str, ...]) -> None:
    text = "\n".join(lines)
    start = text.index("LIST OF TABLES\n\nTABLES")
    block = text[start : text.index("LIST OF FIGURES", start)]
    entries = dict(
        (m.group(1), m.group(2))
        for m in re.finditer(
            r"^(?:- )?Table (\d\.\d)(.*?)(?=^(?:- )?Table \d\.\d|\Z)", block, re.S | re.M
        )
    )
    for name, info in thesis.TABLES.items():
        if info.page is None:
            assert name not in entries
        else:
            assert re.search(r"(\d+)\s*$", entries[name]).group(1) == str(info.page), name


@needs_text
def test_prose_claims_match_tables(lines: tuple[str, ...]) -> None:
    """Numbers the prose quotes from the tables (independent of the table lines)."""
    text = "\n".join(lines)
    t31, t32, t54 = thesis.table("3.1"), thesis.table("3.2"), thesis.table("5.4")
    lo, hi = map(float, re.search(r"range between ([\d.]+)% and ([\d.]+)%", text).groups())
    assert (t31["beta_img"].min(), t31["beta_img"].max()) == (lo, hi)
    m = re.search(r"beta_\{cls\} \\in \[([\d.]+)\\%, ([\d.]+)\\%\]", text)
    assert (t32["beta_cls"].min(), t32["beta_cls"].max()) == tuple(map(float, m.groups()))
    m = re.search(
        r"β_\{img\} \(from ([\d.]+)% to ([\d.]+)%\) and β_\{cls\} \(from ([\d.]+)% to ([\d.]+)%\)",
        text,
    )
    b0, b1, c0, c1 = map(float, m.groups())
    assert (t54.loc["atss_fl", "beta_img"], t54.loc["atss_fl+conc", "beta_img"]) == (b0, b1)
    assert (t54.loc["atss_fl", "beta_cls"], t54.loc["atss_fl+conc", "beta_cls"]) == (c0, c1)
    m = re.search(r"It yields ([\d.]+)AP_C with an auxiliary head.*?and ([\d.]+)AP_C with RS", text)
    assert float(m.group(1)) == thesis.value("5.4", "atss_ctr+conc", "AP")
    assert float(m.group(2)) == thesis.value("5.4", "atss_rs+conc", "AP")
    m = re.search(r"yields \$([\d.]+)AP_\{C\}\$ at 13\.7 fps", text)
    assert float(m.group(1)) == thesis.value("5.5", "corr_sparse_rcnn/r101_dcn", "AP")
    m = re.search(r"provides ([\d.]+)AP_C at 6\.8 fps", text)
    assert float(m.group(1)) == thesis.value("5.5", "corr_sparse_rcnn/x101_dcn", "AP")
    m = re.search(r"AP₇₅ improves by up to ([\d.]+)", text)
    gain75 = _gain("5.1", "sparse_rcnn", "sparse_rcnn+spear", "AP75")
    assert gain75 == float(m.group(1))
    m = re.search(r"improves (\d+) of the (\d+) classes", text)
    t58 = thesis.table("5.8")
    assert (int((t58["AP_corr"] > t58["AP_baseline"]).sum()), len(t58)) == tuple(
        map(int, m.groups())
    )
    caption = next(line for line in lines if line.startswith("Figure 1.3:"))
    stated = [float(x) for x in re.findall(r"by \$?(\d+\.\d)\s*AP", caption)]
    assert stated == thesis.figure("1.3b")["gain"].tolist()


def _gain(name: str, base: str, corr: str, column: str) -> float:
    """Rounded gain of ``corr`` over ``base`` in one column of a table."""
    a, b = thesis.value(name, base, column), thesis.value(name, corr, column)
    assert a is not None and b is not None
    return round(b - a, 1)


@needs_text
def test_prose_numbers_are_in_the_text(lines: tuple[str, ...]) -> None:
    """§5.5.3 and §5.5.4 numbers as transcribed appear in their sections of the text."""
    text = "\n".join(lines)
    timing = thesis.TRAINING_TIME_5_5_3
    assert timing["text"] in text
    assert f"{timing['s_per_iter_baseline']:.2f} seconds to {timing['s_per_iter_corr']:.2f}" in text
    start = text.index("5.5.4 Effect on Backpropagating Different Heads\n")
    section = text[start : text.index("5.5.5", start)]
    ap = thesis.GRADIENT_HEADS_5_5_4["AP"]
    assert f"localization head ({ap['regressor']} AP)" in section
    assert f"both heads ({ap['both']} AP)" in section
    assert f"classification head ({ap['classifier']} AP)" in section
