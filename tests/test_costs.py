"""Costs against hand-computed values on the small network (see conftest.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from conftest import parcel

from optimizer.inputs import load_scenario
from optimizer.planning.costs import add_months
from optimizer.planning.pipeline import run


def _by_batch(plan):
    return {bp.batch_id: bp for bp in plan.batches}


def test_hand_computed_single_batch(make_case) -> None:
    # 1,000 kg, 5 m3, pilot regime (2025-07-10). Options, by hand:
    #   BORDER:  truck 10,000 + clearance 500 + 3.0 * 1,000 road       = 13,500 (9 days)
    #   INLAND:  truck 15,000 + clearance 300 + 0.2 * 1,000 road       = 15,500 (10 days)
    #   NOPILOT: rejected (district CDIST is not a pilot)
    #   AIRPORT: 30 * 1,000 air + 400 + 0.3 * 1,000                    = 30,700 (4 days)
    plan = run(load_scenario(make_case([parcel("P1", 1000)])))
    assert plan.status == "OPTIMAL"
    (bp,) = plan.batches
    assert bp.return_port == "BORDER"
    assert bp.cost_cny == pytest.approx(13_500)
    assert dataclasses.asdict(bp.components) == pytest.approx(
        {"freight": 3000, "vehicles": 10_000, "clearance": 500, "tax_exposure": 0,
         "storage": 0})  # it leaves the day it is ready: no storage
    assert [leg.cost_cny for leg in bp.legs] == pytest.approx([10_000, 3000])
    assert bp.transit_days == 9
    assert bp.eta == dt.date(2025, 7, 10)
    assert bp.air_cost_cny == pytest.approx(30_700)
    assert plan.objective_cny == pytest.approx(13_500)
    assert plan.bound_cny == pytest.approx(13_500)
    assert plan.summary.saving_vs_air_pct == pytest.approx((30_700 - 13_500) / 30_700 * 100)
    # CO2e: 1 t * 1,000 km * 100 g/t-km on each of 2 legs = 200 kg
    assert bp.co2e_kg == pytest.approx(200)


def test_heavier_batch_moves_inland(make_case) -> None:
    # 3,000 kg: BORDER 10,000 + 500 + 9,000 = 19,500; INLAND 15,000 + 300 + 600 = 15,900.
    plan = run(load_scenario(make_case([parcel("P1", 3000, volume=15)])))
    (bp,) = plan.batches
    assert (bp.return_port, bp.return_district, bp.entry_point) == ("INLAND", "BDIST", "BORDER")
    assert bp.cost_cny == pytest.approx(15_900)


def test_two_batches_share_one_truck(make_case) -> None:
    # Two 1,300 kg batches (different seller clusters) leaving the same week.
    # Alone, each is cheapest at BORDER: 10,000 + 500 + 3.0 * 1,300 = 14,400 -> 28,800 for both.
    # Sharing one INLAND truck and one declaration (same port, day and trade mode):
    # 15,000 + 300 + 2 * 0.2 * 1,300 = 15,820.
    parcels = [parcel("P1", 1300, dest="SELLER"), parcel("P2", 1300, dest="SELLER2")]
    plan = run(load_scenario(make_case(parcels)))
    assert plan.status == "OPTIMAL"
    assert plan.summary.cost_cny == pytest.approx(15_820)
    assert plan.summary.greedy_baseline_cny == pytest.approx(28_800)
    assert {bp.return_port for bp in plan.batches} == {"INLAND"}
    (truck,) = [v for v in plan.vehicle_uses if v.lane_id == "L_TIR_INLAND"]
    assert truck.count == 1 and truck.load_kg == pytest.approx(2600)
    # the shared truck's cost is split by the space each batch takes: half each
    assert [bp.components.vehicles for bp in plan.batches] == pytest.approx([7500, 7500])


def test_batches_beyond_waiting_reach_do_not_share(make_case) -> None:
    # ready two weeks apart: the first may wait at most for its next two daily departures
    # (rules.yaml waiting), so the trucks leave on different days and are paid twice
    parcels = [parcel("P1", 1300, dest="SELLER", ready="2025-07-01"),
               parcel("P2", 1300, dest="SELLER2", ready="2025-07-15", export="2025-06-20")]
    plan = run(load_scenario(make_case(parcels, as_of="2025-07-01")))
    assert plan.summary.cost_cny == pytest.approx(28_800)
    assert [bp.depart_date for bp in plan.batches] == [dt.date(2025, 7, 1),
                                                       dt.date(2025, 7, 15)]


def test_volume_binds_vehicles(make_case) -> None:
    # 2,000 kg but 100 m3: the 80 m3 truck needs 2 vehicles on either TIR lane.
    # BORDER: 2 * 10,000 + 500 + 6,000 = 26,500; INLAND: 2 * 15,000 + 300 + 400 = 30,700;
    # AIRPORT: 60,000 + 400 + 600 -> BORDER.
    plan = run(load_scenario(make_case([parcel("P1", 2000, volume=100)])))
    (bp,) = plan.batches
    assert bp.return_port == "BORDER" and bp.cost_cny == pytest.approx(26_500)
    (truck,) = [v for v in plan.vehicle_uses if v.lane_id == "L_TIR_BORDER"]
    assert truck.count == 2


def test_max_vehicles_per_departure_forces_a_wait_or_a_second_choice(make_case) -> None:
    from conftest import lane, small_lanes
    lanes = [row for row in small_lanes() if row["lane_id"] != "L_TIR_BORDER"]
    lanes.append(lane("L_TIR_BORDER", "HUB", "BORDER", "tir_road", per_vehicle=10_000, days=5,
                      max_vehicles=1))
    # Two 1,000 kg, 70 m3 batches: one 80 m3 truck cannot hold both; BORDER allows 1 truck.
    parcels = [parcel("P1", 1000, volume=70, dest="SELLER"),
               parcel("P2", 1000, volume=70, dest="SELLER2")]
    # without waiting: one batch at BORDER (13,500), the other at INLAND (15,000 + 300 + 200)
    plan = run(load_scenario(make_case(parcels, lanes=lanes, rules={"waiting": {"max_days": 0}})))
    assert all(v.count <= 1 for v in plan.vehicle_uses if v.lane_id == "L_TIR_BORDER")
    assert plan.summary.cost_cny == pytest.approx(13_500 + 15_500)
    # with waiting: the second takes the next day's BORDER truck, paying a day of storage at
    # 0.01 CNY/kg (rules.yaml): 13,500 + 13,500 + 10
    plan = run(load_scenario(make_case(parcels, lanes=lanes)))
    trucks = [v for v in plan.vehicle_uses if v.lane_id == "L_TIR_BORDER"]
    assert [(v.period, v.count) for v in trucks] == [("2025-07-01", 1), ("2025-07-02", 1)]
    assert sorted(bp.wait_days for bp in plan.batches) == [0, 1]
    assert sorted(bp.components.storage for bp in plan.batches) == pytest.approx([0, 10])
    assert plan.summary.cost_cny == pytest.approx(13_500 + 13_500 + 10)


def test_transit_day_and_holding_prices_change_the_choice(make_case) -> None:
    # 1,000 kg worth 100,000: BORDER 13,500 in 9 days vs AIRPORT 30,700 in 4 days.
    # At 4,000 CNY a day: BORDER 13,500 + 36,000 = 49,500; AIRPORT 30,700 + 16,000 = 46,700.
    plan = run(load_scenario(make_case([parcel("P1", 1000)],
                                       objective={"cny_per_transit_day": 4000})))
    (bp,) = plan.batches
    assert bp.return_port == "AIRPORT"
    assert plan.objective_cny == pytest.approx(46_700)
    assert bp.cost_cny == pytest.approx(30_700)  # the landed cost excludes the shadow price
    # holding cost 365% a year on 100,000 = 1,000 CNY a day: BORDER 22,500, AIRPORT 34,700
    plan = run(load_scenario(make_case([parcel("P1", 1000)],
                                       objective={"holding_cost_pct_per_year": 365})))
    assert plan.batches[0].return_port == "BORDER"
    assert plan.objective_cny == pytest.approx(13_500 + 9 * 1000)


def test_add_months_clamps() -> None:
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 1, 10), 6) == dt.date(2026, 7, 10)
    assert add_months(dt.date(2025, 12, 15), 1) == dt.date(2026, 1, 15)
