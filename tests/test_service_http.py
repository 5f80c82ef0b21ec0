"""HTTP as clients use it: HEAD and OPTIONS wherever GET is, 405 with the whole Allow list,
every route in every format (and bad ones) without a 5xx, and addresses or parameter values
the engine cannot take as IRIs answered 404 / 422, not 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import RdfFormat, parse

from kg.formats import GRAPH_FORMATS, RESULTS_FORMATS
from kg.store.convert import oxigraph_format

BASE = "https://w3id.org/cn-health-kg/"
#: one path of every kind of GET route, with what makes it answer 200
GET_PATHS = [
    "/", "/void", "/.well-known/void", "/downloads", "/downloads/cn-health-kg.ttl",
    "/sparql", "/sparql?query=ASK%20%7B%7D", "/api/queries",
    "/api/queries/official-profile?person=" + BASE + "person/wang-haidong",
    "/person/wang-haidong", "/graph/entities", "/dataset", "/query/label-search",
    "/openapi.json", "/docs",
]
FORMAT_NAMES = sorted({*GRAPH_FORMATS, *RESULTS_FORMATS, "html"})
RDF_BY_MEDIA_TYPE = {f.media_type: oxigraph_format(f) for f in GRAPH_FORMATS.values()}


def media_type(response: object) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip()  # type: ignore[attr-defined]


# ---------------------------------------------------------------- HEAD, OPTIONS, 405

@pytest.mark.parametrize("path", GET_PATHS)
def test_head_is_get_without_the_body(service_client: TestClient, path: str) -> None:
    get = service_client.get(path, follow_redirects=False)
    head = service_client.head(path, follow_redirects=False)
    assert head.status_code == get.status_code
    assert head.content == b""
    for name in ("content-type", "content-length", "etag", "last-modified", "vary", "location"):
        assert head.headers.get(name) == get.headers.get(name), name


@pytest.mark.parametrize("path", GET_PATHS)
def test_options_lists_the_methods_of_the_path(service_client: TestClient, path: str) -> None:
    response = service_client.options(path)
    assert response.status_code == 204 and response.content == b""
    allowed = {m.strip() for m in response.headers["allow"].split(",")}
    expected = {"GET", "HEAD", "OPTIONS"} | ({"POST"} if path.startswith("/sparql") else set())
    assert allowed == expected


def test_cors_preflight_is_still_answered_as_cors(service_client: TestClient) -> None:
    response = service_client.options("/sparql", headers={
        "origin": "https://example.org", "access-control-request-method": "POST",
        "access-control-request-headers": "content-type"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("DELETE", "/sparql", "GET, HEAD, OPTIONS, POST"),
    ("PUT", "/sparql", "GET, HEAD, OPTIONS, POST"),
    ("POST", "/void", "GET, HEAD, OPTIONS"),
    ("PATCH", "/person/wang-haidong", "GET, HEAD, OPTIONS"),
    ("POST", "/api/queries/timeline", "GET, HEAD, OPTIONS"),
])
def test_other_methods_get_405_with_allow(service_client: TestClient, method: str, path: str,
                                          allow: str) -> None:
    response = service_client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert method in response.json()["detail"]


# ---------------------------------------------------------------- every route, every format

@pytest.mark.parametrize("path", [p for p in GET_PATHS if p not in ("/openapi.json", "/docs")])
@pytest.mark.parametrize("fmt", [*FORMAT_NAMES, "AAA", "", "text/turtle"])
def test_every_route_in_every_format_answers_or_refuses_clearly(
        service_client: TestClient, path: str, fmt: str) -> None:
    sep = "&" if "?" in path else "?"
    response = service_client.get(f"{path}{sep}format={fmt}", follow_redirects=False)
    assert response.status_code in (200, 303, 400, 406), response.text[:300]
    if response.status_code in (400, 406):
        problem = response.json()
        assert problem["status"] == response.status_code and problem["detail"]
    if response.status_code == 400:
        assert repr(fmt) in problem["detail"] or "format" in problem["detail"]
    rdf = RDF_BY_MEDIA_TYPE.get(media_type(response))
    if response.status_code == 200 and rdf is not None:
        assert list(parse(response.content, format=rdf, base_iri=BASE))  # parses, not empty


def test_home_page_as_n_quads_is_the_void_description(service_client: TestClient) -> None:
    response = service_client.get("/?format=nq")
    assert response.status_code == 200 and media_type(response) == "application/n-quads"
    quads = list(parse(response.content, format=RdfFormat.N_QUADS))
    assert any(q.object.value == "http://rdfs.org/ns/void#Dataset" for q in quads)


# ---------------------------------------------------------------- IRIs the engine refuses

@pytest.mark.parametrize("path", ["/person/a%20b", "/person/%3Cx%3E", "/claim/%7B%7D",
                                  "/a%5Cb", "/person/x%22y"])
def test_addresses_that_are_no_iri_are_not_found(service_client: TestClient, path: str) -> None:
    for accept in ("text/html", "text/turtle"):
        assert service_client.get(path, headers={"accept": accept}).status_code == 404


@pytest.mark.parametrize("value", ["http://%5B", "http://[::1", "http://exa mple.org/",
                                   "http://example.org/%zz", "urn:x:<y>"])
def test_iri_parameters_use_the_engine_rules(service_client: TestClient, value: str) -> None:
    response = service_client.get("/api/queries/official-profile", params={"person": value})
    assert response.status_code == 422
    assert response.json()["parameter"] == "person"


@pytest.mark.parametrize(("query", "parameter"), [
    ("conflicting-names", "post"), ("timeline", "from"), ("label-search", "text"),
    ("province-comparison", "atLeast"), ("task-scorecard", "lang"),
])
def test_empty_values_are_refused_naming_the_parameter(service_client: TestClient, query: str,
                                                      parameter: str) -> None:
    params = {"text": "卫生"} if query == "label-search" else {}
    response = service_client.get(f"/api/queries/{query}", params={**params, parameter: " "})
    assert response.status_code == 422
    body = response.json()
    assert body["parameter"] == parameter and "empty" in body["detail"]


def test_a_submitted_form_with_blank_fields_is_answered(service_client: TestClient) -> None:
    """Browsers send a form's blank fields as empty values: for the HTML page, not given."""
    response = service_client.get("/api/queries/conflicting-names",
                                  params={"post": "", "lang": "", "format": "html"})
    assert response.status_code == 200 and "<table" in response.text


def test_parameters_document_the_values_they_take(service_client: TestClient) -> None:
    spec = service_client.get("/openapi.json").json()
    params = {p["name"]: p["schema"]
              for p in spec["paths"]["/api/queries/official-profile"]["get"]["parameters"]}
    people = params["person"]["enum"]
    assert BASE + "person/wang-haidong" in people
    assert all(p.startswith(BASE + "person/") for p in people)
    responses = spec["paths"]["/api/queries/official-profile"]["get"]["responses"]
    assert {"200", "400", "406", "422", "503"} <= set(responses)
    void = spec["paths"]["/void"]["get"]["responses"]["200"]["content"]
    assert "text/turtle" in void and "application/json" not in void
    assert "404" in spec["paths"]["/downloads/{filename}"]["get"]["responses"]
    dump = spec["paths"]["/downloads/{filename}"]["get"]["parameters"]
    assert [p["name"] for p in dump] == ["filename"]
    assert "cn-health-kg.ttl" in dump[0]["schema"]["enum"]
