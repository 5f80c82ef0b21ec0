"""The strict YAML reader: YAML 1.2 core values, dates as text, problems by field path."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from kg.yamlreader import YamlFileError, read_yaml_file


def read(tmp_path: Path, text: str | bytes) -> object:
    path = tmp_path / "x.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return read_yaml_file(path)


def test_values_follow_yaml_1_2_core(tmp_path: Path) -> None:
    document = read(tmp_path, "a: no\nb: 010\nc: 4.73\nd: 2025-01-05\ne: true\nf: ~\ng: 1:30\n")
    assert document.data == {"a": "no", "b": 10, "c": Decimal("4.73"), "d": "2025-01-05",
                             "e": True, "f": None, "g": "1:30"}
    assert document.findings == []


def test_duplicate_keys_and_invisible_characters_are_found_by_path(tmp_path: Path) -> None:
    document = read(tmp_path, "- id: a\n  name: x\n  name: y\n- id: b\n  tags: [\"o\u200bk\"]\n")
    assert document.findings == [
        ((0, "name"), "key given twice (lines 2 and 3)"),
        ((1, "tags", 0), "invisible character U+200B at position 2 of 'o\\u200bk'; remove it"),
    ]


@pytest.mark.parametrize(("content", "reason"), [
    (b"\xef\xbb\xbfa: 1\n", "starts with a byte-order mark"),
    ("a: 1\n".encode("utf-16"), "is UTF-16 encoded"),
    (b"a: 1\nb: \xb1\xb1\n", "is not UTF-8: byte 0xb1 at line 2, column 4"),
    (b"a: \x07\n", "line 1, column 4: control character U+0007 is not allowed"),
    (b"  \n", "the file is empty"),
    (b"# only a comment\n", "holds no data"),
    (b"a: [1\n", "not valid YAML at line 2"),
    (b"a: !!python/object:os.system {}\n", "could not determine a constructor"),
    (b"a: *missing\n", "*missing at line 1, column 4: anchors and aliases are not allowed"),
    (b"[" * 5000 + b"]" * 5000, "nested more than 32 levels deep at line 1, column 33"),
    (b"a: !!int 0x10\n", "line 1, column 4: '0x10' is not a decimal integer"),
    (b"a: !!float abc\n", "line 1, column 4: 'abc' is not a number"),
    (b"a: !!timestamp 2025-13-45\n", "not valid YAML: month must be in 1..12"),
])
def test_unreadable_files_say_why(tmp_path: Path, content: bytes, reason: str) -> None:
    with pytest.raises(YamlFileError, match=re.escape(reason)):
        read(tmp_path, content)


@pytest.mark.parametrize(("content", "reason"), [
    ("base: &base {unit: percent}\nvalue: *base\n",
     "&base at line 1, column 7: anchors and aliases are not allowed in data files"),
    ("- id: a\n  <<: {name_zh: 甲}\n",
     "merge key << at line 2, column 3: merge keys are not allowed in data files"),
    ("- {id: a, <<: {name_zh: 甲}}\n", "merge key << at line 1, column 11"),
    ("- id: a\n  !!merge x: {name_zh: 甲}\n", "merge key << at line 2, column 3"),
    ("a:\n" + "".join(" " * i + "- \n" for i in range(1, 40)) + "   x\n",
     "nested more than 32 levels deep at line 33, column 33"),
])
def test_what_could_blow_up_is_refused_before_parsing(tmp_path: Path, content: str,
                                                      reason: str) -> None:
    with pytest.raises(YamlFileError, match=re.escape(reason)):
        read(tmp_path, content)


def test_the_data_nests_far_below_the_limit() -> None:
    from kg.datafiles import DEFAULT_DATA_DIR

    for path in DEFAULT_DATA_DIR.rglob("*.yaml"):
        read_yaml_file(path, within=DEFAULT_DATA_DIR)


def test_a_link_is_followed_only_inside_its_folder(tmp_path: Path) -> None:
    data, outside = tmp_path / "data", tmp_path / "secret.yaml"
    data.mkdir()
    outside.write_text("root: x\n", encoding="utf-8")
    (data / "inside.yaml").write_text("a: 1\n", encoding="utf-8")
    (data / "in.yaml").symlink_to("inside.yaml")
    (data / "out.yaml").symlink_to(outside)
    assert read_yaml_file(data / "in.yaml", within=data).data == {"a": 1}
    with pytest.raises(YamlFileError, match=f"is a symbolic link to {outside}, outside data/"):
        read_yaml_file(data / "out.yaml", within=data)
