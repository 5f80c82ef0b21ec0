"""Saved queries checked once per file content, remembered on disk across processes.

Checking a saved query parses it with rdflib's SPARQL grammar and with Oxigraph
(`kg.catalogue.read_saved_query`): about 0.1 s a file, seconds for the catalogue, which
every `kg serve` start and every command would repeat. What the check yields (a
`SavedQuery`: header, parameters, form, prefixes used) is written as JSON under a key
that digests everything the check depends on: the file's name and bytes, the prefixes, the
source of the modules that check, and the versions of both parsers. A changed file,
prefix or checker is a new key, so a stale entry is never read; a file that fails its
check is never cached. The cache folder is `KG_QUERY_CACHE` (default
`var/cache/queries` in the project); if it cannot be written, queries are checked
each time. JSON, not pickle: reading the cache runs no code.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph
import rdflib

from kg.settings import PROJECT_ROOT

if TYPE_CHECKING:
    from kg.catalogue import SavedQuery

#: The modules whose code decides what a check yields (their source is in the key).
CHECKER_MODULES = ("catalogue.py", "inspection.py", "sparql_lexer.py", "store/terms.py",
                   "checked_queries.py")


def cache_folder() -> Path:
    return Path(os.environ.get("KG_QUERY_CACHE") or PROJECT_ROOT / "var" / "cache" / "queries")


@cache
def checker_digest() -> str:
    """A digest of the checking code and parser versions (once per process)."""
    digest = hashlib.sha256(f"{pyoxigraph.__version__}\n{rdflib.__version__}\n".encode())
    package = Path(__file__).parent
    for name in CHECKER_MODULES:
        digest.update(name.encode() + b"\0" + (package / name).read_bytes())
    return digest.hexdigest()


def cache_key(content: bytes, prefixes: Mapping[str, str]) -> str:
    digest = hashlib.sha256(checker_digest().encode())
    digest.update(json.dumps(sorted(prefixes.items())).encode())
    digest.update(content)
    return digest.hexdigest()


def checked(path: Path, prefixes: Mapping[str, str],
            check: Callable[[Path, Mapping[str, str]], SavedQuery]) -> SavedQuery:
    """The saved query at path, from the cache if this content was checked before by
    this code, else `check(path, prefixes)` (whose errors propagate, uncached)."""
    from kg.catalogue import saved_query_from_json, saved_query_json

    content = path.read_bytes()
    entry = cache_folder() / f"{cache_key(path.name.encode() + b'/' + content, prefixes)}.json"
    try:
        data: Any = json.loads(entry.read_text(encoding="utf-8"))
        if data.get("text") == content.decode("utf-8"):
            return saved_query_from_json(data, path)
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not cached yet, or unreadable: check again
    query = check(path, prefixes)
    if query.text == content.decode("utf-8"):
        _write(entry, json.dumps(saved_query_json(query), ensure_ascii=False))
    return query


def _write(entry: Path, text: str) -> None:
    """Write atomically (a reader sees the whole entry or none); give up quietly."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=entry.parent,
                                         suffix=".tmp", delete=False) as out:
            out.write(text)
        os.replace(out.name, entry)
    except OSError:
        pass
