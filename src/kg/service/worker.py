"""A query worker process: its own copy of the dataset, one query at a time.

Started by the executor as ``python -m kg.service.worker FD`` with one end of a
socket pair; it reads a `WorkerSetup`, opens the dataset, says it is ready, then
answers `QueryJob`s with serialised bytes until the socket closes. The server
kills it when a query runs out of time, which is the only way to stop Oxigraph.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
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
    parse,
    parse_query_results,
    serialize,
)

from kg.formats import GRAPH_FORMATS, RESULTS_FORMATS
from kg.service.dataset import DatasetSource
from kg.store import EmbeddedStore, QueryResult

#: Fewest bytes one solution (or triple) can take in each format: a serialisation
#: shorter than budget = max_rows x this cannot hold more than max_rows of them.
MIN_ROW_BYTES = {"json": 3, "xml": 17, "csv": 2, "tsv": 1, "nt": 8, "nq": 8}
DEFAULT_MIN_ROW_BYTES = 2


@dataclass(frozen=True, slots=True)
class WorkerSetup:
    source: DatasetSource
    prefixes: Mapping[str, str]


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
    query_dataset: bool = False
    """The query names its own dataset (FROM / FROM NAMED), which then applies."""
    union_default_graph: bool = True
    substitutions: Mapping[str, Any] | None = None
    base_iri: str | None = None
    use_prefixes: bool = True
    """Predeclare the project prefixes (off for `--data` files, served as they are)."""
    max_rows: int | None = None
    """Cap on solutions or triples; None when the query's own LIMIT is lower."""


@dataclass(frozen=True, slots=True)
class Answer:
    kind: str
    """'solutions', 'boolean' or 'graph'."""
    format: str
    media_type: str
    body: bytes
    truncated: bool = False


class Unsupported(Exception):
    """Oxigraph parsed the query but cannot evaluate it (e.g. an unknown function)."""


class NotAcceptable(Exception):
    """The client accepts no format for this kind of result."""


def run_job(store: EmbeddedStore, job: QueryJob, prefixes: Mapping[str, str]) -> Answer:
    """Run a query and serialise its answer with Oxigraph (capped at job.max_rows)."""

    def execute() -> QueryResult:
        # A dataset given by the protocol replaces the query's FROM clauses entirely; files
        # served with --data keep their own default graph unless the union is asked for.
        return store.query(
            job.sparql,
            base_iri=job.base_iri,
            prefixes=prefixes if job.use_prefixes else None,
            substitutions=job.substitutions,
            default_graphs=None if job.default_graphs is None else list(job.default_graphs),
            named_graphs=None if job.named_graphs is None else list(job.named_graphs),
            union_default_graph=job.union_default_graph and not job.query_dataset,
        )

    try:
        result = execute()
    except RuntimeError as error:
        raise Unsupported(str(error)) from error
    if isinstance(result, QueryBoolean):
        fmt = _results_format(job)
        return Answer("boolean", fmt, RESULTS_FORMATS[fmt].media_type,
                      result.serialize(format=RESULTS_FORMATS[fmt].oxigraph))
    if isinstance(result, QuerySolutions):
        fmt = _results_format(job)
        body, truncated = _capped(result, execute, fmt, RESULTS_FORMATS[fmt].oxigraph, job.max_rows,
                                  _solutions_exact)
        return Answer("solutions", fmt, RESULTS_FORMATS[fmt].media_type, body, truncated)
    assert isinstance(result, QueryTriples)
    if job.graph_format is None:
        raise NotAcceptable("graph")
    fmt = job.graph_format
    body, truncated = _capped(result, execute, fmt, GRAPH_FORMATS[fmt].oxigraph, job.max_rows,
                              _triples_exact)
    return Answer("graph", fmt, GRAPH_FORMATS[fmt].media_type, body, truncated)


def _results_format(job: QueryJob) -> str:
    if job.results_format is None:
        raise NotAcceptable("results")
    return job.results_format


class _BoundedSink:
    """A write target that gives up past a byte budget, which stops Oxigraph's serialiser."""

    def __init__(self, budget: int) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.budget = budget
        self.overflow = False

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.budget:
            self.overflow = True
            raise OSError("result larger than the budget")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


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
    sink = _BoundedSink(max_rows * MIN_ROW_BYTES.get(fmt, DEFAULT_MIN_ROW_BYTES))
    try:
        result.serialize(sink, format=oxi)  # type: ignore[union-attr]
    except OSError:
        if not sink.overflow:
            raise
    if not sink.overflow:
        return b"".join(sink.parts), False
    return exact(execute(), fmt, oxi, max_rows)


def _first_lines(data: bytes, count: int) -> tuple[bytes, bool]:
    """The first `count` lines of data, and whether any were left out."""
    lines = data.split(b"\n", count)
    if len(lines) <= count or lines[count] == b"":
        return data, False
    return b"\n".join(lines[:count]) + b"\n", True


def _solutions_exact(result: QueryResult, fmt: str, oxi: Any, max_rows: int) -> tuple[bytes, bool]:
    tsv = result.serialize(format=QueryResultsFormat.TSV)  # type: ignore[union-attr]
    tsv, truncated = _first_lines(tsv, max_rows + 1)  # + the header line
    if fmt == "tsv":
        return tsv, truncated
    return parse_query_results(tsv, format=QueryResultsFormat.TSV).serialize(format=oxi), truncated


def _triples_exact(result: QueryResult, fmt: str, oxi: Any, max_rows: int) -> tuple[bytes, bool]:
    nt = result.serialize(format=RdfFormat.N_TRIPLES)  # type: ignore[union-attr]
    nt, truncated = _first_lines(nt, max_rows)
    if fmt == "nt":
        return nt, truncated
    return serialize(parse(nt, format=RdfFormat.N_TRIPLES), format=oxi) or b"", truncated


def serve(conn: Connection) -> None:
    """The worker's loop: set up, say ready, answer jobs until the server goes away."""
    setup: WorkerSetup = conn.recv()
    prefixes = dict(setup.prefixes)
    try:
        store = setup.source.open()
    except Exception as error:  # reported to the server, which stops respawning
        conn.send(("failed", f"{type(error).__name__}: {error}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            started = time.perf_counter()
            answer = run_job(store, job, prefixes)
            reply: tuple[str, Any] = ("ok", (answer, time.perf_counter() - started))
        except SyntaxError as error:
            reply = ("syntax", str(error))
        except NotAcceptable as error:
            reply = ("not-acceptable", str(error))
        except Unsupported as error:
            reply = ("unsupported", str(error))
        except Exception as error:
            reply = ("error", f"{type(error).__name__}: {error}")
        conn.send(reply)


def _die_with_parent() -> None:
    """Ask Linux to kill this worker if the server dies (elsewhere: rely on EOF)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def main(argv: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    _die_with_parent()
    serve(Connection(int(argv[0])))


if __name__ == "__main__":
    # Run the imported module, not this __main__ copy, so that the answers pickle
    # as kg.service.worker classes the server can load.
    from kg.service import worker

    worker.main(sys.argv[1:])
