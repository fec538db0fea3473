"""plan.json against its JSON Schema (optimizer/data/plan.schema.json).

The schema is the contract other tools rely on: it must be a valid Draft 2020-12 schema, every
plan the writer produces must validate (bundled scenarios, unrouted batches with and without a
verified counterfactual, the heuristic fallback, a solve cut short by the time limit, the CLI's
``--json``), and it must reject documents that break it, naming where.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import ROOT, parcel, small_lanes

import optimizer.planning.pipeline as pipeline
from optimizer.cli import cli
from optimizer.domain import NODE_KINDS, RULE_IDS, Mode, Regime
from optimizer.inputs import load_scenario
from optimizer.outputs.plan_json import (
    SCHEMA_VERSION,
    plan_to_dict,
    schema,
    unwritten_totals,
    validate,
)
from optimizer.plan import Declaration, Disposal, Plan, SolverStats, Totals
from optimizer.planning.mip import Solution

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))

#: the ``Totals`` fields plan.json does not carry (none: every figure is in the document and
#: checked)
UNWRITTEN: set[str] = set()
YIWU = ROOT / "scenarios" / "yiwu-tir-return.yaml"
Doc = dict[str, Any]


def valid_doc(plan: Plan) -> Doc:
    """The plan's document, asserted valid against the schema."""
    doc = plan_to_dict(plan)
    assert validate(doc) == []
    return doc


@pytest.fixture(scope="module")
def yiwu_doc() -> Doc:
    """The Yiwu scenario solved in full (with the same-route baseline)."""
    return plan_to_dict(pipeline.run(load_scenario(YIWU)))


# ---- the schema itself ---------------------------------------------------------------------


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    doc = schema()
    jsonschema.Draft202012Validator.check_schema(doc)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["properties"]["schema_version"]["const"] == SCHEMA_VERSION


def test_schema_names_what_the_code_fixes() -> None:
    """The schema's enumerations and fixed key sets are the code's (a change in one is a change
    of the contract: update both)."""
    s = schema()
    defs = s["$defs"]
    assert defs["mode"]["enum"] == list(typing.get_args(Mode))
    assert defs["regime"]["enum"] == list(typing.get_args(Regime))
    assert defs["rule"]["enum"] == list(RULE_IDS)
    assert defs["node"]["properties"]["kind"]["enum"] == list(NODE_KINDS)
    assert unwritten_totals() == UNWRITTEN
    written = [f for f in Totals.__dataclass_fields__ if f not in UNWRITTEN]
    assert list(defs["totals"]["properties"]) == written
    assert defs["totals"]["required"] == written
    assert list(defs["declaration"]["properties"]) == [
        f.name for f in dataclasses.fields(Declaration)]
    # a disposal is its dataclass but the window start (last there, with the batch fields here)
    disposal = [f.name for f in dataclasses.fields(Disposal)]
    assert sorted(defs["disposal"]["properties"]) == sorted(disposal)
    assert defs["disposal"]["required"] == list(defs["disposal"]["properties"])
    stats = set(SolverStats.__dataclass_fields__)
    solver = defs["solver"]
    assert stats <= set(solver["properties"]) and not stats & set(solver["required"])


def _closed_objects(node: Any, where: str = "#") -> list[str]:
    """Every object schema with ``properties`` that does not forbid other keys."""
    found = []
    if isinstance(node, dict):
        if "properties" in node and node.get("additionalProperties") is not False:
            found.append(where)
        for key, value in node.items():
            found += _closed_objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _closed_objects(value, f"{where}/{i}")
    return found


def test_every_fixed_object_forbids_unknown_keys() -> None:
    assert _closed_objects(schema()) == []


# ---- real plans validate -------------------------------------------------------------------


def test_scenarios_are_found() -> None:
    assert SCENARIOS, "no scenarios/*.yaml"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_bundled_scenario_plan_validates(path: Path) -> None:
    # without the same-route baseline (its fields are null), to keep the suite fast
    doc = valid_doc(pipeline.run(load_scenario(path), same_route_baseline=False))
    assert doc["totals"]["same_route_baseline_cny"] is None
    assert all(b["same_route_cost_cny"] is None for b in doc["batches"])


def test_full_run_with_the_same_route_baseline_validates(yiwu_doc: Doc) -> None:
    assert validate(yiwu_doc) == []
    assert yiwu_doc["totals"]["same_route_baseline_cny"] is not None
    assert yiwu_doc["totals"]["saving_vs_same_route_pct"] is not None
    assert all(b["same_route_cost_cny"] is not None for b in yiwu_doc["batches"])
    assert yiwu_doc["meta"]["solver"]["variables"] > 0


def test_unrouted_for_capacity_with_a_counterfactual_validates(make_case) -> None:
    # one departure of a 5,000 kg air allotment (a charter on 2025-07-01), two 4,000 kg
    # batches: one is unrouted for CAPACITY
    lanes = [r for r in small_lanes() if not r["lane_id"].startswith("L_TIR")]
    for r in lanes:
        if r["lane_id"] == "L_AIR":
            r.update(max_vehicles=1, schedule="2025-07-01")
    parcels = [parcel("P1", 4000, dest="SELLER"), parcel("P2", 4000, dest="SELLER2")]
    doc = valid_doc(pipeline.run(load_scenario(make_case(parcels, lanes=lanes))))
    assert doc["status"] == "PARTIAL"
    (u,) = doc["unrouted"]
    assert u["reasons"][0]["rule"] == "CAPACITY"
    assert u["would_route"]["relax"] == ["CAPACITY"] and u["would_route"]["verified"] is True
    assert doc["meta"]["unrouted_penalty_cny"] > 0


def test_nothing_routed_validates(make_case) -> None:
    # only air lanes (passenger aircraft, no dangerous goods), and only goods that may not fly
    # on them: INFEASIBLE, and no counterfactual (the goods rule is the law, an explanation
    # never proposes relaxing it)
    lanes = [r for r in small_lanes() if r["mode"] in ("air", "road")]
    parcels = [parcel("P1", goods="battery_standalone"),
               parcel("P2", goods="dg_liquid", dest="SELLER2")]
    doc = valid_doc(pipeline.run(load_scenario(make_case(parcels, lanes=lanes))))
    assert doc["status"] == "INFEASIBLE" and doc["batches"] == [] and doc["vehicles"] == []
    assert doc["totals"]["mean_transit_days"] is None
    assert doc["totals"]["max_transit_days"] is None
    assert all(u["would_route"] is None for u in doc["unrouted"])
    assert doc["declarations"] == [] and doc["totals"]["declarations"] == 0
    assert doc["totals"]["parcels_unrouted"] == 2 and doc["totals"]["parcels_routed"] == 0


def test_unrouted_without_a_counterfactual_validates(make_case) -> None:
    # every route needs more legs than allowed: NO_PATH, nothing would route it
    doc = valid_doc(pipeline.run(load_scenario(make_case(solver={"max_legs": 1}))))
    (u,) = doc["unrouted"]
    assert u["reasons"][0]["rule"] == "NO_PATH" and u["would_route"] is None


def test_partly_routed_by_rule_validates(make_case) -> None:
    # a trade mode the rules do not accept: one batch routed, one unrouted for TRADE_MODE
    doc = valid_doc(pipeline.run(load_scenario(make_case(
        [parcel("P1"), parcel("P2", mode="0110", dest="SELLER2")]))))
    assert doc["status"] == "PARTIAL"
    (u,) = doc["unrouted"]
    assert u["reasons"][0]["rule"] == "TRADE_MODE" and len(doc["batches"]) == 1


def test_heuristic_fallback_validates(make_case, monkeypatch) -> None:
    def no_plan(batches, options, settings, hint=None, leave=None):
        return Solution("NOT_SOLVED", None, None, None, 0.0, {}, (), {})

    monkeypatch.setattr(pipeline, "solve", no_plan)
    parcels = [parcel("P1", 1300, dest="SELLER"), parcel("P2", 1300, dest="SELLER2")]
    doc = valid_doc(pipeline.run(load_scenario(make_case(parcels))))
    assert doc["status"] == "FEASIBLE" and doc["solver_status"] == "NOT_SOLVED"
    assert doc["meta"]["fallback"].startswith("heuristic plan")
    assert doc["objective_cny"] is None and doc["bound_cny"] is None and doc["gap"] is None
    assert "variables" not in doc["meta"]["solver"]  # the model was never built


def test_time_limit_cut_short_validates() -> None:
    sc = load_scenario(ROOT / "scenarios" / "mixed-week.yaml")
    sc = dataclasses.replace(sc, solver=dataclasses.replace(sc.solver, time_limit_s=0.001))
    doc = valid_doc(pipeline.run(sc, same_route_baseline=False))
    assert doc["batches"]
    assert doc["meta"]["solver"]["time_limit_s"] == 0.001


def test_cli_solve_json_validates() -> None:
    res = CliRunner().invoke(cli, ["solve", str(YIWU), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert validate(doc) == []
    assert doc["schema_version"] == SCHEMA_VERSION


# ---- the schema rejects what breaks it -----------------------------------------------------


def _drop(*path: str | int) -> Callable[[Doc], None]:
    def edit(doc: Doc) -> None:
        *parents, last = path
        node: Any = doc
        for key in parents:
            node = node[key]
        del node[last]
    return edit


def _set(value: Any, *path: str | int) -> Callable[[Doc], None]:
    def edit(doc: Doc) -> None:
        *parents, last = path
        node: Any = doc
        for key in parents:
            node = node[key]
        node[last] = value
    return edit


#: a valid plan.json ``disposed`` entry (a batch no rule lets come back)
DISPOSAL_ENTRY: Doc = {
    "batch_id": "HUB-SELLER-general-0110-ADIST-20250701", "origin": "HUB",
    "destination": "SELLER", "goods_class": "general", "trade_mode": "0110",
    "export_district": "ADIST", "window_start": "2025-07-01", "weight_kg": 2.0,
    "value_cny": 100.0, "parcel_ids": ["P1"], "cost_cny": 64.0, "return_cny": None,
    "reasons": [{"rule": "TRADE_MODE", "passed": False, "detail": "rejects 4 of 4 routes"}],
    "why": "disposal 64 CNY = ...; no compliant return route"}

BROKEN = [
    # (id, edit, the path the error names, a part of its message)
    ("missing-required-top-level", _drop("status"), "(document)",
     "'status' is a required property"),
    ("missing-required-nested", _drop("totals", "cost_cny"), "totals",
     "'cost_cny' is a required property"),
    ("unknown-top-level-key", _set("red", "colour"), "(document)", "'colour' was unexpected"),
    ("unknown-nested-key", _set(1.0, "batches", 0, "components", "fuel"),
     "batches/0/components", "'fuel' was unexpected"),
    ("string-cost", _set("3038.04", "batches", 0, "cost_cny"), "batches/0/cost_cny",
     "is not of type 'number'"),
    ("null-cost", _set(None, "totals", "cost_cny"), "totals/cost_cny", "is not of type"),
    ("negative-leg-cost", _set(-1.0, "batches", 0, "legs", 0, "cost_cny"),
     "batches/0/legs/0/cost_cny", "less than the minimum of 0"),
    ("bad-status", _set("DONE", "status"), "status", "is not one of"),
    ("bad-mode", _set("ship", "batches", 0, "mode"), "batches/0/mode", "is not one of"),
    ("bad-date", _set("18/07/2025", "batches", 0, "eta"), "batches/0/eta", "does not match"),
    ("bad-as-of", _set("2025-7-16", "meta", "as_of"), "meta/as_of", "does not match"),
    ("wrong-schema-version", _set(1, "schema_version"), "schema_version",
     f"{SCHEMA_VERSION} was expected"),
    ("week-as-a-departure", _set("2025-W27", "vehicles", 0, "period"), "vehicles/0/period",
     "does not match"),
    ("undated-leg", _drop("batches", 0, "legs", 0, "depart_date"), "batches/0/legs/0",
     "'depart_date' is a required property"),
    ("missing-wait-saving", _drop("batches", 0, "wait_saving_cny"), "batches/0",
     "'wait_saving_cny' is a required property"),
    ("negative-wait", _set(-1, "batches", 0, "wait_days"), "batches/0/wait_days",
     "less than the minimum of 0"),
    ("missing-storage", _drop("batches", 0, "components", "storage"), "batches/0/components",
     "'storage' is a required property"),
    ("missing-declarations", _drop("declarations"), "(document)",
     "'declarations' is a required property"),
    ("missing-declaration-id", _drop("batches", 0, "declaration_id"), "batches/0",
     "'declaration_id' is a required property"),
    ("bad-declaration-id", _set("D-1", "batches", 0, "declaration_id"),
     "batches/0/declaration_id", "does not match"),
    ("declaration-without-batches", _set([], "declarations", 0, "batch_ids"),
     "declarations/0/batch_ids", "should be non-empty"),
    ("declaration-unknown-key", _set(1, "declarations", 0, "share"), "declarations/0",
     "'share' was unexpected"),
    ("declaration-negative-fee", _set(-5.0, "declarations", 0, "fee_cny"),
     "declarations/0/fee_cny", "less than the minimum of 0"),
    ("missing-unrouted-parcels", _drop("totals", "parcels_unrouted"), "totals",
     "'parcels_unrouted' is a required property"),
    ("fractional-unrouted-parcels", _set(1.5, "totals", "parcels_unrouted"),
     "totals/parcels_unrouted", "is not of type 'integer'"),
    ("missing-disposed", _drop("disposed"), "(document)", "'disposed' is a required property"),
    ("missing-marginal", _drop("batches", 0, "marginal_cny"), "batches/0",
     "'marginal_cny' is a required property"),
    ("negative-marginal", _set(-1.0, "batches", 0, "marginal_cny"), "batches/0/marginal_cny",
     "less than the minimum of 0"),
    ("missing-total", _drop("totals", "total_cny"), "totals",
     "'total_cny' is a required property"),
    ("string-cost-per-kg", _set("12", "totals", "cost_per_kg_cny"), "totals/cost_per_kg_cny",
     "is not of type"),
    ("disposal-without-why", lambda d: d["disposed"].append(
        {k: v for k, v in DISPOSAL_ENTRY.items() if k != "why"}), "disposed/0",
     "'why' is a required property"),
    ("disposal-reason-passed", lambda d: d["disposed"].append(
        {**DISPOSAL_ENTRY, "reasons": [{"rule": "TRADE_MODE", "passed": True, "detail": ""}]}),
     "disposed/0/reasons/0/passed", "False was expected"),
    ("disposal-for-capacity", lambda d: d["disposed"].append(
        {**DISPOSAL_ENTRY, "reasons": [{"rule": "CAPACITY", "passed": False, "detail": ""}]}),
     "disposed/0/reasons/0/rule", "is not valid"),
]


def test_a_disposal_entry_validates(yiwu_doc: Doc) -> None:
    doc = copy.deepcopy(yiwu_doc)
    doc["disposed"].append(DISPOSAL_ENTRY)
    assert validate(doc) == []


@pytest.mark.parametrize(("edit", "where", "message"), [b[1:] for b in BROKEN],
                         ids=[b[0] for b in BROKEN])
def test_schema_rejects(yiwu_doc: Doc, edit: Callable[[Doc], None], where: str,
                        message: str) -> None:
    doc = copy.deepcopy(yiwu_doc)
    edit(doc)
    errors = validate(doc)
    assert errors, "the broken document validated"
    assert any(e.startswith(f"{where}: ") and message in e for e in errors), errors
