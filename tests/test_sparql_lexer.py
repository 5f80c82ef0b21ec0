"""The canonical text: comments and codepoint escapes gone, tokens as the grammar reads
them, and whatever two parsers could read differently refused with the client's position."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.query_errors import QueryRefused, QuerySyntaxError
from kg.sparql_lexer import canonicalise


@pytest.mark.parametrize(("text", "canonical"), [
    ("SELECT * WHERE { ?s ?p ?o } # SERVICE <x>", "SELECT * WHERE { ?s ?p ?o }"),
    # a comment ends at CR as at LF (rdflib's runs to LF only)
    ("ASK { # c\rSERVICE <http://x/> {} }", "ASK { SERVICE <http://x/> { } }"),
    # U+2028 and U+0085 end no comment
    ("ASK { ?s ?p ?o # c\u2028SERVICE <http://x/> {} \n}", "ASK { ?s ?p ?o }"),
    ("ASK { ?s ?p ?o # c\u0085SERVICE <http://x/> {} \n}", "ASK { ?s ?p ?o }"),
    # escapes are read before the grammar (§19.2), in one pass
    ("\\u0053ELECT * { ?s ?p '\\u0041' }", 'SELECT * { ?s ?p "A" }'),
    ("ASK { ?s ?p ?o # \\u000ASERVICE <http://x/> {} }",
     "ASK { ?s ?p ?o SERVICE <http://x/> { } }"),
    ('ASK { ?s ?p "\\u00410042" }', 'ASK { ?s ?p "A0042" }'),
    ('ASK { ?s ?p "\\\\u0041" }', 'ASK { ?s ?p "\\\\u0041" }'),
    ("ASK { ?s ?p '''a\"\n#''' }", 'ASK { ?s ?p "a\\"\\n#" }'),
    # `<` compares after an operand, and is an IRI elsewhere
    ('ASK { FILTER(1<2)#>"""\nSERVICE <http://x/> {} #"""\n}',
     "ASK { FILTER( 1 < 2 ) SERVICE <http://x/> { } }"),
    ("ASK { ?s<http://x/p>?o FILTER(?a<?b&&?c>?d) }",
     "ASK { ?s <http://x/p> ?o FILTER( ?a < ?b && ?c > ?d ) }"),
    ("SELECT (CONCAT (?a) AS ?b) { ?s (<p>|<q>) * ?o } ORDER BY <f> (?x)",
     "SELECT ( CONCAT( ?a ) AS ?b ) { ?s ( <p> | <q> )* ?o } ORDER BY <f> ( ?x )"),
    ('ASK { ?s ?p "x" @en, "1" ^^ <http://t> }', 'ASK { ?s ?p "x"@en , "1"^^<http://t> }'),
])
def test_canonical_text(text: str, canonical: str) -> None:
    assert canonicalise(text).text == canonical


@pytest.mark.parametrize("text", [
    'ASK { ?s ?p "\\u0022" }',          # the string's own quote
    "ASK { ?s ?p '\\u0027' }",
    'ASK { ?s ?p "\\u005Cn" }',         # a backslash: an ECHAR or a character?
    "ASK { <http://x/\\u003E> ?p ?o }",  # an IRI's end
    "PREFIX ex: <http://x/> ASK { ex:a\\u005C-b ?p ?o }",
])
def test_escapes_read_differently_by_spec_and_engine_are_refused(text: str) -> None:
    with pytest.raises(QueryRefused) as refused:
        canonicalise(text)
    assert refused.value.policy == "unverifiable"
    assert "line" in refused.value.extra


@pytest.mark.parametrize(("text", "line", "column"), [
    ("SELECT * WHERE {\n  ?s ?p \x00 }", 2, 9),
    ("SELECT * WHERE {\r\n ?s ?p \\u005cU00000031 . }", 2, 8),  # W3C syn-codepoint-escape-bad-04
    ("ASK { ?s ?p '\\uD800' }", 1, 14),
    ("ASK {\n\n  <a b> }", 3, 3),
])
def test_text_of_no_token_is_a_syntax_error_at_the_clients_position(
        text: str, line: int, column: int) -> None:
    with pytest.raises(QuerySyntaxError) as error:
        canonicalise(text)
    assert (error.value.extra["line"], error.value.extra["column"]) == (line, column)


def test_the_engine_reads_a_string_of_the_canonical_text_as_the_client_meant() -> None:
    text = canonicalise("SELECT ?o { BIND('#\\u0041\\\\u0042' AS ?o) } # x\n").text
    assert text == 'SELECT ?o { BIND( "#A\\\\u0042" AS ?o ) }'
    (row,) = ox.Store().query(text)
    assert row["o"].value == "#A\\u0042"


def test_positions_map_back_to_the_clients_text() -> None:
    canonical = canonicalise("SELECT *\n# comment\nWHERE {\n  \\u003Fs ?p ?o }")
    offset = canonical.text.index("?s")
    assert canonical.source_position(offset) == (4, 3)
