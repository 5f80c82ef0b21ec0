"""Derived indexes narrow a saved query without changing its answer: the same rows in the
same order as the plain SPARQL on the same release, on the seed graph and a synthetic one."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from kg.catalogue import Catalogue, load_catalogue
from kg.derived_indexes import DERIVED_FILE, NARROWED, DerivedIndexes
from kg.namespaces import prefix_map
from kg.service.dataset import DatasetSource
from kg.service.worker import Answer, QueryJob, Worker, WorkerSetup
from kg.settings import Settings
from kg.store import current_release
from kg.store.terms import iri


def timeline_sets(db: sqlite3.Connection) -> list[dict[str, str]]:
    """Dates and entities taken from the data: the busiest entity, a rare one, one that
    no dated item involves, ranges at each precision, open on either side."""
    days = sorted(day for (day,) in db.execute("SELECT DISTINCT day FROM timeline_items"))
    busy = db.execute("SELECT entity FROM timeline_involves GROUP BY entity "
                      "ORDER BY count(*) DESC, entity LIMIT 1").fetchone()[0]
    rare = db.execute("SELECT entity FROM timeline_involves GROUP BY entity "
                      "HAVING count(*) = 1 ORDER BY entity LIMIT 1").fetchone()[0]
    assert len(days) > 3
    first, third, middle = (month(days[i]) for i in (0, len(days) // 3, len(days) // 2))
    return [
        {"from": first + "-01", "to": first + "-28"},
        {"from": middle + "-15"},
        {"to": third + "-28"},
        {"about": busy},
        {"about": rare},
        {"about": busy, "from": first + "-01", "to": middle + "-28"},
        {"about": "https://example.org/involved-in-nothing"},
        {"from": "2025-01-01", "to": "2025-03-31", "about": rare},
    ]


def month(day: str) -> str:
    """The YYYY-MM of a day, month or year (a year stands for its June)."""
    return day[:7] if len(day) >= 7 else day[:4] + "-06"


def label_search_sets(db: sqlite3.Connection) -> list[dict[str, str]]:
    """Texts taken from the names in the data: a whole rare name, the middle of one, a
    name of two words written in capitals without its space, a Chinese pair, one
    character, a common pair of letters, in each language and none, and a text no name
    holds."""
    def name(where: str) -> str:
        row = db.execute(f"SELECT name FROM label_names WHERE {where} "
                         "ORDER BY length(name), name LIMIT 1 OFFSET 3").fetchone()
        assert row is not None, where
        return str(row[0])

    rare = name("name GLOB '*[^ -~]*' AND length(name) >= 4")  # has a non-ASCII character
    spaced = name("name GLOB '[A-Za-z]* [A-Za-z]*' AND length(name) >= 8")
    chinese = name("unicode(name) >= 19968 AND length(name) >= 3")
    return [
        {"text": rare},
        {"text": rare[1:-1], "language": "zh"},
        {"text": spaced.upper().replace(" ", "")},
        {"text": spaced[2:-1], "language": "en"},
        {"text": chinese[:2]},
        {"text": chinese[1:3], "language": "en"},
        {"text": chinese[0]},  # one character: a prefix of the index's tokens
        {"text": "An"},  # hundreds of names: the LIMIT cuts the answer
        {"text": "雅辉"},
        {"text": "qqxqzq 不存在"},
    ]


PARAMETER_SETS = {"timeline": timeline_sets, "label-search": label_search_sets}


def answers(location: Path, catalogue: Catalogue, name: str, values: dict[str, str]) -> tuple[
        Answer, Answer, int]:
    """A saved query answered plainly and narrowed, and how many candidates narrowed it."""
    source = DatasetSource(Settings(location=location))
    worker = Worker(source.open(), WorkerSetup(source, prefix_map(source.base_iri())))
    query = catalogue[name]
    bound: dict[str, Any] = query.bind(values, catalogue.prefixes)
    bindings = tuple((name, term) for name, term in bound.items())
    narrowed = DerivedIndexes(current_release(location)).candidates(name, bound)
    assert narrowed is not None, values
    variable, items = narrowed
    plain = worker.answer(QueryJob(sparql=query.text, bindings=bindings))
    fast = worker.answer(QueryJob(sparql=query.text, bindings=bindings,
                                  restrict=(variable, tuple(iri(i) for i in items))))
    assert isinstance(plain, Answer) and isinstance(fast, Answer)
    return plain, fast, len(items)


#: For each narrowed query, how many values its variable takes over the whole graph.
EVERY_VALUE = {"timeline": "SELECT count(DISTINCT item) FROM timeline_items",
               "label-search": "SELECT count(DISTINCT entity) FROM label_names"}


@pytest.mark.parametrize("name", sorted(NARROWED))
def test_a_query_narrowed_by_the_derived_index_answers_as_plain_sparql(
        name: str, either_store: tuple[str, Path]) -> None:
    _, location = either_store
    release = current_release(location)
    catalogue = load_catalogue(base=DatasetSource(Settings(location=location)).base_iri())
    db = sqlite3.connect(release / DERIVED_FILE)
    every = db.execute(EVERY_VALUE[name]).fetchone()[0]
    sets = PARAMETER_SETS[name](db)
    db.close()
    rows = 0
    for values in sets:
        plain, fast, candidates = answers(location, catalogue, name, values)
        assert fast.body == plain.body, values  # same rows, same order, same bytes
        assert candidates < every, values  # the index did narrow
        rows += plain.body.count(b'"uri"')
    assert rows > 0  # some of the sets have an answer


def test_without_parameters_or_derived_tables_nothing_is_narrowed(
        built_store: tuple[Path, Any], tmp_path: Path) -> None:
    catalogue = load_catalogue()
    query = catalogue["timeline"]
    derived = DerivedIndexes(current_release(built_store[0]))
    assert derived.candidates("timeline", query.bind({}, catalogue.prefixes)) is None
    assert derived.candidates("label-search", {}) is None
    assert derived.candidates("indicator-figures", {}) is None  # not narrowed
    search = catalogue["label-search"]
    assert derived.candidates("label-search", search.bind({"text": " - "},
                                                          catalogue.prefixes)) is None
    bound = query.bind({"from": "2025-01-01"}, catalogue.prefixes)
    assert derived.candidates("timeline", bound) is not None
    assert DerivedIndexes(tmp_path).candidates("timeline", bound) is None
    assert DerivedIndexes(None).candidates("timeline", bound) is None
