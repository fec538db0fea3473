"""Rate cards and exchange rates as inputs (issue 13): a forwarder's sheet read into each lane's
``Pricing``, every rule of the format refused with its place and a hint, and unknown keys
refused at every entry point with the allowed ones and a did-you-mean.

Everything here loads scenarios, never solves one: the pricing arithmetic is
``domain.Tariff``'s (tested with the planner).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from conftest import LANE_FIELDS, lane, small_lanes, write_csv

from optimizer.cli import cli
from optimizer.domain import RateLine
from optimizer.errors import InputError
from optimizer.inputs import load_scenario
from optimizer.inputs.fx import FX_COLUMNS, load_fx
from optimizer.inputs.rates import RATE_COLUMNS, RATE_OPTIONAL, load_rate_card

D = dt.date
#: the header of the test rate card: every named column, breaks last (as IATA sheets write them)
HEADER = [*RATE_COLUMNS[:3], "carrier", "valid_from", "valid_to", "basis", *RATE_OPTIONAL[2:],
          "+0", "+45", "+100", "source"]


def rate(lane_id: str = "L_AIR", **kw: Any) -> dict[str, Any]:
    """One rates.csv row (air by the kg in USD, three breaks, a fuel surcharge)."""
    row = {"lane_id": lane_id, "service": "air express", "carrier": "Aeroflot Cargo",
           "currency": "USD", "valid_from": "2025-01-01", "valid_to": "2025-06-30",
           "basis": "kg", "min_charge": "50", "fee_per_shipment": "25", "surcharge_pct": "12",
           "surcharge_per_unit": "0.1", "divisor_cm3_per_kg": "6000", "+0": "5.2",
           "+45": "4.8", "+100": "4.1", "source": "forwarder quote 2024-12 (test)"}
    return row | kw


def truck(**kw: Any) -> dict[str, Any]:
    """A whole-truck line in CNY on the border lane."""
    return rate("L_TIR_BORDER", service="TIR FTL", carrier="", currency="CNY",
                valid_to="", basis="vehicle", min_charge="", fee_per_shipment="300",
                surcharge_pct="", surcharge_per_unit="", divisor_cm3_per_kg="", **{
                    "+0": "9500", "+45": "", "+100": ""}) | kw


def good_card() -> list[dict[str, Any]]:
    return [rate(), rate(valid_from="2025-07-01", valid_to="", **{"+0": "5.5", "+45": "",
                                                                   "+100": "4.3"}), truck()]


def fx_row(day: str, currency: str, value: float, source: str = "CFETS (test)") -> dict:
    return {"date": day, "currency": currency, "cny_per_unit": value, "source": source}


def good_fx() -> list[dict[str, Any]]:
    return [fx_row("2025-06-02", "USD", 7.17), fx_row("2025-06-30", "USD", 7.16),
            fx_row("2025-07-15", "USD", 7.18), fx_row("2025-06-30", "EUR", 8.4)]


def rated_lanes() -> list[dict[str, Any]]:
    """The small network with L_AIR and L_TIR_BORDER priced by the rate card."""
    rows = small_lanes()
    for r in rows:
        if r["lane_id"] in ("L_AIR", "L_TIR_BORDER"):
            r["cost_per_kg_cny"] = r["cost_per_vehicle_cny"] = 0
    return rows


def write_card(path: Path, rows: list[dict[str, Any]], header: list[str] | None = None) -> Path:
    header = header or HEADER
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture
def case(make_case):
    """A scenario of the small network whose air and border lanes are priced by a rate card
    (rates.csv and fx.csv beside ports.yaml, found by default); returns its path."""
    def make(card: list[dict] | None = None, fx: list[dict] | None = None, *,
             lanes: list[dict] | None = None, overrides: dict | None = None,
             **keys: Any) -> Path:
        path = make_case(lanes=lanes if lanes is not None else rated_lanes())
        write_card(path.parent / "rates.csv", good_card() if card is None else card)
        write_csv(path.parent / "fx.csv", good_fx() if fx is None else fx, list(FX_COLUMNS))
        if overrides or keys:
            edit(path, lambda doc: doc.update(keys, **({"overrides": overrides}
                                                        if overrides else {})))
        return path
    return make


def edit(path: Path, change: Any) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def problems(path: Path, *fragments: str) -> str:
    """load_scenario refuses ``path`` with every fragment in its message."""
    with pytest.raises(InputError) as info:
        load_scenario(path)
    text = str(info.value)
    for f in fragments:
        assert f in text, (f, text)
    return text


# ---- a good card ------------------------------------------------------------------------------


def test_a_good_card_prices_its_lanes(case) -> None:
    sc = load_scenario(case())
    air = sc.network.lanes["L_AIR"]
    assert air.pricing is not None and not air.per_vehicle
    first, second = air.pricing.lines
    assert first == RateLine(
        lane_id="L_AIR", service="air express", carrier="Aeroflot Cargo", currency="USD",
        valid_from=D(2025, 1, 1), valid_to=D(2025, 6, 30), basis="kg",
        breaks=((0.0, 5.2), (45.0, 4.8), (100.0, 4.1)), min_charge=50.0, fee_per_shipment=25.0,
        surcharge_pct=12.0, surcharge_per_unit=0.1, divisor_cm3_per_kg=6000.0,
        source="forwarder quote 2024-12 (test)")
    assert second.breaks == ((0.0, 5.5), (100.0, 4.3)) and second.valid_to is None
    # the USD series only, ascending; EUR is not this lane's currency
    assert air.pricing.fx == ((D(2025, 6, 2), 7.17), (D(2025, 6, 30), 7.16),
                              (D(2025, 7, 15), 7.18))
    tariff = air.pricing.tariff_on(D(2025, 7, 10))
    assert tariff is not None and tariff.line is second and tariff.fx_cny == 7.16
    assert air.pricing.tariff_on(D(2025, 7, 20)).fx_cny == 7.18
    border = sc.network.lanes["L_TIR_BORDER"]
    assert border.per_vehicle and border.pricing.fx == ()
    assert border.pricing.lines[0].breaks == ((0.0, 9500.0),)
    assert sc.network.lanes["L_ROAD_BORDER"].pricing is None
    assert Path(sc.inputs["rates"]).name == "rates.csv"
    assert Path(sc.inputs["fx"]).name == "fx.csv"


def test_no_card_is_no_pricing(make_case) -> None:
    sc = load_scenario(make_case())
    assert all(ln.pricing is None for ln in sc.network.lanes.values())
    assert "rates" not in sc.inputs and "fx" not in sc.inputs


def test_cny_card_needs_no_fx_file(case) -> None:
    path = case([truck()], lanes=[r if r["lane_id"] != "L_AIR" else r | {"cost_per_kg_cny": 30}
                                  for r in rated_lanes()])
    (path.parent / "fx.csv").unlink()
    sc = load_scenario(path)
    assert sc.network.lanes["L_TIR_BORDER"].pricing is not None and "fx" not in sc.inputs


def test_named_files_are_relative_to_the_scenario(case) -> None:
    path = case()
    cards = path.parent / "cards"
    cards.mkdir()
    (path.parent / "rates.csv").rename(cards / "q3.csv")
    (path.parent / "fx.csv").rename(cards / "parity.csv")
    problems(path, "a lane needs a cost per kg or per vehicle")  # no default any more
    edit(path, lambda doc: doc["network"].update(rates="cards/q3.csv", fx="cards/parity.csv"))
    sc = load_scenario(path)
    assert sc.network.lanes["L_AIR"].pricing is not None
    assert sc.inputs["rates"].endswith("q3.csv") and sc.inputs["fx"].endswith("parity.csv")
    edit(path, lambda doc: doc["network"].update(fx="cards/nope.csv"))
    problems(path, "nope.csv", "file not found")


# ---- xlsx -------------------------------------------------------------------------------------


def _cell(column: str, text: str) -> Any:
    """A rate-card cell as Excel stores it: real dates and numbers."""
    if text == "":
        return None
    if column.startswith("valid"):
        return dt.datetime.fromisoformat(text)
    if column.startswith("+") or column in RATE_OPTIONAL[2:]:
        return float(text)
    return text


def write_xlsx(path: Path, rows: list[dict[str, Any]], *, typed: bool = True,
               first_sheet: str | None = None) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    if first_sheet:
        ws.title = first_sheet
        ws.append(["notes: not the rate card"])
        ws = book.create_sheet("rates")
    # Excel turns a typed +45 into the number 45: a numeric header cell is a break
    ws.append([float(h[1:]) if typed and h.startswith("+") else h for h in HEADER])
    for r in rows:
        ws.append([_cell(h, str(r.get(h, ""))) if typed else str(r.get(h, "")) or None
                   for h in HEADER])
    book.save(path)
    return path


@pytest.mark.parametrize("typed", [True, False], ids=["dates-and-numbers", "text-cells"])
def test_xlsx_equals_csv(tmp_path: Path, typed: bool) -> None:
    csv_lines = load_rate_card(write_card(tmp_path / "rates.csv", good_card()))
    xlsx = write_xlsx(tmp_path / "rates.xlsx", good_card(), typed=typed, first_sheet="cover")
    xlsx_lines = load_rate_card(xlsx)
    assert [p.line for p in xlsx_lines] == [p.line for p in csv_lines]
    assert xlsx_lines[0].where == "row 2" and "sheet rates" in xlsx_lines[0].file


def test_xlsx_card_in_a_scenario_and_its_problems(case) -> None:
    path = case()
    (path.parent / "rates.csv").unlink()
    write_xlsx(path.parent / "card.xlsx", good_card())
    edit(path, lambda doc: doc["network"].update(rates="card.xlsx"))
    assert load_scenario(path).network.lanes["L_AIR"].pricing is not None
    write_xlsx(path.parent / "card.xlsx", [rate(basis="kgs")])
    problems(path, "card.xlsx (sheet Sheet), row 2", "did you mean kg?")  # the first sheet
    (path.parent / "card.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    problems(path, "card.xlsx", "cannot read it as an Excel workbook")
    edit(path, lambda doc: doc["network"].update(rates="card.xls"))
    (path.parent / "card.xls").write_bytes(b"\xd0\xcf\x11\xe0 an old binary workbook")
    problems(path, "card.xls", "save it as .xlsx or as CSV")


def test_fx_from_xlsx(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "fx"
    ws.append(list(FX_COLUMNS))
    ws.append([dt.datetime(2025, 6, 30), "USD", 7.16, "CFETS"])
    book.save(tmp_path / "fx.xlsx")
    (rate_,) = load_fx(tmp_path / "fx.xlsx").values()
    assert (rate_.currency, rate_.date, rate_.cny_per_unit) == ("USD", D(2025, 6, 30), 7.16)


# ---- every rule of a row ----------------------------------------------------------------------

ROW_RULES = [
    ({"basis": "kgs"}, ["field 'basis'", "did you mean kg?"]),
    ({"basis": "W/M"}, ["did you mean wm?"]),
    ({"+0": "0"}, ["field '+0'", "greater than 0"]),
    ({"+45": "-4"}, ["field '+45'", "greater than 0"]),
    ({"+100": "cheap"}, ["field '+100'", "valid number"]),
    ({"+0": ""}, ["field '+0'", "normal rate (from 0 units) is required"]),
    ({"min_charge": "-1"}, ["field 'min_charge'", "greater than or equal to 0"]),
    ({"fee_per_shipment": "-5"}, ["field 'fee_per_shipment'"]),
    ({"surcharge_per_unit": "nan"}, ["field 'surcharge_per_unit'"]),
    ({"surcharge_pct": "5000"}, ["field 'surcharge_pct'", "the limit"]),
    ({"currency": "usd"}, ["field 'currency'", "three-letter", "did you mean USD?"]),
    ({"currency": "US$"}, ["field 'currency'", "three-letter"]),
    ({"valid_to": "2024-12-31"}, ["field 'valid_to'", "ends before it starts"]),
    ({"valid_from": "2025-02-30"}, ["field 'valid_from'"]),
    ({"valid_from": ""}, ["field 'valid_from'", "required"]),
    ({"source": ""}, ["field 'source'", "source is required", "assumption"]),
    ({"service": ""}, ["field 'service'", "required"]),
    ({"lane_id": ""}, ["field 'lane_id'", "required"]),
    ({"basis": "m3"}, ["field 'divisor_cm3_per_kg'", "basis kg only"]),
    ({"basis": "vehicle", "divisor_cm3_per_kg": ""}, [
        "field '+45'", "field '+100'", "only the normal rate (+0) may be filled",
        "field 'min_charge'", "no minimum on basis vehicle"]),
    ({"basis": "shipment", "divisor_cm3_per_kg": "", "min_charge": ""}, [
        "price of one shipment"]),
    ({"shipment": "bach"}, ["field 'shipment'", "did you mean batch?"]),
    ({"basis": "vehicle", "divisor_cm3_per_kg": "", "min_charge": "", "+45": "", "+100": "",
      "shipment": "batch"}, ["field 'shipment'", "does not apply on basis vehicle"]),
]


@pytest.mark.parametrize(("change", "fragments"), ROW_RULES,
                         ids=[",".join(c) + "=" + "|".join(c.values()) for c, _ in ROW_RULES])
def test_each_row_rule_is_refused(tmp_path: Path, change: dict, fragments: list[str]) -> None:
    path = write_card(tmp_path / "rates.csv", [rate(), rate(**change)])
    with pytest.raises(InputError) as info:
        load_rate_card(path)
    text = str(info.value)
    assert all("line 3" in str(p) for p in info.value.problems), text
    for f in fragments:
        assert f in text, (f, text)


HEADER_RULES = [
    ([*HEADER[:-3], "+100", "+45", "source"], ["field '+45'", "breaks must ascend: +45 comes "
                                               "after +100"]),
    ([h for h in HEADER if h != "+0"], ["missing column(s)", "+0"]),
    ([h for h in HEADER if h != "basis"], ["missing column(s)", "basis"]),
    ([*HEADER, "+45.0"], ["field '+45.0'", "the same break as column +45"]),
    ([*HEADER, "fuel_pct"], ["unknown column 'fuel_pct'", "allowed: lane_id", "+<number>"]),
    ([*HEADER, "surchage_pct"], ["did you mean surcharge_pct?"]),
    ([*HEADER, "300"], ["unknown column '300'; did you mean +300?"]),
    ([*HEADER, "+1e9"], ["unknown column '+1e9'"]),
    ([*HEADER, "+99999999"], ["a break above"]),
]


@pytest.mark.parametrize(("header", "fragments"), HEADER_RULES,
                         ids=[str(i) for i in range(len(HEADER_RULES))])
def test_each_column_rule_is_refused(tmp_path: Path, header: list[str],
                                     fragments: list[str]) -> None:
    path = write_card(tmp_path / "rates.csv", [rate() | {h: "3" for h in header
                                                         if h not in HEADER}], header)
    with pytest.raises(InputError) as info:
        load_rate_card(path)
    for f in fragments:
        assert f in str(info.value), (f, str(info.value))


# ---- the lines against the lanes --------------------------------------------------------------


def test_unknown_lane_has_a_did_you_mean(case) -> None:
    problems(case([*good_card(), rate("L_AIRR", valid_from="2026-01-01", valid_to="")]),
             "rates.csv, line 5, field 'lane_id'", "unknown lane 'L_AIRR'",
             "did you mean L_AIR?")


def test_overlapping_lines_name_both(case) -> None:
    text = problems(case([*good_card(), rate(valid_from="2025-06-01", valid_to="2025-06-15",
                                             service="second forwarder")]),
                    "lane L_AIR: valid 2025-06-01..2025-06-15 overlaps",
                    "line 2 (valid 2025-01-01..2025-06-30)",
                    "give each carrier's service its own lane in lanes.csv")
    assert "line 5" in text  # the later line is the one reported, at its own place


def test_one_currency_and_one_buying_unit_per_lane(case) -> None:
    problems(case([rate(), rate(valid_from="2025-07-01", valid_to="", currency="EUR"),
                   truck()]),
             "line 3, field 'currency'", "lane L_AIR is priced in USD", "share a currency")
    problems(case([rate(), truck(), truck(valid_from="2030-01-01", basis="kg", **{
        "+0": "1"})]), "field 'basis'", "by the vehicle on every line or on none")


@pytest.mark.parametrize("lane_id", ["L_AIR", "L_TIR_BORDER"])
def test_priced_twice(case, lane_id: str) -> None:
    rows = rated_lanes()
    for r in rows:
        if r["lane_id"] == lane_id:
            r["cost_per_kg_cny" if lane_id == "L_AIR" else "cost_per_vehicle_cny"] = 30
    problems(case(lanes=rows), "lanes.csv, line", f"({lane_id})", "priced twice",
             "rates.csv line")


def test_not_priced(case) -> None:
    problems(case([truck()]), "lanes.csv, line 4 (L_AIR), field 'cost_per_kg_cny'",
             "a lane needs a cost per kg or per vehicle", "rate lines")


@pytest.mark.parametrize(("fx", "fragments"), [
    ([], ["no USD rate dated on or before 2025-07-01 (the planning date)",
          "rates.csv line 2 is priced in USD", "overrides.fx"]),
    ([fx_row("2025-07-02", "USD", 7.1)], ["no USD rate dated on or before 2025-07-01",
                                          "its first rate is dated 2025-07-02"]),
])
def test_missing_fx_rate(case, fx: list, fragments: list[str]) -> None:
    path = case(fx=fx or [fx_row("2025-06-30", "EUR", 8.4)])
    problems(path, "fx.csv", *fragments)


def test_missing_fx_file_is_named(case) -> None:
    path = case()
    (path.parent / "fx.csv").unlink()
    problems(path, "fx.csv (no such file)", "no USD rate")


FX_RULES = [
    ([*good_fx(), fx_row("2025-06-30", "USD", 7.2)], ["line 6", "a second USD rate for "
                                                      "2025-06-30 (also line 3)"]),
    ([fx_row("2025-06-30", "USD", 0)], ["field 'cny_per_unit'", "greater than 0"]),
    ([fx_row("2025-06-30", "USD", "7,16")], ["field 'cny_per_unit'"]),
    ([fx_row("2025-06-30", "usd", 7)], ["field 'currency'", "did you mean USD?"]),
    ([fx_row("2025-06-31", "USD", 7)], ["field 'date'"]),
    ([fx_row("2025-06-30", "USD", 7, source="")], ["field 'source'", "source is required"]),
    ([fx_row("2025-06-30", "CNY", 1)], ["CNY is the currency rates convert to"]),
]


@pytest.mark.parametrize(("rows", "fragments"), FX_RULES,
                         ids=[str(i) for i in range(len(FX_RULES))])
def test_each_fx_rule_is_refused(tmp_path: Path, rows: list, fragments: list[str]) -> None:
    write_csv(tmp_path / "fx.csv", rows, list(FX_COLUMNS))
    with pytest.raises(InputError) as info:
        load_fx(tmp_path / "fx.csv")
    for f in fragments:
        assert f in str(info.value), (f, str(info.value))


def test_fx_unknown_column(tmp_path: Path) -> None:
    write_csv(tmp_path / "fx.csv", [fx_row("2025-06-30", "USD", 7) | {"rate": 7}],
              list(FX_COLUMNS))
    with pytest.raises(InputError, match=r"unknown column 'rate'.*allowed: date, currency"):
        load_fx(tmp_path / "fx.csv")


# ---- overrides: add_rates, fx, rate multipliers ---------------------------------------------

NEW_LANE = lane("L_NEW", "HUB", "INLAND", "tir_road", via="BORDER", days=8) | {
    "cost_per_kg_cny": 0}


def added_rate(**kw: Any) -> dict[str, Any]:
    return {"lane_id": "L_NEW", "service": "groupage", "currency": "EUR",
            "valid_from": "2025-01-01", "basis": "wm", "breaks": {0: 60, "+5": 55},
            "fee_per_shipment": 40, "surcharge_pct": 8, "source": "what-if quote"} | kw


def test_add_rates_prices_an_added_lane(case) -> None:
    sc = load_scenario(case(overrides={"add_lanes": [NEW_LANE], "add_rates": [added_rate()]}))
    pricing = sc.network.lanes["L_NEW"].pricing
    assert pricing is not None and pricing.lines[0].breaks == ((0.0, 60.0), (5.0, 55.0))
    assert pricing.lines[0].basis == "wm" and pricing.fx == ((D(2025, 6, 30), 8.4),)


def test_overrides_fx_adds_and_replaces(case) -> None:
    path = case(overrides={"fx": [
        {"currency": "USD", "date": "2025-06-30", "cny_per_unit": 7.5, "source": "what-if"},
        {"currency": "USD", "date": "2025-07-05", "cny_per_unit": 8.0, "source": "what-if"}]})
    fx = load_scenario(path).network.lanes["L_AIR"].pricing.fx
    assert fx == ((D(2025, 6, 2), 7.17), (D(2025, 6, 30), 7.5), (D(2025, 7, 5), 8.0),
                  (D(2025, 7, 15), 7.18))


def test_overrides_fx_supplies_a_missing_currency(case) -> None:
    path = case(fx=[fx_row("2025-06-30", "EUR", 8.4)], overrides={"fx": [
        {"currency": "USD", "date": "2025-01-01", "cny_per_unit": 7.3, "source": "what-if"}]})
    assert load_scenario(path).network.lanes["L_AIR"].pricing.fx == ((D(2025, 1, 1), 7.3),)


def test_rate_multiplier_scales_the_card(case) -> None:
    sc = load_scenario(case(overrides={"rates": {"modes": {"air": 0.5},
                                                 "lanes": {"L_TIR_BORDER": 2}}}))
    air = sc.network.lanes["L_AIR"].pricing.lines[0]
    assert air.breaks == ((0.0, 2.6), (45.0, 2.4), (100.0, 2.05))
    assert (air.min_charge, air.fee_per_shipment, air.surcharge_per_unit,
            air.surcharge_pct) == (25.0, 12.5, 0.05, 12.0)
    assert sc.network.lanes["L_TIR_BORDER"].pricing.lines[0].breaks == ((0.0, 19_000.0),)


@pytest.mark.parametrize(("entry", "fragments"), [
    (added_rate(fuel_surcharge_pct=12), ["overrides.add_rates[0]", "fuel_surcharge_pct",
                                         "did you mean surcharge_pct?"]),
    (added_rate(**{"+45": 3}), ["unknown key '+45'", "breaks go in breaks: {45: ...}"]),
    (added_rate(breaks=[60]), ["field 'breaks'", "expected a mapping"]),
    (added_rate(breaks={"heavy": 3, 0: 60}), ["breaks.heavy", "a break is the units"]),
    (added_rate(breaks={0: 60, 5: 0}), ["breaks.5", "greater than 0"]),
    (added_rate(breaks={5: 60}), ["normal rate (from 0 units)"]),
    (added_rate(breaks={0: 60, 10: 50, 5: 55}), ["breaks.5", "breaks must ascend"]),
    (added_rate(lane_id="L_NEWW"), ["unknown lane 'L_NEWW'", "did you mean L_NEW?"]),
    (added_rate(currency="CHF"), ["no CHF rate", "overrides.add_rates[0] is priced in CHF"]),
    (added_rate(source=""), ["source is required"]),
    ("L_NEW", ["overrides.add_rates[0]", "expected a mapping"]),
])
def test_add_rates_rules(case, entry: Any, fragments: list[str]) -> None:
    problems(case(overrides={"add_lanes": [NEW_LANE], "add_rates": [entry]}), *fragments)


def test_added_lane_priced_twice_or_not_at_all(case) -> None:
    problems(case(overrides={"add_lanes": [NEW_LANE | {"cost_per_vehicle_cny": 900}],
                             "add_rates": [added_rate()]}),
             "overrides.add_lanes[0] (L_NEW), field 'cost_per_vehicle_cny'", "priced twice",
             "overrides.add_rates[0]")
    problems(case(overrides={"add_lanes": [NEW_LANE]}),
             "overrides.add_lanes[0] (L_NEW), field 'cost_per_kg_cny'",
             "a lane needs a cost per kg or per vehicle")


def test_issue_13_report_add_lane_with_a_forwarders_price(case) -> None:
    """The report: an added lane with currency, a minimum and a fuel surcharge was taken as
    if those keys meant something. They are refused, each pointing to add_rates."""
    entry = NEW_LANE | {"cost_per_kg_cny": 2.1, "currency": "USD", "min_charge": 150,
                        "fuel_surcharge_pct": 12}
    text = problems(case(overrides={"add_lanes": [entry]}),
                    "overrides.add_lanes[0].currency: unknown key 'currency'",
                    "overrides.add_lanes[0].min_charge: unknown key 'min_charge'",
                    "unknown key 'fuel_surcharge_pct' (did you mean surcharge_pct of a rate "
                    "line?)", "overrides.add_rates", "lanes.csv has: lane_id")
    # a refused lane's own rate lines are not reported again as lines of an unknown lane
    assert "unknown lane" not in text


# ---- unknown keys everywhere ------------------------------------------------------------------

UNKNOWN_KEYS = [
    (lambda d: d.update(objectve={}), ["field 'objectve'", "did you mean objective?",
                                       "allowed: name, description, as_of"]),
    (lambda d: d["network"].update(rate="x.csv"), ["network.rate", "did you mean rates?"]),
    (lambda d: d["policy"].update(regim="pilot"), ["policy.regim", "did you mean regime?"]),
    (lambda d: d["solver"].update(time_limit=3), ["solver.time_limit",
                                                  "did you mean time_limit_s?"]),
    (lambda d: d["consolidation"].update(window=3), ["consolidation.window",
                                                     "did you mean window_days?"]),
    (lambda d: d.update(objective={"cny_per_day": 1}), ["did you mean cny_per_transit_day?"]),
    (lambda d: d.update(commitments=[{"batch_id": "B", "parcel_ids": ["P1"], "lanes": ["L"],
                                      "return_port": "BORDER", "depart_date": "2025-07-02",
                                      "reason": "x"}]),
     ["commitments.0.reason", "allowed: batch_id"]),
    (lambda d: d.update(rules={"waiting": {"max_day": 3}}), ["rules.yaml", "waiting.max_day",
                                                              "did you mean max_days?"]),
    (lambda d: d.update(overrides={"add_rate": []}), ["overrides.add_rate",
                                                      "did you mean add_rates?"]),
    (lambda d: d.update(overrides={"close": {"node": ["BORDER"]}}), [
        "overrides.close.node", "did you mean nodes?"]),
    (lambda d: d.update(overrides={"close": {"nodes": [{"id": "BORDER", "until": "x"}]}}), [
        "overrides.close.nodes.0.WindowIn.until", "allowed: id, from, to"]),
    (lambda d: d.update(overrides={"capacity": {"lane": {}}}), ["did you mean lanes?"]),
    (lambda d: d.update(overrides={"rates": {"mode": {}}}), ["did you mean modes?"]),
    (lambda d: d.update(overrides={"batches": [{"match": {"orign": "HUB"}}]}), [
        "overrides.batches.0.match.orign", "did you mean origin?"]),
    (lambda d: d.update(overrides={"batches": [{"match": {"origin": "HUB"},
                                                "forbid_mode": ["air"]}]}),
     ["did you mean forbid_modes?"]),
    (lambda d: d.update(overrides={"fx": [{"currency": "USD", "date": "2025-01-01",
                                           "rate": 7, "source": "x"}]}),
     ["overrides.fx.0.rate", "allowed: date, currency, cny_per_unit, source"]),
    (lambda d: d.update(overrides={"add_lanes": [NEW_LANE | {"cost_per_kilo": 1}]}), [
        "overrides.add_lanes[0].cost_per_kilo", "did you mean cost_per_kg_cny?"]),
    (lambda d: d.update(overrides={"add_lanes": [NEW_LANE], "add_rates": [
        added_rate(carier="x")]}), ["overrides.add_rates[0]", "did you mean carrier?"]),
]


@pytest.mark.parametrize(("change", "fragments"), UNKNOWN_KEYS,
                         ids=[str(i) for i in range(len(UNKNOWN_KEYS))])
def test_unknown_keys_are_refused_everywhere(case, change: Any, fragments: list[str]) -> None:
    path = case()
    edit(path, change)
    problems(path, "unknown key", *fragments)


def test_unknown_keys_in_files(case) -> None:
    path = case()
    edit(path.parent / "ports.yaml", lambda d: d["nodes"][0].update(countr="RU"))
    problems(path, "ports.yaml", "nodes.0.countr", "did you mean country?")
    path = case()
    write_csv(path.parent / "lanes.csv", [r | {"cost_per_kilo": 0} for r in rated_lanes()],
              LANE_FIELDS)
    problems(path, "lanes.csv, line 1", "unknown column 'cost_per_kilo'",
             "did you mean cost_per_kg_cny?")
    path = case()
    write_csv(path.parent / "lanes.csv", [r | {"currency": "USD"} for r in rated_lanes()],
              LANE_FIELDS)
    problems(path, "unknown column 'currency'", "a rate line: give it in rates.csv")
    path = case()
    write_card(path.parent / "rates.csv", [r | {"fuel": 1} for r in good_card()],
               [*HEADER, "fuel"])
    problems(path, "rates.csv, line 1, field 'fuel': unknown column 'fuel'")


# ---- the command line -------------------------------------------------------------------------


def test_cli_exit_2_without_traceback(case) -> None:
    path = case([*good_card(), rate(basis="kgs", valid_from="2027-01-01", valid_to="")])
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert "rates.csv, line 5, field 'basis': unknown basis (did you mean kg?)" in res.output
    ok = CliRunner().invoke(cli, ["validate", str(case())])
    assert ok.exit_code == 0, ok.output
