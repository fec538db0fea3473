"""The network files: ``ports.yaml`` (districts and nodes) and ``lanes.csv`` (lanes).

Lanes added by a scenario's ``overrides.add_lanes`` go through the same checks
(``lane_from_row``), so the two entry points accept and reject the same things. Lane ids are
compared in Unicode NFC (``optimizer.inputs.text``); a duplicate names both places.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from optimizer.domain import District, Lane, Node
from optimizer.inputs.files import Collector, blank_to_none, read_csv, read_yaml, refuse
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
            locode=n.locode, source=n.source)
    col.raise_if_any()
    return districts, nodes


LANE_COLUMNS = (
    "lane_id", "origin", "destination", "mode", "cost_per_kg_cny", "cost_per_vehicle_cny",
    "vehicle_capacity_kg", "vehicle_capacity_m3", "max_vehicles", "transit_days", "distance_km",
    "co2e_g_per_tkm", "source",
)
#: columns a lanes file may leave out: ``via``; ``schedule`` (daily) and ``cutoff_days`` (0)
LANE_OPTIONAL = ("via", "schedule", "cutoff_days")
#: columns whose empty cell means "not given"
BLANK_OK = ("via", "max_vehicles", "schedule", "cutoff_days")


def load_lanes(path: Path, nodes: Mapping[str, Node]) -> dict[str, Lane]:
    """Read ``lanes.csv``; every node id must exist and the lane must go somewhere."""
    header, rows = read_csv(path, LANE_COLUMNS, LANE_OPTIONAL, max_rows=MAX_LANES, what="lanes")
    col = Collector(path)
    unknown = [h for h in header if h not in LANE_COLUMNS and h not in LANE_OPTIONAL]
    if unknown:
        col.add("line 1", ", ".join(unknown), "unknown column(s); lanes.csv has "
                + ", ".join((*LANE_COLUMNS, *LANE_OPTIONAL)))
        col.raise_if_any()
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
        for field, msg in lane_problems(r, nodes):
            col.add(where, field, msg)
        if r.lane_id in lanes:
            col.add(where, "lane_id", f"duplicate lane id {r.lane_id} (also on line "
                    f"{first[r.lane_id]})")
        first.setdefault(r.lane_id, line)
        lanes[r.lane_id] = lane_from_model(r)
        if col.full:
            break
    col.raise_if_any()
    return lanes


def lane_problems(r: LaneIn, nodes: Mapping[str, Node]) -> list[tuple[str, str]]:
    """(field, message) of what is wrong with a lane beyond its shape (lanes.csv and add_lanes)."""
    problems = [(k, f"unknown node {getattr(r, k)}") for k in ("origin", "destination", "via")
                if getattr(r, k) is not None and getattr(r, k) not in nodes]
    if r.origin == r.destination:
        problems.append(("destination", "a lane from a node to itself"))
    if r.cost_per_kg_cny == 0 and r.cost_per_vehicle_cny == 0:
        problems.append(("cost_per_kg_cny", "a lane needs a cost per kg or per vehicle"))
    return problems


def lane_from_model(r: LaneIn) -> Lane:
    """The domain lane of a validated row."""
    return Lane(lane_id=r.lane_id, origin=r.origin, destination=r.destination, mode=r.mode,
                cost_per_kg_cny=r.cost_per_kg_cny, cost_per_vehicle_cny=r.cost_per_vehicle_cny,
                vehicle_capacity_kg=r.vehicle_capacity_kg,
                vehicle_capacity_m3=r.vehicle_capacity_m3, max_vehicles=r.max_vehicles,
                transit_days=r.transit_days, distance_km=r.distance_km,
                co2e_g_per_tkm=r.co2e_g_per_tkm, via=r.via, source=r.source,
                schedule=parse_schedule(r.schedule or "daily"), cutoff_days=r.cutoff_days or 0)


def lane_from_row(row: Mapping[str, Any], nodes: Mapping[str, Node]) -> Lane | list[
        tuple[str, str]]:
    """An added lane (same columns and rules as lanes.csv), or its problems."""
    unknown = [str(k) for k in row if k not in LANE_COLUMNS and k not in LANE_OPTIONAL]
    if unknown:
        return [(key, "unknown key (not a column of lanes.csv)") for key in unknown]
    try:
        r = LaneIn.model_validate(blank_to_none(row, BLANK_OK))
    except ValidationError as err:
        return [(".".join(str(x) for x in e["loc"]), e["msg"].removeprefix("Value error, "))
                for e in err.errors(include_url=False)]
    return lane_problems(r, nodes) or lane_from_model(r)
