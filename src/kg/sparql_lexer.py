"""The canonical text of a SPARQL 1.1 query: what the policy checks and the engine runs.

Two parsers read every client query: rdflib's, which decides the policy
(`kg.inspection`), and the engine's, which runs it (Oxigraph, embedded or behind
`--store`). They disagree on some texts: rdflib ends a comment at LF only (the
grammar ends it at CR too), expands `\\uXXXX` escapes over the whole text, lower-case
`\\u` with eight digits included, while Oxigraph decodes them only inside strings and
IRIs. Each disagreement once hid a SERVICE from the policy. So neither reads the
client's text: this lexer, written from the terminals of SPARQL 1.1 §19.8, turns it
into a canonical text, and that text, never the client's, is both checked and run.

The canonical text has no comments and no codepoint escapes; its tokens are
separated by one space; every string is written `"…"` with only the escapes it needs
(`\\\\`, `\\"`, `\\n`, `\\r`). What remains is read the same by any SPARQL 1.1 parser.

Codepoint escapes are read as §19.2 says, before the grammar, in one pass (a
character an escape produces never starts another escape; a backslash escaped by a
backslash, `\\\\u0041` in a string, is not an escape). Where that reading and an
engine's in-token reading differ, the text is refused rather than guessed: an escape
that produces a string's own quote or a backslash, an IRI's `<` or `>`, or a
backslash outside a string (`\\u005C` before a local-name escape).

`<` is an IRI or an operator depending on where it stands (`FILTER(1<2)#>` is a
comparison and a comment, `?s<p>?o` a triple): it is an operator where an
expression has a complete operand before it, as in both engines' grammars.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from kg.query_errors import QueryRefused, QuerySyntaxError

_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
         "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
         "\U00010000-\U000effff")
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_PREFIX = rf"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_PN_LOCAL = rf"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_ECHAR = r"\\[tbnrf\\\"']"
_EXPONENT = r"[eE][+-]?[0-9]+"

#: The terminals, tried in this order at each position (longest forms first).
_TOKEN = re.compile("|".join([
    r"(?P<ws>[ \t\r\n]+)",
    r"(?P<comment>#[^\r\n]*)",
    rf"(?P<long1>'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}))*''')",
    rf'(?P<long2>"""(?:(?:"|"")?(?:[^"\\]|{_ECHAR}))*""")',
    rf"(?P<string1>'(?:[^'\\\n\r]|{_ECHAR})*')",
    rf'(?P<string2>"(?:[^"\\\n\r]|{_ECHAR})*")',
    rf"(?P<var>[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)",
    rf"(?P<bnode>_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)",
    rf"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
    r"(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
    rf"(?P<number>[+-]?(?:[0-9]+\.[0-9]*{_EXPONENT}|\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}"
    r"|[0-9]*\.[0-9]+|[0-9]+))",
    rf"(?P<word>[A-Za-z][A-Za-z0-9_]*(?![{_CHARS}:]))",
    r"(?P<punct>\^\^|&&|\|\||!=|>=|[{}()\[\],;.=>!+\-*/|^?])",
]))
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_LESS = re.compile(r"<=?")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|\\)")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", "\\": "\\", '"': '"',
           "'": "'"}
_STRING_KINDS = {"long1": 3, "long2": 3, "string1": 1, "string2": 1}
#: Tokens after which `<` inside an expression compares (an operand is complete).
_OPERAND_ENDS = {"var", "iri", "pname", "string", "number", "close"}
#: Words after which `(` is no function call's, so it keeps its space.
_NOT_CALLS = {"A", "SELECT", "DISTINCT", "REDUCED", "WHERE", "BY", "AS", "VALUES", "UNION",
              "OPTIONAL", "MINUS", "GRAPH", "SERVICE", "SILENT", "NAMED", "FROM", "LIMIT",
              "OFFSET", "UNDEF", "ASK", "CONSTRUCT", "DESCRIBE", "TRUE", "FALSE"}
#: Clauses of a query level in which every `(` opens an expression.
_EXPRESSION_CLAUSES = {"SELECT", "GROUP", "ORDER", "HAVING"}


@dataclass(frozen=True, slots=True)
class CanonicalQuery:
    """A query's canonical text, and where each of its tokens stood in the client's text."""

    text: str
    source: str
    iris: tuple[str, ...]
    """Every IRIREF of the text, as written (the policy parser must have read each)."""
    _starts: tuple[int, ...]
    _origins: tuple[int, ...]

    def source_position(self, offset: int) -> tuple[int, int]:
        """(line, column), from 1, in the client's text of the token at a canonical offset."""
        index = max(0, bisect.bisect_right(self._starts, offset) - 1)
        return line_and_column(self.source, self._origins[index] if self._origins else 0)


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """(line, column), from 1, of a character offset; lines end at LF, CR or CRLF."""
    before = text[:offset]
    line_start = max(before.rfind("\n"), before.rfind("\r")) + 1
    lines = before.count("\n") + before.count("\r") - before.count("\r\n")
    return lines + 1, offset - line_start + 1


class _Decoded:
    """The text with its codepoint escapes replaced (§19.2), and where each character was."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.escaped: list[int] = []
        """Offsets (in the decoded text) of the characters an escape produced."""
        self._anchors: list[int] = [0]
        """Decoded offsets from which on decoded and raw offsets differ by a constant ..."""
        self._raw: list[int] = [0]
        """... and the raw offset of each."""
        self._escape_starts: dict[int, int] = {}
        """The raw offset of the escape behind each escaped character."""
        if "\\u" not in text and "\\U" not in text:
            return
        parts: list[str] = []
        raw = decoded = 0
        for match in _ESCAPE.finditer(text):
            if match.group(0) == "\\\\":
                continue
            parts.append(text[raw:match.start()])
            decoded += match.start() - raw
            code = int(match.group(1) or match.group(2), 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                line, column = line_and_column(text, match.start())
                raise QuerySyntaxError(
                    f"error at {line}:{column}: {match.group(0)} is not a Unicode character",
                    line=line, column=column)
            parts.append(chr(code))
            self.escaped.append(decoded)
            self._escape_starts[decoded] = match.start()
            decoded += 1
            raw = match.end()
            self._anchors.append(decoded)
            self._raw.append(raw)
        parts.append(text[raw:])
        self.text = "".join(parts)

    def raw_offset(self, offset: int) -> int:
        """The offset in the client's text of a decoded character."""
        if offset in self._escape_starts:
            return self._escape_starts[offset]
        index = bisect.bisect_right(self._anchors, offset) - 1
        return self._raw[index] + offset - self._anchors[index]

    def escapes_in(self, start: int, end: int) -> list[int]:
        if not self.escaped:
            return []
        return self.escaped[bisect.bisect_left(self.escaped, start):
                            bisect.bisect_left(self.escaped, end)]


@dataclass(slots=True)
class _Level:
    kind: str
    """'root', 'group' ({ … }), 'expr' (an expression's parentheses) or 'plain' (others)."""
    clause: str | None = None


def canonicalise(text: str) -> CanonicalQuery:
    """The canonical text of a query (raises QuerySyntaxError with the client's line and
    column for text that is not made of SPARQL 1.1 terminals, QueryRefused 'unverifiable'
    for a codepoint escape read differently by SPARQL 1.1 and the engines)."""
    if surrogate := _SURROGATE.search(text):
        line, column = line_and_column(text, surrogate.start())
        raise QuerySyntaxError(f"error at {line}:{column}: a lone surrogate is no Unicode "
                               "character", line=line, column=column)
    decoded = _Decoded(text)
    source = decoded.text
    out: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    iris: list[str] = []
    levels = [_Level("root")]
    prev = prev2 = ("", "")
    length = 0
    pos = 0
    glue = False

    def fail(at: int, message: str) -> QuerySyntaxError:
        line, column = line_and_column(text, decoded.raw_offset(at))
        hint = (" (SPARQL 1.1 reads \\u escapes before the grammar: inside a string write "
                "\\n, \\\" or \\\\ instead)") if decoded.escaped else ""
        return QuerySyntaxError(f"error at {line}:{column}: {message}{hint}", line=line,
                                column=column)

    def ambiguous(at: int, what: str) -> QueryRefused:
        line, column = line_and_column(text, decoded.raw_offset(at))
        return QueryRefused(
            f"error at {line}:{column}: a codepoint escape here stands for {what}, which SPARQL"
            " 1.1 (§19.2, escapes read before the grammar) and the query engine read"
            " differently; write the character itself, or an \\-escape inside a string",
            policy="unverifiable", line=line, column=column)

    while pos < len(source):
        char = source[pos]
        kind: str
        if char == "<":
            top = levels[-1]
            operator = top.kind == "expr" and prev[0] in _OPERAND_ENDS
            iri = None if operator else _IRIREF.match(source, pos)
            if iri is not None:
                kind, end, value = "iri", iri.end(), iri.group(0)
                for at in decoded.escapes_in(pos, end):
                    if source[at] in "<>":
                        raise ambiguous(at, f"{source[at]!r}, an IRI's delimiter")
                iris.append(value[1:-1])
            elif top.kind == "expr":
                less = _LESS.match(source, pos)
                assert less is not None
                kind, end, value = "punct", less.end(), less.group(0)
            else:
                raise fail(pos, "'<' here must begin an IRI (<…> without spaces, quotes, "
                                "braces, |, ^, ` or backslashes)")
        else:
            match = _TOKEN.match(source, pos)
            if match is None:
                raise fail(pos, f"{char!r} cannot begin any SPARQL token here")
            kind = match.lastgroup or ""
            end = match.end()
            value = match.group(0)
            if kind in ("ws", "comment"):
                pos = end
                continue
            for at in decoded.escapes_in(pos, end):
                if source[at] == "\\":
                    raise ambiguous(at, "a backslash")
                if kind in _STRING_KINDS and source[at] == value[0]:
                    raise ambiguous(at, f"{source[at]!r}, the string's own quote")
            if kind in _STRING_KINDS:
                quotes = _STRING_KINDS[kind]
                value = _string(value[quotes:-quotes])
                kind = "string"
        token_kind = _classify(kind, value)
        _track(levels, token_kind, value, prev, prev2)
        path_mod = value in ("*", "+", "?") and levels[-1].kind != "expr" and (
            prev[0] in ("close", "iri", "pname") or prev[1] == "A")
        call = value == "(" and prev[0] == "word" and prev[1] not in _NOT_CALLS
        nil = value == ")" and prev[1] == "("
        if kind == "langtag" or value == "^^" or glue or path_mod or call or nil:
            pass  # parsers read these only without space: a path's modifier, a literal's
            # tag or datatype, a built-in's parentheses (Oxigraph: CONCAT(, BNODE())
        elif out:
            out.append(" ")
            length += 1
        glue = value == "^^"
        starts.append(length)
        origins.append(decoded.raw_offset(pos))
        out.append(value)
        length += len(value)
        prev2, prev = prev, (token_kind, value.upper())
        pos = end
    return CanonicalQuery("".join(out), text, tuple(iris), tuple(starts), tuple(origins))


def _string(body: str) -> str:
    """A string's body (between its quotes) re-written as `"…"` with only needed escapes."""
    if "\\" in body:
        body = re.sub(r"\\(.)", lambda m: _ECHARS[m.group(1)], body)
    return '"' + (body.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                  .replace("\r", "\\r")) + '"'


def _classify(kind: str, value: str) -> str:
    if kind == "word":
        return "number" if value.upper() in ("TRUE", "FALSE") else "word"
    if kind in ("langtag",):
        return "string"
    if kind == "punct":
        return "close" if value == ")" else "punct"
    return kind


def _track(levels: list[_Level], kind: str, value: str, prev: tuple[str, str],
           prev2: tuple[str, str]) -> None:
    """Follow the brackets, so that `<` is read as the grammar reads it where it stands."""
    top = levels[-1]
    upper = value.upper()
    if value == "(":
        function_in_filter = prev2[1] == "FILTER" and prev[0] in ("word", "iri", "pname")
        if top.kind == "expr" or (top.clause in _EXPRESSION_CLAUSES) or \
                prev[1] in ("FILTER", "BIND") or function_in_filter:
            levels.append(_Level("expr"))
        else:
            levels.append(_Level("plain"))
    elif value in "{[" and len(value) == 1:
        if top.clause == "VALUES" or value == "[":
            levels.append(_Level("plain", clause="VALUES" if top.clause == "VALUES" else None))
        else:
            if top.kind in ("root", "group"):
                top.clause = None
            levels.append(_Level("group"))
    elif value in ")}]" and len(value) == 1:
        if len(levels) > 1:
            closed = levels.pop()
            if closed.clause == "VALUES" and closed.kind == "plain" and \
                    levels[-1].clause == "VALUES" and value == "}":
                levels[-1].clause = None
    elif kind == "word" and top.kind in ("root", "group"):
        if upper in _EXPRESSION_CLAUSES or upper == "VALUES":
            top.clause = upper
        elif upper in ("WHERE", "LIMIT", "OFFSET", "CONSTRUCT", "DESCRIBE", "ASK", "FROM"):
            top.clause = None
