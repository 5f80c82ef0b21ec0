"""The W3C SPARQL 1.1 manifests, read into plain test records with absolute W3C IRIs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

PROJECT = Path(__file__).resolve().parents[2]
BASE_IRI = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")

QUERY_MANIFESTS = ("manifest-sparql11-query.ttl", "manifest-sparql11-results.ttl")
SYNTAX_MANIFESTS = ("manifest-sparql11-query.ttl", "syntax-fed/manifest.ttl")
PROTOCOL_MANIFEST = "protocol/manifest.ttl"


def suite_dir() -> Path:
    """Where the suite's files are: $KG_W3C_SUITE, or ../shared/w3c-sparql next to the project."""
    folder = Path(os.environ.get("KG_W3C_SUITE", PROJECT.parent / "shared" / "w3c-sparql"))
    if not (folder / PROTOCOL_MANIFEST).is_file():
        raise FileNotFoundError(
            f"W3C SPARQL 1.1 test suite not found at {folder} (set $KG_W3C_SUITE)"
        )
    return folder


def local_path(iri: str) -> Path:
    """The local copy of a suite file named by its W3C IRI."""
    if not iri.startswith(BASE_IRI):
        raise ValueError(f"{iri} is not a file of the W3C SPARQL 1.1 suite")
    return suite_dir() / iri[len(BASE_IRI):]


def short_id(iri: str) -> str:
    """A test's IRI without the suite base, e.g. 'aggregates/manifest#agg01'."""
    return iri[len(BASE_IRI):] if iri.startswith(BASE_IRI) else iri


@dataclass(frozen=True)
class EvaluationTest:
    """A query evaluation test: run `query` over the dataset, compare with `result`."""

    iri: str
    name: str
    query: str
    data: tuple[str, ...]
    graph_data: tuple[str, ...]
    result: str

    @property
    def id(self) -> str:
        return short_id(self.iri)


@dataclass(frozen=True)
class SyntaxTest:
    """A query the parser must accept (positive) or reject (negative)."""

    iri: str
    name: str
    query: str
    positive: bool

    @property
    def id(self) -> str:
        return short_id(self.iri)


@dataclass(frozen=True)
class HttpExchange:
    """One request of a protocol test, with what its response must show."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    expected_status: frozenset[int]  # classes: 2 for 2xx, 4 for 4xx
    expected_format: str | None
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    """A protocol test: a sequence of HTTP exchanges over named graphs (graph IRI, file IRI)."""

    iri: str
    name: str
    exchanges: tuple[HttpExchange, ...]
    named_graphs: tuple[tuple[str, str], ...]

    @property
    def id(self) -> str:
        return short_id(self.iri)

    @property
    def is_update(self) -> bool:
        """Whether the test is about SPARQL Update (named update_* or bad_update_*)."""
        return "update" in self.iri.rsplit("#", 1)[-1]


def _entries(manifest: str) -> Iterator[tuple[Graph, URIRef]]:
    """Every (graph, test node) of a manifest and of the manifests it includes."""
    graph = Graph()
    graph.parse(suite_dir() / manifest, format="turtle", publicID=BASE_IRI + manifest)
    node = URIRef(BASE_IRI + manifest)
    for included in graph.objects(node, MF.include):
        for item in Collection(graph, included):
            yield from _entries(short_id(str(item)))
    for entries in graph.objects(node, MF.entries):
        for item in Collection(graph, entries):
            yield graph, item


def _kind(graph: Graph, test: URIRef) -> str:
    return str(graph.value(test, RDF.type)).rsplit("#", 1)[-1]


def evaluation_tests() -> list[EvaluationTest]:
    """The 232 query evaluation tests and the 3 CSV result-format tests."""
    tests = []
    for manifest in QUERY_MANIFESTS:
        for graph, test in _entries(manifest):
            if _kind(graph, test) not in ("QueryEvaluationTest", "CSVResultFormatTest"):
                continue
            action = graph.value(test, MF.action)
            tests.append(EvaluationTest(
                iri=str(test),
                name=str(graph.value(test, MF.name)),
                query=str(graph.value(action, QT.query)),
                data=tuple(sorted(str(d) for d in graph.objects(action, QT.data))),
                graph_data=tuple(sorted(str(d) for d in graph.objects(action, QT.graphData))),
                result=str(graph.value(test, MF.result)),
            ))
    return tests


def syntax_tests() -> list[SyntaxTest]:
    """The positive and negative SPARQL 1.1 query syntax tests, federated ones included."""
    tests = []
    for manifest in SYNTAX_MANIFESTS:
        for graph, test in _entries(manifest):
            kind = _kind(graph, test)
            if kind not in ("PositiveSyntaxTest11", "NegativeSyntaxTest11"):
                continue
            tests.append(SyntaxTest(
                iri=str(test),
                name=str(graph.value(test, MF.name)),
                query=str(graph.value(test, MF.action)),
                positive=kind == "PositiveSyntaxTest11",
            ))
    return tests


STATUS_CLASSES = {HTS.StatusCode2xx: 2, HTS.StatusCode3xx: 3, HTS.StatusCode4xx: 4,
                  HTS.StatusCode5xx: 5}


def _exchange(graph: Graph, request: BNode) -> HttpExchange:
    headers = []
    header_list = graph.value(request, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            headers.append((str(graph.value(header, HT.fieldName)),
                            str(graph.value(header, HT.fieldValue))))
    body = None
    body_node = graph.value(request, HT.body)
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    response = graph.value(request, HT.resp)
    statuses = frozenset(STATUS_CLASSES[s] for s in graph.objects(response, MF.expectedStatus))
    expected_format = graph.value(response, MF.expectedFormat)
    expected_boolean = graph.value(response, MF.expectedBoolean)
    return HttpExchange(
        method=str(graph.value(request, HT.methodName)),
        path=str(graph.value(request, HT.absolutePath)),
        headers=tuple(headers),
        body=body,
        expected_status=statuses,
        expected_format=None if expected_format is None else str(expected_format),
        expected_boolean=(None if expected_boolean is None
                          else bool(Literal(expected_boolean).toPython())),
    )


def protocol_tests() -> list[ProtocolTest]:
    """The 34 SPARQL 1.1 Protocol tests, their HTTP exchanges read from the manifest."""
    tests = []
    for graph, test in _entries(PROTOCOL_MANIFEST):
        action = graph.value(test, MF.action)
        requests = Collection(graph, graph.value(action, HT.requests))
        named = tuple(
            (str(graph.value(item, RDFS.label)), str(graph.value(item, UT.graph)))
            for item in graph.objects(test, UT.graphData)
        )
        tests.append(ProtocolTest(
            iri=str(test),
            name=str(graph.value(test, MF.name)),
            exchanges=tuple(_exchange(graph, request) for request in requests),
            named_graphs=tuple(sorted(named)),
        ))
    return tests
