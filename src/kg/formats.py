"""The one table of RDF and SPARQL-results formats: names, media types, extensions (the
engine's own format objects are the store's: kg.store.convert.rdf_format)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph


@dataclass(frozen=True)
class GraphFormat:
    """An RDF serialisation."""

    name: str
    media_type: str
    extension: str
    rdflib: str
    quads: bool
    aliases: tuple[str, ...] = ()
    """Other media types clients send for this format (served as `media_type`)."""
    names: tuple[str, ...] = ()
    """Other names accepted for it in a `format` parameter."""


GRAPH_FORMATS: dict[str, GraphFormat] = {
    f.name: f
    for f in (
        GraphFormat("ttl", "text/turtle", "ttl", "turtle", False,
                    ("application/x-turtle",), ("turtle",)),
        GraphFormat("nt", "application/n-triples", "nt", "nt", False,
                    ("text/plain",), ("ntriples", "n-triples")),
        GraphFormat("nq", "application/n-quads", "nq", "nquads", True,
                    ("text/x-nquads",), ("nquads", "n-quads")),
        GraphFormat("trig", "application/trig", "trig", "trig", True,
                    ("application/x-trig",)),
        GraphFormat("jsonld", "application/ld+json", "jsonld", "json-ld", True,
                    ("application/json",), ("json-ld", "json")),
        GraphFormat("xml", "application/rdf+xml", "rdf", "xml", False,
                    ("application/xml", "text/xml"), ("rdf", "rdfxml", "rdf-xml")),
    )
}


@dataclass(frozen=True)
class ResultsFormat:
    """A SPARQL query-results serialisation (SELECT and ASK)."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()
    """Other media types clients send for this format (served as `media_type`)."""


RESULTS_FORMATS: dict[str, ResultsFormat] = {
    f.name: f
    for f in (
        ResultsFormat("json", "application/sparql-results+json", ("application/json",)),
        ResultsFormat("xml", "application/sparql-results+xml", ("application/xml", "text/xml")),
        ResultsFormat("csv", "text/csv"),
        ResultsFormat("tsv", "text/tab-separated-values"),
    )
}


#: Web pages (linked-data views, result tables, forms).
HTML_MEDIA_TYPE = "text/html"


def graph_format_for_path(path: str) -> GraphFormat:
    """The graph format of a file, from its extension (.ttl, .nt, .nq, .trig, .jsonld, .rdf)."""
    suffix = path.rsplit(".", 1)[-1].lower()
    aliases = {"turtle": "ttl", "owl": "xml", "json": "jsonld", "n3": "ttl"}
    for fmt in GRAPH_FORMATS.values():
        if suffix in (fmt.extension, fmt.name) or aliases.get(suffix) == fmt.name:
            return fmt
    raise ValueError(f"{path}: unknown RDF file extension .{suffix}")


def serialize_graph(graph: Graph, fmt: GraphFormat) -> bytes:
    """An rdflib graph (triples, no named graphs) in `fmt`. rdflib writes N-Quads only from a
    dataset; the N-Quads of a default graph alone are its N-Triples lines."""
    return graph.serialize(format="nt" if fmt.name == "nq" else fmt.rdflib,  # type: ignore[no-any-return]
                           encoding="utf-8")
