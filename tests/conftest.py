"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
import thesis_text


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``thesis_text`` skip, before their fixtures, where the text is absent (CI
    aside: there they fail, in :func:`pytest_runtest_call`)."""
    if item.get_closest_marker("thesis_text") and not thesis_text.in_ci():
        if thesis_text.text_file() is None:
            pytest.skip(thesis_text.SKIP_REASON)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    if item.get_closest_marker("thesis_text") and thesis_text.in_ci():
        if thesis_text.text_file() is None:
            pytest.fail(thesis_text.CI_MESSAGE, pytrace=False)


@pytest.fixture(scope="session")
def smoke_data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded ``smoke`` dataset, generated once per test session into a temp dir.

    Returns the dataset root (``annotations/{train,val}.json``, ``train/``, ``val/``).
    """
    from reproduction.dataset import generate_preset

    return generate_preset("smoke", tmp_path_factory.mktemp("data") / "smoke")
