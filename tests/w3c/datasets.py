"""Test datasets written as files an endpoint can load: N-Triples for the default graph,
N-Quads for the named graphs, every IRI already absolute under the suite's W3C base."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from pyoxigraph import NamedNode, Quad, RdfFormat, parse, serialize

from .manifest import BASE_IRI, EvaluationTest, ProtocolTest, local_path

FROM_CLAUSE = re.compile(r"\bFROM\s+(NAMED\s+)?<([^>]*)>", re.IGNORECASE)


@dataclass(frozen=True)
class DatasetSpec:
    """Which suite files make the default graph and which the named graphs (name, file)."""

    default: tuple[str, ...] = ()
    named: tuple[tuple[str, str], ...] = ()

    def label(self) -> str:
        files = [f[len(BASE_IRI):] for f in self.default]
        files += [f"{name[len(BASE_IRI):] if name.startswith(BASE_IRI) else name}=<named>"
                  for name, _ in self.named]
        return " + ".join(files) or "(empty)"


def evaluation_dataset(test: EvaluationTest) -> DatasetSpec:
    """The dataset of an evaluation test: qt:data in the default graph, each qt:graphData as a
    named graph named by its own IRI, and every suite file a FROM / FROM NAMED clause cites
    also as a named graph (as the W3C harnesses load them)."""
    named = {iri: iri for iri in test.graph_data}
    query_text = local_path(test.query).read_text(encoding="utf-8")
    for _, relative in FROM_CLAUSE.findall(query_text):
        iri = urljoin(test.query, relative)
        if iri.startswith(BASE_IRI) and local_path(iri).is_file():
            named[iri] = iri
    return DatasetSpec(default=test.data, named=tuple(sorted(named.items())))


def protocol_dataset(tests: list[ProtocolTest]) -> DatasetSpec:
    """One dataset for the protocol suite: the union of the tests' named graphs."""
    named = {name: file for test in tests for name, file in test.named_graphs}
    return DatasetSpec(named=tuple(sorted(named.items())))


def write_dataset(spec: DatasetSpec, folder: Path) -> list[Path]:
    """Write `spec` as default.nt (always, maybe empty) and named.nq (if any named graph).

    Blank nodes are renamed per file, so files merged into one graph never share one by
    accident of labels."""
    folder.mkdir(parents=True, exist_ok=True)
    default_quads = [q for iri in spec.default for q in _read(iri)]
    default_file = folder / "default.nt"
    default_file.write_bytes(
        serialize([q.triple for q in default_quads], format=RdfFormat.N_TRIPLES) or b""
    )
    files = [default_file]
    if spec.named:
        named_quads = [
            Quad(q.subject, q.predicate, q.object, NamedNode(name))
            for name, iri in spec.named for q in _read(iri)
        ]
        named_file = folder / "named.nq"
        named_file.write_bytes(serialize(named_quads, format=RdfFormat.N_QUADS) or b"")
        files.append(named_file)
    return files


def _read(iri: str) -> list[Quad]:
    return list(parse(path=local_path(iri), base_iri=iri, rename_blank_nodes=True))
