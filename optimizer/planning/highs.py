"""The model of ``planning.mip`` built for HiGHS (highspy) as arrays: the LP relaxation of a
large group's model (its bound and the plan that rounds it), and the benchmark's peer.

It is the strong formulation of ``planning.mip`` over the options it is given (each batch's
trips, vehicles per lane departure with their kg and m3 rows, one linking row per batch and
resource, return declarations, per-kg limits, the tariff bands of ``mip._tariff_rows``), written
row by row into a sparse matrix and passed to HiGHS in one call. HiGHS's interior point method
with crossover solves the relaxations of the bundled fortnights 2-3 times faster than its dual
simplex and 5-10 times faster than GLOP (mixed-week 18 s, 3pl-week 36 s on a loaded machine).
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from optimizer.domain import Batch, Lane
from optimizer.planning.capacity import (
    BREAK_EPS,
    Key,
    chargeable_measures,
    key_of,
    period_capacity,
    vehicles_needed,
)
from optimizer.planning.options import Option

_BANNER_LOCK = threading.Lock()


def quiet_highs() -> highspy.Highs:
    """A HiGHS instance with its log off. HiGHS 1.16 prints its banner on standard output
    the first time an instance is made in a process, before any option can be set, which
    would corrupt ``solve --json`` and every other machine-read output. So the instance is
    made with file descriptor 1 pointed at /dev/null, under a lock (the descriptor is
    process-wide)."""
    with _BANNER_LOCK:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
    h.setOptionValue("output_flag", False)
    return h


class Model:
    """A model as HiGHS takes it: a row-wise sparse matrix with its row bounds, the columns with
    their costs, bounds and integrality, and which column is which batch's x and u."""

    def __init__(self) -> None:
        #: the column of each batch's trip k, and of its u
        self.x: dict[tuple[str, int], int] = {}
        self.u: dict[str, int] = {}
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
          penalties: Mapping[str, float]) -> Model:
    """The model of the batches that have options, each batch's ``u`` at its penalty (the
    unrouted penalty, or its disposal cost); ``Model.x`` and ``Model.u`` name the columns."""
    m = Model()
    users: dict[Key, list[tuple[Batch, int]]] = defaultdict(list)
    lanes: dict[Key, Lane] = {}
    for b in batches:
        opts = options.get(b.batch_id, ())
        if not opts:
            continue
        u = m.col(penalties[b.batch_id], 0, 1, True)
        m.u[b.batch_id] = u
        xs = []
        for k, opt in enumerate(opts):
            x = m.col(opt.variable_cny, 0, 1, True)
            m.x[(b.batch_id, k)] = x
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


def _link(m: Model, y: int, riders: Sequence[tuple[Batch, int]]) -> None:
    """One row per batch: its trips on the resource sum to at most ``y``."""
    per_batch: dict[str, list[int]] = defaultdict(list)
    for b, x in riders:
        per_batch[b.batch_id].append(x)
    for xs in per_batch.values():
        m.row(-math.inf, 0, [(y, -1.0), *((x, 1.0) for x in xs)])


def _vehicles(m: Model, lane: Lane, riders: Sequence[tuple[Batch, int]]) -> None:
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


def _tariff(m: Model, lane: Lane, riders: Sequence[tuple[Batch, int]]) -> None:
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


@dataclass(frozen=True, slots=True)
class Relaxed:
    """An optimal LP solution: its value and each x and u."""

    value: float
    x: Mapping[tuple[str, int], float]
    u: Mapping[str, float]


def relax(batches: Sequence[Batch], options: Mapping[str, Sequence[Option]],
          penalties: Mapping[str, float], time_limit_s: float) -> Relaxed | None:
    """The LP relaxation solved by HiGHS (interior point with crossover, one thread); None
    when it is not solved to optimality within ``time_limit_s``."""
    m = build(batches, options, penalties)
    lp = m.lp()
    lp.integrality_ = []
    h = quiet_highs()
    h.setOptionValue("threads", 1)
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "on")
    h.setOptionValue("time_limit", max(0.01, time_limit_s))
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    values = h.getSolution().col_value
    return Relaxed(h.getInfo().objective_function_value,
                   {key: values[j] for key, j in m.x.items()},
                   {bid: values[j] for bid, j in m.u.items()})
