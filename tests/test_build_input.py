"""Malformed data files: each gives one error line naming file, record and reason.

Every case breaks a private copy of data/ in one place, runs `kg build` and
`kg validate` through the command line, and checks the exit code, that there is
no traceback, the exact error line's file and record, a fragment of the reason,
and that the published store is untouched.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_build import snapshot

from kg.cli import main


@dataclass(frozen=True)
class Case:
    name: str
    edit: Callable[[Path], None]
    file: str
    record: str | None
    reason: str


def replace(file: str, old: str, new: str, *, within: str | None = None) -> Callable[[Path], None]:
    """An edit replacing `old` once in a data file (inside the record `within`, if given)."""

    def edit(data: Path) -> None:
        path = data / file
        text = path.read_text(encoding="utf-8")
        start, end = 0, len(text)
        if within is not None:
            start = re.search(rf"^\s*- id: {re.escape(within)}\n", text, re.M).end()  # type: ignore[union-attr]
            end = text.find("- id:", start)
            end = len(text) if end < 0 else end
        block = text[start:end]
        assert old in block, f"{old!r} not in record {within} of {file}"
        path.write_text(text[:start] + block.replace(old, new, 1) + text[end:], encoding="utf-8")

    return edit


def append(file: str, text: str) -> Callable[[Path], None]:
    def edit(data: Path) -> None:
        with (data / file).open("a", encoding="utf-8") as f:
            f.write(text)

    return edit


def write_bytes(file: str, change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def edit(data: Path) -> None:
        path = data / file
        path.write_bytes(change(path.read_bytes()))

    return edit


def folder_instead(file: str) -> Callable[[Path], None]:
    def edit(data: Path) -> None:
        (data / file).unlink()
        (data / file).mkdir()

    return edit


FACTS = "facts/002.yaml"
MEASURE = "m-paediatrics-share-2025-01"  # value: 90, as_of: 2025-01, unit percent
TARGET = "t-childcare-places-per-1000"  # value: 4.5, deadline: 2025
YES_NO = "t-paediatrics-all-hospitals"  # value: true
REGIONS = "registry/regions.yaml"


def in_measure(old: str, new: str) -> Callable[[Path], None]:
    return replace(FACTS, old, new, within=MEASURE)


def in_target(old: str, new: str) -> Callable[[Path], None]:
    return replace(FACTS, old, new, within=TARGET)


CASES = [
    # ------------------------------------------------------------ dates
    Case("month-13", in_measure("as_of: 2025-01", "as_of: 2025-13-45"), FACTS, MEASURE,
         "as_of: invalid date '2025-13-45' (month must be 1..12)"),
    Case("day-30-february", in_measure("as_of: 2025-01", "as_of: 2025-02-30"), FACTS, MEASURE,
         "as_of: invalid date '2025-02-30' (day must be 1..28 in 2025-02)"),
    Case("month-zero", in_measure("as_of: 2025-01", "as_of: 2025-00"), FACTS, MEASURE,
         "as_of: invalid date '2025-00' (month must be 1..12)"),
    Case("slashed-date", in_measure("as_of: 2025-01", "as_of: 2025/01"), FACTS, MEASURE,
         "as_of: '2025/01' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"),
    Case("unpadded-date", in_measure("as_of: 2025-01", "as_of: 2025-1-5"), FACTS, MEASURE,
         "as_of: '2025-1-5' is not a date"),
    Case("full-width-year", in_target("deadline: 2025", "deadline: ２０２５"), FACTS, TARGET,
         "deadline: non-ASCII digits in '２０２５' (write '2025')"),
    Case("year-zero", replace(FACTS, "published: 2025-01", "published: 0000-01"), FACTS,
         "source", "published: invalid date '0000-01' (year must be 0001..9999)"),
    Case("date-is-yes", in_measure("as_of: 2025-01", "as_of: true"), FACTS, MEASURE,
         "as_of: expected a date (YYYY, YYYY-MM or YYYY-MM-DD), got True"),
    Case("period-backwards",
         in_measure("as_of: 2025-01", "period_start: 2025-03\n    period_end: 2025-01"),
         FACTS, MEASURE, "period_end: '2025-01' is before period_start '2025-03'"),
    Case("event-ends-before-start",
         replace("registry/events.yaml", "start: 2025-01\n", "start: 2025-01\n  end: 2024-12\n",
                 within="nhc-press-conference-2025-01"),
         "registry/events.yaml", "nhc-press-conference-2025-01",
         "end: '2024-12' is before start '2025-01'"),
    # ------------------------------------------------------------ numbers
    Case("full-width-number", in_target("value: 4.5", "value: ４.５"), FACTS, TARGET,
         "value: non-ASCII digits in '４.５'"),
    Case("division-by-zero", in_target("value: 4.5", "value: 1/0"), FACTS, TARGET,
         "value: '1/0' divides by zero"),
    Case("stray-commas", in_target("value: 4.5", 'value: "1,2,3"'), FACTS, TARGET,
         "value: '1,2,3': commas only separate thousands"),
    Case("not-a-number", in_target("value: 4.5", "value: .nan"), FACTS, TARGET,
         "value: nan is not a finite number"),
    Case("huge-number", in_target("value: 4.5", "value: 1.0e+99"), FACTS, TARGET,
         "is out of range (more than 30 digits)"),
    Case("words-not-quantity", in_target("value: 4.5", "value: lots"), FACTS, TARGET,
         "value: 'lots' is not a quantity"),
    Case("double-multiplier", in_target("value: 4.5", "value: 4.5万万"), FACTS, TARGET,
         "value: '4.5万万' is not a quantity"),
    Case("empty-value", in_target("value: 4.5", "value:"), FACTS, TARGET,
         "value: expected a quantity, got None"),
    Case("range-backwards", in_measure("value: 90\n", "value: 90\n    value_max: 80\n"), FACTS,
         MEASURE, "value_max: 80 is less than value 90"),
    Case("task-number-in-words",
         replace("registry/tasks.yaml", "number: 1", "number: 一", within="task-2025-paediatrics"),
         "registry/tasks.yaml", "task-2025-paediatrics",
         "number: Input should be a valid integer, unable to parse string as an integer "
         "(got text '一')"),
    Case("full-width-task-number",
         replace("registry/tasks.yaml", "number: 1", "number: １", within="task-2025-paediatrics"),
         "registry/tasks.yaml", "task-2025-paediatrics", "number: non-ASCII digits in '１' "
         "(write '1')"),
    Case("full-width-source-id", replace(FACTS, 'id: "002"', 'id: "００２"'), FACTS, "source",
         "id: non-ASCII digits in '００２' (write '002')"),
    Case("task-number-zero",
         replace("registry/tasks.yaml", "number: 1", "number: 0", within="task-2025-paediatrics"),
         "registry/tasks.yaml", "task-2025-paediatrics",
         "number: Input should be greater than or equal to 1"),
    # ------------------------------------------------------------ units
    Case("unknown-unit", in_target("value: 4.5\n", "value: 4.5\n    unit: percentage\n"), FACTS,
         TARGET, "unit: unknown unit 'percentage' (did you mean 'percent'?)"),
    Case("percent-with-count-unit",
         in_target("value: 4.5\n", "value: 4.5%\n    unit: person\n"), FACTS, TARGET,
         "value: '4.5%' is in percent but unit is 'person'"),
    Case("yes-no-on-numeric-indicator", in_measure("value: 90\n", "value: true\n"), FACTS,
         MEASURE, "value: true does not suit unit 'percent'"),
    Case("number-on-yes-no-indicator",
         replace(FACTS, "value: true", "value: 5", within=YES_NO), FACTS, YES_NO,
         "value: 5 does not suit unit 'boolean' of indicator "
         "'all-public-general-hospitals-paediatrics' (expected true or false)"),
    # ------------------------------------------------------------ encodings and characters
    Case("not-utf8", write_bytes(REGIONS, lambda b: b.decode().encode("gb18030")), REGIONS, None,
         "is not UTF-8: byte 0x"),
    Case("byte-order-mark", write_bytes(REGIONS, lambda b: b"\xef\xbb\xbf" + b), REGIONS, None,
         "starts with a byte-order mark (BOM)"),
    Case("utf16", write_bytes(REGIONS, lambda b: b.decode().encode("utf-16")), REGIONS, None,
         "is UTF-16 encoded; save it as UTF-8"),
    Case("zero-width-space", replace(REGIONS, "name_zh: 北京市", "name_zh: 北京\u200b市",
                                     within="beijing"), REGIONS, "beijing",
         "name_zh: invisible character U+200B at position 3"),
    Case("control-character", replace(REGIONS, "name_en: Beijing", "name_en: Bei\x07jing",
                                      within="beijing"), REGIONS, None,
         "not valid YAML at line"),
    # ------------------------------------------------------------ YAML structure
    Case("unclosed-bracket", replace(REGIONS, "aliases_zh: [北京]", "aliases_zh: [北京",
                                     within="beijing"), REGIONS, None, "not valid YAML at line"),
    Case("tab-indent", replace(REGIONS, "  level: province\n", "\tlevel: province\n",
                               within="beijing"), REGIONS, None, "not valid YAML at line"),
    Case("duplicate-key", in_measure("as_of: 2025-01\n", "as_of: 2025-01\n    as_of: 2025-02\n"),
         FACTS, MEASURE, "as_of: key given twice (lines"),
    Case("two-documents", append(REGIONS, "---\n- id: x\n"), REGIONS, None,
         "expected a single document in the stream, but found another document"),
    Case("python-tag", append(REGIONS, "- !!python/object/apply:os.system [ls]\n"), REGIONS,
         None, "could not determine a constructor"),
    Case("empty-file", write_bytes("registry/units.yaml", lambda b: b""), "registry/units.yaml",
         None, "the file is empty"),
    Case("only-comments", write_bytes("registry/units.yaml", lambda b: b"# nothing yet\n"),
         "registry/units.yaml", None, "holds no data (only comments)"),
    Case("missing-source-article",
         replace(FACTS, "file: 002_4a3f87a1da74a320.txt", "file: 002_missing.txt"), FACTS,
         "source", "002_missing.txt not found"),
    Case("missing-facts-folder", lambda data: shutil.rmtree(data / "facts"), "facts", None,
         "folder not found"),
    Case("unreadable-file", folder_instead("registry/units.yaml"), "registry/units.yaml", None,
         "cannot be read: it is a folder, not a file"),
    # ------------------------------------------------------------ wrong types and fields
    Case("string-for-list", replace(REGIONS, "aliases_zh: [北京]", "aliases_zh: 北京",
                                    within="beijing"), REGIONS, "beijing",
         "aliases_zh: Input should be a valid list (got text '北京')"),
    Case("number-for-name", replace(REGIONS, "name_zh: 北京市", "name_zh: 110000",
                                    within="beijing"), REGIONS, "beijing",
         "name_zh: Input should be a valid string (got number 110000)"),
    Case("misspelt-field", in_target("value: 4.5", "valeu: 4.5"), FACTS, TARGET,
         "valeu: unknown field (did you mean 'value'?)"),
    Case("unknown-level", replace(REGIONS, "level: province", "level: state", within="beijing"),
         REGIONS, "beijing", "level: Input should be 'country'"),
    Case("claim-not-mapping", replace(FACTS, "claims:\n", "claims:\n  - just a sentence\n"),
         FACTS, "#1", "Input should be a valid dictionary"),
    # ------------------------------------------------------------ hierarchies
    Case("cyclic-within",
         replace(REGIONS, "level: country\n", "level: country\n  within: beijing\n", within="cn"),
         REGIONS, "cn", "within: cycle cn -> beijing -> cn"),
    Case("within-itself", replace(REGIONS, "within: cn", "within: beijing", within="beijing"),
         REGIONS, "beijing", "within: cycle beijing -> beijing"),
    # ------------------------------------------------------------ ids and collisions
    Case("id-as-number", replace(REGIONS, "- id: tianjin\n", "- id: 010\n"), REGIONS, "10",
         "id: expected a slug in text, got 10 (quote it if it is an id)"),
    Case("id-with-capitals", replace(REGIONS, "- id: tianjin\n", "- id: Tianjin\n"), REGIONS,
         "Tianjin", "id: 'Tianjin' is not a slug"),
    Case("namesake-same-slug",
         append("registry/people.yaml", "- id: jiao-yahui\n  name_zh: 焦亚辉\n"),
         "registry/people.yaml", "jiao-yahui",
         "duplicate id: person 'jiao-yahui' in data/registry/people.yaml has it already; "
         "namesakes take jiao-yahui-2"),
    Case("same-id-other-kind", append("registry/departments.yaml",
                                      "- id: nhc\n  name_zh: 某司\n  name_en: Some department\n"
                                      "  parent: nhc\n"),
         "registry/departments.yaml", "nhc",
         "duplicate id: agency 'nhc' in data/registry/agencies.yaml has it already"),
    Case("person-id-not-pinyin", replace("registry/people.yaml", "- id: jiao-yahui\n",
                                         "- id: jiao-ya-hui\n"),
         "registry/people.yaml", "jiao-ya-hui", "expected 'jiao-yahui'"),
    Case("source-id-not-file-name", replace(FACTS, 'id: "002"', 'id: "003"'), FACTS, "source",
         "id: '003' does not match the file name 002.yaml"),
    Case("reference-to-wrong-kind", in_target("indicator: childcare-places-per-1000",
                                              "indicator: beijing"), FACTS, TARGET,
         "indicator: 'beijing' is a region, expected indicator"),
]


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def test_the_table_is_large_and_distinct() -> None:
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_input_gives_one_error_line_and_keeps_store(
    case: Case, data_copy: Path, published: Path
) -> None:
    before = snapshot(published)
    case.edit(data_copy)
    where = f"data/{case.file}, record {case.record}" if case.record else f"data/{case.file}"
    for command in (["build", "--location", str(published)], ["validate"]):
        result = CliRunner().invoke(main, [command[0], "--data-dir", str(data_copy), *command[1:]])
        assert isinstance(result.exception, SystemExit), result.exception
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        lines = error_lines(result.stderr)
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"error: {where}: "), lines[0]
        assert case.reason in lines[0]
    assert snapshot(published) == before


def test_reported_defect_via_the_installed_command(data_copy: Path, published: Path) -> None:
    """Issue 8, defect 5: `as_of: 2025-13-45` gave a 63-line traceback."""
    in_measure("as_of: 2025-01", "as_of: 2025-13-45")(data_copy)
    before = snapshot(published)
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", "--data-dir", str(data_copy),
         "--location", str(published)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (f"error: data/facts/002.yaml, record {MEASURE}: as_of: invalid date "
                           f"'2025-13-45' (month must be 1..12)\n")
    assert snapshot(published) == before
