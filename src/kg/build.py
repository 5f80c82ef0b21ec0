"""`kg build`: data files -> checks -> RDF graphs -> SHACL (as SPARQL) -> atomic store release."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import (
    CanonicalizationAlgorithm,
    Dataset,
    NamedNode,
    Quad,
    RdfFormat,
    parse,
    serialize,
)
from rdflib import Graph
from rdflib.namespace import RDF

from kg.catalogue import load_catalogue
from kg.checks import check_curated
from kg.datafiles import CuratedData, load_curated
from kg.derive import derived_graph
from kg.errors import DataError, Problem, ValidationError
from kg.iris import IriMinter
from kg.questions import load_questions, questions_file
from kg.rdf import RdfMapper
from kg.shacl import ONTOLOGY_DIR, ShapeReport, load_turtle_dir
from kg.shapes_sparql import validate_graphs
from kg.store import EmbeddedStore, GraphStore, check_writable


@dataclass
class BuiltGraphs:
    """The named graphs of one build, by graph IRI, before they are stored."""

    graphs: dict[str, Graph]
    data: CuratedData
    minter: IriMinter

    def origin(self, iri: str) -> tuple[str, str | None]:
        """The data file and record an IRI was made from, for error messages."""
        for entity_id, entity in self.data.entities.items():
            if iri == str(self.minter.entity(entity.KIND, entity_id)):
                return self.data.entity_files[entity_id], entity_id
        for source_id, facts in self.data.facts.items():
            file = self.data.fact_files[source_id]
            if iri == str(self.minter.source(source_id)):
                return file, "source"
            for claim in facts.claims:
                for made in (self.minter.claim(source_id, claim.id),
                             self.minter.assessment(source_id, claim.id)):
                    if iri == str(made) or iri.startswith(f"{made}/"):
                        return file, claim.id
        return iri, None

    def serialised(self) -> dict[str, bytes]:
        """Each graph as N-Triples, by graph IRI: what is stored and what the version hashes."""
        return {n: g.serialize(format="nt", encoding="utf-8") for n, g in self.graphs.items()}

    def data_graph(self) -> Graph:
        """Everything but the ontology, merged: what the shapes validate."""
        merged = Graph()
        for name, graph in self.graphs.items():
            if name != str(self.minter.graph("ontology")):
                merged += graph
        return merged


@dataclass
class BuildSummary:
    version: str
    location: str | None
    triples: dict[str, int]
    entities: dict[str, int]
    claims: dict[str, int]
    shapes: ShapeReport
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"version {self.version}" + (f" -> {self.location}" if self.location else "")]
        out.append("triples per graph:")
        out += [f"  {n:>7}  {g}" for g, n in self.triples.items()]
        out.append(f"  {sum(self.triples.values()):>7}  total")
        out.append("entities per class:")
        out += [f"  {n:>7}  {c}" for c, n in sorted(self.entities.items())]
        out.append("claims per kind:")
        out += [f"  {n:>7}  {k}" for k, n in sorted(self.claims.items())]
        s = self.shapes
        out.append(f"SHACL: {s.violations} violations, {s.warnings} warnings, {s.infos} infos")
        phases = ", ".join(f"{k} {v:.2f}s" for k, v in self.phases.items())
        out.append(f"time: {self.seconds:.2f}s ({phases})")
        return out


def build_graphs(
    data_dir: Path | None = None, seeds: Path | None = None, base: str | None = None
) -> BuiltGraphs:
    """Read, check and map the curated data to named graphs (raises DataError)."""
    minter = IriMinter(base)
    try:
        NamedNode(minter.base)
    except ValueError as exc:
        raise DataError([Problem("--base-iri", None, f"{minter.base!r} is not an absolute IRI "
                                                     f"({exc})")]) from None
    data = load_curated(data_dir)
    offsets = check_curated(data, seeds)
    mapper = RdfMapper(data, offsets, minter)
    graphs = {
        str(minter.graph("ontology")): load_turtle_dir(ONTOLOGY_DIR),
        str(minter.graph("entities")): mapper.entities_graph(),
    }
    for source_id, facts in sorted(data.facts.items()):
        graphs[str(minter.graph(f"source/{source_id}"))] = mapper.source_graph(facts)
    graphs[str(minter.graph("derived"))] = derived_graph(data, minter)
    return BuiltGraphs(graphs, data, minter)


def dataset_version(serialised: Mapping[str, bytes]) -> str:
    """A hash of the canonical content of all graphs: same data, same version.

    The graphs (name -> N-Triples) are read into one dataset whose blank nodes are
    relabelled by W3C RDF Dataset Canonicalization (RDFC-1.0), so the labels a
    serialiser happened to choose do not matter; the sorted N-Quads are hashed.
    Nothing else (build time, release folder) goes in.
    """
    dataset = Dataset()
    for name, ntriples in serialised.items():
        graph = NamedNode(name)
        for triple in parse(ntriples, format=RdfFormat.N_TRIPLES):
            dataset.add(Quad(triple.subject, triple.predicate, triple.object, graph))
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    nquads = serialize(dataset, format=RdfFormat.N_QUADS) or b""
    digest = hashlib.sha256()
    for line in sorted(nquads.splitlines(keepends=True)):
        digest.update(line)
    return digest.hexdigest()[:16]


def build(
    data_dir: Path | None = None,
    seeds: Path | None = None,
    location: Path | None = None,
    base: str | None = None,
    publish: bool = True,
    shapes_dir: Path | None = None,
    queries_dir: Path | None = None,
    store: GraphStore | None = None,
) -> BuildSummary:
    """The whole build; nothing is published unless every check passes.

    Checks, in order: data files (schema, references, quotes), the saved queries (a
    query that fails to parse must fail the build, not vanish), and SHACL shapes.
    Then the graphs are published to the store (default: the embedded store at
    `location`).
    """
    started = time.perf_counter()
    phases: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        phases[name] = now - since
        return now

    if publish and store is None:
        check_writable(location)
    built = build_graphs(data_dir, seeds, base)
    t = lap("load+map", started)
    load_questions(questions_file(queries_dir),
                   load_catalogue(queries_dir, base=built.minter.base))
    t = lap("queries", t)
    serialised = built.serialised()
    report = validate_graphs(serialised, shapes_dir)
    t = lap("shacl", t)
    if not report.conforms:
        raise ValidationError(shape_problems(built, report))
    version = dataset_version(serialised)
    summary = BuildSummary(
        version=version,
        location=None,
        triples={name: len(g) for name, g in built.graphs.items()},
        entities=count_entities(built),
        claims=count_claims(built.data),
        shapes=report,
        seconds=0.0,
    )
    if publish:
        manifest = {
            "version": version,
            "base_iri": built.minter.base,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "triples": summary.triples,
            "entities": summary.entities,
            "claims": summary.claims,
        }
        target = store or EmbeddedStore(location)
        summary.location = target.publish(serialised, manifest)
        t = lap("store", t)
    summary.seconds = time.perf_counter() - started
    summary.phases = phases
    return summary


def shape_problems(built: BuiltGraphs, report: ShapeReport) -> list[Problem]:
    """SHACL violations as problems naming the data file and record they come from."""
    problems = []
    for result in report.results:
        if result.severity == "Violation":
            file, record = built.origin(result.focus)
            where = f"{result.path}: " if result.path else ""
            problems.append(Problem(file, record, f"{where}{result.message} (shape violation)"))
    return problems


def count_entities(built: BuiltGraphs) -> dict[str, int]:
    """Entities per (most specific) class in the entities graph."""
    graph = built.graphs[str(built.minter.graph("entities"))]
    counts = Counter(graph.namespace_manager.normalizeUri(c) for c in graph.objects(None, RDF.type))
    return dict(counts)


def count_claims(data: CuratedData) -> dict[str, int]:
    return dict(Counter(c.kind for f in data.facts.values() for c in f.claims))
