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
answering; a worker that dies is replaced the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import pickle
import socket
import struct
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kg.query_errors import QueryError, QueryFailed, QueryTimeout
from kg.service.dataset import DatasetSource
from kg.service.worker import Answer, Checked, QueryJob, WorkerSetup, run_job, worker_main

log = logging.getLogger("kg.service")
#: Workers are forked by multiprocessing's fork server, which has imported the worker's
#: modules once: a replacement for a killed worker is ready in milliseconds, not seconds.
_FORKSERVER = multiprocessing.get_context("forkserver")
_FORKSERVER.set_forkserver_preload(["kg.service.worker"])
#: Workers in a row that may die before they are ready before the pool stops respawning.
MAX_STILLBORN = 5
#: How long the workers may take to load the dataset before the server gives up starting.
STARTUP_SECONDS = 300.0


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    sock: socket.socket
    writer: asyncio.StreamWriter | None = None
    reading: asyncio.Task[None] | None = None
    ready: bool = False
    pending: asyncio.Future[tuple[str, Any]] | None = field(default=None, repr=False)


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
    """A fixed number of warm workers; `run` sends a job to an idle one under a deadline."""

    def __init__(self, source: DatasetSource, *, workers: int, timeout: float,
                 prefixes: Mapping[str, str] | None = None,
                 max_query_chars: int | None = None) -> None:
        self.source = source
        self.size = max(1, workers)
        self.timeout = timeout
        self.forward = source.open() if source.remote else None
        """The external store the server forwards checked queries to (None: embedded)."""
        graphs = None if self.forward is None else frozenset(self.forward.named_graphs())
        self.prefixes = dict(prefixes or {})
        self.setup = WorkerSetup(source, self.prefixes, max_query_chars, graphs)
        self._workers: list[_Worker] = []
        self._idle: deque[_Worker] = deque()
        self._waiters: deque[asyncio.Future[_Worker]] = deque()
        self._broken: str | None = None
        self._stillborn = 0
        self._closing = False
        self.killed = 0

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
        for worker in list(self._workers):
            self._discard(worker, kill=True)
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(QueryFailed("the service is shutting down"))

    @property
    def worker_pids(self) -> list[int]:
        return [w.process.pid for w in self._workers]

    @property
    def ready_pids(self) -> list[int]:
        """The workers that take jobs (each has forbidden itself the network first)."""
        return [w.process.pid for w in self._workers if w.ready]

    # ------------------------------------------------------------ running

    async def run(self, job: QueryJob, timeout: float | None = None) -> Answer:
        """The answer to a job, or the QueryError that says why there is none."""
        limit = self.timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        try:
            async with asyncio.timeout_at(deadline):
                worker = await self._acquire()
        except TimeoutError:
            raise QueryTimeout(
                f"no query worker became free within the {limit:g} s time limit"
            ) from None
        future: asyncio.Future[tuple[str, Any]] = loop.create_future()
        worker.pending = future
        try:
            assert worker.writer is not None  # a ready worker is being read
            worker.writer.write(frame(job))
            async with asyncio.timeout_at(deadline):
                status, payload = await future
        except TimeoutError:
            self._discard(worker, kill=True)
            self.killed += 1
            raise QueryTimeout(
                f"the query ran longer than the {limit:g} s time limit and was stopped"
            ) from None
        except BaseException:
            # cancelled (client gone) or the worker died: nobody wants this answer any more
            self._discard(worker, kill=True)
            raise
        self._release(worker)
        if status == "ok":
            answer, _seconds = payload
            if isinstance(answer, Checked):
                return await self._forward(job, answer, deadline - loop.time(), limit)
            return answer  # type: ignore[no-any-return]
        if isinstance(payload, QueryError):
            raise payload
        raise QueryFailed(f"unexpected reply from a query worker: {status}")

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

    async def _acquire(self) -> _Worker:
        if self._broken:
            raise QueryFailed(self._broken)
        if self._idle:
            return self._idle.popleft()
        waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        return await waiter

    def _release(self, worker: _Worker) -> None:
        if worker not in self._workers:
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

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
            self._on_death(worker)

    def _on_message(self, worker: _Worker, status: str, payload: Any) -> None:
        if status == "ready":
            worker.ready = True
            self._stillborn = 0
            self._release(worker)
        elif status == "failed":
            self._break(f"the query workers cannot open the dataset: {payload}")
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
            if not waiter.done():
                waiter.set_exception(QueryFailed(reason))

    def _on_death(self, worker: _Worker) -> None:
        future = worker.pending
        if not worker.ready:
            self._stillborn += 1
            if self._stillborn >= MAX_STILLBORN:  # not a bad query: workers cannot start
                self._break(f"{self._stillborn} query workers in a row died before they were"
                            " ready; see the server log")
        self._discard(worker, kill=True)
        if future is not None and not future.done():
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
