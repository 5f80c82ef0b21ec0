"""`kg serve` as users run it: a real uvicorn server on 127.0.0.1, in its own process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from servers import serving

from kg.build import BuildSummary

BASE = "https://w3id.org/cn-health-kg/"
PUBLIC = "http://kg.example/"


@pytest.fixture(scope="module")
def live(built_store: tuple[Path, BuildSummary],
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("live") / "kg.log"
    with serving("--location", str(built_store[0]), "--workers", "2", "--base-url", PUBLIC,
                 "--timeout", "5", log=log) as running:
        yield running


def test_protocol_over_http(live: str) -> None:
    url = live
    query = f"SELECT ?v WHERE {{ ?t hkg:announcedBy <{BASE}person/wang-haidong> ; hkg:value ?v }}"
    get = httpx.get(f"{url}/sparql", params={"query": query})
    form = httpx.post(f"{url}/sparql", data={"query": query})
    direct = httpx.post(f"{url}/sparql", content=query.encode(),
                        headers={"content-type": "application/sparql-query",
                                 "accept": "text/csv"})
    assert get.json()["results"]["bindings"] == form.json()["results"]["bindings"] == [
        {"v": {"type": "literal", "value": "660000",
               "datatype": "http://www.w3.org/2001/XMLSchema#decimal"}}]
    assert direct.text.splitlines() == ["v", "660000"]
    description = httpx.get(f"{url}/sparql", headers={"accept": "text/turtle"})
    assert f"<{PUBLIC}sparql>" in description.text
    assert httpx.get(f"{url}/sparql", params={"update": "CLEAR ALL"}).status_code == 403
    service = httpx.get(f"{url}/sparql", params={
        "query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert service.status_code == 400


def test_saved_query_over_http(live: str) -> None:
    url = live
    # an IRI as this server publishes it is taken for the data IRI it stands for
    response = httpx.get(f"{url}/api/queries/official-announced-target",
                         params={"announcer": f"{PUBLIC}person/wang-haidong"})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["value"]["value"] == "660000"
    bad = httpx.get(f"{url}/api/queries/timeline", params={"from": "yesterday"})
    assert bad.status_code == 422 and bad.json()["parameter"] == "from"


def test_dereferencing_over_http_uses_the_public_base(live: str) -> None:
    url = live
    page = httpx.get(f"{url}/person/wang-haidong", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert f'href="{PUBLIC}claim/002/t-new-inclusive-childcare-places"' in page.text
    turtle = httpx.get(f"{url}/person/wang-haidong", headers={"accept": "text/turtle"})
    assert "王海东" in turtle.text
    etag = turtle.headers["etag"]
    assert httpx.get(f"{url}/person/wang-haidong", headers={
        "accept": "text/turtle", "if-none-match": etag}).status_code == 304
    assert httpx.get(f"{url}/person/nobody").status_code == 404


def test_serve_data_files(tmp_path: Path) -> None:
    data = tmp_path / "data.trig"
    data.write_text('<http://ex.org/g> { <http://ex.org/a> <http://ex.org/p> "x" }\n'
                    '<http://ex.org/b> <http://ex.org/p> "y" .\n')
    with serving("--data", str(data), "--workers", "1", log=tmp_path / "kg.log") as url:
        default = httpx.get(f"{url}/sparql", params={"query": "SELECT ?o { ?s ?p ?o }"})
        assert [b["o"]["value"] for b in default.json()["results"]["bindings"]] == ["y"]
        named = httpx.get(f"{url}/sparql", params={
            "query": "SELECT ?o { ?s ?p ?o }", "named-graph-uri": "http://ex.org/g",
            "default-graph-uri": "http://ex.org/g"})
        assert [b["o"]["value"] for b in named.json()["results"]["bindings"]] == ["x"]


def test_large_answers_and_queries_cross_the_worker_pipe(live: str) -> None:
    """Megabytes each way between server and worker (uvloop makes the socket non-blocking)."""
    url = live
    everything = httpx.get(f"{url}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"},
                           headers={"accept": "application/sparql-results+xml"}, timeout=30)
    assert everything.status_code == 200 and len(everything.content) > 1_000_000
    count = httpx.get(f"{url}/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert everything.text.count("<result>") == int(
        count.json()["results"]["bindings"][0]["n"]["value"])
    padded = "#" + "x" * 900_000 + "\nASK {}"
    answer = httpx.post(f"{url}/sparql", content=padded.encode(),
                        headers={"content-type": "application/sparql-query"})
    assert answer.status_code == 200 and answer.json()["boolean"] is True
