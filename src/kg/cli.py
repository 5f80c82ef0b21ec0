"""The `kg` command line: build, validate, query, export, stats, coverage, serve."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.errors import KgError

DATA_OPTION = click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Curated data folder (default: the project's data/).",
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
    """Check the curated data: schema, references, quotes (no store is written)."""
    from kg.checks import check_curated
    from kg.datafiles import load_curated

    try:
        data = load_curated(data_dir)
        offsets = check_curated(data, seeds)
    except KgError as error:
        fail(error)
    claims = sum(len(f.claims) for f in data.facts.values())
    click.echo(f"ok: {len(data.entities)} entities, {claims} claims, {len(offsets)} quotes verified")


if __name__ == "__main__":
    main()
