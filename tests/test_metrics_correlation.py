"""Spearman's coefficient and β_img (Eq 3.1) on plain arrays."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

from corrlib.metrics import (
    image_level_correlation,
    image_level_correlation_summary,
    spearman,
)

finite = st.floats(min_value=0.0, max_value=1.0, allow_nan=False, width=32)
pairs_of_lists = st.integers(min_value=2, max_value=12).flatmap(
    lambda n: st.tuples(
        st.lists(finite, min_size=n, max_size=n), st.lists(finite, min_size=n, max_size=n)
    )
)


def test_spearman_hand_worked():
    # Ranks of x: 1 2 3 4; of y: 2 1 4 3 -> d = (-1, 1, -1, 1), rho = 1 - 6*4/(4*15) = 0.6.
    assert spearman([0.1, 0.2, 0.3, 0.4], [0.5, 0.1, 0.9, 0.7]) == pytest.approx(0.6)
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3], [10, 20, 30]) == pytest.approx(1.0)


def test_spearman_ties_use_average_ranks():
    x = [0.9, 0.9, 0.5, 0.1]
    y = [0.2, 0.4, 0.4, 0.8]
    assert spearman(x, y) == pytest.approx(spearmanr(x, y).statistic)


def test_spearman_undefined_cases_are_nan():
    assert math.isnan(spearman([0.5], [0.1]))
    assert math.isnan(spearman([0.5, 0.5, 0.5], [0.1, 0.2, 0.3]))


def test_spearman_rejects_bad_input():
    with pytest.raises(ValueError, match="same length"):
        spearman([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="finite"):
        spearman([1, float("nan")], [1, 2])


@pytest.mark.filterwarnings("ignore::scipy.stats.ConstantInputWarning")
@settings(max_examples=60, deadline=None)
@given(pairs_of_lists)
def test_spearman_matches_scipy(pair):
    x, y = pair
    expected = spearmanr(x, y).statistic
    got = spearman(x, y)
    if np.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(expected, abs=1e-9)
        assert -1.0 <= got <= 1.0


def test_image_level_correlation_hand_worked():
    pairs = [
        ([0.9, 0.5, 0.1], [0.8, 0.6, 0.5]),  # perfectly correlated: +1
        ([0.9, 0.5], [0.5, 0.8]),  # opposed: -1
        ([0.3, 0.4, 0.2, 0.1], [0.7, 0.9, 0.6, 0.65]),  # ranks 3 4 2 1 vs 3 4 1 2: 0.8
        ([0.7], [0.9]),  # one positive: does not count
        ([], []),  # no positive: does not count
    ]
    summary = image_level_correlation_summary(pairs)
    assert summary["n_images"] == 3
    assert summary["value"] == pytest.approx((1.0 - 1.0 + 0.8) / 3)
    assert set(summary["per_image"]) == {0, 1, 2}
    assert image_level_correlation(pairs) == pytest.approx(summary["value"])


def test_image_level_correlation_without_counting_images_is_nan():
    assert math.isnan(image_level_correlation([([0.5], [0.7])]))
    assert math.isnan(image_level_correlation([]))


def test_image_level_correlation_accepts_a_generator_and_rejects_ragged_pairs():
    value = image_level_correlation((np.array([0.1, 0.2]), np.array([0.6, 0.7])) for _ in range(3))
    assert value == pytest.approx(1.0)
    with pytest.raises(ValueError, match="differ in length"):
        image_level_correlation([([0.1, 0.2], [0.6])])


@settings(max_examples=40, deadline=None)
@given(st.lists(pairs_of_lists, min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_image_level_correlation_properties(pairs, rnd):
    value = image_level_correlation(pairs)
    if not math.isnan(value):
        assert -1.0 <= value <= 1.0
    # Neither the order of the images nor the order of positives within an image matters.
    shuffled = []
    for scores, ious in pairs:
        order = list(range(len(scores)))
        rnd.shuffle(order)
        shuffled.append(([scores[i] for i in order], [ious[i] for i in order]))
    rnd.shuffle(shuffled)
    again = image_level_correlation(shuffled)
    assert (math.isnan(value) and math.isnan(again)) or again == pytest.approx(value)


def test_metrics_import_neither_torch_nor_mmdet():
    code = (
        "import sys, corrlib.metrics; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('torch', 'mmdet', 'mmengine')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
