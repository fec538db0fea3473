"""The checker's re-solve of small plans (``verify.optimum``): its optimum is the engine's
proven optimum, computed with none of the planner's code, and a bound above it is rejected.

The case of issue 15: a plan whose bound is the objective of a plan that is not optimal. Here
that plan is made honestly, by the engine itself with one batch denied the lane its optimal
trip takes: every figure of it is right for the scenario (every check but the bound passes),
and its bound is the proven optimum of the restricted problem, above the true optimum.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from conftest import ROOT, lane, parcel

from optimizer.domain import Scenario
from optimizer.inputs import load_scenario
from optimizer.outputs.plan_json import plan_to_dict
from optimizer.planning.pipeline import Prepared, prepare, run
from optimizer.verify import optimum, verify_plan
from optimizer.verify.batches import rebuild_batches
from optimizer.verify.problems import CENT, Problems
from optimizer.verify.routes import RouteBook


def _scenario(name: str) -> Scenario:
    return load_scenario(ROOT / "scenarios" / f"{name}.yaml")


def _doc(sc: Scenario, prepared: Prepared) -> dict[str, Any]:
    plan = run(sc, prepared=prepared, same_route_baseline=False, check=False)
    return json.loads(json.dumps(plan_to_dict(plan)))


def _without_lane(prepared: Prepared, bid: str, lane_id: str) -> Prepared:
    """The batch may no longer take a trip whose first lane is ``lane_id``."""
    options = {b: tuple(o for o in opts if b != bid or o.route.lanes[0].lane_id != lane_id)
               for b, opts in prepared.options.items()}
    return dataclasses.replace(prepared, options=options)


@pytest.fixture(scope="module")
def groupage() -> tuple[Scenario, Prepared, dict[str, Any]]:
    sc = _scenario("yiwu-tir-groupage")
    prepared = prepare(sc)
    return sc, prepared, _doc(sc, prepared)


def test_a_bound_above_the_checkers_optimum_is_rejected(groupage) -> None:
    sc, prepared, best = groupage
    assert best["status"] == "OPTIMAL" and verify_plan(best, sc) == []
    first = best["batches"][0]
    worse = _doc(sc, _without_lane(prepared, first["batch_id"], first["legs"][0]["lane_id"]))
    # the restricted plan is optimal for its own problem and dearer than the true optimum
    assert worse["status"] == "OPTIMAL"
    assert worse["bound_cny"] == worse["objective_cny"] > best["objective_cny"] + 100
    problems = verify_plan(worse, sc)
    assert [p.kind for p in problems] == ["bound"]
    assert f"above the optimum {best['objective_cny']:.2f}" in problems[0].detail


def test_a_plan_too_large_to_search_is_not_judged(groupage, monkeypatch) -> None:
    sc, prepared, best = groupage
    first = best["batches"][0]
    worse = _doc(sc, _without_lane(prepared, first["batch_id"], first["legs"][0]["lane_id"]))
    monkeypatch.setattr(optimum, "MAX_NODES", 50)
    assert verify_plan(worse, sc) == []
    monkeypatch.setattr(optimum, "MAX_NODES", 100_000)
    monkeypatch.setattr(optimum, "MAX_BATCHES", len(worse["batches"]) - 1)
    assert verify_plan(worse, sc) == []


@pytest.mark.parametrize("name", ["yiwu-tir-groupage", "yiwu-same-route", "yiwu-tir-dedicated",
                                  "ningbo-air"])
def test_the_checkers_optimum_is_the_engines(name: str) -> None:
    """From just above the engine's proven optimum, the checker's search finds a plan at it,
    and none a cent below: the two optima agree although they share no code but the rule
    engine and the types."""
    sc = _scenario(name)
    doc = _doc(sc, prepare(sc))
    assert doc["status"] == "OPTIMAL"
    book = RouteBook(sc)
    entries = rebuild_batches(doc, sc, Problems()).all
    found = optimum.reoptimise(entries, book, doc["objective_cny"] + CENT)
    assert found is not None and found.plan is not None
    assert found.objective == pytest.approx(doc["objective_cny"], abs=CENT)
    assert optimum.reoptimise(entries, book, doc["objective_cny"] - CENT) == \
        optimum.Optimum(None, None)  # searched to the end: no plan is cheaper


def test_a_heavy_and_a_bulky_batch_sharing_a_truck_are_found(make_case) -> None:
    """One batch fills the truck by weight, the other by volume: they share one truck (8,500
    CNY), though each one's larger share of it is 0.9. A floor of 0.9 truck each (1.8 trucks)
    cut that plan from the search; the floor is the smaller share (0.1 truck each). Found by
    the review of this module."""
    lanes = [lane("L_TIR", "HUB", "BORDER", "tir_road", per_vehicle=5_000, days=5,
                  cap_kg=1000, cap_m3=10),
             lane("L_AIR", "HUB", "AIRPORT", "air", per_kg=30.0, days=2),
             lane("L_ROAD", "BORDER", "SELLER", "road", per_kg=3.0, days=3),
             lane("L_ROAD_AIR", "AIRPORT", "SELLER", "road", per_kg=0.3, days=1),
             lane("L_ROAD_2", "BORDER", "SELLER2", "road", per_kg=3.0, days=3),
             lane("L_ROAD_AIR_2", "AIRPORT", "SELLER2", "road", per_kg=0.3, days=1)]
    sc = load_scenario(make_case([parcel("A", 900, volume=1.0, value=10_000),
                                  parcel("B", 100, volume=9.0, value=10_000, dest="SELLER2")],
                                 lanes=lanes))
    prepared = prepare(sc)
    best = _doc(sc, prepared)
    assert best["status"] == "OPTIMAL" and verify_plan(best, sc) == []
    bulky = next(b["batch_id"] for b in best["batches"] if b["volume_m3"] > 5)
    worse = _doc(sc, _without_lane(prepared, bulky, "L_TIR"))
    assert worse["bound_cny"] == worse["objective_cny"] > best["objective_cny"] + 1000
    problems = verify_plan(worse, sc)
    assert [p.kind for p in problems] == ["bound"]
    assert f"above the optimum {best['objective_cny']:.2f}" in problems[0].detail
