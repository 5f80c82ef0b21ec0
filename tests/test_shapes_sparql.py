"""The shapes compiled to SPARQL give pySHACL's verdicts: same focus nodes, paths,
constraint components and severities.

Compared on every shapes fixture (valid and invalid, each with common.ttl) through the
frozen verdicts (fixtures/shapes/verdicts.tsv: the compiled shapes' results here,
pySHACL's in tests/test_shapes.py, so pySHACL runs once per fixture), and directly on the
graph `kg build` makes from the seed data and on small shapes that exercise sh:node
(fixtures/shapes-node). pySHACL stays the reference here only; a sh:node result is
compared as the constraint broken inside the named shape (its sh:detail).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH

from kg.shacl import ONTOLOGY_DIR, SHAPES_DIR, ShapeResult, load_turtle_dir, validate_graph
from kg.shapes_sparql import ShapeCompileError, compile_shapes, validate_store
from kg.store import EmbeddedStore

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
CASES = sorted((FIXTURES / "valid").glob("*.ttl")) + sorted((FIXTURES / "invalid").glob("*.ttl"))
NODE_FIXTURES = Path(__file__).parent / "fixtures" / "shapes-node"
NODE_CASES = sorted((NODE_FIXTURES / "valid").glob("*.ttl")) + sorted(
    (NODE_FIXTURES / "invalid").glob("*.ttl")
)
BASE = "https://w3id.org/cn-health-kg/"

Key = tuple[str, str, str, str]


def frozen_verdicts() -> dict[str, set[Key]]:
    """fixtures/shapes/verdicts.tsv: the results of the shapes before sh:node, per fixture."""
    found: dict[str, set[Key]] = {}
    with (FIXTURES / "verdicts.tsv").open(encoding="utf-8") as lines:
        rows = csv.reader((line for line in lines if not line.startswith("#")), delimiter="\t")
        for fixture, focus, path, component, severity in rows:
            key = (BASE + focus, "" if path == "-" else path, component, severity)
            found.setdefault(fixture, set()).add(key)
    return found


VERDICTS = frozen_verdicts()


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_turtle_dir(ONTOLOGY_DIR)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_turtle_dir(SHAPES_DIR)


@pytest.fixture(scope="module")
def checks(shapes: Graph) -> list:
    return compile_shapes(shapes)


def result_key(result: ShapeResult) -> Key:
    """A result as the verdicts compare it: (focus, path, component, severity)."""
    return (result.focus, result.path or "", result.component, result.severity)


def reference(data: Graph, ontology: Graph, shapes: Graph) -> set[Key]:
    """pySHACL's results as (focus, path, component, severity)."""
    return {result_key(r) for r in validate_graph(data, ontology, shapes).results}


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
    return {result_key(r) for r in report.results}


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_verdicts_equal_the_frozen_ones(fixture: Path, ontology: Graph,
                                               checks: list) -> None:
    """The compiled shapes give the verdicts of the shapes before sh:node (verdicts.tsv),
    which tests/test_shapes.py finds pySHACL gives too."""
    got = compiled(
        {"urn:g:data": [FIXTURES / "common.ttl", fixture], "urn:g:ontology": ontology}, checks
    )
    assert got == VERDICTS.get(f"{fixture.parent.name}/{fixture.name}", set())
    if fixture.parent.name == "invalid":
        assert got, f"{fixture.name} should break a shape"


def test_every_fixture_has_its_frozen_verdicts_and_no_other() -> None:
    """Every invalid fixture has rows, and every row names a fixture that exists (a
    renamed fixture cannot leave its verdicts behind unchecked)."""
    names = {f"{path.parent.name}/{path.name}" for path in CASES}
    assert set(VERDICTS) <= names, set(VERDICTS) - names
    assert {n for n in names if n.startswith("invalid/")} <= set(VERDICTS)


def test_seed_graph_verdicts_equal_pyshacl(ontology: Graph, shapes: Graph, checks: list) -> None:
    from kg.build import build_graphs

    built = build_graphs()
    expected = reference(built.data_graph(), ontology, shapes)
    got = compiled(built.graphs, checks)
    assert got == expected
    assert Counter(k[3] for k in got)["Warning"] > 0  # the seed graph has known warnings


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


def node_expectations(fixture: Path) -> set[Key]:
    """The `# expect: focus path component severity` lines of a shapes-node fixture, with
    ex: written out as the validators write it (a full focus IRI, a path <iri>)."""
    ex = "https://example.org/"
    found = set()
    for line in fixture.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            focus, path, component, severity = line.removeprefix("# expect:").split()
            path = f"<{path.replace('ex:', ex)}>"
            found.add((focus.replace("ex:", ex), path, component, severity))
    return found


@pytest.mark.parametrize("fixture", NODE_CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_sh_node_verdicts_equal_pyshacl(fixture: Path) -> None:
    """Nested sh:node, a shared shape of several constraints, a Warning inside one."""
    shapes = Graph().parse(NODE_FIXTURES / "shapes.ttl")
    expected = reference(Graph().parse(fixture), Graph(), shapes)
    assert compiled({"urn:g:data": [fixture]}, compile_shapes(shapes)) == expected
    assert expected == node_expectations(fixture)
    assert bool(expected) == (fixture.parent.name == "invalid")


@pytest.mark.parametrize(
    ("source", "named", "error"),
    [
        ("CodedShape", "NamedShape", "refers back"),  # NamedShape names CodedShape: a cycle
        ("ThingShape", "NoSuchShape", "is not a node shape"),
    ],
    ids=["cycle", "undeclared"],
)
def test_sh_node_that_cannot_be_followed_is_refused(source: str, named: str, error: str) -> None:
    shapes = Graph().parse(NODE_FIXTURES / "shapes.ttl")
    ex = "https://example.org/"
    shapes.add((URIRef(ex + source), SH.node, URIRef(ex + named)))
    with pytest.raises(ShapeCompileError, match=error):
        compile_shapes(shapes)


def test_sh_node_in_a_property_shape_is_refused(shapes: Graph) -> None:
    """On a property shape sh:node constrains each value, which the compiler does not do."""
    extra = Graph()
    extra += shapes
    prop = next(extra.objects(None, SH.property))
    extra.add((prop, SH.node, next(extra.subjects(RDF.type, SH.NodeShape))))
    with pytest.raises(ShapeCompileError, match="unsupported constraint sh:node"):
        compile_shapes(extra)
