"""Portable parameter binding: the same answers as Oxigraph's own substitution, and no
value can change the query around it."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store, Variable

from kg.store.terms import XSD, Term, UnsafeValue, bind_values, iri, literal

HOSTILE = ['x" } ; DELETE WHERE { ?s ?p ?o } #', "a\\\" . ?s ?p ?o", "}", "?o", "#",
           "'''", '"""', "\n} UNION { ?s ?p ?o", "<urn:x>", "王海东\" . FILTER(true) #"]


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store()
    for i, name in enumerate(dict.fromkeys(["王海东", "x", *HOSTILE])):
        s.add(Quad(NamedNode(f"urn:p{i}"), NamedNode("urn:name"), Literal(name)))
    return s


QUERY = """# a comment with ?name { and "a string"
SELECT ?s ?name (COUNT(?name) AS ?n) WHERE {
  ?s <urn:name> ?name . FILTER(STR(?name) != "?name")
  OPTIONAL { ?s <urn:other> ?o FILTER(?o = ?name) }
} GROUP BY ?s ?name ORDER BY ?name ?s"""


@pytest.mark.parametrize("value", ["王海东", "x", *HOSTILE])
def test_binding_answers_as_the_engine_substitution_does(store: Store, value: str) -> None:
    text = bind_values(QUERY, {"name": literal(value)})
    got = [tuple(map(str, row)) for row in store.query(text)]  # type: ignore[union-attr]
    want = [tuple(map(str, row)) for row in store.query(  # type: ignore[union-attr]
        QUERY, substitutions={Variable("name"): Literal(value)})]
    assert got == want
    assert len(got) <= 1


@pytest.mark.parametrize("value", [literal("2025", datatype=XSD + "integer"),
                                   literal("50.5", datatype=XSD + "decimal")])
def test_a_typed_value_grouped_or_projected_is_an_strdt_of_the_same_term(
        store: Store, value: Term) -> None:
    text = bind_values(QUERY, {"name": value})
    # a bare number in GROUP BY is a column index to Virtuoso 7.2 (SQ200)
    assert f'GROUP BY ?s (STRDT("{value.value}", <{value.datatype}>))' in text
    assert f'(STRDT("{value.value}", <{value.datatype}>) AS ?name)' in text
    got = [tuple(map(str, row)) for row in store.query(text)]  # type: ignore[union-attr]
    want = [tuple(map(str, row)) for row in store.query(  # type: ignore[union-attr]
        QUERY, substitutions={Variable("name"): Literal(value.value,
                                                        datatype=NamedNode(value.datatype))})]
    assert got == want


def test_text_in_comments_strings_and_iris_is_left_alone() -> None:
    text = bind_values('# ?x\nSELECT ?x WHERE { <urn:a?x=1> ?p "?x" . ?x ?p ?o }',
                       {"x": iri("urn:v")})
    assert text == '# ?x\nSELECT (<urn:v> AS ?x) WHERE { <urn:a?x=1> ?p "?x" . <urn:v> ?p ?o }'


@pytest.mark.parametrize("bad", ["urn:a> } ; DROP ALL ; <urn:b", "http://a b", "http://%ZZ", ""])
def test_an_iri_that_could_break_out_is_refused(bad: str) -> None:
    with pytest.raises(UnsafeValue):
        bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"x": iri(bad)})


def test_a_variable_name_must_be_a_name() -> None:
    with pytest.raises(UnsafeValue):
        bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"x ?y": iri("urn:a")})
