"""The OR-Tools model: choose one route per batch and the vehicles per lane, at least cost.

Formulation (SCIP through ``pywraplp``: an LP-based bound, much tighter than CP-SAT's on this
structure per shared/solver-notes.md):

    sets     B batches; O_b allowed options of batch b; L_v per-vehicle lanes; L_k per-kg lanes
             with a capacity; P periods (ISO weeks of departure); w_b kg, v_b m3 of batch b
    vars     x[b,o] in {0,1}   batch b takes option o
             u[b]   in {0,1}   batch b is left unrouted (no capacity left on any option)
             y[l,p] in Z+      vehicles bought on lane l in period p, y <= max_vehicles(l)
    min      sum c[b,o] x[b,o] + sum F_l y[l,p] + sum M_b u[b]
    s.t.     sum_o x[b,o] + u[b] = 1                                  (route each batch once)
             sum_{b,o: l in o, p(b)=p} w_b x[b,o] <= K_l y[l,p]       (kg per vehicle)
             sum_{b,o: l in o, p(b)=p} v_b x[b,o] <= V_l y[l,p]       (m3 per vehicle)
             x[b,o] <= y[l,p(b)]  for l in o, l in L_v                (strong linking)
             sum_{b,o: l in o, p(b)=p} w_b x[b,o] <= n_l K_l  for l in L_k  (per-kg capacity)

``c[b,o]`` is the option's freight per kg, declaration fee, tax exposure and shadow prices;
``M_b`` exceeds anything routing b could cost, so ``u[b] = 1`` only when no option has room.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp

from optimizer.costs import Option, vehicles_needed
from optimizer.model import Batch, Lane, SolverOptions

STATUS_NAMES = {
    pywraplp.Solver.OPTIMAL: "OPTIMAL",
    pywraplp.Solver.FEASIBLE: "FEASIBLE",
    pywraplp.Solver.INFEASIBLE: "INFEASIBLE",
    pywraplp.Solver.UNBOUNDED: "UNBOUNDED",
    pywraplp.Solver.ABNORMAL: "ABNORMAL",
    pywraplp.Solver.NOT_SOLVED: "NOT_SOLVED",
}


@dataclass(frozen=True, slots=True)
class Solution:
    """What the solver decided, and the evidence of how good it is."""

    status: str
    objective_cny: float | None
    bound_cny: float | None
    gap: float | None
    seconds: float
    chosen: Mapping[str, Option]
    dropped: tuple[str, ...]
    vehicles: Mapping[tuple[str, str], int]
    penalty_cny: float = 0.0
    stats: Mapping[str, int] = field(default_factory=dict)


def unrouted_penalty(options: Sequence[Option]) -> float:
    """A cost for leaving a batch unrouted that exceeds anything routing it could cost."""
    worst = max(o.variable_cny + o.standalone_vehicle_cny for o in options)
    return 2.0 * worst + 10_000.0


def solve(batches: Sequence[Batch], options: Mapping[str, Sequence[Option]],
          settings: SolverOptions, hint: Mapping[str, Option] | None = None) -> Solution:
    """Solve the network design model over the allowed options of every batch.

    Batches without options are not in the model (the caller reports them); ``hint`` is an
    optional starting plan (batch id -> option) handed to the solver.
    """
    started = time.perf_counter()
    routed = [b for b in batches if options.get(b.batch_id)]
    if not routed:
        return Solution("OPTIMAL", 0.0, 0.0, 0.0, time.perf_counter() - started, {}, (), {})

    solver = pywraplp.Solver.CreateSolver(settings.backend)
    if solver is None:  # pragma: no cover - SCIP ships with the ortools wheel
        raise RuntimeError(f"OR-Tools backend {settings.backend} is not available")
    solver.SetNumThreads(settings.threads)
    solver.SetTimeLimit(max(1, int(settings.time_limit_s * 1000)))
    if settings.backend == "SCIP":
        solver.SetSolverSpecificParametersAsString(
            f"randomization/randomseedshift = {settings.seed}\n")

    lanes: dict[str, Lane] = {}
    x: dict[tuple[str, int], pywraplp.Variable] = {}
    u: dict[str, pywraplp.Variable] = {}
    users: dict[tuple[str, str], list[tuple[Batch, pywraplp.Variable]]] = defaultdict(list)
    objective = solver.Objective()
    penalties: dict[str, float] = {}

    for b in routed:
        opts = options[b.batch_id]
        u[b.batch_id] = solver.BoolVar(f"u[{b.batch_id}]")
        penalties[b.batch_id] = unrouted_penalty(opts)
        objective.SetCoefficient(u[b.batch_id], penalties[b.batch_id])
        once = solver.Constraint(1, 1, f"once[{b.batch_id}]")
        once.SetCoefficient(u[b.batch_id], 1)
        for k, opt in enumerate(opts):
            var = solver.BoolVar(f"x[{b.batch_id},{k}]")
            x[(b.batch_id, k)] = var
            once.SetCoefficient(var, 1)
            objective.SetCoefficient(var, opt.variable_cny)
            for lane in opt.route.lanes:
                lanes[lane.lane_id] = lane
                users[(lane.lane_id, b.period)].append((b, var))

    y: dict[tuple[str, str], pywraplp.Variable] = {}
    for key in sorted(users):
        lane_id, period = key
        lane = lanes[lane_id]
        load_kg = sum(b.weight_kg for b, _ in users[key])
        load_m3 = sum(b.volume_m3 for b, _ in users[key])
        if lane.per_vehicle:
            ub = vehicles_needed(load_kg, load_m3, lane.vehicle_capacity_kg,
                                 lane.vehicle_capacity_m3)
            if lane.max_vehicles is not None:
                ub = min(ub, lane.max_vehicles)
            yv = solver.IntVar(0, ub, f"y[{lane_id},{period}]")
            y[key] = yv
            objective.SetCoefficient(yv, lane.cost_per_vehicle_cny)
            kg = solver.Constraint(-solver.infinity(), 0, f"kg[{lane_id},{period}]")
            m3 = solver.Constraint(-solver.infinity(), 0, f"m3[{lane_id},{period}]")
            kg.SetCoefficient(yv, -lane.vehicle_capacity_kg)
            m3.SetCoefficient(yv, -lane.vehicle_capacity_m3)
            for b, var in users[key]:
                kg.SetCoefficient(var, b.weight_kg)
                m3.SetCoefficient(var, b.volume_m3)
                link = solver.Constraint(-solver.infinity(), 0)
                link.SetCoefficient(var, 1)
                link.SetCoefficient(yv, -1)
        elif lane.max_vehicles is not None:
            cap_kg = lane.max_vehicles * lane.vehicle_capacity_kg
            cap_m3 = lane.max_vehicles * lane.vehicle_capacity_m3
            if load_kg > cap_kg or load_m3 > cap_m3:
                kg = solver.Constraint(-solver.infinity(), cap_kg, f"kg[{lane_id},{period}]")
                m3 = solver.Constraint(-solver.infinity(), cap_m3, f"m3[{lane_id},{period}]")
                for b, var in users[key]:
                    kg.SetCoefficient(var, b.weight_kg)
                    m3.SetCoefficient(var, b.volume_m3)
    objective.SetMinimization()

    if hint:
        _set_hint(solver, routed, options, hint, x, u, y, users, lanes)

    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, settings.relative_gap)
    code = solver.Solve(params)
    seconds = time.perf_counter() - started
    status = STATUS_NAMES.get(code, str(code))
    stats = {"variables": solver.NumVariables(), "constraints": solver.NumConstraints(),
             "batches_in_model": len(routed)}
    if code not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return Solution(status, None, None, None, seconds, {}, (), {}, stats=stats)

    chosen: dict[str, Option] = {}
    dropped: list[str] = []
    penalty = 0.0
    for b in routed:
        if u[b.batch_id].solution_value() > 0.5:
            dropped.append(b.batch_id)
            penalty += penalties[b.batch_id]
            continue
        for k, opt in enumerate(options[b.batch_id]):
            if x[(b.batch_id, k)].solution_value() > 0.5:
                chosen[b.batch_id] = opt
                break
    vehicles = {key: round(var.solution_value()) for key, var in y.items()
                if round(var.solution_value()) > 0}
    obj = objective.Value()
    bound = objective.BestBound() if code == pywraplp.Solver.FEASIBLE else obj
    bound = min(bound, obj)
    gap = 0.0 if obj == bound else (obj - bound) / max(abs(obj), 1e-9)
    return Solution(status, obj, bound, gap, seconds, chosen, tuple(dropped), vehicles,
                    penalty, stats)


def _set_hint(solver: pywraplp.Solver, routed: Sequence[Batch],
              options: Mapping[str, Sequence[Option]], hint: Mapping[str, Option],
              x: Mapping[tuple[str, int], pywraplp.Variable],
              u: Mapping[str, pywraplp.Variable], y: Mapping[tuple[str, str], pywraplp.Variable],
              users: Mapping[tuple[str, str], list[tuple[Batch, pywraplp.Variable]]],
              lanes: Mapping[str, Lane]) -> None:
    """Hand the solver a complete starting solution built from ``hint``."""
    variables: list[pywraplp.Variable] = []
    values: list[float] = []
    load: dict[tuple[str, str], tuple[float, float]] = defaultdict(lambda: (0.0, 0.0))
    for b in routed:
        pick = hint.get(b.batch_id)
        ids = [o.route.route_id for o in options[b.batch_id]]
        k = ids.index(pick.route.route_id) if pick and pick.route.route_id in ids else None
        variables.append(u[b.batch_id])
        values.append(0.0 if k is not None else 1.0)
        for j in range(len(ids)):
            variables.append(x[(b.batch_id, j)])
            values.append(1.0 if j == k else 0.0)
        if k is not None:
            for lane in options[b.batch_id][k].route.lanes:
                kg, m3 = load[(lane.lane_id, b.period)]
                load[(lane.lane_id, b.period)] = (kg + b.weight_kg, m3 + b.volume_m3)
    for key, var in y.items():
        kg, m3 = load.get(key, (0.0, 0.0))
        lane = lanes[key[0]]
        need = 0 if kg == 0 else vehicles_needed(kg, m3, lane.vehicle_capacity_kg,
                                                 lane.vehicle_capacity_m3)
        variables.append(var)
        values.append(float(min(need, var.ub())))
    solver.SetHint(variables, values)


def allocate_vehicle_costs(chosen: Mapping[str, Option], batches: Mapping[str, Batch],
                           vehicles: Mapping[tuple[str, str], int]) -> dict[tuple[str, str], float]:
    """Each batch's share of the vehicles it rides, in proportion to the space it takes.

    Space is the larger of its kg and m3 shares of the vehicle capacity, so a bulky batch pays
    for the volume it fills. Returns (batch id, lane id) -> CNY.
    """
    riders: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    for batch_id, opt in chosen.items():
        b = batches[batch_id]
        for lane in opt.route.lanes:
            if lane.per_vehicle:
                space = max(b.weight_kg / lane.vehicle_capacity_kg,
                            b.volume_m3 / lane.vehicle_capacity_m3)
                riders[(lane.lane_id, b.period)].append((batch_id, space))
    shares: dict[tuple[str, str], float] = {}
    lanes = {lane.lane_id: lane for opt in chosen.values() for lane in opt.route.lanes}
    for key, members in riders.items():
        total_cost = vehicles.get(key, 0) * lanes[key[0]].cost_per_vehicle_cny
        total_space = sum(s for _, s in members)
        for batch_id, space in members:
            share = total_cost * space / total_space if total_space > 0 else 0.0
            shares[(batch_id, key[0])] = shares.get((batch_id, key[0]), 0.0) + share
    return shares
