"""The saved-query catalogue: `queries/*.rq`, each a question with a grlc-style header.

A header is YAML in ``#+ `` comment lines at the top of the file::

    #+ title: {zh: 哪位官员宣布了哪项目标, en: Which official announced which target}
    #+ description: {en: "...", zh: "..."}
    #+ tags: [targets, officials]
    #+ params:
    #+   - {name: indicator, type: iri, class: hkg:Indicator,
    #+      example: "kgd:indicator/childcare-places-per-1000"}

Parameter types: iri (optionally of a class), string, integer, decimal, date,
language. The query uses each parameter as a variable (``?indicator``); the
service binds it as an RDF term (`kg.store.terms.Term`) written with SPARQL's own
escaping in place of the variable (what Oxigraph's substitutions do, in text any
SPARQL server reads), and an unbound optional parameter stays free.
Project prefixes (and ``kgd:`` for the data base) are predeclared.

Every file is parsed when the catalogue loads; a malformed header or a query
Oxigraph cannot parse is a DataError naming the file, so it fails the build
instead of vanishing from the API.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import DCTERMS, RDF, RDFS

from kg.checked_queries import checked
from kg.errors import DataError, Problem
from kg.inspection import QueryShape, bare_variable, grammar_nodes, inspect_query, parse_tree
from kg.namespaces import SCHEMA, SH, bind_prefixes, prefix_map
from kg.query_errors import QueryError
from kg.settings import DEFAULT_QUERIES_DIR, PROJECT_ROOT, normalise_base
from kg.store.syntax import check_syntax
from kg.store.terms import XSD, Term, bind_values, check_iri, iri, literal

PARAMETER_TYPES = ("iri", "string", "integer", "decimal", "date", "language")
RESERVED_PARAMETERS = frozenset({"format"})

_NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_VARIABLE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
#: xsd:integer and xsd:decimal as the engine holds them (64-bit integers; decimals of at
#: most 18 digits either side of the point): a longer value is not one it can compare.
_INTEGER_RE = re.compile(r"[+-]?[0-9]{1,18}")
_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]{1,18}(?:\.[0-9]{0,18})?|\.[0-9]{1,18})")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_LANGUAGE_RE = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
_HEADER_KEYS = frozenset({"title", "description", "tags", "params"})
_PARAM_KEYS = frozenset(
    {"name", "type", "class", "default", "example", "required", "description"}
)


class ParameterError(ValueError):
    """A parameter value that does not fit its declared type (HTTP 422).

    The message is English (the API's problem detail); `kind` and `value` let a page
    say it in its own language (kg.service.i18n, "param.*")."""

    def __init__(self, name: str, message: str, kind: str = "invalid",
                 value: str | None = None) -> None:
        super().__init__(f"parameter '{name}': {message}")
        self.name = name
        self.kind = kind
        self.value = value


def _quoted(raw: str) -> str:
    """A client's value quoted in a message, cut short if long."""
    return repr(raw if len(raw) <= 40 else raw[:40] + "…")


def expand_curie(value: str, prefixes: Mapping[str, str]) -> str:
    """'hkg:Indicator' -> full IRI when the prefix is known; anything else unchanged."""
    prefix, colon, local = value.partition(":")
    if colon and prefix in prefixes and not local.startswith("//"):
        return prefixes[prefix] + local
    return value


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a saved query."""

    name: str
    type: str
    classes: tuple[str, ...] = ()
    """For IRIs: the value must be an instance of one of these (full IRIs)."""
    default: str | None = None
    example: str | None = None
    required: bool = False
    description: str | None = None

    def parse(self, raw: str, prefixes: Mapping[str, str]) -> Term:
        """The RDF term for a text value (raises ParameterError naming the parameter and
        holding the value)."""
        try:
            return self._parse(raw, prefixes)
        except ParameterError as error:
            error.value = raw
            raise

    def _parse(self, raw: str, prefixes: Mapping[str, str]) -> Term:
        value = raw.strip()
        if not value:
            raise ParameterError(self.name, "empty value", "empty")
        match self.type:
            case "iri":
                full = expand_curie(value, prefixes)
                if not _IRI_RE.match(full):
                    raise ParameterError(self.name, f"{raw!r} is not an absolute IRI")
                try:  # the engine's own IRI rules
                    check_iri(full)
                except ValueError as exc:
                    raise ParameterError(self.name, f"{raw!r} is not a valid IRI: {exc}") from exc
                return iri(full)
            case "string":
                return literal(value)
            case "integer":
                if not _INTEGER_RE.fullmatch(value):
                    raise ParameterError(self.name, f"{_quoted(raw)} is not an integer of at "
                                                    "most 18 digits")
                return literal(str(int(value)), datatype=XSD + "integer")
            case "decimal":
                if not _DECIMAL_RE.fullmatch(value):
                    raise ParameterError(self.name, f"{_quoted(raw)} is not a decimal number "
                                                    "(at most 18 digits either side of '.')")
                return literal(value.lstrip("+"), datatype=XSD + "decimal")
            case "date":
                if not _DATE_RE.match(value):
                    raise ParameterError(self.name, f"{raw!r} is not a date (YYYY-MM-DD)")
                try:
                    date.fromisoformat(value)
                except ValueError as exc:
                    raise ParameterError(self.name, f"{raw!r} is not a valid date: {exc}") from exc
                return literal(value, datatype=XSD + "date")
            case "language":
                if not _LANGUAGE_RE.match(value):
                    raise ParameterError(self.name, f"{raw!r} is not a language tag (e.g. zh, en)")
                return literal(value.lower())
        raise ParameterError(self.name, f"unknown type {self.type!r}")  # excluded at load


@dataclass(frozen=True)
class SavedQuery:
    """One question of the catalogue, as its file declares it."""

    name: str
    path: Path
    text: str
    """The whole file, header included (the header is SPARQL comments)."""
    form: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    tags: tuple[str, ...]
    params: tuple[Parameter, ...]
    prefixes_used: frozenset[str] = field(default=frozenset())

    def param(self, name: str) -> Parameter | None:
        return next((p for p in self.params if p.name == name), None)

    def bind(self, values: Mapping[str, str], prefixes: Mapping[str, str]) -> dict[str, Term]:
        """Terms for the given values (defaults filled in); unknown names are refused."""
        known = {p.name for p in self.params}
        for name in values:
            if name not in known:
                choices = ", ".join(sorted(known)) or "none"
                raise ParameterError(name, f"unknown parameter (this query takes: {choices})",
                                     "unknown", choices)
        bound: dict[str, Term] = {}
        for p in self.params:
            raw = values.get(p.name)
            if raw is not None and not raw.strip():
                raise ParameterError(p.name, "empty value (leave the parameter out for its "
                                             "default)", "empty")
            raw = p.default if raw is None else raw
            if raw is None or raw == "":
                if p.required:
                    raise ParameterError(p.name, "required, but no value was given", "required")
                continue
            bound[p.name] = p.parse(raw, prefixes)
        return bound

    def bound_text(self, bound: Mapping[str, Term]) -> str:
        """The query (header included) with its parameters bound portably: each written
        as a term in place of its variable (kg.store.terms.bind_values)."""
        return bind_values(self.text, bound)

    def sparql_with_prefixes(self, prefixes: Mapping[str, str]) -> str:
        """The query with PREFIX lines for the predeclared prefixes it uses (self-contained)."""
        lines = [f"PREFIX {p}: <{prefixes[p]}>" for p in sorted(self.prefixes_used)
                 if p in prefixes]
        return "\n".join(lines) + ("\n" if lines else "") + self.body

    @property
    def body(self) -> str:
        """The query text without its header lines."""
        return "".join(line for line in self.text.splitlines(keepends=True)
                       if not line.startswith("#+"))


class Catalogue(Mapping[str, SavedQuery]):
    """The saved queries by name, in file-name order."""

    def __init__(self, queries: list[SavedQuery], base: str) -> None:
        self._queries = {q.name: q for q in queries}
        self.base = base
        self.prefixes = prefix_map(base)

    def __getitem__(self, name: str) -> SavedQuery:
        return self._queries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)


def load_catalogue(queries_dir: Path | None = None, base: str | None = None) -> Catalogue:
    """Read and check every saved query (raises DataError listing each broken file)."""
    folder = Path(queries_dir or DEFAULT_QUERIES_DIR)
    base = normalise_base(base)
    prefixes = prefix_map(base)
    problems: list[Problem] = []
    queries = []
    for path in sorted(folder.glob("*.rq")):
        try:
            stat = path.stat()
            queries.append(_read_checked(path, stat.st_mtime_ns, stat.st_size,
                                         tuple(sorted(prefixes.items()))))
        except _QueryFileError as error:
            problems.extend(Problem(shown_path(path), None, m) for m in error.messages)
    if problems:
        raise DataError(problems)
    return Catalogue(queries, base)


@lru_cache(maxsize=256)
def _read_checked(path: Path, mtime_ns: int, size: int,
                  prefixes: tuple[tuple[str, str], ...]) -> SavedQuery:
    """A saved query read and checked once per version of its file (the check parses it
    with two SPARQL parsers, which every app and command would otherwise repeat): once
    per process here, once per content on disk (kg.checked_queries)."""
    return checked(path, dict(prefixes), read_saved_query, saved_query_json,
                   saved_query_from_json)


def saved_query_json(query: SavedQuery) -> dict[str, Any]:
    """What a check found, as JSON (its path aside), for kg.checked_queries."""
    return {"name": query.name, "text": query.text, "form": query.form,
            "title": dict(query.title), "description": dict(query.description),
            "tags": list(query.tags), "prefixes_used": sorted(query.prefixes_used),
            "params": [{"name": p.name, "type": p.type, "classes": list(p.classes),
                        "default": p.default, "example": p.example, "required": p.required,
                        "description": p.description} for p in query.params]}


def saved_query_from_json(data: Mapping[str, Any], path: Path) -> SavedQuery:
    """The saved query saved_query_json wrote, read from path."""
    params = tuple(Parameter(p["name"], p["type"], tuple(p["classes"]), p["default"],
                             p["example"], bool(p["required"]), p["description"])
                   for p in data["params"])
    return SavedQuery(data["name"], path, data["text"], data["form"], dict(data["title"]),
                      dict(data["description"]), tuple(data["tags"]), params,
                      frozenset(data["prefixes_used"]))


class _QueryFileError(Exception):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def shown_path(path: Path) -> str:
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def read_saved_query(path: Path, prefixes: Mapping[str, str]) -> SavedQuery:
    """One .rq file, checked: name, header, parameters, and the query itself."""
    name = path.stem
    text = path.read_text(encoding="utf-8")
    errors: list[str] = []
    if not _NAME_RE.match(name):
        errors.append(f"file name {path.name!r} is not the question in kebab-case")
    header_text = "\n".join(line[2:].removeprefix(" ") for line in text.splitlines()
                            if line.startswith("#+"))
    try:
        header = yaml.safe_load(header_text) if header_text.strip() else None
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date such as 2025-13-45
        raise _QueryFileError([f"header is not valid YAML: {exc}"]) from exc
    if not isinstance(header, dict):
        raise _QueryFileError(["no '#+ ' header (title, description, tags, params) at the top"])
    errors += [f"unknown header key {k!r} (expected: {', '.join(sorted(_HEADER_KEYS))})"
               for k in header if k not in _HEADER_KEYS]
    title = _language_map(header.get("title"), "title", errors, required=("zh", "en"))
    description = _language_map(header.get("description"), "description", errors,
                                 required=("en",))
    tags = header.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        errors.append("tags: expected a list of words")
        tags = []
    try:
        tree = parse_tree(text)
        pitfalls = _substitution_pitfalls(tree, header.get("params") or [])
        shape: QueryShape | None = inspect_query(text, None, prefixes, tree=tree)
    except QueryError as exc:
        errors.append(f"the query does not parse: {exc}")
        shape, pitfalls = None, []
    variables = set(shape.variables) if shape else set()
    params = tuple(_parameter(item, i, variables, prefixes, errors)
                   for i, item in enumerate(header.get("params") or []))
    names = [p.name for p in params]
    errors += [f"parameter {n!r} is declared twice" for n in sorted(set(names))
               if names.count(n) > 1]
    if shape is None:
        raise _QueryFileError(errors)
    if shape.uses_service or shape.form not in _EXECUTABLE_TYPES:
        errors.append("a saved query must be a SELECT, ASK or CONSTRUCT query without SERVICE")
    errors += pitfalls
    try:
        check_syntax(text, prefixes=prefixes)
    except SyntaxError as exc:
        errors.append(f"the query does not parse: {exc}")
    else:
        errors += _binding_problems(text, params, prefixes)
    if errors:
        raise _QueryFileError(errors)
    return SavedQuery(name, path, text, shape.form, title, description,
                      tuple(tags), params, shape.prefixes_used)


def _substitution_pitfalls(tree: Any, declared: list[Any]) -> list[str]:
    """Uses of a parameter that Oxigraph's substitution does not honour.

    A substituted variable is replaced in patterns and expressions, but BOUND(?x)
    stays false and BIND(?x AS ?y) leaves ?y unbound; COALESCE(?x, ...) works.
    """
    names = {str(item.get("name")) for item in declared if isinstance(item, dict)}
    problems = []
    for node in grammar_nodes(tree):
        if node.name == "Builtin_BOUND":
            variable, use = str(node["arg"]), "BOUND"
        elif node.name == "Bind":
            variable, use = bare_variable(node["expr"]) or "", "BIND"
        else:
            continue
        if variable in names:
            problems.append(f"{use}(?{variable}...) does not see a bound parameter; "
                            f"use COALESCE(?{variable}, ...) instead")
    return problems


def _binding_problems(text: str, params: tuple[Parameter, ...],
                      prefixes: Mapping[str, str]) -> list[str]:
    """Bind every parameter (its example, else a value of its type) and let Oxigraph check."""
    dummies = {"iri": "urn:example:x", "string": "x", "integer": "1", "decimal": "1.5",
               "date": "2025-01-01", "language": "en"}
    try:
        values = {p.name: p.parse(p.example or p.default or dummies[p.type], prefixes)
                  for p in params if p.type in dummies}
    except ParameterError:
        return []  # already reported with the parameter
    try:
        check_syntax(bind_values(text, values), prefixes=prefixes)
        check_syntax(text, prefixes=prefixes, substitutions=values)
    except (RuntimeError, ValueError, SyntaxError) as exc:
        return [f"the parameters cannot be bound ({exc}); every parameter must be a "
                "variable of the top-level SELECT (and grouped, if the query aggregates)"]
    return []


def _language_map(value: Any, key: str, errors: list[str], required: tuple[str, ...]) -> dict[
        str, str]:
    if isinstance(value, str) and key == "description":
        return {"en": value.strip()}
    if not isinstance(value, dict):
        errors.append(f"{key}: expected a mapping of languages ({', '.join(required)}) to text")
        return {}
    found = {str(k): str(v).strip() for k, v in value.items() if v}
    errors += [f"{key}: missing the {lang!r} text" for lang in required if lang not in found]
    return found


def _parameter(item: Any, index: int, variables: set[str], prefixes: Mapping[str, str],
               errors: list[str]) -> Parameter:
    where = f"params[{index}]"
    if not isinstance(item, dict):
        errors.append(f"{where}: expected a mapping with name and type")
        return Parameter(f"?{index}", "string")
    name, kind = str(item.get("name", "")), str(item.get("type", ""))
    where = f"parameter {name!r}" if name else where
    errors += [f"{where}: unknown key {k!r}" for k in item if k not in _PARAM_KEYS]
    if not _VARIABLE_RE.match(name) or name in RESERVED_PARAMETERS:
        errors.append(f"{where}: the name must be a SPARQL variable name other than 'format'")
    elif name not in variables:
        errors.append(f"{where}: the query never uses ?{name}")
    if kind not in PARAMETER_TYPES:
        errors.append(f"{where}: type {kind!r} is not one of {', '.join(PARAMETER_TYPES)}")
    classes = item.get("class") or ()
    classes = (classes,) if isinstance(classes, str) else tuple(classes)
    if classes and kind != "iri":
        errors.append(f"{where}: only iri parameters can have a class")
    param = Parameter(
        name, kind,
        classes=tuple(expand_curie(str(c), prefixes) for c in classes),
        default=None if item.get("default") is None else str(item["default"]),
        example=None if item.get("example") is None else str(item["example"]),
        required=bool(item.get("required", False)),
        description=item.get("description"),
    )
    if kind in PARAMETER_TYPES:
        for key in ("default", "example"):
            value = getattr(param, key)
            if value is not None:
                try:
                    param.parse(value, prefixes)
                except ParameterError as exc:
                    errors.append(f"{where}: {key}: {exc}")
    if param.required and param.example is None:
        errors.append(f"{where}: a required parameter needs an example")
    return param


# ---------------------------------------------------------------- as RDF

def query_iri(base: str, name: str) -> str:
    """IRI of a saved query in the catalogue (it dereferences to the query's page)."""
    return f"{base}query/{name}"


_EXECUTABLE_TYPES = {
    "SELECT": (SH.SPARQLSelectExecutable, SH.select),
    "ASK": (SH.SPARQLAskExecutable, SH.ask),
    "CONSTRUCT": (SH.SPARQLConstructExecutable, SH.construct),
}


def catalogue_graph(catalogue: Catalogue, endpoint: str | None = None) -> Graph:
    """The catalogue as RDF, in the style of the SIB sparql-examples (SHACL executables)."""
    g = Graph()
    bind_prefixes(g.namespace_manager, catalogue.base)
    for q in catalogue.values():
        s = URIRef(query_iri(catalogue.base, q.name))
        kind, prop = _EXECUTABLE_TYPES[q.form]
        g.add((s, RDF.type, SH.SPARQLExecutable))
        g.add((s, RDF.type, kind))
        g.add((s, DCTERMS.identifier, RdfLiteral(q.name)))
        for lang, text in q.title.items():
            g.add((s, RDFS.label, RdfLiteral(text, lang=lang)))
        for lang, text in q.description.items():
            g.add((s, RDFS.comment, RdfLiteral(text, lang=lang)))
        for tag in q.tags:
            g.add((s, SCHEMA.keywords, RdfLiteral(tag)))
        g.add((s, prop, RdfLiteral(q.sparql_with_prefixes(catalogue.prefixes))))
        if endpoint:
            g.add((s, SCHEMA.target, URIRef(endpoint)))
    return g
