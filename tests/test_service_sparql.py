"""/sparql: the SPARQL 1.1 Protocol paths, formats and negotiation (in process)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results, serialize
from rdflib import Graph

from kg.service.app import create_app
from kg.service.context import ServiceConfig
from kg.service.dataset import DatasetSource
from kg.settings import Settings

BASE = "https://w3id.org/cn-health-kg/"
COUNT_TARGETS = "SELECT (COUNT(?t) AS ?n) WHERE { ?t a hkg:Target }"
WANG_TARGET = f"""SELECT ?value ?quote WHERE {{
  ?t hkg:announcedBy <{BASE}person/wang-haidong> ; hkg:value ?value ;
     hkg:evidence/oa:exact ?quote }}"""
CONSTRUCT = f"CONSTRUCT WHERE {{ <{BASE}person/jiao-yahui> ?p ?o }}"
FORM = {"content-type": "application/x-www-form-urlencoded"}
DIRECT = {"content-type": "application/sparql-query"}


def bindings(response: object) -> list[dict[str, str]]:
    data = response.json()  # type: ignore[attr-defined]
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def test_get_query_answers_sparql_json(service_client: TestClient) -> None:
    response = service_client.get("/sparql", params={"query": WANG_TARGET})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    rows = bindings(response)
    assert {"value": "660000", "quote": rows[0]["quote"]} in rows
    assert "66万" in rows[0]["quote"]
    assert response.headers["x-kg-truncated"] == "false"


def test_post_form_and_post_direct_answer_like_get(service_client: TestClient) -> None:
    get = service_client.get("/sparql", params={"query": COUNT_TARGETS})
    form = service_client.post("/sparql", data={"query": COUNT_TARGETS})
    direct = service_client.post("/sparql", content=COUNT_TARGETS.encode(), headers=DIRECT)
    assert get.status_code == form.status_code == direct.status_code == 200
    assert bindings(get) == bindings(form) == bindings(direct)
    assert int(bindings(get)[0]["n"]) > 10


def test_trailing_slash_path_is_the_same_endpoint(service_client: TestClient) -> None:
    response = service_client.get("/sparql/", params={"query": "ASK {}"})
    assert response.status_code == 200
    assert response.json()["boolean"] is True


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_results_in_each_format_by_accept(service_client: TestClient, fmt: str) -> None:
    media = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
             "csv": "text/csv", "tsv": "text/tab-separated-values"}[fmt]
    response = service_client.get("/sparql", params={"query": WANG_TARGET},
                                  headers={"accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert rows[0]["value"] == "660000"
    else:
        parsed = parse_query_results(response.content, format={
            "json": QueryResultsFormat.JSON, "xml": QueryResultsFormat.XML,
            "tsv": QueryResultsFormat.TSV}[fmt])
        assert [s["value"].value for s in parsed] == ["660000"]


@pytest.mark.parametrize("fmt", ["ttl", "nt", "nq", "trig", "jsonld", "xml"])
def test_construct_graph_in_each_rdf_format(service_client: TestClient, fmt: str) -> None:
    formats = {"ttl": (RdfFormat.TURTLE, "text/turtle"), "nt": (RdfFormat.N_TRIPLES,
               "application/n-triples"), "nq": (RdfFormat.N_QUADS, "application/n-quads"),
               "trig": (RdfFormat.TRIG, "application/trig"),
               "jsonld": (RdfFormat.JSON_LD, "application/ld+json"),
               "xml": (RdfFormat.RDF_XML, "application/rdf+xml")}
    oxi, media = formats[fmt]
    response = service_client.get("/sparql", params={"query": CONSTRUCT},
                                  headers={"accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    triples = {(q.predicate.value, q.object.value) for q in parse(response.content, format=oxi)}
    assert ("http://www.w3.org/2000/01/rdf-schema#label", "焦雅辉") in triples


def test_describe_and_ask(service_client: TestClient) -> None:
    describe = service_client.get("/sparql", params={"query": f"DESCRIBE <{BASE}agency/nhc>"},
                                  headers={"accept": "application/n-triples"})
    assert describe.status_code == 200
    assert f"<{BASE}agency/nhc>" in describe.text
    ask = service_client.get("/sparql", params={"query": f"ASK {{ <{BASE}agency/nhc> ?p ?o }}"},
                             headers={"accept": "application/sparql-results+xml"})
    assert ask.status_code == 200
    assert "<boolean>true</boolean>" in ask.text
    assert "x-kg-truncated" not in ask.headers


def test_q_weights_choose_the_preferred_format(service_client: TestClient) -> None:
    accept = "application/sparql-results+json;q=0.4, text/csv;q=0.9, text/*;q=0.1"
    response = service_client.get("/sparql", params={"query": COUNT_TARGETS},
                                  headers={"accept": accept})
    assert response.headers["content-type"].startswith("text/csv")
    graph = service_client.get("/sparql", params={"query": CONSTRUCT}, headers={
        "accept": "text/turtle;q=0.5, application/ld+json;q=0.8, */*;q=0.1"})
    assert graph.headers["content-type"] == "application/ld+json"


def test_result_and_graph_types_are_negotiated_apart(service_client: TestClient) -> None:
    select = service_client.get("/sparql", params={"query": COUNT_TARGETS},
                                headers={"accept": "text/turtle"})
    assert select.status_code == 406
    construct = service_client.get("/sparql", params={"query": CONSTRUCT},
                                   headers={"accept": "application/sparql-results+json"})
    assert construct.status_code == 406
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    mixed = service_client.get("/sparql", params={"query": CONSTRUCT},
                               headers={"accept": browser})
    assert mixed.headers["content-type"] == "application/rdf+xml"


def test_format_parameter_overrides_accept(service_client: TestClient) -> None:
    response = service_client.get("/sparql", params={"query": COUNT_TARGETS, "format": "tsv"},
                                  headers={"accept": "application/sparql-results+json"})
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    graph = service_client.get("/sparql", params={"query": CONSTRUCT, "format": "nt"})
    assert graph.headers["content-type"] == "application/n-triples"
    bad = service_client.get("/sparql", params={"query": COUNT_TARGETS, "format": "yaml"})
    assert bad.status_code == 400
    assert "yaml" in bad.json()["detail"]


def test_default_and_named_graph_uri_define_the_dataset(service_client: TestClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    union = int(bindings(service_client.get("/sparql", params={"query": query}))[0]["n"])
    entities = service_client.get("/sparql", params={
        "query": query, "default-graph-uri": f"{BASE}graph/entities"})
    only_entities = int(bindings(entities)[0]["n"])
    assert 0 < only_entities < union
    named = service_client.post(
        "/sparql", params={"named-graph-uri": f"{BASE}graph/source/002"}, headers=DIRECT,
        content=b"SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert bindings(named) == [{"g": f"{BASE}graph/source/002"}]
    form = service_client.post("/sparql", data={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "default-graph-uri": f"{BASE}graph/entities"})
    assert int(bindings(form)[0]["n"]) == only_entities


def test_from_clause_naming_a_dataset_graph_is_allowed(service_client: TestClient) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{BASE}graph/derived> WHERE {{ ?s ?p ?o }}"
    response = service_client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert int(bindings(response)[0]["n"]) > 0


def test_service_description_by_accept(service_client: TestClient) -> None:
    turtle = service_client.get("/sparql", headers={"accept": "text/turtle"})
    assert turtle.status_code == 200
    graph = Graph().parse(data=turtle.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert graph.query(f"ASK {{ ?s a <{sd}Service> ; <{sd}endpoint> ?e ; <{sd}namedGraph>|"
                       f"<{sd}defaultDataset>/<{sd}namedGraph> ?g }}").askAnswer
    xml = service_client.get("/sparql", headers={"accept": "application/rdf+xml"})
    assert xml.headers["content-type"] == "application/rdf+xml"
    assert len(Graph().parse(data=xml.text, format="xml")) == len(graph)
    html = service_client.get("/sparql", headers={"accept": "text/html"})
    assert "<form" in html.text


@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
def test_a_dataset_without_a_query_is_a_bad_request(service_client: TestClient,
                                                     name: str) -> None:
    """A graph named for no query (found by schemathesis: `?named-graph-uri=`) is a 400
    that names the parameter, not a service description that ignores it."""
    response = service_client.get("/sparql", params={name: f"{BASE}graph/entities"})
    assert response.status_code == 400
    assert name in response.json()["detail"]


def test_predeclared_prefixes_on_the_built_graph(service_client: TestClient) -> None:
    response = service_client.get("/sparql", params={"query": "ASK { ?s a hkg:Person }"})
    assert response.json()["boolean"] is True


def test_cors_for_reads(service_client: TestClient) -> None:
    response = service_client.get("/sparql", params={"query": "ASK {}"},
                                  headers={"origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "x-kg-truncated" in response.headers["access-control-expose-headers"].lower()
    preflight = service_client.options("/sparql", headers={
        "origin": "https://example.org", "access-control-request-method": "POST",
        "access-control-request-headers": "content-type"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


@pytest.mark.parametrize(("method", "kwargs", "status"), [
    ("put", {"params": {"query": "ASK {}"}}, 405),
    ("get", {"params": [("query", "ASK {}"), ("query", "SELECT * {}")]}, 400),
    ("post", {"content": b"ASK {}", "headers": {"content-type": "text/plain"}}, 415),
    ("post", {"content": b"ASK {}"}, 415),
    ("post", {"content": "ASK {}".encode("utf-16"),
              "headers": {"content-type": "application/sparql-query; charset=UTF-16"}}, 415),
    ("post", {"content": b"\xff\xfeA\x00S\x00K\x00", "headers": DIRECT}, 400),
    ("post", {"content": b"query=ASK%20%7B%7D", "headers": {"content-type": "text/plain"}}, 415),
])
def test_protocol_violations_are_client_errors(service_client: TestClient, method: str,
                                               kwargs: dict[str, object], status: int) -> None:
    response = getattr(service_client, method)("/sparql", **kwargs)
    assert response.status_code == status


def test_data_files_in_all_six_formats_are_served(tmp_path: Path) -> None:
    source = "<http://ex.org/a> <http://ex.org/p> \"x\" .\n"
    files = []
    for name, fmt in (("a.ttl", RdfFormat.TURTLE), ("b.nt", RdfFormat.N_TRIPLES),
                      ("d.jsonld", RdfFormat.JSON_LD), ("e.rdf", RdfFormat.RDF_XML)):
        triples = list(parse(source.replace("/a>", f"/{name[0]}>"), format=RdfFormat.N_TRIPLES))
        (tmp_path / name).write_bytes(serialize(triples, format=fmt))
        files.append(tmp_path / name)
    (tmp_path / "c.nq").write_text(
        '<http://ex.org/c> <http://ex.org/p> "x" <http://ex.org/g1> .\n')
    (tmp_path / "f.trig").write_text(
        '<http://ex.org/g2> { <http://ex.org/f> <http://ex.org/p> "x" }\n')
    files += [tmp_path / "c.nq", tmp_path / "f.trig"]
    app = create_app(ServiceConfig(source=DatasetSource(Settings(workers=1), files=tuple(files))))
    with TestClient(app) as client:
        default = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o }"})
        assert sorted(r["s"][-1] for r in bindings(default)) == ["a", "b", "d", "e"]
        named = client.get("/sparql", params={
            "query": "SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"})
        assert [(r["g"][-2:], r["s"][-1]) for r in bindings(named)] == [("g1", "c"), ("g2", "f")]
        # files are served as they are: no predeclared prefixes
        assert client.get("/sparql", params={"query": "ASK { ?s a hkg:Person }"}).status_code == 400
        description = client.get("/sparql", headers={"accept": "application/n-triples"}).text
        assert "<http://ex.org/g1>" in description and "<http://ex.org/g2>" in description
