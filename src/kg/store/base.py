"""The store interface: SPARQL in, neutral terms or serialised bytes out.

One small abstract class (as in Prez's `repositories/`), one subclass per backend:
`EmbeddedStore` (Oxigraph in this process, the default) and `RemoteStore` (any
SPARQL 1.1 Protocol + Graph Store Protocol server). Nothing outside the subclasses
sees a backend's own types: queries answer `Row`s of `Term`s, a bool, or bytes in
one of the formats of `kg.formats`.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from kg.errors import ReportedError
from kg.formats import GraphFormat
from kg.store.terms import Row

GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


class StoreError(ReportedError, status=503, title="store unavailable", kind="store-unavailable",
                 retry_after=2, public=False):
    """The store cannot be opened, read or written (its message names the store: the
    service logs it and answers 503)."""



@dataclass(frozen=True, slots=True)
class QueryDataset:
    """Which graphs a query sees.

    Explicit graphs (the protocol's default-graph-uri / named-graph-uri) replace the
    query's own dataset; otherwise the default graph is the union of all named graphs
    if `union` is true, else the store's own default graph; FROM clauses in the text
    win over both when `from_text` is true."""

    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    union: bool = True
    from_text: bool = False

    @property
    def explicit(self) -> bool:
        return self.default_graphs is not None or self.named_graphs is not None


UNION = QueryDataset()


@dataclass(frozen=True, slots=True)
class Serialised:
    """A query's answer as bytes in a format of kg.formats."""

    kind: Literal["solutions", "boolean", "graph"]
    format: str
    body: bytes
    truncated: bool = False


class GraphStore(ABC):
    """What the CLI, the build and the service need from a store."""

    #: Whether query text may run here directly; a remote store gets only checked text.
    embedded: bool = False
    #: The release folder the store reads, if it is one (what else the release carries).
    release: Path | None = None

    @property
    @abstractmethod
    def manifest(self) -> Mapping[str, Any]:
        """What the build recorded (version, base IRI, sources); may be empty."""

    @property
    def version(self) -> str:
        """Changes whenever the data does (for HTTP validators and caches)."""
        return str(self.manifest.get("version") or "")

    @abstractmethod
    def select(self, sparql: str, *, dataset: QueryDataset = UNION,
               prefixes: Mapping[str, str] | None = None,
               base_iri: str | None = None) -> list[Row]:
        """The solutions of a SELECT, each a dict of its bound variables."""

    @abstractmethod
    def ask(self, sparql: str, *, dataset: QueryDataset = UNION,
            prefixes: Mapping[str, str] | None = None) -> bool:
        """The answer of an ASK."""

    @abstractmethod
    def answer(self, sparql: str, *, results_format: str | None, graph_format: str | None,
               dataset: QueryDataset = UNION, prefixes: Mapping[str, str] | None = None,
               base_iri: str | None = None, max_rows: int | None = None,
               timeout: float | None = None) -> Serialised:
        """Any query's answer serialised (results or graph format by the query's form),
        cut after max_rows solutions or triples (truncated=True). Raises
        kg.query_errors.QueryError subclasses for the client's text."""

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """The names of the graphs that hold data, sorted."""

    @abstractmethod
    def read_graph(self, name: str) -> bytes:
        """One named graph as N-Triples."""

    @abstractmethod
    def replace_graph(self, name: str, ntriples: bytes) -> None:
        """Replace one named graph by N-Triples (what GSP PUT does)."""

    def publish(self, graphs: Mapping[str, bytes], manifest: Mapping[str, Any]) -> str:
        """Make these graphs (name -> N-Triples) the dataset; says where it went."""
        for name, ntriples in graphs.items():
            self.replace_graph(name, ntriples)
        return f"{len(graphs)} graphs"

    def construct(self, sparql: str, fmt: GraphFormat, *, dataset: QueryDataset = UNION,
                  prefixes: Mapping[str, str] | None = None) -> bytes:
        """A CONSTRUCT's graph in a triples format, uncut."""
        return self.answer(sparql, results_format=None, graph_format=fmt.name,
                           dataset=dataset, prefixes=prefixes).body

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples in each named graph."""
        return {row["g"].value: int(row["n"].value)
                for row in self.select(GRAPH_SIZES, dataset=QueryDataset(union=False))}

    def dump(self, fmt: GraphFormat) -> bytes:
        """The whole dataset; triple formats get the union of all graphs."""
        from kg.store.convert import merge_graphs

        return merge_graphs({g: self.read_graph(g) for g in self.named_graphs()}, fmt)

    def close(self) -> None:  # noqa: B027 (most backends hold nothing to close)
        """Let go of files or connections."""


def content_version(sizes: Mapping[str, int]) -> str:
    """A version for a dataset without a manifest: a digest of its graphs' sizes."""
    text = "\n".join(f"{g} {n}" for g, n in sorted(sizes.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
