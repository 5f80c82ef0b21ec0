"""Every saved query on a (national-scale) store, in process: plain SPARQL and as served.

    uv run python bench/narrowed_queries.py --location STORE [--runs 3] [--only a,b]
        [--set name=value ...]

For each saved query with its example values (or `--set` values for the `--only`
queries), times `Worker.answer` on the store two ways, alternately: the plain text
with the values bound, and the text as the saved-query route runs it (with the
candidates of the release's derived index as a VALUES block, `kg.derived_indexes`),
and says whether both answers are the same bytes. Prints medians in ms of wall time
(and CPU) with the load average; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from kg.catalogue import load_catalogue
from kg.derived_indexes import DerivedIndexes
from kg.namespaces import prefix_map
from kg.service.dataset import DatasetSource
from kg.service.worker import Answer, QueryJob, Worker, WorkerSetup
from kg.settings import Settings
from kg.store import current_release
from kg.store.terms import iri


def timed(worker: Worker, job: QueryJob) -> tuple[float, float, bytes]:
    """Wall and CPU ms of one answer, and its body."""
    wall, cpu = time.perf_counter(), time.process_time()
    answer = worker.answer(job)
    assert isinstance(answer, Answer)
    return ((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000,
            answer.body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--location", type=Path, required=True, help="a loaded store")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated saved-query names")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="parameter values instead of the examples")
    args = parser.parse_args()
    source = DatasetSource(Settings(location=args.location))
    base = source.base_iri()
    catalogue = load_catalogue(base=base)
    worker = Worker(source.open(), WorkerSetup(source, prefix_map(base)))
    derived = DerivedIndexes(current_release(args.location))
    only = {name for name in args.only.split(",") if name}
    given = dict(value.split("=", 1) for value in args.set)
    print(f"load average {os.getloadavg()[0]:.2f}; wall ms (CPU ms), median of {args.runs}")
    print(f"{'saved query':28} {'candidates':>10} {'plain':>16} {'as served':>16} same rows")
    for query in catalogue.values():
        if only and query.name not in only:
            continue
        values = given or {p.name: p.example for p in query.params if p.example}
        bound = query.bind(values, catalogue.prefixes)
        bindings = tuple(sorted(bound.items()))
        narrowed = derived.candidates(query.name, bound)
        plain = QueryJob(sparql=query.text, bindings=bindings)
        served = plain if narrowed is None else QueryJob(
            sparql=query.text, bindings=bindings,
            restrict=(narrowed[0], tuple(iri(v) for v in narrowed[1])))
        worker.answer(plain)  # checked once, as a worker does
        runs: dict[str, list[tuple[float, float, bytes]]] = {"plain": [], "served": []}
        for _ in range(args.runs):
            runs["plain"].append(timed(worker, plain))
            runs["served"].append(timed(worker, served))
        cells = []
        for way in ("plain", "served"):
            wall = statistics.median(r[0] for r in runs[way])
            cpu = statistics.median(r[1] for r in runs[way])
            cells.append(f"{wall:8.1f} ({cpu:6.1f})")
        same = runs["plain"][0][2] == runs["served"][0][2]
        count = "-" if narrowed is None else str(len(narrowed[1]))
        print(f"{query.name:28} {count:>10} {cells[0]:>16} {cells[1]:>16} {same}", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
