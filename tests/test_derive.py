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


def test_a_target_is_assessed_only_by_results_for_dates_since_it_was_set() -> None:
    from kg.datafiles import DEFAULT_DATA_DIR, load_curated
    from kg.derive import assess_targets, result_date, target_date
    from kg.records import date_span

    data = load_curated(DEFAULT_DATA_DIR)
    set_on = {(sid, c.id): target_date(f, c, data) for sid, f in data.facts.items()
              for c in f.claims if isinstance(c, TargetClaim)}
    earlier_results_left_out = 0
    for a in assess_targets(data):
        since = date_span(set_on[(a.source_id, a.target.id)])[0]
        assert all(date_span(r.date)[1] >= since for r in a.used), a.target.id
        for facts in data.facts.values():
            for c in facts.claims:
                if (isinstance(c, MeasurementClaim) and c.figure is None
                        and (c.indicator, c.place) == (a.target.indicator, a.target.place)
                        and date_span(result_date(facts, c, data))[1] < since):
                    earlier_results_left_out += 1
    assert earlier_results_left_out, "no target has an earlier figure on its indicator"
