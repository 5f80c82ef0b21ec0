"""A query worker process: the dataset opened read-only, one query at a time.

Forked by the executor's fork server with one end of a socket pair; it first
forbids itself the network (`kg.service.sandbox`), then
reads a `WorkerSetup`, opens the dataset, says it is ready, and answers
`QueryJob`s until the socket closes. With an external store it opens nothing and
only checks: the server forwards the canonical text it allowed. Every check of a
client's text happens here, off the server's event loop and under the time limit: size
and nesting limits, the canonical text (`kg.sparql_lexer`), its parse and the policy
(`kg.inspection`); then Oxigraph runs that canonical text, never the client's, and
its answer is serialised, cut at the row cap without evaluating further. The
server kills the worker when a query runs out of time, the only way to stop
Oxigraph.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
import os
import resource
import signal
import socket
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Any

from kg.formats import GRAPH_FORMATS, RESULTS_FORMATS
from kg.inspection import (
    QueryShape,
    allow_deep_queries,
    check_query_safety,
    check_size,
    inspect_query,
)
from kg.query_errors import (
    NoQuery,
    NotAcceptable,
    QueryError,
    QueryFailed,
    QueryMemoryLimit,
    QueryRefused,
    QuerySyntaxError,
    QueryUnsupported,
)
from kg.service.dataset import DatasetSource
from kg.service.sandbox import SandboxError, forbid_network
from kg.sparql_lexer import CanonicalQuery, canonicalise
from kg.store import GraphStore, QueryDataset
from kg.store.syntax import check_syntax
from kg.store.terms import Term, bind_values, restrict_values

log = logging.getLogger("kg.service")
#: Parsed shapes kept per worker (keyed by a digest of the text, so a few bytes each).
SHAPE_CACHE_ENTRIES = 2048
SHAPE_CACHE_MAX_TEXT = 65_536
#: Client texts up to this length are remembered with their canonical text and shape
#: (SHAPE_CACHE_ENTRIES of them: at most ~8 MB of ASCII text, 32 MB of astral characters).
SEEN_CACHE_MAX_TEXT = 4_096


@dataclass(frozen=True, slots=True)
class WorkerSetup:
    source: DatasetSource
    prefixes: Mapping[str, str]
    max_query_chars: int | None = None
    graphs: frozenset[str] | None = None
    """The dataset's graph names, for a worker that only checks (an external store)."""
    memory_limit: int | None = None
    """Bytes of private memory (RLIMIT_DATA) the worker may use (None: no limit)."""


@dataclass(frozen=True, slots=True)
class Checked:
    """What a checking-only worker says of a query the policy allows: the server then
    forwards its canonical text to the external store itself."""

    max_rows: int | None
    query_dataset: bool
    returns_graph: bool
    sparql: str
    """The canonical text that was checked: the only text to send."""


@dataclass(frozen=True, slots=True)
class QueryJob:
    """One query to run, and how to serialise its answer."""

    sparql: str
    results_format: str | None = "json"
    """Name in RESULTS_FORMATS for SELECT/ASK; None if the client accepts none."""
    graph_format: str | None = "ttl"
    """Name in GRAPH_FORMATS for CONSTRUCT/DESCRIBE; None if the client accepts none."""
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    union_default_graph: bool = True
    base_iri: str | None = None
    use_prefixes: bool = True
    """Predeclare the project prefixes (off for `--data` files, served as they are)."""
    max_rows: int | None = None
    """Cap on solutions or triples (a query whose own LIMIT is lower is not counted)."""
    bindings: tuple[tuple[str, Term], ...] = ()
    """A saved query's parameter values: the text is checked unbound (so once for every
    value), then each variable is written as its term (`bind_values`)."""
    restrict: tuple[str, tuple[Term, ...]] | None = None
    """A variable and the only values it can take in the answer, from a derived index
    (`kg.derived_indexes`): written as a VALUES block first in the checked text's WHERE."""


@dataclass(frozen=True, slots=True)
class Answer:
    kind: str
    """'solutions', 'boolean' or 'graph'."""
    format: str
    media_type: str
    body: bytes
    truncated: bool = False


class Worker:
    """What a worker holds between jobs: the dataset, its graph names, parsed shapes."""

    def __init__(self, store: GraphStore | None, setup: WorkerSetup) -> None:
        self.store = store
        self.prefixes = dict(setup.prefixes)
        self.max_query_chars = setup.max_query_chars
        self.graphs = setup.graphs if store is None else frozenset(store.named_graphs())
        assert self.graphs is not None
        self._shapes: OrderedDict[bytes, QueryShape] = OrderedDict()
        self._seen: OrderedDict[bytes, tuple[QueryShape, str]] = OrderedDict()
        """Shape and canonical text by a digest of the client's text (short texts only)."""

    def check(self, job: QueryJob) -> tuple[QueryShape, str]:
        """The checked shape of the job's query and its canonical text, the only text that
        may run (parsed once per distinct canonical text)."""
        check_size(job.sparql, self.max_query_chars)
        # A client's text seen before skips the lexer and the parse: its canonical text and
        # shape are functions of that text, the base and the prefixes alone. The policy
        # (check_query_safety) is still applied on every request.
        seen_key = _digest(f"{job.base_iri}\n{job.use_prefixes}\n{job.sparql}")
        seen = self._seen.get(seen_key)
        if seen is not None:
            self._seen.move_to_end(seen_key)
            shape, text = seen
            check_query_safety(shape, self.graphs)
            return shape, text
        shape, text = self._check(job)
        if len(job.sparql) <= SEEN_CACHE_MAX_TEXT:
            self._seen[seen_key] = (shape, text)
            if len(self._seen) > SHAPE_CACHE_ENTRIES:
                self._seen.popitem(last=False)
        return shape, text

    def _check(self, job: QueryJob) -> tuple[QueryShape, str]:
        prefixes = self.prefixes if job.use_prefixes else None
        try:
            canonical = canonicalise(job.sparql)
        except QuerySyntaxError as error:
            raise self._syntax_error(job, prefixes, error, None) from None
        key = _digest(f"{job.base_iri}\n{job.use_prefixes}\n{canonical.text}")
        shape = self._shapes.get(key)
        if shape is None:
            try:
                shape = inspect_query(canonical, job.base_iri, prefixes)
            except QuerySyntaxError as error:
                raise self._syntax_error(job, prefixes, error, canonical) from None
            if len(canonical.text) <= SHAPE_CACHE_MAX_TEXT:
                self._shapes[key] = shape
                if len(self._shapes) > SHAPE_CACHE_ENTRIES:
                    self._shapes.popitem(last=False)
        else:
            self._shapes.move_to_end(key)
        check_query_safety(shape, self.graphs)
        return shape, canonical.text

    @staticmethod
    def _syntax_error(job: QueryJob, prefixes: Mapping[str, str] | None,
                      error: QuerySyntaxError, canonical: CanonicalQuery | None) -> QueryError:
        """Oxigraph's own message where it cannot read the client's text either (its
        positions are the ones users know); else ours. If Oxigraph reads the canonical
        text the policy parser cannot, the query is refused unchecked.

        Oxigraph only parses here (an empty store, in the sandboxed worker)."""
        if isinstance(error, NoQuery):
            return error
        try:
            check_syntax(job.sparql, base_iri=job.base_iri, prefixes=prefixes)
        except SyntaxError as engine_error:
            return QuerySyntaxError(str(engine_error))
        except Exception:  # parsed, then failed: ours stands
            return error
        if canonical is None:
            return error
        try:
            check_syntax(canonical.text, base_iri=job.base_iri, prefixes=prefixes)
        except Exception:  # the engine cannot read the canonical text either
            return error
        return QueryRefused(
            f"this query cannot be checked, so it is not run: the SPARQL 1.1 parser that"
            f" enforces this endpoint's policy cannot read it ({error.message})",
            policy="unverifiable")

    def answer(self, job: QueryJob) -> Answer | Checked:
        """Check, run and serialise one job (raises a QueryError when it cannot); without
        a store, only check it."""
        shape, sparql = self.check(job)
        graph_format = job.graph_format if shape.returns_graph else None
        results_format = None if shape.returns_graph else job.results_format
        if graph_format is None and results_format is None:
            raise NotAcceptable("graph" if shape.returns_graph else "results")
        max_rows = job.max_rows
        if max_rows is not None and shape.limit is not None and shape.limit <= max_rows:
            max_rows = None
        # A value is a term in a variable's place, written by sparql_term, and a derived
        # index's values are terms in a VALUES block: neither can change the structure
        # the policy checked (no SERVICE, FROM or graph comes of them).
        sparql = bind_values(sparql, dict(job.bindings))
        if job.restrict is not None:
            sparql = restrict_values(sparql, *job.restrict)
        if self.store is None:
            return Checked(max_rows, bool(shape.from_graphs), shape.returns_graph, sparql)
        job = replace(job, sparql=sparql, graph_format=graph_format,
                      results_format=results_format)
        return run_job(self.store, job, self.prefixes, max_rows=max_rows,
                       query_dataset=bool(shape.from_graphs))


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def run_job(store: GraphStore, job: QueryJob, prefixes: Mapping[str, str], *,
            max_rows: int | None, query_dataset: bool = False,
            timeout: float | None = None) -> Answer:
    """Run a checked query (its canonical text) on the store and return its serialised
    answer, cut at max_rows."""
    # A dataset given by the protocol replaces the query's FROM clauses entirely; files
    # served with --data keep their own default graph unless the union is asked for.
    result = store.answer(
        job.sparql,
        results_format=job.results_format,
        graph_format=job.graph_format,
        dataset=job_dataset(job, query_dataset),
        prefixes=prefixes if job.use_prefixes else None,
        base_iri=job.base_iri,
        max_rows=max_rows,
        timeout=timeout,
    )
    table = GRAPH_FORMATS if result.kind == "graph" else RESULTS_FORMATS
    return Answer(result.kind, result.format, table[result.format].media_type, result.body,
                  result.truncated)


def job_dataset(job: QueryJob, query_dataset: bool) -> QueryDataset:
    """The graphs a job's query sees (see QueryDataset)."""
    return QueryDataset(
        default_graphs=job.default_graphs, named_graphs=job.named_graphs,
        union=job.union_default_graph, from_text=query_dataset)


def serve(conn: Connection) -> None:
    """The worker's loop: set up, say ready, answer jobs until the server goes away."""
    setup: WorkerSetup = conn.recv()
    limit_memory(setup.memory_limit)
    try:
        worker = Worker(None if setup.graphs is not None else setup.source.open(), setup)
        inspect_query("ASK {}")  # builds the grammar now rather than on the first request
    except Exception as error:  # reported to the server, which stops respawning
        conn.send(("failed", f"{type(error).__name__}: {error}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        started = time.perf_counter()
        try:
            reply: tuple[str, Any] = ("ok", (worker.answer(job), time.perf_counter() - started))
        except QueryError as error:
            reply = ("error", error)
        except PermissionError as error:  # the sandbox stopped what the policy let through
            reply = ("error", QueryRefused(
                f"the query tried to reach the network ({error}); this endpoint never does",
                policy="network"))
        except RuntimeError as error:  # Oxigraph: parsed, but cannot be evaluated
            reply = ("error", QueryUnsupported(str(error)))
        except MemoryError:
            reply = ("error", QueryMemoryLimit(
                "the query needed more memory than a query may use and was stopped"))
        except Exception:  # the cause goes to the log, not to the client
            log.exception("query worker: a query failed")
            reply = ("error", QueryFailed("the query could not be answered because of an "
                                          "error in this service; it has been logged"))
        conn.send(reply)


def limit_memory(limit: int | None) -> None:
    """Cap the worker's private memory (heap and anonymous maps, not the store's mapped
    files: RLIMIT_DATA, not RLIMIT_AS). Past it an allocation fails: Python raises
    MemoryError, Oxigraph aborts the process; the server tells which and replaces it.
    No core file is written either way."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limit is not None:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def _die_with_parent() -> None:
    """Ask Linux to kill this worker if the server dies (elsewhere: rely on EOF)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def worker_main(sock: socket.socket) -> None:
    """A worker's life, in a process forked by the executor's fork server."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    _die_with_parent()
    conn = Connection(sock.detach())
    try:
        forbid_network()  # before anything else runs: the dataset, then client queries
        allow_deep_queries()
    except SandboxError as error:
        conn.recv()
        conn.send(("failed", f"cannot forbid the network to query workers: {error}"))
        return
    serve(conn)
