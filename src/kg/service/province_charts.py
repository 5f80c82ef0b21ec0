"""Province figures of one indicator as a page shows them: a bar chart and a map, with
the caption's counts (used by indicator pages and the province-comparison query)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from markupsafe import Markup

from kg.service.charts import Bar, bar_chart, number, number_text
from kg.service.province_map import (
    Province,
    ProvinceMap,
    ProvinceValue,
    outline,
    province_map,
    regions_by_adcode,
)
from kg.service.reader import XSD, Term
from kg.service.rendering import Page

PROVINCE_LABELS = """
SELECT ?province ?label WHERE {
  ?province a hkg:Province ; rdfs:label ?label FILTER(LANG(?label) = "zh")
}
"""


@dataclass
class ProvinceCharts:
    bars: Markup
    map: ProvinceMap
    caption: str  # says how many provinces report


def province_labels_zh(page: Page) -> dict[str, str]:
    """Every province of the graph with its Chinese label (how the map knows it)."""
    return {r["province"].value: r["label"].value
            for r in page.context.reader.select(PROVINCE_LABELS, {})}


def province_charts(page: Page, values: list[ProvinceValue], title: str,
                    yes_no: bool = False, caption: str = "map.caption",
                    key: str = "map") -> ProvinceCharts | None:
    """Bars and map of `values` (one per province), or None when there is none;
    `yes_no`: the values are 1/0 for yes/no, and the legend says so; `caption`: the
    message key of the caption (given n and total)."""
    if not values:
        return None
    labels_zh = province_labels_zh(page)
    values = [v for v in values if v.region in labels_zh]
    if not values:
        return None
    regions = regions_by_adcode(labels_zh)

    def name(province: Province) -> str:
        region = regions.get(province.adcode)
        if region is not None:
            return page.labels.name(region) or province.name_zh
        return page.t(f"map.region.{province.adcode}")

    page.labels.load(labels_zh)
    def fmt(value: float) -> str:
        if yes_no:
            return page.t("yes") if value else page.t("no")
        return page.number(number_text(value))

    drawn = province_map(values, labels_zh, name, page.t("map.title", title=title),
                         page.t("map.no_data"), fmt, key)
    bars = bar_chart([Bar(v.label, v.value, v.text) for v in values],
                     page.t("bars.title", title=title))
    return ProvinceCharts(bars, drawn, page.t(caption, n=drawn.reported, total=drawn.total))


def is_yes_no(value: Term) -> bool:
    return value.datatype == XSD + "boolean"


def figure_number(value: Term) -> float | None:
    """A figure's value on a scale: its number, or 1/0 for yes/no."""
    if is_yes_no(value):
        return 1.0 if value.value in ("true", "1") else 0.0
    return number(value.value)


@dataclass
class Coverage:
    """How many provinces report each indicator of a comparison, and the charts: of the
    one indicator when there is one, else of how many indicators each province reports."""

    indicators: list[tuple[str, str, int]]  # IRI, label, provinces
    charts: ProvinceCharts | None
    total: int = len(outline().provinces)


def comparison_charts(page: Page, rows: list[dict[str, Term]]) -> Coverage | None:
    """Charts of a query answer with `province` and `value` columns (and `indicator`,
    `when`, `unitLabel`, labels where there are); None for any other answer."""
    usable = [r for r in rows if "province" in r and "value" in r
              and figure_number(r["value"]) is not None]
    if not usable:
        return None
    by_indicator: dict[str, dict[str, dict[str, Term]]] = defaultdict(dict)
    for row in usable:
        indicator = row["indicator"].value if "indicator" in row else ""
        places = by_indicator[indicator]
        old = places.get(row["province"].value)
        if old is None or _when(row) > _when(old):  # the latest figure of each province
            places[row["province"].value] = row
    def label(row: dict[str, Term], name: str) -> str:
        return (row[name + "Label"].value if name + "Label" in row
                else page.labels.name(row[name].value) or row[name].value)

    indicators = sorted(((i, label(next(iter(p.values())), "indicator") if i else "", len(p))
                         for i, p in by_indicator.items()), key=lambda x: (-x[2], x[1]))
    if len(by_indicator) == 1:
        (indicator, places), = by_indicator.items()
        yes_no = all(is_yes_no(r["value"]) for r in places.values())
        values = [ProvinceValue(r["province"].value, label(r, "province"),
                                figure_number(r["value"]) or 0.0,
                                page.quantity(r["value"]) + (
                                    f" {r['unitLabel'].value}"
                                    if "unitLabel" in r and not yes_no else ""),
                                page.href(r["province"].value)) for r in places.values()]
        return Coverage(indicators, province_charts(page, values, indicators[0][1], yes_no))
    counts: dict[str, list[dict[str, Term]]] = defaultdict(list)
    for places in by_indicator.values():
        for province, row in places.items():
            counts[province].append(row)
    values = [ProvinceValue(p, label(r[0], "province"), float(len(r)),
                            page.t("map.indicators", n=len(r)), page.href(p))
              for p, r in counts.items()]
    return Coverage(indicators, province_charts(page, values, page.t("map.indicator_count"),
                                                caption="map.caption_any"))


def _when(row: dict[str, Term]) -> str:
    return row["when"].value if "when" in row else ""
