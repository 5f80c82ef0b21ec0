"""The embedded store: dumps reload isomorphically; pinned oxrdflib behaviour."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_isomorphic

from kg.formats import GRAPH_FORMATS
from kg.store import EmbeddedStore, StoreError


@dataclass(frozen=True)
class Original:
    """The built store's content, read once for every format's round trip: the canonical
    hash of each named graph and of all triples merged (rdflib.compare: equal hashes are
    isomorphic graphs), and the triple count merged."""

    graphs: dict[URIRef, str]
    merged: str
    merged_size: int


def canonical_hash(graph: Graph) -> str:
    """A hash equal for isomorphic graphs only: the triples without blank nodes as they
    are (sorted), and the hash rdflib's `isomorphic` compares for the triples with them
    (an isomorphism renames blank nodes only, so the ground triples must be the same;
    canonical labelling of the ~600 triples with blank nodes instead of all ~27,000 is
    what makes this fast)."""
    ground, blank = [], Graph()
    for triple in graph:
        if any(isinstance(term, BNode) for term in triple):
            blank.add(triple)
        else:
            ground.append(" ".join(term.n3() for term in triple))
    digest = hashlib.sha256("\n".join(sorted(ground)).encode()).hexdigest()
    return f"{digest}-{to_isomorphic(blank).internal_hash()}"


@pytest.fixture(scope="module")
def original(built_store: tuple[Path, object]) -> Original:
    dump = EmbeddedStore.open(built_store[0]).dump(GRAPH_FORMATS["nq"])
    dataset = Dataset()
    dataset.parse(data=dump, format="nquads")
    merged = Graph()
    for s, p, o, _ in dataset.quads():
        merged.add((s, p, o))
    graphs = {g.identifier: canonical_hash(g) for g in dataset.graphs() if len(g)}
    assert len(graphs) >= 4
    return Original(graphs, canonical_hash(merged), len(merged))


@pytest.mark.parametrize("name", sorted(GRAPH_FORMATS))
def test_export_reimports_isomorphically(built_store: tuple[Path, object], original: Original,
                                         name: str, tmp_path: Path) -> None:
    location, _ = built_store
    store = EmbeddedStore.open(location)
    fmt = GRAPH_FORMATS[name]
    dump = tmp_path / f"dump.{fmt.extension}"
    dump.write_bytes(store.dump(fmt))
    reloaded = EmbeddedStore.from_files([dump])
    if fmt.quads:
        right = Dataset()
        right.parse(data=reloaded.dump(GRAPH_FORMATS["nq"]), format="nquads")
        names = {g.identifier for g in right.graphs() if len(g)}
        assert names == set(original.graphs)
        for name in names:
            assert canonical_hash(right.graph(name)) == original.graphs[name], name
    else:
        again = Graph().parse(data=reloaded.dump(GRAPH_FORMATS["nt"]), format="nt")
        assert len(again) == original.merged_size
        assert canonical_hash(again) == original.merged


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
