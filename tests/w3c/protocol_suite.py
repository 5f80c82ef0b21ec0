"""The SPARQL 1.1 Protocol suite: each test's HTTP exchanges, as the manifest encodes them."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

import httpx

from .datasets import protocol_dataset, write_dataset
from .endpoints import Endpoint, Launcher
from .manifest import HttpExchange, ProtocolTest
from .outcomes import FAIL, PASS, READ_ONLY, REMOTE_GRAPH, Outcome, refuses_remote_graph
from .results import Boolean, Graph, Solutions, UnreadableResults, read_response

EXPECTED_KINDS: dict[str, type] = {"boolean": Boolean, "tabular": Solutions, "RDF": Graph}
MANIFEST_PATH_PREFIX = "/sparql/"


def request_url(endpoint: Endpoint, exchange: HttpExchange, update: bool) -> str:
    """The manifest's `/sparql/...` path moved onto the endpoint's query or update path."""
    if not exchange.path.startswith(MANIFEST_PATH_PREFIX):
        raise ValueError(f"unexpected path in the protocol manifest: {exchange.path}")
    rest = exchange.path[len(MANIFEST_PATH_PREFIX):]
    return (endpoint.update_url if update else endpoint.query_url) + rest


def _sends_update(exchange: HttpExchange) -> bool:
    content_type = dict((k.lower(), v) for k, v in exchange.headers).get("content-type", "")
    return (content_type.startswith("application/sparql-update")
            or "update=" in exchange.path or (exchange.body or b"").startswith(b"update="))


def check_response(exchange: HttpExchange, response: httpx.Response) -> str | None:
    """None if the response is what the manifest expects, else what is wrong with it."""
    status = response.status_code
    if status // 100 not in exchange.expected_status:
        wanted = "/".join(f"{c}xx" for c in sorted(exchange.expected_status))
        return f"expected HTTP {wanted}, got {status}: {' '.join(response.text.split())[:160]}"
    if exchange.expected_format is None:
        return None
    try:
        results = read_response(response.headers.get("content-type", ""), response.content)
    except UnreadableResults as error:
        return str(error)
    expected_kind = EXPECTED_KINDS[exchange.expected_format]
    if not isinstance(results, expected_kind):
        return f"expected {exchange.expected_format} results, got {type(results).__name__}"
    if (exchange.expected_boolean is not None and isinstance(results, Boolean)
            and results.value != exchange.expected_boolean):
        return f"expected {exchange.expected_boolean}, got {results.value}"
    return None


def send(client: httpx.Client, endpoint: Endpoint, exchange: HttpExchange) -> httpx.Response:
    return client.request(exchange.method, request_url(endpoint, exchange, _sends_update(exchange)),
                          content=exchange.body, headers=list(exchange.headers))


def run_protocol_test(client: httpx.Client, endpoint: Endpoint, test: ProtocolTest) -> Outcome:
    """Query tests: every exchange as expected. Update tests: the update must be refused
    (4xx) by this read-only endpoint; they count as not applicable, or fail if it accepts."""
    try:
        if test.is_update:
            first = test.exchanges[0]
            response = send(client, endpoint, first)
            seen = f"HTTP {response.status_code}: {' '.join(response.text.split())[:160]}"
            if response.status_code // 100 == 4:
                return Outcome(test.id, READ_ONLY, f"update refused ({seen})")
            return Outcome(test.id, FAIL, f"a read-only endpoint must refuse updates ({seen})")
        for position, exchange in enumerate(test.exchanges, start=1):
            response = send(client, endpoint, exchange)
            problem = check_response(exchange, response)
            if problem and refuses_remote_graph(response.status_code, response.content):
                return Outcome(test.id, REMOTE_GRAPH, problem)
            if problem:
                prefix = f"request {position}: " if len(test.exchanges) > 1 else ""
                return Outcome(test.id, FAIL, prefix + problem)
    except httpx.HTTPError as error:
        return Outcome(test.id, FAIL, f"request failed: {error!r}")
    return Outcome(test.id, PASS)


def run_protocol_suite(launch: Launcher, tests: Iterable[ProtocolTest]) -> list[Outcome]:
    """All protocol tests against one endpoint serving the suite's named graphs."""
    tests = list(tests)
    with tempfile.TemporaryDirectory(prefix="w3c-") as folder:
        workdir = Path(folder)
        files = write_dataset(protocol_dataset(tests), workdir / "data")
        with launch(files, workdir) as endpoint, endpoint.http() as client:
            outcomes = [run_protocol_test(client, endpoint, t) for t in tests]
    return sorted(outcomes, key=lambda o: o.test)
