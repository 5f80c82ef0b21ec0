"""SHACL validation of the data graphs against shapes/, with the ontology in view."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg.namespaces import PREFIXES, SH
from kg.settings import PROJECT_ROOT

ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
SHAPES_DIR = PROJECT_ROOT / "shapes"


@dataclass(frozen=True)
class ShapeResult:
    """One SHACL result: the node, the property path, the severity and the message.

    `component` is the constraint component's local name without the suffix
    ("QualifiedMinCount" for sh:QualifiedMinCountConstraintComponent). A result of
    sh:node is given as the constraint it broke inside the referenced shape (path,
    component, message), with the severity of the shape that references it.
    """

    focus: str
    path: str | None
    severity: str
    message: str
    component: str


@dataclass(frozen=True)
class ShapeReport:
    """Outcome of one validation: counts by severity, results and the readable report."""

    conforms: bool
    violations: int
    warnings: int
    infos: int
    results: tuple[ShapeResult, ...]
    text: str


def load_turtle_dir(folder: Path) -> Graph:
    """All Turtle files of a folder, merged."""
    graph = Graph()
    for path in sorted(folder.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def short(iri: URIRef) -> str:
    """prefix:name for the project's namespaces, else <iri>."""
    for prefix, namespace in PREFIXES.items():
        if str(iri).startswith(str(namespace)) and str(iri) != str(namespace):
            return f"{prefix}:{str(iri)[len(str(namespace)) :]}"
    return f"<{iri}>"


def readable_path(graph: Graph, node: Node) -> str:
    """A SHACL path of `graph` in SPARQL-like notation with prefixes: `^a`, `a/b`, `(a|b)`."""
    if not isinstance(node, BNode):
        return short(node)  # type: ignore[arg-type]
    if (node, RDF.first, None) in graph:
        return "/".join(readable_path(graph, item) for item in graph.items(node))
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return f"^{readable_path(graph, inverse)}"
    alternative = graph.value(node, SH.alternativePath)
    if alternative is not None:
        return "(" + "|".join(readable_path(graph, i) for i in graph.items(alternative)) + ")"
    raise ValueError(f"unsupported SHACL path {node}")


def report_results(report: Graph) -> Iterator[tuple[Node, Node]]:
    """Each result of a pySHACL report as (top-level result, broken constraint's result).

    A sh:node result only says that a node does not conform to another shape; the
    results that say why are nested under it by sh:detail (and may nest further).
    Those innermost results are given, each with the top-level result it explains,
    whose severity is the one that counts.
    """
    for top in report.objects(None, SH.result):
        stack, leaves = [top], []
        while stack:
            result = stack.pop()
            details = list(report.objects(result, SH.detail))
            stack += details
            if not details:
                leaves.append(result)
        for leaf in leaves:
            yield top, leaf


def shape_results(report: Graph) -> list[ShapeResult]:
    """The results of a pySHACL report graph, violations first, each the innermost
    constraint broken (`report_results`) with its top-level result's focus and severity."""
    found = []
    for top, result in report_results(report):
        path = report.value(result, SH.resultPath)
        component = str(report.value(result, SH.sourceConstraintComponent))
        found.append(ShapeResult(
            focus=str(report.value(top, SH.focusNode)),
            path=readable_path(report, path) if path is not None else None,
            severity=str(report.value(top, SH.resultSeverity)).rsplit("#", 1)[-1],
            message=str(report.value(result, SH.resultMessage) or "constraint not met"),
            component=component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent"),
        ))
    found.sort(key=lambda r: (r.severity != "Violation", r.focus, r.path or ""))
    return found


def validate_graph(data: Graph, ontology: Graph, shapes: Graph | None = None) -> ShapeReport:
    """Validate data against the shapes; only Violations make it non-conforming.

    The ontology and the data go in as one new graph, as the store holds them side by
    side, rather than the ontology as pySHACL's `ont_graph`, whose mix-in clones every RDF
    list of it into the data one item at a time (86 % of a run on a shapes fixture)."""
    shapes = shapes if shapes is not None else load_turtle_dir(SHAPES_DIR)
    _, results, text = validate(
        ontology + data,  # a new graph: pySHACL may add to it in place
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        inplace=True,
    )
    found = shape_results(results)
    counts = Counter(result.severity for result in found)
    return ShapeReport(
        conforms=counts["Violation"] == 0,
        violations=counts["Violation"],
        warnings=counts["Warning"],
        infos=counts["Info"],
        results=tuple(found),
        text=text,
    )
