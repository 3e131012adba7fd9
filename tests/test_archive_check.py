"""The archive check: verdicts recomputed from a made-up archive against its expected table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reproduction.analysis import archive_check
from reproduction.records.results import results_path, write_results
from reproduction.spec.claims import get_claim
from tests.test_results import make_record

BASE, VARIANT = "atss_baseline", "atss_concordance_0.3"
"""A pair of the β_cls claim (ATSS, concordance 0.3 against its baseline)."""
CLAIM = f"claim beta_cls ({get_claim('beta_cls').source})"


def _write(archive: Path, experiment: str, seed: int, beta_cls: float) -> None:
    record = make_record(experiment, seed)
    record["profile"] = "demo"
    record["metrics"]["beta_cls"] = beta_cls
    write_results(results_path(archive, "demo", experiment, seed), record)


def _archive(root: Path, gains: list[float]) -> Path:
    """An archive of the pair in ``demo``, one seed per gain (β_cls, points of %)."""
    archive = root / "archive"
    for seed, gain in enumerate(gains):
        _write(archive, BASE, seed, 0.40)
        _write(archive, VARIANT, seed, 0.40 + gain / 100)
    return archive


def test_an_unchanged_archive_passes_and_the_table_is_one_sorted_json_file(tmp_path, capsys):
    archive = _archive(tmp_path, [10.0, 11.0, 12.0])
    assert archive_check.main(["--archive", str(archive)]) == 2  # no table yet
    assert "--update" in capsys.readouterr().err
    assert archive_check.main(["--archive", str(archive), "--update"]) == 0
    path = archive / archive_check.EXPECTED_FILE
    table = json.loads(path.read_text(encoding="utf-8"))
    text = json.dumps(table, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    assert path.read_text(encoding="utf-8") == text
    entry = table["claims"]["beta_cls"]["comparisons"]["ATSS, concordance 0.3"]
    assert entry == {
        "verdict": "holds",
        "evidence": "archive/demo",
        "files": [f"demo/{BASE}", f"demo/{VARIANT}"],
        "seeds": [0, 1, 2],
    }
    assert table["claims"]["sota"]["verdict"] == "cannot be tested here"
    capsys.readouterr()
    assert archive_check.main(["--archive", str(archive)]) == 0
    assert "verdicts are as expected" in capsys.readouterr().out


def test_a_changed_verdict_names_the_results_files_and_the_verdicts(tmp_path, capsys):
    archive = _archive(tmp_path, [10.0, 11.0, 12.0])
    archive_check.main(["--archive", str(archive), "--update"])
    for seed, gain in enumerate([-10.0, -11.0, -12.0]):  # the committed runs now say otherwise
        _write(archive, VARIANT, seed, 0.40 + gain / 100)
    capsys.readouterr()
    assert archive_check.main(["--archive", str(archive)]) == 1
    err = capsys.readouterr().err
    assert f"{CLAIM}: holds → contradicted" in err
    files = f"{archive.as_posix()}/demo/{BASE} and {archive.as_posix()}/demo/{VARIANT}"
    assert f"ATSS, concordance 0.3: holds → contradicted; {files}, seeds 0–2" in err
    assert "python -m reproduction.analysis.archive_check --update" in err


def test_fewer_seeds_fail_and_more_seeds_with_the_same_verdict_pass(tmp_path, capsys):
    archive = _archive(tmp_path, [10.0, 11.0, 12.0])
    archive_check.main(["--archive", str(archive), "--update"])
    (archive / "demo" / VARIANT / "seed2.json").unlink()
    capsys.readouterr()
    assert archive_check.main(["--archive", str(archive)]) == 1
    err = capsys.readouterr().err
    assert f"{CLAIM}: still holds, but" in err
    assert "still holds, on fewer seeds:" in err and "seeds 0–1 (expected: seeds 0–2)" in err

    _archive(tmp_path, [10.0, 11.0, 12.0, 10.5])  # seed 2 back, and a fourth
    assert archive_check.main(["--archive", str(archive)]) == 0
    out = capsys.readouterr().out
    assert f"note: {CLAIM}, ATSS, concordance 0.3: still holds" in out
    assert "seeds 0–3" in out and "--update records them" in out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t["claims"].pop("beta_cls"), f"{CLAIM}: not in the expected"),
        (
            lambda t: t["claims"].__setitem__("gone", t["claims"]["beta_cls"]),
            "claim gone: in the expected table, no longer a claim",
        ),
        (
            lambda t: t["claims"]["beta_cls"]["comparisons"].pop("ATSS, concordance 0.3"),
            "ATSS, concordance 0.3: not in the expected table (holds;",
        ),
    ],
)
def test_claims_and_comparisons_that_one_table_lacks_fail(tmp_path, change, message):
    archive = _archive(tmp_path, [10.0, 11.0, 12.0])
    actual = archive_check.verdict_table(archive)
    expected = json.loads(json.dumps(actual))
    assert archive_check.compare(expected, actual, archive) == ([], [])
    change(expected)
    failures, notes = archive_check.compare(expected, actual, archive)
    assert any(message in line for line in failures), failures
    assert notes == []
