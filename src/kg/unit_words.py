"""One word, one unit: the words and counted nouns of units.yaml name a single unit each.

A unit's `words` (written after a number: 3家) and `counts` (the nouns a bare count
counts: 31个省份) tell `kg extract` which unit a figure is in; a word two units claim
would make that choice depend on the order of the file, so it is an error.
"""

from __future__ import annotations

from kg.datafiles import CuratedData
from kg.errors import Problem


def check_unit_words(data: CuratedData, problems: list[Problem]) -> None:
    """Add a problem for every word or counted noun that an earlier unit already has."""
    for field, owned in (("words", "a word of"), ("counts", "counted by")):
        owners: dict[str, str] = {}
        for unit in data.of_kind("unit"):
            for word in getattr(unit, field, []):
                other = owners.setdefault(word, unit.id)
                if other != unit.id:
                    problems.append(Problem(
                        data.entity_files[unit.id], unit.id,
                        f"{field}: {word!r} is already {owned} unit {other!r} (in "
                        f"{data.entity_files[other]}); a word belongs to one unit only"))
