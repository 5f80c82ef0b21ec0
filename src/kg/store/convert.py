"""Format conversions between serialised answers (Oxigraph as a codec only).

Bytes in, bytes out: no backend's types leave this module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from pyoxigraph import (
    CanonicalizationAlgorithm,
    Dataset,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
    serialize,
)

from kg.formats import GRAPH_FORMATS, RESULTS_FORMATS, GraphFormat, ResultsFormat

#: The engine's format of each format of kg.formats, by name.
_RDF_FORMATS = {"ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES, "nq": RdfFormat.N_QUADS,
                "trig": RdfFormat.TRIG, "jsonld": RdfFormat.JSON_LD, "xml": RdfFormat.RDF_XML}
_RESULTS_FORMATS = {"json": QueryResultsFormat.JSON, "xml": QueryResultsFormat.XML,
                    "csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV}


def oxigraph_format(fmt: GraphFormat | ResultsFormat) -> Any:
    """Oxigraph's format object for a graph format (RdfFormat) or a results format
    (QueryResultsFormat)."""
    if isinstance(fmt, GraphFormat):
        return _RDF_FORMATS[fmt.name]
    return _RESULTS_FORMATS[fmt.name]


NT = GRAPH_FORMATS["nt"]
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
#: xsd:boolean's canonical lexical forms (XSD 1.1 §3.3.2.2): "1" is "true", "0" is "false"
CANONICAL_BOOLEAN = {"1": "true", "0": "false"}


def canonical_booleans(ntriples: bytes) -> bytes:
    """N-Triples with every xsd:boolean literal in its canonical lexical form (a server
    that keeps booleans as numbers, like Virtuoso, writes "1"^^xsd:boolean)."""
    if XSD_BOOLEAN.encode() not in ntriples:
        return ntriples
    triples = [Triple(t.subject, t.predicate, _canonical(t.object))
               for t in parse(ntriples, format=oxigraph_format(NT))]
    return serialize(triples, format=oxigraph_format(NT)) or b""


def _canonical(term: Any) -> Any:
    if isinstance(term, Literal) and term.datatype.value == XSD_BOOLEAN and \
            term.value in CANONICAL_BOOLEAN:
        return Literal(CANONICAL_BOOLEAN[term.value], datatype=term.datatype)
    return term


def graph_as(ntriples: bytes, fmt: GraphFormat, *, prefixes: Mapping[str, str] | None = None,
             graph: str | None = None) -> bytes:
    """N-Triples in another graph format (quad formats put them in `graph`, else the
    default graph); Turtle and TriG declare the prefixes."""
    triples = list(dict.fromkeys(parse(ntriples, format=oxigraph_format(NT))))
    items: list[object] = triples
    if fmt.quads:
        name = NamedNode(graph) if graph else DefaultGraph()
        items = [Quad(t.subject, t.predicate, t.object, name) for t in triples]
    wanted = dict(prefixes) if prefixes and fmt.name in ("ttl", "trig") else None
    return serialize(items, format=oxigraph_format(fmt), prefixes=wanted) or b""


def merge_graphs(graphs: Mapping[str, bytes], fmt: GraphFormat) -> bytes:
    """Named graphs (N-Triples each) as one dump: quads keep the names, triples merge."""
    quads = []
    for name, ntriples in graphs.items():
        graph = NamedNode(name) if fmt.quads else DefaultGraph()
        quads += [Quad(t.subject, t.predicate, t.object, graph)
                  for t in parse(ntriples, format=oxigraph_format(NT))]
    if not fmt.quads:
        quads = list(dict.fromkeys(quads))
    return serialize(quads, format=oxigraph_format(fmt)) or b""


def first_lines(data: bytes, count: int, header: int = 0) -> tuple[bytes, bool]:
    """The header and the first `count` lines after it; and whether more were cut."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if len(lines) <= header + count:
        return data, False
    return b"\n".join(lines[:header + count]) + b"\n", True


def results_as(data: bytes, source: str, target: str, *, normalise: bool = False) -> bytes:
    """A results document in another results format (or rewritten in the same one, to
    normalise another server's dialect, e.g. SPARQL 1.0 JSON's typed-literal)."""
    if source == target and not normalise:
        return data
    parsed = parse_query_results(data, format=oxigraph_format(RESULTS_FORMATS[source]))
    return parsed.serialize(format=oxigraph_format(RESULTS_FORMATS[target]))  # type: ignore[no-any-return]


def surely_within(json_results: bytes, max_rows: int) -> bool:
    """Whether SPARQL JSON results surely hold at most max_rows solutions, without reading
    them: each solution is an object, so there are no more solutions than `{`."""
    return json_results.count(b"{") <= max_rows


def cut_solutions(data: bytes, source: str, target: str, max_rows: int | None
                  ) -> tuple[bytes, bool]:
    """Solutions in `source` format as `target` (always rewritten by Oxigraph), at most
    max_rows of them (cut in TSV, one line per solution)."""
    if max_rows is None or (source == "json" and surely_within(data, max_rows)):
        return results_as(data, source, target, normalise=True), False
    tsv = data if source == "tsv" else results_as(data, source, "tsv")
    cut, truncated = first_lines(tsv, max_rows, header=1)
    if not truncated:
        return results_as(data, source, target, normalise=True), False
    parsed = parse_query_results(cut, format=QueryResultsFormat.TSV)
    return parsed.serialize(format=oxigraph_format(RESULTS_FORMATS[target])), True


def dataset_version(serialised: Mapping[str, bytes]) -> str:
    """A hash of the canonical content of graphs (name -> N-Triples): same data, same version.

    The graphs are read into one dataset whose blank nodes are relabelled by W3C RDF
    Dataset Canonicalization (RDFC-1.0), so the labels a serialiser happened to choose
    do not matter; the sorted N-Quads are hashed. Nothing else (build time, release
    folder) goes in.
    """
    dataset = Dataset()
    for name, ntriples in serialised.items():
        graph = NamedNode(name)
        for triple in parse(ntriples, format=oxigraph_format(NT)):
            dataset.add(Quad(triple.subject, triple.predicate, triple.object, graph))
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    nquads = serialize(dataset, format=oxigraph_format(GRAPH_FORMATS["nq"])) or b""
    digest = hashlib.sha256()
    for line in sorted(nquads.splitlines(keepends=True)):
        digest.update(line)
    return digest.hexdigest()[:16]
