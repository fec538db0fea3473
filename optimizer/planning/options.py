"""The options of a batch: every candidate route, checked against the rules and priced.

Landed cost = freight (per kg, and per parcel on domestic express) + vehicles + the return
declaration at the port + tax exposure.
Vehicles and declarations are shared between batches, so their cost is decided by the solver;
here an option carries only what it costs on its own (the per-parcel declaration fees), the
shared resources it uses (``resources``: its lanes and its declaration), and a standalone figure
(its own vehicles and declaration) used by the baselines.
The objective may add prices for transit days, inventory holding and CO2e (shadow prices, not
part of the landed cost).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from optimizer.compliance import Screener, passed
from optimizer.domain import Batch, Check, DeclarationRule, Lane, Objective, Route, Scenario
from optimizer.planning.capacity import standalone_vehicle_cny
from optimizer.planning.costs import TaxTable
from optimizer.planning.declarations import declaration_lane
from optimizer.planning.routes import RouteIndex


@dataclass(frozen=True, slots=True)
class Option:
    """One candidate route for one batch, with its checks and its costs."""

    batch: Batch
    route: Route
    checks: tuple[Check, ...]
    declare_date: dt.date
    eta: dt.date
    transit_days: int
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

    @property
    def resources(self) -> tuple[Lane, ...]:
        """What the option shares with other batches: its lanes, then its declaration."""
        lanes = self.route.lanes
        return lanes if self.declaration is None else (*lanes, self.declaration)

    @property
    def allowed(self) -> bool:
        """True when every compliance rule passed."""
        return passed(self.checks)

    @property
    def variable_cny(self) -> float:
        """Objective coefficient of choosing this option (everything but shared vehicles)."""
        return self.freight_cny + self.clearance_cny + self.tax_cny + self.time_cny + self.co2_cny

    @property
    def landed_variable_cny(self) -> float:
        """Landed cost of this option apart from vehicles."""
        return self.freight_cny + self.clearance_cny + self.tax_cny

    @property
    def standalone_cny(self) -> float:
        """Landed cost if the batch travelled alone, buying its own vehicles."""
        return self.landed_variable_cny + self.standalone_vehicle_cny

    @property
    def failed(self) -> tuple[Check, ...]:
        """The checks that rejected this option."""
        return tuple(c for c in self.checks if not c.passed)


def price(batch: Batch, route: Route, checks: tuple[Check, ...], objective: Objective,
          tax: TaxTable, declaration: DeclarationRule | None = None,
          lateness: float | None = None) -> Option:
    """Cost one option for one batch (``declaration``: the rule, default one per port, day and
    trade mode at the port's fee; ``lateness``: the soft deadlines' price per parcel-day late,
    a shadow price in ``time_cny``)."""
    rule = declaration or DeclarationRule()
    declared = batch.depart_date + dt.timedelta(days=route.days_to_declaration)
    days = route.transit_days
    decl = declaration_lane(rule, batch, route, declared)
    standalone = standalone_vehicle_cny(
        route.lanes if decl is None else (*route.lanes, decl), batch.weight_kg, batch.volume_m3)
    co2e_kg = route.co2e_kg_per_kg * batch.weight_kg
    time_cny = days * (objective.cny_per_transit_day
                       + batch.value_cny * objective.holding_cost_pct_per_year / 100 / 365)
    eta = batch.depart_date + dt.timedelta(days=days)
    if lateness is not None:  # soft deadlines: each parcel's days late, at the price
        time_cny += lateness * sum(max(0, (eta - p.deadline).days)
                                   for p in batch.parcels if p.deadline is not None)
    return Option(
        batch=batch, route=route, checks=checks, declare_date=declared,
        eta=eta, transit_days=days,
        freight_cny=route.cost_per_kg_cny * batch.weight_kg + sum(
            lane.parcel_charge(p.weight_kg for p in batch.parcels) for lane in route.lanes),
        clearance_cny=rule.per_parcel_fee_cny * len(batch.parcels), tax_cny=tax.at(declared),
        co2e_kg=co2e_kg, time_cny=time_cny, co2_cny=co2e_kg / 1000 * objective.cny_per_t_co2e,
        standalone_vehicle_cny=standalone, declaration=decl)


def build_options(batches: Sequence[Batch], scenario: Scenario, index: RouteIndex,
                  tick: Callable[[], None] | None = None) -> dict[str, tuple[Option, ...]]:
    """Every candidate route of every batch, checked against the rules in force and priced.

    ``tick`` is called before each batch (the command line's budget check: it raises to stop).
    """
    screener = Screener(scenario.network, scenario.rules, scenario.regime_rule, scenario.as_of)
    out: dict[str, tuple[Option, ...]] = {}
    for batch in batches:
        if tick is not None:
            tick()
        tax = TaxTable(batch, scenario.rules)
        out[batch.batch_id] = tuple(
            price(batch, route, screener.check(batch, route), scenario.objective, tax,
                  scenario.rules.declaration, scenario.rules.lateness_cny_per_parcel_day)
            for route in index.routes(batch.origin, batch.destination))
    return out
