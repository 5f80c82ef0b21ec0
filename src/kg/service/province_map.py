"""A choropleth of China's provinces drawn on the server as SVG (no script needed).

The boundaries are the vendored `geo/china-provinces.json` (34 provincial units, from
echarts 4.9.0, Apache-2.0: see geo/README.md), projected here with an Albers equal-area
conic (standard parallels 25°N and 47°N, centred on 105°E). A region of the graph is
matched to its feature by its Chinese label: the feature's short name, alone or followed
by an administrative suffix (北京 → 北京市, 广西 → 广西壮族自治区); regions that are not
a territory of the map (新疆生产建设兵团) match nothing and are reported as such.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

GEOJSON = Path(__file__).parent / "geo" / "china-provinces.json"
SUFFIXES = ("", "省", "市", "自治区", "壮族自治区", "回族自治区", "维吾尔自治区",
            "特别行政区")
#: five classes, light to dark (ColorBrewer "Blues", readable on white)
CLASSES = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#e4e4e4"
WIDTH = 640
LEGEND_H = 40

_PHI1, _PHI2, _PHI0, _LAMBDA0 = (math.radians(d) for d in (25, 47, 35, 105))
_N = (math.sin(_PHI1) + math.sin(_PHI2)) / 2
_C = math.cos(_PHI1) ** 2 + 2 * _N * math.sin(_PHI1)
_RHO0 = math.sqrt(_C - 2 * _N * math.sin(_PHI0)) / _N


def albers(lon: float, lat: float) -> tuple[float, float]:
    """Albers equal-area conic on the unit sphere; y grows northwards."""
    rho = math.sqrt(_C - 2 * _N * math.sin(math.radians(lat))) / _N
    theta = _N * (math.radians(lon) - _LAMBDA0)
    return rho * math.sin(theta), _RHO0 - rho * math.cos(theta)


@dataclass(frozen=True)
class Province:
    adcode: str
    name_zh: str
    path: str  # SVG path data in map coordinates


@dataclass(frozen=True)
class Outline:
    provinces: tuple[Province, ...]
    height: float

    def by_label(self, label_zh: str) -> Province | None:
        for province in self.provinces:
            if label_zh in (province.name_zh + s for s in SUFFIXES):
                return province
        return None


def regions_by_adcode(labels_zh: dict[str, str]) -> dict[str, str]:
    """The region IRI (of `labels_zh`, IRI → Chinese label) of each province it matches."""
    shape = outline()
    found = {}
    for region, label in labels_zh.items():
        province = shape.by_label(label)
        if province is not None:
            found.setdefault(province.adcode, region)
    return found


@cache
def outline() -> Outline:
    """The projected provinces, fitted to WIDTH (read and projected once)."""
    features = json.loads(GEOJSON.read_text(encoding="utf-8"))["features"]
    rings = [[[[albers(lon, lat) for lon, lat in ring] for ring in polygon]
              for polygon in f["geometry"]["coordinates"]] for f in features]
    xs = [x for f in rings for p in f for r in p for x, _ in r]
    ys = [y for f in rings for p in f for r in p for _, y in r]
    scale = (WIDTH - 8) / (max(xs) - min(xs))
    left, top = min(xs), max(ys)

    def path(polygons: list[list[list[tuple[float, float]]]]) -> str:
        """Whole pixels, each point relative to the one before (a third of the bytes)."""
        out = []
        for polygon in polygons:
            for ring in polygon:
                points = [(round((x - left) * scale) + 4, round((top - y) * scale) + 4)
                          for x, y in ring]
                steps = [f"{b[0] - a[0]} {b[1] - a[1]}" for a, b in itertools.pairwise(points)
                         if a != b]
                out.append(f"M{points[0][0]} {points[0][1]}l{' '.join(steps)}z")
        return "".join(out)

    provinces = tuple(Province(f["properties"]["adcode"], f["properties"]["name"], path(r))
                      for f, r in zip(features, rings, strict=True))
    return Outline(provinces, (top - min(ys)) * scale + 8)


@dataclass
class ProvinceValue:
    """One province's figure: its region IRI, label, value and the words shown for it."""

    region: str
    label: str
    value: float
    text: str
    href: str | None = None


@dataclass
class ProvinceMap:
    """The SVG and what its caption says: how many of the map's provinces have a figure,
    which have none, and regions with a figure that are not on the map."""

    svg: Markup
    reported: int
    total: int
    missing: list[str]
    off_map: list[str]


def class_of(value: float, low: float, high: float) -> int:
    """Index into CLASSES: equal intervals from the lowest to the highest value."""
    if high <= low:
        return len(CLASSES) - 1
    return min(len(CLASSES) - 1, int((value - low) / (high - low) * len(CLASSES)))


def province_map(values: Iterable[ProvinceValue], labels_zh: dict[str, str],
                 names: Callable[[Province], str], title: str, no_data: str,
                 fmt: Callable[[float], str], key: str = "map") -> ProvinceMap:
    """A choropleth of `values` (one per region; `labels_zh` gives each region's Chinese
    label for matching), provinces without a figure hatched grey; `names` names a
    province in the page language; `key` keeps ids unique when a page has two maps."""
    shape = outline()
    adcodes = {region: adcode for adcode, region in regions_by_adcode(labels_zh).items()}
    by_adcode: dict[str, ProvinceValue] = {}
    off_map: list[str] = []
    for item in values:
        if item.region in adcodes:
            by_adcode.setdefault(adcodes[item.region], item)
        else:
            off_map.append(item.label)
    numbers = [v.value for v in by_adcode.values()]
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 0.0)
    hatch = f"{key}-nodata"
    height = shape.height + LEGEND_H
    out = [f'<svg class="chart map" viewBox="0 0 {WIDTH} {height:.0f}" '
           f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
           f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
           f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{NO_DATA}"/>'
           f'<line x1="0" y1="0" x2="0" y2="6" stroke="#bbb" stroke-width="2"/></pattern></defs>']
    missing = []
    for province in shape.provinces:
        item = by_adcode.get(province.adcode)
        name = names(province)
        if item is None:
            missing.append(name)
            out.append(f'<path d="{province.path}" fill="url(#{hatch})" stroke="#fff" '
                       f'stroke-width="0.6" fill-rule="evenodd" data-adcode="{province.adcode}">'
                       f'<title>{escape(name)}: {escape(no_data)}</title></path>')
            continue
        colour = CLASSES[class_of(item.value, low, high)]
        shape_svg = (f'<path d="{province.path}" fill="{colour}" stroke="#fff" '
                     f'stroke-width="0.6" fill-rule="evenodd" data-adcode="{province.adcode}" '
                     f'data-value="{item.value:g}"><title>{escape(name)}: {escape(item.text)}'
                     f'</title></path>')
        out.append(f'<a href="{escape(item.href)}">{shape_svg}</a>' if item.href else shape_svg)
    out.append(_legend(shape.height + 10, low, high, bool(numbers), hatch, no_data, fmt))
    out.append("</svg>")
    return ProvinceMap(Markup("".join(out)), len(by_adcode), len(shape.provinces), missing,
                       off_map)


def _legend(y: float, low: float, high: float, any_value: bool, hatch: str, no_data: str,
            fmt: Callable[[float], str]) -> str:
    """One swatch per class with its range (only the top class when all values are equal),
    then the hatched 'no figure' swatch."""
    out = []
    x = 4.0
    step = (high - low) / len(CLASSES)
    shown = range(len(CLASSES)) if any_value and high > low else (
        [len(CLASSES) - 1] if any_value else [])
    for i in shown:
        start, end = low + i * step, low + (i + 1) * step
        words = fmt(low) if high <= low else f"{fmt(start)}–{fmt(end)}"
        out.append(f'<rect class="legend" x="{x:.0f}" y="{y:.0f}" width="14" height="14" '
                   f'fill="{CLASSES[i]}" data-low="{start:g}" data-high="{end:g}"/>'
                   f'<text x="{x + 18:.0f}" y="{y + 11:.0f}" font-size="11">'
                   f'{escape(words)}</text>')
        x += 18 + 7 * len(words) + 14
        if x > WIDTH - 120:
            x, y = 4.0, y + 22
    out.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="14" height="14" fill="url(#{hatch})" '
               f'stroke="#bbb"/><text x="{x + 18:.0f}" y="{y + 11:.0f}" font-size="11">'
               f'{escape(no_data)}</text>')
    return "".join(out)
