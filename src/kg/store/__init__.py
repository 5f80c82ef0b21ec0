"""The store behind one small interface (`GraphStore`), chosen by the settings.

`open_store(settings)` gives the embedded Oxigraph store at `settings.location`
or, when `settings.store_url` is set, the SPARQL server there. Nothing else in the
project opens a store or sees a backend's types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kg.settings import Settings
from kg.store.base import UNION, GraphStore, QueryDataset, Serialised, StoreError, time_limit
from kg.store.embedded import EmbeddedStore, current_release

if TYPE_CHECKING:
    from kg.store.remote import RemoteStore


def open_store(settings: Settings) -> GraphStore:
    """The store the settings name (nothing is read until it is used)."""
    if settings.store_url:
        from kg.store.remote import RemoteStore

        return RemoteStore(settings.store_url, settings.gsp_url, base_iri=settings.base,
                           timeout=settings.timeout, user=settings.store_user,
                           password=settings.store_password,
                           union_default_graph=settings.store_union_default_graph)
    return EmbeddedStore(settings.location, base_iri=settings.base)


def __getattr__(name: str) -> Any:
    """`RemoteStore` on first use: its HTTP client (httpx, which loads click and rich for
    its own command line, ~0.4 s) is imported by processes that talk to a server only."""
    if name == "RemoteStore":
        from kg.store.remote import RemoteStore

        return RemoteStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["UNION", "EmbeddedStore", "GraphStore", "QueryDataset", "RemoteStore",
           "Serialised", "StoreError", "current_release", "open_store", "time_limit"]
