"""The checker's side of three contracts, hand-computed on tests/conftest.py's small network:
return declarations shared by the batches cleared on them, batch ids that name the dates that
bind their parcels (``-W`` / ``-D``), and parcel-true unrouted batches (``parcel_blocked``).

Each test solves a small plan, states what the checker must find in it by hand, then edits
the document the way a forger would and expects the problem of one kind about one batch or
declaration.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from conftest import parcel, small_lanes

from optimizer.inputs import load_scenario
from optimizer.outputs.plan_json import plan_to_dict
from optimizer.planning.pipeline import run
from optimizer.verify import PlanProblem, verify_plan

Doc = dict[str, Any]

#: only the air route to AIRPORT (BDIST, a pilot like the export district ADIST): every batch
#: is declared there two days (flight) plus one (clearance) after it leaves
AIR_ONLY = ("L_AIR", "L_ROAD_AIR", "L_ROAD_AIR_2")
#: no domestic express lanes: the routes are the lanes listed
NO_EXPRESS = {"domestic_express": {"enabled": False}}
#: every batch takes the first departure it can make
NO_WAITING = {"waiting": {"max_days": 0, "max_departures": 1}}
#: one declaration a port, day and trade mode: 1,000 CNY, and 10 a parcel
SHARED_FEE = {"group_by": ["return_port", "date", "trade_mode"], "fee_cny": 1000,
              "per_parcel_fee_cny": 10}


def _found(problems: list[PlanProblem]) -> set[tuple[str, str | None]]:
    return {(p.kind, p.batch) for p in problems}


def _by_parcel(doc: Doc) -> dict[str, Doc]:
    return {pid: b for b in doc["batches"] for pid in b["parcel_ids"]}


@pytest.fixture
def shared(make_case) -> tuple[Any, Doc]:
    """Three batches by air, window 0 days: A (two parcels to SELLER) and B (one to SELLER2)
    leave 2025-07-01 and are declared at AIRPORT 2025-07-04; C (one parcel) leaves 2025-07-03,
    declared 2025-07-06. Fee 1,000 a declaration, 10 a parcel. No batch may wait for a later
    flight (A and B would, to share C's declaration: see ``test_waiting_to_share_a_fee``)."""
    parcels = [parcel("A1", 100), parcel("A2", 100), parcel("B1", 100, dest="SELLER2"),
               parcel("C1", 100, ready="2025-07-03")]
    lanes = [r for r in small_lanes() if r["lane_id"] in AIR_ONLY]
    path = make_case(parcels, lanes=lanes, window_days=0,
                     rules={**NO_EXPRESS, **NO_WAITING, "declaration": SHARED_FEE})
    sc = load_scenario(path)
    return sc, plan_to_dict(run(sc, same_route_baseline=False))


def test_waiting_to_share_a_fee(make_case) -> None:
    # The same batches, free to wait: A and B wait two days for C's flight and share its
    # declaration (storage 0.01 CNY/kg-day x 300 kg x 2 days = 6 CNY against a 1,000 CNY fee)
    parcels = [parcel("A1", 100), parcel("A2", 100), parcel("B1", 100, dest="SELLER2"),
               parcel("C1", 100, ready="2025-07-03")]
    lanes = [r for r in small_lanes() if r["lane_id"] in AIR_ONLY]
    sc = load_scenario(make_case(parcels, lanes=lanes, window_days=0,
                                 rules={**NO_EXPRESS, "declaration": SHARED_FEE}))
    doc = plan_to_dict(run(sc, same_route_baseline=False))
    assert verify_plan(doc, sc) == []
    (decl,) = doc["declarations"]
    assert decl["declaration_id"] == "DECL-AIRPORT-20250706-9610" and decl["parcels"] == 4
    by = _by_parcel(doc)
    assert (by["A1"]["wait_days"], by["A1"]["components"]["storage"]) == (2, 4.0)
    assert (by["B1"]["wait_days"], by["B1"]["components"]["storage"]) == (2, 2.0)


def test_a_declaration_fee_is_shared_by_parcels(shared) -> None:
    sc, doc = shared
    assert verify_plan(doc, sc) == []
    by = _by_parcel(doc)
    first, second = "DECL-AIRPORT-20250704-9610", "DECL-AIRPORT-20250706-9610"
    assert (by["A1"]["declaration_id"], by["B1"]["declaration_id"],
            by["C1"]["declaration_id"]) == (first, first, second)
    # 1,000 shared 2:1 by parcels, plus 10 a parcel; C alone pays the whole fee
    assert by["A1"]["components"]["clearance"] == pytest.approx(20 + 666.67, abs=0.01)
    assert by["B1"]["components"]["clearance"] == pytest.approx(10 + 333.33, abs=0.01)
    assert by["C1"]["components"]["clearance"] == pytest.approx(10 + 1000, abs=0.01)
    assert [(d["declaration_id"], d["fee_cny"], d["parcels"], d["weight_kg"], d["date"],
             d["trade_mode"], sorted(d["batch_ids"])) for d in doc["declarations"]] == [
        (first, 1000.0, 3, 300.0, "2025-07-04", "9610",
         sorted([by["A1"]["batch_id"], by["B1"]["batch_id"]])),
        (second, 1000.0, 1, 100.0, "2025-07-06", "9610", [by["C1"]["batch_id"]])]
    t = doc["totals"]
    assert t["declarations"] == 2
    assert t["clearance_cny"] == pytest.approx(2 * 1000 + 4 * 10)
    # alone, a batch lodges its own declaration: the all-air baseline pays the whole fee
    a = by["A1"]
    assert a["air_cost_cny"] == pytest.approx(
        a["components"]["freight"] + 1000 + 20 + a["components"]["tax_exposure"], abs=0.02)


def _charge(b: Doc, clearance: float, doc: Doc) -> None:
    """Set a batch's clearance, tidying its cost and the totals as a careful forger does."""
    delta = round(clearance - b["components"]["clearance"], 2)
    b["components"]["clearance"] = round(clearance, 2)
    b["cost_cny"] = round(b["cost_cny"] + delta, 2)
    for key in ("clearance_cny", "cost_cny"):
        doc["totals"][key] = round(doc["totals"][key] + delta, 2)


def test_a_fee_charged_to_every_batch_is_caught(shared) -> None:
    sc, doc = shared
    doc = copy.deepcopy(doc)
    b = _by_parcel(doc)["B1"]
    _charge(b, 1010.0, doc)  # B pays the whole fee as well as A's share of it
    assert ("cost_component", b["batch_id"]) in _found(verify_plan(doc, sc))


def test_a_declaration_listed_twice_is_caught(shared) -> None:
    sc, doc = shared
    doc = copy.deepcopy(doc)
    doc["declarations"].insert(0, copy.deepcopy(doc["declarations"][0]))
    doc["totals"]["declarations"] += 1
    found = _found(verify_plan(doc, sc))
    assert ("declaration", "DECL-AIRPORT-20250704-9610") in found
    assert ("count", None) in found


def test_a_batch_moved_to_another_declaration_is_caught(shared) -> None:
    sc, doc = shared
    doc = copy.deepcopy(doc)
    by = _by_parcel(doc)
    c = by["C1"]
    c["declaration_id"] = "DECL-AIRPORT-20250704-9610"  # onto A's and B's, as if lodged then
    first, second = doc["declarations"]
    first["batch_ids"].append(c["batch_id"])
    first["parcels"] += 1
    first["weight_kg"] += 100.0
    doc["declarations"].remove(second)
    doc["totals"]["declarations"] = 1
    found = _found(verify_plan(doc, sc))
    assert ("declaration_id", c["batch_id"]) in found
    assert ("declaration", "DECL-AIRPORT-20250706-9610") in found  # C's own, left out
    assert ("declaration", "DECL-AIRPORT-20250704-9610") in found  # C is not on it


def test_a_declaration_fee_inflated_is_caught(shared) -> None:
    sc, doc = shared
    doc = copy.deepcopy(doc)
    doc["declarations"][1]["fee_cny"] = 1500.0
    assert _found(verify_plan(doc, sc)) == {("declaration", "DECL-AIRPORT-20250706-9610")}


def test_one_declaration_per_batch_is_checked_too(make_case) -> None:
    # group_by [return_port, batch]: every batch alone on its own declaration, its fee
    # the port's own (AIRPORT: 400)
    lanes = [r for r in small_lanes() if r["lane_id"] in AIR_ONLY]
    path = make_case([parcel("A1", 100), parcel("B1", 100, dest="SELLER2")], lanes=lanes,
                     rules={**NO_EXPRESS, "declaration": {"group_by": ["return_port", "batch"]}})
    sc = load_scenario(path)
    doc = plan_to_dict(run(sc, same_route_baseline=False))
    assert verify_plan(doc, sc) == []
    assert [b["declaration_id"] for b in doc["batches"]] == [
        f"DECL-AIRPORT-{b['batch_id']}" for b in doc["batches"]]
    assert all(b["components"]["clearance"] == 400.0 for b in doc["batches"])
    assert doc["totals"]["declarations"] == 2


# -- batch ids: the dates that bind ----------------------------------------------------------


@pytest.fixture
def stale(make_case) -> tuple[Any, Doc]:
    """FRESH (exported 2025-06-01) is routed; STALE's 1-year window closed 2025-05-01, before
    it is ready: alone in a batch named -W20250501, unrouted by RETURN_WINDOW."""
    fresh = parcel("FRESH", 800, export="2025-06-01")
    old = parcel("STALE", 5, export="2024-05-01")
    sc = load_scenario(make_case([fresh, old], rules=NO_EXPRESS))
    return sc, plan_to_dict(run(sc, same_route_baseline=False))


def test_the_binding_dates_name_the_batch(stale) -> None:
    sc, doc = stale
    assert verify_plan(doc, sc) == []
    (u,) = doc["unrouted"]
    assert u["batch_id"] == "HUB-SELLER-general-9610-ADIST-BORDER-20250701-W20250501"


def _rename(doc: Doc, new: str) -> str:
    (u,) = doc["unrouted"]
    u["batch_id"] = new
    return new


BASE = "HUB-SELLER-general-9610-ADIST-BORDER-20250701"


@pytest.mark.parametrize(("suffix", "valid"), [
    ("-W20250501", True),
    ("-W20250502", False),  # not the day its window closes
    ("-D20250501", False),  # it has no deadline
    ("-W20250501-D20250710", False),
    ("-D20250710-W20250501", False),  # out of order
    ("-W20251399", False),  # no date
    ("-X20250501", False),
    ("-W20250501-", False),
])
def test_an_id_suffix_must_be_a_date_every_parcel_shares(stale, suffix: str,
                                                         valid: bool) -> None:
    sc, doc = stale
    doc = copy.deepcopy(doc)
    bid = _rename(doc, BASE + suffix)
    found = _found(verify_plan(doc, sc))
    assert found == (set() if valid else {("batch_id", bid)})


def test_the_suffixes_are_optional(stale) -> None:
    # the base id is STALE's batch's too (only FRESH's batch has it already)
    sc, doc = stale
    doc = _renamed_everywhere(doc, BASE, "FRESH-BATCH")
    _rename(doc, BASE)
    assert _found(verify_plan(doc, sc)) == {("batch_id", "FRESH-BATCH")}


def test_a_window_close_shared_by_only_some_parcels_is_refused(stale) -> None:
    # FRESH's window closes 2026-06-01: its batch may say so, but not STALE's date
    sc, doc = stale
    (b,) = doc["batches"]
    assert b["batch_id"] == BASE
    named = _renamed_everywhere(doc, BASE, BASE + "-W20260601")
    assert verify_plan(named, sc) == []
    wrong = BASE + "-W20250501"
    assert ("batch_id", wrong) in _found(verify_plan(_renamed_everywhere(doc, BASE, wrong), sc))


def test_a_deadline_suffix_is_every_parcels_deadline(make_case) -> None:
    urgent = {**parcel("URGENT", 300), "deadline": "2025-07-06"}
    sc = load_scenario(make_case([urgent, parcel("CALM", 3000)], rules=NO_EXPRESS))
    doc = plan_to_dict(run(sc, same_route_baseline=False))
    assert verify_plan(doc, sc) == []
    bid = _by_parcel(doc)["URGENT"]["batch_id"]
    assert bid.endswith("-D20250706")
    wrong = bid[:-8] + "20250707"
    assert ("batch_id", wrong) in _found(verify_plan(_renamed_everywhere(doc, bid, wrong), sc))


def _renamed_everywhere(doc: Doc, old: str, new: str) -> Doc:
    """The document with a batch id replaced wherever it is named, as a forger renaming a
    batch would."""
    return json.loads(json.dumps(doc).replace(f'"{old}"', f'"{new}"'))


# -- parcel-true: no parcel left behind for its neighbours -----------------------------------


def test_a_parcel_held_back_by_its_neighbour_is_caught(stale) -> None:
    # A forger (or a planner batching by keys alone) puts FRESH in STALE's batch: the batch's
    # oldest export closes the window on every route, and FRESH stays behind with it.
    sc, doc = stale
    doc = copy.deepcopy(doc)
    (b,) = doc["batches"]
    (u,) = doc["unrouted"]
    doc["batches"] = []
    doc["vehicles"] = []
    doc["declarations"] = []
    u["batch_id"] = BASE
    u["parcel_ids"] = sorted([*u["parcel_ids"], *b["parcel_ids"]])
    u["weight_kg"] = round(u["weight_kg"] + b["weight_kg"], 3)
    t = doc["totals"]
    t.update(batches=1, batches_routed=0, declarations=0, parcels_routed=0, parcels_unrouted=2,
             weight_unrouted_kg=u["weight_kg"], value_unrouted_cny=200_000.0)
    problems = verify_plan(doc, sc)
    (blocked,) = [p for p in problems if p.kind == "parcel_blocked"]
    assert blocked.batch == BASE and "parcel FRESH could route alone" in blocked.detail


def test_unrouted_parcels_are_counted(stale) -> None:
    sc, doc = stale
    t = doc["totals"]
    assert (t["parcels_routed"], t["parcels_unrouted"], t["weight_unrouted_kg"],
            t["value_unrouted_cny"]) == (1, 1, 5.0, 100_000.0)
    for key, value, kind in (("parcels_unrouted", 0, "count"), ("parcels_routed", 2, "count"),
                             ("weight_unrouted_kg", 0.0, "total"),
                             ("value_unrouted_cny", 0.0, "total")):
        forged = copy.deepcopy(doc)
        forged["totals"][key] = value
        assert _found(verify_plan(forged, sc)) == {(kind, None)}, key
