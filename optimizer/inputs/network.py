"""The network files: ``ports.yaml`` (districts and nodes) and ``lanes.csv`` (lanes).

Lanes added by a scenario's ``overrides.add_lanes`` go through the same checks
(``lane_from_row``), so the two entry points accept and reject the same things. Lane ids are
compared in Unicode NFC (``optimizer.inputs.text``); a duplicate names both places.

A lane's price is its CNY cost columns or its lines in the rate card (``inputs.rates``), never
both and never neither. A scenario reads the lanes without that check (``read_lanes``,
``require_price=False``) and checks it once the rate lines are known (``rates.price_lanes``);
``load_lanes`` alone, with no rate card, requires the cost columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from optimizer.domain import District, Lane, Node
from optimizer.inputs.files import (
    Collector,
    blank_to_none,
    nearest,
    read_csv,
    read_yaml,
    refuse,
    shown,
    unknown_key,
)
from optimizer.inputs.rates import BREAK_COLUMN, RATE_FIELDS
from optimizer.inputs.schema import LaneIn, PortsIn, parse_schedule

#: lanes in one network (the bundled one has 633, the synthetic benchmark 1,000)
MAX_LANES = 100_000


def load_ports(path: Path) -> tuple[dict[str, District], dict[str, Node]]:
    """Read ``ports.yaml``: districts and nodes, with ids unique and districts known."""
    raw = read_yaml(path)
    col = Collector(path)
    if not isinstance(raw, Mapping):
        raise refuse(path, "", "", "expected a mapping with 'districts' and 'nodes'")
    doc = col.validate(PortsIn, raw)
    districts: dict[str, District] = {}
    first: dict[str, int] = {}
    for i, d in enumerate(doc.districts):
        if d.id in districts:
            col.add(f"districts[{i}]", "id", f"duplicate district id {d.id} (also "
                    f"districts[{first[d.id]}])")
        first.setdefault(d.id, i)
        districts[d.id] = District(d.id, d.name, d.pilot_since, d.source)
    nodes: dict[str, Node] = {}
    first = {}
    for i, n in enumerate(doc.nodes):
        where = f"nodes[{i}] ({n.id})"
        if n.id in nodes:
            col.add(where, "id", f"duplicate node id {n.id} (also nodes[{first[n.id]}])")
        first.setdefault(n.id, i)
        if n.country == "CN" and n.district is None:
            col.add(where, "district", "a node in China needs its customs district")
        if n.district is not None and n.district not in districts:
            col.add(where, "district", f"unknown district {n.district}")
        nodes[n.id] = Node(
            id=n.id, name=n.name, kind=n.kind, country=n.country, lat=n.lat, lon=n.lon,
            modes=frozenset(n.modes), district=n.district, cbec_return_site=n.cbec_return_site,
            return_trade_modes=frozenset(n.return_trade_modes), tir_open=n.tir_open,
            clearance_fee_cny=n.clearance_fee_cny, clearance_days=n.clearance_days,
            locode=n.locode, source=n.source, customs_office=n.customs_office)
    _check_office_districts(col, nodes)
    col.raise_if_any()
    return districts, nodes


def _check_office_districts(col: Collector, nodes: Mapping[str, Node]) -> None:
    """A customs office (``customs_office``) lies in one district: an office shared across
    districts would let a return that may not change district change it."""
    spans: dict[str, set[str]] = {}
    for node in nodes.values():
        if node.district is not None:
            spans.setdefault(node.office, set()).add(node.district)
    for office, where in sorted(spans.items()):
        if len(where) > 1:
            col.add(f"customs_office {office}", "district", f"one customs office in several "
                    f"districts ({', '.join(sorted(where))}): an office belongs to one district")


LANE_COLUMNS = (
    "lane_id", "origin", "destination", "mode", "cost_per_kg_cny", "cost_per_vehicle_cny",
    "vehicle_capacity_kg", "vehicle_capacity_m3", "max_vehicles", "transit_days", "distance_km",
    "co2e_g_per_tkm", "source",
)
#: columns a lanes file may leave out: ``via``; ``schedule`` (daily) and ``cutoff_days`` (0)
LANE_OPTIONAL = ("via", "schedule", "cutoff_days", "aircraft", "dg_accepted")
#: columns whose empty cell means "not given"
BLANK_OK = ("via", "max_vehicles", "schedule", "cutoff_days", "aircraft", "dg_accepted")


def load_lanes(path: Path, nodes: Mapping[str, Node]) -> dict[str, Lane]:
    """Read ``lanes.csv``; every node id must exist, the lane must go somewhere and have a
    price in its cost columns (a scenario with a rate card uses ``read_lanes``)."""
    return read_lanes(path, nodes, require_price=True)[0]


def read_lanes(path: Path, nodes: Mapping[str, Node], *, require_price: bool = False) -> tuple[
        dict[str, Lane], dict[str, int]]:
    """Read ``lanes.csv``: the lanes and the line each is on (for later messages); with
    ``require_price`` a lane without a cost per kg or per vehicle is a problem."""
    header, rows = read_csv(path, LANE_COLUMNS, LANE_OPTIONAL, max_rows=MAX_LANES, what="lanes")
    _check_columns(path, header)
    col = Collector(path)
    lanes: dict[str, Lane] = {}
    first: dict[str, int] = {}
    for line, row in rows:
        where = f"line {line}"
        try:
            r = LaneIn.model_validate(blank_to_none(row, BLANK_OK))
        except ValidationError as err:
            col.add_validation(err, where)
            bad = {str(e["loc"][0]) for e in err.errors() if e["loc"]}
            for key in ("origin", "destination", "via"):
                if key not in bad and row.get(key) and row[key] not in nodes:
                    col.add(where, key, f"unknown node {row[key]}")
            if col.full:
                break
            continue
        where = f"line {line} ({r.lane_id})"
        for field, msg in lane_problems(r, nodes, require_price):
            col.add(where, field, msg)
        if r.lane_id in lanes:
            col.add(where, "lane_id", f"duplicate lane id {r.lane_id} (also on line "
                    f"{first[r.lane_id]})")
        first.setdefault(r.lane_id, line)
        lanes[r.lane_id] = lane_from_model(r)
        if col.full:
            break
    col.raise_if_any()
    return lanes, first


def _check_columns(path: Path, header: list[str]) -> None:
    """Every column of the header is one lanes.csv has (else the allowed ones, the nearest)."""
    col = Collector(path)
    allowed = (*LANE_COLUMNS, *LANE_OPTIONAL)
    for name in header:
        if name not in allowed:
            col.add("line 1", name, _unknown_lane_key(name, "column", "rates.csv"))
    col.raise_if_any()


def lane_problems(r: LaneIn, nodes: Mapping[str, Node],
                  require_price: bool = True) -> list[tuple[str, str]]:
    """(field, message) of what is wrong with a lane beyond its shape (lanes.csv and add_lanes);
    ``require_price``: a lane without cost columns is wrong (no rate card can price it)."""
    problems = [(k, f"unknown node {getattr(r, k)}") for k in ("origin", "destination", "via")
                if getattr(r, k) is not None and getattr(r, k) not in nodes]
    if r.origin == r.destination:
        problems.append(("destination", "a lane from a node to itself"))
    if require_price and r.cost_per_kg_cny == 0 and r.cost_per_vehicle_cny == 0:
        problems.append(("cost_per_kg_cny", "a lane needs a cost per kg or per vehicle"))
    return problems


def _unknown_lane_key(key: str, what: str = "key", where: str = "overrides.add_rates") -> str:
    """The message for a key (or column) lanes.csv does not have. One that belongs to a rate
    line (a currency, a minimum, a surcharge, a break) says where it goes instead, with the
    rate line's field it is nearest to; any other names the nearest column of lanes.csv."""
    allowed = (*LANE_COLUMNS, *LANE_OPTIONAL)
    near = key if key in RATE_FIELDS else nearest(key, RATE_FIELDS)
    if (near is None or nearest(key, allowed) is not None) and not BREAK_COLUMN.match(key):
        return unknown_key(key, allowed, what)
    field = f" (did you mean {near} of a rate line?)" if near is not None and near != key \
        else ""
    return (f"unknown {what} {shown(key)}{field}: a price in a currency, with a minimum, breaks "
            f"or surcharges is a rate line: give it in {where} (lane_id, service, currency, "
            "valid_from, basis, breaks, ..., source) and leave cost_per_kg_cny and "
            f"cost_per_vehicle_cny 0 (lanes.csv has: {', '.join(allowed)})")


def lane_from_model(r: LaneIn) -> Lane:
    """The domain lane of a validated row."""
    return Lane(lane_id=r.lane_id, origin=r.origin, destination=r.destination, mode=r.mode,
                cost_per_kg_cny=r.cost_per_kg_cny, cost_per_vehicle_cny=r.cost_per_vehicle_cny,
                vehicle_capacity_kg=r.vehicle_capacity_kg,
                vehicle_capacity_m3=r.vehicle_capacity_m3, max_vehicles=r.max_vehicles,
                transit_days=r.transit_days, distance_km=r.distance_km,
                co2e_g_per_tkm=r.co2e_g_per_tkm, via=r.via, source=r.source,
                schedule=parse_schedule(r.schedule or "daily"), cutoff_days=r.cutoff_days or 0,
                aircraft=(r.aircraft or "passenger") if r.mode == "air" else None,
                dg_accepted=bool(r.dg_accepted))


def lane_from_row(row: Mapping[str, Any], nodes: Mapping[str, Node], *,
                  require_price: bool = True) -> Lane | list[tuple[str, str]]:
    """An added lane (same columns and rules as lanes.csv), or its problems. An unknown key
    names the allowed ones and the nearest; a rate card's field (``currency``, ``min_charge``,
    ``fuel_surcharge_pct``) says to price the lane with ``overrides.add_rates`` instead."""
    allowed = (*LANE_COLUMNS, *LANE_OPTIONAL)
    unknown = [str(k) for k in row if k not in allowed]
    if unknown:
        return [(key, _unknown_lane_key(key)) for key in unknown]
    try:
        r = LaneIn.model_validate(blank_to_none(row, BLANK_OK))
    except ValidationError as err:
        return [(".".join(str(x) for x in e["loc"]), e["msg"].removeprefix("Value error, "))
                for e in err.errors(include_url=False)]
    return lane_problems(r, nodes, require_price) or lane_from_model(r)
