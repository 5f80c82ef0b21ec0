"""The query evaluation and syntax suites, run over HTTP against an endpoint."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from kg.errors import KgError

from .datasets import DatasetSpec, evaluation_dataset, write_dataset
from .endpoints import Endpoint, Launcher
from .manifest import EvaluationTest, SyntaxTest, local_path
from .outcomes import FAIL, PASS, REFUSED, REMOTE_GRAPH, Outcome, refuses_remote_graph
from .results import UnreadableResults, compare, order_keys, read_expected, read_response

ACCEPT_BY_EXTENSION = {
    "srx": "application/sparql-results+xml",
    "srj": "application/sparql-results+json",
    "tsv": "text/tab-separated-values",
    "csv": "text/csv",
}
ACCEPT_ANY = "application/sparql-results+json, text/turtle;q=0.9"
SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


def query_text(query_iri: str) -> str:
    """A test query as sent: `BASE <its W3C IRI>` first, so relative IRIs resolve as in the
    suite and not against the endpoint's own URL."""
    return f"BASE <{query_iri}>\n" + local_path(query_iri).read_text(encoding="utf-8")


def post_query(client: httpx.Client, endpoint: Endpoint, query: str,
               accept: str) -> httpx.Response:
    return client.post(endpoint.query_url, content=query.encode("utf-8"), headers={
        "Content-Type": "application/sparql-query", "Accept": accept,
    })


def run_evaluation_test(client: httpx.Client, endpoint: Endpoint,
                        test: EvaluationTest) -> Outcome:
    """Results are asked for in the format of the expected file (SPARQL XML for .srx, and
    so on; JSON or Turtle for results given in RDF) and must come in that format."""
    extension = test.result.rsplit(".", 1)[-1]
    wanted = ACCEPT_BY_EXTENSION.get(extension)
    query = query_text(test.query)
    try:
        response = post_query(client, endpoint, query, wanted or ACCEPT_ANY)
    except httpx.HTTPError as error:
        return Outcome(test.id, FAIL, f"request failed: {error!r}")
    if response.status_code != 200:
        return Outcome(test.id, FAIL, f"HTTP {response.status_code}: {_excerpt(response)}")
    content_type = response.headers.get("content-type", "")
    if wanted and content_type.split(";")[0].strip().lower() != wanted:
        return Outcome(test.id, FAIL, f"asked for {wanted}, got {content_type or 'no type'}")
    try:
        actual = read_response(content_type, response.content)
    except UnreadableResults as error:
        return Outcome(test.id, FAIL, str(error))
    problem = compare(read_expected(test.result), actual, order_keys(query))
    return Outcome(test.id, FAIL, problem) if problem else Outcome(test.id, PASS)


def run_evaluation_suite(launch: Launcher, tests: Iterable[EvaluationTest],
                         workers: int = 2) -> list[Outcome]:
    """Every test, each dataset served once by its own endpoint; `workers` endpoints at a time."""
    groups: dict[DatasetSpec, list[EvaluationTest]] = {}
    for test in tests:
        groups.setdefault(evaluation_dataset(test), []).append(test)

    def run_group(item: tuple[DatasetSpec, list[EvaluationTest]]) -> list[Outcome]:
        spec, members = item
        with tempfile.TemporaryDirectory(prefix="w3c-") as folder:
            workdir = Path(folder)
            try:
                with launch(write_dataset(spec, workdir / "data"), workdir) as endpoint, \
                        endpoint.http() as client:
                    return [run_evaluation_test(client, endpoint, t) for t in members]
            except (RuntimeError, OSError, KgError) as error:
                reason = f"endpoint over {spec.label()} did not start: {error}"
                return [Outcome(t.id, FAIL, reason) for t in members]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = [o for group in pool.map(run_group, groups.items()) for o in group]
    return sorted(outcomes, key=lambda o: o.test)


def run_syntax_test(client: httpx.Client, endpoint: Endpoint, test: SyntaxTest) -> Outcome:
    """Positive: 2xx and readable results (a SERVICE not run counts apart); negative: 400."""
    query = query_text(test.query)
    try:
        response = post_query(client, endpoint, query, ACCEPT_ANY)
    except httpx.HTTPError as error:
        return Outcome(test.id, FAIL, f"request failed: {error!r}")
    status = response.status_code
    seen = f"HTTP {status}: {_excerpt(response)}"
    if not test.positive:
        return Outcome(test.id, PASS) if status == 400 else Outcome(
            test.id, FAIL, f"accepted a bad query ({seen})" if status < 300 else seen)
    if 200 <= status < 300:
        try:
            read_response(response.headers.get("content-type", ""), response.content)
            return Outcome(test.id, PASS)
        except UnreadableResults as error:
            # Streaming servers send 200 before the evaluation fails.
            seen = f"HTTP {status}, then {error}"
    if SERVICE.search(query):
        return Outcome(test.id, REFUSED, seen)
    if refuses_remote_graph(status, response.content):
        return Outcome(test.id, REMOTE_GRAPH, seen)
    return Outcome(test.id, FAIL, seen)


def run_syntax_suite(launch: Launcher, tests: Iterable[SyntaxTest]) -> list[Outcome]:
    """Every syntax test against one endpoint over an empty dataset."""
    with tempfile.TemporaryDirectory(prefix="w3c-") as folder:
        workdir = Path(folder)
        with launch(write_dataset(DatasetSpec(), workdir / "data"), workdir) as endpoint, \
                endpoint.http() as client:
            outcomes = [run_syntax_test(client, endpoint, t) for t in tests]
    return sorted(outcomes, key=lambda o: o.test)


def _excerpt(response: httpx.Response) -> str:
    return " ".join(response.text.split())[:200]
