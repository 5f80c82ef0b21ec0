"""The remote path: `kg serve --store` against the SPARQL server it fronts, side by side.

    uv run python bench/remote_bench.py [--sizes 100000,1000000] [--runs 20]

For each size N: the seed graph (`kg build` + `kg export`) plus `kg synth --triples N`,
loaded into Oxigraph (`oxigraph load`, served by `oxigraph serve-read-only
--union-default-graph`) and into Virtuoso (its bulk loader; `/sparql` without FROM is
already the union of its graphs); then `kg serve --store URL` in front of each with
`KG_STORE_UNION_DEFAULT_GRAPH=true` (README, Settings and stores), so no graph is listed
in the requests. Every saved query with its example parameters, bound as kg binds them
(`SavedQuery.bound_text`: the same text on all four endpoints), is timed on the server's
own endpoint and on kg's `/sparql`, taking turns request by request: p50 of each and the
ratio kg / own (goal: <= 1.2, issue 19). The load average is printed with the figures
(the machine is shared). Writes var/bench/remote.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import serve_bench
from scale import machine, run, seed_quads, size_options, virtuoso_load
from serve_bench import Latency, Send, Server, free_port, result_size, serving, sparql_request, tool

from kg.catalogue import load_catalogue
from kg.store.terms import sparql_term

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "tests"))  # the Virtuoso the tests run, shared
from external_servers import virtuoso_server  # noqa: E402

OUTPUT = PROJECT / "var" / "bench" / "remote.json"
SERVERS = ("oxigraph", "virtuoso")


def cases() -> dict[str, str]:
    """Each saved query bound to its example (else default) parameters, self-contained."""
    catalogue = load_catalogue()
    prologue = "".join(f"PREFIX {p}: {sparql_term(ns)}\n" for p, ns in catalogue.prefixes.items())
    found = {}
    for name in sorted(catalogue):
        query = catalogue[name]
        params = {p.name: p.example if p.example is not None else p.default
                  for p in query.params if p.example is not None or p.default is not None}
        found[name] = prologue + query.bound_text(query.bind(params, catalogue.prefixes))
    return found


def start(stack: ExitStack, n: int, args: argparse.Namespace, work: Path,
          files: list[Path]) -> dict[str, tuple[Server, Server]]:
    """For each server: (its own endpoint, kg serve --store in front of it)."""
    kg, oxigraph = tool("kg"), tool("oxigraph")
    ox_store = work / f"ox-{n}"
    shutil.rmtree(ox_store, ignore_errors=True)
    plain = []
    for file in files:
        if file.suffix == ".gz":
            target = file.with_suffix("")
            with gzip.open(file, "rb") as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 22)
            file = target
        plain.append(file)
    run([oxigraph, "load", "--location", str(ox_store),
         *[arg for file in plain for arg in ("--file", str(file))]])
    run([oxigraph, "optimize", "--location", str(ox_store)])
    port = free_port()
    own = {"oxigraph": stack.enter_context(serving(
        Server("oxigraph", f"http://127.0.0.1:{port}", "/query"),
        [oxigraph, "serve-read-only", "--location", str(ox_store), "--union-default-graph",
         "--bind", f"127.0.0.1:{port}"], work / "oxigraph.log"))}
    folder = work / f"virtuoso-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    virtuoso = stack.enter_context(virtuoso_server(folder, memory_mib=args.virtuoso_mib))
    virtuoso_load(virtuoso, folder, files)
    own["virtuoso"] = Server("virtuoso", virtuoso.query_url.removesuffix("/sparql"), "/sparql",
                             form_post=True)
    os.environ["KG_STORE_UNION_DEFAULT_GRAPH"] = "true"
    found = {}
    for name, server in own.items():
        port = free_port()
        front = stack.enter_context(serving(
            Server(f"kg-{name}", f"http://127.0.0.1:{port}", "/sparql"),
            [kg, "serve", "--store", server.sparql_url, "--host", "127.0.0.1", "--port",
             str(port), "--timeout", f"{args.request_timeout:g}"], work / f"kg-{name}.log"))
        found[name] = (server, front)
    return found


def bench_size(n: int, args: argparse.Namespace, work: Path, seed: Path) -> dict:
    synthetic = work / f"synth-{n}.nq.gz"
    run([tool("kg"), "synth", "--triples", str(n), "--seed", "1", "--output", str(synthetic)])
    latency: dict[str, dict[str, Latency]] = {}
    with ExitStack() as stack:
        servers = start(stack, n, args, work, [seed, synthetic])
        before = machine()
        for name, sparql in cases().items():
            print(f"  query {name}", file=sys.stderr, flush=True)
            latency[name] = {}
            for server, (own, front) in servers.items():
                latency[name][server], latency[name][f"kg-{server}"] = paired_latency(
                    [sparql_request(own, sparql), sparql_request(front, sparql)], args.runs,
                    args.warmup)
    print(f"\n## {n:,} triples + the seed graph (machine before: {before}; after: {machine()})")
    print("\n| saved query | " + " | ".join(
        f"{s} p50 ms | kg --store {s} p50 ms | ratio" for s in SERVERS) + " | rows |")
    print("|---|" + "---:|---:|---:|" * len(SERVERS) + "---|")
    for name, row in latency.items():
        cells = []
        for server in SERVERS:
            own, front = row[server], row[f"kg-{server}"]
            cells += [_ms(own), _ms(front), serve_bench.ratio(front.median_ms, own.median_ms)]
        rows = sorted({v.rows for v in row.values() if v.rows is not None})
        errors = {k: v.first_error for k, v in row.items() if v.errors}
        print(f"| {name} | " + " | ".join(cells) + f" | {'/'.join(map(str, rows))}"
              + (f" (errors: {errors})" if errors else "") + " |", flush=True)
    return {"triples": n, "machine": [before, machine()],
            "latency_ms": {k: {s: vars(v) for s, v in row.items()} for k, row in latency.items()}}


def paired_latency(sends: list[Send], runs: int, warmup: int) -> list[Latency]:
    """Like serve_bench.measure_latency, but the endpoints take turns request by request
    (each on its own keep-alive client), so a change in the machine's load between them
    moves both alike."""
    timings: list[list[float]] = [[] for _ in sends]
    errors: list[list[str]] = [[] for _ in sends]
    rows: list[int | None] = [None for _ in sends]
    clients = [httpx.Client(timeout=serve_bench.REQUEST_TIMEOUT) for _ in sends]
    try:
        for i in range(warmup + runs):
            for k, send in enumerate(sends):
                if len(errors[k]) > 2:  # failing (or timing out): not worth repeating
                    continue
                started = time.perf_counter()
                try:
                    response = send(clients[k])
                except httpx.TransportError as error:
                    errors[k].append(f"{type(error).__name__} after "
                                     f"{time.perf_counter() - started:.0f} s")
                    continue
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    errors[k].append(f"HTTP {response.status_code}: {response.text[:200]}")
                elif i >= warmup:
                    timings[k].append(elapsed)
                elif rows[k] is None:
                    rows[k] = result_size(response)
    finally:
        for client in clients:
            client.close()
    return [Latency(round(statistics.median(t), 3) if t else None,
                    round(sorted(t)[max(0, math.ceil(0.99 * len(t)) - 1)], 3) if t else None,
                    len(t), r, len(e), e[0] if e else None)
            for t, e, r in zip(timings, errors, rows, strict=True)]


def _ms(latency: Latency) -> str:
    return "error" if latency.median_ms is None else f"{latency.median_ms:.1f}"


def main() -> None:
    parser = size_options("100000", 2048)
    parser.description = __doc__.split("\n")[0]
    parser.add_argument("--output", type=Path, default=OUTPUT, help="JSON figures")
    args = parser.parse_args()
    serve_bench.REQUEST_TIMEOUT = args.request_timeout
    serve_bench.STARTUP_SECONDS = 600.0
    kg = tool("kg")
    results = []
    with tempfile.TemporaryDirectory(prefix="kg-remote-", dir=os.environ.get("TMPDIR")) as f:
        work = Path(f)
        seed = seed_quads(kg, work)
        for size in (int(s) for s in args.sizes.split(",")):
            results.append(bench_size(size, args, work, seed))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"settings": vars(args), "sizes": results}, indent=1,
                                      default=str) + "\n")
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
