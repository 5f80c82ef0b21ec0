"""Names of resources in the reader's language, looked up in batches through SPARQL.

A person is named in Chinese in the Chinese interface and by pinyin in the
English one (the characters stay beside it on their own page); everything else
by its label in the interface language, else the other language, else pinyin.
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.service.reader import GraphReader, iri

BATCH = 200
#: The language tag of each kind of name (an untagged label has none).
NAME_TAGS = {"zh": "zh", "en": "en", "pinyin": "zh-Latn"}
NAMES_QUERY = """
SELECT ?s ?name ?kind WHERE {
  VALUES ?s { $nodes }
  { ?s rdfs:label ?name BIND("label" AS ?kind) }
  UNION { ?s hkg:pinyin ?name BIND("pinyin" AS ?kind) }
  UNION { ?s skos:notation ?name BIND("notation" AS ?kind) }
}"""


class Labels:
    """zh, en and pinyin names of the resources one page shows, fetched once each."""

    def __init__(self, reader: GraphReader, lang: str) -> None:
        self.reader = reader
        self.lang = lang
        self._names: dict[str, dict[str, str]] = {}

    def load(self, iris: Iterable[str]) -> None:
        """Fetch the names of many resources at once (those already known are skipped)."""
        wanted = [i for i in dict.fromkeys(iris) if i and ":" in i and i not in self._names]
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start:start + BATCH]
            for key in chunk:
                self._names[key] = {}
            for row in self.reader.select(NAMES_QUERY, {"nodes": [iri(i) for i in chunk]}):
                name = row["name"]
                kind = row["kind"].value
                key = kind if kind in ("pinyin", "notation") else (
                    (name.lang or "").split("-")[0] or "plain")
                self._names[row["s"].value].setdefault(key, name.value)

    def names(self, resource: str) -> dict[str, str]:
        if resource not in self._names:
            self.load([resource])
        return self._names.get(resource, {})

    def name(self, resource: str) -> str | None:
        """The name to show in this language (None if the resource has none)."""
        kind = self._kind(resource)
        return self.names(resource)[kind] if kind else None

    def lang_of(self, resource: str) -> str | None:
        """The language tag of the name `name` gives (pinyin is zh-Latn; None for an
        untagged label or no name), for the element that shows it."""
        return NAME_TAGS.get(self._kind(resource) or "")

    def _kind(self, resource: str) -> str | None:
        names = self.names(resource)
        if self.lang == "zh":
            order = ("zh", "plain", "en", "pinyin")
        elif "pinyin" in names:
            order = ("pinyin", "en", "plain", "zh")
        else:
            order = ("en", "plain", "zh", "pinyin")
        return next((k for k in order if k in names), None)

    def other(self, resource: str) -> tuple[str, str] | None:
        """The name in the other script, shown beside the main one (zh <-> en/pinyin),
        with its language tag."""
        names = self.names(resource)
        main = self.name(resource)
        keys = ("pinyin", "en") if self.lang == "zh" else ("zh",)
        return next(((names[k], NAME_TAGS[k]) for k in keys
                     if k in names and names[k] != main), None)
