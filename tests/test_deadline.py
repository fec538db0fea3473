"""The scenario's time limit is the budget of the whole command, and a plan cut short says so.

The budget arithmetic is checked on an injected fake clock (a solver "using" its time moves the
clock), never by measuring wall-clock time: speed is measured in benchmarks, not in tests.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, parcel
from ortools.linear_solver import pywraplp

import optimizer.cli as cli_module
import optimizer.planning.pipeline as pipeline
from optimizer.cli import cli
from optimizer.errors import InputError
from optimizer.inputs import load_scenario
from optimizer.outputs.plan_json import plan_to_dict
from optimizer.planning import mip
from optimizer.planning.baselines import greedy
from optimizer.planning.heuristic import improve
from optimizer.planning.mip import MIN_SOLVE_S, Solution, stopped_by_time, unrouted_penalty
from optimizer.planning.pipeline import (
    BASELINE_SHARE,
    FINISH_FIXED_S,
    OVERRUN,
    PREPARE_PER_PARCEL_S,
    Deadline,
    Reserve,
    prepare,
    reserve,
    run,
    split,
)

MIXED = ROOT / "scenarios" / "mixed-week.yaml"


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _pilot_case(make_case) -> Path:
    """Two batches sharing a truck under the pilot rule (so the same-route baseline runs)."""
    return make_case([parcel("P1", 1300, dest="SELLER"), parcel("P2", 1300, dest="SELLER2")])


# ---- the deadline and the split of the budget --------------------------------------------------


def test_deadline_counts_down_on_its_clock() -> None:
    clock = FakeClock()
    d = Deadline.start(10.0, clock)
    assert d.remaining() == 10.0
    clock.advance(4.0)
    assert d.remaining() == 6.0
    stage = d.within(2.0)
    assert stage.remaining() == 2.0
    clock.advance(1.0)
    assert (stage.remaining(), d.remaining()) == (1.0, 5.0)
    assert d.within(99.0).remaining() == 5.0  # a stage never ends after the command
    clock.advance(10.0)
    assert d.remaining() == 0.0 and d.within(1.0).remaining() == 0.0


@pytest.mark.parametrize("left", [0.0, 0.5, 2.5, 3.0, 10.0, 600.0])
@pytest.mark.parametrize("baseline", [True, False])
def test_split_hands_out_only_what_the_reserve_leaves(left: float, baseline: bool) -> None:
    res = Reserve(finish_s=2.0, solve_setup_s=0.1, baseline_setup_s=1.0)
    main, base = split(left, res, baseline)
    assert main >= 0 and base >= 0
    assert main + base <= max(0.0, left - res.finish_s) + 1e-9
    if not baseline:
        assert (main, base) == (pytest.approx(max(0.0, left - 2.0)), 0.0)
    elif left >= 3.0:
        spare = left - 3.0
        assert main == pytest.approx(spare * (1 - BASELINE_SHARE))
        assert base == pytest.approx(1.0 + spare * BASELINE_SHARE)
    else:  # not even the baseline's setup fits: the plan gets nothing more either
        assert main == 0.0


def test_reserve_grows_with_the_problem_and_the_files(make_case) -> None:
    small = prepare(load_scenario(_pilot_case(make_case)))
    mixed = prepare(load_scenario(MIXED))
    assert reserve(mixed).finish_s > reserve(small).finish_s
    assert reserve(mixed, outputs=True).finish_s > reserve(mixed).finish_s
    assert reserve(mixed).baseline_setup_s > reserve(small).baseline_setup_s
    assert reserve(small).solve_setup_s >= MIN_SOLVE_S


# ---- pipeline.run keeps to the budget ----------------------------------------------------------


def _timed_solver(monkeypatch, clock: FakeClock) -> list[float]:
    """Replace the solver by the real one that "uses" all of its time limit on ``clock``;
    returns the list the limits handed to it are appended to."""
    handed: list[float] = []
    real = pipeline.solve

    def solve(batches, options, settings, hint=None, leave=None):
        handed.append(settings.time_limit_s)
        sol = real(batches, options, dataclasses.replace(settings, time_limit_s=20.0),
                   hint=hint)
        clock.advance(settings.time_limit_s)
        return sol

    monkeypatch.setattr(pipeline, "solve", solve)
    return handed


@pytest.mark.parametrize("budget", [8.0, 30.0, 300.0])
def test_solver_time_limits_add_up_to_the_budget_less_the_reserve(
        make_case, monkeypatch, budget: float) -> None:
    clock = FakeClock()
    handed = _timed_solver(monkeypatch, clock)
    sc = load_scenario(_pilot_case(make_case))
    assert sc.regime != "same_route"  # the baseline is solved too
    prepared = prepare(sc)
    spent = 4.0  # start-up, reading and preparing, before run()
    deadline = Deadline(budget, clock() - spent, clock)
    res = reserve(prepared, outputs=True)

    plan = run(sc, prepared=prepared, deadline=deadline, outputs=True)

    assert len(handed) == 2  # the plan's solve, then the same-route baseline's
    main, base = handed
    left = budget - spent - res.finish_s
    assert main + base <= left + 1e-9  # the finishing work keeps its reserve
    assert deadline.remaining() >= res.finish_s - 1e-9
    assert main == pytest.approx((left - res.baseline_setup_s) * (1 - BASELINE_SHARE))
    assert base <= res.baseline_setup_s + (left - res.baseline_setup_s) * BASELINE_SHARE + 1e-9
    assert plan.summary.same_route_baseline_cny is not None


def test_no_time_left_starts_no_solve_and_says_so(make_case, monkeypatch) -> None:
    called: list[int] = []
    monkeypatch.setattr(pipeline, "solve", lambda *a, **k: called.append(1))
    clock = FakeClock()
    sc = load_scenario(_pilot_case(make_case))
    plan = run(sc, deadline=Deadline(5.0, clock() - 5.0, clock))  # all of it spent already
    assert called == []
    assert plan.meta.time_limit_reached and plan.meta.fallback
    assert plan.solver_status == "NOT_SOLVED" and plan.status == "FEASIBLE"
    assert len(plan.batches) == 2  # still a complete plan: the heuristic's (run verified it)
    assert plan.summary.same_route_baseline_cny is None  # no time for the baseline either
    assert plan_to_dict(plan)["meta"]["time_limit_reached"] is True


def test_run_without_a_deadline_budgets_the_scenario_time_limit(make_case, monkeypatch) -> None:
    handed: list[float] = []
    real = pipeline.solve

    def solve(batches, options, settings, hint=None, leave=None):
        handed.append(settings.time_limit_s)
        return real(batches, options, settings, hint=hint)

    monkeypatch.setattr(pipeline, "solve", solve)
    plan = run(load_scenario(make_case(solver={"time_limit_s": 20})))
    assert len(handed) == 2 and all(0 < t < 20 for t in handed) and sum(handed) < 20
    assert plan.meta.solver.time_limit_s == 20  # the plan reports the scenario's setting


def test_cli_solve_gives_run_the_time_limit_as_the_command_budget(make_case, monkeypatch,
                                                                   tmp_path: Path) -> None:
    seen: dict = {}
    real = cli_module.run

    def spy(sc, **kwargs):
        seen.update(kwargs)
        return real(sc, **kwargs)

    monkeypatch.setattr(cli_module, "run", spy)
    before = time.monotonic()
    path = make_case(solver={"time_limit_s": 7})
    res = CliRunner().invoke(cli, ["solve", str(path), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    deadline = seen["deadline"]
    assert deadline.budget_s == 7
    assert before <= deadline.started <= time.monotonic()  # from the command's start
    assert seen["outputs"] is True


# ---- a budget the command cannot keep is refused, before the solve ---------------------------


def test_a_budget_too_short_for_the_work_after_preparing_is_refused(make_case, monkeypatch
                                                                    ) -> None:
    monkeypatch.setattr(pipeline, "solve", lambda *a, **k: pytest.fail("no solve when refused"))
    clock = FakeClock()
    sc = load_scenario(_pilot_case(make_case))
    prepared = prepare(sc)
    res = reserve(prepared, outputs=True)
    need = res.finish_s + res.solve_setup_s
    spent = 1.0
    # the work still to come ends just past the budget and its 10% overrun
    budget = (spent + need) / (1 + OVERRUN) - 0.01
    deadline = Deadline(budget, clock() - spent, clock)
    with pytest.raises(InputError) as err:
        run(sc, prepared=prepared, deadline=deadline, outputs=True, keep=True)
    (problem,) = err.value.problems
    assert (problem.where, problem.field) == ("solver", "time_limit_s")
    assert "too short" in problem.message and "whole command's budget" in problem.message
    assert str(sc.path) == problem.file


def test_a_budget_that_can_be_kept_within_the_overrun_is_not_refused(make_case) -> None:
    clock = FakeClock()
    sc = load_scenario(_pilot_case(make_case))
    prepared = prepare(sc)
    res = reserve(prepared, outputs=True)
    spent = 1.0
    budget = (spent + res.finish_s + res.solve_setup_s) / (1 + OVERRUN) + 0.01
    plan = run(sc, prepared=prepared, deadline=Deadline(budget, clock() - spent, clock),
               outputs=True, keep=True)
    assert len(plan.batches) == 2
    # without keep (the Python API) a budget already spent still gives the fallback plan
    assert run(sc, deadline=Deadline(0.5, clock() - 5, clock)).meta.fallback


def test_a_budget_spent_before_preparing_is_refused_without_preparing(make_case, monkeypatch
                                                                      ) -> None:
    monkeypatch.setattr(pipeline, "build_options",
                        lambda *a, **k: pytest.fail("refused before preparing"))
    clock = FakeClock()
    sc = load_scenario(_pilot_case(make_case))
    lower = PREPARE_PER_PARCEL_S * len(sc.parcels) + FINISH_FIXED_S
    deadline = Deadline(1.0, clock() - (1.0 * (1 + OVERRUN) - lower + 0.01), clock)
    with pytest.raises(InputError, match="too short"):
        run(sc, deadline=deadline, keep=True)


def test_preparing_stops_once_the_budget_is_gone(make_case, monkeypatch) -> None:
    clock = FakeClock()
    real = pipeline.build_options
    priced: list[int] = []

    def slow(batches, scenario, index, tick=None):
        def ticking() -> None:  # each batch takes 1 s on the fake clock
            priced.append(1)
            clock.advance(1.0)
            tick()
        return real(batches, scenario, index, ticking)

    monkeypatch.setattr(pipeline, "build_options", slow)
    sc = load_scenario(make_case([parcel(f"P{i}", 1300, ready=d) for i, d in enumerate(
        ["2025-07-01", "2025-07-20", "2025-08-10", "2025-08-28"])]))
    with pytest.raises(InputError, match="too short"):
        run(sc, deadline=Deadline(2.0, clock(), clock), keep=True)
    # before the 2nd batch 2 s are gone and 0.3 s of finishing would end past 2 s + 10%
    assert len(priced) == 2


def test_cli_refuses_a_budget_it_cannot_keep_and_leaves_out_alone(make_case,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan.json").write_text("previous plan\n")
    path = make_case(solver={"time_limit_s": 0.01})
    res = CliRunner().invoke(cli, ["solve", str(path), "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert "time_limit_s" in res.output and "too short" in res.output
    assert "Traceback" not in res.output
    assert (out / "plan.json").read_text() == "previous plan\n"
    assert sorted(p.name for p in out.iterdir()) == ["plan.json"]


# ---- time_limit_reached ------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "seconds", "limit", "expected"), [
    (pywraplp.Solver.FEASIBLE, 1.002, 1.0, True),     # stopped at the time limit with a plan
    (pywraplp.Solver.NOT_SOLVED, 0.05, 0.05, True),   # ... and without one
    (pywraplp.Solver.OPTIMAL, 1.002, 1.0, False),     # proven (or within the gap limit)
    (pywraplp.Solver.FEASIBLE, 0.01, 1.0, False),     # another limit (limits/solutions)
    (pywraplp.Solver.INFEASIBLE, 1.002, 1.0, False),
])
def test_stopped_by_time(code: int, seconds: float, limit: float, expected: bool) -> None:
    assert stopped_by_time(code, seconds, limit) is expected


@pytest.fixture(scope="module")
def mixed_group():
    """The largest group of the mixed scenario, its kept options, penalties and start plan."""
    sc = load_scenario(MIXED)
    prepared = prepare(sc)
    allowed = prepared.allowed()
    warm = improve(prepared.batches, allowed, greedy(prepared.batches, allowed))
    routed = [b for b in prepared.batches if allowed.get(b.batch_id)]
    kept, groups, hint = mip._decompose(routed, allowed, sc.solver, warm, {})
    penalties = {b.batch_id: unrouted_penalty(allowed[b.batch_id]) for b in routed}
    return sc.solver, groups[0], kept, penalties, hint


def test_scip_stopped_by_its_time_limit_says_so(mixed_group) -> None:
    settings, group, kept, penalties, hint = mixed_group
    assert len(group) > 100  # far too large to prove optimal in the shortest solve
    part = mip._solve_mip(group, kept, penalties, settings, MIN_SOLVE_S, hint, True)
    assert part.status == "FEASIBLE" and part.objective is not None
    assert part.time_limit_reached


def test_a_stop_at_the_gap_limit_or_another_limit_is_not_the_time_limit(mixed_group) -> None:
    settings, group, kept, penalties, hint = mixed_group
    group = group[:80]  # SCIP reaches a loose gap on a part of the fortnight in seconds
    loose = dataclasses.replace(settings, relative_gap=0.5)
    part = mip._solve_mip(group, kept, penalties, loose, 60.0, hint, True)
    assert part.objective is not None and not part.time_limit_reached
    assert part.bound < part.objective  # the gap SCIP stopped at is reported, not hidden
    assert part.status == "FEASIBLE"  # not proven optimal: pywraplp's OPTIMAL is not passed on
    first = dataclasses.replace(settings, scip_params="limits/solutions = 1\n")
    part = mip._solve_mip(group, kept, penalties, first, 60.0, hint, True)
    assert part.status == "FEASIBLE" and not part.time_limit_reached


def test_fix_and_optimise_out_of_time_says_so(mixed_group) -> None:
    settings, group, kept, penalties, hint = mixed_group
    part = mip._solve_large(group, kept, penalties, settings, 0.1, hint)
    assert part.status == "FEASIBLE" and part.time_limit_reached


def test_groups_with_no_time_left_keep_the_start_and_say_so(mixed_group) -> None:
    settings, group, kept, _, hint = mixed_group
    options = {b.batch_id: kept[b.batch_id] for b in group}
    sol = mip.solve(group, options, dataclasses.replace(settings, time_limit_s=1e-6), hint=hint)
    assert sol.status == "FEASIBLE" and sol.time_limit_reached
    assert sol.chosen == {b.batch_id: hint[b.batch_id] for b in group}
    assert sol.bound_cny is not None and sol.bound_cny <= sol.objective_cny


def test_a_plan_cut_short_says_so_in_plan_json() -> None:
    sc = load_scenario(MIXED)
    sc = dataclasses.replace(sc, solver=dataclasses.replace(sc.solver, time_limit_s=0.001))
    plan = run(sc, same_route_baseline=False)
    assert plan.meta.time_limit_reached
    assert plan_to_dict(plan)["meta"]["time_limit_reached"] is True


def test_a_plan_solved_to_optimality_does_not(make_case) -> None:
    plan = run(load_scenario(_pilot_case(make_case)))
    assert plan.solver_status == "OPTIMAL" and plan.meta.fallback is None
    assert not plan.meta.time_limit_reached
    assert plan_to_dict(plan)["meta"]["time_limit_reached"] is False


def test_the_heuristic_fallback_is_cut_short(make_case, monkeypatch) -> None:
    def no_plan(batches, options, settings, hint=None, leave=None):
        return Solution("NOT_SOLVED", None, None, None, 0.0, {}, (), {})

    monkeypatch.setattr(pipeline, "solve", no_plan)
    plan = run(load_scenario(_pilot_case(make_case)))
    assert plan.meta.fallback and plan.meta.time_limit_reached
