"""`/scorecard`: eight tasks, each once, targets deduplicated, charts, conflicts."""

from __future__ import annotations

import re
from collections import Counter

from fastapi.testclient import TestClient

BASE = "https://w3id.org/cn-health-kg/"


def numeric(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def scorecard(client: TestClient, **params: str) -> dict:  # type: ignore[type-arg]
    response = client.get("/scorecard", params=params, headers={"accept": "application/json"})
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_eight_tasks_each_once(service_client: TestClient) -> None:
    tasks = scorecard(service_client, year="2025")["tasks"]
    assert [t["number"] for t in tasks] == [str(n) for n in range(1, 9)]
    assert len({t["task"] for t in tasks}) == 8


def test_a_target_stated_in_several_sources_is_one_target(service_client: TestClient) -> None:
    tasks = scorecard(service_client)["tasks"]
    childcare = next(t for t in tasks if t["number"] == "4")
    keys = [(g["indicator"], g["place"]) for g in childcare["targets"]]
    assert len(keys) == len(set(keys)) == 2   # 2 targets, not 2 x 3 source rows
    assert max(len(g["statements"]) for g in childcare["targets"]) >= 2
    sources = {s["source"] for g in childcare["targets"] for s in g["statements"]}
    assert len(sources) >= 2
    places = next(g for g in childcare["targets"]
                  if g["indicator"] == f"{BASE}indicator/new-inclusive-childcare-places")
    assert places["values"] == ["660000"] and places["status"] == "exceeded"
    assert {r["value"] for r in places["results"]} == {"890000"}
    assert all(r["reportedBy"] for r in places["results"])


def test_html_rows_once_with_a_chart_per_task(service_client: TestClient) -> None:
    html = service_client.get("/scorecard", headers={"accept": "text/html"}).text
    summary = html.split('<table class="fixed summary">')[1].split("</table>")[0]
    assert Counter(re.findall(r'href="#task-(\d)"', summary)) == {str(n): 1 for n in range(1, 9)}
    assert html.count('<section class="task"') == 8
    tasks = scorecard(service_client)["tasks"]
    with_numbers = [t for t in tasks if any(numeric(v) is not None for g in t["targets"]
                                            for v in g["values"])]
    assert len(with_numbers) >= 4
    assert html.count("<svg") == len(with_numbers)  # a chart for each task with figures
    assert "66万" in html and "89万" in html
    assert "xsd:" not in html and "^^" not in html


def test_conflicting_values_are_flagged(service_client: TestClient) -> None:
    tasks = scorecard(service_client)["tasks"]
    for task in tasks:
        for target in task["targets"]:
            assert target["conflict"] == (len({numeric(v) for v in target["values"]}) > 1)
        assert task["conflict"] == any(
            g["conflict"] or len({numeric(r["value"]) for r in g["results"]}) > 1
            for g in task["targets"])


def test_unknown_year_and_bad_year(service_client: TestClient) -> None:
    assert service_client.get("/scorecard", params={"year": "1999"},
                              headers={"accept": "text/html"}).status_code == 404
    bad = service_client.get("/scorecard", params={"year": "soon"})
    assert bad.status_code == 422 and bad.json()["parameter"] == "year"


def programme_years(client: TestClient) -> list[str]:
    query = """SELECT DISTINCT ?year WHERE { ?p a hkg:ServiceTaskProgramme ; hkg:year ?year .
               ?t dcterms:isPartOf ?p }"""
    response = client.get("/sparql", params={"query": query},
                          headers={"accept": "application/sparql-results+json"})
    return sorted(b["year"]["value"][:4] for b in response.json()["results"]["bindings"])


def test_every_programme_year_has_its_scorecard_and_continuations_point_back(
        service_client: TestClient) -> None:
    years = programme_years(service_client)
    assert len(years) >= 2, "the sources give the tasks of more than one year"
    rows = {year: scorecard(service_client, year=year)["tasks"] for year in years}
    year_of = {t["task"]: year for year, tasks in rows.items() for t in tasks}
    links = 0
    for year, tasks in rows.items():
        assert tasks, year
        for task in tasks:
            if task["continues"]:
                links += 1
                earlier = task["continues"]
                assert year_of[earlier] < year
                assert task["task"] in next(t for t in rows[year_of[earlier]]
                                            if t["task"] == earlier)["continuedBy"]
    assert links, "no task of one year is linked to the task it carries on"


def test_the_home_page_shows_the_latest_year_and_links_the_others(
        service_client: TestClient) -> None:
    years = programme_years(service_client)
    page = service_client.get("/", headers={"accept": "text/html"}).text
    assert f"{years[-1]}年为民服务实事" in page  # the page's default language
    for year in years[:-1]:
        assert f"?year={year}" in page


def test_the_page_shows_what_the_saved_query_answers(service_client: TestClient) -> None:
    """The scorecard is drawn from task-scorecard: its targets and results are the query's
    target rows and figure rows, task by task."""
    response = service_client.get("/api/queries/task-scorecard",
                                  headers={"accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text[:500]
    rows = [{k: v["value"] for k, v in b.items()}
            for b in response.json()["results"]["bindings"]]
    targets = {(r["task"], r["target"]) for r in rows if "target" in r}
    figures = {(r["task"], r["figure"]) for r in rows if "figure" in r}
    assert targets and figures
    page = scorecard(service_client, year="2025")["tasks"]
    shown_targets = {(t["task"], s["claim"]) for t in page for g in t["targets"]
                     for s in g["statements"]}
    shown_results = {(t["task"], f["claim"]) for t in page for g in t["targets"]
                     for f in g["results"]}
    assert shown_targets == targets
    assert shown_results and shown_results <= figures
    assessed = {(r["task"], result) for r in rows for result in r.get("results", "").split()}
    assert assessed and assessed <= figures  # every result is a figure row of its task
