"""Where the served dataset comes from: a store built by `kg build`, RDF files, or an
external SPARQL server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kg.settings import Settings
from kg.store import EmbeddedStore, GraphStore, current_release, open_store


@dataclass(frozen=True)
class DatasetSource:
    """The store the settings name (a built store at `settings.location`, or the SPARQL
    server at `settings.store_url` for `kg serve --store`), or RDF files loaded into
    memory (`kg serve --data`).

    The server process and every query worker open the same source: a built store
    read-only from disk (no process holds a copy), files each in its own memory, and
    an external server not at all in the workers (they only check the query text).
    `settings` are the ones the process was started with (the command line's, or the
    app's maker's): the service reads every limit from them.
    """

    settings: Settings
    files: tuple[Path, ...] = ()
    union_default_graph: bool | None = None
    """Query the union of all graphs as the default graph. By default: yes for a
    built store (all its data is in named graphs), no for files, whose triples
    are in the default graph (as `oxigraph serve` does)."""

    @property
    def location(self) -> Path:
        return self.settings.location

    @property
    def remote(self) -> bool:
        return bool(self.settings.store_url) and not self.files

    @property
    def union(self) -> bool:
        if self.union_default_graph is not None:
            return self.union_default_graph
        return not self.files

    def open(self) -> GraphStore:
        """The dataset's store (raises StoreError for people)."""
        if self.files:
            return EmbeddedStore.from_files(self.files, base_iri=self.settings.base)
        store = open_store(self.settings)
        if isinstance(store, EmbeddedStore):
            store.oxigraph  # noqa: B018 (fail now if there is no built store)
        return store

    def base_iri(self) -> str:
        """The base of the dataset's IRIs, without opening a remote store or loading files
        (a built store's manifest says)."""
        if self.files or self.remote:
            return self.settings.base
        return open_store(self.settings).base_iri

    def last_modified(self) -> datetime:
        """When the data last changed: the build time, or the newest file's time (now for
        an external store, which does not say)."""
        if self.files:
            newest = max(Path(f).stat().st_mtime for f in self.files)
        elif self.remote:
            return datetime.now(tz=UTC).replace(microsecond=0)
        else:
            newest = (current_release(self.location) / "manifest.json").stat().st_mtime
        return datetime.fromtimestamp(int(newest), tz=UTC)
