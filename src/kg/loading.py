"""`kg load`: ready RDF files -> one new, validated store release (named graphs kept).

Files are bulk-loaded straight from disk into the release's Oxigraph store (gzip
read as a stream); quad formats keep their graphs, a triples file goes to the named
graph `graph/file/<name>`. The ontology graph is added when the files do not bring
one, the compiled shapes (shapes_sparql.py) run inside the store, and only a
conforming release becomes `current`; anything else is removed.
"""

from __future__ import annotations

import gzip
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from kg.errors import KgError, Problem, ValidationError
from kg.formats import GRAPH_FORMATS, GraphFormat, graph_format_for_path
from kg.releases import new_release, prune, switch_to
from kg.settings import normalise_base
from kg.shacl import ONTOLOGY_DIR, ShapeReport
from kg.shapes_sparql import CompiledCheck, compile_shapes, validate_store
from kg.store.bulk import BulkStore
from kg.store.embedded import OXIGRAPH_FOLDER

Progress = Callable[[int], None]


class LoadError(KgError):
    """A file cannot be read or parsed."""


@dataclass
class LoadSummary:
    version: str
    location: Path
    triples: dict[str, int]
    shapes: ShapeReport
    phases: dict[str, float]

    @property
    def total(self) -> int:
        return sum(self.triples.values())

    def lines(self) -> list[str]:
        out = [f"version {self.version} -> {self.location}", "triples per graph:"]
        top = sorted(self.triples.items(), key=lambda kv: -kv[1])
        out += [f"  {n:>10}  {g}" for g, n in top[:10]]
        if len(top) > 10:
            out.append(f"  {sum(n for _, n in top[10:]):>10}  ({len(top) - 10} more graphs)")
        out.append(f"  {self.total:>10}  total")
        s = self.shapes
        out.append(f"SHACL: {s.violations} violations, {s.warnings} warnings, {s.infos} infos")
        load = self.phases.get("load", 0.0)
        rate = f", {self.total / load:,.0f} triples/s" if load else ""
        out.append("time: " + ", ".join(f"{k} {v:.2f}s" for k, v in self.phases.items()) + rate)
        return out


class CountingReader:
    """A binary stream that reports how many bytes of the underlying file were read."""

    def __init__(self, raw: IO[bytes], stream: IO[bytes], progress: Progress | None) -> None:
        self.raw, self.stream, self.progress = raw, stream, progress
        self.seen = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        if self.progress:
            position = self.raw.tell()
            self.progress(position - self.seen)
            self.seen = position
        return data

    def readable(self) -> bool:
        return True


def file_format(path: Path) -> GraphFormat:
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    try:
        return graph_format_for_path(name)
    except ValueError as exc:
        raise LoadError(str(exc)) from exc


def file_version(paths: list[Path]) -> str:
    """A content hash of the input files (same files, same version)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        with path.open("rb") as f:
            while chunk := f.read(1 << 22):
                digest.update(chunk)
    return digest.hexdigest()[:16]


def load_file(
    store: BulkStore,
    path: Path,
    base: str,
    progress: Progress | None = None,
    *,
    lenient: bool = False,
) -> None:
    """Bulk-load one file (N-Triples, N-Quads, Turtle, TriG, optionally .gz) into the store.

    `lenient` skips Oxigraph's IRI and language-tag checks (about a fifth less CPU): for
    files that kg itself wrote (kg export, kg synth). The shapes do not check IRI syntax.
    """
    fmt = file_format(path)
    stem = path.name.split(".", 1)[0]
    to_graph = None if fmt.name in ("nq", "trig") else f"{base}graph/file/{stem}"
    try:
        with path.open("rb") as raw:
            stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if path.name.endswith(".gz") else raw
            store.load(
                CountingReader(raw, stream, progress),  # type: ignore[arg-type]
                fmt,
                base_iri=path.resolve().as_uri(),
                graph=to_graph,
                lenient=lenient,
            )
    except SyntaxError as exc:
        raise LoadError(f"{path}: not valid {fmt.media_type}: {exc}") from exc
    except (OSError, ValueError, EOFError) as exc:
        raise LoadError(f"{path}: cannot load: {exc}") from exc


def load_release(
    paths: list[Path],
    location: Path,
    base: str | None = None,
    *,
    on_bytes: Progress | None = None,
    on_check: Callable[[CompiledCheck], None] | None = None,
    checks: list[CompiledCheck] | None = None,
    lenient: bool = False,
) -> LoadSummary:
    """Load files into a new release, validate it, and switch `current` only if it conforms."""
    for path in paths:
        if not path.is_file():
            raise LoadError(f"{path}: no such file")
        file_format(path)
    base = normalise_base(base)
    location = Path(location)
    phases: dict[str, float] = {}
    started = time.perf_counter()
    version = file_version(paths)
    with new_release(location, version) as release:
        store = BulkStore(release / OXIGRAPH_FOLDER)
        t = time.perf_counter()
        phases["hash"] = t - started
        for path in paths:
            load_file(store, path, base, on_bytes, lenient=lenient)
        ontology = f"{base}graph/ontology"
        if not store.has_data_in(ontology):
            for ttl in sorted(ONTOLOGY_DIR.glob("*.ttl")):
                store.load(ttl, GRAPH_FORMATS["ttl"], graph=ontology)
        store.flush()
        t = lap(phases, "load", t)
        checks = checks if checks is not None else compile_shapes()
        report = validate_store(store.store, checks, progress=on_check)
        t = lap(phases, "shacl", t)
        if not report.conforms:
            raise ValidationError(
                [
                    Problem(str(r.focus), None, f"{r.path}: {r.message} (shape violation)")
                    for r in report.results
                    if r.severity == "Violation"
                ][:50]
            )
        triples = store.store.graph_sizes()
        triples.pop("", None)  # the default graph: not a graph of the release
        store.compact()
        t = lap(phases, "optimise", t)
        manifest: dict[str, Any] = {
            "version": version,
            "base_iri": base,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "triples": triples,
            "files": [p.name for p in paths],
        }
        switch_to(location, release, manifest)
    prune(location, keep=release)
    return LoadSummary(version, release, triples, report, phases)


def lap(phases: dict[str, float], name: str, since: float) -> float:
    now = time.perf_counter()
    phases[name] = now - since
    return now
