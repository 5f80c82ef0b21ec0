from decimal import Decimal

import pytest

from kg.derive import compare
from kg.records import MeasurementClaim, TargetClaim


def target(value: object, comparator: str = ">=") -> TargetClaim:
    return TargetClaim(id="t", kind="target", indicator="i", value=value, comparator=comparator,
                       announced_by=["nhc"], evidence="xx")


def result(value: object, *qualifiers: str) -> MeasurementClaim:
    return MeasurementClaim(id="m", kind="measurement", indicator="i", value=value,
                            qualifiers=list(qualifiers), evidence="xx")


@pytest.mark.parametrize(
    ("goal", "comparator", "reported", "qualifiers", "status"),
    [
        (4.5, ">=", "4.73", (), "exceeded"),
        (4.5, ">=", "4.5", (), "met"),
        (4.5, ">=", "4.5", ("nearly",), "not-met"),
        (4.5, ">=", "4.2", (), "not-met"),
        (200, ">", "200", ("over",), "met"),
        (200, ">", "200", (), "not-met"),
        (5000, ">", "1万", ("over",), "exceeded"),
        ("66万", ">=", "89万", ("over",), "exceeded"),
        (10, "<=", "8", (), "exceeded"),
        (10, "<=", "12", (), "not-met"),
        (3, "=", "3", (), "met"),
        (3, "=", "3", ("about",), "met"),
        (3, "=", "3", ("over",), "not-met"),
    ],
)
def test_compare_numeric(goal: object, comparator: str, reported: str,
                         qualifiers: tuple[str, ...], status: str) -> None:
    assert compare(target(goal, comparator), result(reported, *qualifiers)) == status


def test_compare_boolean() -> None:
    assert compare(target(True, "="), result(True)) == "met"
    assert compare(target(True, "="), result(False)) == "not-met"


def test_values_are_exact_decimals() -> None:
    assert result("4.73").value == Decimal("4.73")
