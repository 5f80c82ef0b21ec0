"""Content negotiation: `Accept` with q-weights, and a `format` parameter for browsers.

Result formats (SELECT, ASK) and graph formats (CONSTRUCT, DESCRIBE, entity
descriptions) are negotiated separately, from the one table in kg.formats: a
client asking for Turtle never gets SPARQL JSON back for a SELECT, it gets 406.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from starlette.requests import Request

from kg.formats import GRAPH_FORMATS, HTML_MEDIA_TYPE, RESULTS_FORMATS
from kg.query_errors import NotAcceptable
from kg.service.problems import UnknownFormat


@dataclass(frozen=True, slots=True)
class Offer:
    """A format the server can produce, under one of the media types that ask for it."""

    media_type: str
    format: str


@dataclass(frozen=True, slots=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """How precisely this range matches a media type: 2 exact, 1 type/*, 0 */*, -1 none."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def _offers(primary: Sequence[tuple[str, str]], aliases: Sequence[tuple[str, str]]) -> tuple[
        Offer, ...]:
    return tuple(Offer(m, f) for m, f in (*primary, *aliases))


RESULTS_OFFERS = _offers(
    [(f.media_type, f.name) for f in RESULTS_FORMATS.values()],
    [(a, f.name) for f in RESULTS_FORMATS.values() for a in f.aliases],
)
GRAPH_OFFERS = _offers(
    [(f.media_type, f.name) for f in GRAPH_FORMATS.values()],
    [(a, f.name) for f in GRAPH_FORMATS.values() for a in f.aliases],
)
HTML_OFFER = Offer(HTML_MEDIA_TYPE, "html")


@lru_cache(maxsize=512)
def parse_accept(header: str) -> tuple[MediaRange, ...]:
    """The media ranges of an Accept header; malformed entries are skipped."""
    ranges = []
    for item in header.split(","):
        media, *params = (p.strip() for p in item.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(kind, sub, q))
    return tuple(ranges)


def negotiate(accept: str | None, offers: Sequence[Offer]) -> Offer | None:
    """The offer the client prefers (RFC 9110): each offer gets the q of the most
    specific range that matches it; highest q wins, ties go to the earlier offer."""
    if not accept or not accept.strip():
        return offers[0] if offers else None
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0] if offers else None
    best: Offer | None = None
    best_q = 0.0
    for offer in offers:
        specificity, q = -1, 0.0
        for media_range in ranges:
            s = media_range.specificity(offer.media_type)
            if s > specificity:
                specificity, q = s, media_range.q
        if q > best_q:
            best, best_q = offer, q
    return best


def format_from_parameter(value: str, offers: Sequence[Offer]) -> Offer:
    """The offer a `format` parameter names, by short name, alias or media type."""
    wanted = value.strip().lower()
    for offer in offers:
        if wanted in (offer.format, offer.media_type) or wanted in _names(offer.format):
            return offer
    known = sorted({o.format for o in offers})
    raise UnknownFormat(f"unknown format {value!r}; use one of: {', '.join(known)}")


def _names(fmt: str) -> tuple[str, ...]:
    graph = GRAPH_FORMATS.get(fmt)
    return graph.names if graph else ()


def choose(accept: str | None, format_parameter: str | None, offers: Sequence[Offer]) -> (
        Offer | None):
    """The `format` parameter if given (it beats Accept), else the negotiated offer."""
    if format_parameter is not None:
        return format_from_parameter(format_parameter, offers)
    return negotiate(accept, offers)


def media_type_of(offer: Offer) -> str:
    """The canonical media type served for an offer (aliases are answered in it)."""
    if offer.format == "html":
        return HTML_MEDIA_TYPE
    if offer in RESULTS_OFFERS:
        return RESULTS_FORMATS[offer.format].media_type
    return GRAPH_FORMATS[offer.format].media_type


def negotiate_request(request: Request, offers: Sequence[Offer]) -> Offer:
    """The offer a request prefers (its `format` parameter, else Accept).

    An unknown `format` is a 400; an Accept nothing on offer satisfies is a 406.
    """
    offer = choose(request.headers.get("accept"), request.query_params.get("format"), offers)
    if offer is None:
        raise NotAcceptable("page", (o.media_type for o in offers))
    return offer
