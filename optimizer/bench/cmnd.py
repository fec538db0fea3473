"""The public benchmark: capacitated fixed-charge multicommodity network design (Canad ``.dow``).

In returnroute's terms an arc is a lane with one possible vehicle (its capacity, its fixed cost)
and a per-unit cost, and a commodity is a batch. Paths cannot be enumerated on these dense
graphs, so the model is the arc-based one with the same ingredients as ``solve.py``: integer
design variables, kg-per-vehicle capacity rows and the strong linking inequalities, solved by
SCIP through OR-Tools. ``unsplittable`` makes each commodity take a single path, as a batch
does.

    min  sum_a sum_k c_a d_k x[a,k] + sum_a f_a y[a]
    s.t. flow conservation of x[., k] from o_k to t_k (one unit: the fraction of d_k)
         sum_k d_k x[a,k] <= u_a y[a]                 capacity
         d_k x[a,k] <= min(d_k, u_a) y[a]             strong linking
         y in {0,1}; x in [0,1] (splittable) or {0,1} (unsplittable)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ortools.linear_solver import pywraplp

from optimizer.errors import InputError, Problem
from optimizer.planning.mip import STATUS_NAMES


@dataclass(frozen=True, slots=True)
class Arc:
    """A design arc: opened at most once, then carries up to ``capacity`` at ``unit_cost``."""

    tail: int
    head: int
    unit_cost: float
    capacity: float
    fixed_cost: float


@dataclass(frozen=True, slots=True)
class Commodity:
    """A demand of ``demand`` units from ``origin`` to ``destination``."""

    origin: int
    destination: int
    demand: float


@dataclass(frozen=True, slots=True)
class CmndInstance:
    """One ``.dow`` instance; nodes are numbered from 1."""

    name: str
    nodes: int
    arcs: tuple[Arc, ...]
    commodities: tuple[Commodity, ...]


def read_dow(path: Path) -> CmndInstance:
    """Read a Canad ``.dow`` file; malformed content raises InputError with the line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(path), "", "", f"cannot read: {exc}")]) from None

    def fail(line: int, msg: str) -> InputError:
        return InputError([Problem(str(path), f"line {line}", "", msg)])

    rows = [(i + 1, ln.split()) for i, ln in enumerate(lines) if ln.strip()]
    if len(rows) < 2 or not rows[0][1] or not rows[0][1][0].upper().startswith("MULTIGEN"):
        raise fail(1, "expected the header 'MULTIGEN.DAT:'")
    try:
        n_nodes, n_arcs, n_comm = (int(v) for v in rows[1][1][:3])
    except ValueError:
        raise fail(rows[1][0], "expected 'nodes arcs commodities'") from None
    if len(rows) < 2 + n_arcs + n_comm:
        raise fail(len(lines), f"expected {n_arcs} arcs and {n_comm} commodities, the file "
                   "ends early")
    arcs = []
    for line, vals in rows[2:2 + n_arcs]:
        try:
            tail, head = int(vals[0]), int(vals[1])
            cost, cap, fixed = float(vals[2]), float(vals[3]), float(vals[4])
        except (ValueError, IndexError):
            raise fail(line, "expected 'tail head unit_cost capacity fixed_cost ...'") from None
        if not (1 <= tail <= n_nodes and 1 <= head <= n_nodes) or cap <= 0 or cost < 0 \
                or fixed < 0:
            raise fail(line, "arc out of range (node ids, capacity > 0, costs >= 0)")
        arcs.append(Arc(tail, head, cost, cap, fixed))
    commodities = []
    for line, vals in rows[2 + n_arcs:2 + n_arcs + n_comm]:
        try:
            o, d, q = int(vals[0]), int(vals[1]), float(vals[2])
        except (ValueError, IndexError):
            raise fail(line, "expected 'origin destination demand'") from None
        if not (1 <= o <= n_nodes and 1 <= d <= n_nodes) or o == d or q <= 0:
            raise fail(line, "commodity out of range")
        commodities.append(Commodity(o, d, q))
    return CmndInstance(path.stem, n_nodes, tuple(arcs), tuple(commodities))


def solve_cmnd(inst: CmndInstance, *, unsplittable: bool = False, time_limit_s: float = 60.0,
               threads: int = 1, seed: int = 0) -> dict[str, object]:
    """Solve an instance; returns objective, bound, gap, status and seconds."""
    started = time.perf_counter()
    solver = pywraplp.Solver.CreateSolver("SCIP")
    solver.SetNumThreads(threads)
    solver.SetTimeLimit(max(1, int(time_limit_s * 1000)))
    solver.SetSolverSpecificParametersAsString(f"randomization/randomseedshift = {seed}\n")
    inf = solver.infinity()
    y = [solver.BoolVar(f"y[{a}]") for a in range(len(inst.arcs))]
    objective = solver.Objective()
    for a, arc in enumerate(inst.arcs):
        objective.SetCoefficient(y[a], arc.fixed_cost)
    cap_rows = [solver.Constraint(-inf, 0, f"cap[{a}]") for a in range(len(inst.arcs))]
    for a, arc in enumerate(inst.arcs):
        cap_rows[a].SetCoefficient(y[a], -arc.capacity)
    out_arcs: dict[int, list[int]] = {i: [] for i in range(1, inst.nodes + 1)}
    in_arcs: dict[int, list[int]] = {i: [] for i in range(1, inst.nodes + 1)}
    for a, arc in enumerate(inst.arcs):
        out_arcs[arc.tail].append(a)
        in_arcs[arc.head].append(a)

    for k, com in enumerate(inst.commodities):
        x: dict[int, pywraplp.Variable] = {}
        for a, arc in enumerate(inst.arcs):
            # a path never re-enters its origin nor leaves its destination
            if arc.head == com.origin or arc.tail == com.destination:
                continue
            if unsplittable and com.demand > arc.capacity:
                continue
            var = (solver.BoolVar(f"x[{a},{k}]") if unsplittable
                   else solver.NumVar(0, 1, f"x[{a},{k}]"))
            x[a] = var
            objective.SetCoefficient(var, arc.unit_cost * com.demand)
            cap_rows[a].SetCoefficient(var, com.demand)
            link = solver.Constraint(-inf, 0, f"link[{a},{k}]")
            link.SetCoefficient(var, com.demand)
            link.SetCoefficient(y[a], -min(com.demand, arc.capacity))
        for i in range(1, inst.nodes + 1):
            rhs = 1 if i == com.origin else -1 if i == com.destination else 0
            row = solver.Constraint(rhs, rhs, f"flow[{i},{k}]")
            for a in out_arcs[i]:
                if a in x:
                    row.SetCoefficient(x[a], 1)
            for a in in_arcs[i]:
                if a in x:
                    row.SetCoefficient(x[a], -1)
    objective.SetMinimization()
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)  # prove optimality, not within 1e-4
    code = solver.Solve(params)
    seconds = time.perf_counter() - started
    status = STATUS_NAMES.get(code, str(code))
    if code not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return {"instance": inst.name, "unsplittable": unsplittable, "status": status,
                "objective": None, "bound": None, "gap": None, "seconds": round(seconds, 3)}
    obj = objective.Value()
    bound = obj if code == pywraplp.Solver.OPTIMAL else min(objective.BestBound(), obj)
    return {"instance": inst.name, "unsplittable": unsplittable, "status": status,
            "objective": round(obj, 6), "bound": round(bound, 6),
            "gap": 0.0 if obj == bound else (obj - bound) / max(abs(obj), 1e-9),
            "seconds": round(seconds, 3),
            "variables": solver.NumVariables(), "constraints": solver.NumConstraints()}
