"""Indexes derived from a release's graph, for saved queries that SPARQL alone scans.

A release carries `derived.sqlite` beside its search index: tables written once, when
the release is made, from the same graph. A saved query that has one is still answered
by its own SPARQL text, on the same store: the index only says which values one of its
variables can take for the given parameters (a superset of those in the answer), and
the worker adds them as a `VALUES` block to the checked text (`restrict_values`). The
answer is therefore the query's own, rows and order; only the scan is gone. Where the
index would list too many values (few or no parameters), or the release has none, the
query runs unchanged. tests/test_derived_indexes.py compares both ways.

`NARROWINGS` says, for each such query, which variable and which look-up:

- **timeline** (`?item`): every item with a date (`schema:startDate`, `dcterms:date`)
  and its day, and every IRI an item involves (`?item ?p ?about`, or a claim at the
  event that does: `?claim hkg:atEvent ?item ; ?q ?about`); `from`, `to` and `about`
  become a look-up by day and by entity instead of a scan of every dated item.
- **label-search** (`?entity`): every `rdfs:label`, `skos:altLabel` and `hkg:pinyin`
  with its subject, indexed by the character bigrams of its `kg.search.fold` (which
  only drops characters and maps each alone, so a text contained in a label folds to
  a text contained in the folded label); the bigram match is then checked with the
  query's own test (lower case, spaces removed, contains), so `text` becomes a look-up
  instead of a filter over every name in the graph. (Python's lower case stands for
  SPARQL's LCASE: both are Unicode's full mapping.)

Other saved queries that were slow at national scale were rewritten to forms Oxigraph
plans well, with the same answers (see bench/RESULTS.md, 2026-12-08).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib.namespace import DCTERMS, RDFS, SKOS

from kg.namespaces import HKG, SCHEMA
from kg.search import fold, grams, holding
from kg.store import GraphStore

DERIVED_FILE = "derived.sqlite"
#: More candidate values than this and the query runs unchanged (a long VALUES block
#: costs more than it saves).
MAX_CANDIDATES = 2_000
_BATCH = 50_000

TIMELINE_ITEMS = f"""
SELECT ?item ?date WHERE {{
  {{ ?item <{SCHEMA.startDate}> ?date }} UNION {{ ?item <{DCTERMS.date}> ?date }}
}}"""
TIMELINE_INVOLVES = f"""
SELECT DISTINCT ?item ?about WHERE {{
  {{ ?item <{SCHEMA.startDate}> ?d }} UNION {{ ?item <{DCTERMS.date}> ?d }}
  {{ ?item ?p ?about }} UNION {{ ?claim <{HKG.atEvent}> ?item ; ?q ?about }}
  FILTER(isIRI(?about))
}}"""
LABELS = f"""
SELECT ?entity ?name WHERE {{ ?entity <{RDFS.label}>|<{SKOS.altLabel}>|<{HKG.pinyin}> ?name }}"""


def write_derived_indexes(release: Path, store: GraphStore) -> None:
    """Write the release's derived tables (one pass of SPARQL per table, union graph)."""
    path = release / DERIVED_FILE
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.executescript("""
            CREATE TABLE timeline_items (item TEXT NOT NULL, day TEXT NOT NULL);
            CREATE TABLE timeline_involves (item TEXT NOT NULL, entity TEXT NOT NULL);
            CREATE TABLE label_names (id INTEGER PRIMARY KEY, entity TEXT, name TEXT NOT NULL);
            CREATE VIRTUAL TABLE label_grams USING fts5(grams, content='', columnsize=0,
                                                        tokenize='ascii');
        """)
        _insert(db, "timeline_items", _rows(store, TIMELINE_ITEMS, "item", "date"))
        _insert(db, "timeline_involves", _rows(store, TIMELINE_INVOLVES, "item", "about"))
        _insert_names(db, store)
        db.executescript("""
            CREATE INDEX timeline_by_day ON timeline_items (day, item);
            CREATE INDEX timeline_by_entity ON timeline_involves (entity, item);
            INSERT INTO label_grams(label_grams) VALUES ('optimize');
        """)
        db.commit()
    finally:
        db.close()


def _rows(store: GraphStore, sparql: str, *names: str) -> Iterator[tuple[str, ...]]:
    for row in store.select(sparql):
        terms = [row.get(name) for name in names]
        if all(t is not None and t.kind != "bnode" for t in terms):
            yield tuple(t.value for t in terms)  # type: ignore[union-attr]


def _insert_names(db: sqlite3.Connection, store: GraphStore) -> None:
    """Every name with its subject (NULL for a blank node, which VALUES cannot name) and
    the bigrams of its fold, under the same rowid."""
    batch: list[tuple[int, str | None, str]] = []

    def flush() -> None:
        db.executemany("INSERT INTO label_names VALUES (?, ?, ?)", batch)
        db.executemany("INSERT INTO label_grams(rowid, grams) VALUES (?, ?)",
                       ((rowid, grams(fold(name))) for rowid, _, name in batch))
        batch.clear()

    for rowid, row in enumerate(store.select(LABELS), start=1):
        entity, name = row["entity"], row["name"]
        batch.append((rowid, None if entity.kind == "bnode" else entity.value, name.value))
        if len(batch) >= _BATCH:
            flush()
    flush()


def _insert(db: sqlite3.Connection, table: str, rows: Iterator[tuple[str, ...]]) -> None:
    batch: list[tuple[str, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            db.executemany(f"INSERT INTO {table} VALUES (?, ?)", batch)
            batch.clear()
    db.executemany(f"INSERT INTO {table} VALUES (?, ?)", batch)


class DerivedIndexes:
    """A release's derived tables, read-only (absent: nothing is narrowed). Safe to
    share between threads (one connection, one query at a time)."""

    def __init__(self, release: Path | None) -> None:
        self.path = release / DERIVED_FILE if release else None
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection | None:
        if self._db is None and self.path is not None and self.path.is_file():
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                       check_same_thread=False)
        return self._db

    def candidates(self, query: str, values: Mapping[str, Any]) -> tuple[str, list[str]] | None:
        """The variable of saved query `query` and the IRIs it can take with these bound
        values (a superset of the answer's), or None to run the query unchanged."""
        narrowing = NARROWINGS.get(query)
        if narrowing is None:
            return None
        with self._lock:
            db = self._connection()
            if db is None:
                return None
            try:
                found = narrowing.look_up(db, values)
            except sqlite3.OperationalError:  # a release written before this table was
                return None
        return None if found is None else (narrowing.variable, found)


def _timeline(db: sqlite3.Connection, values: Mapping[str, Any]) -> list[str] | None:
    """The query's own date test (a day compared at its own precision) and, given
    `about`, the items that involve it."""
    start = str(values["from"].value) if "from" in values else ""
    end = str(values["to"].value) if "to" in values else "9999"
    about = values.get("about")
    if about is None and not ("from" in values or "to" in values):
        return None  # every dated item: nothing to narrow
    sql = ("SELECT DISTINCT t.item FROM timeline_items t"
           + (" JOIN timeline_involves i ON i.item = t.item AND i.entity = :about"
              if about is not None else "")
           + " WHERE t.day >= substr(:start, 1, length(t.day))"
             " AND t.day <= substr(:end, 1, length(t.day))"
             " ORDER BY t.item LIMIT :cap")
    rows = db.execute(sql, {"start": start, "end": end, "cap": MAX_CANDIDATES + 1,
                            "about": about.value if about is not None else None})
    items = [row[0] for row in rows]
    return None if len(items) > MAX_CANDIDATES else items


def _label_search(db: sqlite3.Connection, values: Mapping[str, Any]) -> list[str] | None:
    """The subjects of the names that contain `text` as the query tests it (lower case,
    spaces removed), found through the bigrams of its fold."""
    wanted = str(values["text"].value).lower().replace(" ", "") if "text" in values else ""
    key = fold(wanted)
    if not key:
        return None  # punctuation alone (or nothing): its fold matches every name
    found: set[str] = set()
    rows = db.execute("SELECT entity, name FROM label_names WHERE id IN "
                      "(SELECT rowid FROM label_grams WHERE label_grams MATCH ?)",
                      (holding([key]),))
    for entity, name in rows:
        if wanted in name.lower().replace(" ", ""):
            if entity is None:
                return None  # a blank node: a VALUES block cannot name it
            found.add(entity)
            if len(found) > MAX_CANDIDATES:
                return None
    return sorted(found)


@dataclass(frozen=True, slots=True)
class Narrowing:
    """Which variable of a saved query a derived table narrows, and how: the look-up
    gives the values it can take for the bound parameters, or None (not narrowed)."""

    variable: str
    look_up: Callable[[sqlite3.Connection, Mapping[str, Any]], list[str] | None]


#: The saved queries a derived table narrows.
NARROWINGS: dict[str, Narrowing] = {
    "timeline": Narrowing("item", _timeline),
    "label-search": Narrowing("entity", _label_search),
}
NARROWED = frozenset(NARROWINGS)
