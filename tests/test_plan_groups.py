"""The ``add=<group>`` groups of single thesis tables and sections: each is what the registry
says reproduces that table or section, so a group and the registry cannot drift apart."""

from __future__ import annotations

import pytest

from reproduction.spec.experiments import get_experiment, list_experiments
from reproduction.spec.plans import EXTENSIONS, plan


@pytest.mark.parametrize(
    "group, reference", [("table_5_2", "5.2"), ("table_5_3", "5.3"), ("gradient", "§5.5.4")]
)
def test_a_table_group_is_the_registrys_experiments_of_that_table(group, reference):
    assert set(EXTENSIONS[group]) == {e.id for e in list_experiments(table=reference)}
    assert len(EXTENSIONS[group]) == 3


def test_the_table_5_2_group_is_the_stronger_sparse_rcnn_with_both_coefficients():
    runs = [get_experiment(e) for e in EXTENSIONS["table_5_2"]]
    assert {e.detector for e in runs} == {"sparsercnn_3x"}
    assert {e.kind for e in runs} == {None, "concordance", "spearman"}


def test_the_gradient_group_varies_only_the_gradient():
    runs = [get_experiment(e) for e in EXTENSIONS["gradient"]]
    assert {e.gradient for e in runs} == {"classifier", "regressor", "both"}
    assert {(e.detector, e.kind, e.loss_weight) for e in runs} == {("sparsercnn", "spearman", 0.2)}


def test_adding_a_group_to_the_demo_plan_appends_its_runs():
    demo = plan("demo")
    extended = demo.adding(["table_5_2", "gradient"])
    assert extended.experiments[: len(demo.experiments)] == demo.experiments
    added = extended.experiments[len(demo.experiments) :]
    assert added == (*EXTENSIONS["table_5_2"], *EXTENSIONS["gradient"])
    assert extended.seeds == demo.seeds
