"""Where the served dataset comes from: a store built by `kg build`, or RDF files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kg.namespaces import base_iri
from kg.store import EmbeddedStore, current_release


@dataclass(frozen=True)
class DatasetSource:
    """A built store location, or RDF files loaded into memory (`kg serve --data`).

    The server process and every query worker open the same source, each holding
    its own in-memory copy, so a worker can be killed without touching the others.
    """

    location: Path | None = None
    files: tuple[Path, ...] = ()
    union_default_graph: bool | None = None
    """Query the union of all graphs as the default graph. By default: yes for a
    built store (all its data is in named graphs), no for files, whose triples
    are in the default graph (as `oxigraph serve` does)."""

    @property
    def union(self) -> bool:
        if self.union_default_graph is not None:
            return self.union_default_graph
        return not self.files

    def open(self) -> EmbeddedStore:
        """Load the dataset into memory (raises StoreError for people)."""
        if self.files:
            return EmbeddedStore.from_files(self.files)
        return EmbeddedStore.open(self.location, in_memory=True)

    def base_iri(self) -> str:
        """The base of the dataset's IRIs, without opening it (the build manifest says)."""
        if self.files:
            return base_iri()
        manifest = current_release(self.location) / "manifest.json"
        return str(json.loads(manifest.read_text(encoding="utf-8")).get("base_iri") or base_iri())

    def last_modified(self) -> datetime:
        """When the data last changed: the build time, or the newest file's time."""
        if self.files:
            newest = max(Path(f).stat().st_mtime for f in self.files)
        else:
            newest = (current_release(self.location) / "manifest.json").stat().st_mtime
        return datetime.fromtimestamp(int(newest), tz=UTC)


def data_base_iri(store: EmbeddedStore) -> str:
    """The base of the dataset's own IRIs (from the build manifest, else the default)."""
    return str(store.manifest.get("base_iri") or base_iri())
