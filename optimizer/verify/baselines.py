"""The baselines a plan is measured against, as far as they follow from the inputs.

- **all-air** is recomputed: a batch's ``air_cost_cny`` is its cheapest compliant trip whose
  first (international) lane flies, costed alone (freight, its own vehicles, on a tariffed
  departure a shipment of its own billed on its own load, a declaration of its own with the
  whole fee and its per-parcel fees, tax on that trip's declaration day, storage while it
  waits); null when it has none. The totals' air baseline and saving follow
  from these and the plan's own costs.
- **same-route** (the plan re-solved under the old rule) cannot be recomputed without solving
  again. What always holds is checked: a batch has a same-route cost only if some trip of it
  clears under the same-route rule, and that cost is at least the cheapest such trip's freight,
  per-parcel declaration fees (its share of a shared declaration's fixed fee may be
  arbitrarily small), tax, storage and the vehicle cost of the space it takes (its vehicle
  share is never less); under the same-route regime the baseline is the plan itself;
  the batches it does not return (unrouted or disposed of) include every batch the plan
  routes without a same-route cost and every batch no rule allows on any route, and are at
  most those plus the batches the plan does not return.
- **greedy no-sharing** cannot be recomputed either (it is the planner's heuristic); its cost is
  at most what every batch would pay alone on its dearest trip (on a route with a rate card,
  its dearest departures).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from optimizer.domain import Batch, RegimeRule, Route, Scenario
from optimizer.verify.arith import (
    alone_vehicles,
    clearance_alone,
    declaration_fee,
    express_charge,
    full_tax,
    storage_cny,
)
from optimizer.verify.batches import Entry
from optimizer.verify.problems import CENT, Problems, close, close_or_null, money_tol
from optimizer.verify.routed import Routed
from optimizer.verify.routes import RouteBook
from optimizer.verify.trips import committed


def air_cost(b: Batch, book: RouteBook) -> float | None:
    """The batch alone on its cheapest compliant trip whose international leg flies."""
    trips = book.trips(b, mode="air")
    air = sorted((book.costing(b, t).standalone, t.trip_id, i) for i, t in enumerate(trips))
    return next((cost for cost, _, i in air if book.compliant(b, trips[i])), None)


def check_air(routed: Sequence[Routed], book: RouteBook, out: Problems) -> list[float | None]:
    """Each routed batch's all-air cost, recomputed; the list of them."""
    airs = []
    for r in routed:
        want = air_cost(r.batch, book)
        stated = r.entry.doc["air_cost_cny"]
        if not close_or_null(stated, want):
            out.add("air_cost", r.bid, f"batch {r.bid}: air_cost_cny {stated} but its cheapest "
                    "compliant air trip alone costs "
                    + ("nothing (it has none)" if want is None else f"{want:.2f}"))
        airs.append(want)
    return airs


def _same_route_floor(b: Batch, book: RouteBook, regime: RegimeRule) -> float | None:
    """The least landed cost (``RouteBook.landed_floor``) of a trip the same-route rule
    allows the batch (None: it allows none)."""
    trips = book.trips(b)
    ranked = sorted((book.landed_floor(b, t), t.trip_id, i) for i, t in enumerate(trips))
    return next((cost for cost, _, i in ranked if book.compliant(b, trips[i], regime)), None)


def _has_same_route_at(b: Batch, book: RouteBook, regime: RegimeRule, cost: float) -> bool:
    """Whether the same-route rule allows the batch some trip whose landed floor is at most
    ``cost``. (Trips clearing in the export district are tried first: the answer does not
    depend on the order, and one of them is usually it.)"""
    trips = [t for t in book.trips(b) if book.landed_floor(b, t) <= cost + CENT]
    trips.sort(key=lambda t: ((t.route.port.district or "") != b.export_district,
                              book.landed_floor(b, t), t.trip_id))
    return any(book.compliant(b, t, regime) for t in trips)


def _check_same_route_batch(r: Routed, book: RouteBook, scenario: Scenario,
                            out: Problems) -> None:
    """A routed batch's same-route cost: the plan's own cost under the same-route regime; else
    at least its cheapest same-route route's landed floor."""
    stated = r.entry.doc["same_route_cost_cny"]
    if stated is None:
        return
    where = f"batch {r.bid}: same_route_cost_cny {stated}"
    if scenario.regime == "same_route":
        if not close(stated, r.landed, 2 * CENT):
            out.add("same_route", r.bid, f"{where}, but under the same-route regime the "
                    f"baseline is the plan itself ({r.landed:.2f})")
        return
    regime = next((reg for reg in scenario.rules.regimes if reg.id == "same_route"), None)
    if regime is None or _has_same_route_at(r.batch, book, regime, stated):
        return
    floor = _same_route_floor(r.batch, book, regime)
    out.add("same_route", r.bid, f"{where}, but " + (
        "no trip of it clears under the same-route rule" if floor is None else
        f"its cheapest same-route trip costs at least {floor:.2f} before shared vehicles and "
        "declaration fees"))


def _check_same_route_unrouted(doc: Mapping[str, Any], routed_entries: Sequence[Entry],
                               refused: int, scenario: Scenario, out: Problems) -> None:
    """The count of batches the same-route baseline does not return (unrouted or disposed
    of), within what must hold."""
    stated = doc["totals"]["same_route_unrouted"]
    without = sum(1 for e in routed_entries if e.doc["same_route_cost_cny"] is None)
    if stated == 0 and without == len(routed_entries):
        return  # the baseline was not computed (or routes nothing of nothing)
    left = len(doc["unrouted"]) + len(doc["disposed"])
    if scenario.regime == "same_route":
        if without or stated != left:
            out.add("same_route", None, f"totals.same_route_unrouted {stated}: under the "
                    f"same-route regime the baseline is the plan, which returns {left} "
                    f"batches fewer than it has ({without} routed batches lack their "
                    "same-route cost)")
        return
    low, high = without + refused, without + left
    if not low <= stated <= high:
        out.add("same_route", None, f"totals.same_route_unrouted {stated}, but {without} "
                f"routed batches have no same-route cost and {refused} have no "
                f"compliant route at all (so {low} to {high})")


def check_same_route(doc: Mapping[str, Any], routed: Sequence[Routed],
                     routed_entries: Sequence[Entry], refused: int,
                     book: RouteBook, out: Problems) -> None:
    """What always holds of the same-route baseline, per batch and in the totals
    (``refused``: the batches not returned that no rule allows on any route)."""
    for r in routed:
        _check_same_route_batch(r, book, book.scenario, out)
    _check_same_route_unrouted(doc, routed_entries, refused, book.scenario, out)


def _dearest_alone(b: Batch, book: RouteBook) -> float:
    """At least what the batch alone pays on its dearest trip: the dearest freight (per kg and
    per parcel), fee, own vehicles and storage of a trip, plus the tax of every parcel as if
    none kept the relief."""
    sc = book.scenario
    fixed = committed(b, sc) is not None
    routes = ([t.route for t in book.trips(b)] if fixed
              else [r for r in book.routes(b.origin, b.destination) if sc.rules.offers(b, r)])
    if not routes:
        return 0.0
    rule = sc.rules.declaration
    dearest = max(f.cost_per_kg * b.weight_kg + express_charge(f.express_lanes, b)
                  + clearance_alone(b, declaration_fee(rule, f.port), sc)
                  + alone_vehicles(f.vehicle_lanes, b.weight_kg, b.volume_m3)
                  if not f.priced else _dearest_priced(b, r, book)
                  for r, f in ((r, book.facts(r)) for r in routes))
    ready = book.ready(b)
    firsts = ([t.lanes[0].departure or ready for t in book.trips(b)] if fixed else [
        day for lane in {r.lanes[0].lane_id: r.lanes[0] for r in routes}.values()
        for day in book.first_departures(lane, ready)[-1:]])
    hub_days = max(((day - ready).days for day in firsts), default=0)
    return (dearest + storage_cny(b, max(0, hub_days), sc)
            + sum(full_tax(p, sc) for p in b.parcels))


def _dearest_priced(b: Batch, route: Route, book: RouteBook) -> float:
    """The dearest of a route with a rate card alone on its departures the batch may take:
    freight, its own declaration, vehicles and bills (0 without a trip)."""
    trips = [t for t in book.trips(b) if t.route.route_id == route.route_id]
    return max((c.freight + c.clearance + c.alone_vehicles
                for c in (book.costing(b, t) for t in trips)), default=0.0)


def check_greedy(doc: Mapping[str, Any], batches: Sequence[Batch], book: RouteBook,
                 out: Problems) -> None:
    """The greedy no-sharing plan costs at most every batch alone on its dearest trip."""
    stated = doc["totals"]["greedy_baseline_cny"]
    ceiling = sum(_dearest_alone(b, book) for b in batches)
    if stated > ceiling + money_tol(ceiling):
        out.add("greedy_baseline", None, f"totals.greedy_baseline_cny {stated} exceeds "
                f"{ceiling:.2f}, what every batch would pay alone on its dearest trip")
