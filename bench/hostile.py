"""Figures for the hostile corpus: time-limit accuracy, health latency, memory.

    uv run python bench/hostile.py [--rounds 3] [--timeout 2]

Starts `kg serve` on 127.0.0.1 over a freshly built store, with a listening socket
the corpus points its SERVICE / LOAD / FROM IRIs at, and sends the corpus of
tests/hostile_corpus.py `--rounds` times. Prints: answers by status, connections
the listener received, how far past the time limit each time-limited 503 came
(goal: within 0.5 s), the latency of a health query sent while each hostile
request is in flight (goal: within 1 s), and the RSS of the server and of all its
descendants (fork server, query workers) warm and after the corpus (goal: within
1.5x). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from kgserver import built_store, descendants, kg_serve, rss_kib

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "tests"))
from hostile_corpus import corpus, send  # noqa: E402

HEALTH = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/cn-health-kg/ontology#Person> }"


def tree_rss_mib(pid: int) -> float:
    return sum(rss_kib(p) for p in (pid, *descendants(pid))) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    port = listener.getsockname()[1]
    connections = 0
    stop = threading.Event()

    def accept() -> None:
        nonlocal connections
        while not stop.is_set():
            try:
                listener.accept()[0].close()
                connections += 1
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    statuses: Counter[int] = Counter()
    overshoot, health = [], []
    items = corpus()
    with tempfile.TemporaryDirectory() as tmp:
        store = built_store(Path(tmp))
        with kg_serve("--location", str(store), "--workers", "2", "--timeout",
                      str(args.timeout), log=Path(tmp) / "kg.log") as running, \
                httpx.Client(timeout=60) as client, httpx.Client(timeout=60) as prober:
            for _ in range(20):
                prober.get(f"{running.url}/sparql", params={"query": HEALTH})
            warm = tree_rss_mib(running.process.pid)
            for _ in range(args.rounds):
                for item in items:
                    outcome: dict[str, object] = {}

                    def attack(item: object = item, outcome: dict = outcome) -> None:
                        started = time.monotonic()
                        outcome["response"] = send(client, running.url, item, port)  # type: ignore[arg-type]
                        outcome["seconds"] = time.monotonic() - started

                    thread = threading.Thread(target=attack)
                    thread.start()
                    time.sleep(0.05)
                    started = time.monotonic()
                    prober.get(f"{running.url}/sparql", params={"query": HEALTH})
                    health.append(time.monotonic() - started)
                    thread.join()
                    response = outcome["response"]
                    assert isinstance(response, httpx.Response)
                    statuses[response.status_code] += 1
                    if response.status_code == 503 and "time limit" in response.text:
                        overshoot.append(float(outcome["seconds"]) - args.timeout)  # type: ignore[arg-type]
            after = tree_rss_mib(running.process.pid)
    stop.set()
    print(f"hostile corpus: {len(items)} requests x {args.rounds} rounds; by status: "
          + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    print(f"listener connections: {connections}")
    if overshoot:
        print(f"time-limited 503s: {len(overshoot)}; answered after the limit by median "
              f"{statistics.median(overshoot):.2f} s, max {max(overshoot):.2f} s "
              f"(limit {args.timeout:g} s)")
    health_ms = sorted(h * 1000 for h in health)
    print(f"health query during each: median {statistics.median(health_ms):.0f} ms, "
          f"p99 {health_ms[int(len(health_ms) * 0.99) - 1]:.0f} ms, max {health_ms[-1]:.0f} ms")
    print(f"RSS server + fork server + workers: warm {warm:.0f} MiB, after {after:.0f} MiB "
          f"(x{after / warm:.2f})")


if __name__ == "__main__":
    main()
