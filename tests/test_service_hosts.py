"""The Host header: a malformed one gets 400, a valid one never a 5xx, and with --base-url
every link and redirect comes from the configured base (issue 16, item 7, "Low").

Requests go to the application as raw ASGI calls, because HTTP clients refuse to send the
malformed headers a hostile client would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from external_servers import oxigraph_server
from fastapi.testclient import TestClient

from kg.build import BuildSummary
from kg.cli import main
from kg.service.app import create_app
from kg.service.context import ServiceConfig
from kg.service.dataset import DatasetSource
from kg.settings import Settings

KGD = "https://w3id.org/cn-health-kg/"
ROUTES = ["/", "/sparql", "/dataset", "/void", "/downloads", "/downloads/tables/",
          "/downloads/tables/datapackage.json", "/agency/nhc", "/person", "/api/queries",
          "/api/queries/timeline", "/ontology", "/search?q=nhc", "/scorecard",
          "/graph/entities", "/openapi.json"]
ACCEPTS = ["text/html", "text/turtle", "application/json"]
MALFORMED = [b"ex%zz", b"a b", b"a<b>", b'a"b', b"", b"[::1", b"a/b", b"user@a", b"\xe9.org",
             b"a:99999", b"a:b:c", b"a\\b", b"a{b}", b"a#b"]
VALID = [b"example.org:8080", b"[::1]:8000", b"127.0.0.1", b"a'b.example", b"%41.example"]


def asgi_get(client: TestClient, path: str, hosts: list[bytes], accept: str = "text/html"
             ) -> tuple[int, dict[bytes, bytes], bytes]:
    """GET `path` with exactly these Host header values, straight into the application."""
    path, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "root_path": "", "client": ("127.0.0.1", 9),
             "server": ("127.0.0.1", 8000),
             "headers": [(b"accept", accept.encode()), *((b"host", h) for h in hosts)]}
    answer: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"], answer["headers"] = message["status"], dict(message["headers"])
        else:
            answer["body"] += message.get("body", b"")

    async def call() -> None:
        await client.app(scope, receive, send)

    client.portal.call(call)  # type: ignore[union-attr]
    return answer["status"], answer["headers"], answer["body"]


@pytest.fixture(scope="module")
def based_client(built_store: tuple[Path, BuildSummary]) -> Iterator[TestClient]:
    """The service with `--base-url https://kg.example.org/`."""
    config = ServiceConfig(source=DatasetSource(Settings(location=built_store[0], workers=1)),
                           base_url="https://kg.example.org/")
    with TestClient(create_app(config)) as client:
        yield client


@pytest.fixture(scope="module")
def store_client(built_store: tuple[Path, BuildSummary], tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[TestClient]:
    """The service on `--store`: an Oxigraph server loaded by `kg push`."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as endpoint:
        pushed = CliRunner().invoke(main, ["push", "--location", str(built_store[0]),
                                           "--store", endpoint.query_url,
                                           "--gsp", endpoint.gsp_url])
        assert pushed.exit_code == 0, pushed.output
        source = DatasetSource(Settings(store_url=endpoint.query_url, gsp_url=endpoint.gsp_url,
                                        base_iri=KGD, workers=1))
        with TestClient(create_app(ServiceConfig(source=source))) as client:
            yield client


@pytest.fixture(params=["embedded", "store"])
def any_client(request: pytest.FixtureRequest) -> TestClient:
    name = "service_client" if request.param == "embedded" else "store_client"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.mark.parametrize("host", MALFORMED, ids=[repr(h) for h in MALFORMED])
def test_a_malformed_host_is_refused_with_400(any_client: TestClient, host: bytes) -> None:
    for route in ROUTES:
        status, headers, body = asgi_get(any_client, route, [host])
        assert status == 400, (route, status)
        assert headers[b"content-type"] == b"application/problem+json"
        assert b"(RFC 3986)" in body


def test_two_host_headers_are_refused_with_400(service_client: TestClient) -> None:
    status, _, body = asgi_get(service_client, "/", [b"a.example", b"b.example"])
    assert (status, b"more than one Host header" in body) == (400, True)


def test_a_valid_host_never_gets_a_5xx(any_client: TestClient) -> None:
    """Every pair of host, route and media type is requested at least once (each host on
    every route, the media type turning with both: 80 requests, not the 240 of every
    triple); the host only shapes the links, the media type only the renderer."""
    assert len(VALID) >= len(ACCEPTS)  # so that every route meets every media type
    for h, host in enumerate(VALID):
        for r, route in enumerate(ROUTES):
            accept = ACCEPTS[(h + r) % len(ACCEPTS)]
            status, _, _ = asgi_get(any_client, route, [host], accept)
            assert status < 500, (host, route, accept, status)


def test_without_base_url_links_follow_a_valid_host(service_client: TestClient) -> None:
    status, headers, _ = asgi_get(service_client, "/void", [b"example.org:8080"])
    assert (status, headers[b"location"]) == (303, b"http://example.org:8080/dataset")


def test_with_base_url_no_link_or_redirect_follows_the_host(based_client: TestClient) -> None:
    status, headers, _ = asgi_get(based_client, "/void", [b"attacker.example"])
    assert (status, headers[b"location"]) == (303, b"https://kg.example.org/dataset")
    for route, accept in [("/", "text/html"), ("/sparql", "text/turtle"),
                          ("/dataset", "text/turtle"), ("/agency/nhc", "text/html")]:
        status, _, body = asgi_get(based_client, route, [b"attacker.example"], accept)
        assert status == 200, route
        assert b"attacker.example" not in body, route
        assert b"https://kg.example.org/" in body, route
