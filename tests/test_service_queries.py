"""/api/queries: every saved question, its parameters, formats, cache and OpenAPI operation."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from kg.catalogue import load_catalogue, query_iri

BASE = "https://w3id.org/cn-health-kg/"
SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("https://schema.org/")
CATALOGUE = load_catalogue()


def rows(response: object) -> list[dict[str, str]]:
    data = response.json()  # type: ignore[attr-defined]
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def examples(name: str, only_required: bool = False) -> dict[str, str]:
    return {p.name: p.example for p in CATALOGUE[name].params
            if p.example is not None and (p.required or not only_required)}


def test_catalogue_lists_every_question_with_titles(service_client: TestClient) -> None:
    response = service_client.get("/api/queries")
    assert response.status_code == 200
    listed = {q["name"]: q for q in response.json()["queries"]}
    assert set(listed) == set(CATALOGUE)
    assert len(listed) >= 14
    for entry in listed.values():
        assert entry["title"]["zh"] and entry["title"]["en"]
        assert entry["url"].endswith(f"/api/queries/{entry['name']}")
        assert "PREFIX hkg:" in entry["sparql"] or "hkg:" not in entry["sparql"]


def test_catalogue_as_rdf_in_the_sparql_examples_style(service_client: TestClient) -> None:
    response = service_client.get("/api/queries", headers={"accept": "text/turtle"})
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    executables = set(graph.subjects(RDF.type, SH.SPARQLExecutable))
    assert len(executables) == len(CATALOGUE)
    for query in executables:
        assert (query, RDF.type, SH.SPARQLSelectExecutable) in graph
        languages = {label.language for label in graph.objects(query, RDFS.label)}
        assert {"zh", "en"} <= languages
        assert graph.value(query, SH.select) is not None
        assert graph.value(query, RDFS.comment) is not None
        assert graph.value(query, SCHEMA.keywords) is not None
    # the published text runs as it is, prefixes included (a question that is quick without
    # its parameters bound: entity-connections unbound walks the whole graph for minutes)
    quick = URIRef(query_iri(BASE, "agency-structure"))
    assert quick in executables
    select = str(graph.value(quick, SH.select))
    assert service_client.post("/sparql", content=select.encode(), headers={
        "content-type": "application/sparql-query"}).status_code == 200


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_each_saved_query_answers_its_examples(service_client: TestClient, name: str) -> None:
    for values in (examples(name, only_required=True), examples(name)):
        response = service_client.get(f"/api/queries/{name}", params=values)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/sparql-results+json"
        assert rows(response), f"{name} with {values} returned no rows"


def test_official_announced_target_wang_haidong(service_client: TestClient) -> None:
    response = service_client.get("/api/queries/official-announced-target", params={
        "announcer": f"{BASE}person/wang-haidong", "lang": "zh"})
    [row] = rows(response)
    assert row["value"] == "660000"
    assert row["event"] == f"{BASE}event/nhc-press-conference-2025-01"
    assert row["source"] == f"{BASE}source/002"
    assert "66万" in row["quote"]
    assert "人口家庭司" in row["posts"]


def test_childcare_target_announced_at_the_january_press_conference(
        service_client: TestClient) -> None:
    response = service_client.get("/api/queries/official-announced-target", params={
        "indicator": f"{BASE}indicator/childcare-places-per-1000"})
    found = [r for r in rows(response) if r["source"] == f"{BASE}source/002"]
    assert [(r["value"], r["comparator"], r["deadline"], r["event"]) for r in found] == [
        ("4.5", ">=", "2025", f"{BASE}event/nhc-press-conference-2025-01")]
    assert "4.5" in found[0]["quote"]


def test_indicator_figures_include_target_and_results(service_client: TestClient) -> None:
    response = service_client.get("/api/queries/indicator-figures", params={
        "indicator": f"{BASE}indicator/childcare-places-per-1000"})
    kinds = {(r["kind"], r["value"]) for r in rows(response)}
    assert ("target", "4.5") in kinds
    assert any(kind == "measurement" for kind, _ in kinds)


def test_task_scorecard_has_the_eight_tasks(service_client: TestClient) -> None:
    scorecard = rows(service_client.get("/api/queries/task-scorecard"))
    assert {r["number"] for r in scorecard} == {str(n) for n in range(1, 9)}
    target = f"{BASE}claim/002/t-childcare-places-per-1000"
    childcare = [r for r in scorecard if r.get("target") == target]
    assert childcare and childcare[0]["targetValue"] == "4.5"


def test_agency_structure_is_transitive(service_client: TestClient) -> None:
    structure = rows(service_client.get("/api/queries/agency-structure", params={
        "agency": f"{BASE}agency/nhc"}))
    people = {r.get("personLabel") for r in structure}
    assert {"Jiao Yahui", "Wang Haidong"} <= people
    assert any(r["unit"] != f"{BASE}agency/nhc" for r in structure)


def test_label_search_in_chinese_english_and_pinyin(service_client: TestClient) -> None:
    jiao = f"{BASE}person/jiao-yahui"
    for text in ("焦雅辉", "JIAO yahui", "jiaoyahui"):
        found = rows(service_client.get("/api/queries/label-search", params={"text": text}))
        assert jiao in {r["entity"] for r in found}, text
    english = rows(service_client.get("/api/queries/label-search", params={
        "text": "health commission", "language": "en"}))
    assert f"{BASE}agency/nhc" in {r["entity"] for r in english}
    assert all(r["language"] == "en" for r in english)


def test_timeline_is_ordered_and_bounded(service_client: TestClient) -> None:
    timeline = rows(service_client.get("/api/queries/timeline", params={
        "from": "2025-01-01", "to": "2025-01-31", "about": f"{BASE}person/wang-haidong"}))
    dates = [r["date"] for r in timeline]
    assert dates == sorted(dates) and dates
    assert all(d.startswith("2025") and d[:7] in ("2025", "2025-01") for d in dates)


# ---------------------------------------------------------------- parameter types

@pytest.mark.parametrize(("name", "params", "parameter"), [
    ("indicator-figures", {"indicator": "not an iri"}, "indicator"),
    ("indicator-figures", {"indicator": f"{BASE}person/jiao-yahui"}, "indicator"),
    ("indicator-figures", {}, "indicator"),
    ("label-search", {"text": "  "}, "text"),
    ("corroborated-figures", {"minSources": "two"}, "minSources"),
    ("province-comparison", {"atLeast": "1,5"}, "atLeast"),
    ("timeline", {"from": "2025-02-30"}, "from"),
    ("timeline", {"to": "January"}, "to"),
    ("source-claims", {"source": f"{BASE}source/002", "lang": "e n"}, "lang"),
    ("source-claims", {"source": f"{BASE}source/002", "sourse": "x"}, "sourse"),
    ("source-claims", [("source", f"{BASE}source/002"), ("source", f"{BASE}source/001")],
     "source"),
])
def test_invalid_values_are_422_naming_the_parameter(service_client: TestClient, name: str,
                                                     params: object, parameter: str) -> None:
    response = service_client.get(f"/api/queries/{name}", params=params)  # type: ignore[arg-type]
    assert response.status_code == 422
    assert response.json()["parameter"] == parameter
    assert f"'{parameter}'" in response.json()["detail"]


@pytest.mark.parametrize(("name", "params"), [
    ("indicator-figures", {"indicator": f"{BASE}indicator/childcare-places-per-1000"}),
    ("label-search", {"text": "托位", "language": "zh"}),
    ("corroborated-figures", {"minSources": "+3"}),
    ("province-comparison", {"atLeast": "50.5"}),
    ("province-comparison", {"atLeast": "-1"}),
    ("timeline", {"from": "2025-01-01", "to": "2025-12-31"}),
])
def test_valid_values_of_each_type_are_bound(service_client: TestClient, name: str,
                                             params: dict[str, str]) -> None:
    response = service_client.get(f"/api/queries/{name}", params=params)
    assert response.status_code == 200
    assert rows(response)


def test_numbers_are_compared_as_numbers(service_client: TestClient) -> None:
    everything = rows(service_client.get("/api/queries/province-comparison"))
    at_least = rows(service_client.get("/api/queries/province-comparison",
                                       params={"atLeast": "50.5"}))
    assert 0 < len(at_least) < len(everything)
    assert all(float(r["value"]) >= 50.5 for r in at_least)
    three = rows(service_client.get("/api/queries/corroborated-figures",
                                    params={"minSources": "3"}))
    assert three and all(int(r["sources"]) >= 3 for r in three)


def test_values_are_bound_as_terms_not_pasted(service_client: TestClient) -> None:
    sneaky = '") } UNION { ?entity ?matched ?language } #'
    response = service_client.get("/api/queries/label-search", params={"text": sneaky})
    assert response.status_code == 200
    assert rows(response) == []


# ---------------------------------------------------------------- formats, cache, docs

def test_csv_and_html_table_by_negotiation(service_client: TestClient) -> None:
    url = "/api/queries/official-announced-target"
    params = {"announcer": f"{BASE}person/wang-haidong"}
    table = service_client.get(url, params=params, headers={"accept": "text/csv"})
    assert table.headers["content-type"].startswith("text/csv")
    assert next(csv.DictReader(io.StringIO(table.text)))["value"] == "660000"
    html = service_client.get(url, params=params, headers={
        "accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert html.headers["content-type"].startswith("text/html")
    assert '<table class="results">' in html.text and "<form" in html.text
    assert "66万" in html.text  # the number as a Chinese reader writes it (default zh)
    assert service_client.get(url, params={**params, "format": "tsv"}).headers[
        "content-type"].startswith("text/tab-separated-values")


def test_invalid_value_in_the_browser_shows_the_form_with_the_error(
        service_client: TestClient) -> None:
    first_visit = service_client.get("/api/queries/indicator-figures",
                                     headers={"accept": "text/html"})
    assert first_visit.status_code == 200
    assert '<input name="indicator"' in first_visit.text
    assert '<table class="results">' not in first_visit.text
    response = service_client.get("/api/queries/timeline", params={"from": "soon"},
                                  headers={"accept": "text/html"})
    assert response.status_code == 422
    error = response.text.split('<p class="error">', 1)[1].split("</p>", 1)[0]
    assert "<span data-value>soon</span>" in error  # the value, worded in the page language
    assert "“起点”" in error or "From:" in error, error


def test_repeated_answers_come_from_the_cache(service_client: TestClient) -> None:
    params = {"source": f"{BASE}source/002", "lang": "zh"}
    first = service_client.get("/api/queries/source-claims", params=params,
                               headers={"accept": "text/csv"})
    again = service_client.get("/api/queries/source-claims", params=params,
                               headers={"accept": "text/csv"})
    other = service_client.get("/api/queries/source-claims", params={**params, "lang": "en"},
                               headers={"accept": "text/csv"})
    assert (first.headers["x-kg-cache"], again.headers["x-kg-cache"]) == ("miss", "hit")
    assert other.headers["x-kg-cache"] == "miss"
    assert first.content == again.content != other.content


def test_each_saved_query_is_a_typed_openapi_operation(service_client: TestClient) -> None:
    spec = service_client.get("/openapi.json").json()
    for name, query in CATALOGUE.items():
        operation = spec["paths"][f"/api/queries/{name}"]["get"]
        assert operation["summary"] == query.title["en"]
        declared = {p["name"]: p for p in operation["parameters"]}
        assert set(declared) == {p.name for p in query.params} | {"format"}
        for p in query.params:
            assert declared[p.name]["required"] == p.required
            if p.example is not None:
                assert "example" in declared[p.name]
    corroborated = {p["name"]: p for p in
                    spec["paths"]["/api/queries/corroborated-figures"]["get"]["parameters"]}
    assert corroborated["minSources"]["schema"] == {"type": "integer", "default": 2}
    timeline = {p["name"]: p for p in spec["paths"]["/api/queries/timeline"]["get"]["parameters"]}
    assert timeline["from"]["schema"]["format"] == "date"
    assert timeline["about"]["schema"]["format"] == "uri"
    assert timeline["about"]["example"] == f"{BASE}person/wang-haidong"


def test_unknown_saved_query_is_404(service_client: TestClient) -> None:
    response = service_client.get("/api/queries/who-is-the-best")
    assert response.status_code == 404
    assert "official-announced-target" in response.json()["detail"]
