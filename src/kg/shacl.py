"""SHACL validation of the data graphs against shapes/, with the ontology in view."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import RDF

from kg.namespaces import SH
from kg.settings import PROJECT_ROOT

ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
SHAPES_DIR = PROJECT_ROOT / "shapes"


@dataclass(frozen=True)
class ShapeResult:
    """One SHACL result: the node, the property path, the severity and the message."""

    focus: str
    path: str | None
    severity: str
    message: str


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


def validate_graph(data: Graph, ontology: Graph, shapes: Graph | None = None) -> ShapeReport:
    """Validate data against the shapes; only Violations make it non-conforming."""
    shapes = shapes if shapes is not None else load_turtle_dir(SHAPES_DIR)
    _, results, text = validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    counts = {SH.Violation: 0, SH.Warning: 0, SH.Info: 0}
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        counts[severity] = counts.get(severity, 0) + 1
        path = results.value(result, SH.resultPath)
        found.append(ShapeResult(
            focus=str(results.value(result, SH.focusNode)),
            path=data.namespace_manager.normalizeUri(path) if path is not None else None,
            severity=str(severity).rsplit("#", 1)[-1],
            message=str(results.value(result, SH.resultMessage) or "constraint not met"),
        ))
    found.sort(key=lambda r: (r.severity != "Violation", r.focus, r.path or ""))
    return ShapeReport(
        conforms=counts[SH.Violation] == 0,
        violations=counts[SH.Violation],
        warnings=counts[SH.Warning],
        infos=counts[SH.Info],
        results=tuple(found),
        text=text,
    )
