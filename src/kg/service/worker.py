"""A query worker process: its own copy of the dataset, one query at a time.

Forked by the executor's fork server with one end of a socket pair; it first
forbids itself the network (`kg.service.sandbox`), then
reads a `WorkerSetup`, opens the dataset, says it is ready, and answers
`QueryJob`s until the socket closes. Every check of a client's text happens
here, off the server's event loop and under the time limit: size and nesting
limits, the parse and the policy (`kg.inspection`), then Oxigraph runs it and
its answer is serialised, cut at the row cap without evaluating further. The
server kills the worker when a query runs out of time, the only way to stop
Oxigraph.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import signal
import socket
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from pyoxigraph import (
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    parse,
    parse_query_results,
    serialize,
)

from kg.formats import GRAPH_FORMATS, RESULTS_FORMATS
from kg.inspection import (
    QueryShape,
    allow_deep_queries,
    check_query_safety,
    check_size,
    inspect_query,
)
from kg.query_errors import (
    NotAcceptable,
    QueryError,
    QueryFailed,
    QueryRefused,
    QuerySyntaxError,
    QueryUnsupported,
)
from kg.service.dataset import DatasetSource
from kg.service.sandbox import SandboxError, forbid_network
from kg.store import EmbeddedStore, QueryResult

#: Fewest bytes one solution (or triple) can take in each format: a serialisation
#: shorter than budget = max_rows x this cannot hold more than max_rows of them.
MIN_ROW_BYTES = {"json": 3, "xml": 17, "csv": 2, "tsv": 1, "nt": 8, "nq": 8}
DEFAULT_MIN_ROW_BYTES = 2
#: Parsed shapes kept per worker (keyed by a digest of the text, so a few bytes each).
SHAPE_CACHE_ENTRIES = 2048
SHAPE_CACHE_MAX_TEXT = 65_536


@dataclass(frozen=True, slots=True)
class WorkerSetup:
    source: DatasetSource
    prefixes: Mapping[str, str]
    max_query_chars: int | None = None


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
    substitutions: Mapping[str, Any] | None = None
    base_iri: str | None = None
    use_prefixes: bool = True
    """Predeclare the project prefixes (off for `--data` files, served as they are)."""
    max_rows: int | None = None
    """Cap on solutions or triples (a query whose own LIMIT is lower is not counted)."""


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

    def __init__(self, store: EmbeddedStore, setup: WorkerSetup) -> None:
        self.store = store
        self.prefixes = dict(setup.prefixes)
        self.max_query_chars = setup.max_query_chars
        self.graphs = frozenset(store.named_graphs())
        self._shapes: OrderedDict[bytes, QueryShape] = OrderedDict()

    def shape(self, job: QueryJob) -> QueryShape:
        """The checked shape of the job's query (parsed once per distinct text)."""
        check_size(job.sparql, self.max_query_chars)
        key = hashlib.sha256(f"{job.base_iri}\n{job.use_prefixes}\n{job.sparql}".encode(
            "utf-8", "surrogatepass")).digest()
        shape = self._shapes.get(key)
        if shape is None:
            prefixes = self.prefixes if job.use_prefixes else None
            try:
                shape = inspect_query(job.sparql, job.base_iri, prefixes)
            except QuerySyntaxError as error:
                raise self._syntax_error(job, prefixes, error) from None
            if len(job.sparql) <= SHAPE_CACHE_MAX_TEXT:
                self._shapes[key] = shape
                if len(self._shapes) > SHAPE_CACHE_ENTRIES:
                    self._shapes.popitem(last=False)
        else:
            self._shapes.move_to_end(key)
        check_query_safety(shape, self.graphs)
        return shape

    @staticmethod
    def _syntax_error(job: QueryJob, prefixes: Mapping[str, str] | None,
                      error: QuerySyntaxError) -> QueryError:
        """Oxigraph's own message for a text the policy parser cannot read (its positions
        are the ones users know); if Oxigraph can read it, the query is refused unchecked.

        Oxigraph only parses here: an empty store, nothing iterated, no network."""
        try:
            Store().query(job.sparql, base_iri=job.base_iri, prefixes=prefixes)
        except SyntaxError as engine_error:
            return QuerySyntaxError(str(engine_error))
        except Exception:  # parsed, then failed: the policy parser's word stands
            return error
        return QueryRefused(
            f"this query cannot be checked, so it is not run: the SPARQL 1.1 parser that"
            f" enforces this endpoint's policy cannot read it ({error.message})",
            policy="unverifiable")

    def answer(self, job: QueryJob) -> Answer:
        """Check, run and serialise one job (raises a QueryError when it cannot)."""
        shape = self.shape(job)
        graph_format = job.graph_format if shape.returns_graph else None
        results_format = None if shape.returns_graph else job.results_format
        if graph_format is None and results_format is None:
            raise NotAcceptable("graph" if shape.returns_graph else "results")
        max_rows = job.max_rows
        if max_rows is not None and shape.limit is not None and shape.limit <= max_rows:
            max_rows = None
        return run_job(self.store, job, self.prefixes, max_rows=max_rows,
                       query_dataset=bool(shape.from_graphs))


def run_job(store: EmbeddedStore, job: QueryJob, prefixes: Mapping[str, str], *,
            max_rows: int | None, query_dataset: bool = False) -> Answer:
    """Run a checked query and serialise its answer with Oxigraph, cut at max_rows."""

    def execute() -> QueryResult:
        # A dataset given by the protocol replaces the query's FROM clauses entirely; files
        # served with --data keep their own default graph unless the union is asked for.
        try:
            return store.query(
                job.sparql,
                base_iri=job.base_iri,
                prefixes=prefixes if job.use_prefixes else None,
                substitutions=job.substitutions,
                default_graphs=None if job.default_graphs is None else list(job.default_graphs),
                named_graphs=None if job.named_graphs is None else list(job.named_graphs),
                union_default_graph=job.union_default_graph and not query_dataset,
            )
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from None

    result = execute()
    if isinstance(result, QueryBoolean):
        fmt = _results_format(job)
        return Answer("boolean", fmt, RESULTS_FORMATS[fmt].media_type,
                      result.serialize(format=RESULTS_FORMATS[fmt].oxigraph))
    if isinstance(result, QuerySolutions):
        fmt = _results_format(job)
        body, truncated = _capped(result, execute, fmt, RESULTS_FORMATS[fmt].oxigraph, max_rows,
                                  _solutions_exact)
        return Answer("solutions", fmt, RESULTS_FORMATS[fmt].media_type, body, truncated)
    assert isinstance(result, QueryTriples)
    if job.graph_format is None:
        raise NotAcceptable("graph")
    fmt = job.graph_format
    body, truncated = _capped(result, execute, fmt, GRAPH_FORMATS[fmt].oxigraph, max_rows,
                              _triples_exact)
    return Answer("graph", fmt, GRAPH_FORMATS[fmt].media_type, body, truncated)


def _results_format(job: QueryJob) -> str:
    if job.results_format is None:
        raise NotAcceptable("results")
    return job.results_format


class _StoppingSink:
    """A write target that stops the serialiser past a byte budget or a number of lines.

    Oxigraph evaluates lazily as it serialises, so raising here stops the query
    itself: a capped answer costs about cap + 1 rows of work, not the whole result."""

    def __init__(self, *, max_bytes: int | None = None, max_lines: int | None = None) -> None:
        self.parts: list[bytes] = []
        self.size = self.lines = 0
        self.max_bytes, self.max_lines = max_bytes, max_lines
        self.overflow = False

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        self.lines += data.count(b"\n")
        if (self.max_bytes is not None and self.size > self.max_bytes) or (
                self.max_lines is not None and self.lines >= self.max_lines):
            self.overflow = True
            raise OSError("answer limit reached")
        return len(data)

    def flush(self) -> None:
        pass

    def serialize(self, result: QueryResult, oxi: Any) -> bool:
        """Serialise into this sink; True if it stopped at its limit."""
        try:
            result.serialize(self, format=oxi)  # type: ignore[union-attr]
        except OSError:
            if not self.overflow:
                raise
        return self.overflow

    def first_lines(self, count: int) -> bytes:
        return b"\n".join(b"".join(self.parts).split(b"\n", count)[:count]) + b"\n"


Exact = Callable[[QueryResult, str, Any, int], tuple[bytes, bool]]


def _capped(result: QueryResult, execute: Callable[[], QueryResult], fmt: str, oxi: Any,
            max_rows: int | None, exact: Exact) -> tuple[bytes, bool]:
    """Serialise directly when the answer is provably within max_rows, else count exactly.

    Small answers (the usual case) are serialised once, straight into the wanted
    format. An answer whose bytes could hold more rows than allowed is run again
    and serialised in a line-per-row format, where rows are counted and cut
    without parsing, then converted by Oxigraph.
    """
    if max_rows is None:
        return result.serialize(format=oxi), False  # type: ignore[union-attr]
    sink = _StoppingSink(max_bytes=max_rows * MIN_ROW_BYTES.get(fmt, DEFAULT_MIN_ROW_BYTES))
    if not sink.serialize(result, oxi):
        return b"".join(sink.parts), False
    return exact(execute(), fmt, oxi, max_rows)


def _first_rows(result: QueryResult, oxi: Any, rows: int, header: int) -> tuple[bytes, bool]:
    """The first `rows` rows in a line-per-row format (after `header` lines), and whether
    more were left out; evaluation stops at the row after them."""
    sink = _StoppingSink(max_lines=header + rows + 1)
    if not sink.serialize(result, oxi):
        return b"".join(sink.parts), False
    return sink.first_lines(header + rows), True


def _solutions_exact(result: QueryResult, fmt: str, oxi: Any, max_rows: int) -> tuple[bytes, bool]:
    tsv, truncated = _first_rows(result, QueryResultsFormat.TSV, max_rows, header=1)
    if fmt == "tsv":
        return tsv, truncated
    return parse_query_results(tsv, format=QueryResultsFormat.TSV).serialize(format=oxi), truncated


def _triples_exact(result: QueryResult, fmt: str, oxi: Any, max_rows: int) -> tuple[bytes, bool]:
    nt, truncated = _first_rows(result, RdfFormat.N_TRIPLES, max_rows, header=0)
    if fmt == "nt":
        return nt, truncated
    return serialize(parse(nt, format=RdfFormat.N_TRIPLES), format=oxi) or b"", truncated


def serve(conn: Connection) -> None:
    """The worker's loop: set up, say ready, answer jobs until the server goes away."""
    setup: WorkerSetup = conn.recv()
    try:
        worker = Worker(setup.source.open(), setup)
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
        except Exception as error:
            reply = ("error", QueryFailed(f"{type(error).__name__}: {error}"))
        conn.send(reply)


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
