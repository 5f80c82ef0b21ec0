"""The OWL ontology (ontology/hkg.ttl): header, labels, loader coverage, alignment, consistency."""

from __future__ import annotations

import ast
from pathlib import Path

import owlrl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "hkg.ttl"
RDF_MODULE = ROOT / "src" / "kg" / "rdf.py"
FIXTURES = Path(__file__).parent / "fixtures" / "shapes"

HKG = Namespace("https://w3id.org/cn-health-kg/ontology#")
ONTOLOGY_IRI = URIRef("https://w3id.org/cn-health-kg/ontology")
KGD = Namespace("https://w3id.org/cn-health-kg/")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SOSA = Namespace("http://www.w3.org/ns/sosa/")
OA = Namespace("http://www.w3.org/ns/oa#")
TIME = Namespace("http://www.w3.org/2006/time#")
#: A plain namespace: pytest trips over rdflib's closed XSD namespace when collecting.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
#: Where owlrl records the inconsistencies it finds (it has no vocabulary of its own).
OWLRL_ERRORS = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual)
VALUE_SETS = (HKG.Comparator, HKG.Qualifier, HKG.AssessmentStatus, HKG.PolicyAction)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY)


def hkg_terms(ontology: Graph, *types: URIRef) -> list[URIRef]:
    """Every hkg: IRI declared with one of the given types (all term types by default)."""
    found = {
        s
        for t in types or TERM_TYPES
        for s in ontology.subjects(RDF.type, t)
        if isinstance(s, URIRef) and s.startswith(str(HKG))
    }
    return sorted(found)


def loader_terms() -> set[str]:
    """Names of every `HKG.<Name>` the loader module refers to."""
    tree = ast.parse(RDF_MODULE.read_text(encoding="utf-8"))
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "HKG"
    }


def loader_table(name: str) -> dict[str, str]:
    """A module-level `{"key": HKG.Name}` table of the loader, as {key: Name}."""
    tree = ast.parse(RDF_MODULE.read_text(encoding="utf-8"))
    for node in tree.body:
        targets = [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            assert isinstance(node.value, ast.Dict)
            return {
                k.value: v.attr
                for k, v in zip(node.value.keys, node.value.values, strict=True)
                if isinstance(k, ast.Constant) and isinstance(v, ast.Attribute)
            }
    raise AssertionError(f"{name} not found in {RDF_MODULE}")


def owl_rl_closure(graph: Graph) -> Graph:
    """A copy of the graph expanded with everything OWL 2 RL entails."""
    closure = Graph()
    for triple in graph:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    return closure


def inconsistencies(closure: Graph) -> list[str]:
    """What the OWL 2 RL closure found inconsistent: owlrl's error messages, owl:Nothing members."""
    messages = [str(m) for m in closure.objects(None, OWLRL_ERRORS.error)]
    messages += [f"{s} is of type owl:Nothing" for s in closure.subjects(RDF.type, OWL.Nothing)]
    return messages


def fixture_world(ontology: Graph) -> Graph:
    """The ontology with the common shapes fixture and every valid one."""
    graph = Graph()
    graph += ontology
    for path in [FIXTURES / "common.ttl", *sorted((FIXTURES / "valid").glob("*.ttl"))]:
        graph.parse(path)
    return graph


# ------------------------------------------------------------------ header and labels


def test_ontology_header_has_version_title_licence_and_date(ontology: Graph) -> None:
    assert list(ontology.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/0.1.0")
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    titles = {t.language for t in ontology.objects(ONTOLOGY_IRI, DCTERMS.title)}
    assert titles == {"zh", "en"}
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.description) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef(
        "https://creativecommons.org/publicdomain/zero/1.0/"
    )
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.created).datatype == XSD.date


def test_every_term_has_one_zh_label_one_en_label_and_an_en_definition(ontology: Graph) -> None:
    problems = []
    for term in hkg_terms(ontology):
        labels = [label.language for label in ontology.objects(term, RDFS.label)]
        definitions = {d.language for d in ontology.objects(term, SKOS.definition)}
        if sorted(labels) != ["en", "zh"] or "en" not in definitions:
            problems.append(f"{term}: labels {labels}, definitions {definitions}")
        if (term, RDFS.isDefinedBy, ONTOLOGY_IRI) not in ontology:
            problems.append(f"{term}: not rdfs:isDefinedBy the ontology")
    assert not problems, "\n".join(problems)


def test_every_property_is_either_an_object_or_a_datatype_property(ontology: Graph) -> None:
    objects = set(hkg_terms(ontology, OWL.ObjectProperty))
    datatypes = set(hkg_terms(ontology, OWL.DatatypeProperty))
    assert not objects & datatypes
    for prop in datatypes:
        for range_ in ontology.objects(prop, RDFS.range):
            is_datatype = range_ in (RDF.langString,) or str(range_).startswith(str(XSD))
            is_union = (range_, RDF.type, RDFS.Datatype) in ontology
            assert is_datatype or is_union, f"{prop} has a non-datatype range {range_}"
    for prop in objects:
        for range_ in ontology.objects(prop, RDFS.range):
            assert (range_, RDF.type, OWL.Class) in ontology, f"{prop}: range {range_} undeclared"


# ------------------------------------------------------------------ coverage of the loader


def test_every_hkg_term_the_loader_emits_is_declared(ontology: Graph) -> None:
    names = loader_terms()
    assert len(names) > 50, "found too few HKG.<Name> in src/kg/rdf.py; has the module moved?"
    missing = []
    for name in sorted(names):
        wanted = (
            (OWL.Class, OWL.NamedIndividual)
            if name[0].isupper()
            else (OWL.ObjectProperty, OWL.DatatypeProperty)
        )
        if not any((HKG[name], RDF.type, t) in ontology for t in wanted):
            missing.append(name)
    assert not missing, f"hkg: terms used in src/kg/rdf.py but not declared: {missing}"


def test_derived_graph_terms_are_declared(ontology: Graph) -> None:
    for name in ("assesses", "status", "basedOn"):
        assert (HKG[name], RDF.type, OWL.ObjectProperty) in ontology
    for name in ("targetValue", "resultValue", "explanation"):
        assert (HKG[name], RDF.type, OWL.DatatypeProperty) in ontology
    assert ontology.value(HKG.assesses, RDFS.range) == HKG.Target
    assert ontology.value(HKG.basedOn, RDFS.range) == HKG.Measurement


@pytest.mark.parametrize(
    ("table", "value_set"),
    [("COMPARATORS", HKG.Comparator), ("QUALIFIER_TERMS", HKG.Qualifier),
     ("POLICY_ACTION_TERMS", HKG.PolicyAction)],
)
def test_value_set_notations_match_the_loader_keys(
    ontology: Graph, table: str, value_set: URIRef
) -> None:
    for key, name in loader_table(table).items():
        assert (HKG[name], RDF.type, value_set) in ontology
        assert ontology.value(HKG[name], SKOS.notation) == Literal(key)


def test_value_set_members_are_labelled_concepts_listed_in_their_class(ontology: Graph) -> None:
    for value_set in VALUE_SETS:
        members = set(ontology.subjects(RDF.type, value_set))
        one_of = ontology.value(value_set, OWL.oneOf)
        assert members and set(ontology.items(one_of)) == members
        for member in members:
            assert (member, RDF.type, SKOS.Concept) in ontology
            assert (member, RDF.type, OWL.NamedIndividual) in ontology


# ------------------------------------------------------------------ alignment


@pytest.mark.parametrize(
    ("term", "relation", "standard"),
    [
        (HKG.Agency, RDFS.subClassOf, ORG.FormalOrganization),
        (HKG.Agency, RDFS.subClassOf, SCHEMA.GovernmentOrganization),
        (HKG.Department, RDFS.subClassOf, ORG.OrganizationalUnit),
        (HKG.Person, RDFS.subClassOf, FOAF.Person),
        (HKG.Person, RDFS.subClassOf, PROV.Person),
        (HKG.Person, RDFS.subClassOf, SCHEMA.Person),
        (HKG.Post, RDFS.subClassOf, ORG.Post),
        (HKG.PostHolding, RDFS.subClassOf, ORG.Membership),
        (HKG.Role, RDFS.subClassOf, ORG.Role),
        (HKG.Region, RDFS.subClassOf, SCHEMA.AdministrativeArea),
        (HKG.Region, RDFS.subClassOf, PROV.Location),
        (HKG.Facility, RDFS.subClassOf, SCHEMA.Place),
        (HKG.Facility, RDFS.subClassOf, ORG.Organization),
        (HKG.Document, RDFS.subClassOf, FOAF.Document),
        (HKG.Document, RDFS.subClassOf, SCHEMA.CreativeWork),
        (HKG.PolicyMeasure, RDFS.subClassOf, PROV.Plan),
        (HKG.Event, RDFS.subClassOf, SCHEMA.Event),
        (HKG.Event, RDFS.subClassOf, PROV.Activity),
        (HKG.Indicator, RDFS.subClassOf, SKOS.Concept),
        (HKG.Indicator, RDFS.subClassOf, SOSA.ObservableProperty),
        (HKG.ServiceTaskProgramme, RDFS.subClassOf, PROV.Plan),
        (HKG.ServiceTask, RDFS.subClassOf, PROV.Plan),
        (HKG.SourceArticle, RDFS.subClassOf, SCHEMA.NewsArticle),
        (HKG.SourceArticle, RDFS.subClassOf, PROV.Entity),
        (HKG.Evidence, RDFS.subClassOf, OA.TextQuoteSelector),
        (HKG.Evidence, RDFS.subClassOf, OA.TextPositionSelector),
        (HKG.Claim, RDFS.subClassOf, PROV.Entity),
        (HKG.Measurement, RDFS.subClassOf, SOSA.Observation),
        (HKG.Unit, RDFS.subClassOf, SKOS.Concept),
        (HKG.announcedBy, RDFS.subPropertyOf, PROV.wasAttributedTo),
        (HKG.reportedBy, RDFS.subPropertyOf, PROV.wasAttributedTo),
        (HKG.speaker, RDFS.subPropertyOf, PROV.wasAttributedTo),
        (HKG.jurisdiction, RDFS.subPropertyOf, SCHEMA.areaServed),
        (HKG.atEvent, RDFS.subPropertyOf, PROV.wasGeneratedBy),
        (HKG.about, RDFS.subPropertyOf, SCHEMA.about),
        (HKG.period, RDFS.range, TIME.ProperInterval),
        (HKG.evidence, RDFS.range, HKG.Evidence),
    ],
)
def test_term_aligns_to_standard_vocabulary(
    ontology: Graph, term: URIRef, relation: URIRef, standard: URIRef
) -> None:
    assert (term, relation, standard) in ontology


def test_every_class_specialises_a_standard_class_or_another_hkg_class(ontology: Graph) -> None:
    for cls in hkg_terms(ontology, OWL.Class):
        parents = list(ontology.objects(cls, RDFS.subClassOf))
        assert any(isinstance(p, URIRef) for p in parents), f"{cls} has no superclass"


def test_external_superclasses_are_declared_for_owl_tools(ontology: Graph) -> None:
    for cls in hkg_terms(ontology, OWL.Class):
        for parent in ontology.objects(cls, RDFS.subClassOf):
            assert (parent, RDF.type, OWL.Class) in ontology, f"{cls} ⊑ undeclared {parent}"


# ------------------------------------------------------------------ OWL 2 RL consistency


@pytest.fixture(scope="module")
def world_closure(ontology: Graph) -> Graph:
    """The OWL 2 RL closure of the ontology with every valid shapes fixture."""
    return owl_rl_closure(fixture_world(ontology))


def test_ontology_with_valid_fixtures_is_consistent_under_owl_rl(world_closure: Graph) -> None:
    assert inconsistencies(world_closure) == []


INCONSISTENT = {
    "person-and-agency": """
        <x> a hkg:Person , hkg:NationalAgency .
    """,
    "target-and-measurement": """
        <x> a hkg:Target , hkg:Measurement .
    """,
    "two-comparators": """
        <x> a hkg:Target ; hkg:comparator hkg:Equal , hkg:Less .
    """,
    "region-is-a-hospital": """
        <x> a hkg:Province , hkg:Hospital .
    """,
}


@pytest.mark.parametrize("case", sorted(INCONSISTENT))
def test_owl_rl_check_flags_an_inconsistent_graph(ontology: Graph, case: str) -> None:
    graph = Graph()
    graph += ontology
    graph.parse(
        data=f"@prefix hkg: <{HKG}> .\n@base <{KGD}> .\n{INCONSISTENT[case]}", format="turtle"
    )
    assert inconsistencies(owl_rl_closure(graph)), f"{case} should be inconsistent"


def test_owl_rl_closure_infers_the_standard_terms(world_closure: Graph) -> None:
    """The alignments do work: standard-vocabulary queries find the graph's data."""
    closure = world_closure
    hospital = KGD["facility/wuhan-childrens-hospital"]
    target = KGD["claim/900/t-childcare-places"]
    assert (hospital, RDF.type, SCHEMA.Place) in closure
    assert (hospital, RDF.type, ORG.Organization) in closure
    assert (KGD["agency/nhc"], RDF.type, ORG.FormalOrganization) in closure
    assert (target, RDF.type, PROV.Entity) in closure
    assert (target, PROV.wasAttributedTo, KGD["agency/nhc"]) in closure
    assert (target, PROV.wasGeneratedBy, KGD["event/nhc-press-conference-2025-01"]) in closure
    assert (KGD["region/hubei"], RDF.type, HKG.Region) in closure


def test_built_graph_is_consistent_under_owl_rl(
    ontology: Graph, built_store: tuple[Path, object]
) -> None:
    """The whole published graph, not only the fixtures, has no OWL 2 RL inconsistency."""
    from kg.formats import GRAPH_FORMATS
    from kg.store import EmbeddedStore

    graph = Graph().parse(
        data=EmbeddedStore.open(built_store[0]).dump(GRAPH_FORMATS["nt"]), format="nt"
    )
    assert len(graph) > 5000
    assert inconsistencies(owl_rl_closure(graph)) == []


def test_policy_actions_are_the_records_keys_with_their_chinese_verbs(ontology: Graph) -> None:
    from kg.records import POLICY_ACTIONS

    table = loader_table("POLICY_ACTION_TERMS")
    assert set(table) == set(POLICY_ACTIONS)
    for key, verb in POLICY_ACTIONS.items():
        assert ontology.value(HKG[table[key]], RDFS.label, any=True) is not None
        assert Literal(verb, lang="zh") in set(ontology.objects(HKG[table[key]], RDFS.label))
        assert (HKG[table[key]], SKOS.inScheme, HKG.PolicyActions) in ontology
