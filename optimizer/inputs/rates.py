"""Rate cards: freight bought the way forwarders sell it (``rates.csv`` or an ``.xlsx`` sheet).

One row is one service's price on one lane for a validity period, in its own currency, shaped
like an IATA/forwarder rate sheet (see the README's "Rate cards and exchange rates")::

    lane_id,service,carrier,currency,valid_from,valid_to,basis,min_charge,fee_per_shipment,
      surcharge_pct,surcharge_per_unit,divisor_cm3_per_kg,+0,+45,+100,+300,source

The ``+N`` columns are weight (or m3, or W/M tonne) breaks: ``+0`` is the normal rate and must
be filled on every row; a blank cell means the row has no such break. On the bases ``shipment``
and ``vehicle`` only ``+0`` is filled: the price of one shipment, one vehicle. The rules (each
with its message): ``basis`` one of ``domain.BASES``; rates > 0; breaks ascending left to right;
amounts >= 0; ``currency`` three capital letters; ``valid_to`` on or after ``valid_from``; a
volumetric divisor on basis kg only; a source on every row; no column the format does not have.

``price_lanes`` then attaches the lines to the lanes (``domain.Pricing``): every lane id must
exist (with a did-you-mean); two lines of one lane may not be valid on the same day (a lane has
one price a day: each carrier's service is its own lane); the lines of one lane share one
currency and are all per vehicle or none; a lane is priced either by its CNY cost columns in
lanes.csv or by rate lines, never both and never neither; and every foreign currency has an
exchange rate on or before the planning date (``inputs.fx``). A scenario's
``overrides.add_rates`` adds lines through the same checks (``override_lines``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from optimizer.domain import BASES, Lane, Pricing, RateLine
from optimizer.errors import Problem
from optimizer.inputs import fx as fx_mod
from optimizer.inputs.files import (
    Collector,
    did_you_mean,
    problem,
    read_table,
    shown,
    unknown_key,
    validation_message,
)
from optimizer.inputs.fx import Currency, FxRate, Source, row_message
from optimizer.inputs.schema import Date, Text, TextId

#: the columns every rate card has, and those it may leave out (blank: 0, or none)
RATE_COLUMNS = ("lane_id", "service", "currency", "valid_from", "basis", "source")
RATE_OPTIONAL = ("carrier", "valid_to", "min_charge", "fee_per_shipment", "surcharge_pct",
                 "surcharge_per_unit", "divisor_cm3_per_kg", "shipment")
#: what one shipment is (``RateLine.shipment``): blank is ``departure``
SHIPMENTS = ("departure", "batch")
#: the normal rate's column (the break from 0 units), required on every row
NORMAL_RATE = "+0"
#: a break column: ``+`` and the units the band starts at
BREAK_COLUMN = re.compile(r"^\+(\d+(?:\.\d+)?)$")
#: every field of one rate line as ``overrides.add_rates`` writes it
RATE_FIELDS = (*RATE_COLUMNS[:3], "carrier", "valid_from", "valid_to", "basis", "breaks",
               *RATE_OPTIONAL[2:], "source")

#: rate lines in one card (a forwarder's full sheet for a network is a few thousand)
MAX_RATE_LINES = 100_000
#: breaks on one line (IATA sheets have 6-8)
MAX_BREAKS = 50
#: a price per unit or an amount in the line's currency: 1 billion (a vehicle across Eurasia
#: is ~15,000 USD); with FX <= ``fx.MAX_CNY_PER_UNIT`` every product stays finite
MAX_AMOUNT = 1_000_000_000
#: a break's units (kg, m3 or W/M t): 10,000 t
MAX_BREAK_UNITS = 10_000_000
#: a percent surcharge (fuel surcharges run 10-40%)
MAX_SURCHARGE_PCT = 1_000
#: a volumetric divisor (cm3 per kg: 6000 air, 3000-5000 road; 1e6 is 1 kg per m3)
MAX_DIVISOR = 1_000_000

Amount = Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
Rate = Annotated[float, Field(gt=0, le=MAX_AMOUNT, allow_inf_nan=False)]
Units = Annotated[float, Field(ge=0, le=MAX_BREAK_UNITS, allow_inf_nan=False)]
_RATE: TypeAdapter[float] = TypeAdapter(Rate)
_UNITS: TypeAdapter[float] = TypeAdapter(Units)


def _shipment(value: str) -> str:
    if value not in SHIPMENTS:
        raise ValueError(f"unknown shipment{did_you_mean(value, SHIPMENTS)}; one of "
                         "departure (the batches on a departure are one shipment) or batch "
                         "(each batch is billed alone)")
    return value


def _basis(value: str) -> str:
    if value not in BASES:
        raise ValueError(f"unknown basis{did_you_mean(value, BASES)}; one of "
                         + ", ".join(BASES))
    return value


class RateLineIn(BaseModel):
    """A rate line's named fields (its breaks are read apart: columns or a mapping)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    lane_id: TextId
    service: Annotated[Text, StringConstraints(min_length=1)]
    carrier: Text = ""
    currency: Currency
    valid_from: Date
    valid_to: Date | None = None
    basis: Annotated[str, AfterValidator(_basis)]
    min_charge: Amount = 0.0
    fee_per_shipment: Amount = 0.0
    surcharge_pct: Annotated[float, Field(ge=0, le=MAX_SURCHARGE_PCT, allow_inf_nan=False)] = 0.0
    surcharge_per_unit: Amount = 0.0
    divisor_cm3_per_kg: Annotated[float, Field(gt=0, le=MAX_DIVISOR,
                                               allow_inf_nan=False)] | None = None
    shipment: Annotated[str, AfterValidator(_shipment)] = "departure"
    source: Source


@dataclass(frozen=True, slots=True)
class PlacedLine:
    """A rate line and where it was written: a file and its line or YAML path."""

    line: RateLine
    file: str
    where: str

    @property
    def label(self) -> str:
        """``data/rates.csv line 4``: the place, for messages about another place."""
        return f"{self.file} {self.where}"

    @property
    def period(self) -> str:
        """``2025-07-01..2025-12-31``, or ``from 2025-07-01`` (until further notice)."""
        ln = self.line
        return f"{ln.valid_from}..{ln.valid_to}" if ln.valid_to else f"from {ln.valid_from}"


#: (field as the user wrote it, message)
Issue = tuple[str, str]


def parse_line(values: Mapping[str, Any], breaks: Sequence[tuple[str, float, Any]],
               normal: str) -> RateLine | list[Issue]:
    """One rate line from its named fields and its breaks, or its problems.

    ``breaks`` holds (field as written, units the band starts at, rate as written) in the
    order written; ``normal`` names the normal rate's field in messages (``+0``, ``breaks``).
    """
    problems: list[Issue] = []
    r: RateLineIn | None = None
    try:
        r = RateLineIn.model_validate(values)
    except ValidationError as err:
        problems += [(".".join(map(str, e["loc"])), row_message(e, RateLineIn))
                     for e in err.errors(include_url=False)]
    bands: list[tuple[str, float, float]] = []
    for name, units, cell in breaks:
        try:
            bands.append((name, units, _RATE.validate_python(cell)))
        except ValidationError as err:
            problems += [(name, "a rate: " + validation_message(e)) for e in err.errors(
                include_url=False)]
    if r is None or problems:
        return problems
    problems += _line_rules(r, bands, normal)
    if problems:
        return problems
    return RateLine(
        lane_id=r.lane_id, service=r.service, carrier=r.carrier, currency=r.currency,
        valid_from=r.valid_from, valid_to=r.valid_to, basis=r.basis,  # type: ignore[arg-type]
        breaks=tuple((units, rate) for _, units, rate in bands), min_charge=r.min_charge,
        fee_per_shipment=r.fee_per_shipment, surcharge_pct=r.surcharge_pct,
        surcharge_per_unit=r.surcharge_per_unit, divisor_cm3_per_kg=r.divisor_cm3_per_kg,
        source=r.source, shipment=r.shipment)  # type: ignore[arg-type]


def _line_rules(r: RateLineIn, bands: Sequence[tuple[str, float, float]],
                normal: str) -> list[Issue]:
    """What is wrong with a line whose fields each have their shape: the rules between them."""
    out: list[Issue] = []
    if not any(units == 0 for _, units, _ in bands):
        out.append((normal, "the normal rate (from 0 units) is required on every line"))
    for (a, ua, _), (b, ub, _) in itertools.pairwise(bands):
        if ub <= ua:
            out.append((b, f"breaks must ascend: {b} comes after {a}"))
    whole = r.basis in ("shipment", "vehicle")
    if whole:
        out += [(name, f"on basis {r.basis} the rate is the price of one {r.basis}: only the "
                 f"normal rate ({normal}) may be filled") for name, units, _ in bands if units]
        if r.min_charge:
            out.append(("min_charge", f"no minimum on basis {r.basis}: the rate is the price "
                        f"of one {r.basis}"))
    if r.shipment == "batch" and r.basis == "vehicle":
        out.append(("shipment", "a vehicle is shared by the batches on it: shipment batch "
                    "does not apply on basis vehicle"))
    if r.divisor_cm3_per_kg is not None and r.basis != "kg":
        out.append(("divisor_cm3_per_kg", f"a volumetric divisor applies on basis kg only "
                    f"(basis {r.basis} counts the volume already or not at all)"))
    if r.valid_to is not None and r.valid_to < r.valid_from:
        out.append(("valid_to", f"ends before it starts ({r.valid_to} < valid_from "
                    f"{r.valid_from})"))
    if len(bands) > MAX_BREAKS:
        out.append((normal, f"{len(bands)} breaks (the limit is {MAX_BREAKS})"))
    return out


# ---- the rate card file ------------------------------------------------------------------------


def _break_columns(header: Sequence[str], col: Collector,
                   where: str) -> list[tuple[str, float]]:
    """The break columns (name, units) in header order; unknown and doubled columns are
    problems (with what is allowed and a did-you-mean)."""
    allowed = [*RATE_COLUMNS, *RATE_OPTIONAL, "+<number>"]
    out: list[tuple[str, float]] = []
    seen: dict[float, str] = {}
    for name in header:
        if name in RATE_COLUMNS or name in RATE_OPTIONAL:
            continue
        match = BREAK_COLUMN.match(name)
        if match is None and re.fullmatch(r"\d+(\.\d+)?", name):
            col.add(where, name, f"unknown column {shown(name)}; did you mean +{name}? (a "
                    "break column is + and the units its band starts at)")
            continue
        if match is None:
            col.add(where, name, unknown_key(name, allowed, "column"))
            continue
        units = float(match.group(1))
        if units > MAX_BREAK_UNITS:
            col.add(where, name, f"a break above {MAX_BREAK_UNITS:,} units (the limit)")
        elif units in seen:
            col.add(where, name, f"the same break as column {seen[units]}")
        else:
            seen[units] = name
            out.append((name, units))
    return out


def load_rate_card(path: Path) -> list[PlacedLine]:
    """Read a rate card (CSV, or an ``.xlsx`` workbook: its sheet ``rates`` or its first
    sheet): one line a row, each with its place; every problem of every row at once. The
    lines are checked against the lanes later (``price_lanes``)."""
    data = read_table(path, (*RATE_COLUMNS, NORMAL_RATE), RATE_OPTIONAL, sheet="rates",
                      max_rows=MAX_RATE_LINES, what="rate lines")
    col = Collector(data.file)
    breaks = _break_columns(data.header, col, data.header_where)
    col.raise_if_any()
    named = [h for h in data.header if h in RATE_COLUMNS or h in RATE_OPTIONAL]
    lines: list[PlacedLine] = []
    for where, row in data.rows:
        got = parse_line({k: row[k] for k in named if row[k] != ""},
                         [(name, units, row[name]) for name, units in breaks if row[name] != ""],
                         NORMAL_RATE)
        if isinstance(got, list):
            for field, msg in got:
                col.add(where, field, msg)
        else:
            lines.append(PlacedLine(got, data.file, where))
        if col.full:
            break
    col.raise_if_any()
    return lines


# ---- overrides.add_rates ----------------------------------------------------------------------


def _mapping_breaks(raw: Any, where: str) -> tuple[list[tuple[str, float, Any]], list[Issue]]:
    """The ``breaks:`` mapping of an added line ({0: 5.2, 45: 4.8}) as (name, units, rate)."""
    if not isinstance(raw, Mapping) or not raw:
        return [], [("breaks", "expected a mapping of break -> rate, the first from 0: "
                     "breaks: {0: 5.2, 45: 4.8}")]
    out, problems = [], []
    for key, rate in raw.items():
        name = f"breaks.{key}"
        text = key.strip().removeprefix("+") if isinstance(key, str) else key
        try:
            if isinstance(key, bool):
                raise ValueError
            units = _UNITS.validate_python(text)
        except (ValidationError, ValueError):
            problems.append((name, f"a break is the units its band starts at: a number from "
                             f"0 to {MAX_BREAK_UNITS:,} (got {shown(key)})"))
            continue
        out.append((name, units, rate))
    return out, problems


def override_lines(rows: Sequence[Any], file: str) -> tuple[list[PlacedLine], list[Problem]]:
    """The rate lines of a scenario's ``overrides.add_rates`` (the fields of rates.csv, the
    breaks as a mapping ``breaks: {0: 5.2, 45: 4.8}``), and their problems."""
    lines: list[PlacedLine] = []
    problems: list[Problem] = []
    for i, row in enumerate(rows):
        where = f"overrides.add_rates[{i}]"
        if not isinstance(row, Mapping):
            problems.append(problem(file, where, "", "expected a mapping: the fields of a "
                                    "rates.csv row, breaks as breaks: {0: 5.2, 45: 4.8}"))
            continue
        values = {str(k): v for k, v in row.items() if k != "breaks"}
        issues = [(k, unknown_key(k, RATE_FIELDS) + (
            f" (breaks go in breaks: {{{k[1:]}: ...}})" if BREAK_COLUMN.match(k) else ""))
            for k in values if k not in RATE_FIELDS]
        for k, _ in issues:
            values.pop(k)
        bands, more = _mapping_breaks(row.get("breaks"), where)
        got = parse_line(values, bands, "breaks")
        issues += more + (got if isinstance(got, list) else [])
        if issues:
            problems += [problem(file, where, f, m) for f, m in issues]
        elif not isinstance(got, list):
            lines.append(PlacedLine(got, file, where))
    return lines, problems


# ---- attaching lines to lanes --------------------------------------------------------------


def price_lanes(lanes: Mapping[str, Lane], places: Mapping[str, tuple[str, str]],
                lines: Sequence[PlacedLine], fx: Mapping[tuple[str, dt.date], FxRate],
                as_of: dt.date, fx_file: str, skip: Iterable[str] = ()) -> tuple[
        dict[str, Lane], list[Problem]]:
    """The lanes with their rate lines attached (``Lane.pricing``), and every problem.

    ``places`` gives (file, where) of each lane that must have a price (lanes.csv rows and
    added lanes): exactly one of its CNY cost columns and rate lines. ``skip`` names lanes
    whose own definition was refused (their lines are not reported again as unknown lanes).
    ``fx_file`` names the FX file in the message of a missing rate.
    """
    problems: list[Problem] = []
    skipped = set(skip)
    by_lane: dict[str, list[PlacedLine]] = {}
    for pl in lines:
        lane_id = pl.line.lane_id
        if lane_id in lanes:
            by_lane.setdefault(lane_id, []).append(pl)
        elif lane_id not in skipped:
            problems.append(problem(pl.file, pl.where, "lane_id", f"unknown lane "
                                    f"{shown(lane_id)}{did_you_mean(lane_id, lanes)}"))
    for group in by_lane.values():
        group.sort(key=lambda pl: pl.line.valid_from)
        problems += _lane_rules(group)
    problems += _price_count(lanes, places, by_lane)
    problems += fx_mod.missing_rates(
        ((pl.line.currency, pl.file, pl.where) for group in by_lane.values() for pl in group),
        fx, as_of, fx_file)
    if problems:
        return dict(lanes), problems
    curves = fx_mod.series(fx)
    out = dict(lanes)
    for lane_id, group in by_lane.items():
        currency = group[0].line.currency
        out[lane_id] = dataclasses.replace(out[lane_id], pricing=Pricing(
            lines=tuple(pl.line for pl in group),
            fx=() if currency == "CNY" else curves[currency]))
    return out, problems


def _lane_rules(group: Sequence[PlacedLine]) -> list[Problem]:
    """One lane's lines (by valid_from): one currency, per vehicle all or none, one line a
    day."""
    out: list[Problem] = []
    first = group[0]
    lane_id = first.line.lane_id
    for pl in group[1:]:
        if pl.line.currency != first.line.currency:
            out.append(problem(pl.file, pl.where, "currency", f"lane {lane_id} is priced in "
                               f"{first.line.currency} ({first.label}): all lines of one "
                               "lane share a currency (give each carrier's service its own "
                               "lane in lanes.csv)"))
        if (pl.line.basis == "vehicle") != (first.line.basis == "vehicle"):
            out.append(problem(pl.file, pl.where, "basis", f"lane {lane_id} is priced on "
                               f"basis {first.line.basis} ({first.label}): a lane is bought "
                               "by the vehicle on every line or on none"))
    latest = first
    for pl in group[1:]:
        end = latest.line.valid_to
        if end is None or end >= pl.line.valid_from:
            out.append(problem(pl.file, pl.where, "valid_from", f"lane {lane_id}: valid "
                               f"{pl.period} overlaps {latest.label} (valid {latest.period}); "
                               "a lane has one price a day: give each carrier's service its "
                               "own lane in lanes.csv"))
        if end is not None and (pl.line.valid_to is None or pl.line.valid_to > end):
            latest = pl
    return out


def _price_count(lanes: Mapping[str, Lane], places: Mapping[str, tuple[str, str]],
                 by_lane: Mapping[str, Sequence[PlacedLine]]) -> list[Problem]:
    """Each lane that needs a price has exactly one: CNY cost columns or rate lines."""
    out: list[Problem] = []
    for lane_id, (file, where) in places.items():
        lane = lanes.get(lane_id)
        if lane is None:
            continue
        costs = [(name, value) for name, value in (
            ("cost_per_kg_cny", lane.cost_per_kg_cny),
            ("cost_per_vehicle_cny", lane.cost_per_vehicle_cny)) if value > 0]
        group = by_lane.get(lane_id)
        if costs and group:
            name, value = costs[0]
            out.append(problem(file, where, name, f"priced twice: {name} {value:,.6g} here "
                               f"and rate lines in {group[0].label}; a lane priced by its rate "
                               "card leaves cost_per_kg_cny and cost_per_vehicle_cny 0"))
        elif not costs and not group:
            out.append(problem(file, where, "cost_per_kg_cny", "a lane needs a cost per kg or "
                               "per vehicle (cost_per_kg_cny, cost_per_vehicle_cny) or rate "
                               "lines (rates.csv, overrides.add_rates)"))
    return out


def scale_pricing(pricing: Pricing, factor: float) -> Pricing:
    """The pricing with every price in it times ``factor`` (``overrides.rates``): the rates,
    minimum, fees and per-unit surcharges; percent surcharges and FX are left as they are."""
    return Pricing(lines=tuple(dataclasses.replace(
        ln, breaks=tuple((units, rate * factor) for units, rate in ln.breaks),
        min_charge=ln.min_charge * factor, fee_per_shipment=ln.fee_per_shipment * factor,
        surcharge_per_unit=ln.surcharge_per_unit * factor) for ln in pricing.lines),
        fx=pricing.fx)


def largest_amount(pricing: Pricing) -> float:
    """The largest price or amount on any line (held to ``MAX_AMOUNT`` after multipliers)."""
    return max(max(max(rate for _, rate in ln.breaks), ln.min_charge, ln.fee_per_shipment,
                   ln.surcharge_per_unit) for ln in pricing.lines)
