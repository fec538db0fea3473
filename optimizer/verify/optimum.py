"""The checker's own optimum of a small plan, to hold the plan's bound against.

A bound is a claim about every plan of the batches, which checking the one plan at hand cannot
test. For a small plan the checker re-solves it: it searches every assignment of the plan's
batches, each to one of

- its compliant trips (``RouteBook.trips``: its routes on the departures the waiting rule
  allows; a committed batch to its committed trip alone, whatever the rules say now),
- disposal abroad at its disposal cost, where rules.yaml ``disposal`` allows it,
- being left out at the objective's penalty (twice its dearest compliant trip alone plus
  ``PENALTY_BASE_CNY``, as ``verify.unrouted`` prices it), where disposal is not allowed,

and prices each assignment with its own arithmetic, the terms of the plan's objective: each
routed batch's freight (per kg, per parcel, its own bills), per-parcel declaration fees, tax,
storage and shadow prices on its trip; per lane departure, the vehicles its load needs at the
day's vehicle cost or the bill of its load on the rate card, within the lane's limit per
departure (an assignment over a limit is not a plan); per declaration (rules.yaml
``declaration.group_by``), its fixed fee once. A batch with no compliant trip adds its
disposal cost where allowed and nothing otherwise (it is reported unrouted).

The search is depth-first, the batches with fewest choices first and each batch's choices by
their floor, with the plan's own objective as the first incumbent. A branch stops as soon as
its partial objective reaches the incumbent: no term falls as batches are added (a departure's
vehicles and rate-card bill never fall as its load grows, a fee is paid once and every other
term is a batch's own, none negative); or as soon as the floors of its choices and of the
batches still to place reach it (a choice's floor: its own terms and its smaller share, by kg
or m3, of each vehicle it rides, ``_floor``: summed over a plan, never above its objective).
The optimum it finds is the cost of a plan every check of this package accepts, so a bound
above it (beyond a cent and 1e-7 of it) is not a bound: problem ``bound``.

Only small plans are judged: up to ``MAX_BATCHES`` batches, and the search gives up after
``MAX_NODES`` nodes (the optimum is then unknown and nothing is said, as for the other figures
that need a re-solve).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.domain import Batch, Trip
from optimizer.verify.arith import (
    clearance_alone,
    departure_cny,
    disposal_allowed,
    disposal_cost,
    lane_takes,
    needed,
)
from optimizer.verify.batches import Entry
from optimizer.verify.declarations import declaration_of
from optimizer.verify.problems import CENT, Problems
from optimizer.verify.routes import RouteBook
from optimizer.verify.tariffs import by_vehicle, tariff_of
from optimizer.verify.trips import committed, ride_key
from optimizer.verify.unrouted import PENALTY_BASE_CNY

#: the most batches a plan may have to be re-solved, and the most search nodes (a batch placed
#: on one of its choices) before the search gives up: about two seconds (20 us a node)
MAX_BATCHES = 8
MAX_NODES = 100_000

Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class _Choice:
    """One way a batch may go: a trip (None: left out or disposed of) and its own terms."""

    trip: Trip | None
    #: what the batch adds alone: freight, per-parcel fees, tax, storage and shadow prices on
    #: the trip; the disposal cost or penalty when it is not returned
    own: float
    #: the declaration it is lodged on and that declaration's fixed fee ("" when not returned)
    declaration: str
    fee: float
    #: a floor under what it adds to any plan, summed over the batches (``_floor``)
    floor: float


@dataclass(frozen=True, slots=True)
class Optimum:
    """What a finished re-solve found: the optimum and one assignment that has it (batch id ->
    trip id, or None for a batch not returned); both None when no plan is below the incumbent
    it started from."""

    objective: float | None
    plan: Mapping[str, str | None] | None


def _choices(e: Entry, b: Batch, book: RouteBook) -> list[_Choice] | None:
    """Every way the batch may go, cheapest alone first (None: a commitment the checker cannot
    rebuild, which the routed section reports)."""
    sc = book.scenario
    trips = book.trips(b)
    if committed(b, sc) is not None:
        if not trips:
            return None
        allowed: Sequence[Trip] = trips
    else:
        allowed = [t for t in trips if book.compliant(b, t)]
    out = []
    group_by = sc.rules.declaration.group_by
    for t in allowed:
        c = book.costing(b, t)
        own = (c.freight + clearance_alone(b, 0.0, sc) + c.tax + c.storage + c.shadow)
        out.append(_Choice(t, own, declaration_of(b, e.bid, t.route.port.id, t.declare_date,
                                                  group_by), c.fee, own + _floor(b, t)))
    rule = sc.rules.disposal
    if committed(b, sc) is None:
        if disposal_allowed(b, rule):
            cost = disposal_cost(b, rule)
            out.append(_Choice(None, cost, "", 0.0, cost))
        elif allowed:
            worst = max(book.costing(b, t).objective_alone for t in allowed)
            penalty = 2.0 * worst + PENALTY_BASE_CNY
            out.append(_Choice(None, penalty, "", 0.0, penalty))
        else:
            out.append(_Choice(None, 0.0, "", 0.0, 0.0))
    return _undominated(b, sorted(out, key=lambda ch: (ch.floor, ch.trip is None,
                                                       ch.trip.trip_id if ch.trip else "")))


def _floor(b: Batch, trip: Trip) -> float:
    """What the batch's vehicles cost at least, summed with the other batches' floors: on each
    lane bought by the vehicle, its smaller share of a vehicle (by kg or by m3) at the vehicle
    cost. A departure buys at least as many vehicles as its kg fill, and as its m3 fill, so the
    smaller shares of its riders add up to no more than it buys. (Each rider's larger share
    would not: a heavy batch and a bulky one can share one vehicle, their larger shares
    adding to nearly two; and a rate card's chargeable units, the larger of weight and
    volume, have the same flaw: no floor is counted for them.)"""
    return sum(lane.cost_per_vehicle_cny * min(b.weight_kg / lane.vehicle_capacity_kg,
                                               b.volume_m3 / lane.vehicle_capacity_m3)
               for lane in trip.lanes if by_vehicle(lane)) * (1 - 1e-9)


def _most(b: Batch, ch: _Choice) -> float | None:
    """The most the choice can add to any plan: its own terms, its declaration's fee and, on
    each lane bought by the vehicle, the vehicles the batch needs alone (a departure's count
    never grows by more: whole vehicles are subadditive). None when it may add more or not fit
    at all: a lane with a limit per departure or a rate card."""
    if ch.trip is None:
        return ch.own
    most = ch.own + ch.fee
    for lane in ch.trip.lanes:
        if tariff_of(lane) is not None or lane.max_vehicles is not None:
            return None
        if by_vehicle(lane):
            most += needed(lane, b.weight_kg, b.volume_m3) * lane.cost_per_vehicle_cny
    return most


def _undominated(b: Batch, choices: Sequence[_Choice]) -> list[_Choice]:
    """The choices without those another always beats: a choice whose own terms alone cost at
    least the most another can add (``_most``) is never needed. Moving the batch from it to
    that other one keeps every departure within its limit and the objective no higher."""
    capped = [(m, i) for i, ch in enumerate(choices) if (m := _most(b, ch)) is not None]
    if not capped:
        return list(choices)
    cap, keep = min(capped)
    return [ch for i, ch in enumerate(choices) if i == keep or ch.own < cap]


class _Search:
    """The depth-first search of the module docstring."""

    def __init__(self, batches: Sequence[tuple[str, Batch, list[_Choice]]],
                 incumbent: float) -> None:
        self.batches = batches
        self.best = incumbent
        self.plan: dict[str, str | None] | None = None
        self.nodes = 0
        self.loads: dict[Key, tuple[float, float]] = {}
        self.declared: dict[str, int] = {}
        self.current: dict[str, str | None] = {}
        # per level, the least the batches from there on add: by their own terms alone, and
        # by their floors (a plan costs at least the sum of its choices' floors)
        self.own_after = _suffix([min(ch.own for ch in c) for _, _, c in batches])
        self.floor_after = _suffix([min(ch.floor for ch in c) for _, _, c in batches])

    def run(self) -> bool:
        """Search; False when it gave up at MAX_NODES."""
        try:
            self._down(0, 0.0, 0.0)
        except _GaveUp:
            return False
        return True

    def _add(self, b: Batch, ch: _Choice) -> float | None:
        """Place the batch on the choice: what the objective grows by (None: a departure
        cannot take it; nothing changed then)."""
        if ch.trip is None:
            return ch.own
        grow = ch.own
        after: list[tuple[Key, tuple[float, float]]] = []
        for lane in ch.trip.lanes:
            key = ride_key(lane)
            kg, m3 = self.loads.get(key, (0.0, 0.0))
            new = (kg + b.weight_kg, m3 + b.volume_m3)
            if not lane_takes(lane, *new):
                return None
            grow += departure_cny(lane, *new) - departure_cny(lane, kg, m3)
            after.append((key, new))
        for key, new in after:
            self.loads[key] = new
        if self.declared.get(ch.declaration, 0) == 0:
            grow += ch.fee
        self.declared[ch.declaration] = self.declared.get(ch.declaration, 0) + 1
        return grow

    def _remove(self, b: Batch, ch: _Choice) -> None:
        """Take the batch off the choice again."""
        if ch.trip is None:
            return
        for lane in ch.trip.lanes:
            key = ride_key(lane)
            kg, m3 = self.loads[key]
            self.loads[key] = (kg - b.weight_kg, m3 - b.volume_m3)
        self.declared[ch.declaration] -= 1

    def _down(self, i: int, cost: float, floors: float) -> None:
        """Place batch ``i`` and those after it; ``cost`` is the objective of the batches placed
        so far, ``floors`` the sum of their choices' floors."""
        if max(cost + self.own_after[i], floors + self.floor_after[i]) >= self.best:
            return
        if i == len(self.batches):
            self.best, self.plan = cost, dict(self.current)
            return
        bid, b, choices = self.batches[i]
        for ch in choices:
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise _GaveUp
            grow = self._add(b, ch)
            if grow is None:
                continue
            self.current[bid] = ch.trip.trip_id if ch.trip else None
            self._down(i + 1, cost + grow, floors + ch.floor)
            self._remove(b, ch)
        self.current.pop(bid, None)


def _suffix(values: Sequence[float]) -> list[float]:
    """Per position, the sum of the values from there on (one more position: 0)."""
    out = [0.0] * (len(values) + 1)
    for i in range(len(values) - 1, -1, -1):
        out[i] = out[i + 1] + values[i]
    return out


class _GaveUp(Exception):
    """The search reached MAX_NODES."""


def reoptimise(entries: Sequence[Entry], book: RouteBook, incumbent: float
               ) -> Optimum | None:
    """The least objective of any plan of these batches below ``incumbent`` (the plan's own
    objective, or just below it), or that there is none; None when the plan is too large to
    search to the end (``MAX_BATCHES``, ``MAX_NODES``)."""
    if len(entries) > MAX_BATCHES:
        return None
    batches = []
    for e in entries:
        if e.batch is None:
            return None
        choices = _choices(e, e.batch, book)
        if choices is None:
            return None
        batches.append((e.bid, e.batch, choices))
    # a choice whose floor with the other batches' least floors reaches the incumbent is in
    # no cheaper plan
    least = [min(ch.floor for ch in c) for _, _, c in batches]
    total = sum(least)
    batches = [(bid, b, [ch for ch in c if ch.floor + total - low < incumbent])
               for (bid, b, c), low in zip(batches, least, strict=True)]
    if any(not c for _, _, c in batches):
        return Optimum(None, None)
    batches.sort(key=lambda x: (len(x[2]), x[0]))
    search = _Search(batches, incumbent)
    if not search.run():
        return None
    return Optimum(search.best if search.plan is not None else None, search.plan)


def check_bound_optimum(doc: Mapping[str, Any], entries: Sequence[Entry], book: RouteBook,
                        out: Problems) -> Optimum | None:
    """A small plan's bound against the checker's own optimum (the module docstring); what
    the re-solve found (None: not searched to the end)."""
    obj, bound = doc["objective_cny"], doc["bound_cny"]
    if obj is None or bound is None or not math.isfinite(obj):
        return None
    found = reoptimise(entries, book, obj - CENT)
    if found is None or found.objective is None or found.plan is None:
        return found
    if bound > found.objective + CENT + 1e-7 * abs(found.objective):
        routed = {bid: tid for bid, tid in found.plan.items() if tid is not None}
        out.add("bound", None, f"bound {bound} is above the optimum {found.objective:.2f} "
                f"the checker finds re-solving the plan's {len(found.plan)} batches (for "
                f"example {_example(routed)}): no plan costs less than a bound")
    return found


def _example(routed: Mapping[str, str]) -> str:
    """A short account of the cheaper plan: one of its trips."""
    items = sorted(routed.items())
    if not items:
        return "every batch left out or disposed of"
    bid, tid = items[0]
    return f"{bid} on {tid}" + (f", and {len(items) - 1} more" if len(items) > 1 else "")
