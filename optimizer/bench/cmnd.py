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


def _line_error(path: Path, line: int, msg: str) -> InputError:
    """An InputError pointing at ``line`` of ``path`` (1-based, as an editor shows it)."""
    return InputError([Problem(str(path), f"line {line}", "", msg)])


def _read_rows(path: Path) -> tuple[int, list[tuple[int, list[str]]]]:
    """The file's line count and its non-blank lines as (line number, fields).

    Blank lines are dropped but the numbers are kept, so errors name the line in the file.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(path), "", "", f"cannot read: {exc}")]) from None
    return len(lines), [(i + 1, ln.split()) for i, ln in enumerate(lines) if ln.strip()]


def _parse_header(path: Path, n_lines: int,
                  rows: list[tuple[int, list[str]]]) -> tuple[int, int, int]:
    """The 'MULTIGEN.DAT:' line and the counts (nodes, arcs, commodities) after it.

    Also checks that the file holds that many arc and commodity lines, so the parsers of the
    rows below can slice without running off the end.
    """
    if len(rows) < 2 or not rows[0][1] or not rows[0][1][0].upper().startswith("MULTIGEN"):
        raise _line_error(path, 1, "expected the header 'MULTIGEN.DAT:'")
    try:
        n_nodes, n_arcs, n_comm = (int(v) for v in rows[1][1][:3])
    except ValueError:
        raise _line_error(path, rows[1][0], "expected 'nodes arcs commodities'") from None
    if len(rows) < 2 + n_arcs + n_comm:
        raise _line_error(path, n_lines, f"expected {n_arcs} arcs and {n_comm} commodities, "
                          "the file ends early")
    return n_nodes, n_arcs, n_comm


def _parse_arc(path: Path, line: int, vals: list[str], n_nodes: int) -> Arc:
    """One arc line: 'tail head unit_cost capacity fixed_cost ...' (extra fields ignored).

    Node ids must exist, the capacity be positive and the costs non-negative.
    """
    try:
        tail, head = int(vals[0]), int(vals[1])
        cost, cap, fixed = float(vals[2]), float(vals[3]), float(vals[4])
    except (ValueError, IndexError):
        raise _line_error(path, line,
                          "expected 'tail head unit_cost capacity fixed_cost ...'") from None
    if not (1 <= tail <= n_nodes and 1 <= head <= n_nodes) or cap <= 0 or cost < 0 \
            or fixed < 0:
        raise _line_error(path, line, "arc out of range (node ids, capacity > 0, costs >= 0)")
    return Arc(tail, head, cost, cap, fixed)


def _parse_commodity(path: Path, line: int, vals: list[str], n_nodes: int) -> Commodity:
    """One commodity line: 'origin destination demand', distinct nodes, demand > 0."""
    try:
        o, d, q = int(vals[0]), int(vals[1]), float(vals[2])
    except (ValueError, IndexError):
        raise _line_error(path, line, "expected 'origin destination demand'") from None
    if not (1 <= o <= n_nodes and 1 <= d <= n_nodes) or o == d or q <= 0:
        raise _line_error(path, line, "commodity out of range")
    return Commodity(o, d, q)


def read_dow(path: Path) -> CmndInstance:
    """Read a Canad ``.dow`` file; malformed content raises InputError with the line."""
    path = Path(path)
    n_lines, rows = _read_rows(path)
    n_nodes, n_arcs, n_comm = _parse_header(path, n_lines, rows)
    arcs = [_parse_arc(path, line, vals, n_nodes) for line, vals in rows[2:2 + n_arcs]]
    commodities = [_parse_commodity(path, line, vals, n_nodes)
                   for line, vals in rows[2 + n_arcs:2 + n_arcs + n_comm]]
    return CmndInstance(path.stem, n_nodes, tuple(arcs), tuple(commodities))


def _new_solver(time_limit_s: float, threads: int, seed: int) -> pywraplp.Solver:
    """SCIP with the thread count, the time limit (at least 1 ms) and the random seed shift."""
    solver = pywraplp.Solver.CreateSolver("SCIP")
    solver.SetNumThreads(threads)
    solver.SetTimeLimit(max(1, int(time_limit_s * 1000)))
    solver.SetSolverSpecificParametersAsString(f"randomization/randomseedshift = {seed}\n")
    return solver


def _add_design(solver: pywraplp.Solver, objective: pywraplp.Objective,
                inst: CmndInstance) -> tuple[list[pywraplp.Variable], list[pywraplp.Constraint]]:
    """The design variables y[a] (fixed cost in the objective) and the capacity rows.

    Each capacity row starts as ``-u_a y[a] <= 0``; the commodities add their flows to it.
    """
    inf = solver.infinity()
    y = [solver.BoolVar(f"y[{a}]") for a in range(len(inst.arcs))]
    for a, arc in enumerate(inst.arcs):
        objective.SetCoefficient(y[a], arc.fixed_cost)
    cap_rows = [solver.Constraint(-inf, 0, f"cap[{a}]") for a in range(len(inst.arcs))]
    for a, arc in enumerate(inst.arcs):
        cap_rows[a].SetCoefficient(y[a], -arc.capacity)
    return y, cap_rows


def _incidence(inst: CmndInstance) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Per node, the indices of the arcs leaving it and of the arcs entering it."""
    out_arcs: dict[int, list[int]] = {i: [] for i in range(1, inst.nodes + 1)}
    in_arcs: dict[int, list[int]] = {i: [] for i in range(1, inst.nodes + 1)}
    for a, arc in enumerate(inst.arcs):
        out_arcs[arc.tail].append(a)
        in_arcs[arc.head].append(a)
    return out_arcs, in_arcs


def _add_flow_variables(solver: pywraplp.Solver, objective: pywraplp.Objective,
                        inst: CmndInstance, k: int, y: list[pywraplp.Variable],
                        cap_rows: list[pywraplp.Constraint],
                        unsplittable: bool) -> dict[int, pywraplp.Variable]:
    """Commodity k's flow variables x[a,k], with their cost, capacity use and linking row.

    Arcs that cannot be on a useful path get no variable: arcs into the origin or out of the
    destination, and (unsplittable) arcs too small for the whole demand.
    """
    inf = solver.infinity()
    com = inst.commodities[k]
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
    return x


def _add_flow_rows(solver: pywraplp.Solver, inst: CmndInstance, k: int,
                   x: dict[int, pywraplp.Variable], out_arcs: dict[int, list[int]],
                   in_arcs: dict[int, list[int]]) -> None:
    """Flow conservation of commodity k at every node: one unit out of the origin, into the
    destination, balanced elsewhere (arcs without a variable are skipped)."""
    com = inst.commodities[k]
    for i in range(1, inst.nodes + 1):
        rhs = 1 if i == com.origin else -1 if i == com.destination else 0
        row = solver.Constraint(rhs, rhs, f"flow[{i},{k}]")
        for a in out_arcs[i]:
            if a in x:
                row.SetCoefficient(x[a], 1)
        for a in in_arcs[i]:
            if a in x:
                row.SetCoefficient(x[a], -1)


def _result(solver: pywraplp.Solver, objective: pywraplp.Objective, code: int,
            inst: CmndInstance, unsplittable: bool, seconds: float) -> dict[str, object]:
    """The result dict of a solve: no figures without a solution; else objective, bound, gap
    and the model's size. An optimal solve reports its objective as the bound."""
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


def solve_cmnd(inst: CmndInstance, *, unsplittable: bool = False, time_limit_s: float = 60.0,
               threads: int = 1, seed: int = 0) -> dict[str, object]:
    """Solve an instance; returns objective, bound, gap, status and seconds."""
    started = time.perf_counter()
    solver = _new_solver(time_limit_s, threads, seed)
    objective = solver.Objective()
    y, cap_rows = _add_design(solver, objective, inst)
    out_arcs, in_arcs = _incidence(inst)
    for k in range(len(inst.commodities)):
        x = _add_flow_variables(solver, objective, inst, k, y, cap_rows, unsplittable)
        _add_flow_rows(solver, inst, k, x, out_arcs, in_arcs)
    objective.SetMinimization()
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)  # prove optimality, not within 1e-4
    code = solver.Solve(params)
    seconds = time.perf_counter() - started
    return _result(solver, objective, code, inst, unsplittable, seconds)
