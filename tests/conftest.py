"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def smoke_data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded ``smoke`` dataset, generated once per test session into a temp dir.

    Returns the dataset root (``annotations/{train,val}.json``, ``train/``, ``val/``).
    """
    from reproduction.dataset import generate_preset

    return generate_preset("smoke", tmp_path_factory.mktemp("data") / "smoke")
