"""Which thesis rows an experiment reproduces, and the thesis's own effects (pure data).

Read from the registry's ``reproduces`` (:mod:`reproduction.spec.experiments`) and the thesis's
tables (:mod:`reproduction.spec.thesis`): the rows an experiment fills, the experiments of a table,
and the thesis's effect of an experiment in points (its row minus its baseline's).
"""

from __future__ import annotations

from reproduction.spec import thesis
from reproduction.spec.experiments import baseline_of, get_experiment, list_experiments


def thesis_keys(experiment_id: str, table_name: str) -> list[str]:
    """Return the row keys of a thesis table that an experiment reproduces (maybe none).

    Read from the registry's ``reproduces`` (:mod:`reproduction.spec.experiments`) and nothing else:
    an experiment fills a row only where the registry says it reproduces it (so of YOLACT's
    λ grid only λ 0.4 fills Table 5.3's concordance row).
    """
    return get_experiment(experiment_id).thesis_keys(table_name)


def table_experiments(table_name: str) -> tuple[str, ...]:
    """Return the experiments that reproduce some row of a thesis table (:func:`thesis_keys`),
    in the registry's order."""
    return tuple(e.id for e in list_experiments() if e.thesis_keys(table_name))


def thesis_effect(experiment_id: str, table_name: str, metric: str) -> float | None:
    """The thesis's own effect of an experiment in one of its tables, in points.

    The thesis value of the row the experiment reproduces minus that of the row its baseline
    reproduces (both from the registry's ``reproduces``); None when either row, or the cell,
    is missing. Table 5.7's baseline row is the ``λ_corr = 0`` row of the same detector.
    """
    mine = thesis_keys(experiment_id, table_name)
    base = thesis_keys(baseline_of(experiment_id), table_name)
    if not mine or not base:
        return None
    if table_name == "5.7":
        stem = mine[0].split("@", 1)[0]
        base = [k for k in base if k.split("@", 1)[0] == stem] or base
    column = THESIS_COLUMN.get(metric, metric)
    if column not in thesis.TABLES[table_name].columns:
        return None
    theirs, reference = (thesis.value(table_name, k[0], column) for k in (mine, base))
    if theirs is None or reference is None:
        return None
    return theirs - reference


def gradient_experiments(section: str = "§5.5.4") -> tuple[str, ...]:
    """Return the Correlation-Loss experiments the registry says reproduce ``section`` (the
    gradient ablation: Sparse R-CNN with Spearman Loss through each head), in its order."""
    return tuple(e.id for e in list_experiments(table=section) if not e.is_baseline)


THESIS_COLUMN: dict[str, str] = {
    "mask_AP": "AP_mask", "mask_AP50": "AP50_mask", "mask_AP75": "AP75_mask",
}  # fmt: skip
"""Our results column → the thesis's name for the same measure, where they differ."""
