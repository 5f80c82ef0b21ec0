"""Time-limited query execution in a warm pool of worker processes.

pyoxigraph cannot interrupt a query, so every query runs in a worker process
(`kg.service.worker`) with the dataset opened read-only and no network. With an
external store the workers only check the text; the server forwards the canonical
text they checked (never the client's), with the time left as the HTTP time-out. The
server never parses or evaluates a client's text itself. It talks to each
worker over a socket pair read by the event loop (no thread hop per request;
frames as multiprocessing.Connection writes them: a 4-byte length, then a
pickle). A query that outlives its deadline gets its worker killed, which frees
the CPU at once, and a fresh worker takes its place while the others keep
answering; a worker that dies is replaced the same way. With an external store the
server keeps the workers' verdicts on the jobs they allowed: the same job again (same
text, base, values, formats, row cap, byte for byte) is forwarded without the round
trip to a worker, as a worker answers a text it has seen without parsing it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import pickle
import signal
import socket
import struct
import threading
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kg.query_errors import (
    QueryError,
    QueryFailed,
    QueryMemoryLimit,
    QueryTimeout,
    TooManyQueries,
)
from kg.service.dataset import DatasetSource
from kg.service.worker import Answer, Checked, QueryJob, WorkerSetup, run_job, worker_main
from kg.settings import client_share

log = logging.getLogger("kg.service")
#: Workers are forked by multiprocessing's fork server, which has imported the worker's
#: modules once: a replacement for a killed worker is ready in milliseconds, not seconds.
_FORKSERVER = multiprocessing.get_context("forkserver")
_FORKSERVER.set_forkserver_preload(["kg.service.worker"])
#: Workers in a row that may die before they are ready before the pool stops respawning.
MAX_STILLBORN = 5
#: How long the workers may take to load the dataset before the server gives up starting.
STARTUP_SECONDS = 300.0
#: How often the watchdog reconciles the workers with the pool.
WATCHDOG_SECONDS = 1.0
#: With an external store, the jobs whose verdict the server keeps: their frames are the
#: keys (at most ALLOWED_ENTRIES of ALLOWED_MAX_BYTES, and as much canonical text: ~32 MB).
ALLOWED_ENTRIES = 2048
ALLOWED_MAX_BYTES = 8192


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    sock: socket.socket
    writer: asyncio.StreamWriter | None = None
    reading: asyncio.Task[None] | None = None
    ready: bool = False
    pending: asyncio.Future[tuple[str, Any]] | None = field(default=None, repr=False)
    client: str | None = None
    """Who holds it (None: idle)."""
    lease: int = 0
    """Bumped at every change of hands: the watchdog's clock."""
    suspect: int | None = None
    """The lease at which the last sweep found it held by nobody."""
    handed: int = 0
    """When it was last handed over, counted in hand-overs (the latest is taken back)."""


@dataclass(eq=False)
class _Waiter:
    """A request waiting for a worker; the hand-over sets its future (once)."""

    client: str
    future: asyncio.Future[_Worker]


def _expire(waiter: _Waiter, limit: float) -> None:
    """The waiter's deadline: a timer that fails its future unless a worker came first, so
    that a worker is either handed over or the request times out, never both."""
    if not waiter.future.done():
        waiter.future.set_exception(QueryTimeout(
            f"no query worker became free within the {limit:g} s time limit"))


def frame(message: object) -> bytes:
    """A message as multiprocessing.Connection frames it (the worker reads it with recv)."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    if len(data) > 0x7FFFFFFF:
        return struct.pack("!i", -1) + struct.pack("!Q", len(data)) + data
    return struct.pack("!i", len(data)) + data


async def read_frame(reader: asyncio.StreamReader) -> object:
    (size,) = struct.unpack("!i", await reader.readexactly(4))
    if size == -1:
        (size,) = struct.unpack("!Q", await reader.readexactly(8))
    return pickle.loads(await reader.readexactly(size))


class QueryExecutor:
    """A fixed number of warm workers; `run` sends a job to an idle one under a deadline.

    Waiting requests are served fairly: a client (remote address) holds at most
    `client_cap` workers while another client waits; beyond its share a worker is only
    borrowed, and taken back (its query answered 429) when a client within its share
    needs one. A watchdog returns any worker that nobody holds to the pool."""

    @classmethod
    def from_source(cls, source: DatasetSource, prefixes: Mapping[str, str]) -> QueryExecutor:
        """The workers of a dataset, with the limits of its settings (not started yet)."""
        settings = source.settings
        return cls(source, workers=settings.worker_count, timeout=settings.timeout,
                   prefixes=prefixes, max_query_chars=settings.max_request_bytes,
                   client_cap=client_share(settings.client_queries, settings.worker_count),
                   memory_limit=settings.worker_memory)

    def __init__(self, source: DatasetSource, *, workers: int, timeout: float,
                 prefixes: Mapping[str, str] | None = None,
                 max_query_chars: int | None = None, client_cap: int | None = None,
                 memory_limit: int | None = None) -> None:
        self.source = source
        self.size = max(1, workers)
        self.timeout = timeout
        self.client_cap = client_cap
        """Workers one client may hold while another waits (None: no cap)."""
        self.forward = source.open() if source.remote else None
        """The external store the server forwards checked queries to (None: embedded)."""
        graphs = None if self.forward is None else frozenset(self.forward.named_graphs())
        self.prefixes = dict(prefixes or {})
        self.setup = WorkerSetup(source, self.prefixes, max_query_chars, graphs, memory_limit)
        self._allowed: OrderedDict[bytes, Checked] = OrderedDict()
        """The workers' verdicts on jobs they allowed, by the job's frame (external store)."""
        self._workers: list[_Worker] = []
        self._idle: deque[_Worker] = deque()
        self._waiters: deque[_Waiter] = deque()
        self._broken: str | None = None
        self._stillborn = 0
        self._closing = False
        self._watchdog: asyncio.Task[None] | None = None
        self._handovers = 0
        self.killed = 0
        self.preempted = 0
        self.recovered = 0
        """Workers the watchdog found held by nobody and returned to the pool."""

    # ------------------------------------------------------------ lifecycle

    def launch(self) -> None:
        """Start the worker processes now (no event loop needed), so that they load the
        dataset while the server is still importing and setting up."""
        while len(self._workers) < self.size:
            self._launch_one()

    async def start(self, ready_within: float = STARTUP_SECONDS) -> None:
        """Read from the workers (launching them if needed) and wait until they are ready,
        so that the server takes requests only when it can answer them (QueryFailed if the
        workers cannot open the dataset)."""
        self.launch()
        for worker in self._workers:
            self._watch(worker)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + ready_within
        while not self._broken and not all(w.ready for w in self._workers):
            if loop.time() > deadline:
                raise QueryFailed(f"the query workers were not ready within {ready_within:g} s")
            await asyncio.sleep(0.02)
        if self._broken:
            raise QueryFailed(self._broken)
        self._watchdog = loop.create_task(self._watch_pool())

    def terminate(self) -> None:
        """Kill the workers without an event loop (when the server fails to start)."""
        self._closing = True
        for worker in self._workers:
            with contextlib.suppress(OSError):
                worker.process.kill()
            worker.process.join()
            worker.sock.close()
        self._workers.clear()

    async def close(self) -> None:
        self._closing = True
        if self._watchdog is not None:
            self._watchdog.cancel()
        for worker in list(self._workers):
            self._discard(worker, kill=True)
        for waiter in self._waiters:
            if not waiter.future.done():
                waiter.future.set_exception(QueryFailed("the service is shutting down"))

    @property
    def worker_pids(self) -> list[int]:
        return [w.process.pid for w in self._workers]

    @property
    def ready_pids(self) -> list[int]:
        """The workers that take jobs (each has forbidden itself the network first)."""
        return [w.process.pid for w in self._workers if w.ready]

    @property
    def idle_count(self) -> int:
        return len(self._idle)

    # ------------------------------------------------------------ running

    async def run(self, job: QueryJob, timeout: float | None = None, client: str = "") -> Answer:
        """The answer to a job, or the QueryError that says why there is none. `client`
        names who asks (the remote address), for the fair share of workers."""
        limit = self.timeout if timeout is None else timeout
        message = frame(job)
        if self.forward is not None and (allowed := self._allowed.get(message)) is not None:
            self._allowed.move_to_end(message)
            return await self._forward(job, allowed, limit, limit)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        worker = await self._acquire(client, deadline, limit)
        # From here the worker goes back to the pool on every path: released after its
        # answer, or killed (and replaced) when anything else happens.
        try:
            future: asyncio.Future[tuple[str, Any]] = loop.create_future()
            worker.pending = future
            worker.lease += 1
            assert worker.writer is not None  # a ready worker is being read
            worker.writer.write(message)
            if self._waiters:
                self._take_back()
            async with asyncio.timeout_at(deadline):
                status, payload = await future
        except TimeoutError:
            self._discard(worker, kill=True)
            self.killed += 1
            raise QueryTimeout(
                f"the query ran longer than the {limit:g} s time limit and was stopped"
            ) from None
        except BaseException:
            # cancelled (client gone), taken back, or the worker died: nobody wants this
            # answer any more, and the worker may be mid-query
            self._discard(worker, kill=True)
            raise
        self._release(worker)
        if status == "ok":
            answer, _seconds = payload
            if isinstance(answer, Checked):
                self._remember(message, answer)
                return await self._forward(job, answer, deadline - loop.time(), limit)
            return answer  # type: ignore[no-any-return]
        if isinstance(payload, QueryError):
            raise payload
        raise QueryFailed(f"unexpected reply from a query worker: {status}")

    def _remember(self, message: bytes, checked: Checked) -> None:
        """Keep a worker's verdict on a job (a short one) for the same job again."""
        if len(message) <= ALLOWED_MAX_BYTES:
            self._allowed[message] = checked
            if len(self._allowed) > ALLOWED_ENTRIES:
                self._allowed.popitem(last=False)

    async def _forward(self, job: QueryJob, checked: Checked, left: float,
                       limit: float) -> Answer:
        """Send a query the worker allowed to the external store, within the time left."""
        if self.forward is None or left <= 0:
            raise QueryTimeout(f"the query ran longer than the {limit:g} s time limit")
        store = self.forward
        if checked.returns_graph:  # the worker's canonical text, never the client's
            job = replace(job, sparql=checked.sparql, results_format=None)
        else:
            job = replace(job, sparql=checked.sparql, graph_format=None)
        return await asyncio.to_thread(
            run_job, store, job, self.prefixes, max_rows=checked.max_rows,
            query_dataset=checked.query_dataset, timeout=left)

    async def _acquire(self, client: str, deadline: float, limit: float) -> _Worker:
        """An idle worker, or wait in line for one until the deadline (QueryTimeout)."""
        if self._broken:
            raise QueryFailed(self._broken)
        if self._idle:
            return self._hand(self._idle.popleft(), client)
        loop = asyncio.get_running_loop()
        waiter = _Waiter(client, loop.create_future())
        self._waiters.append(waiter)
        expiry = loop.call_at(deadline, _expire, waiter, limit)
        self._take_back()
        try:
            return await waiter.future
        except BaseException:
            # a worker handed over in the very iteration the request was cancelled: the
            # result is there, but nobody will use it
            future = waiter.future
            if future.done() and not future.cancelled() and future.exception() is None:
                self._release(future.result())
            raise
        finally:
            expiry.cancel()
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    def _held(self, client: str) -> int:
        return sum(1 for w in self._workers if w.client == client)

    def _hand(self, worker: _Worker, client: str) -> _Worker:
        worker.client = client
        worker.lease += 1
        self._handovers += 1
        worker.handed = self._handovers
        return worker

    def _release(self, worker: _Worker) -> None:
        """Give a worker back: to the next waiter in fair order, else to the idle pool."""
        if worker not in self._workers or worker in self._idle:
            return
        worker.client = None
        worker.lease += 1
        waiter = self._next_waiter()
        if waiter is not None:
            waiter.future.set_result(self._hand(worker, waiter.client))
        else:
            self._idle.append(worker)

    def _next_waiter(self) -> _Waiter | None:
        """The oldest live waiter whose client holds less than its share; else the oldest."""
        live = [w for w in self._waiters if not w.future.done()]
        if not live:
            return None
        cap = self.client_cap
        chosen = next((w for w in live if cap is None or self._held(w.client) < cap), live[0])
        self._waiters.remove(chosen)
        return chosen

    def _take_back(self) -> None:
        """While clients within their share wait and no replacement worker is on its way
        for them, stop the latest query of a client holding more than its share, so that
        its worker comes back (replaced). Checked when a request starts waiting, when a
        job starts, and at every sweep of the watchdog."""
        cap = self.client_cap
        if cap is None:
            return
        entitled = sum(1 for w in self._waiters
                       if not w.future.done() and self._held(w.client) < cap)
        coming = sum(1 for w in self._workers if not w.ready)
        while entitled > coming:
            greedy = [w for w in self._workers if w.client is not None
                      and self._held(w.client) > cap and w.pending is not None
                      and not w.pending.done()]
            if not greedy:
                return
            worker = max(greedy, key=lambda w: w.handed)
            future, worker.pending = worker.pending, None
            assert future is not None
            future.set_exception(TooManyQueries(
                f"this query was stopped because your address had more than {cap} queries "
                "running while another client waited; run fewer at once"))
            self.preempted += 1
            self._discard(worker, kill=True)
            coming += 1

    async def _watch_pool(self) -> None:
        """Every second: a ready worker that is neither idle nor running a job nor just
        handed over (the same lease two sweeps in a row) goes back to the pool, and
        missing workers are started."""
        while not self._closing:
            await asyncio.sleep(WATCHDOG_SECONDS)
            self.reconcile()

    def reconcile(self) -> None:
        """One sweep of the watchdog (see `_watch_pool`)."""
        for worker in list(self._workers):
            running = worker.pending is not None and not worker.pending.done()
            if not worker.ready or running or worker in self._idle:
                worker.suspect = None
            elif worker.suspect == worker.lease:
                log.warning("query worker %s was held by nobody; returned to the pool",
                            worker.process.pid)
                worker.suspect = None
                self.recovered += 1
                worker.client = None
                self._release(worker)
            else:
                worker.suspect = worker.lease
        while not self._closing and not self._broken and len(self._workers) < self.size:
            self._spawn()
        self._take_back()

    # ------------------------------------------------------------ processes

    def _launch_one(self) -> _Worker:
        ours, theirs = socket.socketpair()
        process = _FORKSERVER.Process(target=worker_main, args=(theirs,), daemon=True,
                                      name="kg-query-worker")
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        with contextlib.suppress(OSError):  # a worker dead at birth is seen by its reader
            ours.sendall(frame(self.setup))  # blocking: the worker reads it when it is up
        self._workers.append(worker)
        return worker

    def _watch(self, worker: _Worker) -> None:
        """Read the worker's messages (ready, answers, failure) on the event loop."""
        worker.reading = asyncio.get_running_loop().create_task(self._read(worker))

    def _spawn(self) -> None:
        """Start and watch one worker; it joins the idle pool when it reports ready."""
        self._watch(self._launch_one())

    async def _read(self, worker: _Worker) -> None:
        reader, worker.writer = await asyncio.open_connection(sock=worker.sock)
        try:
            while True:
                status, payload = await read_frame(reader)  # type: ignore[misc]
                self._on_message(worker, status, payload)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            if worker.pending is not None:  # its exit status says why it died
                await asyncio.to_thread(worker.process.join, 2.0)
            self._on_death(worker)

    def _on_message(self, worker: _Worker, status: str, payload: Any) -> None:
        if status == "ready":
            worker.ready = True
            self._stillborn = 0
            self._release(worker)
        elif status == "failed":
            log.error("a query worker cannot start: %s", payload)
            self._break("the query workers cannot open the dataset; see the server log")
            self._discard(worker, kill=True, respawn=False)
        else:
            future, worker.pending = worker.pending, None
            if future is not None and not future.done():
                future.set_result((status, payload))

    def _break(self, reason: str) -> None:
        """Stop respawning: every waiting and later request gets QueryFailed (503)."""
        self._broken = reason
        log.error(reason)
        for waiter in self._waiters:
            if not waiter.future.done():
                waiter.future.set_exception(QueryFailed(reason))

    def _on_death(self, worker: _Worker) -> None:
        future = worker.pending
        if not worker.ready:
            self._stillborn += 1
            if self._stillborn >= MAX_STILLBORN:  # not a bad query: workers cannot start
                self._break(f"{self._stillborn} query workers in a row died before they were"
                            " ready; see the server log")
        self._discard(worker, kill=True)
        if future is not None and not future.done():
            if worker.process.exitcode == -signal.SIGABRT and self.setup.memory_limit:
                # Oxigraph aborts when an allocation fails: the worker's memory limit
                future.set_exception(QueryMemoryLimit(
                    "the query needed more memory than a query may use "
                    f"({self.setup.memory_limit / 2**30:g} GiB) and was stopped"))
            else:
                future.set_exception(QueryFailed(
                    "the query worker stopped unexpectedly; it has been replaced, try again"))

    def _discard(self, worker: _Worker, *, kill: bool, respawn: bool = True) -> None:
        """Forget a worker (killing it), and start a replacement unless shutting down."""
        if worker not in self._workers:
            return
        self._workers.remove(worker)
        with contextlib.suppress(ValueError):
            self._idle.remove(worker)
        if worker.reading is not None and worker.reading is not asyncio.current_task():
            worker.reading.cancel()
        if worker.writer is not None:
            worker.writer.close()
        else:
            worker.sock.close()
        if kill:
            with contextlib.suppress(OSError):
                worker.process.kill()
        # reap it off the event loop, so no zombie is left behind
        threading.Thread(target=worker.process.join, daemon=True).start()
        if respawn and not self._closing and not self._broken:
            self._spawn()
