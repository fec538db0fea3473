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

built by ``planning.highs`` (the arrays the engine's LP bound uses too), with ``c``, ``F``,
``M`` and the tariff terms exactly the engine's (the same ``Option`` costs
and unrouted penalties or disposal costs), so both minimise the same objective over the same
trips: no pruning, no decomposition, no starting plan, one thread, HiGHS's defaults otherwise.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from optimizer.domain import Batch
from optimizer.planning.highs import build, quiet_highs
from optimizer.planning.mip import unrouted_penalty
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


#: HiGHS model status -> the engine's status names, for a run that has no plan (a run with one
#: is FEASIBLE, or OPTIMAL when proven): stopped by a limit with none is NOT_SOLVED
STATUS = {"Optimal": "OPTIMAL", "Time limit reached": "NOT_SOLVED",
          "Infeasible": "INFEASIBLE", "Solution limit reached": "NOT_SOLVED"}


def solve(batches: Sequence[Batch], options: Mapping[str, Sequence[Option]],
          time_limit_s: float, relative_gap: float = 0.0, first_only: bool = False,
          leave: Mapping[str, float] | None = None, seed: int = 0) -> PeerResult:
    """Build and solve the peer model with one thread; ``first_only`` stops at the first
    feasible solution (``mip_max_improving_sols`` 1)."""
    t0 = time.perf_counter()
    leave = leave or {}
    m = build(batches, options, {b.batch_id: leave.get(b.batch_id, unrouted_penalty(
        options[b.batch_id])) for b in batches if options.get(b.batch_id)})
    # batches with no option but a disposal cost are a constant of every plan (as the engine)
    constant = sum(leave[b.batch_id] for b in batches
                   if not options.get(b.batch_id) and leave and b.batch_id in leave)
    h = quiet_highs()
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
    # -inf when it stopped before its root LP: no bound at all
    raw = info.mip_dual_bound + constant
    bound = raw if math.isfinite(raw) else None
    proven = (objective is not None and bound is not None
              and objective - bound <= 1e-6 + 1e-9 * abs(objective))
    status = "OPTIMAL" if text == "Optimal" and proven else (
        "FEASIBLE" if has_plan else STATUS.get(text, text))
    gap = (None if objective is None or bound is None
           else max(0.0, objective - bound) / max(abs(objective), 1e-9))
    return PeerResult(status, objective, bound, gap, build_s, solve_s, len(m.cost),
                      len(m.lower))
