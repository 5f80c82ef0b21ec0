"""Where the ontology and the shapes are, and what a SHACL validation reports (the
validation itself is compiled to SPARQL: kg.shapes_sparql)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

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
