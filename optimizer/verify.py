"""An independent check of a plan against its inputs: ``returnroute verify plan.json SCENARIO``.

It reads the plan as the JSON document users receive and trusts nothing the solver computed:
batch membership, weights and values are recomputed from the returns file; every route must be a
chain of existing lanes from the batch's hub to its seller cluster; the return port must pass
every compliance rule in force (the rules being the specification, they are evaluated by the
rule engine); vehicle counts must hold their loads and respect weekly limits; every cost is
recomputed from the lane and node data to the cent (with its own tax formula, not the one the
optimiser priced with); totals must add up and the bound must not exceed the objective.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from optimizer.compliance import check_option
from optimizer.domain import Lane, Parcel, Route, Scenario, entry_node
from optimizer.planning.consolidate import consolidate

CENT = 0.0100001  # values in plan.json are rounded to the fen
KG = 1e-3  # weights are rounded to the gram


def _months_later(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def _tax(parcel: Parcel, declared: dt.date, scenario: Scenario) -> float:
    rules = scenario.rules
    goods = rules.goods_classes[parcel.goods_class]
    covered = False
    for period in rules.relief_periods:
        if period.start <= parcel.export_date <= period.end:
            covered = True
    if (covered and goods.tax_relief and parcel.trade_mode in rules.eligible_trade_modes
            and declared <= _months_later(parcel.export_date, rules.relief_months)):
        return 0.0
    duty = parcel.value_cny * goods.duty_rate
    return duty + (parcel.value_cny + duty) * rules.vat_rate


def _close(a: float | None, b: float, tol: float = CENT) -> bool:
    return a is not None and math.isfinite(a) and abs(a - b) <= tol


def verify_plan(doc: Mapping[str, Any], scenario: Scenario) -> list[str]:
    """Every problem found in the plan document ``doc`` for ``scenario`` (empty: it checks out)."""
    problems: list[str] = []
    add = problems.append
    net = scenario.network
    parcels = {p.parcel_id: p for p in scenario.parcels}
    batches = {b.batch_id: b for b in consolidate(scenario.parcels, net.nodes,
                                                  scenario.window_days)}

    # -- every parcel exactly once, in the batch it belongs to --------------------------------
    seen: dict[str, str] = {}
    for section in ("batches", "unrouted"):
        for entry in doc.get(section, []):
            bid = entry.get("batch_id")
            if bid not in batches:
                add(f"{section}: unknown batch {bid}")
                continue
            ids = entry.get("parcel_ids", [])
            if sorted(ids) != sorted(p.parcel_id for p in batches[bid].parcels):
                add(f"{bid}: parcels differ from the consolidation of the returns file")
            for pid in ids:
                if pid in seen:
                    add(f"parcel {pid} appears in {seen[pid]} and {bid}")
                seen[pid] = bid
    missing = sorted(set(parcels) - set(seen))
    if missing:
        add(f"{len(missing)} parcels in no batch, e.g. {missing[:3]}")

    # -- each routed batch ---------------------------------------------------------------------
    regime = scenario.regime_rule
    objective = scenario.objective
    uses: dict[tuple[str, str], list[str]] = defaultdict(list)
    total_vehicle_share = 0.0
    shadow = 0.0
    comp_totals: dict[str, float] = defaultdict(float)
    for doc_entry in doc.get("batches", []):
        bid = doc_entry.get("batch_id")
        b = batches.get(bid)
        if b is None:
            continue
        where = f"batch {bid}"
        if not _close(doc_entry.get("weight_kg"), b.weight_kg, KG):
            add(f"{where}: weight {doc_entry.get('weight_kg')} but its parcels weigh "
                f"{b.weight_kg}")
        legs = doc_entry.get("legs", [])
        lanes: list[Lane] = []
        for leg in legs:
            lane = net.lanes.get(leg.get("lane_id"))
            if lane is None:
                add(f"{where}: unknown lane {leg.get('lane_id')}")
                break
            if (leg.get("from"), leg.get("to"), leg.get("mode")) != (
                    lane.origin, lane.destination, lane.mode):
                add(f"{where}: leg {lane.lane_id} does not match lanes.csv")
            lanes.append(lane)
        if len(lanes) != len(legs) or not lanes:
            add(f"{where}: no valid legs")
            continue
        chain = [lanes[0].origin] + [ln.destination for ln in lanes]
        if chain[0] != b.origin or chain[-1] != b.destination:
            add(f"{where}: route runs {chain[0]} -> {chain[-1]}, batch is {b.origin} -> "
                f"{b.destination}")
        for a, c in itertools.pairwise(lanes):
            if a.destination != c.origin:
                add(f"{where}: legs {a.lane_id} and {c.lane_id} do not connect")
        if len(set(chain)) != len(chain):
            add(f"{where}: the route visits a node twice")
        port_id = doc_entry.get("return_port")
        idx = [i for i, ln in enumerate(lanes) if ln.destination == port_id]
        if not idx or port_id not in net.nodes or not net.nodes[port_id].can_clear:
            add(f"{where}: return port {port_id} is not a clearing node on the route")
            continue
        port = net.nodes[port_id]
        entry = entry_node(tuple(lanes), net.nodes)
        if entry is None or entry.id != doc_entry.get("entry_point"):
            add(f"{where}: entry point {doc_entry.get('entry_point')} is not where the route "
                "enters China")
            continue
        route = Route(tuple(lanes), idx[0], port, entry)
        if doc_entry.get("return_district") != port.district:
            add(f"{where}: {port_id} is in {port.district}, not "
                f"{doc_entry.get('return_district')}")
        for check in check_option(b, route, net, scenario.rules, regime, scenario.as_of):
            if not check.passed:
                add(f"{where}: not compliant: {check.rule}: {check.detail}")

        # dates
        depart = max(p.ready_date for p in b.parcels)
        to_port = sum(ln.transit_days for ln in lanes[: idx[0] + 1]) + port.clearance_days
        days = to_port + sum(ln.transit_days for ln in lanes[idx[0] + 1:])
        declared = depart + dt.timedelta(days=to_port)
        if doc_entry.get("declare_date") != declared.isoformat() or \
                doc_entry.get("eta") != (depart + dt.timedelta(days=days)).isoformat() or \
                doc_entry.get("transit_days") != days:
            add(f"{where}: dates do not follow from the lanes (declare {declared}, {days} days)")

        # costs
        freight = sum(ln.cost_per_kg_cny * b.weight_kg for ln in lanes)
        tax = sum(_tax(p, declared, scenario) for p in b.parcels)
        comps = doc_entry.get("components", {})
        for key, want in (("freight", freight), ("clearance", port.clearance_fee_cny),
                          ("tax_exposure", tax)):
            if not _close(comps.get(key), want):
                add(f"{where}: {key} {comps.get(key)} but the data give {want:.2f}")
        share = comps.get("vehicles", 0.0) or 0.0
        total_vehicle_share += share
        if not _close(doc_entry.get("cost_cny"), freight + share + port.clearance_fee_cny + tax,
                      2 * CENT):
            add(f"{where}: cost {doc_entry.get('cost_cny')} is not freight + vehicles + clearance "
                "+ tax")
        leg_sum = sum(leg.get("cost_cny", 0.0) for leg in legs)
        if not _close(leg_sum, freight + share, len(legs) * CENT + CENT):
            add(f"{where}: leg costs add up to {leg_sum:.2f}, not freight + vehicles")
        comp_totals["freight"] += freight
        comp_totals["clearance"] += port.clearance_fee_cny
        comp_totals["tax_exposure"] += tax
        co2_kg = sum(b.weight_kg / 1000 * ln.distance_km * ln.co2e_g_per_tkm for ln in lanes) \
            / 1000
        shadow += days * (objective.cny_per_transit_day
                          + b.value_cny * objective.holding_cost_pct_per_year / 100 / 365)
        shadow += co2_kg / 1000 * objective.cny_per_t_co2e
        for ln in lanes:
            uses[(ln.lane_id, b.period)].append(bid)

    # -- vehicles ------------------------------------------------------------------------------
    listed: dict[tuple[str, str], Mapping[str, Any]] = {}
    vehicle_cost = 0.0
    for v in doc.get("vehicles", []):
        key = (v.get("lane_id"), v.get("period"))
        lane = net.lanes.get(key[0])
        if lane is None:
            add(f"vehicles: unknown lane {key[0]}")
            continue
        listed[key] = v
        count = v.get("count")
        if not isinstance(count, int) or count < 0:
            add(f"vehicles {key}: count {count} is not a whole number")
            continue
        riders = sorted(uses.get(key, []))
        if sorted(v.get("batch_ids", [])) != riders:
            add(f"vehicles {key}: batches {v.get('batch_ids')} but routes put {riders} there")
        kg = sum(batches[r].weight_kg for r in riders)
        m3 = sum(batches[r].volume_m3 for r in riders)
        if lane.per_vehicle:
            if kg > count * lane.vehicle_capacity_kg + KG or \
                    m3 > count * lane.vehicle_capacity_m3 + 1e-4:
                add(f"vehicles {key}: {kg:.1f} kg / {m3:.2f} m3 overfill {count} vehicle(s)")
            if lane.max_vehicles is not None and count > lane.max_vehicles:
                add(f"vehicles {key}: {count} vehicles, the lane allows {lane.max_vehicles} a "
                    "week")
            vehicle_cost += count * lane.cost_per_vehicle_cny
            if not _close(v.get("cost_cny"), count * lane.cost_per_vehicle_cny):
                add(f"vehicles {key}: cost {v.get('cost_cny')} is not count x vehicle cost")
        elif lane.max_vehicles is not None and (
                kg > lane.max_vehicles * lane.vehicle_capacity_kg + KG
                or m3 > lane.max_vehicles * lane.vehicle_capacity_m3 + 1e-4):
            add(f"vehicles {key}: {kg:.1f} kg exceed the lane's weekly capacity")
    for key in uses:
        lane = net.lanes[key[0]]
        if lane.per_vehicle and (key not in listed or listed[key].get("count", 0) < 1):
            add(f"vehicles {key}: batches ride it but no vehicle is bought")
    if not _close(total_vehicle_share, vehicle_cost, CENT * max(1, len(doc.get("batches", [])))):
        add(f"vehicle costs {vehicle_cost:.2f} are not fully shared out to batches "
            f"({total_vehicle_share:.2f})")

    # -- totals, objective and bound -----------------------------------------------------------
    # totals are recomputed from the data (vehicles from the counts), not from rounded batch costs
    totals = doc.get("totals", {})
    comp_totals["vehicles"] = vehicle_cost
    independent = sum(comp_totals.values())
    if not _close(totals.get("cost_cny"), independent, CENT + 1e-9 * independent):
        add(f"totals.cost_cny {totals.get('cost_cny')} but the data give {independent:.2f}")
    for key, value in comp_totals.items():
        if not _close(totals.get(f"{key}_cny"), value, CENT + 1e-9 * value):
            add(f"totals.{key}_cny {totals.get(f'{key}_cny')} but the data give {value:.2f}")
    obj, bound = doc.get("objective_cny"), doc.get("bound_cny")
    meta = doc.get("meta", {})
    if obj is not None:
        penalty = meta.get("unrouted_penalty_cny", 0.0) or 0.0
        recomputed = independent + shadow + penalty
        if not _close(obj, recomputed, CENT + 1e-7 * abs(recomputed)):
            add(f"objective {obj} but cost + shadow prices + penalties = {recomputed:.2f}")
        if bound is not None and bound > obj + CENT:
            add(f"bound {bound} exceeds the objective {obj}")
    routed, unrouted = len(doc.get("batches", [])), len(doc.get("unrouted", []))
    status = doc.get("status")
    expected = ("INFEASIBLE" if routed == 0 and unrouted else
                "PARTIAL" if unrouted else None)
    if expected and status != expected:
        add(f"status {status} but {routed} batches routed and {unrouted} unrouted")
    if not expected and status not in ("OPTIMAL", "FEASIBLE"):
        add(f"status {status} but every batch is routed")
    for u in doc.get("unrouted", []):
        if not u.get("reasons"):
            add(f"unrouted {u.get('batch_id')}: no reason given")
    return problems
