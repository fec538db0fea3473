"""The options of a batch: every candidate route on every departure it may take (a *trip*,
``planning.schedules``), checked against the rules and priced.

Landed cost = freight (per kg, and per parcel on domestic express) + vehicles + the return
declaration at the port + tax exposure + storage while the batch waits at its hub.
Vehicles and declarations are shared between batches, so their cost is decided by the solver;
here an option carries only what it costs on its own (the per-parcel declaration fees), the
shared resources it uses (``resources``: its lanes and its declaration), and a standalone figure
(its own vehicles and declaration) used by the baselines.
The objective may add prices for the days from ready to delivery, inventory holding over those
days and CO2e (shadow prices, not part of the landed cost).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from optimizer.compliance import Screener, passed
from optimizer.domain import Batch, Check, Lane, Objective, Route, Rules, Scenario, Trip
from optimizer.planning.capacity import bill_cny, standalone_vehicle_cny
from optimizer.planning.costs import TaxTable
from optimizer.planning.declarations import declaration_lane
from optimizer.planning.routes import RouteIndex
from optimizer.planning.schedules import trips


@dataclass(frozen=True, slots=True)
class Option:
    """One candidate route for one batch, with its checks and its costs."""

    batch: Batch
    trip: Trip
    checks: tuple[Check, ...]
    freight_cny: float
    clearance_cny: float
    tax_cny: float
    co2e_kg: float
    time_cny: float
    co2_cny: float
    #: its own vehicles and its own declaration, were it alone
    standalone_vehicle_cny: float
    #: the return declaration it would be cleared on (None: declarations cost nothing)
    declaration: Lane | None = None
    #: storage at the hub while the batch waits for its departure (landed cost)
    storage_cny: float = 0.0
    #: (solver only, ``mip.fold_private``) what the resources no other batch could use cost
    #: this batch, folded into ``variable_cny``; ``shared`` the resources left (None: all)
    private_cny: float = 0.0
    shared: tuple[Lane, ...] | None = None

    @property
    def route(self) -> Route:
        """The route of the trip."""
        return self.trip.route

    @property
    def option_id(self) -> str:
        """Route and departure: unique among the batch's options."""
        return self.trip.trip_id

    @property
    def declare_date(self) -> dt.date:
        """The day the return declaration is cleared."""
        return self.trip.declare_date

    @property
    def eta(self) -> dt.date:
        """The day the batch reaches its seller cluster."""
        return self.trip.eta

    @property
    def depart(self) -> dt.date:
        """The day the batch leaves its hub."""
        return self.trip.depart

    @property
    def transit_days(self) -> int:
        """Days from leaving the hub to delivery."""
        return self.trip.transit_days

    @property
    def resources(self) -> tuple[Lane, ...]:
        """What the option shares with other batches: its lanes pinned to their departures,
        then its declaration."""
        if self.shared is not None:
            return self.shared
        lanes = self.trip.lanes
        return lanes if self.declaration is None else (*lanes, self.declaration)

    @property
    def allowed(self) -> bool:
        """True when every compliance rule passed."""
        return passed(self.checks)

    @property
    def variable_cny(self) -> float:
        """Objective coefficient of choosing this option (everything but shared vehicles)."""
        return self.landed_variable_cny + self.time_cny + self.co2_cny + self.private_cny

    @property
    def landed_variable_cny(self) -> float:
        """Landed cost of this option apart from vehicles."""
        return self.freight_cny + self.clearance_cny + self.tax_cny + self.storage_cny

    @property
    def standalone_cny(self) -> float:
        """Landed cost if the batch travelled alone, buying its own vehicles."""
        return self.landed_variable_cny + self.standalone_vehicle_cny

    @property
    def failed(self) -> tuple[Check, ...]:
        """The checks that rejected this option."""
        return tuple(c for c in self.checks if not c.passed)


def price(batch: Batch, trip: Trip, checks: tuple[Check, ...], objective: Objective,
          tax: TaxTable, rules: Rules) -> Option:
    """Cost one trip for one batch: freight, the declaration (``rules.declaration``, by default
    one per port, day and trade mode at the port's fee), storage while it waits at the hub
    (``rules.waiting``), tax exposure on the declaration day, and the shadow prices of the days
    from ready to delivery, of the value tied up over them, of CO2e and of soft deadlines
    (``rules.lateness_cny_per_parcel_day``: a price per parcel-day late)."""
    route = trip.route
    decl = declaration_lane(rules.declaration, batch, route, trip.declare_date)
    standalone = standalone_vehicle_cny(
        trip.lanes if decl is None else (*trip.lanes, decl), batch.weight_kg, batch.volume_m3)
    co2e_kg = route.co2e_kg_per_kg * batch.weight_kg
    time_cny = trip.days * (objective.cny_per_transit_day
                            + batch.value_cny * objective.holding_cost_pct_per_year / 100 / 365)
    lateness = rules.lateness_cny_per_parcel_day
    if lateness is not None:  # soft deadlines: each parcel's days late, at the price
        time_cny += lateness * sum(max(0, (trip.eta - p.deadline).days)
                                   for p in batch.parcels if p.deadline is not None)
    return Option(
        batch=batch, trip=trip, checks=checks,
        freight_cny=sum(own_freight_cny(lane, batch) for lane in trip.lanes),
        clearance_cny=rules.declaration.per_parcel_fee_cny * len(batch.parcels),
        tax_cny=tax.at(trip.declare_date), co2e_kg=co2e_kg, time_cny=time_cny,
        co2_cny=co2e_kg / 1000 * objective.cny_per_t_co2e, standalone_vehicle_cny=standalone,
        declaration=decl,
        storage_cny=rules.waiting.storage_cny_per_kg_day * batch.weight_kg * trip.hub_days)


def own_freight_cny(lane: Lane, batch: Batch) -> float:
    """What a batch pays on one lane departure whoever else rides: its kg at a per-kg price,
    its parcels on a per-parcel tariff (domestic express), its own bill on a tariff that bills
    each batch as a shipment (``Lane.billed_per_batch``)."""
    cost = lane.cost_per_kg_cny * batch.weight_kg + lane.parcel_charge(
        p.weight_kg for p in batch.parcels)
    if lane.billed_per_batch:
        assert lane.tariff is not None
        cost += bill_cny(lane.tariff, batch.weight_kg, batch.volume_m3)
    return cost


def ready_on(batch: Batch, scenario: Scenario) -> dt.date:
    """The day a batch is available at its hub: its last parcel's ready date, or the planning
    date (``as_of``) when that is later (nothing departs in the past)."""
    return max(batch.ready_date, scenario.as_of)


def build_options(batches: Sequence[Batch], scenario: Scenario, index: RouteIndex,
                  tick: Callable[[], None] | None = None) -> dict[str, tuple[Option, ...]]:
    """Every trip of every candidate route of every batch (the bonded-transit routes rules.yaml
    ``bonded_transit`` offers it), checked against the rules in force on its declaration day and
    priced.

    ``tick`` is called before each batch (the command line's budget check: it raises to stop).
    """
    screener = Screener(scenario.network, scenario.rules, scenario.forced_regime, scenario.as_of)
    waiting = scenario.rules.waiting
    out: dict[str, tuple[Option, ...]] = {}
    found: dict[tuple[str, dt.date], tuple[Trip, ...]] = {}  # trips by (route, ready day)
    for batch in batches:
        if tick is not None:
            tick()
        tax = TaxTable(batch, scenario.rules)
        ready = ready_on(batch, scenario)
        mine = []
        for route in index.routes(batch.origin, batch.destination):
            if not scenario.rules.offers(batch, route):
                continue
            key = (route.route_id, ready)
            if key not in found:
                found[key] = trips(route, ready, waiting)
            mine.extend(found[key])
        out[batch.batch_id] = tuple(
            price(batch, trip, screener.check(batch, trip), scenario.objective, tax,
                  scenario.rules) for trip in mine)
    return out
