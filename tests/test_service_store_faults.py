"""A remote store that stops answering, or drops its connections, while `kg serve --store`
runs: every route answers 503 with a problem document (never a 500, never a hang).

Real processes and sockets throughout: an Oxigraph server loaded by `kg push`, a TCP
relay in front of it (tests/external_servers.Relay) that the test switches from
forwarding to never answering or to resetting, and `kg serve` pointed at the relay
with a one-second time limit.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from click.testing import CliRunner
from external_servers import Relay, oxigraph_server
from servers import serving

from kg.build import BuildSummary
from kg.cli import main

BASE = "https://w3id.org/cn-health-kg/"
HTML = {"accept": "text/html"}
TURTLE = {"accept": "text/turtle"}
JSON = {"accept": "application/json"}
RESULTS = {"accept": "application/sparql-results+json"}
SELECT = "SELECT ?s WHERE { ?s a ?type } LIMIT 3"
#: One request of every kind of page and document that reads the store.
REQUESTS: list[tuple[str, str, dict[str, str], dict[str, Any]]] = [
    ("home", "/", HTML, {}),
    ("entity page", "/person/jiao-yahui", HTML, {}),
    ("entity description", "/person/jiao-yahui", TURTLE, {}),
    ("list page", "/person", HTML, {}),
    ("named graph page", "/graph/source/002", HTML, {}),
    ("named graph content", "/graph/source/002", TURTLE, {}),
    ("ontology", "/ontology", HTML, {}),
    ("dataset page", "/dataset", HTML, {}),
    ("class partition", "/dataset/class/hkg:Person", HTML, {}),
    ("VoID", "/void", TURTLE, {}),
    ("dump", "/downloads/cn-health-kg.nt", {}, {}),
    ("tidy table", "/downloads/tables/targets.csv", {}, {}),
    ("tidy workbook", "/downloads/tables/cn-health-kg-tables.xlsx", {}, {}),
    ("scorecard page", "/scorecard", HTML, {}),
    ("scorecard JSON", "/scorecard", JSON, {}),
    ("SPARQL GET", f"/sparql?query={quote(SELECT)}", RESULTS, {}),
    ("SPARQL POST", "/sparql", RESULTS, {"data": {"query": SELECT}}),
    ("service description", "/sparql", TURTLE, {}),
    ("saved query", "/api/queries/task-scorecard", RESULTS, {}),
    ("saved query page", "/api/queries/task-scorecard?year=2025", HTML, {}),
    ("saved query by name", "/api/queries/official-profile?person=焦雅辉", RESULTS, {}),
    ("neighbourhood", f"/graph/neighbourhood?iri={quote(BASE + 'person/jiao-yahui')}", {},
     {}),
    ("path", f"/graph/path?from={quote(BASE + 'person/jiao-yahui')}"
             f"&to={quote(BASE + 'agency/nhc')}", JSON, {}),
]
#: Answered from the local search index: they may answer (200) or say 503, never 500.
#: Pages answered from what the service holds (the search index; the list of dumps, which
#: writes none): they may answer, or say the store failed, never 500.
INDEX_REQUESTS = [("search", "/search?q=焦雅辉", HTML), ("suggest", "/search/suggest?q=焦", JSON),
                  ("downloads page", "/downloads", HTML)]


@pytest.fixture(scope="module")
def relayed(built_store: tuple[Path, BuildSummary], tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[Relay, str]]:
    """The relay and the URL of `kg serve --store` behind it, its search index ready."""
    folder = tmp_path_factory.mktemp("store-faults")
    with oxigraph_server(folder) as endpoint:
        pushed = CliRunner().invoke(main, ["push", "--location", str(built_store[0]),
                                           "--store", endpoint.query_url,
                                           "--gsp", endpoint.gsp_url])
        assert pushed.exit_code == 0, pushed.output
        port = int(endpoint.query_url.split(":")[2].split("/")[0])
        relay = Relay(port)
        try:
            with serving("--store", relay.url("/query"), "--timeout", "1", "--workers", "1",
                         log=folder / "kg.log") as url:
                _wait_for_index(url)
                yield relay, url
        finally:
            relay.close()


def _wait_for_index(url: str) -> None:
    """The search index is built from the store in the background: wait until it is
    there, so that a failure below is the store's and not the index's."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if httpx.get(f"{url}/search/suggest", params={"q": "焦"}, timeout=30).status_code == 200:
            return
        time.sleep(0.5)
    raise AssertionError("the search index was never built")


def _problem(response: httpx.Response, what: str) -> dict[str, Any]:
    assert response.status_code == 503, (what, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/problem+json"), what
    assert response.headers.get("retry-after"), what
    body: dict[str, Any] = response.json()
    assert body["status"] == 503 and body["title"] and body["kind"] and body["detail"], body
    return body


@pytest.mark.parametrize("mode", ["hang", "reset"])
def test_every_route_answers_503_when_the_store_fails(relayed: tuple[Relay, str],
                                                      mode: str) -> None:
    relay, url = relayed
    relay.mode = mode
    try:
        kinds = {}
        with httpx.Client(base_url=url, timeout=30) as client:
            for what, path, headers, extra in REQUESTS:
                method = "POST" if "data" in extra else "GET"
                started = time.monotonic()
                response = client.request(method, path, headers=headers, **extra)
                kinds[what] = _problem(response, what)["kind"]
                assert time.monotonic() - started < 10, what  # the limit is 1 s, not a hang
            for what, path, headers in INDEX_REQUESTS:
                response = client.get(path, headers=headers)
                assert response.status_code in (200, 503), (what, response.text[:300])
        timeouts = {"query-timeout", "request-timeout"}
        if mode == "hang":  # nothing answers: the time limit ends each request
            assert set(kinds.values()) <= timeouts, kinds
        else:  # a dropped connection is a failure of the store (a retry may time out)
            assert "query-failed" in kinds.values(), kinds
            assert set(kinds.values()) <= timeouts | {"query-failed"}, kinds
    finally:
        relay.mode = "forward"


def test_the_store_answers_again_after_the_fault(relayed: tuple[Relay, str]) -> None:
    """Nothing failed is kept: once the store answers, so do the pages."""
    relay, url = relayed
    relay.mode = "reset"
    assert httpx.get(f"{url}/person/jiao-yahui", headers=TURTLE, timeout=30).status_code == 503
    relay.mode = "forward"
    deadline = time.monotonic() + 10
    while True:
        response = httpx.get(f"{url}/person/jiao-yahui", headers=TURTLE, timeout=30)
        if response.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert response.status_code == 200, response.text[:300]
    assert "焦雅辉".encode() in response.content
