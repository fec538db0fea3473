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

    Heaviest batches go first (they are the hardest to place); ties by id, so the plan is
    deterministic. A batch whose every option is full is left out.
    """
    used_vehicles: dict[tuple[str, str], int] = defaultdict(int)
    used_kg: dict[tuple[str, str], float] = defaultdict(float)
    used_m3: dict[tuple[str, str], float] = defaultdict(float)
    plan: dict[str, Option] = {}
    for b in sorted(batches, key=lambda b: (-b.weight_kg, b.batch_id)):
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


def greedy_vehicles(plan: Mapping[str, Option]) -> dict[tuple[str, str], int]:
    """Vehicles the greedy plan buys: each batch its own, per lane and period."""
    count: dict[tuple[str, str], int] = defaultdict(int)
    for opt in plan.values():
        b = opt.batch
        for lane in opt.route.lanes:
            if lane.per_vehicle:
                count[(lane.lane_id, b.period)] += vehicles_needed(
                    b.weight_kg, b.volume_m3, lane.vehicle_capacity_kg, lane.vehicle_capacity_m3)
    return dict(count)


def greedy_cost(plan: Mapping[str, Option]) -> float:
    """Landed cost of the greedy plan (standalone vehicles)."""
    return sum(o.standalone_cny for o in plan.values())
