"""Running SPARQL on the built store for the command line, and printing results."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError
from kg.inspection import check_query_safety, check_size, inspect_query
from kg.namespaces import prefix_map
from kg.settings import Settings
from kg.sparql_lexer import canonicalise
from kg.store import GraphStore, QueryDataset, open_store


class QueryArgumentError(KgError):
    """A query argument of the command line that cannot be used (a file, a --param)."""


def read_query_text(argument: str) -> str:
    """The query itself, or the contents of the .rq file it names."""
    path = Path(argument)
    if argument.endswith((".rq", ".sparql")) or (len(argument) < 300 and path.is_file()):
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise QueryArgumentError(
                f"{argument}: cannot read query file: {exc.strerror or exc}") from exc
    return argument


@dataclass(frozen=True)
class CommandResult:
    """A query's answer for the command line: its form and the store that answers it."""

    store: GraphStore
    text: str
    form: str
    prefixes: dict[str, str]
    dataset: QueryDataset


def run_query(text: str, settings: Settings) -> CommandResult:
    """Check a query with the project's prefixes predeclared, under the service's policy
    (read-only, no SERVICE, no graph outside the store), from a real parse of its
    canonical text, which is what runs when its result is formatted."""
    store = open_store(settings)
    prefixes = prefix_map(store.manifest.get("base_iri") or settings.base)
    return _checked(store, text, prefixes)


def _checked(store: GraphStore, text: str, prefixes: dict[str, str]) -> CommandResult:
    check_size(text)
    canonical = canonicalise(text)
    shape = inspect_query(canonical, None, prefixes)
    check_query_safety(shape, frozenset(store.named_graphs()))
    return CommandResult(store, canonical.text, shape.form, prefixes,
                         QueryDataset(from_text=bool(shape.from_graphs)))


def format_result(result: CommandResult, fmt: str) -> str:
    """Results as a text table, or serialised by the store (csv, tsv, json, xml); graphs
    as Turtle."""
    store, text, prefixes = result.store, result.text, result.prefixes
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        return store.answer(text, results_format=None, graph_format="ttl",
                            dataset=result.dataset, prefixes=prefixes).body.decode()
    if fmt != "table":
        return store.answer(text, results_format=fmt, graph_format=None,
                            dataset=result.dataset, prefixes=prefixes).body.decode()
    data = json.loads(store.answer(text, results_format="json", graph_format=None,
                                   dataset=result.dataset, prefixes=prefixes).body)
    if "boolean" in data:
        return f"{bool(data['boolean'])}\n"
    names = data["head"].get("vars", [])
    rows = [[b[n]["value"] if n in b else "" for n in names]
            for b in data.get("results", {}).get("bindings", [])]
    widths = [max([_width(n), *(_width(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = [" | ".join(_pad(n, w) for n, w in zip(names, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _width(text: str) -> int:
    """Columns a text takes in a terminal: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def store_stats(settings: Settings) -> str:
    """A short report of the store, read from the store itself."""
    store = open_store(settings)
    lines = [f"version {store.version} (built {store.manifest.get('built_at', '?')})",
             "triples per graph:"]
    sizes = store.graph_sizes()
    lines += [f"  {n:>7}  {g}" for g, n in sorted(sizes.items())]
    lines.append(f"  {sum(sizes.values()):>7}  total")
    prefixes = prefix_map(store.manifest.get("base_iri") or settings.base)
    for title, sparql in (
        ("entities per class", "SELECT ?k (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?k } "
         "FILTER(STRENDS(STR(?g), 'graph/entities')) } GROUP BY ?k ORDER BY ?k"),
        ("claims per class", "SELECT ?k (COUNT(?s) AS ?n) WHERE { ?s a ?k . ?k rdfs:subClassOf "
         "hkg:Claim } GROUP BY ?k ORDER BY ?k"),
    ):
        lines.append(f"{title}:")
        rows = store.select(sparql, prefixes=prefixes)
        lines += [f"  {int(r['n'].value):>7}  {r['k'].value}" for r in rows]
    return "\n".join(lines) + "\n"


def saved_query_name(argument: str, queries_dir: Path | None = None) -> str | None:
    """The saved query an argument names: `task-scorecard` or `queries/task-scorecard.rq`."""
    from kg.catalogue import DEFAULT_QUERIES_DIR

    folder = Path(queries_dir or DEFAULT_QUERIES_DIR)
    if (folder / f"{argument}.rq").is_file():
        return argument
    path = Path(argument)
    if path.suffix == ".rq" and path.is_file() and path.resolve().parent == folder.resolve():
        return path.stem
    return None


def run_saved_query(name: str, params: dict[str, str], settings: Settings) -> CommandResult:
    """A saved query by name with its parameters bound, defaults filled in."""
    from kg.catalogue import ParameterError, load_catalogue

    store = open_store(settings)
    catalogue = load_catalogue(settings.queries_dir,
                               base=store.manifest.get("base_iri") or settings.base)
    saved = catalogue[name]
    try:
        bound = saved.bind(params, catalogue.prefixes)
    except ParameterError as exc:
        raise QueryArgumentError(f"{name}: {exc}") from exc
    return _checked(store, saved.bound_text(bound), dict(catalogue.prefixes))


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    """`--param k=v` pairs as a mapping; a pair without '=' is an error naming it."""
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise QueryArgumentError(f"--param {pair!r}: expected NAME=VALUE")
        params[key] = value
    return params
