"""Query results as comparable values, and their comparison under the suite's rules.

Rules (those of the W3C harnesses): solutions are a multiset, compared up to a renaming of
blank nodes that is one bijection over the whole result; the order counts only when the query
has a top-level ORDER BY, and then only on the sort keys; numeric and boolean literals compare
by value within one datatype ("2.0"^^xsd:decimal = "2"^^xsd:decimal); graphs compare by
isomorphism.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pyoxigraph import (
    BlankNode,
    CanonicalizationAlgorithm,
    Dataset,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
)

from .manifest import local_path

Term = NamedNode | BlankNode | Literal | Triple
Row = tuple[tuple[str, Term], ...]

XSD = "http://www.w3.org/2001/XMLSchema#"
RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
INTEGER_TYPES = {XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "nonPositiveInteger",
    "positiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte")}
FLOAT_TYPES = {XSD + "double", XSD + "float"}
RESULTS_MEDIA_TYPES = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "application/xml": QueryResultsFormat.XML,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}


@dataclass(frozen=True)
class Solutions:
    """SELECT results: the variables and, per row, its bound (variable, value) pairs."""

    variables: frozenset[str]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Boolean:
    """ASK results."""

    value: bool


@dataclass(frozen=True)
class Graph:
    """CONSTRUCT and DESCRIBE results."""

    triples: tuple[Triple, ...]


Results = Solutions | Boolean | Graph


class UnreadableResults(ValueError):
    """A response or an expected-results file that cannot be read as query results."""


def read_expected(iri: str) -> Results:
    """The expected results of a test, from its .srx / .srj / .tsv / .csv / RDF file."""
    path = local_path(iri)
    extension = path.suffix.lstrip(".")
    if extension == "csv":
        return read_csv(path.read_text(encoding="utf-8"))
    results_format = QueryResultsFormat.from_extension(extension)
    if results_format is not None:
        return _from_query_results(parse_query_results(path=path, format=results_format))
    triples = [q.triple for q in parse(path=path, base_iri=iri)]
    return _decode_result_set(triples) or Graph(tuple(triples))


def read_response(content_type: str, body: bytes) -> Results:
    """The results in an endpoint's response, read as its Content-Type says."""
    media_type = content_type.split(";")[0].strip().lower()
    try:
        if media_type == "text/csv":
            return read_csv(body.decode("utf-8"))
        if media_type in RESULTS_MEDIA_TYPES:
            return _from_query_results(parse_query_results(body, RESULTS_MEDIA_TYPES[media_type]))
        rdf_format = RdfFormat.from_media_type(media_type)
        if rdf_format is not None:
            return Graph(tuple(q.triple for q in parse(body, rdf_format)))
    except (SyntaxError, ValueError, UnicodeDecodeError) as error:
        raise UnreadableResults(f"unreadable {media_type} response: {error}") from error
    raise UnreadableResults(f"unexpected Content-Type {content_type!r}")


def read_csv(text: str) -> Solutions:
    """CSV results, which keep only lexical forms: every value a plain literal but `_:b`
    blank nodes. Compare only with other CSV results."""
    records = list(csv.reader(io.StringIO(text)))
    if not records:
        raise UnreadableResults("empty CSV results")
    header = records[0]
    rows = []
    for record in records[1:]:
        rows.append(tuple(sorted(
            (name, BlankNode(cell[2:]) if cell.startswith("_:") else Literal(cell))
            for name, cell in zip(header, record, strict=True) if cell != ""
        )))
    return Solutions(frozenset(header), tuple(rows))


def _from_query_results(results: object) -> Solutions | Boolean:
    if isinstance(results, QueryBoolean):
        return Boolean(bool(results))
    variables = [v.value for v in results.variables]  # type: ignore[attr-defined]
    rows = []
    for solution in results:  # type: ignore[attr-defined]
        rows.append(tuple(sorted(
            (name, solution[name]) for name in variables if solution[name] is not None
        )))
    return Solutions(frozenset(variables), tuple(rows))


def _decode_result_set(triples: Sequence[Triple]) -> Solutions | Boolean | None:
    """Results written in RDF with the DAWG result-set vocabulary (rs:ResultSet), if so."""
    by_subject: dict[object, list[Triple]] = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)

    def values(subject: object, predicate: str) -> list[Term]:
        return [t.object for t in by_subject.get(subject, []) if t.predicate.value == predicate]

    result_sets = [t.subject for t in triples
                   if t.predicate == RDF_TYPE and t.object == NamedNode(RS + "ResultSet")]
    if not result_sets:
        return None
    result_set = result_sets[0]
    booleans = values(result_set, RS + "boolean")
    if booleans:
        return Boolean(booleans[0].value == "true")
    indexed = []
    for solution in values(result_set, RS + "solution"):
        row = tuple(sorted(
            (values(binding, RS + "variable")[0].value, values(binding, RS + "value")[0])
            for binding in values(solution, RS + "binding")
        ))
        index = values(solution, RS + "index")
        indexed.append((int(index[0].value) if index else 0, row))
    indexed.sort(key=lambda pair: pair[0])
    variables = frozenset(v.value for v in values(result_set, RS + "resultVariable"))
    return Solutions(variables, tuple(row for _, row in indexed))


def canonical_term(term: Term) -> Term:
    """The term with numeric and boolean literals in their canonical lexical form."""
    if not isinstance(term, Literal):
        return term
    datatype, lexical = term.datatype.value, term.value.strip()
    try:
        if datatype in INTEGER_TYPES:
            return Literal(str(int(lexical)), datatype=term.datatype)
        if datatype == XSD + "decimal":
            value = Decimal(lexical)
            return Literal(format(value.normalize(), "f") if value else "0",
                           datatype=term.datatype)
        if datatype in FLOAT_TYPES:
            number = float(lexical)
            text = "NaN" if math.isnan(number) else repr(number)
            return Literal(text, datatype=term.datatype)
        if datatype == XSD + "boolean" and lexical in ("true", "false", "1", "0"):
            return Literal(str(lexical in ("true", "1")).lower(), datatype=term.datatype)
    except (ValueError, InvalidOperation):
        return term
    return term


def compare(expected: Results, actual: Results, order_keys: Sequence[str] | None) -> str | None:
    """None if `actual` matches `expected`, else why not.

    `order_keys`: None when the order does not count; the ORDER BY variables when only they
    must come in the expected order; an empty sequence when whole rows must."""
    if type(expected) is not type(actual):
        return f"expected {_kind(expected)}, got {_kind(actual)}"
    if isinstance(expected, Boolean):
        return None if expected == actual else f"expected {expected.value}, got {actual.value}"  # type: ignore[union-attr]
    if isinstance(expected, Graph):
        assert isinstance(actual, Graph)
        return _compare_graphs(expected, actual)
    assert isinstance(expected, Solutions) and isinstance(actual, Solutions)
    if expected.variables != actual.variables:
        return (f"variables differ: expected {sorted(expected.variables)}, "
                f"got {sorted(actual.variables)}")
    if len(expected.rows) != len(actual.rows):
        return (f"expected {len(expected.rows)} solutions, got {len(actual.rows)}"
                + _row_diff(expected.rows, actual.rows))
    expected_rows = [_canonical_row(r) for r in expected.rows]
    actual_rows = [_canonical_row(r) for r in actual.rows]
    if order_keys is not None and not order_keys:
        return _compare_sequences(expected_rows, actual_rows)
    problem = _compare_multisets(expected_rows, actual_rows)
    if problem or not order_keys:
        return problem
    expected_keys = [_sort_key(row, order_keys) for row in expected_rows]
    actual_keys = [_sort_key(row, order_keys) for row in actual_rows]
    if expected_keys != actual_keys:
        return f"solutions not in the expected ORDER BY {' '.join('?' + k for k in order_keys)}"
    return None


def _kind(results: Results) -> str:
    return {Solutions: "solutions", Boolean: "a boolean", Graph: "a graph"}[type(results)]


def _canonical_row(row: Row) -> Row:
    return tuple((name, canonical_term(value)) for name, value in row)


def _has_blank_nodes(rows: Iterable[Row]) -> bool:
    return any(isinstance(value, BlankNode) for row in rows for _, value in row)


def _compare_multisets(expected: list[Row], actual: list[Row]) -> str | None:
    if not _has_blank_nodes(expected) and not _has_blank_nodes(actual):
        if Counter(expected) == Counter(actual):
            return None
        return "solutions differ" + _row_diff(expected, actual)
    if _rows_as_dataset(expected) == _rows_as_dataset(actual):
        return None
    return "solutions differ (up to blank nodes)" + _row_diff(expected, actual)


def _rows_as_dataset(rows: Iterable[Row]) -> Dataset:
    """The rows as one graph, canonicalized: equal datasets mean isomorphic solution multisets."""
    quads = []
    for row in rows:
        solution = BlankNode()
        quads.append(Quad(solution, RDF_TYPE, NamedNode(RS + "Solution"), DefaultGraph()))
        quads += [Quad(solution, NamedNode(RS + "var/" + name), value, DefaultGraph())
                  for name, value in row]
    dataset = Dataset(quads)
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def _compare_sequences(expected: list[Row], actual: list[Row]) -> str | None:
    mapping: dict[str, str] = {}
    for position, (want, got) in enumerate(zip(expected, actual, strict=True), start=1):
        if not _rows_match(want, got, mapping):
            return f"solution {position}: expected {_show(want)}, got {_show(got)}"
    return None


def _rows_match(want: Row, got: Row, mapping: dict[str, str]) -> bool:
    if [name for name, _ in want] != [name for name, _ in got]:
        return False
    for (_, a), (_, b) in zip(want, got, strict=True):
        if isinstance(a, BlankNode) and isinstance(b, BlankNode):
            if mapping.setdefault(a.value, b.value) != b.value:
                return False
            if list(mapping.values()).count(b.value) > 1:
                return False
        elif a != b:
            return False
    return True


def _sort_key(row: Row, keys: Sequence[str]) -> tuple[object, ...]:
    values = dict(row)
    return tuple("_:" if isinstance(values.get(k), BlankNode) else values.get(k) for k in keys)


def _compare_graphs(expected: Graph, actual: Graph) -> str | None:
    def dataset(graph: Graph) -> Dataset:
        data = Dataset(Quad(t.subject, t.predicate, canonical_term(t.object), DefaultGraph())
                       for t in graph.triples)
        data.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
        return data

    if dataset(expected) == dataset(actual):
        return None
    want = {str(t) for t in expected.triples if not _mentions_blank_node(t)}
    got = {str(t) for t in actual.triples if not _mentions_blank_node(t)}
    detail = [f"missing {t}" for t in sorted(want - got)[:3]]
    detail += [f"unexpected {t}" for t in sorted(got - want)[:3]]
    return (f"graphs differ: expected {len(expected.triples)} triples, got "
            f"{len(actual.triples)}" + ("; " + "; ".join(detail) if detail else ""))


def _mentions_blank_node(triple: Triple) -> bool:
    return isinstance(triple.subject, BlankNode) or isinstance(triple.object, BlankNode)


def _show(row: Row) -> str:
    return "{" + ", ".join(f"?{name}={value}" for name, value in row) + "}"


def _row_diff(expected: Sequence[Row], actual: Sequence[Row]) -> str:
    missing = list((Counter(expected) - Counter(actual)).elements())
    unexpected = list((Counter(actual) - Counter(expected)).elements())
    parts = [f"missing {_show(r)}" for r in missing[:3]]
    parts += [f"unexpected {_show(r)}" for r in unexpected[:3]]
    return (": " + "; ".join(parts)) if parts else ""


ORDER_BY = re.compile(r"\bORDER\s+BY\b(?P<keys>.*?)(?:\bLIMIT\b|\bOFFSET\b|\bVALUES\b|$)",
                      re.IGNORECASE | re.DOTALL)
KEY = re.compile(r"^(?:(?:ASC|DESC)\s*\(\s*\?(\w+)\s*\)|\?(\w+))$", re.IGNORECASE)


def order_keys(query: str) -> tuple[str, ...] | None:
    """How the order of a query's results counts: None if it has no top-level ORDER BY, the
    sort variables if all keys are plain variables, else () (compare whole rows in order)."""
    top_level = _strip_nested(_strip_comments_and_strings(query))
    match = ORDER_BY.search(top_level)
    if match is None:
        return None
    keys = re.findall(r"(?:ASC|DESC)\s*\([^)]*\)|\([^)]*\)|\?\w+|\S+", match["keys"],
                      re.IGNORECASE)
    names = []
    for key in keys:
        key_match = KEY.match(key.strip())
        if key_match is None:
            return ()
        names.append(key_match[1] or key_match[2])
    return tuple(names)


LEXICAL_NOISE = re.compile(
    r'"""[\s\S]*?"""' r"|'''[\s\S]*?'''"  # long strings
    r'|"(?:\\.|[^"\\\n])*"' r"|'(?:\\.|[^'\\\n])*'"  # short strings
    r'|<[^<>"{}|^`\\\s]*>'  # IRIs, which may hold '#', '{' or 'ORDER BY'
    r"|#[^\n]*"  # comments
)


def _strip_comments_and_strings(query: str) -> str:
    return LEXICAL_NOISE.sub(lambda m: " " if m[0].startswith("#") else '""', query)


def _strip_nested(query: str) -> str:
    """The query without what is inside braces (so a subquery's ORDER BY does not count)."""
    out, depth = [], 0
    for char in query:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)
