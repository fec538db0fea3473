"""What-if overrides of a scenario: the ``overrides:`` section of the scenario YAML.

    overrides:
      close:                        # nodes or lanes out of service, for ever or for dates
        nodes: [KHORGOS, {id: ERENHOT, from: 2025-07-01, to: 2025-07-14}]
        lanes: [AIR_MOSCOW_PVG_AIRPORT]
      capacity:                     # vehicles per week
        lanes: {TIR_FTL_MOSCOW_KHORGOS: 2}   # absolute
        modes: {tir_road: 0.5}               # multiplier, rounded down
      rates:                        # multipliers on cost per kg and per vehicle
        modes: {air: 0.7}
        lanes: {TIR_GRP_MOSCOW_KHORGOS: 1.2}
      add_lanes: [{lane_id: ..., origin: ..., ...}]   # the columns of lanes.csv
      pilots: {XIAN: 2025-01-01, URUMQI: null}       # pilot_since per district (null: none)
      batches:                      # planners' decisions for some batches
        - match: {origin: MOSCOW, goods_class: general}   # any of the batch's keys, or batch_id
          force_port: YIWU_CUSTOMS
          forbid_modes: [air]

Closures and planners' decisions become rules (``CLOSED``, ``PLANNER``) so a rejected option says
why, like any other; rates, capacities, added lanes and pilot dates change the network data.
Every id is checked, and a problem names its YAML path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from optimizer.domain import BatchRule, Closure, District, Network

ModeLit = Literal["tir_road", "rail", "air", "road"]
Multiplier = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WindowIn(_Strict):
    id: str
    start: dt.date | None = Field(default=None, alias="from")
    end: dt.date | None = Field(default=None, alias="to")


class CloseIn(_Strict):
    nodes: list[str | WindowIn] = []
    lanes: list[str | WindowIn] = []


class CapacityIn(_Strict):
    lanes: dict[str, Annotated[int, Field(ge=0)]] = {}
    modes: dict[ModeLit, Multiplier] = {}


class RatesIn(_Strict):
    modes: dict[ModeLit, Multiplier] = {}
    lanes: dict[str, Multiplier] = {}


class MatchIn(_Strict):
    batch_id: str | None = None
    origin: str | None = None
    destination: str | None = None
    goods_class: str | None = None
    trade_mode: str | None = None
    export_district: str | None = None


class BatchRuleIn(_Strict):
    match: MatchIn
    force_port: str | None = None
    forbid_ports: list[str] = []
    force_mode: ModeLit | None = None
    forbid_modes: list[ModeLit] = []


class OverridesIn(_Strict):
    close: CloseIn = CloseIn()
    capacity: CapacityIn = CapacityIn()
    rates: RatesIn = RatesIn()
    add_lanes: list[dict[str, Any]] = []
    pilots: dict[str, dt.date | None] = {}
    batches: list[BatchRuleIn] = []


def parse(raw: Any) -> OverridesIn:
    """Validate the ``overrides:`` mapping (raises pydantic's ValidationError)."""
    return OverridesIn.model_validate(raw or {})


def validation_problems(err: ValidationError) -> list[tuple[str, str]]:
    """(YAML path, message) pairs for a ValidationError of ``parse``."""
    out = []
    for e in err.errors(include_url=False):
        path = "overrides." + ".".join(str(x) for x in e["loc"])
        msg = "unknown key (not part of the format)" if e["type"] == "extra_forbidden" \
            else e["msg"]
        out.append((path, msg))
    return out


def apply(network: Network, doc: OverridesIn, lane_reader: Any) -> tuple[
        Network, tuple[BatchRule, ...], list[tuple[str, str]]]:
    """The network with the overrides applied, the planners' batch rules, and any problems.

    ``lane_reader(row, where)`` validates one added lane (the lanes.csv rules) and returns a
    Lane or a list of (field, message) problems.
    """
    problems: list[tuple[str, str]] = []
    nodes, lanes = dict(network.nodes), dict(network.lanes)
    districts: dict[str, District] = dict(network.districts)

    for i, row in enumerate(doc.add_lanes):
        where = f"overrides.add_lanes[{i}]"
        got = lane_reader(row, nodes)
        if isinstance(got, list):
            problems += [(f"{where}.{f}" if f else where, m) for f, m in got]
        elif got.lane_id in lanes:
            problems.append((f"{where}.lane_id", f"lane {got.lane_id} exists already"))
        else:
            lanes[got.lane_id] = got

    for lane_id in doc.rates.lanes:
        if lane_id not in lanes:
            problems.append((f"overrides.rates.lanes.{lane_id}", f"unknown lane {lane_id}"))
    for lane_id in doc.capacity.lanes:
        if lane_id not in lanes:
            problems.append((f"overrides.capacity.lanes.{lane_id}", f"unknown lane {lane_id}"))
    for lane_id, lane in list(lanes.items()):
        factor = doc.rates.modes.get(lane.mode, 1.0) * doc.rates.lanes.get(lane_id, 1.0)
        changes: dict[str, Any] = {}
        if factor != 1.0:
            changes["cost_per_kg_cny"] = lane.cost_per_kg_cny * factor
            changes["cost_per_vehicle_cny"] = lane.cost_per_vehicle_cny * factor
        if lane_id in doc.capacity.lanes:
            changes["max_vehicles"] = doc.capacity.lanes[lane_id]
        elif lane.mode in doc.capacity.modes and lane.max_vehicles is not None:
            changes["max_vehicles"] = math.floor(lane.max_vehicles
                                                 * doc.capacity.modes[lane.mode] + 1e-9)
        if changes:
            lanes[lane_id] = dataclasses.replace(lane, **changes)

    for district_id, since in doc.pilots.items():
        if district_id not in districts:
            problems.append((f"overrides.pilots.{district_id}",
                             f"unknown district {district_id}"))
            continue
        districts[district_id] = dataclasses.replace(districts[district_id], pilot_since=since)

    closures: list[Closure] = list(network.closures)
    for kind, items, known in (("node", doc.close.nodes, nodes), ("lane", doc.close.lanes,
                                                                   lanes)):
        for i, item in enumerate(items):
            window = item if isinstance(item, WindowIn) else WindowIn(id=item)
            where = f"overrides.close.{kind}s[{i}]"
            if window.id not in known:
                problems.append((where, f"unknown {kind} {window.id}"))
            elif window.start and window.end and window.end < window.start:
                problems.append((f"{where}.to", "ends before it starts"))
            else:
                closures.append(Closure(kind, window.id, window.start, window.end))

    rules: list[BatchRule] = []
    for i, r in enumerate(doc.batches):
        where = f"overrides.batches[{i}]"
        for key in ("force_port", *[f"forbid_ports[{j}]" for j in range(len(r.forbid_ports))]):
            node_id = r.force_port if key == "force_port" else r.forbid_ports[int(key[13:-1])]
            if node_id is not None and node_id not in nodes:
                problems.append((f"{where}.{key}", f"unknown node {node_id}"))
        for key in ("origin", "destination"):
            value = getattr(r.match, key)
            if value is not None and value not in nodes:
                problems.append((f"{where}.match.{key}", f"unknown node {value}"))
        if r.match.export_district and r.match.export_district not in districts:
            problems.append((f"{where}.match.export_district",
                             f"unknown district {r.match.export_district}"))
        if not r.match.model_dump(exclude_none=True):
            problems.append((f"{where}.match", "match at least one key (or batch_id)"))
        rules.append(BatchRule(
            match=tuple(sorted(r.match.model_dump(exclude_none=True).items())),
            force_port=r.force_port, forbid_ports=frozenset(r.forbid_ports),
            force_mode=r.force_mode, forbid_modes=frozenset(r.forbid_modes)))

    new = Network(districts=districts, nodes=nodes, lanes=lanes, closures=tuple(closures))
    return new, tuple(rules), problems


def deep_merge(base: Any, override: Any) -> Any:
    """Mappings merge key by key; anything else in ``override`` replaces ``base``."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        merged = dict(base)
        for k, v in override.items():
            merged[k] = deep_merge(base[k], v) if k in base else v
        return merged
    return override
