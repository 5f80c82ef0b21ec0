"""Ordinary mistakes on the command line: one `error:` line, exit code 1, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main


def run(*args: str) -> tuple[int, list[str], BaseException | None]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stderr.splitlines(), result.exception


MISTAKES = [
    (["export", "--format", "ttl", "--output", "/no/such/dir/x.ttl"], "built",
     "error: --output /no/such/dir/x.ttl: cannot write: No such file or directory"),
    (["export", "--format", "nq", "--output", "{tmp}/x.nq"], "empty",
     "error: no built store at {tmp}/empty (run `kg build` first)"),
    (["query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"], "empty",
     "error: no built store at {tmp}/empty (run `kg build` first)"),
    (["stats"], "empty", "error: no built store at {tmp}/empty (run `kg build` first)"),
    (["query", "{tmp}/no-such.rq"], "built",
     "error: {tmp}/no-such.rq: cannot read query file: No such file or directory"),
    (["query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"], "dangling",
     "error: the store at {tmp}/dangling is damaged: `current` points to a missing release"),
    (["build", "--base-iri", "not-an-iri"], "empty",
     "error: --base-iri: 'not-an-iri/' is not an absolute IRI"),
]


@pytest.mark.parametrize(("args", "store", "expected"), MISTAKES,
                         ids=["export-to-missing-folder", "export-without-store",
                              "query-without-store", "stats-without-store", "missing-query-file",
                              "dangling-current-link", "bad-base-iri"])
def test_mistake_gives_one_error_line(args: list[str], store: str, expected: str,
                                      built_store: tuple[Path, object], tmp_path: Path) -> None:
    locations = {"built": built_store[0], "empty": tmp_path / "empty",
                 "dangling": tmp_path / "dangling"}
    (tmp_path / "dangling").mkdir()
    (tmp_path / "dangling" / "current").symlink_to("releases/gone")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, lines, exception = run(*argv, "--location", str(locations[store]))
    assert code == 1
    assert isinstance(exception, SystemExit)
    assert len(lines) == 1, lines
    assert lines[0].startswith(expected.replace("{tmp}", str(tmp_path))), lines[0]
