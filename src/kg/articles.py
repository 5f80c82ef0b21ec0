"""Articles within a source file, credits and anonymous speakers, checked against the text.

A file that prints several articles lists them under ``source.articles``, each with the
verbatim clause where it begins (``starts_at``). A claim belongs to the article whose
start is the last one at or before its quote; claims before the first start (page
furniture) belong to no article. Checks: each start is found in the text, in order;
credited people exist and are not both writer and photographer/chart maker of one
article; an ``anonymous_speaker`` is printed in the source.
"""

from __future__ import annotations

from kg.attribution import squeeze
from kg.datafiles import CuratedData
from kg.errors import Problem
from kg.records import Article, FactFile, Source
from kg.sources import find_quote

#: key of an article's start in the offsets map: (source id, ARTICLE_KEY + article id)
ARTICLE_KEY = "@article/"


def article_of(starts: list[tuple[int, str]], claim_start: int) -> str | None:
    """Id of the article a quote starting at `claim_start` lies in (starts sorted)."""
    current = None
    for start, article_id in starts:
        if start > claim_start:
            break
        current = article_id
    return current


def _check_credits(data: CuratedData, file: str, label: str, record: Article | Source,
                   problems: list[Problem]) -> None:
    for field in ("authors", "photographers", "chart_makers"):
        for ref in getattr(record, field):
            entity = data.entities.get(ref)
            if entity is None or entity.KIND != "person":
                problems.append(Problem(file, label, f"{field}: {ref!r} is not a person"))
    both = set(record.authors) & (set(record.photographers) | set(record.chart_makers))
    for ref in sorted(both):
        problems.append(Problem(
            file, label, f"{ref!r} is credited both as author and for photos/charts; "
            f"credit them for what the byline says"))


def check_articles(data: CuratedData, texts: dict[str, str], problems: list[Problem],
                   offsets: dict[tuple[str, str], tuple[int, int]]) -> None:
    """Check articles and anonymous speakers; add each article start to `offsets`."""
    for source_id, facts in data.facts.items():
        file = data.fact_files[source_id]
        _check_credits(data, file, "source", facts.source, problems)
        text = texts.get(source_id)
        previous = -1
        seen: set[str] = set()
        for article in facts.source.articles:
            label = f"source.articles.{article.id}"
            if article.id in seen:
                problems.append(Problem(file, label, "duplicate article id"))
            seen.add(article.id)
            _check_credits(data, file, label, article, problems)
            if text is None:
                continue
            span = find_quote(text, article.starts_at)
            if span is None:
                problems.append(Problem(file, label, f"starts_at not found verbatim in "
                                        f"{facts.source.file}: {article.starts_at!r}"))
                continue
            if span[0] <= previous:
                problems.append(Problem(file, label, "articles must be listed in the order "
                                        "they start in the text"))
            previous = span[0]
            offsets[(source_id, ARTICLE_KEY + article.id)] = span
        if text is not None:
            _check_anonymous_speakers(facts, file, text, problems)


def _check_anonymous_speakers(facts: FactFile, file: str, text: str,
                              problems: list[Problem]) -> None:
    flat = squeeze(text)
    for claim in facts.claims:
        name = getattr(claim, "anonymous_speaker", None)
        if name and squeeze(name) not in flat:
            problems.append(Problem(file, claim.id, f"anonymous_speaker {name!r} is not "
                                    f"printed in {facts.source.file}"))
