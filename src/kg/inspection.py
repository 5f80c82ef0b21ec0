"""What a SPARQL request asks for, read from a real parse before anything runs.

The service's policy (read-only, no SERVICE, no graph outside the dataset) is
decided from the parse tree and algebra of rdflib's SPARQL 1.1 parser, a
conformant grammar, never from scanning the text. It parses the query's canonical
text (`kg.sparql_lexer`: no comments, no codepoint escapes), and that text, never
the client's, is what runs, on the embedded store and on any `--store`: so the
policy and the engine read the same characters, and the parser's own quirks
(comments ended by LF only, escapes expanded over the whole text) meet nothing to
misread. As a check of the lexer, every IRI it found must be one the parser read.
Text that parser cannot read is refused (fail closed), and the embedded store's
query workers cannot open a network socket in any case (`kg.service.sandbox`).

Before any parser runs, `check_size` bounds the text's length and bracket
nesting, so that no parser (ours or the engine's) recurses without limit.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import Query as QUERY_GRAMMAR
from rdflib.plugins.sparql.parser import UpdateUnit as UPDATE_GRAMMAR
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef, Variable

from kg.query_errors import (
    NoQuery,
    QueryRefused,
    QuerySyntaxError,
    QueryTooComplex,
    UpdateRefused,
)
from kg.sparql_lexer import CanonicalQuery, canonicalise

QUERY_FORMS = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT",
               "DescribeQuery": "DESCRIBE", "AskQuery": "ASK"}
#: Deepest bracket nesting ({ ( [ counted together) a query may have.
MAX_NESTING = 100
#: Most group patterns ({) a query may have: each is a node the evaluator recurses into.
MAX_GROUPS = 2_000
_OPENING = re.compile(r"[{(\[]")
_BRACKETS = re.compile(r"[{}()\[\]]")
#: The parser recurses a dozen frames per nesting level; it runs on a thread with room for it.
_PARSER_STACK_BYTES = 256 * 1024 * 1024
_PARSER_RECURSION = 200_000

T = TypeVar("T")
_PARSER_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class QueryShape:
    """What the service needs to know about a query before running it."""

    form: str
    """SELECT, CONSTRUCT, DESCRIBE or ASK."""
    uses_service: bool
    from_graphs: tuple[str, ...]
    """IRIs of every FROM and FROM NAMED clause, resolved against BASE and prefixes."""
    limit: int | None
    """The top-level LIMIT, if any (a subquery's LIMIT is not counted)."""
    prefixes_used: frozenset[str]
    variables: frozenset[str]

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def check_size(text: str, max_chars: int | None = None) -> None:
    """Refuse a text too long or too deeply nested for any parser (QueryTooComplex).

    Brackets are counted wherever they stand, in strings and comments too: the
    count can only be higher than the grammar's, so a query within it is safe.
    """
    if max_chars is not None and len(text) > max_chars:
        raise QueryTooComplex(f"the query has {len(text)} characters; the limit is {max_chars}",
                              limit="characters")
    groups = text.count("{")
    if groups > MAX_GROUPS:
        raise QueryTooComplex(
            f"the query has {groups} group patterns ({{ … }}); the limit is {MAX_GROUPS}",
            limit="groups")
    if len(_OPENING.findall(text)) <= MAX_NESTING:
        return
    depth = deepest = 0
    for bracket in _BRACKETS.findall(text):
        depth += 1 if bracket in "{([" else -1
        deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        raise QueryTooComplex(
            f"the query nests brackets {deepest} deep; the limit is {MAX_NESTING}",
            limit="nesting")


def inspect_query(query: str | CanonicalQuery, base_iri: str | None = None,
                  prefixes: Mapping[str, str] | None = None, *, tree: Any = None) -> QueryShape:
    """The shape of a query, from rdflib's parse and algebra of its canonical text.

    Raises UpdateRefused for an update, QuerySyntaxError for text
    that is neither a query nor an update by the SPARQL 1.1 grammar. A `tree`
    from `parse_tree(text)` saves parsing again (it is used up: the algebra
    translation rewrites it). Whoever runs the query must run `canonicalise(text).text`.
    """
    canonical = canonicalise(query) if isinstance(query, str) else query
    return _with_deep_stack(lambda: _inspect(canonical, base_iri, dict(prefixes or {}), tree))


def _inspect(canonical: CanonicalQuery, base_iri: str | None, prefixes: dict[str, str],
             tree: Any) -> QueryShape:
    tree = _parse(canonical) if tree is None else tree
    # read the parse tree first: translating it to the algebra rewrites it in place
    leaves = list(_walk(tree))
    _check_iris(canonical, leaves)
    used = frozenset(_prefixes_used(tree))
    uses_service = any(isinstance(node, CompValue) and node.name == "ServiceGraphPattern"
                       for node in leaves)
    variables = frozenset(str(v) for v in leaves if isinstance(v, Variable))
    undeclared = sorted(used - set(prefixes) - set(_declared_prefixes(tree)))
    if undeclared:
        raise QuerySyntaxError(
            f"undeclared prefix {', '.join(repr(p + ':') for p in undeclared)}"
            " (declare it with PREFIX, or use a full IRI)")
    try:
        algebra = translateQuery(tree, base=base_iri, initNs=prefixes).algebra
    except Exception as error:  # rdflib raises plain Exceptions for semantic errors
        raise QuerySyntaxError(str(error)) from None
    graphs = tuple(str(dict.get(clause, "default") or dict.get(clause, "named"))
                   for clause in dict.get(algebra, "datasetClause") or ())
    return QueryShape(form=QUERY_FORMS[algebra.name], uses_service=uses_service,
                      from_graphs=graphs, limit=_top_limit(algebra), prefixes_used=used,
                      variables=variables)


def _parse(canonical: CanonicalQuery) -> Any:
    """rdflib's parse tree of a canonical text (it has no escapes for rdflib to expand)."""
    try:
        return QUERY_GRAMMAR.parse_string(canonical.text, parse_all=True)
    except ParseBaseException as error:
        operations = _update_operations(canonical.text)
        if operations:
            raise UpdateRefused() from None
        if operations == 0:
            raise NoQuery() from None
        line, column = canonical.source_position(error.loc)
        raise QuerySyntaxError(_parse_message(canonical, error.loc, line, column), line=line,
                               column=column) from None
    except RecursionError:
        raise
    except Exception as error:  # the parser's own failure on odd text: still the client's text
        raise QuerySyntaxError(f"the SPARQL grammar cannot read this query ({error})") from None


def _check_iris(canonical: CanonicalQuery, leaves: list[Any]) -> None:
    """Every IRI the lexer wrote must be one the parser read (else they split the text
    differently, and the query is not run)."""
    read = {str(leaf) for leaf in leaves if isinstance(leaf, URIRef)}
    missed = [iri for iri in canonical.iris if iri not in read]
    if missed:
        raise QueryRefused(
            f"this query cannot be checked, so it is not run: the policy parser does not read"
            f" <{missed[0]}> as an IRI", policy="unverifiable")


def check_query_safety(shape: QueryShape, graphs: frozenset[str]) -> None:
    """Refuse SERVICE (any, with an IRI or a variable) and FROM graphs outside the dataset."""
    if shape.uses_service:
        raise QueryRefused(
            "SERVICE is not allowed: this endpoint never sends requests to other servers",
            policy="service")
    check_graphs(shape.from_graphs, graphs, "FROM")


def check_graphs(requested: Iterable[str], graphs: frozenset[str], where: str) -> None:
    """Every requested graph must be one of the dataset's named graphs (nothing is fetched)."""
    unknown = [g for g in requested if g not in graphs]
    if unknown:
        raise QueryRefused(
            f"{where} names graph(s) not in this dataset: {', '.join(f'<{g}>' for g in unknown)};"
            " this endpoint never fetches remote data (see the service description for the"
            " graphs it has)",
            policy="remote-graph")


def _update_operations(text: str) -> int | None:
    """How many operations the text holds read as a SPARQL update (0 for an empty text or a
    bare prologue, which the update grammar accepts); None when it is not an update."""
    try:
        parsed = UPDATE_GRAMMAR.parse_string(text, parse_all=True)
    except Exception:  # any failure: not an update
        return None
    return sum(len(update["request"]) for update in parsed if "request" in update)


def _parse_message(canonical: CanonicalQuery, offset: int, line: int, column: int) -> str:
    found = canonical.text[offset:offset + 20]
    return (f"error at {line}:{column}: the SPARQL grammar expects something else"
            f" here{f' (found {found!r})' if found else ''}")


def grammar_nodes(tree: Any) -> Iterator[CompValue]:
    """Every grammar node of a parse tree, depth first (iterative: trees may be deep)."""
    return (item for item in _walk(tree) if isinstance(item, CompValue))


def _walk(tree: Any) -> Iterator[Any]:
    """Every item of a parse tree: grammar nodes, their values, and the terms at the leaves."""
    stack = [tree]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, ParseResults | list | tuple):  # (ParseResults passes as a Mapping)
            stack.extend(item)
        elif isinstance(item, Mapping):
            stack.extend(item.values())


def bare_variable(expression: Any) -> str | None:
    """The variable an expression is, if it is nothing but one (through the grammar's
    single-child wrappers), else None."""
    while isinstance(expression, CompValue) and set(expression) - {"_vars"} == {"expr"}:
        expression = expression["expr"]
    return str(expression) if isinstance(expression, Variable) else None


def parse_tree(text: str) -> Any:
    """rdflib's parse tree of a query's canonical text (raises QuerySyntaxError)."""
    canonical = canonicalise(text)
    return _with_deep_stack(lambda: _parse(canonical))


def _prefixes_used(tree: Any) -> Iterator[str]:
    for node in grammar_nodes(tree):
        if node.name == "pname" and "prefix" in node:
            yield str(node["prefix"])
        elif node.name == "pname":
            yield ""


def _declared_prefixes(tree: Any) -> Iterator[str]:
    for node in grammar_nodes(tree):
        if node.name == "PrefixDecl":
            yield str(dict.get(node, "prefix") or "")


def _top_limit(algebra: CompValue) -> int | None:
    """The LIMIT of the outermost Slice (rdflib puts it directly under the query form).

    (CompValue.get resolves variables; plain dict.get reads the node's own fields.)"""
    node = dict.get(algebra, "p")
    if isinstance(node, CompValue) and node.name == "Slice" and "length" in node:
        return int(node["length"])
    return None


def allow_deep_queries() -> None:
    """Raise this process's recursion limit so that the parser reaches MAX_NESTING (the
    query workers do; elsewhere a deeper query is refused as too complex). The limit is
    per process, so only a process that does nothing else should raise it."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), _PARSER_RECURSION))


def _with_deep_stack(work: Callable[[], T]) -> T:
    """Run work on a thread whose stack fits a query of MAX_NESTING (see allow_deep_queries)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as error:  # handed back to the caller's thread
            outcome.append((False, error))

    with _PARSER_LOCK:  # pyparsing, under rdflib's grammar, is not thread-safe
        previous = threading.stack_size(_PARSER_STACK_BYTES)
        try:
            thread = threading.Thread(target=run, name="sparql-parser")
            thread.start()
        finally:
            threading.stack_size(previous)
        thread.join()
    ok, value = outcome[0]
    if not ok:
        if isinstance(value, RecursionError):
            raise QueryTooComplex("the query is nested too deeply to parse",
                                  limit="nesting") from None
        raise value
    return value  # type: ignore[no-any-return]
