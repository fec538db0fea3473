"""Marginal cost: what the plan saves if one routed batch is taken out, the rest unchanged.

The space-share allocation (each batch pays its share of the vehicles and declarations it uses)
makes a small batch on a shared truck look cheap and a batch that alone keeps a truck running look
dear only by its share. The marginal cost says what the batch really adds: its own costs (freight,
per-parcel fees, tax) plus every vehicle and declaration that would no longer be needed without it,
and what the tariff bills it shares would fall by. Holding the other batches where they are, it is
exact for that question (it does not re-route the others: that is ``explain``'s re-solve).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from optimizer.planning.capacity import key_of, resource_cny, shared
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
            if not shared(lane):
                continue
            kg, m3 = ledger.load(*key_of(lane, b.period))
            saved += resource_cny(lane, kg, m3) - resource_cny(
                lane, max(0.0, kg - b.weight_kg), max(0.0, m3 - b.volume_m3))
        out[bid] = saved
    return out


def wait_savings(chosen: Mapping[str, Option],
                 options: Mapping[str, Sequence[Option]]) -> dict[str, float]:
    """Per routed batch that could have left earlier: the landed cost leaving when it does
    saves against its best allowed trip leaving earlier (any route), the others unchanged.

    Taking the batch out of the plan (the others where they are), it is what putting it back
    on that earlier trip would add, minus what its chosen trip adds (``marginal_costs``):
    vehicles and declarations it would have to buy or could share count in both. It covers
    waiting for a later departure of the same route and taking a later service (next week's
    train rather than today's truck). 0 when it left on its first possible day, or when
    leaving earlier would have cost no more (a plan stopped at its time limit may hold such
    batches). Each figure holds the other batches fixed: the figures do not add up to what
    waiting saves the plan (several batches waiting to share one declaration each count it).
    """
    ledger = plan_ledger(chosen)
    here = marginal_costs(chosen)
    out: dict[str, float] = {}
    for bid, opt in chosen.items():
        b = opt.batch
        earlier = [o for o in options.get(bid, ()) if o.allowed and o.depart < opt.depart]
        if not earlier:
            continue
        ledger.remove(opt.resources, b.period, b.weight_kg, b.volume_m3)
        costs = [cost + o.landed_variable_cny for o in earlier
                 if (cost := ledger.extra_vehicle_cny(o.resources, b.period, b.weight_kg,
                                                      b.volume_m3)) is not None]
        ledger.add(opt.resources, b.period, b.weight_kg, b.volume_m3)
        out[bid] = max(0.0, min(costs) - here[bid]) if costs else 0.0
    return out
