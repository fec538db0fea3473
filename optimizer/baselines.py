"""Baselines the plan is measured against.

- **all-air**: each batch on its cheapest compliant air option, on its own (no sharing);
- **greedy no-sharing**: batches in a fixed order, each on its cheapest compliant option that
  still has room, buying its own vehicles. It respects every capacity, so it is also a valid
  starting plan for the solver and the fallback when the solver finds none in time;
- **same-route**: the same optimisation under the old rule (the return clears in the export
  district), solved by the caller with the regime forced to ``same_route``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from optimizer.costs import Option, vehicles_needed
from optimizer.model import Batch


def cheapest_air(options: Sequence[Option]) -> Option | None:
    """The cheapest compliant option whose international leg flies, costed standalone."""
    air = [o for o in options if o.allowed and o.route.mode == "air"]
    return min(air, key=lambda o: (o.standalone_cny, o.route.route_id)) if air else None


def greedy(batches: Sequence[Batch], options: Mapping[str, Sequence[Option]]) -> dict[str, Option]:
    """Capacity-respecting greedy plan without vehicle sharing (batch id -> option).

    The most constrained batches go first (fewest compliant options, then heaviest): a 1210
    batch that may only clear in its export district must not find its one lane filled by a
    9610 batch that could have gone anywhere. Ties by id, so the plan is deterministic. A batch
    whose every option is full is left out.
    """
    used_vehicles: dict[tuple[str, str], int] = defaultdict(int)
    used_kg: dict[tuple[str, str], float] = defaultdict(float)
    used_m3: dict[tuple[str, str], float] = defaultdict(float)
    plan: dict[str, Option] = {}
    def constrained(b: Batch) -> tuple[int, float, str]:
        return (sum(1 for o in options.get(b.batch_id, ()) if o.allowed), -b.weight_kg,
                b.batch_id)

    for b in sorted(batches, key=constrained):
        ranked = sorted((o for o in options.get(b.batch_id, ()) if o.allowed),
                        key=lambda o: (o.variable_cny + o.standalone_vehicle_cny,
                                       o.route.route_id))
        for opt in ranked:
            need: dict[str, int] = {}
            fits = True
            for lane in opt.route.lanes:
                key = (lane.lane_id, b.period)
                if lane.per_vehicle:
                    need[lane.lane_id] = vehicles_needed(b.weight_kg, b.volume_m3,
                                                         lane.vehicle_capacity_kg,
                                                         lane.vehicle_capacity_m3)
                    if (lane.max_vehicles is not None
                            and used_vehicles[key] + need[lane.lane_id] > lane.max_vehicles):
                        fits = False
                elif lane.max_vehicles is not None and (
                        used_kg[key] + b.weight_kg > lane.max_vehicles * lane.vehicle_capacity_kg
                        or used_m3[key] + b.volume_m3
                        > lane.max_vehicles * lane.vehicle_capacity_m3):
                    fits = False
            if not fits:
                continue
            for lane in opt.route.lanes:
                key = (lane.lane_id, b.period)
                used_vehicles[key] += need.get(lane.lane_id, 0)
                used_kg[key] += b.weight_kg
                used_m3[key] += b.volume_m3
            plan[b.batch_id] = opt
            break
    return plan


def greedy_cost(plan: Mapping[str, Option]) -> float:
    """Landed cost of the greedy plan (standalone vehicles)."""
    return sum(o.standalone_cny for o in plan.values())


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
    load: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for opt in plan.values():
        for lane in opt.route.lanes:
            entry = load[(lane.lane_id, opt.batch.period)]
            entry[0] += opt.batch.weight_kg
            entry[1] += opt.batch.volume_m3

    def vehicles(lane, kg: float, m3: float) -> int:
        if kg <= 1e-9 and m3 <= 1e-9:
            return 0
        return vehicles_needed(kg, m3, lane.vehicle_capacity_kg, lane.vehicle_capacity_m3)

    def marginal(b: Batch, opt: Option, sign: float) -> float | None:
        """Cost of adding (sign=1) b on opt to the current loads, None if it does not fit."""
        cost = opt.variable_cny
        for lane in opt.route.lanes:
            kg, m3 = load[(lane.lane_id, b.period)]
            if sign < 0:  # loads include b: measure against the loads without it
                kg, m3 = kg - b.weight_kg, m3 - b.volume_m3
            new_kg, new_m3 = kg + b.weight_kg, m3 + b.volume_m3
            if lane.per_vehicle:
                after = vehicles(lane, new_kg, new_m3)
                if lane.max_vehicles is not None and after > lane.max_vehicles:
                    return None
                cost += (after - vehicles(lane, kg, m3)) * lane.cost_per_vehicle_cny
            elif lane.max_vehicles is not None and (
                    new_kg > lane.max_vehicles * lane.vehicle_capacity_kg + 1e-9
                    or new_m3 > lane.max_vehicles * lane.vehicle_capacity_m3 + 1e-9):
                return None
        return cost

    order = sorted((b for b in batches if options.get(b.batch_id)),
                   key=lambda b: (-b.weight_kg, b.batch_id))
    for _ in range(max_passes):
        moved = False
        for b in order:
            current = plan.get(b.batch_id)
            if current is None:  # left out so far: route it where it now fits, if anywhere
                fits = [(cost, o.route.route_id, o) for o in options[b.batch_id] if o.allowed
                        and (cost := marginal(b, o, 1.0)) is not None]
                if fits:
                    pick = min(fits, key=lambda t: t[:2])[2]
                    plan[b.batch_id] = pick
                    for lane in pick.route.lanes:
                        load[(lane.lane_id, b.period)][0] += b.weight_kg
                        load[(lane.lane_id, b.period)][1] += b.volume_m3
                    moved = True
                continue
            here = marginal(b, current, -1.0)
            assert here is not None  # the current option always fits where it already is
            for lane in current.route.lanes:  # take b off its lanes while it looks around
                load[(lane.lane_id, b.period)][0] -= b.weight_kg
                load[(lane.lane_id, b.period)][1] -= b.volume_m3
            best, best_cost = current, here - 1e-6
            for opt in options[b.batch_id]:
                if opt is current or not opt.allowed:
                    continue
                cost = marginal(b, opt, 1.0)
                if cost is not None and cost < best_cost:
                    best, best_cost = opt, cost
            for lane in best.route.lanes:
                load[(lane.lane_id, b.period)][0] += b.weight_kg
                load[(lane.lane_id, b.period)][1] += b.volume_m3
            if best is not current:
                plan[b.batch_id] = best
                moved = True
        if not moved:
            break
    return plan
