"""Write china-provinces.json from the `china.json` map of the npm package echarts 4.9.0.

    python3 src/kg/service/geo/vendor_provinces.py PATH/TO/package/map/json/china.json

Run once at vendoring time (see README.md), not by the service. echarts stores each ring
as a string of zigzag-encoded deltas ("UTF8Encoding", scale 1024); this decodes them,
rounds coordinates to 0.01°, drops each point nearer than 0.1° (about one pixel of a
640-pixel map of China) to the last point kept, drops rings left with fewer than 4 points
(a feature that would lose every ring, Macau, keeps its rings at full detail instead),
and keeps of each feature only its adcode (`id`) and its short Chinese name.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SCALE = 1024
DIGITS = 2
TOLERANCE = 0.1
OUT = Path(__file__).with_name("china-provinces.json")


def decode_ring(text: str, offsets: list[int]) -> list[list[float]]:
    """One ring of the echarts encoding: per point two characters, zigzag deltas."""
    x, y = offsets
    points = []
    for i in range(0, len(text), 2):
        dx, dy = ord(text[i]) - 64, ord(text[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        points.append([round(x / SCALE, DIGITS), round(y / SCALE, DIGITS)])
    return points


def simplify(ring: list[list[float]], tolerance: float) -> list[list[float]] | None:
    """Radial-distance simplification (see the module text); the ring stays closed."""
    kept = [ring[0]]
    for point in ring[1:]:
        if point != kept[-1] and max(abs(point[0] - kept[-1][0]),
                                     abs(point[1] - kept[-1][1])) >= tolerance:
            kept.append(point)
    if kept[0] != kept[-1]:
        kept.append(kept[0])
    return kept if len(kept) >= 4 else None


def polygons(feature: dict, tolerance: float = TOLERANCE) -> list[list[list[list[float]]]]:
    geometry = feature["geometry"]
    coords, offsets = geometry["coordinates"], geometry["encodeOffsets"]
    if geometry["type"] == "Polygon":
        coords, offsets = [coords], [offsets]
    out = []
    for polygon, polygon_offsets in zip(coords, offsets, strict=True):
        rings = [simplify(decode_ring(r, o), tolerance) for r, o in zip(polygon, polygon_offsets,
                                                              strict=True)]
        if rings[0] is not None:
            out.append([r for r in rings if r is not None])
    return out or polygons(feature, 0) if tolerance else out


def main(source: Path) -> None:
    data = json.loads(source.read_text(encoding="utf-8"))
    features = [{"type": "Feature", "id": f["id"],
                 "properties": {"adcode": f["id"], "name": f["properties"]["name"]},
                 "geometry": {"type": "MultiPolygon", "coordinates": polygons(f)}}
                for f in sorted(data["features"], key=lambda f: f["id"])]
    OUT.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                              ensure_ascii=False, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    print(f"{OUT.name}: {len(features)} features, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
