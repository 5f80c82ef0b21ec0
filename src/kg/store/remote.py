"""Any SPARQL 1.1 Protocol + Graph Store Protocol server (Oxigraph server, Virtuoso,
Fuseki, GraphDB, QLever...), over HTTP with httpx.

The dataset is the project's named graphs (those under the base IRI, so a server's own
system graphs stay out), less the small release graph `kg push` writes last: the build's
version as `<BASE>dataset owl:versionInfo`, so the version (and the service's ETags)
follow what was pushed, and each graph's size as `<graph> void:triples n`, so the graphs
are known without scanning every quad (data loaded otherwise is scanned once). The union
default graph the embedded store offers is asked for the portable way: every project
graph named as a default graph and as a named graph (the protocol's default-graph-uri
and named-graph-uri); or, where the server's own default graph already is that union
(`union_default_graph`), nothing is listed, since long lists make Oxigraph server slow
(100x at 10^5 triples) and Virtuoso refuse the request. Client query text sent here is
the canonical text the service checked (`kg.sparql_lexer`, `kg.inspection`), never
the client's own; this class only forwards it. The server runs it outside kg's
sandbox, so it must have no route out (README, Settings and stores;
tests/test_store_isolation.py). Compact SPARQL 1.1 JSON results within the row cap (what
Oxigraph server writes) go to the client as they came; other JSON results (Virtuoso's)
are rewritten in one pass with Python's json, other formats through Oxigraph.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import httpx

from kg.formats import GRAPH_FORMATS, RESULTS_FORMATS
from kg.query_errors import NotAcceptable, QueryFailed, QuerySyntaxError, QueryTimeout
from kg.settings import DEFAULT_TIMEOUT, normalise_base
from kg.store.base import (
    UNION,
    GraphStore,
    QueryDataset,
    Serialised,
    StoreError,
    content_version,
    current_deadline,
)
from kg.store.convert import (
    CANONICAL_BOOLEAN,
    XSD_BOOLEAN,
    canonical_booleans,
    cut_solutions,
    first_lines,
    graph_as,
    results_as,
    surely_within,
)
from kg.store.terms import XSD, Row, literal, sparql_term, term_from_json

OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
JSON = RESULTS_FORMATS["json"].media_type
NT = GRAPH_FORMATS["nt"].media_type
_MEDIA = {**{f.media_type: f.name for f in RESULTS_FORMATS.values()}, "text/plain": "nt",
          "application/sparql-results+json": "json", "application/json": "json",
          **{f.media_type: f.name for f in GRAPH_FORMATS.values()}}


class RemoteStore(GraphStore):
    """A SPARQL server at `query_url`; graphs written through the GSP at `gsp_url`."""

    def __init__(self, query_url: str, gsp_url: str | None = None, *, base_iri: str,
                 timeout: float = DEFAULT_TIMEOUT, user: str | None = None,
                 password: str | None = None, union_default_graph: bool = False) -> None:
        self.query_url = query_url
        self.union_default_graph = union_default_graph
        """The server's own default graph is the union of its graphs: list none."""
        self.gsp_url = gsp_url
        self.configured_base = normalise_base(base_iri)
        self.timeout = timeout
        self.client = httpx.Client(timeout=timeout, follow_redirects=False)
        self.auth = httpx.DigestAuth(user, password or "") if user else None
        """For writing graphs only (Virtuoso's /sparql-graph-crud-auth wants digest)."""
        self._graphs: list[str] | None = None
        self._record: tuple[str | None, dict[str, int]] | None = None
        self._manifest: dict[str, Any] | None = None

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("a RemoteStore stays in the process that opened it")

    @property
    def release_graph(self) -> str:
        """Where `kg push` records the version of what it pushed (not a data graph)."""
        return self.configured_base + "release"

    @property
    def manifest(self) -> Mapping[str, Any]:
        """The pushed version; for data loaded otherwise, a digest of the graph sizes."""
        if self._manifest is None:
            version = self._release()[0] or content_version(self.graph_sizes())
            self._manifest = {"version": version, "base_iri": self.configured_base,
                              "store": self.query_url}
        return self._manifest

    # ------------------------------------------------------------ queries

    def _post(self, sparql: str, accept: str, dataset: QueryDataset,
              prefixes: Mapping[str, str] | None, base_iri: str | None,
              timeout: float | None) -> httpx.Response:
        prologue = "".join(f"PREFIX {p}: {sparql_term(ns)}\n"
                           for p, ns in (prefixes or {}).items())
        if base_iri:
            prologue = f"BASE {sparql_term(base_iri)}\n" + prologue
        form: dict[str, Any] = {"query": prologue + sparql}
        if dataset.explicit:
            form["default-graph-uri"] = list(dataset.default_graphs or ())
            form["named-graph-uri"] = list(dataset.named_graphs or ())
        elif dataset.union and not dataset.from_text and not self.union_default_graph:
            form["default-graph-uri"] = form["named-graph-uri"] = self.named_graphs()
        limit = timeout or self.timeout
        deadline = current_deadline()
        wait = limit if deadline is None else min(limit, deadline.left())
        try:
            response = self.client.post(self.query_url, data=form,
                                        headers={"Accept": accept}, timeout=wait)
        except httpx.TimeoutException:
            if deadline is not None:
                deadline.left()  # the page's limit, if that is the one that passed
            raise QueryTimeout(f"the SPARQL server did not answer within the {limit:g} s "
                               "time limit") from None
        except httpx.HTTPError as error:
            raise QueryFailed(f"the SPARQL server {self.query_url} cannot be reached: "
                              f"{error}") from None
        if response.status_code == 400:
            raise QuerySyntaxError(f"the SPARQL server refused the query: "
                                   f"{response.text[:500]}")
        if response.status_code >= 300:
            raise QueryFailed(f"the SPARQL server {self.query_url} answered "
                              f"{response.status_code}: {response.text[:300]}")
        return response

    def _json(self, sparql: str, dataset: QueryDataset, prefixes: Mapping[str, str] | None,
              base_iri: str | None = None) -> dict[str, Any]:
        response = self._post(sparql, JSON, dataset, prefixes, base_iri, None)
        try:
            return json.loads(_canonical_results(response.content))  # type: ignore[no-any-return]
        except ValueError as error:
            raise QueryFailed(f"the SPARQL server sent JSON that cannot be read: {error}"
                              ) from None

    def select(self, sparql: str, *, dataset: QueryDataset = UNION,
               prefixes: Mapping[str, str] | None = None,
               base_iri: str | None = None) -> list[Row]:
        data = self._json(sparql, dataset, prefixes, base_iri)
        return [{name: term_from_json(value) for name, value in binding.items()}
                for binding in data.get("results", {}).get("bindings", [])]

    def ask(self, sparql: str, *, dataset: QueryDataset = UNION,
            prefixes: Mapping[str, str] | None = None) -> bool:
        return bool(self._json(sparql, dataset, prefixes).get("boolean"))

    def answer(self, sparql: str, *, results_format: str | None, graph_format: str | None,
               dataset: QueryDataset = UNION, prefixes: Mapping[str, str] | None = None,
               base_iri: str | None = None, max_rows: int | None = None,
               timeout: float | None = None) -> Serialised:
        """Asked for as JSON results or N-Triples (what every server writes), then cut at
        max_rows and converted to the wanted format here."""
        accept = JSON if graph_format is None else NT if results_format is None else \
            f"{JSON}, {NT};q=0.9"
        response = self._post(sparql, accept, dataset, prefixes, base_iri, timeout)
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        source = _MEDIA.get(media)
        if source in RESULTS_FORMATS:
            if results_format is None:
                raise NotAcceptable("results")
            if source == results_format == "json":
                if _as_written(response.content, max_rows):
                    return Serialised("solutions", "json", response.content)
                rewritten = _safely(lambda: _sparql11_solutions(response.content, max_rows))
                if rewritten is not None:
                    return Serialised("solutions", "json", *rewritten)
            body = _canonical_results(response.content) if source == "json" else \
                response.content
            if source == "json" and b'"boolean"' in body[:200] and \
                    "boolean" in _safely(lambda: json.loads(body)):
                return Serialised("boolean", results_format,
                                  results_as(body, source, results_format, normalise=True))
            solutions, cut = _safely(lambda: cut_solutions(body, source, results_format,
                                                           max_rows))
            return Serialised("solutions", results_format, solutions, cut)
        if source in GRAPH_FORMATS and source in ("nt", "ttl"):
            if graph_format is None:
                raise NotAcceptable("graph")
            nt = response.content
            if source == "ttl":
                nt = _safely(lambda: graph_as(response.content, GRAPH_FORMATS["nt"]))
            nt = _safely(lambda: canonical_booleans(nt))
            cut_nt, cut = first_lines(nt, max_rows) if max_rows else (nt, False)
            body = _safely(lambda: graph_as(cut_nt, GRAPH_FORMATS[graph_format]))
            return Serialised("graph", graph_format, body, cut)
        raise QueryFailed(f"the SPARQL server answered in a format this service does not "
                          f"read: {media or 'none'}")

    # ------------------------------------------------------------ graphs

    def named_graphs(self) -> list[str]:
        if self._graphs is None:
            self._graphs = sorted(self._pushed_sizes() or self._scan_graphs())
        return self._graphs

    def _scan_graphs(self) -> list[str]:
        """The project's graph names by a scan of every quad (seconds at 10^7 triples)."""
        rows = self.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {sparql_term(literal(self.configured_base))})) }}",
            dataset=QueryDataset(union=False))
        return [row["g"].value for row in rows if row["g"].value != self.release_graph]

    def _pushed_sizes(self) -> dict[str, int]:
        """The graphs and sizes `kg push` recorded in the release graph (empty if none)."""
        return self._release()[1]

    def _release(self) -> tuple[str | None, dict[str, int]]:
        """What `kg push` recorded in the release graph, read once: the version (None if
        none) and each graph's size (empty if none)."""
        if self._record is None:
            rows = self.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH {sparql_term(self.release_graph)}"
                               " { ?s ?p ?o } }", dataset=QueryDataset(union=False))
            version = next((row["o"].value for row in rows
                            if row["p"].value == OWL_VERSION_INFO
                            and row["s"].value == self.configured_base + "dataset"), None)
            sizes = {row["s"].value: int(row["o"].value) for row in rows
                     if row["p"].value == VOID_TRIPLES}
            self._record = (version, sizes)
        return self._record

    def graph_sizes(self) -> dict[str, int]:
        pushed = self._pushed_sizes()
        if pushed:
            return dict(pushed)
        sizes = super().graph_sizes()
        return {g: n for g, n in sizes.items() if g in set(self.named_graphs())}

    def read_graph(self, name: str) -> bytes:
        if self.gsp_url is None:
            return self.answer(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {sparql_term(name)} "
                               "{ ?s ?p ?o } }", results_format=None, graph_format="nt",
                               dataset=QueryDataset(union=False)).body
        response = self._gsp("GET", name, headers={"Accept": NT})
        return _safely(lambda: canonical_booleans(response.content))

    def publish(self, graphs: Mapping[str, bytes], manifest: Mapping[str, Any]) -> str:
        """The graphs, then the release graph naming their version, names and sizes
        (written last, so a reader never sees the new version beside old data; read back,
        the service starts without scanning the server's quads)."""
        where = super().publish(graphs, manifest)
        lines = [f"{sparql_term(name)} {sparql_term(VOID_TRIPLES)} "
                 f"{sparql_term(literal(str(_count_triples(nt)), datatype=XSD + 'integer'))} .\n"
                 for name, nt in graphs.items()]
        if manifest.get("version"):
            version = sparql_term(literal(str(manifest["version"])))
            lines.append(f"{sparql_term(self.configured_base + 'dataset')} "
                         f"{sparql_term(OWL_VERSION_INFO)} {version} .\n")
        self.replace_graph(self.release_graph, "".join(lines).encode())
        return where

    def replace_graph(self, name: str, ntriples: bytes) -> None:
        if self.gsp_url is None:
            raise StoreError(f"{self.query_url}: no Graph Store Protocol URL (--gsp) to "
                             "write graphs to")
        # N-Triples is Turtle, and every GSP server reads Turtle
        self._gsp("PUT", name, content=ntriples, headers={"Content-Type": "text/turtle"})
        self._graphs = self._record = self._manifest = None

    def _gsp(self, method: str, name: str, **kwargs: Any) -> httpx.Response:
        assert self.gsp_url is not None
        try:
            response = self.client.request(method, self.gsp_url, params={"graph": name},
                                           auth=self.auth or httpx.USE_CLIENT_DEFAULT,
                                           **kwargs)
        except httpx.HTTPError as error:
            raise StoreError(f"{self.gsp_url}: {method} graph <{name}> failed: {error}"
                             ) from None
        if response.status_code >= 300:
            raise StoreError(f"{self.gsp_url}: {method} graph <{name}> answered "
                             f"{response.status_code}: {response.text[:300]}")
        return response

    def close(self) -> None:
        self.client.close()


def _count_triples(ntriples: bytes) -> int:
    """Triples in N-Triples as the stores write it: one a line, no comments."""
    return sum(1 for line in ntriples.splitlines() if line.strip())


def _safely(convert: Any) -> Any:
    try:
        return convert()
    except (SyntaxError, ValueError, OSError) as error:
        raise QueryFailed(f"the SPARQL server's answer cannot be read: {error}") from None


#: How SPARQL 1.1 JSON solutions begin and end as Oxigraph writes them (and so this service).
_COMPACT_SOLUTIONS = b'{"head":{"vars":['
_COMPACT_END = b"]}}"
#: A term whose value is "0" or "1" (where there is none, no xsd:boolean is non-canonical).
_ZERO_OR_ONE = re.compile(rb'"value"\s*:\s*"[01]"')


def _as_written(body: bytes, max_rows: int | None) -> bool:
    """Whether JSON results can go to the client as the server wrote them: solutions,
    whole, in the compact SPARQL 1.1 form this service writes (Oxigraph server's own),
    with no SPARQL 1.0 `typed-literal` (Virtuoso's), no xsd:boolean to make canonical, and
    surely no more than max_rows of them."""
    return (body.startswith(_COMPACT_SOLUTIONS) and body.rstrip().endswith(_COMPACT_END)
            and b'"typed-literal"' not in body and _canonical_booleans(body)
            and (max_rows is None or surely_within(body, max_rows)))


def _canonical_booleans(body: bytes) -> bool:
    """Whether every xsd:boolean in JSON results surely has its canonical form already."""
    return XSD_BOOLEAN.encode() not in body or not _ZERO_OR_ONE.search(body)


def _sparql11_solutions(body: bytes, max_rows: int | None) -> tuple[bytes, bool] | None:
    """JSON solutions rewritten in one pass as this service writes them (compact SPARQL
    1.1: SPARQL 1.0's `typed-literal` made `literal`, xsd:boolean canonical, no other
    member), cut at max_rows, and whether they were; None for a boolean answer."""
    data = json.loads(body)
    if not isinstance(data, dict) or "boolean" in data:
        return None
    try:
        names = data["head"]["vars"]
        rows = data["results"]["bindings"]
        cut = max_rows is not None and len(rows) > max_rows
        rows = rows[:max_rows] if cut else rows
        for row in rows:
            for term in row.values():
                if term["type"] == "typed-literal":
                    term["type"] = "literal"
                _canonical_boolean(term)
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"not SPARQL JSON results ({type(error).__name__}: {error})"
                         ) from None
    solutions = {"head": {"vars": names}, "results": {"bindings": rows}}
    return json.dumps(solutions, ensure_ascii=False, separators=(",", ":")).encode(), cut


def _canonical_results(body: bytes) -> bytes:
    """SPARQL JSON results with xsd:boolean literals in their canonical lexical form
    (kg.store.convert.canonical_booleans, for solutions)."""
    if _canonical_booleans(body):
        return body
    data = _safely(lambda: json.loads(body))
    for binding in data.get("results", {}).get("bindings", []):
        for value in binding.values():
            _canonical_boolean(value)
    return json.dumps(data, ensure_ascii=False).encode()


def _canonical_boolean(term: dict[str, Any]) -> None:
    """An xsd:boolean JSON term written 0 or 1 (Virtuoso) made `false` or `true`."""
    if term.get("datatype") == XSD_BOOLEAN and term.get("value") in CANONICAL_BOOLEAN:
        term["value"] = CANONICAL_BOOLEAN[term["value"]]


