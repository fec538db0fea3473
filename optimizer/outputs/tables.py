"""The plan as tables: routes, vehicles, parcels, manifests, declarations and disposals as CSV,
Excel and pandas.

Every table is built from the typed ``Plan`` (and the parcels it was made from, for the columns
a plan does not repeat). The pandas views of the Python API (``plan.routes``, ``plan.vehicles``,
``plan.totals``) are the same rows as the CSV files.

Time follows the schedules: a vehicles.csv row is one departure of a lane (its depart and arrive
dates), a manifest row names the departure its vehicle leaves on, and a batch's ``legs`` are its
lanes on their departures (``LANE@2026-05-14 > LANE2@2026-05-20``), beside when it is ready at
its hub, leaves, waits by choice (``wait_days``, ``wait_saving_cny``) and what storage costs.

Cells carry text from the inputs (parcel, lane and node ids, scenario names, the returns CSV's
extra columns), so every cell of every CSV and sheet goes through ``safe_cell``: a text that a
spreadsheet would run as a formula is neutralised (OWASP "CSV injection"), and plan.xlsx is
written with XlsxWriter's string conversions off, so no text ever becomes a formula, a link or
a number there.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from optimizer.domain import Parcel
from optimizer.outputs.plan_json import (
    batch_keys,
    declaration_dict,
    disposal_dict,
    r,
    totals_dict,
)
from optimizer.outputs.tariffs import bill_of, fx_text, service_of
from optimizer.outputs.waiting import waiting
from optimizer.plan import BatchPlan, Leg, Plan, Unrouted, VehicleUse

if TYPE_CHECKING:
    import pandas as pd


#: what a spreadsheet may take as the start of a formula (OWASP's list for CSV injection)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell value that no spreadsheet runs: text starting like a formula gets a leading ``'``.

    Only text is changed: numbers (a negative number too), None and booleans stay as they are,
    so the sheets keep computing. Every CSV and every plan.xlsx cell is written through here.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """A CSV table: the header, then one line per row; every cell, header too, is neutralised.

    The column names are neutralised as well because the returns CSV's extra columns (whose
    names come from the input) pass through to parcels.csv. A row key that is not a column is
    an error, a column missing from a row an empty cell (as with ``csv.DictWriter``). Lines end
    with ``\\n``, and a cell holding a carriage return is quoted: the csv module quotes only
    the characters of its line terminator, and a bare CR would let a spreadsheet start a new
    row (and a new, unneutralised cell) inside one cell.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # "\r\n": quote cells holding \r or \n
    lines = []

    def line(cells: Iterable[Any]) -> None:
        writer.writerow([safe_cell(c) for c in cells])
        lines.append(buf.getvalue()[:-2] + "\n")
        buf.seek(0)
        buf.truncate()

    line(columns)
    known = set(columns)
    for row in rows:
        if not known.issuperset(row):
            raise ValueError(f"row keys not in the columns: {sorted(set(row) - known)}")
        line(row.get(c, "") for c in columns)
    return "".join(lines)


#: vehicles.csv's columns of the rate card line applied on a departure and its bill: amounts in
#: the line's currency (``tariff_bill``: freight, surcharges and fees) and in CNY at
#: ``tariff_fx_cny`` of ``tariff_fx_date``; units of ``tariff_basis`` (vehicles on the vehicle
#: basis, where the bill is its vehicles'); ``tariff`` the line and bill as text
TARIFF_COLUMNS = ("tariff_service", "tariff_carrier", "tariff_currency", "tariff_basis",
                  "tariff_units", "tariff_billed_units", "tariff_band_from", "tariff_rate",
                  "tariff_minimum_applied", "tariff_freight", "tariff_surcharges",
                  "tariff_fees", "tariff_bill", "tariff_fx_cny", "tariff_fx_date",
                  "tariff_bill_cny", "tariff")

ROUTE_COLUMNS = ("batch_id", "origin", "destination", "weight_kg", "volume_m3", "value_cny",
                 "goods_class", "trade_mode", "export_district", "entry_point", "return_port",
                 "return_district", "mode", "lanes", "legs", "ready_date", "depart_date",
                 "wait_days", "wait_saving_cny", "declare_date", "eta", "transit_days",
                 "cost_cny", "freight_cny", "vehicles_cny", "clearance_cny", "tax_exposure_cny",
                 "storage_cny", "air_cost_cny", "same_route_cost_cny", "co2e_kg", "parcels",
                 "declaration_id", "marginal_cny",
                 # the rate cards of its legs (empty when none is priced on one)
                 "tariff_services", "tariff_currencies", "tariff_fx", "tariff_share_cny",
                 "tariffs")
VEHICLE_COLUMNS = ("lane_id", "from", "to", "mode", "depart_date", "arrive_date", "count",
                   "load_kg", "capacity_kg", "load_m3", "capacity_m3", "utilisation_pct",
                   "cost_cny", "batches", "batch_ids",
                   # the rate card line applied and the departure's bill (``outputs.tariffs``;
                   # empty for a lane priced in lanes.csv)
                   *TARIFF_COLUMNS)


def _day(day: dt.date | None) -> str:
    """An ISO date, or "" when there is none."""
    return "" if day is None else day.isoformat()


def legs_text(legs: Iterable[Leg]) -> str:
    """A batch's legs on their departures: ``LANE@2026-05-14 > LANE2@2026-05-20`` (a leg
    without a departure date is its lane id alone)."""
    return " > ".join(leg.lane_id + (f"@{leg.depart_date.isoformat()}" if leg.depart_date
                                     else "") for leg in legs)


def route_rows(plan: Plan) -> list[dict[str, Any]]:
    """One row per routed batch (the columns of routes.csv): where it goes, on which
    departures (``legs``), when it is ready at its hub, leaves, waits by choice and arrives,
    and what it costs (storage at the hub included), and the rate cards of its legs."""
    uses = departures(plan)
    return [{
        **batch_keys(bp),
        "lanes": " > ".join(leg.lane_id for leg in bp.legs), "legs": legs_text(bp.legs),
        "ready_date": _day(bp.ready_date), "depart_date": _day(bp.depart_date),
        "wait_days": bp.wait_days, "wait_saving_cny": r(bp.wait_saving_cny),
        "declare_date": _day(bp.declare_date), "eta": _day(bp.eta),
        "transit_days": bp.transit_days,
        "cost_cny": r(bp.cost_cny), "freight_cny": r(bp.components.freight),
        "vehicles_cny": r(bp.components.vehicles),
        "clearance_cny": r(bp.components.clearance),
        "tax_exposure_cny": r(bp.components.tax_exposure),
        "storage_cny": r(bp.components.storage),
        "air_cost_cny": r(bp.air_cost_cny), "same_route_cost_cny": r(bp.same_route_cost_cny),
        "co2e_kg": r(bp.co2e_kg, 1), "parcels": len(bp.parcel_ids),
        "declaration_id": bp.declaration_id, "marginal_cny": r(bp.marginal_cny),
        **route_tariffs(bp, uses)}
        for bp in plan.batches]


Departures = Mapping[tuple[str, dt.date | None], VehicleUse]


def departures(plan: Plan) -> dict[tuple[str, dt.date | None], VehicleUse]:
    """(lane id, departure date) -> the departure's vehicles, booking or shipment."""
    return {(v.lane_id, v.depart_date): v for v in plan.vehicle_uses}


def route_tariffs(bp: BatchPlan, uses: Departures) -> dict[str, Any]:
    """A batch's rate card columns of routes.csv (none when no leg is priced on one): the
    service, currency and FX rate of each leg on a rate card, in leg order (joined " > "), what
    the batch pays on those legs (its share of their bills, CNY), and each such leg's line and
    the bill of its whole shipment, as text ("LANE@date: line" joined " | ").

    The shipments' bills themselves are in vehicles.csv, one row per departure: here they would
    count once for every batch sharing them."""
    priced = [(leg, v) for leg in bp.legs
              if (v := uses.get((leg.lane_id, leg.depart_date))) is not None
              and v.priced is not None]
    if not priced:
        return {}
    return {"tariff_services": " > ".join(service_of(v) for _, v in priced),
            "tariff_currencies": " > ".join(v.priced.line.currency for _, v in priced
                                            if v.priced is not None),
            "tariff_fx": " > ".join(fx_text(v.priced) for _, v in priced
                                    if v.priced is not None),
            "tariff_share_cny": r(sum(leg.cost_cny for leg, _ in priced)),
            "tariffs": " | ".join(f"{legs_text([leg])}: {leg.tariff or v.tariff}"
                                  for leg, v in priced)}


def vehicle_tariff(v: VehicleUse) -> dict[str, Any]:
    """A departure's rate card columns of vehicles.csv (``TARIFF_COLUMNS``; none when it is
    priced in lanes.csv): the line applied and the bill of the whole departure."""
    if v.priced is None:
        return {}
    ln = v.priced.line
    out: dict[str, Any] = {
        "tariff_service": ln.service, "tariff_carrier": ln.carrier,
        "tariff_currency": ln.currency, "tariff_basis": ln.basis,
        "tariff_fx_cny": v.priced.fx_cny, "tariff_fx_date": v.priced.fx_date.isoformat(),
        "tariff": v.tariff}
    b = bill_of(v)
    if b is not None:
        out.update(tariff_units=r(b.units, 4), tariff_billed_units=r(b.billed_units, 4),
                   tariff_band_from=b.band_from, tariff_rate=b.rate,
                   tariff_minimum_applied=b.minimum_applied, tariff_freight=r(b.freight),
                   tariff_surcharges=r(b.surcharges), tariff_fees=r(b.fees),
                   tariff_bill=r(b.total), tariff_bill_cny=r(b.total_cny))
    return out


def lane_ends(plan: Plan) -> dict[str, tuple[str, str]]:
    """lane id -> (from, to) of every lane a routed batch rides."""
    return {leg.lane_id: (leg.origin, leg.destination) for bp in plan.batches
            for leg in bp.legs}


def vehicle_rows(plan: Plan) -> list[dict[str, Any]]:
    """One row per departure of a lane with vehicles bought or kg booked (vehicles.csv): when
    it leaves and arrives, how many vehicles, how full, the batches on it, and on a rate card
    the line applied and the departure's bill."""
    ends = lane_ends(plan)
    return [{
        "lane_id": v.lane_id, "from": ends.get(v.lane_id, ("", ""))[0],
        "to": ends.get(v.lane_id, ("", ""))[1], "mode": v.mode,
        "depart_date": _day(v.depart_date), "arrive_date": _day(v.arrive_date),
        "count": v.count, "load_kg": r(v.load_kg, 3), "capacity_kg": r(v.capacity_kg, 3),
        "load_m3": r(v.load_m3, 4), "capacity_m3": r(v.capacity_m3, 4),
        "utilisation_pct": r(100 * max(v.load_kg / v.capacity_kg if v.capacity_kg else 0,
                                        v.load_m3 / v.capacity_m3 if v.capacity_m3 else 0), 1),
        "cost_cny": r(v.cost_cny), "batches": len(v.batch_ids),
        "batch_ids": " ".join(v.batch_ids), **vehicle_tariff(v)} for v in plan.vehicle_uses]


DECLARATION_COLUMNS = ("declaration_id", "return_port", "date", "trade_mode", "fee_cny",
                       "batches", "parcels", "weight_kg", "batch_ids")


def declaration_rows(plan: Plan) -> list[dict[str, Any]]:
    """One row per return declaration, sorted by id (declarations.csv): its fee is paid once,
    shared by its batches in proportion to their parcels."""
    rows = []
    for d in sorted(plan.declarations, key=lambda d: d.declaration_id):
        row = declaration_dict(d)
        row.update(batches=len(d.batch_ids), batch_ids=" ".join(d.batch_ids))
        rows.append(row)
    return rows


DISPOSED_COLUMNS = ("batch_id", "origin", "destination", "goods_class", "trade_mode",
                    "export_district", "window_start", "weight_kg", "value_cny", "parcels",
                    "cost_cny", "return_cny", "reasons", "why")


def disposed_rows(plan: Plan) -> list[dict[str, Any]]:
    """One row per batch disposed of abroad (plan.xlsx "disposed"): its cost, what returning
    it would cost, the rules that keep it from coming back (ids joined by "; ") and why."""
    rows = []
    for d in plan.disposed:
        row = disposal_dict(d)
        del row["parcel_ids"]
        row.update(parcels=len(d.parcel_ids), reasons="; ".join(c.rule for c in d.reasons))
        rows.append(row)
    return rows


def declarations_csv(plan: Plan) -> str:
    """declarations.csv: one row per return declaration."""
    return csv_text(declaration_rows(plan), DECLARATION_COLUMNS)


def routes_csv(plan: Plan) -> str:
    """routes.csv: one row per routed batch."""
    return csv_text(route_rows(plan), ROUTE_COLUMNS)


def vehicles_csv(plan: Plan) -> str:
    """vehicles.csv: one row per departure of a lane with vehicles bought or kg booked."""
    return csv_text(vehicle_rows(plan), VEHICLE_COLUMNS)


PARCEL_COLUMNS = ("parcel_id", "batch_id", "origin", "destination", "weight_kg", "value_cny",
                  "trade_mode", "goods_class", "export_date", "export_port", "ready_date",
                  "return_port", "mode", "legs", "depart_date", "eta", "status",
                  "declaration_id", "reason")


def unrouted_reason(u: Unrouted) -> str:
    """Why a batch's parcels stay behind, in one cell: the rule ids of its reasons joined by
    "; ", then the counterfactual's sentence when there is one."""
    rules = "; ".join(c.rule for c in u.reasons)
    return rules + (f"; {u.would_route.sentence()}" if u.would_route else "")


def parcels_csv(plan: Plan, parcels: Sequence[Parcel]) -> str:
    """parcels.csv: every input parcel with its batch, route and declaration; extra input
    columns pass through.

    Parcels of unrouted batches are listed too (status ``unrouted``), so none goes missing, with
    the ``reason`` their batch is unrouted; so are the parcels disposed of abroad (status
    ``disposed``, the ``reason`` their batch's why).
    """
    where: dict[str, tuple[str, BatchPlan | None]] = {}
    reasons: dict[str, str] = {}
    status: dict[str, str] = {}
    for bp in plan.batches:
        for pid in bp.parcel_ids:
            where[pid] = (bp.batch_id, bp)
    for u in plan.unrouted:
        why = unrouted_reason(u)
        for pid in u.parcel_ids:
            where[pid] = (u.batch_id, None)
            reasons[pid], status[pid] = why, "unrouted"
    for d in plan.disposed:
        for pid in d.parcel_ids:
            where[pid] = (d.batch_id, None)
            reasons[pid], status[pid] = d.why, "disposed"
    extra = sorted({k for p in parcels for k, _ in p.extra} - set(PARCEL_COLUMNS))
    rows = []
    for p in parcels:
        batch_id, bp = where.get(p.parcel_id, ("", None))
        row: dict[str, Any] = {
            "parcel_id": p.parcel_id, "batch_id": batch_id, "origin": p.origin,
            "destination": p.destination, "weight_kg": p.weight_kg, "value_cny": p.value_cny,
            "trade_mode": p.trade_mode, "goods_class": p.goods_class,
            "export_date": p.export_date.isoformat(), "export_port": p.export_port,
            "ready_date": p.ready_date.isoformat(),
            "return_port": bp.return_port if bp else "", "mode": bp.mode if bp else "",
            "legs": legs_text(bp.legs) if bp else "",
            "depart_date": _day(bp.depart_date) if bp else "",
            "eta": _day(bp.eta) if bp else "",
            "status": "routed" if bp else status.get(p.parcel_id, "unrouted"),
            "declaration_id": bp.declaration_id if bp else "",
            "reason": reasons.get(p.parcel_id, "")}
        row.update({k: v for k, v in p.extra if k in extra})
        rows.append(row)
    return csv_text(rows, [*PARCEL_COLUMNS, *extra])


MANIFEST_COLUMNS = ("lane_id", "from", "to", "mode", "depart_date", "arrive_date", "vehicle",
                    "batch_id", "parcel_id", "weight_kg", "volume_m3",
                    # the rate card service the departure is booked on ("" for lanes.csv)
                    "service", "carrier")


def manifest_rows(plan: Plan, parcels: Sequence[Parcel]) -> list[dict[str, Any]]:
    """One row per parcel per vehicle (or per-kg booking) it rides: the load lists, each with
    the departure and arrival of its vehicle and, on a rate card, the service and carrier it is
    booked on."""
    by_id = {p.parcel_id: p for p in parcels}
    batch_of = {pid: bp.batch_id for bp in plan.batches for pid in bp.parcel_ids}
    ends = lane_ends(plan)
    return [{"lane_id": v.lane_id, "from": ends.get(v.lane_id, ("", ""))[0],
             "to": ends.get(v.lane_id, ("", ""))[1], "mode": v.mode,
             "depart_date": _day(v.depart_date), "arrive_date": _day(v.arrive_date),
             "vehicle": ld.vehicle, "batch_id": batch_of[pid], "parcel_id": pid,
             "weight_kg": by_id[pid].weight_kg, "volume_m3": by_id[pid].volume_m3,
             "service": "" if v.priced is None else v.priced.line.service,
             "carrier": "" if v.priced is None else v.priced.line.carrier}
            for v in plan.vehicle_uses for ld in v.loads for pid in ld.parcel_ids]


def _write_cells(sheet: Any, row: int, values: Sequence[Any], fmt: Any = None) -> None:
    """One spreadsheet row, each cell written by its type: text only ever as a plain string.

    Text goes through ``safe_cell`` and ``write_string`` (never the guessing ``write``), numbers
    through ``write_number``, booleans through ``write_boolean``; None leaves the cell empty.
    """
    for col, value in enumerate(values):
        cell = safe_cell(value)
        if cell is None:
            continue
        if isinstance(cell, bool):
            sheet.write_boolean(row, col, cell, fmt)
        elif isinstance(cell, numbers.Real):
            sheet.write_number(row, col, cell, fmt)
        else:
            sheet.write_string(row, col, cell if isinstance(cell, str) else str(cell), fmt)


#: the creation time plan.xlsx carries when the plan has no ``as_of`` date (fixed, so the same
#: plan gives the same bytes)
XLSX_EPOCH = dt.datetime(2000, 1, 1)


def xlsx_created(plan: Plan) -> dt.datetime:
    """The creation time stamped into plan.xlsx: midnight (UTC) of the plan's ``as_of`` date.

    XlsxWriter stamps the current time otherwise, and two runs would differ in their bytes.
    """
    as_of = getattr(plan.meta, "as_of", None)
    return dt.datetime.combine(as_of, dt.time()) if isinstance(as_of, dt.date) else XLSX_EPOCH


#: XlsxWriter's options for plan.xlsx: no text turned into a formula, a link or a number
XLSX_OPTIONS = {"in_memory": True, "constant_memory": True, "strings_to_formulas": False,
                "strings_to_urls": False, "strings_to_numbers": False}


def totals_rows(plan: Plan) -> dict[str, Any]:
    """The totals sheet: plan.json's totals, then the waiting figures ``Totals`` does not carry
    (yet): batches waiting by choice, their days, what waiting saved, storage at the hubs."""
    out = totals_dict(plan.summary)
    w = waiting(plan.batches)
    for name, value in (("batches_waiting", w.batches_waiting), ("wait_days", w.wait_days),
                        ("wait_saving_cny", r(w.wait_saving_cny)),
                        ("storage_cny", r(w.storage_cny))):
        out.setdefault(name, value)
    return out


def plan_xlsx(plan: Plan, parcels: Sequence[Parcel]) -> bytes:
    """plan.xlsx: sheets routes, vehicles, manifests, declarations, disposed and totals, for
    spreadsheet users.

    Written row by row with XlsxWriter (a 50,000-parcel week has ~100,000 manifest rows; going
    through DataFrames took several seconds more), every cell through ``_write_cells``. The
    document's creation time is ``xlsx_created(plan)``, so the same plan gives the same bytes.
    """
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, XLSX_OPTIONS)
    book.set_properties({"created": xlsx_created(plan)})
    bold = book.add_format({"bold": True})
    sheets: list[tuple[str, Sequence[str], Iterable[Mapping[str, Any]]]] = [
        ("routes", ROUTE_COLUMNS, route_rows(plan)),
        ("vehicles", VEHICLE_COLUMNS, vehicle_rows(plan)),
        ("manifests", MANIFEST_COLUMNS, manifest_rows(plan, parcels)),
        ("declarations", DECLARATION_COLUMNS, declaration_rows(plan)),
        ("disposed", DISPOSED_COLUMNS, disposed_rows(plan)),
        ("totals", ("metric", "value"), ({"metric": k, "value": v}
                                         for k, v in totals_rows(plan).items()))]
    for name, columns, rows in sheets:
        sheet = book.add_worksheet(name)
        _write_cells(sheet, 0, columns, bold)
        sheet.freeze_panes(1, 0)
        for i, row in enumerate(rows, start=1):
            _write_cells(sheet, i, [row.get(c) for c in columns])
    book.close()
    return buf.getvalue()


def routes_frame(plan: Plan) -> pd.DataFrame:
    """One row per routed batch: the columns of routes.csv."""
    import pandas as pd
    return pd.DataFrame(route_rows(plan), columns=list(ROUTE_COLUMNS))


def vehicles_frame(plan: Plan) -> pd.DataFrame:
    """One row per departure of a lane: the columns of vehicles.csv."""
    import pandas as pd
    return pd.DataFrame(vehicle_rows(plan), columns=list(VEHICLE_COLUMNS))


def totals_frame(plan: Plan) -> pd.DataFrame:
    """The totals as a one-row frame indexed by the scenario's name."""
    import pandas as pd
    return pd.DataFrame([dataclasses.asdict(plan.summary)],
                        index=pd.Index([plan.scenario], name="scenario"))


@dataclasses.dataclass(frozen=True, slots=True)
class TabularPlan(Plan):
    """A Plan with pandas views, for notebooks (what ``optimizer.solve`` returns).

    The views live here, beside the tables they show, so that the plan types carry data only.
    """

    @classmethod
    def of(cls, plan: Plan) -> TabularPlan:
        """The same plan, with the views."""
        if isinstance(plan, cls):
            return plan
        return cls(**{f.name: getattr(plan, f.name) for f in dataclasses.fields(Plan)})

    @property
    def routes(self) -> pd.DataFrame:
        """One row per routed batch: the columns of routes.csv."""
        return routes_frame(self)

    @property
    def vehicles(self) -> pd.DataFrame:
        """One row per departure of a lane: the columns of vehicles.csv."""
        return vehicles_frame(self)

    @property
    def totals(self) -> pd.DataFrame:
        """The totals as a one-row frame indexed by the scenario's name."""
        return totals_frame(self)
