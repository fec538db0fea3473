"""report.html: one self-contained page for ops and management, rendered from plan.json.

Everything is inline: styles, a few lines of script (sorting and filtering the tables), the
map and the charts as SVG drawn here, and the country outlines (Natural Earth 1:110m, public
domain, shipped in ``optimizer/data``). Opening the file makes no request to any host, and it
needs no Python, server or network. Tooltips are SVG ``<title>`` elements, so they work without
script too. The page is rendered from the plan.json document alone, so ``returnroute report``
can draw a saved plan again.

A saved plan is input like any other and may be hostile, so every text is escaped **by
construction**: the page, the map and the charts are Jinja2 templates (``templates/``) rendered
with autoescape on, and this module builds no markup at all, only plain values (text, and
numbers it formats itself) that the templates insert as escaped text or attribute values. The
style and script are static files of the templates; no plan value is written into them (the
script reads its sort keys from escaped ``data-v`` attributes), so nothing needs ``|tojson``
or ``|safe``. The SVG goes through templates too, rather than ``markupsafe.Markup.format``,
so that the one rule has no exception: markup lives in templates, values in Python.

The document is read defensively: a field of the wrong type is shown as its escaped text or
"—" (a number is formatted only once it is checked to be one), a list or object that is not
one counts as empty, and a node without valid coordinates is not drawn; ``render`` never
fails on what a document holds. (``returnroute report`` checks the document against the JSON
Schema first; this is the second line.)
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import jinja2

from optimizer.outputs.tariffs import Bill

MODE_COLOURS = {"tir_road": "#c0504d", "rail": "#4f81bd", "air": "#2e9e5b", "road": "#8e6bb4",
                "sea": "#1f6f8b", "bonded_road": "#d08c2c"}
MODE_NAMES = {"tir_road": "TIR road", "rail": "rail", "air": "air", "road": "domestic truck",
              "sea": "sea", "bonded_road": "bonded truck (under seal)"}
KIND_STYLE = {  # node kind: (radius, fill)
    "foreign_hub": (5, "#333333"), "border_crossing": (4.5, "#d98c00"),
    "airport": (4, "#2e9e5b"), "seaport": (4.5, "#1f9fbf"), "rail_terminal": (4, "#4f81bd"),
    "clearance_site": (4, "#7f3fbf"), "seller_cluster": (3, "#777777"),
}

#: the columns of the batch table: (header, how the page's script sorts it)
BATCH_HEAD = (("batch", "text"), ("kg", "num"), ("entry", "text"), ("return port", "text"),
              ("district", "text"), ("mode", "text"), ("legs: departs → arrives", "text"),
              ("ready", "text"), ("departs", "text"), ("waits (days)", "num"),
              ("ETA", "text"), ("days", "num"), ("cost CNY", "num"), ("all-air CNY", "num"),
              ("saving vs air", "num"), ("same-route CNY", "num"), ("compliance", "text"),
              ("documents", "text"))

#: how many batches the waiting section lists, the largest saving first
WAITING_ROWS = 10


@cache
def _environment() -> jinja2.Environment:
    """The templates, autoescaping everything (whatever a template's name) and strict about
    undefined names, so a misspelt field fails in the tests rather than rendering empty."""
    return jinja2.Environment(loader=jinja2.PackageLoader("optimizer.outputs", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True)


@cache
def _countries() -> list[dict[str, Any]]:
    """The country outlines (name, rings of (lon, lat)) shipped as package data."""
    data = resources.files("optimizer").joinpath("data/countries-110m.json").read_text(
        encoding="utf-8")
    return json.loads(data)["countries"]


# ---- reading a document that may hold anything ---------------------------------------------


def _obj(v: Any) -> Mapping[str, Any]:
    """``v`` if it is a JSON object, else an empty one."""
    return v if isinstance(v, Mapping) else {}


def _objs(v: Any) -> list[Mapping[str, Any]]:
    """The objects in the JSON list ``v`` (none when ``v`` is not a list)."""
    return [x for x in v if isinstance(x, Mapping)] if isinstance(v, list | tuple) else []


def _num(v: Any) -> float | None:
    """``v`` as a float if it is a finite JSON number (a boolean is not one), else None."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    try:
        x = float(v)
    except OverflowError:  # an integer beyond the float range
        return None
    return x if math.isfinite(x) else None


def _text(v: Any) -> str:
    """``v`` as plain text, "" for None (a plain ``str``: the templates escape it)."""
    return "" if v is None else str(v)


def _fmt(v: Any, spec: str, suffix: str = "") -> str:
    """A number formatted with ``spec``; "—" when missing; a string where a number belongs is
    shown as it is (escaped by the template), anything else as "—"."""
    if _num(v) is not None:
        return format(v, spec) + suffix
    return _text(v) if isinstance(v, str) else "—"


def _money(v: Any) -> str:
    """An amount in whole yuan with thousands separators (see ``_fmt``)."""
    return _fmt(v, ",.0f")


def _pct(v: Any) -> str:
    """A percentage with one decimal (see ``_fmt``)."""
    return _fmt(v, ".1f", "%")


def _mode_name(mode: Any) -> str:
    """A mode as readers know it ("TIR road"); an unknown mode as its text."""
    text = _text(mode)
    return MODE_NAMES.get(text, text)


# ---- the map -----------------------------------------------------------------------------------


class _Projection:
    """Equirectangular, scaled by cos(mid-latitude) so shapes look right at these latitudes."""

    def __init__(self, lons: Sequence[float], lats: Sequence[float], width: int = 1000) -> None:
        pad = 4.0
        self.lon0, self.lon1 = min(lons) - pad, max(lons) + pad
        self.lat0, self.lat1 = min(lats) - pad, max(lats) + pad
        # bounded below so that nodes near a pole cannot make the map infinitely tall
        self.k = max(math.cos(math.radians((self.lat0 + self.lat1) / 2)), 0.05)
        self.width = width
        self.scale = width / ((self.lon1 - self.lon0) * self.k)
        self.height = int((self.lat1 - self.lat0) * self.scale)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        """The SVG coordinates of a point (y grows southwards)."""
        return ((lon - self.lon0) * self.k * self.scale, (self.lat1 - lat) * self.scale)


def _svg_points(pts: Sequence[tuple[float, float]], sep: str) -> str:
    """Projected points as SVG coordinates ("x,y" with one decimal), joined by ``sep``."""
    return sep.join(f"{x:.1f},{y:.1f}" for x, y in pts)


def _lon_lat(n: Mapping[str, Any]) -> tuple[float, float] | None:
    """A node's (lon, lat) if both are numbers on the globe, else None (not drawn)."""
    lon, lat = _num(n.get("lon")), _num(n.get("lat"))
    if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return lon, lat


def _drawable_nodes(doc: Mapping[str, Any]) -> dict[str, tuple[Mapping[str, Any],
                                                                tuple[float, float]]]:
    """node id -> (node, (lon, lat)) for every node of the plan that can be drawn."""
    out = {}
    for node_id, n in _obj(doc.get("nodes")).items():
        where = _lon_lat(n) if isinstance(n, Mapping) else None
        if where is not None:
            out[_text(node_id)] = (n, where)
    return out


def _country_paths(proj: _Projection) -> list[dict[str, str]]:
    """The country outlines as SVG path data (one subpath per ring), the name as tooltip."""
    parts = []
    for country in _countries():
        d = []
        for ring in country["rings"]:
            pts = [proj.xy(lon, lat) for lon, lat in ring]
            d.append("M" + _svg_points(pts, "L") + "Z")
        parts.append({"d": "".join(d), "name": _text(country["name"])})
    return parts


def _leg_totals(doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """lane id -> one of its legs, and the kg, cost and number of batches on the lane."""
    legs: dict[str, dict[str, Any]] = {}
    for b in _objs(doc.get("batches")):
        kg = _num(b.get("weight_kg")) or 0.0
        for leg in _objs(b.get("legs")):
            entry = legs.setdefault(_text(leg.get("lane_id")),
                                    {"leg": leg, "kg": 0.0, "cost": 0.0, "batches": 0})
            entry["kg"] += kg
            entry["cost"] += _num(leg.get("cost_cny")) or 0.0
            entry["batches"] += 1
    return legs


def _bill(t: Mapping[str, Any], count: Any) -> Bill | None:
    """The bill of a departure from its plan.json ``tariff`` (None: a figure is missing or not
    a number, a text is not one; the line's text alone is shown then)."""
    nums = {k: _num(t.get(k)) for k in ("units", "billed_units", "band_from", "rate",
                                        "min_charge", "freight", "surcharges", "fees", "total",
                                        "fx_cny", "total_cny")}
    texts = {k: t.get(k) for k in ("service", "carrier", "currency", "basis", "fx_date")}
    if (any(x is None for x in nums.values()) or not all(isinstance(x, str)
                                                           for x in texts.values())
            or not isinstance(t.get("minimum_applied"), bool)):
        return None
    breaks = t.get("breaks")
    n = max(int(_num(count) or 1), 1) if t.get("basis") == "vehicle" else 1  # its vehicles'
    if n > 1:
        for k in ("units", "billed_units", "freight", "surcharges", "fees", "total",
                  "total_cny"):
            nums[k] = (nums[k] or 0.0) * n
    return Bill(**texts, **nums,  # type: ignore[arg-type]
                bands=len(breaks) if isinstance(breaks, list | tuple) else 1,
                minimum_applied=t["minimum_applied"])


def _tariff_lines(t: Mapping[str, Any], count: Any) -> list[str]:
    """A departure's tariff cell: the line applied (its text in plan.json), then its bill in
    words (freight from chargeable and billed units, band or minimum; surcharges; fees; total;
    FX with its date; CNY). Empty for a departure priced in lanes.csv."""
    if not t:
        return []
    bill = _bill(t, count)
    return [x for x in (_text(t.get("text")) if isinstance(t.get("text"), str) else "",
                        "" if bill is None else "bill: " + bill.sentence()) if x]


def _vehicle_text(v: Mapping[str, Any]) -> str:
    """One departure of a lane, for its tooltip: 'departs 2026-05-14, arrives 2026-05-21: 2
    vehicle(s), 31,200 kg' (with ' on SERVICE' after the dates on a rate card)."""
    when = f"departs {_text(v.get('depart_date'))}, arrives {_text(v.get('arrive_date'))}"
    service = _obj(v.get("tariff")).get("service")
    if isinstance(service, str) and service:
        when += f" on {service}"
    if v.get("count"):
        return f"{when}: {_text(v.get('count'))} vehicle(s), {_money(v.get('load_kg'))} kg"
    return f"{when}: {_money(v.get('load_kg'))} kg booked"


def _leg_tooltip(lane_id: str, e: Mapping[str, Any],
                 vehicles: Sequence[Mapping[str, Any]]) -> str:
    """A lane's tooltip: mode, batches, kg and cost, then its departures in date order."""
    veh = sorted(vehicles, key=lambda v: _text(v.get("depart_date")))
    vtext = "; ".join(_vehicle_text(v) for v in veh)
    return (f"{lane_id} ({_mode_name(e['leg'].get('mode'))}): {e['batches']} "
            f"batch(es), {e['kg']:,.0f} kg, {e['cost']:,.0f} CNY. {vtext}")


def _leg_lines(doc: Mapping[str, Any], nodes: Mapping[str, Any],
               proj: _Projection) -> list[dict[str, str]]:
    """One polyline per lane used (through its crossing), the heaviest drawn first.

    The width grows with the square root of the lane's kg, so light lanes stay visible; a lane
    with a stop missing from the plan's drawable nodes is not drawn.
    """
    vehicles: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for v in _objs(doc.get("vehicles")):
        vehicles[_text(v.get("lane_id"))].append(v)
    legs = _leg_totals(doc)
    max_kg = max((e["kg"] for e in legs.values()), default=1.0)
    max_kg = max_kg if max_kg > 0 else 1.0
    parts = []
    for lane_id in sorted(legs, key=lambda k: -legs[k]["kg"]):
        e = legs[lane_id]
        leg = e["leg"]
        stops = [_text(s) for s in (leg.get("from"), *([leg["via"]] if leg.get("via") else []),
                                    leg.get("to"))]
        if any(s not in nodes for s in stops):
            continue
        mode = _text(leg.get("mode"))
        parts.append({  # the class names only modes we know: plan text makes no class
            "mode": mode if mode in MODE_COLOURS else "other",
            "colour": MODE_COLOURS.get(mode, "#000"),
            "width": f"{1.5 + 6.0 * math.sqrt(max(e['kg'], 0.0) / max_kg):.1f}",
            "points": _svg_points([proj.xy(*nodes[s][1]) for s in stops], " "),
            "tip": _leg_tooltip(lane_id, e, vehicles.get(lane_id, []))})
    return parts


def _node_marker(node_id: str, n: Mapping[str, Any], where: tuple[float, float],
                 proj: _Projection, is_port: bool, is_entry: bool) -> dict[str, Any]:
    """A node's dot and label; a return port gets a red ring, and the tooltip says its role."""
    x, y = proj.xy(*where)
    kind = _text(n.get("kind"))
    r, fill = KIND_STYLE.get(kind, (3, "#000"))
    role = []
    if is_port:
        role.append("return port")
    if is_entry and kind == "border_crossing":
        role.append("entry crossing")
    district = n.get("district")
    tip = (f'{_text(n.get("name"))} ({node_id}), {kind.replace("_", " ")}'
           f'{", district " + _text(district) if district else ""}'
           f'{"; " + ", ".join(role) if role else ""}')
    return {"port": is_port, "x": f"{x:.1f}", "y": f"{y:.1f}", "r": str(r),
            "ring_r": str(r + 4), "fill": fill, "tip": tip, "label": node_id,
            "label_x": f"{x + r + 2:.1f}", "label_y": f"{y - r:.1f}"}


def _node_markers(doc: Mapping[str, Any], nodes: Mapping[str, Any],
                  proj: _Projection) -> list[dict[str, Any]]:
    """Every drawable node of the plan in id order, drawn over the legs."""
    batches = _objs(doc.get("batches"))
    ports = {_text(b.get("return_port")) for b in batches}
    entries = {_text(b.get("entry_point")) for b in batches}
    return [_node_marker(node_id, n, where, proj, node_id in ports, node_id in entries)
            for node_id, (n, where) in sorted(nodes.items())]


def _map(doc: Mapping[str, Any]) -> dict[str, Any] | None:
    """What the map template draws: countries, legs, nodes and the legend's keys (None: no
    node of the plan has coordinates)."""
    nodes = _drawable_nodes(doc)
    if not nodes:
        return None
    proj = _Projection([lon for _, (lon, _) in nodes.values()],
                       [lat for _, (_, lat) in nodes.values()])
    return {"width": proj.width, "height": proj.height, "countries": _country_paths(proj),
            "legs": _leg_lines(doc, nodes, proj), "nodes": _node_markers(doc, nodes, proj),
            "modes": [(MODE_NAMES[m], c) for m, c in MODE_COLOURS.items()],
            "kinds": [(k.replace("_", " "), f) for k, (_, f) in KIND_STYLE.items()]}


# ---- charts ------------------------------------------------------------------------------------


def _bars(label: str, vals: Sequence[float | None], series: Sequence[tuple[str, str]], y: int,
          scale: float, unit: str) -> list[dict[str, Any]]:
    """The bars of one chart row, from ``y`` down, one per series with a value."""
    label_w, bar_h = 300, 12
    bars = []
    for (name, colour), v in zip(series, vals, strict=True):
        if v is not None:
            w = max(1.0, v * scale)
            text = f"{v:,.1f}%" if unit == "%" else f"{v:,.0f}"
            bars.append({"x": label_w, "y": y, "width": f"{w:.1f}", "height": bar_h - 1,
                         "colour": colour, "tip": f'{label}: {name} {text} '
                                                  f'{unit if unit != "%" else ""}',
                         "text_x": f"{label_w + w + 4:.1f}", "text_y": y + bar_h - 2,
                         "text": text})
        y += bar_h
    return bars


def _bar_chart(chart_id: str, title: str, rows: Sequence[tuple[str, Sequence[float | None]]],
               series: Sequence[tuple[str, str]], unit: str = "CNY") -> dict[str, Any]:
    """Horizontal grouped bars: ``rows`` of (label, values per series), laid out for the
    chart template (no rows: the template says "No data.")."""
    label_w, bar_h, gap, width = 300, 12, 8, 940
    group_h = bar_h * len(series) + gap
    height = 30 + group_h * len(rows) + 30
    vmax = max(((v or 0.0) for _, vals in rows for v in vals), default=0.0) or 1.0
    scale = (width - label_w - 110) / vmax
    out, y = [], 20
    for label, vals in rows:
        out.append({"x": label_w - 6, "y": f"{y + group_h / 2:.0f}", "label": label,
                    "short": label if len(label) <= 44 else label[:43] + "…",
                    "bars": _bars(label, vals, series, y, scale, unit)})
        y += bar_h * len(series) + gap
    return {"id": chart_id, "title": title, "width": width, "height": height, "rows": out,
            "series": list(series)}


def _short_batch(b: Mapping[str, Any]) -> str:
    """'MOSCOW→ZHUJI general 9610 07-01': a batch as a chart label (its departure day)."""
    day = _text(b.get("depart_date", ""))
    return (f'{_text(b.get("origin"))}→{_text(b.get("destination"))} '
            f'{_text(b.get("goods_class"))} {_text(b.get("trade_mode"))} {day[5:10]}')


def _utilisation(v: Mapping[str, Any]) -> float:
    """How full the vehicles of one departure are, in % (kg or m³, whichever fills first)."""
    cap_kg, cap_m3 = _num(v.get("capacity_kg")) or 1.0, _num(v.get("capacity_m3"))
    return 100 * max((_num(v.get("load_kg")) or 0.0) / cap_kg,
                     (_num(v.get("load_m3")) or 0.0) / cap_m3 if cap_m3 else 0)


def _utilisation_chart(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Utilisation of the vehicles bought, per departure of a lane (the first 30 by lane and
    date)."""
    util = sorted((v for v in _objs(doc.get("vehicles"))
                   if v.get("count") and _num(v.get("capacity_kg"))),
                  key=lambda v: (_text(v.get("lane_id")), _text(v.get("depart_date"))))[:30]
    return _bar_chart(
        "chart-utilisation", "Vehicle utilisation per departure (% of capacity, kg or m³ "
        "whichever fills first)",
        [(f"{_text(v.get('lane_id'))} {_text(v.get('depart_date'))[5:10]} "
          f"\N{MULTIPLICATION SIGN}{_text(v.get('count'))}", [_utilisation(v)]) for v in util],
        [("utilisation", "#8e6bb4")], unit="%")


def _charts(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The four cost charts: by mode, by component, per batch, vehicle utilisation."""
    batches = _objs(doc.get("batches"))
    by_mode: dict[str, float] = defaultdict(float)
    for b in batches:
        by_mode[_text(b.get("mode"))] += _num(b.get("cost_cny")) or 0.0
    t = _obj(doc.get("totals"))
    storage = t.get("storage_cny", sum(_num(_obj(b.get("components")).get("storage")) or 0.0
                                       for b in batches))
    comps = [("freight (per kg)", t.get("freight_cny")), ("vehicles", t.get("vehicles_cny")),
             ("clearance", t.get("clearance_cny")), ("tax exposure", t.get("tax_exposure_cny")),
             ("storage at hubs", storage)]
    top = sorted(batches, key=lambda b: -(_num(b.get("cost_cny")) or 0.0))[:25]
    return [
        _bar_chart("chart-mode", "Landed cost by mode of the international leg (CNY)",
                   [(_mode_name(m), [c]) for m, c in sorted(by_mode.items())],
                   [("cost", "#1f4e79")]),
        _bar_chart("chart-components", "Landed cost by component (CNY)",
                   [(n, [_num(v) or 0.0]) for n, v in comps], [("cost", "#1f4e79")]),
        _bar_chart("chart-batches", f"Plan vs all-air vs same-route per batch (CNY; the "
                   f"{len(top)} costliest of {len(batches)})",
                   [(_short_batch(b), [_num(b.get("cost_cny")), _num(b.get("air_cost_cny")),
                                       _num(b.get("same_route_cost_cny"))]) for b in top],
                   [("plan", "#1f4e79"), ("all-air", "#2e9e5b"), ("same-route", "#d98c00")]),
        _utilisation_chart(doc),
    ]


# ---- tables ------------------------------------------------------------------------------------


def _leg_text(leg: Mapping[str, Any]) -> str:
    """A leg on its departure: 'TIR_MOSCOW_KHORGOS 2026-05-14 → 2026-05-21'."""
    return (f"{_text(leg.get('lane_id'))} {_text(leg.get('depart_date'))} \N{RIGHTWARDS ARROW} "
            f"{_text(leg.get('arrive_date'))}")


def _leg_tariff(leg: Mapping[str, Any]) -> str:
    """The rate card line a leg's departure is billed on, with the bill of its whole shipment
    and the batch's share of it ("" for a leg priced in lanes.csv)."""
    line = leg.get("tariff")
    if not isinstance(line, str) or not line:
        return ""
    return f"{line}; this batch's share {_fmt(leg.get('cost_cny'), ',.2f')} CNY"


def _leg(leg: Mapping[str, Any]) -> dict[str, str]:
    """A leg of the batch table: its departure and, on a rate card, the line applied."""
    return {"when": _leg_text(leg), "tariff": _leg_tariff(leg)}


def _batch_row(b: Mapping[str, Any]) -> dict[str, Any]:
    """One row of the batch table: (sort key, text) per plain cell, the legs (one a line,
    each on its departure), then the compliance checks and the documents (their cells have no
    sort key)."""
    cost, air = _num(b.get("cost_cny")), _num(b.get("air_cost_cny"))
    saving = None if not air or cost is None else 100 * (air - cost) / air
    compliance = _objs(b.get("compliance"))
    key = _text
    cells = [(key(b.get("batch_id")), _text(b.get("batch_id"))),
             (key(b.get("weight_kg")), _fmt(b.get("weight_kg"), ",.1f")),
             *((key(b.get(f)), _text(b.get(f)))
               for f in ("entry_point", "return_port", "return_district")),
             (key(b.get("mode")), _mode_name(b.get("mode")))]
    timed = [*((key(b.get(f)), _text(b.get(f))) for f in ("ready_date", "depart_date")),
             (key(b.get("wait_days")), _text(b.get("wait_days"))),
             (key(b.get("eta")), _text(b.get("eta"))),
             (key(b.get("transit_days")), _text(b.get("transit_days"))),
             (key(b.get("cost_cny")), _money(b.get("cost_cny"))),
             (key(b.get("air_cost_cny")), _money(b.get("air_cost_cny"))),
             (key(saving), _pct(saving)),
             (key(b.get("same_route_cost_cny")), _money(b.get("same_route_cost_cny")))]
    return {
        "cells": cells, "legs": [_leg(leg) for leg in _objs(b.get("legs"))],
        "timed": timed,
        "checks": [{"rule": _text(c.get("rule")), "detail": _text(c.get("detail"))}
                   for c in compliance],
        "district": next((_text(c.get("detail")) for c in compliance
                          if c.get("rule") == "DISTRICT"), ""),
        "documents": [{"name": _text(d.get("name")), "why": _text(d.get("why"))}
                      for d in _objs(b.get("documents"))]}


def _unrouted_row(u: Mapping[str, Any]) -> dict[str, Any]:
    """One unrouted batch: its weight, the rules that rejected it, what would route it."""
    would = u.get("would_route")
    return {"batch_id": _text(u.get("batch_id")), "kg_key": _text(u.get("weight_kg")),
            "kg": _fmt(u.get("weight_kg"), ",.1f"),
            "reasons": [{"rule": _text(r.get("rule")), "detail": _text(r.get("detail"))}
                        for r in _objs(u.get("reasons"))],
            "would_route": _text(_obj(would).get("sentence")) if would else None}


def _declaration_row(d: Mapping[str, Any]) -> dict[str, Any]:
    """One return declaration: where and when it is lodged, its fee (paid once) and what it
    covers."""
    ids = d.get("batch_ids")
    return {"id": _text(d.get("declaration_id")), "port": _text(d.get("return_port")),
            "date": _text(d.get("date")), "trade_mode": _text(d.get("trade_mode")),
            "fee_key": _text(d.get("fee_cny")), "fee": _money(d.get("fee_cny")),
            "parcels": _text(d.get("parcels")),
            "kg_key": _text(d.get("weight_kg")), "kg": _fmt(d.get("weight_kg"), ",.1f"),
            "batches": [_text(b) for b in ids] if isinstance(ids, list | tuple) else []}


def _disposed_row(d: Mapping[str, Any]) -> dict[str, Any]:
    """One batch disposed of abroad: its weight and value, what disposing of it and returning
    it would cost, the rules that keep it from coming back, and why."""
    return {"batch_id": _text(d.get("batch_id")),
            "kg_key": _text(d.get("weight_kg")), "kg": _fmt(d.get("weight_kg"), ",.1f"),
            "value_key": _text(d.get("value_cny")), "value": _money(d.get("value_cny")),
            "cost_key": _text(d.get("cost_cny")), "cost": _money(d.get("cost_cny")),
            "return_key": _text(d.get("return_cny")), "back": _money(d.get("return_cny")),
            "reasons": [{"rule": _text(r.get("rule")), "detail": _text(r.get("detail"))}
                        for r in _objs(d.get("reasons"))],
            "why": _text(d.get("why"))}


def _disposed_headline(t: Mapping[str, Any]) -> str:
    """What the plan disposes of abroad, for the headline: '12 parcels, 34.5 kg, value 5,600
    CNY, cost 4,000 CNY'."""
    return (f'{_fmt(t.get("parcels_disposed"), ",")} parcels, '
            f'{_fmt(t.get("weight_disposed_kg"), ",.1f")} kg, value '
            f'{_money(t.get("value_disposed_cny"))} CNY, cost {_money(t.get("disposal_cny"))} '
            "CNY")


def _saving_over(t: Mapping[str, Any], name: str, which: str) -> str:
    """A saving in % stated over the parcels it compares: '84.1% over 1,850 of 2,187 returned
    parcels (those that may fly)'."""
    return (f'{_pct(t.get(f"saving_vs_{name}_pct"))} over '
            f'{_fmt(t.get(f"parcels_compared_with_{name}"), ",")} of '
            f'{_fmt(t.get("parcels_routed"), ",")} returned parcels ({which})')


def _headline(t: Mapping[str, Any]) -> dict[str, str]:
    """The page's headline figures: the total (returns + disposals), the disposals, the savings
    over their parcels and the cost per returned kg."""
    return {"total": _money(t.get("total_cny")), "returns": _money(t.get("cost_cny")),
            "disposals": _money(t.get("disposal_cny")), "disposed": _disposed_headline(t),
            "air": _saving_over(t, "air", "those that may fly"),
            "same_route": _saving_over(t, "same_route", "those the old rule returns"),
            "per_kg": _fmt(t.get("cost_per_kg_cny"), ",.2f", " CNY")}


def _unrouted_headline(t: Mapping[str, Any]) -> str:
    """What the plan leaves behind, for the headline: '12 parcels, 34.5 kg, 5,600 CNY'."""
    return (f'{_fmt(t.get("parcels_unrouted"), ",")} parcels, '
            f'{_fmt(t.get("weight_unrouted_kg"), ",.1f")} kg, '
            f'{_money(t.get("value_unrouted_cny"))} CNY')


def _lane_ends(doc: Mapping[str, Any]) -> dict[str, str]:
    """lane id -> 'FROM → TO', from the legs of the routed batches."""
    return {_text(leg.get("lane_id")): f"{_text(leg.get('from'))} \N{RIGHTWARDS ARROW} "
                                        f"{_text(leg.get('to'))}"
            for b in _objs(doc.get("batches")) for leg in _objs(b.get("legs"))}


def _vehicle_row(v: Mapping[str, Any], ends: Mapping[str, str]) -> dict[str, Any]:
    """One departure of a lane: when it leaves and arrives, the vehicles bought and the load
    list of each, or on a lane paid per kg the kg booked (its capacity the lane's limit per
    departure, "no limit" when it has none; its freight is in the batches' costs, so no cost
    of its own is shown), or a shipment billed on a rate card (its cost the bill); and on a rate
    card the line applied and the bill of the departure."""
    lane = _text(v.get("lane_id"))
    bought = bool(v.get("count"))
    capacity = v.get("capacity_kg")
    tariff = _obj(v.get("tariff"))
    shipment = bought and bool(tariff) and tariff.get("basis") != "vehicle"
    return {"lane": lane, "ends": ends.get(lane, ""),
            "departs": _text(v.get("depart_date")), "arrives": _text(v.get("arrive_date")),
            "count_key": _text(v.get("count")),
            "count": ("1 shipment" if shipment else _text(v.get("count"))) if bought
            else "per kg",
            "tariff": _tariff_lines(tariff, v.get("count")),
            "load_key": _text(v.get("load_kg")), "load": _money(v.get("load_kg")),
            "capacity_key": _text(capacity),
            "capacity": _money(capacity) if (bought and not shipment) or _num(capacity)
            else "no limit",
            "cost_key": _text(v.get("cost_cny")),
            "cost": _money(v.get("cost_cny")) if bought else "—",
            "loads": [{"vehicle": "shipment" if shipment else
                       f"#{_text(ld.get('vehicle'))}" if bought else "booking",
                       "kg": _money(ld.get("load_kg")),
                       "batches": len(ids) if isinstance(ids := ld.get("batch_ids"),
                                                         list | tuple) else 0}
                      for ld in _objs(v.get("loads"))]}


def _days_before(day: Any, days: Any) -> str:
    """The ISO date ``days`` before ``day`` ("" when either is not what it should be)."""
    n = _num(days)
    try:
        return (dt.date.fromisoformat(_text(day)) - dt.timedelta(days=int(n or 0))).isoformat()
    except (ValueError, OverflowError):
        return ""


Shared = tuple[dict[str, int], dict[tuple[str, str], int]]


def _shared(doc: Mapping[str, Any]) -> Shared:
    """How many batches each declaration covers, and ride each departure's vehicles bought."""
    decl = {_text(d.get("declaration_id")): len(ids) for d in _objs(doc.get("declarations"))
            if isinstance(ids := d.get("batch_ids"), list | tuple)}
    rides = {(_text(v.get("lane_id")), _text(v.get("depart_date"))): len(ids)
             for v in _objs(doc.get("vehicles"))
             if v.get("count") and isinstance(ids := v.get("batch_ids"), list | tuple)}
    return decl, rides


def _shares(b: Mapping[str, Any], shared: Shared) -> str:
    """What a batch shares with other batches, where waiting usually pays: 'its declaration
    with 12 other batch(es); the vehicles of TIR_X with 3'."""
    decl, rides = shared
    out = []
    if (n := decl.get(_text(b.get("declaration_id")), 1) - 1) > 0:
        out.append(f"its declaration with {n} other batch(es)")
    for leg in _objs(b.get("legs")):
        lane = _text(leg.get("lane_id"))
        if (n := rides.get((lane, _text(leg.get("depart_date"))), 1) - 1) > 0:
            out.append(f"the vehicles of {lane} with {n}")
    return "; ".join(out) or "nothing"


def _waiting_row(b: Mapping[str, Any], shared: Shared) -> dict[str, Any]:
    """One batch that waits: when it is ready, could leave and leaves, what waiting saved and
    what it shares with other batches on the departure it waits for."""
    storage = _obj(b.get("components")).get("storage")
    return {"batch_id": _text(b.get("batch_id")),
            "kg_key": _text(b.get("weight_kg")), "kg": _fmt(b.get("weight_kg"), ",.1f"),
            "ready": _text(b.get("ready_date")),
            "could": _days_before(b.get("depart_date"), b.get("wait_days")),
            "departs": _text(b.get("depart_date")), "days": _text(b.get("wait_days")),
            "saving_key": _text(b.get("wait_saving_cny")),
            "saving": _money(b.get("wait_saving_cny")),
            "storage_key": _text(storage), "storage": _fmt(storage, ",.2f"),
            "eta": _text(b.get("eta")), "shares": _shares(b, shared)}


def _waiting(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The waiting section, counted from the batches: how many wait by choice for a later
    departure, their days, their own savings summed (wait_saving_cny: not what waiting saves
    the plan, as batches waiting for one departure or declaration each count what they
    share), how many of them save nothing, storage at the hubs, and the biggest savers."""
    batches = _objs(doc.get("batches"))
    waits = [b for b in batches if (_num(b.get("wait_days")) or 0) > 0]
    shared = _shared(doc)
    top = sorted(waits, key=lambda b: (-(_num(b.get("wait_saving_cny")) or 0.0),
                                       _text(b.get("batch_id"))))[:WAITING_ROWS]
    return {"batches": len(batches), "waiting": len(waits),
            "days": _fmt(sum(_num(b.get("wait_days")) or 0 for b in waits), ",.0f"),
            "saving": _money(sum(_num(b.get("wait_saving_cny")) or 0.0 for b in waits)),
            "for_nothing": sum(1 for b in waits if not _num(b.get("wait_saving_cny"))),
            "storage": _money(sum(_num(_obj(b.get("components")).get("storage")) or 0.0
                                  for b in batches)),
            "rows": [_waiting_row(b, shared) for b in top]}


# ---- the page ----------------------------------------------------------------------------------


def _waiting_card(doc: Mapping[str, Any]) -> str:
    """'12 batches · 19 days', or 'none' (their savings need the words of the waiting
    section)."""
    w = _waiting(doc)
    if not w["waiting"]:
        return "none"
    return f'{w["waiting"]} batches · {w["days"]} days'


def _cards(doc: Mapping[str, Any]) -> list[dict[str, str]]:
    """The key figures above the map."""
    t = _obj(doc.get("totals"))
    gap = _num(doc.get("gap"))
    cards = [
        ("Total: returns + disposals (CNY)", _money(t.get("total_cny")), ""),
        ("Landed cost of returns (CNY)", _money(t.get("cost_cny")), ""),
        ("Cost per returned kg", _fmt(t.get("cost_per_kg_cny"), ",.2f", " CNY"), ""),
        ("Disposed of abroad", _disposed_headline(t), "warn"),
        ("Unrouted (left behind)", _unrouted_headline(t), "bad"),
        ("Declarations", _text(t.get("declarations", "—")), ""),
        ("Saving vs all-air", f'{_money(t.get("saving_vs_air_cny"))} CNY · '
                              f'{_pct(t.get("saving_vs_air_pct"))}', "good"),
        ("Saving vs same-route", f'{_money(t.get("saving_vs_same_route_cny"))} CNY · '
                                 f'{_pct(t.get("saving_vs_same_route_pct"))}', "good"),
        ("All-air baseline (CNY)", _money(t.get("air_baseline_cny")), ""),
        ("Same-route baseline (CNY)", _money(t.get("same_route_baseline_cny")), ""),
        ("CO2e (kg)", _money(t.get("co2e_kg")), ""),
        ("Vehicles", _text(t.get("vehicles", "—")), ""),
        ("Waiting for a later departure", _waiting_card(doc), ""),
        ("Batches routed / disposed of / unrouted",
         f'{_text(t.get("batches_routed", 0))} / {_text(t.get("batches_disposed", 0))} / '
         f'{_text(t.get("batches_unrouted", 0))}', ""),
        ("Status", f'{_text(doc.get("status"))} (gap '
                   f'{_pct(None if gap is None else 100 * gap)})', ""),
    ]
    return [{"key": k, "value": v, "cls": cls} for k, v, cls in cards]


def render(doc: Mapping[str, Any]) -> str:
    """The whole page for a plan.json document (any document: see the module docstring)."""
    doc = _obj(doc)
    t = _obj(doc.get("totals"))
    meta = _obj(doc.get("meta"))
    ends = _lane_ends(doc)
    return _environment().get_template("report.html").render(
        title=f'returnroute — {_text(doc.get("scenario", ""))}',
        as_of=_text(meta.get("as_of", "")), regime=_text(meta.get("regime", "")),
        parcels=_fmt(t.get("parcels", 0), ","), batches=_fmt(t.get("batches", 0), ","),
        weight=_fmt(t.get("weight_kg") or 0, ",.0f"), objective=_money(doc.get("objective_cny")),
        bound=_money(doc.get("bound_cny")), unrouted=_unrouted_headline(t),
        headline=_headline(t),
        cards=_cards(doc), the_map=_map(doc),
        charts=_charts(doc), batch_head=BATCH_HEAD,
        batch_rows=[_batch_row(b) for b in _objs(doc.get("batches"))],
        unrouted_rows=[_unrouted_row(u) for u in _objs(doc.get("unrouted"))],
        disposed_rows=[_disposed_row(d) for d in _objs(doc.get("disposed"))],
        declaration_rows=[_declaration_row(d) for d in _objs(doc.get("declarations"))],
        vehicle_rows=[_vehicle_row(v, ends) for v in sorted(
            _objs(doc.get("vehicles")),
            key=lambda v: (_text(v.get("depart_date")), _text(v.get("lane_id"))))],
        waiting=_waiting(doc),
        version=_text(meta.get("returnroute", "")),
        ortools=_text(_obj(meta.get("solver")).get("ortools", "")))
