"""Documents in 《》 (nested 〈〉 titles too) with the issuer the sentence names, and events."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extract.lexicon import Lexicon
from kg.extract.text import Compact

TITLE_RE = re.compile(r"《([^《》]{1,100})》")
INNER_TITLE_RE = re.compile(r"〈([^〈〉]{1,100})〉")
ISSUE_CUES = re.compile(r"印发|发布|出台|制定|修订|颁布|公布|联合")
#: document type by the last word of its title (longest first)
DOCUMENT_TYPES = (
    ("实施方案", "plan"), ("行动方案", "plan"), ("方案", "plan"), ("规划", "plan"),
    ("计划", "plan"), ("意见", "opinion"), ("建议", "opinion"), ("通知", "notice"),
    ("目录", "catalogue"), ("清单", "catalogue"), ("法", "law"), ("条例", "law"),
    ("办法", "law"), ("规定", "law"), ("指南", "guideline"), ("指引", "guideline"),
    ("规范", "standard"), ("标准", "standard"), ("报告", "report"), ("白皮书", "report"),
)
EVENT_RE = re.compile(
    r"(新闻发布会|发布会|工作会议|推广会|座谈会|研讨会|论坛|大会|会议|培训班|活动周|宣传周"
    r"|启动仪式)"
)
EVENT_VERBS = re.compile(r"举行|召开|举办|开幕|闭幕|启动")
DATE_WORDS = re.compile(r"(?:\d{4}年)?\d{1,2}月\d{1,2}[日号](?:至\d{1,2}[日号])?"
                        r"|(?<![\d月])\d{1,2}日(?=举行|召开|举办|在|上午|下午)"
                        r"|昨日|昨天|前日|今日|近日|日前|今天")


@dataclass
class Title:
    """A 《title》 (or a 〈title〉 inside one) at a compact span, with issuers named nearby."""

    title: str
    start: int
    end: int
    issuers: list[str]
    doc_type: str
    nested_in: str | None = None


def document_type(title: str) -> str:
    bare = re.sub(r"[（(].*?[）)]$", "", title)
    for word, kind in DOCUMENT_TYPES:
        if bare.endswith(word):
            return kind
    return "other"


def find_titles(view: Compact, lexicon: Lexicon) -> list[Title]:
    """Every 《title》 and nested 〈title〉, with issuing bodies named before it in its sentence."""
    out = []
    for match in TITLE_RE.finditer(view.text):
        title = match[1]
        sentence_start, _ = view.sentence(match.start(), match.end())
        before = view.text[sentence_start : match.start()]
        issuers = []
        if ISSUE_CUES.search(before + view.text[match.end() : match.end() + 4]):
            issuers = [i for _s, _e, _k, i in lexicon.find_all(before, "agency", "department")]
        out.append(Title(title, match.start(), match.end(), issuers, document_type(title)))
        for inner in INNER_TITLE_RE.finditer(title):
            offset = match.start() + 1
            out.append(Title(inner[1], offset + inner.start(), offset + inner.end(), [],
                             document_type(inner[1]), nested_in=title))
    return out


HOST_VERB = re.compile(r"(委员会|委|局|厅|政府)(?:举行|召开|举办)")
HOST_SEPARATORS = "，。；,;"


def _host_before_verb(sentence: str) -> str | None:
    """The body holding the event: the text from the last separator up to the first
    委员会/委/局/厅/政府 followed by 举行/召开/举办 that has a character before it.

    What `re.search(r"([^，。；,;]+?(?:委员会|委|局|厅|政府))(?:举行|召开|举办)")` finds, in
    linear time (that pattern retries from every start and is quadratic in the sentence).
    """
    for match in HOST_VERB.finditer(sentence):
        at = match.start()
        if at and sentence[at - 1] not in HOST_SEPARATORS:
            left = max(sentence.rfind(c, 0, at) for c in HOST_SEPARATORS) + 1
            return sentence[left : match.end(1)]
    return None


@dataclass
class EventMention:
    """A meeting, press conference or campaign held on a (possibly relative) date."""

    name: str
    date_text: str
    start: int
    end: int
    organizers: list[str]


def find_events(view: Compact, lexicon: Lexicon) -> list[EventMention]:
    """Sentences in which a body held an event (举行/召开 + 发布会/会议), with the date words."""
    out = []
    for match in EVENT_RE.finditer(view.text):
        s_start, s_end = view.sentence(match.start(), match.end())
        sentence = view.text[s_start:s_end]
        if not EVENT_VERBS.search(sentence):
            continue
        date = DATE_WORDS.search(sentence)
        if not date:
            continue
        clause_start, _ = view.clause(match.start(), match.end())
        name_start = max(clause_start, s_start)
        verb = EVENT_VERBS.search(view.text, name_start, match.start())
        if verb:
            name_start = verb.end()
        name = view.text[name_start : match.end()].lstrip("的在")
        organizers = [i for _s, _e, _k, i in lexicon.find_all(sentence, "agency", "department")]
        if len(name) <= 6:
            name = (_host_before_verb(sentence) or "") + name
        out.append(EventMention(name, date[0], name_start, match.end(), organizers))
    seen, unique = set(), []
    for event in out:
        if event.name not in seen:
            seen.add(event.name)
            unique.append(event)
    return unique
