"""The SPARQL reader: neutral terms out, values in only as safely written terms."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kg.service.reader import GraphReader, Term, UnsafeValue, fill, iri, literal, sparql_term

BASE = "https://w3id.org/cn-health-kg/"


def reader(client: TestClient) -> GraphReader:
    return client.app.state.context.reader  # type: ignore[attr-defined,no-any-return]


def test_literals_are_escaped() -> None:
    assert sparql_term(literal('a "b"\n\\c')) == '"a \\"b\\"\\n\\\\c"'
    assert sparql_term(literal("x", lang="zh-Hans")) == '"x"@zh-Hans'
    assert sparql_term(literal("1", datatype="http://www.w3.org/2001/XMLSchema#integer")) == \
        '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'


@pytest.mark.parametrize("bad", ["http://x/> } ; DROP ALL #", "http://x y", "", 'http://a"b',
                                 "http://x/{z}"])
def test_iris_that_could_break_out_are_refused(bad: str) -> None:
    with pytest.raises(UnsafeValue):
        sparql_term(iri(bad))


def test_bad_language_tag_and_missing_placeholder_are_refused() -> None:
    with pytest.raises(UnsafeValue):
        sparql_term(literal("x", lang='en" . }'))
    with pytest.raises(KeyError):
        fill("SELECT * WHERE { $node ?p ?o }", {})
    assert fill("LIMIT $n", {"n": 5}) == "LIMIT 5"


def test_injection_through_a_literal_finds_nothing(service_client: TestClient) -> None:
    sneaky = literal('王海东"@zh } UNION { ?s ?p ?o } #')
    rows = reader(service_client).select(
        "SELECT ?s WHERE { ?s rdfs:label $name }", {"name": sneaky})
    assert rows == []


def test_select_returns_plain_terms(service_client: TestClient) -> None:
    rows = reader(service_client).select(
        "SELECT ?name ?value WHERE { $claim hkg:value ?value . $person rdfs:label ?name }",
        {"claim": iri(f"{BASE}claim/002/t-new-inclusive-childcare-places"),
         "person": iri(f"{BASE}person/wang-haidong")})
    assert rows == [{"name": Term("literal", "王海东", "zh"),
                     "value": Term("literal", "660000", None,
                                   "http://www.w3.org/2001/XMLSchema#decimal")}]
    assert rows[0]["value"].is_number and not rows[0]["name"].is_number
