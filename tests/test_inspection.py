"""The policy check reads queries by the SPARQL grammar: keywords, not look-alikes in
comments or strings, and a lexer trick that once hid a SERVICE is seen through."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kg.inspection import MAX_GROUPS, MAX_NESTING, check_query_safety, check_size, inspect_query
from kg.query_errors import QueryRefused, QuerySyntaxError, QueryTooComplex

GRAPHS = frozenset({"http://example.org/g1", "http://example.org/g2"})


@pytest.mark.parametrize(("text", "form"), [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("prefix ex: <http://x/> construct { ?s ?p ?o } where { ?s ?p ?o }", "CONSTRUCT"),
    ("# SELECT in a comment\nASK {}", "ASK"),
    ("BASE <http://x/> DESCRIBE <a>", "DESCRIBE"),
])
def test_query_form(text: str, form: str) -> None:
    assert inspect_query(text).form == form


@pytest.mark.parametrize("text", [
    "INSERT DATA { <http://x/a> <http://x/b> 1 }",
    "PREFIX ex: <http://x/> delete where { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL", "DROP SILENT GRAPH <http://x/g>", "WITH <http://x/g> DELETE { ?s ?p ?o } WHERE {}",
    "ADD DEFAULT TO <http://x/g>",
])
def test_updates_are_refused_as_read_only(text: str) -> None:
    with pytest.raises(QueryRefused, match="read-only") as refused:
        inspect_query(text)
    assert refused.value.policy == "read-only" and refused.value.status == 403


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment", "PREFIX ex: <http://x/>",
                                  "BASE <http://x/> PREFIX ex: <x>"])
def test_a_text_without_a_query_is_a_syntax_error_not_an_update(text: str) -> None:
    """The update grammar accepts an empty text or a bare prologue (no operation): that is no
    query, a 400, not a refused update (403)."""
    with pytest.raises(QuerySyntaxError, match="no query") as refused:
        inspect_query(text)
    assert refused.value.status == 400


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
    # the trick a hand-made lexer fell for: `<2)#>` is no IRI, `#` starts a comment
    ('SELECT * WHERE {\n BIND(1 AS ?a) FILTER(1<2)#>"""\n SERVICE <http://127.0.0.1:9/x> '
     '{ ?x ?y ?z }\n #"""\n}', True),
    ("SELECT * { FILTER EXISTS { SERVICE <http://x/> { ?s ?p ?o } } }", True),
    ("SELECT * { { SELECT * { SERVICE <http://x/> { ?s ?p ?o } } } }", True),
    ("SELECT * { OPTIONAL { SERVICE ?endpoint { ?s ?p ?o } } }", True),
])
def test_service_is_a_keyword_not_a_substring(text: str, uses_service: bool) -> None:
    assert inspect_query(text).uses_service is uses_service


def test_from_clauses_resolve_prefixes_and_base() -> None:
    text = """BASE <http://example.org/> PREFIX ex: <http://example.org/>
    SELECT * FROM <g1> FROM NAMED ex:g2 WHERE { ?s ?p ?o }"""
    shape = inspect_query(text)
    assert shape.from_graphs == ("http://example.org/g1", "http://example.org/g2")
    check_query_safety(shape, GRAPHS)
    with pytest.raises(QueryRefused, match=r"http://example\.org/g3"):
        check_query_safety(inspect_query("SELECT * FROM <http://example.org/g3> {}"), GRAPHS)


def test_relative_from_resolves_against_the_endpoint() -> None:
    shape = inspect_query("SELECT * FROM <g1> {}", "http://example.org/sparql")
    assert shape.from_graphs == ("http://example.org/g1",)


def test_only_the_top_level_limit_counts() -> None:
    assert inspect_query("SELECT * { ?s ?p ?o } LIMIT 10").limit == 10
    assert inspect_query("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 10 } }").limit is None
    assert inspect_query("SELECT * { ?s ?p ?o } ORDER BY ?s OFFSET 5 LIMIT 7").limit == 7


def test_service_is_refused_with_its_policy_name() -> None:
    with pytest.raises(QueryRefused, match="SERVICE is not allowed") as refused:
        check_query_safety(inspect_query("SELECT * { SERVICE ?e { ?s ?p ?o } }"), GRAPHS)
    assert refused.value.policy == "service" and refused.value.status == 400


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s ?p }",
    "SELECT * WHERE { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ex:p ?o }",
    "SELEKT * { }",
])
def test_text_outside_the_grammar_is_a_syntax_error(text: str) -> None:
    with pytest.raises(QuerySyntaxError):
        inspect_query(text)


def test_predeclared_prefixes_count_as_declared() -> None:
    shape = inspect_query("SELECT * WHERE { ?s ex:p ?o }", None, {"ex": "http://x/"})
    assert shape.prefixes_used == {"ex"}


@pytest.mark.parametrize(("text", "limit"), [
    ("SELECT * WHERE " + "{ " * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1), "nesting"),
    ("SELECT * WHERE { FILTER(" + "(" * (MAX_NESTING + 5) + "1" + ")" * (MAX_NESTING + 5) + ") }",
     "nesting"),
    ("SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * (MAX_GROUPS + 1)) + " }", "groups"),
])
def test_deep_or_huge_queries_are_refused_before_any_parser(text: str, limit: str) -> None:
    with pytest.raises(QueryTooComplex, match="limit is") as refused:
        check_size(text)
    assert refused.value.extra["limit"] == limit


def test_queries_within_the_limits_are_answered_however_nested(
        service_client: TestClient) -> None:
    """The query workers parse up to the nesting limit (any deeper is refused before)."""
    depth = MAX_NESTING - 2
    for text in ("SELECT * WHERE { FILTER(" + "(" * depth + "1" + ")" * depth + ") }",
                 "SELECT * WHERE " + "{ " * depth + "}" * depth):
        check_size(text)
        response = service_client.post("/sparql", content=text.encode(),
                                       headers={"content-type": "application/sparql-query"})
        assert response.status_code == 200, response.text


def test_size_limit_names_the_limit() -> None:
    with pytest.raises(QueryTooComplex, match="the limit is 10"):
        check_size("SELECT * WHERE { ?s ?p ?o }", max_chars=10)
