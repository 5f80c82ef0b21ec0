"""Reading one curated YAML file strictly: UTF-8 text, plain values, every key once.

PyYAML's defaults are loose in ways that hide curation mistakes: YAML 1.1 reads
`no` as false, `010` as 8 and `2025-13-45` as a date it then fails to construct
(with a traceback). This reader resolves only YAML 1.2 core values (true/false,
decimal integers, decimals, null), keeps dates as text for the record schema to
check, and reports duplicate keys and invisible characters by field path.

Data files are input from people, so the reader refuses, before parsing, what would make
the parser or the record walk blow up: anything but a regular file inside the data folder
of at most MAX_FILE_BYTES (a FIFO, a device, a symbolic link out), nesting deeper than
MAX_NESTING (libyaml's composer recurses: 200,000 `[` crashed the process), and anchors and
aliases (`&a` / `*a`: a few lines of them expand to billions of values). Merge keys (`<<`)
are refused too: a record's fields are written out where they apply.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.tokens import (
    AliasToken,
    AnchorToken,
    BlockEndToken,
    BlockMappingStartToken,
    BlockSequenceStartToken,
    FlowMappingEndToken,
    FlowMappingStartToken,
    FlowSequenceEndToken,
    FlowSequenceStartToken,
)

from kg.files import UnreadableFile, read_regular_file

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: Characters that do not show in an editor (format, control, private-use, separators).
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}
#: Largest data file read (the largest today, a fact file, is 64 kB).
MAX_FILE_BYTES = 4_000_000
#: Deepest nesting of collections (the data's records are 6 deep).
MAX_NESTING = 32
MERGE_TAG = "tag:yaml.org,2002:merge"

FieldPath = tuple[str | int, ...]


class YamlFileError(Exception):
    """The file as a whole cannot be read (encoding, syntax, emptiness)."""


@dataclass
class YamlFile:
    """A file's data, and the problems of single values found while reading it."""

    data: Any
    findings: list[tuple[FieldPath, str]] = field(default_factory=list)


_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed


class StrictLoader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader (libyaml's, when installed) with YAML 1.2 core types and no timestamps."""

    yaml_implicit_resolvers: dict = {}  # noqa: RUF012 - PyYAML's own class attribute


def _decimal_integer(loader: StrictLoader, node: ScalarNode) -> int:
    text = loader.construct_scalar(node).replace("_", "")
    try:
        return int(text, 10)
    except ValueError:
        raise ConstructorError(None, None, f"{text!r} is not a decimal integer",
                               node.start_mark) from None


def _exact_decimal(loader: StrictLoader, node: ScalarNode) -> Decimal | float:
    """Decimals stay as written (0.1 is Decimal('0.1'), not a binary float); .inf/.nan
    stay floats, for the record schema to refuse."""
    text = loader.construct_scalar(node).replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        pass
    try:
        return float(text.lower().replace(".", "", 1))
    except ValueError:
        raise ConstructorError(None, None, f"{text!r} is not a number",
                               node.start_mark) from None


for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^[-+]?[0-9]+$", "-+0123456789"),
    ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
              r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+.0123456789"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("merge", r"^(?:<<)$", "<"),
):
    StrictLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern),
                                       list(_first))
StrictLoader.add_constructor("tag:yaml.org,2002:int", _decimal_integer)
StrictLoader.add_constructor("tag:yaml.org,2002:float", _exact_decimal)


def read_yaml_file(path: Path, *, within: Path | None = None) -> YamlFile:
    """Read and parse one data file (raises YamlFileError with a reason for people).

    `within` is the folder the file must stay in (a symbolic link out of it is refused).
    """
    try:
        raw = read_regular_file(path, MAX_FILE_BYTES, within=within)
    except UnreadableFile as exc:
        raise YamlFileError(str(exc)) from None
    text = _decode(raw)
    if not text.strip():
        raise YamlFileError("the file is empty")
    _refuse_special_characters(text)
    prescan(text)
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise YamlFileError("the file holds no data (only comments)")
        findings = _scan(node, ())
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise YamlFileError(f"not valid YAML{_where(exc)}: {_reason(exc)}") from None
    except RecursionError:
        raise YamlFileError("not valid YAML: nested too deeply") from None
    except (ValueError, ArithmeticError) as exc:  # e.g. an explicit !!timestamp 2025-13-45
        raise YamlFileError(f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    return YamlFile(data, findings)


def _where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""


def _reason(exc: yaml.YAMLError) -> str:
    reason = getattr(exc, "problem", None) or str(exc)
    if context := getattr(exc, "context", None):
        reason = f"{context}, {reason}"
    return reason


_OPENING = (BlockMappingStartToken, BlockSequenceStartToken, FlowMappingStartToken,
            FlowSequenceStartToken)
_CLOSING = (BlockEndToken, FlowMappingEndToken, FlowSequenceEndToken)


def prescan(text: str) -> None:
    """Refuse deep nesting and anchors from libyaml's tokens, before anything is parsed.

    The scanner is iterative and stops at the first offending token, so this costs one
    pass over the tokens of a good file (70 ms for all of data/) and next to nothing on
    a hostile one. A syntax error stops it too: the parser then reports that error.
    """
    depth = 0
    try:
        for token in yaml.scan(text, Loader=_Base):
            if isinstance(token, _OPENING):
                depth += 1
                if depth > MAX_NESTING:
                    raise YamlFileError(f"nested more than {MAX_NESTING} levels deep "
                                        f"{_at(token)}")
            elif isinstance(token, _CLOSING):
                depth -= 1
            elif isinstance(token, AnchorToken | AliasToken):
                sign = "&" if isinstance(token, AnchorToken) else "*"
                raise YamlFileError(f"{sign}{token.value} {_at(token)}: anchors and aliases "
                                    f"are not allowed in data files (write the value out)")
    except yaml.YAMLError:
        return


def _at(token: yaml.Token) -> str:
    return f"at line {token.start_mark.line + 1}, column {token.start_mark.column + 1}"


def _decode(raw: bytes) -> str:
    if raw.startswith(UTF8_BOM):
        raise YamlFileError("starts with a byte-order mark (BOM); save it as UTF-8 without BOM")
    if raw.startswith(UTF16_BOMS):
        raise YamlFileError("is UTF-16 encoded; save it as UTF-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlFileError(f"is not UTF-8: byte 0x{raw[exc.start]:02x} at line {line}, "
                            f"column {column} (save the file as UTF-8)") from None


def _refuse_special_characters(text: str) -> None:
    """What PyYAML's reader refuses, reported with line and column (it gives an offset)."""
    for match in yaml.reader.Reader.NON_PRINTABLE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        raise YamlFileError(f"not valid YAML at line {line}, column {column}: control "
                            f"character U+{ord(match.group()):04X} is not allowed")


def _scan(node: Node, path: FieldPath) -> list[tuple[FieldPath, str]]:
    """Duplicate keys and invisible characters anywhere under a node, by field path."""
    found: list[tuple[FieldPath, str]] = []
    if isinstance(node, ScalarNode) and isinstance(node.value, str):
        for offset, char in enumerate(node.value):
            if unicodedata.category(char) in INVISIBLE_CATEGORIES and char not in "\n\t":
                found.append((path, f"invisible character U+{ord(char):04X} at position "
                                    f"{offset + 1} of {node.value!r}; remove it"))
                break
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            found += _scan(item, (*path, index))
    elif isinstance(node, MappingNode):
        first_line: dict[str, int] = {}
        for key, value in node.value:
            if key.tag == MERGE_TAG:
                raise YamlFileError(f"merge key << at line {key.start_mark.line + 1}, column "
                                    f"{key.start_mark.column + 1}: merge keys are not allowed "
                                    f"in data files (write the fields out)")
            name = key.value if isinstance(key, ScalarNode) else str(key.value)
            if name in first_line:
                found.append(((*path, name), f"key given twice (lines {first_line[name]} and "
                                             f"{key.start_mark.line + 1})"))
            first_line.setdefault(name, key.start_mark.line + 1)
            found += _scan(value, (*path, name))
    return found
