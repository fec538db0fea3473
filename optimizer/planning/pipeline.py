"""Wire the stages into one run: scenario -> batches -> options -> start -> solution -> Plan.

This is the only place that knows the order of the stages; the CLI, the analysis commands and
the Python API call ``run``:

    consolidate (parcels -> batches) -> routes (candidate paths) -> compliance + options
    (checked and priced) -> baselines (greedy start) -> heuristic (local search) -> mip
    (the solver) -> assemble (the Plan) -> verify (the independent checker)

Each stage stays a plain function of its inputs. The time is not: a run keeps to one
``Deadline`` (the scenario's ``solver.time_limit_s``, for the command line counted from the
start of the process), shared out by ``run`` between the plan's solve, the same-route baseline
and a ``reserve`` for the work around them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import time
from collections.abc import Callable, Iterator, Mapping

from optimizer.compliance import REGIME_RULES, Screener
from optimizer.domain import Batch, Scenario
from optimizer.errors import InputError, PlanCheckError, Problem
from optimizer.outputs.plan_json import plan_to_dict
from optimizer.plan import Plan
from optimizer.planning.assemble import Baselines, assemble, batch_costs
from optimizer.planning.baselines import greedy
from optimizer.planning.consolidate import consolidate
from optimizer.planning.disposal import disposal_cost
from optimizer.planning.heuristic import improve
from optimizer.planning.mip import MIN_SOLVE_S, Cluster, Solution, connect, plan_vehicles, solve
from optimizer.planning.options import Option, build_options
from optimizer.planning.replan import committed_batches
from optimizer.planning.routes import RouteIndex
from optimizer.planning.schedules import longest_days
from optimizer.verify import optimum, verify_plan


@dataclasses.dataclass(frozen=True, slots=True)
class Prepared:
    """The batches of a scenario and every option each has (allowed or not)."""

    scenario: Scenario
    batches: tuple[Batch, ...]
    options: Mapping[str, tuple[Option, ...]]
    index: RouteIndex
    #: the batches committed to their trip (``planning.replan``): kept whatever the rules say
    #: now (they have left, or a planner fixed them)
    committed: frozenset[str] = frozenset()

    def allowed(self) -> dict[str, tuple[Option, ...]]:
        """Only the options every rule allows, per batch (a committed batch keeps its one)."""
        return {bid: opts if bid in self.committed else tuple(o for o in opts if o.allowed)
                for bid, opts in self.options.items()}


def prepare(scenario: Scenario, index: RouteIndex | None = None,
            tick: Callable[[], None] | None = None) -> Prepared:
    """Consolidate the parcels and check and price every candidate route of every batch.

    ``tick`` is called as the batches are priced (``build_options``).
    """
    index = index or RouteIndex(scenario.network, scenario.solver.max_legs)
    pairs = sorted({(p.origin, p.destination) for p in scenario.parcels})
    waiting = scenario.rules.waiting
    start = min((max(p.ready_date, scenario.as_of) for p in scenario.parcels),
                default=scenario.as_of)
    # a parcel ready before the planning date leaves after it: its dates bind that much later
    late = max((0, *((scenario.as_of - p.ready_date).days for p in scenario.parcels)))
    horizon = late + max((longest_days(r, waiting, start) for o, d in pairs
                          for r in index.routes(o, d)), default=0)
    taken = {pid for c in scenario.commitments for pid in c.parcel_ids}
    batches = consolidate([p for p in scenario.parcels if p.parcel_id not in taken],
                          scenario.network.nodes, scenario.window_days,
                          scenario.rules.return_window_days, horizon,
                          by_office=scenario.rules.same_route_scope == "office")
    options = build_options(batches, scenario, index, tick)
    fixed, fixed_options = committed_batches(scenario, index)
    return Prepared(scenario, (*fixed, *batches), {**fixed_options, **options}, index,
                    frozenset(b.batch_id for b in fixed))


def recheck(prepared: Prepared, scenario: Scenario) -> Prepared:
    """The same batches and priced routes under another regime (the same-route baseline).

    Only the regime-dependent checks are recomputed; costs do not depend on the regime.
    """
    screener = Screener(scenario.network, scenario.rules, scenario.forced_regime, scenario.as_of)
    options = {bid: tuple(dataclasses.replace(
        o, checks=screener.recheck(o.checks, o.batch, o.trip, REGIME_RULES)) for o in opts)
        for bid, opts in prepared.options.items()}
    # a committed batch is judged by the old rule like the others (its trip may not clear)
    return Prepared(scenario, prepared.batches, options, prepared.index)


#: the same-route baseline's share of the time left for solving once the plan's other work is
#: reserved (it is a comparison figure: the plan itself gets the rest)
BASELINE_SHARE = 1 / 6
#: the local search of the starting plan prices at most this share of the time limit's worth
#: of options (at IMPROVE_LOOKS_PER_S, measured here: 55-63k a second on mixed-week, M and the
#: EU week), and at least IMPROVE_MIN_LOOKS: uncapped, it took 51 s of L's 60 s and 12.6 s of
#: 3pl-week's solve. A count, not a clock: the same scenario gives the same starting plan
IMPROVE_SHARE = 0.25
IMPROVE_LOOKS_PER_S = 60_000
IMPROVE_MIN_LOOKS = 60_000


def improve_looks(scenario: Scenario) -> int:
    """How many options the starting plan's local search may price (``heuristic.improve``)."""
    return max(IMPROVE_MIN_LOOKS, int(IMPROVE_SHARE * scenario.solver.time_limit_s
                                      * IMPROVE_LOOKS_PER_S))


@dataclasses.dataclass(frozen=True, slots=True)
class Deadline:
    """When a command must be done: ``budget_s`` seconds after ``started`` on ``clock``.

    The scenario's ``solver.time_limit_s`` is the budget of the whole command (reading,
    preparing, solving, the same-route baseline, assembly, verification, writing), so the
    stages share out what is left rather than each taking the full limit. The clock is a
    monotonic one (injectable, so tests check the arithmetic without waiting).
    """

    budget_s: float
    started: float
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def start(cls, budget_s: float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        """A deadline ``budget_s`` from now."""
        return cls(budget_s, clock(), clock)

    def remaining(self) -> float:
        """Seconds left (0 once it has passed)."""
        return max(0.0, self.started + self.budget_s - self.clock())

    def within(self, seconds: float) -> Deadline:
        """A deadline ``seconds`` from now, never later than this one: a stage's share."""
        now = self.clock()
        left = self.started + self.budget_s - now
        return Deadline(max(0.0, min(seconds, left)), now, self.clock)


@dataclasses.dataclass(frozen=True, slots=True)
class Reserve:
    """Estimated seconds of the work around the solves, set aside before the solver gets time.

    ``finish_s``: assembly, verification and (for the command line) writing and printing, after
    the solves; ``solve_setup_s``: the model's preprocessing (dominance, groups) before SCIP
    starts, per solve; ``baseline_setup_s``: the same-route baseline's re-check of the rules,
    greedy plan and local search before its solve.
    """

    finish_s: float
    solve_setup_s: float
    baseline_setup_s: float


#: per-unit costs of the work around the solves (s), measured on the bundled scenarios and the
#: benchmark instances S, M, X and L (and L cut to 3,000 and 10,000 parcels) on the 2-CPU
#: machine of BENCHMARKS.md, best of two runs, rounded up. Assembly and printing ~0.2-0.3 ms a
#: batch; the independent check ~65-100 us an option (it re-checks every option of every
#: batch: 16 s of L's 170,000 options); the eight output files ~1.5 ms a batch (report.html,
#: plan.xlsx, plan.json) and ~0.04 ms a parcel (manifests, parcels.csv); the baseline's
#: re-check, greedy plan and local search 13-27 us an option; dominance and grouping before
#: SCIP 4-10 us an option. The reserve matters only when the solver would use all its time.
FINISH_FIXED_S = 0.3
FINISH_PER_BATCH_S = 0.3e-3
FINISH_PER_PARCEL_S = 0.005e-3
VERIFY_PER_OPTION_S = 85e-6
WRITE_FIXED_S = 0.15
WRITE_PER_BATCH_S = 1.6e-3
WRITE_PER_PARCEL_S = 0.04e-3
SETUP_PER_OPTION_S = 8e-6
RECHECK_PER_OPTION_S = 30e-6
#: the checker's re-solve of a plan of at most ``verify.optimum.MAX_BATCHES`` batches: its
#: search stops at MAX_NODES nodes, 2.2 s on yiwu-tir-groupage's four batches
VERIFY_RESOLVE_S = 2.5


def reserve(prepared: Prepared, *, outputs: bool = False, check: bool = True) -> Reserve:
    """The time to set aside for the work around the solves, from the problem's size.

    ``outputs``: the caller writes the plan's files (or its JSON) after ``run``; ``check``: the
    plan is verified before it is returned.
    """
    batches = len(prepared.batches)
    parcels = len(prepared.scenario.parcels)
    options = sum(len(v) for v in prepared.options.values())
    finish = FINISH_FIXED_S + FINISH_PER_BATCH_S * batches + FINISH_PER_PARCEL_S * parcels
    if check:
        finish += VERIFY_PER_OPTION_S * options
        if batches <= optimum.MAX_BATCHES:
            finish += VERIFY_RESOLVE_S
    if outputs:
        finish += WRITE_FIXED_S + WRITE_PER_BATCH_S * batches + WRITE_PER_PARCEL_S * parcels
    return Reserve(finish, MIN_SOLVE_S + SETUP_PER_OPTION_S * options,
                   RECHECK_PER_OPTION_S * options)


#: how far past its budget a command may end (the README's promise: within 10%)
OVERRUN = 0.10
#: a lower bound on preparing a parcel (consolidation, routes, checks and prices: 0.1 ms a
#: parcel on L, 0.9 ms on the mixed week), for refusing a budget before preparing
PREPARE_PER_PARCEL_S = 0.08e-3
#: seconds of solving worth asking for on top of the floor when a budget is refused
SUGGEST_SOLVE_S = 5.0


def _too_short(scenario: Scenario, deadline: Deadline, more_s: float, what: str,
               done: str = "starting and reading") -> None:
    """Refuse the command (InputError, exit 2) when ``more_s`` seconds of work still to come
    would end it after its budget and the allowed overrun: a clean refusal before the solve
    rather than a plan hours late or unchecked."""
    elapsed = deadline.clock() - deadline.started
    if elapsed + more_s <= deadline.budget_s * (1 + OVERRUN):
        return
    suggest = math.ceil(elapsed + more_s + SUGGEST_SOLVE_S)
    file = str(scenario.path) if scenario.path is not None else "scenario"
    raise InputError([Problem(
        file, "solver", "time_limit_s",
        f"{deadline.budget_s:g} s is too short for this run: the limit is the whole "
        f"command's budget, {elapsed:.1f} s went on {done}, and {what} "
        f"need about {more_s:.1f} s more; set it to at least {suggest} s")])


def keep_budget(scenario: Scenario, deadline: Deadline,
                prepared: Prepared | None = None, res: Reserve | None = None) -> None:
    """Refuse a budget the command cannot keep (see ``_too_short``).

    Before preparing (``prepared`` None), only a lower bound of the work ahead is counted, so
    a budget is never refused that might have been kept; after preparing, the ``reserve``
    (checking, writing) and the model's setup and shortest useful solve.
    """
    if prepared is None:
        more = PREPARE_PER_PARCEL_S * len(scenario.parcels) + FINISH_FIXED_S
        _too_short(scenario, deadline, more, "preparing the parcels and finishing the plan")
        return
    res = res or reserve(prepared)
    _too_short(scenario, deadline, res.finish_s + res.solve_setup_s,
               f"solving, checking and writing {len(prepared.batches)} batches of "
               f"{len(scenario.parcels)} parcels")


def split(left_s: float, res: Reserve, baseline: bool) -> tuple[float, float]:
    """Seconds for the plan's optimisation and for the same-route baseline out of ``left_s``.

    The finishing work is set aside first, then the baseline's setup; the baseline gets
    BASELINE_SHARE of the rest on top of its setup, the plan everything else. Both are upper
    limits: the baseline's is cut again to what is really left when the plan's solve returns.
    """
    spare = max(0.0, left_s - res.finish_s - (res.baseline_setup_s if baseline else 0.0))
    if not baseline:
        return spare, 0.0
    unreserved = max(0.0, left_s - res.finish_s)
    return (spare * (1 - BASELINE_SHARE),
            min(unreserved, res.baseline_setup_s + spare * BASELINE_SHARE))


def leave_costs(prepared: Prepared) -> dict[str, float]:
    """Per batch that may be disposed of abroad, what disposing of it costs."""
    rule = prepared.scenario.rules.disposal
    costs = {b.batch_id: disposal_cost(b, rule) for b in prepared.batches
             if b.batch_id not in prepared.committed}
    return {bid: c for bid, c in costs.items() if c is not None}


def optimise(prepared: Prepared, deadline: Deadline | None = None,
             cluster: Cluster | None = None) -> tuple[Solution, dict[str, Option], bool]:
    """Solve from a heuristic start; when the solver has no plan in time, use the heuristic's.

    The start is the greedy no-sharing plan improved by local search (batches joining vehicles
    that run anyway), pricing at most ``improve_looks`` options. The solver gets what is left
    of ``deadline`` once the start is built (the scenario's time limit without one); with less
    than the model's setup and MIN_SOLVE_S left, no solve is started. ``cluster``: the
    solver's groups run on this Dask cluster (``mip.solve``). Returns the solution, the greedy
    plan (a baseline) and whether the fallback was used.
    """
    allowed = prepared.allowed()
    start = greedy(prepared.batches, allowed)
    warm = improve(prepared.batches, allowed, start,
                   max_looks=improve_looks(prepared.scenario))
    settings = prepared.scenario.solver
    if deadline is not None:
        settings = dataclasses.replace(settings, time_limit_s=deadline.remaining())
    if settings.time_limit_s >= reserve(prepared).solve_setup_s:
        # the cluster only when there is one: a local solve is called exactly as before
        on = {} if cluster is None else {"cluster": cluster}
        sol = solve(prepared.batches, allowed, settings, hint=warm, leave=leave_costs(prepared),
                    **on)
    else:  # no time for the solver: the heuristic's plan, marked as cut short
        sol = Solution("NOT_SOLVED", None, None, None, 0.0, {}, (), {},
                       time_limit_reached=True)
    if sol.objective_cny is not None:
        return sol, start, False
    routable = [b.batch_id for b in prepared.batches if allowed.get(b.batch_id)]
    fallback = Solution(
        status=sol.status, objective_cny=None, bound_cny=None, gap=None, seconds=sol.seconds,
        chosen=warm, dropped=tuple(b for b in routable if b not in warm),
        vehicles=plan_vehicles(warm), stats=sol.stats,
        time_limit_reached=sol.time_limit_reached or sol.status == "NOT_SOLVED")
    return fallback, start, True


def same_route_costs(prepared: Prepared, sol: Solution, deadline: Deadline | None = None,
                     cluster: Cluster | None = None) -> tuple[dict[str, float], int]:
    """Per batch, what the plan would cost under the old same-route rule, and how many batches
    that rule leaves unrouted.

    The old rule only changes which options are allowed: re-check, do not re-price. Within
    ``deadline``, its re-check included (not computed, ``({}, 0)``, when there is not even time
    for the re-check); without one, the baseline gets a sixth of the time limit (at least 5 s).
    Its solve runs on ``cluster`` when given, as the plan's does.
    """
    scenario = prepared.scenario
    if scenario.regime == "same_route":
        costs = batch_costs(sol, scenario)
    elif deadline is not None and deadline.remaining() < reserve(prepared).baseline_setup_s:
        return {}, 0
    else:
        limit = min(scenario.solver.time_limit_s, max(5.0, scenario.solver.time_limit_s / 6))
        old = dataclasses.replace(
            scenario, regime="same_route", regime_forced=True,
            solver=dataclasses.replace(scenario.solver, time_limit_s=limit))
        old_sol, _, _ = optimise(recheck(prepared, old), deadline, cluster)
        costs = batch_costs(old_sol, old)
    return costs, sum(1 for b in prepared.batches if b.batch_id not in costs)


def run(scenario: Scenario, *, same_route_baseline: bool = True, check: bool = True,
        prepared: Prepared | None = None, deadline: Deadline | None = None,
        outputs: bool = False, keep: bool = False, scheduler: str | Cluster | None = None
        ) -> Plan:
    """Plan the scenario: the optimal compliant routes, with the baselines to compare against.

    Every plan is checked by ``verify.verify_plan`` before it is returned (``check=False`` skips
    that, for benchmarks that time the solver alone); a plan that fails raises PlanCheckError.
    ``prepared`` reuses the batches and options of ``prepare(scenario)`` when the caller has them.

    The whole run keeps to ``deadline`` (by default the scenario's time limit from now; the
    command line passes one started when the command did, and ``outputs=True`` to reserve time
    for writing the files): the plan's solve gets most of what is left after preparation, less
    the reserve for the baseline and the finishing work (see ``split``); the baseline gets its
    share of what is left when that solve returns. A solve cut short by its time is recorded in
    ``plan.meta.time_limit_reached``. ``keep=True`` (the command line) refuses a budget the
    run cannot keep within OVERRUN with an InputError instead (``keep_budget``).

    ``scheduler``: a Dask scheduler's address (``tcp://HOST:PORT``, connected to before
    anything else, ``mip.connect``: an unreachable one raises SchedulerUnreachable) or a
    connected ``mip.Cluster``; the solves' groups of several batches then run on its workers,
    within the same deadline (``mip.solve``), which connecting counts against.
    """
    deadline = deadline or Deadline.start(scenario.solver.time_limit_s)
    with _connected(scheduler) as cluster:
        return _run(scenario, same_route_baseline, check, prepared, deadline, outputs, keep,
                    cluster)


@contextlib.contextmanager
def _connected(scheduler: str | Cluster | None) -> Iterator[Cluster | None]:
    """The cluster of ``scheduler``: connected for the block when it is an address."""
    if isinstance(scheduler, str):
        with connect(scheduler) as cluster:
            yield cluster
    else:
        yield scheduler


def _run(scenario: Scenario, same_route_baseline: bool, check: bool, prepared: Prepared | None,
         deadline: Deadline, outputs: bool, keep: bool, cluster: Cluster | None) -> Plan:
    """``run`` with its cluster connected."""
    if prepared is None:
        if keep:
            keep_budget(scenario, deadline)
        prepared = prepare(scenario, tick=(lambda: _too_short(
            scenario, deadline, FINISH_FIXED_S, "preparing the rest and finishing the plan",
            "starting, reading and preparing part of the parcels")) if keep else None)
    res = reserve(prepared, outputs=outputs, check=check)
    if keep:
        keep_budget(scenario, deadline, prepared, res)
    baseline = same_route_baseline and scenario.regime != "same_route"
    main_s, baseline_s = split(deadline.remaining(), res, baseline)
    sol, start, fell_back = optimise(prepared, deadline.within(main_s), cluster)
    same_route: dict[str, float] = {}
    same_route_unrouted = 0
    if same_route_baseline:
        left = deadline.remaining() - res.finish_s
        same_route, same_route_unrouted = same_route_costs(
            prepared, sol, deadline.within(min(baseline_s, left)), cluster)
    plan = assemble(scenario, prepared.batches, prepared.options, sol,
                    Baselines(start, same_route, same_route_unrouted), fell_back)
    if check:
        problems = verify_plan(plan_to_dict(plan), scenario)
        if problems:
            raise PlanCheckError(problems)
    return plan
