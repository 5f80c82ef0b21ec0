"""Search over names and evidence quotes, built once from the store at start-up.

Names: every zh and en label, alternative label and pinyin of the dataset's
entities (claims and assessments are found through their quotes instead), all
folded the same way: lower case, tone marks and spaces and punctuation removed.
(Pinyin is not derived from Chinese labels: pypinyin's dictionaries would cost
the server ~50 MB and seconds of start-up; people carry their pinyin in the data,
agencies, tasks and indicators their English names.) So `wang haidong`, `Wáng Hǎidōng`,
`wanghaidong`, `王海东` and `海东` all reach the same person; exact names rank
above prefixes above infixes.

Quotes: the verbatim evidence of every claim, indexed by character bigrams (the
usual way to search Chinese without a word segmenter); a query's bigrams select
candidates, which are then checked for the whole query and highlighted.

Memory is bounded: at most MAX_ENTITIES names and MAX_QUOTES quotes are indexed
(quotes cut at MAX_QUOTE_CHARS); the index says when it was cut.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from kg.service.reader import GraphReader, literal

MAX_ENTITIES = 200_000
MAX_QUOTES = 200_000
MAX_QUOTE_CHARS = 400
ENTITY_KINDS = ("person", "agency", "task", "indicator", "region", "source", "facility",
                "document", "policy", "event", "outlet", "programme", "role", "post", "unit")
NAMES_QUERY = """
SELECT ?s ?name ?kind WHERE {
  { ?s rdfs:label ?name BIND("label" AS ?kind) }
  UNION { ?s hkg:pinyin ?name BIND("pinyin" AS ?kind) }
  UNION { ?s hkg:nameAsStated ?name BIND("stated" AS ?kind) }
  UNION { ?s skos:altLabel ?name BIND("alt" AS ?kind) }
  FILTER(STRSTARTS(STR(?s), $base))
}"""
TYPES_QUERY = """
SELECT ?s ?class WHERE {
  ?s a ?type . ?type rdfs:subClassOf* ?class .
  FILTER(STRSTARTS(STR(?s), $base) && isIRI(?class))
}"""
QUOTES_QUERY = """
SELECT ?claim ?quote ?source WHERE {
  ?claim hkg:evidence ?evidence . ?evidence oa:exact ?quote .
  OPTIONAL { ?claim prov:wasDerivedFrom ?source }
}"""


def fold(text: str) -> str:
    """Lower case, no tone marks, no spaces or punctuation: 'Wáng Hǎidōng' -> 'wanghaidong'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed
                   if not unicodedata.combining(c) and (c.isalnum()))


def fold_with_positions(text: str) -> tuple[str, list[int]]:
    """`fold` of a text, and for each kept character its index in the original."""
    out, positions = [], []
    for index, char in enumerate(text):
        for c in unicodedata.normalize("NFKD", char.lower()):
            if not unicodedata.combining(c) and c.isalnum():
                out.append(c)
                positions.append(index)
    return "".join(out), positions


@dataclass
class Entity:
    """One searchable resource: its names, kind (from its IRI) and classes."""

    iri: str
    kind: str
    names: dict[str, str] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)

    def name(self, lang: str) -> str:
        order = ("zh", "en", "pinyin") if lang == "zh" else (
            ("pinyin", "en", "zh") if "pinyin" in self.names else ("en", "zh", "pinyin"))
        return next((self.names[k] for k in order if k in self.names), self.iri)


@dataclass
class Quote:
    claim: str
    text: str
    source: str | None
    folded: str
    positions: list[int]


@dataclass
class EntityHit:
    entity: Entity
    score: int
    matched: str


@dataclass
class QuoteHit:
    quote: Quote
    spans: list[tuple[int, int]]

    def segments(self) -> list[tuple[str, bool]]:
        """The quote as (text, highlighted) pieces, for templates to escape and mark."""
        return segments(self.quote.text, self.spans)


def segments(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    pieces, at = [], 0
    for start, end in spans:
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def find_spans(text: str, query: str, folded: tuple[str, list[int]] | None = None) -> list[
        tuple[int, int]]:
    """Where the query (whole, else each word) occurs in a text, ignoring case, tones,
    spaces and punctuation; empty if some word is missing."""
    folded_text, positions = folded or fold_with_positions(text)
    whole = fold(query)
    words = [whole] if whole and whole in folded_text else [
        w for w in (fold(part) for part in query.split()) if w]
    spans = []
    for word in words:
        at = folded_text.find(word)
        if at < 0:
            return []
        while at >= 0:
            spans.append((positions[at], positions[at + len(word) - 1] + 1))
            at = folded_text.find(word, at + len(word))
    return _merge(spans)


def highlight(text: str, query: str) -> list[tuple[str, bool]]:
    """A name or quote as (text, matched) pieces for the query (nothing marked if no match)."""
    return segments(text, find_spans(text, query))


class SearchIndex:
    """Names and quotes of one dataset version, in memory."""

    def __init__(self) -> None:
        self.entities: dict[str, Entity] = {}
        self.quotes: list[Quote] = []
        self.bigrams: dict[str, set[int]] = defaultdict(set)
        self.truncated = False

    @classmethod
    def build(cls, reader: GraphReader, base: str) -> SearchIndex:
        index = cls()
        prefixes = tuple(f"{base}{kind}/" for kind in ENTITY_KINDS)
        for row in reader.select(NAMES_QUERY, {"base": literal(base)}):
            subject = row["s"].value
            if not subject.startswith(prefixes):
                continue
            entity = index.entities.get(subject)
            if entity is None:
                if len(index.entities) >= MAX_ENTITIES:
                    index.truncated = True
                    continue
                kind = subject[len(base):].split("/", 1)[0]
                entity = index.entities[subject] = Entity(subject, kind)
            name = row["name"]
            kind = row["kind"].value
            key = kind if kind in ("pinyin", "stated", "alt") else (
                (name.lang or "zh").split("-")[0])
            entity.names.setdefault(key, name.value)
            entity.keys.add(fold(name.value))
        for row in reader.select(TYPES_QUERY, {"base": literal(base)}):
            entity = index.entities.get(row["s"].value)
            if entity is not None:
                entity.classes.add(row["class"].value)
        for row in reader.select(QUOTES_QUERY):
            if len(index.quotes) >= MAX_QUOTES:
                index.truncated = True
                break
            text = row["quote"].value[:MAX_QUOTE_CHARS]
            folded, positions = fold_with_positions(text)
            number = len(index.quotes)
            index.quotes.append(Quote(row["claim"].value, text,
                                      row["source"].value if "source" in row else None,
                                      folded, positions))
            for i in range(len(folded) - 1):
                index.bigrams[folded[i:i + 2]].add(number)
        return index

    # ------------------------------------------------------------ names

    def find_entities(self, query: str, *, kind: str | None = None,
                      classes: tuple[str, ...] = (), limit: int = 50) -> list[EntityHit]:
        """Entities whose names match, best first: exact, then prefix, then infix; a
        query of several words also matches names holding every word."""
        whole = fold(query)
        words = [w for w in (fold(part) for part in query.split()) if w]
        if not whole:
            return []
        hits = []
        for entity in self.entities.values():
            if kind and entity.kind != kind:
                continue
            if classes and not entity.classes.intersection(classes):
                continue
            score = 0
            for key in entity.keys:
                if key == whole:
                    score = max(score, 100)
                elif key.startswith(whole):
                    score = max(score, 80)
                elif whole in key:
                    score = max(score, 60)
                elif len(words) > 1 and all(w in key for w in words):
                    score = max(score, 40)
            if score:
                hits.append(EntityHit(entity, score, query))
        rank = {k: i for i, k in enumerate(ENTITY_KINDS)}
        hits.sort(key=lambda h: (-h.score, rank.get(h.entity.kind, 99),
                                 len(h.entity.name("zh")), h.entity.iri))
        return hits[:limit]

    def resolve(self, value: str, classes: tuple[str, ...] = ()) -> tuple[list[Entity],
                                                                          list[Entity]]:
        """The entities a typed name names exactly (zh, en or pinyin, folded), and the
        best other matches (to offer when it names none)."""
        hits = self.find_entities(value, classes=classes, limit=20)
        exact = [h.entity for h in hits if h.score == 100]
        return exact, [h.entity for h in hits if h.score != 100]

    # ------------------------------------------------------------ quotes

    def find_quotes(self, query: str, limit: int = 50) -> list[QuoteHit]:
        """Quotes holding every word of the query (spaces and punctuation ignored)."""
        words = [w for w in (fold(part) for part in query.split()) if w]
        if not words:
            return []
        candidates: set[int] | None = None
        for word in words:
            if len(word) < 2:
                continue
            for i in range(len(word) - 1):
                posting = self.bigrams.get(word[i:i + 2], set())
                candidates = posting if candidates is None else candidates & posting
        numbers = range(len(self.quotes)) if candidates is None else sorted(candidates)
        hits = []
        for number in numbers:
            quote = self.quotes[number]
            spans = find_spans(quote.text, " ".join(words), (quote.folded, quote.positions))
            if spans:
                hits.append(QuoteHit(quote, spans))
        hits.sort(key=lambda h: (-len(h.spans), len(h.quote.text), h.quote.claim))
        return hits[:limit]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
