"""`kg diff`: what a fact file adds to the published graph."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kg.claim_defaults import flatten
from kg.cli import main
from kg.datafiles import load_curated


def _new_source_from(data_dir: Path, claim_id: str, value: object, tmp_path: Path) -> Path:
    """A fact file for a new source repeating one measurement of source 002, maybe altered."""
    facts = yaml.safe_load((data_dir / "facts" / "002.yaml").read_text(encoding="utf-8"))
    [claim] = [c.raw for c in flatten(facts).claims if c.raw["id"] == claim_id]
    copy = {**claim, "id": "m-repeated", "value": value}
    facts.pop("defaults", None)  # the copy carries its defaults already
    facts["source"] = {**facts["source"], "id": "009"}
    facts["claims"] = [copy]
    path = tmp_path / "009.yaml"
    path.write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8")
    return path


def _measurement_id(data_dir: Path) -> str:
    data = load_curated(data_dir)
    return next(c.id for c in data.facts["002"].claims
                if c.kind == "measurement" and not isinstance(c.value, bool) and not c.figure)


@pytest.mark.parametrize(("change", "expected"),
                         [(False, "corroborates"), (True, "conflicts with")])
def test_diff_reports_corroborations_and_conflicts(data_copy: Path, tmp_path: Path,
                                                    change: bool, expected: str) -> None:
    claim_id = _measurement_id(data_copy)
    value = yaml.safe_load((data_copy / "facts" / "002.yaml").read_text(encoding="utf-8"))
    original = next(c.raw["value"] for c in flatten(value).claims if c.raw["id"] == claim_id)
    new_value = 123456789 if change else original
    path = _new_source_from(data_copy, claim_id, new_value, tmp_path)
    result = CliRunner().invoke(main, ["diff", str(path), "--data-dir", str(data_copy)])
    assert result.exit_code == 0, result.output
    assert "is a new source" in result.output
    assert "+ m-repeated" in result.output
    assert f"m-repeated {expected} 002/{claim_id}" in result.output


def test_diff_of_an_invalid_file_names_the_record(data_copy: Path, tmp_path: Path) -> None:
    path = _new_source_from(data_copy, _measurement_id(data_copy), "lots", tmp_path)
    result = CliRunner().invoke(main, ["diff", str(path), "--data-dir", str(data_copy)])
    assert result.exit_code == 1
    assert "record m-repeated" in result.output and "Traceback" not in result.output


def test_every_fact_file_reads_with_its_defaults_applied_as_the_build_reads_it() -> None:
    from kg.datafiles import DEFAULT_DATA_DIR, load_curated
    from kg.extract.diff import read_fact_file

    data = load_curated(DEFAULT_DATA_DIR)
    with_blocks = 0
    for source_id, facts in data.facts.items():
        path = DEFAULT_DATA_DIR / "facts" / f"{source_id}.yaml"
        with_blocks += "defaults:" in path.read_text(encoding="utf-8")
        assert read_fact_file(path).claims == facts.claims, source_id
    assert with_blocks, "no fact file uses defaults"
