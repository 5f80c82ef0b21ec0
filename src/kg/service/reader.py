"""The one way pages read the graph: SPARQL SELECT, ASK and CONSTRUCT, neutral terms out.

Pages, search, scorecard and VoID ask questions in SPARQL through a GraphReader
over the served `GraphStore` and get plain `Term`s back, never store-specific
objects, so the same pages run unchanged on the embedded store or a SPARQL server.
Values are put into query text only through `sparql_term` (see kg.store.terms).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kg.formats import GRAPH_FORMATS, GraphFormat
from kg.store import GraphStore, QueryDataset
from kg.store.convert import graph_as
from kg.store.terms import XSD, Row, Term, UnsafeValue, fill, iri, literal, sparql_term

__all__ = ["XSD", "GraphReader", "Row", "Term", "UnsafeValue", "fill", "iri", "literal",
           "sparql_term"]


class GraphReader:
    """SPARQL over the served dataset (the store the settings chose)."""

    def __init__(self, store: GraphStore, *, union_default_graph: bool,
                 prefixes: Mapping[str, str]) -> None:
        self._store = store
        self.dataset = QueryDataset(union=union_default_graph)
        self.prefixes = dict(prefixes)

    def select(self, query: str, values: Mapping[str, Any] | None = None) -> list[Row]:
        """The solutions of a SELECT, each a dict of bound variables."""
        return self._store.select(fill(query, values or {}), dataset=self.dataset,
                                  prefixes=self.prefixes)

    def ask(self, query: str, values: Mapping[str, Any] | None = None) -> bool:
        return self._store.ask(fill(query, values or {}), dataset=self.dataset,
                               prefixes=self.prefixes)

    def construct(self, query: str, fmt: GraphFormat, values: Mapping[str, Any] | None = None,
                  *, graph: str | None = None) -> bytes:
        """The graph a CONSTRUCT builds, serialised (prefixes declared for Turtle); quad
        formats put it in `graph` if given, else in the default graph."""
        nt = self._store.construct(fill(query, values or {}), GRAPH_FORMATS["nt"],
                                   dataset=self.dataset, prefixes=self.prefixes)
        return graph_as(nt, fmt, prefixes=self.prefixes, graph=graph)
