"""`kg query NAME --param k=v`: saved queries run by name with parameters and defaults."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from kg.catalogue import DEFAULT_QUERIES_DIR
from kg.cli import main


def run(location: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["query", *args, "--location", str(location)])
    return result.exit_code, result.output


def rows(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


def test_a_saved_query_file_runs_with_its_defaults(built_store: tuple[Path, object]) -> None:
    path = str(DEFAULT_QUERIES_DIR / "task-scorecard.rq")
    code, out = run(built_store[0], path, "--format", "csv")
    assert code == 0, out
    scorecard = rows(out)
    assert scorecard, "the scorecard returned no rows (year left unbound?)"
    assert {r["year"] for r in scorecard} == {"2025"}
    assert {r["number"] for r in scorecard} == {str(n) for n in range(1, 9)}


def test_a_saved_query_by_name_takes_parameters(built_store: tuple[Path, object]) -> None:
    code, out = run(built_store[0], "task-scorecard", "--format", "csv",
                    "--param", "task=kgd:task/task-2025-childcare", "--param", "lang=zh")
    assert code == 0, out
    scorecard = rows(out)
    assert scorecard and {r["number"] for r in scorecard} == {"4"}
    assert {r["lang"] for r in scorecard} == {"zh"}


def test_an_unknown_parameter_is_refused_by_name(built_store: tuple[Path, object]) -> None:
    code, out = run(built_store[0], "task-scorecard", "--param", "nope=1")
    assert code == 1
    assert "parameter 'nope': unknown parameter" in out


def test_param_on_a_query_text_is_refused(built_store: tuple[Path, object]) -> None:
    code, out = run(built_store[0], "ASK { ?s ?p ?o }", "--param", "a=b")
    assert code == 1
    assert "--param applies only to saved queries" in out
