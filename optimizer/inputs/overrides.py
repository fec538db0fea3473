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
      add_rates:                    # rate lines (the fields of rates.csv, breaks as a mapping)
        - {lane_id: ..., service: ..., currency: USD, valid_from: 2025-07-01, basis: kg,
           breaks: {0: 5.2, 45: 4.8}, surcharge_pct: 12, source: ...}
      fx:                           # exchange rates added to fx.csv (same currency and date:
        - {currency: USD, date: 2025-07-01, cny_per_unit: 7.0, source: what-if}   # replaced)
      pilots: {XIAN: 2025-01-01, URUMQI: null}       # pilot_since per district (null: none)
      batches:                      # planners' decisions for some batches
        - match: {origin: MOSCOW, goods_class: general}   # any of the batch's keys, or batch_id
          force_port: YIWU_CUSTOMS
          forbid_modes: [air]

Closures and planners' decisions become rules (``CLOSED``, ``PLANNER``) so a rejected option says
why, like any other; rates, capacities, added lanes and pilot dates change the network data. An
added lane is priced by its cost columns or by ``add_rates`` lines (``inputs.rates``); a rate
multiplier scales a rate card's prices as it scales the cost columns. Unknown keys are errors
everywhere, each with the keys allowed there and the nearest one.
Every id is checked (in Unicode NFC, without control or invisible characters), and a problem
names its YAML path. A lane's prices and vehicles after the rates and capacities are held to the
limits of lanes.csv (``schema.MAX_COST_PER_KG_CNY`` ...), so a multiplier cannot take them out of
the range the planner computes safely in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from optimizer.domain import MODES, BatchRule, Closure, District, Lane, Network, Node
from optimizer.inputs.files import validation_message
from optimizer.inputs.fx import FxIn
from optimizer.inputs.rates import MAX_AMOUNT, largest_amount, scale_pricing
from optimizer.inputs.schema import (
    MAX_COST_PER_KG_CNY,
    MAX_COST_PER_VEHICLE_CNY,
    MAX_VEHICLES,
    Date,
    TextId,
    VehicleCount,
)

ModeLit = Literal[MODES]  # type: ignore[valid-type]
Multiplier = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WindowIn(_Strict):
    id: TextId
    start: Date | None = Field(default=None, alias="from")
    end: Date | None = Field(default=None, alias="to")


class CloseIn(_Strict):
    nodes: list[TextId | WindowIn] = []
    lanes: list[TextId | WindowIn] = []


class CapacityIn(_Strict):
    lanes: dict[TextId, VehicleCount] = {}
    modes: dict[ModeLit, Multiplier] = {}


class RatesIn(_Strict):
    modes: dict[ModeLit, Multiplier] = {}
    lanes: dict[TextId, Multiplier] = {}


class MatchIn(_Strict):
    batch_id: TextId | None = None
    origin: TextId | None = None
    destination: TextId | None = None
    goods_class: TextId | None = None
    trade_mode: TextId | None = None
    export_district: TextId | None = None


class BatchRuleIn(_Strict):
    match: MatchIn
    force_port: TextId | None = None
    forbid_ports: list[TextId] = []
    force_mode: ModeLit | None = None
    forbid_modes: list[ModeLit] = []


class OverridesIn(_Strict):
    close: CloseIn = CloseIn()
    capacity: CapacityIn = CapacityIn()
    rates: RatesIn = RatesIn()
    add_lanes: list[dict[str, Any]] = []
    #: rate lines (``rates.override_lines`` checks each like a row of rates.csv)
    add_rates: list[Any] = []
    fx: list[FxIn] = []
    pilots: dict[TextId, Date | None] = {}
    batches: list[BatchRuleIn] = []


def parse(raw: Any) -> OverridesIn:
    """Validate the ``overrides:`` mapping (raises pydantic's ValidationError)."""
    return OverridesIn.model_validate(raw or {})


def validation_problems(err: ValidationError) -> list[tuple[str, str]]:
    """(YAML path, message) pairs for a ValidationError of ``parse``."""
    return [("overrides." + ".".join(str(x) for x in e["loc"]), validation_message(e, OverridesIn))
            for e in err.errors(include_url=False)]


#: (YAML path, message) of one problem in the overrides
Issue = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Added:
    """The lanes after ``add_lanes``: the network's and the added ones, the index of each
    added lane in ``add_lanes``, and the ids of entries refused (their rate lines are not
    reported again as lines of unknown lanes)."""

    lanes: dict[str, Lane]
    index: dict[str, int]
    refused: frozenset[str]


def add_lanes(network: Network, doc: OverridesIn, lane_reader: Any) -> tuple[Added, list[Issue]]:
    """The lanes with ``add_lanes`` added, each checked like a row of lanes.csv by
    ``lane_reader(row, nodes)`` (a Lane, or a list of (field, message) problems). The first
    step of the overrides: rate lines (``add_rates``), rates and capacities may name the added
    lanes."""
    problems: list[Issue] = []
    lanes = dict(network.lanes)
    index: dict[str, int] = {}
    refused: set[str] = set()
    for i, row in enumerate(doc.add_lanes):
        where = f"overrides.add_lanes[{i}]"
        got = lane_reader(row, network.nodes)
        if isinstance(got, list):
            problems += [(f"{where}.{f}" if f else where, m) for f, m in got]
            refused.add(str(row.get("lane_id")))
        elif got.lane_id in lanes:
            problems.append((f"{where}.lane_id", f"lane {got.lane_id} exists already"))
        else:
            lanes[got.lane_id] = got
            index[got.lane_id] = i
    return Added(lanes, index, frozenset(refused)), problems


def apply(network: Network, doc: OverridesIn) -> tuple[
        Network, tuple[BatchRule, ...], list[Issue]]:
    """The network with the rest of the overrides applied, the planners' batch rules, and any
    problems: ``network.lanes`` already holds the added lanes (``add_lanes``) with their prices
    (``rates.price_lanes``). Each section is applied by its own function, in this order: rates
    and capacities, pilot dates, closures, planners' decisions."""
    problems: list[Issue] = []
    lanes = _rates_and_capacity(dict(network.lanes), doc.rates, doc.capacity, problems)
    districts = _pilots(network.districts, doc.pilots, problems)
    closures = _closures(network, lanes, doc.close, problems)
    rules = _batch_rules(network.nodes, districts, doc.batches, problems)
    new = Network(districts=districts, nodes=dict(network.nodes), lanes=lanes,
                  closures=(*network.closures, *closures))
    return new, rules, problems


def _rates_and_capacity(lanes: dict[str, Lane], rates: RatesIn, capacity: CapacityIn,
                        problems: list[Issue]) -> dict[str, Lane]:
    """Rate multipliers (by mode, by lane) and vehicles per week (absolute by lane, or a
    multiplier by mode, rounded down) applied to the lanes."""
    for section, named in (("rates", rates.lanes), ("capacity", capacity.lanes)):
        problems += [(f"overrides.{section}.lanes.{lane_id}", f"unknown lane {lane_id}")
                     for lane_id in named if lane_id not in lanes]
    out = {}
    for lane_id, lane in lanes.items():
        factor = rates.modes.get(lane.mode, 1.0) * rates.lanes.get(lane_id, 1.0)
        changes: dict[str, Any] = {}
        if factor != 1.0:
            changes["cost_per_kg_cny"] = lane.cost_per_kg_cny * factor
            changes["cost_per_vehicle_cny"] = lane.cost_per_vehicle_cny * factor
            if lane.pricing is not None:
                changes["pricing"] = scale_pricing(lane.pricing, factor)
        if lane_id in capacity.lanes:
            changes["max_vehicles"] = capacity.lanes[lane_id]
        elif lane.mode in capacity.modes and lane.max_vehicles is not None:
            changes["max_vehicles"] = math.floor(lane.max_vehicles
                                                 * capacity.modes[lane.mode] + 1e-9)
        out[lane_id] = dataclasses.replace(lane, **changes) if changes else lane
        problems += _over_limits(out[lane_id])
    return out


def _over_limits(lane: Lane) -> list[Issue]:
    """The lane's prices and vehicles after rates and capacities, against lanes.csv's limits."""
    where = "overrides.rates"
    checks = (("cost_per_kg_cny", lane.cost_per_kg_cny, MAX_COST_PER_KG_CNY, where),
              ("cost_per_vehicle_cny", lane.cost_per_vehicle_cny, MAX_COST_PER_VEHICLE_CNY,
               where),
              ("max_vehicles", lane.max_vehicles or 0, MAX_VEHICLES, "overrides.capacity"))
    out = [(path, f"lane {lane.lane_id}: {name} becomes {value:,.6g}, above the limit "
            f"{limit:,} of lanes.csv") for name, value, limit, path in checks if value > limit]
    if lane.pricing is not None and largest_amount(lane.pricing) > MAX_AMOUNT:
        out.append((where, f"lane {lane.lane_id}: a rate card price becomes "
                    f"{largest_amount(lane.pricing):,.6g}, above the limit {MAX_AMOUNT:,} of "
                    "rates.csv"))
    return out


def _pilots(districts: Mapping[str, District], pilots: Mapping[str, dt.date | None],
            problems: list[Issue]) -> dict[str, District]:
    """The districts with their pilot dates overridden (None: not a pilot)."""
    out = dict(districts)
    for district_id, since in pilots.items():
        if district_id not in out:
            problems.append((f"overrides.pilots.{district_id}",
                             f"unknown district {district_id}"))
            continue
        out[district_id] = dataclasses.replace(out[district_id], pilot_since=since)
    return out


def _closures(network: Network, lanes: Mapping[str, Lane], close: CloseIn,
              problems: list[Issue]) -> list[Closure]:
    """Nodes and lanes out of service, for ever or between two dates."""
    closures: list[Closure] = []
    for kind, items, known in (("node", close.nodes, network.nodes),
                               ("lane", close.lanes, lanes)):
        for i, item in enumerate(items):
            window = item if isinstance(item, WindowIn) else WindowIn(id=item)
            where = f"overrides.close.{kind}s[{i}]"
            if window.id not in known:
                problems.append((where, f"unknown {kind} {window.id}"))
            elif window.start and window.end and window.end < window.start:
                problems.append((f"{where}.to", "ends before it starts"))
            else:
                closures.append(Closure(kind, window.id, window.start, window.end))
    return closures


def _batch_rules(nodes: Mapping[str, Node], districts: Mapping[str, District],
                 items: list[BatchRuleIn], problems: list[Issue]) -> tuple[BatchRule, ...]:
    """The planners' force/forbid decisions, every id they name checked."""
    rules: list[BatchRule] = []
    for i, r in enumerate(items):
        where = f"overrides.batches[{i}]"
        named = [("force_port", r.force_port)] + [(f"forbid_ports[{j}]", port)
                                                  for j, port in enumerate(r.forbid_ports)]
        named += [(f"match.{key}", getattr(r.match, key)) for key in ("origin", "destination")]
        problems += [(f"{where}.{key}", f"unknown node {node_id}") for key, node_id in named
                     if node_id is not None and node_id not in nodes]
        if r.match.export_district and r.match.export_district not in districts:
            problems.append((f"{where}.match.export_district",
                             f"unknown district {r.match.export_district}"))
        match = r.match.model_dump(exclude_none=True)
        if not match:
            problems.append((f"{where}.match", "match at least one key (or batch_id)"))
        rules.append(BatchRule(
            match=tuple(sorted(match.items())), force_port=r.force_port,
            forbid_ports=frozenset(r.forbid_ports), force_mode=r.force_mode,
            forbid_modes=frozenset(r.forbid_modes)))
    return tuple(rules)


def deep_merge(base: Any, override: Any) -> Any:
    """Mappings merge key by key; anything else in ``override`` replaces ``base``."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        merged = dict(base)
        for k, v in override.items():
            merged[k] = deep_merge(base[k], v) if k in base else v
        return merged
    return override
