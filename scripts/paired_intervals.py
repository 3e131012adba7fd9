"""Print a profile's paired differences (Correlation Loss − baseline, same seed), 95 % intervals.

For each pair of the profile's plan and each metric: the mean difference in points, its
Student-t interval over the seeds run, whether it excludes 0
(``reproduction.analysis.stats.judge``),
and the seeds that a target half-width would take if the spread stays as measured (a
projection: ``reproduction.analysis.study.seeds_to_resolve`` with that half-width). Also the mean
AP of
each experiment and the measured cost of a run (s/iter, training and evaluation seconds).
Reads ``results/`` and ``archive/`` and uses the source with more runs.

    .venv/bin/python scripts/paired_intervals.py demo [--half-width 0.5] [--root results]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scipy import stats as scipy_stats

from reproduction.analysis.stats import excludes_zero, mean_interval
from reproduction.analysis.study import seeds_to_resolve
from reproduction.records.archive import load_best
from reproduction.spec.paths import archive_dir, results_dir
from reproduction.spec.plans import plan

METRICS = ("AP", "AP50", "AP75", "beta_img", "beta_cls")
MAX_SEEDS = 1000
"""The most seeds a projection looks at; beyond, the table says ">1000"."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile")
    parser.add_argument("--half-width", type=float, default=0.5, help="target, in points")
    parser.add_argument("--root", type=Path, default=None, help="default: results/")
    args = parser.parse_args()
    root, archive = results_dir(args.root), archive_dir()
    runs, source = load_best(args.profile, root, archive)
    if runs.empty:
        raise SystemExit(f"no runs of {args.profile} under {root} or {archive}")
    print(f"Profile `{args.profile}`, {len(runs)} runs ({source}); differences in points\n")
    print("| experiment | seeds | AP | AP75 | β_img | β_cls | s/iter | train s | eval s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for experiment, rows in runs.groupby("experiment", sort=False):
        cost = rows["s_per_iter"].astype(float) * rows["iterations"].astype(float)
        print(
            f"| {experiment} | {len(rows)} | {rows['AP'].mean():.1f} | {rows['AP75'].mean():.1f} "
            f"| {rows['beta_img'].mean():.1f} | {rows['beta_cls'].mean():.1f} "
            f"| {rows['s_per_iter'].astype(float).mean():.3f} | {cost.mean():.0f} "
            f"| {rows['evaluation_s'].astype(float).mean():.0f} |"
        )
    print(
        f"\n| pair | metric | seeds | Δ | 95% CI | excludes 0 | sd | "
        f"seeds for ±{args.half_width:g} |"
    )
    print("|---|---|---:|---:|---|---|---:|---:|")
    for base, variant in plan(args.profile).pairs():
        a = runs[runs["experiment"] == base].set_index("seed")
        b = runs[runs["experiment"] == variant].set_index("seed")
        seeds = sorted(set(a.index) & set(b.index))
        for metric in METRICS:
            diffs = [float(b.loc[s, metric]) - float(a.loc[s, metric]) for s in seeds]
            if len(diffs) < 2:
                print(f"| {variant} | {metric} | {len(diffs)} | | n<2 | | | |")
                continue
            ci = mean_interval(diffs)
            sd = float(scipy_stats.tstd(diffs))
            need = seeds_to_resolve(diffs, max_seeds=MAX_SEEDS, half_width=args.half_width)
            excludes = "yes" if excludes_zero(ci) else "no"
            print(
                f"| {variant} − {base} | {metric} | {ci.n} | {ci.mean:+.2f} | "
                f"{ci.format(2, signed=True, bounds_only=True)} | {excludes} | {sd:.2f} | "
                f"{need or f'>{MAX_SEEDS}'} |"
            )


if __name__ == "__main__":
    main()
