"""Defaults in fact files: stated once for a file or a block, applied before validation."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kg.checks import check_references
from kg.datafiles import load_curated
from kg.errors import DataError, Problem

SOURCE = """\
source:
  id: "001"
  file: 001_x.txt
  sha256: "{sha}"
  title_zh: 标题
  title_en: Title
  published: 2025-12
""".format(sha="0" * 64)


def load(tmp_path: Path, body: str) -> dict:
    data = tmp_path / "data"
    (data / "facts").mkdir(parents=True, exist_ok=True)
    (data / "facts" / "001.yaml").write_text(SOURCE + textwrap.dedent(body), encoding="utf-8")
    facts = load_curated(data).facts["001"]
    return {c.id: c for c in facts.claims}


def problems(tmp_path: Path, body: str) -> list[str]:
    with pytest.raises(DataError) as caught:
        load(tmp_path, body)
    return [str(p) for p in caught.value.problems]


BLOCKS = """\
defaults:
  reported_by: [nhc]
  event: conf
claims:
  - id: m-plain
    kind: measurement
    indicator: beds
    value: 5
  - defaults:
      kind: measurement
      as_of: 2025-12-26
      reported_by: [nhsa]
    claims:
      - id: m-in-block
        indicator: beds
        value: 6
      - id: m-own-values
        indicator: beds
        value: 7
        as_of: 2025
        event: null
        reported_by: []
      - id: x-mention
        kind: mention
        about: [nhc]
        evidence: 国家卫生健康委
      - id: s-statement
        kind: statement
        summary_en: Said.
"""


def test_defaults_apply_to_the_claims_below_them_and_own_values_win(tmp_path: Path) -> None:
    body = BLOCKS.replace("value: 5\n", "value: 5\n    evidence: 五个\n")
    for claim_id in ("m-in-block", "m-own-values", "s-statement"):
        body = body.replace(f"id: {claim_id}\n", f"id: {claim_id}\n        evidence: 引文\n")
    claims = load(tmp_path, body)
    plain, block, own = claims["m-plain"], claims["m-in-block"], claims["m-own-values"]
    assert (plain.reported_by, plain.event, plain.as_of) == (["nhc"], "conf", None)
    assert (block.kind, block.reported_by, block.event, block.as_of) == (
        "measurement", ["nhsa"], "conf", "2025-12-26")
    assert (own.reported_by, own.event, own.as_of) == ([], None, "2025")
    # a kind that has no such field ignores the default; its own kind wins over the block's
    assert claims["x-mention"].kind == "mention"
    assert (claims["s-statement"].kind, claims["s-statement"].event) == ("statement", "conf")


def test_a_file_with_defaults_loads_the_same_records_as_one_spelling_them_out(
        tmp_path: Path) -> None:
    short = load(tmp_path, """\
        defaults: {kind: measurement, indicator: beds, place: beijing}
        claims:
          - {id: m-a, value: 1, evidence: 一个}
          - {id: m-b, value: 2, evidence: 两个, place: cn}
        """)
    long = load(tmp_path, """\
        claims:
          - {id: m-a, kind: measurement, indicator: beds, place: beijing, value: 1, evidence: 一个}
          - {id: m-b, kind: measurement, indicator: beds, place: cn, value: 2, evidence: 两个}
        """)
    assert short == long


@pytest.mark.parametrize(("body", "expected"), [
    ("defaults: {evnt: conf}\nclaims: []\n",
     "data/facts/001.yaml, record defaults: defaults: evnt: unknown claim field "
     "(did you mean 'event'?)"),
    ("defaults: {evidence: 引文}\nclaims: []\n",
     "data/facts/001.yaml, record defaults: defaults: 'evidence' belongs to each claim"),
    ("defaults: [event]\nclaims: []\n",
     "data/facts/001.yaml, record defaults: defaults: expected a mapping of claim fields"),
    ("claims:\n  - defaults: {wibble: 1}\n    claims: []\n",
     "data/facts/001.yaml, record block claims.0: defaults: wibble: unknown claim field"),
    ("claims:\n  - claims: []\n    title: x\n",
     "data/facts/001.yaml, record block claims.0: unknown block key(s) title"),
])
def test_malformed_defaults_are_refused_naming_the_file(tmp_path: Path, body: str,
                                                       expected: str) -> None:
    found = problems(tmp_path, body)
    assert len(found) == 1
    assert found[0].startswith(expected), found


def test_a_bad_default_value_is_reported_on_each_claim_with_where_it_comes_from(
        tmp_path: Path) -> None:
    found = problems(tmp_path, """\
        claims:
          - defaults: {as_of: 2025-13}
            claims:
              - {id: m-a, kind: measurement, indicator: beds, value: 1, evidence: 一个}
              - {id: s-b, kind: statement, summary_en: Said., evidence: 两个}
        """)
    assert found == ["data/facts/001.yaml, record m-a: as_of: invalid date '2025-13' (month must "
                     "be 1..12) (the value comes from the defaults of block claims.0)"]


def test_a_duplicate_key_inside_defaults_names_the_defaults(tmp_path: Path) -> None:
    found = problems(tmp_path, "defaults:\n  event: a\n  event: b\nclaims: []\n")
    assert found == ["data/facts/001.yaml, record defaults: event: key given twice "
                     "(lines 9 and 10)"]


def test_duplicate_claim_ids_are_found_across_blocks(tmp_path: Path) -> None:
    found = problems(tmp_path, """\
        claims:
          - {id: x-a, kind: mention, about: [nhc], evidence: 一个}
          - defaults: {kind: mention}
            claims:
              - {id: x-a, about: [nhc], evidence: 两个}
        """)
    assert found == ["data/facts/001.yaml, record x-a: duplicate claim id in this file"]


def test_an_unknown_entity_in_defaults_is_reported_on_the_claims_that_take_it(
        tmp_path: Path) -> None:
    (tmp_path / "data" / "registry").mkdir(parents=True)
    (tmp_path / "data" / "registry" / "events.yaml").write_text(
        "- {id: conf, name_zh: 发布会, type: press-conference, start: 2025-01}\n",
        encoding="utf-8")
    load(tmp_path, """\
        defaults: {event: cnof}
        claims:
          - {id: s-a, kind: statement, summary_en: Said., evidence: 一个}
          - {id: s-b, kind: statement, summary_en: Said., evidence: 两个, event: conf}
        """)
    found: list[Problem] = []
    check_references(load_curated(tmp_path / "data"), found)
    assert [str(p) for p in found] == [
        "data/facts/001.yaml, record s-a: event: unknown event 'cnof' (did you mean 'conf'?) "
        "(the value comes from the file's defaults)"]
