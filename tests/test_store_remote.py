"""The store interface on real SPARQL servers (Oxigraph server and Virtuoso on 127.0.0.1,
started and stopped here): `kg push` loads the built graphs, and the service on `--store`
gives the same answers as on the embedded store (saved queries, entity pages)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from external_servers import Endpoint, oxigraph_server, virtuoso_server
from fastapi.testclient import TestClient
from hostile_corpus import FINDINGS
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.build import BuildSummary
from kg.catalogue import load_catalogue
from kg.cli import main
from kg.settings import Settings
from kg.store import EmbeddedStore, GraphStore, QueryDataset, RemoteStore

KGD = "https://w3id.org/cn-health-kg/"
NT_TYPE = "application/n-triples"
ENTITY_PAGES = ["agency/nhc", "person/wang-haidong", "indicator/childcare-places-per-1000",
                "region/jiangsu", "facility/xinjiang-museum", "graph/entities"]


SERVERS = {"oxigraph": oxigraph_server, "virtuoso": virtuoso_server,
           "oxigraph-union": partial(oxigraph_server, union_default_graph=True)}
#: Servers whose own default graph is the union of their graphs, served with
#: KG_STORE_UNION_DEFAULT_GRAPH=true (no graph listed in the requests).
UNION_SERVERS = {"oxigraph-union"}
#: Who may write graphs (Virtuoso's GSP asks for its DBA; Oxigraph server asks nobody).
WRITERS = {"virtuoso": {"KG_STORE_USER": "dba", "KG_STORE_PASSWORD": "dba"}}


@contextmanager
def pushed(name: str, folder: Path, location: Path) -> Iterator[Endpoint]:
    """A SPARQL server holding what `kg push` loaded into it."""
    with SERVERS[name](folder) as endpoint:
        result = CliRunner(env=WRITERS.get(name)).invoke(
            main, ["push", "--location", str(location), "--store", endpoint.query_url,
                   "--gsp", endpoint.gsp_url])
        assert result.exit_code == 0, result.output
        yield endpoint


@pytest.fixture(scope="module", params=sorted(SERVERS))
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           built_store: tuple[Path, BuildSummary]) -> Iterator[Endpoint]:
    """Each server, loaded by `kg push`."""
    with pushed(request.param, tmp_path_factory.mktemp(request.param), built_store[0]) as ep:
        yield replace(ep, name=request.param)


@pytest.fixture(scope="module")
def remote_client(server: Endpoint) -> Iterator[TestClient]:
    """The service answering from the server (two checking-only workers)."""
    from kg.service.app import create_app
    from kg.service.context import ServiceConfig
    from kg.service.dataset import DatasetSource

    with pytest.MonkeyPatch.context() as env:
        if server.name in UNION_SERVERS:
            env.setenv("KG_STORE_UNION_DEFAULT_GRAPH", "true")
        source = DatasetSource(Settings(store_url=server.query_url, gsp_url=server.gsp_url,
                                        base_iri=KGD, workers=2))
        with TestClient(create_app(ServiceConfig(source=source))) as client:
            assert client.app.state.context.store.union_default_graph == (
                server.name in UNION_SERVERS)
            yield client


def test_push_loads_every_built_graph_with_its_triples(
        server: Endpoint, built_store: tuple[Path, BuildSummary]) -> None:
    writer = WRITERS.get(server.name, {})
    remote = RemoteStore(server.query_url, server.gsp_url, base_iri=KGD,
                         user=writer.get("KG_STORE_USER"), password=writer.get("KG_STORE_PASSWORD"))
    embedded = EmbeddedStore.open(built_store[0])
    assert remote.named_graphs() == embedded.named_graphs()
    assert remote.graph_sizes() == {g: n for g, n in embedded.graph_sizes().items() if g}
    # the release graph carries the pushed version (ETags follow the data), and is no
    # data graph
    assert remote.version == embedded.version
    assert remote.release_graph not in remote.named_graphs()
    # ... and the graphs' names and sizes, which a scan of the server's quads confirms
    assert sorted(remote._scan_graphs()) == remote.named_graphs()
    scanned = GraphStore.graph_sizes(remote)
    assert {g: scanned[g] for g in remote.named_graphs()} == remote.graph_sizes()
    name = embedded.named_graphs()[0]
    left = Graph().parse(data=embedded.read_graph(name), format="nt")
    right = Graph().parse(data=remote.read_graph(name), format="nt")
    assert isomorphic(left, right)


def test_booleans_a_server_writes_as_numbers_come_back_canonical() -> None:
    """Virtuoso keeps xsd:boolean as a number and writes "1"^^xsd:boolean: the same value
    as "true"^^xsd:boolean, whose lexical form is the canonical one (XSD 1.1 §3.3.2)."""
    boolean = "http://www.w3.org/2001/XMLSchema#boolean"
    results = {"head": {"vars": ["v"]}, "results": {"bindings": [
        {"v": {"type": "literal", "value": "1", "datatype": boolean}},
        {"v": {"type": "literal", "value": "0", "datatype": boolean}},
        {"v": {"type": "literal", "value": "1",
               "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}
    triples = f'<urn:s> <urn:p> "1"^^<{boolean}> .\n<urn:s> <urn:q> "0"^^<{boolean}> .\n'

    def serve(request: httpx.Request) -> httpx.Response:
        if "n-triples" in request.headers["accept"].split(",")[0]:
            return httpx.Response(200, text=triples, headers={"content-type": NT_TYPE})
        return httpx.Response(200, json=results,
                              headers={"content-type": "application/sparql-results+json"})

    remote = RemoteStore("http://127.0.0.1:9/sparql", base_iri=KGD)
    remote.client = httpx.Client(transport=httpx.MockTransport(serve))
    plain = QueryDataset(union=False)
    assert [row["v"].value for row in remote.select("SELECT ?v {}", dataset=plain)] == \
        ["true", "false", "1"]
    answer = remote.answer("SELECT ?v {}", results_format="json", graph_format=None,
                           dataset=plain)
    assert [b["v"]["value"] for b in json.loads(answer.body)["results"]["bindings"]] == \
        ["true", "false", "1"]
    graph = remote.answer("CONSTRUCT {} {}", results_format=None, graph_format="nt",
                          dataset=plain)
    assert sorted(graph.body.decode().splitlines()) == [
        f'<urn:s> <urn:p> "true"^^<{boolean}> .', f'<urn:s> <urn:q> "false"^^<{boolean}> .']


def test_push_without_a_graph_store_url_says_so(built_store: tuple[Path, BuildSummary]) -> None:
    result = CliRunner().invoke(main, ["push", "--location", str(built_store[0]),
                                       "--store", "http://127.0.0.1:9/sparql"])
    assert result.exit_code != 0
    assert "--gsp" in result.output


def solutions(body: bytes) -> set[tuple[tuple[str, str], ...]]:
    """SPARQL JSON results as a set of solutions (blank node labels replaced)."""
    data = json.loads(body)
    if "boolean" in data:
        return {(("boolean", str(data["boolean"])),)}
    return {tuple(sorted((name, _cell(value)) for name, value in binding.items()))
            for binding in data["results"]["bindings"]}


def _cell(value: dict[str, str]) -> str:
    if value["type"] == "bnode":
        return "_:b"
    datatype = value.get("datatype", "")
    datatype = "" if datatype.endswith("#string") else datatype
    text = value["value"]
    if value["type"] == "literal" and not datatype:
        # GROUP_CONCAT's order is not defined by SPARQL 1.1: compare its parts as a set
        text = " ".join(sorted(text.split(" ")))
    return f"{value['type']}|{text}|{value.get('xml:lang', '')}|{datatype}"


def saved_query_cases() -> list[tuple[str, dict[str, str]]]:
    catalogue = load_catalogue(base=KGD)
    cases = []
    for name in sorted(catalogue):
        query = catalogue[name]
        examples = {p.name: p.example for p in query.params if p.example}
        cases.append((name, examples))
        defaults = {p.name: p.default for p in query.params if p.default}
        if all(not p.required or p.default for p in query.params):
            cases.append((name, defaults))
    return cases


@pytest.mark.parametrize(("name", "params"), saved_query_cases())
def test_saved_queries_answer_the_same_on_the_server(
        service_client: TestClient, remote_client: TestClient, name: str,
        params: dict[str, str]) -> None:
    accept = {"accept": "application/sparql-results+json"}
    here = service_client.get(f"/api/queries/{name}", params=params, headers=accept)
    there = remote_client.get(f"/api/queries/{name}", params=params, headers=accept)
    assert here.status_code == there.status_code == 200, there.text[:500]
    assert solutions(here.content) == solutions(there.content)


@pytest.mark.parametrize("path", ENTITY_PAGES)
def test_entity_pages_are_the_same_on_the_server(
        service_client: TestClient, remote_client: TestClient, path: str) -> None:
    here = service_client.get(f"/{path}", headers={"accept": "application/n-triples"})
    there = remote_client.get(f"/{path}", headers={"accept": "application/n-triples"})
    assert here.status_code == there.status_code == 200, there.text[:500]
    left = Graph().parse(data=here.content, format="nt")
    right = Graph().parse(data=there.content, format="nt")
    assert len(left) > 0
    assert isomorphic(left, right)
    html_here = service_client.get(f"/{path}", headers={"accept": "text/html"})
    html_there = remote_client.get(f"/{path}", headers={"accept": "text/html"})
    assert html_here.status_code == html_there.status_code == 200
    assert html_here.text == html_there.text


def test_protocol_queries_are_forwarded_and_answered(
        service_client: TestClient, remote_client: TestClient, server: Endpoint) -> None:
    query = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    accept = {"accept": "application/sparql-results+json"}
    here = service_client.get("/sparql", params={"query": query}, headers=accept)
    there = remote_client.get("/sparql", params={"query": query}, headers=accept)
    assert there.status_code == 200
    graphs_here, graphs_there = solutions(here.content), solutions(there.content)
    assert graphs_here <= graphs_there
    # a server queried without a graph list shows its whole dataset: the release graph too
    extra = {dict(row)["g"] for row in graphs_there - graphs_here}
    assert extra == ({f"uri|{KGD}release||"} if server.name in UNION_SERVERS else set())
    union = "SELECT (COUNT(*) AS ?n) WHERE { ?s a hkg:Person }"
    assert solutions(service_client.get("/sparql", params={"query": union},
                                        headers=accept).content) == \
        solutions(remote_client.get("/sparql", params={"query": union}, headers=accept).content)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
])
def test_policy_refuses_before_forwarding(remote_client: TestClient, server: Endpoint,
                                          query: str) -> None:
    response = remote_client.post("/sparql", data={"query": query},
                                  headers={"accept": "application/sparql-results+json"})
    assert 400 <= response.status_code < 500
    remote = RemoteStore(server.query_url, server.gsp_url, base_iri=KGD)
    # the server's own default graph, where an update would have gone, is still empty
    assert not remote.ask("ASK { <urn:a> <urn:b> <urn:c> }", dataset=QueryDataset(union=False))


@pytest.mark.parametrize("finding", sorted(FINDINGS))
def test_text_the_old_check_misread_reaches_no_listener_through_the_server(
        remote_client: TestClient, finding: str) -> None:
    """The review's findings (tests/hostile_corpus.py): the check passed them and the
    server ran the client's text, fetching the SERVICE. Now the server gets only the
    canonical text the check read, and these are refused."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(2)
    try:
        query = FINDINGS[finding].replace("{T}", f"http://127.0.0.1:{listener.getsockname()[1]}")
        response = remote_client.post("/sparql", data={"query": query},
                                      headers={"accept": "application/sparql-results+json"})
        assert response.status_code == 400, response.text
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()
