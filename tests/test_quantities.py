from decimal import Decimal

import pytest

from kg.quantities import chinese_integer, parse_quantity


@pytest.mark.parametrize(
    ("stated", "expected"),
    [
        ("66万", Decimal(660000)),
        ("4400亿", Decimal(440000000000)),
        ("1.8亿", Decimal(180000000)),
        ("0.42亿", Decimal(42000000)),
        ("4.73", Decimal("4.73")),
        ("26.89%", Decimal("26.89")),
        ("1,540", Decimal(1540)),
        ("1,234,567.5", Decimal("1234567.5")),
        (Decimal("4.73"), Decimal("4.73")),
        (Decimal("1E+3"), Decimal(1000)),
        ("三分之一", Decimal("0.3333")),
        ("1/3", Decimal("0.3333")),
        (4.5, Decimal("4.5")),
        (31, Decimal(31)),
    ],
)
def test_parse_quantity_normalises_multipliers(stated: object, expected: Decimal) -> None:
    assert parse_quantity(stated) == expected


def test_parse_quantity_keeps_booleans() -> None:
    assert parse_quantity(True) is True


@pytest.mark.parametrize(("numeral", "value"), [("八", 8), ("二十", 20), ("一百零五", 105),
                                                ("二〇二五", 2025), ("十二", 12), ("三万", 30000)])
def test_chinese_integer(numeral: str, value: int) -> None:
    assert chinese_integer(numeral) == value


@pytest.mark.parametrize("bad", ["about 5", "五点", "", "12abc"])
def test_parse_quantity_rejects_non_quantities(bad: str) -> None:
    with pytest.raises(ValueError, match="not a quantity"):
        parse_quantity(bad)


@pytest.mark.parametrize(("bad", "reason"), [
    ("４.５", "non-ASCII digits"),
    ("٣", "non-ASCII digits"),
    ("1/0", "divides by zero"),
    ("零分之一", "divides by zero"),
    ("1,2,3", "commas only separate thousands"),
    ("12,34", "commas only separate thousands"),
    (None, "expected a quantity"),
    ([1, 2], "expected a quantity"),
    (float("nan"), "not a finite number"),
    (Decimal("Infinity"), "not a finite number"),
    (Decimal("1E+99"), "out of range"),
])
def test_parse_quantity_refuses_malformed_numbers(bad: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_quantity(bad)
