"""Shared fixtures: the real curated data, built once into a temporary store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from kg.build import BuildSummary, build
from kg.cli import main
from kg.datafiles import DEFAULT_DATA_DIR
from kg.settings import Settings
from kg.synth import synthesise

PROJECT = Path(__file__).resolve().parents[1]
#: The files that take longest (real servers, whole-graph checks, every bad input built),
#: longest first, as `--durations=0` measured them on three test processes. pytest-xdist
#: (`--dist loadfile`) gives each process a first batch of files round-robin in collection
#: order, then the rest one by one to whichever is free, so these go first: collected
#: alphabetically, several came last and ran on alone while the others had finished.
LONGEST_FIRST = ("test_store_remote.py", "test_build_input.py", "test_ontology.py",
                 "test_browser_pages.py", "test_faults.py", "test_w3c_query.py",
                 "test_extract_hostile.py", "test_browser_language.py",
                 "test_service_openapi.py", "test_build_hostile.py",
                 "test_browser_accessibility.py", "test_build.py", "test_service_http.py",
                 "test_service_store_faults.py", "test_hostile.py", "test_synth_load.py",
                 "test_service_executor.py", "test_w3c_harness.py", "test_extract_review.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first, each still whole and in its own order; then the rest."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildSummary]:
    """The graph of the real data, built into a fresh store location (once per session)."""
    location = tmp_path_factory.mktemp("store")
    settings = Settings()  # where the articles are: $KG_SEEDS, $KG_CORPUS, else ../shared
    return location, build(location=location, seeds=settings.seeds, corpus=settings.corpus)


@pytest.fixture(scope="session")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of `kg synth` data (30,000 triples), loaded once per session."""
    folder = tmp_path_factory.mktemp("synthetic")
    data = folder / "s.nq"
    synthesise(30_000, 7, data)
    location = folder / "store"
    result = CliRunner().invoke(main, ["load", str(data), "--location", str(location)])
    assert result.exit_code == 0, result.output
    return location


@pytest.fixture(params=["seed", "synthetic"])
def either_store(request: pytest.FixtureRequest) -> tuple[str, Path]:
    """The seed graph's store, then the synthetic one: a test that takes it runs on both."""
    if request.param == "seed":
        return "seed", request.getfixturevalue("built_store")[0]
    return "synthetic", request.getfixturevalue("synthetic_store")


@pytest.fixture(scope="module")
def published(built_store: tuple[Path, BuildSummary], tmp_path_factory: pytest.TempPathFactory
              ) -> Path:
    """A private copy of the built store, for one test module to build against."""
    location = tmp_path_factory.mktemp("published") / "store"
    shutil.copytree(built_store[0], location, symlinks=True)
    return location


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, target)
    return target


@pytest.fixture(scope="session")
def seeds() -> Path:
    folder = Settings().seeds
    assert folder.is_dir(), f"source articles not found at {folder}"
    return folder


@pytest.fixture(scope="session")
def kg_server(built_store: tuple[Path, BuildSummary],
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `kg serve` over the built store (two query workers, the default time limit)
    for the session, on a free port of 127.0.0.1: its origin (no slash). Shared by the
    tests that need a real server and no other option (OpenAPI, browser)."""
    from servers import serving

    log = tmp_path_factory.mktemp("kg-serve") / "kg.log"
    with serving("--location", str(built_store[0]), "--workers", "2", log=log) as url:
        yield url


@pytest.fixture(scope="session")
def service_client(built_store: tuple[Path, BuildSummary]) -> Iterator[TestClient]:
    """The service over the built graph, in process (two query workers), for the session."""
    from kg.service.app import create_app
    from kg.service.context import ServiceConfig
    from kg.service.dataset import DatasetSource

    settings = Settings(location=built_store[0], workers=2)
    app = create_app(ServiceConfig(source=DatasetSource(settings)))
    with TestClient(app) as client:
        yield client
