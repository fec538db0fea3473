"""Each routed batch's marginal cost and what its waiting saves, the other batches unchanged.

**Marginal cost** (``marginal_cny``): what the plan's landed cost falls by without the batch. It
follows from the plan alone: the batch's own freight (per kg and per parcel), per-parcel
declaration fees, tax and storage; for every lane bought by the vehicle that it rides, the
vehicles its departure's load needs less those it needs without the batch's kg and m3, at the
lane's vehicle cost; for every tariffed departure it rides (``verify.tariffs``), the bill of
the departure's load less the bill without the batch's kg and m3 (nothing when it rides
alone); and its declaration's fixed fee when no other batch is declared on it. (A
batch's ``cost_cny`` is its *share* of the vehicles and the fee; ``marginal_cny`` says what
keeping it really adds.)

**Wait saving** (``wait_saving_cny``): what leaving when it does saves the batch against its
best compliant trip leaving earlier (any route: an earlier departure of its route, or another
service): what putting it back on that trip would add to the plan without it, less its
marginal cost. What a trip adds is its own costs (freight, per-parcel fees, tax, storage), the
vehicles its departures would need more and what the bills of its tariffed departures would
grow by (a trip one of whose departures would exceed its lane's limit is not open to it), and
its declaration's fee unless another batch is declared on it. Never below 0, and 0 when it
has no trip leaving earlier (a committed batch has only its own).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from optimizer.domain import Lane, Scenario, Trip
from optimizer.verify.arith import clearance_alone, departure_cny, departure_limit, needed
from optimizer.verify.declarations import Group, declaration_of
from optimizer.verify.problems import EPS, Problems, close, money_tol
from optimizer.verify.routed import Routed
from optimizer.verify.routes import RouteBook
from optimizer.verify.tariffs import bill_cny, by_vehicle, tariff_of
from optimizer.verify.trips import ride_key
from optimizer.verify.vehicles import Key

Loads = Mapping[Key, tuple[float, float]]


def marginal_cost(r: Routed, loads: Loads, scenario: Scenario) -> float:
    """The landed cost the plan saves without the batch (the module docstring's sum);
    ``loads``: each lane departure's routed kg and m3."""
    b = r.batch
    saved = r.cost.freight + clearance_alone(b, 0.0, scenario) + r.cost.tax + r.cost.storage
    for lane in r.trip.lanes:
        saved += _resource_saved(lane, loads.get(ride_key(lane), (b.weight_kg, b.volume_m3)),
                                 b.weight_kg, b.volume_m3)
    if r.declaration_alone:
        saved += r.cost.fee
    return saved


def _resource_saved(lane: Lane, load: tuple[float, float], kg: float, m3: float) -> float:
    """What a departure's vehicles or bill cost less without ``kg`` and ``m3`` of its
    ``load``."""
    less = (max(0.0, load[0] - kg), max(0.0, load[1] - m3))
    return departure_cny(lane, *load) - departure_cny(lane, *less)


def check_marginal(routed: Sequence[Routed], loads: Loads, scenario: Scenario,
                   out: Problems) -> None:
    """Every routed batch's ``marginal_cny``, recomputed."""
    for r in routed:
        want = marginal_cost(r, loads, scenario)
        stated = r.entry.doc["marginal_cny"]
        if not close(stated, want, money_tol(want, 2)):
            out.add("marginal_cost", r.bid, f"batch {r.bid}: marginal_cny {stated}, but without "
                    f"it the plan's landed cost falls by {want:.2f} (its freight, per-parcel "
                    "fees, tax and storage, the vehicles and declaration no longer needed)")


def _extra_vehicles(r: Routed, trip: Trip, loads: Loads) -> float | None:
    """What the vehicles and tariff bills of ``trip``'s departures cost more with the batch on
    them, the plan's loads without it; None when a departure cannot take it."""
    b, mine = r.batch, {ride_key(lane) for lane in r.trip.lanes}
    extra = 0.0
    for lane in trip.lanes:
        key = ride_key(lane)
        kg, m3 = loads.get(key, (0.0, 0.0))
        if key in mine:
            kg, m3 = max(0.0, kg - b.weight_kg), max(0.0, m3 - b.volume_m3)
        if by_vehicle(lane):
            after = needed(lane, kg + b.weight_kg, m3 + b.volume_m3)
            if lane.max_vehicles is not None and after > lane.max_vehicles:
                return None
            extra += (after - needed(lane, kg, m3)) * lane.cost_per_vehicle_cny
            continue
        price = tariff_of(lane)
        if price is not None:
            extra += (bill_cny(price, kg + b.weight_kg, m3 + b.volume_m3)
                      - bill_cny(price, kg, m3))
        limit = departure_limit(lane)
        if limit is not None and (kg + b.weight_kg > limit[0] + EPS
                                  or m3 + b.volume_m3 > limit[1] + EPS):
            return None
    return extra


def _leaving_earlier(r: Routed, trip: Trip, loads: Loads, groups: Mapping[str, Group],
                   book: RouteBook) -> float | None:
    """What the batch on ``trip`` adds to the plan without it (None: it does not fit)."""
    b, sc = r.batch, book.scenario
    vehicles = _extra_vehicles(r, trip, loads)
    if vehicles is None:
        return None
    cost = book.costing(b, trip)
    did = declaration_of(b, r.bid, trip.route.port.id, trip.declare_date,
                         sc.rules.declaration.group_by)
    others = [m for m in groups[did].members if m is not r] if did in groups else []
    fee = 0.0 if others else cost.fee
    return (cost.freight + clearance_alone(b, 0.0, sc) + cost.tax + cost.storage + vehicles
            + fee)


def wait_saving(r: Routed, loads: Loads, groups: Mapping[str, Group],
                book: RouteBook) -> float:
    """What leaving when it does saves the batch (the module docstring's figure)."""
    b = r.batch
    depart = r.trip.lanes[0].departure
    if depart is None:
        return 0.0
    early = [cost for t in book.trips(b)
             if (t.lanes[0].departure or depart) < depart and book.compliant(b, t)
             and (cost := _leaving_earlier(r, t, loads, groups, book)) is not None]
    if not early:
        return 0.0
    return max(0.0, min(early) - marginal_cost(r, loads, book.scenario))


def check_wait_savings(routed: Sequence[Routed], loads: Loads, groups: Mapping[str, Group],
                       book: RouteBook, out: Problems) -> None:
    """Every routed batch's ``wait_saving_cny``, recomputed."""
    for r in routed:
        want = wait_saving(r, loads, groups, book)
        stated = r.entry.doc["wait_saving_cny"]
        if not close(stated, want, money_tol(want, 2)):
            out.add("wait_saving", r.bid, f"batch {r.bid}: wait_saving_cny {stated}, but "
                    f"its best trip leaving earlier would add {want:.2f} more to the plan "
                    "without it than its own trip does")
