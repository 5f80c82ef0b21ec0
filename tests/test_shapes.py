"""The SHACL shapes (shapes/hkg-shapes.ttl), exercised by valid and invalid fixtures.

Every fixture is validated together with `fixtures/shapes/common.ttl`, a small valid
world of the entities fixtures link to. A valid fixture names the shape it covers
(`# covers: hkg-sh:TargetShape`); an invalid one breaks exactly one rule and names
it (`# expect: hkg-sh:TargetShape hkg:indicator sh:Violation`): the report must
contain that shape, path and severity and nothing else. A rule a class shape takes from
a shared shape (sh:node) is named as the class shape's, with the path inside.
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node
from test_shapes_sparql import VERDICTS, result_key

from kg.shacl import readable_path, report_results, shape_results

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "hkg.ttl"
SHAPES = ROOT / "shapes" / "hkg-shapes.ttl"
FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))

HKG = Namespace("https://w3id.org/cn-health-kg/ontology#")
HKG_SH = Namespace("https://w3id.org/cn-health-kg/shapes#")
#: Classes of fixed value sets, declared with their members in the ontology: no data to shape.
VALUE_SETS = {HKG.Comparator, HKG.Qualifier, HKG.AssessmentStatus, HKG.AttributionBasis,
              HKG.PolicyAction}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES)


@pytest.fixture(scope="module")
def common() -> Graph:
    return Graph().parse(FIXTURES / "common.ttl")


def header(path: Path, key: str) -> str:
    """The value of the `# key: value` comment at the top of a fixture."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        name, _, value = line.lstrip("# ").partition(":")
        if name == key:
            return value.strip()
    raise AssertionError(f"{path.name}: no '# {key}:' line at the top")


def node_shapes(shapes: Graph) -> list[URIRef]:
    return sorted(s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef))


def class_shapes(shapes: Graph) -> list[URIRef]:
    """The node shapes with a target; the others are shared, named by sh:node."""
    return [s for s in node_shapes(shapes) if (s, SH.targetClass, None) in shapes]


def property_shapes(shapes: Graph) -> list[Node]:
    return [ps for ns in node_shapes(shapes) for ps in shapes.objects(ns, SH.property)]


def qname(graph: Graph, node: Node) -> str:
    return node.n3(graph.namespace_manager)


def validate(data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, Graph]:
    """pySHACL on the data with the ontology beside it in a new graph (as in the store)."""
    conforms, report, _ = pyshacl.validate(
        ontology + data, shacl_graph=shapes, inference="none", advanced=True,
        inplace=True)
    return conforms, report


def assert_frozen_verdicts(fixture: Path, report: Graph) -> None:
    """pySHACL's results on a fixture are the rows of fixtures/shapes/verdicts.tsv (the
    verdicts of the shapes before sh:node), which the compiled shapes must give too
    (tests/test_shapes_sparql.py): one pySHACL run per fixture serves both checks."""
    got = {result_key(r) for r in shape_results(report)}
    assert got == VERDICTS.get(f"{fixture.parent.name}/{fixture.name}", set())


def with_common(common: Graph, fixture: Path) -> Graph:
    data = Graph()
    data += common
    return data.parse(fixture)


def failures(report: Graph, shapes: Graph) -> set[str]:
    """Each result of a report as 'node-shape path severity'; a sh:node result as the
    constraint broken inside the shared shape (its sh:detail), in the class shape's name."""
    found = set()
    for top, result in report_results(report):
        top_source = report.value(top, SH.sourceShape)
        owner = shapes.value(predicate=SH.property, object=top_source) or top_source
        path = shapes.value(report.value(result, SH.sourceShape), SH.path)
        rendered = readable_path(shapes, path) if path is not None else "-"
        severity = report.value(top, SH.resultSeverity)
        found.add(f"{qname(shapes, owner)} {rendered} {qname(shapes, severity)}")
    return found


def instances(graph: Graph, ontology: Graph, cls: URIRef) -> set[Node]:
    """Members of a class in a fixture, counting its subclasses in the ontology."""
    classes = set(ontology.transitive_subjects(RDFS.subClassOf, cls))
    return {s for c in classes for s in graph.subjects(RDF.type, c)}


# ------------------------------------------------------------------ the shapes file


def test_every_node_shape_is_named_after_the_class_it_targets(
    shapes: Graph, ontology: Graph
) -> None:
    for shape in class_shapes(shapes):
        targets = list(shapes.objects(shape, SH.targetClass))
        assert len(targets) == 1, f"{shape} targets {targets}"
        assert shape == HKG_SH[f"{targets[0].removeprefix(str(HKG))}Shape"]
        assert (targets[0], RDF.type, OWL.Class) in ontology


def test_every_class_with_data_is_covered_by_a_shape(shapes: Graph, ontology: Graph) -> None:
    targeted = set(shapes.objects(None, SH.targetClass))
    uncovered = [
        cls
        for cls in ontology.subjects(RDF.type, OWL.Class)
        if isinstance(cls, URIRef)
        and cls.startswith(str(HKG))
        and cls not in VALUE_SETS
        and not targeted & set(ontology.transitive_objects(cls, RDFS.subClassOf))
    ]
    assert not uncovered, f"classes no shape applies to: {uncovered}"


def test_every_shared_shape_is_named_by_sh_node_and_targets_nothing(shapes: Graph) -> None:
    shared = set(node_shapes(shapes)) - set(class_shapes(shapes))
    assert shared, "no shared shapes"
    for shape in shared:
        assert (None, SH.node, shape) in shapes, f"{shape} is named by no sh:node"
        targets = [p for p in shapes.predicates(shape) if str(p).startswith(str(SH.target))]
        assert not targets, f"{shape} has targets {targets}"


def test_shared_shapes_hold_no_warnings(shapes: Graph) -> None:
    """A Warning inside a shared shape would break the sh:node naming it, a Violation."""
    shared = set(node_shapes(shapes)) - set(class_shapes(shapes))
    for shape in shared:
        for prop in shapes.objects(shape, SH.property):
            assert shapes.value(prop, SH.severity) == SH.Violation, shape


def test_every_node_shape_has_labels_and_a_definition(shapes: Graph) -> None:
    for shape in node_shapes(shapes):
        labels = sorted(label.language for label in shapes.objects(shape, RDFS.label))
        assert labels == ["en", "zh"], shape
        assert shapes.value(shape, SKOS.definition) is not None, shape


def test_every_constraint_has_a_severity_and_an_english_message(shapes: Graph) -> None:
    for prop in property_shapes(shapes):
        where = f"{shapes.value(predicate=SH.property, object=prop)} {shapes.value(prop, SH.path)}"
        assert shapes.value(prop, SH.severity) in (SH.Violation, SH.Warning), where
        messages = list(shapes.objects(prop, SH.message))
        assert any(m.language == "en" for m in messages), where


def test_every_hkg_term_in_the_shapes_is_declared_in_the_ontology(
    shapes: Graph, ontology: Graph
) -> None:
    used = {o for _, _, o in shapes if isinstance(o, URIRef) and o.startswith(str(HKG))}
    undeclared = sorted(t for t in used if (t, RDF.type, None) not in ontology)
    assert not undeclared


def test_soft_quality_issues_are_warnings(shapes: Graph) -> None:
    warnings = {
        readable_path(shapes, shapes.value(p, SH.path))
        for p in property_shapes(shapes)
        if shapes.value(p, SH.severity) == SH.Warning
    }
    assert warnings == {
        "hkg:deadline",
        "(hkg:asOf|hkg:period)",
        "^schema:mentions",
        "^hkg:statesPolicy",
        "schema:publisher",
    }


# ------------------------------------------------------------------ fixtures


def test_the_common_world_conforms_on_its_own(
    common: Graph, shapes: Graph, ontology: Graph
) -> None:
    conforms, report = validate(common, shapes, ontology)
    assert conforms, failures(report, shapes)


def test_every_node_shape_has_a_valid_and_an_invalid_fixture(shapes: Graph) -> None:
    covered = {header(path, "covers") for path in VALID}
    broken = {header(path, "expect").split()[0] for path in INVALID}
    for shape in class_shapes(shapes):
        assert qname(shapes, shape) in covered, f"no valid fixture covers {shape}"
        assert qname(shapes, shape) in broken, f"no invalid fixture breaks {shape}"


@pytest.mark.parametrize("fixture", VALID, ids=lambda p: p.stem)
def test_valid_fixture_conforms(
    fixture: Path, common: Graph, shapes: Graph, ontology: Graph
) -> None:
    shape = shapes.namespace_manager.expand_curie(header(fixture, "covers"))
    target = shapes.value(shape, SH.targetClass)
    assert target is not None, f"{fixture.name} covers an unknown shape {shape}"
    assert instances(Graph().parse(fixture), ontology, target), (
        f"{fixture.name} has no {target} for {shape} to check"
    )
    conforms, report = validate(with_common(common, fixture), shapes, ontology)
    assert conforms, failures(report, shapes)
    assert_frozen_verdicts(fixture, report)


@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_fails_only_on_the_rule_it_names(
    fixture: Path, common: Graph, shapes: Graph, ontology: Graph
) -> None:
    conforms, report = validate(with_common(common, fixture), shapes, ontology)
    assert not conforms
    assert failures(report, shapes) == {header(fixture, "expect")}
    assert_frozen_verdicts(fixture, report)


def test_reports_carry_the_shapes_message(common: Graph, shapes: Graph, ontology: Graph) -> None:
    _, report = validate(
        with_common(common, FIXTURES / "invalid" / "target-without-indicator.ttl"), shapes, ontology
    )
    messages = {str(m) for m in report.objects(None, SH.resultMessage)}
    assert messages == {"A target needs exactly one indicator (hkg:indicator), an hkg:Indicator."}
