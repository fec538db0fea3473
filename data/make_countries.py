"""Write optimizer/data/countries-110m.json: country outlines for the report's map.

Source: Natural Earth 1:110m admin-0 countries, version 4.1.0 (public domain), as redistributed
in TopoJSON by the npm package world-atlas 2.0.2 (ISC licence). The report must draw its map
offline, so the outlines ship with the package; this script turns the TopoJSON into plain
[lon, lat] rings (rounded to 0.01 degree) for the countries in the part of the world
returnroute's network spans. Run once, by hand, with the package unpacked:

    npm pack world-atlas@2 && tar xzf world-atlas-2.0.2.tgz
    python data/make_countries.py package/countries-110m.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "optimizer" / "data" / "countries-110m.json"
BBOX = (0.0, 0.0, 160.0, 80.0)  # lon_min, lat_min, lon_max, lat_max kept


def decode(topo: dict) -> list[list[tuple[float, float]]]:
    """Absolute coordinates of every arc."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    pts: list[tuple[float, float]] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        pts.extend(arc if not pts else arc[1:])
    return [[round(x, 2), round(y, 2)] for x, y in pts]


def main(src: str) -> None:
    topo = json.loads(Path(src).read_text(encoding="utf-8"))
    arcs = decode(topo)
    out = []
    for geom in topo["objects"]["countries"]["geometries"]:
        polys = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]] \
            if geom["type"] == "Polygon" else []
        rings = [ring(r, arcs) for poly in polys for r in poly]
        lons = [p[0] for r in rings for p in r]
        lats = [p[1] for r in rings for p in r]
        if not lons or max(lons) < BBOX[0] or min(lons) > BBOX[2] or max(lats) < BBOX[1] \
                or min(lats) > BBOX[3]:
            continue
        out.append({"name": geom.get("properties", {}).get("name", ""), "rings": rings})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "source": "Natural Earth 1:110m admin-0 countries v4.1.0 (public domain), via the npm "
                  "package world-atlas 2.0.2 (ISC); converted by data/make_countries.py",
        "countries": out}, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {len(out)} countries to {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main(sys.argv[1])
