"""The article as text: header metadata, a whitespace-free view, clauses and quotes.

Newspaper layouts leave spaces and line breaks inside words (`医政司 司长`, `刘晓\\n刚`).
Patterns run on the *compact* view (every whitespace character removed) and map
their matches back to the original text, so that evidence quotes stay verbatim.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

from kg.records import MAX_QUOTE_CHARS

HEADER_RE = re.compile(r"^(URL|TITLE|DATE)\s*[:：]\s*(.*)$")
#: punctuation that ends a clause; a quote never runs across one of these
CLAUSE_END = "，。；！？：,;!?:"
SENTENCE_END = "。；！？!?;"
#: marks that open the items of a bulleted list
BULLETS = "-–—•·●■□◆▪"
LIST_ITEM_START = re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]{1,2})[.．、](?![0-9])")
#: Farthest a clause, and a sentence, reaches either side of a match (compact characters).
#: The real articles' longest clause is 124 characters and longest sentence 537; without
#: a reach, text with no Chinese punctuation (an English article) makes every number's
#: clause the whole text and the extractor quadratic in the article's length.
CLAUSE_REACH = 200
SENTENCE_REACH = 1000


class ArticleError(ValueError):
    """Something in the article that no draft can be written from (a reason for people)."""


@dataclass
class Article:
    """A source text with its optional header lines (URL, TITLE, DATE) removed."""

    text: str
    url: str | None = None
    title: str | None = None
    date: str | None = None
    #: the line of the file the text starts on (after the header lines; a printed
    #: headline put before the body counts from the TITLE: line)
    first_line: int = 1
    #: characters of `text` that are the printed headline (a TITLE: line that is not
    #: `[descriptive …]`: the page's own words, quotable); 0 when there is none
    headline: int = 0

    def line_of(self, offset: int) -> int:
        """The file's line number of an offset in the text."""
        return self.first_line + self.text.count("\n", 0, offset)


def parse_article(raw: str) -> Article:
    """Split leading `URL:`, `TITLE:`, `DATE:` lines from the body (kept verbatim).

    Raises ArticleError for a header given twice or a DATE that is not a calendar date.
    """
    meta: dict[str, str] = {}
    seen: dict[str, int] = {}
    lines = raw.splitlines(keepends=True)
    used = 0
    for line in lines:
        if not line.strip() and meta:
            used += 1
            continue
        match = HEADER_RE.match(line.strip())
        if not match:
            break
        if match[1] in seen:
            raise ArticleError(f"line {used + 1}: {match[1]} header given twice (first on "
                               f"line {seen[match[1]]})")
        seen[match[1]] = used + 1
        meta[match[1].lower()] = match[2].strip()
        used += 1
    body = "".join(lines[used:]) if meta else raw
    date = meta.get("date")
    if date:
        try:
            date = normalise_date(date)
        except ValueError as exc:
            raise ArticleError(f"line {seen['DATE']}: DATE header: {exc}") from None
    title = meta.get("title")
    first_line = used + 1 if meta else 1
    if title and not title.startswith("[descriptive"):
        # the printed headline is article text; URL:, DATE: and a descriptive TITLE: are not
        return Article(f"{title}\n\n{body}", meta.get("url"), title, date,
                       first_line=seen.get("TITLE", first_line) if "TITLE" in seen
                       else first_line - 2, headline=len(title))
    return Article(body, meta.get("url"), title, date, first_line=first_line)


def normalise_date(text: str) -> str:
    """'2025-01-15', '2025年1月15日', '2025/1/15' -> ISO, keeping the precision given.

    Raises ValueError naming the text when it does not start with a calendar date.
    """
    match = re.match(r"(\d{4})(?:[-/年.](\d{1,2})(?:[-/月.](\d{1,2}))?)?", text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date (write 2025-01-15, 2025-01 or 2025年1月15日)")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        date = dt.date(year, month or 1, day or 1)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a calendar date ({exc})") from None
    if day:
        return date.isoformat()
    return f"{year:04d}-{month:02d}" if month else f"{year:04d}"


@dataclass
class Compact:
    """The text without whitespace, with each compact index's offset in the original."""

    original: str
    text: str = ""
    index: list[int] = field(default_factory=list)
    #: compact positions a blank line (paragraph break) precedes
    breaks: set[int] = field(default_factory=set)
    #: compact positions a line break precedes
    line_starts: set[int] = field(default_factory=set)
    _clause: tuple[array, array] | None = field(default=None, init=False, repr=False)
    _ordered: list[int] | None = field(default=None, init=False, repr=False)
    _points: dict[str, list[int]] = field(default_factory=dict, init=False, repr=False)
    _sentence: tuple[array, array] | None = field(default=None, init=False, repr=False)
    #: compact positions no sentence runs across (the end of a headline)
    stops: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        chars, index = [], []
        for offset, ch in enumerate(self.original):
            if not ch.isspace():
                chars.append(ch)
                index.append(offset)
        self.text = "".join(chars)
        self.index = index
        self.line_starts = {
            i for i in range(1, len(index)) if "\n" in self.original[index[i - 1] : index[i]]
        }
        self.breaks = self._hard_breaks()

    def ordered_breaks(self) -> list[int]:
        """The paragraph breaks in order (sorted once per article, for binary search)."""
        if self._ordered is None:
            self._ordered = sorted(self.breaks)
        return self._ordered

    def _hard_breaks(self) -> set[int]:
        """Blank lines that end a paragraph: after a short line (a heading) or after
        punctuation. A blank line in the middle of a long unpunctuated run is page layout
        (每千人口3⏎⏎岁以下) and is read through."""
        index, breaks, paragraph_start = self.index, set(), 0
        for i in range(1, len(index)):
            if re.search(r"\n\s*\n", self.original[index[i - 1] : index[i]]):
                short = i - paragraph_start <= 30
                list_item = LIST_ITEM_START.match(self.text, i)
                if short or list_item or self.text[i - 1] in CLAUSE_END + "”\"）)】":
                    breaks.add(i)
                paragraph_start = i
        return breaks

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of compact [start, end)."""
        return self.index[start], self.index[end - 1] + 1

    def original_text(self, start: int, end: int) -> str:
        s, e = self.span(start, end)
        return self.original[s:e]

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """Compact span of the clause around [start, end) (at most CLAUSE_REACH either side)."""
        if self._clause is None:
            self._clause = self._bounds(CLAUSE_END, self.breaks)
        return self._around(self._clause, start, end, CLAUSE_REACH)

    def quote(self, start: int, end: int, limit: int = MAX_QUOTE_CHARS) -> str:
        """Verbatim original text of the clause around a match, cut to `limit` characters."""
        left, right = self.clause(start, end)
        left, right = _trim(left, right, start, end, limit, self)
        return self.original_text(left, right).strip()

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """Compact span of the sentence around [start, end) (at most SENTENCE_REACH either
        side; a headline is one)."""
        if self._sentence is None:
            self._sentence = self._bounds(SENTENCE_END, self.stops)
        return self._around(self._sentence, start, end, SENTENCE_REACH)

    def _bounds(self, stops: str, breaks: set[int]) -> tuple[array, array]:
        """For each compact position, where the span holding it starts and where it ends:
        the nearest stop character (or break) before it and after it, in one pass each."""
        text, size = self.text, len(self.text)
        lefts, rights = array("q", bytes(8 * (size + 1))), array("q", bytes(8 * (size + 1)))
        current = 0
        for i in range(1, size + 1):
            if text[i - 1] in stops or i in breaks:
                current = i
            lefts[i] = current
        current = size
        for i in range(size, -1, -1):
            if i < size and (text[i] in stops or i in breaks):
                current = i
            rights[i] = current
        return lefts, rights

    def _around(self, bounds: tuple[array, array], start: int, end: int, reach: int
                ) -> tuple[int, int]:
        lefts, rights = bounds
        size = len(self.text)
        left = lefts[start] if 0 <= start <= size else start
        right = rights[end] if 0 <= end <= size else end
        return max(left, start - reach), min(right, end + reach)

    def paragraph_sentence(self, start: int, end: int) -> tuple[int, int]:
        """The sentence around [start, end), cut at paragraph breaks and at bulleted lines
        (a list of highlights carries no full stops)."""
        left, right = self.sentence(start, end)
        cuts = self.points("cuts", lambda: self.breaks | {
            i for i in self.line_starts if self.text[i] in BULLETS})
        at = bisect.bisect_right(cuts, start)  # the last cut at or before start
        if at and left < cuts[at - 1]:
            left = cuts[at - 1]
        after = bisect.bisect_right(cuts, end)  # the first cut after end
        if after < len(cuts) and cuts[after] < right:
            right = cuts[after]
        return left, right

    def points(self, name: str, make: Callable[[], set[int]]) -> list[int]:
        """A set of offsets derived from the breaks and lines, sorted once per article (for
        binary search: every figure asks)."""
        found = self._points.get(name)
        if found is None:
            found = self._points[name] = sorted(make())
        return found

    def stop_at(self, original_offset: int) -> None:
        """End clauses and sentences before this offset of the original (a headline's end)."""
        at = bisect.bisect_left(self.index, original_offset)
        self.breaks.add(at)
        self._points.clear()
        self._ordered = None
        self.stops.add(at)


def _trim(left: int, right: int, start: int, end: int, limit: int, view: Compact
          ) -> tuple[int, int]:
    """Shrink [left, right) around [start, end) until its original text fits `limit`."""
    index = view.index

    def size(a: int, b: int) -> int:
        # a compact span starts and ends on non-space characters: nothing to strip
        return index[b - 1] + 1 - index[a] if b > a else 0

    while size(left, right) > limit and (left < start or right > end):
        if right > end and (right - end >= start - left or left >= start):
            right -= 1
        else:
            left += 1
    return left, right


CN_DAY_RE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]")
RELATIVE_DAYS = {"昨日": -1, "昨天": -1, "前日": -2, "前天": -2, "今日": 0, "今天": 0,
                 "明日": 1, "明天": 1}


def resolve_date(expression: str, anchor: str | None) -> tuple[str | None, bool]:
    """A date expression as a partial ISO date, resolved against the article date.

    Returns (date, inferred): 昨日 -> the day before the anchor; 近日/日前 -> the
    anchor's month (inferred); 12月26日 -> that day in the anchor's year (or the year
    before, when it would fall after the anchor). Without an anchor only absolute
    dates resolve. An impossible date (13月45日) resolves to nothing.
    """
    try:
        return _resolve_date(expression, anchor)
    except ValueError:
        return None, False


def _resolve_date(expression: str, anchor: str | None) -> tuple[str | None, bool]:
    anchor_date = None
    if anchor and len(anchor) == 10:
        anchor_date = dt.date.fromisoformat(anchor)
    if match := CN_DAY_RE.search(expression):
        year, month, day = match.groups()
        if year:
            return dt.date(int(year), int(month), int(day)).isoformat(), False
        if anchor is None:
            return None, False
        guess = dt.date(int(anchor[:4]), int(month), int(day))
        if anchor_date and guess > anchor_date:
            guess = guess.replace(year=guess.year - 1)
        return guess.isoformat(), True
    if match := re.search(r"(\d{4})年(?:(\d{1,2})月)?", expression):
        year, month = match.groups()
        if month and not 1 <= int(month) <= 12:
            return None, False
        return (f"{year}-{int(month):02d}" if month else year), False
    for word, days in RELATIVE_DAYS.items():
        if word in expression and anchor_date:
            return (anchor_date + dt.timedelta(days=days)).isoformat(), True
    day = re.fullmatch(r"(\d{1,2})[日号]", expression.strip())
    if day and anchor and len(anchor) >= 7:
        return f"{anchor[:7]}-{int(day[1]):02d}", True
    if ("近日" in expression or "日前" in expression or "本月" in expression) and anchor:
        return anchor[:7], True
    if "上月" in expression and anchor_date:
        first = anchor_date.replace(day=1) - dt.timedelta(days=1)
        return first.isoformat()[:7], True
    return None, False
