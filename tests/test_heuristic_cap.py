"""The local search of the starting plan keeps to its share (``improve(max_looks=...)``): cut
short, it returns the plan it has, which is as feasible as after every move, the same one for
the same count; uncut, it is the search it always was."""

from __future__ import annotations

from conftest import ROOT

from optimizer.inputs import load_scenario
from optimizer.planning.baselines import greedy, greedy_cost
from optimizer.planning.capacity import CapacityLedger
from optimizer.planning.heuristic import improve
from optimizer.planning.pipeline import prepare


def test_a_search_out_of_time_returns_the_plan_it_has() -> None:
    prepared = prepare(load_scenario(ROOT / "scenarios" / "eu-rail-sea-air.yaml"))
    allowed = prepared.allowed()
    start = greedy(prepared.batches, allowed)
    full = improve(prepared.batches, allowed, start)
    assert {b: o.option_id for b, o in full.items()} != \
        {b: o.option_id for b, o in start.items()}  # the search moves batches here
    assert improve(prepared.batches, allowed, start, max_looks=0) == start
    assert improve(prepared.batches, allowed, start, max_looks=10**9) == full
    part = improve(prepared.batches, allowed, start, max_looks=200)
    assert part == improve(prepared.batches, allowed, start, max_looks=200)  # deterministic
    assert part not in (start, full)  # stopped part-way: some moves made, not all
    assert set(part) == set(start) and greedy_cost(part) > 0
    # feasible: no lane departure loaded beyond its limit
    ledger = CapacityLedger()
    for o in part.values():
        assert ledger.fits(o.resources, o.batch.period, o.batch.weight_kg, o.batch.volume_m3)
        ledger.add(o.resources, o.batch.period, o.batch.weight_kg, o.batch.volume_m3)
