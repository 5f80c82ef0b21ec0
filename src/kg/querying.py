"""Running SPARQL on the built store for the command line, and printing results."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

from pyoxigraph import QueryBoolean, QuerySolutions, QueryTriples

from kg.errors import KgError
from kg.formats import GRAPH_FORMATS, RESULTS_FORMATS
from kg.inspection import check_query_safety, check_size, inspect_query
from kg.namespaces import base_iri, prefix_map
from kg.query_errors import QuerySyntaxError
from kg.store import EmbeddedStore, QueryResult


class QueryError(KgError):
    """A query file that cannot be read."""


def read_query_text(argument: str) -> str:
    """The query itself, or the contents of the .rq file it names."""
    path = Path(argument)
    if argument.endswith((".rq", ".sparql")) or (len(argument) < 300 and path.is_file()):
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise QueryError(f"{argument}: cannot read query file: {exc.strerror or exc}") from exc
    return argument


def run_query(text: str, location: Path | None = None) -> QueryResult:
    """Run a query with the project's prefixes predeclared, under the service's policy
    (read-only, no SERVICE, no graph outside the store), checked from a real parse."""
    store = EmbeddedStore.open(location)
    prefixes = prefix_map(store.manifest.get("base_iri") or base_iri())
    check_size(text)
    shape = inspect_query(text, None, prefixes)
    check_query_safety(shape, frozenset(store.named_graphs()))
    try:
        return store.query(text, prefixes=prefixes, union_default_graph=not shape.from_graphs)
    except SyntaxError as exc:
        raise QuerySyntaxError(f"malformed query: {exc}") from exc


def format_result(result: QueryResult, fmt: str) -> str:
    """Results as a text table, or serialised by Oxigraph (csv, tsv, json, xml)."""
    if isinstance(result, QueryTriples):
        out = io.BytesIO()
        result.serialize(out, format=GRAPH_FORMATS["ttl"].oxigraph)
        return out.getvalue().decode()
    if fmt != "table":
        out = io.BytesIO()
        result.serialize(out, format=RESULTS_FORMATS[fmt].oxigraph)
        return out.getvalue().decode()
    if isinstance(result, QueryBoolean):
        return f"{bool(result)}\n"
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    rows = [[_cell(solution[n]) for n in names] for solution in result]
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


def _cell(term: object) -> str:
    return "" if term is None else getattr(term, "value", str(term))


def store_stats(location: Path | None = None) -> str:
    """A short report of the built store, read from the store itself."""
    store = EmbeddedStore.open(location)
    lines = [f"version {store.version} (built {store.manifest.get('built_at', '?')})",
             "triples per graph:"]
    sizes = store.graph_sizes()
    lines += [f"  {n:>7}  {g}" for g, n in sorted(sizes.items())]
    lines.append(f"  {sum(sizes.values()):>7}  total")
    for title, sparql in (
        ("entities per class", "SELECT ?k (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?k } "
         "FILTER(STRENDS(STR(?g), 'graph/entities')) } GROUP BY ?k ORDER BY ?k"),
        ("claims per class", "SELECT ?k (COUNT(?s) AS ?n) WHERE { ?s a ?k . ?k rdfs:subClassOf "
         "hkg:Claim } GROUP BY ?k ORDER BY ?k"),
    ):
        lines.append(f"{title}:")
        result = store.query(sparql, prefixes=prefix_map(store.manifest.get("base_iri", "")))
        lines += [f"  {int(r['n'].value):>7}  {r['k'].value}" for r in result]
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


def run_saved_query(name: str, params: dict[str, str], location: Path | None = None
                    ) -> QueryResult:
    """Run a saved query by name with its parameters, defaults filled in."""
    from kg.catalogue import ParameterError, load_catalogue

    store = EmbeddedStore.open(location)
    catalogue = load_catalogue(base=store.manifest.get("base_iri") or base_iri())
    saved = catalogue[name]
    try:
        bound = saved.bind(params, catalogue.prefixes)
    except ParameterError as exc:
        raise QueryError(f"{name}: {exc}") from exc
    return store.query(saved.sparql_with_prefixes(catalogue.prefixes), substitutions=bound)


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    """`--param k=v` pairs as a mapping; a pair without '=' is an error naming it."""
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise QueryError(f"--param {pair!r}: expected NAME=VALUE")
        params[key] = value
    return params
