"""One date convention, enforced: a start the quote states is a start, not an as-of date
or a deadline.

A quote that says "自2025年3月31日起", "3月31日起", "从2025年1月开始" or "2024年以来" states
when something *began*; the claim records that date as ``period_start`` (measurements) or
``due_start`` (targets), never as ``as_of`` (the day a figure holds) or ``deadline`` (the
day a target is due). `kg validate` fails where a claim encodes the stated start as either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg.datafiles import CuratedData
from kg.errors import Problem
from kg.records import Claim

#: A date in Chinese: 2025年3月31日, 2025年3月, 2025年, 3月31日, 3月 (ASCII or full-width
#: digits; 号 for 日). At least a year or a month.
CHINESE_DATE = (r"(?:(?P<year>[0-9０-９]{4})\s*年)?\s*(?:(?P<month>[0-9０-９]{1,2})\s*月)?"
                r"\s*(?:(?P<day>[0-9０-９]{1,2})\s*[日号])?")
#: A stated start: 自/从 D 起/开始/以来, or D 起/开始/以来 (D as above).
START_CUE = re.compile(rf"(?:[自从]\s*)?{CHINESE_DATE}\s*(?:起|开始|以来)")
#: The date fields a stated start must not be written in, and the field it belongs in.
START_FIELDS = {"as_of": "period_start", "deadline": "due_start"}


@dataclass(frozen=True)
class StatedStart:
    """A start date the text states, as precise as stated (year may be missing: 3月31日)."""

    text: str
    year: int | None
    month: int | None
    day: int | None

    def matches(self, partial: str) -> bool:
        """Whether a partial ISO date ('2025-03-31', '2025-03', '2025') is this start."""
        parts = [int(p) for p in partial.split("-")]
        given = (self.year, self.month, self.day)
        stated_precision = max(i for i, v in enumerate(given) if v is not None) + 1
        if self.year is not None and len(parts) != stated_precision:
            return False
        ours: list[int | None] = [*parts, None, None][:3]
        return all(v is None or v == ours[i] for i, v in enumerate(given)) and (
            self.year is not None or len(parts) >= stated_precision)


def _number(text: str | None) -> int | None:
    if text is None:
        return None
    return int(text.translate(str.maketrans("０１２３４５６７８９", "0123456789")))


def stated_starts(quote: str) -> Iterator[StatedStart]:
    """Every start date the quote states, in order."""
    for match in START_CUE.finditer(quote):
        year, month, day = (_number(match.group(k)) for k in ("year", "month", "day"))
        if year is None and month is None:
            continue  # 以来 or 起 after no date (近年来, 今年以来)
        if day is not None and month is None:
            continue
        yield StatedStart(match.group(0).strip(), year, month, day)


def misplaced_starts(claim: Claim) -> Iterator[tuple[str, str, StatedStart]]:
    """(field, value, stated start) for each date field holding a start the quote states."""
    for field in START_FIELDS:
        value = getattr(claim, field, None)
        if not value:
            continue
        for start in stated_starts(claim.evidence):
            if start.matches(value):
                yield field, value, start
                break


def check_date_convention(data: CuratedData, problems: list[Problem]) -> None:
    """Add a problem for every stated start written as an as-of date or a deadline."""
    for source_id, facts in data.facts.items():
        file = data.fact_files[source_id]
        for claim in facts.claims:
            for field, value, start in misplaced_starts(claim):
                fix = START_FIELDS[field]
                origin = data.inherited.get((source_id, claim.id), {}).get(field)
                where = f" (the value comes from {origin})" if origin else ""
                problems.append(Problem(
                    file, claim.id,
                    f"{field}: {value} is the start the quote states ({start.text!r}); a stated "
                    f"start is {fix}, not {field}{where}: write '{fix}: {value}' (see "
                    f"data/README.md, Dates)"))
