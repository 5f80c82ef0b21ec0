"""Linked data: dereferencing, content negotiation, dumps, VoID/DCAT and HTTP validators."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import RdfFormat, parse
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, VOID

BASE = "https://w3id.org/cn-health-kg/"
JIAO = URIRef(f"{BASE}person/jiao-yahui")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_entity_page_for_browsers(service_client: TestClient) -> None:
    page = service_client.get("/person/jiao-yahui", headers={"accept": BROWSER})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "焦雅辉" in html and "Jiao Yahui" in html  # zh label and pinyin
    assert "Person" in html
    assert "/claim/002/p-jiao-yahui" in html  # incoming links, as local addresses
    assert "司长" in html or "医政司" in html  # a claim that mentions her, with its quote
    assert "/source/002" in html


def test_claim_page_shows_its_evidence_and_source(service_client: TestClient) -> None:
    html = service_client.get("/claim/002/t-new-inclusive-childcare-places",
                              headers={"accept": "text/html"}).text
    assert "<blockquote" in html and "66万" in html
    assert 'href="http://testserver/source/002"' in html
    assert 'href="http://testserver/person/wang-haidong"' in html


@pytest.mark.parametrize(("media", "fmt"), [
    ("text/turtle", RdfFormat.TURTLE), ("application/ld+json", RdfFormat.JSON_LD),
    ("application/n-triples", RdfFormat.N_TRIPLES), ("application/rdf+xml", RdfFormat.RDF_XML),
    ("application/n-quads", RdfFormat.N_QUADS), ("application/trig", RdfFormat.TRIG),
])
def test_entity_description_by_accept(service_client: TestClient, media: str,
                                      fmt: RdfFormat) -> None:
    response = service_client.get("/person/jiao-yahui", headers={"accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "Accept" in response.headers["vary"]
    triples = {(q.subject.value, q.predicate.value, q.object.value)
               for q in parse(response.content, format=fmt)}
    assert (str(JIAO), str(RDFS.label), "焦雅辉") in triples
    # bounded: her statements, the labels of what she links to, the claims pointing to her
    # and their evidence, not the whole graph
    claims = {s for s, _, o in triples if o == str(JIAO) and s != str(JIAO)}
    evidence = {o for s, p, o in triples if s in claims and p.endswith("#evidence")}
    assert f"{BASE}claim/002/p-jiao-yahui" in claims
    assert any(p == "http://www.w3.org/ns/oa#exact" for s, p, _ in triples if s in evidence)
    assert {s for s, _, _ in triples} <= {str(JIAO), f"{BASE}ontology#Person",
                                          *claims, *evidence}


def test_entity_description_honours_q_weights(service_client: TestClient) -> None:
    response = service_client.get("/agency/nhc", headers={
        "accept": "text/html;q=0.2, text/turtle;q=0.5, application/ld+json;q=0.9"})
    assert response.headers["content-type"] == "application/ld+json"
    turtle = service_client.get("/agency/nhc", params={"format": "ttl"},
                                headers={"accept": "text/html"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert "@prefix" in turtle.text or "PREFIX" in turtle.text


def test_unknown_iris_are_404(service_client: TestClient) -> None:
    page = service_client.get("/person/no-such-person", headers={"accept": BROWSER})
    assert page.status_code == 404
    assert "no-such-person" in page.text
    rdf = service_client.get("/person/no-such-person", headers={"accept": "text/turtle"})
    assert rdf.status_code == 404
    assert rdf.json()["title"] == "not found"


def test_named_graphs_and_saved_queries_dereference(service_client: TestClient) -> None:
    graph = service_client.get("/graph/source/002", headers={"accept": "application/n-triples"})
    assert graph.status_code == 200
    assert f"<{BASE}claim/002/t-new-inclusive-childcare-places>" in graph.text
    query = service_client.get("/query/timeline", headers={"accept": "text/turtle"})
    entry = Graph().parse(data=query.text, format="turtle")
    assert (URIRef(f"{BASE}query/timeline"), RDFS.label, Literal("事件与数据时间线", lang="zh")) \
        in entry
    page = service_client.get("/query/timeline", headers={"accept": "text/html"},
                              follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].endswith("/api/queries/timeline")


def test_downloads_page_writes_no_dump_and_sizes_those_made(
    built_store: tuple[Path, object],
) -> None:
    """The list answers without serialising the graph six times; a dump's size is shown once
    a download has made it."""
    from kg.service.app import create_app
    from kg.service.context import ServiceConfig
    from kg.service.dataset import DatasetSource
    from kg.settings import Settings

    app = create_app(ServiceConfig(source=DatasetSource(Settings(location=built_store[0],
                                                                 workers=1))))
    html = {"accept": "text/html", "accept-language": "en"}
    with TestClient(app) as client:
        before = client.get("/downloads", headers=html)
        assert before.status_code == 200
        assert "written when first downloaded" in before.text
        dump = client.get("/downloads/cn-health-kg.nt")
        assert dump.status_code == 200
        after = client.get("/downloads", headers=html).text
    size = f"{len(dump.content):,}"
    assert size not in before.text
    row = after[after.index("cn-health-kg.nt</code>"):]
    assert size in row[:row.index("</tr>")]


def test_downloads_in_every_format(service_client: TestClient) -> None:
    listing = service_client.get("/downloads", headers={"accept": "text/html"})
    assert listing.status_code == 200
    files = {"ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES, "nq": RdfFormat.N_QUADS,
             "trig": RdfFormat.TRIG, "jsonld": RdfFormat.JSON_LD, "rdf": RdfFormat.RDF_XML}
    sizes = {}
    for extension, fmt in files.items():
        name = f"cn-health-kg.{extension}"
        assert name in listing.text
        dump = service_client.get(f"/downloads/{name}")
        assert dump.status_code == 200
        assert name in dump.headers["content-disposition"]
        quads = list(parse(dump.content, format=fmt))
        sizes[extension] = len(quads)
        if extension in ("nq", "trig", "jsonld"):
            assert {q.graph_name.value for q in quads} >= {f"{BASE}graph/entities",
                                                          f"{BASE}graph/source/002"}
    assert sizes["nq"] == sizes["trig"] == sizes["jsonld"] >= sizes["nt"] == sizes["ttl"]
    assert service_client.get("/downloads/everything.zip").status_code == 404


def test_void_and_dcat_describe_the_dataset(service_client: TestClient) -> None:
    response = service_client.get("/void")
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    dataset = URIRef(f"{BASE}dataset")
    assert (dataset, RDF.type, VOID.Dataset) in graph
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert str(graph.value(dataset, VOID.sparqlEndpoint)).endswith("/sparql")
    assert len(set(graph.objects(dataset, VOID.dataDump))) == 6
    downloads = {str(graph.value(d, DCAT.downloadURL)) for d in graph.objects(dataset,
                                                                              DCAT.distribution)}
    assert {u.rsplit(".", 1)[-1] for u in downloads if u != "None"} == {
        "ttl", "nt", "nq", "trig", "jsonld", "rdf"}
    assert int(graph.value(dataset, VOID.triples)) > 1000
    well_known = service_client.get("/.well-known/void",
                                    headers={"accept": "application/n-triples"})
    assert len(Graph().parse(data=well_known.text, format="nt")) == len(graph)


def test_reads_carry_validators_and_revalidate_with_304(service_client: TestClient) -> None:
    for url in ("/person/jiao-yahui", "/api/queries/timeline", "/sparql?query=ASK%20%7B%7D",
                "/downloads/cn-health-kg.nt", "/void"):
        response = service_client.get(url)
        assert response.status_code == 200, url
        etag, modified = response.headers["etag"], response.headers["last-modified"]
        assert etag.startswith('W/"')
        again = service_client.get(url, headers={"if-none-match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        since = service_client.get(url, headers={"if-modified-since": modified})
        assert since.status_code == 304
    stale = service_client.get("/void", headers={"if-none-match": 'W/"0000"'})
    assert stale.status_code == 200
    earlier = parsedate_to_datetime(response.headers["last-modified"]) - timedelta(days=1)
    older = service_client.get("/void", headers={
        "if-modified-since": format_datetime(earlier, usegmt=True)})
    assert older.status_code == 200


def test_etag_is_the_dataset_version(service_client: TestClient) -> None:
    version = service_client.app.state.context.version  # type: ignore[attr-defined]
    assert service_client.get("/void").headers["etag"] == f'W/"{version}-zh"'
    english = service_client.get("/", headers={"accept-language": "en"})
    assert english.headers["etag"] == f'W/"{version}-en"'
    # a zh page's tag does not validate the en page
    assert service_client.get("/", headers={"accept-language": "en", "if-none-match":
                                            f'W/"{version}-zh"'}).status_code == 200
    assert service_client.get("/openapi.json").json()["info"]["version"] == version


def test_home_page_links_everything(service_client: TestClient) -> None:
    html = service_client.get("/", headers={"accept": BROWSER}).text
    for link in ("api/queries", "sparql", "downloads", "void"):
        assert f'/{link}"' in html
    assert "hkg:Person" in html
