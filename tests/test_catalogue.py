"""The saved-query catalogue: headers, parameters, checks at load, and its RDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS

from kg.catalogue import (
    DEFAULT_QUERIES_DIR,
    Parameter,
    ParameterError,
    catalogue_graph,
    load_catalogue,
)
from kg.errors import DataError
from kg.namespaces import SH, prefix_map

BASE = "https://w3id.org/cn-health-kg/"
PREFIXES = prefix_map(BASE)
XSD = "http://www.w3.org/2001/XMLSchema#"
GOOD = """#+ title: {zh: 人员, en: People}
#+ description: Everyone with a name.
#+ tags: [people]
#+ params:
#+   - {name: name, type: string, example: 焦雅辉}
SELECT ?person ?name WHERE { ?person rdfs:label ?name }
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(folder: Path) -> str:
    with pytest.raises(DataError) as error:
        load_catalogue(folder, BASE)
    return str(error.value)


def test_the_project_catalogue_loads_and_names_are_questions() -> None:
    catalogue = load_catalogue(DEFAULT_QUERIES_DIR, BASE)
    assert len(catalogue) >= 14
    for query in catalogue.values():
        assert query.title["zh"] and query.title["en"] and query.description["en"]
        assert query.tags
        assert query.form == "SELECT"
        assert all(p.example or p.default for p in query.params), query.name


def test_a_good_file_loads(tmp_path: Path) -> None:
    write(tmp_path, "people", GOOD)
    [query] = load_catalogue(tmp_path, BASE).values()
    assert query.title == {"zh": "人员", "en": "People"}
    assert query.description == {"en": "Everyone with a name."}
    assert query.params == (Parameter("name", "string", example="焦雅辉"),)
    assert query.sparql_with_prefixes(PREFIXES).startswith(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")


@pytest.mark.parametrize(("text", "reason"), [
    (GOOD.replace("SELECT ?person", "SELEKT ?person"), "does not parse"),
    (GOOD.replace("#+ title: {zh: 人员, en: People}", "#+ title: {zh: 人员"), "not valid YAML"),
    (GOOD.replace(", en: People", ""), "missing the 'en' text"),
    (GOOD.replace("type: string", "type: text"), "type 'text' is not one of"),
    (GOOD.replace("name: name,", "name: nom,"), "never uses ?nom"),
    (GOOD.replace("SELECT ?person ?name", "SELECT ?person"), "cannot be bound"),
    (GOOD.replace("type: string", "type: integer"), "example: parameter 'name'"),
    (GOOD.replace("type: string", "type: string, class: hkg:Person"), "only iri parameters"),
    (GOOD.replace("?name }", "?name FILTER(BOUND(?name)) }"), "use COALESCE(?name"),
    (GOOD.replace("WHERE { ?person", "WHERE { SERVICE <http://x.org/> { ?a ?b ?c } ?person"),
     "SERVICE"),
    ("SELECT * WHERE { ?s ?p ?o }\n", "no '#+ ' header"),
    (GOOD.replace("#+ tags:", "#+ tagz:"), "unknown header key 'tagz'"),
])
def test_a_broken_file_fails_loading_with_its_name_and_reason(tmp_path: Path, text: str,
                                                              reason: str) -> None:
    write(tmp_path, "people", GOOD)
    write(tmp_path, "broken-question", text)
    message = problems_of(tmp_path)
    assert "broken-question.rq" in message
    assert reason in message
    assert "people.rq" not in message


def test_file_names_must_be_questions_in_kebab_case(tmp_path: Path) -> None:
    write(tmp_path, "People_Query", GOOD)
    assert "kebab-case" in problems_of(tmp_path)


@pytest.mark.parametrize(("kind", "raw", "expected"), [
    ("iri", f"{BASE}person/jiao-yahui", NamedNode(f"{BASE}person/jiao-yahui")),
    ("iri", "kgd:person/jiao-yahui", NamedNode(f"{BASE}person/jiao-yahui")),
    ("iri", "hkg:Person", NamedNode(f"{BASE}ontology#Person")),
    ("string", " 托位 ", Literal("托位")),
    ("integer", "+007", Literal("7", datatype=NamedNode(XSD + "integer"))),
    ("decimal", "4.5", Literal("4.5", datatype=NamedNode(XSD + "decimal"))),
    ("decimal", "-.5", Literal("-.5", datatype=NamedNode(XSD + "decimal"))),
    ("date", "2025-02-28", Literal("2025-02-28", datatype=NamedNode(XSD + "date"))),
    ("language", "zh-Latn-pinyin", Literal("zh-latn-pinyin")),
])
def test_values_parse_to_terms_of_their_type(kind: str, raw: str, expected: object) -> None:
    assert Parameter("x", kind).parse(raw, PREFIXES) == expected


@pytest.mark.parametrize(("kind", "raw"), [
    ("iri", "jiao-yahui"), ("iri", "http://exa mple.org/"), ("iri", "<http://x.org/>"),
    ("string", "   "), ("integer", "4.0"), ("integer", "1e3"), ("decimal", "1,5"),
    ("decimal", "NaN"), ("date", "2025-02-30"), ("date", "2025-2-1"), ("language", "zh_CN"),
])
def test_invalid_values_name_the_parameter(kind: str, raw: str) -> None:
    with pytest.raises(ParameterError) as error:
        Parameter("x", kind).parse(raw, PREFIXES)
    assert error.value.name == "x"
    assert str(error.value).startswith("parameter 'x':")


def test_defaults_apply_and_unknown_or_missing_values_are_refused() -> None:
    query = load_catalogue(DEFAULT_QUERIES_DIR, BASE)["corroborated-figures"]
    assert query.bind({}, PREFIXES) == {
        "minSources": Literal("2", datatype=NamedNode(XSD + "integer")),
        "lang": Literal("en")}
    with pytest.raises(ParameterError, match="'minSorces': unknown parameter"):
        query.bind({"minSorces": "3"}, PREFIXES)
    required = load_catalogue(DEFAULT_QUERIES_DIR, BASE)["indicator-figures"]
    with pytest.raises(ParameterError, match="'indicator': required"):
        required.bind({}, PREFIXES)


def test_catalogue_as_shacl_executables() -> None:
    catalogue = load_catalogue(DEFAULT_QUERIES_DIR, BASE)
    graph = catalogue_graph(catalogue, "http://localhost/sparql")
    subject = URIRef(f"{BASE}query/official-announced-target")
    assert (subject, RDF.type, SH.SPARQLSelectExecutable) in graph
    assert {label.language for label in graph.objects(subject, RDFS.label)} == {"zh", "en"}
    text = str(graph.value(subject, SH.select))
    assert "PREFIX hkg: <https://w3id.org/cn-health-kg/ontology#>" in text
    assert "#+" not in text


def test_checked_queries_are_remembered_by_content_and_checker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A saved query checked once is read back from the cache as the same SavedQuery,
    without checking it again; changed content is checked again; a failure is not kept."""
    from kg.catalogue import read_saved_query
    from kg.checked_queries import checked

    monkeypatch.setenv("KG_QUERY_CACHE", str(tmp_path / "cache"))

    def never(path: Path, prefixes: object) -> None:
        raise AssertionError(f"{path.name} was checked again")

    for path in sorted(DEFAULT_QUERIES_DIR.glob("*.rq")):
        fresh = checked(path, PREFIXES, read_saved_query)
        assert fresh == read_saved_query(path, PREFIXES)
        assert checked(path, PREFIXES, never) == fresh  # type: ignore[arg-type]
    copy = write(tmp_path / "q", "people", GOOD)
    first = checked(copy, PREFIXES, read_saved_query)
    assert checked(copy, PREFIXES, never) == first  # type: ignore[arg-type]
    assert checked(copy, prefix_map("https://example.org/"), read_saved_query).params == \
        first.params  # other prefixes: another entry, checked again
    entries = len(list((tmp_path / "cache").iterdir()))
    copy.write_text(GOOD.replace("?name }", "?name } LIMIT 5"), encoding="utf-8")
    changed = checked(copy, PREFIXES, read_saved_query)
    assert changed.text.endswith("LIMIT 5\n")
    copy.write_text(GOOD.replace("SELECT", "SELEKT"), encoding="utf-8")
    with pytest.raises(Exception, match="does not parse"):
        checked(copy, PREFIXES, read_saved_query)
    assert len(list((tmp_path / "cache").iterdir())) == entries + 1  # the LIMIT 5 one
