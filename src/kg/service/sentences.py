"""Quotes shown in their sentences, for reviewing a source's claims by eye.

The graph keeps only each claim's short quote and its offsets; the article itself is
read from the seeds folder of this machine, and only when its SHA-256 is the one the
graph records, so offsets always point into the text they were taken from. Where the
article is not present the page shows the quotes alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.sources import find_source, read_source_text, sha256_of, source_folders

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
def _article(file_name: str, sha256: str) -> str | None:
    path = find_source(Path(file_name).name, source_folders())
    try:
        if path is not None and sha256_of(path) == sha256:
            return read_source_text(path)
    except OSError:
        pass
    return None


def quote_in_sentence(file_name: str, sha256: str, start: int, end: int) -> InSentence | None:
    """The sentence around text[start:end] of the article, or None if it is not here."""
    text = _article(file_name, sha256)
    if text is None or not 0 <= start <= end <= len(text):
        return None
    head = text[max(0, start - CONTEXT):start]
    ends = list(_SENTENCE_END.finditer(head))
    before = head[ends[-1].end():] if ends else head
    tail = text[end:end + CONTEXT]
    stop = _SENTENCE_END.search(tail)
    after = tail[:stop.end()] if stop else tail
    return InSentence(before.lstrip(), text[start:end], after.rstrip())
