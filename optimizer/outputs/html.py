"""report.html: one self-contained page for ops and management, rendered from plan.json.

Everything is inline: styles, a few lines of script (sorting and filtering the tables), the
map and the charts as SVG drawn here, and the country outlines (Natural Earth 1:110m, public
domain, shipped in ``optimizer/data``). Opening the file makes no request to any host, and it
needs no Python, server or network. Tooltips are SVG ``<title>`` elements, so they work without
script too. The page is rendered from the plan.json document alone, so ``returnroute report``
can draw a saved plan again.
"""

from __future__ import annotations

import html
import json
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

MODE_COLOURS = {"tir_road": "#c0504d", "rail": "#4f81bd", "air": "#2e9e5b", "road": "#8e6bb4"}
MODE_NAMES = {"tir_road": "TIR road", "rail": "rail", "air": "air", "road": "domestic truck"}
KIND_STYLE = {  # node kind: (radius, fill)
    "foreign_hub": (5, "#333333"), "border_crossing": (4.5, "#d98c00"),
    "airport": (4, "#2e9e5b"), "rail_terminal": (4, "#4f81bd"),
    "clearance_site": (4, "#7f3fbf"), "seller_cluster": (3, "#777777"),
}
esc = html.escape


@cache
def _countries() -> list[dict[str, Any]]:
    data = resources.files("optimizer").joinpath("data/countries-110m.json").read_text(
        encoding="utf-8")
    return json.loads(data)["countries"]


def _money(v: Any) -> str:
    return "—" if v is None else f"{float(v):,.0f}"


def _pct(v: Any) -> str:
    return "—" if v is None else f"{float(v):.1f}%"


# ---- the map -----------------------------------------------------------------------------------


class _Projection:
    """Equirectangular, scaled by cos(mid-latitude) so shapes look right at these latitudes."""

    def __init__(self, lons: Sequence[float], lats: Sequence[float], width: int = 1000) -> None:
        pad = 4.0
        self.lon0, self.lon1 = min(lons) - pad, max(lons) + pad
        self.lat0, self.lat1 = min(lats) - pad, max(lats) + pad
        self.k = math.cos(math.radians((self.lat0 + self.lat1) / 2))
        self.width = width
        self.scale = width / ((self.lon1 - self.lon0) * self.k)
        self.height = int((self.lat1 - self.lat0) * self.scale)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon - self.lon0) * self.k * self.scale, (self.lat1 - lat) * self.scale)


def _svg_points(pts: Sequence[tuple[float, float]], sep: str) -> str:
    """Projected points as SVG coordinates ("x,y" with one decimal), joined by ``sep``."""
    return sep.join(f"{x:.1f},{y:.1f}" for x, y in pts)


def _country_paths(proj: _Projection) -> list[str]:
    """The country outlines as SVG paths (one subpath per ring), the name as tooltip."""
    parts = []
    for country in _countries():
        d = []
        for ring in country["rings"]:
            pts = [proj.xy(lon, lat) for lon, lat in ring]
            d.append("M" + _svg_points(pts, "L") + "Z")
        parts.append(f'<path class="country" d="{"".join(d)}"><title>{esc(country["name"])}'
                     "</title></path>")
    return parts


def _leg_totals(doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """lane id -> one of its legs, and the kg, cost and number of batches on the lane."""
    legs: dict[str, dict[str, Any]] = {}
    for b in doc.get("batches", []):
        for leg in b["legs"]:
            entry = legs.setdefault(leg["lane_id"], {"leg": leg, "kg": 0.0, "cost": 0.0,
                                                     "batches": 0})
            entry["kg"] += b["weight_kg"]
            entry["cost"] += leg["cost_cny"] or 0.0
            entry["batches"] += 1
    return legs


def _leg_tooltip(lane_id: str, e: Mapping[str, Any],
                 vehicles: Sequence[Mapping[str, Any]]) -> str:
    """A lane's tooltip: mode, batches, kg and cost, then its vehicles by period."""
    leg = e["leg"]
    veh = sorted(vehicles, key=lambda v: v["period"])
    vtext = "; ".join(f"{v['period']}: {v['count']} vehicle(s), {v['load_kg']:,.0f} kg"
                      if v["count"] else f"{v['period']}: {v['load_kg']:,.0f} kg booked"
                      for v in veh)
    return (f"{lane_id} ({MODE_NAMES.get(leg['mode'], leg['mode'])}): {e['batches']} "
            f"batch(es), {e['kg']:,.0f} kg, {e['cost']:,.0f} CNY. {vtext}")


def _leg_lines(doc: Mapping[str, Any], nodes: Mapping[str, Any],
               proj: _Projection) -> list[str]:
    """One polyline per lane used (through its crossing), the heaviest drawn first.

    The width grows with the square root of the lane's kg, so light lanes stay visible; a lane
    with a stop missing from the plan's nodes is not drawn.
    """
    vehicles: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for v in doc.get("vehicles", []):
        vehicles[v["lane_id"]].append(v)
    legs = _leg_totals(doc)
    max_kg = max((e["kg"] for e in legs.values()), default=1.0) or 1.0
    parts = []
    for lane_id in sorted(legs, key=lambda k: -legs[k]["kg"]):
        e = legs[lane_id]
        leg = e["leg"]
        stops = [leg["from"], *([leg["via"]] if leg.get("via") else []), leg["to"]]
        if any(s not in nodes for s in stops):
            continue
        pts = [proj.xy(nodes[s]["lon"], nodes[s]["lat"]) for s in stops]
        width = 1.5 + 6.0 * math.sqrt(e["kg"] / max_kg)
        tip = _leg_tooltip(lane_id, e, vehicles.get(lane_id, []))
        parts.append(f'<polyline class="leg mode-{esc(leg["mode"])}" fill="none" '
                     f'stroke="{MODE_COLOURS.get(leg["mode"], "#000")}" '
                     f'stroke-width="{width:.1f}" stroke-linecap="round" stroke-opacity="0.8" '
                     f'points="{_svg_points(pts, " ")}">'
                     f"<title>{esc(tip)}</title></polyline>")
    return parts


def _node_marker(node_id: str, n: Mapping[str, Any], proj: _Projection, is_port: bool,
                 is_entry: bool) -> str:
    """A node's dot and label; a return port gets a red ring, and the tooltip says its role."""
    x, y = proj.xy(n["lon"], n["lat"])
    r, fill = KIND_STYLE.get(n["kind"], (3, "#000"))
    role = []
    if is_port:
        role.append("return port")
    if is_entry and n["kind"] == "border_crossing":
        role.append("entry crossing")
    cls = "node" + (" port" if is_port else "")
    ring = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r + 4}" fill="none" stroke="#d62728" '
            'stroke-width="2"/>' if is_port else "")
    return (f'<g class="{cls}">{ring}<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" '
            f'fill="{fill}" stroke="#fff" stroke-width="1"><title>'
            f'{esc(n["name"])} ({esc(node_id)}), {esc(n["kind"].replace("_", " "))}'
            f'{", district " + esc(n["district"]) if n.get("district") else ""}'
            f'{"; " + ", ".join(role) if role else ""}</title></circle>'
            f'<text x="{x + r + 2:.1f}" y="{y - r:.1f}" class="label">'
            f'{esc(node_id)}</text></g>')


def _node_markers(doc: Mapping[str, Any], nodes: Mapping[str, Any],
                  proj: _Projection) -> list[str]:
    """Every node of the plan in id order, drawn over the legs."""
    ports = {b["return_port"] for b in doc.get("batches", [])}
    entries = {b["entry_point"] for b in doc.get("batches", [])}
    return [_node_marker(node_id, n, proj, node_id in ports, node_id in entries)
            for node_id, n in sorted(nodes.items())]


def _map_legend() -> str:
    """The key below the map: a swatch per mode, the port ring, a dot per node kind."""
    legend = "".join(f'<span class="key"><i style="background:{c}"></i>{esc(MODE_NAMES[m])}'
                     "</span>" for m, c in MODE_COLOURS.items())
    legend += ('<span class="key"><i class="ring"></i>return port</span>'
               + "".join(f'<span class="key"><i class="dot" style="background:{f}"></i>'
                         f'{esc(k.replace("_", " "))}</span>'
                         for k, (_, f) in KIND_STYLE.items()))
    return legend


def _map(doc: Mapping[str, Any]) -> str:
    """The map as inline SVG: countries, then the legs used, then the nodes; and its legend.

    Layers are drawn in that order so routes sit above the land and nodes above the routes.
    """
    nodes = doc.get("nodes", {})
    if not nodes:
        return "<p>No network coordinates in this plan.</p>"
    proj = _Projection([n["lon"] for n in nodes.values()], [n["lat"] for n in nodes.values()])
    parts = [f'<svg id="map" viewBox="0 0 {proj.width} {proj.height}" role="img" '
             f'aria-label="map of the chosen return routes">',
             f'<rect width="{proj.width}" height="{proj.height}" fill="#eef4f8"/>',
             *_country_paths(proj), *_leg_lines(doc, nodes, proj),
             *_node_markers(doc, nodes, proj), "</svg>"]
    return "".join(parts) + f'<div class="legend">{_map_legend()}</div>'


# ---- charts ------------------------------------------------------------------------------------


def _bar_chart(chart_id: str, title: str, rows: Sequence[tuple[str, Sequence[float | None]]],
               series: Sequence[tuple[str, str]], unit: str = "CNY") -> str:
    """Horizontal grouped bars: ``rows`` of (label, values per series)."""
    if not rows:
        return f'<figure><figcaption>{esc(title)}</figcaption><p>No data.</p></figure>'
    label_w, bar_h, gap, width = 300, 12, 8, 940
    group_h = bar_h * len(series) + gap
    height = 30 + group_h * len(rows) + 30
    vmax = max((v or 0.0) for _, vals in rows for v in vals) or 1.0
    scale = (width - label_w - 110) / vmax
    out = [f'<figure><figcaption>{esc(title)}</figcaption>'
           f'<svg id="{chart_id}" class="chart" viewBox="0 0 {width} {height}">']
    y = 20
    for label, vals in rows:
        short = label if len(label) <= 44 else label[:43] + "…"
        out.append(f'<text x="{label_w - 6}" y="{y + group_h / 2:.0f}" class="axis" '
                   f'text-anchor="end">{esc(short)}<title>{esc(label)}</title></text>')
        for (name, colour), v in zip(series, vals, strict=True):
            if v is not None:
                w = max(1.0, v * scale)
                text = f"{v:,.1f}%" if unit == "%" else f"{v:,.0f}"
                out.append(f'<rect class="bar" x="{label_w}" y="{y}" width="{w:.1f}" '
                           f'height="{bar_h - 1}" fill="{colour}"><title>{esc(label)}: '
                           f'{esc(name)} {text} {unit if unit != "%" else ""}</title></rect>'
                           f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 2}" '
                           f'class="value">{text}</text>')
            y += bar_h
        y += gap
    keys = "".join(f'<span class="key"><i style="background:{c}"></i>{esc(n)}</span>'
                   for n, c in series)
    out.append(f'</svg><div class="legend">{keys}</div></figure>')
    return "".join(out)


def _short_batch(b: Mapping[str, Any]) -> str:
    """'MOSCOW→ZHUJI general 9610 07-01': a batch as a chart label (its departure day)."""
    day = str(b.get("depart_date", ""))
    return (f'{b["origin"]}→{b["destination"]} {b["goods_class"]} {b["trade_mode"]} '
            f"{day[5:10]}")


def _charts(doc: Mapping[str, Any]) -> str:
    batches = doc.get("batches", [])
    by_mode: dict[str, float] = defaultdict(float)
    for b in batches:
        by_mode[b["mode"]] += b["cost_cny"]
    t = doc.get("totals", {})
    comps = [("freight (per kg)", t.get("freight_cny")), ("vehicles", t.get("vehicles_cny")),
             ("clearance", t.get("clearance_cny")), ("tax exposure", t.get("tax_exposure_cny"))]
    top = sorted(batches, key=lambda b: -b["cost_cny"])[:25]
    util = sorted((v for v in doc.get("vehicles", []) if v["count"] and v["capacity_kg"]),
                  key=lambda v: (v["lane_id"], v["period"]))[:30]
    return "".join([
        _bar_chart("chart-mode", "Landed cost by mode of the international leg (CNY)",
                   [(MODE_NAMES.get(m, m), [c]) for m, c in sorted(by_mode.items())],
                   [("cost", "#1f4e79")]),
        _bar_chart("chart-components", "Landed cost by component (CNY)",
                   [(n, [v or 0.0]) for n, v in comps], [("cost", "#1f4e79")]),
        _bar_chart("chart-batches", f"Plan vs all-air vs same-route per batch (CNY; the "
                   f"{len(top)} costliest of {len(batches)})",
                   [(_short_batch(b), [b["cost_cny"], b["air_cost_cny"],
                                       b["same_route_cost_cny"]]) for b in top],
                   [("plan", "#1f4e79"), ("all-air", "#2e9e5b"), ("same-route", "#d98c00")]),
        _bar_chart("chart-utilisation", "Vehicle utilisation per lane and week (% of capacity, "
                   "kg or m³ whichever fills first)",
                   [(f"{v['lane_id']} {v['period'][-3:]} \N{MULTIPLICATION SIGN}{v['count']}",
                     [100 * max(v["load_kg"] / v["capacity_kg"],
                                v["load_m3"] / v["capacity_m3"] if v["capacity_m3"] else 0)])
                    for v in util], [("utilisation", "#8e6bb4")], unit="%"),
    ])


# ---- tables ------------------------------------------------------------------------------------


def _batch_table(doc: Mapping[str, Any]) -> str:
    head = ["batch", "kg", "entry", "return port", "district", "mode", "legs", "ETA", "days",
            "cost CNY", "all-air CNY", "saving vs air", "same-route CNY", "compliance",
            "documents"]
    numeric = {"kg", "days", "cost CNY", "all-air CNY", "saving vs air", "same-route CNY"}
    rows = []
    for b in doc.get("batches", []):
        saving = (None if not b["air_cost_cny"] else
                  100 * (b["air_cost_cny"] - b["cost_cny"]) / b["air_cost_cny"])
        district = next((c["detail"] for c in b["compliance"] if c["rule"] == "DISTRICT"), "")
        checks = "".join(f'<li><b>{esc(c["rule"])}</b> {esc(c["detail"])}</li>'
                         for c in b["compliance"])
        docs = "".join(f'<li title="{esc(d["why"])}">{esc(d["name"])} <i>({esc(d["why"])})</i>'
                       f"</li>" for d in b.get("documents", []))
        cells = [esc(b["batch_id"]), f'{b["weight_kg"]:,.1f}', esc(b["entry_point"]),
                 esc(b["return_port"]), esc(b["return_district"]),
                 esc(MODE_NAMES.get(b["mode"], b["mode"])),
                 " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} ".join(
                     esc(leg["lane_id"]) for leg in b["legs"]), esc(b["eta"]),
                 str(b["transit_days"]), _money(b["cost_cny"]), _money(b["air_cost_cny"]),
                 _pct(saving), _money(b["same_route_cost_cny"]),
                 f'<details><summary class="ok">all {len(b["compliance"])} rules passed'
                 f"</summary><ul>{checks}</ul></details>{esc(district)}",
                 f'<details><summary>{len(b.get("documents", []))} documents</summary>'
                 f"<ul>{docs}</ul></details>"]
        sort_keys = [b["batch_id"], b["weight_kg"], b["entry_point"], b["return_port"],
                     b["return_district"], b["mode"], "", b["eta"], b["transit_days"],
                     b["cost_cny"], b["air_cost_cny"], saving, b["same_route_cost_cny"], "",
                     ""]
        rows.append("<tr>" + "".join(
            f'<td data-v="{esc(str(k if k is not None else ""))}">{c}</td>'
            for c, k in zip(cells, sort_keys, strict=True)) + "</tr>")
    ths = "".join(f'<th data-type="{"num" if h in numeric else "text"}" tabindex="0">'
                  f"{esc(h)}</th>" for h in head)
    return (f'<input id="filter" type="search" placeholder="Filter batches (port, mode, '
            f'district, batch id …)" aria-label="filter batches">'
            f'<table id="batches" class="sortable"><thead><tr>{ths}</tr></thead><tbody>'
            f'{"".join(rows)}</tbody></table>')


def _unrouted_table(doc: Mapping[str, Any]) -> str:
    unrouted = doc.get("unrouted", [])
    if not unrouted:
        return "<p>None: every batch is routed.</p>"
    rows = []
    for u in unrouted:
        reasons = "".join(f'<li><b>{esc(r["rule"])}</b> {esc(r["detail"])}</li>'
                          for r in u["reasons"])
        if u.get("would_route"):
            reasons += f'<li class="cf">{esc(u["would_route"]["sentence"])} (verified)</li>'
        rows.append(f'<tr><td>{esc(u["batch_id"])}</td><td data-v="{u["weight_kg"]}">'
                    f'{u["weight_kg"]:,.1f}</td><td><ul>{reasons}</ul></td></tr>')
    return ('<table id="unrouted" class="sortable"><thead><tr><th data-type="text" '
            'tabindex="0">batch</th><th data-type="num" tabindex="0">kg</th><th>reasons</th>'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _vehicle_table(doc: Mapping[str, Any]) -> str:
    rows = []
    for v in doc.get("vehicles", []):
        if not v["count"]:
            continue
        loads = "".join(f'<li>#{ld["vehicle"]}: {ld["load_kg"]:,.0f} kg, '
                        f'{len(ld["batch_ids"])} batch(es)</li>' for ld in v.get("loads", []))
        rows.append(f'<tr><td>{esc(v["lane_id"])}</td><td>{esc(v["period"])}</td>'
                    f'<td data-v="{v["count"]}">{v["count"]}</td>'
                    f'<td data-v="{v["load_kg"]}">{v["load_kg"]:,.0f}</td>'
                    f'<td data-v="{v["capacity_kg"]}">{v["capacity_kg"]:,.0f}</td>'
                    f'<td data-v="{v["cost_cny"]}">{_money(v["cost_cny"])}</td>'
                    f"<td><ul>{loads}</ul></td></tr>")
    if not rows:
        return "<p>No vehicles bought: every leg is booked per kg.</p>"
    return ('<table id="vehicles" class="sortable"><thead><tr>'
            '<th data-type="text" tabindex="0">lane</th><th data-type="text" tabindex="0">week'
            '</th><th data-type="num" tabindex="0">vehicles</th><th data-type="num" '
            'tabindex="0">load kg</th><th data-type="num" tabindex="0">capacity kg</th>'
            '<th data-type="num" tabindex="0">cost CNY</th><th>load list</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


# ---- the page ----------------------------------------------------------------------------------

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:20px 28px;color:#222}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #ddd}
.sub{color:#555;margin:0 0 14px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #d0d7de;border-radius:8px;padding:8px 12px;min-width:150px;
      background:#fafbfc}
.card .k{font-size:12px;color:#57606a}.card .v{font-size:19px;font-weight:600}
.card.good .v{color:#1a7f37}
#map{width:100%;max-width:1100px;border:1px solid #d0d7de;border-radius:6px}
.country{fill:#f7f3e8;stroke:#b8b2a0;stroke-width:.6}
.label{font-size:9px;fill:#333;paint-order:stroke;stroke:#fff;stroke-width:2px}
.leg:hover{stroke-opacity:1}
.legend{font-size:12px;color:#444;margin:6px 0 4px}
.key{margin-right:14px;white-space:nowrap}
.key i{display:inline-block;width:18px;height:6px;margin-right:5px;vertical-align:middle}
.key i.dot{width:9px;height:9px;border-radius:50%}
.key i.ring{width:10px;height:10px;border:2px solid #d62728;border-radius:50%;background:none}
figure{margin:14px 0}figcaption{font-weight:600;font-size:14px;margin-bottom:4px}
.chart{width:100%;max-width:980px}.axis,.value{font-size:11px;fill:#333}
table{border-collapse:collapse;font-size:12px;margin-top:8px}
th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f3f6;position:sticky;top:0}
th[data-type]{cursor:pointer}th.asc::after{content:" ▲"}th.desc::after{content:" ▼"}
td ul{margin:0;padding-left:16px}.ok{color:#1a7f37}.cf{color:#0b5cad}
#filter{margin-top:6px;padding:4px 8px;width:360px;font-size:13px}
footer{margin-top:24px;color:#777;font-size:11px}
"""

SCRIPT = """
(function(){
  function val(td, type){
    var v = td.getAttribute('data-v'); if (v === null) v = td.textContent;
    if (type === 'num'){ var n = parseFloat(v); return isNaN(n) ? -Infinity : n; }
    return v.toLowerCase();
  }
  document.querySelectorAll('table.sortable').forEach(function(table){
    table.querySelectorAll('th[data-type]').forEach(function(th, col){
      var sort = function(){
        var type = th.getAttribute('data-type');
        var asc = !th.classList.contains('asc');
        table.querySelectorAll('th').forEach(function(h){ h.classList.remove('asc','desc'); });
        th.classList.add(asc ? 'asc' : 'desc');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function(a, b){
          var x = val(a.cells[col], type), y = val(b.cells[col], type);
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        rows.forEach(function(r){ body.appendChild(r); });
      };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function(e){ if (e.key === 'Enter') sort(); });
    });
  });
  var filter = document.getElementById('filter');
  if (filter) filter.addEventListener('input', function(){
    var q = filter.value.toLowerCase();
    document.querySelectorAll('#batches tbody tr').forEach(function(tr){
      tr.style.display = tr.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
    });
  });
})();
"""


def render(doc: Mapping[str, Any]) -> str:
    """The whole page for a plan.json document."""
    t = doc.get("totals", {})
    meta = doc.get("meta", {})
    gap = doc.get("gap")
    cards = [
        ("Landed cost (CNY)", _money(t.get("cost_cny")), ""),
        ("Saving vs all-air", f'{_money(t.get("saving_vs_air_cny"))} CNY · '
                              f'{_pct(t.get("saving_vs_air_pct"))}', "good"),
        ("Saving vs same-route", f'{_money(t.get("saving_vs_same_route_cny"))} CNY · '
                                 f'{_pct(t.get("saving_vs_same_route_pct"))}', "good"),
        ("All-air baseline (CNY)", _money(t.get("air_baseline_cny")), ""),
        ("Same-route baseline (CNY)", _money(t.get("same_route_baseline_cny")), ""),
        ("CO2e (kg)", _money(t.get("co2e_kg")), ""),
        ("Vehicles", str(t.get("vehicles", "—")), ""),
        ("Batches routed / unrouted", f'{t.get("batches_routed", 0)} / '
                                      f'{t.get("batches_unrouted", 0)}', ""),
        ("Status", f'{doc.get("status")} (gap {_pct(None if gap is None else 100 * gap)})', ""),
    ]
    card_html = "".join(f'<div class="card {cls}"><div class="k">{esc(k)}</div>'
                        f'<div class="v">{esc(v)}</div></div>' for k, v, cls in cards)
    title = f'returnroute — {doc.get("scenario", "")}'
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title><style>{STYLE}</style></head><body>
<h1>{esc(title)}</h1>
<p class="sub">Returns plan as of {esc(str(meta.get("as_of", "")))} under the
{esc(str(meta.get("regime", "")))} regime · {t.get("parcels", 0):,} parcels in
{t.get("batches", 0):,} batches · {t.get("weight_kg") or 0:,.0f} kg · objective
{_money(doc.get("objective_cny"))}, proven bound {_money(doc.get("bound_cny"))}</p>
<div class="cards">{card_html}</div>
<h2>Map of the chosen routes</h2>
<p class="sub">Line width by weight; hover a leg for lane, vehicles, load and cost, a point
for the node.</p>
{_map(doc)}
<h2>Costs</h2>
{_charts(doc)}
<h2>Batches</h2>
{_batch_table(doc)}
<h2>Unrouted batches</h2>
{_unrouted_table(doc)}
<h2>Vehicles and load lists</h2>
{_vehicle_table(doc)}
<footer>returnroute {esc(str(meta.get("returnroute", "")))} · OR-Tools
{esc(str(meta.get("solver", {}).get("ortools", "")))} · map: Natural Earth (public domain) ·
every plan is checked against its inputs before it is written</footer>
<script>{SCRIPT}</script>
</body></html>
"""
