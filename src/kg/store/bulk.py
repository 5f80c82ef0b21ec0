"""A new embedded store on disk, filled from RDF files (`kg load`), checked, then compacted."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from pyoxigraph import NamedNode, Store

from kg.formats import GraphFormat
from kg.store.convert import oxigraph_format
from kg.store.embedded import EmbeddedStore


class BulkStore:
    """Oxigraph files being written in `folder`; `store` reads them (for the shapes and the
    graph sizes) before they are compacted and closed (no reference may outlive that)."""

    def __init__(self, folder: Path) -> None:
        self._oxigraph = Store(str(folder))

    @property
    def store(self) -> EmbeddedStore:
        """The files as a store to read, until they are compacted."""
        return EmbeddedStore(store=self._oxigraph)

    def load(self, data: IO[bytes] | Path, fmt: GraphFormat, *, base_iri: str | None = None,
             graph: str | None = None, lenient: bool = False) -> None:
        """Bulk-load a stream or a file (quads keep their graphs; triples go to `graph`).
        `lenient` skips Oxigraph's IRI and language-tag checks (about a fifth less CPU).
        Raises the engine's SyntaxError for bad input, OSError or ValueError otherwise."""
        source = {"path": str(data)} if isinstance(data, Path) else {"input": data}
        self._oxigraph.bulk_load(**source, format=oxigraph_format(fmt), base_iri=base_iri,
                                 to_graph=NamedNode(graph) if graph else None,
                                 lenient=lenient)  # type: ignore[arg-type]

    def has_data_in(self, graph: str) -> bool:
        """Whether the named graph holds any triple."""
        name = NamedNode(graph)
        return self._oxigraph.contains_named_graph(name) and any(
            self._oxigraph.quads_for_pattern(None, None, None, name))

    def flush(self) -> None:
        self._oxigraph.flush()

    def compact(self) -> None:
        """Compact the files and let go of them (nothing reads them through `store` after)."""
        self._oxigraph.optimize()
        del self._oxigraph  # closed: the release's files may be opened read-only now
