"""The peer model: the plain textbook MIP of the same problem, solved by HiGHS (highspy).

The benchmark measures the engine against it, side by side, so the figures say what the
engine's own work (folding, dominance, decomposition, starting plans, LP rounding,
fix-and-optimise) buys over a good solver given the same option set and no help. It is the
model a careful engineer would write first:

    vars  x[b,o] in {0,1} (every allowed trip of every batch), u[b] in {0,1} (not returned),
          y[r] in Z+ for each lane departure bought per vehicle (<= max_vehicles),
          y[d] in {0,1} for each return declaration, and for each departure billed on a
          rate card y[r] in {0,1} with a band binary and the units billed per break
    min   sum c[b,o] x[b,o] + sum F_r y[r] + sum M_b u[b] (+ the tariff bills)
    s.t.  sum_o x[b,o] + u[b] = 1
          sum w_b x[b,o] <= K_r y[r], sum v_b x[b,o] <= V_r y[r]     (per vehicle)
          sum_{o of b using r} x[b,o] <= y[r]   one row per batch and resource (valid linking)
          sum w_b x[b,o] <= n_r K_r                                  (per-kg limit)
          the tariff rows of ``planning.mip._tariff_rows``

with ``c``, ``F``, ``M`` and the tariff terms exactly the engine's (the same ``Option`` costs
and unrouted penalties or disposal costs), so both minimise the same objective over the same
trips: no pruning, no decomposition, no starting plan, one thread, HiGHS's defaults otherwise.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from optimizer.domain import Batch, Lane
from optimizer.planning.capacity import Key, key_of, period_capacity, vehicles_needed
from optimizer.planning.mip import BREAK_EPS, chargeable_measures, unrouted_penalty
from optimizer.planning.options import Option


@dataclass(frozen=True, slots=True)
class PeerResult:
    """What HiGHS reports for the peer model."""

    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    build_s: float
    solve_s: float
    variables: int
    constraints: int


class _Rows:
    """A row-wise sparse matrix with its row bounds, and the columns with their data."""

    def __init__(self) -> None:
        self.start: list[int] = [0]
        self.index: list[int] = []
        self.value: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.cost: list[float] = []
        self.col_lower: list[float] = []
        self.col_upper: list[float] = []
        self.integer: list[bool] = []

    def col(self, cost: float, lb: float, ub: float, integer: bool) -> int:
        """Add a column; returns its index."""
        self.cost.append(cost)
        self.col_lower.append(lb)
        self.col_upper.append(ub)
        self.integer.append(integer)
        return len(self.cost) - 1

    def row(self, lower: float, upper: float, terms: Sequence[tuple[int, float]]) -> None:
        """Add a row ``lower <= sum value * col <= upper`` (terms merged by column)."""
        merged: dict[int, float] = defaultdict(float)
        for j, v in terms:
            merged[j] += v
        for j, v in merged.items():
            self.index.append(j)
            self.value.append(v)
        self.start.append(len(self.index))
        self.lower.append(lower)
        self.upper.append(upper)

    def lp(self) -> highspy.HighsLp:
        """The model as HiGHS's ``HighsLp`` (minimise)."""
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.num_row_ = len(self.lower)
        lp.col_cost_ = np.array(self.cost, dtype=np.double)
        lp.col_lower_ = np.array(self.col_lower, dtype=np.double)
        lp.col_upper_ = np.array(self.col_upper, dtype=np.double)
        lp.row_lower_ = np.array(self.lower, dtype=np.double)
        lp.row_upper_ = np.array(self.upper, dtype=np.double)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(self.start, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(self.index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(self.value, dtype=np.double)
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else
                           highspy.HighsVarType.kContinuous for i in self.integer]
        return lp


def build(batches: Sequence[Batch], options: Mapping[str, Sequence[Option]],
          leave: Mapping[str, float] | None = None) -> _Rows:
    """The peer model of the batches that have options (``leave``: disposal costs, as the
    engine's ``solve`` takes them)."""
    leave = leave or {}
    m = _Rows()
    users: dict[Key, list[tuple[Batch, int]]] = defaultdict(list)
    lanes: dict[Key, Lane] = {}
    for b in batches:
        opts = options.get(b.batch_id, ())
        if not opts:
            continue
        u = m.col(leave.get(b.batch_id, unrouted_penalty(opts)), 0, 1, True)
        xs = []
        for opt in opts:
            x = m.col(opt.variable_cny, 0, 1, True)
            xs.append(x)
            for lane in opt.resources:
                key = key_of(lane)
                lanes[key] = lane
                users[key].append((b, x))
        m.row(1, 1, [(u, 1.0), *((x, 1.0) for x in xs)])
    for key in sorted(users):
        lane = lanes[key]
        if lane.per_vehicle:
            _vehicles(m, lane, users[key])
        elif lane.tariffed:
            _tariff(m, lane, users[key])
        if not lane.per_vehicle and period_capacity(lane) is not None:
            cap = period_capacity(lane)
            assert cap is not None
            m.row(-math.inf, cap[0], [(x, b.weight_kg) for b, x in users[key]])
            m.row(-math.inf, cap[1], [(x, b.volume_m3) for b, x in users[key]])
    return m


def _link(m: _Rows, y: int, riders: Sequence[tuple[Batch, int]]) -> None:
    """One row per batch: its trips on the resource sum to at most ``y``."""
    per_batch: dict[str, list[int]] = defaultdict(list)
    for b, x in riders:
        per_batch[b.batch_id].append(x)
    for xs in per_batch.values():
        m.row(-math.inf, 0, [(y, -1.0), *((x, 1.0) for x in xs)])


def _vehicles(m: _Rows, lane: Lane, riders: Sequence[tuple[Batch, int]]) -> None:
    """y integer with its kg and m3 rows and the linking rows; a declaration is binary."""
    ub = vehicles_needed(lane, sum(b.weight_kg for b, _ in riders),
                         sum(b.volume_m3 for b, _ in riders))
    if lane.max_vehicles is not None:
        ub = min(ub, lane.max_vehicles)
    y = m.col(lane.cost_per_vehicle_cny, 0, ub, True)
    if lane.period is None:
        m.row(-math.inf, 0, [(y, -lane.vehicle_capacity_kg),
                             *((x, b.weight_kg) for b, x in riders)])
        m.row(-math.inf, 0, [(y, -lane.vehicle_capacity_m3),
                             *((x, b.volume_m3) for b, x in riders)])
    _link(m, y, riders)


def _tariff(m: _Rows, lane: Lane, riders: Sequence[tuple[Batch, int]]) -> None:
    """A departure billed on its consolidated load: the engine's band formulation."""
    tariff = lane.tariff
    assert tariff is not None
    line = tariff.line
    if line.basis == "shipment":
        y = m.col(tariff.cost_cny(1.0, 0.0), 0, 1, True)
        _link(m, y, riders)
        return
    y = m.col(tariff.fixed_cny, 0, 1, True)
    top = line.units(sum(b.weight_kg for b, _ in riders), sum(b.volume_m3 for b, _ in riders))
    zs, us = [], []
    for lo, hi, freight, per_unit, minimum in tariff.bands():
        ub = max(lo, top) if hi is None else max(lo, min(hi - BREAK_EPS, top))
        z = m.col(0.0, 0, 1, True)
        u = m.col(freight + per_unit, 0, ub, False)
        m.row(0, math.inf, [(u, 1.0), (z, -lo)])
        m.row(-math.inf, 0, [(u, 1.0), (z, -ub)])
        if minimum > freight * lo + 1e-9:
            short = m.col(1.0, 0, minimum, False)
            m.row(0, math.inf, [(short, 1.0), (z, -minimum), (u, freight)])
        zs.append(z)
        us.append(u)
    m.row(0, 0, [(y, -1.0), *((z, 1.0) for z in zs)])
    for a, c in chargeable_measures(line):
        m.row(0, math.inf, [*((u, 1.0) for u in us),
                            *((x, -(a * b.weight_kg + c * b.volume_m3)) for b, x in riders)])
    _link(m, y, riders)


#: HiGHS model status -> the engine's status names
STATUS = {"Optimal": "OPTIMAL", "Time limit reached": "FEASIBLE",
          "Infeasible": "INFEASIBLE", "Solution limit reached": "FEASIBLE"}


def solve(batches: Sequence[Batch], options: Mapping[str, Sequence[Option]],
          time_limit_s: float, relative_gap: float = 0.0, first_only: bool = False,
          leave: Mapping[str, float] | None = None, seed: int = 0) -> PeerResult:
    """Build and solve the peer model with one thread; ``first_only`` stops at the first
    feasible solution (``mip_max_improving_sols`` 1)."""
    t0 = time.perf_counter()
    m = build(batches, options, leave)
    # batches with no option but a disposal cost are a constant of every plan (as the engine)
    constant = sum(leave[b.batch_id] for b in batches
                   if not options.get(b.batch_id) and leave and b.batch_id in leave)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", seed)
    h.setOptionValue("mip_rel_gap", relative_gap)
    if first_only:
        h.setOptionValue("mip_max_improving_sols", 1)
    h.passModel(m.lp())
    build_s = time.perf_counter() - t0
    h.setOptionValue("time_limit", max(0.01, time_limit_s - build_s))
    t1 = time.perf_counter()
    h.run()
    solve_s = time.perf_counter() - t1
    info = h.getInfo()
    text = h.modelStatusToString(h.getModelStatus())
    has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
    objective = info.objective_function_value + constant if has_plan else None
    bound = info.mip_dual_bound + constant
    proven = objective is not None and objective - bound <= 1e-6 + 1e-9 * abs(objective)
    status = "OPTIMAL" if text == "Optimal" and proven else (
        "FEASIBLE" if has_plan else STATUS.get(text, text))
    gap = None if objective is None else max(0.0, objective - bound) / max(abs(objective), 1e-9)
    return PeerResult(status, objective, bound, gap, build_s, solve_s, len(m.cost),
                      len(m.lower))
