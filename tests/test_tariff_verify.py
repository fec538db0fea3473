"""The checker on rate cards: each departure's line, exchange rate and bill, riders' shares of a
shipment's bill, marginal costs, wait savings and the air baseline, by the checker's own tariff
arithmetic (``optimizer.verify.tariffs``).

Each test solves a small plan whose lanes carry rate cards (built on the scenario like
tests/test_tariffs.py does: ``Lane.pricing`` set, the lanes.csv prices zeroed), states what the
checker must find in it by hand, then edits the document the way a forger would (or checks it
against a scenario whose rate card says otherwise) and expects a problem of the one kind the
edit breaks, about that batch or lane departure.

The air network (``_air``): HUB -air L_AIR, daily, 2 days-> AIRPORT (clears in 1 day, fee 400)
-road L_ROAD, daily, 1 day-> SELLER; and a dear TIR truck to BORDER. L_AIR is billed per
shipment on breaks in USD: 5 / +45 kg 4 / +100 kg 3 USD a kg, 10 USD a shipment, at 7.0 CNY/USD
from 2025-06-30 and 7.2 from 2025-07-02. L_ROAD is a linear CNY line: 0.3 CNY/kg + 10% = 0.33.

A (60 kg, ready Tue 07-01) waits a day for B (50 kg, ready 07-02): together 110 kg fly at the
+100 rate, 110 x 3 + 10 = 340 USD x 7.2 = 2,448 CNY, shared 60:50 by chargeable kg. Alone on
07-01 A would pay 60 x 4 + 10 = 250 USD x 7.0 = 1,750 CNY and a declaration of its own (400).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from conftest import lane, parcel

from optimizer.domain import Pricing, RateLine, Scenario
from optimizer.inputs import load_scenario
from optimizer.outputs.plan_json import plan_to_dict
from optimizer.planning.pipeline import run
from optimizer.verify import PlanProblem, verify_plan

Doc = dict[str, Any]
D = dt.date.fromisoformat
#: no domestic express lanes, no storage: the routes are the lanes listed, waiting is free
RULES = {"domestic_express": {"enabled": False}, "waiting": {"storage_cny_per_kg_day": 0.0}}
AIR_FX = ((D("2025-06-30"), 7.0), (D("2025-07-02"), 7.2))
SHIP = "L_AIR@2025-07-02"


def _found(problems: list[PlanProblem]) -> set[tuple[str, str | None]]:
    return {(p.kind, p.batch) for p in problems}


def _line(lane_id: str, basis: str, breaks: tuple[tuple[float, float], ...], *,
          currency: str = "USD", valid_from: str = "2025-01-01", valid_to: str | None = None,
          service: str = "std", **kw: Any) -> RateLine:
    return RateLine(lane_id=lane_id, service=service, carrier="X", currency=currency,
                    valid_from=D(valid_from), valid_to=None if valid_to is None else D(valid_to),
                    basis=basis, breaks=breaks, source="test", **kw)  # type: ignore[arg-type]


AIR = _line("L_AIR", "kg", ((0, 5.0), (45, 4.0), (100, 3.0)), fee_per_shipment=10)
ROAD = _line("L_ROAD", "kg", ((0, 0.3),), currency="CNY", surcharge_pct=10)
TRUCK = _line("L_TIR", "vehicle", ((0, 1000.0),), currency="EUR", surcharge_pct=12,
              fee_per_shipment=100)


def _priced(sc: Scenario, prices: dict[str, Pricing]) -> Scenario:
    """The scenario with these rate cards (lane id -> pricing), lanes.csv's prices zeroed."""
    lanes = dict(sc.network.lanes)
    for lane_id, pricing in prices.items():
        lanes[lane_id] = dataclasses.replace(lanes[lane_id], cost_per_kg_cny=0.0,
                                             cost_per_vehicle_cny=0.0, pricing=pricing)
    return dataclasses.replace(sc, network=dataclasses.replace(sc.network, lanes=lanes))


def _network() -> list[dict[str, Any]]:
    return [lane("L_AIR", "HUB", "AIRPORT", "air", per_kg=1.0, days=2, cap_kg=5000, cap_m3=30,
                 max_vehicles=1),
            lane("L_ROAD", "AIRPORT", "SELLER", "road", per_kg=1.0, days=1),
            lane("L_TIR", "HUB", "BORDER", "tir_road", per_vehicle=1.0, days=6),
            lane("L_ROAD_BORDER", "BORDER", "SELLER", "road", per_kg=0.5, days=2)]


def _air_prices(air: Pricing | None = None) -> dict[str, Pricing]:
    return {"L_AIR": air or Pricing((AIR,), AIR_FX), "L_ROAD": Pricing((ROAD,)),
            "L_TIR": Pricing((dataclasses.replace(TRUCK, breaks=((0, 90_000.0),)),),
                             ((D("2025-01-01"), 8.0),))}


def _solve(sc: Scenario) -> Doc:
    return plan_to_dict(run(sc, same_route_baseline=False, check=False))


@pytest.fixture
def air_path(make_case) -> Path:
    return make_case([parcel("A", 60, volume=0.1, value=1000, ready="2025-07-01"),
                      parcel("B", 50, volume=0.1, value=1000, ready="2025-07-02")],
                     lanes=_network(), window_days=0, rules=RULES)


@pytest.fixture
def air(air_path: Path) -> tuple[Scenario, Doc]:
    """A and B on one air shipment (see the module docstring)."""
    sc = _priced(load_scenario(air_path), _air_prices())
    return sc, _solve(sc)


def _batch(doc: Doc, pid: str) -> Doc:
    return next(b for b in doc["batches"] if pid in b["parcel_ids"])


def _entry(doc: Doc, name: str = SHIP) -> Doc:
    lane_id, period = name.split("@")
    return next(v for v in doc["vehicles"] if (v["lane_id"], v["period"]) == (lane_id, period))


def _leg(b: Doc, lane_id: str) -> Doc:
    return next(leg for leg in b["legs"] if leg["lane_id"] == lane_id)


# ---- plans that check out, with hand figures ---------------------------------------------------


def test_a_shared_shipment_checks_out_with_hand_figures(air) -> None:
    sc, doc = air
    assert verify_plan(doc, sc) == []
    a, b = _batch(doc, "A"), _batch(doc, "B")
    assert a["depart_date"] == b["depart_date"] == "2025-07-02"
    v = _entry(doc)
    t = v["tariff"]
    assert (v["count"], v["cost_cny"]) == (1, pytest.approx(2448.0))
    assert (t["fx_cny"], t["fx_date"], t["units"], t["billed_units"], t["band_from"],
            t["rate"], t["minimum_applied"], t["total"], t["total_cny"]) == (
        7.2, "2025-07-02", 110, 110, 100, 3.0, False, 340.0, 2448.0)
    # shares by chargeable kg, in freight (not vehicles), plus the linear road 0.33 CNY/kg
    assert a["components"]["freight"] == pytest.approx(2448 * 60 / 110 + 0.33 * 60, abs=0.01)
    assert b["components"]["freight"] == pytest.approx(2448 * 50 / 110 + 0.33 * 50, abs=0.01)
    assert a["components"]["vehicles"] == 0
    assert _leg(a, "L_AIR")["cost_cny"] == pytest.approx(2448 * 60 / 110, abs=0.01)
    assert _leg(a, "L_AIR")["tariff"] == t["text"]
    road = _entry(doc, f"L_ROAD@{_leg(a, 'L_ROAD')['depart_date']}")
    assert (road["count"], road["cost_cny"], road["tariff"]["fx_cny"]) == (0, 0, 1.0)
    # without A, B flies alone at the +45 rate: 50 x 4 + 10 = 210 USD x 7.2 = 1,512 CNY
    assert a["marginal_cny"] == pytest.approx(2448 - 1512 + 0.33 * 60, abs=0.01)
    # leaving on 07-01 A would fly alone (1,750) and declare alone (400)
    assert a["wait_days"] == 1
    assert a["wait_saving_cny"] == pytest.approx(1750 + 400 + 0.33 * 60 - a["marginal_cny"],
                                                 abs=0.01)
    # the air baseline: each alone on its cheapest air trip, billed on its own load
    assert a["air_cost_cny"] == pytest.approx(1750 + 400 + 0.33 * 60, abs=0.01)
    assert b["air_cost_cny"] == pytest.approx(1512 + 400 + 0.33 * 50, abs=0.01)
    assert doc["totals"]["freight_cny"] == pytest.approx(2448 + 0.33 * 110, abs=0.01)


def test_a_vehicle_basis_lane_checks_out(make_case) -> None:
    """A 3 t parcel takes the truck: (1,000 EUR + 12% + 100 EUR fee) x 8.0 = 9,760 CNY."""
    path = make_case([parcel("T", 3000, volume=10)], lanes=_network(), rules=RULES)
    prices = {**_air_prices(), "L_TIR": Pricing((TRUCK,), ((D("2025-01-01"), 8.0),))}
    sc = _priced(load_scenario(path), prices)
    doc = _solve(sc)
    assert verify_plan(doc, sc) == []
    (b,) = doc["batches"]
    v = _entry(doc, f"L_TIR@{b['depart_date']}")
    assert (v["count"], v["cost_cny"], v["tariff"]["total_cny"], v["tariff"]["units"]) == (
        1, 9760.0, 9760.0, 1)
    assert b["components"]["vehicles"] == 9760.0
    # a vehicle-basis entry is a vehicle's bill: a wrong one is found
    forged = copy.deepcopy(doc)
    _entry(forged, f"L_TIR@{b['depart_date']}")["tariff"]["total"] = 1000.0
    assert ("tariff_bill", f"L_TIR@{b['depart_date']}") in _found(verify_plan(forged, sc))


def test_an_fx_series_and_a_new_line_over_time(air_path: Path) -> None:
    """Lines replace each other: A's own departure on 07-01 is on the old line, at 7.0."""
    old = dataclasses.replace(AIR, valid_to=D("2025-07-01"), service="old")
    new = dataclasses.replace(AIR, valid_from=D("2025-07-02"), service="new",
                              breaks=((0, 6.0), (45, 5.0), (100, 4.0)))
    sc = _priced(load_scenario(air_path), _air_prices(Pricing((old, new), AIR_FX)))
    doc = _solve(sc)
    assert verify_plan(doc, sc) == []
    for v in doc["vehicles"]:
        if v["lane_id"] == "L_AIR":
            want = ("old", "2025-06-30", 7.0) if v["period"] == "2025-07-01" else (
                "new", "2025-07-02", 7.2)
            assert (v["tariff"]["service"], v["tariff"]["fx_date"], v["tariff"]["fx_cny"]) == want


def test_batches_billed_alone(air_path: Path) -> None:
    """A road line billing each batch alone (``shipment: batch``: delivery to different
    consignees): A and B each pay the 50 CNY minimum on the road, in their own freight; the
    departure's entry states the line but no bill, and costs nothing of its own."""
    road = _line("L_ROAD", "kg", ((0, 0.3),), currency="CNY", min_charge=50.0,
                 shipment="batch")
    sc = _priced(load_scenario(air_path), {**_air_prices(), "L_ROAD": Pricing((road,))})
    doc = _solve(sc)
    assert verify_plan(doc, sc) == []
    a, b = _batch(doc, "A"), _batch(doc, "B")
    assert _leg(a, "L_ROAD")["cost_cny"] == _leg(b, "L_ROAD")["cost_cny"] == 50.0
    assert a["components"]["freight"] == pytest.approx(2448 * 60 / 110 + 50, abs=0.01)
    v = _entry(doc, f"L_ROAD@{_leg(a, 'L_ROAD')['depart_date']}")
    assert (v["count"], v["cost_cny"], v["tariff"]["total"], v["tariff"]["service"]) == (
        0, 0, None, "std")
    # without A the plan saves its own road bill too
    assert a["marginal_cny"] == pytest.approx(2448 - 1512 + 50, abs=0.01)
    forged = copy.deepcopy(doc)
    _leg(_batch(forged, "A"), "L_ROAD")["cost_cny"] = 18.0  # 60 kg x 0.3, no minimum
    assert ("leg_costs", a["batch_id"]) in _found(verify_plan(forged, sc))
    forged = copy.deepcopy(doc)
    name = f"L_ROAD@{v['period']}"
    _entry(forged, name)["tariff"].update(units=110.0, billed_units=110.0, total=50.0)
    assert ("tariff_bill", name) in _found(verify_plan(forged, sc))


# ---- forgeries -------------------------------------------------------------------------------


def test_wrong_band(air) -> None:
    sc, doc = air
    t = _entry(doc)["tariff"]
    t["band_from"], t["rate"] = 45, 4.0
    assert ("tariff_bill", SHIP) in _found(verify_plan(doc, sc))


def test_pay_the_next_break_is_required(air) -> None:
    """Billing 110 kg as if the +100 break did not exist (440 + 10 USD) is not the bill."""
    sc, doc = air
    v = _entry(doc)
    v["tariff"].update(band_from=45, rate=4.0, freight=440.0, total=450.0, total_cny=3240.0)
    v["cost_cny"] = 3240.0
    found = _found(verify_plan(doc, sc))
    assert {("tariff_bill", SHIP), ("vehicle_cost", SHIP)} <= found


@pytest.mark.parametrize(("field", "value"), [("fx_cny", 7.0), ("fx_date", "2025-06-30")])
def test_wrong_fx(air, field: str, value: Any) -> None:
    sc, doc = air
    _entry(doc)["tariff"][field] = value
    assert ("tariff_fx", SHIP) in _found(verify_plan(doc, sc))


def test_a_bill_not_matching_the_load(air) -> None:
    sc, doc = air
    v = _entry(doc)
    v["tariff"].update(units=100.0, billed_units=100.0, freight=300.0, total=310.0,
                       total_cny=2232.0)
    v["cost_cny"] = 2232.0
    found = _found(verify_plan(doc, sc))
    assert {("tariff_bill", SHIP), ("vehicle_cost", SHIP)} <= found


def test_a_share_moved_between_batches(air) -> None:
    sc, doc = air
    a, b = _batch(doc, "A"), _batch(doc, "B")
    for batch, delta in ((a, -100.0), (b, 100.0)):
        _leg(batch, "L_AIR")["cost_cny"] += delta
        batch["components"]["freight"] += delta
        batch["cost_cny"] += delta
    found = _found(verify_plan(doc, sc))
    assert {("tariff_share", a["batch_id"]), ("tariff_share", b["batch_id"]),
            ("cost_component", a["batch_id"]), ("cost_component", b["batch_id"])} <= found
    assert not any(kind in ("total", "objective") for kind, _ in found)


@pytest.mark.parametrize(("count", "kind"), [(2, "extra_vehicles"), (0, "no_vehicle")])
def test_count_is_one_shipment(air, count: int, kind: str) -> None:
    sc, doc = air
    doc["totals"]["vehicles"] += count - _entry(doc)["count"]
    _entry(doc)["count"] = count
    assert _found(verify_plan(doc, sc)) == {(kind, SHIP)}


def test_a_shipment_without_its_entry(air) -> None:
    sc, doc = air
    doc["vehicles"].remove(_entry(doc))
    doc["totals"]["vehicles"] -= 1
    assert ("no_vehicle", SHIP) in _found(verify_plan(doc, sc))


def test_a_departure_with_no_valid_line(air, air_path: Path) -> None:
    """The plan flies on 07-02; the rate card of another scenario prices nothing that day."""
    _, doc = air
    gap = Pricing((dataclasses.replace(AIR, valid_to=D("2025-07-01")),
                   dataclasses.replace(AIR, valid_from=D("2025-07-03"))), AIR_FX)
    sc = _priced(load_scenario(air_path), _air_prices(gap))
    found = _found(verify_plan(doc, sc))
    a, b = _batch(doc, "A"), _batch(doc, "B")
    assert {("unpriced_departure", SHIP), ("unpriced_departure", a["batch_id"]),
            ("unpriced_departure", b["batch_id"])} <= found


def test_a_departure_before_any_fx_rate(air, air_path: Path) -> None:
    _, doc = air
    late = Pricing((AIR,), ((D("2025-07-03"), 7.2),))
    sc = _priced(load_scenario(air_path), _air_prices(late))
    found = _found(verify_plan(doc, sc))
    assert ("unpriced_departure", SHIP) in found
    assert ("unpriced_departure", _batch(doc, "B")["batch_id"]) in found


def test_an_expired_line_used(air_path: Path) -> None:
    old = dataclasses.replace(AIR, valid_to=D("2025-07-01"), service="old",
                              breaks=((0, 6.0), (45, 5.0), (100, 4.0)))
    sc = _priced(load_scenario(air_path), _air_prices(Pricing((old, AIR), AIR_FX)))
    doc = _solve(sc)
    assert verify_plan(doc, sc) == []
    t = _entry(doc)["tariff"]
    assert t["service"] == "std"
    t.update(service="old", valid_to="2025-07-01", breaks=[[0, 6.0], [45, 5.0], [100, 4.0]])
    found = verify_plan(doc, sc)
    assert ("tariff_line", SHIP) in _found(found)
    assert any("does not price a departure on 2025-07-02" in p.detail for p in found)


def test_a_leg_without_its_line(air) -> None:
    sc, doc = air
    a = _batch(doc, "A")
    _leg(a, "L_AIR")["tariff"] = None
    assert ("tariff_line", a["batch_id"]) in _found(verify_plan(doc, sc))


def test_linear_freight_per_kg(air) -> None:
    """The road's linear line prices A's freight at 0.33 CNY/kg, not lanes.csv's 1.0."""
    sc, doc = air
    a = _batch(doc, "A")
    _leg(a, "L_ROAD")["cost_cny"] = 60.0
    a["components"]["freight"] += 60.0 - 0.33 * 60
    found = _found(verify_plan(doc, sc))
    assert {("leg_costs", a["batch_id"]), ("cost_component", a["batch_id"])} <= found


@pytest.mark.parametrize(("field", "kind"), [("marginal_cny", "marginal_cost"),
                                             ("wait_saving_cny", "wait_saving"),
                                             ("air_cost_cny", "air_cost")])
def test_figures_that_depend_on_the_bill(air, field: str, kind: str) -> None:
    sc, doc = air
    a = _batch(doc, "A")
    a[field] += 50.0
    assert (kind, a["batch_id"]) in _found(verify_plan(doc, sc))


#: the problem kinds of rate cards, each with the test that makes it (for
#: tests/test_verify.py's ``test_every_kind_is_exercised``)
EXERCISED = {
    "unpriced_departure": test_a_departure_with_no_valid_line,
    "tariff_line": test_an_expired_line_used,
    "tariff_fx": test_wrong_fx,
    "tariff_bill": test_wrong_band,
    "tariff_share": test_a_share_moved_between_batches,
}
