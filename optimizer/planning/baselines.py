"""Baselines the plan is measured against.

- **all-air**: each batch on its cheapest compliant air option, on its own (no sharing);
- **greedy no-sharing**: batches in a fixed order, each on its cheapest compliant option that
  still has room, buying its own vehicles. It respects every capacity, so it is also a valid
  starting plan for the solver (improved first by ``planning.heuristic``) and the fallback
  when the solver finds none in time;
- **same-route**: the same optimisation under the old rule (the return clears in the export
  district), solved by the caller with the regime forced to ``same_route``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from optimizer.domain import Batch
from optimizer.planning.capacity import CapacityLedger
from optimizer.planning.options import Option


def cheapest_air(options: Sequence[Option]) -> Option | None:
    """The cheapest compliant option whose international leg flies, costed standalone."""
    air = [o for o in options if o.allowed and o.route.mode == "air"]
    return min(air, key=lambda o: (o.standalone_cny, o.option_id)) if air else None


def greedy(batches: Sequence[Batch], options: Mapping[str, Sequence[Option]]) -> dict[str, Option]:
    """Capacity-respecting greedy plan without vehicle sharing (batch id -> option).

    The most constrained batches go first (fewest compliant options, then heaviest): a 1210
    batch that may only clear in its export district must not find its one lane filled by a
    9610 batch that could have gone anywhere. Ties by id, so the plan is deterministic. A batch
    whose every option is full is left out.
    """
    ledger = CapacityLedger(sharing=False)  # no sharing: every batch buys its own vehicles
    plan: dict[str, Option] = {}

    def constrained(b: Batch) -> tuple[int, float, str]:
        return (sum(1 for o in options.get(b.batch_id, ()) if o.allowed), -b.weight_kg,
                b.batch_id)

    for b in sorted(batches, key=constrained):
        ranked = sorted((o for o in options.get(b.batch_id, ()) if o.allowed),
                        key=lambda o: (o.variable_cny + o.standalone_vehicle_cny,
                                       o.option_id))
        for opt in ranked:
            if ledger.fits(opt.resources, b.period, b.weight_kg, b.volume_m3):
                ledger.add(opt.resources, b.period, b.weight_kg, b.volume_m3)
                plan[b.batch_id] = opt
                break
    return plan


def greedy_cost(plan: Mapping[str, Option]) -> float:
    """Landed cost of the greedy plan (standalone vehicles)."""
    return sum((o.standalone_cny for o in plan.values()), 0.0)
