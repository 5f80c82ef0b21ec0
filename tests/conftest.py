"""Shared fixtures: the real curated data, built once into a temporary store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.build import BuildSummary, build
from kg.datafiles import DEFAULT_DATA_DIR
from kg.sources import seeds_dir

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildSummary]:
    """The graph of the real data, built into a fresh store location (once per session)."""
    location = tmp_path_factory.mktemp("store")
    return location, build(location=location)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, target)
    return target


@pytest.fixture(scope="session")
def seeds() -> Path:
    folder = seeds_dir()
    assert folder.is_dir(), f"source articles not found at {folder}"
    return folder
