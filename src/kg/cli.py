"""The `kg` command line: build, validate, query, export, synth, load, stats, coverage, serve."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from kg.errors import KgError
from kg.settings import Settings, client_share

GRAPH_FORMAT_NAMES = ("ttl", "nt", "nq", "trig", "jsonld", "xml")

DATA_OPTION = click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Curated data folder (default: $KG_DATA_DIR or the project's data/).",
)
LOCATION_OPTION = click.option(
    "--location", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Embedded store folder (default: $KG_LOCATION or var/kg in the project).",
)
BASE_OPTION = click.option(
    "--base-iri", default=None, help="Base of data IRIs (default: $KG_BASE_IRI or w3id.org).",
)
SEEDS_OPTION = click.option(
    "--seeds", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder of source articles (default: $KG_SEEDS or ../shared/seeds).",
)
STORE_OPTION = click.option(
    "--store", "store_url", default=None, metavar="URL",
    help="SPARQL 1.1 query endpoint of an external server to use instead of the embedded "
         "store (default: $KG_STORE_URL).",
)
GSP_OPTION = click.option(
    "--gsp", "gsp_url", default=None, metavar="URL",
    help="Graph Store Protocol endpoint of that server (default: $KG_GSP_URL).",
)


def settings_from(**options: object) -> Settings:
    """The settings: environment (KG_*) and defaults, overridden by the options given."""
    from pydantic import ValidationError as SettingsError

    try:
        return Settings().with_options(**options)
    except SettingsError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}"
                             for e in error.errors())
        click.echo(f"error: settings: {problems}", err=True)
        sys.exit(1)


@click.group()
@click.version_option(package_name="kg")
def main() -> None:
    """Knowledge graph of China's 2025 health-policy facts."""


def fail(error: KgError | str) -> NoReturn:
    """Report an input error for people (one line per problem) and exit 1, no traceback."""
    for line in str(error).splitlines() or [type(error).__name__]:
        click.echo(f"error: {line}", err=True)
    sys.exit(1)


@main.command()
@DATA_OPTION
@SEEDS_OPTION
def validate(data_dir: Path | None, seeds: Path | None) -> None:
    """Check data and shapes exactly as `kg build` does, without writing the store."""
    from kg.build import build as run_build

    settings = settings_from(data_dir=data_dir, seeds=seeds)
    try:
        summary = run_build(settings.data_dir, settings.seeds, publish=False)
    except KgError as error:
        fail(error)
    for result in summary.shapes.results:
        if result.severity != "Violation":
            click.echo(f"{result.severity.lower()}: {result.focus} {result.path or ''}: "
                       f"{result.message}", err=True)
    claims = ", ".join(f"{n} {k}" for k, n in sorted(summary.claims.items()))
    shapes = summary.shapes
    click.echo(f"ok: {sum(summary.entities.values())} entities; claims: {claims}; "
               f"SHACL: {shapes.violations} violations, {shapes.warnings} warnings")


@main.command()
@DATA_OPTION
@SEEDS_OPTION
@LOCATION_OPTION
@BASE_OPTION
def build(data_dir: Path | None, seeds: Path | None, location: Path | None,
          base_iri: str | None) -> None:
    """Build the graph and publish it atomically to the embedded store."""
    from kg.build import build as run_build

    settings = settings_from(data_dir=data_dir, seeds=seeds, location=location,
                             base_iri=base_iri)
    try:
        summary = run_build(settings.data_dir, settings.seeds, settings.location,
                            settings.base_iri)
    except KgError as error:
        fail(error)
    click.echo("\n".join(summary.lines()))


@main.command()
@click.argument("sparql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml"]),
              default="table", show_default=True, help="Output format of SELECT/ASK results.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Parameter of a saved query (repeatable); others take their defaults.")
@LOCATION_OPTION
@STORE_OPTION
def query(sparql: str, fmt: str, params: tuple[str, ...], location: Path | None,
          store_url: str | None) -> None:
    """Run a SPARQL query (text, a .rq file, or a saved query's name) on the built store.

    A saved query (`task-scorecard` or `queries/task-scorecard.rq`) runs with its
    parameters: those given with --param, the others at their declared defaults.
    """
    from kg.querying import (
        QueryArgumentError,
        format_result,
        parse_params,
        read_query_text,
        run_query,
        run_saved_query,
        saved_query_name,
    )

    settings = settings_from(location=location, store_url=store_url)
    try:
        values = parse_params(params)
        name = saved_query_name(sparql, settings.queries_dir)
        if name is not None:
            result = run_saved_query(name, values, settings)
        elif values:
            raise QueryArgumentError(
                f"--param applies only to saved queries; {sparql!r} is not one")
        else:
            result = run_query(read_query_text(sparql), settings)
        click.echo(format_result(result, fmt), nl=False)
    except KgError as error:
        fail(error)


@main.command()
@click.option("--format", "fmt", type=click.Choice(sorted(GRAPH_FORMAT_NAMES)), required=True,
              help="RDF format of the dump.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write ('-' for standard output).")
@LOCATION_OPTION
@STORE_OPTION
@GSP_OPTION
def export(fmt: str, output: Path, location: Path | None, store_url: str | None,
           gsp_url: str | None) -> None:
    """Dump the whole graph; quad formats keep the named graphs."""
    from kg.formats import GRAPH_FORMATS
    from kg.store import open_store

    settings = settings_from(location=location, store_url=store_url, gsp_url=gsp_url)
    try:
        data = open_store(settings).dump(GRAPH_FORMATS[fmt])
    except KgError as error:
        fail(error)
    if str(output) == "-":
        sys.stdout.buffer.write(data)
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        fail(f"--output {output}: cannot write: {exc.strerror or exc}")
    click.echo(f"wrote {len(data)} bytes to {output}", err=True)



@main.command()
@click.option("--triples", type=click.IntRange(min=1), required=True,
              help="About how many triples to write (it stops after the claim that reaches it).")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Random seed (same seed, same file).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="N-Quads file to write (.nq, or .nq.gz compressed).")
@BASE_OPTION
def synth(triples: int, seed: int, output: Path, base_iri: str | None) -> None:
    """Write deterministic synthetic national-scale data (N-Quads) that meets the shapes."""
    from kg.namespaces import base_iri as resolve_base
    from kg.synth import synthesise

    if not output.name.endswith((".nq", ".nq.gz")):
        fail(KgError(f"{output}: --output must end in .nq or .nq.gz"))
    try:
        written = synthesise(triples, seed, output, resolve_base(base_iri))
    except OSError as error:
        fail(KgError(f"{output}: cannot write: {error.strerror or error}"))
    click.echo(f"wrote {written} quads to {output}", err=True)


@main.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, exists=True, path_type=Path))
@LOCATION_OPTION
@BASE_OPTION
@click.option("--lenient", is_flag=True,
              help="Skip IRI and language-tag checks while parsing (~20% faster), for files "
                   "kg wrote itself (kg export, kg synth).")
def load(files: tuple[Path, ...], location: Path | None, base_iri: str | None,
         lenient: bool) -> None:
    """Load ready RDF (.nt .nq .ttl .trig, optionally .gz) as a new validated store release."""
    from kg.loading import load_release
    from kg.shapes_sparql import compile_shapes

    total = sum(f.stat().st_size for f in files)
    try:
        checks = compile_shapes()
        with (click.progressbar(length=total, label="loading   ", file=sys.stderr) as loading,
              click.progressbar(length=len(checks), label="validating", file=sys.stderr) as shacl):
            summary = load_release(list(files), location, base_iri, on_bytes=loading.update,
                                   on_check=lambda _: shacl.update(1), checks=checks,
                                   lenient=lenient)
    except KgError as error:
        fail(error)
    click.echo("\n".join(summary.lines()))

@main.command()
@LOCATION_OPTION
@STORE_OPTION
def stats(location: Path | None, store_url: str | None) -> None:
    """Triples per graph, entities per class and claims per kind of the store."""
    from kg.querying import store_stats

    try:
        click.echo(store_stats(settings_from(location=location, store_url=store_url)), nl=False)
    except KgError as error:
        fail(error)


@main.command()
@LOCATION_OPTION
@click.option("--store", "store_url", required=True, metavar="URL",
              help="SPARQL 1.1 query endpoint of the server (to list what it holds).")
@click.option("--gsp", "gsp_url", default=None, metavar="URL",
              help="Its Graph Store Protocol endpoint (default: $KG_GSP_URL, else the query "
                   "URL with /query replaced by /store, as Oxigraph server has it).")
def push(location: Path | None, store_url: str, gsp_url: str | None) -> None:
    """Load the built, validated named graphs into a SPARQL server (GSP PUT per graph)."""
    from kg.store import EmbeddedStore, open_store

    settings = settings_from(location=location, store_url=store_url, gsp_url=gsp_url)
    if settings.gsp_url is None and store_url.endswith("/query"):
        settings = settings.with_options(gsp_url=store_url.removesuffix("/query") + "/store")
    if settings.gsp_url is None:
        raise click.UsageError("--gsp URL is needed (the server's Graph Store Protocol endpoint)")
    try:
        built = EmbeddedStore.open(settings.location)
        graphs = {name: built.read_graph(name) for name in built.named_graphs()}
        target = open_store(settings)
        where = target.publish(graphs, built.manifest)
        sizes = target.graph_sizes()
    except KgError as error:
        fail(error)
    total = sum(sizes.get(g, 0) for g in graphs)
    click.echo(f"pushed version {built.version}: {where}, {total} triples -> {settings.gsp_url}")
    missing = [g for g in graphs if g not in sizes]
    if missing:
        fail(KgError(f"{store_url}: graphs not found after the push: {', '.join(missing)}"))


@main.command()
@click.option("--source", "sources", multiple=True, metavar="ID",
              help="Only this source (e.g. 002); repeatable. Default: all.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
@DATA_OPTION
@SEEDS_OPTION
def coverage(sources: tuple[str, ...], as_json: bool, data_dir: Path | None,
             seeds: Path | None) -> None:
    """List numbers and 《titles》 in the sources that no claim's evidence covers."""
    from kg.coverage import coverage_main

    try:
        sys.exit(coverage_main(sources, as_json, data_dir, seeds))
    except KgError as error:
        fail(error)


@main.command("new-source")
@click.argument("article", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "source_id", default=None, metavar="NNN",
              help="Source id (default: the file name's NNN_ prefix, else the next free one).")
@DATA_OPTION
@SEEDS_OPTION
def new_source(article: Path, source_id: str | None, data_dir: Path | None,
               seeds: Path | None) -> None:
    """Scaffold data/facts/NNN.yaml for a new article (id, file, SHA-256, title, date)."""
    from kg.datafiles import DEFAULT_DATA_DIR
    from kg.scaffold import new_source as scaffold
    from kg.scaffold import next_steps
    from kg.sources import source_folders

    try:
        done = scaffold(article, data_dir or DEFAULT_DATA_DIR, source_folders(seeds),
                        source_id)
    except KgError as error:
        fail(error)
    click.echo("\n".join(next_steps(done)))


@main.command()
@LOCATION_OPTION
@click.option("--data", "data", multiple=True, type=click.Path(dir_okay=False, exists=True,
              path_type=Path), metavar="FILE",
              help="Serve these RDF files (ttl nt nq trig jsonld rdf) in memory instead of the "
                   "built store; repeatable, and more files may follow as arguments.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port.")
@click.option("--base-url", default=None,
              help="Public URL of this server; data IRIs are served below it "
                   "(default: the URL each request was sent to).")
@click.option("--timeout", default=None, type=click.FloatRange(min=0.01),
              help="Time limit of one query, in seconds (then 503; default: $KG_TIMEOUT or 10).")
@click.option("--workers", default=None, type=click.IntRange(min=1),
              help="Query worker processes (default: $KG_WORKERS, else CPU count, at least 2).")
@click.option("--max-rows", default=None, type=click.IntRange(min=1),
              help="Most solutions or triples per answer (more are cut, X-KG-Truncated: true; "
                   "default: $KG_MAX_ROWS or 50000).")
@STORE_OPTION
@click.option("--union-default-graph/--no-union-default-graph", default=None,
              help="Query the union of all graphs as the default graph "
                   "(default: on for the built store, off for --data files).")
def serve(location: Path | None, data: tuple[Path, ...], files: tuple[Path, ...], host: str,
          port: int, base_url: str | None, timeout: float | None, workers: int | None,
          max_rows: int | None, store_url: str | None, union_default_graph: bool | None) -> None:
    """Serve the graph over HTTP: /sparql, /api/queries, entity pages, /downloads."""
    from kg.namespaces import prefix_map
    from kg.service.dataset import DatasetSource
    from kg.service.executor import QueryExecutor

    paths = (*data, *files)
    if files and not data:
        raise click.UsageError("files to serve go after --data")
    if store_url and paths:
        raise click.UsageError("--store and --data are two different datasets: give one")
    settings = settings_from(location=location, timeout=timeout, workers=workers,
                             max_rows=max_rows, store_url=store_url)
    source = DatasetSource.from_settings(settings, paths, union_default_graph)
    timeout, workers, max_rows = settings.timeout, settings.worker_count, settings.max_rows
    from kg.service.listener import ConnectionLimits, bind_listener, serve_on

    try:
        # before the workers load anything: a busy port fails at once
        listener = bind_listener(host, port)
    except KgError as error:
        fail(error)
    try:
        # the query workers load the dataset while this process imports the web stack
        executor = QueryExecutor(source, workers=workers, timeout=timeout,
                                 prefixes=prefix_map(source.base_iri()),
                                 max_query_chars=settings.max_request_bytes,
                                 client_cap=client_share(settings.client_queries, workers),
                                 memory_limit=settings.worker_memory)
    except KgError as error:
        fail(error)
    executor.launch()

    from kg.service.app import create_app
    from kg.service.context import ServiceConfig

    config = ServiceConfig(source=source, base_url=base_url, timeout=timeout, max_rows=max_rows,
                           workers=workers, queries_dir=settings.queries_dir,
                           max_request_bytes=settings.max_request_bytes,
                           cache_bytes=settings.cache_bytes,
                           client_queries=settings.client_queries,
                           worker_memory=settings.worker_memory)
    try:
        app = create_app(config, executor)
    except KgError as error:
        executor.terminate()
        fail(error)
    serve_on(app, listener, base_url, ConnectionLimits.from_settings(settings))

@main.command()
@click.argument("article", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--source-id", required=True, help="Id of the new source (e.g. 005).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Draft fact file to write (its proposals go to NAME.review.yaml); "
                   "default: the fact file on standard output.")
@click.option("--compare", "compare_with",
              type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Reviewed fact file of the article: recompute the draft with the registry "
                   "as it stood before the article and print the reviewer effort (candidates "
                   "kept, edited, deleted; claims added) instead of the draft.")
@DATA_OPTION
def extract(article: Path, source_id: str, output: Path | None, compare_with: Path | None,
            data_dir: Path | None) -> None:
    """Draft a fact file of candidate claims from a new article (UTF-8 text) for review."""
    from kg.extract.cli import extract_main

    try:
        extract_main(article, source_id, output, data_dir, compare_with)
    except KgError as error:
        fail(error)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@DATA_OPTION
def diff(file: Path, data_dir: Path | None) -> None:
    """What a new or changed fact file adds to the published graph."""
    from kg.extract.diff import diff_main

    try:
        diff_main(file, data_dir)
    except KgError as error:
        fail(error)


if __name__ == "__main__":
    main()
