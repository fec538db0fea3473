"""The checker on time: schedules, cut-offs, connections, arrivals, the ready day, waiting,
storage, vehicles bought per departure, and batches committed to their trips.

Each test solves a small plan of tests/conftest.py's network whose lanes run on schedules,
states what the checker must find in it by hand, then edits the document the way a forger would
and expects a problem of the one kind the edit breaks, about that batch or lane departure.
Last, every bundled scenario's plan checks out.

The weekly network (``_weekly``): HUB -TIR, Thursdays, cut-off 1 day, 5 days-> BORDER (clears
in 1 day) -road, Mondays and Wednesdays, 1 day-> SELLER. A 1 t parcel ready Tuesday
2025-07-01 (the planning date) is at the hub too late for Wednesday's cut-off of no departure and
in time for Thursday 07-03's (due Wednesday 07-02); it arrives at BORDER Tuesday 07-08, is
declared Wednesday 07-09, takes that day's road and is delivered Thursday 07-10. It waits 2
days at the hub for the truck: storage 0.01 CNY x 1,000 kg x 2 = 20 CNY.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, lane, parcel

from optimizer.domain import Scenario
from optimizer.inputs import load_scenario
from optimizer.outputs.plan_json import plan_to_dict
from optimizer.planning.pipeline import run
from optimizer.verify import PlanProblem, verify_plan

Doc = dict[str, Any]
D = dt.date.fromisoformat
#: no domestic express lanes: the routes are the lanes listed
NO_EXPRESS = {"domestic_express": {"enabled": False}}


def _found(problems: list[PlanProblem]) -> set[tuple[str, str | None]]:
    return {(p.kind, p.batch) for p in problems}


def _solve(path: Path) -> tuple[Scenario, Doc]:
    sc = load_scenario(path)
    return sc, plan_to_dict(run(sc, check=False, same_route_baseline=False))


def _sched(row: dict[str, Any], schedule: str, cutoff: int = 0) -> dict[str, Any]:
    return {**row, "schedule": schedule, "cutoff_days": cutoff}


def _weekly_lanes(cutoff: int = 1, tir: str = "Thu") -> list[dict[str, Any]]:
    return [_sched(lane("TIR", "HUB", "BORDER", "tir_road", per_vehicle=10_000, days=5), tir,
                   cutoff),
            _sched(lane("ROAD", "BORDER", "SELLER", "road", per_kg=3.0, days=1), "Mon,Wed")]


@pytest.fixture
def weekly(make_case) -> tuple[Scenario, Doc]:
    """One 1 t batch on the weekly network (see the module docstring)."""
    return _solve(make_case([parcel("P1")], lanes=_weekly_lanes(), rules=NO_EXPRESS))


def test_a_weekly_trip_checks_out_with_hand_figures(weekly) -> None:
    sc, doc = weekly
    assert verify_plan(doc, sc) == []
    (b,) = doc["batches"]
    assert [(leg["lane_id"], leg["depart_date"], leg["arrive_date"]) for leg in b["legs"]] == [
        ("TIR", "2025-07-03", "2025-07-08"), ("ROAD", "2025-07-09", "2025-07-10")]
    assert (b["ready_date"], b["depart_date"], b["declare_date"], b["eta"], b["transit_days"],
            b["wait_days"]) == ("2025-07-01", "2025-07-03", "2025-07-09", "2025-07-10", 7, 0)
    assert b["components"]["storage"] == 20.0
    assert b["cost_cny"] == pytest.approx(10_000 + 3_000 + 500 + 20)
    (v,) = [v for v in doc["vehicles"] if v["lane_id"] == "TIR"]
    assert (v["period"], v["depart_date"], v["arrive_date"], v["count"]) == (
        "2025-07-03", "2025-07-03", "2025-07-08", 1)


# -- forging the dates of the weekly plan ----------------------------------------------------


def _batch(doc: Doc) -> Doc:
    (b,) = doc["batches"]
    return b


def _shift(day: str, days: int) -> str:
    return (D(day) + dt.timedelta(days=days)).isoformat()


def _leg_day(leg: int, key: str, days: int):
    def forge(doc: Doc) -> None:
        entry = _batch(doc)["legs"][leg]
        entry[key] = _shift(entry[key], days)
    return forge


def _field(key: str, value):
    def forge(doc: Doc) -> None:
        b = _batch(doc)
        b[key] = value(b[key])
    return forge


def _storage(doc: Doc) -> None:
    b = _batch(doc)
    b["components"]["storage"] = 0.0  # as if it left the day it was ready


def _before_planning_date(doc: Doc) -> None:
    """The truck of Thursday 2025-06-26, a week before the planning date (the legs and the
    batch's dates moved with it)."""
    b = _batch(doc)
    for leg in b["legs"]:
        for key in ("depart_date", "arrive_date"):
            leg[key] = _shift(leg[key], -7)
    for key in ("depart_date", "declare_date", "eta"):
        b[key] = _shift(b[key], -7)


#: name -> (edit of the weekly plan, the kind it must cause, whether it must be the only one)
DATES: dict[str, tuple[Any, str, bool]] = {
    "first leg on a Friday": (_leg_day(0, "depart_date", 1), "schedule", False),
    "a departure before the planning date": (_before_planning_date, "schedule", False),
    "road leg a day before the goods clear": (_leg_day(1, "depart_date", -1), "connection",
                                              False),
    "road leg a week after the first it can make": (_leg_day(1, "depart_date", 5),
                                                    "connection", False),
    "a leg's arrival a day late": (_leg_day(0, "arrive_date", 1), "arrival", True),
    "eta a day early": (_field("eta", lambda x: _shift(x, -1)), "arrival", True),
    "declared a day early": (_field("declare_date", lambda x: _shift(x, -1)), "arrival", True),
    "transit days shortened": (_field("transit_days", lambda x: x - 1), "arrival", True),
    "depart date not the first leg's": (_field("depart_date", lambda x: _shift(x, 7)), "dates",
                                        True),
    "ready a day earlier": (_field("ready_date", lambda x: _shift(x, -1)), "ready", True),
    "wait days invented": (_field("wait_days", lambda x: x + 2), "wait", True),
    "storage left out": (_storage, "storage", True),
}


@pytest.mark.parametrize("name", sorted(DATES))
def test_forged_dates_are_caught(weekly, name: str) -> None:
    sc, doc = weekly
    edit, kind, alone = DATES[name]
    doc = copy.deepcopy(doc)
    edit(doc)
    problems = verify_plan(doc, sc)
    bid = _batch(doc)["batch_id"]
    assert (kind, bid) in _found(problems), [str(p) for p in problems]
    if alone:
        assert {p.kind for p in problems} == {kind}, [str(p) for p in problems]


def test_a_departure_within_the_cutoff_is_caught(make_case) -> None:
    # TIR on Tuesdays and Thursdays with a 2-day cut-off: ready Tuesday 07-01, the batch
    # misses that day's truck (due Sunday) and takes Thursday's (due Tuesday, the day it is
    # ready). A plan putting it on Tuesday's truck leaves before the goods could be loaded.
    sc, doc = _solve(make_case([parcel("P1")], lanes=_weekly_lanes(cutoff=2, tir="Tue,Thu"),
                               rules=NO_EXPRESS))
    assert verify_plan(doc, sc) == []
    b = _batch(doc)
    assert b["depart_date"] == "2025-07-03" and b["wait_days"] == 0
    forged = copy.deepcopy(doc)
    forged["batches"][0]["legs"][0]["depart_date"] = "2025-07-01"
    problems = verify_plan(forged, sc)
    assert ("cutoff", b["batch_id"]) in _found(problems), [str(p) for p in problems]
    assert "the first departure it can make is 2025-07-03" in next(
        p.detail for p in problems if p.kind == "cutoff")


def test_a_wait_beyond_the_waiting_rule_is_caught(make_case) -> None:
    # The waiting rule allows only the first departure: a plan that keeps the batch a week at
    # the hub for the next Thursday's truck (its legs, dates, wait and storage all moved to
    # match) takes a departure the rule does not offer.
    rules = {**NO_EXPRESS, "waiting": {"max_days": 7, "max_departures": 1,
                                       "storage_cny_per_kg_day": 0.01}}
    sc, doc = _solve(make_case([parcel("P1")], lanes=_weekly_lanes(), rules=rules))
    assert verify_plan(doc, sc) == []
    forged = copy.deepcopy(doc)
    b = _batch(forged)
    for leg in b["legs"]:
        for key in ("depart_date", "arrive_date"):
            leg[key] = _shift(leg[key], 7)
    for key in ("depart_date", "declare_date", "eta"):
        b[key] = _shift(b[key], 7)
    b["wait_days"] = 7
    b["components"]["storage"] = 90.0
    problems = verify_plan(forged, sc)
    assert ("wait", b["batch_id"]) in _found(problems), [str(p) for p in problems]
    kinds = {p.kind for p in problems}
    assert kinds.isdisjoint({"schedule", "cutoff", "connection", "arrival", "storage"}), [
        str(p) for p in problems]


# -- vehicles per departure ------------------------------------------------------------------


def _truck(doc: Doc) -> Doc:
    return next(v for v in doc["vehicles"] if v["lane_id"] == "TIR")


def _name(v: Doc) -> str:
    return f"{v['lane_id']}@{v['period']}"


@pytest.mark.parametrize("edit", ["depart_date", "arrive_date", "period"])
def test_vehicles_on_another_departure_are_caught(weekly, edit: str) -> None:
    sc, doc = weekly
    doc = copy.deepcopy(doc)
    v = _truck(doc)
    if edit == "period":  # the whole entry moved to the next Thursday
        for key in ("period", "depart_date", "arrive_date"):
            v[key] = _shift(v[key], 7)
    else:
        v[edit] = _shift(v[edit], 1)
    problems = verify_plan(doc, sc)
    assert ("vehicle_departure", _name(v)) in _found(problems), [str(p) for p in problems]
    if edit != "period":
        assert {p.kind for p in problems} == {"vehicle_departure"}, [str(p) for p in problems]
    else:  # and the departure the batch rides has no entry of its own
        assert ("vehicle_departure", "TIR@2025-07-03") in _found(problems)


def test_the_vehicle_limit_is_per_departure(make_case) -> None:
    # One TIR truck a departure, daily: 15 t ready 07-01 and 15 t ready 07-03 each fill a truck
    # of their own departure (two in ISO week 2025-W27, which a weekly limit would refuse).
    rows = [_sched(lane("TIR", "HUB", "BORDER", "tir_road", per_vehicle=10_000, days=5,
                        max_vehicles=1), "daily"),
            lane("ROAD", "BORDER", "SELLER", "road", per_kg=3.0, days=1),
            lane("ROAD2", "BORDER", "SELLER2", "road", per_kg=3.0, days=1)]
    sc, doc = _solve(make_case([parcel("P1", 15_000), parcel("P2", 15_000, dest="SELLER2",
                                                             ready="2025-07-03")],
                               lanes=rows, window_days=0, rules=NO_EXPRESS))
    assert verify_plan(doc, sc) == [] and doc["unrouted"] == []
    trucks = [v for v in doc["vehicles"] if v["lane_id"] == "TIR"]
    assert [(v["period"], v["count"]) for v in trucks] == [("2025-07-01", 1), ("2025-07-03", 1)]
    forged = copy.deepcopy(doc)
    _truck(forged)["count"] = 2  # a second truck on a departure that allows one
    assert ("vehicle_limit", "TIR@2025-07-01") in _found(verify_plan(forged, sc))


# -- waiting to share a truck ----------------------------------------------------------------


@pytest.fixture
def waits(make_case) -> tuple[Scenario, Doc]:
    """P1 (1 t, ready Monday 2026-06-01) and P2 (1 t, ready Wednesday 06-03), 100,000 CNY
    each, daily TIR trucks of 1,000 CNY to BORDER (5 days; a declaration there 500 CNY), road
    1 CNY/kg to SELLER; holding 36.5% a year: 100 CNY a day of a batch's value. P1 leaving on
    Monday pays its own truck and declaration, 1,500; waiting for Wednesday's costs 2 x 100
    (holding) + 20 (storage) and shares them with P2. It waits: what waiting saves is its
    marginal cost leaving Monday (freight 1,000 + truck 1,000 + declaration 500) less its
    marginal cost on Wednesday (freight 1,000 + storage 20; the truck and declaration run
    anyway): 1,480."""
    lanes = [lane("TRK", "HUB", "BORDER", "tir_road", per_vehicle=1000, days=5),
             lane("ROAD", "BORDER", "SELLER", "road", per_kg=1.0, days=1)]
    parcels = [parcel("P1", 1000, export="2026-05-01", ready="2026-06-01"),
               parcel("P2", 1000, export="2026-05-01", ready="2026-06-03")]
    return _solve(make_case(parcels, lanes=lanes, as_of="2026-06-01", window_days=0,
                            rules=NO_EXPRESS, objective={"holding_cost_pct_per_year": 36.5}))


def test_a_batch_waiting_to_share_a_truck_checks_out(waits) -> None:
    sc, doc = waits
    assert verify_plan(doc, sc) == []
    first = next(b for b in doc["batches"] if b["parcel_ids"] == ["P1"])
    assert (first["ready_date"], first["depart_date"], first["wait_days"]) == (
        "2026-06-01", "2026-06-03", 2)
    assert first["components"]["storage"] == 20.0
    assert first["wait_saving_cny"] == pytest.approx(1480.0)
    (truck,) = [v for v in doc["vehicles"] if v["lane_id"] == "TRK"]
    assert truck["period"] == "2026-06-03" and truck["count"] == 1


@pytest.mark.parametrize(("key", "delta", "kind"), [
    ("wait_saving_cny", 100.0, "wait_saving"), ("wait_days", -1, "wait")])
def test_a_forged_wait_is_caught(waits, key: str, delta: float, kind: str) -> None:
    sc, doc = waits
    doc = copy.deepcopy(doc)
    first = next(b for b in doc["batches"] if b["parcel_ids"] == ["P1"])
    first[key] += delta
    assert _found(verify_plan(doc, sc)) == {(kind, first["batch_id"])}


@pytest.mark.parametrize(("key", "value", "kind"), [
    ("storage_cny", 0.0, "total"), ("wait_days", 0, "total"), ("batches_waiting", 0, "count")])
def test_forged_waiting_totals_are_caught(waits, key: str, value: float, kind: str) -> None:
    sc, doc = waits
    t = doc["totals"]
    assert (t["storage_cny"], t["wait_days"], t["batches_waiting"]) == (20.0, 2, 1)
    doc = copy.deepcopy(doc)
    doc["totals"][key] = value
    assert _found(verify_plan(doc, sc)) == {(kind, None)}


# -- committed batches -----------------------------------------------------------------------


def test_a_committed_batch_keeps_its_trip(make_case) -> None:
    # A re-plan on Saturday 2025-07-05 of the weekly network: P1 left on Thursday's truck
    # (before the planning date; its ready day stays its own, 07-01, and it stored 2 days);
    # P2, ready on the planning date, takes next Thursday's. A batch claiming a commitment the
    # scenario does not make, or hiding one it does, is caught.
    path = make_case([parcel("P1"), parcel("P2", ready="2025-07-05")], lanes=_weekly_lanes(),
                     rules=NO_EXPRESS, as_of="2025-07-05", window_days=0)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["commitments"] = [{"batch_id": "LEFT-1", "parcel_ids": ["P1"], "lanes": ["TIR", "ROAD"],
                           "return_port": "BORDER", "depart_date": "2025-07-03",
                           "why": "departed 2025-07-03"}]
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    sc, plan = _solve(path)
    assert verify_plan(plan, sc) == []
    by = {b["batch_id"]: b for b in plan["batches"]}
    left, new = by["LEFT-1"], by["HUB-SELLER-general-9610-ADIST-BORDER-20250705"]
    assert (left["ready_date"], left["depart_date"], left["components"]["storage"],
            left["committed"]) == ("2025-07-01", "2025-07-03", 20.0, "departed 2025-07-03")
    assert (new["ready_date"], new["depart_date"], new["committed"]) == (
        "2025-07-05", "2025-07-10", "")
    forged = copy.deepcopy(plan)
    for b in forged["batches"]:
        b["committed"] = "" if b["batch_id"] == "LEFT-1" else "fixed in the scenario"
    assert _found(verify_plan(forged, sc)) == {("batch_fields", "LEFT-1"),
                                               ("batch_fields", new["batch_id"])}


# -- every bundled scenario ------------------------------------------------------------------

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_bundled_plan_checks_out(path: Path) -> None:
    """The plan of every bundled scenario (with its same-route baseline, the solver given at
    most 20 s) passes the checker."""
    sc = load_scenario(path)
    sc = dataclasses.replace(sc, solver=dataclasses.replace(
        sc.solver, time_limit_s=min(20.0, sc.solver.time_limit_s)))
    problems = verify_plan(plan_to_dict(run(sc, check=False)), sc)
    assert problems == [], [str(p) for p in problems[:10]]
