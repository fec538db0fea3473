"""The checker's own arithmetic: tax, vehicles, and what a batch costs on a trip.

Written from the README's definitions, not from the planner's code (which this package may not
import): tax with its own month arithmetic, vehicles with their own rounding, costs summed lane
by lane over the trip's departures (the dates of a trip are ``verify.trips``'s, the prices of a
departure on a lane with a rate card ``verify.tariffs``'s). Where the planner's figures agree
with these, two independent computations agree.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.domain import (
    Batch,
    DeclarationRule,
    DisposalRule,
    Lane,
    Node,
    Parcel,
    Route,
    Scenario,
    Trip,
)
from optimizer.verify.problems import EPS
from optimizer.verify.tariffs import bill_cny, by_vehicle, own_bill_cny, tariff_of


def months_later(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def cbec_relieved(parcel: Parcel, declared: dt.date, scenario: Scenario) -> bool:
    """Whether the parcel keeps the 6-month CBEC relief when declared on ``declared``: exported
    in a relief period, its goods class and trade mode covered, within ``relief_months`` of
    the export (for the trade modes of ``relief_from_area_exit``, of the day it left the
    special area, when the returns give it)."""
    rules = scenario.rules
    goods = rules.goods_classes[parcel.goods_class]
    covered = any(period.start <= parcel.export_date <= period.end
                  for period in rules.relief_periods)
    clock = parcel.export_date
    if parcel.trade_mode in rules.relief_from_area_exit and parcel.left_area_date is not None:
        clock = parcel.left_area_date
    return (covered and goods.tax_relief and parcel.trade_mode in rules.relief_trade_modes
            and declared <= months_later(clock, rules.relief_months))


def quality_relieved(parcel: Parcel, declared: dt.date, scenario: Scenario) -> bool:
    """Whether the parcel comes back tax-free as a quality or specification return: its reason
    is one of ``quality_return_reasons`` and it is declared within ``quality_return_months``
    of the export."""
    rules = scenario.rules
    return (parcel.return_reason in rules.quality_return_reasons
            and rules.quality_return_months > 0
            and declared <= months_later(parcel.export_date, rules.quality_return_months))


def relieved(parcel: Parcel, declared: dt.date, scenario: Scenario) -> bool:
    """Whether the parcel comes back free of duty and VAT when declared on ``declared``."""
    return (cbec_relieved(parcel, declared, scenario)
            or quality_relieved(parcel, declared, scenario))


def full_tax(parcel: Parcel, scenario: Scenario) -> float:
    """Duty on the value, and VAT on value plus duty."""
    rules = scenario.rules
    duty = parcel.value_cny * rules.goods_classes[parcel.goods_class].duty_rate
    return duty + (parcel.value_cny + duty) * rules.vat_rate


def tax(parcel: Parcel, declared: dt.date, scenario: Scenario) -> float:
    """Duty and VAT due on the parcel's return, nil when it keeps the relief."""
    return 0.0 if relieved(parcel, declared, scenario) else full_tax(parcel, scenario)


def parcel_charge(lane: Lane, parcels: Sequence[Parcel]) -> float:
    """What ``parcels`` pay on a lane priced per parcel (domestic express, rules.yaml
    ``domestic_express``): each its first kg, and every further kg it begins at the extra-kg
    price (a parcel of 1 kg or less pays the first kg alone); 0 on a lane without the tariff."""
    first, extra = lane.parcel_first_kg_cny, lane.parcel_extra_kg_cny
    if first <= 0:
        return 0.0
    total = 0.0
    for p in parcels:
        begun = math.ceil(p.weight_kg - 1.0 - 1e-9)  # further kg begun beyond the first
        total += first + extra * max(0, begun)
    return total


def express_charge(lanes: Sequence[Lane], batch: Batch) -> float:
    """What the batch's parcels pay on the per-parcel lanes among ``lanes``."""
    return sum((parcel_charge(lane, batch.parcels) for lane in lanes), 0.0)


def days_late(batch: Batch, eta: dt.date) -> int:
    """Parcel-days late: over the batch's parcels that have a deadline, the days ``eta`` is
    after it (0 for a parcel on time)."""
    return sum(max(0, (eta - p.deadline).days) for p in batch.parcels if p.deadline is not None)


def lateness_cny(batch: Batch, eta: dt.date, scenario: Scenario) -> float:
    """The objective's price of arriving late under soft deadlines (rules.yaml
    ``lateness_cny_per_parcel_day`` per parcel-day late; nil when deadlines are hard)."""
    price = scenario.rules.lateness_cny_per_parcel_day
    return 0.0 if price is None else price * days_late(batch, eta)


def disposal_allowed(batch: Batch, rule: DisposalRule) -> bool:
    """Whether rules.yaml ``disposal`` lets this batch be disposed of abroad: allowed at all,
    and neither its goods class nor its seller cluster is one that must come back."""
    return (rule.allowed and batch.goods_class not in rule.forbid_goods_classes
            and batch.destination not in rule.forbid_sellers)


def disposal_cost(batch: Batch, rule: DisposalRule) -> float:
    """What disposing of the batch abroad costs: the fee for its kg plus the share of its value
    a return would recover and a liquidation does not."""
    lost_pct = rule.return_recovery_pct - rule.liquidation_recovery_pct
    return rule.fee_cny_per_kg * batch.weight_kg + batch.value_cny * lost_pct / 100


def disposal_why(batch: Batch, rule: DisposalRule, cost: float,
                 return_cny: float | None) -> str:
    """The sentence a disposed batch gives for its disposal (README "Outputs"): its cost as
    fee x kg + lost recovery of its value, then what returning it alone would cost, or that no
    compliant route brings it back."""
    head = (f"disposal {cost:,.0f} CNY = {rule.fee_cny_per_kg:g} CNY/kg x "
            f"{batch.weight_kg:,.2f} kg + ({rule.return_recovery_pct:g}% - "
            f"{rule.liquidation_recovery_pct:g}%) of value {batch.value_cny:,.0f} CNY")
    if return_cny is None:
        return f"{head}; no compliant return route"
    return (f"{head}; returning it alone would cost {return_cny:,.0f} CNY (its cheapest "
            "compliant route, own vehicles and declaration)")


def iso_week(day: dt.date) -> str:
    """The ISO week ('2025-W27') of a day (a declaration grouped by ``week``)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def space(lane: Lane, kg: float, m3: float) -> float:
    """How many vehicles' worth a load is on ``lane``: by weight or volume, whichever binds."""
    return max(kg / lane.vehicle_capacity_kg, m3 / lane.vehicle_capacity_m3)


def needed(lane: Lane, kg: float, m3: float) -> int:
    """The fewest whole vehicles of ``lane`` that hold a load (0 for nothing)."""
    if kg <= EPS and m3 <= EPS:
        return 0
    return max(1, math.ceil(space(lane, kg, m3) - EPS))


def departure_cny(lane: Lane, kg: float, m3: float) -> float:
    """What a departure's load costs beyond per-kg freight: its vehicles, or its rate-card bill
    (nothing for a lane paid per kg or billed per batch)."""
    if by_vehicle(lane):
        return needed(lane, kg, m3) * lane.cost_per_vehicle_cny
    price = tariff_of(lane)
    return 0.0 if price is None else bill_cny(price, kg, m3)


def departure_limit(lane: Lane) -> tuple[float, float] | None:
    """The kg and m3 a per-kg (or tariffed) lane may carry on one departure (None: no limit, or
    bought per vehicle)."""
    if by_vehicle(lane) or lane.max_vehicles is None:
        return None
    n = lane.max_vehicles
    return n * lane.vehicle_capacity_kg, n * lane.vehicle_capacity_m3


def lane_takes(lane: Lane, kg: float, m3: float) -> bool:
    """Whether one departure's load of ``kg`` and ``m3`` is within the lane's limits."""
    if by_vehicle(lane):
        return lane.max_vehicles is None or needed(lane, kg, m3) <= lane.max_vehicles
    limit = departure_limit(lane)
    return limit is None or (kg <= limit[0] + EPS and m3 <= limit[1] + EPS)


def declaration_fee(rule: DeclarationRule, port: Node) -> float:
    """The fixed fee of one return declaration lodged at ``port``: rules.yaml's
    ``declaration.fee_cny``, or the port's own ``clearance_fee_cny`` when that is null."""
    return rule.fee_cny if rule.fee_cny is not None else port.clearance_fee_cny


def clearance_alone(batch: Batch, fee: float, scenario: Scenario) -> float:
    """What a batch pays to clear when it lodges its own declaration: the whole fixed ``fee``
    and the per-parcel fees of its parcels (a batch alone shares its declaration with none)."""
    return fee + scenario.rules.declaration.per_parcel_fee_cny * len(batch.parcels)


def clearance_share(parcels: int, group_parcels: int, fee: float, scenario: Scenario) -> float:
    """A routed batch's clearance in a plan: the per-parcel fees of its ``parcels`` and its
    share of its declaration's fixed ``fee``, in proportion to its parcels among the
    ``group_parcels`` of the declaration."""
    share = fee * parcels / group_parcels if group_parcels else fee
    return scenario.rules.declaration.per_parcel_fee_cny * parcels + share


@dataclass(frozen=True, slots=True)
class RouteFacts:
    """What a route is, whatever batch takes it and whenever (the checker's own sums over its
    lanes; the days follow from the departures, ``verify.trips``). The prices are lanes.csv's:
    a route with a rate card (``priced``) is priced per departure, on a trip's lanes."""

    cost_per_kg: float
    #: kg CO2e per kg carried
    co2e_per_kg: float
    #: the return port's own clearance fee (``declaration_fee`` decides what is charged)
    clearance_fee: float
    #: the lanes bought by the vehicle
    vehicle_lanes: tuple[Lane, ...]
    #: the return port (where the declaration is lodged)
    port: Node
    #: the lanes priced per parcel (domestic express)
    express_lanes: tuple[Lane, ...] = ()
    #: whether a lane of it has a rate card (its prices depend on the departure)
    priced: bool = False


def route_facts(route: Route) -> RouteFacts:
    """Per-kg cost, emissions, fee and vehicle lanes of a route."""
    lanes = route.lanes
    return RouteFacts(
        cost_per_kg=sum(ln.cost_per_kg_cny for ln in lanes),
        co2e_per_kg=sum(ln.distance_km * ln.co2e_g_per_tkm for ln in lanes) / 1e6,
        clearance_fee=route.port.clearance_fee_cny,
        vehicle_lanes=tuple(ln for ln in lanes if by_vehicle(ln)), port=route.port,
        express_lanes=tuple(ln for ln in lanes if ln.parcel_first_kg_cny > 0),
        priced=any(ln.pricing is not None for ln in lanes))


@dataclass(frozen=True, slots=True)
class Costing:
    """What one batch costs on one trip, by the checker's own arithmetic (CNY).

    ``freight`` is the per-kg freight of every lane (a linear rate line's on its departure)
    plus what its parcels pay on per-parcel (express) lanes and its own bill on departures
    billed per batch; ``storage`` what it pays at its
    hub from the day it is ready to the day it leaves (rules.yaml
    ``waiting.storage_cny_per_kg_day`` a kg and day); ``shadow`` is the
    scenario's price of the days from ready to delivery, of the inventory holding over them, of
    the CO2e and, under soft deadlines, of the parcel-days late (the objective's, not part of
    the landed cost); ``alone_vehicles`` what the batch pays for its own vehicles when it
    travels alone, and for its own shipments on tariffed departures (each billed on its load
    alone), ``clearance`` what it pays to clear on a declaration of its own (the whole
    fixed fee and its per-parcel fees: in a plan it may pay only a share of the fee, see
    ``verify.declarations``); ``fee`` that declaration's fixed fee.
    """

    declared: dt.date
    eta: dt.date
    #: days from leaving the hub to delivery
    transit_days: int
    freight: float
    clearance: float
    tax: float
    alone_vehicles: float
    shadow: float
    co2e_kg: float
    fee: float = 0.0
    storage: float = 0.0

    @property
    def landed_variable(self) -> float:
        """Landed cost apart from vehicles, alone: freight, its own declaration, tax and
        storage."""
        return self.freight + self.clearance + self.tax + self.storage

    @property
    def standalone(self) -> float:
        """Landed cost of the batch alone, buying its own vehicles."""
        return self.landed_variable + self.alone_vehicles

    @property
    def objective_alone(self) -> float:
        """What the batch alone adds to the objective: landed cost and shadow prices."""
        return self.standalone + self.shadow


def alone_vehicles(lanes: Sequence[Lane], kg: float, m3: float) -> float:
    """What a load alone pays for its own vehicles on ``lanes`` bought by the vehicle, and for
    its own shipment on the tariffed departures among them (pinned lanes)."""
    total = 0.0
    for ln in lanes:
        if by_vehicle(ln):
            total += needed(ln, kg, m3) * ln.cost_per_vehicle_cny
        elif (price := tariff_of(ln)) is not None:
            total += bill_cny(price, kg, m3)
    return total


def trip_freight(trip: Trip, facts: RouteFacts, batch: Batch) -> float:
    """The batch's freight on the trip: per kg on every departure, per parcel on express
    lanes, and its own bill on every departure billed per batch."""
    per_kg = sum(ln.cost_per_kg_cny for ln in trip.lanes)
    freight = per_kg * batch.weight_kg + express_charge(facts.express_lanes, batch)
    for ln in trip.lanes:
        if ln.pricing is not None:
            freight += own_bill_cny(ln, batch.weight_kg, batch.volume_m3)
    return freight


def storage_cny(batch: Batch, hub_days: int, scenario: Scenario) -> float:
    """Storage at the hub for ``hub_days`` days (rules.yaml ``waiting``)."""
    return scenario.rules.waiting.storage_cny_per_kg_day * batch.weight_kg * hub_days


def costing(batch: Batch, trip: Trip, facts: RouteFacts, scenario: Scenario,
            tax_due: float) -> Costing:
    """Cost ``batch`` on a trip; ``tax_due`` is its tax on the trip's declaration day."""
    objective = scenario.objective
    emitted = facts.co2e_per_kg * batch.weight_kg
    depart = trip.lanes[0].departure or trip.ready
    days = (trip.eta - trip.ready).days
    shadow = (days * (objective.cny_per_transit_day
                      + batch.value_cny * objective.holding_cost_pct_per_year / 100 / 365)
              + emitted / 1000 * objective.cny_per_t_co2e
              + lateness_cny(batch, trip.eta, scenario))
    fee = declaration_fee(scenario.rules.declaration, facts.port)
    return Costing(
        declared=trip.declare_date, eta=trip.eta, transit_days=(trip.eta - depart).days,
        freight=trip_freight(trip, facts, batch),
        clearance=clearance_alone(batch, fee, scenario), tax=tax_due,
        alone_vehicles=alone_vehicles(trip.lanes, batch.weight_kg, batch.volume_m3),
        shadow=shadow, co2e_kg=emitted, fee=fee,
        storage=storage_cny(batch, (depart - trip.ready).days, scenario))
