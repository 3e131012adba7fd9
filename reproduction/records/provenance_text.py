"""How a results record's provenance and a page's parameters read on a page (standard library).

The short forms every provenance block prints: a record's git commit and machine, and the
parameters a page ran with. The records themselves are made by
:mod:`reproduction.records.provenance`.
"""

from __future__ import annotations

from collections.abc import Mapping


def parameters_markdown(parameters: Mapping[str, object]) -> str:
    """Return the Markdown line that lists the parameters a page ran with.

    ``parameters`` maps a notebook's parameter names (its papermill ``parameters`` cell) to
    the values it ran with (after papermill's injected cell), e.g. ``{"profile": profile}``.
    """
    listed = ", ".join(f"`{name} = {value!r}`" for name, value in parameters.items())
    return f"- Parameters: {listed or 'none'}"


def commit_of(record: dict) -> str:
    """The first ten characters of the git commit a results record was made at."""
    return str((record.get("provenance") or {}).get("git", {}).get("commit"))[:10]


def hardware_line(record: dict) -> str:
    """The machine a results record ran on: "CPU (cores[, GPU]; device ...)"."""
    hw = (record.get("provenance") or {}).get("hardware", {})
    gpu = f", GPU {hw['gpu']}" if hw.get("gpu") else ""
    return f"{hw.get('cpu', '?')} ({hw.get('cores', '?')} cores{gpu}; device {hw.get('device')})"
