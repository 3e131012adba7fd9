"""The parts every results page shares, and the parameters a page reads from its kernel."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from reproduction.pages.page import INJECTED_MARK, ResultsPage, page_parameters, show
from reproduction.records.results import results_files, results_path, write_results
from reproduction.spec.profiles import judged_profiles

ARCHIVE = Path(__file__).resolve().parents[1] / "archive"

PARAMETERS_CELL = 'profile = "demo"  # whose runs\nresults_root = "../results"\nseeds = None\n'


def test_parameters_are_the_parameters_cells_names_with_their_values_now():
    history = ["", PARAMETERS_CELL, f'{INJECTED_MARK}\nprofile = "smoke"\n', "x = f(1)"]
    namespace = {"profile": "smoke", "results_root": "../results", "seeds": None, "x": 3}
    assert page_parameters(history, namespace) == {
        "profile": "smoke",  # papermill's value, injected after the defaults
        "results_root": "../results",
        "seeds": None,
    }


def test_a_cell_that_computes_is_no_parameters_cell():
    history = ["import pandas as pd", "runs = load(profile)", "n = 3\nm = n + 1", "k = 2"]
    assert page_parameters(history, {"k": 2, "n": 3}) == {"k": 2}
    with pytest.raises(RuntimeError, match="no parameters cell"):
        page_parameters(["import os", "print(1)"], {})
    with pytest.raises(RuntimeError, match="notebook"):
        page_parameters()  # no kernel here


def _write(root, experiment: str, seed: int, ap: float) -> None:
    record = {
        "schema": 1,
        "experiment": {"id": experiment, "detector": "atss", "kind": None, "loss_weight": None},
        "profile": "demo",
        "seed": seed,
        "dataset": {"name": "x", "synthetic": True, "n_val_images": 4},
        "metrics": {"AP": ap, "AP50": ap, "AP75": ap, "beta_cls": 0.1, "beta_img": 0.2},
        "training": {"iterations": 1, "seconds_per_iter": 1.0, "wall_s": 1.0},
        "provenance": {"git": {"commit": "abcdef1234"}, "hardware": {"cpu": "cpu", "cores": 2}},
    }
    write_results(results_path(root, "demo", experiment, seed), record)


def test_the_page_header_names_the_data_and_the_experiments_that_did_not_learn(tmp_path):
    _write(tmp_path / "results", "atss_baseline", 0, 0.30)
    _write(tmp_path / "results", "detr_baseline", 0, 0.01)
    page = ResultsPage.load("table_5_1", "demo", tmp_path / "results", tmp_path / "archive")
    assert len(page.runs) == 2
    header = page.header()
    assert header.startswith("> **Reproduced numbers:** demo profile: embedded synthetic")
    assert "NOT COCO" in header and "COCO 2017, as printed" in header
    assert "`detr_baseline` (AP 1.0)" in header and "atss_baseline" not in header.split("\n\n")[1]
    text = page.provenance({"profile": "demo", "seeds": None})
    assert "`profile = 'demo'`" in text and "`seeds = None`" in text and "abcdef1234" in text
    assert "<table" in page.verdicts_html()


def test_a_page_reads_each_file_once_and_keeps_the_records(tmp_path, monkeypatch):
    """Built on the committed archive (its demo runs copied as local results too), a page
    and its header, verdicts and provenance block read every results, curve and step-timing
    file once: the page's own records are handed to the evidence and the provenance."""
    results = tmp_path / "results"
    shutil.copytree(ARCHIVE / "demo", results / "demo")
    reads: Counter[Path] = Counter()
    read_text = Path.read_text

    def counted(self: Path, *args, **kwargs) -> str:
        reads[self.resolve()] += 1
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counted)
    page = ResultsPage.load("table_5_1", "demo", results, ARCHIVE)
    page.header(), page.verdicts_html(), page.provenance({"profile": "demo"})
    twice = {str(path): n for path, n in reads.items() if n > 1}
    assert not twice, f"read more than once: {twice}"
    expected = {p.resolve() for p in results_files(results, "demo")}
    for name in judged_profiles():  # the evidence of the verdicts
        expected |= {p.resolve() for p in results_files(ARCHIVE, name)}
    expected |= {p.resolve() for p in (ARCHIVE / "step_timings").glob("*.json")}
    expected |= {p.resolve() for p in (ARCHIVE / "curves").glob("*/*/seed*.json")}
    assert len(expected) > 100 and expected <= set(reads)  # every file read, through read_text
    assert len(page.records) == len(results_files(results, "demo")) == len(page.runs)
    local = [e for e in page.evidence if e.source == "local" and e.profile == "demo"]
    assert {id(r) for e in local for r in e.records} <= {id(r) for r in page.records}


def test_show_puts_text_as_markdown_figures_once_and_the_rest_as_it_is():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from IPython.display import Markdown

    figure = plt.figure()
    shown: list = []
    show("**a**", "", figure, 3, display=shown.append)
    assert isinstance(shown[0], Markdown) and shown[0].data == "**a**"
    assert shown[1:] == [figure, 3]  # the empty text shows nothing
    assert not plt.fignum_exists(figure.number)  # closed: the notebook shows it once
