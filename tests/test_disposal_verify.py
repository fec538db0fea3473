"""The checker on what the planner gained: domestic express, disposal abroad, soft deadlines and
marginal costs, each on a small plan of tests/conftest.py's network with figures worked by hand.

The network's clearing nodes are 1,050 km of road from its seller clusters, so rules.yaml's
express zone "up to 1,500 km" applies: 12 CNY for a parcel's first kg, 5 CNY for each further
kg begun, 3 days. Disposal (rules.yaml defaults, switched on here): 2 CNY/kg plus 70% - 10% of
the value.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from conftest import lane, parcel, small_lanes

from optimizer.domain import Batch, Scenario
from optimizer.inputs import load_scenario
from optimizer.outputs.plan_json import plan_to_dict
from optimizer.planning.pipeline import run
from optimizer.verify import PlanProblem, verify_plan
from optimizer.verify.arith import days_late, lateness_cny, parcel_charge

Doc = dict[str, Any]
DISPOSAL = {"disposal": {"allowed": True}}


def _solve(path: Path) -> tuple[Scenario, Doc]:
    sc = load_scenario(path)
    return sc, plan_to_dict(run(sc, same_route_baseline=False))


def _kinds(problems: list[PlanProblem]) -> set[tuple[str, str | None]]:
    return {(p.kind, p.batch) for p in problems}


# ---- domestic express ------------------------------------------------------------------------


def _express_lanes() -> list[dict[str, Any]]:
    """Groupage (2 CNY/kg) to INLAND, whose only road lane to SELLER is a 6,000 CNY truck."""
    rows = [r for r in small_lanes() if not r["lane_id"].startswith("L_ROAD_INLAND")]
    rows.append(lane("L_GRP_INLAND", "HUB", "INLAND", "tir_road", per_kg=2.0, days=8,
                     via="BORDER"))
    rows.append(lane("L_TRUCK_INLAND", "INLAND", "SELLER", "road", per_vehicle=6000))
    return rows


def test_an_express_leg_costs_each_parcels_first_and_further_kg(make_case) -> None:
    # three parcels of 2.5, 1.0 and 0.4 kg: 12 + 2 x 5, 12, 12 = 46 CNY by express; the batch
    # pays groupage 2 x 3.9 = 7.8, express 46 and INLAND's declaration 300 = 353.8
    rows = [parcel("A", 2.5, volume=0.02, value=500), parcel("B", 1.0, volume=0.01, value=100),
            parcel("C", 0.4, volume=0.01, value=100)]
    sc, doc = _solve(make_case(rows, lanes=_express_lanes()))
    assert verify_plan(doc, sc) == []
    (b,) = doc["batches"]
    express = b["legs"][-1]
    assert express["lane_id"] == "EXPRESS_INLAND_SELLER" and express["cost_cny"] == 46
    assert b["components"]["freight"] == pytest.approx(7.8 + 46)
    assert b["cost_cny"] == pytest.approx(353.8)
    lane_ = sc.network.lanes["EXPRESS_INLAND_SELLER"]
    parcels = sorted(sc.parcels, key=lambda p: p.parcel_id)
    assert parcel_charge(lane_, parcels) == pytest.approx(46)
    assert parcel_charge(sc.network.lanes["L_GRP_INLAND"], parcels) == 0
    # the express charge left out of the leg (and only there) is caught there alone
    forged = copy.deepcopy(doc)
    forged["batches"][0]["legs"][-1]["cost_cny"] = 0.0
    assert _kinds(verify_plan(forged, sc)) == {("leg_costs", b["batch_id"])}


def test_the_all_air_baseline_and_a_return_alone_pay_express(make_case) -> None:
    # only the air lane: the return goes on by express from the airport. All-air for a 2 kg
    # parcel: 30 x 2 + (12 + 5) + the airport's declaration 400 = 477
    air = [r for r in small_lanes() if r["lane_id"] == "L_AIR"]
    sc, doc = _solve(make_case([parcel("P", 2, volume=0.01, value=100_000)], lanes=air))
    (b,) = doc["batches"]
    assert [leg["lane_id"] for leg in b["legs"]] == ["L_AIR", "EXPRESS_AIRPORT_SELLER"]
    assert b["air_cost_cny"] == pytest.approx(477) and b["cost_cny"] == pytest.approx(477)
    assert verify_plan(doc, sc) == []
    forged = copy.deepcopy(doc)
    forged["batches"][0]["air_cost_cny"] = 460.0  # the express leg left out of the baseline
    assert ("air_cost", b["batch_id"]) in _kinds(verify_plan(forged, sc))


# ---- disposal --------------------------------------------------------------------------------


TINY = "HUB-SELLER-general-9610-ADIST-BORDER-20250701"


@pytest.fixture
def tiny(make_case) -> tuple[Scenario, Doc]:
    """A 2 kg parcel worth 100 CNY: disposal 2 x 2 + 60% x 100 = 64 CNY; returning it alone
    by air 30 x 2 + road 0.3 x 2 + the airport's declaration 400 = 460.6 CNY."""
    return _solve(make_case([parcel("TINY", 2, volume=0.01, value=100)], rules=DISPOSAL))


def test_a_disposed_batch_checks_out_with_hand_figures(tiny) -> None:
    sc, doc = tiny
    assert verify_plan(doc, sc) == []
    assert doc["batches"] == [] and doc["unrouted"] == [] and doc["status"] == "OPTIMAL"
    (d,) = doc["disposed"]
    assert (d["batch_id"], d["cost_cny"], d["return_cny"], d["reasons"]) == (
        TINY, 64, 460.6, [])
    assert d["why"] == ("disposal 64 CNY = 2 CNY/kg x 2.00 kg + (70% - 10%) of value 100 CNY; "
                        "returning it alone would cost 461 CNY (its cheapest compliant route, "
                        "own vehicles and declaration)")
    assert d["window_start"] == "2025-07-01" and d["parcel_ids"] == ["TINY"]
    t = doc["totals"]
    assert (t["batches_disposed"], t["parcels_disposed"], t["weight_disposed_kg"],
            t["value_disposed_cny"], t["disposal_cny"], t["total_cny"], t["cost_cny"]) == (
        1, 1, 2, 100, 64, 64, 0)
    assert t["cost_per_kg_cny"] is None and t["batches"] == 1
    assert doc["objective_cny"] == 64 and doc["meta"]["unrouted_penalty_cny"] == 0


def _disposed(d: Doc) -> Doc:
    return d["disposed"][0]


FORGED: dict[str, tuple[Any, str]] = {
    "cost lowered": (lambda d: _disposed(d).update(cost_cny=32.0), "disposal_cost"),
    "return understated": (lambda d: _disposed(d).update(return_cny=60.0), "disposal_return"),
    "no return claimed": (lambda d: _disposed(d).update(return_cny=None), "disposal_return"),
    "why edited": (lambda d: _disposed(d).update(why="cheaper to burn"), "disposal_why"),
    "reason invented": (lambda d: _disposed(d)["reasons"].append(
        {"rule": "RETURN_WINDOW", "passed": False, "detail": "made up"}), "disposal_reason"),
    "window start moved": (lambda d: _disposed(d).update(window_start="2025-06-30"),
                           "batch_fields"),
}


@pytest.mark.parametrize("name", sorted(FORGED))
def test_a_forged_disposal_is_caught(tiny, name: str) -> None:
    sc, doc = tiny
    edit, kind = FORGED[name]
    doc = copy.deepcopy(doc)
    edit(doc)
    assert (kind, TINY) in _kinds(verify_plan(doc, sc))


def test_disposal_the_rule_forbids_and_a_disposable_batch_left_unrouted(tiny, make_case
                                                                         ) -> None:
    sc, doc = tiny
    # checked against the same inputs with general goods forbidden from disposal
    strict = load_scenario(make_case([parcel("TINY", 2, volume=0.01, value=100)], rules={
        "disposal": {"allowed": True, "forbid_goods_classes": ["general"]}}))
    assert ("disposal_forbidden", TINY) in _kinds(verify_plan(doc, strict))
    # the disposed batch listed unrouted instead (counts tidied): a batch that may be
    # disposed of is never left behind
    forged = copy.deepcopy(doc)
    d = forged["disposed"].pop()
    forged["unrouted"].append({"batch_id": d["batch_id"], "origin": d["origin"],
                               "destination": d["destination"], "weight_kg": d["weight_kg"],
                               "reasons": [{"rule": "CAPACITY", "detail": "full"}],
                               "would_route": None, "parcel_ids": d["parcel_ids"]})
    forged["totals"].update(batches_disposed=0, batches_unrouted=1, parcels_disposed=0,
                            parcels_unrouted=1)
    assert ("unrouted_disposable", TINY) in _kinds(verify_plan(forged, sc))


def test_every_batch_disposed_of_is_not_infeasible(tiny) -> None:
    sc, doc = tiny
    forged = copy.deepcopy(doc)
    forged["status"] = "INFEASIBLE"
    assert ("status", None) in _kinds(verify_plan(forged, sc))
    forged = copy.deepcopy(doc)
    forged["totals"]["total_cny"] = 0.0  # the disposal left out of the total
    assert _kinds(verify_plan(forged, sc)) == {("total", None)}
    forged = copy.deepcopy(doc)
    forged["objective_cny"] = forged["bound_cny"] = 0.0  # nor out of the objective
    assert ("objective", None) in _kinds(verify_plan(forged, sc))


def test_a_stale_parcel_is_disposed_of_for_the_rules(make_case) -> None:
    # exported more than a year before: RETURN_WINDOW refuses every route (DISTRICT those to
    # NOPILOT), nothing brings it back; 5 kg worth 100,000: 2 x 5 + 60% x 100,000 = 60,010 CNY
    sc, doc = _solve(make_case([parcel("STALE", 5, export="2024-05-01")], rules=DISPOSAL))
    assert verify_plan(doc, sc) == []
    (d,) = doc["disposed"]
    assert d["return_cny"] is None and d["cost_cny"] == 60_010
    assert [(r["rule"], r["passed"]) for r in d["reasons"]] == [("RETURN_WINDOW", False),
                                                                ("DISTRICT", False)]
    assert d["why"].endswith("; no compliant return route")
    bid = d["batch_id"]
    forged = copy.deepcopy(doc)
    forged["disposed"][0]["reasons"] = []
    assert _kinds(verify_plan(forged, sc)) == {("disposal_reason", bid)}
    forged = copy.deepcopy(doc)
    forged["disposed"][0]["return_cny"] = 500.0
    assert ("disposal_return", bid) in _kinds(verify_plan(forged, sc))


def test_disposing_of_what_returns_cheaper_is_caught(make_case) -> None:
    # 1 t worth 100,000: returning it by TIR to BORDER costs 10,000 + 3 x 1,000 + 500 =
    # 13,500 CNY (its own truck and declaration), disposing of it 2 x 1,000 + 60,000 = 62,000
    sc, doc = _solve(make_case([parcel("P1")], rules=DISPOSAL))
    (b,) = doc["batches"]
    assert b["cost_cny"] == 13_500 and verify_plan(doc, sc) == []
    forged = copy.deepcopy(doc)
    forged["batches"], forged["vehicles"], forged["declarations"] = [], [], []
    why = ("disposal 62,000 CNY = 2 CNY/kg x 1,000.00 kg + (70% - 10%) of value 100,000 CNY; "
           "returning it alone would cost 13,500 CNY (its cheapest compliant route, own "
           "vehicles and declaration)")
    forged["disposed"] = [{
        "batch_id": b["batch_id"], "origin": "HUB", "destination": "SELLER",
        "goods_class": "general", "trade_mode": "9610", "export_district": "ADIST",
        "window_start": "2025-07-01", "weight_kg": 1000.0, "value_cny": 100_000.0,
        "parcel_ids": ["P1"], "cost_cny": 62_000.0, "return_cny": 13_500.0, "reasons": [],
        "why": why}]
    problems = verify_plan(forged, sc)
    assert ("disposed_dearer", b["batch_id"]) in _kinds(problems)
    assert not {p.kind for p in problems} & {"disposal_cost", "disposal_return", "disposal_why",
                                             "disposal_reason"}, [str(p) for p in problems]


# ---- soft deadlines ----------------------------------------------------------------------------


def test_lateness_is_in_the_objective_the_checker_recomputes(make_case) -> None:
    # two 1 t parcels due 2025-07-08 take TIR to INLAND, arriving 2025-07-11: 2 parcels x 3
    # days x 100 CNY = 600 CNY in the objective, beside the landed cost 15,000 + 400 + 300
    rows = [{**parcel(f"P{i}", 1000), "deadline": "2025-07-08"} for i in range(2)]
    sc, doc = _solve(make_case(rows, rules={"lateness_cny_per_parcel_day": 100}))
    assert verify_plan(doc, sc) == []
    (b,) = doc["batches"]
    assert b["eta"] == "2025-07-11" and b["cost_cny"] == 15_700
    assert doc["objective_cny"] == pytest.approx(15_700 + 600)
    batch = Batch("B", "HUB", "SELLER", "general", "9610", "ADIST", "BORDER",
                  dt.date(2025, 7, 1), dt.date(2025, 7, 1), "2025-W27", tuple(sc.parcels),
                  2000.0, 10.0, 200_000.0, dt.date(2025, 6, 1))
    assert days_late(batch, dt.date(2025, 7, 11)) == 6
    assert lateness_cny(batch, dt.date(2025, 7, 11), sc) == 600
    assert lateness_cny(batch, dt.date(2025, 7, 8), sc) == 0
    forged = copy.deepcopy(doc)
    forged["objective_cny"] -= 600
    forged["bound_cny"] -= 600
    assert _kinds(verify_plan(forged, sc)) == {("objective", None)}


# ---- marginal cost -----------------------------------------------------------------------------


def test_marginal_costs_by_hand(make_case) -> None:
    # 1 t and 3 t share a TIR truck to BORDER (10,000) and a declaration (500): without either,
    # the other still needs both, so each saves only its road freight (3 CNY/kg); alone, a
    # batch saves its whole cost 10,000 + 500 + 3,000
    rows = [r for r in small_lanes() if r["lane_id"] in (
        "L_TIR_BORDER", "L_ROAD_BORDER", "L_ROAD_BORDER_2")]
    sc, doc = _solve(make_case([parcel("A", 1000), parcel("B", 3000, goods="fragile")],
                               lanes=rows))
    assert verify_plan(doc, sc) == []
    by_class = {b["goods_class"]: b for b in doc["batches"]}
    assert (by_class["general"]["marginal_cny"], by_class["fragile"]["marginal_cny"]) == (
        3000, 9000)
    sc1, solo = _solve(make_case([parcel("A", 1000)], lanes=rows))
    assert solo["batches"][0]["marginal_cny"] == 13_500 and verify_plan(solo, sc1) == []
    forged = copy.deepcopy(doc)
    forged["batches"][0]["marginal_cny"] += 5000  # as if it alone kept the truck running
    assert _kinds(verify_plan(forged, sc)) == {("marginal_cost", forged["batches"][0]
                                                ["batch_id"])}
