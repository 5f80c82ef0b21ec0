"""Questions typed in the search box, recognised by the templates of `queries/questions.yaml`.

A template maps phrasings with slots (``谁宣布了{indicator}的目标``) to a saved query and
its parameters. `QuestionBook.match` finds the templates a question fits, most specific
(most literal characters) first, with the text of each slot; `resolve` looks each name up
in the search index among the classes the query declares for its parameter, best ranked
first. Running the query is the service's job (kg.service.questions): it goes through
the same worker path as `/api/queries/{name}`.

The file is read and checked once, when the service starts: a template naming an unknown
query, parameter or slot, a pattern with two slots side by side (nothing tells where one
name ends), or an answer column the query never uses is a DataError naming the file and
the template.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.catalogue import DEFAULT_QUERIES_DIR, Catalogue, SavedQuery, _shown
from kg.errors import DataError, Problem
from kg.search import SearchIndex
from kg.yamlreader import YamlFileError, read_yaml_file

QUESTIONS_FILE = "questions.yaml"
#: Entities tried per name, best ranked first (托位 names six indicators; the first
#: with an answer wins).
CANDIDATES = 8
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SLOT_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_KEYS = frozenset({"id", "query", "params", "answer", "where", "show", "patterns"})
_LANGUAGES = ("zh", "en")
#: What a slot of each parameter type may hold (names are anything between the words).
_SLOT_TEXT = {"integer": r"[0-9]{1,18}", "decimal": r"[0-9]+(?:\.[0-9]+)?",
              "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}"}
#: Quotes and particles around a name that are not part of it.
_STRIP = "\"'“”‘’「」『』《》〈〉 "
_CJK = r"[\u3000-\u9fff\uff00-\uffef]"


@dataclass(frozen=True)
class Pattern:
    """One phrasing of a template, compiled."""

    text: str
    lang: str
    regex: re.Pattern[str]
    literal: int
    """How many characters are not slots (more: more specific)."""


@dataclass(frozen=True)
class Template:
    """One kind of question and the saved query that answers it."""

    id: str
    query: SavedQuery
    params: Mapping[str, str]
    """Parameter -> "{slot}" or a fixed value."""
    answer: tuple[str, ...]
    where: Mapping[str, str]
    show: tuple[str, ...]
    patterns: tuple[Pattern, ...]

    def slot_parameter(self, slot: str) -> str:
        return next(p for p, v in self.params.items() if v == "{" + slot + "}")


@dataclass(frozen=True)
class Match:
    """A template a question fits, and the text in each slot."""

    template: Template
    pattern: Pattern
    slots: Mapping[str, str]


@dataclass(frozen=True)
class Candidate:
    iri: str
    name: str


@dataclass(frozen=True)
class Resolution:
    """A match with its names looked up: the entities each slot may mean, best first, or
    the slot no entity fits."""

    match: Match
    candidates: Mapping[str, tuple[Candidate, ...]]
    unresolved: str | None = None

    def choices(self, limit: int) -> Iterator[dict[str, str]]:
        """Parameter values to try, best ranked combination first (at most `limit`)."""
        template = self.match.template
        slots = list(self.candidates)
        fixed = {p: v for p, v in template.params.items() if not _SLOT_RE.fullmatch(v)}
        for slot, text in self.match.slots.items():
            if slot not in self.candidates:
                fixed[template.slot_parameter(slot)] = text
        ranked = sorted(itertools.product(*(range(len(self.candidates[s])) for s in slots)),
                        key=lambda ranks: (sum(ranks), ranks))
        for ranks in ranked[:limit]:
            values = dict(fixed)
            for slot, rank in zip(slots, ranks, strict=True):
                values[template.slot_parameter(slot)] = self.candidates[slot][rank].iri
            yield values


class QuestionBook:
    """The templates, and the recogniser that fits a question to them."""

    def __init__(self, templates: list[Template]) -> None:
        self.templates = templates

    def match(self, question: str) -> list[Match]:
        """Every template phrasing the question fits, most specific first."""
        text = normalise(question)
        found = []
        for template in self.templates:
            for pattern in template.patterns:
                m = pattern.regex.fullmatch(text)
                if m:
                    slots = {k: clean_name(v) for k, v in m.groupdict().items()}
                    if all(slots.values()):
                        found.append(Match(template, pattern, slots))
        found.sort(key=lambda m: -m.pattern.literal)
        return found

    def resolve(self, match: Match, index: SearchIndex, lang: str) -> Resolution:
        """The entities each name slot may mean, among its parameter's classes."""
        candidates: dict[str, tuple[Candidate, ...]] = {}
        for slot, text in match.slots.items():
            param = match.template.query.param(match.template.slot_parameter(slot))
            if param is None or param.type != "iri":
                continue
            hits = index.find_entities(text, classes=param.classes, limit=CANDIDATES)
            if not hits:
                return Resolution(match, candidates, unresolved=slot)
            candidates[slot] = tuple(Candidate(h.entity.iri, h.entity.name(lang)) for h in hits)
        return Resolution(match, candidates)


def normalise(question: str) -> str:
    """Width and case folded, spaces single, spaces next to Chinese text and the final
    question mark or full stop dropped."""
    text = unicodedata.normalize("NFKC", question).casefold()
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(rf"(?<={_CJK}) | (?={_CJK})", "", text)
    return text.rstrip("?？。.!！ ")


def clean_name(text: str) -> str:
    """A slot's text without surrounding quotes, a trailing 的 or a leading 'the'."""
    name = text.strip(_STRIP)
    name = re.sub(r"^the ", "", name).removesuffix("的").strip(_STRIP)
    return name


def compile_pattern(text: str, lang: str, slot_types: Mapping[str, str]) -> Pattern:
    """A phrasing as a regular expression over normalised text."""
    parts, literal, at = [], 0, 0
    for m in _SLOT_RE.finditer(text):
        words = normalise(text[at:m.start()]) if text[at:m.start()].strip() else ""
        parts.append(_literal_regex(words, text[at:m.start()]))
        literal += len(words)
        parts.append(f"(?P<{m.group(1)}>{_SLOT_TEXT.get(slot_types[m.group(1)], '.+?')})")
        at = m.end()
    tail = normalise(text[at:])
    parts.append(_literal_regex(tail, text[at:]))
    literal += len(tail)
    return Pattern(text, lang, re.compile("".join(parts)), literal)


def _literal_regex(words: str, raw: str) -> str:
    """Literal words; a space at either end of the raw text separates them from a slot."""
    if not words:
        return ""
    lead = " ?" if raw[:1].isspace() else ""
    trail = " ?" if raw[-1:].isspace() else ""
    return lead + re.escape(words).replace(r"\ ", " ") + trail


# ---------------------------------------------------------------- reading the file


def questions_file(queries_dir: Path | None = None) -> Path:
    """Where the templates are: beside the saved queries."""
    return Path(queries_dir or DEFAULT_QUERIES_DIR) / QUESTIONS_FILE


def load_questions(path: Path, catalogue: Catalogue) -> QuestionBook:
    """Read and check the template file (DataError naming the file and template)."""
    if not path.exists():
        return QuestionBook([])  # a catalogue without questions: search only
    shown = _shown(path)
    try:
        read = read_yaml_file(path)
    except YamlFileError as exc:
        raise DataError([Problem(shown, None, str(exc))]) from None
    data = read.data
    if read.findings:
        raise DataError([Problem(shown, None, f"{'.'.join(map(str, where))}: {why}")
                         for where, why in read.findings])
    if not isinstance(data, list):
        raise DataError([Problem(shown, None, "expected a list of question templates")])
    problems: list[Problem] = []
    templates: list[Template] = []
    seen: set[str] = set()
    for number, item in enumerate(data, 1):
        record = str(item.get("id")) if isinstance(item, dict) and item.get("id") else \
            f"#{number}"
        errors: list[str] = []
        template = _template(item, catalogue, errors)
        if template is not None and template.id in seen:
            errors.append(f"the id {template.id!r} is used twice")
        problems += [Problem(shown, record, e) for e in errors]
        if template is not None and not errors:
            seen.add(template.id)
            templates.append(template)
    if problems:
        raise DataError(problems)
    return QuestionBook(templates)


def _template(item: Any, catalogue: Catalogue, errors: list[str]) -> Template | None:
    if not isinstance(item, dict):
        errors.append("expected a mapping with id, query, params, answer and patterns")
        return None
    errors += [f"unknown key {k!r} (expected: {', '.join(sorted(_KEYS))})"
               for k in item if k not in _KEYS]
    ident = str(item.get("id", ""))
    if not _ID_RE.match(ident):
        errors.append(f"id {ident!r} is not kebab-case")
    name = str(item.get("query", ""))
    query = catalogue.get(name)
    if query is None:
        errors.append(f"no saved query named {name!r} (queries/{name}.rq)")
        return None
    params = _mapping(item.get("params"), "params", errors)
    slot_types: dict[str, str] = {}
    for param_name, value in params.items():
        param = query.param(param_name)
        if param is None:
            errors.append(f"params: {name} has no parameter {param_name!r} "
                          f"(it takes: {', '.join(p.name for p in query.params) or 'none'})")
            continue
        slot = _SLOT_RE.fullmatch(value)
        if slot:
            if slot.group(1) in slot_types:
                errors.append(f"params: slot {{{slot.group(1)}}} fills two parameters")
            slot_types[slot.group(1)] = param.type
        elif "{" in value:
            errors.append(f"params: {param_name}: {value!r} is neither a slot nor a value")
    answer = _columns(item.get("answer"), "answer", query, errors, required=True)
    show = _columns(item.get("show"), "show", query, errors)
    where = _mapping(item.get("where"), "where", errors)
    if where:
        _columns(list(where), "where", query, errors)
    patterns = _patterns(item.get("patterns"), slot_types, errors)
    return Template(ident, query, params, answer, where, show, patterns)


def _mapping(value: Any, key: str, errors: list[str]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
            isinstance(v, str | int) and not isinstance(v, bool) for v in value.values()):
        errors.append(f"{key}: expected a mapping of names to text")
        return {}
    return {str(k): str(v) for k, v in value.items()}


def _columns(value: Any, key: str, query: SavedQuery, errors: list[str],
             required: bool = False) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        errors.append(f"{key}: expected a list of column names")
        return ()
    for column in value:
        if not re.search(rf"\?{re.escape(column)}\b", query.body):
            errors.append(f"{key}: the query {query.name} has no column ?{column}")
    return tuple(value)


def _patterns(value: Any, slot_types: Mapping[str, str], errors: list[str]) -> tuple[
        Pattern, ...]:
    if not isinstance(value, dict) or not value:
        errors.append("patterns: expected phrasings by language (zh, en)")
        return ()
    compiled = []
    for lang, texts in value.items():
        if lang not in _LANGUAGES:
            errors.append(f"patterns: unknown language {lang!r} (expected zh or en)")
            continue
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            errors.append(f"patterns: {lang}: expected a list of phrasings")
            continue
        for text in texts:
            used = _SLOT_RE.findall(text)
            problems = [f"slot {{{s}}} is not a parameter's slot" for s in used
                        if s not in slot_types]
            problems += [f"slot {{{s}}} is missing" for s in slot_types if s not in used]
            problems += [f"slot {{{s}}} appears twice" for s in set(used) if used.count(s) > 1]
            if re.search(r"\}\s*\{", text):
                problems.append("two slots side by side (put words between them)")
            if problems:
                errors += [f"pattern {text!r}: {p}" for p in problems]
                continue
            compiled.append(compile_pattern(text, lang, slot_types))
    return tuple(compiled)
