"""`kg serve --data` passes every W3C SPARQL 1.1 query test the Oxigraph server passes.

The evaluation tests need 88 datasets: each is served by the application `kg serve --data`
runs, in this process (its own query worker), so no server is started per dataset. The
syntax tests go over HTTP to one real `kg serve` over an empty dataset, and
test_w3c_protocol.py drives another through the whole protocol suite.
The Oxigraph side is the committed list tests/w3c/oxigraph-passes.json (kept current by
test_w3c_harness.py; regenerate with `uv run python -m tests.w3c.run --endpoint oxigraph
--save-oxigraph-passes`).
"""

from __future__ import annotations

import re

import pytest
from w3c.endpoints import kg_app_endpoint, kg_endpoint
from w3c.manifest import evaluation_tests, syntax_tests
from w3c.outcomes import FAIL, PASS, REFUSED, REMOTE_GRAPH, Outcome, read_oxigraph_passes
from w3c.query_suites import query_text, run_evaluation_suite, run_syntax_suite

OXIGRAPH_PASSES = read_oxigraph_passes()


@pytest.fixture(scope="module")
def kg_evaluation() -> dict[str, Outcome]:
    return {o.test: o for o in run_evaluation_suite(kg_app_endpoint, evaluation_tests())}


@pytest.fixture(scope="module")
def kg_syntax() -> dict[str, Outcome]:
    return {o.test: o for o in run_syntax_suite(kg_endpoint, syntax_tests())}


@pytest.mark.parametrize("test_id", OXIGRAPH_PASSES["query"])
def test_kg_passes_evaluation_test_that_oxigraph_passes(
        kg_evaluation: dict[str, Outcome], test_id: str) -> None:
    outcome = kg_evaluation[test_id]
    assert outcome.status == PASS, f"{test_id}: {outcome.status}: {outcome.reason}"


@pytest.mark.parametrize("test_id", OXIGRAPH_PASSES["syntax"])
def test_kg_passes_syntax_test_that_oxigraph_passes(
        kg_syntax: dict[str, Outcome], test_id: str) -> None:
    """A SERVICE query may be refused by policy: kg never calls other servers."""
    outcome = kg_syntax[test_id]
    assert outcome.status != FAIL, f"{test_id}: {outcome.reason}"


def test_kg_refuses_service_only_by_policy(kg_syntax: dict[str, Outcome]) -> None:
    refused = {t for t, o in kg_syntax.items() if o.status == REFUSED}
    assert refused <= {t for t in kg_syntax if t.startswith("syntax-fed/")}
    assert all("SERVICE" in kg_syntax[t].reason for t in refused)


def test_kg_refuses_remote_graphs_only_for_from_clauses(kg_syntax: dict[str, Outcome]) -> None:
    """Over an empty dataset any FROM names a graph kg would have to fetch: refused, 400."""
    by_id = {t.id: t for t in syntax_tests()}
    refused = [t for t, o in kg_syntax.items() if o.status == REMOTE_GRAPH]
    assert all(re.search(r"\bFROM\b", query_text(by_id[t].query), re.I) for t in refused)


def test_kg_rejects_every_negative_syntax_test_with_400(kg_syntax: dict[str, Outcome]) -> None:
    negative = [t.id for t in syntax_tests() if not t.positive]
    wrong = {t: kg_syntax[t].reason for t in negative if kg_syntax[t].status != PASS}
    assert not wrong
