"""The SPARQL lexer behind the safety checks: keywords, not look-alikes in comments or strings."""

from __future__ import annotations

import pytest

from kg.inspection import UnsafeQuery, check_query_safety, inspect_query

GRAPHS = frozenset({"http://example.org/g1", "http://example.org/g2"})


@pytest.mark.parametrize(("text", "form"), [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("prefix ex: <http://x/> construct { ?s ?p ?o } where { ?s ?p ?o }", "CONSTRUCT"),
    ("# SELECT in a comment\nASK {}", "ASK"),
    ("BASE <http://x/> DESCRIBE <a>", "DESCRIBE"),
])
def test_query_form(text: str, form: str) -> None:
    shape = inspect_query(text)
    assert shape.form == form and not shape.is_update


@pytest.mark.parametrize("text", [
    "INSERT DATA { <http://x/a> <http://x/b> 1 }",
    "PREFIX ex: <http://x/> delete where { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL", "DROP SILENT GRAPH <http://x/g>", "WITH <http://x/g> DELETE { ?s ?p ?o } WHERE {}",
    "ADD DEFAULT TO <http://x/g>",
])
def test_updates_are_recognised(text: str) -> None:
    shape = inspect_query(text)
    assert shape.is_update
    with pytest.raises(UnsafeQuery, match="read-only"):
        check_query_safety(shape, GRAPHS)


@pytest.mark.parametrize(("text", "uses_service"), [
    ("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }", True),
    ("select * { service silent ?e { } }", True),
    ("SELECT * {{}SERVICE<http://x/>{}}", True),
    ("SELECT * { ?s ?p ?o } # SERVICE <http://x/>", False),
    ("SELECT * { ?s ?p 'SERVICE <x>' }", False),
    ('SELECT * { ?s ?p """a\nSERVICE <x> {}""" }', False),
    ("SELECT ?service { ?service ?p ?o }", False),
    ("PREFIX ex: <http://x/> SELECT * { ?s ex:SERVICE ?o }", False),
    ("SELECT * { ?s <http://x/SERVICE> ?o }", False),
    ('SELECT * { ?s ?p "x"@service }', False),
])
def test_service_is_a_keyword_not_a_substring(text: str, uses_service: bool) -> None:
    assert inspect_query(text).uses_service is uses_service


def test_from_clauses_resolve_prefixes_and_base() -> None:
    text = """BASE <http://example.org/> PREFIX ex: <http://example.org/>
    SELECT * FROM <g1> FROM NAMED ex:g2 WHERE { ?s ?p ?o }"""
    shape = inspect_query(text)
    assert shape.from_graphs == ("http://example.org/g1", "http://example.org/g2")
    check_query_safety(shape, GRAPHS)
    with pytest.raises(UnsafeQuery, match=r"http://example\.org/g3"):
        check_query_safety(inspect_query("SELECT * FROM <http://example.org/g3> {}"), GRAPHS)


def test_relative_from_resolves_against_the_endpoint() -> None:
    shape = inspect_query("SELECT * FROM <g1> {}", "http://example.org/sparql")
    assert shape.from_graphs == ("http://example.org/g1",)


def test_only_the_top_level_limit_counts() -> None:
    assert inspect_query("SELECT * { ?s ?p ?o } LIMIT 10").limit == 10
    assert inspect_query("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 10 } }").limit is None
    assert inspect_query("SELECT * { ?s ?p ?o } ORDER BY ?s OFFSET 5 LIMIT 7").limit == 7
