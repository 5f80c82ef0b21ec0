"""Every `kg` command honours the KG_* variables its options document.

Each test sets a variable (and not the option) and checks the command really used it:
a file written where it says, an error that names the path or URL it gave, a store
made at its location.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

#: A port nothing listens on (discard): a store URL there fails at once, naming the URL.
NOWHERE = "http://127.0.0.1:9/query"


def kg(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def no_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """$KG_DATA_DIR set to a folder that is not there."""
    missing = tmp_path / "no-data-here"
    monkeypatch.setenv("KG_DATA_DIR", str(missing))
    return missing


@pytest.mark.parametrize("command", ["validate", "build", "coverage", "extract", "diff"])
def test_the_data_commands_read_kg_data_dir(command: str, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    missing = no_data(monkeypatch, tmp_path)
    monkeypatch.setenv("KG_LOCATION", str(tmp_path / "store"))
    arguments = {"extract": [tmp_path / "a.txt", "--source-id", "009"],
                 "diff": [tmp_path / "009.yaml"]}.get(command, [])
    (tmp_path / "a.txt").write_text("正文。\n", encoding="utf-8")
    (tmp_path / "009.yaml").write_text("source: {}\n", encoding="utf-8")
    code, out = kg(command, *arguments)
    assert code == 1
    assert f"{missing}: data folder not found" in out


def no_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """$KG_LOCATION set to an empty folder (no built store)."""
    empty = tmp_path / "no-store-here"
    empty.mkdir()
    monkeypatch.setenv("KG_LOCATION", str(empty))
    return empty


def test_validate_reads_kg_seeds_and_kg_corpus(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    seeds, corpus = tmp_path / "seeds", tmp_path / "corpus"
    seeds.mkdir()
    corpus.mkdir()
    monkeypatch.setenv("KG_SEEDS", str(seeds))
    monkeypatch.setenv("KG_CORPUS", str(corpus))
    code, out = kg("validate")
    assert code == 1
    assert f"not found in {seeds}, {corpus}" in out


def test_build_reads_kg_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("KG_LOCATION", str(blocked / "store"))
    code, out = kg("build")
    assert code == 1
    assert f"cannot write the store at {blocked / 'store'}" in out


def test_build_reads_kg_base_iri(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KG_LOCATION", str(tmp_path / "store"))
    monkeypatch.setenv("KG_BASE_IRI", "no scheme here")
    code, out = kg("build")
    assert code == 1
    assert "--base-iri" in out and "'no scheme here/' is not an absolute IRI" in out


def test_query_reads_kg_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = no_store(monkeypatch, tmp_path)
    code, out = kg("query", "ASK {}")
    assert code == 1
    assert f"no built store at {empty}" in out


def test_query_reads_kg_store_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_STORE_URL", NOWHERE)
    code, out = kg("query", "ASK {}")
    assert code == 1
    assert NOWHERE in out


def test_export_reads_kg_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = no_store(monkeypatch, tmp_path)
    code, out = kg("export", "--format", "nt", "--output", tmp_path / "out.nt")
    assert code == 1
    assert f"no built store at {empty}" in out
    assert not (tmp_path / "out.nt").exists()


def test_export_reads_kg_store_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KG_STORE_URL", NOWHERE)
    code, out = kg("export", "--format", "nt", "--output", tmp_path / "out.nt")
    assert code == 1
    assert NOWHERE in out


def test_synth_reads_kg_base_iri(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KG_BASE_IRI", "https://kg.test/synth")
    output = tmp_path / "s.nq"
    code, out = kg("synth", "--triples", 200, "--output", output)
    assert code == 0, out
    assert "<https://kg.test/synth/" in output.read_text(encoding="utf-8")


def test_load_reads_kg_location_and_kg_base_iri(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    data = tmp_path / "s.nq.gz"
    code, out = kg("synth", "--triples", 200, "--output", data)
    assert code == 0, out
    assert gzip.decompress(data.read_bytes())
    location = tmp_path / "from-env"
    monkeypatch.setenv("KG_LOCATION", str(location))
    monkeypatch.setenv("KG_BASE_IRI", "https://kg.test/loaded")
    code, out = kg("load", data)
    assert code == 0, out
    manifest = json.loads((location / "current" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["base_iri"] == "https://kg.test/loaded/"
    assert "https://kg.test/loaded/graph/ontology" in manifest["triples"]


def test_stats_reads_kg_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = no_store(monkeypatch, tmp_path)
    code, out = kg("stats")
    assert code == 1
    assert f"no built store at {empty}" in out


def test_stats_reads_kg_store_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_STORE_URL", NOWHERE)
    code, out = kg("stats")
    assert code == 1
    assert NOWHERE in out


def test_push_reads_kg_location_and_kg_gsp_url(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    empty = no_store(monkeypatch, tmp_path)
    monkeypatch.setenv("KG_GSP_URL", "http://127.0.0.1:9/graphs")
    # without $KG_GSP_URL a query URL not ending in /query is a usage error
    code, out = kg("push", "--store", "http://127.0.0.1:9/sparql")
    assert code == 1
    assert "--gsp URL is needed" not in out
    assert f"no built store at {empty}" in out


def test_new_source_reads_kg_data_dir_and_kg_seeds(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    data, seeds = tmp_path / "data", tmp_path / "seeds"
    (data / "facts").mkdir(parents=True)
    seeds.mkdir()
    article = seeds / "art.txt"
    article.write_text("TITLE: 健康中国\nDATE: 2025-01-05\n\n正文。\n", encoding="utf-8")
    monkeypatch.setenv("KG_DATA_DIR", str(data))
    monkeypatch.setenv("KG_SEEDS", str(seeds))
    code, out = kg("new-source", article)
    assert code == 0, out
    assert (data / "facts" / "000.yaml").is_file()
    assert "copy" not in out  # found in the seeds folder the variable named


def test_serve_reads_kg_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = no_store(monkeypatch, tmp_path)
    code, out = kg("serve", "--port", 0)
    assert code == 1
    assert f"no built store at {empty}" in out


def test_serve_reads_kg_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_TIMEOUT", "-1")
    code, out = kg("serve", "--port", 0)
    assert code == 1
    assert "timeout" in out and "greater than 0" in out
