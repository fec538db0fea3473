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

import bisect
import calendar
import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.compliance import Screener, passed
from optimizer.model import Batch, Check, Objective, Parcel, Rules, Scenario
from optimizer.network import Route, RouteIndex


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus calendar months, clamped to the month's last day (Aug 31 + 6 -> Feb 28/29)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parcel_tax_cny(parcel: Parcel, declared: dt.date, rules: Rules) -> float:
    """Duty + import VAT the parcel owes if declared on ``declared`` (0 within the relief)."""
    deadline = relief_deadline(parcel, rules)
    return 0.0 if deadline is not None and declared <= deadline else _full_tax(parcel, rules)


def _full_tax(parcel: Parcel, rules: Rules) -> float:
    """Duty plus import VAT on value plus duty."""
    goods = rules.goods_classes[parcel.goods_class]
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


class TaxTable:
    """A batch's tax exposure as a function of its declaration date, computed once per batch.

    Each parcel either never has the relief (always taxed) or loses it after a deadline; the
    exposure for a date is the always-taxed sum plus the parcels whose deadline has passed.
    """

    def __init__(self, batch: Batch, rules: Rules) -> None:
        always = 0.0
        timed: list[tuple[dt.date, float]] = []
        for p in batch.parcels:
            full = _full_tax(p, rules)
            relieved_until = relief_deadline(p, rules)
            if relieved_until is None:
                always += full
            else:
                timed.append((relieved_until, full))
        timed.sort()
        self._always = always
        self._deadlines = [d for d, _ in timed]
        self._cumulative = list(itertools.accumulate(t for _, t in timed))
        self._memo: dict[dt.date, float] = {}

    def at(self, declared: dt.date) -> float:
        """Duty and VAT owed if the batch is declared on ``declared``."""
        if declared not in self._memo:
            lost = bisect.bisect_left(self._deadlines, declared)
            self._memo[declared] = self._always + (self._cumulative[lost - 1] if lost else 0.0)
        return self._memo[declared]


def relief_deadline(parcel: Parcel, rules: Rules) -> dt.date | None:
    """The last declaration date that keeps the relief, or None when the parcel has none."""
    goods = rules.goods_classes[parcel.goods_class]
    in_period = any(p.start <= parcel.export_date <= p.end for p in rules.relief_periods)
    if goods.tax_relief and in_period and parcel.trade_mode in rules.eligible_trade_modes:
        return add_months(parcel.export_date, rules.relief_months)
    return None


def price(batch: Batch, route: Route, checks: tuple[Check, ...], objective: Objective,
          tax: TaxTable) -> Option:
    """Cost one option for one batch."""
    declared = batch.depart_date + dt.timedelta(days=route.days_to_declaration)
    days = route.transit_days
    standalone = sum(
        vehicles_needed(batch.weight_kg, batch.volume_m3, lane.vehicle_capacity_kg,
                        lane.vehicle_capacity_m3) * lane.cost_per_vehicle_cny
        for lane in route.lanes if lane.per_vehicle)
    co2e_kg = route.co2e_kg_per_kg * batch.weight_kg
    time_cny = days * (objective.cny_per_transit_day
                       + batch.value_cny * objective.holding_cost_pct_per_year / 100 / 365)
    return Option(
        batch=batch, route=route, checks=checks, declare_date=declared,
        eta=batch.depart_date + dt.timedelta(days=days), transit_days=days,
        freight_cny=route.cost_per_kg_cny * batch.weight_kg,
        clearance_cny=route.port.clearance_fee_cny, tax_cny=tax.at(declared), co2e_kg=co2e_kg,
        time_cny=time_cny, co2_cny=co2e_kg / 1000 * objective.cny_per_t_co2e,
        standalone_vehicle_cny=standalone)


def build_options(batches: Sequence[Batch], scenario: Scenario,
                  index: RouteIndex) -> dict[str, tuple[Option, ...]]:
    """Every candidate route of every batch, checked against the rules in force and priced."""
    screener = Screener(scenario.network, scenario.rules, scenario.regime_rule, scenario.as_of)
    out: dict[str, tuple[Option, ...]] = {}
    for batch in batches:
        tax = TaxTable(batch, scenario.rules)
        out[batch.batch_id] = tuple(
            price(batch, route, screener.check(batch, route), scenario.objective, tax)
            for route in index.routes(batch.origin, batch.destination))
    return out
