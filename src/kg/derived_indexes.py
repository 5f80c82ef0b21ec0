"""Indexes derived from a release's graph, for saved queries that SPARQL alone scans.

A release carries `derived.sqlite` beside its search index: tables written once, when
the release is made, from the same graph. A saved query that has one is still answered
by its own SPARQL text, on the same store: the index only says which values one of its
variables can take for the given parameters (a superset of those in the answer), and
the worker adds them as a `VALUES` block to the checked text (`restrict_values`). The
answer is therefore the query's own, rows and order; only the scan is gone. Where the
index would list too many values (few or no parameters), or the release has none, the
query runs unchanged. tests/test_derived_indexes.py compares both ways.

- **timeline**: every item with a date (`schema:startDate`, `dcterms:date`) and its
  day, and every IRI an item involves (`?item ?p ?about`, or a claim at the event that
  does: `?claim hkg:atEvent ?item ; ?q ?about`); `from`, `to` and `about` become a
  look-up by day and by entity instead of a scan of every dated item.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Store
from rdflib.namespace import DCTERMS

from kg.namespaces import HKG, SCHEMA

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


def write_derived_indexes(release: Path, store: Store) -> None:
    """Write the release's derived tables (one pass of SPARQL per table, union graph)."""
    path = release / DERIVED_FILE
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.executescript("""
            CREATE TABLE timeline_items (item TEXT NOT NULL, day TEXT NOT NULL);
            CREATE TABLE timeline_involves (item TEXT NOT NULL, entity TEXT NOT NULL);
        """)
        _insert(db, "timeline_items", _rows(store, TIMELINE_ITEMS, "item", "date"))
        _insert(db, "timeline_involves", _rows(store, TIMELINE_INVOLVES, "item", "about"))
        db.executescript("""
            CREATE INDEX timeline_by_day ON timeline_items (day, item);
            CREATE INDEX timeline_by_entity ON timeline_involves (entity, item);
        """)
        db.commit()
    finally:
        db.close()


def _rows(store: Store, sparql: str, *names: str) -> Iterator[tuple[str, ...]]:
    for solution in store.query(sparql, use_default_graph_as_union=True):
        terms = [solution[name] for name in names]
        if all(isinstance(t, NamedNode | Literal) for t in terms):
            yield tuple(t.value for t in terms)  # type: ignore[union-attr]


def _insert(db: sqlite3.Connection, table: str, rows: Iterator[tuple[str, ...]]) -> None:
    batch: list[tuple[str, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            db.executemany(f"INSERT INTO {table} VALUES (?, ?)", batch)
            batch.clear()
    db.executemany(f"INSERT INTO {table} VALUES (?, ?)", batch)


#: The saved queries a derived table narrows.
NARROWED = frozenset({"timeline"})


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
        if query not in NARROWED:
            return None
        with self._lock:
            db = self._connection()
            if db is None:
                return None
            items = self._timeline(db, values)
        return None if items is None else ("item", items)

    @staticmethod
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
