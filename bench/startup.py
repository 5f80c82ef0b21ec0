"""How long `kg serve` takes from launch to its first answer on the built graph.

    uv run python bench/startup.py [--runs 5] [--workers 2]

Builds the graph into a temporary store, then starts `kg serve --location` on 127.0.0.1
`--runs` times, one after the other, and times each launch until `GET /sparql?query=ASK{}`
answers 200. Prints every run and the median; asserts nothing (tests/ has no timed test).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from kgserver import built_store, kg_serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, choices=range(1, 101), metavar="1..100")
    parser.add_argument("--workers", type=int, default=2, help="query workers (default 2)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kg-startup-") as folder:
        location = built_store(Path(folder))
        seconds = []
        for run in range(args.runs):
            with kg_serve("--location", str(location), "--workers", str(args.workers),
                          log=Path(folder) / "kg.log") as server:
                seconds.append(server.startup_seconds)
            print(f"run {run + 1}: first answer after {server.startup_seconds:.2f} s")
    print(f"kg serve --location (built graph, {args.workers} workers, {os.cpu_count()} CPUs): "
          f"median {statistics.median(seconds):.2f} s, min {min(seconds):.2f} s, "
          f"max {max(seconds):.2f} s over {len(seconds)} runs")


if __name__ == "__main__":
    main()
