"""Unrouted batches: every reason re-derived, every counterfactual re-checked, the penalties.

From the checker's own trips of the batch (every route on every first departure the waiting
rule allows, ``verify.trips``) and the rule engine's verdict on each:

- ``NO_PATH`` holds only when the batch has no trip at all;
- rule reasons hold only when every trip fails some rule, and they must name exactly the rules
  that fail on some trip;
- batches are parcel-true: when the rules refuse a batch on every trip, no parcel of it may
  have a compliant trip on its own (ready when it is ready, judged on its own export date
  and deadline), or the batch has left that parcel behind for its neighbours'
  (``parcel_blocked``);
- a batch with a compliant trip is unrouted only for ``CAPACITY``: none of its compliant trips
  can take it next to the plan's own loads (a lane bought by the vehicle would need more than
  its ``max_vehicles`` on a departure, a per-kg lane would go over its kg or m3 limit). One
  that fits is ``unrouted_routable``, whatever reason the plan gives.

``would_route`` (the smallest relaxation that routes the batch alone) may relax only
``RELAXABLE_RULES`` (never a legal rule), and must name a route of the batch one of whose
trips fails exactly the relaxed rules (is compliant, for ``CAPACITY``), that the batch alone
fits, with no such trip for fewer relaxed rules, the cheapest of them by the objective; its
port, mode, cost, detail and sentence must be that trip's. When it is null, no relaxation of at
most ``MAX_RELAX`` rules may route the batch.

The planner's penalty for a batch left out for capacity (part of the objective) is twice the
dearest of its compliant trips alone (variable cost, shadow prices and its own vehicles) plus
10,000 CNY; ``penalty`` sums it over the unrouted batches that have a compliant trip.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.compliance import RELAXABLE_RULES
from optimizer.domain import Batch, Trip
from optimizer.plan import WouldRoute
from optimizer.verify.arith import lane_takes
from optimizer.verify.batches import Entry, parcel_alone
from optimizer.verify.problems import CENT, Problems, close
from optimizer.verify.routes import RouteBook
from optimizer.verify.trips import ride_key

#: the most rules a verified counterfactual relaxes (plan.schema.json: "at most three rules")
MAX_RELAX = 3
#: what leaving a batch unrouted costs in the objective beyond twice its dearest route
PENALTY_BASE_CNY = 10_000.0

Loads = Mapping[tuple[str, str], tuple[float, float]]


@dataclass(frozen=True, slots=True)
class UnroutedSummary:
    """What the unrouted section establishes for the plan's totals and objective."""

    #: the penalties of the unrouted batches that have a compliant trip
    penalty: float
    #: unrouted batches with no compliant trip
    refused: int


def fits(trip: Trip, b: Batch, loads: Loads) -> bool:
    """Whether the batch fits on every departure of the trip next to ``loads``."""
    for lane in trip.lanes:
        kg, m3 = loads.get(ride_key(lane), (0.0, 0.0))
        if not lane_takes(lane, kg + b.weight_kg, m3 + b.volume_m3):
            return False
    return True


def _fits_alone(trip: Trip, b: Batch) -> bool:
    """Whether the batch fits on every departure of the trip on its own."""
    return fits(trip, b, {})


def _check_would_route(e: Entry, b: Batch, candidates: Sequence[Trip],
                       detail: Callable[[Trip], str], book: RouteBook, out: Problems) -> None:
    """The counterfactual's route is that of one of ``candidates`` (the trips its relaxation
    lets the batch take alone), the cheapest; port, mode, cost, detail and sentence are that
    trip's (``detail``: the detail a trip gives)."""
    w = e.doc["would_route"]
    where = f"unrouted {e.bid}: would_route"
    route = book.find(b, w["lanes"], w["return_port"])
    mine = [t for t in candidates if route is not None and t.route.route_id == route.route_id]
    if route is None or not mine:
        out.add("would_route", e.bid, f"{where} {'+'.join(w['lanes'])} at {w['return_port']} "
                f"is not a route the batch alone may take with {w['relax']} relaxed")
        return
    best = min(book.costing(b, t).objective_alone for t in candidates)
    near = [t for t in mine if book.costing(b, t).objective_alone <= best + CENT]
    if not near:
        out.add("would_route", e.bid, f"{where}: {route.route_id} is not the cheapest route "
                "the relaxation allows")
        return
    wants = [WouldRoute(tuple(w["relax"]), route.port.id, route.lanes[0].mode,
                        book.costing(b, t).standalone, tuple(w["lanes"]), detail(t))
             for t in near]
    if any(w["mode"] == want.mode and close(w["cost_cny"], want.cost_cny)
           and w["detail"] == want.detail and w["sentence"] == want.sentence()
           for want in wants):
        return
    want = wants[0]
    wrong = [key for key, ok in (
        ("mode", w["mode"] == want.mode), ("cost_cny", close(w["cost_cny"], want.cost_cny)),
        ("detail", w["detail"] == want.detail), ("sentence", w["sentence"] == want.sentence()))
        if not ok]
    out.add("would_route", e.bid, f"{where}: {', '.join(wrong)} not those of "
            f"{route.route_id} ({want.sentence()})")


def _room_on(trip: Trip) -> str:
    """A capacity counterfactual's detail: the limited lanes of its route."""
    limited = [ln.lane_id for ln in trip.route.lanes if ln.per_vehicle or ln.max_vehicles]
    return f"room on {', '.join(limited)} on its departures"


def _check_held(e: Entry, b: Batch, compliant: Sequence[Trip], loads: Loads, book: RouteBook,
                out: Problems) -> float:
    """A batch with compliant trips: unrouted only for capacity; its penalty."""
    where = f"unrouted {e.bid}"
    listed = [r["rule"] for r in e.doc["reasons"]]
    room = next((t for t in compliant if fits(t, b, loads)), None)
    if room is not None:
        out.add("unrouted_routable", e.bid, f"{where}: unrouted ({', '.join(listed)}), but it "
                f"may take {room.trip_id} and fits next to the plan's loads")
    elif listed != ["CAPACITY"]:
        out.add("unrouted_reason", e.bid, f"{where}: reasons {listed}, but it has "
                f"{len(compliant)} compliant trip(s), all full: the reason is CAPACITY")
    alone = [t for t in compliant if _fits_alone(t, b)]
    w = e.doc["would_route"]
    if w is None and alone:
        out.add("would_route", e.bid, f"{where}: would_route is null, but with room it would "
                f"take {alone[0].trip_id}")
    elif w is not None and w["relax"] != ["CAPACITY"]:
        out.add("would_route", e.bid, f"{where}: would_route relaxes {w['relax']}, but only "
                "CAPACITY keeps it from a compliant trip")
    elif w is not None:
        _check_would_route(e, b, alone, _room_on, book, out)
    worst = max(book.costing(b, t).objective_alone for t in compliant)
    return 2.0 * worst + PENALTY_BASE_CNY


def failure_sets(b: Batch, trips: Sequence[Trip], book: RouteBook
                 ) -> dict[frozenset[str], list[Trip]]:
    """The batch's trips by the set of rules that reject each (every trip some rule rejects,
    for a batch without a compliant trip)."""
    by_set: dict[frozenset[str], list[Trip]] = {}
    for t in trips:
        by_set.setdefault(book.failed(b, t), []).append(t)
    return by_set


def _check_refused(e: Entry, b: Batch, trips: Sequence[Trip], book: RouteBook,
                   out: Problems) -> None:
    """A batch every trip of which some rule rejects: the reasons name exactly those rules;
    the counterfactual is a smallest relaxation that routes it alone."""
    where = f"unrouted {e.bid}"
    listed = [r["rule"] for r in e.doc["reasons"]]
    by_set = failure_sets(b, trips, book)
    failing = sorted(set().union(*by_set))
    if sorted(listed) != failing:
        out.add("unrouted_reason", e.bid, f"{where}: reasons {listed}, but the rules that "
                f"reject its trips are {failing}")
    # a smallest relaxation: every trip that fails fewer rules does not fit alone, so the
    # trip it gives fails exactly the relaxed rules
    valid = {s: alone for s, ts in by_set.items()
             if len(s) <= MAX_RELAX and s <= RELAXABLE_RULES
             and (alone := [t for t in ts if _fits_alone(t, b)])}
    smallest = min((len(s) for s in valid), default=None)
    w = e.doc["would_route"]
    if w is None:
        if smallest is not None:
            example = min((s for s in valid if len(s) == smallest), key=sorted)
            out.add("would_route", e.bid, f"{where}: would_route is null, but relaxing "
                    f"{sorted(example)} routes it")
        return
    relax = frozenset(w["relax"])
    if relax not in valid or len(relax) != smallest:
        out.add("would_route", e.bid, f"{where}: relaxing {w['relax']} is not a smallest "
                f"relaxation that routes it ({smallest} rule(s))")
        return
    _check_would_route(e, b, valid[relax], lambda t: "; ".join(
        c.detail for c in book.checks(b, t) if not c.passed), book, out)


def check_parcels(e: Entry, b: Batch, book: RouteBook, out: Problems,
                  left: str = "unrouted") -> None:
    """A batch the rules refuse: no parcel of it may have a compliant trip alone (``left``:
    how the plan leaves the batch, unrouted or disposed of)."""
    if len(b.parcels) < 2:
        return
    nodes = book.scenario.network.nodes
    for p in b.parcels:
        alone = book.hold(parcel_alone(b, p, nodes))
        trip = next((t for t in book.trips(alone) if book.compliant(alone, t)), None)
        if trip is not None:
            out.add("parcel_blocked", e.bid, f"{left} {e.bid}: parcel {p.parcel_id} could "
                    f"route alone ({trip.trip_id}); the batch left it {left} because of "
                    "its other parcels")


def check_unrouted(entries: Sequence[Entry], loads: Loads, book: RouteBook,
                   out: Problems) -> UnroutedSummary:
    """Every unrouted batch's reasons and counterfactual; the penalties the plan incurs."""
    penalty, refused = 0.0, 0
    for e in entries:
        b = e.batch
        if b is None:
            continue
        trips = book.trips(b)
        compliant = [t for t in trips if book.compliant(b, t)]
        if compliant:
            penalty += _check_held(e, b, compliant, loads, book, out)
            continue
        refused += 1
        if trips:
            _check_refused(e, b, trips, book, out)
            check_parcels(e, b, book, out)
        else:
            _check_no_path(e.doc, e.bid, out)
    return UnroutedSummary(penalty, refused)


def _check_no_path(doc: Mapping[str, Any], bid: str, out: Problems) -> None:
    """A batch without a route: NO_PATH alone, and nothing to relax."""
    listed = [r["rule"] for r in doc["reasons"]]
    if listed != ["NO_PATH"]:
        out.add("unrouted_reason", bid, f"unrouted {bid}: reasons {listed}, but it has no trip "
                "at all: the reason is NO_PATH")
    if doc["would_route"] is not None:
        out.add("would_route", bid, f"unrouted {bid}: would_route given, but the batch has no "
                "trip")
