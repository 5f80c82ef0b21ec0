"""`kg serve --data` passes the W3C SPARQL 1.1 Protocol tests the Oxigraph server passes, and
refuses every SPARQL Update (it is read-only)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from w3c.datasets import protocol_dataset, write_dataset
from w3c.endpoints import Endpoint, kg_endpoint
from w3c.manifest import ProtocolTest, protocol_tests
from w3c.outcomes import PASS, READ_ONLY, REMOTE_GRAPH, read_oxigraph_passes
from w3c.protocol_suite import run_protocol_test

TESTS = protocol_tests()
OXIGRAPH_PASSES = set(read_oxigraph_passes()["protocol"])


@pytest.fixture(scope="module")
def kg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    """`kg serve` over the protocol suite's named graphs, stopped after the module."""
    workdir: Path = tmp_path_factory.mktemp("w3c-protocol")
    files = write_dataset(protocol_dataset(TESTS), workdir / "data")
    with kg_endpoint(files, workdir) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=40) as http:
        yield http


@pytest.mark.parametrize("test", [t for t in TESTS if t.id in OXIGRAPH_PASSES],
                         ids=lambda t: t.id.rsplit("#", 1)[-1])
def test_kg_passes_protocol_test_that_oxigraph_passes(
        kg: Endpoint, client: httpx.Client, test: ProtocolTest) -> None:
    outcome = run_protocol_test(client, kg, test)
    assert outcome.status in (PASS, REMOTE_GRAPH), outcome.reason
    if outcome.status == REMOTE_GRAPH:
        # Refused on purpose: the request names a graph the dataset does not hold, which kg
        # would have to fetch from the web. Only such requests may be refused.
        asked = b" ".join(e.path.encode() + (e.body or b"") for e in test.exchanges)
        assert b"graph-uri=" in asked or b"FROM" in asked.upper(), outcome.reason


@pytest.mark.parametrize("test", [t for t in TESTS if t.is_update],
                         ids=lambda t: t.id.rsplit("#", 1)[-1])
def test_kg_refuses_update_of_protocol_test(
        kg: Endpoint, client: httpx.Client, test: ProtocolTest) -> None:
    outcome = run_protocol_test(client, kg, test)
    assert outcome.status == READ_ONLY, outcome.reason
