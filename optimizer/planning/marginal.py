"""Marginal cost: what the plan saves if one routed batch is taken out, the rest unchanged.

The space-share allocation (each batch pays its share of the vehicles and declarations it uses)
makes a small batch on a shared truck look cheap and a batch that alone keeps a truck running
look dear only by its share. The marginal cost says what the batch really adds: its own costs
(freight, per-parcel fees, tax) plus every vehicle and declaration that would no longer be
needed without it. Holding the other batches where they are, it is exact for that question
(it does not re-route the others: that is ``explain``'s re-solve).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from optimizer.planning.capacity import key_of, vehicles_needed
from optimizer.planning.mip import plan_ledger
from optimizer.planning.options import Option


def marginal_costs(chosen: Mapping[str, Option]) -> dict[str, float]:
    """Per routed batch (id -> its option): the landed cost the plan saves without it."""
    ledger = plan_ledger(chosen)
    out: dict[str, float] = {}
    for bid, opt in chosen.items():
        b = opt.batch
        saved = opt.landed_variable_cny
        for lane in opt.resources:
            if not lane.per_vehicle:
                continue
            kg, m3 = ledger.load(*key_of(lane, b.period))
            fewer = (vehicles_needed(lane, kg, m3)
                     - vehicles_needed(lane, max(0.0, kg - b.weight_kg),
                                       max(0.0, m3 - b.volume_m3)))
            saved += fewer * lane.cost_per_vehicle_cny
        out[bid] = saved
    return out


def wait_savings(chosen: Mapping[str, Option],
                 options: Mapping[str, Sequence[Option]]) -> dict[str, float]:
    """Per routed batch that waits for a later departure: the landed cost waiting saves.

    Taking the batch out of the plan (the others where they are), it is what putting it back
    on its best allowed trip that leaves on its first possible departure (any route) would
    add, minus what its chosen trip adds (``marginal_costs``): vehicles and declarations it
    would have to buy or could share count in both. A batch that could not leave earlier
    within the rules (a deadline, a full departure) saved nothing it could have had otherwise:
    0.
    """
    ledger = plan_ledger(chosen)
    here = marginal_costs(chosen)
    out: dict[str, float] = {}
    for bid, opt in chosen.items():
        if opt.trip.wait_days <= 0:
            continue
        b = opt.batch
        ledger.remove(opt.resources, b.period, b.weight_kg, b.volume_m3)
        early = [cost + o.landed_variable_cny for o in options.get(bid, ())
                 if o.allowed and o.trip.wait_days == 0
                 and (cost := ledger.extra_vehicle_cny(o.resources, b.period, b.weight_kg,
                                                       b.volume_m3)) is not None]
        ledger.add(opt.resources, b.period, b.weight_kg, b.volume_m3)
        out[bid] = max(0.0, min(early) - here[bid]) if early else 0.0
    return out
