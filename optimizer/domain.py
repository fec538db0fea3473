"""Immutable domain types: the network, the rules, the parcels and batches, a route.

Units are in the field names (``weight_kg``, ``cost_cny``, ``transit_days``) so that a reader never
has to guess them. Types here carry data only (and the arithmetic that follows from their own
fields, such as a route's days); they import nothing of the package. The results of a plan are in
``optimizer.plan``; the stages that compute with these types are in ``optimizer.planning``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

#: ``sea``: port-to-port ocean service; ``bonded_road``: a truck under customs seal from the
#: node where the goods enter China to an inland return port, before clearance (bonded transit)
Mode = Literal["tir_road", "rail", "air", "road", "sea", "bonded_road"]
MODES: tuple[Mode, ...] = ("tir_road", "rail", "air", "road", "sea", "bonded_road")
#: the modes that only ever carry goods before clearance (never domestic delivery)
BONDED_MODES: frozenset[str] = frozenset({"bonded_road"})
NodeKind = Literal[
    "foreign_hub", "border_crossing", "airport", "seaport", "rail_terminal", "clearance_site",
    "seller_cluster"
]
NODE_KINDS: tuple[NodeKind, ...] = (
    "foreign_hub", "border_crossing", "airport", "seaport", "rail_terminal", "clearance_site",
    "seller_cluster"
)
#: node kinds at which customs can take a return declaration
CLEARING_KINDS: frozenset[str] = frozenset(
    {"border_crossing", "airport", "seaport", "rail_terminal", "clearance_site"}
)
#: why a parcel came back (returns column ``return_reason``): unsold (滞销), cancelled or
#: refused orders, after-sales returns, quality or specification defects, other
RETURN_REASONS: tuple[str, ...] = (
    "unsold", "cancelled", "refused", "after_sales", "quality", "specification", "other")
#: what an air service carries (lanes.csv ``aircraft``): belly hold of a passenger flight or a
#: freighter; a standalone lithium battery (UN3480) may fly on a freighter only
Aircraft = Literal["passenger", "cargo"]
Regime = Literal["same_route", "pilot", "nationwide"]
#: the compliance rules a rules.yaml may enable, in their usual order (see optimizer.compliance)
RULE_IDS: tuple[str, ...] = (
    "TRADE_MODE", "RETURN_WINDOW", "DISTRICT", "CBEC_SITE", "GOODS_MODE", "TIR_OPEN", "NODE_MODE",
    "DOMESTIC_MODE", "DEADLINE", "CLOSED", "PLANNER")


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of one compliance rule for one batch on one route."""

    rule: str
    passed: bool
    detail: str


@dataclass(frozen=True, slots=True)
class District:
    """A directly-subordinate customs district; ``pilot_since`` is None when it is not a pilot."""

    id: str
    name: str
    pilot_since: dt.date | None = None
    source: str = ""

    def is_pilot(self, on: dt.date) -> bool:
        """Whether the district takes cross-district 9610 returns under the pilot on ``on``."""
        return self.pilot_since is not None and self.pilot_since <= on


@dataclass(frozen=True, slots=True)
class Node:
    """A place in the network: foreign hub, crossing, airport, terminal, clearance site, sellers."""

    id: str
    name: str
    kind: NodeKind
    country: str
    lat: float
    lon: float
    modes: frozenset[str]
    district: str | None = None
    cbec_return_site: bool = False
    #: trade modes whose returns this site may supervise (empty: every eligible mode)
    return_trade_modes: frozenset[str] = frozenset()
    tir_open: bool = False
    clearance_fee_cny: float = 0.0
    clearance_days: int = 0
    locode: str | None = None
    source: str = ""
    #: the customs office (隶属海关) the node belongs to; None: the node is its own office. The
    #: rule that a return clears "through the original export customs office" compares these.
    customs_office: str | None = None

    @property
    def office(self) -> str:
        """The id of the customs office the node belongs to (its own id by default)."""
        return self.customs_office or self.id

    @property
    def domestic(self) -> bool:
        """True for nodes in China (the customs territory the return enters)."""
        return self.country == "CN"

    @property
    def can_clear(self) -> bool:
        """Whether a return could be declared here at all (kind and country)."""
        return self.domestic and self.kind in CLEARING_KINDS


WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a lane's service leaves its origin: every day, on some weekdays, or on listed dates.

    ``weekdays`` holds ``date.weekday()`` numbers (0 is Monday); ``dates``, when not empty,
    lists the only departures there are (a charter, a one-off train) and ``weekdays`` is unused.
    """

    weekdays: frozenset[int] = frozenset(range(7))
    dates: tuple[dt.date, ...] = ()

    def departs_on(self, day: dt.date) -> bool:
        """Whether the service leaves on ``day``."""
        return day in self.dates if self.dates else day.weekday() in self.weekdays

    def next_on_or_after(self, day: dt.date) -> dt.date | None:
        """The first departure on or after ``day`` (None: the listed dates are all past)."""
        if self.dates:
            return next((d for d in self.dates if d >= day), None)
        if not self.weekdays:
            return None
        for k in range(7):
            if (day + dt.timedelta(days=k)).weekday() in self.weekdays:
                return day + dt.timedelta(days=k)
        return None  # pragma: no cover - some weekday is in every week

    def longest_gap_days(self) -> int:
        """The most days a batch can wait for the next departure (0: daily)."""
        if self.dates:
            return max(((b - a).days - 1 for a, b in itertools.pairwise(self.dates)),
                       default=0)
        days = sorted(self.weekdays)
        if len(days) == 7 or not days:
            return 0
        gaps = [b - a for a, b in itertools.pairwise(days)] + [days[0] + 7 - days[-1]]
        return max(gaps) - 1

    def text(self) -> str:
        """The schedule as lanes.csv writes it: ``daily``, ``Mon,Thu`` or ``2026-04-09;...``."""
        if self.dates:
            return ";".join(d.isoformat() for d in self.dates)
        if len(self.weekdays) == 7:
            return "daily"
        return ",".join(WEEKDAYS[d] for d in sorted(self.weekdays))


#: a service that leaves every day
DAILY = Schedule()


#: what a rate line's price is per: chargeable kg, m3, revenue tonne (W/M: the larger of tonnes
#: and m3), a shipment (one booking on a departure), or a whole vehicle/container
Basis = Literal["kg", "m3", "wm", "shipment", "vehicle"]
BASES: tuple[str, ...] = ("kg", "m3", "wm", "shipment", "vehicle")


@dataclass(frozen=True, slots=True)
class RateLine:
    """One service's price on a lane for a validity period, as a forwarder quotes it, in its own
    currency (``data/rates.csv``, see the README's "Rate cards").

    Freight is ``rate * billed units`` in the band the chargeable units fall in (all-units
    breaks: the whole shipment at that band's rate), or a higher band billed at its break when
    that is cheaper (the usual "pay the next break" rule), and never less than
    ``min_charge``. ``surcharge_pct`` (fuel and the like) is a percent of that freight,
    ``surcharge_per_unit`` (security and the like) is per billed unit, ``fee_per_shipment``
    (documents, handling, consolidation) is per shipment, or per vehicle on the vehicle basis.
    ``shipment`` says what one shipment is: ``departure`` (everything the plan puts on one
    departure of the service: the batches are consolidated into one booking, as on one air
    waybill, a groupage truck or an LCL box), or ``batch`` (each batch is billed alone, as
    domestic delivery to different consignees is).
    """

    lane_id: str
    service: str
    carrier: str
    currency: str
    valid_from: dt.date
    #: the last day the line is valid (None: until further notice)
    valid_to: dt.date | None
    basis: Basis
    #: (from units, rate per unit) ascending, the first from 0; one band on the bases shipment
    #: and vehicle (the price of one shipment, one vehicle)
    breaks: tuple[tuple[float, float], ...]
    min_charge: float = 0.0
    fee_per_shipment: float = 0.0
    surcharge_pct: float = 0.0
    surcharge_per_unit: float = 0.0
    #: volumetric divisor on the kg basis (cm3 per kg: 6000 air, 3000 road = 333 kg/m3);
    #: None: the weight alone is chargeable
    divisor_cm3_per_kg: float | None = None
    source: str = ""
    shipment: Literal["departure", "batch"] = "departure"

    def valid_on(self, day: dt.date) -> bool:
        """Whether the line prices a departure on ``day``."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def unit(self) -> str:
        """What one chargeable unit is, for people: ``kg``, ``m3``, ``W/M t``, ``shipment``,
        ``vehicle``."""
        return {"wm": "W/M t"}.get(self.basis, self.basis)

    def units(self, kg: float, m3: float) -> float:
        """Chargeable units of a shipment of ``kg`` and ``m3`` (0 for an empty one)."""
        if kg <= 1e-9 and m3 <= 1e-9:
            return 0.0
        if self.basis == "kg":
            vol = 0.0 if self.divisor_cm3_per_kg is None else m3 * 1e6 / self.divisor_cm3_per_kg
            return max(kg, vol)
        if self.basis == "m3":
            return m3
        if self.basis == "wm":
            return max(kg / 1000.0, m3)
        return 1.0


@dataclass(frozen=True, slots=True)
class Charge:
    """How one shipment on a tariff is billed: the line applied, in its currency and in CNY."""

    units: float
    billed_units: float
    band_from: float
    rate: float
    freight: float
    minimum_applied: bool
    surcharges: float
    fees: float
    total: float
    fx_cny: float
    total_cny: float


@dataclass(frozen=True, slots=True)
class Tariff:
    """A rate line priced for one departure: the line and the CNY it converts at on that day
    (``fx_date``: the date of the rate used, the latest on or before the departure)."""

    line: RateLine
    fx_cny: float
    fx_date: dt.date

    @property
    def linear(self) -> bool:
        """True when the price is a plain rate per kg of weight (one band, no minimum, no fee,
        no volumetric weight): a batch's freight then does not depend on who else rides."""
        ln = self.line
        return (ln.basis == "kg" and len(ln.breaks) == 1 and ln.min_charge <= 0
                and ln.fee_per_shipment <= 0 and ln.divisor_cm3_per_kg is None)

    def bands(self) -> tuple[tuple[float, float | None, float, float, float], ...]:
        """Per band, in CNY: (from units, to units or None, freight per billed unit with its
        percent surcharge, per-unit surcharge, minimum freight with its percent surcharge).
        A band's bill is ``max(freight rate * B, minimum) + per-unit surcharge * B`` for
        billed units B (the model's terms; ``charge`` is the same arithmetic for people)."""
        ln, fx = self.line, self.fx_cny
        up = 1 + ln.surcharge_pct / 100
        out = []
        for k, (lo, rate) in enumerate(ln.breaks):
            hi = ln.breaks[k + 1][0] if k + 1 < len(ln.breaks) else None
            out.append((lo, hi, rate * up * fx, ln.surcharge_per_unit * fx,
                        ln.min_charge * up * fx))
        return tuple(out)

    @property
    def fixed_cny(self) -> float:
        """Fees per shipment in CNY."""
        return self.line.fee_per_shipment * self.fx_cny

    def charge(self, kg: float, m3: float) -> Charge | None:
        """The bill of a shipment of ``kg`` and ``m3`` (None when it is empty): the cheapest of
        the band its chargeable units fall in and every higher band billed at its break."""
        ln = self.line
        units = ln.units(kg, m3)
        if units <= 0:
            return None
        if ln.basis in ("shipment", "vehicle"):
            rate = ln.breaks[0][1]
            sur = rate * ln.surcharge_pct / 100 + ln.surcharge_per_unit
            total = rate + sur + ln.fee_per_shipment
            return Charge(1.0, 1.0, 0.0, rate, rate, False, sur, ln.fee_per_shipment, total,
                          self.fx_cny, total * self.fx_cny)
        best: Charge | None = None
        for k, (lo, rate) in enumerate(ln.breaks):
            nxt = ln.breaks[k + 1][0] if k + 1 < len(ln.breaks) else None
            if nxt is not None and units >= nxt:
                continue  # a lower band than the one the units fall in
            billed = max(units, lo)
            freight = max(ln.min_charge, rate * billed)
            sur = freight * ln.surcharge_pct / 100 + ln.surcharge_per_unit * billed
            total = freight + sur + ln.fee_per_shipment
            if best is None or total < best.total - 1e-12:
                best = Charge(units, billed, lo, rate, freight, freight > rate * billed, sur,
                              ln.fee_per_shipment, total, self.fx_cny, total * self.fx_cny)
        return best

    def cost_cny(self, kg: float, m3: float) -> float:
        """What a shipment of ``kg`` and ``m3`` costs in CNY (0 when empty)."""
        bill = self.charge(kg, m3)
        return 0.0 if bill is None else bill.total_cny

    def text(self, kg: float | None = None, m3: float | None = None) -> str:
        """The line for people: service, carrier, price, and with a load the bill applied."""
        ln = self.line
        bands = " / ".join(f"{'+' + format(lo, 'g') + ' ' if len(ln.breaks) > 1 else ''}"
                           f"{rate:g}" for lo, rate in ln.breaks)
        parts = [f"{ln.service} ({ln.carrier})" if ln.carrier else ln.service,
                 f"{bands} {ln.currency}/{ln.unit}"]
        if ln.min_charge:
            parts.append(f"min {ln.min_charge:g}")
        if ln.surcharge_pct:
            parts.append(f"+{ln.surcharge_pct:g}% surcharge")
        if ln.surcharge_per_unit:
            parts.append(f"+{ln.surcharge_per_unit:g}/{ln.unit}")
        if ln.fee_per_shipment:
            parts.append(f"+{ln.fee_per_shipment:g}/shipment")
        if ln.divisor_cm3_per_kg:
            parts.append(f"volumetric /{ln.divisor_cm3_per_kg:g}")
        if ln.currency != "CNY":
            parts.append(f"FX {self.fx_cny:g} CNY/{ln.currency} ({self.fx_date.isoformat()})")
        bill = None if kg is None else self.charge(kg, m3 or 0.0)
        if bill is not None and ln.basis not in ("shipment", "vehicle"):
            how = "minimum" if bill.minimum_applied else (
                f"{bill.billed_units:,.1f} {ln.unit} at the +{bill.band_from:g} break"
                if bill.billed_units > bill.units + 1e-9 else
                f"{bill.units:,.1f} {ln.unit} x {bill.rate:g}")
            parts.append(f"billed {how}: {bill.total:,.2f} {ln.currency} = "
                         f"{bill.total_cny:,.2f} CNY")
        return "; ".join(parts)


@dataclass(frozen=True, slots=True, eq=False)
class Pricing:
    """A lane's rate lines and the exchange rates of their currency (compared by identity:
    one object per lane, built when the network is read)."""

    lines: tuple[RateLine, ...]
    #: (date, CNY per unit of the lines' currency), ascending; empty for CNY
    fx: tuple[tuple[dt.date, float], ...] = ()

    def line_on(self, day: dt.date) -> RateLine | None:
        """The line valid for a departure on ``day`` (None: no price that day)."""
        return next((ln for ln in self.lines if ln.valid_on(day)), None)

    def fx_on(self, day: dt.date) -> tuple[float, dt.date] | None:
        """CNY per unit on ``day``: the latest rate on or before it (None: none yet)."""
        if not self.fx:
            return 1.0, day
        i = bisect.bisect_right(self.fx, (day, math.inf))
        return None if i == 0 else (self.fx[i - 1][1], self.fx[i - 1][0])

    def tariff_on(self, day: dt.date) -> Tariff | None:
        """The tariff of a departure on ``day`` (None: no valid line, or no exchange rate)."""
        line = self.line_on(day)
        fx = None if line is None else self.fx_on(day)
        return None if line is None or fx is None else Tariff(line, fx[0], fx[1])


@dataclass(frozen=True, slots=True)
class Lane:
    """A transport service between two nodes, optionally entering China ``via`` a crossing.

    A lane with ``cost_per_vehicle_cny > 0`` is bought by the vehicle (truck, container): batches
    on it share whole vehicles. Otherwise it is bought by the kg (air, groupage, LTL) and
    ``max_vehicles * vehicle_capacity_kg`` bounds the kg one departure may ship on it.

    The service leaves on its ``schedule``; goods must be at the origin ``cutoff_days`` before a
    departure and arrive ``transit_days`` after it. Vehicles are bought for one departure: the
    planner works on copies of the lane pinned to a departure (``departure``, see
    ``planning.schedules``), and ``max_vehicles`` limits one departure.
    """

    lane_id: str
    origin: str
    destination: str
    mode: Mode
    cost_per_kg_cny: float
    cost_per_vehicle_cny: float
    vehicle_capacity_kg: float
    vehicle_capacity_m3: float
    max_vehicles: int | None
    transit_days: int
    distance_km: float
    co2e_g_per_tkm: float
    via: str | None = None
    source: str = ""
    #: a fixed period for a resource that is not bought per departure week: a return
    #: declaration (``planning.declarations``) is one per day; None for a transport lane
    period: str | None = None
    #: when the service leaves (``DAILY`` when the data gives no schedule)
    schedule: Schedule = DAILY
    #: days before a departure the goods must be at the origin
    cutoff_days: int = 0
    #: the one departure this copy of the lane stands for (None: the lane as a service)
    departure: dt.date | None = None
    #: domestic express (``inputs.express``): each parcel pays ``parcel_first_kg_cny`` for its
    #: first kg and ``parcel_extra_kg_cny`` for every further kg begun; 0 for other lanes
    parcel_first_kg_cny: float = 0.0
    parcel_extra_kg_cny: float = 0.0
    #: the lane's rate card (``data/rates.csv``): its price per departure (None: the cost columns
    #: of lanes.csv, in CNY)
    pricing: Pricing | None = None
    #: the tariff of this departure (pinned copies of a lane with ``pricing``; a plain per-kg
    #: or per-vehicle tariff is also written into the CNY cost fields)
    tariff: Tariff | None = None
    #: air services: ``passenger`` (belly hold) or ``cargo`` (freighter); None on other modes
    aircraft: Aircraft | None = None
    #: air services: whether the service takes declared dangerous goods (UN3480 batteries,
    #: flammable liquids); other modes do not restrict them here
    dg_accepted: bool = False

    @property
    def arrival(self) -> dt.date | None:
        """When this departure arrives (None for the lane as a service)."""
        return None if self.departure is None else self.departure + dt.timedelta(
            days=self.transit_days)

    def parcel_charge(self, weights_kg: Iterable[float]) -> float:
        """What parcels of these weights pay on the lane's per-parcel tariff (0 without one)."""
        if self.parcel_first_kg_cny <= 0:
            return 0.0
        return sum(self.parcel_first_kg_cny + self.parcel_extra_kg_cny
                   * max(0, math.ceil(w - 1e-9) - 1) for w in weights_kg)

    @property
    def per_vehicle(self) -> bool:
        """True when the lane is paid per vehicle and its vehicles are shared by batches (a
        CNY price per vehicle, or a rate card priced per vehicle/container)."""
        return self.cost_per_vehicle_cny > 0 or (
            self.pricing is not None and self.pricing.lines[0].basis == "vehicle")

    @property
    def tariffed(self) -> bool:
        """True when the departure is billed as one shipment on a tariff whose price depends on
        everything it carries (breaks, a minimum, fees, volumetric weight): the batches on it
        share one bill (``Tariff.cost_cny`` of their consolidated load)."""
        return self.tariff is not None and self.tariff.line.basis != "vehicle" \
            and not self.tariff.linear and self.tariff.line.shipment == "departure"

    @property
    def billed_per_batch(self) -> bool:
        """True when each batch on the departure is its own shipment on a tariff that is not a
        plain rate per kg: its bill depends on its own load only (part of its freight)."""
        return self.tariff is not None and self.tariff.line.basis != "vehicle" \
            and not self.tariff.linear and self.tariff.line.shipment == "batch"

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every node the lane touches, in order (origin, via, destination)."""
        return (self.origin, self.via, self.destination) if self.via else (
            self.origin, self.destination)


@dataclass(frozen=True, slots=True)
class Route:
    """A path of lanes with its return port; ``lanes[port_index].destination`` is the port.

    Everything that depends only on the route (days, per-kg cost, CO2e, modes) is computed once
    here: a route is reused by every batch of its (hub, seller cluster) pair.
    """

    lanes: tuple[Lane, ...]
    port_index: int
    port: Node
    entry: Node
    route_id: str = field(init=False)
    days_to_declaration: int = field(init=False)
    transit_days: int = field(init=False)
    cost_per_kg_cny: float = field(init=False)
    co2e_kg_per_kg: float = field(init=False)
    #: every mode the route uses
    modes: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        bonded = self.lanes[: self.port_index + 1]
        domestic = self.lanes[self.port_index + 1:]
        to_port = sum(lane.transit_days for lane in bonded) + self.port.clearance_days
        values = {
            "route_id": "+".join(lane.lane_id for lane in self.lanes) + "@" + self.port.id,
            "days_to_declaration": to_port,
            "transit_days": to_port + sum(lane.transit_days for lane in domestic),
            "cost_per_kg_cny": sum(lane.cost_per_kg_cny for lane in self.lanes),
            "co2e_kg_per_kg": sum(lane.distance_km * lane.co2e_g_per_tkm
                                  for lane in self.lanes) / 1e6,
            "modes": frozenset(lane.mode for lane in self.lanes),
        }
        for key, value in values.items():
            object.__setattr__(self, key, value)

    @property
    def mode(self) -> str:
        """The mode of the international leg, the one a planner names the route by."""
        return self.lanes[0].mode

    @property
    def bonded(self) -> bool:
        """Whether a leg of the route is bonded transit (a truck under customs seal)."""
        return any(lane.mode in BONDED_MODES for lane in self.lanes)

    @property
    def domestic_lanes(self) -> tuple[Lane, ...]:
        """Lanes travelled after clearance, as domestic goods."""
        return self.lanes[self.port_index + 1:]

    def declare_date(self, depart: dt.date) -> dt.date:
        """The date the return declaration is cleared for a batch leaving on ``depart``."""
        return depart + dt.timedelta(days=self.days_to_declaration)

    def eta(self, depart: dt.date) -> dt.date:
        """The delivery date at the seller cluster for a batch leaving on ``depart``."""
        return depart + dt.timedelta(days=self.transit_days)


@dataclass(frozen=True, slots=True)
class Trip:
    """A route ridden on dated departures: ``lanes`` are the route's lanes, each pinned to the
    departure the batch takes (``Lane.departure``), in order.

    ``ready`` is the day the batch is available at its hub (the planning date at the earliest);
    ``earliest`` the first departure its first lane could take from there, so the days between
    it and the departure taken are the days the batch waits by choice. Every later leg takes the
    first departure after the previous leg arrives (after clearance, for the first domestic leg)
    and its cut-off, so every date follows from the schedules (``planning.schedules``).
    """

    route: Route
    ready: dt.date
    earliest: dt.date
    lanes: tuple[Lane, ...]
    declare_date: dt.date
    eta: dt.date
    #: the route id and the first departure: unique among a batch's options
    trip_id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "trip_id", f"{self.route.route_id}/{self.depart:%Y%m%d}")

    @property
    def depart(self) -> dt.date:
        """The day the batch leaves its hub."""
        return self.lanes[0].departure or self.ready

    @property
    def wait_days(self) -> int:
        """Days the batch waits by choice for a later departure than the first it could take."""
        return (self.depart - self.earliest).days

    @property
    def hub_days(self) -> int:
        """Days from ready at the hub to leaving it (the schedule's wait and the chosen one)."""
        return (self.depart - self.ready).days

    @property
    def days(self) -> int:
        """Days from ready at the hub to delivery at the seller cluster."""
        return (self.eta - self.ready).days

    @property
    def transit_days(self) -> int:
        """Days from leaving the hub to delivery (connections and clearance included)."""
        return (self.eta - self.depart).days


def entry_node(path: tuple[Lane, ...], nodes: Mapping[str, Node]) -> Node | None:
    """The first node in China a lane path reaches (a lane's ``via`` counts)."""
    for lane in path:
        for node_id in lane.nodes[1:]:
            if nodes[node_id].domestic:
                return nodes[node_id]
    return None


@dataclass(frozen=True, slots=True)
class Parcel:
    """One returned parcel, as read from the returns CSV (extra columns kept in ``extra``)."""

    parcel_id: str
    origin: str
    destination: str
    weight_kg: float
    volume_m3: float
    value_cny: float
    trade_mode: str
    export_date: dt.date
    export_port: str
    goods_class: str
    ready_date: dt.date
    deadline: dt.date | None = None
    row: int = 0
    extra: tuple[tuple[str, str], ...] = ()
    #: why it came back (``RETURN_REASONS``; None: not given). A quality or specification
    #: return may come back free of duty and VAT within a year (rules.yaml ``tax``).
    return_reason: str | None = None
    #: 1210 goods: the day they left the special customs area (the relief clock's start)
    left_area_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    """A consolidated group of parcels that travels unsplit along one route."""

    batch_id: str
    origin: str
    destination: str
    goods_class: str
    trade_mode: str
    export_district: str
    export_port: str
    #: the first ready date of the consolidation window (part of the batch id)
    window_start: dt.date
    #: the day its last parcel is ready at the hub (it leaves on a departure after it)
    ready_date: dt.date
    #: the ISO week of ``ready_date`` (neighbourhoods of the large-model search)
    period: str
    parcels: tuple[Parcel, ...]
    weight_kg: float
    volume_m3: float
    value_cny: float
    #: the oldest export release in the batch: it sets the legal return window
    earliest_export: dt.date
    deadline: dt.date | None = None
    #: the customs office of its export declarations (``Node.office`` of the export port):
    #: batches are split by it when a return must come back through it (rules.yaml
    #: ``same_route_scope: office``)
    export_office: str = ""


@dataclass(frozen=True, slots=True)
class Closure:
    """A node or lane out of service, for ever or from ``start`` to ``end`` (inclusive)."""

    kind: Literal["node", "lane"]
    id: str
    start: dt.date | None = None
    end: dt.date | None = None

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        """Whether the closure covers any day from ``first`` to ``last``."""
        return (self.start is None or self.start <= last) and (self.end is None
                                                               or first <= self.end)

    def describe(self) -> str:
        """'KHORGOS closed 2025-07-01..2025-07-14' (or 'closed' for good)."""
        if self.start is None and self.end is None:
            return f"{self.id} closed"
        return f"{self.id} closed {self.start or '...'}..{self.end or '...'}"


@dataclass(frozen=True, slots=True)
class BatchRule:
    """A planner's decision for the batches it matches: force or forbid ports and modes."""

    match: tuple[tuple[str, str], ...]
    force_port: str | None = None
    forbid_ports: frozenset[str] = frozenset()
    force_mode: str | None = None
    forbid_modes: frozenset[str] = frozenset()

    def matches(self, batch: Batch) -> bool:
        """True when every key of ``match`` equals the batch's."""
        return all(getattr(batch, key) == value for key, value in self.match)


@dataclass(frozen=True, slots=True)
class Network:
    """The districts, nodes and lanes of one scenario (after overrides), and its closures."""

    districts: Mapping[str, District]
    nodes: Mapping[str, Node]
    lanes: Mapping[str, Lane]
    closures: tuple[Closure, ...] = ()


@dataclass(frozen=True, slots=True)
class RegimeRule:
    """The district rule of one period of the policy timeline (see data/rules.yaml)."""

    id: Regime
    start: dt.date
    cross_district_trade_modes: frozenset[str]
    return_district_must_be_pilot: bool = False
    export_district_must_be_pilot: bool = False
    source: str = ""


@dataclass(frozen=True, slots=True)
class GoodsClass:
    """What a goods class may travel by, and how it is taxed when it loses the relief."""

    id: str
    forbidden_modes: frozenset[str]
    tax_relief: bool
    duty_rate: float
    source: str = ""
    #: what an air service must offer to carry it: ``cargo_aircraft``, ``dg_accepted``
    air_needs: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ReliefPeriod:
    """Exports released in [start, end] may come back tax-free within ``relief_months``."""

    start: dt.date
    end: dt.date
    verified: bool = True
    source: str = ""


#: what one return declaration may cover: the fields its batches share (``return_port`` always)
DECLARATION_FIELDS: tuple[str, ...] = (
    "return_port", "date", "week", "trade_mode", "goods_class", "origin", "destination",
    "export_district", "batch")


@dataclass(frozen=True, slots=True)
class DeclarationRule:
    """How return declarations are filed and paid (data/rules.yaml ``declaration``).

    One declaration covers the routed batches that agree on every field of ``group_by``
    (``DECLARATION_FIELDS``: ``date`` is the day it is lodged, ``batch`` makes it one per
    batch); it costs ``fee_cny`` (None: the return port's ``clearance_fee_cny``) once, shared
    by its batches in proportion to their parcels, plus ``per_parcel_fee_cny`` a parcel.
    """

    group_by: tuple[str, ...] = ("return_port", "date", "trade_mode")
    fee_cny: float | None = None
    per_parcel_fee_cny: float = 0.0
    source: str = ""


@dataclass(frozen=True, slots=True)
class ExpressZone:
    """One distance zone of the domestic express tariff: up to ``up_to_km`` of road."""

    up_to_km: float
    first_kg_cny: float
    extra_kg_cny: float
    days: int


@dataclass(frozen=True, slots=True)
class ExpressRule:
    """Domestic parcel express after clearance (data/rules.yaml ``domestic_express``): from
    every node that can clear a return to every seller cluster, priced per parcel by weight and
    distance zone (road km = great-circle km x ``road_factor``)."""

    enabled: bool = False
    road_factor: float = 1.3
    co2e_g_per_tkm: float = 0.0
    zones: tuple[ExpressZone, ...] = ()
    source: str = ""


@dataclass(frozen=True, slots=True)
class DisposalRule:
    """Whether and at what cost a batch may be disposed of (or liquidated) abroad instead of
    returned (data/rules.yaml ``disposal``).

    Disposing of a batch costs ``fee_cny_per_kg`` a kg plus the value it loses against a
    return: ``return_recovery_pct`` of its declared value is what a returned parcel recovers
    for the seller, ``liquidation_recovery_pct`` what selling it off abroad recovers. The
    optimizer compares that with the cost of returning it. Goods classes and seller clusters
    in ``forbid_goods_classes`` / ``forbid_sellers`` must come back (or stay unrouted).
    """

    allowed: bool = False
    fee_cny_per_kg: float = 0.0
    liquidation_recovery_pct: float = 0.0
    return_recovery_pct: float = 0.0
    forbid_goods_classes: frozenset[str] = frozenset()
    forbid_sellers: frozenset[str] = frozenset()
    source: str = ""


@dataclass(frozen=True, slots=True)
class WaitingRule:
    """How long a batch may wait at its hub for a later departure, and what waiting costs
    (data/rules.yaml ``waiting``).

    A batch may take any of the first ``max_departures`` departures of its first lane that leave
    within ``max_days`` of the first one it could take; each such departure is an option of its
    own, so waiting is the solver's decision. Waiting costs ``storage_cny_per_kg_day`` a kg and
    day at the hub (landed cost) and, in the objective, the value tied up (``Objective``).
    """

    max_days: int = 7
    max_departures: int = 3
    storage_cny_per_kg_day: float = 0.0
    source: str = ""


@dataclass(frozen=True, slots=True)
class DocumentRule:
    """A document a batch's paperwork needs when every condition in ``when`` holds."""

    id: str
    name: str
    when: tuple[tuple[str, object], ...] = ()
    source: str = ""


@dataclass(frozen=True, slots=True)
class Rules:
    """Compliance rules and their parameters, read from data (rules.yaml) and scenario overrides."""

    enabled: tuple[str, ...]
    eligible_trade_modes: frozenset[str]
    return_window_days: int
    regimes: tuple[RegimeRule, ...]
    goods_classes: Mapping[str, GoodsClass]
    domestic_modes: frozenset[str]
    vat_rate: float
    relief_months: int
    relief_periods: tuple[ReliefPeriod, ...]
    #: the documents checklist (rule -> document), see data/rules.yaml
    documents: tuple[DocumentRule, ...] = ()
    #: planners' force/forbid decisions from the scenario's overrides
    batch_rules: tuple[BatchRule, ...] = ()
    #: how return declarations are grouped and paid
    declaration: DeclarationRule = field(default_factory=DeclarationRule)
    #: whether and at what cost goods may be disposed of abroad instead of returned
    disposal: DisposalRule = field(default_factory=DisposalRule)
    #: domestic parcel express after clearance
    express: ExpressRule = field(default_factory=ExpressRule)
    #: None: deadlines are hard (DEADLINE rejects a late route); a price: they are soft, a late
    #: route is allowed and costs this much per parcel and day late (in the objective)
    lateness_cny_per_parcel_day: float | None = None
    #: how long batches may wait for a later departure, and what it costs
    waiting: WaitingRule = field(default_factory=WaitingRule)
    #: trade modes returned under the general returned-goods procedure, not the CBEC one
    #: (9710: GAC 2020 No. 44 does not cover it); they never cross districts
    general_return_trade_modes: frozenset[str] = frozenset()
    #: where a return that may not cross districts must clear: ``office`` (the original
    #: export customs office) or ``district`` (anywhere in the export district)
    same_route_scope: str = "office"
    #: CBEC goods under TIR: allowed everywhere TIR is open from ``tir_cbec_from`` (None:
    #: always), before it only into ``tir_cbec_offices``
    tir_cbec_from: dt.date | None = None
    tir_cbec_offices: frozenset[str] = frozenset()
    #: (office, first declaration date) for approvals that start on a known day
    tir_cbec_approved_from: tuple[tuple[str, dt.date], ...] = ()
    tir_cbec_source: str = ""
    #: the trade modes the 6-month relief covers
    relief_trade_modes: frozenset[str] = frozenset()
    #: trade modes whose relief clock starts when the goods left the special area
    relief_from_area_exit: frozenset[str] = frozenset()
    #: return reasons that come back tax-free within ``quality_return_months`` of export
    quality_return_reasons: frozenset[str] = frozenset()
    quality_return_months: int = 0

    #: which bonded-transit routes a batch is offered: ``home`` only those to a return port in
    #: its export district (where a return that may not change district must clear), ``any``
    #: every one (the option set grows with every inland site a crossing reaches under bond)
    bonded_transit: str = "home"

    def offers(self, batch: Batch, route: Route) -> bool:
        """Whether the option set holds ``route`` for ``batch`` (``bonded_transit``)."""
        if self.bonded_transit == "any" or not route.bonded:
            return True
        return route.port.district == batch.export_district

    def procedure(self, trade_mode: str) -> str:
        """``cbec`` (GAC 2020 No. 44), ``general`` (returned goods) or ``none``."""
        if trade_mode in self.eligible_trade_modes:
            return "cbec"
        return "general" if trade_mode in self.general_return_trade_modes else "none"

    def regime_on(self, on: dt.date) -> RegimeRule:
        """The regime in force on ``on``: the last one that started on or before it."""
        current = self.regimes[0]
        for regime in self.regimes:
            if regime.start <= on:
                current = regime
        return current

    def regime(self, regime_id: str) -> RegimeRule:
        """The regime with this id (for a scenario that forces one)."""
        for regime in self.regimes:
            if regime.id == regime_id:
                return regime
        raise KeyError(regime_id)


@dataclass(frozen=True, slots=True)
class Objective:
    """Prices that turn time and emissions into CNY next to the landed cost."""

    cny_per_transit_day: float = 0.0
    cny_per_t_co2e: float = 0.0
    #: inventory carrying cost on the declared value, % a year, charged per transit day
    holding_cost_pct_per_year: float = 0.0


@dataclass(frozen=True, slots=True)
class SolverOptions:
    """How long and how exactly to solve; seed and threads are fixed for determinism.

    Every solver setting lives here (the scenario's ``solver:`` section fills it); nothing is
    read from the environment.
    """

    time_limit_s: float = 30.0
    relative_gap: float = 0.0
    threads: int = 1
    seed: int = 0
    max_legs: int = 4
    #: "strong" (dominance, decomposition, linking, warm start) or "obvious" (for benchmarks)
    formulation: str = "strong"
    #: print SCIP's log to the terminal (scenario ``solver.log``)
    log: bool = False
    #: extra SCIP parameters, one ``name = value`` a line (scenario ``solver.scip_params``;
    #: the benchmark stops at the first solution with ``limits/solutions = 1``)
    scip_params: str = ""


@dataclass(frozen=True, slots=True)
class Commitment:
    """A batch already committed to a trip: departed, within its cut-off, or fixed by a planner.

    A re-plan (``solve --previous``) keeps it as it is: its parcels travel together on the lanes
    ``lanes`` (cleared at ``return_port``) leaving on ``depart_date``; the rest is re-optimised
    around it (its vehicles still run, and other batches may fill them).
    """

    batch_id: str
    parcel_ids: tuple[str, ...]
    lanes: tuple[str, ...]
    return_port: str
    depart_date: dt.date
    #: why it is committed ("departed", "within cut-off", "fixed in the scenario")
    why: str = ""


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything one run needs, fully resolved and validated."""

    name: str
    description: str
    path: Path | None
    as_of: dt.date
    regime: Regime
    regime_forced: bool
    network: Network
    rules: Rules
    parcels: tuple[Parcel, ...]
    window_days: int
    objective: Objective
    solver: SolverOptions
    inputs: Mapping[str, str] = field(default_factory=dict)
    #: batches kept on the trips they are committed to (a re-plan, or fixed in the scenario)
    commitments: tuple[Commitment, ...] = ()

    @property
    def regime_rule(self) -> RegimeRule:
        """The district rule in force on the planning date (forced, or from ``as_of``)."""
        return self.rules.regime(self.regime)

    @property
    def forced_regime(self) -> RegimeRule | None:
        """The regime every return is judged by when the scenario forces one (``policy.regime``,
        the way to ask a what-if of the same goods under another policy); None: each return is
        judged by the regime in force on the day it is declared."""
        return self.rules.regime(self.regime) if self.regime_forced else None
