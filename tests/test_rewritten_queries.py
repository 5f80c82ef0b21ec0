"""Saved queries rewritten for Oxigraph's planner at national scale answer exactly as the
text they replaced (tests/fixtures/replaced_queries/, the text before the rewrite): the
same bytes, with parameter values taken from the data, on the seed graph and on a
synthetic one. When a query's meaning is changed on purpose, drop its old text here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kg.catalogue import load_catalogue
from kg.namespaces import prefix_map
from kg.service.dataset import DatasetSource
from kg.service.worker import Answer, QueryJob, Worker, WorkerSetup
from kg.settings import Settings
from kg.store import GraphStore

REPLACED = Path(__file__).parent / "fixtures" / "replaced_queries"


def first(store: GraphStore, prefixes: dict[str, str], sparql: str) -> dict[str, str]:
    """The first solution of a query on the data, as parameter values."""
    for row in store.select(sparql, prefixes=prefixes):
        return {name: term.value for name, term in row.items() if term is not None}
    return {}


def indicator_figures(store: GraphStore, prefixes: dict[str, str]) -> list[dict[str, str]]:
    busy = first(store, prefixes, """SELECT ?indicator ?place WHERE {
        ?c hkg:indicator ?indicator ; hkg:place ?place } GROUP BY ?indicator ?place
        ORDER BY DESC(COUNT(*)) ?indicator ?place LIMIT 1""")
    rare = first(store, prefixes, """SELECT ?indicator WHERE { ?c hkg:indicator ?indicator }
        GROUP BY ?indicator ORDER BY COUNT(*) ?indicator LIMIT 1""")
    return [busy, {"indicator": busy["indicator"], "lang": "zh"}, rare,
            {**rare, "place": busy["place"]},
            {"indicator": "https://example.org/no-such-indicator"}]


def post_holders(store: GraphStore, prefixes: dict[str, str]) -> list[dict[str, str]]:
    busy = first(store, prefixes, """SELECT ?post (MAX(STR(?d)) AS ?date) WHERE {
        ?h a hkg:PostHolding ; hkg:post ?post ; dcterms:date ?d } GROUP BY ?post
        ORDER BY DESC(COUNT(*)) ?post LIMIT 1""")
    early = first(store, prefixes, """SELECT ?post (MIN(STR(?d)) AS ?date) WHERE {
        ?h a hkg:PostHolding ; hkg:post ?post ; dcterms:date ?d } GROUP BY ?post
        ORDER BY ?post LIMIT 1""")
    return [{"post": busy["post"], "date": (busy["date"] + "-01-01")[:10]},  # 2025-06: -01
            {"post": busy["post"], "date": "2030-01-01", "lang": "zh"},
            {"post": busy["post"], "date": "2000-01-01"},
            {"post": early["post"], "date": early["date"][:4] + "-12-31"}]


def task_scorecard(store: GraphStore, prefixes: dict[str, str]) -> list[dict[str, str]]:
    task = first(store, prefixes, """SELECT ?task ?year WHERE {
        ?task dcterms:isPartOf/hkg:year ?y BIND(STR(?y) AS ?year) } ORDER BY ?task LIMIT 1""")
    year = task.get("year", "2025")
    return [{"year": year}, {"year": year, "lang": "zh"}, {"year": "1999"},
            *([{"year": year, "task": task["task"]}] if task else [])]


def official_announced_target(store: GraphStore, prefixes: dict[str, str]) -> list[
        dict[str, str]]:
    busy = first(store, prefixes, """SELECT ?announcer ?indicator WHERE {
        ?t a hkg:Target ; hkg:announcedBy ?announcer ; hkg:indicator ?indicator }
        GROUP BY ?announcer ?indicator ORDER BY DESC(COUNT(*)) ?announcer LIMIT 1""")
    return [{}, {"lang": "zh"}, {"announcer": busy["announcer"]},
            {"indicator": busy["indicator"]}, busy,
            {"announcer": busy["announcer"], "indicator": "https://example.org/none"}]


def timeline(store: GraphStore, prefixes: dict[str, str]) -> list[dict[str, str]]:
    event = first(store, prefixes, """SELECT ?about ?day WHERE {
        ?item dcterms:date|schema:startDate ?d ; ?p ?about
        FILTER(isIRI(?about) && ?p != rdf:type) BIND(SUBSTR(STR(?d), 1, 7) AS ?day) }
        GROUP BY ?about ?day ORDER BY DESC(COUNT(*)) ?about LIMIT 1""")
    month = event["day"]
    return [{"from": month + "-01", "to": month + "-28"}, {"about": event["about"]},
            {"about": event["about"], "to": month + "-28", "lang": "zh"},
            {"from": "2025-01-01", "to": "2025-03-31"}, {"to": "2015-06-30"}]


PARAMETER_SETS: dict[str, Callable[[GraphStore, dict[str, str]], list[dict[str, str]]]] = {
    "indicator-figures": indicator_figures,
    "post-holders": post_holders,
    "task-scorecard": task_scorecard,
    "official-announced-target": official_announced_target,
    "timeline": timeline,
}


def test_every_replaced_text_has_its_parameter_sets() -> None:
    assert sorted(p.stem for p in REPLACED.glob("*.rq")) == sorted(PARAMETER_SETS)


@pytest.mark.parametrize("name", sorted(PARAMETER_SETS))
def test_a_rewritten_query_answers_as_the_text_it_replaced(
        name: str, either_store: tuple[str, Path]) -> None:
    graph, location = either_store
    source = DatasetSource(Settings(location=location))
    prefixes = prefix_map(source.base_iri())
    store = source.open()
    worker = Worker(store, WorkerSetup(source, prefixes))
    catalogue = load_catalogue(base=source.base_iri())
    query = catalogue[name]
    old = (REPLACED / f"{name}.rq").read_text(encoding="utf-8")
    assert old != query.text
    rows = 0
    for values in PARAMETER_SETS[name](store, prefixes):
        bindings = tuple(sorted(query.bind(values, catalogue.prefixes).items()))
        before = worker.answer(QueryJob(sparql=old, bindings=bindings))
        after = worker.answer(QueryJob(sparql=query.text, bindings=bindings))
        assert isinstance(before, Answer) and isinstance(after, Answer)
        assert after.body == before.body, values  # same rows, same order, same bytes
        rows += before.body.count(b'"uri"')
    assert rows > 0 or (graph, name) == ("synthetic", "task-scorecard")  # no tasks there
