"""Small charts drawn on the server as inline SVG: no script, nothing to load, and
allowed by a strict Content-Security-Policy (presentation attributes, no styles).

Every text that comes from the data is escaped here, since the result is
inserted into pages as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from markupsafe import Markup, escape

PALETTE = ("#1d3557", "#e07a5f", "#2a9d8f", "#8d5a97", "#e9c46a", "#577590", "#bc4749",
           "#6a994e")
TARGET_COLOUR = "#9aa5b8"
RESULT_COLOUR = "#2a9d8f"
SHORT_COLOUR = "#bc4749"


def number_text(value: float) -> str:
    """A float as plain decimal digits (no exponent, no trailing zeros), for page.number."""
    return format(value, "f").rstrip("0").rstrip(".") or "0"


def number(value: str | None) -> float | None:
    try:
        return float(Decimal(value)) if value is not None else None
    except (InvalidOperation, ValueError):
        return None


@dataclass
class BarPair:
    """One target and its result, with the words shown beside the bars."""

    label: str
    target: float | None
    target_text: str
    result: float | None
    result_text: str
    met: bool | None


def target_result_chart(pairs: list[BarPair], title: str, target_word: str,
                        result_word: str) -> Markup:
    """Per target two bars, target (grey) and result (green, red if short), each pair
    on its own scale since units differ."""
    width, label_h, bar_h, gap = 640, 18, 14, 12
    rows = [p for p in pairs if p.target is not None or p.result is not None]
    if not rows:
        return Markup("")
    height = len(rows) * (label_h + 2 * bar_h + gap) + 24
    out = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
           f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
           f'<rect x="0" y="4" width="10" height="10" fill="{TARGET_COLOUR}"/>'
           f'<text x="14" y="13" font-size="11">{escape(target_word)}</text>'
           f'<rect x="90" y="4" width="10" height="10" fill="{RESULT_COLOUR}"/>'
           f'<text x="104" y="13" font-size="11">{escape(result_word)}</text>']
    y = 24
    span = width - 200
    for pair in rows:
        scale = max(abs(pair.target or 0), abs(pair.result or 0)) or 1
        out.append(f'<text x="0" y="{y + 13}" font-size="12">{escape(_cut(pair.label, 60))}</text>')
        y += label_h
        for value, text, colour in (
                (pair.target, pair.target_text, TARGET_COLOUR),
                (pair.result, pair.result_text,
                 SHORT_COLOUR if pair.met is False else RESULT_COLOUR)):
            length = 0 if value is None else max(2, abs(value) / scale * span)
            if value is not None:
                out.append(f'<rect x="0" y="{y}" width="{length:.1f}" height="{bar_h - 2}" '
                           f'fill="{colour}"/>')
            out.append(f'<text x="{length + 6:.1f}" y="{y + bar_h - 3}" font-size="11">'
                       f'{escape(text or "—")}</text>')
            y += bar_h
        y += gap
    out.append("</svg>")
    return Markup("".join(out))


@dataclass
class Point:
    when: str
    value: float
    series: str
    text: str


def figures_chart(points: list[Point], targets: list[Point], title: str,
                  fmt: Callable[[float], str] = lambda v: f"{v:g}") -> Markup:
    """Figures of one indicator: dates across, values up (from zero), one colour per
    place; targets as dashed lines labelled with their value."""
    if not points and not targets:
        return Markup("")
    width, height, left, bottom, top = 640, 260, 70, 40, 20
    dates = sorted({p.when for p in points + targets})
    top_value = max([p.value for p in points + targets] + [0]) or 1
    low_value = min([p.value for p in points + targets] + [0])
    spread = (top_value - low_value) or 1
    plot_w, plot_h = width - left - 260, height - top - bottom

    def x(when: str) -> float:
        return left + (plot_w * (dates.index(when) + 0.5) / len(dates))

    def y(value: float) -> float:
        return top + plot_h * (1 - (value - low_value) / spread)

    series = list(dict.fromkeys(p.series for p in points))
    colours = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(series)}
    out = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
           f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
           f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
           f'stroke="#889"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#889"/>']
    for value in {low_value, top_value}:
        out.append(f'<text x="{left - 6}" y="{y(value) + 4:.1f}" font-size="10" '
                   f'text-anchor="end">{escape(fmt(value))}</text>')
    for when in dates:
        out.append(f'<text x="{x(when):.1f}" y="{top + plot_h + 16}" font-size="10" '
                   f'text-anchor="middle">{escape(when)}</text>')
    for target in targets:
        out.append(f'<line x1="{left}" y1="{y(target.value):.1f}" x2="{left + plot_w}" '
                   f'y2="{y(target.value):.1f}" stroke="{SHORT_COLOUR}" stroke-dasharray="5 4"/>'
                   f'<text x="{left + plot_w + 4}" y="{y(target.value) + 4:.1f}" font-size="10" '
                   f'fill="{SHORT_COLOUR}">{escape(_cut(target.text, 24))}</text>')
    for name in series:
        mine = sorted((p for p in points if p.series == name), key=lambda p: dates.index(p.when))
        if len(mine) > 1:
            path = " ".join(f"{x(p.when):.1f},{y(p.value):.1f}" for p in mine)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colours[name]}"/>')
        for p in mine:
            out.append(f'<circle cx="{x(p.when):.1f}" cy="{y(p.value):.1f}" r="4" '
                       f'fill="{colours[name]}"><title>{escape(p.series)}: {escape(p.text)}'
                       f' ({escape(p.when)})</title></circle>')
    for i, name in enumerate(series[:12]):
        ly = top + 14 * i
        out.append(f'<rect x="{width - 110}" y="{ly}" width="10" height="10" '
                   f'fill="{colours[name]}"/><text x="{width - 96}" y="{ly + 9}" '
                   f'font-size="10">{escape(_cut(name, 14))}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[:size - 1] + "…"


@dataclass
class Bar:
    label: str
    value: float
    text: str


def bar_chart(bars: list[Bar], title: str) -> Markup:
    """Horizontal bars, largest first, on one scale from zero (negative values drawn
    leftwards from the same axis), each labelled with its name and its words."""
    if not bars:
        return Markup("")
    rows = sorted(bars, key=lambda b: (-b.value, b.label))
    width, name_w, row_h = 640, 150, 22
    low = min(0.0, *(b.value for b in rows))
    high = max(0.0, *(b.value for b in rows))
    span = (high - low) or 1
    plot_w = width - name_w - 130
    zero = name_w + plot_w * (-low / span)
    height = len(rows) * row_h + 8
    out = [f'<svg class="chart bars" role="img" viewBox="0 0 {width} {height}" width="100%" '
           f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
           f'<line x1="{zero:.1f}" y1="0" x2="{zero:.1f}" y2="{height}" stroke="#889"/>']
    for i, bar in enumerate(rows):
        y = 4 + i * row_h
        length = abs(bar.value) / span * plot_w
        x = zero if bar.value >= 0 else zero - length
        out.append(f'<text x="{name_w - 6}" y="{y + 14}" font-size="12" text-anchor="end">'
                   f'{escape(_cut(bar.label, 18))}</text>'
                   f'<rect x="{x:.1f}" y="{y + 2}" width="{max(length, 1):.1f}" '
                   f'height="{row_h - 6}" '
                   f'fill="{PALETTE[0]}"><title>{escape(bar.label)}: {escape(bar.text)}</title>'
                   f'</rect><text x="{max(zero, x + length) + 6:.1f}" y="{y + 14}" '
                   f'font-size="11">{escape(_cut(bar.text, 22))}</text>')
    out.append("</svg>")
    return Markup("".join(out))
