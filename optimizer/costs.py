"""What each (batch, route) option costs, and the options a batch has.

Landed cost = freight per kg + vehicles + the return declaration at the port + tax exposure.
Vehicles are shared between batches, so their cost is decided by the solver; here an option
carries only what it costs on its own, plus a standalone vehicle figure used by the baselines.
Tax exposure: a parcel whose export falls in a relief period, of a goods class that has the
relief, declared within ``relief_months`` of its export, comes back free of duty and import VAT;
any other parcel pays ``value * (duty + VAT * (1 + duty))`` (VAT is levied on value plus duty).
The objective may add prices for transit days, inventory holding and CO2e (shadow prices, not
part of the landed cost).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass

from optimizer.compliance import check_option, passed
from optimizer.model import Batch, Check, Objective, Parcel, Rules, Scenario
from optimizer.network import Route, RouteIndex


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus calendar months, clamped to the month's last day (Aug 31 + 6 -> Feb 28/29)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parcel_tax_cny(parcel: Parcel, declared: dt.date, rules: Rules) -> float:
    """Duty + import VAT the parcel owes if declared on ``declared`` (0 within the relief)."""
    goods = rules.goods_classes[parcel.goods_class]
    in_period = any(p.start <= parcel.export_date <= p.end for p in rules.relief_periods)
    relieved = (goods.tax_relief and in_period
                and parcel.trade_mode in rules.eligible_trade_modes
                and declared <= add_months(parcel.export_date, rules.relief_months))
    if relieved:
        return 0.0
    return parcel.value_cny * (goods.duty_rate + rules.vat_rate * (1 + goods.duty_rate))


def vehicles_needed(weight_kg: float, volume_m3: float, cap_kg: float, cap_m3: float) -> int:
    """Whole vehicles a load needs on its own, by weight or by volume, whichever binds."""
    return max(1, math.ceil(max(weight_kg / cap_kg, volume_m3 / cap_m3) - 1e-9))


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
    standalone_vehicle_cny: float

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


def price(batch: Batch, route: Route, checks: tuple[Check, ...], rules: Rules,
          objective: Objective) -> Option:
    """Cost one option for one batch."""
    declared = route.declare_date(batch.depart_date)
    days = route.transit_days
    weight_t = batch.weight_kg / 1000.0
    freight = sum(lane.cost_per_kg_cny for lane in route.lanes) * batch.weight_kg
    standalone = sum(
        vehicles_needed(batch.weight_kg, batch.volume_m3, lane.vehicle_capacity_kg,
                        lane.vehicle_capacity_m3) * lane.cost_per_vehicle_cny
        for lane in route.lanes if lane.per_vehicle)
    co2e_kg = sum(weight_t * lane.distance_km * lane.co2e_g_per_tkm for lane in route.lanes) / 1000
    tax = sum(parcel_tax_cny(p, declared, rules) for p in batch.parcels)
    time_cny = days * (objective.cny_per_transit_day
                       + batch.value_cny * objective.holding_cost_pct_per_year / 100 / 365)
    return Option(
        batch=batch, route=route, checks=checks, declare_date=declared,
        eta=route.eta(batch.depart_date), transit_days=days, freight_cny=freight,
        clearance_cny=route.port.clearance_fee_cny, tax_cny=tax, co2e_kg=co2e_kg,
        time_cny=time_cny, co2_cny=co2e_kg / 1000 * objective.cny_per_t_co2e,
        standalone_vehicle_cny=standalone)


def options_for(batch: Batch, scenario: Scenario, index: RouteIndex) -> tuple[Option, ...]:
    """Every candidate route of the batch, checked against the rules in force and priced."""
    regime = scenario.regime_rule
    out = []
    for route in index.routes(batch.origin, batch.destination):
        checks = check_option(batch, route, scenario.network, scenario.rules, regime,
                              scenario.as_of)
        out.append(price(batch, route, checks, scenario.rules, scenario.objective))
    return tuple(out)
