"""The primal heuristic: local search from the greedy plan, finding shared vehicles.

Its result is the solver's starting plan, and the plan used when the solver finds none in time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from optimizer.domain import Batch
from optimizer.planning.capacity import CapacityLedger
from optimizer.planning.options import Option


def improve(batches: Sequence[Batch], options: Mapping[str, Sequence[Option]],
            start: Mapping[str, Option], max_passes: int = 10,
            max_looks: int | None = None) -> dict[str, Option]:
    """Local search from ``start``: move one batch at a time to the option that is cheapest given
    where the others are (its freight and fees plus the vehicles it adds), until no move helps.

    This is how sharing is found without the solver: a batch joins a truck that runs anyway.
    Every move keeps the plan feasible (weekly vehicle limits and per-kg capacities), so the
    result is a valid starting plan for the solver. Batches ``start`` left out are routed as
    soon as some option has room for them.

    ``max_looks`` stops the search, between two moves, once it has priced that many options
    (about 60,000 a second here): the plan so far, as feasible as after every move. A count,
    not a clock, so that the same inputs give the same plan. On a large week a pass over every
    batch takes seconds to a minute (L: 51 s in all), time the solver needs more.
    """
    search = _LocalSearch(options, start)
    order = sorted((b for b in batches if options.get(b.batch_id)),
                   key=lambda b: (-b.weight_kg, b.batch_id))
    for _ in range(max_passes):
        moved = False
        for b in order:
            if max_looks is not None and search.looks >= max_looks:
                return search.plan
            moved = search.move(b) or moved
        if not moved:
            break
    return search.plan


class _LocalSearch:
    """The current plan and its loads (a capacity ledger), one batch moved at a time."""

    def __init__(self, options: Mapping[str, Sequence[Option]],
                 start: Mapping[str, Option]) -> None:
        self.options = options
        self.plan = dict(start)
        #: options priced so far (``improve``'s max_looks)
        self.looks = 0
        self.ledger = CapacityLedger()
        for opt in self.plan.values():
            self._put(opt)

    def _put(self, opt: Option) -> None:
        self.ledger.add(opt.resources, opt.batch.period, opt.batch.weight_kg,
                        opt.batch.volume_m3)

    def marginal(self, opt: Option) -> float | None:
        """Cost of adding the option's batch on it to the current loads, None if it does not
        fit."""
        b = opt.batch
        self.looks += 1
        extra = self.ledger.extra_vehicle_cny(opt.resources, b.period, b.weight_kg,
                                              b.volume_m3)
        return None if extra is None else opt.variable_cny + extra

    def move(self, b: Batch) -> bool:
        """Put ``b`` on its cheapest option given the others; True when that changed the plan."""
        current = self.plan.get(b.batch_id)
        if current is None:  # left out so far: route it where it now fits, if anywhere
            fits = [(cost, o.option_id, o) for o in self.options[b.batch_id] if o.allowed
                    and (cost := self.marginal(o)) is not None]
            if not fits:
                return False
            pick = min(fits, key=lambda t: t[:2])[2]
            self.plan[b.batch_id] = pick
            self._put(pick)
            return True
        # take b off its lanes while it looks around
        self.ledger.remove(current.resources, b.period, b.weight_kg, b.volume_m3)
        here = self.marginal(current)
        assert here is not None  # the current option always fits where it already was
        best, best_cost = current, here - 1e-6
        for opt in self.options[b.batch_id]:
            if opt is current or not opt.allowed:
                continue
            cost = self.marginal(opt)
            if cost is not None and cost < best_cost:
                best, best_cost = opt, cost
        self._put(best)
        self.plan[b.batch_id] = best
        return best is not current
