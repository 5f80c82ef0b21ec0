"""Every saved query on a (national-scale) store, in process: plain SPARQL and as served.

    uv run python bench/narrowed_queries.py --location STORE [--runs 3] [--only a,b]
        [--set name=value ...] [--before DIR] [--virtuoso URL]

For each saved query with its example values (or `--set` values for the `--only`
queries), times `Worker.answer` on the store, alternately: the plain text with the
values bound, and the text as the saved-query route runs it (with the candidates of
the release's derived index as a VALUES block, `kg.derived_indexes`), and says whether
both answers are the same bytes. With `--before`, a folder of older texts of some
queries (e.g. `git show REV:queries/x.rq`), also that text, plain. With `--virtuoso`,
also the bound text (prefixes declared) POSTed to that endpoint, over HTTP (so its
figure includes a request on a keep-alive connection; the others do not). Prints
medians in ms of wall time (and CPU for the in-process ways) with the load average;
asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import httpx

from kg.catalogue import load_catalogue
from kg.derived_indexes import DerivedIndexes
from kg.namespaces import prefix_map
from kg.service.dataset import DatasetSource
from kg.service.worker import Answer, QueryJob, Worker, WorkerSetup
from kg.settings import Settings
from kg.store import current_release
from kg.store.terms import iri, sparql_term


def timed(worker: Worker, job: QueryJob) -> tuple[float, float, bytes]:
    """Wall and CPU ms of one answer, and its body."""
    wall, cpu = time.perf_counter(), time.process_time()
    answer = worker.answer(job)
    assert isinstance(answer, Answer)
    return ((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000,
            answer.body)


def on_virtuoso(client: httpx.Client, url: str, text: str) -> tuple[float, float, bytes]:
    """Wall ms of one answer of the endpoint (a form POST, JSON results)."""
    wall = time.perf_counter()
    response = client.post(url, data={"query": text},
                           headers={"Accept": "application/sparql-results+json"})
    response.raise_for_status()
    return (time.perf_counter() - wall) * 1000, 0.0, response.content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--location", type=Path, required=True, help="a loaded store")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated saved-query names")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="parameter values instead of the examples")
    parser.add_argument("--before", type=Path, help="a folder of older texts (NAME.rq)")
    parser.add_argument("--virtuoso", help="a SPARQL endpoint holding the same data")
    args = parser.parse_args()
    source = DatasetSource(Settings(location=args.location))
    base = source.base_iri()
    catalogue = load_catalogue(base=base)
    worker = Worker(source.open(), WorkerSetup(source, prefix_map(base)))
    derived = DerivedIndexes(current_release(args.location))
    only = {name for name in args.only.split(",") if name}
    given = dict(value.split("=", 1) for value in args.set)
    prologue = "".join(f"PREFIX {p}: {sparql_term(ns)}\n"
                       for p, ns in catalogue.prefixes.items())
    client = httpx.Client(timeout=600)
    ways = (["before"] if args.before else []) + ["plain", "served"] + (
        ["virtuoso"] if args.virtuoso else [])
    print(f"load average {os.getloadavg()[0]:.2f}; wall ms (CPU ms), median of {args.runs}")
    print(f"{'saved query':28} {'candidates':>10} " + " ".join(f"{w:>17}" for w in ways)
          + " same bytes, rows")
    for query in catalogue.values():
        if only and query.name not in only:
            continue
        values = given or {p.name: p.example for p in query.params if p.example}
        bound = query.bind(values, catalogue.prefixes)
        bindings = tuple(sorted(bound.items()))
        narrowed = derived.candidates(query.name, bound)
        jobs = {"plain": QueryJob(sparql=query.text, bindings=bindings)}
        jobs["served"] = jobs["plain"] if narrowed is None else QueryJob(
            sparql=query.text, bindings=bindings,
            restrict=(narrowed[0], tuple(iri(v) for v in narrowed[1])))
        older = args.before / f"{query.name}.rq" if args.before else None
        if older is not None:
            jobs["before"] = QueryJob(sparql=older.read_text(encoding="utf-8")
                                      if older.is_file() else query.text, bindings=bindings)
        for job in jobs.values():
            worker.answer(job)  # checked once, as a worker does
        text = prologue + query.bound_text(bound)
        runs: dict[str, list[tuple[float, float, bytes]]] = {way: [] for way in ways}
        for _ in range(args.runs):
            for way in ways:
                if way == "virtuoso":
                    runs[way].append(on_virtuoso(client, args.virtuoso, text))
                else:
                    runs[way].append(timed(worker, jobs[way]))
        cells = []
        for way in ways:
            wall = statistics.median(r[0] for r in runs[way])
            cpu = statistics.median(r[1] for r in runs[way])
            cells.append(f"{wall:8.1f} ({cpu:6.1f})" if way != "virtuoso" else f"{wall:17.1f}")
        bodies = {runs[way][0][2] for way in ways if way != "virtuoso"}
        rows = runs["plain"][0][2].count(b'"type"')
        count = "-" if narrowed is None else str(len(narrowed[1]))
        print(f"{query.name:28} {count:>10} " + " ".join(f"{c:>17}" for c in cells)
              + f" {len(bodies) == 1}, {rows} terms", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
