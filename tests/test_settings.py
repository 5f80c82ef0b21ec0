"""One settings object: defaults, KG_* environment variables, then command-line options."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.settings import Settings


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


def test_base_iri_helpers_read_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.namespaces import base_iri
    from kg.sources import seeds_dir

    monkeypatch.setenv("KG_BASE_IRI", "https://kg.test/base")
    monkeypatch.setenv("KG_SEEDS", "/nowhere/seeds")
    assert base_iri() == "https://kg.test/base/"
    assert seeds_dir() == Path("/nowhere/seeds")


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
