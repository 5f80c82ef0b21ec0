"""What every route shares: the dataset, its query workers, the catalogue, the limits."""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request

from kg.catalogue import Catalogue, load_catalogue
from kg.derived_indexes import DerivedIndexes
from kg.namespaces import prefix_map
from kg.questions import QuestionBook, load_questions, questions_file
from kg.search import INDEX_FILE, LazyIndex, SearchIndex
from kg.service.dataset import DatasetSource, data_base_iri
from kg.service.executor import QueryExecutor
from kg.service.httpcache import DatasetValidators
from kg.service.problems import PageTimeout
from kg.service.reader import GraphReader
from kg.service.worker import Answer
from kg.settings import Settings, client_share

T = TypeVar("T")
_DEFAULTS = Settings.model_fields
DEFAULT_TIMEOUT: float = _DEFAULTS["timeout"].default
DEFAULT_MAX_ROWS: int = _DEFAULTS["max_rows"].default
DEFAULT_MAX_REQUEST_BYTES: int = _DEFAULTS["max_request_bytes"].default
#: How long a search waits for an index still being built before it is answered 503.
SEARCH_WAIT_SECONDS = 10.0
#: Threads that compute pages, searches and documents off the event loop.
PAGE_THREADS = 8


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
    cache_bytes: int = _DEFAULTS["cache_bytes"].default
    """Saved-query answers kept in memory (least recently used first out)."""
    client_queries: int | None = _DEFAULTS["client_queries"].default
    """Workers one client may hold while another waits (None: half of them, at least 1)."""
    worker_memory: int | None = _DEFAULTS["worker_memory"].default
    """Private memory of one query worker, in bytes (None: no limit)."""

    @property
    def client_cap(self) -> int:
        return client_share(self.client_queries, self.workers)


class ByteBoundedCache:
    """Least recently used first out, bounded by the bytes of keys and values (keys can
    come from clients, so an entry count alone would not bound the memory). Safe to share
    between the event loop and the thread pool pages are rendered in."""

    def __init__(self, max_bytes: int, max_entry_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes or max_bytes // 8
        self.bytes = 0
        self._entries: OrderedDict[tuple[object, ...], tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> Any | None:
        return self._lookup(key)[1]

    def _lookup(self, key: tuple[object, ...]) -> tuple[bool, Any | None]:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return False, None
            self._entries.move_to_end(key)
            return True, entry[0]

    def put(self, key: tuple[object, ...], value: Any) -> None:
        size = _size_of(key) + _size_of(value)
        if size > self.max_entry_bytes:
            return  # served, but not kept
        with self._lock:
            if key in self._entries:
                self.bytes -= self._entries.pop(key)[1]
            self._entries[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                self.bytes -= self._entries.popitem(last=False)[1][1]

    def remember(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        """The cached value, or compute it (outside the lock; and keep it if it fits)."""
        found, value = self._lookup(key)
        if found:
            return value  # type: ignore[no-any-return]
        value = compute()
        self.put(key, value)
        return value


def _size_of(value: object) -> int:
    """A close enough size in bytes: what the value holds, plus a fixed overhead."""
    if isinstance(value, bytes | str):
        return len(value) + 64
    if isinstance(value, Answer):
        return len(value.body) + 256
    if isinstance(value, tuple | list | frozenset | set):
        return sum(_size_of(v) for v in value) + 64
    if isinstance(value, dict):
        return sum(_size_of(k) + _size_of(v) for k, v in value.items()) + 64
    return sys.getsizeof(value)


class ServiceContext:
    """The dataset's store opened once in the server process (for pages, checks and
    dumps; read-only, no copy), plus the worker pool that runs or checks every client
    query under the time limit."""

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
        self.questions: QuestionBook = load_questions(questions_file(config.queries_dir),
                                                      self.catalogue)
        """The question templates the search box recognises (beside the saved queries)."""
        self.executor = executor or QueryExecutor(
            config.source, workers=config.workers, timeout=config.timeout, prefixes=self.prefixes,
            max_query_chars=config.max_request_bytes, client_cap=config.client_cap,
            memory_limit=config.worker_memory)
        # Pages read through SPARQL only (reader), so they run unchanged on another store.
        self.reader = GraphReader(self.store, union_default_graph=config.source.union,
                                  prefixes=self.prefixes)
        release = self.store.release
        self.search = LazyIndex(release / INDEX_FILE if release else None)
        """The release's search index, or one being built in the background."""
        self.search.build_in_background(self.store, self.data_base, self.reader.dataset)
        self.derived = DerivedIndexes(release)
        """Tables the release carries that narrow some saved queries (kg.derived_indexes)."""
        self.cache = ByteBoundedCache(config.cache_bytes)
        self.memo = ByteBoundedCache(256 * 2**20, max_entry_bytes=256 * 2**20)
        """Documents computed once (service description, VoID, dumps, instance checks)."""
        self.pages = ThreadPoolExecutor(PAGE_THREADS, thread_name_prefix="kg-page")
        """Where request-driven work runs, so that the event loop only moves bytes."""

    async def off_loop(self, compute: Callable[[], T]) -> T:
        """The value of `compute()`, worked out in the page threads within the time limit:
        the event loop keeps serving everyone else meanwhile. Past the limit the request
        is answered 503 (the thread finishes on its own; inputs are bounded so that no
        computation runs long)."""
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(self.pages, contextvars.copy_context().run, compute)
        try:
            return await asyncio.wait_for(work, self.config.timeout)
        except TimeoutError:
            raise PageTimeout(f"this page took longer than the {self.config.timeout:g} s "
                              "time limit; try again shortly") from None

    # ------------------------------------------------------------ search

    async def search_index(self) -> SearchIndex:
        """The search index, once it is there (IndexNotReady, a 503, while it is built)."""
        if not self.search.wait(0):
            await asyncio.to_thread(self.search.wait, SEARCH_WAIT_SECONDS)
        return self.search.get()

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
