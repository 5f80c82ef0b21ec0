"""National-scale benchmark: synth -> load (with validation) -> serve, at several sizes.

    uv run python bench/scale.py [--sizes 100000,1000000] [--load-runs 3] [--runs 20]

For each size N: `kg synth --triples N` (time, peak RSS); `kg load` of the seed graph
(`kg build` + `kg export`) plus the synthetic file into a fresh store, `--load-runs`
times (load time and rate, validation time, peak RSS: medians with min-max); then the
same data in `oxigraph load` + `oxigraph optimize` + `oxigraph serve-read-only
--union-default-graph` beside `kg serve --location` (embedded store): p50/p99 of every
saved query with its example parameters (kg's saved-query URL, the same SPARQL on kg's
/sparql and on Oxigraph's /query), and /sparql throughput of a 3-way join at
concurrency 1 and 8. Prints Markdown tables (the source of bench/RESULTS.md) and writes
var/bench/scale.json. Servers listen on 127.0.0.1 and are stopped at the end.

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
from pathlib import Path

import serve_bench
from serve_bench import (
    JOIN_QUERY,
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
OUTPUT = PROJECT / "var" / "bench" / "scale.json"
PHASE_RE = re.compile(r"(\w+) ([0-9.]+)s")
serve_bench.STARTUP_SECONDS = 600.0  # kg serve copies a big store into every worker


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
    print("\n| load runs | triples | load (bulk) | rate | validation | whole command | peak RSS |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {len(loads)} | {loads[0]['triples']:,} | {spread([x['load'] for x in loads], ' s')} "
          f"| {spread([x['triples'] / x['load'] for x in loads], '/s', 0)} "
          f"| {spread([x['shacl'] for x in loads], ' s')} "
          f"| {spread([x['wall_s'] for x in loads], ' s')} "
          f"| {spread([float(x['rss_mib']) for x in loads], ' MiB', 0)} |", flush=True)
    if args.no_serve:
        return out

    plain = work / f"synth-{n}.nq"
    with gzip.open(synthetic, "rb") as src, plain.open("wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 22)
    ox_store = work / f"ox-{n}"
    shutil.rmtree(ox_store, ignore_errors=True)
    for command in ([oxigraph, "load", "--location", str(ox_store), "--file", str(seed_dump),
                     "--file", str(plain)], [oxigraph, "optimize", "--location", str(ox_store)]):
        run(command)
    plain.unlink()
    with ExitStack() as stack:
        ox_port, kg_port = free_port(), free_port()
        ox = stack.enter_context(serving(
            Server("oxigraph", f"http://127.0.0.1:{ox_port}", "/query"),
            [oxigraph, "serve-read-only", "--location", str(ox_store), "--union-default-graph",
             "--bind", f"127.0.0.1:{ox_port}"], work / "oxigraph.log"))
        kgs = stack.enter_context(serving(
            Server("kg", f"http://127.0.0.1:{kg_port}", "/sparql"),
            [kg, "serve", "--location", str(store), "--host", "127.0.0.1",
             "--port", str(kg_port), "--timeout", "60"], work / "kg.log"))
        latency = {}
        for case in saved_query_cases(kgs):
            print(f"  query {case.name}", file=sys.stderr, flush=True)
            latency[case.name] = {
                "kg-saved": measure_latency(saved_request(case), args.runs, args.warmup),
                "kg-sparql": measure_latency(sparql_request(kgs, case.sparql), args.runs,
                                             args.warmup),
                "oxigraph": measure_latency(sparql_request(ox, case.sparql), args.runs,
                                            args.warmup),
            }
        throughput = {name: [measure_throughput(sparql_request(server, JOIN_QUERY), c,
                                                args.duration, args.warmup) for c in (1, 8)]
                      for name, server in (("kg serve", kgs), ("oxigraph serve-read-only", ox))}
    print("\n| saved query | kg saved URL p50/p99 ms | kg /sparql p50/p99 ms "
          "| oxigraph p50/p99 ms | rows |")
    print("|---|---|---|---|---|")
    for name, row in latency.items():
        errors = sum(v.errors for v in row.values())
        rows = row["oxigraph"].rows if row["oxigraph"].rows is not None else row["kg-sparql"].rows
        print(f"| {name} | {latency_cell(row['kg-saved'])} | {latency_cell(row['kg-sparql'])} "
              f"| {latency_cell(row['oxigraph'])} | {rows}"
              + (f" ({errors} errors)" if errors else "") + " |")
    print("\n| /sparql 3-way join | concurrency 1 | concurrency 8 |")
    print("|---|---|---|")
    for name, runs in throughput.items():
        print(f"| {name} | {runs[0].queries_per_second:.1f} q/s | "
              f"{runs[1].queries_per_second:.1f} q/s |")
    print(f"\n(machine after the run: {machine()})\n", flush=True)
    out["latency_ms"] = {k: {s: vars(v) for s, v in row.items()} for k, row in latency.items()}
    out["throughput"] = {k: [vars(t) for t in v] for k, v in throughput.items()}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000",
                        help="comma-separated triple counts")
    parser.add_argument("--load-runs", type=int, default=3, help="kg load runs per size")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per query")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests first")
    parser.add_argument("--duration", type=float, default=5.0,
                        help="seconds of each throughput run")
    parser.add_argument("--lenient", action="store_true",
                        help="kg load --lenient (both files are written by kg)")
    parser.add_argument("--no-serve", action="store_true",
                        help="synth and load only (no servers, no query figures)")
    args = parser.parse_args()
    kg = tool("kg")
    results = []
    with tempfile.TemporaryDirectory(prefix="kg-scale-", dir=os.environ.get("TMPDIR")) as f:
        work = Path(f)
        run([kg, "build", "--location", str(work / "seed")])
        seed_dump = work / "seed.nq"
        run([kg, "export", "--format", "nq", "--output", str(seed_dump),
             "--location", str(work / "seed")])
        for size in (int(s) for s in args.sizes.split(",")):
            results.append(bench_size(size, args, work, seed_dump))
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps({"machine": machine(), "settings": vars(args),
                                  "sizes": results}, indent=1, default=str) + "\n")
    print(f"wrote {OUTPUT.relative_to(PROJECT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
