"""Where the served dataset comes from: a store built by `kg build`, RDF files, or an
external SPARQL server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kg.namespaces import base_iri
from kg.settings import Settings
from kg.store import EmbeddedStore, GraphStore, current_release, open_store


@dataclass(frozen=True)
class DatasetSource:
    """A built store location, RDF files loaded into memory (`kg serve --data`), or the
    SPARQL server at `store_url` (`kg serve --store`).

    The server process and every query worker open the same source: a built store
    read-only from disk (no process holds a copy), files each in its own memory, and
    an external server not at all in the workers (they only check the query text).
    """

    location: Path | None = None
    files: tuple[Path, ...] = ()
    union_default_graph: bool | None = None
    """Query the union of all graphs as the default graph. By default: yes for a
    built store (all its data is in named graphs), no for files, whose triples
    are in the default graph (as `oxigraph serve` does)."""
    store_url: str | None = None
    gsp_url: str | None = None
    base: str | None = None
    """Base IRI of an external store's data (a built store's manifest says its own)."""
    timeout: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings, files: tuple[Path, ...] = (),
                      union_default_graph: bool | None = None) -> DatasetSource:
        return cls(location=settings.location, files=files,
                   union_default_graph=union_default_graph, store_url=settings.store_url,
                   gsp_url=settings.gsp_url, base=settings.base, timeout=settings.timeout)

    @property
    def remote(self) -> bool:
        return bool(self.store_url) and not self.files

    @property
    def union(self) -> bool:
        if self.union_default_graph is not None:
            return self.union_default_graph
        return not self.files

    def settings(self) -> Settings:
        given = {"location": self.location, "store_url": self.store_url,
                 "gsp_url": self.gsp_url, "base_iri": self.base, "timeout": self.timeout}
        return Settings().with_options(**given)

    def open(self) -> GraphStore:
        """The dataset's store (raises StoreError for people)."""
        if self.files:
            return EmbeddedStore.from_files(self.files)
        store = open_store(self.settings())
        if isinstance(store, EmbeddedStore):
            store.oxigraph  # noqa: B018 (fail now if there is no built store)
        return store

    def base_iri(self) -> str:
        """The base of the dataset's IRIs, without opening it (the build manifest says)."""
        if self.files:
            return base_iri()
        if self.remote:
            return self.settings().base
        return str(EmbeddedStore(self.location).manifest.get("base_iri") or base_iri())

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


def data_base_iri(store: GraphStore) -> str:
    """The base of the dataset's own IRIs (from the build manifest, else the default)."""
    return str(store.manifest.get("base_iri") or base_iri())


