"""Every namespace the project uses (the base of data IRIs is a setting: kg.settings)."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD, NamespaceManager

#: The ontology's own terms; stable, independent of where the data is published.
HKG = Namespace("https://w3id.org/cn-health-kg/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
SOSA = Namespace("http://www.w3.org/ns/sosa/")
QB = Namespace("http://purl.org/linked-data/cube#")
TIME = Namespace("http://www.w3.org/2006/time#")
OA = Namespace("http://www.w3.org/ns/oa#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = SDO

PREFIXES: dict[str, Namespace] = {
    "hkg": HKG,
    "org": ORG,
    "prov": PROV,
    "sosa": SOSA,
    "qb": QB,
    "time": TIME,
    "oa": OA,
    "skos": SKOS,
    "schema": SCHEMA,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "void": VOID,
    "dcat": DCAT,
    "sh": SH,
}


def bind_prefixes(manager: NamespaceManager, base: str) -> None:
    """Bind the project's prefixes (and `kgd:` for the data base) on a namespace manager."""
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, namespace, override=True, replace=True)
    manager.bind("kgd", Namespace(base), override=True, replace=True)


def prefix_map(base: str) -> dict[str, str]:
    """Every prefix a query may use undeclared (`kgd:` is the data base), as name -> IRI."""
    return {**{p: str(ns) for p, ns in PREFIXES.items()}, "kgd": base}
