"""What a new parameter value of a saved query costs a query worker, in process.

    uv run python bench/saved_values.py [--location STORE] [--runs 5]

For every saved query with its example values, times `Worker.answer` two ways on the
same store: the text with the values written in (how the service sent a saved query
before: each new value is a new text, which the worker canonicalises and parses with
rdflib before it runs; the worker's caches are emptied before each run to stand for a
value not seen before), and the unbound text with the values as bindings (now: the text
is checked once, a new value only writes terms into the checked text). Prints medians
in ms of CPU time and the load average; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from kgserver import built_store

from kg.catalogue import as_term, load_catalogue
from kg.namespaces import prefix_map
from kg.service.dataset import DatasetSource
from kg.service.worker import QueryJob, Worker, WorkerSetup


def cpu_ms(work: object) -> float:
    started = time.process_time()
    work()  # type: ignore[operator]
    return (time.process_time() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--location", type=Path, help="a built store (default: build one)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-values-") as folder:
        location = args.location or built_store(Path(folder))
        source = DatasetSource(location=location)
        base = source.base_iri()
        catalogue = load_catalogue(base=base)
        store = source.open()
        worker = Worker(store, WorkerSetup(source, prefix_map(base)))
        print(f"load average {os.getloadavg()[0]:.1f}; CPU ms per answer, median of "
              f"{args.runs}")
        print(f"{'saved query':28} {'new text':>9} {'bindings':>9}")
        for query in catalogue.values():
            bound = query.bind({p.name: p.example for p in query.params if p.example},
                               catalogue.prefixes)
            as_text = QueryJob(sparql=query.bound_text(bound))
            as_bindings = QueryJob(sparql=query.text, bindings=tuple(
                (name, as_term(term)) for name, term in bound.items()))
            worker.answer(as_bindings)  # the unbound text checked once, as a worker does
            old, new = [], []
            for _ in range(args.runs):
                worker._seen.clear()
                shapes = dict(worker._shapes)
                worker._shapes.clear()
                old.append(cpu_ms(lambda job=as_text: worker.answer(job)))
                worker._shapes.clear()
                worker._shapes.update(shapes)
                new.append(cpu_ms(lambda job=as_bindings: worker.answer(job)))
            print(f"{query.name:28} {statistics.median(old):9.1f} "
                  f"{statistics.median(new):9.1f}")
        print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
