"""A built store of N synthetic triples (for memory and speed figures, not data).

    uv run python bench/synthetic_store.py --triples 1000000 --location var/kg-1m

Facilities with labels (zh, en), a region, a class and monthly measurements, in four
named graphs under the project's base IRI; published as a release like `kg build`'s.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from kg.releases import publish_release
from kg.settings import DEFAULT_BASE_IRI

HKG = "https://w3id.org/cn-health-kg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"


def triples(count: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    base = DEFAULT_BASE_IRI
    graphs: dict[str, list[str]] = {f"{base}graph/synthetic/{i}": [] for i in range(4)}
    names = list(graphs)
    n = 0
    i = 0
    while n < count:
        graph = graphs[names[i % 4]]
        facility = f"<{base}facility/f{i}>"
        graph += [f"{facility} <{RDF_TYPE}> <{HKG}Facility> .",
                  f'{facility} <{LABEL}> "机构{i}"@zh .',
                  f'{facility} <{LABEL}> "Facility {i}"@en .',
                  f"{facility} <{HKG}region> <{base}region/r{rng.randrange(2800)}> ."]
        for month in range(1, 7):
            m = f"<{base}measurement/f{i}-{month}>"
            graph += [f"{m} <{HKG}place> {facility} .",
                      f'{m} <{HKG}value> "{rng.randrange(10**6)}"^^<{XSD}integer> .']
        n += 16
        i += 1
    return graphs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--location", type=Path, required=True)
    args = parser.parse_args()
    graphs = {g: ("\n".join(lines) + "\n").encode() for g, lines in
              triples(args.triples, args.seed).items()}
    manifest = {"version": f"synthetic-{args.triples}-{args.seed}",
                "base_iri": DEFAULT_BASE_IRI, "built_at": "synthetic"}
    where = publish_release(args.location, graphs, manifest)
    lines = sum(g.count(b"\n") for g in graphs.values())
    print(f"{lines} triples -> {where}")


if __name__ == "__main__":
    main()
