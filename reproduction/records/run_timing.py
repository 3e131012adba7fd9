"""Time whole ``./run`` invocations side by side in one fresh clone, and record them.

The demo's cost goal is a ratio of wall times (the default demo against the first demo, on the
same machine), and these machines differ from one another by 3× or more, so the only number
that decides is a side-by-side measurement. This module makes one::

    python -m reproduction.records.run_timing --out archive/timings/demo_vs_demo-v1.json \\
        --run demo:seeds=0,1,2,3,4 --run demo-v1

It clones the repository's committed HEAD into a temporary folder, sets up its environment
there (not timed), then runs ``PROFILE=<profile> ./run main <KEY=VALUE ...>`` for each
``--run`` in the order given, one after the other, each from the same fresh state (nothing
trained, no book built). It prints a table and writes one JSON record (atomically): per run
the profile, its workflow settings, the seeds it trained, its wall seconds and exit status, the
load average when it started; and the clone's commit and the machine. The study page
(``notebooks/study.ipynb``) reads these records (:func:`read_timings`) and prefers them to its
cost model. Run it on an otherwise idle machine: other jobs inflate every wall time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from reproduction.records.provenance import REPO_ROOT, collect
from reproduction.records.results import ResultsError, read_json_object, write_json_atomic
from reproduction.spec.paths import ARCHIVE_ROOT
from reproduction.spec.paths import TIMINGS_DIR as TIMINGS_SUBDIR
from reproduction.spec.plans import plan
from reproduction.spec.profiles import get_profile

TIMINGS_DIR = Path(ARCHIVE_ROOT) / TIMINGS_SUBDIR
"""Where timing records are committed, relative to the repository root
(:func:`reproduction.spec.paths.timings_dir` resolves it)."""


@dataclass(frozen=True)
class RunSpec:
    """One ``./run`` invocation: a profile and its workflow settings (``KEY=VALUE``)."""

    profile: str
    settings: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> RunSpec:
        """Parse ``PROFILE[:KEY=VALUE[;KEY=VALUE...]]`` (e.g. ``demo:seeds=0,1,2,3,4``).

        Raises:
            ValueError: an unknown profile, or a setting without ``=``, named.
        """
        profile, _, rest = text.partition(":")
        get_profile(profile)  # ValueError lists the known names
        settings = tuple(s for s in rest.split(";") if s)
        for setting in settings:
            key, eq, value = setting.partition("=")
            if not eq or not key or not value:
                raise ValueError(f"run {text!r}: setting {setting!r} is not KEY=VALUE")
        return cls(profile, settings)

    @property
    def seeds(self) -> tuple[int, ...]:
        """The seeds this run trains: its ``seeds=`` setting, else its profile's plan's."""
        for setting in self.settings:
            key, _, value = setting.partition("=")
            if key == "seeds":
                return plan(self.profile).with_seeds(value.split(",")).seeds
        return plan(self.profile).seeds

    def command(self) -> list[str]:
        """The command line, run in the clone with ``PROFILE`` set to the profile."""
        return ["./run", "main", *self.settings]


def time_runs(specs: list[RunSpec], repo: Path = REPO_ROOT) -> dict:
    """Clone ``repo``'s HEAD, set it up, run each spec there in turn; return the record.

    Returns ``{"runs": [...], "commit": sha, "provenance": {...}, "recorded": iso time}``;
    each run has ``profile``, ``settings``, ``seeds``, ``wall_s`` (seconds, set-up excluded),
    ``rc``, ``load_before`` (1-minute load average at its start) and ``log_tail``. Between
    runs the clone's results, work dirs, book build and workflow state are removed, so each
    starts as a fresh clone's first ``./run`` (the generated datasets are removed too).
    """
    workdir = Path(tempfile.mkdtemp(prefix="run-timing-"))
    clone = workdir / "clone"
    try:
        subprocess.run(["git", "clone", "--quiet", str(repo), str(clone)], check=True)
        commit = subprocess.run(
            ["git", "-C", str(clone), "rev-parse", "HEAD"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        subprocess.run(["./run", "setup"], cwd=clone, check=True, capture_output=True)
        runs = []
        for spec in specs:
            _reset(clone)
            env = {**os.environ, "PROFILE": spec.profile}
            load = os.getloadavg()[0]
            started = time.perf_counter()
            done = subprocess.run(
                spec.command(), cwd=clone, env=env, capture_output=True, text=True
            )
            wall = time.perf_counter() - started
            runs.append(
                {
                    "profile": spec.profile,
                    "settings": list(spec.settings),
                    "seeds": list(spec.seeds),
                    "wall_s": round(wall, 1),
                    "rc": done.returncode,
                    "load_before": round(load, 2),
                    "log_tail": (done.stdout + done.stderr)[-2000:],
                }
            )
        return {
            "runs": runs,
            "commit": commit,
            "provenance": collect("cpu"),
            "recorded": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _reset(clone: Path) -> None:
    """Remove what a ``./run`` leaves in the clone (its environment stays)."""
    for name in ("results", "work_dirs", "data/generated", "book/_build", "book/executed"):
        shutil.rmtree(clone / name, ignore_errors=True)
    shutil.rmtree(clone / ".snakemake", ignore_errors=True)


def read_timings(directory: Path) -> list[dict]:
    """Return every run of every timing record in ``directory`` (``*.json``), oldest first.

    Each run is its record's run dict plus ``record`` (the file name), ``recorded`` (when,
    ISO 8601 UTC), ``commit`` and ``cpu`` (the machine's processor, from the provenance).
    Only runs that exited 0 count.

    Raises:
        ResultsError: a file that is not a timing record (the file and field named).
    """
    runs = []
    for path in sorted(Path(directory).glob("*.json")):
        record = read_json_object(path, kind="timing record")
        if not isinstance(record.get("runs"), list):
            raise ResultsError(f"{path}: field 'runs' is missing or not a list")
        cpu = record.get("provenance", {}).get("hardware", {}).get("cpu")
        for i, run in enumerate(record["runs"]):
            for field in ("profile", "seeds", "wall_s", "rc"):
                if field not in run:
                    raise ResultsError(f"{path}: required field 'runs[{i}].{field}' is missing")
            if run["rc"] == 0:
                runs.append(
                    {
                        **run,
                        "record": path.name,
                        "recorded": record.get("recorded"),
                        "commit": record.get("commit"),
                        "cpu": cpu,
                    }
                )
    return runs


def format_table(record: dict) -> str:
    """Return the record as a plain-text table with each run's wall time relative to the
    last run's (the reference, e.g. the first demo)."""
    runs = record["runs"]
    reference = runs[-1]["wall_s"] if runs else None
    lines = [f"{'profile':<12} {'seeds':<12} {'wall s':>8} {'min':>6} {'× last':>7} {'rc':>3}"]
    for run in runs:
        ratio = run["wall_s"] / reference if reference else float("nan")
        seeds = ",".join(map(str, run["seeds"]))
        lines.append(
            f"{run['profile']:<12} {seeds:<12} {run['wall_s']:>8.0f} "
            f"{run['wall_s'] / 60:>6.1f} {ratio:>7.2f} {run['rc']:>3}"
        )
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reproduction.records.run_timing",
        description="Time ./run invocations one after the other in one fresh clone.",
    )
    parser.add_argument(
        "--run",
        action="append",
        required=True,
        metavar="PROFILE[:KEY=VALUE;...]",
        help="a ./run to time, e.g. demo:seeds=0,1,2,3,4 (repeat; the last is the reference)",
    )
    parser.add_argument("--out", type=Path, required=True, help="the JSON record to write")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command line: time the runs, print the table, write the record; 2 on bad input."""
    args = _parser().parse_args(argv)
    try:
        specs = [RunSpec.parse(text) for text in args.run]
    except ValueError as err:
        print(f"run_timing: {err}", file=sys.stderr)
        return 2
    record = time_runs(specs)
    print(format_table(record))
    write_json_atomic(args.out, record)
    failed = [r["profile"] for r in record["runs"] if r["rc"] != 0]
    if failed:
        print(f"run_timing: failed: {', '.join(failed)} (see log_tail)", file=sys.stderr)
        return 1
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["RunSpec", "TIMINGS_DIR", "format_table", "read_timings", "time_runs"]
