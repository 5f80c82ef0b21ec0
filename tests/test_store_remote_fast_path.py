"""The remote path's shortcuts, on a real Oxigraph server: its JSON results reach the
client as the server wrote them unless something is to change (more rows than the cap,
Virtuoso's SPARQL 1.0 `typed-literal`), and a job the workers allowed once is forwarded again
without a worker, while any other text still waits for a worker's check."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from external_servers import Endpoint, oxigraph_server, virtuoso_server

from kg.query_errors import QueryTimeout
from kg.service.dataset import DatasetSource
from kg.service.executor import QueryExecutor
from kg.service.worker import QueryJob
from kg.settings import Settings
from kg.store import QueryDataset, RemoteStore

KGD = "https://w3id.org/cn-health-kg/"
GRAPH = KGD + "graph/fast-path"
BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
ROWS = 7
GRAPH_TRIPLES = "".join(
    f'<urn:s{i}> <urn:n> "{i % 2}"^^<http://www.w3.org/2001/XMLSchema#integer> ;'
    f' <urn:flag> "{"true" if i % 2 else "false"}"^^<{BOOLEAN}> .\n' for i in range(ROWS))
SELECT = "SELECT ?s ?n ?flag WHERE { ?s <urn:n> ?n ; <urn:flag> ?flag } ORDER BY ?s"
PLAIN = QueryDataset(union=False, default_graphs=(GRAPH,), named_graphs=())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    """Oxigraph server holding one graph: ROWS subjects, each a number and a boolean."""
    with oxigraph_server(tmp_path_factory.mktemp("fast-path")) as endpoint:
        store = RemoteStore(endpoint.query_url, endpoint.gsp_url, base_iri=KGD)
        store.replace_graph(GRAPH, GRAPH_TRIPLES.encode())
        store.close()
        yield endpoint


def own_answer(endpoint: Endpoint, query: str) -> bytes:
    """The server's own JSON answer to the query over the graph."""
    response = httpx.post(endpoint.query_url, data={"query": query,
                                                     "default-graph-uri": GRAPH},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return response.content


def test_oxigraph_results_within_the_cap_come_as_the_server_wrote_them(
        server: Endpoint) -> None:
    """Numbers "0"/"1" beside canonical booleans, and no more rows than the cap."""
    store = RemoteStore(server.query_url, base_iri=KGD)
    answer = store.answer(SELECT, results_format="json", graph_format=None, dataset=PLAIN,
                          max_rows=ROWS)
    assert answer.body == own_answer(server, SELECT)
    assert not answer.truncated
    rows = json.loads(answer.body)["results"]["bindings"]
    assert [row["flag"]["value"] for row in rows[:2]] == ["false", "true"]


def test_more_rows_than_the_cap_are_still_cut(server: Endpoint) -> None:
    store = RemoteStore(server.query_url, base_iri=KGD)
    answer = store.answer(SELECT, results_format="json", graph_format=None, dataset=PLAIN,
                          max_rows=ROWS - 1)
    assert answer.truncated
    whole = json.loads(own_answer(server, SELECT))["results"]["bindings"]
    assert json.loads(answer.body)["results"]["bindings"] == whole[:ROWS - 1]


def test_virtuoso_results_are_rewritten_to_the_same_solutions(
        server: Endpoint, tmp_path: Path) -> None:
    """Virtuoso writes SPARQL 1.0's "typed-literal" and booleans as "0"/"1": its answer is
    rewritten, and says what Oxigraph's says."""
    with virtuoso_server(tmp_path) as virtuoso:
        store = RemoteStore(virtuoso.query_url, virtuoso.gsp_url, base_iri=KGD, user="dba",
                            password="dba")
        store.replace_graph(GRAPH, GRAPH_TRIPLES.encode())
        sent = httpx.post(virtuoso.query_url, data={"query": SELECT,
                                                    "default-graph-uri": GRAPH},
                          headers={"Accept": "application/sparql-results+json"}).content
        answer = store.answer(SELECT, results_format="json", graph_format=None,
                              dataset=PLAIN, max_rows=ROWS)
        cut = store.answer(SELECT, results_format="json", graph_format=None, dataset=PLAIN,
                           max_rows=ROWS - 1)
    assert b'"typed-literal"' in sent
    assert b'"typed-literal"' not in answer.body
    oxigraph = json.loads(own_answer(server, SELECT))
    assert json.loads(answer.body) == oxigraph
    assert not answer.truncated
    assert cut.truncated
    assert json.loads(cut.body)["results"]["bindings"] == \
        oxigraph["results"]["bindings"][:ROWS - 1]


def test_a_job_allowed_once_is_forwarded_again_without_a_worker(server: Endpoint) -> None:
    """With every worker stopped (SIGSTOP), the job a worker allowed is answered again;
    a text no worker has checked waits for one and runs out of time."""
    settings = Settings(store_url=server.query_url, base_iri=KGD, workers=1)
    query = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}> WHERE {{ ?s <urn:n> ?n }}"
    allowed = QueryJob(query, results_format="json", graph_format=None)
    unseen = QueryJob(query.replace("COUNT(*)", "COUNT(?s)"), results_format="json",
                      graph_format=None)

    async def main() -> None:
        executor = QueryExecutor.from_source(DatasetSource(settings), {})
        await executor.start()
        stopped = executor.worker_pids
        try:
            first = await executor.run(allowed, timeout=30)
            for pid in stopped:
                os.kill(pid, signal.SIGSTOP)
            again = await executor.run(allowed, timeout=5)
            assert again.body == first.body
            assert json.loads(again.body)["results"]["bindings"][0]["n"]["value"] == str(ROWS)
            with pytest.raises(QueryTimeout):
                await executor.run(unseen, timeout=1)
        finally:
            for pid in stopped:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)
            await executor.close()

    asyncio.run(main())
