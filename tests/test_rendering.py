"""Numbers and dates as readers of each language write them."""

from __future__ import annotations

import pytest

from kg.service.rendering import format_date, format_number


@pytest.mark.parametrize(("value", "zh", "en"), [
    ("660000", "66万", "660,000"),
    ("3790000", "379万", "3,790,000"),
    ("126000", "12.6万", "126,000"),
    ("150000000", "1.5亿", "150,000,000"),
    ("4.73", "4.73", "4.73"),
    ("2025", "2025", "2025"),           # years and small counts are not grouped
    ("20.0", "20", "20"),
    ("-50000", "-5万", "-50,000"),
    ("13315", "13315", "13,315"),       # 万 only where it reads naturally (≤ 2 decimals)
    ("123456789", "123456789", "123,456,789"),
    ("125000000", "1.25亿", "125,000,000"),
    ("2730000000000", "2.73万亿", "2,730,000,000,000"),  # the largest unit: not 27300亿
    ("2730000000000.00", "2.73万亿", "2,730,000,000,000"),
    ("120000000", "1.2亿", "120,000,000"),
    ("1000000000000", "1万亿", "1,000,000,000,000"),
    ("12345000000000", "123450亿", "12,345,000,000,000"),  # 12.345万亿 has 3 decimals
    ("n/a", "n/a", "n/a"),
])
def test_numbers(value: str, zh: str, en: str) -> None:
    assert format_number(value, "zh") == zh
    assert format_number(value, "en") == en


@pytest.mark.parametrize(("value", "zh", "en"), [
    ("2025-12-26", "2025年12月26日", "26 December 2025"),
    ("2025-01", "2025年1月", "January 2025"),
    ("2025", "2025年", "2025"),
    ("late 2025", "late 2025", "late 2025"),
])
def test_dates(value: str, zh: str, en: str) -> None:
    assert format_date(value, "zh") == zh
    assert format_date(value, "en") == en
