"""The primal heuristic: local search from the greedy plan, finding shared vehicles.

Its result is the solver's starting plan, and the plan used when the solver finds none in time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from optimizer.domain import Batch
from optimizer.planning.capacity import CapacityLedger
from optimizer.planning.options import Option


def improve(batches: Sequence[Batch], options: Mapping[str, Sequence[Option]],
            start: Mapping[str, Option], max_passes: int = 10) -> dict[str, Option]:
    """Local search from ``start``: move one batch at a time to the option that is cheapest given
    where the others are (its freight and fees plus the vehicles it adds), until no move helps.

    This is how sharing is found without the solver: a batch joins a truck that runs anyway.
    Every move keeps the plan feasible (weekly vehicle limits and per-kg capacities), so the
    result is a valid starting plan for the solver. Batches ``start`` left out are routed as
    soon as some option has room for them.
    """
    plan = dict(start)
    ledger = CapacityLedger()
    for opt in plan.values():
        ledger.add(opt.route.lanes, opt.batch.period, opt.batch.weight_kg, opt.batch.volume_m3)

    def marginal(b: Batch, opt: Option) -> float | None:
        """Cost of adding b on opt to the current loads, None if it does not fit."""
        extra = ledger.extra_vehicle_cny(opt.route.lanes, b.period, b.weight_kg, b.volume_m3)
        return None if extra is None else opt.variable_cny + extra

    order = sorted((b for b in batches if options.get(b.batch_id)),
                   key=lambda b: (-b.weight_kg, b.batch_id))
    for _ in range(max_passes):
        moved = False
        for b in order:
            current = plan.get(b.batch_id)
            if current is None:  # left out so far: route it where it now fits, if anywhere
                fits = [(cost, o.route.route_id, o) for o in options[b.batch_id] if o.allowed
                        and (cost := marginal(b, o)) is not None]
                if fits:
                    pick = min(fits, key=lambda t: t[:2])[2]
                    plan[b.batch_id] = pick
                    ledger.add(pick.route.lanes, b.period, b.weight_kg, b.volume_m3)
                    moved = True
                continue
            # take b off its lanes while it looks around
            ledger.remove(current.route.lanes, b.period, b.weight_kg, b.volume_m3)
            here = marginal(b, current)
            assert here is not None  # the current option always fits where it already was
            best, best_cost = current, here - 1e-6
            for opt in options[b.batch_id]:
                if opt is current or not opt.allowed:
                    continue
                cost = marginal(b, opt)
                if cost is not None and cost < best_cost:
                    best, best_cost = opt, cost
            ledger.add(best.route.lanes, b.period, b.weight_kg, b.volume_m3)
            if best is not current:
                plan[b.batch_id] = best
                moved = True
        if not moved:
            break
    return plan
