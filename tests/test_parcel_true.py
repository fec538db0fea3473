"""Every parcel judged on its own dates, explanations that never advise breaking the law, and
return declarations shared by the batches cleared on them (hand-computed)."""

from __future__ import annotations

import random

import pytest
from conftest import parcel

from optimizer.compliance import RELAXABLE_RULES
from optimizer.inputs import load_scenario
from optimizer.planning.pipeline import run

# the small network (conftest): HUB -> BORDER (ADIST, fee 500) | INLAND (BDIST, 300) |
# AIRPORT (BDIST, 400) | NOPILOT (CDIST, 300) -> SELLER; ready 2025-07-01, as_of 2025-07-10


def _routed(plan) -> set[str]:
    return {pid for bp in plan.batches for pid in bp.parcel_ids}


def test_a_stale_parcel_does_not_block_its_neighbours(make_case) -> None:
    fresh = parcel("FRESH", 800, export="2025-06-01")
    stale = parcel("STALE", 5, export="2024-05-01")  # window closed 2025-05-01, before ready
    plan = run(load_scenario(make_case([fresh, stale])))
    assert _routed(plan) == {"FRESH"}
    (u,) = plan.unrouted
    assert u.parcel_ids == ("STALE",)
    assert [r.rule for r in u.reasons][0] == "RETURN_WINDOW"  # every route (and some: DISTRICT)
    assert u.batch_id.endswith("-W20250501")
    assert u.would_route is None  # the law keeps it out: nothing to relax
    t = plan.summary
    assert (t.parcels_routed, t.parcels_unrouted) == (1, 1)
    assert t.weight_unrouted_kg == pytest.approx(5) and t.value_unrouted_cny == pytest.approx(
        100_000)


def test_a_tight_deadline_does_not_drag_its_neighbours_onto_air(make_case) -> None:
    # TIR via BORDER arrives 2025-07-10 (5 + 1 clearance... + 3 road days); air in 4 days
    urgent = {**parcel("URGENT", 300), "deadline": "2025-07-06"}
    calm = parcel("CALM", 3000)
    plan = run(load_scenario(make_case([urgent, calm])))
    by_parcel = {pid: bp for bp in plan.batches for pid in bp.parcel_ids}
    assert by_parcel["URGENT"].mode == "air"
    assert by_parcel["CALM"].mode == "tir_road"  # 3 t by air would cost 90,000 CNY
    assert by_parcel["URGENT"].batch_id != by_parcel["CALM"].batch_id


def test_explanations_relax_only_decisions_never_the_law(make_case) -> None:
    late = {**parcel("LATE", 300), "deadline": "2025-07-02"}  # nothing arrives in 1 day
    bad_mode = parcel("B2B", 300, mode="0110")  # not a return-eligible trade mode
    plan = run(load_scenario(make_case([late, bad_mode])))
    by_parcel = {pid: u for u in plan.unrouted for pid in u.parcel_ids}
    assert by_parcel["LATE"].would_route is not None
    assert by_parcel["LATE"].would_route.relax == ("DEADLINE",)
    assert by_parcel["B2B"].would_route is None
    for u in plan.unrouted:
        if u.would_route is not None:
            assert set(u.would_route.relax) <= RELAXABLE_RULES | {"CAPACITY"}


@pytest.mark.parametrize("seed", range(6))
def test_each_parcel_routes_exactly_when_it_would_alone(make_case, seed: int) -> None:
    """The parcel-level oracle: a parcel is routed in the plan iff it is routed when planned
    alone (the small network has no binding capacity at these weights)."""
    rng = random.Random(seed)
    rows = []
    for i in range(6):
        row = parcel(f"P{i}", round(rng.uniform(5, 400), 1),
                     export=rng.choice(["2024-05-01", "2024-07-03", "2024-07-06", "2025-03-01"]),
                     goods=rng.choice(["general", "battery"]),
                     ready=rng.choice(["2025-07-01", "2025-07-03"]))
        if rng.random() < 0.4:
            row["deadline"] = rng.choice(["2025-07-04", "2025-07-06", "2025-07-20"])
        rows.append(row)
    together = _routed(run(load_scenario(make_case(rows)), same_route_baseline=False))
    alone = {r["parcel_id"] for r in rows
             if _routed(run(load_scenario(make_case([r])), same_route_baseline=False))}
    assert together == alone


# ---- declarations ------------------------------------------------------------------------------


def _two_classes(make_case, **kw):
    """One general and two fragile parcels on the same day: two batches, one route."""
    rows = [parcel("G1", 1000), parcel("F1", 1000, goods="fragile"),
            parcel("F2", 1000, goods="fragile")]
    return run(load_scenario(make_case(rows, **kw)), same_route_baseline=False)


def test_batches_cleared_on_one_port_day_and_mode_share_one_declaration(make_case) -> None:
    plan = _two_classes(make_case)
    assert len(plan.batches) == 2
    (decl,) = plan.declarations
    port = plan.batches[0].return_port
    fee = {"BORDER": 500, "INLAND": 300, "AIRPORT": 400, "NOPILOT": 300}[port]
    assert decl.fee_cny == fee and decl.parcels == 3 and decl.return_port == port
    share = {bp.goods_class: bp.components.clearance for bp in plan.batches}
    assert share["general"] == pytest.approx(fee / 3)
    assert share["fragile"] == pytest.approx(fee * 2 / 3)
    assert plan.summary.clearance_cny == pytest.approx(fee)
    assert plan.summary.declarations == 1
    assert {bp.declaration_id for bp in plan.batches} == {decl.declaration_id}
    assert decl.declaration_id == f"DECL-{port}-{decl.date:%Y%m%d}-9610"


def test_one_declaration_per_batch_when_the_rule_says_so(make_case) -> None:
    plan = _two_classes(make_case, rules={"declaration": {"group_by": ["return_port", "batch"]}})
    assert len(plan.declarations) == 2
    fee = plan.declarations[0].fee_cny
    assert plan.summary.clearance_cny == pytest.approx(2 * fee)


def test_declaration_fees_come_from_the_scenario(make_case) -> None:
    plan = _two_classes(make_case, rules={"declaration": {"fee_cny": 900,
                                                          "per_parcel_fee_cny": 5}})
    (decl,) = plan.declarations
    assert decl.fee_cny == 900
    assert plan.summary.clearance_cny == pytest.approx(900 + 3 * 5)
    share = {bp.goods_class: bp.components.clearance for bp in plan.batches}
    assert share["general"] == pytest.approx(300 + 5)
    assert share["fragile"] == pytest.approx(600 + 10)


def test_a_declaration_rule_without_the_port_is_refused(make_case) -> None:
    from optimizer.errors import InputError

    with pytest.raises(InputError, match="return_port"):
        load_scenario(make_case(rules={"declaration": {"group_by": ["date"]}}))
    with pytest.raises(InputError, match="group_by"):
        load_scenario(make_case(rules={"declaration": {"group_by": ["return_port", "dat"]}}))
