"""HTML pages: the template call every route uses, and values made readable.

Human views show labels rather than IRIs, numbers in the reader's convention
(66万 in Chinese, 660,000 in English), dates in words, units and qualifiers
translated, and never a datatype or language tag (the RDF views keep them).
Templates autoescape: every value from the data is escaped.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from kg.service.context import ServiceContext, get_context
from kg.service.i18n import COOKIE, COOKIE_MAX_AGE, Translator, choose_language
from kg.service.labels import Labels
from kg.service.reader import XSD, Term

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
SYMBOL_UNITS = {"%", "‰"}
#: Chinese number units, largest first (万亿 = 10^12 is how the press writes trillions)
CHINESE_UNITS = (("万亿", Decimal(10) ** 12), ("亿", Decimal(10) ** 8), ("万", Decimal(10) ** 4))


class Page:
    """What one request's page knows: its language, translator and label book."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.context: ServiceContext = get_context(request)
        self.lang = choose_language(request)
        self.t = Translator(self.lang)
        self.labels = Labels(self.context.reader, self.lang)

    def href(self, resource: str) -> str:
        return self.context.local_url(resource, self.request)

    def compact(self, resource: str) -> str:
        return compact(resource, self.context)

    def predicate(self, resource: str) -> str:
        """A property's name: its label in the graph, else a known title, else compact."""
        compact_name = self.compact(resource)
        return self.labels.name(resource) or self.t.predicate(compact_name) or compact_name

    def number(self, value: str | Term | None) -> str:
        if value is None:
            return ""
        return format_number(value.value if isinstance(value, Term) else value, self.lang)

    def date(self, value: str | Term | None) -> str:
        if value is None:
            return ""
        return format_date(value.value if isinstance(value, Term) else value, self.lang)

    def quantity(self, value: Term | str | None, unit: str | None = None,
                 qualifiers: tuple[str, ...] | list[str] = ()) -> str:
        """'超过20%' / 'over 20%', '66万个（托位）' / '660,000 childcare places'."""
        if value is None:
            return ""
        if isinstance(value, Term) and not value.is_number:
            return self.literal(value)  # a yes/no target, a date: no unit to add
        text = self.number(value)
        if unit:
            symbol = self.labels.names(unit).get("notation")
            name = symbol if symbol in SYMBOL_UNITS else self.labels.name(unit)
            if name in SYMBOL_UNITS:
                text += name
            elif name:
                text += name if self.lang == "zh" else f" {name}"
        words = [self.labels.name(q) or "" for q in qualifiers]
        if words:
            text = ("".join(words) if self.lang == "zh" else " ".join(words) + " ") + text
        return text

    def literal(self, term: Term) -> str:
        """A literal as people read it (numbers and dates formatted, no tags)."""
        if term.is_number:
            return self.number(term)
        if self.is_date(term):
            return self.date(term.value[:10])
        if term.datatype == XSD + "boolean":
            return self.t("yes") if term.value in ("true", "1") else self.t("no")
        return term.value

    @staticmethod
    def is_date(term: Term) -> bool:
        return bool(term.datatype) and term.datatype.removeprefix(XSD) in (  # type: ignore[union-attr]
            "date", "gYear", "gYearMonth", "dateTime")

    def is_formatted(self, term: Term) -> bool:
        """Whether `literal` writes the term in the page's language (a number, date or
        yes/no) rather than showing the data's own text."""
        return term.is_number or self.is_date(term) or term.datatype == XSD + "boolean"

    def link_here(self, **changes: str | int | None) -> str:
        """This page's address with some query parameters changed (None removes one)."""
        params = dict(self.request.query_params)
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = str(value)
        query = urlencode(params)
        return self.request.url.path + (f"?{query}" if query else "")

    def render(self, template: str, values: dict[str, Any], status_code: int = 200,
               headers: dict[str, str] | None = None) -> Response:
        """An HTML page in the request's language; `?lang=` is remembered in a cookie."""
        context = self.context
        other = "en" if self.lang == "zh" else "zh"
        values = {"page": self, "t": self.t, "lang": self.lang, "labels": self.labels,
                  "href": self.href, "compact": self.compact,
                  "base": context.public_base(self.request),
                  "switch_url": self.link_here(lang=other), **values}
        headers = {**(headers or {})}
        headers["Vary"] = ", ".join(dict.fromkeys(
            [*(v.strip() for v in headers.get("Vary", "Accept").split(",")),
             "Accept-Language", "Cookie"]))
        headers["Content-Language"] = self.lang
        response = self.request.app.state.templates.TemplateResponse(
            self.request, template, values, status_code=status_code, headers=headers)
        asked = self.request.query_params.get("lang")
        if asked and asked == self.lang and self.request.cookies.get(COOKIE) != asked:
            response.set_cookie(COOKIE, self.lang, max_age=COOKIE_MAX_AGE, samesite="lax")
        return response  # type: ignore[no-any-return]


def render(request: Request, template: str, values: dict[str, Any], status_code: int = 200,
           headers: dict[str, str] | None = None) -> Response:
    """An HTML page from a template (see Page.render)."""
    return Page(request).render(template, values, status_code, headers)


def code_spans(text: str) -> Markup:
    """Text with its `backquoted` spans as code elements (a query description's variable
    names and values stay as they are in either language); everything escaped."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backquote: no code spans
        return Markup.escape(text)
    return Markup("").join(Markup("<code>{}</code>").format(part) if index % 2 else
                           Markup.escape(part) for index, part in enumerate(parts))


def compact(resource: str, context: ServiceContext) -> str:
    """'https://w3id.org/cn-health-kg/person/x' -> 'kgd:person/x' (longest namespace wins)."""
    best = ""
    for prefix, namespace in context.prefixes.items():
        if resource.startswith(namespace) and len(namespace) > len(context.prefixes.get(best, "")):
            best = prefix
    return f"{best}:{resource[len(context.prefixes[best]):]}" if best else resource


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def format_number(value: str, lang: str) -> str:
    """660000 -> '66万' (zh) or '660,000' (en); 4.73 stays 4.73; non-numbers unchanged.

    Chinese takes the largest unit that leaves at most two decimals: 2730000000000 ->
    '2.73万亿' (not '27300亿'), 120000000 -> '1.2亿', 13315 stays 13315. Every page, table
    and chart formats numbers through this one function (`Page.number`).
    """
    try:
        number = Decimal(value.strip())
    except (InvalidOperation, AttributeError):
        return value
    if not number.is_finite():
        return value
    if lang == "zh":
        for name, size in CHINESE_UNITS:
            scaled = (number / size).normalize()
            # 66万, 12.6万, but 13315 rather than 1.3315万
            if abs(number) >= size and -scaled.as_tuple().exponent <= 2:  # type: ignore[operator]
                return _plain(scaled) + name
        return _plain(number)
    if abs(number) >= 10_000:
        return format(number.normalize(), ",f")
    return _plain(number)


def format_date(value: str, lang: str) -> str:
    """'2025-12-26' -> '2025年12月26日' / '26 December 2025'; '2025-01' -> '2025年1月' /
    'January 2025'; anything else unchanged."""
    match = _DATE.match(value.strip())
    if not match:
        return value
    year, month, day = match.groups()
    if lang == "zh":
        return f"{year}年" + (f"{int(month)}月" if month else "") + (f"{int(day)}日" if day else "")
    if not month or not 1 <= int(month) <= 12:
        return year
    return (f"{int(day)} " if day else "") + f"{MONTHS[int(month) - 1]} {year}"
