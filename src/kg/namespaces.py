"""Every namespace the project uses, and the configurable base of data IRIs."""

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

#: Default base of every data IRI (entities, claims, graphs); override with KG_BASE_IRI.
DEFAULT_BASE_IRI = "https://w3id.org/cn-health-kg/"

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


def base_iri(override: str | None = None) -> str:
    """The data base IRI: an explicit override, else $KG_BASE_IRI, else the default."""
    from kg.settings import Settings

    base = override or Settings().base_iri
    return base if base.endswith(("/", "#")) else base + "/"


def bind_prefixes(manager: NamespaceManager, base: str) -> None:
    """Bind the project's prefixes (and `kgd:` for the data base) on a namespace manager."""
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, namespace, override=True, replace=True)
    manager.bind("kgd", Namespace(base), override=True, replace=True)


def prefix_map(base: str) -> dict[str, str]:
    """Every prefix a query may use undeclared (`kgd:` is the data base), as name -> IRI."""
    return {**{p: str(ns) for p, ns in PREFIXES.items()}, "kgd": base}
