"""Whole-dataset figures the pages show: triples per graph, instances per class.

VoID, the home and dataset pages and the service description need them, and each
reads the whole graph. `kg build` and `kg load` compute them once per release and
keep them in its manifest (`statistics`); for a dataset without them (`kg serve
--data`, `--store`, a release made before) the service asks the store on first use.
"""

from __future__ import annotations

from typing import Any

from kg.namespaces import HKG
from kg.store.base import UNION, GraphStore, QueryDataset
from kg.store.terms import fill, literal

CLASS_COUNTS = """
SELECT ?k (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?k FILTER(isIRI(?k)) } GROUP BY ?k ORDER BY ?k"""
DATA_CLASS_COUNTS = """
SELECT ?k (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?k FILTER(isIRI(?k) && STRSTARTS(STR(?s), $base) && !STRSTARTS(STR(?s), $ontology))
} GROUP BY ?k ORDER BY DESC(?n) ?k"""


def dataset_statistics(store: GraphStore, base: str, dataset: QueryDataset = UNION
                       ) -> dict[str, Any]:
    """`graphs`: triples per graph ('' for the default graph, when it has any);
    `classes`: [class, instances] of every class, by class; `data_classes`: the same for
    the dataset's own resources (not the ontology's terms), largest first."""

    def counts(query: str) -> list[list[Any]]:
        return [[row["k"].value, int(row["n"].value)]
                for row in store.select(query, dataset=dataset)]

    values = {"base": literal(base), "ontology": literal(str(HKG))}
    return {"graphs": store.graph_sizes(), "classes": counts(CLASS_COUNTS),
            "data_classes": counts(fill(DATA_CLASS_COUNTS, values))}
