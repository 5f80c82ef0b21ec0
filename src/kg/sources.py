"""The source articles: the folders they live in, their checksums, and quote lookup.

Articles sit in two folders beside the project: the five seeds (`../shared/seeds`,
`$KG_SEEDS`) and the corpus of later articles (`../shared/corpus`, `$KG_CORPUS`). A fact
file names its article by a bare file name, looked up in those folders in that order and
confined to them: no path separators, no `..`, a regular file whose real path stays inside
its folder (no FIFO, device or symlink out), of bounded size.
"""

from __future__ import annotations

import hashlib
import re
import stat
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from kg.files import UnreadableFile, read_regular_file
from kg.settings import DEFAULT_CORPUS, DEFAULT_SEEDS

#: Largest article read (the longest real one is under 20 kB).
MAX_ARTICLE_BYTES = 2_000_000

#: A metadata line at the head of a corpus article (URL:, DATE:, a TITLE: the corpus
#: describes rather than prints), not article text; a printed TITLE: is the headline.
_HEADER_LINE = re.compile(r"^(?:(?:URL|DATE|日期)[ \t]*[:：].*|TITLE:[ \t]*\[descriptive.*)$",
                          re.MULTILINE)
#: The line the corpus puts where a retrieved excerpt stops (not article text).
_MARKER_LINE = re.compile(r"^\[PARTIAL:.*$", re.MULTILINE)


class SourceFileError(ValueError):
    """A source file name that is not a readable article inside the sources folders."""


def source_folders(seeds: str | Path | None = None,
                   corpus: str | Path | None = None) -> tuple[Path, ...]:
    """The folders articles are looked up in: the seeds folder, then the corpus folder
    (the settings' defaults where not given)."""
    return tuple(dict.fromkeys([Path(seeds or DEFAULT_SEEDS), Path(corpus or DEFAULT_CORPUS)]))


def locate_source(name: str, folders: Sequence[Path]) -> Path:
    """The article file called `name` in the first folder that has it.

    Raises SourceFileError naming the reason when the name is not a bare file name, no
    folder holds it, or what is there is not a regular file inside the folder of bounded
    size (a FIFO, a device, a symlink out of the folder, a huge file).
    """
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise SourceFileError(f"{name!r} is not a bare file name (a source file is named "
                              f"without any folder)")
    for folder in folders:
        path = folder / name
        if not path.exists() and not path.is_symlink():
            continue
        real, root = path.resolve(), folder.resolve()
        if not real.is_relative_to(root):
            raise SourceFileError(f"{path} points outside {folder}")
        mode = real.stat().st_mode
        if not stat.S_ISREG(mode):
            raise SourceFileError(f"{path} is not a regular file")
        if real.stat().st_size > MAX_ARTICLE_BYTES:
            raise SourceFileError(f"{path} is larger than {MAX_ARTICLE_BYTES} bytes")
        return real
    raise SourceFileError(f"source file {name} not found in "
                          f"{', '.join(str(f) for f in folders)}")


def find_source(name: str, folders: Sequence[Path]) -> Path | None:
    """`locate_source`, or None when the article is not there or not readable."""
    try:
        return locate_source(name, folders)
    except (SourceFileError, OSError):
        return None


@lru_cache(maxsize=64)
def read_source_bytes(path: Path) -> bytes:
    """Bytes of a source article, through the one defensive reader (a regular file of at
    most MAX_ARTICLE_BYTES, opened without blocking); cached: articles never change during
    a run. Raises SourceFileError naming the reason."""
    try:
        return read_regular_file(path, MAX_ARTICLE_BYTES)
    except UnreadableFile as error:
        raise SourceFileError(f"{path.name} {error}") from None


def read_source_text(path: Path) -> str:
    """Text of a source article. Raises SourceFileError when it is not UTF-8 text."""
    raw = read_source_bytes(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SourceFileError(f"{path.name} is not UTF-8 text (byte 0x{raw[exc.start]:02x} on "
                              f"line {line})") from None


def sha256_of(path: Path) -> str:
    """SHA-256 of a source article (the bytes the quotes are looked up in)."""
    return hashlib.sha256(read_source_bytes(path)).hexdigest()


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Character offsets [start, end) of the first verbatim occurrence of quote in text."""
    start = text.find(quote)
    return None if start < 0 else (start, start + len(quote))


def metadata_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the lines that describe an article rather than being its text: the leading
    URL:, DATE: and descriptive TITLE: lines of a corpus file and its [PARTIAL: ...] line."""
    spans = []
    head = re.match(r"(?:(?:URL|TITLE|DATE|标题|日期)[ \t]*[:：][^\n]*\n)*", text)
    for match in _HEADER_LINE.finditer(text, 0, head.end() if head else 0):
        spans.append(match.span())
    spans.extend(m.span() for m in _MARKER_LINE.finditer(text))
    return spans
