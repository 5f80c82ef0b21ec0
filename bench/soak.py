"""Soak `kg serve`: mixed traffic at concurrency 16 plus slow clients, for ten minutes.

    uv run python bench/soak.py [--seconds 600] [--concurrency 16] [--slow-clients 4]

Builds the graph into a temporary store (or uses --location), starts `kg serve` on
127.0.0.1 and, after a warm-up, sends for `--seconds`:

- from `--concurrency` threads, each on its own keep-alive connection: SPARQL by GET,
  POST form and POST direct (point lookups, joins, counts, ASK, CONSTRUCT, DESCRIBE, each
  text made distinct now and then so caches see new keys), saved queries with their
  example parameters, entity pages (HTML and Turtle), dumps, the VoID description, and
  some requests that must be refused: malformed queries (400), SERVICE (400), updates
  (403), bad parameter values (422), and cross joins that run into the time limit (503);
- from `--slow-clients` threads: requests whose headers are sent a few bytes at a time and
  whose answers are read in small pieces with pauses (a slow network).

Prints requests, answers by status, answers a kind should not get (e.g. any 5xx other
than the time limit's 503), transport errors, p50/p99 latency (all requests and the light
ones), and the resident memory of the server and its query workers at the end of the
warm-up, at the end, and at its peak. Every loop is bounded in time and count; the
server is stopped at the end. Asserts nothing: a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import random
import socket
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
from kgserver import built_store, descendants, kg_serve, rss_kib

BASE = "https://w3id.org/cn-health-kg/"
PREFIXES = ("PREFIX hkg: <https://w3id.org/cn-health-kg/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
JSON = "application/sparql-results+json"
DIRECT = "application/sparql-query"
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
MAX_REQUESTS_PER_CLIENT = 5_000_000
MAX_LATENCIES = 2_000_000
SLOW_BYTES_PER_SEND = 3
SLOW_SEND_PAUSE = 0.01
SLOW_READ_BYTES = 256
SLOW_READ_PAUSE = 0.005
SLOW_SOCKET_TIMEOUT = 60.0

Request = Callable[[httpx.Client, random.Random], httpx.Response]


@dataclass
class Stats:
    """What every client saw, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[int] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    unexpected: Counter[tuple[str, int]] = field(default_factory=Counter)
    transport: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    light: list[float] = field(default_factory=list)
    slow_done: int = 0
    slow_failed: Counter[str] = field(default_factory=Counter)

    def record(self, kind: str, light: bool, status: int, seconds: float,
               expected: frozenset[int]) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.by_kind[kind] += 1
            if status not in expected:
                self.unexpected[(kind, status)] += 1
            if len(self.latencies) < MAX_LATENCIES:
                self.latencies.append(seconds)
                if light:
                    self.light.append(seconds)


@dataclass(frozen=True)
class Kind:
    """One kind of request: how often, whether it is light work, which statuses are right."""

    name: str
    weight: float
    light: bool
    expected: frozenset[int]
    send: Request


def sparql_get(query: str, accept: str = JSON) -> Request:
    return lambda c, r: c.get("/sparql", params={"query": query}, headers={"accept": accept})


def distinct(query: str, rng: random.Random) -> str:
    """The same query under a text never seen before (a comment), one time in four."""
    return query + f"\n# {rng.getrandbits(48)}" if rng.random() < 0.25 else query


def traffic(entities: list[str], saved: list[tuple[str, dict[str, str]]]) -> list[Kind]:
    ok, refused = frozenset({200}), frozenset({400})

    def point(c: httpx.Client, r: random.Random) -> httpx.Response:
        query = f"SELECT ?p ?o WHERE {{ <{r.choice(entities)}> ?p ?o }}"
        return c.get("/sparql", params={"query": distinct(query, r)}, headers={"accept": JSON})

    def join(c: httpx.Client, r: random.Random) -> httpx.Response:
        query = PREFIXES + ("SELECT ?t ?i ?l WHERE { ?t a hkg:Target ; hkg:indicator ?i . "
                            "?i rdfs:label ?l }")
        return c.post("/sparql", content=distinct(query, r).encode(),
                      headers={"content-type": DIRECT, "accept": r.choice([JSON, "text/csv"])})

    def count(c: httpx.Client, r: random.Random) -> httpx.Response:
        query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        return c.post("/sparql", data={"query": distinct(query, r)}, headers={"accept": JSON})

    def construct(c: httpx.Client, r: random.Random) -> httpx.Response:
        iri = r.choice(entities)
        query = r.choice([f"DESCRIBE <{iri}>",
                          f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}"])
        return c.get("/sparql", params={"query": query}, headers={"accept": "text/turtle"})

    def saved_query(c: httpx.Client, r: random.Random) -> httpx.Response:
        name, params = r.choice(saved)
        return c.get(f"/api/queries/{name}", params=params)

    def page(c: httpx.Client, r: random.Random) -> httpx.Response:
        accept = r.choice(["text/html", "text/turtle", "application/ld+json"])
        return c.get("/" + r.choice(entities)[len(BASE):], headers={"accept": accept})

    def dump(c: httpx.Client, r: random.Random) -> httpx.Response:
        return c.get("/downloads/cn-health-kg." + r.choice(["nt", "ttl", "nq", "jsonld"]))

    def bad_parameter(c: httpx.Client, r: random.Random) -> httpx.Response:
        value = r.choice(["http://%5B", "", "not an iri", "x" * 500, "http://e.org/a b"])
        return c.get("/api/queries/official-profile", params={"person": value})

    def update(c: httpx.Client, r: random.Random) -> httpx.Response:
        return c.post("/sparql", content=b"DROP ALL",
                      headers={"content-type": "application/sparql-update"})

    return [
        Kind("sparql point (GET)", 20, True, ok, point),
        Kind("sparql join (POST direct)", 10, True, ok, join),
        Kind("sparql count (POST form)", 6, False, ok, count),
        Kind("ASK", 5, True, ok, sparql_get("ASK { ?s ?p ?o }")),
        Kind("CONSTRUCT/DESCRIBE", 6, True, ok, construct),
        Kind("saved query", 15, False, ok, saved_query),
        Kind("entity page", 15, True, ok, page),
        Kind("dump", 2, False, ok, dump),
        Kind("VoID", 2, True, ok, lambda c, r: c.get("/void")),
        Kind("malformed query", 5, True, refused, sparql_get("SELECT * WHERE { ?s ?p")),
        Kind("SERVICE", 3, True, refused, sparql_get(
            "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")),
        Kind("update", 2, True, frozenset({403}), update),
        Kind("bad parameter", 4, True, frozenset({422}), bad_parameter),
        Kind("time-limited", 0.05, False, frozenset({503}), sparql_get(CROSS_JOIN)),
    ]


def fast_client(url: str, kinds: list[Kind], deadline: float, stats: Stats, seed: int,
                timeout: float) -> None:
    rng = random.Random(seed)
    weights = [k.weight for k in kinds]
    with httpx.Client(base_url=url, timeout=timeout + 30) as client:
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                return
            kind = rng.choices(kinds, weights)[0]
            started = time.monotonic()
            try:
                response = kind.send(client, rng)
            except httpx.HTTPError as error:
                with stats.lock:
                    stats.transport[f"{kind.name}: {type(error).__name__}"] += 1
                continue
            stats.record(kind.name, kind.light, response.status_code,
                         time.monotonic() - started, kind.expected)


def slow_client(url: str, entities: list[str], deadline: float, stats: Stats,
                seed: int) -> None:
    """Requests dribbled out a few bytes at a time, answers read in small slow pieces."""
    rng = random.Random(seed)
    host, port = url.removeprefix("http://").split(":")
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            return
        target = rng.choice([
            "/" + rng.choice(entities)[len(BASE):],
            "/sparql?query=" + quote("ASK { ?s ?p ?o }"),
            "/api/queries",
        ])
        request = (f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                   "Accept: */*\r\nConnection: close\r\n\r\n").encode()
        try:
            with socket.create_connection((host, int(port)), timeout=SLOW_SOCKET_TIMEOUT) as sock:
                for i in range(0, len(request), SLOW_BYTES_PER_SEND):
                    sock.sendall(request[i:i + SLOW_BYTES_PER_SEND])
                    time.sleep(SLOW_SEND_PAUSE)
                head = b""
                while chunk := sock.recv(SLOW_READ_BYTES):
                    head = head or chunk
                    time.sleep(SLOW_READ_PAUSE)
            status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else 0
            with stats.lock:
                if status == 200:
                    stats.slow_done += 1
                else:
                    stats.slow_failed[f"HTTP {status}"] += 1
        except OSError as error:
            with stats.lock:
                stats.slow_failed[type(error).__name__] += 1


def memory(server_pid: int) -> tuple[int, int, int]:
    """RSS in KiB of the server, the sum over the processes below it (the fork server and
    the query workers), and how many there are."""
    workers = descendants(server_pid)
    return rss_kib(server_pid), sum(rss_kib(w) for w in workers), len(workers)


def run_phase(url: str, kinds: list[Kind], entities: list[str], seconds: float,
              concurrency: int, slow: int, timeout: float, stats: Stats, seed: int,
              sample: Callable[[], None]) -> None:
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=fast_client, daemon=True,
                                args=(url, kinds, deadline, stats, seed + i, timeout))
               for i in range(concurrency)]
    threads += [threading.Thread(target=slow_client, daemon=True,
                                 args=(url, entities, deadline, stats, seed + 1000 + i))
                for i in range(slow)]
    for thread in threads:
        thread.start()
    while time.monotonic() < deadline:
        sample()
        time.sleep(min(5.0, max(0.0, deadline - time.monotonic())))
    for thread in threads:
        thread.join(timeout=timeout + SLOW_SOCKET_TIMEOUT + 30)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def discover(url: str) -> tuple[list[str], list[tuple[str, dict[str, str]]]]:
    """Entity IRIs to ask about, and every saved query with its example parameters."""
    with httpx.Client(base_url=url, timeout=60) as client:
        rows = client.get("/sparql", params={"query": (
            f'SELECT DISTINCT ?s WHERE {{ ?s a ?t FILTER(STRSTARTS(STR(?s), "{BASE}")) }} '
            "ORDER BY ?s LIMIT 400")}, headers={"accept": JSON}).json()
        entities = [row["s"]["value"] for row in rows["results"]["bindings"]]
        catalogue = client.get("/api/queries", headers={"accept": "application/json"}).json()
    saved = []
    for query in catalogue["queries"]:
        params = {p["name"]: p["example"] for p in query["params"] if p.get("example")}
        if all(p["name"] in params or not p["required"] for p in query["params"]):
            saved.append((query["name"], params))
    return entities, saved


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="soak length (600)")
    parser.add_argument("--warmup", type=float, default=None,
                        help="warm-up before the measured soak (default: a tenth, 10-60 s)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--slow-clients", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=2.0,
                        help="the server's query time limit, seconds (2)")
    parser.add_argument("--workers", type=int, default=2, help="the server's query workers")
    parser.add_argument("--location", type=Path, default=None,
                        help="a built store (default: build one into a temporary folder)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    warmup = args.warmup if args.warmup is not None else min(60.0, max(10.0, args.seconds / 10))

    with tempfile.TemporaryDirectory(prefix="kg-soak-") as folder:
        location = args.location or built_store(Path(folder))
        with kg_serve("--location", str(location), "--workers", str(args.workers),
                      "--timeout", str(args.timeout), log=Path(folder) / "kg.log") as server:
            url, pid = server.url, server.process.pid
            entities, saved = discover(url)
            kinds = traffic(entities, saved)
            peak = [0, 0]

            def sample() -> None:
                own, workers, _ = memory(pid)
                peak[0], peak[1] = max(peak[0], own), max(peak[1], workers)

            run_phase(url, kinds, entities, warmup, args.concurrency, args.slow_clients,
                      args.timeout, Stats(), args.seed + 50_000, lambda: None)
            warm = memory(pid)
            stats = Stats()
            started = time.monotonic()
            run_phase(url, kinds, entities, args.seconds, args.concurrency, args.slow_clients,
                      args.timeout, stats, args.seed, sample)
            elapsed = time.monotonic() - started
            end = memory(pid)
            sample()
            alive = httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=30)
            report(args, warmup, elapsed, stats, warm, end, peak, alive.status_code)


def report(args: argparse.Namespace, warmup: float, elapsed: float, stats: Stats,
           warm: tuple[int, int, int], end: tuple[int, int, int], peak: list[int],
           alive: int) -> None:
    total = sum(stats.statuses.values())
    print(f"soak: {elapsed:.0f} s after a {warmup:.0f} s warm-up; concurrency "
          f"{args.concurrency} + {args.slow_clients} slow clients; server --workers "
          f"{args.workers} --timeout {args.timeout:g}")
    print(f"requests: {total} ({total / elapsed:.1f}/s); by status: "
          + ", ".join(f"{s}: {n}" for s, n in sorted(stats.statuses.items())))
    five = sum(n for s, n in stats.statuses.items() if s >= 500 and s != 503)
    print(f"5xx other than 503: {five}; answers a kind should not get: "
          + (", ".join(f"{k} -> {s}: {n}" for (k, s), n in sorted(stats.unexpected.items()))
             or "none"))
    print("transport errors: " + (", ".join(f"{k}: {n}" for k, n in
                                            sorted(stats.transport.items())) or "none"))
    print(f"latency ms: all p50 {percentile(stats.latencies, 0.5):.1f} / p99 "
          f"{percentile(stats.latencies, 0.99):.1f}; light requests p50 "
          f"{percentile(stats.light, 0.5):.1f} / p99 {percentile(stats.light, 0.99):.1f}")
    print("by kind: " + ", ".join(f"{k} {n}" for k, n in stats.by_kind.most_common()))
    print(f"slow clients: {stats.slow_done} answered; failed: "
          + (", ".join(f"{k}: {n}" for k, n in sorted(stats.slow_failed.items())) or "none"))

    def mib(kib: int) -> str:
        return f"{kib / 1024:.0f} MiB"

    print(f"RSS server: warm {mib(warm[0])}, end {mib(end[0])} "
          f"(x{end[0] / max(1, warm[0]):.2f}), peak {mib(peak[0])}")
    print(f"RSS workers (sum of {warm[2]} / {end[2]}): warm {mib(warm[1])}, end {mib(end[1])} "
          f"(x{end[1] / max(1, warm[1]):.2f}), peak {mib(peak[1])}")
    print(f"after the soak the server answers ASK {{}}: HTTP {alive}")


if __name__ == "__main__":
    main()
