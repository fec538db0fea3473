"""The benchmark's peer (``optimizer.bench.peer``, the plain HiGHS MIP of the same trips) and
the engine agree: both minimise the same objective over the same allowed trips, so where both
prove optimality their optima are equal. This guards the comparison in BENCHMARKS.md: a peer
that priced or constrained the model differently would make every ratio there meaningless."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import ROOT

from optimizer.bench import peer
from optimizer.inputs import load_scenario
from optimizer.planning.pipeline import leave_costs, optimise, prepare


@pytest.mark.parametrize("name", ["yiwu-tir-return", "yiwu-tir-groupage", "timeline-2025-pilot",
                                  "eu-rail-sea-air"])
def test_the_peer_proves_the_engines_optimum(name: str) -> None:
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    sc = dataclasses.replace(sc, solver=dataclasses.replace(sc.solver, time_limit_s=120.0,
                                                            relative_gap=0.0))
    prepared = prepare(sc)
    allowed = prepared.allowed()
    ours, _, _ = optimise(prepared)  # the engine as a plan is made: start, then the solver
    theirs = peer.solve(prepared.batches, allowed, 120.0, leave=leave_costs(prepared))
    assert ours.status == "OPTIMAL" and theirs.status == "OPTIMAL"
    assert theirs.objective == pytest.approx(ours.objective_cny, rel=1e-9, abs=1e-6)
    assert theirs.bound is not None and theirs.gap == pytest.approx(0.0, abs=1e-9)
    assert theirs.variables >= sum(len(v) for v in allowed.values())  # every trip, no pruning
