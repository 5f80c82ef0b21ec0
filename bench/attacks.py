"""Figures for availability attacks: memory and a health query's latency under each.

    uv run python bench/attacks.py [--location STORE] [--slowloris 3000] [--seconds 20]

Starts `kg serve` on 127.0.0.1 (2 workers, time limit 2 s) over a built store (a fresh
one unless `--location` is given) and runs three attacks in turn, each for about
`--seconds`, while a health client on 127.0.0.1 sends `ASK {}` every 0.1 s:

1. *Unfinished heads*: 100 connections each send 6 MiB of one header line and never
   finish it.
2. *Slowloris*: `--slowloris` connections (capped by the file-descriptor limit) each
   send a partial request head and then one more header line every 5 s.
3. *Overload*: 24 clients send a four-way cross join (minutes of work) as fast as they
   are answered, from another address (127.0.0.2), giving up after 0.2 to 3 s.

Prints for each: the server's peak RSS (server process only; the workers are separate
processes whose memory the attacks do not reach), the health query's median, p99 and
worst latency and its failures, and what became of the attackers' connections. After
the overload it checks that the pool recovered: 20 `ASK {}` in a row. Figures are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import resource
import socket
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
from kgserver import built_store, kg_serve, rss_kib

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
HEAD = b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: localhost\r\n"


class Probe:
    """A health client and a memory sampler running while an attack goes on."""

    def __init__(self, url: str, pid: int) -> None:
        self.url, self.pid = url, pid
        self.latencies: list[float] = []
        self.failures: Counter[str] = Counter()
        self.peak_kib = rss_kib(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Probe:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    status = client.get(f"{self.url}/sparql",
                                        params={"query": "ASK {}"}).status_code
                    if status != 200:
                        self.failures[f"HTTP {status}"] += 1
                except httpx.HTTPError as error:
                    self.failures[type(error).__name__] += 1
                self.latencies.append(time.monotonic() - started)
                self.peak_kib = max(self.peak_kib, rss_kib(self.pid))
                time.sleep(0.1)

    def report(self, name: str, baseline_kib: int) -> None:
        lat = sorted(self.latencies) or [0.0]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        failed = ", ".join(f"{k}: {v}" for k, v in self.failures.items()) or "none"
        print(f"{name}: server RSS peak {self.peak_kib / 1024:.0f} MiB "
              f"(idle {baseline_kib / 1024:.0f} MiB); health ASK {{}} median "
              f"{statistics.median(lat) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
              f"max {lat[-1] * 1000:.0f} ms over {len(self.latencies)}; failed: {failed}",
              flush=True)


def connect(url: str, source: str = "127.0.0.2") -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.bind((source, 0))
    sock.settimeout(5)
    sock.connect((host, int(port)))
    return sock


def is_open(sock: socket.socket) -> bool:
    """Whether the server still holds the connection (no close, no answer)."""
    try:
        sock.setblocking(False)
        sock.recv(1, socket.MSG_PEEK)  # an answer (408) or the end: not held any more
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            sock.setblocking(True)


def unfinished_heads(url: str, seconds: float) -> str:
    sockets = [connect(url) for _ in range(100)]
    for sock in sockets:
        sock.sendall(HEAD + b"X-Padding: ")
    chunk, refused = b"a" * 65536, set()
    deadline = time.monotonic() + seconds
    for _ in range(96):  # 6 MiB per connection
        for i, sock in enumerate(sockets):
            if i in refused:
                continue
            try:
                sock.sendall(chunk)
            except OSError:
                refused.add(i)
        if time.monotonic() > deadline:
            break
    time.sleep(max(0.0, deadline - time.monotonic()))  # held open, unfinished, meanwhile
    answers: Counter[str] = Counter()
    for sock in sockets:
        sock.settimeout(2)
        try:
            answers[sock.recv(12).decode("latin-1") or "closed"] += 1
        except OSError:
            answers["no answer"] += 1
        sock.close()
    return f"{len(refused)} of 100 stopped before 6 MiB; answers: {dict(answers)}"


def slowloris(url: str, count: int, seconds: float) -> str:
    sockets = []
    for _ in range(count):
        try:
            sock = connect(url)
            sock.sendall(HEAD)
            sockets.append(sock)
        except OSError:
            break
    opened, started, checks = len(sockets), time.monotonic(), []
    while (elapsed := time.monotonic() - started) < seconds:
        time.sleep(5)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.sendall(b"X-Slow: 1\r\n")
        checks.append(f"{sum(is_open(s) for s in sockets)} open after {elapsed + 5:.0f} s")
    for sock in sockets:
        sock.close()
    return f"{opened} connections opened; " + ", ".join(checks)


def overload(url: str, seconds: float) -> str:
    stop, statuses = threading.Event(), Counter[str]()

    def attacker(seed: int) -> None:
        rng = random.Random(seed)
        transport = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(transport=transport) as client:
            while not stop.is_set():
                try:
                    response = client.get(f"{url}/sparql", params={"query": CROSS_JOIN},
                                          timeout=rng.uniform(0.2, 3.0))
                    statuses[f"HTTP {response.status_code}"] += 1
                except httpx.HTTPError:
                    statuses["gave up"] += 1

    threads = [threading.Thread(target=attacker, args=(i,), daemon=True) for i in range(24)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    time.sleep(3)  # the last stopped queries' workers are replaced
    with httpx.Client(timeout=10) as client:
        after = Counter(client.get(f"{url}/sparql", params={"query": "ASK {}"}).status_code
                        for _ in range(20))
    return f"attackers: {dict(statuses)}; then 20 ASK {{}}: {dict(after)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--location", type=Path, default=None)
    parser.add_argument("--slowloris", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    slow = min(args.slowloris, hard - 200)
    if slow < args.slowloris:
        print(f"slowloris: {slow} connections (file-descriptor limit {hard})")
    with tempfile.TemporaryDirectory() as tmp:
        store = args.location or built_store(Path(tmp))
        with kg_serve("--location", str(store), "--workers", "2", "--timeout", "2",
                      log=Path(tmp) / "kg.log") as running:
            pid = running.process.pid
            with Probe(running.url, pid) as idle:
                time.sleep(3)
            baseline = idle.peak_kib
            idle.report("idle", baseline)
            attacks: list[tuple[str, Callable[[], str]]] = [
                ("100 unfinished 6 MiB heads", lambda: unfinished_heads(
                    running.url, args.seconds)),
                (f"{slow} slowloris connections", lambda: slowloris(
                    running.url, slow, args.seconds)),
                ("overload (24 clients, cross joins)", lambda: overload(
                    running.url, args.seconds)),
            ]
            for name, attack in attacks:
                with Probe(running.url, pid) as probe:
                    outcome = attack()
                probe.report(name, baseline)
                print(f"  {outcome}", flush=True)


if __name__ == "__main__":
    main()
