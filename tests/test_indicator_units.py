"""One indicator, one unit: the check that a figure in another unit needs its own indicator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.checks import check_curated
from kg.datafiles import load_curated
from kg.errors import DataError, Problem
from kg.indicator_units import check_indicator_units


def test_the_curated_data_keeps_one_unit_per_indicator() -> None:
    problems: list[Problem] = []
    check_indicator_units(load_curated(), problems)
    assert problems == []


def test_a_figure_in_another_unit_fails_naming_file_and_record(data_copy: Path) -> None:
    path = data_copy / "facts" / "003.yaml"
    text = path.read_text(encoding="utf-8")
    # the claim may sit in a block of claims sharing defaults: keep its indentation
    mixed = re.sub(r"( +)indicator: seasonal-health-column-episodes\n( +value: 9\n)",
                   r"\1indicator: seasonal-health-briefings\n\2\1unit: episode\n", text, count=1)
    assert mixed != text
    path.write_text(mixed, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        check_curated(load_curated(data_copy))
    [problem] = caught.value.problems
    where = (problem.file, problem.record)
    assert where == ("data/facts/003.yaml", "m-seasonal-briefings-episodes")
    assert "'episode' differs from the unit 'session'" in problem.message
