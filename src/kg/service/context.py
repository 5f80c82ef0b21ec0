"""What every route shares: the dataset, its query workers, the catalogue, the limits."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request

from kg.catalogue import Catalogue, load_catalogue
from kg.namespaces import prefix_map
from kg.service.dataset import DatasetSource, data_base_iri
from kg.service.executor import QueryExecutor
from kg.service.httpcache import DatasetValidators
from kg.service.reader import GraphReader
from kg.service.search import SearchIndex
from kg.service.worker import Answer

T = TypeVar("T")
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 50_000
DEFAULT_MAX_REQUEST_BYTES = 1_000_000


@dataclass(frozen=True)
class ServiceConfig:
    """How `kg serve` was asked to run."""

    source: DatasetSource
    base_url: str | None = None
    """Public URL of this server; data IRIs under the data base are served below it."""
    timeout: float = DEFAULT_TIMEOUT
    workers: int = 2
    max_rows: int = DEFAULT_MAX_ROWS
    """Most solutions (or triples) one answer carries; more are cut, with X-KG-Truncated."""
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    queries_dir: Path | None = None
    cache_entries: int = 2048


class Memo:
    """Documents and facts computed once per process (service description, VoID, dumps,
    class checks), least recently used first out: keys can come from clients."""

    def __init__(self, entries: int = 1024) -> None:
        self.entries = entries
        self._values: OrderedDict[tuple[object, ...], Any] = OrderedDict()

    def remember(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        if key in self._values:
            self._values.move_to_end(key)
            return self._values[key]  # type: ignore[no-any-return]
        value = compute()
        self._values[key] = value
        if len(self._values) > self.entries:
            self._values.popitem(last=False)
        return value


class ResultCache:
    """Serialised answers of saved queries, keyed by dataset version, query, values, format."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._answers: OrderedDict[tuple[object, ...], Answer] = OrderedDict()

    def get(self, key: tuple[object, ...]) -> Answer | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, key: tuple[object, ...], answer: Answer) -> None:
        self._answers[key] = answer
        if len(self._answers) > self.entries:
            self._answers.popitem(last=False)


class ServiceContext:
    """The dataset opened once in the server process (for pages, checks and dumps), plus
    the worker pool that runs every client query under the time limit."""

    def __init__(self, config: ServiceConfig, executor: QueryExecutor | None = None) -> None:
        self.config = config
        self.store = config.source.open()
        self.version = self.store.version
        self.validators = DatasetValidators(self.version, config.source.last_modified())
        self.data_base = data_base_iri(self.store)
        self.graphs = frozenset(self.store.named_graphs())
        self.prefixes = prefix_map(self.data_base)
        # Predeclared prefixes suit the project graph; files are served as they are, so a
        # query that forgets a PREFIX fails there as it would on any other endpoint.
        self.predeclare_prefixes = not config.source.files
        self.catalogue: Catalogue = load_catalogue(config.queries_dir, self.data_base)
        self.executor = executor or QueryExecutor(
            config.source, workers=config.workers, timeout=config.timeout, prefixes=self.prefixes)
        self.executor.local = self.store
        # Pages read through SPARQL only (reader), so they run unchanged on another store.
        self.reader = GraphReader(self.store, union_default_graph=config.source.union,
                                  prefixes=self.prefixes)
        self.search = SearchIndex.build(self.reader, self.data_base)
        self.cache = ResultCache(config.cache_entries)
        self.memo = Memo()

    # ------------------------------------------------------------ public addresses

    def public_base(self, request: Request) -> str:
        """Where this server is reached: --base-url, else the request's own base."""
        base = self.config.base_url or str(request.base_url)
        return base if base.endswith("/") else base + "/"

    def endpoint_url(self, request: Request) -> str:
        return self.public_base(request) + "sparql"

    def local_url(self, iri: str, request: Request) -> str:
        """The address on this server of a data IRI (other IRIs are returned unchanged)."""
        if iri.startswith(self.data_base):
            return self.public_base(request) + iri[len(self.data_base):]
        return iri

    def data_iri(self, value: str, request: Request) -> str:
        """The data IRI behind an address on this server (the inverse of local_url)."""
        base = self.public_base(request)
        if value.startswith(base) and base != self.data_base:
            return self.data_base + value[len(base):]
        return value


def get_context(request: Request) -> ServiceContext:
    """The context create_app gave the application (no module-level state).

    Routes call this rather than declaring a FastAPI dependency: a sync dependency
    would be run in a thread pool, and even an async one costs more per request
    than the query it serves on a point lookup."""
    return request.app.state.context  # type: ignore[no-any-return]
