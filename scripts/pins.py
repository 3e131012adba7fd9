"""Print requirement specifiers from pyproject.toml, the project's single list of pins.

Usage: ``python scripts/pins.py NAME [NAME ...]`` prints one ``name==version`` line per
name, looked up in ``[project].dependencies`` and every optional-dependency group (an
optional group wins, so ``torch`` resolves to the exact CPU pin). ``--all`` prints every pin
(dependencies and every group but ``torch-cpu``), ``--conda`` the environment.yml body.
Uses only the standard library, so it runs before any virtual environment exists.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _name(spec: str) -> str:
    return re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower().replace("_", "-")


def load_specs() -> tuple[list[str], dict[str, list[str]]]:
    """Return (dependencies, optional groups) as written in pyproject.toml."""
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    return project["dependencies"], project.get("optional-dependencies", {})


def lookup(names: list[str]) -> list[str]:
    """Return the specifier of each name; raise SystemExit naming any that is missing."""
    deps, groups = load_specs()
    table = {_name(s): s for s in deps}
    for group in groups.values():
        table.update({_name(s): s for s in group})
    missing = [n for n in names if _name(n) not in table]
    if missing:
        raise SystemExit(f"pins.py: {', '.join(missing)} not pinned in {PYPROJECT.name}")
    return [table[_name(n)] for n in names]


def main(argv: list[str]) -> None:
    deps, groups = load_specs()
    if argv == ["--all"]:
        rest = [spec for name, group in groups.items() if name != "torch-cpu" for spec in group]
        print("\n".join(deps + rest))
    elif argv and argv[0] == "--group":
        print("\n".join(groups[argv[1]]))
    else:
        print("\n".join(lookup(argv)))


if __name__ == "__main__":
    main(sys.argv[1:])
