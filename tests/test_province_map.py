"""The province map: projection, matching regions to boundaries, colours and legend."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from kg.service.charts import Bar, bar_chart
from kg.service.province_map import (
    CLASSES,
    ProvinceValue,
    albers,
    class_of,
    outline,
    province_map,
    regions_by_adcode,
)

SVG = "{http://www.w3.org/2000/svg}"
LABELS = {"r:bj": "北京市", "r:gx": "广西壮族自治区", "r:xj": "新疆维吾尔自治区",
          "r:pcc": "新疆生产建设兵团", "r:js": "江苏省"}


def draw(values: list[ProvinceValue]) -> tuple[ET.Element, object]:
    drawn = province_map(values, LABELS, lambda p: p.name_zh, "title", "none", lambda v: f"{v:g}")
    return ET.fromstring(str(drawn.svg)), drawn


def test_projection_keeps_east_east_and_north_up() -> None:
    beijing, shanghai, urumqi = albers(116.4, 39.9), albers(121.5, 31.2), albers(87.6, 43.8)
    assert urumqi[0] < beijing[0] < shanghai[0]
    assert shanghai[1] < beijing[1]
    assert abs(albers(105, 35)[0]) < 1e-9  # the central meridian is x = 0


def test_every_province_has_a_closed_outline_inside_the_frame() -> None:
    shape = outline()
    assert len(shape.provinces) == 34
    assert len({p.adcode for p in shape.provinces}) == 34
    for province in shape.provinces:
        x, y = (int(n) for n in re.match(r"M(-?\d+) (-?\d+)", province.path).groups())
        assert 0 <= x <= 640 and 0 <= y <= shape.height, province.name_zh
        assert province.path.endswith("z")


def test_regions_match_by_chinese_name_with_or_without_suffix() -> None:
    found = regions_by_adcode(LABELS)
    assert found == {"110000": "r:bj", "450000": "r:gx", "650000": "r:xj", "320000": "r:js"}


def test_a_province_gets_the_legend_colour_of_its_value() -> None:
    values = [ProvinceValue("r:bj", "Beijing", 10, "10"),
              ProvinceValue("r:js", "Jiangsu", 50, "50"),
              ProvinceValue("r:gx", "Guangxi", 33, "33")]
    svg, drawn = draw(values)
    fills = {p.get("data-adcode"): p.get("fill") for p in svg.iter(SVG + "path")}
    legend = [(float(r.get("data-low")), float(r.get("data-high")), r.get("fill"))
              for r in svg.iter(SVG + "rect") if r.get("class") == "legend"]
    assert len(legend) == len(CLASSES)
    for adcode, value in (("110000", 10), ("320000", 50), ("450000", 33)):
        colour = next(fill for low, high, fill in legend
                      if low <= value < high or (value == high == legend[-1][1]))
        assert fills[adcode] == colour, adcode
    assert fills["110000"] != fills["320000"]  # lowest and highest differ
    assert fills["440000"].startswith("url(#")  # Guangdong: no figure, hatched
    assert drawn.reported == 3 and drawn.total == 34
    assert len(drawn.missing) == 31 and "广东" in drawn.missing and "北京" not in drawn.missing


def test_a_region_off_the_map_is_reported_not_drawn() -> None:
    _, drawn = draw([ProvinceValue("r:pcc", "XPCC", 1, "1")])
    assert drawn.reported == 0 and drawn.off_map == ["XPCC"]


def test_data_text_is_escaped() -> None:
    svg, _ = draw([ProvinceValue("r:bj", "Beijing", 1, "<b>&", "/region/beijing?a=1&b=2")])
    path = next(p for p in svg.iter(SVG + "path") if p.get("data-adcode") == "110000")
    assert path.find(SVG + "title").text == "北京: <b>&"
    link = next(svg.iter(SVG + "a"))
    assert link.get("href") == "/region/beijing?a=1&b=2"


def test_classes_are_equal_intervals() -> None:
    assert class_of(0, 0, 100) == 0 and class_of(100, 0, 100) == len(CLASSES) - 1
    assert class_of(45, 0, 100) == 2
    assert class_of(5, 5, 5) == len(CLASSES) - 1  # one value: the darkest


def test_bars_are_largest_first_and_proportional() -> None:
    svg = ET.fromstring(str(bar_chart([Bar("a", 2, "2"), Bar("b", 8, "8"), Bar("c", 4, "4")],
                                      "t")))
    rects = [(r.find(SVG + "title").text, float(r.get("width"))) for r in svg.iter(SVG + "rect")]
    assert [t for t, _ in rects] == ["b: 8", "c: 4", "a: 2"]
    assert abs(rects[0][1] / rects[2][1] - 4) < 0.01
