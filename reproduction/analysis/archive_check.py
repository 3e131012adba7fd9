"""The committed archive's verdicts: a data check, apart from the tests.

The tests test code on inputs they build; whether the results committed under ``archive/``
still give each claim of the thesis the verdict the book shows is a question about data. This
module recomputes every claim's verdict from the archive alone
(:func:`reproduction.analysis.verdicts.evaluate_claims` on
:func:`reproduction.analysis.verdicts.collect_evidence`
of the archive, the book's default profile preferred) and compares it with the expected table
kept in one file, :data:`EXPECTED_FILE` inside the archive::

    python -m reproduction.analysis.archive_check            # compare; exit 1 naming what changed
    python -m reproduction.analysis.archive_check --update   # write the table from the archive now

Per claim the table holds its verdict, and per comparison its verdict and the evidence it was
judged on: where (``archive/demo``, ``archive/step_timings/overhead.json``), the results
files' ``profile/experiment`` folders and the seeds paired (rounds, for a step-timing record).

The check fails on a claim or comparison whose verdict changed, on one whose evidence now has
fewer seeds than the table's (its verdict rests on less than it did), and on a claim or
comparison the table lacks or that is gone; the message names the results files and seeds and
what the verdict changed from and to. More seeds with the same verdicts pass, with a note to
update the table. After a campaign adds seeds, run the check, read what changed, then
``--update`` and commit the table with the new results.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reproduction.analysis.verdicts import (
    ComparisonVerdict,
    Evidence,
    claim_verdict,
    collect_evidence,
    evaluate_claims,
)
from reproduction.spec.claims import CLAIMS, Claim
from reproduction.spec.paths import ARCHIVE_ROOT, EXPECTED_VERDICTS, archive_dir

EXPECTED_FILE = EXPECTED_VERDICTS
"""The expected table's file name, inside the archive root (:mod:`reproduction.spec.paths`)."""

PREFER = "demo"
"""The profile whose evidence wins ties, as on the book's pages (its default profile)."""


def comparison_entry(cv: ComparisonVerdict) -> dict[str, Any]:
    """Return one comparison's row of the table.

    Keys: ``verdict``; ``evidence`` (the evidence's label, e.g. ``"archive/demo"``, or None
    when nothing was paired); ``files`` (the results files' ``profile/experiment`` folders of
    the two sides, or a step-timing record's path, relative to the archive root); ``seeds``
    (the seeds, or rounds, paired).
    """
    files: list[str] = []
    if isinstance(cv.evidence, Evidence):
        sides = dict.fromkeys((cv.comparison.reference, cv.comparison.treatment))
        files = [f"{cv.evidence.profile}/{experiment}" for experiment in sides]
    elif cv.evidence is not None:
        files = [cv.evidence.path]
    return {
        "verdict": cv.verdict,
        "evidence": None if cv.evidence is None else cv.evidence.label(),
        "files": files,
        "seeds": [int(s) for s in cv.seeds],
    }


def verdict_table(
    archive_root: Path, prefer: str = PREFER, claims: Sequence[Claim] = CLAIMS
) -> dict[str, Any]:
    """Return every claim's verdict recomputed from the archive alone (no local results).

    Returns ``{"prefer": prefer, "claims": {claim id: {"source", "verdict", "comparisons":
    {comparison label: :func:`comparison_entry`}}}}``.
    """
    with tempfile.TemporaryDirectory() as empty:  # no local results: the archive alone
        evidence = collect_evidence(Path(empty), Path(archive_root))
    table: dict[str, Any] = {}
    for claim, verdicts in evaluate_claims(evidence, prefer=prefer, claims=claims):
        table[claim.id] = {
            "source": claim.source,
            "verdict": claim_verdict(claim, verdicts)[0],
            "comparisons": {cv.comparison.label: comparison_entry(cv) for cv in verdicts},
        }
    return {"prefer": prefer, "claims": table}


def _seeds_text(seeds: Sequence[int]) -> str:
    """ "seeds 0–7", "seeds 0, 2, 5", "seed 3" or "no seeds"."""
    if not seeds:
        return "no seeds"
    if len(seeds) == 1:
        return f"seed {seeds[0]}"
    if list(seeds) == list(range(seeds[0], seeds[-1] + 1)):
        return f"seeds {seeds[0]}–{seeds[-1]}"
    return "seeds " + ", ".join(str(s) for s in seeds)


def _where(entry: dict[str, Any], archive_root: Path) -> str:
    """Which results files (and seeds) a comparison was judged on, in words."""
    if not entry["files"]:
        return "no results files with both sides"
    files = " and ".join(f"{Path(archive_root).as_posix()}/{f}" for f in entry["files"])
    return f"{files}, {_seeds_text(entry['seeds'])}"


def compare(
    expected: dict[str, Any], actual: dict[str, Any], archive_root: Path = Path(ARCHIVE_ROOT)
) -> tuple[list[str], list[str]]:
    """Return (failures, notes): lines saying where ``actual`` differs from ``expected``.

    A failure is a claim or comparison whose verdict changed, whose evidence has fewer seeds
    than expected, or that one table has and the other lacks; each line names the claim, the
    comparison, the results files and seeds, and the verdicts from and to. A note is a
    comparison judged on more (or other) seeds with the same verdict.
    """
    failures: list[str] = []
    notes: list[str] = []
    was_claims, now_claims = expected.get("claims", {}), actual["claims"]
    for claim_id in sorted(set(was_claims) - set(now_claims)):
        failures.append(f"claim {claim_id}: in the expected table, no longer a claim")
    for claim_id, now in now_claims.items():
        was = was_claims.get(claim_id)
        head = f"claim {claim_id} ({now['source']})"
        if was is None:
            failures.append(f"{head}: not in the expected table (verdict now {now['verdict']})")
            continue
        lines: list[str] = []
        for label in sorted(set(was["comparisons"]) - set(now["comparisons"])):
            lines.append(f"  - {label}: in the expected table, no longer a comparison")
        for label, entry in now["comparisons"].items():
            before = was["comparisons"].get(label)
            where = _where(entry, archive_root)
            if before is None:
                lines.append(
                    f"  - {label}: not in the expected table ({entry['verdict']}; {where})"
                )
                continue
            moved = (before["evidence"], before["seeds"]) != (entry["evidence"], entry["seeds"])
            earlier = ""
            if moved and (before["evidence"], before["files"]) == (
                entry["evidence"],
                entry["files"],
            ):
                earlier = f" (expected: {_seeds_text(before['seeds'])})"
            elif moved:
                earlier = f" (expected on {before['evidence']}: {_where(before, archive_root)})"
            if before["verdict"] != entry["verdict"]:
                lines.append(
                    f"  - {label}: {before['verdict']} → {entry['verdict']}; {where}{earlier}"
                )
            elif len(entry["seeds"]) < len(before["seeds"]):
                lines.append(
                    f"  - {label}: still {entry['verdict']}, on fewer seeds: {where}{earlier}"
                )
            elif moved:
                notes.append(f"{head}, {label}: still {entry['verdict']}, on {where}{earlier}")
        if was["verdict"] != now["verdict"]:
            failures.append(f"{head}: {was['verdict']} → {now['verdict']}")
            failures.extend(lines)
        elif lines:
            failures.append(f"{head}: still {now['verdict']}, but")
            failures.extend(lines)
    return failures, notes


def write_table(path: Path, table: dict[str, Any]) -> Path:
    """Write the expected table as JSON (indent 1, keys sorted, UTF-8, a final newline);
    return ``path``."""
    text = json.dumps(table, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    Path(path).write_text(text, encoding="utf-8")
    return Path(path)


def read_table(path: Path) -> dict[str, Any]:
    """Return the expected table of ``path``; FileNotFoundError says how to write it."""
    if not Path(path).is_file():
        raise FileNotFoundError(
            f"no expected verdicts at {path}: write them with "
            "python -m reproduction.analysis.archive_check --update"
        )
    return json.loads(Path(path).read_text(encoding="utf-8"))


def main(argv: Sequence[str] | None = None) -> int:
    """Compare the archive's verdicts with the expected table, or write it (``--update``).

    Returns the exit status: 0 when they agree (or after writing), 1 when a verdict changed
    (the lines printed to stderr name the results files, seeds and verdicts), 2 without a
    table.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--archive", type=Path, default=None, help="the archive root (default: archive/)"
    )
    parser.add_argument("--update", action="store_true", help="write the table from the archive")
    args = parser.parse_args(argv)
    args.archive = archive_dir(args.archive)
    path = args.archive / EXPECTED_FILE
    actual = verdict_table(args.archive)
    if args.update:
        write_table(path, actual)
        print(f"archive check: wrote the verdicts of {len(actual['claims'])} claims to {path}")
        return 0
    try:
        expected = read_table(path)
    except FileNotFoundError as error:
        print(f"archive check: {error}", file=sys.stderr)
        return 2
    failures, notes = compare(expected, actual, args.archive)
    for note in notes:
        print(f"archive check note: {note}")
    if failures:
        print(
            f"archive check: the verdicts recomputed from {args.archive} differ from {path}:",
            *failures,
            "If the change is meant (new or removed runs), update the table: "
            "python -m reproduction.analysis.archive_check --update",
            sep="\n",
            file=sys.stderr,
        )
        return 1
    hint = " (more seeds than the table says: --update records them)" if notes else ""
    print(f"archive check: the {len(actual['claims'])} claims' verdicts are as expected{hint}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
