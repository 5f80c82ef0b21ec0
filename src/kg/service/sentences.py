"""Quotes shown in their sentences and in the whole article, for reviewing a source's
claims by eye.

The graph keeps only each claim's short quote and its offsets; the article itself is
read from the seeds folder of this machine, and only when its SHA-256 is the one the
graph records, so offsets always point into the text they were taken from. Where the
article is not present the page shows the quotes alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from kg.sources import (
    find_source,
    metadata_spans,
    read_source_text,
    sha256_of,
)

#: Where a sentence ends (Chinese and Western full stops, question and exclamation marks,
#: semicolons and line breaks).
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
#: Most characters of context shown on each side of a quote.
CONTEXT = 80


@dataclass(frozen=True)
class InSentence:
    before: str
    quote: str
    after: str


@lru_cache(maxsize=16)
def _article(folders: tuple[Path, ...], file_name: str, sha256: str) -> str | None:
    path = find_source(Path(file_name).name, folders)
    try:
        if path is not None and sha256_of(path) == sha256:
            return read_source_text(path)
    except OSError:
        pass
    return None


def quote_in_sentence(folders: tuple[Path, ...], file_name: str, sha256: str, start: int,
                      end: int) -> InSentence | None:
    """The sentence around text[start:end] of the article (looked up in `folders`), or None
    if it is not here."""
    text = _article(folders, file_name, sha256)
    if text is None or not 0 <= start <= end <= len(text):
        return None
    head = text[max(0, start - CONTEXT):start]
    ends = list(_SENTENCE_END.finditer(head))
    before = head[ends[-1].end():] if ends else head
    tail = text[end:end + CONTEXT]
    stop = _SENTENCE_END.search(tail)
    after = tail[:stop.end()] if stop else tail
    return InSentence(before.lstrip(), text[start:end], after.rstrip())


@dataclass(frozen=True)
class Passage:
    """A run of the article's text, and the claims whose quotes cover all of it (the
    innermost first; none for text no claim quotes)."""

    text: str
    claims: tuple[str, ...] = ()
    metadata: bool = False


def article_passages(folders: tuple[Path, ...], file_name: str, sha256: str,
                     spans: list[tuple[str, int, int]]) -> list[Passage] | None:
    """The whole article cut where any quote begins or ends, each run with the claims
    (claim IRI, start, end) covering it; None where the article is not on this machine.
    The corpus's own lines (URL:, DATE:, the [PARTIAL] marker) are marked as metadata."""
    text = _article(folders, file_name, sha256)
    if text is None:
        return None
    valid = [(c, a, b) for c, a, b in spans if 0 <= a < b <= len(text)]
    meta = metadata_spans(text)
    cuts = sorted({0, len(text), *(x for _, a, b in valid for x in (a, b)),
                   *(x for a, b in meta for x in (a, b))})
    # the innermost quote first (latest start, then shortest), so a quote nested in
    # another still gets its own link
    ordered = sorted(valid, key=lambda s: (-s[1], s[2], s[0]))
    passages = []
    for a, b in pairwise(cuts):
        covering = tuple(c for c, start, end in ordered if start <= a and b <= end)
        metadata = any(start <= a and b <= end for start, end in meta)
        passages.append(Passage(text[a:b], covering, metadata))
    return passages
