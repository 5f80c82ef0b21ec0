"""The units a figure can be in, read from the registry (data/registry/units.yaml).

The words after a number (3家 -> institution), the nouns a bare count counts (31个省份 ->
region-count), which units a bare count may stand for, and the units of the symbols %
and ‰ all come from units.yaml. The file is read whole even when the extractor runs with
the registry as it stood before an article: units are the extractor's vocabulary, not
facts an earlier source must have attested.

A few rules pick a unit by what the text means rather than by a word after the number;
their units are named once, in `UNITS_BY_MEANING`, and must be records of units.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.datafiles import load_registry_of
from kg.errors import DataError, Problem
from kg.records import REGISTRY_FILES, Unit
from kg.unit_words import check_unit_words

#: a number with no unit word of its own (31个, 3万)
BARE_COUNT = "count"
#: a fraction (三分之一)
RATIO = "ratio"
#: 每千人口 or 每千名 before the number, of anything but childcare places
PER_1000 = "per-1000"
#: 每千人口 before the number in a clause about 托位
PLACES_PER_1000 = "places-per-1000"
#: an amount of money, and one 人均 or 每人 (per head)
YUAN, YUAN_PER_PERSON = "yuan", "yuan-per-person"
#: what 种 counts where the sentence speaks of medicines (药, 品种, 目录); else a count
DRUG = "drug"
#: a universal (各地均已开通): a yes/no claim
BOOLEAN = "boolean"
UNITS_BY_MEANING = {
    BARE_COUNT: "a number with no unit word (31个, 3万)",
    RATIO: "a fraction (三分之一)",
    PER_1000: "每千人口 before a number",
    PLACES_PER_1000: "每千人口 before a number in a clause about 托位",
    YUAN: "an amount in 元, which 人均 before it makes yuan-per-person",
    YUAN_PER_PERSON: "人均 or 每人 before an amount in yuan",
    DRUG: "种 in a sentence about medicines",
    BOOLEAN: "a universal (各地均已开通), a yes/no claim",
}
#: the symbols whose units the extractor reads from units.yaml: 26.89%, 3‰, 3成, 千分之三
PERCENT_SYMBOL, PERMILLE_SYMBOL = "%", "‰"
#: a bare count after the noun it counts: the noun, then what may stand between them
#: (托位数达120万, 机构数量从…); the unit is the one whose `counts` list the noun
NOUN_BEFORE = (("托位", r"(?:总)?数?(?:达|增至|超|为|增加了?)?$"),
               ("机构", r"(?:数量|总数)?(?:从|达|增至|为)?$"))
#: up to how many characters may qualify a counted noun (31个医疗机构) when the unit
#: says `counts_modified`
MODIFIER = r"[^，。]{0,3}"


@dataclass(frozen=True)
class Units:
    """The registry's unit words, in the forms the figure reader matches them."""

    #: word after a number -> unit id
    words: dict[str, str]
    #: (?:余|多)?(?:万|亿)?(word): the words longest first
    after_number: re.Pattern[str]
    #: (pattern of the nouns after a bare count, unit id), in the order of units.yaml
    counted_after: tuple[tuple[re.Pattern[str], str], ...]
    #: (pattern of a noun before a bare count, unit id)
    counted_before: tuple[tuple[re.Pattern[str], str], ...]
    #: units a bare count may stand for
    bare_counts: frozenset[str]
    percent: str
    permille: str

    def counted_unit(self, after: str, before: str) -> str | None:
        """The unit of a bare count from the noun it counts, after it (31个省份) or,
        failing that, before it (托位数达120万); None when neither is a counted noun."""
        for pattern, unit in self.counted_after:
            if pattern.match(after):
                return unit
        for pattern, unit in self.counted_before:
            if pattern.search(before):
                return unit
        return None

    def suits(self, found: str, indicator: str | None) -> bool:
        """A figure's unit suits an indicator's: the same, or a bare count for any unit a
        bare count may stand for."""
        return found == indicator or (found == BARE_COUNT and indicator in self.bare_counts)


def read_units(data_dir: Path) -> Units:
    """The units of `data_dir`/registry/units.yaml; DataError naming the file and record
    for a word two units claim or a unit the extractor needs that the file lacks.

    Read once per version of the file (inode, size, modification time): a read costs
    about 10 ms, a third of drafting one of the 17 articles, and bench/extract.py builds
    an Extractor per article."""
    try:
        found = (data_dir / "registry" / REGISTRY_FILES["unit"]).stat()
        version = (found.st_ino, found.st_size, found.st_mtime_ns)
    except OSError:
        version = None  # no file: _read_units says what is missing
    return _read_units(data_dir.resolve(), version)


@lru_cache(maxsize=8)
def _read_units(data_dir: Path, _version: tuple[int, int, int] | None) -> Units:
    data = load_registry_of(data_dir, "unit")
    problems: list[Problem] = []
    check_unit_words(data, problems)
    units = [u for u in data.of_kind("unit") if isinstance(u, Unit)]
    file = str(Path(data_dir.name, "registry", REGISTRY_FILES["unit"]))
    ids = {u.id for u in units}
    problems += [Problem(file, None, f"no unit {unit!r}, which kg extract gives to {why}")
                 for unit, why in UNITS_BY_MEANING.items() if unit not in ids]
    symbols = {u.symbol: u.id for u in units if u.symbol}
    problems += [Problem(file, None, f"no unit with symbol {symbol!r}, which kg extract "
                                     f"reads after a number")
                 for symbol in (PERCENT_SYMBOL, PERMILLE_SYMBOL) if symbol not in symbols]
    counting = {noun: u.id for u in units for noun in u.counts}
    problems += [Problem(file, None, f"no unit counts {noun!r}, which kg extract reads as "
                                     f"what a number after it counts ({noun}数达…)")
                 for noun, _between in NOUN_BEFORE if noun not in counting]
    if problems:
        raise DataError(problems)
    words = {word: u.id for u in units for word in u.words}
    # longest first, so that 人次 is read before 次; no word at all matches nothing
    longest_first = "|".join(map(re.escape, sorted(words, key=len, reverse=True))) or "(?!)"
    return Units(
        words=words,
        after_number=re.compile(
            r"(?:余|多)?(?:万|亿)?(" + longest_first + ")"),
        counted_after=tuple(
            (re.compile(rf"^(?:{MODIFIER if u.counts_modified else ''}(?:"
                        + "|".join(map(re.escape, u.counts)) + "))"), u.id)
            for u in units if u.counts),
        counted_before=tuple((re.compile(re.escape(noun) + between), counting[noun])
                             for noun, between in NOUN_BEFORE),
        bare_counts=frozenset(u.id for u in units if u.bare_count),
        percent=symbols[PERCENT_SYMBOL], permille=symbols[PERMILLE_SYMBOL])
