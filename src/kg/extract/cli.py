"""The `kg extract` command: read an article, write its draft."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from kg.datafiles import load_curated
from kg.errors import DataError, Problem
from kg.extract.draft import extract_file
from kg.extract.output import HEADER, dump_yaml, summary_line, write_draft
from kg.extract.text import ArticleError
from kg.files import UnreadableFile


def extract_main(article: Path, source_id: str, output: Path | None,
                 data_dir: Path | None) -> None:
    if not re.fullmatch(r"\d{3}", source_id):
        raise DataError([Problem("--source-id", None,
                                 f"{source_id!r} is not a source id (three digits, e.g. 005)")])
    data = load_curated(data_dir)
    try:
        draft = extract_file(article, source_id, data)
    except UnicodeDecodeError as exc:
        raise DataError([Problem(str(article), None, f"not UTF-8 text: {exc.reason}")]) from None
    except (UnreadableFile, ArticleError) as exc:
        raise DataError([Problem(str(article), None, str(exc))]) from None
    if output is None:
        sys.stdout.write(HEADER + dump_yaml(draft.facts))
    else:
        facts, review = write_draft(draft, output)
        click.echo(f"wrote {facts} and {review}", err=True)
    click.echo(summary_line(draft), err=True)
