"""The `kg extract` command: read an article, write its draft."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from kg.datafiles import CuratedData, load_curated
from kg.errors import DataError, Problem
from kg.extract.draft import Draft, extract_file
from kg.extract.effort import (
    EFFORT_LEGEND,
    compare,
    effort_header,
    effort_row,
    fate_lines,
    read_reviewed,
    registry_before,
    tally,
)
from kg.extract.output import HEADER, dump_yaml, summary_line, write_draft
from kg.extract.text import ArticleError
from kg.files import UnreadableFile
from kg.records import FactFile


def extract_main(article: Path, source_id: str, output: Path | None,
                 data_dir: Path | None, compare_with: Path | None = None) -> None:
    if not re.fullmatch(r"\d{3}", source_id):
        raise DataError([Problem("--source-id", None,
                                 f"{source_id!r} is not a source id (three digits, e.g. 005)")])
    data = load_curated(data_dir)
    reviewed = read_reviewed(compare_with) if compare_with is not None else None
    registry = data
    if reviewed is not None:
        registry = registry_before(data, source_id, str(reviewed.source.published))
    try:
        draft = extract_file(article, source_id, registry)
    except UnicodeDecodeError as exc:
        raise DataError([Problem(str(article), None, f"not UTF-8 text: {exc.reason}")]) from None
    except (UnreadableFile, ArticleError) as exc:
        raise DataError([Problem(str(article), None, str(exc))]) from None
    if reviewed is not None:
        print_comparison(draft, reviewed, article.read_text(encoding="utf-8"), data, registry)
        if output is None:
            return
    if output is None:
        sys.stdout.write(HEADER + dump_yaml(draft.facts))
    else:
        facts, review = write_draft(draft, output)
        click.echo(f"wrote {facts} and {review}", err=True)
    click.echo(summary_line(draft), err=True)


def print_comparison(draft: Draft, reviewed: FactFile, text: str, data: CuratedData,
                     before: CuratedData) -> None:
    """The reviewer effort of a draft against the reviewed file, and each edit."""
    fates = compare(draft.facts["claims"], draft.proposals, reviewed, text, data, before)
    click.echo(f"reviewer effort against source {reviewed.source.id} (registry as it stood "
               f"before the article), {EFFORT_LEGEND}")
    click.echo(effort_header())
    click.echo(effort_row(reviewed.source.id, tally(fates)))
    for line in fate_lines(fates):
        click.echo(line)
