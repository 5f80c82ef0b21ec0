"""One date convention: a start the quote states (自X起, X起, 从X开始, X以来) is recorded as a
start (period_start, due_start), never as as_of or deadline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.checks import check_curated
from kg.datafiles import load_curated
from kg.date_convention import StatedStart, stated_starts
from kg.errors import DataError

FIXTURE = Path(__file__).parent / "fixtures" / "claims"


@pytest.mark.parametrize(("quote", "expected"), [
    ("自2025年3月31日起，全国所有血站实施", [("自2025年3月31日起", 2025, 3, 31)]),
    ("3月31日起，全国公立医院全面取消门诊预交金", [("3月31日起", None, 3, 31)]),
    ("国家卫生健康委要求 自2025年3月起,取消门诊预交金", [("自2025年3月起", 2025, 3, None)]),
    ("从2025年1月1日开始执行", [("从2025年1月1日开始", 2025, 1, 1)]),
    ("2024年以来，累计减免", [("2024年以来", 2024, None, None)]),
    ("自２０２５年６月３０日起", [("自２０２５年６月３０日起", 2025, 6, 30)]),
    ("6月30号起实施", [("6月30号起", None, 6, 30)]),
    ("近年来，全国", []),
    ("今年以来，全国", []),
    ("截至2025年3月31日，全国", []),
    ("到2025年底，起码", []),
])
def test_stated_starts_are_found_in_chinese_dates(quote: str,
                                                  expected: list[tuple[object, ...]]) -> None:
    found = [(s.text, s.year, s.month, s.day) for s in stated_starts(quote)]
    assert found == expected


@pytest.mark.parametrize(("start", "partial", "same"), [
    (StatedStart("3月31日起", None, 3, 31), "2025-03-31", True),
    (StatedStart("3月31日起", None, 3, 31), "2025-03", False),
    (StatedStart("自2025年3月起", 2025, 3, None), "2025-03", True),
    (StatedStart("自2025年3月起", 2025, 3, None), "2025-03-01", False),
    (StatedStart("2024年以来", 2024, None, None), "2024", True),
    (StatedStart("2024年以来", 2024, None, None), "2025", False),
])
def test_a_stated_start_matches_a_date_field_of_the_same_day_and_precision(
        start: StatedStart, partial: str, same: bool) -> None:
    assert start.matches(partial) is same


CLAIMS = """
  - id: m-deposit-{slug}
    kind: measurement
    indicator: paediatrics-share
    value: 90
    {field}: 2025-03-31
    reported_by: []
    evidence: 自2025年3月31日起，全国所有血站实施血费减免
"""


@pytest.mark.parametrize(("field", "fails"), [("as_of", True), ("period_start", False)])
def test_a_start_written_as_an_as_of_date_fails_naming_file_record_and_fix(
        tmp_path: Path, field: str, fails: bool) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE / "data", data)
    with (data / "facts" / "002.yaml").open("a", encoding="utf-8") as out:
        out.write(CLAIMS.format(field=field, slug=field.replace("_", "-")))
    loaded = load_curated(data)
    if not fails:
        check_curated(loaded, FIXTURE / "seeds")
        return
    with pytest.raises(DataError) as caught:
        check_curated(loaded, FIXTURE / "seeds")
    assert [str(p) for p in caught.value.problems] == [
        "data/facts/002.yaml, record m-deposit-as-of: as_of: 2025-03-31 is the start the "
        "quote states ('自2025年3月31日起'); a stated start is period_start, not as_of: write "
        "'period_start: 2025-03-31' (see data/README.md, Dates)"]
