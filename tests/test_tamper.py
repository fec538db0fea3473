"""Forged plans: the checker recomputes every figure a plan states, so each forgery is caught.

Each forgery edits a real plan document the way an adversary would (often tidying up what the
edit touches elsewhere, as a careful forger does) and must give a problem of one ``kind`` about
one batch or lane departure (``None``: the plan as a whole). The plans: mixed-week (a realistic week
whose stale and dear batches are disposed of abroad) and timeline-2025-pilot (18 batches,
checked faster), both solved with the same-route baseline, and small plans of tests/conftest.py's
network: a batch left out for capacity, two trucks sharing a lane, a batch with no path,
batches refused by the rules, a parcel home by domestic express, late parcels under soft
deadlines. Each is solved once per module.
Then: random mutations never crash the checker. (Every bundled scenario's plan checks out:
tests/test_schedule_verify.py.)
"""

from __future__ import annotations

import copy
import json
import math
import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import (
    LANE_FIELDS,
    PARCEL_FIELDS,
    lane,
    parcel,
    small_lanes,
    small_ports,
    small_rules,
    write_csv,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from optimizer.domain import Scenario
from optimizer.inputs import load_scenario
from optimizer.outputs.plan_json import plan_to_dict
from optimizer.planning.pipeline import run
from optimizer.verify import PlanProblem, verify_plan

Doc = dict[str, Any]
Plans = Callable[[str], tuple[Scenario, Doc]]


# -- the plans -------------------------------------------------------------------------------


def _write_case(root: Path, name: str, parcels: list[dict[str, Any]], *,
                lanes: list[dict[str, Any]] | None = None,
                solver: dict[str, Any] | None = None,
                rules: dict[str, Any] | None = None) -> Path:
    """A scenario of conftest's small network, as ``make_case`` writes it (module-scoped)."""
    d = root / name
    d.mkdir()
    (d / "ports.yaml").write_text(yaml.safe_dump(small_ports(), sort_keys=False),
                                  encoding="utf-8")
    write_csv(d / "lanes.csv", lanes if lanes is not None else small_lanes(), LANE_FIELDS)
    (d / "rules.yaml").write_text(small_rules(), encoding="utf-8")
    write_csv(d / "returns.csv", parcels, PARCEL_FIELDS)
    doc = {"name": name, "as_of": "2025-07-01", "policy": {"regime": "auto"},
           "network": {"ports": "ports.yaml", "lanes": "lanes.csv", "rules": "rules.yaml"},
           "returns": "returns.csv", "consolidation": {"window_days": 7},
           "solver": {"time_limit_s": 20, "relative_gap": 0.0, **(solver or {})}}
    if rules:
        doc["rules"] = rules
    path = d / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _capacity_lanes() -> list[dict[str, Any]]:
    """No TIR lanes, and one 5 t air allotment on the one flight there is (2025-07-01)."""
    lanes = [r for r in small_lanes() if not r["lane_id"].startswith("L_TIR")]
    for r in lanes:
        if r["lane_id"] == "L_AIR":
            r.update(max_vehicles=1, schedule="2025-07-01")
    return lanes


#: bundled scenarios, solved with the same-route baseline: mixed-week (unrouted batches, their
#: reasons and counterfactuals) and a smaller plan for everything else (checked faster)
SCENARIO_PLANS = {"mixed": "mixed-week.yaml", "timeline": "timeline-2025-pilot.yaml"}

CASES: dict[str, Callable[[Path], Path]] = {
    # two 4 t batches, one flight with a 5 t allotment: one flies, the other is left out for
    # CAPACITY
    "capacity": lambda root: _write_case(
        root, "capacity", [parcel("P1", 4000), parcel("P2", 4000, dest="SELLER2")],
        lanes=_capacity_lanes()),
    # 16 t and 12 t share the TIR lane to INLAND: two 20 t trucks
    "trucks": lambda root: _write_case(
        root, "trucks", [parcel("P1", 16_000), parcel("P2", 12_000, dest="SELLER2")]),
    # every route needs two lanes, one is allowed: NO_PATH
    "nopath": lambda root: _write_case(root, "nopath", [parcel("P1")], solver={"max_legs": 1}),
    # nothing arrives in a day, a planner's deadline (relaxable) refuses every route; the
    # trade mode 0110 (the law) refuses another batch on every route, and a third both ways;
    # one batch routes
    "deadline": lambda root: _write_case(
        root, "deadline", [{**parcel("LATE", 300), "deadline": "2025-07-02"},
                           parcel("B2B", 300, mode="0110", dest="SELLER2"),
                           {**parcel("BOTH", 300, mode="0110", goods="fragile"),
                            "deadline": "2025-07-02"},
                           parcel("OK", 300, dest="SELLER2")],
        rules={"domestic_express": {"enabled": False}}),
    # a 2.5 kg parcel: groupage to INLAND, then express (12 + 2 x 5 CNY) rather than a truck
    "express": lambda root: _write_case(
        root, "express", [parcel("SMALL", 2.5, volume=0.02, value=500)],
        lanes=[*(r for r in small_lanes() if not r["lane_id"].startswith("L_ROAD_INLAND")),
               lane("L_GRP_INLAND", "HUB", "INLAND", "tir_road", per_kg=2.0, days=8,
                    via="BORDER"),
               lane("L_TRUCK_INLAND", "INLAND", "SELLER", "road", per_vehicle=6000)]),
    # disposal allowed: a 2 kg parcel worth 100 CNY is disposed of (64 CNY) rather than
    # returned alone (460.60 CNY by air)
    "tiny": lambda root: _write_case(root, "tiny", [parcel("TINY", 2, volume=0.01, value=100)],
                                     rules={"disposal": {"allowed": True}}),
    # disposal allowed: a 1 t parcel worth 100,000 returns by TIR for 13,500 rather than be
    # disposed of for 62,000 (a plan solved to optimality: disposed_dearer is judged against
    # its gap)
    "returns": lambda root: _write_case(root, "returns", [parcel("P1")],
                                        rules={"disposal": {"allowed": True}}),
    # soft deadlines: two 1 t parcels 3 days late by TIR at 100 CNY a parcel-day
    "late": lambda root: _write_case(
        root, "late", [{**parcel(f"P{i}", 1000), "deadline": "2025-07-08"} for i in range(2)],
        rules={"lateness_cny_per_parcel_day": 100}),
}


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory, bundled_plans) -> Plans:
    """name -> (scenario, plan.json document), each solved at most once per module (the
    bundled scenarios' plans, ``run(scenario)``'s, at most once per test run: conftest's
    ``bundled_plans``, shared with the other files that read them)."""
    cache: dict[str, tuple[Scenario, Doc]] = {}

    def get(name: str) -> tuple[Scenario, Doc]:
        if name not in cache:
            if name in SCENARIO_PLANS:
                sc, plan = bundled_plans(SCENARIO_PLANS[name].removesuffix(".yaml"))
                doc = plan_to_dict(plan)
            else:
                sc = load_scenario(CASES[name](tmp_path_factory.mktemp(name)))
                doc = plan_to_dict(run(sc, same_route_baseline=False))
            cache[name] = (sc, doc)
        return cache[name]

    return get


def _found(problems: list[PlanProblem]) -> set[tuple[str, str | None]]:
    return {(p.kind, p.batch) for p in problems}


# -- finding things in a plan ----------------------------------------------------------------


def _week(v: Doc) -> str:
    return f"{v['lane_id']}@{v['period']}"


def _per_kg(d: Doc) -> Doc:
    """A per-kg booking (no vehicles) that several batches share."""
    return next(v for v in d["vehicles"] if v["count"] == 0 and len(v["batch_ids"]) >= 2)


def _truck(d: Doc) -> Doc:
    """A lane departure where vehicles are bought."""
    return next(v for v in d["vehicles"] if v["count"] >= 1)


def _not_air(d: Doc) -> Doc:
    """A batch whose international leg does not fly (TIR or rail, as the rate cards choose)."""
    return next(b for b in d["batches"] if b["mode"] != "air")


def _with_air(d: Doc) -> Doc:
    return next(b for b in d["batches"] if b["air_cost_cny"] is not None)


def _refused(d: Doc) -> Doc:
    """An unrouted batch that some rule refuses on every route, with a counterfactual."""
    return next(u for u in d["unrouted"]
                if u["reasons"][0]["rule"] not in ("CAPACITY", "NO_PATH") and u["would_route"])


def _unroute(d: Doc, b: Doc, rule: str, detail: str) -> str:
    """Move a routed batch to ``unrouted`` with a reason, tidying up its vehicles."""
    d["batches"].remove(b)
    d["unrouted"].append({"batch_id": b["batch_id"], "origin": b["origin"],
                          "destination": b["destination"], "weight_kg": b["weight_kg"],
                          "reasons": [{"rule": rule, "detail": detail}], "would_route": None,
                          "parcel_ids": b["parcel_ids"]})
    for v in d["vehicles"]:
        for entry in (v, *v["loads"]):
            if b["batch_id"] in entry["batch_ids"]:
                entry["batch_ids"].remove(b["batch_id"])
    return b["batch_id"]


# -- the forgeries ---------------------------------------------------------------------------
# Each edits the document in place and returns what the problem must concern.


def _made_up_reason(d: Doc) -> str:
    b = _not_air(d)
    d["totals"]["batches_routed"] -= 1
    d["totals"]["batches_unrouted"] += 1
    return _unroute(d, b, "DISTRICT", "rejects 4 of 4 routes (return ports URUMQI_CBEC)")


def _capacity_claimed(d: Doc) -> str:
    # the TIR lane to INLAND has no limit: a third truck would always be there
    (b, _) = d["batches"]
    return _unroute(d, b, "CAPACITY", "every compliant trip is full on its departures")


def _rule_for_capacity(d: Doc) -> str:
    (u,) = d["unrouted"]
    u["reasons"] = [{"rule": "DISTRICT", "detail": "made up"}]
    return u["batch_id"]


def _no_path_claimed(d: Doc) -> str:
    u = _refused(d)
    u["reasons"] = [{"rule": "NO_PATH", "detail": "no lane path"}]
    u["would_route"] = None
    return u["batch_id"]


def _reason_dropped(d: Doc) -> str:
    u = next(u for u in d["unrouted"] if len(u["reasons"]) >= 2)
    u["reasons"].pop()
    return u["batch_id"]


def _rule_for_no_path(d: Doc) -> str:
    (u,) = d["unrouted"]
    u["reasons"] = [{"rule": "TRADE_MODE", "detail": "made up"}]
    return u["batch_id"]


def _would_route(edit: Callable[[Doc], None]) -> Callable[[Doc], str]:
    """Edit the counterfactual of the first unrouted batch that has one."""
    def forge(d: Doc) -> str:
        u = next(u for u in d["unrouted"] if u["would_route"])
        edit(u["would_route"])
        return u["batch_id"]
    return forge


def _other_port(w: Doc) -> None:
    w["return_port"] = "TACHENG" if w["return_port"] != "TACHENG" else "KHORGOS"


def _wider_relaxation(w: Doc) -> None:
    w["relax"] = sorted({*w["relax"], "PLANNER"})  # a rule that rejects none of its routes


def _would_route_dropped(d: Doc) -> str:
    u = _refused(d)
    u["would_route"] = None
    return u["batch_id"]


def _null_objective(d: Doc) -> None:
    d["objective_cny"] = d["bound_cny"] = d["gap"] = None


def _penalty(d: Doc) -> None:
    d["meta"]["unrouted_penalty_cny"] += 5000.0
    d["objective_cny"] += 5000.0
    d["bound_cny"] += 5000.0


def _penalty_hidden(d: Doc) -> None:
    penalty = d["meta"]["unrouted_penalty_cny"]
    assert penalty > 10_000  # the batch left out for capacity costs at least 10,000
    d["meta"]["unrouted_penalty_cny"] = 0.0
    d["objective_cny"] -= penalty
    d["bound_cny"] -= penalty


def _bound(factor: float, gap: float | None = None) -> Callable[[Doc], None]:
    def forge(d: Doc) -> None:
        d["bound_cny"] = round(d["objective_cny"] * factor, 2)
        if gap is not None:
            d["gap"] = gap
    return forge


def _shift_legs(d: Doc) -> str:
    """Cost moved from the domestic leg to the international one, the batch's cost unchanged
    (a batch whose second leg is domestic delivery: a bonded truck's leg is a share of its
    departure's bill, and a shift into it is a tariff_share problem, tested elsewhere)."""
    b = next(b for b in d["batches"] if min(leg["cost_cny"] for leg in b["legs"]) > 10
             and b["legs"][1]["mode"] != "bonded_road")
    delta = round(min(leg["cost_cny"] for leg in b["legs"]) / 2, 2)
    b["legs"][0]["cost_cny"] += delta
    b["legs"][1]["cost_cny"] -= delta
    return b["batch_id"]


def _negative_leg(d: Doc) -> None:
    b = d["batches"][0]
    b["legs"][1]["cost_cny"] += b["legs"][0]["cost_cny"] + 50
    b["legs"][0]["cost_cny"] = -50.0


def _extra_truck(d: Doc) -> str:
    v = _truck(d)
    n = v["count"]
    v["count"] += 1
    for key in ("cost_cny", "capacity_kg", "capacity_m3"):
        v[key] = round(v[key] * (n + 1) / n, 4)
    if n >= 2:
        v["loads"].append({"vehicle": n + 1, "load_kg": 0.0, "load_m3": 0.0, "batch_ids": []})
    d["totals"]["vehicles"] += 1
    return _week(v)


def _per_kg_field(key: str, value: Any) -> Callable[[Doc], str]:
    def forge(d: Doc) -> str:
        v = _per_kg(d)
        v[key] = value(v) if callable(value) else value
        return _week(v)
    return forge


def _load(edit: Callable[[Doc], None], pick: Callable[[Doc], Doc] = _per_kg
          ) -> Callable[[Doc], str]:
    def forge(d: Doc) -> str:
        v = pick(d)
        edit(v)
        return _week(v)
    return forge


def _rider_moved(v: Doc) -> None:
    first, second = v["loads"]
    first["batch_ids"] += second["batch_ids"]
    second["batch_ids"] = []


def _overloaded(v: Doc) -> None:
    first, second = v["loads"]
    first["load_kg"] += 5000.0
    second["load_kg"] -= 5000.0


def _set_total(key: str, value: Callable[[Any], Any]) -> Callable[[Doc], None]:
    def forge(d: Doc) -> None:
        d["totals"][key] = value(d["totals"][key])
    return forge


def _batch(key: str, value: Callable[[Any], Any], pick: Callable[[Doc], Doc] = _with_air
           ) -> Callable[[Doc], str]:
    def forge(d: Doc) -> str:
        b = pick(d)
        b[key] = value(b[key])
        return b["batch_id"]
    return forge


def _no_air(d: Doc) -> Doc:
    return next(b for b in d["batches"] if b["air_cost_cny"] is None)


def _with_old(d: Doc) -> Doc:
    return next(b for b in d["batches"] if b["same_route_cost_cny"] is not None)


def _duplicate_entry(d: Doc) -> str:
    v = _per_kg(d)
    d["vehicles"].append(copy.deepcopy(v))
    return _week(v)


def _compliance_detail(d: Doc) -> str:
    b = d["batches"][0]
    b["compliance"][2]["detail"] = "nationwide regime: allowed"
    return b["batch_id"]


def _document_dropped(d: Doc) -> str:
    b = next(b for b in d["batches"] if len(b["documents"]) > 3)
    b["documents"].pop()
    return b["batch_id"]


def _node_moved(d: Doc) -> None:
    d["nodes"][next(iter(d["nodes"]))]["lat"] += 1.0


def _shared_declaration(d: Doc) -> Doc:
    """A declaration two or more routed batches share."""
    return next(x for x in d["declarations"] if len(x["batch_ids"]) >= 2)


def _fee_charged_twice(d: Doc) -> str:
    """A batch of a shared declaration charged the whole fee, as if it lodged its own (its
    cost and the totals tidied up to match)."""
    decl = _shared_declaration(d)
    b = next(b for b in d["batches"] if b["batch_id"] == decl["batch_ids"][-1])
    delta = round(decl["fee_cny"] * (1 - len(b["parcel_ids"]) / decl["parcels"]), 2)
    assert delta > 0
    b["components"]["clearance"] = round(b["components"]["clearance"] + delta, 2)
    b["cost_cny"] = round(b["cost_cny"] + delta, 2)
    for key in ("clearance_cny", "cost_cny"):
        d["totals"][key] = round(d["totals"][key] + delta, 2)
    return b["batch_id"]


def _declaration_moved(d: Doc) -> str:
    """A batch's declaration id moved to another declaration (its lists tidied up)."""
    decl = _shared_declaration(d)
    other = next(x for x in d["declarations"] if x["declaration_id"] != decl["declaration_id"])
    bid = decl["batch_ids"].pop()
    b = next(b for b in d["batches"] if b["batch_id"] == bid)
    b["declaration_id"] = other["declaration_id"]
    other["batch_ids"].append(bid)
    return bid


def _share_inflated(d: Doc) -> str:
    """A batch's share of its declaration inflated by 50 CNY (its cost and totals too)."""
    bid = _shared_declaration(d)["batch_ids"][0]
    b = next(b for b in d["batches"] if b["batch_id"] == bid)
    for entry, key in ((b["components"], "clearance"), (b, "cost_cny"),
                       (d["totals"], "clearance_cny"), (d["totals"], "cost_cny")):
        entry[key] = round(entry[key] + 50, 2)
    return bid


def _declaration_fee(d: Doc) -> str:
    decl = _shared_declaration(d)
    decl["fee_cny"] = round(decl["fee_cny"] * 2, 2)
    return decl["declaration_id"]


def _disposal_lowered(d: Doc) -> str:
    """A disposal made to look cheaper (its total, the grand total and objective tidied)."""
    x = max(d["disposed"], key=lambda x: x["cost_cny"])
    cut = round(x["cost_cny"] / 2, 2)
    x["cost_cny"] = round(x["cost_cny"] - cut, 2)
    for entry, key in ((d["totals"], "disposal_cny"), (d["totals"], "total_cny"),
                       (d, "objective_cny"), (d, "bound_cny")):
        entry[key] = round(entry[key] - cut, 2)
    return x["batch_id"]


def _disposable_unrouted(d: Doc) -> str:
    """A batch the rules refuse, disposable, listed unrouted instead of disposed of (its
    disposal taken out of the totals and objective, the counts tidied)."""
    x = next(x for x in d["disposed"] if x["reasons"])
    d["disposed"].remove(x)
    d["unrouted"].append({"batch_id": x["batch_id"], "origin": x["origin"],
                          "destination": x["destination"], "weight_kg": x["weight_kg"],
                          "reasons": [{"rule": r["rule"], "detail": r["detail"]}
                                      for r in x["reasons"]],
                          "would_route": None, "parcel_ids": x["parcel_ids"]})
    t = d["totals"]
    t["batches_disposed"] -= 1
    t["batches_unrouted"] += 1
    t["parcels_disposed"] -= len(x["parcel_ids"])
    t["parcels_unrouted"] += len(x["parcel_ids"])
    for entry, key in ((t, "disposal_cny"), (t, "total_cny"), (d, "objective_cny"),
                       (d, "bound_cny")):
        entry[key] = round(entry[key] - x["cost_cny"], 2)
    return x["batch_id"]


def _first_ready(b: Doc) -> str:
    """The first ready date a batch id names (its first all-digit YYYYMMDD part, after the
    export district and office), as an ISO date."""
    day = next(p for p in b["batch_id"].split("-") if len(p) == 8 and p.isdigit())
    return f"{day[:4]}-{day[4:6]}-{day[6:]}"


def _disposed_dearer(d: Doc) -> str:
    """The routed batch that loses most by disposal against flying it home alone, disposed of
    instead (rules.yaml: 2 CNY/kg and 60% of its value). (Judged against the plan's own gap:
    a plan proven optimal, or nearly.)"""
    def cost(b: Doc) -> float:
        return round(2 * b["weight_kg"] + 0.6 * b["value_cny"], 2)

    b = max((b for b in d["batches"] if b["air_cost_cny"] is not None),
            key=lambda b: cost(b) - b["air_cost_cny"])
    assert cost(b) > b["air_cost_cny"] + 1000  # flying it alone would be far cheaper
    d["batches"].remove(b)
    for v in d["vehicles"]:
        for entry in (v, *v["loads"]):
            if b["batch_id"] in entry["batch_ids"]:
                entry["batch_ids"].remove(b["batch_id"])
    d["disposed"].append({
        "batch_id": b["batch_id"], "origin": b["origin"], "destination": b["destination"],
        "goods_class": b["goods_class"], "trade_mode": b["trade_mode"],
        "export_district": b["export_district"], "window_start": _first_ready(b),
        "weight_kg": b["weight_kg"], "value_cny": b["value_cny"],
        "parcel_ids": b["parcel_ids"], "cost_cny": cost(b), "return_cny": None, "reasons": [],
        "why": "disposal is cheaper"})
    return b["batch_id"]


def _express_dropped(d: Doc) -> str:
    """The express charge left out of the leg, the freight, the cost and the totals."""
    (b,) = d["batches"]
    leg = b["legs"][-1]
    assert leg["lane_id"].startswith("EXPRESS_") and leg["cost_cny"] == 22
    leg["cost_cny"] = 0.0
    for entry, key in ((b["components"], "freight"), (b, "cost_cny"), (b, "marginal_cny"),
                       (d["totals"], "freight_cny"), (d["totals"], "cost_cny"),
                       (d["totals"], "total_cny"), (d, "objective_cny"), (d, "bound_cny")):
        entry[key] = round(entry[key] - 22, 2)
    return b["batch_id"]


def _lateness_dropped(d: Doc) -> None:
    """The 600 CNY of parcel-days late taken out of the objective (and its bound)."""
    assert d["objective_cny"] == d["totals"]["cost_cny"] + 600
    d["objective_cny"] -= 600
    d["bound_cny"] -= 600


def _disposal_field(d: Doc, key: str, value: Callable[[Any], Any]) -> str:
    """Edit a field of the first disposed batch that could come back."""
    x = next(x for x in d["disposed"] if x["return_cny"] is not None)
    x[key] = value(x[key])
    return x["batch_id"]


def _marginal_inflated(d: Doc) -> str:
    b = d["batches"][0]
    b["marginal_cny"] = round(b["marginal_cny"] + 1000, 2)
    return b["batch_id"]


Forgery = Callable[[Doc], str | None]

#: name -> (plan, edit, the kind it must cause)
FORGERIES: dict[str, tuple[str, Forgery, str]] = {
    # unrouted batches and their reasons
    "routable batch unrouted with a made-up reason": ("mixed", _made_up_reason,
                                                      "unrouted_routable"),
    "batch with room unrouted for capacity": ("trucks", _capacity_claimed, "unrouted_routable"),
    "rule reason for a batch left out for capacity": ("capacity", _rule_for_capacity,
                                                      "unrouted_reason"),
    "no path claimed for a batch with routes": ("deadline", _no_path_claimed, "unrouted_reason"),
    "a failing rule left out of the reasons": ("deadline", _reason_dropped, "unrouted_reason"),
    "a rule reason for a batch without a path": ("nopath", _rule_for_no_path,
                                                 "unrouted_reason"),
    "counterfactual cheaper": ("deadline", _would_route(lambda w: w.update(
        cost_cny=round(w["cost_cny"] / 2, 2))), "would_route"),
    "counterfactual through another port": ("deadline", _would_route(_other_port), "would_route"),
    "counterfactual relaxes more than it must": ("deadline", _would_route(_wider_relaxation),
                                                 "would_route"),
    "counterfactual dropped": ("deadline", _would_route_dropped, "would_route"),
    "capacity counterfactual cheaper": ("capacity", _would_route(lambda w: w.update(
        cost_cny=round(w["cost_cny"] - 100, 2))), "would_route"),
    # objective, bound, gap, penalties
    "objective null without a fallback": ("timeline", _null_objective, "objective"),
    "bound NaN": ("timeline", lambda d: d.update(bound_cny=math.nan), "schema"),
    "bound infinite": ("timeline", lambda d: d.update(bound_cny=math.inf), "schema"),
    "bound above the objective": ("timeline", _bound(1.01), "bound"),
    "bound below, gap left at 0": ("timeline", _bound(0.9), "gap"),
    "bound below, OPTIMAL at a 10% gap": ("timeline", _bound(0.9, 0.1), "status"),
    "penalty inflated": ("timeline", _penalty, "penalty"),
    "capacity penalty hidden": ("capacity", _penalty_hidden, "penalty"),
    # legs and vehicles
    "leg costs shifted between legs": ("timeline", _shift_legs, "leg_costs"),
    "negative leg cost": ("timeline", _negative_leg, "schema"),
    "an extra truck bought": ("timeline", _extra_truck, "extra_vehicles"),
    "an extra truck among several": ("trucks", _extra_truck, "extra_vehicles"),
    "vehicles on a per-kg lane": ("timeline", _per_kg_field("count", 2), "vehicle_fields"),
    "per-kg capacity wrong": ("timeline", _per_kg_field("capacity_kg", lambda v: 99_999.0),
                              "vehicle_fields"),
    "per-kg booking charged": ("timeline", _per_kg_field("cost_cny", 500.0), "vehicle_cost"),
    "departure load wrong": ("timeline", _per_kg_field("load_kg", lambda v: v["load_kg"] + 10),
                             "vehicle_fields"),
    "departure listed twice": ("timeline", _duplicate_entry, "vehicle_entry"),
    "load list heavier than the booking": ("timeline", _load(
        lambda v: v["loads"][0].update(load_kg=v["loads"][0]["load_kg"] + 10)), "load_list"),
    "rider left off the load list": ("timeline", _load(
        lambda v: v["loads"][0]["batch_ids"].pop()), "load_list"),
    "a second booking": ("timeline", _load(lambda v: v["loads"].append(
        {"vehicle": 2, "load_kg": 0.0, "load_m3": 0.0, "batch_ids": []})), "load_list"),
    "rider moved to the other truck": ("trucks", _load(_rider_moved, _truck), "load_list"),
    "a truck loaded beyond capacity": ("trucks", _load(_overloaded, _truck), "load_list"),
    "trucks renumbered": ("trucks", _load(lambda v: v["loads"][1].update(vehicle=3), _truck),
                          "load_list"),
    # headline figures
    "saving vs air inflated": ("timeline", _set_total("saving_vs_air_cny", lambda x: x + 1000),
                               "saving"),
    "saving vs air % inflated": ("timeline", _set_total("saving_vs_air_pct", lambda x: x + 5),
                                 "saving"),
    "air baseline inflated": ("timeline", _set_total("air_baseline_cny", lambda x: x * 1.1),
                              "saving"),
    "saving vs same-route inflated": ("timeline", _set_total("saving_vs_same_route_cny",
                                                          lambda x: x + 1000), "saving"),
    "same-route baseline inflated": ("timeline", _set_total("same_route_baseline_cny",
                                                         lambda x: x + 1000), "saving"),
    "batch CO2e halved": ("timeline", _batch("co2e_kg", lambda x: round(x / 2, 1)), "co2e"),
    "total CO2e halved": ("timeline", _set_total("co2e_kg", lambda x: round(x / 2, 2)), "co2e"),
    "batches counted wrong": ("timeline", _set_total("batches", lambda x: x + 1), "count"),
    "vehicles counted wrong": ("timeline", _set_total("vehicles", lambda x: x + 1), "count"),
    "parcels counted wrong": ("timeline", _set_total("parcels", lambda x: x - 1), "count"),
    "air comparisons counted wrong": ("timeline", _set_total("batches_compared_with_air",
                                                          lambda x: x + 1), "count"),
    "mean transit days wrong": ("timeline", _set_total("mean_transit_days", lambda x: x - 1),
                                "total"),
    "max transit days wrong": ("timeline", _set_total("max_transit_days", lambda x: x - 1),
                               "total"),
    "air cost per batch lowered": ("timeline", _batch("air_cost_cny", lambda x: round(x / 2, 2)),
                                   "air_cost"),
    "air cost per batch hidden": ("timeline", _batch("air_cost_cny", lambda x: None), "air_cost"),
    "air cost invented": ("timeline", _batch("air_cost_cny", lambda x: 1.0, _no_air), "air_cost"),
    "batch mode wrong": ("timeline", _batch("mode", lambda x: "air",
                                         lambda d: _not_air(d)), "batch_mode"),
    "same-route cost below any same-route route": ("timeline", _batch(
        "same_route_cost_cny", lambda x: 1.0, _with_old), "same_route"),
    "same-route unrouted overstated": ("timeline", _set_total("same_route_unrouted",
                                                             lambda x: x + 5), "same_route"),
    "greedy baseline inflated": ("timeline", _set_total("greedy_baseline_cny", lambda x: x * 100),
                                 "greedy_baseline"),
    # return declarations and what is left behind
    "a declaration fee charged twice": ("mixed", _fee_charged_twice, "cost_component"),
    "a batch's declaration id moved": ("mixed", _declaration_moved, "declaration_id"),
    "a clearance share inflated": ("timeline", _share_inflated, "cost_component"),
    "a declaration's fee doubled": ("mixed", _declaration_fee, "declaration"),
    "declarations counted wrong": ("timeline", _set_total("declarations", lambda x: x - 1),
                                   "count"),
    "unrouted parcels under-reported": ("deadline", _set_total("parcels_unrouted",
                                                               lambda x: x - 1), "count"),
    "unrouted kg under-reported": ("deadline", _set_total("weight_unrouted_kg",
                                                          lambda x: round(x / 2, 3)), "total"),
    "unrouted value under-reported": ("deadline", _set_total("value_unrouted_cny",
                                                             lambda x: 0.0), "total"),
    # disposal, express, soft deadlines, marginal costs and the new totals
    "a disposal cost lowered": ("mixed", _disposal_lowered, "disposal_cost"),
    "a disposable batch listed unrouted": ("mixed", _disposable_unrouted,
                                           "unrouted_disposable"),
    "a batch disposed of that returning alone would beat": ("returns", _disposed_dearer,
                                                           "disposed_dearer"),
    "a disposal's return cost understated": ("tiny", lambda d: _disposal_field(
        d, "return_cny", lambda x: round(x / 2, 2)), "disposal_return"),
    "a disposal's why edited": ("tiny", lambda d: _disposal_field(
        d, "why", lambda x: x.replace("returning", "flying")), "disposal_why"),
    "the express charge dropped from a leg": ("express", _express_dropped, "leg_costs"),
    "a marginal cost inflated": ("timeline", _marginal_inflated, "marginal_cost"),
    "total not cost + disposal": ("mixed", _set_total("total_cny", lambda x: x - 1000),
                                  "total"),
    "lateness left out of the objective": ("late", _lateness_dropped, "objective"),
    "disposed parcels under-reported": ("mixed", _set_total("parcels_disposed",
                                                            lambda x: x - 1), "count"),
    "disposed kg under-reported": ("mixed", _set_total("weight_disposed_kg",
                                                       lambda x: round(x / 2, 3)), "total"),
    "disposed batches counted wrong": ("mixed", _set_total("batches_disposed",
                                                           lambda x: x - 1), "count"),
    "air comparisons over more parcels": ("timeline", _set_total("parcels_compared_with_air",
                                                                 lambda x: x + 3), "count"),
    "cost per kg understated": ("timeline", _set_total("cost_per_kg_cny", lambda x: x - 1),
                                "total"),
    "routed parcels over-reported": ("capacity", _set_total("parcels_routed", lambda x: x + 1),
                                     "count"),
    # what else a plan states
    "compliance record edited": ("timeline", _compliance_detail, "compliance_record"),
    "a document dropped": ("timeline", _document_dropped, "documents"),
    "planning date wrong": ("timeline", lambda d: d["meta"].update(as_of="2026-01-01"), "meta"),
    "a node moved": ("timeline", _node_moved, "nodes"),
}


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_forgery_is_caught(plans: Plans, name: str) -> None:
    case, edit, kind = FORGERIES[name]
    sc, doc = plans(case)
    doc = copy.deepcopy(doc)
    concerns = edit(doc)
    problems = verify_plan(doc, sc)
    assert (kind, concerns) in _found(problems), [str(p) for p in problems]


def test_every_batch_unrouted(plans: Plans) -> None:
    """Every routed batch moved to ``unrouted`` (for capacity, with the vehicles emptied and the
    status INFEASIBLE to match): each one fits next to a plan that carries nothing."""
    sc, doc = plans("timeline")
    doc = copy.deepcopy(doc)
    moved = [_unroute(doc, b, "CAPACITY", "every compliant route is full")
             for b in list(doc["batches"])]
    doc["vehicles"] = []
    doc["status"] = "INFEASIBLE"
    problems = verify_plan(doc, sc)
    routable = {p.batch for p in problems if p.kind == "unrouted_routable"}
    assert routable == set(moved)


def test_the_plans_themselves_check_out(plans: Plans) -> None:
    """The forgeries start from plans that pass (and the small plans show what they should)."""
    for name in (*SCENARIO_PLANS, *CASES):
        sc, doc = plans(name)
        assert verify_plan(doc, sc) == [], name
    _, capacity = plans("capacity")
    assert [u["reasons"][0]["rule"] for u in capacity["unrouted"]] == ["CAPACITY"]
    assert capacity["meta"]["unrouted_penalty_cny"] > 10_000
    _, trucks = plans("trucks")
    assert [len(v["loads"]) for v in trucks["vehicles"] if v["count"]] == [2]
    _, nopath = plans("nopath")
    assert [u["reasons"][0]["rule"] for u in nopath["unrouted"]] == ["NO_PATH"]


# -- random mutations never crash the checker ------------------------------------------------

LONG = os.environ.get("RETURNROUTE_FUZZ") == "long"

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
              st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
              st.sampled_from(["HUB", "SELLER", "L_AIR", "2025-07-01", "2025-W27", "9610",
                               "CAPACITY", "DISTRICT", "NO_PATH", "OPTIMAL", "air"])),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=6)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in a JSON document (the root included)."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*path, i))
    return found


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _mutate(doc: Any, path: tuple[Any, ...], op: str, new: Any, peer: Any) -> Any:
    """``doc`` with the value at ``path`` deleted, replaced by ``new`` or by ``peer`` (a value
    of another field), wrapped in a list or object, doubled (numbers), cut or grown (lists)."""
    old = _at(doc, path)
    changes: dict[str, Callable[[], Any]] = {
        "replace": lambda: new,
        "peer": lambda: peer,
        "wrap": lambda: {"x": old} if isinstance(old, list) else [old],
        "number": lambda: (old * 2 + 1 if isinstance(old, (int, float))
                           and not isinstance(old, bool) else new),
        "shrink": lambda: old[:-1] if isinstance(old, list) else new,
        "grow": lambda: old + old[:1] if isinstance(old, list) else new,
    }
    if not path:
        return None if op == "delete" else changes[op]()
    parent = _at(doc, path[:-1])
    if op == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1]] = changes[op]()
    return doc


OPS = ["delete", "replace", "peer", "wrap", "number", "shrink", "grow"]


@settings(max_examples=3000 if LONG else 150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_mutations_never_crash(plans: Plans, data: st.DataObject) -> None:
    """Deleted keys, wrong types, NaN, infinities and huge numbers, wrong nesting, values of
    other fields, lists cut or grown: ``verify_plan`` returns problems, never raises."""
    sc, original = plans(data.draw(st.sampled_from(sorted(CASES))))
    doc: Any = copy.deepcopy(original)
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(doc)
        path = data.draw(st.sampled_from(paths))
        peer = copy.deepcopy(_at(doc, data.draw(st.sampled_from(paths))))
        doc = _mutate(doc, path, data.draw(st.sampled_from(OPS)), data.draw(json_values), peer)
    problems = verify_plan(doc, sc)
    assert isinstance(problems, list)
    assert all(isinstance(p, PlanProblem) and p.detail for p in problems)
    # the checker's fast schema stage (inlined, memoised) judges as jsonschema itself does
    schema = [p for p in problems if p.kind == "schema" and not _odd_number(p.detail)]
    assert bool(schema) == (not PLAIN.is_valid(doc))


def _odd_number(detail: str) -> bool:
    return "is not a finite number" in detail or "a JSON number holds exactly" in detail


#: plan.json's schema as jsonschema validates it, without the checker's speed-ups
PLAIN = Draft202012Validator(
    json.loads(resources.files("optimizer.data").joinpath("plan.schema.json").read_text(
        encoding="utf-8")), format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_garbage_is_a_schema_problem(plans: Plans) -> None:
    sc, _ = plans("nopath")
    for garbage in (None, [], "plan", 3, {"batches": "x"}, {"batches": [], "nodes": {}}):
        problems = verify_plan(garbage, sc)
        assert problems and {p.kind for p in problems} == {"schema"}
