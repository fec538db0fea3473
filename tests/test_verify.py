"""The independent plan checker: clean plans pass, and each kind of tampering is caught.

Tampering tests edit a real plan document and expect a problem of one ``kind`` about one batch
or lane departure (``None``: the plan as a whole); where the edit touches nothing else, it must be
the only problem found. Problems the mixed-week plan cannot show (a grouping contract broken,
a rule that fails on a real route, loads beyond capacity) use small plans of tests/conftest.py.
Forgeries of the figures the checker recomputes (unrouted reasons, objective, bound and gap,
legs, vehicles, load lists, headline totals, baselines) are in tests/test_tamper.py; the guard at
the end counts the kinds both exercise.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import parcel, small_lanes

from optimizer.cli import cli
from optimizer.domain import Scenario
from optimizer.inputs import load_scenario
from optimizer.outputs.plan_json import plan_to_dict
from optimizer.planning.pipeline import run
from optimizer.verify import KINDS, PlanProblem, verify_plan

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def mixed(bundled_plans):
    """The mixed-week plan (with its same-route baseline) as plan.json holds it: solved once
    per test run and shared with the other files that read it (conftest's ``bundled_plans``)."""
    sc, plan = bundled_plans("mixed-week")
    return sc, plan_to_dict(plan)


def _found(problems: list[PlanProblem]) -> set[tuple[str, str | None]]:
    return {(p.kind, p.batch) for p in problems}


def test_clean_plan_passes(mixed) -> None:
    sc, doc = mixed
    assert verify_plan(doc, sc) == []
    # and survives a round trip through JSON text, as users hold it
    assert verify_plan(json.loads(json.dumps(doc)), sc) == []


def test_problem_reads_as_its_message() -> None:
    p = PlanProblem("weight", "B1", "batch B1: weight 2 but its parcels weigh 1")
    assert str(p) == p.detail
    with pytest.raises(AttributeError):
        p.kind = "total"  # type: ignore[misc]


# -- tampering with the mixed-week plan ------------------------------------------------------
# Each function edits the document in place and returns the batch id or lane departure the
# problem must name (None: the plan as a whole).


def _multi(d: Doc) -> Doc:
    """A routed batch of several parcels."""
    return next(b for b in d["batches"] if len(b["parcel_ids"]) >= 2)


def _shared(d: Doc) -> Doc:
    """A routed batch of two or more legs that shares a vehicle's cost."""
    return next(b for b in d["batches"] if b["components"]["vehicles"] > 0 and len(b["legs"]) > 1)


def _truck(d: Doc) -> Doc:
    """A lane departure where vehicles are bought."""
    return next(v for v in d["vehicles"] if v["count"] >= 1 and v["cost_cny"] > 0)


def _week(v: Doc) -> str:
    return f"{v['lane_id']}@{v['period']}"


def _set(entry: Doc, key: str, value: Any) -> str | None:
    entry[key] = value
    return entry.get("batch_id")


def _add(entry: Doc, key: str, delta: float) -> str | None:
    return _set(entry, key, entry[key] + delta)


def _unknown_parcel(d: Doc, sc: Scenario) -> str:
    b = _multi(d)
    b["parcel_ids"].append("NO-SUCH-PARCEL")
    return b["batch_id"]


def _duplicate_parcel(d: Doc, sc: Scenario) -> str:
    # another batch's parcel (a parcel listed twice in one batch breaks the schema)
    other = d["disposed"][0]
    other["parcel_ids"].append(_multi(d)["parcel_ids"][0])
    return other["batch_id"]


def _missing_parcels(d: Doc, sc: Scenario) -> None:
    _multi(d)["parcel_ids"].pop()


def _duplicate_batch(d: Doc, sc: Scenario) -> str:
    d["disposed"].append(copy.deepcopy(d["disposed"][0]))
    return d["disposed"][0]["batch_id"]


def _wrong_batch_id(d: Doc, sc: Scenario) -> str:
    b = _multi(d)
    return str(_set(b, "batch_id", b["batch_id"][:-8] + "20300101"))


def _revisit(d: Doc, sc: Scenario) -> str:
    b = _shared(d)
    b["legs"].insert(0, copy.deepcopy(b["legs"][0]))
    return b["batch_id"]


def _reverse_legs(d: Doc, sc: Scenario) -> str:
    b = _shared(d)
    b["legs"].reverse()
    return b["batch_id"]


def _drop_last_leg(d: Doc, sc: Scenario) -> str:
    b = _shared(d)
    b["legs"].pop()
    return b["batch_id"]


def _leg(d: Doc, key: str, value: Any) -> str:
    b = _shared(d)
    b["legs"][0][key] = value
    return b["batch_id"]


def _unknown_vehicle_lane(d: Doc, sc: Scenario) -> str:
    v = next(v for v in d["vehicles"] if v["count"] == 0)  # a per-kg booking
    v["lane_id"] = "NO-SUCH-LANE"
    return _week(v)


def _vehicle(d: Doc, key: str, value: Any) -> str:
    v = _truck(d)
    v[key] = value(v) if callable(value) else value
    return _week(v)


def _no_vehicle(d: Doc, sc: Scenario) -> str:
    v = _truck(d)
    d["vehicles"].remove(v)
    return _week(v)


def _freight_off(d: Doc, sc: Scenario) -> str:
    b = _shared(d)
    _add(b["components"], "freight", 0.02)
    return b["batch_id"]


def _share_more(d: Doc, sc: Scenario) -> None:
    _add(_shared(d)["components"], "vehicles", 100.0)


Tamper = Callable[[Doc, Scenario], str | None]


def _schema(edit: Callable[[Doc], object]) -> Tamper:
    """An edit the schema rules out: the problem concerns the document as a whole (None)."""
    def tamper(d: Doc, sc: Scenario) -> None:
        edit(d)
    return tamper


#: name -> (edit, the kind it must cause, whether that must be the only problem)
TAMPERING: dict[str, tuple[Tamper, str, bool]] = {
    "parcel id unknown": (_unknown_parcel, "unknown_parcel", True),
    "parcel listed twice": (_duplicate_parcel, "duplicate_parcel", False),
    "parcel dropped": (_missing_parcels, "missing_parcels", False),
    "batch of unknown parcels": (lambda d, sc: _set(_multi(d), "parcel_ids", ["NO-SUCH"]),
                                 "no_parcels", False),
    "batch listed twice": (_duplicate_batch, "duplicate_batch", False),
    "batch id not its parcels'": (_wrong_batch_id, "batch_id", False),
    "weight off by a kg": (lambda d, sc: _add(_multi(d), "weight_kg", 1.0), "weight", True),
    "value off by 10 yuan": (lambda d, sc: _add(_multi(d), "value_cny", 10.0), "batch_fields",
                             True),
    "goods class renamed": (lambda d, sc: _set(_multi(d), "goods_class", "food"),
                            "batch_fields", True),
    "leg on no lane": (lambda d, sc: _leg(d, "lane_id", "NO-SUCH-LANE"), "unknown_lane", False),
    "leg ends elsewhere": (lambda d, sc: _leg(d, "to", "NOWHERE"), "leg_mismatch", True),
    "leg days changed": (  # never a no-op: the leg may already take one day
        lambda d, sc: _leg(d, "transit_days", _shared(d)["legs"][0]["transit_days"] + 3),
        "leg_mismatch", True),
    "last leg dropped": (_drop_last_leg, "route_ends", False),
    "legs reversed": (_reverse_legs, "legs_disconnected", False),
    "leg repeated": (_revisit, "revisits_node", False),
    "port is the hub": (lambda d, sc: _set(_shared(d), "return_port", _shared(d)["origin"]),
                        "not_clearing_port", False),
    "entry point wrong": (lambda d, sc: _set(_shared(d), "entry_point", "NOWHERE"),
                          "entry_point", False),
    "return district wrong": (lambda d, sc: _set(_shared(d), "return_district", "NOWHERE"),
                              "return_district", True),
    "eta wrong": (lambda d, sc: _set(_shared(d), "eta", "2030-01-01"), "arrival", True),
    "depart date wrong": (lambda d, sc: _set(_shared(d), "depart_date", "2030-01-01"), "dates",
                          True),
    "freight off by two fen": (_freight_off, "cost_component", True),
    "cost off by one yuan": (lambda d, sc: _add(_shared(d), "cost_cny", 1.0), "batch_cost", True),
    "leg cost off by one yuan": (
        lambda d, sc: _leg(d, "cost_cny", _shared(d)["legs"][0]["cost_cny"] + 1),
        "leg_costs", True),
    "vehicles on no lane": (_unknown_vehicle_lane, "vehicle_unknown_lane", False),
    "riders removed": (lambda d, sc: _vehicle(d, "batch_ids", []), "vehicle_batches", True),
    "vehicle cost off": (lambda d, sc: _vehicle(d, "cost_cny", lambda v: v["cost_cny"] + 100),
                         "vehicle_cost", True),
    "truck removed": (lambda d, sc: _vehicle(d, "count", 0), "no_vehicle", False),
    "vehicles entry removed": (_no_vehicle, "no_vehicle", False),
    "vehicle share inflated": (_share_more, "vehicle_share", False),
    "totals wrong": (lambda d, sc: _add(d["totals"], "cost_cny", -5.0), "total", True),
    "component total wrong": (lambda d, sc: _add(d["totals"], "freight_cny", 5.0), "total",
                              True),
    "objective wrong": (lambda d, sc: _add(d, "objective_cny", 100.0), "objective", False),
    "bound above objective": (lambda d, sc: _set(d, "bound_cny", d["objective_cny"] + 100),
                              "bound", True),
    "status wrong": (lambda d, sc: _set(d, "status", "PARTIAL"), "status", True),
    # what the schema rules out is caught before anything else is looked at
    "legs removed": (_schema(lambda d: _set(_shared(d), "legs", [])), "schema", True),
    "vehicle count fractional": (_schema(lambda d: _vehicle(d, "count", 1.5)), "schema", True),
    "disposal reason marked passed": (_schema(lambda d: next(
        x for x in d["disposed"] if x["reasons"])["reasons"][0].update(passed=True)),
        "schema", True),
    "disposal cost negative": (_schema(lambda d: _set(d["disposed"][0], "cost_cny", -1.0)),
                               "schema", True),
    "parcel twice in its batch": (
        _schema(lambda d: _multi(d)["parcel_ids"].append(_multi(d)["parcel_ids"][0])),
        "schema", True),
}


@pytest.mark.parametrize("name", sorted(TAMPERING))
def test_tampering_is_caught(mixed, name: str) -> None:
    sc, doc = mixed
    edit, kind, alone = TAMPERING[name]
    doc = copy.deepcopy(doc)
    concerns = edit(doc, sc)
    problems = verify_plan(doc, sc)
    assert (kind, concerns) in _found(problems), [str(p) for p in problems]
    if alone:
        assert {p.kind for p in problems} == {kind}, [str(p) for p in problems]


# -- small plans: grouping, compliance and capacity ------------------------------------------


def _plan(make_case, parcels, **kw) -> tuple[Path, Doc]:
    path = make_case(parcels, **kw)
    return path, plan_to_dict(run(load_scenario(path), same_route_baseline=False))


def test_a_different_valid_grouping_passes(make_case) -> None:
    # Ready two days apart: a 7-day window makes one batch of them, a 0-day window two. Both
    # groupings meet the 7-day contract; only the 0-day one meets the 0-day contract.
    parcels = [parcel("P1", ready="2025-07-01"), parcel("P2", ready="2025-07-03")]
    week_path, week_doc = _plan(make_case, parcels, window_days=7)
    day_path, day_doc = _plan(make_case, parcels, window_days=0)
    assert [b["parcel_ids"] for b in week_doc["batches"]] == [["P1", "P2"]]
    assert sorted(b["parcel_ids"] for b in day_doc["batches"]) == [["P1"], ["P2"]]
    assert verify_plan(day_doc, load_scenario(week_path)) == []
    problems = verify_plan(week_doc, load_scenario(day_path))
    assert _found(problems) == {("window", "HUB-SELLER-general-9610-ADIST-BORDER-20250701")}


def test_a_batch_mixing_goods_classes_is_rejected(make_case) -> None:
    path, doc = _plan(make_case, [parcel("P1"), parcel("P2", goods="fragile")])
    general = next(b for b in doc["batches"] if b["goods_class"] == "general")
    fragile = next(b for b in doc["batches"] if b["goods_class"] == "fragile")
    general["parcel_ids"] += fragile["parcel_ids"]
    doc["batches"].remove(fragile)
    problems = verify_plan(doc, load_scenario(path))
    (mixed,) = [p for p in problems if p.kind == "mixed_batch"]
    assert mixed.batch == general["batch_id"] == "HUB-SELLER-general-9610-ADIST-BORDER-20250701"
    assert "goods_class (fragile, general)" in mixed.detail


def _nopilot_lanes() -> list[dict[str, Any]]:
    return [r for r in small_lanes() if "NOPILOT" in r["lane_id"]]


def test_a_route_failing_a_rule_is_noncompliant(make_case) -> None:
    # NOPILOT's district CDIST is no pilot, so in the pilot regime the cross-district return
    # from ADIST is refused by DISTRICT. A plan made with DISTRICT switched off routes there;
    # everything in it (chain, port, entry, dates, costs, vehicles) is consistent, so checked
    # with DISTRICT on, compliance alone fails (and the plan's record of the checks, made
    # without DISTRICT, is not the rule engine's).
    enabled = [r for r in load_scenario(make_case()).rules.enabled if r != "DISTRICT"]
    _, doc = _plan(make_case, [parcel("P1")], lanes=_nopilot_lanes(), rules={"enabled": enabled})
    (b,) = doc["batches"]
    assert b["return_port"] == "NOPILOT"
    strict = load_scenario(make_case([parcel("P1")], lanes=_nopilot_lanes()))
    problems = verify_plan(doc, strict)
    assert _found(problems) == {("noncompliant", b["batch_id"]),
                                ("compliance_record", b["batch_id"])}
    (problem,) = [p for p in problems if p.kind == "noncompliant"]
    assert "DISTRICT" in problem.detail and "CDIST is not a cross-district pilot" in problem.detail


def test_legs_moved_to_a_noncompliant_route_reach_the_rule_engine(make_case) -> None:
    # The same refusal reached by editing a plan: the batch's legs are replaced by the NOPILOT
    # route, with port, entry point and district to match, so the route checks pass and the
    # rule engine has the last word.
    path, doc = _plan(make_case, [parcel("P1")])
    (b,) = doc["batches"]
    assert b["return_port"] != "NOPILOT"
    lanes = load_scenario(path).network.lanes
    tir, road = lanes["L_TIR_NOPILOT"], lanes["L_ROAD_NOPILOT"]
    day = dt.date.fromisoformat(b["depart_date"])
    dates = [(day, day + dt.timedelta(days=7)),  # daily lanes: the first connection after
             (day + dt.timedelta(days=8), day + dt.timedelta(days=9))]  # a day's clearance
    b["legs"] = [{"lane_id": ln.lane_id, "from": ln.origin, "to": ln.destination, "via": ln.via,
                  "mode": ln.mode, "cost_cny": 0.0, "transit_days": ln.transit_days,
                  "depart_date": go.isoformat(), "arrive_date": at.isoformat(),
                  "tariff": None}
                 for ln, (go, at) in zip((tir, road), dates, strict=True)]
    b.update(return_port="NOPILOT", return_district="CDIST", entry_point="BORDER")
    problems = verify_plan(doc, load_scenario(path))
    kinds = {p.kind for p in problems}
    assert kinds.isdisjoint({"unknown_lane", "leg_mismatch", "route_ends", "legs_disconnected",
                             "revisits_node", "not_clearing_port", "entry_point",
                             "return_district", "schedule", "cutoff", "connection"}), [
        str(p) for p in problems]
    (refusal,) = [p for p in problems if p.kind == "noncompliant"]
    assert refusal.batch == b["batch_id"] and "DISTRICT" in refusal.detail


def test_fewer_trucks_than_the_load_needs_overfill(make_case) -> None:
    # 15 t to each seller cluster share the TIR lane: 30 t need two 20 t trucks
    path, doc = _plan(make_case, [parcel("P1", 15_000), parcel("P2", 15_000, dest="SELLER2")])
    v = next(v for v in doc["vehicles"] if v["count"] >= 2)
    v["count"] -= 1
    problems = verify_plan(doc, load_scenario(path))
    assert ("overfull", f"{v['lane_id']}@{v['period']}") in _found(problems)


def test_a_per_kg_lane_beyond_its_capacity_per_departure(make_case) -> None:
    # 6 t by air: within 7 x 5 t a departure, beyond 1 x 5 t. Nothing else depends on the
    # limit but the capacity the booking states (7 x 5 t, the tight lane's is 1 x 5 t).
    air = [r for r in small_lanes() if r["lane_id"] in ("L_AIR", "L_ROAD_AIR")]
    _, doc = _plan(make_case, [parcel("P1", 6000)], lanes=air)
    for r in air:
        if r["lane_id"] == "L_AIR":
            r["max_vehicles"] = 1
    tight = load_scenario(make_case([parcel("P1", 6000)], lanes=air))
    (v,) = [v for v in doc["vehicles"] if v["lane_id"] == "L_AIR"]
    assert _found(verify_plan(doc, tight)) == {("per_kg_capacity", f"L_AIR@{v['period']}"),
                                               ("vehicle_fields", f"L_AIR@{v['period']}")}


def test_vehicles_over_the_limit_per_departure(make_case) -> None:
    # the TIR lane to BORDER allows two trucks a departure; 30 t ready the same day need both
    # on one departure, a third is over it
    rows = [r for r in small_lanes() if r["lane_id"] in ("L_TIR_BORDER", "L_ROAD_BORDER",
                                                         "L_ROAD_BORDER_2")]
    for r in rows:
        if r["lane_id"] == "L_TIR_BORDER":
            r["max_vehicles"] = 2
    path, doc = _plan(make_case, [parcel("P1", 15_000), parcel("P2", 15_000, dest="SELLER2")],
                      lanes=rows)
    v = next(v for v in doc["vehicles"] if v["lane_id"] == "L_TIR_BORDER")
    assert v["count"] == 2
    v["count"] = 3
    assert ("vehicle_limit", _week(v)) in _found(verify_plan(doc, load_scenario(path)))


def test_every_kind_is_exercised() -> None:
    from test_declarations_verify import test_a_parcel_held_back_by_its_neighbour_is_caught
    from test_disposal_verify import (
        FORGED,
        test_a_stale_parcel_is_disposed_of_for_the_rules,
        test_disposal_the_rule_forbids_and_a_disposable_batch_left_unrouted,
    )
    from test_schedule_verify import DATES, test_a_departure_within_the_cutoff_is_caught
    from test_schedule_verify import test_a_forged_wait_is_caught as forged_wait
    from test_schedule_verify import test_vehicles_on_another_departure_are_caught as moved
    from test_tamper import FORGERIES  # the forgeries of real plans (tests/test_tamper.py)
    from test_tariff_verify import EXERCISED  # rate cards (tests/test_tariff_verify.py)

    elsewhere = {
        "window": test_a_different_valid_grouping_passes,
        "mixed_batch": test_a_batch_mixing_goods_classes_is_rejected,
        "noncompliant": test_a_route_failing_a_rule_is_noncompliant,
        "overfull": test_fewer_trucks_than_the_load_needs_overfill,
        "per_kg_capacity": test_a_per_kg_lane_beyond_its_capacity_per_departure,
        "vehicle_limit": test_vehicles_over_the_limit_per_departure,
        "parcel_blocked": test_a_parcel_held_back_by_its_neighbour_is_caught,
        "disposal_forbidden": test_disposal_the_rule_forbids_and_a_disposable_batch_left_unrouted,
        "disposal_reason": test_a_stale_parcel_is_disposed_of_for_the_rules,
        "cutoff": test_a_departure_within_the_cutoff_is_caught,
        "wait_saving": forged_wait,
        "vehicle_departure": moved,
        **EXERCISED,
    }
    tampered = {kind for _, kind, _ in TAMPERING.values()}
    forged = {kind for _, _, kind in FORGERIES.values()} | {k for _, k in FORGED.values()}
    forged |= {kind for _, kind, _ in DATES.values()}  # time (tests/test_schedule_verify.py)
    assert tampered | forged | set(elsewhere) == set(KINDS)
    assert len(KINDS) == len(set(KINDS))


# -- the command line and unrouted explanations ----------------------------------------------


def test_verify_cli(make_case, tmp_path: Path) -> None:
    path = make_case([parcel("P1"), parcel("P2", dest="SELLER2")])
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(cli, ["solve", str(path), "--out", str(out)]).exit_code == 0
    res = runner.invoke(cli, ["verify", str(out / "plan.json"), str(path)])
    assert res.exit_code == 0 and "OK" in res.output
    doc = json.loads((out / "plan.json").read_text())
    doc["batches"][0]["cost_cny"] += 10
    (out / "plan.json").write_text(json.dumps(doc))
    res = runner.invoke(cli, ["verify", str(out / "plan.json"), str(path)])
    assert res.exit_code == 1 and "problem" in res.output
    assert f"batch {doc['batches'][0]['batch_id']}: cost" in res.output
    (out / "plan.json").write_text("{not json")
    res = runner.invoke(cli, ["verify", str(out / "plan.json"), str(path)])
    assert res.exit_code == 2 and "invalid JSON" in res.output


def test_unrouted_explanation_is_verified_by_relaxing_the_rule(make_case) -> None:
    # Due 2025-07-03, two days after it is ready: no route arrives in time (air takes four
    # days), so DEADLINE (a planner's date: relaxable) refuses every route. The explanation
    # names it and the route it would take, and with the deadline soft at no price the plan
    # really routes there.
    rows = [{**parcel("P1"), "deadline": "2025-07-03"}]
    plan = run(load_scenario(make_case(rows)))
    assert plan.status == "INFEASIBLE"
    (u,) = plan.unrouted
    cf = u.would_route
    assert cf is not None and cf.relax == ("DEADLINE",)
    assert "2025-07-03" in cf.sentence()
    relaxed = run(load_scenario(make_case(rows, rules={"lateness_cny_per_parcel_day": 0})))
    (bp,) = relaxed.batches
    assert bp.return_port == cf.return_port
    assert bp.cost_cny == pytest.approx(cf.cost_cny)


def test_the_law_has_no_counterfactual(make_case) -> None:
    # Only the NOPILOT lanes: in the pilot regime its district CDIST may not take the
    # cross-district return, and DISTRICT is the law: no explanation proposes breaking it
    plan = run(load_scenario(make_case([parcel("P1")], lanes=_nopilot_lanes())))
    (u,) = plan.unrouted
    assert [c.rule for c in u.reasons] == ["DISTRICT"] and u.would_route is None
    assert "CDIST is not a cross-district pilot" in u.reasons[0].detail


def test_no_path_has_no_counterfactual(make_case) -> None:
    # a batch whose every route needs more legs than allowed: max_legs 1
    plan = run(load_scenario(make_case(solver={"max_legs": 1})))
    (u,) = plan.unrouted
    assert u.reasons[0].rule == "NO_PATH" and u.would_route is None
