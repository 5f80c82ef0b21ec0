"""Officials: the post + name patterns of Chinese official reporting.

Shapes recognised (on the whitespace-free text):

* ORG POST NAME — 国家卫生健康委医政司司长焦雅辉表示
* a chain of posts — 国家卫生健康委新闻发言人、宣传司副司长胡强强 (each post with its
  own organisation, or the one before it: 医疗应急司副司长、一级巡视员高光明)
* ORG NAME POST — 健康路社区卫生服务中心马铤枫主任医师; and posts after a name
  (院长尼玛拉毛副主任医师)
* transcript speaker lines — `胡强强   国家卫生健康委新闻发言人、宣传司副司长`
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from kg.extract.lexicon import ORG_SUFFIXES, Lexicon, looks_like_name
from kg.extract.linking import quiet_jieba
from kg.extract.text import CLAUSE_REACH, Compact

#: words after a name in reporting (表示, 介绍, ...) or punctuation
AFTER_NAME = re.compile(
    r"(?:表示|介绍|说|指出|称|透露|强调|坦言|告诉|认为|提到|回答|解释|谈到|在|对|等|一行|带领|"
    r"先生|女士|同志|\d{1,2}[月日]|"
    r"主持|出席|答|就|作|是|也|还|向|同|与|和|率|到|来|提出|建议|分析|坦承|补充|举例|发布|通报|"
    r"[，。、；：（(“\"！？）]|$)"
)
#: words that can open a clause before an organisation's name
LEADING_WORDS = re.compile(
    r"^(?:据悉|据|在|由|从|对|和|与|及|以及|请|邀请|记者从|会上|其中|同时|此外|另外|日前|近日|昨日|这是|这|是|为|"
    r"今日|目前|当天|随后|并|而|如|例如|比如|正如)+"
)
CHAIN_BREAK = "，。；：！？“”\"（）()《》【】—-·…,;:!?"


@dataclass
class Post:
    """One post a person holds, as the text states it."""

    name: str
    title: str
    org_text: str
    start: int  # compact span of the whole mention
    end: int
    chain_org: str = ""  # the organisation of the chain's first post (国家卫生健康委)


def _role_regex(lexicon: Lexicon) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(r) for r in lexicon.roles()))


def _name_after(text: str, at: int, lexicon: Lexicon, line_starts: set[int] = frozenset()
                ) -> str | None:
    """The personal name starting at `at`, if one does (ended by a reporting verb,
    punctuation, or the end of a line as in a list of speakers)."""
    for name, _kind, _id in lexicon.kind_names("person"):
        if text.startswith(name, at):
            return name
    for size in (3, 2, 4):
        name = text[at : at + size]
        if looks_like_name(name) and (AFTER_NAME.match(text, at + size)
                                      or at + size in line_starts):
            return name
    return _segmented_name(text[at : at + 8]) or _name_before_title(text, at)


PROFESSIONAL_TITLE = re.compile(r"副主任医师|主任医师|主治医师|副教授|教授|副研究员|研究员")


def _name_before_title(text: str, at: int) -> str | None:
    """A name between a post and a professional title, whatever its script of origin
    (院长尼玛拉毛副主任医师): the characters up to the title."""
    for size in range(2, 6):
        name = text[at : at + size]
        if re.fullmatch(r"[\u4e00-\u9fff]+", name) and PROFESSIONAL_TITLE.match(text, at + size):
            return name
    return None


def _segmented_name(window: str) -> str | None:
    """A name at the start of `window` by word segmentation (jieba's part-of-speech tags):
    a token tagged as a personal name, or a surname followed by a given name and a verb,
    adverb or preposition (张海波积极推动, 高光明在)."""
    from jieba import posseg

    quiet_jieba()
    tokens = posseg.lcut(window)
    if not tokens:
        return None
    first = tokens[0]
    if first.flag.startswith("nr") and looks_like_name(first.word):
        return first.word
    if len(tokens) >= 3 and len(first.word) == 1 and len(tokens[1].word) in (1, 2):
        name = first.word + tokens[1].word
        if looks_like_name(name) and (tokens[2].flag[:1] in ("v", "d", "p")
                                         or tokens[2].flag == "ad"):
            return name
    return None


def _org_before(text: str, end: int, breaks: set[int], floor: int = 0) -> tuple[str, int]:
    """The organisation written before `end` (back to a clause break), and where it starts.

    A paragraph break stops it too: headings carry no punctuation.
    """
    start, floor = end, max(floor, end - CLAUSE_REACH)
    while (start > floor and text[start - 1] not in CHAIN_BREAK and text[start - 1] != "、"
           and start not in breaks):
        start -= 1
    segment = text[start:end]
    if text.startswith("科", end) and segment and not segment.endswith(ORG_SUFFIXES):
        return segment + "科", start  # 临床营养科主任: the 科 of the title names the unit
    lead = LEADING_WORDS.match(segment)
    if lead:
        start += lead.end()
        segment = segment[lead.end() :]
    if segment and not segment.endswith(ORG_SUFFIXES):
        return "", end
    return segment, start


def _chain_before(text: str, role_start: int, role_end: int, roles: re.Pattern[str],
                  breaks: set[int], floor: int = 0) -> list[tuple[str, str, int]]:
    """(org text, title, start) of the posts ending at role_end, first post first."""
    chain = []
    end_title, start_title = role_end, role_start
    while True:
        if text[start_title - 1 : start_title] == "级" and start_title - 1 > floor:
            start_title -= 1  # a rank before the title, even garbled (、 级巡视员)
        org, start = _org_before(text, start_title, breaks, floor)
        chain.append((org, text[start_title:end_title], start))
        if start <= floor or text[start - 1] != "、":
            break
        previous_end = start - 1
        match = None
        for m in roles.finditer(text, max(0, previous_end - 12), previous_end):
            if m.end() == previous_end:
                match = m
                break
        if match is None:
            break
        start_title, end_title = match.start(), match.end()
    chain.reverse()
    out: list[tuple[str, str, int]] = []
    for index, (org, title, start) in enumerate(chain):
        if not org and index > 0:
            org = out[-1][0]  # 副司长、一级巡视员: the same organisation
        out.append((org, title, start))
    return out


def find_posts(view: Compact, lexicon: Lexicon) -> list[Post]:
    """Every post + name mention in the text, in text order."""
    text = view.text
    roles = _role_regex(lexicon)
    posts: list[Post] = []
    taken: set[tuple[str, str]] = set()

    posts_end = 0  # where the last post found so far ends

    def add(post: Post) -> None:
        nonlocal posts_end
        key = (post.name, post.title + post.org_text)
        if key not in taken:
            taken.add(key)
            posts.append(post)
            posts_end = max(posts_end, post.end)

    for match in roles.finditer(text):
        # a name opening the next line starts its own speaker line (薛 奇 中国…主任医师)
        name = None if match.end() in view.line_starts else _name_after(
            text, match.end(), lexicon, view.line_starts)
        if name:
            # a mention never reaches back into the one before (lists of speakers)
            floor = posts_end
            chain = _chain_before(text, match.start(), match.end(), roles, view.breaks, floor)
            chain_start = chain[0][2]
            end = match.end() + len(name)
            trailing = _posts_after_name(text, end, roles)
            first = chain[0][0]
            for org, title, _start in chain:
                if org:
                    add(Post(name, title, org, chain_start, end + trailing[1], first))
            for title in trailing[0]:
                if chain[-1][0]:
                    add(Post(name, title, chain[-1][0], chain_start, end + trailing[1], first))
            continue
        post = _name_before(text, match.start(), match.end(), lexicon, view.breaks)
        if post:
            add(post)
    posts += [p for p in transcript_posts(view, lexicon, roles) if (p.name, p.title + p.org_text)
              not in taken]
    return sorted(posts, key=lambda p: p.start)


def _posts_after_name(text: str, at: int, roles: re.Pattern[str]) -> tuple[list[str], int]:
    """Professional titles right after a name (院长尼玛拉毛副主任医师), and their length."""
    titles, end = [], at
    while (m := roles.match(text, end)) and m.group() in ("主任医师", "副主任医师", "主治医师",
                                                          "教授", "研究员", "院士", "医师"):
        titles.append(m.group())
        end = m.end()
        if text.startswith("、", end):
            end += 1
    return titles, end - at


#: posts that name their organisation by themselves: 总书记 is of 中共中央
IMPLIED_ORGS = {"总书记": "中共中央"}


def _name_before(text: str, role_start: int, role_end: int, lexicon: Lexicon,
                 breaks: set[int]) -> Post | None:
    """ORG NAME POST: 社区卫生服务中心马铤枫主任医师; NAME 总书记."""
    title = text[role_start:role_end]
    for size in (3, 2, 4):
        name_start = role_start - size
        name = text[name_start:role_start]
        known = lexicon.lookup("person", name)
        if name_start < 0 or not (known or looks_like_name(name)):
            continue
        org, start = _org_before(text, name_start, breaks)
        if org:
            return Post(name, title, org, start, role_end)
        if title in IMPLIED_ORGS and (start == name_start):
            return Post(name, title, IMPLIED_ORGS[title], name_start, role_end)
    return None


#: the label before a transcript's speaker line (主持人:, 嘉 宾:)
_GAP = r"[ \t\u3000]*"
SPEAKER_LABEL = re.compile(rf"^{_GAP}(?:主{_GAP}持{_GAP}人|嘉{_GAP}宾|发{_GAP}布{_GAP}人"
                           rf"|出席嘉宾|出席人员){_GAP}[:：]{_GAP}")


def transcript_posts(view: Compact, lexicon: Lexicon, roles: re.Pattern[str]) -> list[Post]:
    """Speaker lists of transcripts, one line each: a name (its characters sometimes
    spaced: `薛 奇`), a space, then the posts (`主持人:胡强强 国家卫生健康委新闻发言人、
    宣传司副司长`)."""
    posts = []
    offset = 0
    for line in view.original.splitlines(keepends=True):
        line_start, offset = offset, offset + len(line)
        label = SPEAKER_LABEL.match(line)
        body_start = line_start + (label.end() if label else 0)
        tokens = [(m.start() + body_start, m.group()) for m in re.finditer(r"\S+",
                                                                            view.original[body_start:offset])]
        for size in range(min(4, len(tokens) - 1), 0, -1):  # a spaced name whole first
            parts = [t for _o, t in tokens[:size]]
            name = "".join(parts)
            if size > 1 and any(len(p) > 1 for p in parts):
                continue
            if not (2 <= len(name) <= 4 and (lexicon.lookup("person", name)
                                             or looks_like_name(name))):
                continue
            rest = "".join(t for _o, t in tokens[size:])
            found = _chain_of(rest, roles)
            if not found:
                continue
            start = bisect.bisect_left(view.index, tokens[0][0])
            last = tokens[-1]
            end = bisect.bisect_left(view.index, last[0] + len(last[1]))
            if label:
                start = bisect.bisect_left(view.index, line_start + len(line) - len(line.lstrip()))
            first = found[0][0]
            posts += [Post(name, title, org, start, end, first) for org, title in found]
            break
    return posts


def _chain_of(text: str, roles: re.Pattern[str]) -> list[tuple[str, str]]:
    """(organisation, title) of a list of posts written as ORG TITLE、ORG TITLE; empty
    unless every part ends with a title."""
    out: list[tuple[str, str]] = []
    org = ""
    for part in text.split("、"):
        role = None
        for m in roles.finditer(part):
            if m.end() == len(part):
                role = m
                break
        if role is None:
            return []
        org = part[: role.start()] or org
        if org:
            out.append((org, role.group()))
    return out
