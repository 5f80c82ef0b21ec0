"""The extractor's units come from data/registry/units.yaml: words, counted nouns, counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.checks import check_curated
from kg.cli import main
from kg.coverage import scan_expressions
from kg.datafiles import DEFAULT_DATA_DIR, load_curated
from kg.errors import DataError
from kg.extract.figures import read_figure, skip_reason
from kg.extract.text import Compact
from kg.extract.units import (
    BARE_COUNT,
    NOUN_BEFORE,
    PERCENT_SYMBOL,
    PERMILLE_SYMBOL,
    UNITS_BY_MEANING,
    Units,
    read_units,
)

UNITS_FILE = "data/registry/units.yaml"


def _edit_units(data_dir: Path, old: str, new: str) -> None:
    path = data_dir / "registry" / "units.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _units_of(text: str, units: Units) -> list[str]:
    view = Compact(text)
    figures = [read_figure(e, view, units) for e in scan_expressions(text)
               if e.kind in ("number", "cn-number") and not skip_reason(e, view, units)]
    return [f.unit for f in figures if f]


def test_every_unit_the_extractor_can_give_is_a_registry_unit() -> None:
    registry = {u.id for u in load_curated().of_kind("unit")}
    units = read_units(DEFAULT_DATA_DIR)
    given = {*units.words.values(), *(u for _p, u in units.counted_after),
             *(u for _p, u in units.counted_before), *units.bare_counts, units.percent,
             units.permille, *UNITS_BY_MEANING}
    assert given - registry == set()
    symbols = {u.symbol: u.id for u in load_curated().of_kind("unit") if u.symbol}
    assert (units.percent, units.permille) == (symbols[PERCENT_SYMBOL], symbols[PERMILLE_SYMBOL])


def test_a_bare_count_suits_exactly_the_units_that_say_bare_count() -> None:
    units = read_units(DEFAULT_DATA_DIR)
    for unit in load_curated().of_kind("unit"):
        assert units.suits(BARE_COUNT, unit.id) == (unit.bare_count or unit.id == BARE_COUNT)
        assert units.suits(unit.id, unit.id)


def test_a_word_added_to_units_yaml_is_read_after_a_number(data_copy: Path) -> None:
    assert _units_of("全省共配备救护车300辆。", read_units(data_copy)) == [BARE_COUNT]
    _edit_units(data_copy, "- id: call\n", "- id: vehicle\n  name_zh: 辆\n  name_en: vehicles\n"
                                          "  words: [辆]\n- id: call\n")
    assert _units_of("全省共配备救护车300辆。", read_units(data_copy)) == ["vehicle"]


def test_the_unit_earlier_in_units_yaml_wins_a_bare_count(data_copy: Path) -> None:
    sentence = "全省已有12个县医院达标。"
    first = _units_of(sentence, read_units(data_copy))
    path = data_copy / "registry" / "units.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("- id: institution\n")
    end = text.index("- id: person\n")
    institution = text[start:end]
    text = text[:start] + text[end:]
    path.write_text(text.replace("- id: region-count\n", institution + "- id: region-count\n"),
                    encoding="utf-8")
    assert (first, _units_of(sentence, read_units(data_copy))) == (["region-count"],
                                                                   ["institution"])


@pytest.mark.parametrize(("old", "new", "record", "says"), [
    ("words: [件, 套]", "words: [件, 套, 张]", "piece", "'张' is already a word of unit 'bed'"),
    ("counts: [托位]", "counts: [托位, 城市]", "region-count",
     "counts: '城市' is already counted by unit 'place'"),
])
def test_a_word_two_units_claim_is_refused_naming_the_file_and_record(
        data_copy: Path, old: str, new: str, record: str, says: str) -> None:
    _edit_units(data_copy, old, new)
    for refuse in (read_units, lambda d: check_curated(load_curated(d))):
        with pytest.raises(DataError) as caught:
            refuse(data_copy)
        [problem] = [p for p in caught.value.problems if p.file == UNITS_FILE]
        assert problem.record == record and says in problem.message, problem


@pytest.mark.parametrize(("old", "new", "record", "says"), [
    ("words: [件, 套]", "words: [件, 套, 件]", "piece", "words: 件 listed twice"),
    ("words: [件, 套]", 'words: [件, ""]', "piece", "'' is not a word"),
    ("words: [件, 套]", "words: [件, 3套]", "piece", "'3套' is not a word"),
    ("  bare_count: true\n  counts: [托位]", "  counts_modified: true", "place",
     "counts_modified: no counts to modify"),
])
def test_a_malformed_unit_record_is_refused_naming_it(
        data_copy: Path, old: str, new: str, record: str, says: str) -> None:
    _edit_units(data_copy, old, new)
    with pytest.raises(DataError) as caught:
        read_units(data_copy)
    assert any(p.file == UNITS_FILE and p.record == record and says in p.message
               for p in caught.value.problems), caught.value.problems


@pytest.mark.parametrize(("old", "new", "says"), [
    ("- id: per-1000\n", "- id: per-thousand\n",
     f"no unit 'per-1000', which kg extract gives to {UNITS_BY_MEANING['per-1000']}"),
    ('  symbol: "‰"\n', "", "no unit with symbol '‰'"),
    ("counts: [托位]", "counts: [托育位]", f"no unit counts '{NOUN_BEFORE[0][0]}'"),
])
def test_a_unit_the_extractor_needs_but_units_yaml_lacks_is_refused(
        data_copy: Path, old: str, new: str, says: str) -> None:
    _edit_units(data_copy, old, new)
    with pytest.raises(DataError) as caught:
        read_units(data_copy)
    assert [(p.file, p.record) for p in caught.value.problems] == [(UNITS_FILE, None)]
    assert says in caught.value.problems[0].message


def test_kg_extract_refuses_a_shared_word_naming_units_yaml(data_copy: Path) -> None:
    _edit_units(data_copy, "words: [件, 套]", "words: [件, 套, 张]")
    article = Path(__file__).parent / "fixtures" / "extract" / "press_release.txt"
    result = CliRunner().invoke(main, ["extract", str(article), "--source-id", "005",
                                       "--data-dir", str(data_copy)])
    assert result.exit_code == 1
    assert f"{UNITS_FILE}, record piece: words: '张' is already a word of unit 'bed'" in (
        result.output), result.output
    assert "Traceback" not in result.output
