"""Safe by default: read-only, offline, time-limited, size-capped, clear about bad queries."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kg.build import BuildSummary
from kg.service.app import create_app
from kg.service.context import ServiceConfig, ServiceContext
from kg.service.dataset import DatasetSource
from kg.settings import Settings

BASE = "https://w3id.org/cn-health-kg/"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
DIRECT = {"content-type": "application/sparql-query"}
#: 200^4 = 1.6 billion solutions: minutes of work for Oxigraph
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def count(client: TestClient) -> int:
    response = client.get("/sparql", params={"query": COUNT_ALL})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


# ---------------------------------------------------------------- read-only

@pytest.mark.parametrize("request_kwargs", [
    {"method": "GET", "params": {"update": f"INSERT DATA {{ <{BASE}x> <{BASE}p> 1 }}"}},
    {"method": "POST", "data": {"update": f"INSERT DATA {{ <{BASE}x> <{BASE}p> 1 }}"}},
    {"method": "POST", "content": f"INSERT DATA {{ <{BASE}x> <{BASE}p> 1 }}".encode(),
     "headers": {"content-type": "application/sparql-update"}},
    {"method": "GET", "params": {"query": f"INSERT DATA {{ <{BASE}x> <{BASE}p> 1 }}"}},
    {"method": "POST", "content": b"CLEAR ALL", "headers": DIRECT},
    {"method": "POST", "data": {"query": "DROP GRAPH <" + BASE + "graph/entities>"}},
    {"method": "GET", "params": {"query": "LOAD <http://example.org/data.ttl>"}},
])
def test_updates_are_refused_and_change_nothing(service_client: TestClient,
                                                request_kwargs: dict[str, object]) -> None:
    before = count(service_client)
    kwargs = dict(request_kwargs)
    response = service_client.request(kwargs.pop("method"), "/sparql", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert response.json()["policy"] == "read-only"
    assert count(service_client) == before


@pytest.mark.parametrize("request_kwargs", [
    {"method": "GET", "params": {"query": ""}},
    {"method": "POST", "data": {"query": ""}},
    {"method": "POST", "content": b"  # nothing", "headers": DIRECT},
])
def test_an_empty_query_is_a_bad_request(service_client: TestClient,
                                         request_kwargs: dict[str, object]) -> None:
    """No query at all (the update grammar reads it as an empty update) is a 400 that says
    so, not a refused update (found by schemathesis's fuzzing: `?query=`)."""
    kwargs = dict(request_kwargs)
    response = service_client.request(kwargs.pop("method"), "/sparql", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 400, response.text
    assert "no query" in response.json()["detail"]


# ---------------------------------------------------------------- offline

@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { VALUES ?e { <http://example.org/sparql> } SERVICE ?e { ?s ?p ?o } }",
    "ASK { {} SERVICE<http://127.0.0.1:9/>{} }",
])
def test_service_clauses_are_refused(service_client: TestClient, query: str) -> None:
    response = service_client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "SERVICE" in response.json()["detail"]
    assert response.json()["policy"] == "service"


def test_service_in_comments_strings_and_names_is_not_a_service_clause(
        service_client: TestClient) -> None:
    query = """# SERVICE <http://example.org/> would be refused here
    SELECT ?service WHERE { BIND("SERVICE <http://example.org/>" AS ?service) }"""
    response = service_client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["service"]["value"].startswith("SERVICE")


@pytest.mark.parametrize(("query", "params"), [
    ("SELECT * FROM <http://example.org/remote.ttl> WHERE { ?s ?p ?o }", {}),
    ("PREFIX ex: <http://example.org/> SELECT * FROM NAMED ex:g WHERE { GRAPH ?g {?s ?p ?o} }",
     {}),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", {"default-graph-uri": "http://example.org/g"}),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", {"named-graph-uri": "http://example.org/g"}),
])
def test_graphs_outside_the_dataset_are_refused(service_client: TestClient, query: str,
                                                params: dict[str, str]) -> None:
    response = service_client.get("/sparql", params={"query": query, **params})
    assert response.status_code == 400
    assert "example.org" in response.json()["detail"]
    assert response.json()["policy"] == "remote-graph"


# ---------------------------------------------------------------- malformed and too large

def test_malformed_query_reports_message_and_position(service_client: TestClient) -> None:
    response = service_client.get("/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p }"})
    assert response.status_code == 400
    problem = response.json()
    assert problem["title"] == "malformed query"
    assert problem["line"] == 2 and problem["column"] in (9, 10)  # Oxigraph's own position
    assert f"error at 2:{problem['column']}: expected" in problem["detail"]


def test_codepoint_escapes_are_read_as_the_engine_reads_them(service_client: TestClient) -> None:
    """A lower-case \\u takes four digits (once a 503 naming rdflib's error), and a
    backslash escaped in a saved query's string parameter starts no escape (once refused
    as unverifiable)."""
    response = service_client.get("/sparql", params={
        "query": 'SELECT ?x WHERE { BIND("\\u00410042" AS ?x) }'})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["x"]["value"] == "A0042"
    response = service_client.get("/api/queries/label-search", params={"text": "\\u0041"},
                                  headers={"accept": "application/json"})
    assert response.status_code == 200, response.text


def test_an_escape_read_differently_by_the_grammar_and_the_engine_is_refused(
        service_client: TestClient) -> None:
    response = service_client.get("/sparql", params={
        "query": 'SELECT ?x WHERE { BIND("\\u0022" AS ?x) }'})
    assert response.status_code == 400
    assert response.json()["policy"] == "unverifiable"
    assert (response.json()["line"], response.json()["column"]) == (1, 25)


def test_request_body_over_the_limit_is_413(built_store: tuple[Path, BuildSummary]) -> None:
    app = create_app(ServiceConfig(source=DatasetSource(Settings(
        location=built_store[0], workers=1, max_request_bytes=2000))))
    with TestClient(app) as client:
        padding = "#" + "x" * 3000 + "\n"
        assert client.post("/sparql", content=(padding + "ASK {}").encode(),
                           headers=DIRECT).status_code == 413
        assert client.post("/sparql", data={"query": padding + "ASK {}"}).status_code == 413
        assert client.post("/sparql", content=b"ASK {}", headers=DIRECT).status_code == 200


# ---------------------------------------------------------------- result size

@pytest.fixture(scope="module")
def capped_client(built_store: tuple[Path, BuildSummary]) -> Iterator[TestClient]:
    app = create_app(ServiceConfig(source=DatasetSource(Settings(
        location=built_store[0], workers=1, max_rows=5))))
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "xml"])
def test_answers_are_cut_at_the_row_limit_with_a_signal(capped_client: TestClient,
                                                        fmt: str) -> None:
    response = capped_client.get("/sparql", params={
        "query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "format": fmt})
    assert response.status_code == 200
    assert response.headers["x-kg-truncated"] == "true"
    assert response.headers["x-kg-row-limit"] == "5"
    if fmt == "json":
        assert len(response.json()["results"]["bindings"]) == 5
    elif fmt == "xml":
        assert response.text.count("<result>") == 5
    else:
        delimiter = "," if fmt == "csv" else "\t"
        assert len(list(csv.reader(io.StringIO(response.text), delimiter=delimiter))) == 6


def test_graph_answers_are_cut_too(capped_client: TestClient) -> None:
    response = capped_client.get("/sparql", params={
        "query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert response.headers["x-kg-truncated"] == "true"
    assert len(response.text.strip().splitlines()) == 5


def test_answers_within_the_limit_are_not_flagged(capped_client: TestClient) -> None:
    limited = capped_client.get("/sparql", params={
        "query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"})
    assert limited.headers["x-kg-truncated"] == "false"
    assert len(limited.json()["results"]["bindings"]) == 3
    exact = capped_client.get("/sparql", params={
        "query": "SELECT ?s WHERE { VALUES ?s { 1 2 3 4 5 } }"})
    assert exact.headers["x-kg-truncated"] == "false"
    assert len(exact.json()["results"]["bindings"]) == 5


# ---------------------------------------------------------------- time limit

@pytest.fixture(scope="module")
def slow_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient,
                                                                          ServiceContext]]:
    """A generated dataset big enough for a cross join to run for minutes; 1 s limit."""
    data = tmp_path_factory.mktemp("slow") / "generated.nt"
    data.write_text("".join(f"<http://ex.org/s{i}> <http://ex.org/p> \"{i}\" .\n"
                            for i in range(200)))
    app = create_app(ServiceConfig(source=DatasetSource(Settings(workers=2, timeout=1.0),
                                                         files=(data,))))
    with TestClient(app) as client:
        yield client, app.state.context


def test_slow_query_is_stopped_with_503_while_others_are_answered(
        slow_app: tuple[TestClient, ServiceContext]) -> None:
    client, context = slow_app
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    pids_before = set(context.executor.worker_pids)
    outcome: dict[str, object] = {}

    def run_slow() -> None:
        started = time.monotonic()
        outcome["response"] = client.get("/sparql", params={"query": CROSS_JOIN})
        outcome["seconds"] = time.monotonic() - started

    slow = threading.Thread(target=run_slow)
    slow.start()
    time.sleep(0.3)
    quick = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert quick.status_code == 200
    assert quick.json()["results"]["bindings"][0]["n"]["value"] == "200"
    assert slow.is_alive(), "the quick query waited for the slow one"
    slow.join(timeout=30)
    response = outcome["response"]
    assert response.status_code == 503  # type: ignore[attr-defined]
    assert response.headers["retry-after"]  # type: ignore[attr-defined]
    assert "time limit" in response.json()["detail"]  # type: ignore[attr-defined]
    killed = pids_before - set(context.executor.worker_pids)
    assert len(killed) == 1 and context.executor.killed == 1
    assert _gone(killed.pop(), within=3.0), "the stopped worker is still using a process"
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    assert len(context.executor.worker_pids) == 2


def _gone(pid: int, within: float) -> bool:
    """True once the process has exited and been reaped (no CPU, no zombie)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists():
            return True
        time.sleep(0.05)
    return False


def test_no_query_runs_in_the_server_process(
        slow_app: tuple[TestClient, ServiceContext]) -> None:
    """Every client query is parsed and evaluated in a sandboxed worker, repeats too."""
    from kg.service.sandbox import is_sandboxed

    client, context = slow_app
    query = "SELECT ?o WHERE { <http://ex.org/s7> ?p ?o }"
    for _ in range(3):
        assert client.get("/sparql", params={"query": query}).json()["results"]["bindings"] == [
            {"o": {"type": "literal", "value": "7"}}]
    assert not hasattr(context.executor, "local")
    assert context.executor.ready_pids
    assert all(is_sandboxed(pid) for pid in context.executor.ready_pids)
    assert not is_sandboxed()


def test_query_oxigraph_cannot_evaluate_is_400(service_client: TestClient) -> None:
    response = service_client.get("/sparql", params={
        "query": "SELECT (<http://example.org/no-such-function>(1) AS ?x) WHERE {}"})
    assert response.status_code == 400
    assert response.json()["title"] == "query not supported"
    assert "no-such-function" in response.json()["detail"]
