"""The shapes compiled to SPARQL give pySHACL's verdicts: same focus nodes, paths and severities.

Compared on every shapes fixture (valid and invalid, each with common.ttl) and on the
graph `kg build` makes from the seed data. pySHACL stays the reference here only.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyshacl
import pytest
from pyoxigraph import NamedNode, RdfFormat, Store
from rdflib import BNode, Graph
from rdflib.namespace import RDF, SH

from kg.shacl import ONTOLOGY_DIR, SHAPES_DIR, load_turtle_dir
from kg.shapes_sparql import ShapeCompileError, compile_shapes, short, validate_store
from kg.store import EmbeddedStore

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
CASES = sorted((FIXTURES / "valid").glob("*.ttl")) + sorted((FIXTURES / "invalid").glob("*.ttl"))

Key = tuple[str, str, str]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_turtle_dir(ONTOLOGY_DIR)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_turtle_dir(SHAPES_DIR)


@pytest.fixture(scope="module")
def checks(shapes: Graph) -> list:
    return compile_shapes(shapes)


def readable_path(graph: Graph, node: object) -> str:
    """A result path from pySHACL's report graph in the compiler's readable form."""
    if not isinstance(node, BNode):
        return short(node)  # type: ignore[arg-type]
    if (node, RDF.first, None) in graph:
        return "/".join(readable_path(graph, item) for item in graph.items(node))
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return f"^{readable_path(graph, inverse)}"
    alternative = graph.value(node, SH.alternativePath)
    if alternative is not None:
        return "(" + "|".join(readable_path(graph, i) for i in graph.items(alternative)) + ")"
    raise AssertionError(f"path form not rendered: {node}")


def reference(data: Graph, ontology: Graph, shapes: Graph) -> set[Key]:
    """pySHACL's results as (focus, path, severity)."""
    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        found.add(
            (
                str(report.value(result, SH.focusNode)),
                readable_path(report, report.value(result, SH.resultPath)),
                str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            )
        )
    return found


def compiled(graphs: dict[str, Graph | list[Path]], checks: list) -> set[Key]:
    """The compiled checks' results on named graphs, given as rdflib graphs or as files
    that Oxigraph reads itself (as `kg load` does: rdflib would rewrite the lexical form
    of an ill-typed boolean, "yes" to "false")."""
    store = Store()
    for name, graph in graphs.items():
        if isinstance(graph, Graph):
            data = graph.serialize(format="nt", encoding="utf-8")
            store.load(data, format=RdfFormat.N_TRIPLES, to_graph=NamedNode(name))
            continue
        for path in graph:
            store.load(path=path, format=RdfFormat.TURTLE, to_graph=NamedNode(name))
    report = validate_store(EmbeddedStore(store=store), checks)
    return {(r.focus, r.path or "", r.severity) for r in report.results}


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_verdicts_equal_pyshacl(
    fixture: Path, ontology: Graph, shapes: Graph, checks: list
) -> None:
    data = Graph().parse(FIXTURES / "common.ttl").parse(fixture)
    expected = reference(data, ontology, shapes)
    got = compiled(
        {"urn:g:data": [FIXTURES / "common.ttl", fixture], "urn:g:ontology": ontology}, checks
    )
    assert got == expected
    if fixture.parent.name == "invalid":
        assert expected, f"{fixture.name} should break a shape"


def test_seed_graph_verdicts_equal_pyshacl(ontology: Graph, shapes: Graph, checks: list) -> None:
    from kg.build import build_graphs

    built = build_graphs()
    expected = reference(built.data_graph(), ontology, shapes)
    got = compiled(built.graphs, checks)
    assert got == expected
    assert Counter(k[2] for k in got)["Warning"] > 0  # the seed graph has known warnings


def test_duplicate_triples_across_graphs_are_counted_once(ontology: Graph, checks: list) -> None:
    """A label repeated in two graphs is one value (sh:maxCount / qualified counts)."""
    data = Graph().parse(FIXTURES / "common.ttl")
    copy = Graph()
    copy += data
    got = compiled({"urn:g:a": data, "urn:g:b": copy, "urn:g:ontology": ontology}, checks)
    assert got == compiled({"urn:g:a": data, "urn:g:ontology": ontology}, checks)


def test_unknown_constraint_is_refused(shapes: Graph) -> None:
    extra = Graph()
    extra += shapes
    shape = next(extra.subjects(RDF.type, SH.NodeShape))
    prop = BNode()
    extra.add((shape, SH.property, prop))
    extra.add((prop, SH.path, RDF.value))
    extra.add((prop, SH.hasValue, RDF.nil))
    with pytest.raises(ShapeCompileError, match="hasValue"):
        compile_shapes(extra)
