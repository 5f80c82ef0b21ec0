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
