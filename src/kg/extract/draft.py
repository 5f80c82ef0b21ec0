"""Assembling a draft fact file: source metadata, candidate claims, proposals, coverage.

Every candidate carries `review: candidate`; `kg build` refuses the file until a
reviewer has removed or edited each one and deleted that line.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.coverage import Expression, scan_expressions
from kg.datafiles import CuratedData
from kg.extract.dates import figure_dates
from kg.extract.documents import find_events, find_titles
from kg.extract.figures import (
    Figure,
    comparator,
    is_target,
    listed_under_plan,
    read_figure,
    skip_reason,
)
from kg.extract.lexicon import Lexicon, looks_like_name
from kg.extract.linking import Linker, name_slug
from kg.extract.officials import find_posts
from kg.extract.text import Article, ArticleError, Compact, parse_article, resolve_date
from kg.extract.units import BOOLEAN, Units, read_units
from kg.files import read_regular_file
from kg.quantities import MAX_MAGNITUDE
from kg.records import MAX_QUOTE_CHARS
from kg.settings import DEFAULT_DATA_DIR
from kg.sources import MAX_ARTICLE_BYTES

REVIEW = "candidate"
#: How far back (compact characters) a figure under 全省/全市 looks for the last province or
#: city named (the real articles are at most 6,000 characters long).
PLACE_LOOKBACK = 20_000
#: what follows a speaker's name in a heading: when and where, then a verb of saying
SAYING_RE = re.compile(
    r"(?:先生|女士|同志)?(?:\d{1,2}月)?(?:\d{1,2}日)?(?:在[^，。,；;“”]{0,24}?上|在[^，。,；;“”]{2,6}?(?=表示|介绍|说))?"
    r"(?:也|还|进一步|再次|同时)?(?:表示|介绍说?|说|指出|称|透露|强调|坦言|提到|告诉记者|回答|答|分析|举例|"
    r"解释|认为|[:：](?=$|\S))")
#: a byline: 本报记者 赵丽, 新华社记者 李恒 黄筱, (首席记者 姚常房)
BYLINE_RE = re.compile(r"((?:本报|新华社|每经|健康报)?(?:首席)?记者)[ \t\u3000\n]*"
                       r"([\u4e00-\u9fff]{2,3}(?:[ \t\u3000]+[\u4e00-\u9fff]{2,3})*)")
#: a round number written as its magnitude alone: 近万起, 逾千人
MAGNITUDE_RE = re.compile(r"(近|逾|超|约)(万|千|百)(?=[\u4e00-\u9fff])(?![万亿元年])")
#: "all of them do it": 均/都 before a verb of having or doing, 全覆盖, 每个…至少有一家
_DOING = (r"(?:已经|已|能够|能|可以|可|要|将|在)?(?:提供|开通|实现|完成|建立|建成|设置|覆盖|达到"
          r"|纳入|配备|具备|开展|设立|上线|接入)")
UNIVERSAL_RE = re.compile(
    rf"(?<![人平年日月户])均{_DOING}|(?<![首成京国古])都{_DOING}|全覆盖"
    rf"|每(?:个|一个)?[\u4e00-\u9fff]{{1,6}}至少有?[一1](?:家|个|所)[^，。,；;]{{0,12}}?{_DOING}")
UNIVERSAL_LABEL_RE = re.compile(r"^(?:(?:\d{4}年|全国|目前|今年|[，,])+)|(?:均|都|已经|已|要)")
#: what a later lead holds: a press conference (not a notice it issues)
PRESS_CONFERENCE_AFTER = re.compile(r"[^，。,；;]{0,8}?发布会")
#: how far into the text a lead may start (after a headline, a summary, a byline)
LEAD_REACH = 600
#: a measure done or not: a numbered item of a plan without a number is a yes/no target
PLEDGE_VERB_RE = re.compile(r"取消|推进|实现|开通|降至|建立|推广|落实|设立|全面")
#: a paragraph that goes on with the account of the paragraph before
CONTINUATION_RE = re.compile(r"[一二三四五六七八九十]是|其[一二三四五六七八九十]"
                             r"|第[一二三四五六七八九十]+[,，、]|[“\"]")
#: the lead's body holding a press conference or issuing a text
LEAD_RE = re.compile(
    r"([\u4e00-\u9fff]{2,24}?(?:委员会|卫生健康委|卫健委|医保局|管理局|疾控局|新闻办公室|国新办|政府|委|局|厅|部))"
    r"(?:\d{1,2}月)?(?:\d{1,2}日)?(?:上午|下午)?(?:\d{1,2}时)?(?:今天|今日|近日|日前)?(?:\([^)]{0,12}\))?"
    r"(?:在[^，。,；;]{1,8}?)?(?:举行|召开|举办|发布|印发|公布)")
#: words before the body's name in a lead (the dateline: 中新网北京12月26日电)
LEADING_ORG = re.compile(r"^.*?(?:电|讯|\))|^(?:会上|当天|同日|近日|日前|今天)")


@dataclass
class Draft:
    """The extracted draft: a fact file, proposed registry entries and a coverage list."""

    facts: dict[str, Any]
    proposals: dict[str, list[dict[str, Any]]]
    coverage: dict[str, Any]
    figures: list[Figure] = field(default_factory=list)


def _plain(value: Decimal) -> int | float | str:
    """A YAML-friendly number: ints stay ints, decimals become strings as stated."""
    if value == value.to_integral_value():
        return int(value)
    return format(value.normalize(), "f")


class Extractor:
    """Runs every pattern over one article and links what it finds to the registry.

    `data` is the registry to link to (None: an empty one); the units are those of its
    folder's units.yaml (else of the project's data/) unless `units` are given.
    """

    def __init__(self, data: CuratedData | None, units: Units | None = None) -> None:
        self.data = data
        self.units = units or read_units(data.data_dir if data else DEFAULT_DATA_DIR)
        self.lexicon = Lexicon.from_data(data)
        self.linker = Linker(self.lexicon, dict(data.entities) if data else {})
        self.indicators = self._indicator_labels()
        self.names: list[tuple[int, int, str]] = []
        self.source: dict[str, Any] = {}
        self.year: int | None = None
        #: (start, end, actors, basis) of the words naming a speaker or the lead's body
        self.headings: list[tuple[int, int, list[str], str]] = []
        #: the day of the press conference or meeting the lead reports (its figures' date)
        self.lead_date: str | None = None
        #: (compact offset, person id) of every person's mention
        self._mentions: list[tuple[int, str]] = []

    def _indicator_labels(self) -> list[tuple[str, str, list[set[str]]]]:
        """(indicator id, unit, character pairs of each label) for matching figures."""
        if self.data is None:
            return []
        out = []
        for entity in self.data.of_kind("indicator"):
            labels = [label for label in (entity.name_zh, *entity.aliases_zh) if bigrams(label)]
            out.append((entity.id, getattr(entity, "unit", ""), labels))
        return out

    def indicator_for(self, phrase: str, unit: str, counted: str = "") -> str | None:
        """The registry indicator whose label the figure's clause best contains, for an
        indicator of a compatible unit: the mean of the shares of the label's character
        pairs and of its content characters found in the clause (so 普惠托位 still finds
        普惠性托位数, 心理门诊和睡眠门诊 finds 心理及睡眠门诊), with a bonus when the
        label names what the number counts (`counted`, the words right after it: 333个
        地级市 against 87个区县); at least INDICATOR_MATCH."""
        best, best_score = None, INDICATOR_MATCH
        for indicator_id, indicator_unit, labels in self.indicators:
            if not self.units.suits(unit, indicator_unit):
                continue
            for label in labels:
                score = label_score(label, phrase, counted)
                if score > best_score:
                    best, best_score = indicator_id, score
        return best

    # ------------------------------------------------------------ the whole draft

    def extract(self, raw: str, source_id: str, file_name: str, digest: str) -> Draft:
        article = parse_article(raw)
        view = Compact(article.text)
        if article.headline:
            view.stop_at(article.headline)
        claims: list[dict[str, Any]] = []
        covered: dict[int, str] = {}  # original offset of a number -> claim id
        self.source = self._source(article, source_id, file_name, digest)
        speakers = self._posts(view, claims)
        self._mentions = speakers
        figures = self._figures(view, article, claims, covered, speakers)
        titles = self._documents(view, claims)
        self._measures(view, claims, speakers, set(covered_clauses(view, figures)))
        self._events(view, article, claims)
        facts = {"source": self.source, "claims": claims}
        proposals = {f: list(t.values()) for f, t in sorted(self.linker.proposals.items())}
        coverage = self._coverage(view, covered, titles)
        return Draft(facts, proposals, coverage, figures)

    def _source(self, article: Article, source_id: str, file_name: str, digest: str
                ) -> dict[str, Any]:
        title = article.title or next(
            (line.strip() for line in article.text.splitlines() if line.strip()), "")
        source: dict[str, Any] = {"id": source_id, "file": file_name, "sha256": digest,
                                  "title_zh": title, "title_en": "TODO: English title"}
        if article.date:
            source["published"] = article.date
        else:
            years = re.findall(r"(20\d\d)年", re.sub(r"\s", "", article.text))
            source["published"] = max(years) if years else "TODO"
            source["published_inferred"] = True
            source["date_note"] = "No DATE header: the latest year the text names (extractor)."
        if article.url:
            source["note"] = f"URL: {article.url}"
        return source

    def _posts(self, view: Compact, claims: list[dict[str, Any]]) -> list[tuple[int, str]]:
        """Post candidates; returns (compact offset, person id) of every speaker mention."""
        mentions: list[tuple[int, str]] = []
        used: set[str] = set()
        held: set[tuple[str, str, str]] = set()
        for post in find_posts(view, self.lexicon):
            first_agency = None
            for _s, _e, _kind, entity_id in self.lexicon.find_all(post.chain_org, "agency"):
                first_agency = entity_id
                break
            org = self.linker.organization(post.org_text, first_agency)
            person = self.linker.person(post.name)
            role = self.linker.role(post.title)
            if (person, role, org) in held:
                continue
            held.add((person, role, org))
            claim_id = _unique(f"p-{person}-{role}", used)
            evidence = self._span_quote(view, post.start, post.end)
            if "\n" in evidence:  # a speaker list: the post's own line
                last = evidence.rsplit("\n", 1)[1].strip()
                if re.sub(r"\s", "", post.name) in re.sub(r"\s", "", last) and post.title in last:
                    evidence = last
            claim = {"id": claim_id, "kind": "post", "person": person, "organization": org,
                     "role": role, "title_zh": post.title}
            if self.linker.name_of(person) not in ("", post.name):
                claim["name_as_stated"] = post.name
            claim |= {"evidence": evidence,
                     "review": REVIEW}
            claims.append(claim)
            mentions.append((post.start, person))
            self._heading(view, post.start, post.end, person)
        names = {self.linker.name_of(p) or "": p for _o, p in mentions}
        for name, _kind, person in self.lexicon.kind_names("person"):
            names.setdefault(name, person)
        for name, person in names.items():
            if len(name) < 2:
                continue
            start = view.text.find(name)
            while start >= 0:
                mentions.append((start, person))
                self._heading(view, start, start + len(name), person)
                start = view.text.find(name, start + 1)
        self._lead(view)
        self._byline(view)
        self.headings.sort()
        return sorted(mentions)

    def _heading(self, view: Compact, start: int, end: int, person: str) -> None:
        """A speaker heading: a person's mention followed by a verb of saying
        (李大川介绍, 焦雅辉在会上表示, 蒋成嘉17日在北京表示) or by a colon (a transcript's
        `宣传司副司长 胡强强:`)."""
        if match := SAYING_RE.match(view.text, end):
            if any(h[0] <= start < h[1] for h in self.headings):
                return
            self.headings.append((start, match.end(), [person], "speaker-heading"))

    def _lead(self, view: Compact) -> None:
        """The body the lead names as holding the press conference or issuing the
        figures (国家医保局1月17日举行新闻发布会): the actor of figures no speaker gives.
        A page of several reports has a lead per press conference (国家医保局举行新闻
        发布会 halfway down): each one leads the figures after it."""
        first = min(view.breaks | {len(view.text)})
        opening = True
        for match in LEAD_RE.finditer(view.text):
            if match.start() > max(first, LEAD_REACH):
                if not PRESS_CONFERENCE_AFTER.match(view.text, match.end()):
                    continue
                opening = False
            org = LEADING_ORG.sub("", match[1])
            if len(org) < 3:
                continue
            agency = self.linker.organization(org)
            self.headings.append((match.start(1) + len(match[1]) - len(org), match.end(),
                                  [agency], "lead"))
            s_start, _s_end = view.sentence(match.start(), match.end())
            days = re.findall(r"(?:\d{1,2}月)?\d{1,2}日", view.text[s_start : match.end()])
            day = days[-1] if days else None  # the meeting's day, not the dateline's
            published = str(self.source.get("published", ""))
            if day and published[:4].isdigit() and opening:
                self.lead_date = resolve_date(day, published)[0]
            if opening:
                opening = False

    def _byline(self, view: Compact) -> None:
        """The reporters a byline names (本报记者 赵丽, 新华社记者 李恒 黄筱): the actors
        of an article's own figures."""
        match = next((m for m in BYLINE_RE.finditer(view.original)
                      if "摄" not in m[2] and not re.match(r"\s*摄", view.original[m.end():])),
                     None)
        if not match:
            return
        names = [n for n in re.split(r"[ \t\u3000\n]+", match[2]) if looks_like_name(n)]
        if not names:
            return
        start = bisect.bisect_left(view.index, match.start(1))
        end = bisect.bisect_left(view.index, match.end(2))
        self.headings.append((start, end, [self.linker.person(n) for n in names], "byline"))

    def _actors(self, view: Compact, start: int, end: int, mentions: list[tuple[int, str]]
                ) -> tuple[list[str], dict[str, str] | None]:
        """Who reports a figure, and where the text says so (its attribution): a person
        or body named in the figure's own clause (no attribution needed), else the
        speaker heading of its sentence or the last one before it, else the body the
        lead names."""
        c_start, c_end = view.clause(start, end)
        s_start, s_end = view.paragraph_sentence(start, end)
        named = sorted({p for o, p in mentions if c_start <= o < c_end} | {
            i for _s, _e, _k, i in self.lexicon.find_all(view.text[c_start:c_end],
                                                         "agency", "department")})
        if named:
            return named, None
        in_sentence = [h for h in self.headings if s_start <= h[0] < s_end
                       and h[3] == "speaker-heading"]
        if in_sentence:
            return self._attributed(view, in_sentence[0], "speaker-heading")
        paragraph = self._paragraph_start(view, s_start)
        earlier = [h for h in self.headings if h[1] <= s_start and h[3] == "speaker-heading"]
        if earlier and earlier[-1][0] < paragraph and CONTINUATION_RE.match(view.text, paragraph
                                                                            ) and self._continues(
                view, earlier[-1][1], paragraph):
            # 一是国家卫健委联合…: a numbered item of the speaker's account, whoever it names
            return self._attributed(view, earlier[-1], "speaker-heading")
        bodies = self.lexicon.find_all(view.text[s_start:s_end], "agency", "department")
        if bodies:
            first, last = s_start + bodies[0][0], s_start + bodies[-1][1]
            left, _ = view.clause(first, first + 1)
            evidence = self._span_quote(view, left, last)
            if all(self.linker.name_of(i) and any(
                    n in re.sub(r"\s", "", evidence) for n in self._names(i))
                   for _s, _e, _k, i in bodies):
                return sorted({i for _s, _e, _k, i in bodies}), {
                    "basis": "speaker-heading", "evidence": evidence}
        if earlier and (earlier[-1][0] >= paragraph
                        or self._continues(view, earlier[-1][1], paragraph)):
            return self._attributed(view, earlier[-1], "speaker-heading")
        leads = [h for h in self.headings if h[3] == "lead"]
        lead = [h for h in leads if h[1] <= s_start][-1:] or leads[:1]
        if lead:
            return self._attributed(view, lead[0], "lead")
        byline = [h for h in self.headings if h[3] == "byline"]
        if byline:
            return self._attributed(view, byline[0], "byline")
        return [], None  # the text names no reporter: no one (the curators may infer)

    def _names(self, entity_id: str) -> list[str]:
        entity = self.linker.entities.get(entity_id)
        names = [entity.name_zh, *entity.aliases_zh] if entity is not None else [
            self.linker.name_of(entity_id)]
        return [re.sub(r"\s", "", n) for n in names if n]

    def _named_quote(self, view: Compact, start: int, end: int, attribution: dict[str, str]
                     ) -> str | None:
        """The figure's clause with the speaker's name before it, when the heading is just
        the name and a verb of saying right before the clause (蒋成嘉表示,…): one quote
        then names the speaker, as curators write it. A heading with a post stays apart."""
        if attribution.get("basis") != "speaker-heading":
            return None
        c_start, _c_end = view.clause(start, end)
        heading = re.sub(r"\s", "", attribution["evidence"])
        before = view.text[max(0, c_start - len(heading) - 1) : c_start]
        if not (before.startswith(heading) and len(heading) <= 8 and before[-1:] in "，,"):
            return None
        quote = view.quote(start, end)
        first, _end = view.span(c_start - len(heading) - 1, c_start)
        at = view.original.find(quote, first)
        joined = view.original[first : at + len(quote)].strip()
        return joined if at >= 0 and len(joined) <= MAX_QUOTE_CHARS else None

    def _attributed(self, view: Compact, heading: tuple[int, int, list[str], str], basis: str
                    ) -> tuple[list[str], dict[str, str]]:
        evidence = self._span_quote(view, heading[0], heading[1])
        return list(heading[2]), {"basis": basis, "evidence": evidence}

    @staticmethod
    def _paragraph_start(view: Compact, at: int) -> int:
        """Compact offset of the paragraph holding `at`: after a blank line, or a line
        break after a full stop (corpus texts keep one paragraph a line)."""
        starts = view.points("paragraphs", lambda: {
            i for i in view.breaks | view.line_starts
            if i in view.breaks or view.text[i - 1] in "。！？!?”\"）)】:："})
        found = bisect.bisect_right(starts, at)
        return starts[found - 1] if found else 0

    @staticmethod
    def _continues(view: Compact, since: int, paragraph: int) -> bool:
        """Every paragraph from the one after `since` to the one at `paragraph` goes on
        with the same account: numbered (一是, 其二, 第三) or opening with a quote."""
        lines = view.points("lines", lambda: view.breaks | view.line_starts)
        starts = lines[bisect.bisect_right(lines, since):bisect.bisect_right(lines, paragraph)]
        return bool(starts) and all(CONTINUATION_RE.match(view.text, i) for i in starts)

    def _span_quote(self, view: Compact, start: int, end: int) -> str:
        quote = view.original_text(start, end)
        if len(quote) > MAX_QUOTE_CHARS:
            quote = view.original_text(max(start, end - 40), end)
        return quote

    def _figures(self, view: Compact, article: Article, claims: list[dict[str, Any]],
                 covered: dict[int, str], speakers: list[tuple[int, str]]) -> list[Figure]:
        published = str(self.source.get("published", ""))
        self.year = int(published[:4]) if published[:4].isdigit() else None
        figures = []
        used: set[str] = set()
        self.names = self._numbered_names(view)
        for expr in scan_expressions(article.text):
            if expr.kind not in ("number", "cn-number", "quoted"):
                continue
            if skip_reason(expr, view, self.units, self.names):
                continue
            figure = read_figure(expr, view, self.units, self.year)
            if figure is None:
                continue
            _refuse_huge(figure, article)
            figures.append(figure)
            claim = self._figure_claim(figure, view, article, speakers, used)
            claims.append(claim)
            covered[expr.start] = claim["id"]
        for match in MAGNITUDE_RE.finditer(view.text):
            start, end = view.span(match.start(2), match.end(2))
            expr = Expression(start, end, "magnitude", match[2])
            if (figure := read_figure(expr, view, self.units, self.year)) is not None:
                figures.append(figure)
                claims.append(self._figure_claim(figure, view, article, speakers, used))
        taken = {view.clause(f.start, f.end) for f in figures}
        for match in UNIVERSAL_RE.finditer(view.text):
            claims.append(self._yes_no_claim(match.start(), match.end(), view, article, used))
            taken.add(view.clause(match.start(), match.end()))
        for match in PLEDGE_VERB_RE.finditer(view.text):
            clause = view.clause(match.start(), match.end())
            if clause in taken or not listed_under_plan(view.original, view.index[match.start()]):
                continue
            # 取消门诊预交金 as an item of a plan's list: a yes/no target
            taken.add(clause)
            claims.append(self._yes_no_claim(match.start(), match.end(), view, article, used))
        return figures

    def _yes_no_claim(self, start: int, end: int, view: Compact, article: Article,
                      used: set[str]) -> dict[str, Any]:
        """A yes/no claim (value true) for a clause that says all of something does it:
        各地均已开通, 都已经完成…设置, 每个地市至少有一家医院提供…"""
        text = view.text
        c_start, c_end = view.clause(start, end)
        s_start, _s_end = view.sentence(start, end)
        target = (is_target(text[s_start:start], text[c_start:start], self.year)
                  or listed_under_plan(view.original, view.index[start]))
        kind = "target" if target else "measurement"
        phrase = text[c_start:c_end]
        indicator = self.indicator_for(phrase, BOOLEAN)
        if indicator is None:
            label = UNIVERSAL_LABEL_RE.sub("", phrase) or phrase
            indicator = self.linker.propose("indicator", name_slug(label, 8), {
                "name_zh": label, "name_en": "TODO: English name", "unit": BOOLEAN})
        claim: dict[str, Any] = {
            "id": _unique(f"{kind[0]}-{indicator}"[:60].rstrip("-"), used), "kind": kind,
            "indicator": indicator, "value": True}
        if kind == "target":
            claim["comparator"] = "="
        published = str(self.source.get("published", ""))
        anchor = self.lead_date or article.date or (
            published if published[:4].isdigit() else None)
        claim |= figure_dates(view, start, anchor, kind)
        actors, attribution = self._actors(view, start, end, self._mentions)
        claim["announced_by" if kind == "target" else "reported_by"] = actors
        if attribution:
            claim["attribution"] = attribution
        claim["evidence"] = view.quote(start, end)
        claim["note"] = f"yes/no ({text[start:end]}) in: {phrase}"
        claim["review"] = REVIEW
        return claim

    def _numbered_names(self, view: Compact) -> list[tuple[int, int, str]]:
        """Compact spans of registry names that hold a number (八件实事, 15分钟医疗圈)."""
        # tasks and indicators are named after their figures (互认项目超过200项): not names
        kinds = [k for k in self.lexicon.names if k not in ("indicator", "task", "region", "unit")]
        return [(s, e, i) for s, e, _k, i in self.lexicon.find_all(view.text, *kinds)
                if re.search(r"[0-9零〇一二三四五六七八九十百千万两]", view.text[s:e])]

    def _figure_claim(self, figure: Figure, view: Compact, article: Article,
                      speakers: list[tuple[int, str]], used: set[str]) -> dict[str, Any]:
        text = view.text
        s_start, _s_end = view.sentence(figure.start, figure.end)
        counted = view.text[figure.end : figure.end + 4]
        indicator = self.indicator_for(figure.phrase, figure.unit, counted)
        notes = [f"indicator phrase: {figure.phrase}"]
        if indicator is None:
            label = indicator_label(figure, view)
            indicator = self.linker.propose("indicator", name_slug(label, 8), {
                "name_zh": label, "name_en": "TODO: English name", "unit": figure.unit})
            notes.append("indicator proposed (no registry indicator matches its labels)")
        if figure.change:
            notes.append(f"a change ({figure.change}), not a level")
        kind = "target" if figure.target else "measurement"
        claim: dict[str, Any] = {
            "id": _unique(f"{kind[0]}-{indicator}"[:60].rstrip("-"), used),
            "kind": kind, "indicator": indicator, "value": _plain(figure.values[0])}
        if len(figure.values) > 1 and kind == "measurement":
            claim["value_max"] = _plain(figure.values[-1])
        unit_of_indicator = self._unit_of(indicator)
        if not self.units.suits(figure.unit, unit_of_indicator):
            claim["unit"] = figure.unit  # a bare count (个) takes its indicator's unit
        place = self._place(text[s_start:figure.start],
                            text[max(0, s_start - PLACE_LOOKBACK):s_start])
        if place != "cn":
            claim["place"] = place
        actors, attribution = self._actors(view, figure.start, figure.end, speakers)
        published = str(self.source.get("published", ""))
        anchor = self.lead_date or article.date or (
            published if published[:4].isdigit() else None)
        dates = figure_dates(view, figure.start, anchor, kind)
        if kind == "target":
            claim["comparator"] = comparator(figure)
            claim |= dates
            claim["announced_by"] = actors
        else:
            qualifiers = [q for q in figure.qualifiers]
            if qualifiers:
                claim["qualifiers"] = qualifiers
            claim |= dates
            if actors:
                claim["reported_by"] = actors
        claim["evidence"] = view.quote(figure.start, figure.end)
        if attribution:
            claim["attribution"] = attribution
            named = self._named_quote(view, figure.start, figure.end, attribution)
            if named:  # 蒋成嘉表示,全国医保基金总支出2.97万亿元: the quote names him
                claim["evidence"] = named
                del claim["attribution"]
        claim["note"] = "; ".join(notes)
        claim["review"] = REVIEW
        return claim

    def _unit_of(self, indicator: str) -> str | None:
        entity = self.linker.entities.get(indicator)
        if entity is not None:
            return getattr(entity, "unit", None)
        for table in self.linker.proposals.values():
            if indicator in table:
                return table[indicator].get("unit")
        return None

    def _place(self, before: str, earlier: str) -> str:
        """The region named before the number in its sentence; for 全省/全市 (the whole
        province or city) the last one of that level the text named before; else cn."""
        found = self.lexicon.find_all(before, "region")
        if found:
            return found[-1][3]
        level = ("province" if re.search(r"全省|本省|省内", before) else
                 "prefecture" if re.search(r"全市|本市|市内", before) else None)
        if level and self.data is not None:
            for _s, _e, _k, region in reversed(self.lexicon.find_all(earlier, "region")):
                if getattr(self.data.entities[region], "level", None) == level:
                    return region
        return "cn"

    def _documents(self, view: Compact, claims: list[dict[str, Any]]) -> dict[int, str]:
        """Mention candidates of 《documents》; returns compact title start -> claim id."""
        out: dict[int, str] = {}
        used: set[str] = set()
        named: dict[str, str] = {}  # full titles seen so far -> document id
        for title in find_titles(view, self.lexicon):
            bare = re.sub(r"\s", "", title.title)
            doc = self.lexicon.lookup("document", bare) or next(
                (d for full, d in named.items() if full.endswith(bare) and full != bare), None)
            if doc is None:
                record: dict[str, Any] = {"name_zh": bare, "type": title.doc_type}
                if title.issuers:
                    record["issuer"] = title.issuers
                if title.nested_in:
                    record["note"] = f"named inside 《{title.nested_in}》"
                doc = self.linker.propose("document", name_slug(bare, 8), record)
            named.setdefault(bare, doc)
            claim_id = _unique(f"x-{doc}"[:60].rstrip("-"), used)
            claims.append({"id": claim_id, "kind": "mention", "about": [doc, *title.issuers],
                           "evidence": view.quote(title.start, title.end), "review": REVIEW})
            out[title.start] = claim_id
        return out

    def _measures(self, view: Compact, claims: list[dict[str, Any]],
                  speakers: list[tuple[int, str]], taken: set[tuple[int, int]]) -> None:
        """Statement candidates for policy measures: a pledge verb (将推广, 要求…取消) in a
        clause without a figure, in a sentence that names who speaks."""
        used: set[str] = set()
        for match in MEASURE_RE.finditer(view.text):
            clause = view.clause(match.start(), match.end())
            if clause in taken:
                continue
            taken.add(clause)
            s_start, s_end = view.sentence(match.start(), match.end())
            inside = speakers[bisect.bisect_left(speakers, s_start, key=lambda m: m[0]):
                              bisect.bisect_left(speakers, s_end, key=lambda m: m[0])]
            actors = sorted({p for _o, p in inside}) or sorted({
                i for _s, _e, _k, i in self.lexicon.find_all(view.text[s_start:s_end],
                                                             "agency", "department")})
            if not actors:
                continue
            claims.append({
                "id": _unique(f"s-measure-{len(used) + 1}", used), "kind": "statement",
                "summary_en": "TODO: English summary of this measure", "speaker": actors,
                "evidence": view.quote(match.start(), match.end()),
                "note": f"policy measure: {view.text[clause[0]:clause[1]]}", "review": REVIEW})

    def _events(self, view: Compact, article: Article, claims: list[dict[str, Any]]) -> None:
        used: set[str] = set()
        for event in find_events(view, self.lexicon):
            date, inferred = resolve_date(event.date_text, article.date)
            record: dict[str, Any] = {
                "name_zh": event.name,
                "type": "press-conference" if "发布会" in event.name else "meeting",
                "start": date or (article.date or "TODO"),
                "date_inferred": inferred or date is None}
            if event.organizers:
                record["organizer"] = sorted(set(event.organizers))
            record["note"] = f"date as stated: {event.date_text} (article date {article.date})"
            event_id = self._known_event(record) or self.linker.propose(
                "event", name_slug(event.name, 8), record)
            claims.append({"id": _unique(f"x-{event_id}"[:60].rstrip("-"), used),
                           "kind": "mention", "about": [event_id],
                           "evidence": view.quote(event.start, event.end), "review": REVIEW})

    def _known_event(self, record: dict[str, Any]) -> str | None:
        """The registry's event of the same type on the same day (the press conference
        another source reported), preferring one its organisers hold."""
        if self.data is None or len(str(record["start"])) != 10:
            return None
        same_day = [e for e in self.data.of_kind("event") if str(e.start) == record["start"]
                    and e.type == record["type"]]
        organizers = set(record.get("organizer", []))
        same_day.sort(key=lambda e: -len(organizers & set(e.organizer)))
        return same_day[0].id if same_day else None

    def _coverage(self, view: Compact, covered: dict[int, str], titles: dict[int, str]
                  ) -> dict[str, Any]:
        """Every number, date and 《title》: the candidate it became, or why it was skipped."""
        candidates, skipped = [], []
        for expr in scan_expressions(view.original):
            entry = {"text": expr.text, "offset": expr.start}
            if expr.start in covered:
                candidates.append({**entry, "claim": covered[expr.start]})
                continue
            if expr.kind == "title":
                at = bisect.bisect_left(view.index, expr.start)
                if at in titles:
                    candidates.append({**entry, "claim": titles[at]})
                    continue
            reason = {
                "date": "a date: the period or deadline of a figure, or an event's date",
                "title": "a title not read as a document",
            }.get(expr.kind) or skip_reason(expr, view, self.units, self.names) or (
                "no value could be read")
            skipped.append({**entry, "reason": reason})
        return {"candidates": len(candidates), "skipped": skipped}


LABEL_LEAD = re.compile(r"^(?:(?:截至|到|至)?\d{4}年(?:\d{1,2}月)?(?:底|末)?"
                        r"|全国|全省|全市|我国|目前|已经|已)+")
LABEL_TAIL = re.compile(r"(?:要|将|已|达到|达|超过|超|约|近|累计|共计|共|为|是)+$")


def indicator_label(figure: Figure, view: Compact) -> str:
    """A proposed indicator's name: the figure's clause without the number and cue words."""
    clause_start, clause_end = view.clause(figure.start, figure.end)
    before = view.text[clause_start : figure.expr_start]
    after = view.text[figure.end : clause_end]
    label = LABEL_TAIL.sub("", LABEL_LEAD.sub("", before))
    label += re.sub(r"^(?:以上|以下|左右|余|多)", "", after)
    return label.strip("的，、") or figure.phrase


#: a pledged or announced measure: will/must + a verb of policy
MEASURE_RE = re.compile(
    r"(?:将|要|要求|决定|计划|提出)(?:进一步|全面|加快|持续|逐步|积极|继续)?"
    r"(?:推动|推进|推广|实施|建立|开展|落实|取消|设置|扩大|加强|完善|探索|支持|实行|出台|启动)"
)


def covered_clauses(view: Compact, figures: list[Figure]) -> list[tuple[int, int]]:
    """Clauses that already hold a figure candidate."""
    return [view.clause(f.start, f.end) for f in figures]


INDICATOR_MATCH = 0.7


#: characters that say nothing of what an indicator measures
FUNCTION_CHARS = set("的数个量率和及与或等各为是在有了之其")


def label_score(label: str, phrase: str, counted: str = "") -> float:
    """How well a clause matches an indicator label (see Extractor.indicator_for)."""
    pairs, label_pairs = bigrams(phrase), bigrams(label)
    chars = content_chars(label)
    if not label_pairs or not chars:
        return 0.0
    score = (len(pairs & label_pairs) / len(label_pairs)
             + len(chars & set(phrase)) / len(chars)) / 2
    if re.search(r"新增|增加", phrase):  # a number added, not a total
        score += 0.1 if re.search(r"新增|增加|增长", label) else -0.1
    noun = re.sub(r"[^\u4e00-\u9fff]", "", counted)[:3]
    if len(noun) >= 2 and noun[:2] in label:
        score += 0.15
    return score


@lru_cache(maxsize=8192)
def bigrams(text: str) -> frozenset[str]:
    """Pairs of adjacent Chinese characters (digits and punctuation left out); cached, as
    every figure compares its clause with the same indicator labels."""
    chars = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return frozenset(chars[i : i + 2] for i in range(len(chars) - 1))


@lru_cache(maxsize=8192)
def content_chars(label: str) -> frozenset[str]:
    """The Chinese characters of a label that say what it measures."""
    return frozenset(c for c in re.sub(r"[^\u4e00-\u9fff]", "", label)
                     if c not in FUNCTION_CHARS)


def _unique(base: str, used: set[str]) -> str:
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate


def _refuse_huge(figure: Figure, article: Article) -> None:
    """A figure of more digits than a fact file may hold is no quantity: refuse the article
    (rather than write a number no loader reads back, or fail on Python's limit of 4,300
    digits for an int's text)."""
    for value in figure.values:
        if value and abs(value.adjusted()) > MAX_MAGNITUDE:
            digits = re.sub(r"\D", "", figure.expr.text)
            shown = digits if len(digits) <= 20 else f"{digits[:8]}…{digits[-4:]}"
            raise ArticleError(f"line {article.line_of(figure.expr.start)}: the number {shown} "
                               f"({len(digits):,} digits) is out of range (more than "
                               f"{MAX_MAGNITUDE} digits)")


def extract_file(path: Path, source_id: str, data: CuratedData | None) -> Draft:
    """The draft of one article file: a regular file of at most MAX_ARTICLE_BYTES.

    Raises UnreadableFile (a FIFO, device, folder, too large), UnicodeDecodeError, or
    ArticleError (a malformed header, a number out of range).
    """
    raw_bytes = read_regular_file(path, MAX_ARTICLE_BYTES)
    raw = raw_bytes.decode("utf-8")
    digest = hashlib.sha256(raw_bytes).hexdigest()
    return Extractor(data).extract(raw, source_id, path.name, digest)
