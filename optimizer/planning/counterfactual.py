"""Verified counterfactuals: what would let an unrouted batch route.

For a batch the plan could not route, the rules that rejected its options are relaxed, smallest
set first, and the batch is re-solved on its own with the options that set lets through. Only an
explanation the solver confirms (the batch then routes) is reported, with the route it would take:
"would route via ERENHOT by tir_road at 5,943 CNY if DEADLINE were relaxed (arrives 2026-06-03,
deadline 2026-06-01)". Only ``RELAXABLE_RULES`` are ever relaxed (a deadline, a closure, a
planner's decision): an explanation never proposes breaking a legal rule, so a batch only the
law keeps out has none, and its reasons say which parcels bind and why. A batch left out for
capacity is re-solved without the other batches, which shows the route it would take if it had
the room.
"""

from __future__ import annotations

from collections.abc import Sequence

from optimizer.compliance import RELAXABLE_RULES
from optimizer.domain import Batch
from optimizer.plan import WouldRoute
from optimizer.planning.mip import solve_single, unrouted_penalty
from optimizer.planning.options import Option


def _solo(batch: Batch, options: Sequence[Option]) -> Option | None:
    """Solve the batch alone over ``options`` (exactly, by enumeration); its option, if any."""
    if not options:
        return None
    part = solve_single(batch, options, unrouted_penalty(options))
    return part.chosen.get(batch.batch_id)


def would_route(batch: Batch, options: Sequence[Option], capacity_bound: bool,
                max_rules: int = 3) -> WouldRoute | None:
    """The smallest verified relaxation that routes ``batch``, or None when there is none."""
    if capacity_bound:
        pick = _solo(batch, [o for o in options if o.allowed])
        if pick is None:
            return None
        return WouldRoute(("CAPACITY",), pick.route.port.id, pick.route.mode,
                          pick.standalone_cny, tuple(ln.lane_id for ln in pick.route.lanes),
                          "room on " + ", ".join(ln.lane_id for ln in pick.route.lanes
                                                 if ln.per_vehicle or ln.max_vehicles)
                          + " on its departures")
    failed_sets = sorted({frozenset(c.rule for c in o.failed) for o in options
                          if o.failed and {c.rule for c in o.failed} <= RELAXABLE_RULES},
                         key=lambda s: (len(s), sorted(s)))
    for relax in failed_sets:
        if len(relax) > max_rules:
            break
        let_through = [o for o in options if {c.rule for c in o.failed} <= relax]
        pick = _solo(batch, let_through)
        if pick is None:
            continue
        return WouldRoute(tuple(sorted(relax)), pick.route.port.id, pick.route.mode,
                          pick.standalone_cny, tuple(ln.lane_id for ln in pick.route.lanes),
                          "; ".join(c.detail for c in pick.failed))
    return None
