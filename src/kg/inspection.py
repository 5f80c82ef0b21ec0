"""What a SPARQL request asks for, read from its tokens before anything runs.

pyoxigraph exposes no query algebra, and a regular expression over the raw text
is fooled by comments, strings and IRIs. So this module lexes the text the way
the SPARQL grammar does (comments, IRIs, strings, variables, prefixed names and
language tags are single tokens) and only then looks at keywords: the query form,
SERVICE (which would make Oxigraph fetch a remote endpoint), the FROM / FROM NAMED
graphs, and the top-level LIMIT. Oxigraph parses the text again when it runs it;
a text this lexer cannot make sense of is left to that parser to reject.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040-"
_TOKEN_RE = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:'{{0,2}}(?:[^'\\]|\\.))*'''
              | \"\"\"(?:"{{0,2}}(?:[^"\\]|\\.))*\"\"\"
              | '(?:[^'\\\r\n]|\\.)*'
              | "(?:[^"\\\r\n]|\\.)*")
  | (?P<var>[?$][{_PN_CHARS}]+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[{_PN_CHARS_BASE}][{_PN_CHARS}.]*)?:(?:[{_PN_CHARS}:.%]|\\.)*)
  | (?P<bnode>_:[{_PN_CHARS}.]*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class UnsafeQuery(Exception):
    """The request asks for something this read-only, offline service never does.

    `policy` names the rule ('read-only', 'service' or 'remote-graph') so that clients
    (and test harnesses) can tell a refusal on purpose from an error.
    """

    def __init__(self, message: str, policy: str) -> None:
        super().__init__(message)
        self.policy = policy


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    start: int


@dataclass(frozen=True, slots=True)
class QueryShape:
    """What the service needs to know about a query before running it."""

    form: str | None
    """SELECT, CONSTRUCT, DESCRIBE or ASK; None when the text has no query form."""
    is_update: bool
    uses_service: bool
    from_graphs: tuple[str, ...]
    """IRIs of every FROM and FROM NAMED clause, resolved against BASE and prefixes."""
    limit: int | None
    """The top-level LIMIT, if any (a subquery's LIMIT is not counted)."""
    prefixes_used: frozenset[str]

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def tokenize(text: str) -> list[Token]:
    """The significant tokens of a SPARQL text (no whitespace, no comments)."""
    tokens = []
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup or "punct"
        if kind not in ("space", "comment"):
            tokens.append(Token(kind, match.group(), match.start()))
    return tokens


@lru_cache(maxsize=4096)
def inspect_query(
    text: str, base_iri: str | None = None, prefixes: tuple[tuple[str, str], ...] = ()
) -> QueryShape:
    """The shape of a query or update text; cached, since clients repeat their queries."""
    tokens = tokenize(text)
    declared = dict(prefixes)
    base = base_iri
    form: str | None = None
    is_update = False
    uses_service = False
    graphs: list[str] = []
    limit: int | None = None
    used: set[str] = set()
    depth = 0
    declarations: set[int] = set()
    for i, token in enumerate(tokens):
        if token.kind == "pname":
            if i not in declarations:
                used.add(token.text.split(":", 1)[0])
            continue
        if token.kind == "punct":
            depth += {"{": 1, "}": -1}.get(token.text, 0)
            continue
        if token.kind != "word":
            continue
        word = token.text.upper()
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if word == "BASE" and following is not None and following.kind == "iri":
            base = _resolve(following.text[1:-1], base)
        elif word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2].kind == "iri":
            declarations.add(i + 1)
            declared[tokens[i + 1].text.split(":", 1)[0]] = _resolve(tokens[i + 2].text[1:-1], base)
        elif word in QUERY_FORMS and form is None and not is_update:
            form = word
        elif word in UPDATE_KEYWORDS and form is None and depth == 0:
            is_update = True
        elif word == "SERVICE":
            uses_service = True
        elif word == "FROM" and following is not None:
            named = following.kind == "word" and following.text.upper() == "NAMED"
            target = tokens[i + 2] if named and i + 2 < len(tokens) else following
            graphs.append(_term_iri(target, declared, base))
        elif (word == "LIMIT" and depth == 0 and following is not None
              and following.kind == "number" and following.text.isdigit()):
            limit = int(following.text)
    return QueryShape(form, is_update, uses_service, tuple(graphs), limit, frozenset(used))


def check_query_safety(shape: QueryShape, graphs: frozenset[str]) -> None:
    """Refuse updates, SERVICE and FROM clauses that name graphs outside the dataset."""
    if shape.is_update:
        raise UnsafeQuery("this endpoint is read-only: SPARQL updates are not accepted",
                          "read-only")
    if shape.uses_service:
        raise UnsafeQuery(
            "SERVICE is not allowed: this endpoint never sends requests to other servers",
            "service",
        )
    check_graphs(shape.from_graphs, graphs, "FROM")


def check_graphs(requested: tuple[str, ...] | list[str], graphs: frozenset[str],
                 where: str) -> None:
    """Every requested graph must be one of the dataset's named graphs (nothing is fetched)."""
    unknown = [g for g in requested if g not in graphs]
    if unknown:
        raise UnsafeQuery(
            f"{where} names graph(s) not in this dataset: {', '.join(f'<{g}>' for g in unknown)};"
            " this endpoint never fetches remote data (see the service description for the"
            " graphs it has)",
            "remote-graph",
        )


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base and not _is_absolute(iri) else iri


def _is_absolute(iri: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", iri))


def _term_iri(token: Token, prefixes: Mapping[str, str], base: str | None) -> str:
    """The IRI a FROM clause names (an IRI reference or a prefixed name)."""
    if token.kind == "iri":
        return _resolve(token.text[1:-1], base)
    if token.kind == "pname":
        prefix, local = token.text.split(":", 1)
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return token.text
