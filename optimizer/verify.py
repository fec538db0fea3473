"""An independent check of a plan against its inputs: ``returnroute verify plan.json SCENARIO``.

It reads the plan as the JSON document users receive and trusts nothing the solver computed:
every parcel of the returns file must be in exactly one batch, and each batch must meet the
consolidation contract (one origin, destination, goods class, trade mode and export district;
ready dates within the scenario's window; the id those keys give); every route must be a chain
of existing lanes from the batch's hub to its seller cluster; the return port must pass every
compliance rule in force (the rules being the specification, they are evaluated by the rule
engine); vehicle counts must hold their loads and respect weekly limits; every cost is recomputed
from the lane and node data to the cent (with its own tax formula, month and vehicle arithmetic,
not the code the optimiser priced with); totals must add up and the bound must not exceed the
objective.

The batches are rebuilt from the plan's own ``parcel_ids`` lists, not by re-running the
planner's consolidation (this module imports nothing of ``optimizer.planning``): a plan that
groups the parcels differently from the planner, but validly, passes. That is intended: the
grouping contract is what customs and the sellers rely on, not one particular grouping.

Each problem is a ``PlanProblem``: a stable ``kind`` (for programs and tests), the batch id or
lane-week (``LANE@2025-W27``) it concerns, and the message a person reads. The kinds (``KINDS``):

parcels and batches (routed and unrouted)
    ``unknown_parcel`` a parcel id the returns file does not have; ``duplicate_parcel`` a parcel
    listed twice; ``missing_parcels`` parcels of the returns file in no batch; ``no_parcels`` a
    batch with no parcel of the returns file; ``duplicate_batch`` a batch id listed twice;
    ``mixed_batch`` parcels differing in origin, destination, goods class, trade mode or export
    district; ``window`` ready dates further apart than ``window_days``; ``batch_id`` an id that
    does not follow from the parcels; ``weight`` a weight that is not the parcels' sum;
    ``batch_fields`` another field the parcels determine (keys, volume, value) that differs.
the route of a routed batch
    ``unknown_lane`` a leg on no lane of lanes.csv; ``leg_mismatch`` a leg whose ends, via, mode
    or days differ from its lane; ``no_legs`` no legs at all; ``route_ends`` a route not from
    the batch's hub to its seller cluster; ``legs_disconnected`` consecutive legs that do not
    meet; ``revisits_node`` a route through a node twice; ``not_clearing_port`` a return port
    that is not a clearing node on the route; ``entry_point`` an entry point that is not where
    the route enters China; ``return_district`` the wrong district for the return port;
    ``noncompliant`` a compliance rule in force fails.
dates and costs of a routed batch
    ``dates`` depart, declaration, arrival or transit days that do not follow from the parcels
    and lanes; ``cost_component`` freight, clearance or tax differing from the data;
    ``batch_cost`` a cost that is not the sum of its components; ``leg_costs`` leg costs that
    do not add up to freight plus vehicles.
vehicles (per lane and ISO week)
    ``vehicle_unknown_lane`` an entry on no lane; ``vehicle_count`` a count that is not a whole
    number; ``vehicle_batches`` riders other than the batches routed there; ``overfull`` loads
    beyond the vehicles' capacity; ``vehicle_limit`` more vehicles than the lane allows a week;
    ``vehicle_cost`` a cost other than count x vehicle cost; ``per_kg_capacity`` a per-kg lane
    loaded beyond its weekly capacity; ``no_vehicle`` batches on a per-vehicle lane with no
    vehicle bought; ``vehicle_share`` vehicle costs not fully shared out to batches.
the plan as a whole
    ``total`` a total that the data do not give; ``objective`` an objective other than cost +
    shadow prices + penalties; ``bound`` a bound above the objective; ``status`` a status that
    does not match what is routed; ``unrouted_no_reason`` an unrouted batch without a reason.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from optimizer.compliance import check_option
from optimizer.domain import Batch, Lane, Network, Node, Parcel, Route, Scenario, entry_node

CENT = 0.0100001  # values in plan.json are rounded to the fen
KG = 1.0001e-3  # weights are rounded to the gram (a hair over, for float noise in the sums)
M3 = 1.0001e-4  # volumes are rounded to a tenth of a litre

#: every kind of problem the checker reports (see the module docstring)
KINDS: tuple[str, ...] = (
    "unknown_parcel", "duplicate_parcel", "missing_parcels", "no_parcels", "duplicate_batch",
    "mixed_batch", "window", "batch_id", "weight", "batch_fields",
    "unknown_lane", "leg_mismatch", "no_legs", "route_ends", "legs_disconnected",
    "revisits_node", "not_clearing_port", "entry_point", "return_district", "noncompliant",
    "dates", "cost_component", "batch_cost", "leg_costs",
    "vehicle_unknown_lane", "vehicle_count", "vehicle_batches", "overfull", "vehicle_limit",
    "vehicle_cost", "per_kg_capacity", "no_vehicle", "vehicle_share",
    "total", "objective", "bound", "status", "unrouted_no_reason",
)

#: the parcel fields (and the export district) every parcel of one batch shares
GROUP_FIELDS: tuple[str, ...] = ("origin", "destination", "goods_class", "trade_mode",
                                 "export_district")


@dataclass(frozen=True, slots=True)
class PlanProblem:
    """One thing wrong with a plan, typed so that programs and tests need not parse messages.

    ``kind`` is one of ``KINDS``; ``batch`` the batch id or lane-week ('LANE@2025-W27') it
    concerns, None for the plan as a whole; ``detail`` the message a person reads, which is also
    what ``str()`` gives (the CLI and ``PlanCheckError`` print it as before).
    """

    kind: str
    batch: str | None
    detail: str

    def __str__(self) -> str:
        return self.detail


class _Problems:
    """The problems found so far, in the order the sections run."""

    def __init__(self) -> None:
        self.found: list[PlanProblem] = []

    def add(self, kind: str, batch: str | None, detail: str) -> None:
        """Record a problem; an unlisted kind is a bug in this module, not in the plan."""
        if kind not in KINDS:
            raise ValueError(f"unknown problem kind {kind!r}")
        self.found.append(PlanProblem(kind, batch, detail))


@dataclass
class _Tally:
    """What the routed batches add up to, for the vehicle and totals sections."""

    #: (lane, period) -> (batch id in the plan, rebuilt batch) of every batch routed on it
    uses: dict[tuple[str, str], list[tuple[str, Batch]]] = field(
        default_factory=lambda: defaultdict(list))
    components: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    vehicle_share: float = 0.0
    shadow: float = 0.0


# -- the checker's own arithmetic ------------------------------------------------------------


def _months_later(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def _tax(parcel: Parcel, declared: dt.date, scenario: Scenario) -> float:
    """Duty and VAT due on the parcel's return, nil when it keeps the relief."""
    rules = scenario.rules
    goods = rules.goods_classes[parcel.goods_class]
    covered = any(period.start <= parcel.export_date <= period.end
                  for period in rules.relief_periods)
    if (covered and goods.tax_relief and parcel.trade_mode in rules.eligible_trade_modes
            and declared <= _months_later(parcel.export_date, rules.relief_months)):
        return 0.0
    duty = parcel.value_cny * goods.duty_rate
    return duty + (parcel.value_cny + duty) * rules.vat_rate


def _close(a: Any, b: float, tol: float = CENT) -> bool:
    """Whether the document's figure ``a`` is a finite number within ``tol`` of ``b``."""
    return (isinstance(a, (int, float)) and not isinstance(a, bool) and math.isfinite(a)
            and abs(a - b) <= tol)


def _iso_week(day: dt.date) -> str:
    """The ISO week ('2025-W27') a batch leaving on ``day`` uses vehicles of."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


# -- parcels and batches ---------------------------------------------------------------------


def _district(p: Parcel, nodes: Mapping[str, Node]) -> str:
    """The export district of a parcel: the district of its export port ('' when unknown)."""
    node = nodes.get(p.export_port)
    return (node.district or "") if node is not None else ""


def _group_values(p: Parcel, nodes: Mapping[str, Node]) -> tuple[str, ...]:
    """The parcel's values of ``GROUP_FIELDS``."""
    return (p.origin, p.destination, p.goods_class, p.trade_mode, _district(p, nodes))


def _members(entry: Mapping[str, Any], bid: str, where: str, parcels: Mapping[str, Parcel],
             seen: dict[str, str], out: _Problems) -> list[Parcel]:
    """The returns-file parcels an entry lists, each once; unknown and repeated ids reported."""
    members: dict[str, Parcel] = {}
    for pid in entry.get("parcel_ids", []):
        if pid in seen:
            out.add("duplicate_parcel", bid, f"parcel {pid} appears in {seen[pid]} and {bid}")
        seen[pid] = bid
        if pid not in parcels:
            out.add("unknown_parcel", bid, f"{where}: parcel {pid} is not in the returns file")
        else:
            members.setdefault(pid, parcels[pid])
    return sorted(members.values(), key=lambda p: (p.ready_date, p.parcel_id))


def _check_contract(bid: str, where: str, members: Sequence[Parcel], scenario: Scenario,
                    out: _Problems) -> str:
    """Check that the parcels may travel as one batch; return the id they give the batch."""
    nodes = scenario.network.nodes
    keys = _group_values(members[0], nodes)
    differ = [f"{name} ({', '.join(sorted({_group_values(p, nodes)[i] for p in members}))})"
              for i, name in enumerate(GROUP_FIELDS)
              if any(_group_values(p, nodes)[i] != keys[i] for p in members)]
    if differ:
        out.add("mixed_batch", bid, f"{where}: its parcels differ in {'; '.join(differ)}")
    first, last = members[0].ready_date, max(p.ready_date for p in members)
    if (last - first).days > scenario.window_days:
        out.add("window", bid, f"{where}: parcels ready {first} to {last}, more than the "
                f"{scenario.window_days}-day consolidation window apart")
    want = "-".join(keys) + f"-{first:%Y%m%d}"
    if bid != want:
        out.add("batch_id", bid, f"{where}: its parcels make the batch id {want}")
    return want


def _rebuild(batch_id: str, members: Sequence[Parcel], nodes: Mapping[str, Node]) -> Batch:
    """The batch the parcels make (the first parcel's keys, when they are mixed)."""
    first = members[0]
    depart = max(p.ready_date for p in members)
    deadlines = [p.deadline for p in members if p.deadline is not None]
    ports = Counter(p.export_port for p in members)
    return Batch(
        batch_id=batch_id, origin=first.origin, destination=first.destination,
        goods_class=first.goods_class, trade_mode=first.trade_mode,
        export_district=_district(first, nodes),
        export_port=min(ports, key=lambda k: (-ports[k], k)),
        window_start=first.ready_date, depart_date=depart, period=_iso_week(depart),
        parcels=tuple(members),
        weight_kg=round(sum(p.weight_kg for p in members), 3),
        volume_m3=round(sum(p.volume_m3 for p in members), 4),
        value_cny=round(sum(p.value_cny for p in members), 2),
        earliest_export=min(p.export_date for p in members),
        deadline=min(deadlines) if deadlines else None)


def _check_batch_fields(entry: Mapping[str, Any], b: Batch, where: str,
                        out: _Problems) -> None:
    """The weight and the other fields the entry states must be the parcels' own."""
    bid = str(entry.get("batch_id"))
    if not _close(entry.get("weight_kg"), b.weight_kg, KG):
        out.add("weight", bid, f"{where}: weight {entry.get('weight_kg')} but its parcels "
                f"weigh {b.weight_kg}")
    wrong = [f"{name} {entry[name]} (parcels: {getattr(b, name)})" for name in GROUP_FIELDS
             if name in entry and entry[name] != getattr(b, name)]
    wrong += [f"{name} {entry[name]} (parcels: {getattr(b, name)})"
              for name, tol in (("volume_m3", M3), ("value_cny", CENT))
              if name in entry and not _close(entry[name], getattr(b, name), tol)]
    if wrong:
        out.add("batch_fields", bid, f"{where}: {'; '.join(wrong)}")


def _check_parcels(doc: Mapping[str, Any], scenario: Scenario,
                   out: _Problems) -> list[Batch | None]:
    """Every parcel once, every batch a valid batch; the rebuilt batch of each routed entry."""
    parcels = {p.parcel_id: p for p in scenario.parcels}
    seen: dict[str, str] = {}
    ids: set[str] = set()
    routed: list[Batch | None] = []
    for section, label in (("batches", "batch"), ("unrouted", "unrouted batch")):
        for entry in doc.get(section, []):
            bid = str(entry.get("batch_id"))
            where = f"{label} {bid}"
            if bid in ids:
                out.add("duplicate_batch", bid, f"{where}: the batch id is listed twice")
            ids.add(bid)
            members = _members(entry, bid, where, parcels, seen, out)
            batch = None
            if not members:
                out.add("no_parcels", bid, f"{where}: no parcel of the returns file")
            else:
                batch_id = _check_contract(bid, where, members, scenario, out)
                batch = _rebuild(batch_id, members, scenario.network.nodes)
                _check_batch_fields(entry, batch, where, out)
            if section == "batches":
                routed.append(batch)
    missing = sorted(set(parcels) - set(seen))
    if missing:
        out.add("missing_parcels", None, f"{len(missing)} parcels in no batch, e.g. "
                f"{missing[:3]}")
    return routed


# -- the route of a routed batch -------------------------------------------------------------


def _route_lanes(entry: Mapping[str, Any], where: str, net: Network,
                 out: _Problems) -> list[Lane] | None:
    """The lanes of the entry's legs, each matching lanes.csv; None when there is no route."""
    bid = str(entry.get("batch_id"))
    legs = entry.get("legs", [])
    if not legs:
        out.add("no_legs", bid, f"{where}: no legs")
        return None
    lanes: list[Lane] = []
    for leg in legs:
        lane = net.lanes.get(leg.get("lane_id"))
        if lane is None:
            out.add("unknown_lane", bid, f"{where}: unknown lane {leg.get('lane_id')}")
            return None
        stated = (leg.get("from"), leg.get("to"), leg.get("via") or None, leg.get("mode"),
                  leg.get("transit_days"))
        if stated != (lane.origin, lane.destination, lane.via or None, lane.mode,
                      lane.transit_days):
            out.add("leg_mismatch", bid, f"{where}: leg {lane.lane_id} does not match lanes.csv")
        lanes.append(lane)
    return lanes


def _check_chain(lanes: Sequence[Lane], b: Batch, bid: str, where: str,
                 out: _Problems) -> None:
    """The lanes must run, connected and without loops, from the hub to the seller cluster."""
    chain = [lanes[0].origin] + [ln.destination for ln in lanes]
    if chain[0] != b.origin or chain[-1] != b.destination:
        out.add("route_ends", bid, f"{where}: route runs {chain[0]} -> {chain[-1]}, batch is "
                f"{b.origin} -> {b.destination}")
    for a, c in itertools.pairwise(lanes):
        if a.destination != c.origin:
            out.add("legs_disconnected", bid, f"{where}: legs {a.lane_id} and {c.lane_id} do "
                    "not connect")
    if len(set(chain)) != len(chain):
        out.add("revisits_node", bid, f"{where}: the route visits a node twice")


def _route(entry: Mapping[str, Any], lanes: Sequence[Lane], where: str, net: Network,
           out: _Problems) -> Route | None:
    """The route the entry states (port, entry point, district); None when they cannot hold."""
    bid = str(entry.get("batch_id"))
    port_id = entry.get("return_port")
    idx = [i for i, ln in enumerate(lanes) if ln.destination == port_id]
    if not idx or port_id not in net.nodes or not net.nodes[port_id].can_clear:
        out.add("not_clearing_port", bid, f"{where}: return port {port_id} is not a clearing "
                "node on the route")
        return None
    port = net.nodes[port_id]
    entry_point = entry_node(tuple(lanes), net.nodes)
    if entry_point is None or entry_point.id != entry.get("entry_point"):
        out.add("entry_point", bid, f"{where}: entry point {entry.get('entry_point')} is not "
                "where the route enters China")
        return None
    if entry.get("return_district") != (port.district or ""):
        out.add("return_district", bid, f"{where}: {port_id} is in {port.district}, not "
                f"{entry.get('return_district')}")
    return Route(tuple(lanes), idx[0], port, entry_point)


def _check_compliance(b: Batch, route: Route, scenario: Scenario, bid: str, where: str,
                      out: _Problems) -> None:
    """Every compliance rule in force must pass for the rebuilt batch on the stated route."""
    for check in check_option(b, route, scenario.network, scenario.rules, scenario.regime_rule,
                              scenario.as_of):
        if not check.passed:
            out.add("noncompliant", bid, f"{where}: not compliant: {check.rule}: {check.detail}")


# -- dates and costs of a routed batch -------------------------------------------------------


def _check_dates(entry: Mapping[str, Any], b: Batch, route: Route, bid: str, where: str,
                 out: _Problems) -> tuple[dt.date, int]:
    """Depart, declaration and arrival dates from the parcels and lanes; (declared, days)."""
    lanes, i = route.lanes, route.port_index
    to_port = sum(ln.transit_days for ln in lanes[: i + 1]) + route.port.clearance_days
    days = to_port + sum(ln.transit_days for ln in lanes[i + 1:])
    declared = b.depart_date + dt.timedelta(days=to_port)
    eta = b.depart_date + dt.timedelta(days=days)
    stated = (entry.get("depart_date"), entry.get("declare_date"), entry.get("eta"),
              entry.get("transit_days"))
    if stated != (b.depart_date.isoformat(), declared.isoformat(), eta.isoformat(), days):
        out.add("dates", bid, f"{where}: dates do not follow from the lanes (depart "
                f"{b.depart_date}, declare {declared}, {days} days)")
    return declared, days


def _check_costs(entry: Mapping[str, Any], b: Batch, route: Route, declared: dt.date,
                 scenario: Scenario, where: str, out: _Problems, tally: _Tally) -> None:
    """Freight, clearance and tax from the data; the batch and leg costs must add up."""
    bid = str(entry.get("batch_id"))
    lanes, port = route.lanes, route.port
    freight = sum(ln.cost_per_kg_cny * b.weight_kg for ln in lanes)
    tax = sum(_tax(p, declared, scenario) for p in b.parcels)
    comps = entry.get("components", {})
    for key, want in (("freight", freight), ("clearance", port.clearance_fee_cny),
                      ("tax_exposure", tax)):
        if not _close(comps.get(key), want):
            out.add("cost_component", bid, f"{where}: {key} {comps.get(key)} but the data give "
                    f"{want:.2f}")
        tally.components[key] += want
    share = comps.get("vehicles", 0.0) or 0.0
    tally.vehicle_share += share
    if not _close(entry.get("cost_cny"), freight + share + port.clearance_fee_cny + tax,
                  2 * CENT):
        out.add("batch_cost", bid, f"{where}: cost {entry.get('cost_cny')} is not freight + "
                "vehicles + clearance + tax")
    legs = entry.get("legs", [])
    leg_sum = sum(leg.get("cost_cny", 0.0) for leg in legs)
    if not _close(leg_sum, freight + share, len(legs) * CENT + CENT):
        out.add("leg_costs", bid, f"{where}: leg costs add up to {leg_sum:.2f}, not freight + "
                "vehicles")


def _shadow(b: Batch, lanes: Sequence[Lane], days: int, scenario: Scenario) -> float:
    """The shadow prices of the objective: transit days, holding cost and CO2e, in CNY."""
    objective = scenario.objective
    co2_t = sum(b.weight_kg / 1000 * ln.distance_km * ln.co2e_g_per_tkm for ln in lanes) / 1e6
    return (days * (objective.cny_per_transit_day
                    + b.value_cny * objective.holding_cost_pct_per_year / 100 / 365)
            + co2_t * objective.cny_per_t_co2e)


def _check_routed(entry: Mapping[str, Any], b: Batch, scenario: Scenario, out: _Problems,
                  tally: _Tally) -> None:
    """One routed batch: its route, port, compliance, dates and costs, added to the tally."""
    bid = str(entry.get("batch_id"))
    where = f"batch {bid}"
    net = scenario.network
    lanes = _route_lanes(entry, where, net, out)
    if lanes is None:
        return
    _check_chain(lanes, b, bid, where, out)
    route = _route(entry, lanes, where, net, out)
    if route is None:
        return
    _check_compliance(b, route, scenario, bid, where, out)
    declared, days = _check_dates(entry, b, route, bid, where, out)
    _check_costs(entry, b, route, declared, scenario, where, out, tally)
    tally.shadow += _shadow(b, lanes, days, scenario)
    for ln in lanes:
        tally.uses[(ln.lane_id, b.period)].append((bid, b))


# -- vehicles --------------------------------------------------------------------------------


def _lane_week(key: tuple[str, str]) -> str:
    """How a lane-week is named in problems: 'LANE@2025-W27'."""
    return f"{key[0]}@{key[1]}"


def _check_vehicle_entry(v: Mapping[str, Any], lane: Lane, tally: _Tally,
                         out: _Problems) -> int | None:
    """One vehicles entry: a whole count, the riders routed there, limit and cost; its count."""
    key = (str(v.get("lane_id")), str(v.get("period")))
    name = _lane_week(key)
    count = v.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        out.add("vehicle_count", name, f"vehicles {key}: count {count} is not a whole number")
        return None
    riders = sorted(bid for bid, _ in tally.uses.get(key, []))
    listed = sorted(v.get("batch_ids", []))
    if listed != riders:
        extra = sorted((Counter(listed) - Counter(riders)).elements())
        absent = sorted((Counter(riders) - Counter(listed)).elements())
        out.add("vehicle_batches", name, f"vehicles {key}: the batches listed are not those "
                f"routed there (listed only: {extra}; routed only: {absent})")
    if lane.per_vehicle:
        if lane.max_vehicles is not None and count > lane.max_vehicles:
            out.add("vehicle_limit", name, f"vehicles {key}: {count} vehicles, the lane allows "
                    f"{lane.max_vehicles} a week")
        if not _close(v.get("cost_cny"), count * lane.cost_per_vehicle_cny):
            out.add("vehicle_cost", name, f"vehicles {key}: cost {v.get('cost_cny')} is not "
                    "count x vehicle cost")
    return count


def _check_load(key: tuple[str, str], lane: Lane, riders: Sequence[Batch], count: int,
                out: _Problems) -> None:
    """The batches on a lane-week must fit the vehicles bought, or the per-kg lane's limit."""
    name = _lane_week(key)
    kg = sum(b.weight_kg for b in riders)
    m3 = sum(b.volume_m3 for b in riders)
    if lane.per_vehicle:
        if count < 1:
            out.add("no_vehicle", name, f"vehicles {key}: batches ride it but no vehicle is "
                    "bought")
        elif kg > count * lane.vehicle_capacity_kg + KG or \
                m3 > count * lane.vehicle_capacity_m3 + M3:
            out.add("overfull", name, f"vehicles {key}: {kg:.1f} kg / {m3:.2f} m3 overfill "
                    f"{count} vehicle(s)")
    elif lane.max_vehicles is not None and (
            kg > lane.max_vehicles * lane.vehicle_capacity_kg + KG
            or m3 > lane.max_vehicles * lane.vehicle_capacity_m3 + M3):
        out.add("per_kg_capacity", name, f"vehicles {key}: {kg:.1f} kg / {m3:.2f} m3 exceed "
                "the lane's weekly capacity")


def _check_vehicles(doc: Mapping[str, Any], net: Network, tally: _Tally,
                    out: _Problems) -> float:
    """Every vehicles entry and every lane-week a route uses; the cost of the vehicles bought."""
    counts: dict[tuple[str, str], int | None] = {}
    cost = 0.0
    for v in doc.get("vehicles", []):
        key = (str(v.get("lane_id")), str(v.get("period")))
        lane = net.lanes.get(key[0])
        if lane is None:
            out.add("vehicle_unknown_lane", _lane_week(key), f"vehicles: unknown lane {key[0]}")
            continue
        counts[key] = _check_vehicle_entry(v, lane, tally, out)
        if lane.per_vehicle:
            cost += (counts[key] or 0) * lane.cost_per_vehicle_cny
    for key, riders in tally.uses.items():
        count = counts.get(key, 0)
        if count is not None:  # an invalid count is reported already
            _check_load(key, net.lanes[key[0]], [b for _, b in riders], count, out)
    if not _close(tally.vehicle_share, cost, CENT * max(1, len(doc.get("batches", [])))):
        out.add("vehicle_share", None, f"vehicle costs {cost:.2f} are not fully shared out to "
                f"batches ({tally.vehicle_share:.2f})")
    return cost


# -- the plan as a whole ---------------------------------------------------------------------


def _check_totals(doc: Mapping[str, Any], tally: _Tally, vehicle_cost: float,
                  out: _Problems) -> None:
    """Totals from the data (vehicles from the counts, not from rounded batch costs)."""
    totals = doc.get("totals", {})
    components = {**tally.components, "vehicles": vehicle_cost}
    independent = sum(components.values())
    if not _close(totals.get("cost_cny"), independent, CENT + 1e-9 * independent):
        out.add("total", None, f"totals.cost_cny {totals.get('cost_cny')} but the data give "
                f"{independent:.2f}")
    for key, value in components.items():
        if not _close(totals.get(f"{key}_cny"), value, CENT + 1e-9 * value):
            out.add("total", None, f"totals.{key}_cny {totals.get(f'{key}_cny')} but the data "
                    f"give {value:.2f}")
    obj, bound = doc.get("objective_cny"), doc.get("bound_cny")
    if obj is None:
        return
    penalty = doc.get("meta", {}).get("unrouted_penalty_cny", 0.0) or 0.0
    recomputed = independent + tally.shadow + penalty
    if not _close(obj, recomputed, CENT + 1e-7 * abs(recomputed)):
        out.add("objective", None, f"objective {obj} but cost + shadow prices + penalties = "
                f"{recomputed:.2f}")
    if bound is not None and bound > obj + CENT:
        out.add("bound", None, f"bound {bound} exceeds the objective {obj}")


def _check_status(doc: Mapping[str, Any], out: _Problems) -> None:
    """INFEASIBLE when nothing is routed, PARTIAL when some is, else OPTIMAL or FEASIBLE."""
    routed, unrouted = len(doc.get("batches", [])), len(doc.get("unrouted", []))
    status = doc.get("status")
    expected = ("INFEASIBLE" if routed == 0 and unrouted else
                "PARTIAL" if unrouted else None)
    if expected and status != expected:
        out.add("status", None, f"status {status} but {routed} batches routed and {unrouted} "
                "unrouted")
    if not expected and status not in ("OPTIMAL", "FEASIBLE"):
        out.add("status", None, f"status {status} but every batch is routed")


def _check_unrouted(doc: Mapping[str, Any], out: _Problems) -> None:
    """Every unrouted batch must say why."""
    for u in doc.get("unrouted", []):
        if not u.get("reasons"):
            bid = u.get("batch_id")
            out.add("unrouted_no_reason", str(bid), f"unrouted {bid}: no reason given")


def verify_plan(doc: Mapping[str, Any], scenario: Scenario) -> list[PlanProblem]:
    """Every problem found in the plan document ``doc`` for ``scenario`` (empty: it checks out)."""
    out = _Problems()
    tally = _Tally()
    rebuilt = _check_parcels(doc, scenario, out)
    for entry, batch in zip(doc.get("batches", []), rebuilt, strict=True):
        if batch is not None:
            _check_routed(entry, batch, scenario, out, tally)
    vehicle_cost = _check_vehicles(doc, scenario.network, tally, out)
    _check_totals(doc, tally, vehicle_cost, out)
    _check_status(doc, out)
    _check_unrouted(doc, out)
    return out.found
