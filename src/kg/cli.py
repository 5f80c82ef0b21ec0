"""The `kg` command line: build, validate, query, export, synth, load, stats, coverage, serve."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.errors import KgError

GRAPH_FORMAT_NAMES = ("ttl", "nt", "nq", "trig", "jsonld", "xml")

DATA_OPTION = click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Curated data folder (default: the project's data/).",
)
LOCATION_OPTION = click.option(
    "--location", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Store folder (default: var/kg in the project).",
)
BASE_OPTION = click.option(
    "--base-iri", default=None, help="Base of data IRIs (default: $KG_BASE_IRI or w3id.org).",
)
SEEDS_OPTION = click.option(
    "--seeds", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder of source articles (default: $KG_SEEDS or ../shared/seeds).",
)


@click.group()
@click.version_option(package_name="kg")
def main() -> None:
    """Knowledge graph of China's 2025 health-policy facts."""


def fail(error: KgError) -> None:
    """Report an input error for people and exit non-zero, without a traceback."""
    click.echo(f"error: {error}", err=True)
    sys.exit(1)


@main.command()
@DATA_OPTION
@SEEDS_OPTION
def validate(data_dir: Path | None, seeds: Path | None) -> None:
    """Check data and shapes exactly as `kg build` does, without writing the store."""
    from kg.build import build as run_build

    try:
        summary = run_build(data_dir, seeds, publish=False)
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

    try:
        summary = run_build(data_dir, seeds, location, base_iri)
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
def query(sparql: str, fmt: str, params: tuple[str, ...], location: Path | None) -> None:
    """Run a SPARQL query (text, a .rq file, or a saved query's name) on the built store.

    A saved query (`task-scorecard` or `queries/task-scorecard.rq`) runs with its
    parameters: those given with --param, the others at their declared defaults.
    """
    from kg.querying import (
        QueryError,
        format_result,
        parse_params,
        read_query_text,
        run_query,
        run_saved_query,
        saved_query_name,
    )

    try:
        values = parse_params(params)
        name = saved_query_name(sparql)
        if name is not None:
            result = run_saved_query(name, values, location)
        elif values:
            raise QueryError(f"--param applies only to saved queries; {sparql!r} is not one")
        else:
            result = run_query(read_query_text(sparql), location)
        click.echo(format_result(result, fmt), nl=False)
    except KgError as error:
        fail(error)


@main.command()
@click.option("--format", "fmt", type=click.Choice(sorted(GRAPH_FORMAT_NAMES)), required=True,
              help="RDF format of the dump.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write ('-' for standard output).")
@LOCATION_OPTION
def export(fmt: str, output: Path, location: Path | None) -> None:
    """Dump the whole graph; quad formats keep the named graphs."""
    from kg.formats import GRAPH_FORMATS
    from kg.store import EmbeddedStore

    try:
        data = EmbeddedStore.open(location).dump(GRAPH_FORMATS[fmt])
    except KgError as error:
        fail(error)
    if str(output) == "-":
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
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
def load(files: tuple[Path, ...], location: Path | None, base_iri: str | None) -> None:
    """Load ready RDF (.nt .nq .ttl .trig, optionally .gz) as a new validated store release."""
    from kg.loading import load_release
    from kg.shapes_sparql import compile_shapes

    total = sum(f.stat().st_size for f in files)
    try:
        checks = compile_shapes()
        with (click.progressbar(length=total, label="loading   ", file=sys.stderr) as loading,
              click.progressbar(length=len(checks), label="validating", file=sys.stderr) as shacl):
            summary = load_release(list(files), location, base_iri, on_bytes=loading.update,
                                   on_check=lambda _: shacl.update(1), checks=checks)
    except KgError as error:
        fail(error)
    click.echo("\n".join(summary.lines()))

@main.command()
@LOCATION_OPTION
def stats(location: Path | None) -> None:
    """Triples per graph, entities per class and claims per kind of the built store."""
    from kg.querying import store_stats

    try:
        click.echo(store_stats(location), nl=False)
    except KgError as error:
        fail(error)


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
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.01),
              help="Time limit of one query, in seconds (then 503).")
@click.option("--workers", default=None, type=click.IntRange(min=1),
              help="Query worker processes (default: CPU count, at least 2).")
@click.option("--max-rows", default=50_000, show_default=True, type=click.IntRange(min=1),
              help="Most solutions or triples per answer (more are cut, X-KG-Truncated: true).")
@click.option("--union-default-graph/--no-union-default-graph", default=None,
              help="Query the union of all graphs as the default graph "
                   "(default: on for the built store, off for --data files).")
def serve(location: Path | None, data: tuple[Path, ...], files: tuple[Path, ...], host: str,
          port: int, base_url: str | None, timeout: float, workers: int | None, max_rows: int,
          union_default_graph: bool | None) -> None:
    """Serve the graph over HTTP: /sparql, /api/queries, entity pages, /downloads."""
    import os

    from kg.namespaces import prefix_map
    from kg.service.dataset import DatasetSource
    from kg.service.executor import QueryExecutor

    paths = (*data, *files)
    if files and not data:
        raise click.UsageError("files to serve go after --data")
    source = DatasetSource(location=location, files=paths, union_default_graph=union_default_graph)
    workers = workers or max(2, os.cpu_count() or 2)
    from kg.service.listener import bind_listener, serve_on

    try:
        # before the workers load anything: a busy port fails at once
        listener = bind_listener(host, port)
    except KgError as error:
        fail(error)
    try:
        # the query workers load the dataset while this process imports the web stack
        executor = QueryExecutor(source, workers=workers, timeout=timeout,
                                 prefixes=prefix_map(source.base_iri()))
    except KgError as error:
        fail(error)
    executor.launch()

    from kg.service.app import create_app
    from kg.service.context import ServiceConfig

    config = ServiceConfig(source=source, base_url=base_url, timeout=timeout, max_rows=max_rows,
                           workers=workers)
    try:
        app = create_app(config, executor)
    except KgError as error:
        executor.terminate()
        fail(error)
    serve_on(app, listener, base_url)

if __name__ == "__main__":
    main()
