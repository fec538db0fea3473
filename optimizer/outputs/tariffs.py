"""How the outputs word a departure billed on a rate card: the line applied and its bill.

A departure of a lane priced on a rate card (``VehicleUse.priced``) is billed as one shipment
(``VehicleUse.bill``: everything the plan puts on it), or on the vehicle basis per vehicle. The
outputs show the bill of the whole departure (``Bill``): on the vehicle basis its vehicles'
(``count`` times one vehicle's bill, which is what ``VehicleUse.cost_cny`` is), otherwise the
shipment's. The words are the same everywhere: ``explain``, the terminal summary, the tables'
``tariff`` text and report.html (which builds its ``Bill`` from plan.json, ``outputs.html``).

Amounts in the line's currency carry two decimals, CNY a whole yuan in tables and two decimals
in sentences, units one decimal (kg) or two (m3, W/M revenue tonnes).
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.domain import Tariff
from optimizer.plan import VehicleUse

#: what one chargeable unit of a basis is, for people (``RateLine.unit``)
UNITS = {"kg": "kg", "m3": "m3", "wm": "W/M t", "shipment": "shipment", "vehicle": "vehicle"}


@dataclass(frozen=True, slots=True)
class Bill:
    """The bill of one departure on a rate card, for people (see the module docstring)."""

    service: str
    carrier: str
    currency: str
    #: kg, m3, wm, shipment or vehicle
    basis: str
    #: chargeable and billed units of the departure (vehicles on the vehicle basis)
    units: float
    billed_units: float
    #: the band applied (its "from" units) and its rate per unit, in the line's currency
    band_from: float
    rate: float
    #: how many bands the line has (one: no break to name)
    bands: int
    minimum_applied: bool
    min_charge: float
    #: freight, surcharges, fees and their total, in the line's currency
    freight: float
    surcharges: float
    fees: float
    total: float
    #: CNY per unit of the currency, the date of that rate (ISO), the total in CNY
    fx_cny: float
    fx_date: str
    total_cny: float

    @property
    def unit(self) -> str:
        """What one unit is: kg, m3, W/M t, shipment, vehicle."""
        return UNITS.get(self.basis, self.basis)

    @property
    def per_unit(self) -> bool:
        """True on the bases with weight breaks (kg, m3, W/M)."""
        return self.basis not in ("shipment", "vehicle")

    @property
    def name(self) -> str:
        """'AirStd (XAir)', or the service alone when the line names no carrier."""
        return f"{self.service} ({self.carrier})" if self.carrier else self.service

    def qty(self, value: float) -> str:
        """Units as shown: '110.0 kg', '2.35 m3', '2 vehicles'."""
        if not self.per_unit:
            return f"{value:g} {self.unit}{'' if value == 1 else 's'}"
        return f"{value:,.{1 if self.basis == 'kg' else 2}f} {self.unit}"

    def applied(self) -> str:
        """The band, break or minimum applied, short: '+100 band, 3 USD/kg', 'billed at the
        +45 break, 4 USD/kg', 'minimum 50 USD', '1000 EUR/vehicle'."""
        rate = f"{self.rate:g} {self.currency}/{self.unit}"
        if not self.per_unit:
            return rate
        if self.minimum_applied:
            return f"minimum {self.min_charge:g} {self.currency}"
        if self.billed_units > self.units + 1e-9:
            return f"billed at the +{self.band_from:g} break, {rate}"
        return f"+{self.band_from:g} band, {rate}" if self.bands > 1 else rate

    def fx(self) -> str:
        """'7 CNY/USD (2025-01-01)'; 'CNY' for a line in yuan."""
        return fx_words(self.currency, self.fx_cny, self.fx_date)

    def freight_words(self) -> str:
        """How the freight comes about: chargeable units, billed units, band or minimum."""
        freight = f"{self.freight:,.2f} {self.currency}"
        if not self.per_unit:
            return (f"{self.qty(self.units)} at {self.rate:g} {self.currency}/{self.unit} = "
                    f"freight {freight}")
        chargeable = f"chargeable {self.qty(self.units)}"
        if self.minimum_applied:
            return (f"{chargeable}: the minimum applies, freight {freight} (the rate "
                    f"{self.rate:g} {self.currency}/{self.unit} gives less)")
        where = f" in the +{self.band_from:g} band" if self.bands > 1 else ""
        if self.billed_units > self.units + 1e-9:
            where = f" at the +{self.band_from:g} break (cheaper than the band below)"
        return (f"{chargeable}, billed {self.qty(self.billed_units)}{where} at "
                f"{self.rate:g} {self.currency}/{self.unit} = freight {freight}")

    def money_words(self) -> str:
        """What is added to the freight and what it all comes to: surcharges, fees, the total,
        and in another currency its FX rate with the rate's date and the CNY."""
        c = self.currency
        money = f"total {self.total:,.2f} {c}"
        if c != "CNY":
            money += f" x {self.fx()} = {self.total_cny:,.2f} CNY"
        return f"surcharges {self.surcharges:,.2f} {c}; fees {self.fees:,.2f} {c}; {money}"

    def sentence(self) -> str:
        """The whole bill in one line: freight, surcharges, fees, total, FX and CNY."""
        return f"{self.freight_words()}; {self.money_words()}"


def fx_words(currency: str, fx_cny: float, fx_date: str) -> str:
    """An exchange rate with its date: '7 CNY/USD (2025-01-01)'; 'CNY' for a line in yuan."""
    if currency == "CNY":
        return "CNY"
    return f"{fx_cny:g} CNY/{currency} ({fx_date})"


def fx_text(t: Tariff) -> str:
    """The exchange rate a departure's tariff converts at (``fx_words``)."""
    return fx_words(t.line.currency, t.fx_cny, t.fx_date.isoformat())


def bill_of(v: VehicleUse) -> Bill | None:
    """The bill of a departure (None: priced in lanes.csv, or nothing billed)."""
    t, b = v.priced, v.bill
    if t is None or b is None:
        return None
    ln = t.line
    n = max(v.count, 1) if ln.basis == "vehicle" else 1  # one vehicle's bill, times vehicles
    return Bill(service=ln.service, carrier=ln.carrier, currency=ln.currency, basis=ln.basis,
                units=b.units * n, billed_units=b.billed_units * n, band_from=b.band_from,
                rate=b.rate, bands=len(ln.breaks), minimum_applied=b.minimum_applied,
                min_charge=ln.min_charge, freight=b.freight * n, surcharges=b.surcharges * n,
                fees=b.fees * n, total=b.total * n, fx_cny=b.fx_cny,
                fx_date=t.fx_date.isoformat(), total_cny=b.total_cny * n)


def service_of(v: VehicleUse) -> str:
    """The service of a departure on a rate card and its carrier ("" when priced in
    lanes.csv)."""
    if v.priced is None:
        return ""
    ln = v.priced.line
    return f"{ln.service} ({ln.carrier})" if ln.carrier else ln.service
