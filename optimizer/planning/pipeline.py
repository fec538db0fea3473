"""Wire the stages into one run: scenario -> batches -> options -> start -> solution -> Plan.

This is the only place that knows the order of the stages; the CLI, the analysis commands and
the Python API call ``run``:

    consolidate (parcels -> batches) -> routes (candidate paths) -> compliance + options
    (checked and priced) -> baselines (greedy start) -> heuristic (local search) -> mip
    (the solver) -> assemble (the Plan) -> verify (the independent checker)

Each stage stays a plain function of its inputs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from optimizer.compliance import REGIME_RULES, Screener
from optimizer.domain import Batch, Scenario
from optimizer.errors import PlanCheckError
from optimizer.outputs.plan_json import plan_to_dict
from optimizer.plan import Plan
from optimizer.planning.assemble import Baselines, assemble, batch_costs
from optimizer.planning.baselines import greedy
from optimizer.planning.consolidate import consolidate
from optimizer.planning.heuristic import improve
from optimizer.planning.mip import Solution, plan_vehicles, solve
from optimizer.planning.options import Option, build_options
from optimizer.planning.routes import RouteIndex
from optimizer.verify import verify_plan


@dataclasses.dataclass(frozen=True, slots=True)
class Prepared:
    """The batches of a scenario and every option each has (allowed or not)."""

    scenario: Scenario
    batches: tuple[Batch, ...]
    options: Mapping[str, tuple[Option, ...]]
    index: RouteIndex

    def allowed(self) -> dict[str, tuple[Option, ...]]:
        """Only the options every rule allows, per batch."""
        return {bid: tuple(o for o in opts if o.allowed) for bid, opts in self.options.items()}


def prepare(scenario: Scenario, index: RouteIndex | None = None) -> Prepared:
    """Consolidate the parcels and check and price every candidate route of every batch."""
    batches = consolidate(scenario.parcels, scenario.network.nodes, scenario.window_days)
    index = index or RouteIndex(scenario.network, scenario.solver.max_legs)
    options = build_options(batches, scenario, index)
    return Prepared(scenario, batches, options, index)


def recheck(prepared: Prepared, scenario: Scenario) -> Prepared:
    """The same batches and priced routes under another regime (the same-route baseline).

    Only the regime-dependent checks are recomputed; costs do not depend on the regime.
    """
    screener = Screener(scenario.network, scenario.rules, scenario.regime_rule, scenario.as_of)
    options = {bid: tuple(dataclasses.replace(
        o, checks=screener.recheck(o.checks, o.batch, o.route, REGIME_RULES)) for o in opts)
        for bid, opts in prepared.options.items()}
    return Prepared(scenario, prepared.batches, options, prepared.index)


def optimise(prepared: Prepared) -> tuple[Solution, dict[str, Option], bool]:
    """Solve from a heuristic start; when the solver has no plan in time, use the heuristic's.

    The start is the greedy no-sharing plan improved by local search (batches joining vehicles
    that run anyway). Returns the solution, the greedy plan (a baseline) and whether the
    fallback was used.
    """
    allowed = prepared.allowed()
    start = greedy(prepared.batches, allowed)
    warm = improve(prepared.batches, allowed, start)
    sol = solve(prepared.batches, allowed, prepared.scenario.solver, hint=warm)
    if sol.objective_cny is not None:
        return sol, start, False
    routable = [b.batch_id for b in prepared.batches if allowed.get(b.batch_id)]
    fallback = Solution(
        status=sol.status, objective_cny=None, bound_cny=None, gap=None, seconds=sol.seconds,
        chosen=warm, dropped=tuple(b for b in routable if b not in warm),
        vehicles=plan_vehicles(warm), stats=sol.stats)
    return fallback, start, True


def same_route_costs(prepared: Prepared, sol: Solution) -> tuple[dict[str, float], int]:
    """Per batch, what the plan would cost under the old same-route rule, and how many batches
    that rule leaves unrouted.

    The old rule only changes which options are allowed: re-check, do not re-price. The
    baseline gets a sixth of the time limit (at least 5 s).
    """
    scenario = prepared.scenario
    if scenario.regime == "same_route":
        costs = batch_costs(sol)
    else:
        limit = min(scenario.solver.time_limit_s, max(5.0, scenario.solver.time_limit_s / 6))
        old = dataclasses.replace(
            scenario, regime="same_route", regime_forced=True,
            solver=dataclasses.replace(scenario.solver, time_limit_s=limit))
        old_sol, _, _ = optimise(recheck(prepared, old))
        costs = batch_costs(old_sol)
    return costs, sum(1 for b in prepared.batches if b.batch_id not in costs)


def run(scenario: Scenario, *, same_route_baseline: bool = True, check: bool = True,
        prepared: Prepared | None = None) -> Plan:
    """Plan the scenario: the optimal compliant routes, with the baselines to compare against.

    Every plan is checked by ``verify.verify_plan`` before it is returned (``check=False`` skips
    that, for benchmarks that time the solver alone); a plan that fails raises PlanCheckError.
    ``prepared`` reuses the batches and options of ``prepare(scenario)`` when the caller has them.
    """
    prepared = prepared if prepared is not None else prepare(scenario)
    sol, start, fell_back = optimise(prepared)
    same_route: dict[str, float] = {}
    same_route_unrouted = 0
    if same_route_baseline:
        same_route, same_route_unrouted = same_route_costs(prepared, sol)
    plan = assemble(scenario, prepared.batches, prepared.options, sol,
                    Baselines(start, same_route, same_route_unrouted), fell_back)
    if check:
        problems = verify_plan(plan_to_dict(plan), scenario)
        if problems:
            raise PlanCheckError(problems)
    return plan
