"""Search over names and evidence quotes, and the kind listings: one SQLite file per release.

Names: every zh and en label, alternative label and pinyin of the dataset's
entities, the names a source prints for them (`hkg:nameAsPrinted`, `hkg:nameAsStated`:
徐民 finds 徐建) and the credits it prints (`hkg:bylineAsStated`: 视觉中国供图 finds the
photo's article); speakers the text leaves unnamed (张女士) are found as the statements
they made (kind `speaker`). Other claims and assessments are found through their quotes. All
folded the same way: lower case, tone marks and spaces and punctuation removed.
(Pinyin is not derived from Chinese labels: pypinyin's dictionaries would cost
the server ~50 MB and seconds of start-up; people carry their pinyin in the data,
agencies, tasks and indicators their English names.) So `wang haidong`, `Wáng Hǎidōng`,
`wanghaidong`, `王海东` and `海东` all reach the same person; exact names rank
above prefixes above infixes.

Quotes: the verbatim evidence of every claim (cut at MAX_QUOTE_CHARS), indexed by
character bigrams (the usual way to search Chinese without a word segmenter).

Both are FTS5 tables of folded bigrams (each text as its bigrams, then its last
character alone, as tokens of FTS5's `ascii` tokenizer, which keeps every
non-ASCII character): a word of two or more characters is the phrase of its
bigrams, so it finds exactly the texts holding it; a one-character word is a
token prefix. The index only chooses candidates: they are checked, scored,
ranked and highlighted here in Python, so answers do not depend on FTS5.

The listings are the IRIs of each kind (typed resources under base + kind + '/'),
in IRI order, so list pages and the home page read a page of them without
sorting the graph.

`kg build` and `kg load` write the file into the release (`index.sqlite`) and the
server opens it read-only: nothing is read from the graph at start-up and nothing
is held in memory, so every entity and quote is indexed (the in-memory index of
old needed caps on entities and quotes; this one does not). For a dataset without
one (`kg serve --data`, `--store`, a release made before), `LazyIndex` writes one
to a temporary file in a background thread.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import tempfile
import threading
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import ReportedError
from kg.namespaces import prefix_map
from kg.store.base import UNION, GraphStore, QueryDataset
from kg.store.terms import Row, fill, iri, literal, sparql_term

log = logging.getLogger("kg.search")
INDEX_FILE = "index.sqlite"
MAX_QUOTE_CHARS = 400
ENTITY_KINDS = ("person", "agency", "task", "indicator", "region", "source", "facility",
                "document", "policy", "event", "outlet", "programme", "role", "post", "unit",
                "product", "group", "speaker")
LIST_KINDS = ("person", "agency", "region", "indicator", "source", "task", "facility",
              "document", "policy", "event", "outlet", "role", "post", "unit", "programme",
              "claim", "assessment")
NAMES_QUERY = """
SELECT ?s ?name ?kind WHERE {
  { ?s rdfs:label ?name BIND("label" AS ?kind) }
  UNION { ?s hkg:pinyin ?name BIND("pinyin" AS ?kind) }
  UNION { ?s skos:altLabel ?name BIND("alt" AS ?kind) }
  UNION { ?claim hkg:printedName ?printed . ?printed hkg:refersTo ?s ; hkg:nameAsPrinted ?name
          BIND("printed" AS ?kind) }
  UNION { ?claim org:member ?s ; hkg:nameAsStated ?name BIND("printed" AS ?kind) }
  UNION { ?s hkg:bylineAsStated ?name BIND("credit" AS ?kind) }
  FILTER($kinds)
}"""
#: Speakers the text leaves unnamed (张女士): found as the statements they made.
SPEAKERS_QUERY = "SELECT ?s ?name WHERE { ?s hkg:anonymousSpeaker ?name }"
TYPES_QUERY = """
SELECT ?s ?class WHERE {
  VALUES ?s { $entities } ?s a ?type . ?type rdfs:subClassOf* ?class . FILTER(isIRI(?class))
}"""
QUOTES_QUERY = """
SELECT ?claim ?quote ?source WHERE {
  ?claim hkg:evidence ?evidence . ?evidence oa:exact ?quote .
  OPTIONAL { ?claim prov:wasDerivedFrom ?source }
}"""
KIND_QUERY = "SELECT DISTINCT ?s WHERE { ?s a ?type FILTER(STRSTARTS(STR(?s), $prefix)) }"
SCHEMA = """
CREATE TABLE entity (id INTEGER PRIMARY KEY, iri TEXT NOT NULL, kind TEXT NOT NULL,
                     names TEXT NOT NULL, keys TEXT NOT NULL);
CREATE INDEX entity_kind ON entity (kind);
CREATE TABLE entity_class (class TEXT NOT NULL, entity INTEGER NOT NULL,
                           PRIMARY KEY (class, entity)) WITHOUT ROWID;
CREATE VIRTUAL TABLE entity_grams USING fts5(grams, content='', columnsize=0,
                                             tokenize='ascii');
CREATE TABLE quote (id INTEGER PRIMARY KEY, claim TEXT NOT NULL, text TEXT NOT NULL,
                    source TEXT, folded TEXT NOT NULL, positions BLOB NOT NULL);
CREATE VIRTUAL TABLE quote_grams USING fts5(grams, content='', columnsize=0,
                                            tokenize='ascii');
CREATE TABLE listing (kind TEXT NOT NULL, iri TEXT NOT NULL,
                      PRIMARY KEY (kind, iri)) WITHOUT ROWID;
"""
BATCH = 1000
_Select = Callable[[str, Mapping[str, Any] | None], list[Row]]


def fold(text: str) -> str:
    """Lower case, no tone marks, no spaces or punctuation: 'Wáng Hǎidōng' -> 'wanghaidong'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed
                   if not unicodedata.combining(c) and (c.isalnum()))


def fold_with_positions(text: str) -> tuple[str, list[int]]:
    """`fold` of a text, and for each kept character its index in the original."""
    out, positions = [], []
    for index, char in enumerate(text):
        for c in unicodedata.normalize("NFKD", char.lower()):
            if not unicodedata.combining(c) and c.isalnum():
                out.append(c)
                positions.append(index)
    return "".join(out), positions


def grams(folded: str) -> str:
    """A folded text as index tokens: its bigrams, then its last character alone (so
    that every character begins a token, for one-character words)."""
    if not folded:
        return ""
    return " ".join([folded[i:i + 2] for i in range(len(folded) - 1)] + [folded[-1]])


def holding(words: Iterable[str]) -> str:
    """An FTS5 query for the texts holding every (folded) word."""
    parts = []
    for word in words:
        if len(word) == 1:
            parts.append(f'"{word}" *')
        else:
            parts.append('"' + " ".join(word[i:i + 2] for i in range(len(word) - 1)) + '"')
    return " AND ".join(parts)


@dataclass
class Entity:
    """One searchable resource: its names and kind (from its IRI)."""

    iri: str
    kind: str
    names: dict[str, str] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)

    def name(self, lang: str) -> str:
        order = ("zh", "en", "pinyin") if lang == "zh" else (
            ("pinyin", "en", "zh") if "pinyin" in self.names else ("en", "zh", "pinyin"))
        return next((self.names[k] for k in order if k in self.names), self.iri)


@dataclass
class Quote:
    claim: str
    text: str
    source: str | None
    folded: str
    positions: list[int]


@dataclass
class EntityHit:
    entity: Entity
    score: int
    matched: str


@dataclass
class QuoteHit:
    quote: Quote
    spans: list[tuple[int, int]]

    def segments(self) -> list[tuple[str, bool]]:
        """The quote as (text, highlighted) pieces, for templates to escape and mark."""
        return segments(self.quote.text, self.spans)


def segments(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    pieces, at = [], 0
    for start, end in spans:
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def find_spans(text: str, query: str, folded: tuple[str, list[int]] | None = None) -> list[
        tuple[int, int]]:
    """Where the query (whole, else each word) occurs in a text, ignoring case, tones,
    spaces and punctuation; empty if some word is missing."""
    folded_text, positions = folded or fold_with_positions(text)
    whole = fold(query)
    words = [whole] if whole and whole in folded_text else [
        w for w in (fold(part) for part in query.split()) if w]
    spans = []
    for word in words:
        at = folded_text.find(word)
        if at < 0:
            return []
        while at >= 0:
            spans.append((positions[at], positions[at + len(word) - 1] + 1))
            at = folded_text.find(word, at + len(word))
    return _merge(spans)


def highlight(text: str, query: str) -> list[tuple[str, bool]]:
    """A name or quote as (text, matched) pieces for the query (nothing marked if no match)."""
    return segments(text, find_spans(text, query))


# ---------------------------------------------------------------- writing


def write_index(path: Path, store: GraphStore, base: str, dataset: QueryDataset = UNION) -> None:
    """Read names, classes, quotes and kind listings from the store into a new index file
    at path (written beside it, then renamed: readers never see half a file)."""
    pending = path.with_name(f".{path.name}-{os.getpid()}-{threading.get_ident()}")
    pending.unlink(missing_ok=True)
    prefixes = prefix_map(base)

    def select(query: str, values: Mapping[str, Any] | None = None) -> list[Row]:
        return store.select(fill(query, values or {}), dataset=dataset, prefixes=prefixes)

    db = sqlite3.connect(pending)
    try:
        db.executescript(SCHEMA)
        _write_entities(db, select, base)
        _write_quotes(db, select)
        for kind in LIST_KINDS:
            rows = select(KIND_QUERY, {"prefix": literal(f"{base}{kind}/")})
            db.executemany("INSERT INTO listing VALUES (?, ?)",
                           ((kind, row["s"].value) for row in rows))
        db.commit()
        db.execute("INSERT INTO entity_grams(entity_grams) VALUES ('optimize')")
        db.execute("INSERT INTO quote_grams(quote_grams) VALUES ('optimize')")
        db.commit()
        db.close()
        os.replace(pending, path)
    except BaseException:
        db.close()
        pending.unlink(missing_ok=True)
        raise


def _write_entities(db: sqlite3.Connection, select: _Select, base: str) -> None:
    prefixes = [f"{base}{kind}/" for kind in ENTITY_KINDS]
    kinds = " || ".join(f"STRSTARTS(STR(?s), {sparql_term(literal(p))})" for p in prefixes)
    entities: dict[str, Entity] = {}
    for row in select(NAMES_QUERY.replace("$kinds", kinds), None):
        subject = row["s"].value
        entity = entities.get(subject)
        if entity is None:
            entity = entities[subject] = Entity(subject, subject[len(base):].split("/", 1)[0])
        name = row["name"]
        kind = row["kind"].value
        key = kind if kind in ("pinyin", "printed", "alt", "credit") else (
            (name.lang or "zh").split("-")[0])
        entity.names.setdefault(key, name.value)
        entity.keys.add(fold(name.value))
    for row in select(SPEAKERS_QUERY, None):
        subject = row["s"].value
        entity = entities.setdefault(subject, Entity(subject, "speaker"))
        entity.names.setdefault("zh", row["name"].value)
        entity.keys.add(fold(row["name"].value))
    ids = {subject: number for number, subject in enumerate(entities, 1)}
    db.executemany("INSERT INTO entity VALUES (?, ?, ?, ?, ?)", (
        (ids[e.iri], e.iri, e.kind, json.dumps(e.names, ensure_ascii=False),
         json.dumps(sorted(e.keys), ensure_ascii=False)) for e in entities.values()))
    db.executemany("INSERT INTO entity_grams(rowid, grams) VALUES (?, ?)", (
        (ids[e.iri], " ".join(grams(k) for k in sorted(e.keys))) for e in entities.values()))
    subjects = list(entities)
    for start in range(0, len(subjects), BATCH):
        batch = [iri(s) for s in subjects[start:start + BATCH]]
        db.executemany("INSERT OR IGNORE INTO entity_class VALUES (?, ?)", (
            (row["class"].value, ids[row["s"].value])
            for row in select(TYPES_QUERY, {"entities": batch})))


def _write_quotes(db: sqlite3.Connection, select: _Select) -> None:
    """In the store's order (ties in ranking keep it, as the in-memory index did)."""
    quotes, tokens = [], []
    for number, row in enumerate(select(QUOTES_QUERY, None), 1):
        text = row["quote"].value[:MAX_QUOTE_CHARS]
        folded, positions = fold_with_positions(text)
        quotes.append((number, row["claim"].value, text,
                       row["source"].value if "source" in row else None, folded,
                       array("H", positions).tobytes()))
        tokens.append((number, grams(folded)))
        if len(quotes) >= BATCH:
            _insert_quotes(db, quotes, tokens)
    _insert_quotes(db, quotes, tokens)


def _insert_quotes(db: sqlite3.Connection, quotes: list[tuple[Any, ...]],
                   tokens: list[tuple[int, str]]) -> None:
    db.executemany("INSERT INTO quote VALUES (?, ?, ?, ?, ?, ?)", quotes)
    db.executemany("INSERT INTO quote_grams(rowid, grams) VALUES (?, ?)", tokens)
    quotes.clear()
    tokens.clear()


# ---------------------------------------------------------------- reading


class SearchIndex:
    """Names, quotes and kind listings of one dataset version, in an index file opened
    read-only (each thread gets its own connection)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._db()  # fail now if the file cannot be read

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                 check_same_thread=False)
            db.execute("SELECT count(*) FROM entity")
            self._local.db = db
        return db

    # ------------------------------------------------------------ names

    def find_entities(self, query: str, *, kind: str | None = None,
                      classes: tuple[str, ...] = (), limit: int = 50) -> list[EntityHit]:
        """Entities whose names match, best first: exact, then prefix, then infix; a
        query of several words also matches names holding every word."""
        whole = fold(query)
        words = [w for w in (fold(part) for part in query.split()) if w]
        if not whole:
            return []
        match = holding([whole]) if words == [whole] else (
            f"({holding([whole])}) OR ({holding(words)})")
        sql = ("SELECT iri, kind, names, keys FROM entity WHERE id IN "
               "(SELECT rowid FROM entity_grams WHERE entity_grams MATCH ?)")
        params: list[str] = [match]
        if kind:
            sql += " AND kind = ?"
            params.append(kind)
        if classes:
            sql += (" AND id IN (SELECT entity FROM entity_class WHERE class IN "
                    f"({', '.join('?' for _ in classes)}))")
            params += classes
        hits = []
        for iri_, kind_, names, keys in self._db().execute(sql, params):
            entity = Entity(iri_, kind_, json.loads(names), set(json.loads(keys)))
            score = 0
            for key in entity.keys:
                if key == whole:
                    score = max(score, 100)
                elif key.startswith(whole):
                    score = max(score, 80)
                elif whole in key:
                    score = max(score, 60)
                elif len(words) > 1 and all(w in key for w in words):
                    score = max(score, 40)
            if score:
                hits.append(EntityHit(entity, score, query))
        rank = {k: i for i, k in enumerate(ENTITY_KINDS)}
        hits.sort(key=lambda h: (-h.score, rank.get(h.entity.kind, 99),
                                 len(h.entity.name("zh")), h.entity.iri))
        return hits[:limit]

    def resolve(self, value: str, classes: tuple[str, ...] = ()) -> tuple[list[Entity],
                                                                          list[Entity]]:
        """The entities a typed name names exactly (zh, en or pinyin, folded), and the
        best other matches (to offer when it names none)."""
        hits = self.find_entities(value, classes=classes, limit=20)
        exact = [h.entity for h in hits if h.score == 100]
        return exact, [h.entity for h in hits if h.score != 100]

    # ------------------------------------------------------------ quotes

    def find_quotes(self, query: str, limit: int = 50) -> list[QuoteHit]:
        """Quotes holding every word of the query (spaces and punctuation ignored)."""
        words = [w for w in (fold(part) for part in query.split()) if w]
        if not words:
            return []
        rows = self._db().execute(
            "SELECT claim, text, source, folded, positions FROM quote WHERE id IN "
            "(SELECT rowid FROM quote_grams WHERE quote_grams MATCH ?) ORDER BY id",
            (holding(words),))
        hits = []
        for claim, text, source, folded, blob in rows:
            positions = array("H")
            positions.frombytes(blob)
            quote = Quote(claim, text, source, folded, positions.tolist())
            spans = find_spans(text, " ".join(words), (folded, quote.positions))
            if spans:
                hits.append(QuoteHit(quote, spans))
        hits.sort(key=lambda h: (-len(h.spans), len(h.quote.text), h.quote.claim))
        return hits[:limit]

    # ------------------------------------------------------------ listings

    def kind_count(self, kind: str) -> int:
        """How many typed resources have IRIs under base + kind + '/'."""
        return int(self._db().execute("SELECT count(*) FROM listing WHERE kind = ?",
                                      (kind,)).fetchone()[0])

    def kind_page(self, kind: str, limit: int, offset: int) -> list[str]:
        """The IRIs of a kind, in IRI (code point) order, as SPARQL's ORDER BY sorts them."""
        return [row[0] for row in self._db().execute(
            "SELECT iri FROM listing WHERE kind = ? ORDER BY iri LIMIT ? OFFSET ?",
            (kind, limit, offset))]


class IndexNotReady(ReportedError, status=503, title="search index not ready",
                    kind="search-index-not-ready", retry_after=30):
    """The index is still being written (or could not be); the message says which."""


class LazyIndex:
    """A dataset's index: the release's own file, else one written in the background to
    a temporary file (never at start-up: `get` says so until it is ready)."""

    def __init__(self, path: Path | None) -> None:
        self.prebuilt = path is not None and path.is_file()
        self._index = SearchIndex(path) if self.prebuilt and path else None
        self._ready = threading.Event()
        self._failure: str | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        if self._index is not None:
            self._ready.set()

    def build_in_background(self, store: GraphStore, base: str,
                            dataset: QueryDataset = UNION) -> None:
        """Start writing the index (nothing to do if the release carries one)."""
        if self._ready.is_set():
            return
        self._folder = tempfile.TemporaryDirectory(prefix="kg-index-")
        path = Path(self._folder.name) / INDEX_FILE
        threading.Thread(target=self._build, args=(path, store, base, dataset),
                         name="kg-search-index", daemon=True).start()

    def _build(self, path: Path, store: GraphStore, base: str, dataset: QueryDataset) -> None:
        try:
            write_index(path, store, base, dataset)
            self._index = SearchIndex(path)
        except Exception as error:  # said on every search instead
            log.exception("the search index could not be built")
            self._failure = f"the search index could not be built: {error}"
        finally:
            self._ready.set()

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds` for the index; True if it is there (or failed)."""
        return self._ready.wait(seconds)

    def ready(self) -> SearchIndex | None:
        """The index if it is there now (None while it is being built or if it failed)."""
        return self._index

    def get(self) -> SearchIndex:
        """The index, or IndexNotReady saying why not."""
        if self._index is not None:
            return self._index
        if self._failure:
            raise IndexNotReady(self._failure)
        raise IndexNotReady("the search index is being built; try again in a minute")

    def close(self) -> None:
        if self._folder is not None and self._ready.is_set():
            self._folder.cleanup()


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
