"""The one way pages read the graph: SPARQL SELECT, ASK and CONSTRUCT, neutral terms out.

Pages, search, scorecard and VoID ask questions in SPARQL through a GraphReader
and get plain `Term`s back, never store-specific objects, so the same pages run
unchanged on another store that answers SPARQL 1.1 (issue 11). Values are put
into query text only through `sparql_term`, which writes an IRI or a literal with
SPARQL's own escaping rules and refuses anything that could break out of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    serialize,
)
from pyoxigraph import Literal as OxLiteral

from kg.formats import GraphFormat
from kg.store import EmbeddedStore

XSD = "http://www.w3.org/2001/XMLSchema#"
_PLACEHOLDER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\b": "\\b", "\f": "\\f"}


@dataclass(frozen=True, slots=True)
class Term:
    """An RDF term as pages see it: an IRI, a blank node, or a literal."""

    kind: Literal["iri", "bnode", "literal"]
    value: str
    lang: str | None = None
    datatype: str | None = None

    @property
    def is_iri(self) -> bool:
        return self.kind == "iri"

    @property
    def is_number(self) -> bool:
        return self.kind == "literal" and (self.datatype or "").removeprefix(XSD) in (
            "decimal", "integer", "double", "float", "int", "long", "nonNegativeInteger",
            "positiveInteger")


Row = dict[str, Term]


class UnsafeValue(ValueError):
    """A value that cannot be written as a SPARQL term."""


def iri(value: str) -> Term:
    return Term("iri", value)


def literal(value: str, lang: str | None = None, datatype: str | None = None) -> Term:
    return Term("literal", value, lang, datatype)


def sparql_term(term: Term | str) -> str:
    """The SPARQL text of a term (a bare string is an IRI); raises UnsafeValue."""
    if isinstance(term, str):
        term = iri(term)
    if term.kind == "iri":
        if not term.value or _IRI_FORBIDDEN.search(term.value):
            raise UnsafeValue(f"not an IRI: {term.value!r}")
        try:  # and by the engine's own rules (e.g. no malformed %-escape)
            NamedNode(term.value)
        except ValueError as error:
            raise UnsafeValue(f"not an IRI: {term.value!r} ({error})") from None
        return f"<{term.value}>"
    if term.kind == "bnode":
        raise UnsafeValue("blank nodes cannot be sent in a query")
    text = '"' + "".join(_ESCAPES.get(c, c) for c in term.value) + '"'
    if term.lang:
        if not _LANG.match(term.lang):
            raise UnsafeValue(f"not a language tag: {term.lang!r}")
        return f"{text}@{term.lang}"
    if term.datatype:
        return f"{text}^^{sparql_term(iri(term.datatype))}"
    return text


def fill(query: str, values: Mapping[str, Term | str | int | Iterable[Term | str]]) -> str:
    """The query with each `$name` replaced by its term (a list becomes `t1 t2 …`, for
    VALUES; an int is written bare, for LIMIT and OFFSET); a placeholder without a value
    is an error, never left in the text."""
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"no value for ${name}")
        value = values[name]
        if isinstance(value, bool):
            raise UnsafeValue(f"${name}: a boolean is not a term")
        if isinstance(value, int):
            return str(value)
        if isinstance(value, (str, Term)):
            return sparql_term(value)
        return " ".join(sparql_term(v) for v in value)
    return _PLACEHOLDER.sub(replace, query)


def _term(node: Any) -> Term:
    if isinstance(node, NamedNode):
        return Term("iri", node.value)
    if isinstance(node, BlankNode):
        return Term("bnode", node.value)
    assert isinstance(node, OxLiteral)
    datatype = node.datatype.value
    return Term("literal", node.value, node.language,
                None if node.language or datatype == XSD + "string" else datatype)


class GraphReader:
    """SPARQL over the served dataset (here the embedded store of the server process)."""

    def __init__(self, store: EmbeddedStore, *, union_default_graph: bool,
                 prefixes: Mapping[str, str]) -> None:
        self._store = store
        self._union = union_default_graph
        self.prefixes = dict(prefixes)

    def _run(self, query: str, values: Mapping[str, Any] | None) -> Any:
        text = fill(query, values or {})
        return self._store.query(text, union_default_graph=self._union, prefixes=self.prefixes)

    def select(self, query: str, values: Mapping[str, Any] | None = None) -> list[Row]:
        """The solutions of a SELECT, each a dict of bound variables."""
        result = self._run(query, values)
        assert isinstance(result, QuerySolutions)
        names = [v.value for v in result.variables]
        rows = []
        for solution in result:
            row = {}
            for name in names:
                node = solution[name]
                if node is not None:
                    row[name] = _term(node)
            rows.append(row)
        return rows

    def ask(self, query: str, values: Mapping[str, Any] | None = None) -> bool:
        result = self._run(query, values)
        assert isinstance(result, QueryBoolean)
        return bool(result)

    def construct(self, query: str, fmt: GraphFormat, values: Mapping[str, Any] | None = None,
                  *, graph: str | None = None) -> bytes:
        """The graph a CONSTRUCT builds, serialised (prefixes declared for Turtle); quad
        formats put it in `graph` if given, else in the default graph."""
        result = self._run(query, values)
        assert isinstance(result, QueryTriples)
        triples = list(dict.fromkeys(result))
        items: list[Any] = triples
        if fmt.quads:
            name = NamedNode(graph) if graph else DefaultGraph()
            items = [Quad(t.subject, t.predicate, t.object, name) for t in triples]
        prefixes = self.prefixes if fmt.name in ("ttl", "trig") else None
        return serialize(items, format=fmt.oxigraph, prefixes=prefixes) or b""
