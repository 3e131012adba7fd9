"""The numbers a book page shows, and where two builds of the pages differ.

A refactoring must leave every number on the pages as it was. This script reads executed page
notebooks (``book/executed/*.ipynb``, or any folder of executed notebooks), takes the text of
every output (HTML with its tags removed, Markdown, plain text; images are left out) and lists
the numbers in it, in order, per page and output; ``--compare`` prints where two folders differ.

    python scripts/page_numbers.py book/executed --out numbers.json       # record one build
    python scripts/page_numbers.py BEFORE_DIR --compare AFTER_DIR          # exit 1 on a change

Words may change between the builds (a renamed column, a reworded sentence); a number that
appears, disappears or changes is reported with its page, output and neighbours. Seven-to-forty
character hexadecimal runs (git commits) and dates are not numbers here.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path

NUMBER = re.compile(r"(?<![\w.])[−+-]?\d+(?:[.,]\d+)*(?:[eE][−+-]?\d+)?")
"""A number as a page prints it (a sign, digits with separators, an exponent)."""

IGNORED = re.compile(
    r"\b[0-9a-f]{7,40}\b"  # git commits
    r"|\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?"  # dates and times
    r"|data:image/[^\"')\s]+"  # inline images
)
"""Text that holds digits but is no number of the page's."""

TAG = re.compile(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", re.DOTALL)


def output_text(output: dict) -> str:
    """The text of one notebook output: HTML without its tags, else Markdown, else plain text
    or a stream's text; "" for an image or an error."""
    data = output.get("data", {})
    for kind in ("text/html", "text/markdown", "text/plain"):
        if kind in data:
            text = "".join(data[kind])
            return html.unescape(TAG.sub(" ", text)) if kind == "text/html" else text
    return "".join(output.get("text", ""))


def numbers(text: str) -> list[str]:
    """The numbers in ``text``, in order, with the minus sign normalised to "-"."""
    return [m.replace("−", "-") for m in NUMBER.findall(IGNORED.sub(" ", text))]


def page_numbers(notebook: Path) -> dict[str, list[str]]:
    """Return output key (``"<cell id>:<k>"``) → its numbers, for every output with one."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for cell in nb.get("cells", []):
        for k, output in enumerate(cell.get("outputs", [])):
            found = numbers(output_text(output))
            if found:
                out[f"{cell.get('id', '?')}:{k}"] = found
    return out


def folder_numbers(folder: Path) -> dict[str, dict[str, list[str]]]:
    """Return page name → :func:`page_numbers` for every notebook in ``folder``."""
    return {p.stem: page_numbers(p) for p in sorted(Path(folder).glob("*.ipynb"))}


def differences(before: dict, after: dict) -> list[str]:
    """Return one line per difference between two :func:`folder_numbers` records."""
    lines = []
    for page in sorted(set(before) | set(after)):
        if page not in after or page not in before:
            lines.append(f"{page}: only {'before' if page in before else 'after'}")
            continue
        a, b = before[page], after[page]
        for key in sorted(set(a) | set(b)):
            x, y = a.get(key, []), b.get(key, [])
            if x == y:
                continue
            first = next((i for i, (u, v) in enumerate(zip(x, y, strict=False)) if u != v), None)
            first = min(len(x), len(y)) if first is None else first
            lines.append(
                f"{page} {key}: {len(x)} → {len(y)} numbers; first change at #{first}: "
                f"{x[first : first + 5]} → {y[first : first + 5]}"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns 0, or 1 when ``--compare`` finds a difference."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder of executed page notebooks")
    parser.add_argument("--out", type=Path, help="write the numbers as JSON")
    parser.add_argument("--compare", type=Path, help="a second folder to compare with")
    args = parser.parse_args(argv)
    first = folder_numbers(args.folder)
    if args.out:
        args.out.write_text(json.dumps(first, indent=1, ensure_ascii=False) + "\n")
    if args.compare is None:
        total = sum(len(v) for page in first.values() for v in page.values())
        print(f"{len(first)} pages, {total} numbers")
        return 0
    lines = differences(first, folder_numbers(args.compare))
    print("\n".join(lines) if lines else "every number on every page is the same")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
