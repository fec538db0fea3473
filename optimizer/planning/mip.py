"""The OR-Tools model: choose one dated trip per batch and the vehicles per lane departure.

Time is expanded over the planning horizon by the options themselves: an option of a batch is a
*trip* (``planning.schedules``), a route ridden on dated departures, the first one of which the
batch may choose among its first lane's next departures after it is ready (waiting at its hub
for a later one is choosing a later trip). Every later leg takes the first connection, so the
arcs of the time-expanded network a trip uses are fixed by its route and first departure, and
the model only has to choose trips and buy the vehicles of each lane departure:

    sets     B batches; O_b allowed trips of batch b; R resources: (lane, departure) of lanes
             bought per vehicle or per kg with a limit, and return declarations; w_b kg, v_b m3
    vars     x[b,o] in {0,1}   batch b takes trip o
             u[b]   in {0,1}   batch b is not returned (no room on any trip, or disposed of)
             y[r]   in Z+      vehicles bought for resource r, y <= max_vehicles(l) a departure
    min      sum c[b,o] x[b,o] + sum F_r y[r] + sum M_b u[b]
    s.t.     sum_o x[b,o] + u[b] = 1                                 (each batch once)
             sum_{b,o: r in o} w_b x[b,o] <= K_r y[r]                (kg per vehicle)
             sum_{b,o: r in o} v_b x[b,o] <= V_r y[r]                (m3 per vehicle)
             x[b,o] <= y[r]  for r in o bought per vehicle           (strong linking)
             sum_{b,o: r in o} w_b x[b,o] <= n_r K_r  for per-kg r   (limit per departure)

``c[b,o]`` is the trip's freight per kg (and per parcel on domestic express), per-parcel
declaration fees, tax exposure on its declaration day, storage while the batch waits at its hub,
and the shadow prices of the days from ready to delivery (holding, transit), of CO2e and of
soft deadlines. ``M_b`` is the disposal cost where the batch may be disposed of, else a penalty
above anything routing it could cost. A return declaration (one per return port, day and trade
mode by default, ``planning.declarations``) is one more resource: unlimited room, ``y[d]`` in
{0,1} buys its fee once, ``x[b,o] <= y[d]`` links it, and batches declared together share it.
Waiting pays when a later trip shares a vehicle or a declaration that the batch would otherwise
pay for alone, by more than it costs in storage and holding; the model weighs exactly that.

What keeps it exact and fast (``formulation="strong"``, the default; ``"obvious"`` is the
plain model above without the linking rows, solved in one piece with no starting plan, kept for
the benchmark):

1. *Private resources folded.* A lane departure or declaration that only one batch has a trip
   on cannot be shared: its whole vehicles (or fee) move into that trip's cost and out of the
   rows; a trip that would exceed its departure's limit alone is dropped (``fold_private``).
2. *Exact dominance.* A trip is dropped when another trip of the same batch costs no more in
   ``c`` and uses a subset of its *limited* resources (shared vehicles, per-kg limits the
   batches could exceed, declarations): switching to it never adds load anywhere.
3. *Decomposition.* Batches interact only through shared resources; they are split into
   independent groups (union-find) and each group is solved on its own. A group of one batch is
   solved by enumeration. The bound is the sum of the groups' bounds; the time limit is shared
   out by model size, unused time rolls over. Given a Dask cluster (``connect``), the groups
   of several batches are solved on its workers, side by side (``_solve_on_cluster``).
4. *Strong linking* rows and a *starting plan* (greedy, then local search) for SCIP.
5. *Large groups* (over ``LARGE_GROUP_OPTIONS`` trips) get their bound from the LP relaxation
   (HiGHS, ``planning.highs``); its solution, rounded, is a plan, and when the LP is integral
   that plan is optimal (``_proven``). Otherwise the better of it and the starting plan improves
   by fix-and-optimise, and when that ends with time to spare, SCIP takes the whole group from
   the plan (``FINISH_SHARE``) and proves or improves it.

OPTIMAL means optimal over this option set: every route within ``max_legs`` and every first
departure the scenario's ``waiting`` rule offers (``rules.yaml``); a planner widens the waiting
rule to let the solver consider longer waits.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import math
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from ortools.linear_solver import pywraplp

from optimizer.domain import Batch, Lane, SolverOptions
from optimizer.plan import SolverStats
from optimizer.planning import highs
from optimizer.planning.capacity import (
    BREAK_EPS,
    EPS,
    CapacityLedger,
    Key,
    Load,
    chargeable_measures,
    key_of,
    period_capacity,
    resource_cny,
    shared,
    vehicles_needed,
)
from optimizer.planning.options import Option

if TYPE_CHECKING:  # Dask is imported only when a cluster is used (its import takes ~1 s)
    from distributed import Client, Future

#: the OR-Tools backend the model is solved with
BACKEND = "SCIP"

#: groups with more options than this are solved by LP bound + fix-and-optimise (see
#: _solve_large): on rate cards SCIP's own search stalls on them (block-train, 7,800 trips:
#: SCIP 16% gap in 100 s; the LP path 4.5% in 46 s)
LARGE_GROUP_OPTIONS = 5_000

#: a large group's plan that fix-and-optimise leaves unproven with at least this share of its
#: time unused is handed to SCIP whole (the plan as its start, at most ``FINISH_MAX_OPTIONS``
#: trips: a larger model would spend the time building): SCIP then proves or improves it with
#: the time the local search did not need (a 56-batch sea case, 7,550 trips: fix-and-optimise
#: stopped at 1.8% after 16 s of 60; SCIP on the group proves that plan optimal in 25 s)
FINISH_SHARE = 0.2
FINISH_MAX_OPTIONS = 20_000

#: no SCIP solve starts with less time than this (s): building and presolving a model takes tens
#: of ms, so a shorter limit buys nothing but a later finish; the starting plan is used instead
MIN_SOLVE_S = 0.05

#: SCIP catches SIGINT by default (``misc/catchctrlc``): it then stops the solve, reports a
#: FEASIBLE plan and swallows the signal, so Ctrl-C would not stop the run. Off: the signal is
#: left to the process (the command line's supervisor stops the whole run, see optimizer.entry)
SCIP_SIGNALS = "misc/catchctrlc = FALSE\n"

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
    vehicles: Mapping[Key, int]
    penalty_cny: float = 0.0
    stats: SolverStats = field(default_factory=SolverStats)
    #: True when some part stopped at its time limit before proving optimality
    time_limit_reached: bool = False


def unrouted_penalty(options: Sequence[Option]) -> float:
    """A cost for leaving a batch unrouted that exceeds anything routing it could cost."""
    worst = max(o.variable_cny + o.standalone_vehicle_cny for o in options)
    return 2.0 * worst + 10_000.0


# ---- preprocessing -----------------------------------------------------------------------------


def _potential_loads(batches: Sequence[Batch], options: Mapping[str, Sequence[Option]]
                     ) -> CapacityLedger:
    """The most kg and m3 each (lane, week) could carry if every batch that might use it did."""
    potential = CapacityLedger()
    for b in batches:
        lanes = {key_of(lane): lane for o in options.get(b.batch_id, ())
                 for lane in o.resources}
        potential.add(lanes.values(), b.period, b.weight_kg, b.volume_m3)
    return potential


def fold_private(batches: Sequence[Batch], options: Mapping[str, Sequence[Option]]
                 ) -> dict[str, tuple[Option, ...]]:
    """Fold every resource only one batch could use into that batch's options (exact).

    A lane departure or declaration that no other batch has an option on cannot be shared: what
    it costs the batch is fixed (its own whole vehicles, or the declaration's fee), so it moves
    into the option's cost (``Option.private_cny``) and out of the model's rows; an option that
    would need more vehicles than the departure allows, or more kg than a per-kg lane's limit,
    is dropped. Models shrink, dominance finds more, groups split (waiting makes many lane
    departures private to one batch). ``solve`` maps the chosen options back.
    """
    users: dict[Key, set[str]] = defaultdict(set)
    for b in batches:
        for opt in options.get(b.batch_id, ()):
            for lane in opt.resources:
                users[key_of(lane)].add(b.batch_id)
    out: dict[str, tuple[Option, ...]] = {}
    for b in batches:
        folded = []
        for opt in options.get(b.batch_id, ()):
            shared = [lane for lane in opt.resources if len(users[key_of(lane)]) > 1]
            private = [lane for lane in opt.resources if len(users[key_of(lane)]) <= 1]
            if not private:
                folded.append(opt)
                continue
            cost = CapacityLedger().extra_vehicle_cny(private, b.period, b.weight_kg,
                                                      b.volume_m3)
            if cost is not None:
                folded.append(dataclasses.replace(opt, private_cny=cost, shared=tuple(shared)))
        out[b.batch_id] = tuple(folded)
    return out


@dataclass(frozen=True, slots=True)
class Footprint:
    """What an option does to other batches, for dominance and decomposition.

    ``alone`` holds its resources whose cost is shared (vehicles, a tariff's bill, a
    declaration) and what it would pay on each alone: adding it to any load costs at most that
    (the costs are subadditive; a tariff whose rates rise with its breaks may not be, and is
    priced ``inf`` here so that only options that share it can dominate). ``capped`` holds the
    resources whose capacity the batches could exhaust.
    """

    alone: Mapping[Key, float]
    capped: frozenset[Key]

    @property
    def limited(self) -> frozenset[Key]:
        """Every resource through which it can change another batch's cost or feasibility."""
        return frozenset(self.alone) | self.capped


def _subadditive(lane: Lane) -> bool:
    """Whether a load's cost on the lane never exceeds the costs of its parts billed apart."""
    if not lane.tariffed:
        return True
    assert lane.tariff is not None
    rates = [rate for _, rate in lane.tariff.line.breaks]
    return all(b <= a for a, b in itertools.pairwise(rates))


def footprint(opt: Option, potential: CapacityLedger,
              cache: dict[tuple[Key, str], tuple[float | None, bool]] | None = None
              ) -> Footprint:
    """The option's shared-cost and capacity-limited resources (see ``Footprint``);
    ``cache`` keeps what each resource means for each batch (options share resources)."""
    b = opt.batch
    alone: dict[Key, float] = {}
    capped = set()
    cache = {} if cache is None else cache
    for lane in opt.resources:
        key = key_of(lane)
        found = cache.get((key, b.batch_id))
        if found is None:
            found = cache[(key, b.batch_id)] = _resource_print(lane, key, b, potential)
        cost, capacity = found
        if cost is not None:
            alone[key] = cost
        if capacity:
            capped.add(key)
    return Footprint(alone, frozenset(capped))


def _resource_print(lane: Lane, key: Key, b: Batch, potential: CapacityLedger
                    ) -> tuple[float | None, bool]:
    """What batch ``b`` pays alone on a resource whose cost is shared (None: not shared), and
    whether its capacity could run out."""
    cost = None
    if shared(lane):
        cost = resource_cny(lane, b.weight_kg, b.volume_m3) if _subadditive(lane) \
            else math.inf
    load = potential.load(*key)
    if lane.per_vehicle:
        return cost, lane.max_vehicles is not None and vehicles_needed(
            lane, *load) > lane.max_vehicles
    return cost, _over_limit(lane, load)


def _over_limit(lane: Lane, load: Load) -> bool:
    """Whether a per-kg limit a departure could exceed."""
    cap = period_capacity(lane)
    return cap is not None and (load[0] > cap[0] + EPS or load[1] > cap[1] + EPS)


def dominates(a: Option, fa: Footprint, b: Option, fb: Footprint) -> bool:
    """Whether option ``a`` of a batch is never worse than its option ``b``: switching from
    ``b`` to ``a`` in any plan keeps it feasible (``a`` needs no capacity-limited resource
    ``b`` does not use) and costs no more (``a``'s own cost plus at most what it pays alone on
    each shared resource ``b`` does not use, against ``b``'s own cost; leaving ``b``'s
    resources never costs more)."""
    if not fa.capped <= fb.capped:
        return False
    cost = a.variable_cny
    for key, extra in fa.alone.items():
        if key not in fb.alone:
            cost += extra
            if cost > b.variable_cny:
                return False
    return cost <= b.variable_cny


#: stands for an infinite cost in the dominance arrays (finite, so that 0 x it is 0)
_NEVER = 1e18


def prune_dominated(options: Sequence[Option], prints: Mapping[str, Footprint]
                    ) -> tuple[Option, ...]:
    """Drop every option another option dominates (``dominates``); exact.

    ``prints`` maps option ids to their footprints. Options are ranked by cost, and only an
    option earlier in the ranking may drop a later one, so two options that dominate each
    other lose only one; dominance is transitive (what one option adds over a second and the
    second over a third covers what the first adds over the third), so an option dropped by a
    dropped one is dropped by a kept one too, and every pair can be tested at once: on arrays
    over the batch's resources, the same arithmetic as ``dominates``. The survivors keep their
    order.
    """
    ranked = sorted(options, key=lambda o: (o.variable_cny, len(prints[o.option_id].limited),
                                            o.option_id))
    seen: dict[Key, int] = defaultdict(int)
    for o in ranked:
        for k in prints[o.option_id].limited:
            seen[k] += 1
    # (a resource only one option uses takes nothing back: it counts in that option's totals)
    n = len(ranked)
    index = {o.option_id: i for i, o in enumerate(ranked)}
    cost = np.array([o.variable_cny for o in ranked])
    # extra[i, j]: what option i pays alone on the shared resources option j does not use;
    # over[i, j] > 0: i needs a capacity-limited resource j does not. Both start from i's
    # totals and take back, resource by resource, what j shares with it (the options on one
    # resource are few: outer sums over them, not an n x n x resources product)
    users: dict[Key, list[int]] = defaultdict(list)
    costs: dict[Key, list[float]] = defaultdict(list)
    capped_by: dict[Key, list[int]] = defaultdict(list)
    total = np.zeros(n)
    caps = np.zeros(n)
    for o in ranked:
        i, f = index[o.option_id], prints[o.option_id]
        for k, v in f.alone.items():
            v = min(v, _NEVER)
            total[i] += v
            if seen[k] > 1:
                users[k].append(i)
                costs[k].append(v)
        caps[i] = len(f.capped)
        for k in f.capped:
            if seen[k] > 1:
                capped_by[k].append(i)
    extra = np.repeat(total[:, None], n, axis=1)
    for k, rows in users.items():
        at = np.array(rows)
        extra[np.ix_(at, at)] -= np.array(costs[k])[:, None]
    over = np.repeat(caps[:, None], n, axis=1)
    for rows in capped_by.values():
        at = np.array(rows)
        over[np.ix_(at, at)] -= 1.0
    beats = (cost[:, None] + extra <= cost[None, :]) & (over < 0.5)
    beats &= np.triu(np.ones((n, n), dtype=bool), k=1)  # only earlier ranks drop later ones
    dropped = beats.any(axis=0)
    survivors = {ranked[i].option_id for i in range(n) if not dropped[i]}
    return tuple(o for o in options if o.option_id in survivors)


def components(batches: Sequence[Batch], options: Mapping[str, Sequence[Option]],
               limited: Mapping[str, Mapping[str, frozenset[Key]]]) -> list[list[Batch]]:
    """Groups of batches that share no limited lane departure (or declaration), largest
    first."""
    parent: dict[str, str] = {b.batch_id: b.batch_id for b in batches}

    def find(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    owner: dict[tuple[str, str], str] = {}
    for b in batches:
        for opt in options[b.batch_id]:
            for key in limited[b.batch_id][opt.option_id]:
                if key in owner:
                    ra, rb = find(owner[key]), find(b.batch_id)
                    if ra != rb:
                        parent[max(ra, rb)] = min(ra, rb)
                else:
                    owner[key] = b.batch_id
    groups: dict[str, list[Batch]] = defaultdict(list)
    for b in batches:
        groups[find(b.batch_id)].append(b)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0].batch_id))


# ---- solving -----------------------------------------------------------------------------------


@dataclass
class _Part:
    """The solution of one group of batches."""

    status: str
    objective: float | None
    bound: float
    chosen: dict[str, Option]
    dropped: list[str]
    vehicles: dict[tuple[str, str], int]
    penalty: float
    variables: int = 0
    constraints: int = 0
    #: stopped at its time limit without proving optimality (False whenever status is OPTIMAL)
    time_limit_reached: bool = False


def solve_single(b: Batch, options: Sequence[Option], penalty: float) -> _Part:
    """One batch on its own: the cheapest option that fits its lanes' limits, by enumeration."""
    best: tuple[float, str, Option] | None = None
    for opt in options:
        vehicles = CapacityLedger().extra_vehicle_cny(opt.resources, b.period, b.weight_kg,
                                                      b.volume_m3)
        if vehicles is None:
            continue
        cost = opt.variable_cny + vehicles
        if best is None or (cost, opt.option_id) < best[:2]:
            best = (cost, opt.option_id, opt)
    if best is None or best[0] >= penalty:
        return _Part("OPTIMAL", penalty, penalty, {}, [b.batch_id], {}, penalty)
    opt = best[2]
    return _Part("OPTIMAL", best[0], best[0], {b.batch_id: opt}, [], plan_vehicles({
        b.batch_id: opt}), 0.0)


@dataclass
class _Model:
    """A built model of one group of batches, with handles to read a solution back."""

    solver: pywraplp.Solver
    objective: pywraplp.Objective
    x: dict[tuple[str, int], pywraplp.Variable]
    u: dict[str, pywraplp.Variable]
    y: dict[Key, pywraplp.Variable]
    #: the lane (pinned to its departure) or declaration of every resource key
    lanes: dict[Key, Lane]
    #: the bands of every tariffed departure: (z, U, minimum's shortfall or None) per band
    bands: dict[Key, list[tuple[pywraplp.Variable, pywraplp.Variable,
                                pywraplp.Variable | None]]] = field(default_factory=dict)


def _build(solver: pywraplp.Solver, batches: Sequence[Batch],
           options: Mapping[str, Sequence[Option]], penalties: Mapping[str, float],
           strong: bool, lp_relaxation: bool = False,
           background: Mapping[Key, Load] | None = None) -> _Model:
    """The formulation above for ``batches``; ``lp_relaxation`` builds its LP relaxation.

    ``background`` holds loads (kg, m3) already on (lane, week) from batches outside the model
    (fixed elsewhere): they fill vehicles and weekly capacity but are not decided here.
    Variables and rows are created in a fixed order (batches, then lanes and weeks sorted), so
    the same inputs give the same model and, single-threaded and seeded, the same plan.
    """
    m = _Model(solver, solver.Objective(), {}, {}, {}, {}, {})
    users = _choice_rows(m, batches, options, penalties, lp_relaxation)
    background = background or {}
    for key in sorted(users):
        lane = m.lanes[key]
        if lane.per_vehicle:
            _vehicle_rows(m, key, lane, users[key], background.get(key, (0.0, 0.0)),
                          strong, lp_relaxation)
            continue
        if lane.tariffed:
            _tariff_rows(m, key, lane, users[key], background.get(key, (0.0, 0.0)),
                         strong, lp_relaxation)
        if period_capacity(lane) is not None:
            _per_kg_rows(m, key, lane, users[key], background.get(key, (0.0, 0.0)))
    m.objective.SetMinimization()
    return m


def _choice_rows(m: _Model, batches: Sequence[Batch], options: Mapping[str, Sequence[Option]],
                 penalties: Mapping[str, float], lp_relaxation: bool
                 ) -> dict[Key, list[tuple[Batch, pywraplp.Variable]]]:
    """x[b,o] and u[b] with "route each batch once"; returns who may ride each lane and week."""
    solver = m.solver

    def binary(name: str) -> pywraplp.Variable:
        return solver.NumVar(0, 1, name) if lp_relaxation else solver.BoolVar(name)

    users: dict[Key, list[tuple[Batch, pywraplp.Variable]]] = defaultdict(list)
    for b in batches:
        m.u[b.batch_id] = binary(f"u[{b.batch_id}]")
        m.objective.SetCoefficient(m.u[b.batch_id], penalties[b.batch_id])
        once = solver.Constraint(1, 1, f"once[{b.batch_id}]")
        once.SetCoefficient(m.u[b.batch_id], 1)
        for k, opt in enumerate(options[b.batch_id]):
            var = binary(f"x[{b.batch_id},{k}]")
            m.x[(b.batch_id, k)] = var
            once.SetCoefficient(var, 1)
            m.objective.SetCoefficient(var, opt.variable_cny)
            for lane in opt.resources:
                key = key_of(lane)
                m.lanes[key] = lane
                users[key].append((b, var))
    return users


def _vehicle_rows(m: _Model, key: Key, lane: Lane, users: Sequence[tuple[Batch,
                                                                         pywraplp.Variable]],
                  background: Load, strong: bool, lp_relaxation: bool) -> None:
    """y[r] (bounded by what the riders could need and the lane's limit a departure), kg and m3
    per vehicle, and the strong linking rows (one per batch). A declaration the background
    (batches held outside the model) already uses is bought: y[d] = 1, sharing it is free."""
    solver, inf = m.solver, m.solver.infinity()
    lane_id, period = key
    bg_kg, bg_m3 = background
    ub = vehicles_needed(lane, bg_kg + sum(b.weight_kg for b, _ in users),
                         bg_m3 + sum(b.volume_m3 for b, _ in users))
    if lane.max_vehicles is not None:
        ub = min(ub, lane.max_vehicles)
    yv = (solver.NumVar(0, ub, f"y[{lane_id},{period}]") if lp_relaxation
          else solver.IntVar(0, ub, f"y[{lane_id},{period}]"))
    m.y[key] = yv
    m.objective.SetCoefficient(yv, lane.cost_per_vehicle_cny)
    if lane.period is not None:  # a declaration: room for all, bought once
        if bg_kg > EPS or bg_m3 > EPS:  # batches held outside the model already lodge it
            yv.SetLb(1)
        _link_rows(solver, yv, users)  # sum of b's options cleared on it <= y[d]
        return
    kg = solver.Constraint(-inf, -bg_kg, f"kg[{lane_id},{period}]")
    m3 = solver.Constraint(-inf, -bg_m3, f"m3[{lane_id},{period}]")
    kg.SetCoefficient(yv, -lane.vehicle_capacity_kg)
    m3.SetCoefficient(yv, -lane.vehicle_capacity_m3)
    for b, var in users:
        kg.SetCoefficient(var, b.weight_kg)
        m3.SetCoefficient(var, b.volume_m3)
    if strong:  # sum of b's options through l <= y[l,p]: one row per batch
        _link_rows(solver, yv, users)


def _link_rows(solver: pywraplp.Solver, yv: pywraplp.Variable,
               users: Sequence[tuple[Batch, pywraplp.Variable]]) -> None:
    """One row per batch: its options on the resource sum to at most ``yv``."""
    links: dict[str, pywraplp.Constraint] = {}
    for b, var in users:
        if b.batch_id not in links:
            links[b.batch_id] = solver.Constraint(-solver.infinity(), 0)
            links[b.batch_id].SetCoefficient(yv, -1)
        links[b.batch_id].SetCoefficient(var, 1)


def _tariff_rows(m: _Model, key: Key, lane: Lane,
                 users: Sequence[tuple[Batch, pywraplp.Variable]], background: Load,
                 strong: bool, lp_relaxation: bool) -> None:
    """One shipment's bill on a tariffed departure, exact (all-units breaks, "pay the next
    break", minimum, fees per shipment, volumetric weight):

        y[r] in {0,1}: the shipment is booked (fees per shipment F_r); z[r,k] in {0,1}: it is
        billed in band k, sum_k z[r,k] = y[r]; U[r,k] >= 0 the units billed in band k,
        lo_k z[r,k] <= U[r,k] <= hi_k z[r,k]; sum_k U[r,k] >= chargeable units of the load
        (kg, volumetric kg, m3, revenue tonnes: one row per measure);
        cost F_r y[r] + sum_k (f_k + p_k) U[r,k] + m[r,k],  m[r,k] >= M_k z[r,k] - f_k U[r,k]

    with f_k the band's freight rate, p_k the per-unit surcharge, M_k the minimum (all in CNY,
    ``Tariff.bands``). Billing more units than carried is allowed, which is the "pay the next
    break" rule; hi_k stops just below the next break, so a load is never billed in a lower
    band than the one it falls in. A shipment-basis tariff is a fixed price per shipment.
    """
    solver, inf = m.solver, m.solver.infinity()
    tariff = lane.tariff
    assert tariff is not None
    lane_id, period = key
    bg_kg, bg_m3 = background
    total_kg = bg_kg + sum(b.weight_kg for b, _ in users)
    total_m3 = bg_m3 + sum(b.volume_m3 for b, _ in users)

    booked = solver.NumVar(0, 1, f"y[{lane_id},{period}]") if lp_relaxation else \
        solver.BoolVar(f"y[{lane_id},{period}]")
    m.y[key] = booked
    if bg_kg > EPS or bg_m3 > EPS:  # batches held outside the model are on it already
        booked.SetLb(1)
    line = tariff.line
    if line.basis == "shipment":
        m.objective.SetCoefficient(booked, tariff.cost_cny(1.0, 0.0))
        _link_rows(solver, booked, users)
        return
    m.objective.SetCoefficient(booked, tariff.fixed_cny)
    top = line.units(total_kg, total_m3)
    one = solver.Constraint(0, 0, f"band[{lane_id},{period}]")
    one.SetCoefficient(booked, -1)
    measures = chargeable_measures(line)
    cover = [solver.Constraint(bg_kg * a + bg_m3 * c, inf, f"units[{lane_id},{period},{i}]")
             for i, (a, c) in enumerate(measures)]
    for i, (a, c) in enumerate(measures):
        for b, x in users:
            cover[i].SetCoefficient(x, -(a * b.weight_kg + c * b.volume_m3))
    for k, band in enumerate(tariff.bands()):
        m.bands.setdefault(key, []).append(
            _band_rows(m, key, k, band, top, one, cover, lp_relaxation))
    if strong:
        _link_rows(solver, booked, users)


def _band_rows(m: _Model, key: Key, k: int,
               band: tuple[float, float | None, float, float, float], top: float,
               one: pywraplp.Constraint, cover: Sequence[pywraplp.Constraint],
               lp_relaxation: bool
               ) -> tuple[pywraplp.Variable, pywraplp.Variable, pywraplp.Variable | None]:
    """Band ``k`` of a tariffed departure (see ``_tariff_rows``); ``top`` is the most units its
    riders could weigh: a band above it is billed at its break. Returns z, U and the minimum's
    shortfall (None where the minimum cannot bind)."""
    solver = m.solver
    lane_id, period = key
    lo, hi, freight, per_unit, minimum = band
    ub = max(lo, top) if hi is None else max(lo, min(hi - BREAK_EPS, top))
    z = solver.NumVar(0, 1, f"z[{lane_id},{period},{k}]") if lp_relaxation else \
        solver.BoolVar(f"z[{lane_id},{period},{k}]")
    u = solver.NumVar(0, ub, f"U[{lane_id},{period},{k}]")
    one.SetCoefficient(z, 1)
    solver.Add(u >= lo * z)
    solver.Add(u <= ub * z)
    for row in cover:
        row.SetCoefficient(u, 1)
    m.objective.SetCoefficient(u, freight + per_unit)
    short = None
    if minimum > freight * lo + EPS:  # the minimum can bind in this band
        short = solver.NumVar(0, minimum, f"m[{lane_id},{period},{k}]")
        solver.Add(short >= minimum * z - freight * u)
        m.objective.SetCoefficient(short, 1)
    return z, u, short


def _per_kg_rows(m: _Model, key: Key, lane: Lane,
                 users: Sequence[tuple[Batch, pywraplp.Variable]], background: Load) -> None:
    """A per-kg lane's weekly kg and m3 limit, when its possible riders could exceed it."""
    cap = period_capacity(lane)
    assert cap is not None
    bg_kg, bg_m3 = background
    if (bg_kg + sum(b.weight_kg for b, _ in users) <= cap[0]
            and bg_m3 + sum(b.volume_m3 for b, _ in users) <= cap[1]):
        return
    solver, inf = m.solver, m.solver.infinity()
    lane_id, period = key
    kg = solver.Constraint(-inf, cap[0] - bg_kg, f"kg[{lane_id},{period}]")
    m3 = solver.Constraint(-inf, cap[1] - bg_m3, f"m3[{lane_id},{period}]")
    for b, var in users:
        kg.SetCoefficient(var, b.weight_kg)
        m3.SetCoefficient(var, b.volume_m3)


def _scip(settings: SolverOptions, time_limit_s: float) -> pywraplp.Solver:
    """A SCIP instance with the run's threads, seed, time limit, log and extra parameters."""
    solver = pywraplp.Solver.CreateSolver(BACKEND)
    if solver is None:  # pragma: no cover - SCIP ships with the ortools wheel
        raise RuntimeError(f"OR-Tools backend {BACKEND} is not available")
    solver.SetNumThreads(settings.threads)
    if settings.log:
        solver.EnableOutput()
    solver.SetTimeLimit(max(1, int(time_limit_s * 1000)))
    solver.SetSolverSpecificParametersAsString(
        SCIP_SIGNALS + f"randomization/randomseedshift = {settings.seed}\n"
        + settings.scip_params)
    return solver


def trivial_bound(batches: Sequence[Batch], options: Mapping[str, Sequence[Option]],
                  penalties: Mapping[str, float]) -> float:
    """A valid lower bound without solving: each batch at its cheapest option (or penalty),
    with no vehicle bought."""
    return sum(min(min((o.variable_cny for o in options[b.batch_id]),
                       default=penalties[b.batch_id]), penalties[b.batch_id])
               for b in batches)


def stopped_by_time(code: int, seconds: float, limit_s: float) -> bool:
    """Whether SCIP stopped because its time ran out, not because it proved optimality.

    pywraplp reports a stop at the relative gap limit as OPTIMAL, a stop at the time limit as
    FEASIBLE (a plan) or NOT_SOLVED (none); other limits (``limits/solutions`` in scip_params)
    also give FEASIBLE, but well before the time limit: hence the elapsed-time test (SCIP's
    clock starts after ours, so its time limit shows as at least ``limit_s`` here, less the
    millisecond rounding of SetTimeLimit).
    """
    return (code in (pywraplp.Solver.FEASIBLE, pywraplp.Solver.NOT_SOLVED)
            and seconds >= 0.95 * limit_s)


def _solve_mip(batches: Sequence[Batch], options: Mapping[str, Sequence[Option]],
               penalties: Mapping[str, float], settings: SolverOptions, time_limit_s: float,
               hint: Mapping[str, Option] | None, strong: bool,
               background: Mapping[Key, Load] | None = None) -> _Part:
    """Build and solve the model of the formulation above for one group of batches.

    ``time_limit_s`` covers building the model too (SCIP's clock starts only at Solve): SCIP
    gets what is left of it once the model is built, at least MIN_SOLVE_S.
    """
    until = time.perf_counter() + time_limit_s
    m = _build(_scip(settings, time_limit_s), batches, options, penalties, strong,
               background=background)
    solver = m.solver
    if hint:
        _set_hint(m, batches, options, hint, background)
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, settings.relative_gap)
    limit = max(MIN_SOLVE_S, until - time.perf_counter())
    solver.SetTimeLimit(max(1, int(limit * 1000)))
    began = time.perf_counter()
    code = solver.Solve(params)
    timed_out = stopped_by_time(code, time.perf_counter() - began, limit)
    status = STATUS_NAMES.get(code, str(code))
    trivial = trivial_bound(batches, options, penalties)
    sizes = {"variables": solver.NumVariables(), "constraints": solver.NumConstraints()}
    if code not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return _Part(status, None, trivial, {}, [], {}, 0.0, **sizes,
                     time_limit_reached=timed_out)
    part = _read_back(m, batches, options, penalties, sizes)
    # SCIP's bound is valid; before its root LP is solved it can be weaker than the trivial one.
    # pywraplp reports a stop at a relative gap above 0 as OPTIMAL: then the bound is SCIP's
    # best bound, and the part is OPTIMAL only if that bound proves it (else FEASIBLE, with
    # its real gap)
    exact = code == pywraplp.Solver.OPTIMAL and settings.relative_gap == 0
    obj = m.objective.Value()
    bound = obj if exact else max(m.objective.BestBound(), trivial)
    if code == pywraplp.Solver.OPTIMAL and not exact and not _proven(obj, bound):
        status = "FEASIBLE"
    part.status, part.objective, part.bound = status, obj, min(bound, obj)
    part.time_limit_reached = timed_out
    return part


def _read_back(m: _Model, batches: Sequence[Batch], options: Mapping[str, Sequence[Option]],
               penalties: Mapping[str, float], sizes: Mapping[str, int]) -> _Part:
    """The plan SCIP found: chosen options, unrouted batches, vehicles (objective and bound are
    filled in by the caller)."""
    chosen: dict[str, Option] = {}
    dropped: list[str] = []
    penalty = 0.0
    for b in batches:
        if m.u[b.batch_id].solution_value() > 0.5:
            dropped.append(b.batch_id)
            penalty += penalties[b.batch_id]
            continue
        for k, opt in enumerate(options[b.batch_id]):
            if m.x[(b.batch_id, k)].solution_value() > 0.5:
                chosen[b.batch_id] = opt
                break
    vehicles = {key: round(var.solution_value()) for key, var in m.y.items()
                if round(var.solution_value()) > 0}
    return _Part("", None, 0.0, chosen, dropped, vehicles, penalty, **sizes)


#: the share of a large group's time its LP may take: the LP gives the bound and the best plan
#: (its rounded solution, then the MIP on its support); without it the bound is the trivial one
LP_SHARE = 0.7

#: relative margin taken off an LP optimum for the simplex tolerances (a bound must be valid)
LP_MARGIN = 1e-7


def _lp_bound(batches: Sequence[Batch], options: Mapping[str, Sequence[Option]],
              penalties: Mapping[str, float], time_limit_s: float
              ) -> tuple[float | None, tuple[dict[str, Option], dict[str, list[Option]]] | None]:
    """The LP relaxation's optimum (HiGHS, ``planning.highs``) less ``LP_MARGIN``, a valid
    lower bound for the group (None when it did not finish), and the plan that rounds its
    solution (each batch on its option of largest x; None when that plan breaks a capacity
    limit) with the options the LP used per batch. On these models the LP is often integral,
    and then that plan is optimal."""
    relaxed = highs.relax(batches, options, penalties, time_limit_s)
    if relaxed is None:
        return None, None
    value = relaxed.value
    return value - LP_MARGIN * abs(value), _rounded(relaxed, batches, options)


def _rounded(relaxed: highs.Relaxed, batches: Sequence[Batch],
             options: Mapping[str, Sequence[Option]]
             ) -> tuple[dict[str, Option], dict[str, list[Option]]] | None:
    """Each batch on the option the LP solution weighs most (none when u weighs more), and for
    every batch the options the LP used; None when the plan does not fit the lanes' limits."""
    plan: dict[str, Option] = {}
    support: dict[str, list[Option]] = {}
    ledger = CapacityLedger()
    for b in batches:
        weights = [(relaxed.x[(b.batch_id, k)], k) for k in range(len(options[b.batch_id]))]
        best, k = max(weights, default=(0.0, -1))
        support[b.batch_id] = [options[b.batch_id][j] for x, j in weights if x > 1e-6]
        if k < 0 or best <= relaxed.u[b.batch_id]:
            continue
        opt = options[b.batch_id][k]
        if not ledger.fits(opt.resources, b.period, b.weight_kg, b.volume_m3):
            return None
        ledger.add(opt.resources, b.period, b.weight_kg, b.volume_m3)
        plan[b.batch_id] = opt
    return plan, support


def _portion(batches: Sequence[Batch], plan: Mapping[str, Option],
             penalties: Mapping[str, float], options: Mapping[str, Sequence[Option]],
             background: Mapping[Key, Load]) -> float:
    """What ``batches`` cost in ``plan``: their options, penalties, and every vehicle on the
    lanes their candidate options touch (with the background load on those lanes)."""
    cost = 0.0
    ledger = CapacityLedger(background=background)
    touched: dict[Key, Lane] = {}
    for b in batches:
        for opt in options[b.batch_id]:
            for lane in opt.resources:
                if shared(lane):
                    touched[key_of(lane, b.period)] = lane
        pick = plan.get(b.batch_id)
        if pick is None:
            cost += penalties[b.batch_id]
            continue
        cost += pick.variable_cny
        ledger.add(pick.resources, b.period, b.weight_kg, b.volume_m3)
    return cost + sum(ledger.resource_cny(lane, period)
                      for (_, period), lane in touched.items())


def _solve_large(group: Sequence[Batch], options: Mapping[str, Sequence[Option]],
                 penalties: Mapping[str, float], settings: SolverOptions, time_limit_s: float,
                 hint: Mapping[str, Option]) -> _Part:
    """A group too large for SCIP's root LP in the time: LP bound + MIP-based local search.

    The bound is the LP relaxation (GLOP, faster here than SCIP's own root LP). The plan starts
    from ``hint`` and improves by *fix-and-optimise* (see ``_fix_and_optimise``). The part is
    marked ``time_limit_reached`` when it is not proven optimal and time ran out somewhere: the
    LP bound, a neighbourhood's solve, or neighbourhoods left unvisited.
    """
    deadline = time.perf_counter() + time_limit_s
    lp, rounded = _lp_bound(group, options, penalties, LP_SHARE * time_limit_s)
    trivial = trivial_bound(group, options, penalties)
    bound = trivial if lp is None else max(lp, trivial)
    plan = {b.batch_id: hint[b.batch_id] for b in group if b.batch_id in hint}
    out_of_time = False
    if rounded is not None:
        from_lp, fractional = rounded
        if _value(group, from_lp, penalties) < _value(group, plan, penalties):
            plan = from_lp
        if not _proven(_value(group, plan, penalties), bound):
            # the MIP restricted to the trips the LP used (and each batch's current one):
            # small, and where the optimum nearly always is
            narrowed = {b.batch_id: tuple(dict.fromkeys([*fractional.get(b.batch_id, ()), *(
                [plan[b.batch_id]] if b.batch_id in plan else [])])) for b in group}
            part = _solve_mip(group, narrowed, penalties, settings,
                              0.5 * (deadline - time.perf_counter()), plan, True)
            if part.objective is not None and part.chosen and _value(
                    group, part.chosen, penalties) < _value(group, plan, penalties):
                plan = dict(part.chosen)
            out_of_time = part.time_limit_reached
    if not _proven(_value(group, plan, penalties), bound):
        out_of_time = _fix_and_optimise(group, options, penalties, settings, plan, bound,
                                        deadline) or out_of_time
    left = deadline - time.perf_counter()
    size = sum(len(options[b.batch_id]) for b in group)
    if (not _proven(_value(group, plan, penalties), bound) and size <= FINISH_MAX_OPTIONS
            and left >= max(1.0, FINISH_SHARE * time_limit_s)):
        # the local search ended with time to spare: SCIP on the whole group, from the plan
        part = _solve_mip(group, options, penalties, settings, left, plan, True)
        if part.objective is not None:
            bound = max(bound, part.bound)  # SCIP's best bound is valid for the group
            if part.chosen and _value(group, part.chosen, penalties) < _value(
                    group, plan, penalties):
                plan = dict(part.chosen)
            out_of_time = part.time_limit_reached
    vehicles = plan_vehicles(plan)
    dropped = [b.batch_id for b in group if b.batch_id not in plan]
    obj = _value(group, plan, penalties)
    status = "OPTIMAL" if _proven(obj, bound) else "FEASIBLE"
    return _Part(status, obj, min(bound, obj), plan, dropped, vehicles,
                 sum(penalties[b] for b in dropped),
                 time_limit_reached=status != "OPTIMAL" and (lp is None or out_of_time))


def _proven(obj: float, bound: float) -> bool:
    """Whether a plan of value ``obj`` is optimal given a valid ``bound``: equal up to the LP
    margin the bound was lowered by (and a fen)."""
    return obj <= bound + 2 * LP_MARGIN * abs(obj) + 1e-6


def _fix_and_optimise(group: Sequence[Batch], options: Mapping[str, Sequence[Option]],
                      penalties: Mapping[str, float], settings: SolverOptions,
                      plan: dict[str, Option], bound: float, deadline: float) -> bool:
    """Improve ``plan`` in place, one neighbourhood at a time; True if time ran out.

    The batches of one foreign hub and week are re-solved exactly by SCIP while every other
    batch stays where it is (their loads fill vehicles and capacity), and the result is kept
    when it is cheaper. Neighbourhoods are visited largest first, twice over, until the plan is
    within the relative gap of ``bound`` or a pass improves nothing. Time ran out when
    neighbourhoods were left unvisited (under 0.5 s left) or a neighbourhood's solve stopped at
    its time limit.
    """
    hoods: dict[Key, list[Batch]] = defaultdict(list)
    for b in group:
        hoods[(b.origin, b.period)].append(b)
    order = sorted(hoods.values(), key=lambda h: (-len(h), h[0].batch_id))
    target = bound * (1 + settings.relative_gap)
    short = False
    for _ in range(2):
        improved = False
        for i, hood in enumerate(order):
            left = deadline - time.perf_counter()
            if left < 0.5:
                return True
            part, kept = _resolve_hood(hood, options, penalties, settings, plan,
                                       left / max(1, len(order) - i))
            short = short or part.time_limit_reached
            improved = improved or kept
            if kept and _value(group, plan, penalties) <= target:
                return short  # close enough to the bound: what the caller asked for
        if not improved:
            break
    return short


def _resolve_hood(hood: Sequence[Batch], options: Mapping[str, Sequence[Option]],
                  penalties: Mapping[str, float], settings: SolverOptions,
                  plan: dict[str, Option], time_limit_s: float) -> tuple[_Part, bool]:
    """Re-solve one neighbourhood with every other batch of ``plan`` fixed; keep the result in
    ``plan`` when it is cheaper. Returns the solve's part and whether it was kept."""
    free = {b.batch_id for b in hood}
    background = plan_ledger({bid: opt for bid, opt in plan.items()
                              if bid not in free}).loads()
    before = _portion(hood, plan, penalties, options, background)
    part = _solve_mip(hood, options, penalties, settings, time_limit_s,
                      {b: plan[b] for b in free if b in plan}, True, background)
    if part.objective is None or part.objective >= before - 1e-6:
        return part, False
    for bid in free:
        plan.pop(bid, None)
    plan.update(part.chosen)
    return part, True


def _value(group: Sequence[Batch], plan: Mapping[str, Option],
           penalties: Mapping[str, float]) -> float:
    """Objective of a complete plan of a group: options, shared vehicles, penalties."""
    return (sum(o.variable_cny for o in plan.values())
            + sum(penalties[b.batch_id] for b in group if b.batch_id not in plan)
            + plan_ledger(plan).vehicle_cny())


def plan_ledger(plan: Mapping[str, Option]) -> CapacityLedger:
    """The loads of a plan (batch id -> option) on every lane and week it uses."""
    ledger = CapacityLedger()
    for opt in plan.values():
        ledger.add(opt.resources, opt.batch.period, opt.batch.weight_kg, opt.batch.volume_m3)
    return ledger


def plan_vehicles(plan: Mapping[str, Option]) -> dict[Key, int]:
    """Vehicles a plan needs per lane and week, the batches on a lane sharing its vehicles."""
    return plan_ledger(plan).vehicle_counts()


def solve(batches: Sequence[Batch], options: Mapping[str, Sequence[Option]],
          settings: SolverOptions, hint: Mapping[str, Option] | None = None,
          leave: Mapping[str, float] | None = None, cluster: Cluster | None = None
          ) -> Solution:
    """Solve the network design model over the allowed options of every batch.

    ``leave``: what not returning a batch costs where it may be disposed of abroad (its
    disposal cost replaces the unrouted penalty as the cost of ``u[b]``); a batch without
    options but with a ``leave`` cost is disposed of (dropped at that cost, in the objective
    and the bound). Other batches without options are not in the model (the caller reports
    them); ``hint`` is an
    optional starting plan (batch id -> option), a feasible one (the greedy baseline) in
    practice, used for every group SCIP finds nothing better for in time. ``settings``'s time
    limit covers the whole call, preprocessing included; ``time_limit_reached`` says whether any
    group stopped at its share of it without proving optimality.

    ``cluster``: solve the groups of several batches as tasks on this Dask cluster (see
    ``_solve_on_cluster``) instead of one after another here; the plan is the same whenever
    every group is proven optimal (each group is the same model, and SCIP is deterministic).
    Raises ClusterFailed when the cluster does not deliver.
    """
    started = time.perf_counter()
    leave = leave or {}
    routed = [b for b in batches if options.get(b.batch_id)]
    stuck = [b.batch_id for b in batches
             if not options.get(b.batch_id) and b.batch_id in leave]
    if stuck:  # nothing may bring them back: disposed of, a constant of every plan
        fixed = sum(leave[bid] for bid in stuck)
        parts = [_Part("OPTIMAL", fixed, fixed, {}, stuck, {}, fixed)]
    else:
        parts = []
    if not routed:
        return _combine(parts or [_Part("OPTIMAL", 0.0, 0.0, {}, [], {}, 0.0)],
                        time.perf_counter() - started, SolverStats())
    penalties = {b.batch_id: leave.get(b.batch_id, unrouted_penalty(options[b.batch_id]))
                 for b in routed}
    stats: dict[str, int] = {"batches_in_model": len(routed),
                             "options": sum(len(options[b.batch_id]) for b in routed)}
    kept, groups, hint = _decompose(routed, options, settings, hint, stats)
    stats["groups"] = len(groups)
    stats["largest_group"] = len(groups[0])
    sizes = [sum(len(kept[b.batch_id]) for b in g) for g in groups]
    remaining_size = sum(sizes)
    until = started + settings.time_limit_s
    if cluster is not None:
        parts.extend(_solve_on_cluster(cluster, groups, sizes, kept, penalties, settings, hint,
                                       until))
    else:
        for group, size in zip(groups, sizes, strict=True):
            # the group's share of the time left, by model size (unused time rolls over)
            share = max(0.0, until - time.perf_counter()) * size / max(1, remaining_size)
            remaining_size -= size
            parts.append(_solve_group(group, kept, penalties, settings, share, hint, size))
    stats["variables"] = sum(p.variables for p in parts)
    stats["constraints"] = sum(p.constraints for p in parts)
    sol = _combine(parts, time.perf_counter() - started, SolverStats(**stats))
    if not sol.chosen:
        return sol
    # the options as the caller knows them (folding changed them inside the model only)
    by_id = {bid: {o.option_id: o for o in options[bid]} for bid in sol.chosen}
    chosen = {bid: by_id[bid][o.option_id] for bid, o in sol.chosen.items()}
    return dataclasses.replace(sol, chosen=chosen, vehicles=plan_vehicles(chosen))


def _decompose(routed: Sequence[Batch], options: Mapping[str, Sequence[Option]],
               settings: SolverOptions, hint: Mapping[str, Option] | None,
               stats: dict[str, int]
               ) -> tuple[dict[str, tuple[Option, ...]], list[list[Batch]],
                          Mapping[str, Option] | None]:
    """The options kept per batch, the independent groups and the hint mapped onto the kept
    options: dominance and decomposition for the strong formulation, one group of every
    option for the obvious one."""
    if settings.formulation != "strong":
        return {b.batch_id: tuple(options[b.batch_id]) for b in routed}, [list(routed)], hint
    options = fold_private(routed, options)
    potential = _potential_loads(routed, options)
    limited: dict[str, dict[str, frozenset[Key]]] = {}
    prints: dict[str, dict[str, Footprint]] = {}
    kept: dict[str, tuple[Option, ...]] = {}
    cache: dict[tuple[Key, str], tuple[float | None, bool]] = {}
    for b in routed:
        mine = {o.option_id: footprint(o, potential, cache) for o in options[b.batch_id]}
        kept[b.batch_id] = prune_dominated(options[b.batch_id], mine)
        limited[b.batch_id] = {oid: f.limited for oid, f in mine.items()}
        prints[b.batch_id] = mine
    stats["options_after_dominance"] = sum(len(v) for v in kept.values())
    if hint:
        hint = _map_hint(hint, kept, prints)
    return kept, components(routed, kept, limited), hint


def _solve_group(group: Sequence[Batch], kept: Mapping[str, Sequence[Option]],
                 penalties: Mapping[str, float], settings: SolverOptions, share: float,
                 hint: Mapping[str, Option] | None, size: int) -> _Part:
    """One independent group in its share of the time: a single batch by enumeration, a large
    group by LP bound + fix-and-optimise, any other by SCIP; the starting plan when SCIP finds
    nothing, or when the share is too short to start SCIP at all."""
    if len(group) == 1:
        b = group[0]
        return solve_single(b, kept[b.batch_id], penalties[b.batch_id])
    strong = settings.formulation == "strong"
    start = hint or {}
    covered = all(b.batch_id in start for b in group)
    if share < MIN_SOLVE_S and covered:
        return _from_hint(group, start, _Part("NOT_SOLVED", None, trivial_bound(
            group, kept, penalties), {}, [], {}, 0.0, time_limit_reached=True))
    share = max(share, MIN_SOLVE_S)
    if strong and hint is not None and size > LARGE_GROUP_OPTIONS:
        part = _solve_large(group, kept, penalties, settings, share, hint)
    else:
        part = _solve_mip(group, kept, penalties, settings, share,
                          hint if strong else None, strong)
    if part.objective is None and covered:
        part = _from_hint(group, start, part)
    return part


# ---- solving on a Dask cluster -----------------------------------------------------------------

#: seconds to wait for a Dask scheduler to answer (Dask retries a refused connection until then)
CONNECT_TIMEOUT_S = 10.0

#: how long past the time limit the cluster's answers are awaited: a group's solve may overrun
#: its share by the time to build its model, and a worker that died leaves the tasks pinned to
#: it waiting for ever; after this the solve fails (ClusterFailed) rather than hang
CLUSTER_GRACE_S = 10.0


class ClusterError(RuntimeError):
    """The Dask cluster given as ``--scheduler`` could not be used; the message names it."""

    def __init__(self, address: str, what: str) -> None:
        self.address = address
        super().__init__(f"Dask scheduler {address}: {what}")


class SchedulerUnreachable(ClusterError):
    """No Dask scheduler answered at the address, or it has no workers: the user's to fix."""


class ClusterFailed(ClusterError):
    """A group's task failed on the cluster, or its answer did not come in time."""


@dataclass(frozen=True, slots=True)
class Cluster:
    """A Dask client connected to a scheduler, and the address the user gave for it."""

    address: str
    client: Client
    #: one trivial task per worker process, started on connecting so that the worker imports
    #: the solver while the caller reads and prepares (a fresh worker takes about a second to);
    #: held, or Dask would drop them
    warming: tuple[Future, ...] = ()


def _ready() -> bool:
    """Nothing: a task that makes a worker import this module (and the solvers) to run it."""
    return True


@contextlib.contextmanager
def connect(address: str, timeout_s: float | None = None) -> Iterator[Cluster]:
    """A client of the Dask scheduler at ``address`` (``tcp://HOST:PORT``) for the block.

    Raises SchedulerUnreachable when nothing answers within ``timeout_s`` (default
    CONNECT_TIMEOUT_S), when the address is not one or what answers is not a Dask scheduler,
    and when the scheduler has no workers. The client is not made Dask's default (a caller's own
    client stays theirs) and is closed on leaving. Each worker is given a trivial task at once,
    so that it imports the solver while the caller prepares (``Cluster.warming``). Workers need
    this package installed, the same version: they unpickle the groups' data and run
    ``solve_group_task``.
    """
    from distributed import Client

    timeout = CONNECT_TIMEOUT_S if timeout_s is None else timeout_s
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except ValueError as exc:  # malformed: no port, unknown protocol
        raise SchedulerUnreachable(address, f"not a scheduler address ({_reason(exc)})") from exc
    except OSError as exc:  # refused, unknown host, no answer in time
        raise SchedulerUnreachable(address, f"cannot connect ({_reason(exc)})") from exc
    except Exception as exc:  # something answered, but not as a Dask scheduler does
        raise SchedulerUnreachable(address, "cannot connect: what answers there is not a Dask "
                                   f"scheduler of this version ({_reason(exc)})") from exc
    try:
        workers = client.nthreads()
        if not workers:
            raise SchedulerUnreachable(address, "the scheduler has no workers")
        yield Cluster(address, client, tuple(
            client.submit(_ready, workers=[addr], allow_other_workers=False, pure=False)
            for addr in sorted(workers)))
    finally:
        with contextlib.suppress(Exception):  # a scheduler that has gone: nothing to close
            client.close(timeout=5)


def _reason(exc: BaseException) -> str:
    """An exception as one short line: its type and the first line of its message."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:300]}" if text else type(exc).__name__


@dataclass(frozen=True, slots=True)
class _GroupTask:
    """What a worker needs to solve one group, and nothing more: the group's batches, their
    kept options, penalties and hinted options (None: no hint, as for the whole solve), and
    the model sizes of the group and of the rest of its chain (itself and the groups after it
    on the same worker thread, ``_solve_on_cluster``). One object, pickled at once, so the
    lanes the options share stay shared on the worker (``Pricing`` compares by identity)."""

    group: list[Batch]
    kept: dict[str, tuple[Option, ...]]
    penalties: dict[str, float]
    settings: SolverOptions
    hint: dict[str, Option] | None
    size: int
    rest: int


@dataclass(frozen=True, slots=True)
class _Link:
    """A group's result on a worker, and its chain's deadline on that worker's clock."""

    part: _Part
    until: float


def solve_group_task(task: _GroupTask, budget_s: float, previous: _Link | None) -> _Link:
    """Solve one group on a Dask worker: ``_solve_group``, as the local loop calls it.

    The first task of a chain sets the chain's deadline, ``budget_s`` from when it starts (the
    worker's clock is not the client's); each later task, given its predecessor's result,
    takes its share of what is left of it by model size, ``size / rest``, as the local loop
    does, so time a group leaves unused rolls over to the groups after it on the chain.
    """
    until = time.perf_counter() + budget_s if previous is None else previous.until
    share = max(0.0, until - time.perf_counter()) * task.size / max(1, task.rest)
    part = _solve_group(task.group, task.kept, task.penalties, task.settings, share, task.hint,
                        task.size)
    return _Link(part, until)


def _chains(sizes: Mapping[int, int], slots: int) -> list[list[int]]:
    """Groups (index -> model size) dealt to ``slots`` worker threads, largest first, each to
    the thread with the least model size so far (LPT; ties to the earlier group and thread):
    the list of group indices per thread, in the order they run."""
    chains: list[list[int]] = [[] for _ in range(slots)]
    loads = [0] * slots
    for k in sorted(sizes, key=lambda k: (-sizes[k], k)):
        j = min(range(slots), key=lambda j: (loads[j], j))
        chains[j].append(k)
        loads[j] += sizes[k]
    return chains


def _solve_on_cluster(cluster: Cluster, groups: Sequence[Sequence[Batch]], sizes: Sequence[int],
                      kept: Mapping[str, Sequence[Option]], penalties: Mapping[str, float],
                      settings: SolverOptions, hint: Mapping[str, Option] | None,
                      until: float) -> list[_Part]:
    """The groups' parts, in group order, the groups of several batches solved on the cluster.

    Time: every worker thread (``client.nthreads()``) is a slot; the groups are dealt to the
    slots largest first by model size (``_chains``, LPT), and each slot's groups form a chain
    of tasks pinned to its worker, each task depending on the one before it. A chain runs its
    groups one after another with the local loop's rule (each its model size's share of the
    chain's time left, unused time rolling over, ``solve_group_task``), and every chain has
    the whole time left when it is submitted: chains run side by side, so the solve still ends
    by ``until``, give or take the latency of starting the chain's first task (milliseconds on
    an idle cluster; a worker busy with other work starts it later). This beats giving each
    group a fixed share of its worker's time: a group proven early hands its time to the next.
    A worker of several threads gets as many chains and runs at most one task of each at a
    time (a chain's tasks wait for each other), so no thread is given more than the time left.

    What is sent: one ``_GroupTask`` a group (scattered to its worker), only that group's
    data. The groups of one batch are enumerated here meanwhile (they are instant). Answers
    are awaited until CLUSTER_GRACE_S past ``until``; a task that raised, was cancelled (its
    worker died) or is still missing then is a ClusterFailed naming the group, after the rest
    are cancelled.
    """
    client = cluster.client
    many = {k: sizes[k] for k, g in enumerate(groups) if len(g) > 1}
    futures: dict[int, Future] = {}
    where: dict[int, str] = {}
    try:
        workers = sorted(client.nthreads().items())
        slots = [addr for addr, threads in workers for _ in range(threads)]
        if many and not slots:
            raise ClusterFailed(cluster.address, "the scheduler has no workers left")
        for addr, chain in zip(slots, _chains(many, len(slots)) if many else [], strict=False):
            previous: Future | None = None
            rest = sum(sizes[k] for k in chain)
            budget = max(0.0, until - time.perf_counter())
            for k in chain:
                data = client.scatter(_group_task(groups[k], kept, penalties, settings, hint,
                                                  sizes[k], rest), workers=[addr], hash=False)
                rest -= sizes[k]
                previous = futures[k] = client.submit(
                    solve_group_task, data, budget, previous, workers=[addr],
                    allow_other_workers=False, pure=False)
                where[k] = addr
    except ClusterError:
        raise
    except Exception as exc:  # the connection broke while sending
        client.cancel(list(futures.values()))
        raise ClusterFailed(cluster.address, f"could not send the groups ({_reason(exc)})"
                            ) from exc
    parts: list[_Part | None] = [None] * len(groups)
    for k, (group, size) in enumerate(zip(groups, sizes, strict=True)):
        if k not in many:
            parts[k] = _solve_group(group, kept, penalties, settings, 0.0, hint, size)
    for k, part in _gather(cluster, futures, where, groups, until).items():
        parts[k] = part
    return [p for p in parts if p is not None]


def _group_task(group: Sequence[Batch], kept: Mapping[str, Sequence[Option]],
                penalties: Mapping[str, float], settings: SolverOptions,
                hint: Mapping[str, Option] | None, size: int, rest: int) -> _GroupTask:
    """A group's task: its own batches, options, penalties and hint only."""
    ids = [b.batch_id for b in group]
    return _GroupTask(list(group), {bid: tuple(kept[bid]) for bid in ids},
                      {bid: penalties[bid] for bid in ids}, settings,
                      None if hint is None else {bid: hint[bid] for bid in ids if bid in hint},
                      size, rest)


def _gather(cluster: Cluster, futures: Mapping[int, Future], where: Mapping[int, str],
            groups: Sequence[Sequence[Batch]], until: float) -> dict[int, _Part]:
    """The parts of the submitted groups (group index -> part), or ClusterFailed naming the
    first group, in the order they were submitted, whose task failed, was cancelled (its
    worker died, and the group's data with it) or did not answer by CLUSTER_GRACE_S past
    ``until`` (a failed task fails those after it on its chain)."""
    from distributed import wait

    if not futures:
        return {}
    timeout = max(0.0, until - time.perf_counter()) + CLUSTER_GRACE_S
    trouble: Exception | None = None
    try:
        with cluster.client.as_current():  # ``wait`` asks for the current client: not a default
            wait(list(futures.values()), timeout=timeout)
    except TimeoutError:
        pass  # the late ones are named below
    except Exception as exc:  # a task cancelled, the connection lost: named below
        trouble = exc
    for k, fut in futures.items():
        status = fut.status
        if status == "finished":
            continue
        what = f"group {k + 1} ({len(groups[k])} batches, on worker {where[k]})"
        if status == "error":
            why = f"the task of {what} failed: {_reason(fut.exception())}"
        elif status == "cancelled":
            why = f"the task of {what} was cancelled: has the worker died?"
        elif trouble is not None:
            why = f"lost while solving {what} ({_reason(trouble)})"
        else:
            why = (f"no answer for {what} {CLUSTER_GRACE_S:g} s after the time limit "
                   f"({status}: has the worker died?)")
        cluster.client.cancel(list(futures.values()))  # (a cancelled future forgets its error)
        raise ClusterFailed(cluster.address, why) from trouble
    try:
        return {k: fut.result().part for k, fut in futures.items()}
    except Exception as exc:
        raise ClusterFailed(cluster.address, f"lost while collecting the results "
                            f"({_reason(exc)})") from exc


def _combine(parts: Sequence[_Part], seconds: float, stats: SolverStats) -> Solution:
    """The solution of all groups: the sum of their objectives and bounds; FEASIBLE when one
    group is; no plan when one group has none."""
    timed_out = any(p.time_limit_reached for p in parts)
    if any(p.objective is None for p in parts):
        failed = next(p.status for p in parts if p.objective is None)
        return Solution(failed, None, None, None, seconds, {}, (), {}, stats=stats,
                        time_limit_reached=timed_out)
    obj = sum(p.objective or 0.0 for p in parts)
    bound = min(sum(p.bound for p in parts), obj)
    gap = 0.0 if math.isclose(obj, bound, rel_tol=1e-12, abs_tol=1e-9) else \
        (obj - bound) / max(abs(obj), 1e-9)
    status = "OPTIMAL" if all(p.status == "OPTIMAL" for p in parts) else "FEASIBLE"
    chosen = {k: v for p in parts for k, v in p.chosen.items()}
    vehicles = {k: v for p in parts for k, v in p.vehicles.items()}
    dropped = tuple(d for p in parts for d in p.dropped)
    return Solution(status, obj, bound, gap, seconds, chosen, dropped, vehicles,
                    sum(p.penalty for p in parts), stats, time_limit_reached=timed_out)


def _map_hint(hint: Mapping[str, Option], kept: Mapping[str, Sequence[Option]],
              prints: Mapping[str, Mapping[str, Footprint]]) -> dict[str, Option]:
    """Replace hinted options that dominance removed by a kept option that dominates them.

    Such an option exists by construction; switching to it needs no capacity-limited resource
    the hinted one did not use and costs no more, so the mapped plan stays feasible and no
    dearer.
    """
    mapped: dict[str, Option] = {}
    for bid, pick in hint.items():
        if bid not in kept:
            continue
        options = kept[bid]
        same = next((o for o in options if o.option_id == pick.option_id), None)
        if same is not None:
            mapped[bid] = same
            continue
        if pick.option_id not in prints[bid]:  # folding dropped it (over a limit)
            continue
        mine = prints[bid][pick.option_id]
        better = [o for o in options
                  if dominates(o, prints[bid][o.option_id], pick, mine)]
        if better:
            mapped[bid] = min(better, key=lambda o: (o.variable_cny, o.option_id))
    return mapped


def _from_hint(group: Sequence[Batch], hint: Mapping[str, Option], failed: _Part) -> _Part:
    """The starting plan for a group SCIP found no solution for in its time."""
    chosen = {b.batch_id: hint[b.batch_id] for b in group}
    ledger = plan_ledger(chosen)
    obj = sum(o.variable_cny for o in chosen.values()) + ledger.vehicle_cny()
    return _Part("FEASIBLE", obj, failed.bound, chosen, [], ledger.vehicle_counts(), 0.0,
                 failed.variables, failed.constraints, failed.time_limit_reached)


def _set_hint(m: _Model, batches: Sequence[Batch], options: Mapping[str, Sequence[Option]],
              hint: Mapping[str, Option], background: Mapping[Key, Load] | None = None) -> None:
    """Hand the solver a complete starting solution built from ``hint`` (batches it does not
    cover are hinted unrouted, which is always feasible), tariff bands included: each tariffed
    departure in the band its bill is in, billed at its billed units."""
    solver, x, u, y, lanes = m.solver, m.x, m.u, m.y, m.lanes
    variables: list[pywraplp.Variable] = []
    values: list[float] = []
    ledger = CapacityLedger(background=background)
    for b in batches:
        pick = hint.get(b.batch_id)
        ids = [o.option_id for o in options[b.batch_id]]
        k = ids.index(pick.option_id) if pick and pick.option_id in ids else None
        variables.append(u[b.batch_id])
        values.append(0.0 if k is not None else 1.0)
        for j in range(len(ids)):
            variables.append(x[(b.batch_id, j)])
            values.append(1.0 if j == k else 0.0)
        if k is not None:
            ledger.add(options[b.batch_id][k].resources, b.period, b.weight_kg, b.volume_m3)
    for key, var in y.items():
        need = ledger.vehicles(lanes[key], key[1])
        variables.append(var)
        values.append(float(min(need, var.ub())))
    for key, bands in m.bands.items():
        _hint_bands(lanes[key], bands, ledger.load(*key), variables, values)
    solver.SetHint(variables, values)


def _hint_bands(lane: Lane, bands: Sequence[tuple[pywraplp.Variable, pywraplp.Variable,
                                                  pywraplp.Variable | None]],
                load: Load, variables: list[pywraplp.Variable], values: list[float]) -> None:
    """The band variables of a tariffed departure carrying ``load``, as its bill has them."""
    assert lane.tariff is not None
    bill = lane.tariff.charge(*load)
    breaks = [lo for lo, _ in lane.tariff.line.breaks]
    for k, (z, units, short) in enumerate(bands):
        on = bill is not None and breaks[k] == bill.band_from
        variables += [z, units]
        values += [1.0 if on else 0.0, bill.billed_units if on and bill else 0.0]
        if short is not None:
            minimum, freight = lane.tariff.bands()[k][4], lane.tariff.bands()[k][2]
            variables.append(short)
            values.append(max(0.0, minimum - freight * bill.billed_units)
                          if on and bill else 0.0)


def allocate_vehicle_costs(chosen: Mapping[str, Option], batches: Mapping[str, Batch],
                           vehicles: Mapping[Key, int]) -> dict[Key, float]:
    """Each batch's share of the vehicles and tariff bills it rides, in proportion to the space
    it takes.

    Space on a vehicle is the larger of its kg and m3 shares of the vehicle capacity, so a bulky
    batch pays for the volume it fills; on a tariffed departure it is the chargeable units of
    the batch (weight or volumetric weight, W/M). Returns (batch id, lane id) -> CNY.
    ``vehicles`` is the solution's count per departure (the ledger of ``chosen`` prices them).
    """
    riders: dict[Key, list[tuple[str, float]]] = defaultdict(list)
    lanes: dict[Key, Lane] = {}
    for batch_id, opt in chosen.items():
        b = batches[batch_id]
        for lane in opt.trip.lanes:
            if not shared(lane):
                continue
            if lane.per_vehicle:
                space = max(b.weight_kg / lane.vehicle_capacity_kg,
                            b.volume_m3 / lane.vehicle_capacity_m3)
            else:
                assert lane.tariff is not None
                space = lane.tariff.line.units(b.weight_kg, b.volume_m3)
            riders[key_of(lane)].append((batch_id, space))
            lanes[key_of(lane)] = lane
    ledger = plan_ledger(chosen)
    shares: dict[Key, float] = {}
    for key, members in riders.items():
        lane = lanes[key]
        total_cost = (vehicles.get(key, 0) * lane.cost_per_vehicle_cny if lane.per_vehicle
                      else ledger.resource_cny(lane, key[1]))
        total_space = sum(s for _, s in members)
        for batch_id, space in members:
            share = total_cost * space / total_space if total_space > 0 else 0.0
            shares[(batch_id, key[0])] = shares.get((batch_id, key[0]), 0.0) + share
    return shares
