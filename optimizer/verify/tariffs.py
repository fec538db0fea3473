"""The checker's own rate card arithmetic: which line prices a departure, at what exchange rate,
and the bill of a load on it.

Written from the definitions of issue 13 (a lane's ``pricing``: its rate lines and the FX series
of their currency), not from ``domain.Tariff``/``Pricing``'s methods or ``planning``, which
this package does not call or import; only the fields of ``RateLine`` and ``Pricing`` (data)
are read.

- A departure on day D is priced by the first line of the lane valid on D (``valid_from`` <= D,
  and D <= ``valid_to`` unless it is open), converted to CNY at the latest rate of the FX series
  dated on or before D (a CNY line without a series: 1 CNY, dated D). A departure with no valid
  line, or no rate yet, does not exist: the schedule skips it (``verify.trips``).
- On the *vehicle* basis each vehicle costs (rate x (1 + surcharge_pct/100) + surcharge per unit
  + fee per shipment) x FX; the lane is bought by the vehicle that day.
- A kg-basis line with one band, no minimum, no fee and no volumetric divisor is *linear*:
  (rate x (1 + surcharge_pct/100) + surcharge per unit) x FX a kg, part of a batch's freight.
- Any other line bills a shipment on its load: chargeable units (kg basis: the larger of kg
  and m3 x 1e6 / divisor; m3; W/M: the larger of tonnes and m3; shipment: 1), all-units breaks
  (the whole shipment at the rate of the band its units fall in) or a higher band billed at its
  break when that is cheaper, the minimum charge on freight, the percent surcharge on freight,
  the per-unit surcharge on the billed units and the fee per shipment. What one shipment is,
  the line says (``RateLine.shipment``): the *departure* (the departure is *tariffed*: every
  batch on it rides one shipment, billed on their consolidated load and shared by the riders in
  proportion to their own chargeable units), or each *batch* (each pays the bill of its own
  load alone, part of its own freight, whoever else rides).

A lane's departures are pinned here (``pin``) with the CNY prices that follow: a vehicle-basis
departure costs its vehicle price per vehicle, a linear one its price per kg, a tariffed one
neither (its bill is the shipment's); a departure the rate card does not price keeps lanes.csv's
figures (the plan is told it does not exist).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass

from optimizer.domain import Lane, Pricing, RateLine

#: a load this small (kg and m3) is no shipment
EMPTY = 1e-9
#: bills within this (relative) of the cheapest are equally cheap: either band may be stated
TIE = 1e-9


def valid(line: RateLine, day: dt.date) -> bool:
    """Whether the line prices a departure on ``day``."""
    return line.valid_from <= day and (line.valid_to is None or day <= line.valid_to)


def line_on(pricing: Pricing, day: dt.date) -> RateLine | None:
    """The line valid for a departure on ``day`` (the first listed; None: none is)."""
    return next((ln for ln in pricing.lines if valid(ln, day)), None)


def fx_on(pricing: Pricing, currency: str, day: dt.date) -> tuple[float, dt.date] | None:
    """CNY per unit of ``currency`` for a departure on ``day``: the latest rate of the series
    dated on or before it, with its date; a CNY line without a series is 1 on ``day``; None when
    there is no rate yet (or no series for a foreign currency)."""
    if not pricing.fx:
        return (1.0, day) if currency == "CNY" else None
    dated = [(d, rate) for d, rate in pricing.fx if d <= day]
    if not dated:
        return None
    d, rate = max(dated, key=lambda dr: dr[0])
    return rate, d


@dataclass(frozen=True, slots=True)
class Price:
    """A rate line priced for one departure: the line valid that day, CNY per unit of its
    currency and the date of that rate."""

    line: RateLine
    fx: float
    fx_date: dt.date

    @property
    def linear(self) -> bool:
        """A plain rate per kg of weight (see the module docstring)."""
        ln = self.line
        return (ln.basis == "kg" and len(ln.breaks) == 1 and ln.min_charge <= 0
                and ln.fee_per_shipment <= 0 and ln.divisor_cm3_per_kg is None)

    @property
    def by_vehicle(self) -> bool:
        """Priced per vehicle."""
        return self.line.basis == "vehicle"

    @property
    def tariffed(self) -> bool:
        """Billed as one shipment on the departure's whole load."""
        return not self.by_vehicle and not self.linear and self.line.shipment != "batch"

    @property
    def per_batch(self) -> bool:
        """Billed per batch, each a shipment of its own load."""
        return not self.by_vehicle and not self.linear and self.line.shipment == "batch"

    @property
    def per_kg_cny(self) -> float:
        """A linear line's price per kg in CNY."""
        ln = self.line
        return (ln.breaks[0][1] * (1 + ln.surcharge_pct / 100) + ln.surcharge_per_unit) * self.fx

    @property
    def vehicle_cny(self) -> float:
        """A vehicle-basis line's price of one vehicle in CNY."""
        ln = self.line
        return (ln.breaks[0][1] * (1 + ln.surcharge_pct / 100) + ln.surcharge_per_unit
                + ln.fee_per_shipment) * self.fx

    @property
    def least_unit_cny(self) -> float:
        """The least a chargeable unit can cost in CNY on a shipment (freight with its percent
        surcharge and the per-unit surcharge, at the cheapest band): every bill is at least this
        times its units. 0 on the shipment basis (one price, however little it carries)."""
        ln = self.line
        if ln.basis in ("shipment", "vehicle"):
            return 0.0
        up = 1 + ln.surcharge_pct / 100
        return max(0.0, min(rate * up + ln.surcharge_per_unit for _, rate in ln.breaks)
                   * self.fx)


@functools.lru_cache(maxsize=1 << 16)
def price_on(pricing: Pricing, day: dt.date) -> Price | None:
    """The price of a departure on ``day`` (None: no valid line, or no exchange rate)."""
    line = line_on(pricing, day)
    if line is None:
        return None
    fx = fx_on(pricing, line.currency, day)
    return None if fx is None else Price(line, fx[0], fx[1])


def why_unpriced(pricing: Pricing, day: dt.date) -> str:
    """Why a rate card prices no departure on ``day``, for people."""
    line = line_on(pricing, day)
    if line is None:
        spans = ", ".join(f"{ln.valid_from}..{ln.valid_to or ''}" for ln in pricing.lines)
        return f"no line is valid that day (valid: {spans})"
    first = min((d for d, _ in pricing.fx), default=None)
    return (f"no {line.currency} exchange rate is dated on or before it"
            + (f" (the first is {first})" if first else " (no FX series)"))


def next_priced(pricing: Pricing, day: dt.date) -> dt.date | None:
    """The first day after ``day`` on which a price may begin (a line becomes valid, or a rate
    is first dated); None: no later day is priced."""
    starts = [ln.valid_from for ln in pricing.lines if ln.valid_from > day]
    if line_on(pricing, day) is not None:
        starts += [d for d, _ in pricing.fx if d > day]
    return min(starts, default=None)


def price_of(lane: Lane) -> Price | None:
    """The price of a pinned lane's departure (None: no rate card, the lane as a service, or a
    day the rate card does not price)."""
    if lane.pricing is None or lane.departure is None:
        return None
    return price_on(lane.pricing, lane.departure)


def by_vehicle(lane: Lane) -> bool:
    """Whether the lane (pinned to a departure) is bought by the vehicle: a vehicle-basis rate
    line that day, else (no rate card, or no price) a CNY price per vehicle in lanes.csv."""
    if lane.pricing is None:
        return lane.cost_per_vehicle_cny > 0
    price = price_of(lane)
    return lane.cost_per_vehicle_cny > 0 if price is None else price.by_vehicle


def tariff_of(lane: Lane) -> Price | None:
    """The price of a tariffed departure (its riders share one bill); None for any other."""
    price = price_of(lane)
    return price if price is not None and price.tariffed else None


def per_batch_of(lane: Lane) -> Price | None:
    """The price of a departure billed per batch (each its own shipment); None for any other."""
    price = price_of(lane)
    return price if price is not None and price.per_batch else None


def own_bill_cny(lane: Lane, kg: float, m3: float) -> float:
    """What a batch of ``kg`` and ``m3`` pays alone on a departure billed per batch (0 on any
    other)."""
    price = per_batch_of(lane)
    return 0.0 if price is None else bill_cny(price, kg, m3)


def pin(lane: Lane, day: dt.date) -> Lane:
    """The lane pinned to its departure on ``day``, with the CNY prices its rate card gives that
    day (see the module docstring)."""
    price = None if lane.pricing is None else price_on(lane.pricing, day)
    if price is None:
        return dataclasses.replace(lane, departure=day)
    return dataclasses.replace(
        lane, departure=day, cost_per_kg_cny=price.per_kg_cny if price.linear else 0.0,
        cost_per_vehicle_cny=price.vehicle_cny if price.by_vehicle else 0.0)


def chargeable(line: RateLine, kg: float, m3: float) -> float:
    """Chargeable units of a load on the line (0 for nothing)."""
    if kg <= EMPTY and m3 <= EMPTY:
        return 0.0
    if line.basis == "kg":
        volumetric = 0.0 if line.divisor_cm3_per_kg is None else (
            m3 * 1e6 / line.divisor_cm3_per_kg)
        return max(kg, volumetric)
    if line.basis == "m3":
        return m3
    if line.basis == "wm":
        return max(kg / 1000.0, m3)
    return 1.0


@dataclass(frozen=True, slots=True)
class Bill:
    """One shipment billed on a line (amounts in its currency, ``total_cny`` in CNY)."""

    units: float
    billed_units: float
    band_from: float
    rate: float
    minimum_applied: bool
    freight: float
    surcharges: float
    fees: float
    total: float
    total_cny: float


def _band_bill(line: RateLine, fx: float, units: float, band: int) -> Bill:
    """The bill of ``units`` at band ``band``, billed at its break when they fall short of it."""
    lo, rate = line.breaks[band]
    billed = max(units, lo)
    freight = max(line.min_charge, rate * billed)
    surcharges = freight * line.surcharge_pct / 100 + line.surcharge_per_unit * billed
    total = freight + surcharges + line.fee_per_shipment
    return Bill(units, billed, lo, rate, line.min_charge > rate * billed, freight, surcharges,
                line.fee_per_shipment, total, total * fx)


def candidate_bills(price: Price, kg: float, m3: float) -> list[Bill]:
    """The cheapest ways to bill a load (one, or several equally cheap bands); empty for no
    load. The vehicle basis bills one vehicle whatever the load (no minimum, no breaks)."""
    line = price.line
    units = chargeable(line, kg, m3)
    if units <= 0:
        return []
    if line.basis == "vehicle":
        rate = line.breaks[0][1]
        sur = rate * line.surcharge_pct / 100 + line.surcharge_per_unit
        total = rate + sur + line.fee_per_shipment
        return [Bill(1.0, 1.0, line.breaks[0][0], rate, False, rate, sur,
                     line.fee_per_shipment, total, total * price.fx)]
    bands = [k for k in range(len(line.breaks))
             if k + 1 == len(line.breaks) or units < line.breaks[k + 1][0]]
    bills = [_band_bill(line, price.fx, units, k) for k in bands]
    best = min(b.total for b in bills)
    return [b for b in bills if b.total <= best + TIE * max(1.0, abs(best))]


def bill(price: Price, kg: float, m3: float) -> Bill | None:
    """The bill of a load (the lowest band of the cheapest; None for no load)."""
    found = candidate_bills(price, kg, m3)
    return found[0] if found else None


def bill_cny(price: Price, kg: float, m3: float) -> float:
    """What a load costs on a tariffed departure in CNY (0 for no load)."""
    found = bill(price, kg, m3)
    return 0.0 if found is None else found.total_cny

