"""The independent plan checker: clean plans pass, and each kind of tampering is caught."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, parcel

from optimizer.cli import cli
from optimizer.inputs import load_scenario
from optimizer.outputs.plan_json import plan_to_dict
from optimizer.planning.pipeline import run
from optimizer.verify import verify_plan


@pytest.fixture(scope="module")
def mixed():
    sc = load_scenario(ROOT / "scenarios" / "mixed-week.yaml")
    return sc, plan_to_dict(run(sc, same_route_baseline=False))


def test_clean_plan_passes(mixed) -> None:
    sc, doc = mixed
    assert verify_plan(doc, sc) == []
    # and survives a round trip through JSON text, as users hold it
    assert verify_plan(json.loads(json.dumps(doc)), sc) == []


def _tamper(doc, fn):
    doc = copy.deepcopy(doc)
    fn(doc)
    return doc


def _first_truck(doc):
    return next(v for v in doc["vehicles"] if v["count"] >= 1 and v["cost_cny"] > 0)


TAMPERING = {
    "cost off by one yuan": (lambda d: d["batches"][0].__setitem__(
        "cost_cny", d["batches"][0]["cost_cny"] + 1), "is not freight"),
    "freight off by a fen": (lambda d: d["batches"][0]["components"].__setitem__(
        "freight", d["batches"][0]["components"]["freight"] + 0.02), "freight"),
    "parcel dropped": (lambda d: d["batches"][0]["parcel_ids"].pop(), "parcels"),
    "noncompliant port": (lambda d: _swap_port(d), "not"),
    "truck removed": (lambda d: _first_truck(d).__setitem__("count", 0), "overfill"),
    "leg broken": (lambda d: d["batches"][0]["legs"][0].__setitem__("lane_id", "NOPE"),
                   "unknown lane"),
    "bound above objective": (lambda d: d.__setitem__("bound_cny", d["objective_cny"] + 100),
                              "exceeds the objective"),
    "totals wrong": (lambda d: d["totals"].__setitem__("cost_cny", d["totals"]["cost_cny"] - 5),
                     "totals.cost_cny"),
    "eta wrong": (lambda d: d["batches"][0].__setitem__("eta", "2030-01-01"), "dates"),
    "status wrong": (lambda d: d.__setitem__("status", "OPTIMAL"), "status"),
}


def _swap_port(doc) -> None:
    """Pretend a 1210 batch (never crosses districts) cleared at a port in another district."""
    b = next(b for b in doc["batches"] if b["trade_mode"] in ("1210", "9810")
             and b["return_district"] != "HANGZHOU")
    b["return_port"] = "YIWU_CUSTOMS"
    b["return_district"] = "HANGZHOU"


@pytest.mark.parametrize("name", sorted(TAMPERING))
def test_tampering_is_caught(mixed, name: str) -> None:
    sc, doc = mixed
    fn, fragment = TAMPERING[name]
    problems = verify_plan(_tamper(doc, fn), sc)
    assert problems, name
    assert any(fragment in p for p in problems), problems


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
    (out / "plan.json").write_text("{not json")
    res = runner.invoke(cli, ["verify", str(out / "plan.json"), str(path)])
    assert res.exit_code == 2 and "invalid JSON" in res.output


def test_unrouted_explanation_is_verified_by_relaxing_the_rule(make_case) -> None:
    # Only the NOPILOT lanes exist: in the pilot regime its district CDIST may not take the
    # cross-district return, so the batch is unrouted; the explanation names DISTRICT and the
    # route it would take, and switching DISTRICT off really routes it there.
    from conftest import small_lanes
    lanes = [r for r in small_lanes() if "NOPILOT" in r["lane_id"]]
    plan = run(load_scenario(make_case([parcel("P1")], lanes=lanes)))
    assert plan.status == "INFEASIBLE"
    (u,) = plan.unrouted
    cf = u.would_route
    assert cf is not None
    assert cf.relax == ("DISTRICT",) and cf.return_port == "NOPILOT"
    assert "CDIST is not a cross-district pilot" in cf.sentence()
    enabled = [r for r in load_scenario(make_case()).rules.enabled if r != "DISTRICT"]
    relaxed = run(load_scenario(make_case([parcel("P1")], lanes=lanes,
                                          rules={"enabled": enabled})))
    (bp,) = relaxed.batches
    assert bp.return_port == cf.return_port
    assert bp.cost_cny == pytest.approx(cf.cost_cny)


def test_no_path_has_no_counterfactual(make_case) -> None:
    # a batch whose every route needs more legs than allowed: max_legs 1
    plan = run(load_scenario(make_case(solver={"max_legs": 1})))
    (u,) = plan.unrouted
    assert u.reasons[0].rule == "NO_PATH" and u.would_route is None
