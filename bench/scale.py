"""National-scale benchmark: synth -> load (with validation) -> serve, at several sizes.

    uv run python bench/scale.py [--sizes 100000,1000000] [--load-runs 3] [--runs 20]

For each size N: `kg synth --triples N` (time, peak RSS); `kg load` of the seed graph
(`kg build` + `kg export`) plus the synthetic file into a fresh store, `--load-runs`
times (load time and rate, validation time, peak RSS: medians with min-max); then the
same files in `oxigraph load` + `oxigraph optimize` and in Virtuoso's bulk loader, and
five endpoints side by side, all on 127.0.0.1: `kg serve` on its embedded store, `kg
serve --store` on the Oxigraph server and on Virtuoso, `oxigraph serve-read-only
--union-default-graph` and Virtuoso's own `/sparql`. For each: seconds from launch to
the first answer, p50/p99 of every saved query with its example parameters (kg's
saved-query URL, cached; the same SPARQL text on each endpoint, uncached), /sparql
throughput of a 3-way join at concurrency 1 and 8, and the resident memory of its
processes after the run. Prints Markdown tables (the source of bench/RESULTS.md) and
writes var/bench/scale.json.

10^7 triples: `--sizes 10000000 --load-runs 1 --runs 5` (30 min or more on 2 busy cores),
or `--no-serve` for synth, load and validation only.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import serve_bench
from kgserver import descendants, rss_kib
from serve_bench import (
    JOIN_QUERY,
    Latency,
    Server,
    free_port,
    latency_cell,
    measure_latency,
    measure_throughput,
    saved_query_cases,
    saved_request,
    serving,
    sparql_request,
    tool,
)

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "tests"))  # the Virtuoso the tests run, shared
from external_servers import Endpoint, isql, virtuoso_server  # noqa: E402

OUTPUT = PROJECT / "var" / "bench" / "scale.json"
ENDPOINTS = ("kg", "kg-oxigraph", "kg-virtuoso", "oxigraph", "virtuoso")
PHASE_RE = re.compile(r"(\w+) ([0-9.]+)s")
serve_bench.STARTUP_SECONDS = 600.0  # a cold 10^7 store, and a busy machine


def run(command: list[str]) -> tuple[float, int, str]:
    """Run a command; (wall seconds, peak RSS in MiB of it and its children, its output)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    output = process.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"error: {' '.join(command[:3])} ... failed:\n{output[-3000:]}")
    return time.perf_counter() - started, usage.ru_maxrss // 1024, output


def spread(values: list[float], unit: str = "", digits: int = 1) -> str:
    """median (min-max)"""
    if len(values) == 1:
        return f"{values[0]:,.{digits}f}{unit}"
    return (f"{statistics.median(values):,.{digits}f}{unit} "
            f"({min(values):,.{digits}f}-{max(values):,.{digits}f})")


def machine() -> str:
    load = os.getloadavg()
    memory = next(line for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal")).split()[1]
    return (f"{os.cpu_count()} CPUs, {int(memory) // 1024 // 1024} GiB RAM, "
            f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min)")


def bench_size(n: int, args: argparse.Namespace, work: Path, seed_dump: Path) -> dict:
    kg, oxigraph = tool("kg"), tool("oxigraph")
    synthetic = work / f"synth-{n}.nq.gz"
    seconds, rss, _ = run([kg, "synth", "--triples", str(n), "--seed", "1",
                           "--output", str(synthetic)])
    out: dict = {"triples": n, "synth_s": seconds, "synth_rss_mib": rss, "loads": []}
    print(f"## {n:,} triples (machine: {machine()})", flush=True)
    print(f"synth: {seconds:.1f} s, peak RSS {rss} MiB, {synthetic.stat().st_size >> 20} MiB gz")
    store = work / f"kg-{n}"
    for _ in range(args.load_runs):
        shutil.rmtree(store, ignore_errors=True)
        seconds, rss, output = run([kg, "load", str(seed_dump), str(synthetic),
                                    "--location", str(store),
                                    *(["--lenient"] if args.lenient else [])])
        phases = dict((k, float(v)) for k, v in PHASE_RE.findall(output.split("time:")[-1]))
        total = int(re.search(r"(\d+)\s+total", output).group(1))  # type: ignore[union-attr]
        out["loads"].append({"wall_s": seconds, "rss_mib": rss, "triples": total, **phases})
    loads = out["loads"]
    others = [k for k in loads[0] if k not in ("wall_s", "rss_mib", "triples", "load", "shacl")]
    print("\n| load runs | triples | load (bulk) | rate | validation | "
          + "".join(f"{k} | " for k in others) + "whole command | peak RSS |")
    print("|---|---|---|---|---|" + "---|" * len(others) + "---|---|")
    print(f"| {len(loads)} | {loads[0]['triples']:,} | {spread([x['load'] for x in loads], ' s')} "
          f"| {spread([x['triples'] / x['load'] for x in loads], '/s', 0)} "
          f"| {spread([x['shacl'] for x in loads], ' s')} "
          + "".join(f"| {spread([x.get(k, 0.0) for x in loads], ' s')} " for k in others)
          + f"| {spread([x['wall_s'] for x in loads], ' s')} "
          f"| {spread([float(x['rss_mib']) for x in loads], ' MiB', 0)} |", flush=True)
    if args.no_serve:
        return out

    ox_store = work / f"ox-{n}"
    shutil.rmtree(ox_store, ignore_errors=True)
    plain = work / f"synth-{n}.nq"
    with gzip.open(synthetic, "rb") as src, plain.open("wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 22)
    started = time.perf_counter()
    run([oxigraph, "load", "--location", str(ox_store), "--file", str(seed_dump),
         "--file", str(plain)])
    out["oxigraph_load_s"] = time.perf_counter() - started
    run([oxigraph, "optimize", "--location", str(ox_store)])
    plain.unlink()
    with ExitStack() as stack:
        servers, out["virtuoso_load_s"] = start_servers(stack, n, args, work, store, ox_store,
                                                        [seed_dump, synthetic])
        out["startup_s"] = {name: s.startup_s for name, s in servers.items()}
        print(f"oxigraph load {out['oxigraph_load_s']:.1f} s, Virtuoso bulk load "
              f"{out['virtuoso_load_s']:.1f} s; first answer after start: "
              + ", ".join(f"{k} {v:.1f} s" for k, v in out["startup_s"].items()), flush=True)
        latency: dict[str, dict[str, Latency]] = {}
        for case in saved_query_cases(servers["kg"].server):
            print(f"  query {case.name}", file=sys.stderr, flush=True)
            latency[case.name] = {"kg saved": measure_latency(saved_request(case), args.runs,
                                                              args.warmup)}
            for name, running in servers.items():
                latency[case.name][name] = measure_latency(
                    sparql_request(running.server, case.sparql), args.runs, args.warmup)
        throughput = {name: [measure_throughput(
            sparql_request(running.server, JOIN_QUERY), c, args.duration,
            args.warmup) for c in (1, 8)] for name, running in servers.items()}
        out["rss_mib"] = {name: running.rss_mib() for name, running in servers.items()}
    columns = ["kg saved", *servers]
    print("\n| saved query | " + " | ".join(f"{c} p50/p99 ms" for c in columns) + " | rows |")
    print("|---|" + "---|" * len(columns) + "---|")
    for name, row in latency.items():
        errors = {k: v.errors for k, v in row.items() if v.errors}
        rows = sorted({v.rows for v in row.values() if v.rows is not None})
        print(f"| {name} | " + " | ".join(latency_cell(row[c]) for c in columns)
              + f" | {'/'.join(map(str, rows))}"
              + (f" (errors: {errors})" if errors else "") + " |")
    print("\n| /sparql 3-way join | concurrency 1 | concurrency 8 | RSS after the run |")
    print("|---|---|---|---|")
    for name, runs in throughput.items():
        print(f"| {servers[name].label} | {runs[0].queries_per_second:.1f} q/s | "
              f"{runs[1].queries_per_second:.1f} q/s | {out['rss_mib'][name]:,} MiB |")
    print(f"\n(machine after the run: {machine()})\n", flush=True)
    out["latency_ms"] = {k: {s: vars(v) for s, v in row.items()} for k, row in latency.items()}
    out["throughput"] = {k: [vars(t) for t in v] for k, v in throughput.items()}
    return out


@dataclass
class Measured:
    """One SPARQL endpoint in the comparison, and the processes behind it."""

    label: str
    server: Server
    startup_s: float
    pids: list[int]

    def rss_mib(self) -> int:
        """Resident memory of its processes and all their children."""
        pids = set(self.pids)
        for pid in self.pids:
            pids.update(descendants(pid))
        return sum(rss_kib(pid) for pid in pids) // 1024


def start_servers(stack: ExitStack, n: int, args: argparse.Namespace, work: Path, store: Path,
                  ox_store: Path, files: list[Path]) -> tuple[dict[str, Measured], float]:
    """The five endpoints compared, all on 127.0.0.1: kg serve on its embedded store, on the
    Oxigraph server and on Virtuoso; Oxigraph's and Virtuoso's own endpoints. Also the
    seconds Virtuoso's bulk loader took."""
    kg, oxigraph = tool("kg"), tool("oxigraph")
    found: dict[str, Measured] = {}

    def serve(name: str, label: str, server: Server, command: list[str]) -> None:
        started, processes = time.perf_counter(), []
        stack.enter_context(serving(server, command, work / f"{name}.log", processes))
        found[name] = Measured(label, server, time.perf_counter() - started,
                               [p.pid for p in processes])

    port = free_port()
    serve("oxigraph", "oxigraph serve-read-only", Server(
        "oxigraph", f"http://127.0.0.1:{port}", "/query"),
        [oxigraph, "serve-read-only", "--location", str(ox_store), "--union-default-graph",
         "--bind", f"127.0.0.1:{port}"])
    virtuoso_dir = work / f"virtuoso-{n}"
    shutil.rmtree(virtuoso_dir, ignore_errors=True)
    virtuoso_dir.mkdir()
    virtuoso = stack.enter_context(virtuoso_server(virtuoso_dir, memory_mib=args.virtuoso_mib))
    started = time.perf_counter()
    virtuoso_load(virtuoso, virtuoso_dir, files)
    virtuoso_load_s = time.perf_counter() - started
    found["virtuoso"] = Measured("Virtuoso /sparql", Server(
        "virtuoso", virtuoso.query_url.removesuffix("/sparql"), "/sparql", form_post=True), 0.0,
        [virtuoso.pid or 0])
    for name, label, where in (
            ("kg", "kg serve (embedded)", ["--location", str(store)]),
            ("kg-oxigraph", "kg serve --store oxigraph", ["--store",
                                                           found["oxigraph"].server.sparql_url]),
            ("kg-virtuoso", "kg serve --store Virtuoso", ["--store", virtuoso.query_url])):
        if name not in args.endpoints:
            continue
        port = free_port()
        serve(name, label, Server(name, f"http://127.0.0.1:{port}", "/sparql"),
              [kg, "serve", *where, "--host", "127.0.0.1", "--port", str(port),
               "--timeout", f"{args.request_timeout:g}"])
    return {name: found[name] for name in ENDPOINTS if name in args.endpoints}, virtuoso_load_s


def virtuoso_load(endpoint: Endpoint, folder: Path, files: list[Path]) -> None:
    """Virtuoso's own bulk loader (ld_dir, rdf_loader_run, checkpoint) on the same files;
    N-Quads keep their graphs."""
    data = folder / "load"
    data.mkdir()
    for index, file in enumerate(files):
        suffix = "".join(file.suffixes)
        (data / f"{index}{suffix}").symlink_to(file.resolve())
    assert endpoint.sql_port is not None
    for statement in (f"ld_dir('{data}', '*', 'urn:kg:unnamed');", "rdf_loader_run();",
                      "checkpoint;"):
        isql(endpoint.sql_port, statement, timeout=3600)
    errors = isql(endpoint.sql_port, "select ll_file, ll_error from DB.DBA.load_list "
                  "where ll_error is not null;")
    if "0 Rows" not in errors:
        sys.exit(f"error: Virtuoso's bulk load failed:\n{errors}")


def seed_quads(kg: str, work: Path) -> Path:
    """The seed graph built into work/seed and exported as N-Quads (work/seed.nq)."""
    run([kg, "build", "--location", str(work / "seed")])
    dump = work / "seed.nq"
    run([kg, "export", "--format", "nq", "--output", str(dump), "--location", str(work / "seed")])
    return dump


def size_options(sizes: str, virtuoso_mib: int) -> argparse.ArgumentParser:
    """The options every scale bench takes: sizes, timed and untimed runs, Virtuoso's
    memory, the request time limit."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=sizes, help="comma-separated triple counts")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per query")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests first")
    parser.add_argument("--virtuoso-mib", type=int, default=virtuoso_mib,
                        help="Virtuoso's buffer memory (NumberOfBuffers), MiB")
    parser.add_argument("--request-timeout", type=float, default=60.0,
                        help="seconds before one request counts as timed out")
    return parser


def main() -> None:
    parser = size_options("100000,1000000", 4096)
    parser.add_argument("--load-runs", type=int, default=3, help="kg load runs per size")
    parser.add_argument("--duration", type=float, default=5.0,
                        help="seconds of each throughput run")
    parser.add_argument("--lenient", action="store_true",
                        help="kg load --lenient (both files are written by kg)")
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS),
                        help=f"which to compare (default all: {','.join(ENDPOINTS)})")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="JSON figures")
    parser.add_argument("--no-serve", action="store_true",
                        help="synth and load only (no servers, no query figures)")
    args = parser.parse_args()
    serve_bench.REQUEST_TIMEOUT = args.request_timeout
    args.endpoints = [e for e in args.endpoints.split(",") if e]
    if unknown := set(args.endpoints) - set(ENDPOINTS):
        parser.error(f"--endpoints: unknown {', '.join(sorted(unknown))}")
    if "kg" not in args.endpoints:
        parser.error("--endpoints: kg is needed (its catalogue gives the queries)")
    kg = tool("kg")
    results = []
    with tempfile.TemporaryDirectory(prefix="kg-scale-", dir=os.environ.get("TMPDIR")) as f:
        work = Path(f)
        seed_dump = seed_quads(kg, work)
        for size in (int(s) for s in args.sizes.split(",")):
            results.append(bench_size(size, args, work, seed_dump))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"machine": machine(), "settings": vars(args),
                                  "sizes": results}, indent=1, default=str) + "\n")
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
