"""The graph view: /graph/neighbourhood and /graph/path (JSON and HTML), the entity
page's graph section and its no-JavaScript list of neighbours."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

BASE = "https://w3id.org/cn-health-kg/"
WANG = f"{BASE}person/wang-haidong"
NHC = f"{BASE}agency/nhc"
HENAN = f"{BASE}region/henan"
JSON = {"accept": "application/json"}


def neighbourhood(client: TestClient, **params: object) -> dict:
    response = client.get("/graph/neighbourhood", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def test_neighbourhood_has_typed_edges_and_labelled_kinded_nodes(
        service_client: TestClient) -> None:
    graph = neighbourhood(service_client, iri=WANG)
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert nodes[WANG]["label"] == "王海东" and nodes[WANG]["kind"] == "Person"
    assert len(nodes) > 1
    for edge in graph["edges"]:
        assert WANG in (edge["source"], edge["target"])  # one hop: every edge touches her
        assert {edge["source"], edge["target"]} <= set(nodes)
        assert edge["label"] and not edge["label"].startswith("http")
    reported = [e for e in graph["edges"] if e["predicate"] == f"{BASE}ontology#reportedBy"]
    assert reported and all(nodes[e["source"]]["claim"] for e in reported)  # claims as nodes
    assert all(not n["label"].startswith("http") for n in graph["nodes"])


def test_neighbourhood_labels_follow_the_language(service_client: TestClient) -> None:
    graph = neighbourhood(service_client, iri=WANG, lang="en")
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert nodes[WANG]["label"] == "Wang Haidong" and nodes[WANG]["kind_label"] == "Person"


def test_two_hops_reach_further_within_the_node_cap(service_client: TestClient) -> None:
    one = neighbourhood(service_client, iri=WANG, hops=1, limit=150)
    two = neighbourhood(service_client, iri=WANG, hops=2, limit=150)
    assert len(two["nodes"]) > len(one["nodes"])
    capped = neighbourhood(service_client, iri=WANG, hops=2, limit=10)
    assert len(capped["nodes"]) == 10 and capped["truncated"] is True


@pytest.mark.parametrize("params", [
    {"iri": "not an iri"}, {"iri": WANG, "hops": 3}, {"iri": WANG, "hops": 0},
    {"iri": WANG, "limit": 151}, {"iri": WANG, "lang": "fr"}, {},
])
def test_neighbourhood_refuses_bad_parameters_with_422(service_client: TestClient,
                                                       params: dict) -> None:
    response = service_client.get("/graph/neighbourhood", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("value", ["²", "①", "1" * 4301, "1.5", "x", ""])
def test_integer_parameters_out_of_their_grammar_are_422(service_client: TestClient,
                                                         value: str) -> None:
    for name in ("hops", "limit"):
        response = service_client.get("/graph/neighbourhood", params={"iri": WANG, name: value})
        assert response.status_code == 422, (name, value)
        assert response.json()["parameter"] == name


def test_long_values_are_422_at_once(service_client: TestClient) -> None:
    long_iri = BASE + "x" * 5000
    assert service_client.get("/graph/neighbourhood",
                              params={"iri": long_iri}).status_code == 422
    words = " ".join(["wang haidong li"] * 3000)
    response = service_client.get("/graph/path", params={"from": words, "to": NHC})
    assert response.status_code == 422 and response.json()["parameter"] == "from"


def test_a_name_that_matches_nothing_is_404(service_client: TestClient) -> None:
    response = service_client.get("/graph/path", params={"from": "qqqzzzxxx", "to": NHC},
                                  headers=JSON)
    assert response.status_code == 404


def test_neighbourhood_of_an_unknown_iri_is_404(service_client: TestClient) -> None:
    response = service_client.get("/graph/neighbourhood", params={"iri": f"{BASE}person/nobody"})
    assert response.status_code == 404


def test_path_between_two_entities_is_a_chain_of_typed_edges(service_client: TestClient) -> None:
    response = service_client.get("/graph/path", params={"from": WANG, "to": HENAN}, headers=JSON)
    assert response.status_code == 200
    body = response.json()
    assert body["from"] == WANG and body["to"] == HENAN and body["paths"]
    for path in body["paths"]:
        assert 1 <= len(path) <= 4
        here = WANG
        for step in path:  # each step leaves the node the previous one reached
            assert here in (step["source"], step["target"])
            here = step["target"] if step["source"] == here else step["source"]
        assert here == HENAN
    assert {n["id"] for n in body["nodes"]} >= {WANG, HENAN}


def test_path_page_takes_names_and_lists_the_paths(service_client: TestClient) -> None:
    response = service_client.get("/graph/path", params={"from": "王海东", "to": NHC},
                                  headers={"accept": "text/html"})
    assert response.status_code == 200
    html = response.text
    assert 'class="paths"' in html and "国家卫生健康委员会" in html
    assert 'id="graph-view"' in html and "static/graph.js" in html
    assert 'data-suggest="http://testserver/search/suggest"' in html
    # the drawing reads the JSON from its own address (a cached HTML page never stands in)
    assert "format=json" in html


def test_path_format_parameter_gives_json(service_client: TestClient) -> None:
    response = service_client.get("/graph/path", params={"from": WANG, "to": NHC,
                                                          "format": "json"})
    assert response.status_code == 200 and response.json()["paths"]


def test_path_page_without_ends_is_an_empty_form(service_client: TestClient) -> None:
    response = service_client.get("/graph/path", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert 'name="from"' in response.text and 'class="paths"' not in response.text


def test_path_to_an_unknown_iri_is_404(service_client: TestClient) -> None:
    response = service_client.get("/graph/path", params={"from": WANG, "to": f"{BASE}x/none"},
                                  headers=JSON)
    assert response.status_code == 404


def test_entity_page_has_a_graph_section_that_works_without_javascript(
        service_client: TestClient) -> None:
    html = service_client.get("/person/wang-haidong", headers={"accept": "text/html"}).text
    assert 'id="graph-view"' in html and "static/vendor/cytoscape-3.35.0/cytoscape.min.js" in html
    assert 'class="neighbours"' in html
    assert 'href="http://testserver/claim/001/m-childcare-institutions"' in html
    assert "graph/path?from=" in html


def test_home_page_links_the_path_finder(service_client: TestClient) -> None:
    html = service_client.get("/", headers={"accept": "text/html"}).text
    assert 'href="http://testserver/graph/path"' in html
