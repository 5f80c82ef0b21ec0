"""How long `kg serve` takes from launch to its first answers, and the memory it then holds.

    uv run python bench/startup.py [--runs 5] [--workers 2] [--location STORE]

Without `--location`, builds the graph into a temporary store; with it, serves that
store (e.g. one made by `kg synth` + `kg load`). Starts `kg serve --location` on
127.0.0.1 `--runs` times, one after the other, and times each launch until
`GET /sparql?query=ASK{}` answers 200; then times the first answers of `/` (the home
page), a saved query (`/api/queries/official-profile`), `/dataset` and `/search`, each
from process start. Then prints the memory of the server, its fork server and its
workers: RSS summed, and PSS summed (shared pages counted once, from
/proc/PID/smaps_rollup). Prints every run and the medians; asserts nothing
(tests/ has no timed test).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from kgserver import built_store, descendants, kg_serve, pss_kib, rss_kib

PAGES = {
    "/": {},
    "/api/queries/official-profile": {"person": "王海东", "format": "json"},
    "/dataset": {},
    "/search": {"q": "王海东"},
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, choices=range(1, 101), metavar="1..100")
    parser.add_argument("--workers", type=int, default=2, help="query workers (default 2)")
    parser.add_argument("--location", type=Path, help="serve this store (default: build one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kg-startup-") as folder:
        location = args.location or built_store(Path(folder))
        figures: dict[str, list[float]] = {"/sparql": [], **{path: [] for path in PAGES}}
        memory: list[tuple[int, int, int]] = []
        for run in range(args.runs):
            with kg_serve("--location", str(location), "--workers", str(args.workers),
                          log=Path(folder) / "kg.log") as server:
                started = time.monotonic() - server.startup_seconds
                figures["/sparql"].append(server.startup_seconds)
                line = [f"/sparql {server.startup_seconds:.2f} s"]
                for path, params in PAGES.items():
                    status = httpx.get(server.url + path, params=params, timeout=600).status_code
                    seconds = time.monotonic() - started
                    figures[path].append(seconds)
                    line.append(f"{path} {seconds:.2f} s ({status})")
                pids = [server.process.pid, *descendants(server.process.pid)]
                memory.append((len(pids), sum(map(rss_kib, pids)), sum(map(pss_kib, pids))))
            processes, rss, pss = memory[-1]
            print(f"run {run + 1}: first answers after " + ", ".join(line)
                  + f"; {processes} processes, RSS {rss >> 10} MiB, PSS {pss >> 10} MiB")
    print(f"kg serve --location {args.location or '(built graph)'} ({args.workers} workers, "
          f"{os.cpu_count()} CPUs), median over {args.runs} runs, seconds from launch:")
    for path, seconds in figures.items():
        print(f"  {path:32} {statistics.median(seconds):7.2f} s  (min {min(seconds):.2f}, "
              f"max {max(seconds):.2f})")
    print(f"  memory after those answers: RSS {statistics.median(m[1] for m in memory) / 1024:.0f}"
          f" MiB, PSS {statistics.median(m[2] for m in memory) / 1024:.0f} MiB "
          f"(server + fork server + workers, summed)")


if __name__ == "__main__":
    main()
