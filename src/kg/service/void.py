"""The dataset described with VoID and DCAT: size, class partitions, graphs, dumps, endpoint.

The figures come from the release's statistics (kg.statistics), made with it; a
dataset without them is asked through SPARQL once. Each class partition has an
IRI of its own under `dataset/class/`, which the pages route resolves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, VOID, XSD
from starlette.requests import Request
from starlette.responses import Response

from kg.formats import GRAPH_FORMATS, GraphFormat, serialize_graph
from kg.namespaces import bind_prefixes
from kg.service.context import ServiceContext
from kg.service.rendering import compact
from kg.statistics import dataset_statistics

DUMP_NAME = "cn-health-kg"
CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
def statistics(context: ServiceContext) -> Mapping[str, Any]:
    """The release's statistics (its manifest), else asked of the store once."""
    stored = context.store.manifest.get("statistics")
    if stored:
        return stored  # type: ignore[no-any-return]
    return context.memo.remember(("statistics",), lambda: dataset_statistics(
        context.store, context.data_base, context.reader.dataset))


def graph_sizes(context: ServiceContext) -> dict[str, int]:
    """Triples in each named graph."""
    return {g: n for g, n in statistics(context)["graphs"].items() if g}


def class_counts(context: ServiceContext) -> list[tuple[str, int]]:
    """Every class with its number of instances (for VoID, the home and dataset pages)."""
    return [(k, n) for k, n in statistics(context)["classes"]]


def data_class_counts(context: ServiceContext) -> list[tuple[str, int]]:
    """The classes of the dataset's own resources (not the ontology's terms), largest first."""
    return [(k, n) for k, n in statistics(context)["data_classes"]]


def partition_iri(context: ServiceContext, cls: str) -> str:
    return f"{context.data_base}dataset/class/{compact(cls, context)}"


def void_response(request: Request, context: ServiceContext, fmt: GraphFormat) -> Response:
    base = context.public_base(request)
    body = context.memo.remember(("void", base, fmt.name), lambda: serialize_graph(
        void_graph(context, base), fmt))
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})


def void_graph(context: ServiceContext, public_base: str) -> Graph:
    """The dataset as a void:Dataset and dcat:Dataset: size, partitions, dumps, endpoint."""
    g = Graph()
    bind_prefixes(g.namespace_manager, context.data_base)
    dataset = URIRef(context.data_base + "dataset")
    endpoint = URIRef(public_base + "sparql")
    sizes = graph_sizes(context)
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, RdfLiteral("China health-policy knowledge graph", lang="en")))
    g.add((dataset, DCTERMS.title, RdfLiteral("中国卫生健康政策知识图谱", lang="zh")))
    g.add((dataset, DCTERMS.description, RdfLiteral(
        "Facts from Chinese health-policy news of 2025 (targets, results, officials, agencies, "
        "events), each claim with its source article and verbatim quote.", lang="en")))
    g.add((dataset, DCTERMS.license, CC0))
    g.add((dataset, DCTERMS.modified, RdfLiteral(
        context.validators.last_modified.isoformat(), datatype=XSD.dateTime)))
    g.add((dataset, OWL.versionInfo, RdfLiteral(context.version)))
    g.add((dataset, VOID.sparqlEndpoint, endpoint))
    g.add((dataset, VOID.uriSpace, RdfLiteral(context.data_base)))
    g.add((dataset, VOID.triples, RdfLiteral(sum(sizes.values()))))
    g.add((dataset, FOAF.homepage, URIRef(public_base)))
    for prefix in ("hkg", "org", "prov", "skos", "schema", "dcterms", "oa", "time", "sosa"):
        g.add((dataset, VOID.vocabulary, URIRef(context.prefixes[prefix])))
    for cls, n in class_counts(context):
        partition = URIRef(partition_iri(context, cls))
        g.add((dataset, VOID.classPartition, partition))
        g.add((partition, VOID["class"], URIRef(cls)))
        g.add((partition, VOID.entities, RdfLiteral(n)))
    for name in sorted(context.graphs):
        g.add((dataset, VOID.subset, URIRef(name)))
        g.add((URIRef(name), RDF.type, VOID.Dataset))
        g.add((URIRef(name), VOID.triples, RdfLiteral(sizes.get(name, 0))))
    for fmt in GRAPH_FORMATS.values():
        url = URIRef(f"{public_base}downloads/{DUMP_NAME}.{fmt.extension}")
        g.add((dataset, VOID.dataDump, url))
        distribution = URIRef(f"{context.data_base}dataset/distribution/{fmt.name}")
        g.add((dataset, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCAT.downloadURL, url))
        g.add((distribution, DCAT.mediaType, URIRef(
            f"https://www.iana.org/assignments/media-types/{fmt.media_type}")))
        g.add((distribution, DCTERMS.format, RdfLiteral(fmt.media_type)))
        g.add((distribution, DCTERMS.license, CC0))
    service = URIRef(public_base + "sparql#service")
    g.add((dataset, DCAT.distribution, URIRef(f"{context.data_base}dataset/distribution/sparql")))
    g.add((URIRef(f"{context.data_base}dataset/distribution/sparql"), DCAT.accessService, service))
    g.add((URIRef(f"{context.data_base}dataset/distribution/sparql"), RDF.type,
           DCAT.Distribution))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.endpointDescription, endpoint))
    g.add((service, DCAT.servesDataset, dataset))
    g.add((dataset, VOID.exampleResource, URIRef(f"{context.data_base}person/jiao-yahui")))
    return g


def partition_graph(context: ServiceContext, cls: str, entities: int) -> Graph:
    """One class partition: its class and number of instances, within the dataset."""
    g = Graph()
    bind_prefixes(g.namespace_manager, context.data_base)
    partition = URIRef(partition_iri(context, cls))
    g.add((URIRef(context.data_base + "dataset"), VOID.classPartition, partition))
    g.add((partition, VOID["class"], URIRef(cls)))
    g.add((partition, VOID.entities, RdfLiteral(entities)))
    return g
