"""Benchmark `kg serve` against the Oxigraph server on the same graph, side by side.

    uv run python bench/serve_bench.py [--runs 100] [--warmup 5] [--duration 5]

Builds the graph into a temporary store, exports it as N-Quads, loads that into an Oxigraph
server (`serve-read-only --union-default-graph`, as kg serves a built store) and starts
`kg serve --location` on the store; both listen on 127.0.0.1. Then, one server at a time:

- every saved query of kg's catalogue (GET /api/queries, with its example parameters):
  kg's saved-query URL (answers are cached by kg after the first call), and the same
  SPARQL, parameters written into the text, on kg's /sparql (no cache) and on
  Oxigraph's /query: median and p99 latency;
- a point lookup (all triples of one person) on both SPARQL endpoints;
- /sparql throughput of a 3-way join at concurrency 1 and 8.

Warm-up requests are not counted. Prints a table with kg/Oxigraph ratios and writes
var/bench/latest.json. See bench/README.md for how to read it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from kg.catalogue import load_catalogue
from kg.store.terms import bind_values

PROJECT = Path(__file__).resolve().parents[1]
OUTPUT = PROJECT / "var" / "bench" / "latest.json"
JSON_RESULTS = "application/sparql-results+json"
PREFIXES = """\
PREFIX hkg: <https://w3id.org/cn-health-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
POINT_SUBJECT_QUERY = PREFIXES + "SELECT ?s WHERE { ?s a hkg:Person } ORDER BY ?s LIMIT 1"
JOIN_QUERY = PREFIXES + """\
SELECT ?target ?indicator ?label WHERE {
  ?target a hkg:Target .
  ?target hkg:indicator ?indicator .
  ?indicator rdfs:label ?label .
}"""
STARTUP_SECONDS = 180.0  # a busy shared machine can take minutes
REQUEST_TIMEOUT = 60.0

Send = Callable[[httpx.Client], httpx.Response]


@dataclass(frozen=True)
class Server:
    name: str
    base_url: str
    sparql_path: str
    form_post: bool = False
    """Send queries as an HTML form (Virtuoso 7.2.5 never answers a POST whose body is
    the query, `application/sparql-query`)."""

    @property
    def sparql_url(self) -> str:
        return self.base_url + self.sparql_path


@dataclass(frozen=True)
class Latency:
    median_ms: float | None  # None when every request failed
    p99_ms: float | None
    runs: int
    rows: int | None
    errors: int = 0
    first_error: str | None = None


@dataclass(frozen=True)
class Throughput:
    concurrency: int
    queries_per_second: float
    requests: int
    errors: int


# ---------------------------------------------------------------- servers

def tool(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if found is None:
        sys.exit(f"error: `{name}` not found; run with `uv run python bench/serve_bench.py`")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_step(what: str, command: list[str]) -> None:
    """Run one preparation command; stop with its own message if it fails."""
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"error: {what} failed ({' '.join(command[:3])} ...):\n"
                 f"{(done.stderr or done.stdout).strip()}")
    print(f"{what}: {time.monotonic() - started:.1f} s", file=sys.stderr)


@contextmanager
def serving(server: Server, command: list[str], log: Path,
            processes: list[subprocess.Popen[bytes]] | None = None) -> Iterator[Server]:
    """Run a server until the block ends, once it answers `ASK {}` (its process is added
    to `processes`)."""
    with log.open("wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        if processes is not None:
            processes.append(process)
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                if process.poll() is not None:
                    sys.exit(f"error: {server.name} exited with {process.returncode}:\n"
                             f"{log.read_text(errors='replace')[-2000:]}")
                if time.monotonic() > deadline:
                    sys.exit(f"error: {server.name} did not answer in {STARTUP_SECONDS:.0f} s")
                try:
                    if httpx.get(server.sparql_url, params={"query": "ASK {}"},
                                 timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# ---------------------------------------------------------------- the queries

@dataclass(frozen=True)
class SavedQueryCase:
    name: str
    api_url: str
    params: dict[str, str]
    sparql: str


def saved_query_cases(kg: Server) -> list[SavedQueryCase]:
    """kg's catalogue, each query with its example (or default) parameter values, and the
    equivalent self-contained SPARQL: the values written into the text as kg's workers
    write them (`bind_values`), so every server reads the same text."""
    listing = httpx.get(kg.base_url + "/api/queries", headers={"Accept": "application/json"},
                        timeout=30)
    listing.raise_for_status()
    catalogue = load_catalogue()
    cases = []
    for item in listing.json()["queries"]:
        params = {p["name"]: p["example"] if p["example"] is not None else p["default"]
                  for p in item["params"]
                  if p["example"] is not None or p["default"] is not None}
        bound = catalogue[item["name"]].bind(params, catalogue.prefixes)
        cases.append(SavedQueryCase(item["name"], item["url"], params,
                                    bind_values(item["sparql"], bound)))
    return cases


# ---------------------------------------------------------------- measuring

def result_size(response: httpx.Response) -> int | None:
    if response.headers.get("content-type", "").startswith(JSON_RESULTS):
        data = response.json()
        return len(data["results"]["bindings"]) if "results" in data else None
    return None


def measure_latency(send: Send, runs: int, warmup: int) -> Latency:
    """Sequential requests on one keep-alive connection; the first `warmup` not counted.
    A failed request (not 200) is counted, not timed; its first answer is kept."""
    timings, errors, first_error, rows = [], 0, None, None
    with httpx.Client(timeout=REQUEST_TIMEOUT) as client:
        for i in range(warmup + runs):
            started = time.perf_counter()
            try:
                response = send(client)
            except httpx.TransportError as error:  # a time-out: not worth repeating
                errors += 1
                first_error = first_error or f"{type(error).__name__} after " \
                    f"{time.perf_counter() - started:.0f} s"
                break
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                errors += 1
                first_error = first_error or f"HTTP {response.status_code}: {response.text[:200]}"
            elif i >= warmup:
                timings.append(elapsed * 1000)
            elif rows is None:
                rows = result_size(response)
    if not timings:
        return Latency(None, None, 0, rows, errors, first_error)
    timings.sort()
    p99 = timings[max(0, math.ceil(0.99 * len(timings)) - 1)]
    return Latency(round(statistics.median(timings), 3), round(p99, 3), len(timings), rows,
                   errors, first_error)


def measure_throughput(send: Send, concurrency: int, duration: float,
                       warmup: int) -> Throughput:
    """`concurrency` clients sending back to back for `duration` seconds after a warm-up."""
    stop = threading.Event()
    counts = [[0, 0] for _ in range(concurrency)]

    def client_loop(slot: int) -> None:
        with httpx.Client(timeout=REQUEST_TIMEOUT) as client:
            for _ in range(warmup):
                _status(send, client)
            barrier.wait()
            while not stop.is_set():
                ok = _status(send, client) == 200
                counts[slot][0 if ok else 1] += 1

    barrier = threading.Barrier(concurrency + 1)
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(client_loop, slot) for slot in range(concurrency)]
        barrier.wait()
        started = time.perf_counter()
        time.sleep(duration)
        stop.set()
        for future in futures:
            future.result()
        elapsed = time.perf_counter() - started
    done = sum(c[0] for c in counts)
    return Throughput(concurrency, round(done / elapsed, 1), done, sum(c[1] for c in counts))


def _status(send: Send, client: httpx.Client) -> int | None:
    """The status of one request, None if it got no answer."""
    try:
        return send(client).status_code
    except httpx.TransportError:
        return None


def sparql_request(server: Server, query: str) -> Send:
    if server.form_post:
        return lambda client: client.post(server.sparql_url, data={"query": query},
                                          headers={"Accept": JSON_RESULTS})
    return lambda client: client.post(server.sparql_url, content=query.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": JSON_RESULTS})


def saved_request(case: SavedQueryCase) -> Send:
    return lambda client: client.get(case.api_url, params=case.params,
                                     headers={"Accept": JSON_RESULTS})


# ---------------------------------------------------------------- report

def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a is not None and b else "-"


def latency_cell(latency: Latency | None) -> str:
    if latency is not None and latency.median_ms is None and latency.first_error:
        error = latency.first_error
        return f"> {REQUEST_TIMEOUT:.0f} s" if "Timeout" in error else error.split(":")[0]
    if latency is None or latency.median_ms is None or latency.p99_ms is None:
        return "-"
    return f"{latency.median_ms:.1f} / {latency.p99_ms:.1f}"


def print_report(latency: dict[str, dict[str, Latency]],
                 throughput: dict[str, list[Throughput]]) -> None:
    print(f"\nlatency, ms (median / p99){'':<10}{'kg saved (cached)':>20}{'kg /sparql':>18}"
          f"{'oxigraph':>18}{'kg/ox median':>14}")
    for name, row in latency.items():
        cells = [latency_cell(row.get(k)) for k in ("kg-saved", "kg-sparql", "oxigraph")]
        rows = {r.rows for r in row.values() if r.rows is not None}
        flag = "" if len(rows) <= 1 else f"  (row counts differ: {sorted(rows)})"
        flag += "".join(f"  ({way}: {r.errors} errors, first: {r.first_error})"
                        for way, r in row.items() if r.errors)
        print(f"{name:<36}{cells[0]:>20}{cells[1]:>18}{cells[2]:>18}"
              f"{ratio(row['kg-sparql'].median_ms, row['oxigraph'].median_ms):>14}{flag}")
    print(f"\n/sparql throughput, 3-way join (q/s){'':<2}{'kg':>10}{'oxigraph':>12}{'kg/ox':>8}")
    for kg_run, ox_run in zip(throughput["kg"], throughput["oxigraph"], strict=True):
        errors = kg_run.errors + ox_run.errors
        note = f"  ({errors} errors)" if errors else ""
        print(f"{'concurrency ' + str(kg_run.concurrency):<38}{kg_run.queries_per_second:>10.1f}"
              f"{ox_run.queries_per_second:>12.1f}"
              f"{ratio(kg_run.queries_per_second, ox_run.queries_per_second):>8}{note}")


# ---------------------------------------------------------------- main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=100, help="timed requests per query")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first")
    parser.add_argument("--duration", type=float, default=5.0,
                        help="seconds of each throughput run")
    args = parser.parse_args()
    kg_cli, oxigraph = tool("kg"), tool("oxigraph")

    with tempfile.TemporaryDirectory(prefix="kg-bench-") as folder, ExitStack() as stack:
        work = Path(folder)
        store, dump, ox_store = work / "kg", work / "kg.nq", work / "oxigraph"
        run_step("kg build", [kg_cli, "build", "--location", str(store)])
        run_step("kg export", [kg_cli, "export", "--format", "nq", "--output", str(dump),
                               "--location", str(store)])
        run_step("oxigraph load", [oxigraph, "load", "--location", str(ox_store),
                                   "--file", str(dump)])
        ox_port, kg_port = free_port(), free_port()
        ox = stack.enter_context(serving(
            Server("oxigraph", f"http://127.0.0.1:{ox_port}", "/query"),
            [oxigraph, "serve-read-only", "--location", str(ox_store), "--union-default-graph",
             "--bind", f"127.0.0.1:{ox_port}"], work / "oxigraph.log"))
        kg = stack.enter_context(serving(
            Server("kg", f"http://127.0.0.1:{kg_port}", "/sparql"),
            [kg_cli, "serve", "--location", str(store), "--host", "127.0.0.1",
             "--port", str(kg_port)], work / "kg.log"))

        subject = httpx.post(kg.sparql_url, content=POINT_SUBJECT_QUERY.encode(), headers={
            "Content-Type": "application/sparql-query", "Accept": JSON_RESULTS}, timeout=30
        ).json()["results"]["bindings"][0]["s"]["value"]
        point = f"SELECT ?p ?o WHERE {{ <{subject}> ?p ?o }}"

        latency: dict[str, dict[str, Latency]] = {}
        for case in saved_query_cases(kg):
            print(f"saved query {case.name} {case.params}", file=sys.stderr)
            latency[case.name] = {
                "kg-saved": measure_latency(saved_request(case), args.runs, args.warmup),
                "kg-sparql": measure_latency(sparql_request(kg, case.sparql), args.runs,
                                             args.warmup),
                "oxigraph": measure_latency(sparql_request(ox, case.sparql), args.runs,
                                            args.warmup),
            }
        for label, query in (("point lookup (/sparql)", point),
                             ("3-way join (/sparql)", JOIN_QUERY)):
            latency[label] = {
                name: measure_latency(sparql_request(server, query), args.runs, args.warmup)
                for name, server in (("kg-sparql", kg), ("oxigraph", ox))
            }
        throughput = {
            name: [measure_throughput(sparql_request(server, JOIN_QUERY), concurrency,
                                      args.duration, args.warmup)
                   for concurrency in (1, 8)]
            for name, server in (("kg", kg), ("oxigraph", ox))
        }

    print_report(latency, throughput)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps({
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": _cpus(),
                    "platform": platform.platform()},
        "settings": vars(args),
        "point_lookup_subject": subject,
        "join_query": JOIN_QUERY,
        "latency_ms": {name: {k: asdict(v) for k, v in row.items()}
                       for name, row in latency.items()},
        "throughput": {name: [asdict(t) for t in runs] for name, runs in throughput.items()},
    }, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {OUTPUT.relative_to(PROJECT)}", file=sys.stderr)


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    main()
