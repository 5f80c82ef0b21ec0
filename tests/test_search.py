"""Search by name (zh, en, pinyin with or without tones and spaces) and by quote."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kg.build import BuildSummary
from kg.search import INDEX_FILE, SearchIndex, fold, write_index
from kg.service.context import ByteBoundedCache, ServiceConfig
from kg.service.dataset import DatasetSource
from kg.settings import Settings
from kg.store import EmbeddedStore, current_release

BASE = "https://w3id.org/cn-health-kg/"
WANG = f"{BASE}person/wang-haidong"
ONTOLOGY = f"{BASE}ontology#"


def index(client: TestClient) -> SearchIndex:
    return client.app.state.context.search.get()  # type: ignore[attr-defined,no-any-return]


def test_fold_removes_case_tones_spaces_and_punctuation() -> None:
    assert fold("Wáng Hǎidōng") == fold("wang haidong") == fold("WangHaidong") == "wanghaidong"
    assert fold("王 海东。") == "王海东"


@pytest.mark.parametrize("query", ["王海东", "海东", "wang haidong", "wanghaidong",
                                   "Wáng Hǎidōng", "Wang Haidong", "haidong"])
def test_wang_haidong_is_the_first_hit(service_client: TestClient, query: str) -> None:
    hits = index(service_client).find_entities(query)
    assert hits and hits[0].entity.iri == WANG, [h.entity.iri for h in hits[:3]]


def test_exact_name_ranks_above_partial(service_client: TestClient) -> None:
    hits = index(service_client).find_entities("beijing")
    assert hits[0].entity.iri == f"{BASE}region/beijing"
    assert hits[0].score > hits[1].score


def test_english_and_alternative_names_are_searched(service_client: TestClient) -> None:
    hits = index(service_client).find_entities("National Health Commission")
    assert hits[0].entity.iri == f"{BASE}agency/nhc"
    short = index(service_client).find_entities("医政司")  # skos:altLabel
    assert f"{BASE}agency/nhc-medical-administration" in [h.entity.iri for h in short]


def test_quotes_are_searched_and_highlighted(service_client: TestClient) -> None:
    hits = index(service_client).find_quotes("托位 66万")
    assert hits
    for hit in hits:
        marked = "".join(text for text, on in hit.segments() if on)
        assert "托位" in marked and "66万" in marked
        assert "".join(text for text, _ in hit.segments()) == hit.quote.text


def test_search_page_links_and_marks(service_client: TestClient) -> None:
    html = service_client.get("/search", params={"q": "海东"},
                              headers={"accept": "text/html"}).text
    assert 'href="http://testserver/person/wang-haidong"' in html
    assert "<mark>海东</mark>" in html
    assert "type=person" in html  # a facet


def test_search_facet_filters_by_kind(service_client: TestClient) -> None:
    everything = service_client.get("/search", params={"q": "beijing"},
                                    headers={"accept": "application/json"}).json()
    assert {"region", "agency"} <= set(everything["facets"])
    regions = service_client.get("/search", params={"q": "beijing", "type": "region"},
                                 headers={"accept": "application/json"}).json()
    assert regions["entities"] and {e["kind"] for e in regions["entities"]} == {"region"}
    assert regions["quotes"] == []
    quotes = service_client.get("/search", params={"q": "托位", "type": "claim"},
                                headers={"accept": "application/json"}).json()
    assert quotes["entities"] == [] and len(quotes["quotes"]) == quotes["facets"]["claim"] > 0


def test_search_answers_json_by_accept(service_client: TestClient) -> None:
    response = service_client.get("/search", params={"q": "wanghaidong"},
                                  headers={"accept": "application/json"})
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["entities"][0]["iri"] == WANG
    assert body["entities"][0]["url"] == "http://testserver/person/wang-haidong"
    quotes = service_client.get("/search", params={"q": "王海东"},
                                headers={"accept": "application/json"}).json()["quotes"]
    assert quotes and all(q["quote"][s:e] == "王海东" for q in quotes
                          for s, e in q["highlight"])


def test_empty_and_unmatched_queries(service_client: TestClient) -> None:
    assert service_client.get("/search", headers={"accept": "text/html"}).status_code == 200
    body = service_client.get("/search", params={"q": "zzzqqqxxx"},
                              headers={"accept": "application/json"}).json()
    assert body["entities"] == [] and body["quotes"] == []


def test_suggest_filters_by_class(service_client: TestClient) -> None:
    people = service_client.get("/search/suggest", params={"q": "wang", "type": "hkg:Person"})
    assert people.status_code == 200
    items = people.json()
    assert items and all(i["kind"] == "person" for i in items)
    assert WANG in [i["iri"] for i in items]
    regions = service_client.get("/search/suggest", params={"q": "wang", "type": "region"}).json()
    assert WANG not in [i["iri"] for i in regions]


def test_saved_query_takes_a_name_for_an_iri(service_client: TestClient) -> None:
    url = "/api/queries/official-announced-target"
    by_name = service_client.get(url, params={"announcer": "王海东"},
                                 headers={"accept": "application/json"})
    by_iri = service_client.get(url, params={"announcer": WANG},
                                headers={"accept": "application/json"})
    assert by_name.status_code == 200
    assert by_name.json()["results"] == by_iri.json()["results"]
    assert by_name.json()["results"]["bindings"]
    prefixed = service_client.get(url, params={"announcer": "kgd:person/wang-haidong"},
                                  headers={"accept": "application/json"})
    assert prefixed.json()["results"] == by_iri.json()["results"]


def test_an_ambiguous_name_is_422_with_candidates(service_client: TestClient) -> None:
    response = service_client.get("/api/queries/official-profile", params={"person": "wang"},
                                  headers={"accept": "application/json"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["parameter"] == "person"
    assert WANG in [c["iri"] for c in problem["candidates"]]
    assert len(problem["candidates"]) > 1
    page = service_client.get("/api/queries/official-profile", params={"person": "wang"},
                              headers={"accept": "text/html"})
    assert page.status_code == 422
    assert "person=https" in page.text  # each candidate fills the form with its IRI
    unknown = service_client.get("/api/queries/official-profile",
                                 params={"person": "诸葛亮"},
                                 headers={"accept": "application/json"})
    assert unknown.status_code == 422 and "诸葛亮" in unknown.json()["detail"]


def test_forms_pick_entities_by_name(service_client: TestClient) -> None:
    html = service_client.get("/api/queries/official-profile",
                              headers={"accept": "text/html"}).text
    assert 'list="pick-person"' in html and 'data-suggest=' in html
    assert 'type="url"' not in html
    script = service_client.get("/static/suggest.js")
    assert script.status_code == 200 and "datalist" in script.text.lower()


def test_names_are_highlighted_too(service_client: TestClient) -> None:
    service_client.cookies.clear()
    html = service_client.get("/search", params={"q": "wang haidong", "lang": "en"},
                              headers={"accept": "text/html"}).text
    service_client.cookies.clear()
    assert "<mark>Wang Haidong</mark>" in html


# ---------------------------------------------------------------- the index a release carries

QUERIES = ["王海东", "海东", "wang haidong", "beijing", "医", "医保", "托位 66万", "委员会",
           "National Health Commission", "医政司", "2025", "卫生 健康", "司"]


def answers(search: SearchIndex, query: str) -> tuple[list[tuple[str, int]], list[Any]]:
    """What a search shows: entities ranked with scores, quotes ranked with highlights."""
    return ([(h.entity.iri, h.score) for h in search.find_entities(query, limit=1000)],
            [(h.quote.claim, h.quote.text, h.spans) for h in search.find_quotes(query)])


def without_index(built_store: tuple[Path, BuildSummary], folder: Path) -> Path:
    """A copy of the built store as a release made before releases carried their index
    and statistics."""
    location = folder / "store"
    shutil.copytree(built_store[0], location, symlinks=True)
    release = current_release(location)
    (release / INDEX_FILE).unlink()
    path = release / "manifest.json"
    built_at = path.stat().st_mtime  # what Last-Modified says
    manifest = json.loads(path.read_text(encoding="utf-8"))
    del manifest["statistics"]
    path.write_text(json.dumps(manifest), encoding="utf-8")
    os.utime(path, (built_at, built_at))
    return location


def test_a_release_carries_its_search_index_and_statistics(
        built_store: tuple[Path, BuildSummary]) -> None:
    release = current_release(built_store[0])
    assert (release / INDEX_FILE).is_file()
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    figures = manifest["statistics"]
    assert figures["graphs"] == manifest["triples"]
    assert f"{ONTOLOGY}Person" in dict(figures["data_classes"])
    assert any(k == f"{ONTOLOGY}Person" and n > 10 for k, n in figures["classes"])


def test_the_lazily_built_index_answers_as_the_release_index(
        built_store: tuple[Path, BuildSummary], tmp_path: Path) -> None:
    store = EmbeddedStore.open(built_store[0])
    path = tmp_path / INDEX_FILE
    write_index(path, store, BASE)
    prebuilt, lazy = SearchIndex(current_release(built_store[0]) / INDEX_FILE), SearchIndex(path)
    for query in QUERIES:
        assert answers(prebuilt, query) == answers(lazy, query), query
    assert answers(prebuilt, "王海东")[0][0] == (WANG, 100)


def test_a_release_without_its_index_still_serves_search_and_pages(
        built_store: tuple[Path, BuildSummary], service_client: TestClient,
        tmp_path: Path) -> None:
    from kg.service.app import create_app

    app = create_app(ServiceConfig(source=DatasetSource(Settings(
        location=without_index(built_store, tmp_path), workers=1))))
    with TestClient(app) as client:
        for url in ("/search?q=海东", "/search/suggest?q=wang&type=hkg:Person",
                    "/person?page=2", "/", "/dataset", "/void",
                    "/api/queries/official-profile?person=王海东&format=json"):
            old, new = client.get(url), service_client.get(url)
            assert old.status_code == new.status_code == 200, url
            assert old.text == new.text, url
        assert not app.state.context.search.prebuilt


def test_search_answers_503_while_the_index_is_being_built(
        built_store: tuple[Path, BuildSummary], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from kg import search
    from kg.service import context
    from kg.service.app import create_app

    building = threading.Event()
    write = search.write_index

    def slow_write(*args: Any) -> None:
        building.wait(30)
        write(*args)

    monkeypatch.setattr(search, "write_index", slow_write)
    monkeypatch.setattr(context, "SEARCH_WAIT_SECONDS", 0.1)
    app = create_app(ServiceConfig(source=DatasetSource(Settings(
        location=without_index(built_store, tmp_path), workers=1))))
    with TestClient(app) as client:
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        waiting = client.get("/search", params={"q": "海东"})
        assert waiting.status_code == 503 and waiting.headers["retry-after"]
        assert "being built" in waiting.json()["detail"]
        assert client.get("/").status_code == 200  # the home page lists without the index
        building.set()
        assert app.state.context.search.wait(30)
        assert client.get("/search", params={"q": "海东"}).status_code == 200


def test_pages_take_whole_graph_figures_from_the_release(
        service_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.service import void

    def whole_graph(*args: Any) -> None:
        raise AssertionError("the release's statistics were not used")

    monkeypatch.setattr(void, "dataset_statistics", whole_graph)
    monkeypatch.setattr(service_client.app.state.context, "memo",  # type: ignore[attr-defined]
                        ByteBoundedCache(2**20))
    for url in ("/", "/dataset", "/void", "/sparql"):
        assert service_client.get(url, headers={"accept": "text/turtle"}
                                  if url == "/sparql" else {}).status_code == 200, url
