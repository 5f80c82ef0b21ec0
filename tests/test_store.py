"""The embedded store: dumps reload isomorphically; pinned oxrdflib behaviour."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.formats import GRAPH_FORMATS
from kg.store import EmbeddedStore, StoreError


@pytest.mark.parametrize("name", sorted(GRAPH_FORMATS))
def test_export_reimports_isomorphically(built_store: tuple[Path, object], name: str,
                                         tmp_path: Path) -> None:
    location, _ = built_store
    store = EmbeddedStore.open(location)
    fmt = GRAPH_FORMATS[name]
    dump = tmp_path / f"dump.{fmt.extension}"
    dump.write_bytes(store.dump(fmt))
    original = store.dump(GRAPH_FORMATS["nq"])
    reloaded = EmbeddedStore.from_files([dump])
    if fmt.quads:
        left, right = Dataset(), Dataset()
        left.parse(data=original, format="nquads")
        right.parse(data=reloaded.dump(GRAPH_FORMATS["nq"]), format="nquads")
        names = {g.identifier for g in left.graphs() if len(g)}
        assert names == {g.identifier for g in right.graphs() if len(g)}
        assert len(names) >= 4
        for name in names:
            assert isomorphic(left.graph(name), right.graph(name)), name
    else:
        merged = Graph()
        for s, p, o, _ in Dataset().parse(data=original, format="nquads").quads():
            merged.add((s, p, o))
        again = Graph().parse(data=reloaded.dump(GRAPH_FORMATS["nt"]), format="nt")
        assert len(merged) == len(again)
        assert isomorphic(merged, again)


def test_open_without_build_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="run `kg build` first"):
        EmbeddedStore.open(tmp_path)


def test_from_files_rejects_broken_rdf(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .")
    with pytest.raises(StoreError, match=r"bad\.ttl: cannot load"):
        EmbeddedStore.from_files([bad])


def test_oxrdflib_sees_default_graph_triples() -> None:
    """Regression pin for oxrdflib #28: default-graph data must be queryable via rdflib."""
    dataset = Dataset(store="Oxigraph")
    s, p = URIRef("http://example.org/s"), URIRef("http://example.org/p")
    dataset.add((s, p, Literal("o")))
    rows = list(dataset.query("SELECT ?o WHERE { ?s ?p ?o }"))
    assert [str(r[0]) for r in rows] == ["o"]
