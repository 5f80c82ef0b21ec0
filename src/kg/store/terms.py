"""Neutral RDF terms and the one safe way to put values into SPARQL text.

Whatever the backend, answers come back as `Term`s (from Oxigraph's own terms by
`term_of`, the one conversion, and back by `node_of`) and parameters go in as
SPARQL text written by `sparql_term` (an IRI or a literal with SPARQL's own
escaping rules; anything that could break out of it is refused). Saved-query
parameters are bound with `bind_values`: each variable replaced by its term in
the text, which any SPARQL 1.1 engine evaluates as Oxigraph's substitutions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from pyoxigraph import BlankNode, NamedNode
from pyoxigraph import Literal as OxLiteral

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_PLACEHOLDER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
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


def term_of(node: NamedNode | BlankNode | OxLiteral) -> Term:
    """An Oxigraph term as a neutral term (xsd:string literals without a datatype)."""
    if isinstance(node, NamedNode):
        return Term("iri", node.value)
    if isinstance(node, BlankNode):
        return Term("bnode", node.value)
    datatype = node.datatype.value
    return Term("literal", node.value, node.language,
                None if node.language or datatype == XSD + "string" else datatype)


def term_from_json(binding: Mapping[str, str]) -> Term:
    """A binding of SPARQL 1.1 Query Results JSON as a neutral term."""
    kind = binding.get("type")
    if kind == "uri":
        return Term("iri", binding["value"])
    if kind == "bnode":
        return Term("bnode", binding["value"])
    lang, datatype = binding.get("xml:lang"), binding.get("datatype")
    return literal(binding["value"], lang,
                   None if lang or datatype in (XSD + "string", RDF_LANG_STRING) else datatype)


def node_of(term: Term) -> NamedNode | BlankNode | OxLiteral:
    """A neutral term as Oxigraph's own (for the engine's substitutions)."""
    if term.kind == "iri":
        return NamedNode(term.value)
    if term.kind == "bnode":
        return BlankNode(term.value)
    if term.lang:
        return OxLiteral(term.value, language=term.lang)
    return OxLiteral(term.value, datatype=NamedNode(term.datatype) if term.datatype else None)


def check_iri(value: str) -> None:
    """Raise ValueError (the engine's reason) unless `value` is an absolute IRI by RFC 3987
    as Oxigraph checks it."""
    NamedNode(value)


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
        try:  # and by RFC 3987 as Oxigraph checks it (e.g. no malformed %-escape)
            check_iri(term.value)
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


def bind_values(query: str, values: Mapping[str, Term]) -> str:
    """The query with each bound variable replaced by its term, as the engine's own
    substitution would do, in plain SPARQL any server reads.

    A variable of a SELECT's projection becomes `(term AS ?name)`, so the answer still
    has the column; in GROUP BY and ORDER BY it becomes `(term)`; everywhere else the
    term itself. A lexer skips comments, strings and IRIs, so only real variables are
    replaced, and terms are written by `sparql_term`, so a value cannot change the
    query around it."""
    if not values:
        return query
    for name in values:
        if not _VARIABLE.match(name):
            raise UnsafeValue(f"not a variable name: {name!r}")
    terms = {name: sparql_term(term) for name, term in values.items()}
    out: list[str] = []
    done = 0
    mode, mode_depth, depth = "body", 0, 0
    for match in _TOKEN.finditer(query):
        token, kind = match.group(), match.lastgroup
        if kind == "word":
            word = token.upper()
            if word == "SELECT":
                mode, mode_depth = "projection", depth
            elif word in ("GROUP", "ORDER"):
                mode, mode_depth = "modifier", depth
            elif word in ("WHERE", "FROM", "HAVING", "LIMIT", "OFFSET", "VALUES"):
                mode = "body"
        elif kind == "punct":
            depth += {"(": 1, ")": -1}.get(token, 0)
            if token in "{}":
                mode = "body"
        elif kind == "var" and token[1:] in terms:
            term = terms[token[1:]]
            if mode == "projection" and depth == mode_depth:
                term = f"({_as_expression(values[token[1:]], term)} AS ?{token[1:]})"
            elif mode == "modifier" and depth == mode_depth:
                term = f"({_as_expression(values[token[1:]], term)})"
            out += [query[done:match.start()], term]
            done = match.end()
    out.append(query[done:])
    return "".join(out)


def restrict_values(query: str, name: str, terms: Iterable[Term]) -> str:
    """The query with `VALUES ?name { terms }` first in the groups of its WHERE that are
    the WHERE's first element, follow a UNION or are OPTIONAL (each branch of a top-level
    union and each optional part, so that the engine starts from the few values instead
    of scanning and joining by hash), and first in the WHERE group itself unless that
    begins with a group.

    The answer is the query's own less the solutions whose ?name is not one of the
    terms, provided every union branch that gets the block binds ?name in all its
    solutions, and so does what precedes each OPTIONAL (tests/test_derived_indexes.py
    checks the queries this is used for)."""
    if not _VARIABLE.match(name):
        raise UnsafeValue(f"not a variable name: {name!r}")
    block = f" VALUES ?{name} {{ {' '.join(sparql_term(t) for t in terms)} }} "
    previous, depth, where, branches = "", 0, None, []
    for match in _TOKEN.finditer(query):
        token, kind = match.group(), match.lastgroup
        if kind == "skip" and token.startswith("#"):
            continue
        if previous == "{" and depth == 1 and token not in ("{", "}"):
            branches.append(where)  # the WHERE begins with a pattern: the block goes first
        if token == "{":
            depth += 1
            if depth == 1:
                if previous.upper() != "WHERE":
                    break
                where = match.end()
            elif depth == 2 and (previous == "{" or previous.upper() in ("UNION", "OPTIONAL")):
                branches.append(match.end())
        elif token == "}":
            depth -= 1
            if depth == 0:
                break
        previous = token
    if where is None:
        raise UnsafeValue("the query has no WHERE group to restrict")
    out, done = [], 0
    for at in branches or [where]:
        out += [query[done:at], block]
        done = at
    return "".join(out) + query[done:]


def _as_expression(value: Term, text: str) -> str:
    """A typed literal as STRDT(lexical, datatype), the same term, where it stands as an
    expression of its own (projected, grouped, sorted by): Virtuoso 7.2 reads a bare
    number in GROUP BY as a column index (SQ200 "index of column in order by out of
    range") and fails to sort beside a projected decimal constant (SR128 "Numeric value
    out of range for <temporary space column>")."""
    if value.kind == "literal" and value.datatype and not value.lang:
        return f"STRDT({sparql_term(literal(value.value))}, {sparql_term(value.datatype)})"
    return text


_TOKEN = re.compile(
    r"""(?P<skip>\#[^\n]*|'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"
        |<[^<>"{}|^`\\\x00-\x20]*>|@[A-Za-z0-9-]+|(?:[A-Za-z][\w.-]*)?:[\w.%:-]*)
       |(?P<var>[?$]\w+)|(?P<word>[A-Za-z_]\w*)|(?P<punct>[(){}])""",
    re.DOTALL | re.VERBOSE)
