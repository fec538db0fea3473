"""Rate cards in the plan: each departure's ``vehicles[].tariff`` and each leg's ``tariff``.

By the checker's own arithmetic (``verify.tariffs``), for a departure of a lane with a rate card
(``Lane.pricing``):

- the departure exists: a line is valid that day and an exchange rate is dated on or before it
  (``unpriced_departure``);
- ``tariff`` names that line, field by field as the rate card has it (service, carrier,
  currency, basis, validity, breaks, minimum, fees, surcharges, divisor, source) and is null on
  a lane priced in lanes.csv (``tariff_line``);
- ``fx_cny`` and ``fx_date`` are the latest rate dated on or before the departure (``tariff_fx``);
- the bill (units, billed units, the break applied, its rate, whether the minimum applied,
  freight, surcharges, fees, total and total in CNY) is that of the departure's routed load, or
  of one vehicle on the vehicle basis, and null on a line that bills each batch alone (each
  leg's cost holds its own bill) (``tariff_bill``). When two bands bill a load equally
  cheaply, either may be stated.

A leg's ``tariff`` is null exactly on a lane without a rate card, and otherwise the text its
departure's entry gives (on a line billing each batch alone, its own bill's text)
(``tariff_line``); the text itself is prose and not checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from optimizer.domain import Lane, RateLine
from optimizer.verify.problems import CENT, Problems, close
from optimizer.verify.routed import Routed
from optimizer.verify.tariffs import (
    Bill,
    Price,
    candidate_bills,
    per_batch_of,
    price_of,
    why_unpriced,
)
from optimizer.verify.trips import ride_key

#: units are written with 6 decimals
UNITS_TOL = 1.0001e-6
#: rates, breaks and exchange rates are written as the data give them
EXACT_TOL = 1e-9


def line_fields(line: RateLine) -> dict[str, Any]:
    """What ``vehicles[].tariff`` must state of the line, as plan.json writes it."""
    return {"service": line.service, "carrier": line.carrier, "currency": line.currency,
            "basis": line.basis, "valid_from": line.valid_from.isoformat(),
            "valid_to": None if line.valid_to is None else line.valid_to.isoformat(),
            "breaks": [[lo, rate] for lo, rate in line.breaks],
            "min_charge": line.min_charge, "fee_per_shipment": line.fee_per_shipment,
            "surcharge_pct": line.surcharge_pct, "surcharge_per_unit": line.surcharge_per_unit,
            "divisor_cm3_per_kg": line.divisor_cm3_per_kg, "source": line.source}


def _span(stated: Mapping[str, Any]) -> str:
    """The validity a stated line claims, for people."""
    return f"{stated['valid_from']}..{stated['valid_to'] or ''}"


def _check_line(stated: Mapping[str, Any], lines: Sequence[RateLine], price: Price, day: Any,
                name: str, out: Problems) -> None:
    """The entry names the line valid on the departure (``day``), every field as the rate card
    has it (``lines``: the lane's)."""
    want = line_fields(price.line)
    wrong = [key for key, value in want.items() if stated[key] != value]
    if not wrong:
        return
    other = next((ln for ln in lines if ln is not price.line and (
        stated["valid_from"], stated["valid_to"]) == (line_fields(ln)["valid_from"],
                                                      line_fields(ln)["valid_to"])), None)
    if other is not None:
        out.add("tariff_line", name, f"vehicles {name}: billed on the line valid "
                f"{_span(stated)}, which does not price a departure on {day}; the line valid "
                f"that day is {price.line.service} valid {_span(want)}")
        return
    out.add("tariff_line", name, f"vehicles {name}: the line stated is not the rate card's line "
            f"valid on {day} ({price.line.service}, valid {_span(want)}): "
            + "; ".join(f"{key} {stated[key]!r} (should be {want[key]!r})" for key in wrong))


def _check_fx(stated: Mapping[str, Any], price: Price, day: Any, name: str,
              out: Problems) -> None:
    """The exchange rate is the latest dated on or before the departure (``day``)."""
    if close(stated["fx_cny"], price.fx, EXACT_TOL * max(1.0, price.fx)) and (
            stated["fx_date"] == price.fx_date.isoformat()):
        return
    out.add("tariff_fx", name, f"vehicles {name}: FX {stated['fx_cny']} CNY/{price.line.currency}"
            f" of {stated['fx_date']}, but the latest rate on or before {day} is "
            f"{price.fx:g} of {price.fx_date}")


#: the figures of a bill, as plan.json names them
BILL_KEYS: tuple[str, ...] = ("units", "billed_units", "band_from", "rate", "minimum_applied",
                              "freight", "surcharges", "fees", "total", "total_cny")


def _bill_fields(b: Bill | None) -> dict[str, tuple[Any, float | None]]:
    """The bill as plan.json states it: field -> (value, tolerance; None: exactly)."""
    if b is None:
        return dict.fromkeys(BILL_KEYS, (None, None))
    money = CENT + EXACT_TOL * abs(b.total_cny)
    return {"units": (b.units, UNITS_TOL + EXACT_TOL * b.units),
            "billed_units": (b.billed_units, UNITS_TOL + EXACT_TOL * b.billed_units),
            "band_from": (b.band_from, EXACT_TOL * max(1.0, abs(b.band_from))),
            "rate": (b.rate, EXACT_TOL * max(1.0, abs(b.rate))),
            "minimum_applied": (b.minimum_applied, None),
            "freight": (b.freight, money), "surcharges": (b.surcharges, money),
            "fees": (b.fees, money), "total": (b.total, money), "total_cny": (b.total_cny, money)}


def _differs(got: Any, want: Any, tol: float | None) -> bool:
    """Whether a stated figure is not ``want`` (within ``tol``; None: exactly, type too)."""
    if want is None or tol is None:
        return got != want or type(got) is not type(want)
    return not close(got, want, tol)


def _check_bill(stated: Mapping[str, Any], price: Price, on: tuple[float, float], what: str,
                name: str, out: Problems) -> None:
    """The bill stated is one of the cheapest bills of the load ``on`` (``what`` it is)."""
    bills: Sequence[Bill | None] = candidate_bills(price, *on) or [None]
    wrongs = [[key for key, (want, tol) in _bill_fields(b).items()
               if _differs(stated[key], want, tol)] for b in bills]
    if any(not wrong for wrong in wrongs):
        return
    fields = _bill_fields(bills[0])
    out.add("tariff_bill", name, f"vehicles {name}: the bill stated is not that of {what}: "
            + "; ".join(f"{key} {stated[key]} (should be {fields[key][0]})"
                        for key in wrongs[0]))


def check_tariff(v: Mapping[str, Any], lane: Lane, load: tuple[float, float], name: str,
                 out: Problems) -> None:
    """A vehicles entry's ``tariff`` (``lane`` pinned to its departure, ``load`` its routed
    kg and m3): see the module docstring."""
    stated = v["tariff"]
    if lane.departure is None:
        return  # not a departure (``vehicle_departure`` says so)
    if lane.pricing is None:
        if stated is not None:
            out.add("tariff_line", name, f"vehicles {name}: billed on a rate card line, but the "
                    "lane is priced in lanes.csv")
        return
    price = price_of(lane)
    if price is None:
        out.add("unpriced_departure", name, f"vehicles {name}: the lane's rate card prices no "
                f"departure on {lane.departure}: {why_unpriced(lane.pricing, lane.departure)}")
        return
    if stated is None:
        out.add("tariff_line", name, f"vehicles {name}: no rate card line stated, but the "
                f"departure is billed on {price.line.service}, valid from "
                f"{price.line.valid_from}")
        return
    _check_line(stated, lane.pricing.lines, price, lane.departure, name, out)
    _check_fx(stated, price, lane.departure, name, out)
    if price.by_vehicle:
        _check_bill(stated, price, (1.0, 0.0), "one vehicle", name, out)
    elif price.per_batch:
        _check_bill(stated, price, (0.0, 0.0), "no shipment (each batch is billed alone, in "
                    "its own freight)", name, out)
    else:
        _check_bill(stated, price, load, f"its load of {load[0]:.3f} kg / {load[1]:.4f} m3",
                    name, out)


def check_leg_tariffs(routed: Sequence[Routed], entries: Mapping[tuple[str, str], Any],
                      out: Problems) -> None:
    """Each leg's ``tariff``: null on a lane without a rate card, else its departure's text
    (``entries``: the vehicles entries by departure)."""
    for r in routed:
        for leg, lane in zip(r.entry.doc["legs"], r.trip.lanes, strict=True):
            stated = leg["tariff"]
            if lane.pricing is None:
                if stated is not None:
                    out.add("tariff_line", r.bid, f"batch {r.bid}: leg {lane.lane_id} names a "
                            "rate card line, but the lane is priced in lanes.csv")
                continue
            entry = entries.get(ride_key(lane))
            want = None if entry is None or entry["tariff"] is None or per_batch_of(
                lane) is not None else entry["tariff"]["text"]
            if stated is None or (want is not None and stated != want):
                out.add("tariff_line", r.bid, f"batch {r.bid}: leg {lane.lane_id} states "
                        f"tariff {stated!r}, but its departure {lane.lane_id}@{lane.departure} "
                        "is billed on its rate card as vehicles[].tariff.text says")
