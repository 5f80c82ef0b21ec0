"""Search by name (zh, en, pinyin with or without tones and spaces) and by quote."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kg.service.search import SearchIndex, fold

BASE = "https://w3id.org/cn-health-kg/"
WANG = f"{BASE}person/wang-haidong"


def index(client: TestClient) -> SearchIndex:
    return client.app.state.context.search  # type: ignore[attr-defined,no-any-return]


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
