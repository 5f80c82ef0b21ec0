"""One settings object: defaults, KG_* environment variables, then command-line options."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.settings import DEFAULT_BASE_IRI, DEFAULT_SEEDS, Settings


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KG_TIMEOUT", "2.5")
    monkeypatch.setenv("KG_LOCATION", str(tmp_path))
    monkeypatch.setenv("KG_STORE_URL", "http://127.0.0.1:7878/query")
    settings = Settings()
    assert settings.timeout == 2.5
    assert settings.location == tmp_path
    assert settings.store_url == "http://127.0.0.1:7878/query"


def test_options_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_MAX_ROWS", "10")
    settings = Settings().with_options(max_rows=20, timeout=None)
    assert settings.max_rows == 20
    assert settings.timeout == Settings.model_fields["timeout"].default


def test_library_defaults_are_the_settings_defaults_not_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the command line (or whoever makes the service) reads KG_*; a function called
    without a value takes the settings' own default."""
    from kg.iris import IriMinter
    from kg.sources import source_folders

    monkeypatch.setenv("KG_BASE_IRI", "https://kg.test/base")
    monkeypatch.setenv("KG_SEEDS", "/nowhere/seeds")
    assert IriMinter().base == DEFAULT_BASE_IRI
    assert source_folders()[0] == DEFAULT_SEEDS
    settings = Settings()
    assert settings.base == "https://kg.test/base/"
    assert source_folders(settings.seeds, settings.corpus)[0] == Path("/nowhere/seeds")


def test_a_store_s_base_is_its_manifest_s_else_the_settings(
        built_store: tuple[Path, object], tmp_path: Path) -> None:
    from kg.store import EmbeddedStore, open_store

    data = tmp_path / "one.nt"
    data.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    assert EmbeddedStore.from_files([data], base_iri="https://kg.test/files").base_iri == (
        "https://kg.test/files/")
    built = open_store(Settings(location=built_store[0], base_iri="https://kg.test/other/"))
    assert built.base_iri == built.manifest["base_iri"] == DEFAULT_BASE_IRI


def test_one_time_limit_for_the_endpoint_the_workers_and_the_pages(tmp_path: Path) -> None:
    from kg.service.context import ServiceConfig
    from kg.service.dataset import DatasetSource
    from kg.service.executor import QueryExecutor

    source = DatasetSource(Settings(timeout=3.5), files=(tmp_path / "x.nt",))
    assert ServiceConfig(source=source).timeout == 3.5
    assert QueryExecutor.from_source(source, {}).timeout == 3.5


CROSS_JOIN = "SELECT * WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"


@pytest.fixture
def many_rows(tmp_path: Path) -> Path:
    """200 triples: a three-way cross join of them has 8 million solutions."""
    data = tmp_path / "many.nt"
    data.write_text("".join(f"<urn:s{i}> <urn:p> <urn:o{i}> .\n" for i in range(200)),
                    encoding="utf-8")
    return data


def test_page_reads_on_the_embedded_store_stop_at_the_deadline(many_rows: Path) -> None:
    from kg.query_errors import QueryTimeout
    from kg.store import EmbeddedStore, time_limit

    store = EmbeddedStore.from_files([many_rows])
    with time_limit(0.5), pytest.raises(QueryTimeout, match=r"0\.5 s time limit"):
        store.select(CROSS_JOIN)
    with time_limit(0.5), pytest.raises(QueryTimeout):
        store.answer(CROSS_JOIN, results_format="json", graph_format=None)
    with time_limit(0), pytest.raises(QueryTimeout):
        store.ask("ASK {}")
    assert store.ask("ASK { ?s ?p ?o }")  # no deadline outside the block


def test_a_bad_environment_value_is_an_error_for_people(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_TIMEOUT", "soon")
    result = CliRunner().invoke(main, ["stats"])
    assert result.exit_code == 1
    assert "timeout" in result.output
    assert "Traceback" not in result.output


def test_the_cli_reads_the_store_location_from_the_environment(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KG_LOCATION", str(tmp_path / "empty"))
    result = CliRunner().invoke(main, ["stats"])
    assert result.exit_code == 1
    assert str(tmp_path / "empty") in result.output
