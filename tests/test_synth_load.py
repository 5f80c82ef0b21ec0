"""`kg synth` (deterministic synthetic data that meets the shapes) and `kg load`."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.namespace import RDF

from kg.cli import main
from kg.namespaces import HKG
from kg.shacl import ONTOLOGY_DIR, SHAPES_DIR, load_turtle_dir, validate_graph
from kg.store import EmbeddedStore, current_release
from kg.synth import PROVINCES, synthesise

BASE = "https://w3id.org/cn-health-kg/"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth") / "s.nq"
    synthesise(20_000, 5, path)
    return path


def merged(path: Path) -> Graph:
    dataset = Dataset()
    dataset.parse(path, format="nquads")
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path, synthetic: Path) -> None:
    again, other = tmp_path / "a.nq", tmp_path / "b.nq"
    synthesise(20_000, 5, again)
    synthesise(20_000, 6, other)
    assert again.read_bytes() == synthetic.read_bytes()
    assert other.read_bytes() != synthetic.read_bytes()


def test_size_is_close_to_the_request(synthetic: Path) -> None:
    lines = synthetic.read_bytes().count(b"\n")
    assert 20_000 <= lines < 20_200  # it stops after the county that reaches the request


def test_gzip_output_is_the_same_quads(tmp_path: Path, synthetic: Path) -> None:
    packed = tmp_path / "s.nq.gz"
    assert synthesise(20_000, 5, packed) == synthetic.read_bytes().count(b"\n")
    assert gzip.decompress(packed.read_bytes()) == synthetic.read_bytes()


def test_synthetic_data_conforms_to_the_shapes_by_pyshacl(synthetic: Path) -> None:
    report = validate_graph(merged(synthetic), load_turtle_dir(ONTOLOGY_DIR),
                            load_turtle_dir(SHAPES_DIR))
    assert report.conforms, report.text
    assert report.results == (), report.text  # not even a warning


def test_synthetic_data_has_the_national_structure(synthetic: Path) -> None:
    graph = merged(synthetic)
    count = {
        c: len(set(graph.subjects(RDF.type, HKG[c])))
        for c in (
            "Province",
            "Prefecture",
            "County",
            "LocalAgency",
            "Hospital",
            "Person",
            "PostHolding",
            "Target",
            "Measurement",
            "Evidence",
            "SourceArticle",
        )
    }
    assert count["Province"] == PROVINCES
    assert min(count.values()) > 0, count
    assert count["Evidence"] == count["PostHolding"] + count["Target"] + count["Measurement"]


def test_load_publishes_a_validated_release_with_named_graphs(
    tmp_path: Path, synthetic: Path
) -> None:
    location = tmp_path / "store"
    result = CliRunner().invoke(main, ["load", str(synthetic), "--location", str(location)])
    assert result.exit_code == 0, result.output
    assert "SHACL: 0 violations" in result.output
    manifest = json.loads((current_release(location) / "manifest.json").read_text())
    quads = synthetic.read_bytes().count(b"\n")
    assert sum(n for g, n in manifest["triples"].items() if g != f"{BASE}graph/ontology") == quads
    store = EmbeddedStore.open(location)
    graphs = store.named_graphs()
    assert f"{BASE}graph/entities" in graphs and f"{BASE}graph/ontology" in graphs
    assert any(g.startswith(f"{BASE}graph/source/synth-") for g in graphs)


def test_load_refuses_data_that_breaks_a_shape_and_keeps_the_old_release(
    tmp_path: Path, synthetic: Path
) -> None:
    location = tmp_path / "store"
    assert (
        CliRunner().invoke(main, ["load", str(synthetic), "--location", str(location)]).exit_code
        == 0
    )
    before = current_release(location)
    bad = tmp_path / "bad.ttl"
    bad.write_text(f"<{BASE}claim/x/m> a <{HKG}Measurement> .\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["load", str(synthetic), str(bad), "--location", str(location)]
    )
    assert result.exit_code == 1
    assert f"{BASE}claim/x/m" in result.output and "Traceback" not in result.output
    assert current_release(location) == before
    assert len(list((location / "releases").iterdir())) == 1


def test_load_names_the_file_that_does_not_parse(tmp_path: Path) -> None:
    bad = tmp_path / "broken.nt"
    bad.write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["load", str(bad), "--location", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert "broken.nt" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "s" / "current").exists()


def test_triples_file_goes_to_a_graph_named_after_it(tmp_path: Path) -> None:
    data = tmp_path / "regions.ttl"
    data.write_text(
        f"<{BASE}region/cn> a <{HKG}Country> ; "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "中国"@zh , "China"@en .\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["load", str(data), "--location", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert f"{BASE}graph/file/regions" in EmbeddedStore.open(tmp_path / "s").named_graphs()


def test_lenient_load_publishes_the_same_triples(tmp_path: Path, synthetic: Path) -> None:
    releases = {}
    for flags in ([], ["--lenient"]):
        location = tmp_path / ("lenient" if flags else "strict")
        result = CliRunner().invoke(
            main, ["load", str(synthetic), "--location", str(location), *flags]
        )
        assert result.exit_code == 0, result.output
        manifest = json.loads((current_release(location) / "manifest.json").read_text())
        releases[bool(flags)] = manifest["triples"]
    assert releases[True] == releases[False]
