"""A SPARQL tokenizer for the benchmark's parameter substitution (bench only).

It rewrites saved queries for servers without Oxigraph's substitutions. It is
not a security check: the service decides its policy from a real parse
(`kg.inspection`), never from tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    start: int


def tokenize(text: str) -> list[Token]:
    """The significant tokens of a SPARQL text (no whitespace, no comments)."""
    tokens = []
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup or "punct"
        if kind not in ("space", "comment"):
            tokens.append(Token(kind, match.group(), match.start()))
    return tokens
