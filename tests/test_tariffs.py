"""Rate cards in the plan: the bill of a shipment by hand (breaks, "pay the next break", the
minimum, surcharges, fees, volumetric weight, W/M, FX), and batches consolidated on one
departure reaching a better break, the solver against brute force with its own arithmetic."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
import random
from collections import defaultdict

import pytest
from conftest import lane, parcel

from optimizer.domain import Pricing, RateLine, Tariff
from optimizer.inputs import load_scenario
from optimizer.planning.pipeline import prepare, run

D0 = dt.date(2025, 1, 1)


def line(basis: str = "kg", breaks=((0, 5.0),), **kw) -> RateLine:
    """A rate line of the test lane L_AIR, valid from 2025."""
    return RateLine(lane_id=kw.pop("lane_id", "L_AIR"), service="std", carrier="X",
                    currency=kw.pop("currency", "USD"), valid_from=kw.pop("valid_from", D0),
                    valid_to=kw.pop("valid_to", None), basis=basis,  # type: ignore[arg-type]
                    breaks=tuple(breaks), source="test", **kw)


AIR = line(breaks=((0, 5.0), (45, 4.0), (100, 3.0)), min_charge=50, fee_per_shipment=10,
           surcharge_pct=10, surcharge_per_unit=0.2, divisor_cm3_per_kg=6000)


@pytest.mark.parametrize(("kg", "m3", "usd"), [
    # 1 kg: freight 5 < minimum 50 -> 50; +10% 5; security 0.2; fee 10
    (1, 0, 50 + 5 + 0.2 + 10),
    # 30 kg: 150 (+15, +6, +10) = 181 beats the +45 break billed (180 + 18 + 9 + 10 = 217)
    (30, 0, 150 + 15 + 6 + 10),
    # 40 kg: 200 + 20 + 8 + 10 = 238 > billed at 45 kg: 180 + 18 + 9 + 10 = 217
    (40, 0, 217),
    # 90 kg: 360 + 36 + 18 + 10 = 424 > billed at 100 kg: 300 + 30 + 20 + 10 = 360
    (90, 0, 360),
    # 150 kg: 450 + 45 + 30 + 10 = 535
    (150, 0, 535),
    # 20 kg in 0.9 m3: volumetric 0.9e6 / 6000 = 150 kg chargeable -> 535
    (20, 0.9, 535),
])
def test_bill_by_hand(kg: float, m3: float, usd: float) -> None:
    t = Tariff(AIR, 7.0, D0)
    bill = t.charge(kg, m3)
    assert bill is not None
    assert bill.total == pytest.approx(usd)
    assert t.cost_cny(kg, m3) == pytest.approx(usd * 7.0)


def test_bill_other_bases() -> None:
    # W/M: 2 t in 5 m3 -> 5 revenue tonnes x 40 = 200 < minimum 250 -> 250, + 30 fee
    wm = line("wm", ((0, 40.0), (10, 30.0)), min_charge=250, fee_per_shipment=30,
              currency="EUR")
    assert Tariff(wm, 8.0, D0).cost_cny(2000, 5) == pytest.approx(280 * 8.0)
    # 9 W/M t: 360 > billed at the +10 break: 300 -> 300 + 30
    assert Tariff(wm, 8.0, D0).cost_cny(9000, 3) == pytest.approx(330 * 8.0)
    # per m3, per shipment, per vehicle (with 12% fuel and a 100 fee)
    assert Tariff(line("m3", ((0, 100.0),)), 1.0, D0).cost_cny(5000, 2.5) == pytest.approx(250)
    ship = line("shipment", ((0, 80.0),), fee_per_shipment=20)
    assert Tariff(ship, 1.0, D0).cost_cny(1, 0) == pytest.approx(100)
    assert Tariff(ship, 1.0, D0).cost_cny(0, 0) == 0
    truck = line("vehicle", ((0, 1000.0),), surcharge_pct=12, fee_per_shipment=100)
    assert Tariff(truck, 7.0, D0).cost_cny(1, 0) == pytest.approx((1000 + 120 + 100) * 7.0)


def test_pricing_by_date() -> None:
    """The line valid on the departure, at the latest FX rate on or before it."""
    old = line(valid_to=dt.date(2025, 3, 31))
    new = line(breaks=((0, 4.0),), valid_from=dt.date(2025, 4, 1))
    p = Pricing((old, new), ((dt.date(2025, 1, 1), 7.1), (dt.date(2025, 4, 2), 7.3)))
    t = p.tariff_on(dt.date(2025, 4, 1))
    assert t is not None and t.line is new and t.fx_cny == 7.1
    assert t.fx_date == dt.date(2025, 1, 1)
    assert p.tariff_on(dt.date(2025, 4, 2)).fx_cny == 7.3  # type: ignore[union-attr]
    assert p.tariff_on(dt.date(2024, 12, 31)) is None  # no line yet
    assert Pricing((line(valid_from=dt.date(2024, 1, 1)),), ((D0, 7.0),)).tariff_on(
        dt.date(2024, 6, 1)) is None  # no exchange rate yet


# ---- the plan ---------------------------------------------------------------------------------


def bill(ln: RateLine, fx: float, kg: float, m3: float) -> float:
    """The test's own arithmetic of a shipment's bill (the README's definition)."""
    if kg <= 0 and m3 <= 0:
        return 0.0
    if ln.basis in ("shipment", "vehicle"):
        r = ln.breaks[0][1]
        return (r * (1 + ln.surcharge_pct / 100) + ln.surcharge_per_unit
                + ln.fee_per_shipment) * fx
    units = {"kg": max(kg, m3 * 1e6 / ln.divisor_cm3_per_kg if ln.divisor_cm3_per_kg else 0),
             "m3": m3, "wm": max(kg / 1000, m3)}[ln.basis]
    costs = []
    for k, (lo, rate) in enumerate(ln.breaks):
        nxt = ln.breaks[k + 1][0] if k + 1 < len(ln.breaks) else math.inf
        if units >= nxt:
            continue
        billed = max(units, lo)
        freight = max(ln.min_charge, rate * billed)
        costs.append(freight * (1 + ln.surcharge_pct / 100) + ln.surcharge_per_unit * billed
                     + ln.fee_per_shipment)
    return min(costs) * fx


def priced(sc, prices: dict[str, tuple[RateLine, float]]):
    """The scenario with rate cards on some lanes (lane id -> (line, CNY per unit))."""
    lanes = dict(sc.network.lanes)
    for lane_id, (ln, fx) in prices.items():
        lanes[lane_id] = dataclasses.replace(
            lanes[lane_id], cost_per_kg_cny=0.0, cost_per_vehicle_cny=0.0,
            pricing=Pricing((dataclasses.replace(ln, lane_id=lane_id),),
                            () if ln.currency == "CNY" else ((D0, fx),)))
    return dataclasses.replace(sc, network=dataclasses.replace(sc.network, lanes=lanes))


def vehicles(ln, kg: float, m3: float) -> int:
    """Whole vehicles of a lane a load needs (the test's own arithmetic)."""
    return max(1, math.ceil(max(kg / ln.vehicle_capacity_kg, m3 / ln.vehicle_capacity_m3)
                            - 1e-9))


def departure_cost(ln, prices: dict[str, tuple[RateLine, float]], kg: float, m3: float,
                   riders: list) -> float | None:
    """What one departure of a lane costs the batches on it beyond their own per-kg freight:
    the tariff's bill (per shipment or per batch), or its vehicles; None: over its limit."""
    cost = 0.0
    if ln.lane_id in prices:
        price, fx = prices[ln.lane_id]
        if price.shipment == "batch":  # each batch billed alone
            cost = sum(bill(price, fx, b.weight_kg, b.volume_m3) for b in riders)
        elif price.basis == "vehicle":
            cost = vehicles(ln, kg, m3) * bill(price, fx, 1, 0)
        else:
            cost = bill(price, fx, kg, m3)
    elif ln.cost_per_vehicle_cny > 0:
        cost = vehicles(ln, kg, m3) * ln.cost_per_vehicle_cny
    if ln.max_vehicles is None:
        return cost
    if ln.per_vehicle:
        return cost if vehicles(ln, kg, m3) <= ln.max_vehicles else None
    fits = (kg <= ln.max_vehicles * ln.vehicle_capacity_kg + 1e-9
            and m3 <= ln.max_vehicles * ln.vehicle_capacity_m3 + 1e-9)
    return cost if fits else None


def brute_force(prepared, prices: dict[str, tuple[RateLine, float]]) -> float | None:
    """The cheapest assignment of allowed options, shipments billed here by ``bill``."""
    allowed = prepared.allowed()
    batches = [b for b in prepared.batches if allowed[b.batch_id]]
    best = None
    for combo in itertools.product(*(allowed[b.batch_id] for b in batches)):
        load: dict[tuple[str, dt.date], list[float]] = defaultdict(lambda: [0.0, 0.0])
        riders: dict[tuple[str, dt.date], list] = defaultdict(list)
        lanes = {}
        for b, opt in zip(batches, combo, strict=True):
            for ln in opt.trip.lanes:
                load[(ln.lane_id, ln.departure)][0] += b.weight_kg
                load[(ln.lane_id, ln.departure)][1] += b.volume_m3
                riders[(ln.lane_id, ln.departure)].append(b)
                lanes[ln.lane_id] = ln
        cost = 0.0
        for b, o in zip(batches, combo, strict=True):  # what is not shared, less linear tariffs
            cost += o.clearance_cny + o.tax_cny + o.storage_cny + o.time_cny + o.co2_cny
            cost += sum(ln.parcel_charge(p.weight_kg for p in b.parcels)
                        for ln in o.trip.lanes)
            cost += sum(ln.cost_per_kg_cny * b.weight_kg for ln in o.trip.lanes
                        if ln.lane_id not in prices)
        declared = {(o.route.port.id, o.declare_date, b.trade_mode): o.route.port
                    for b, o in zip(batches, combo, strict=True)}
        cost += sum(port.clearance_fee_cny for port in declared.values())
        feasible = True
        shipped = [departure_cost(lanes[lane_id], prices, kg, m3, riders[(lane_id, day)])
                   for (lane_id, day), (kg, m3) in load.items()]
        feasible = all(c is not None for c in shipped)
        cost += sum(c for c in shipped if c is not None)
        if feasible and (best is None or cost < best):
            best = cost
    return best


def air_lanes(air_days: int = 2) -> list[dict]:
    """A hub with air to an airport and a TIR truck to a border, roads on to the sellers."""
    return [
        lane("L_AIR", "HUB", "AIRPORT", "air", per_kg=1.0, days=air_days, cap_kg=5000,
             cap_m3=30, max_vehicles=1),
        lane("L_TIR_BORDER", "HUB", "BORDER", "tir_road", per_vehicle=9000, days=6),
        lane("L_ROAD_AIR", "AIRPORT", "SELLER", "road", per_kg=0.3, days=1),
        lane("L_ROAD_BORDER", "BORDER", "SELLER", "road", per_kg=0.5, days=2),
    ]


def test_two_batches_reach_a_break_together(make_case) -> None:
    """60 kg and 50 kg ready on different days: alone each pays the +45 rate; waiting a day
    to fly together bills 110 kg at the +100 rate (hand-computed, storage and holding 0)."""
    path = make_case([parcel("A", 60, volume=0.1, ready="2025-07-01", value=1000),
                      parcel("B", 50, volume=0.1, ready="2025-07-02", value=1000)],
                     lanes=air_lanes(), window_days=0,
                     rules={"waiting": {"storage_cny_per_kg_day": 0.0}})
    air = line(breaks=((0, 5.0), (45, 4.0), (100, 3.0)), fee_per_shipment=10)
    sc = priced(load_scenario(path), {"L_AIR": (air, 7.0)})
    plan = run(sc, same_route_baseline=False)
    assert plan.status == "OPTIMAL"
    assert {bp.depart_date for bp in plan.batches} == {dt.date(2025, 7, 2)}
    shipments = [v for v in plan.vehicle_uses if v.lane_id == "L_AIR"]
    assert len(shipments) == 1 and shipments[0].count == 1
    # 110 kg x 3 USD + 10 fee = 340 USD x 7 = 2,380 CNY, vs alone (60x4+10 + 50x4+10) x 7
    assert shipments[0].cost_cny == pytest.approx(2380.0)
    assert shipments[0].bill is not None and shipments[0].bill.band_from == 100
    assert "+100 break" not in shipments[0].tariff and "110.0 kg x 3" in shipments[0].tariff
    freight = sum(bp.components.freight for bp in plan.batches)
    # air shares in proportion to chargeable kg, plus road 0.3/kg on 110 kg
    assert freight == pytest.approx(2380.0 + 0.3 * 110)
    # the batches' legs carry their share of the bill and the line applied
    legs = [leg for bp in plan.batches for leg in bp.legs if leg.lane_id == "L_AIR"]
    assert sum(leg.cost_cny for leg in legs) == pytest.approx(2380.0)
    assert all("FX 7 CNY/USD" in leg.tariff for leg in legs)


def random_line(rng: random.Random, basis: str) -> RateLine:
    """A random rate line of ``basis`` with breaks, a minimum, surcharges and fees."""
    if basis in ("vehicle", "shipment"):
        return line(basis, ((0, float(rng.randint(200, 1500))),),
                    fee_per_shipment=rng.choice([0, 50]), surcharge_pct=rng.choice([0, 12]))
    top = {"kg": (45, 100, 300, 1000), "wm": (1, 3, 5), "m3": (2, 5, 10)}[basis]
    rate = {"kg": 6.0, "wm": 400.0, "m3": 300.0}[basis]
    breaks = [(0, rate)]
    for lo in sorted(rng.sample(top, rng.randint(1, len(top)))):
        rate = round(rate * rng.uniform(0.6, 0.95), 2)
        breaks.append((lo, rate))
    return line(basis, breaks, min_charge=rng.choice([0, 100, 600]),
                fee_per_shipment=rng.choice([0, 25]), surcharge_pct=rng.choice([0, 15]),
                surcharge_per_unit=rng.choice([0, 0.1]),
                divisor_cm3_per_kg=rng.choice([None, 6000]) if basis == "kg" else None)


@pytest.mark.parametrize("seed", range(16))
def test_consolidated_tariffs_optimal_against_brute_force(make_case, seed: int) -> None:
    rng = random.Random(seed)
    parcels = [parcel(f"P{i}", round(rng.uniform(5, 400), 1),
                      volume=round(rng.uniform(0.05, 3), 2), value=1000,
                      ready=rng.choice(["2025-07-01", "2025-07-02", "2025-07-03"]))
               for i in range(rng.randint(2, 4))]
    path = make_case(parcels, lanes=air_lanes(), window_days=0,
                     rules={"waiting": {"max_days": 3, "max_departures": 2}})
    prices = {"L_AIR": (random_line(rng, rng.choice(["kg", "kg", "m3", "shipment"])),
                        round(rng.uniform(6.5, 7.5), 3)),
              "L_TIR_BORDER": (random_line(rng, rng.choice(["wm", "vehicle"])),
                               round(rng.uniform(6.5, 7.5), 3)),
              "L_ROAD_BORDER": (dataclasses.replace(
                  random_line(rng, "kg"), currency="CNY",
                  shipment=rng.choice(["departure", "batch"])), 1.0)}
    sc = priced(load_scenario(path), prices)
    expected = brute_force(prepare(sc), prices)
    plan = run(sc, same_route_baseline=False)
    assert expected is not None and not plan.unrouted
    assert plan.status == "OPTIMAL"
    assert plan.objective_cny == pytest.approx(expected, rel=1e-9, abs=1e-6)
    assert plan.summary.total_cny == pytest.approx(
        expected - sum(bp.components.total * 0 for bp in plan.batches), rel=1e-6)


def test_a_batch_billed_alone_pays_its_own_minimum(make_case) -> None:
    """Domestic delivery billed per batch (``shipment: batch``): two batches on the same
    departure each pay the 50 CNY minimum, where one consolidated shipment would pay it once."""
    path = make_case([parcel("A", 30, volume=0.05, dest="SELLER", value=1000),
                      parcel("B", 30, volume=0.05, dest="SELLER", value=1000,
                             mode="9710")], lanes=air_lanes(), window_days=0)
    road = line(breaks=((0, 1.0),), min_charge=50, currency="CNY", shipment="batch")
    sc = priced(load_scenario(path), {"L_ROAD_AIR": (road, 1.0), "L_ROAD_BORDER": (road, 1.0)})
    plan = run(sc, same_route_baseline=False)
    assert len(plan.batches) == 2
    for bp in plan.batches:
        leg = bp.legs[-1]
        assert leg.lane_id.startswith("L_ROAD_")  # not domestic express
        assert leg.cost_cny == pytest.approx(50.0) and "billed minimum" in leg.tariff


def test_the_yiwu_case_both_ways() -> None:
    """The Yiwu case held on TIR to Yiwu (as it moved): on groupage space it is billed per
    volumetric kg with its fee, on a dedicated truck per vehicle; one declaration each, and
    the groupage is the cheaper (README, "The Yiwu case on the rate cards")."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "scenarios"
    plans = {name: run(load_scenario(root / f"yiwu-tir-{name}.yaml"),
                       same_route_baseline=False) for name in ("groupage", "dedicated")}
    for name, plan in plans.items():
        assert plan.solver_status == "OPTIMAL" and not plan.unrouted
        assert {bp.return_port for bp in plan.batches} == {"YIWU_CUSTOMS"}
        assert {bp.mode for bp in plan.batches} == {"tir_road"}
        assert plan.summary.declarations == 1
        first = {bp.legs[0].lane_id for bp in plan.batches}
        assert all(lane.startswith("TIR_GRP_" if name == "groupage" else "TIR_FTL_")
                   for lane in first)
    grp, ftl = plans["groupage"], plans["dedicated"]
    assert grp.summary.cost_cny < ftl.summary.cost_cny
    # the groupage shipment is billed on its volumetric kg, one bill shared by the batches
    (ship,) = [v for v in grp.vehicle_uses if v.lane_id.startswith("TIR_GRP_")]
    assert ship.bill is not None and ship.bill.units == pytest.approx(ship.load_m3 * 1e6 / 3000)
    assert ship.cost_cny == pytest.approx(ship.bill.total_cny)
