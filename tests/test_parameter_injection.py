"""Saved-query parameters are values, never query text: hostile values give 422 or the
answer of the same query with that very value bound."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, QuerySolutions, Variable

from kg.build import BuildSummary
from kg.catalogue import SavedQuery, load_catalogue
from kg.namespaces import prefix_map
from kg.store import EmbeddedStore
from kg.store.terms import Term, node_of

BASE = "https://w3id.org/cn-health-kg/"
CATALOGUE = load_catalogue(None, BASE)
PREFIXES = prefix_map(BASE)

HOSTILE = [
    '" } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } #',
    "' } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } #",
    "> } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } #",
    "<http://127.0.0.1:9/> } SERVICE <http://127.0.0.1:9/> {",
    "1 } UNION { ?s ?p ?o",
    "1) || true || (1",
    "?person",
    "hkg:Person",
    "kgd:person/wang-haidong> . ?x ?y ?z . <a",
    "http://%5B",
    "http://example.org/a b",
    "http://example.org/<x>",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "\\u0022 } SERVICE <http://x/> {",
    '"""',
    "# comment\nSELECT",
    "INSERT DATA { <a> <b> <c> }",
    "1e999999",
    "9" * 400,
    "2025-02-30",
    "zh-\u0000",
    "王海东\" . FILTER(true) #",
    "x" * 5000,
]

CASES = [(q.name, p.name, value) for q in CATALOGUE.values() for p in q.params
         for value in HOSTILE]


def expected_rows(store: EmbeddedStore, query: SavedQuery, name: str,
                  term: Term, defaults: dict[str, Term]) -> list:
    """The rows of the saved query with the value bound by the engine, in this process."""
    bindings = {Variable(k): node_of(v) for k, v in {**defaults, name: term}.items()}
    result = store.oxigraph.query(query.text, prefixes=PREFIXES, substitutions=bindings,
                               use_default_graph_as_union=True)
    assert isinstance(result, QuerySolutions)
    variables = [v.value for v in result.variables]
    return [{v: str(row[v]) for v in variables if row[v] is not None} for row in result]


def test_every_parameter_gets_twenty_or_more_hostile_values() -> None:
    assert len(HOSTILE) >= 20
    assert {q for q, _, _ in CASES} == {q.name for q in CATALOGUE.values() if q.params}


@pytest.fixture(scope="module")
def store(built_store: tuple[Path, BuildSummary]) -> EmbeddedStore:
    return EmbeddedStore.open(built_store[0])


@pytest.mark.parametrize(("query_name", "param_name"),
                         sorted({(q, p) for q, p, _ in CASES}))
def test_hostile_values_are_refused_or_bound_as_values(
        service_client: TestClient, store: EmbeddedStore, query_name: str,
        param_name: str) -> None:
    query = CATALOGUE[query_name]
    param = query.param(param_name)
    assert param is not None
    others = {p.name: p.default or p.example for p in query.params
              if p.name != param_name and (p.default or p.example)}
    defaults = {k: query.param(k).parse(v, PREFIXES) for k, v in others.items()}  # type: ignore[union-attr]
    problems = []
    for value in HOSTILE:
        response = service_client.get(f"/api/queries/{query_name}",
                                      params={**others, param_name: value},
                                      headers={"accept": "application/sparql-results+json"})
        if response.status_code == 422:
            if response.json().get("parameter") != param_name:
                problems.append(f"{value!r}: 422 names {response.json().get('parameter')}")
            continue
        if response.status_code != 200:
            problems.append(f"{value!r}: {response.status_code} {response.text[:200]}")
            continue
        term = param.parse(value, PREFIXES)
        if param.type == "string":
            assert term.value == value.strip(), "a string is bound as itself"
        got = [{k: _term_text(v) for k, v in row.items()}
               for row in response.json()["results"]["bindings"]]
        want = expected_rows(store, query, param_name, term, defaults)
        if sorted(map(repr, got)) != sorted(map(repr, want)):
            problems.append(f"{value!r}: the answer differs from the query with the value bound")
    assert not problems, "\n".join(problems)


def _term_text(binding: dict[str, str]) -> str:
    """A SPARQL JSON binding as the N-Triples text pyoxigraph prints for the term."""
    if binding["type"] == "uri":
        return str(NamedNode(binding["value"]))
    if binding["type"] == "bnode":
        return "_:" + binding["value"]
    if "xml:lang" in binding:
        return str(Literal(binding["value"], language=binding["xml:lang"]))
    if "datatype" in binding:
        return str(Literal(binding["value"], datatype=NamedNode(binding["datatype"])))
    return str(Literal(binding["value"]))
