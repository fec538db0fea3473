"""Unrouted batches: every reason re-derived, every counterfactual re-checked, the penalties.

From the checker's own routes of the batch and the rule engine's verdict on each:

- ``NO_PATH`` holds only when the batch has no route at all;
- rule reasons hold only when every route fails some rule, and they must name exactly the rules
  that fail on some route;
- batches are parcel-true: when the rules refuse a batch on every route, no parcel of it may
  have a compliant route on its own (departing when it is ready, judged on its own export date
  and deadline), or the batch has left that parcel behind for its neighbours'
  (``parcel_blocked``);
- a batch with a compliant route is unrouted only for ``CAPACITY``: none of its compliant routes
  can take it next to the plan's own loads (a lane bought by the vehicle would need more than
  its weekly ``max_vehicles``, a per-kg lane would go over its weekly kg or m3). One that fits
  is ``unrouted_routable``, whatever reason the plan gives.

``would_route`` (the smallest relaxation that routes the batch alone) may relax only
``RELAXABLE_RULES`` (never a legal rule), and must name a route of the batch that fails exactly
the relaxed rules (a compliant one for ``CAPACITY``), that the batch
alone fits, with no such route for fewer relaxed rules, the cheapest of them by the objective;
its port, mode, cost, detail and sentence must be that route's. When it is null, no relaxation
of at most ``MAX_RELAX`` rules may route the batch.

The planner's penalty for a batch left out for capacity (part of the objective) is twice the
dearest of its compliant routes alone (variable cost, shadow prices and its own vehicles) plus
10,000 CNY; ``penalty`` sums it over the unrouted batches that have a compliant route.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.compliance import RELAXABLE_RULES
from optimizer.domain import Batch, Route
from optimizer.plan import WouldRoute
from optimizer.verify.arith import lane_takes
from optimizer.verify.batches import Entry, parcel_alone
from optimizer.verify.problems import CENT, Problems, close
from optimizer.verify.routes import RouteBook

#: the most rules a verified counterfactual relaxes (plan.schema.json: "at most three rules")
MAX_RELAX = 3
#: what leaving a batch unrouted costs in the objective beyond twice its dearest route
PENALTY_BASE_CNY = 10_000.0

Loads = Mapping[tuple[str, str], tuple[float, float]]


@dataclass(frozen=True, slots=True)
class UnroutedSummary:
    """What the unrouted section establishes for the plan's totals and objective."""

    #: the penalties of the unrouted batches that have a compliant route
    penalty: float
    #: unrouted batches with no compliant route (they have none under any regime)
    refused: int


def fits(route: Route, b: Batch, loads: Loads) -> bool:
    """Whether the batch fits on every lane of the route next to ``loads`` in its week."""
    for lane in route.lanes:
        kg, m3 = loads.get((lane.lane_id, b.period), (0.0, 0.0))
        if not lane_takes(lane, kg + b.weight_kg, m3 + b.volume_m3):
            return False
    return True


def _fits_alone(route: Route, b: Batch) -> bool:
    """Whether the batch fits on every lane of the route on its own."""
    return fits(route, b, {})


def _check_would_route(e: Entry, b: Batch, candidates: Sequence[Route], detail: str | None,
                       book: RouteBook, out: Problems) -> None:
    """The counterfactual's route is one of ``candidates`` (the routes its relaxation lets the
    batch take alone), the cheapest; port, mode, cost, detail and sentence are that route's.
    ``detail`` None: the failed checks' details."""
    w = e.doc["would_route"]
    where = f"unrouted {e.bid}: would_route"
    route = book.find(b, w["lanes"], w["return_port"])
    if route is None or route.route_id not in {r.route_id for r in candidates}:
        out.add("would_route", e.bid, f"{where} {'+'.join(w['lanes'])} at {w['return_port']} "
                f"is not a route the batch alone may take with {w['relax']} relaxed")
        return
    cost = book.costing(b, route)
    best = min(candidates, key=lambda r: (book.costing(b, r).objective_alone, r.route_id))
    if cost.objective_alone > book.costing(b, best).objective_alone + CENT:
        out.add("would_route", e.bid, f"{where}: {route.route_id} is not the cheapest route "
                f"the relaxation allows ({best.route_id} is)")
    if detail is None:
        detail = "; ".join(c.detail for c in book.checks(b, route) if not c.passed)
    want = WouldRoute(tuple(w["relax"]), route.port.id, route.lanes[0].mode, cost.standalone,
                      tuple(w["lanes"]), detail)
    wrong = [key for key, ok in (
        ("mode", w["mode"] == want.mode), ("cost_cny", close(w["cost_cny"], want.cost_cny)),
        ("detail", w["detail"] == want.detail), ("sentence", w["sentence"] == want.sentence()))
        if not ok]
    if wrong:
        out.add("would_route", e.bid, f"{where}: {', '.join(wrong)} not those of "
                f"{route.route_id} ({want.sentence()})")


def _check_held(e: Entry, b: Batch, compliant: Sequence[Route], loads: Loads, book: RouteBook,
                out: Problems) -> float:
    """A batch with compliant routes: unrouted only for capacity; its penalty."""
    where = f"unrouted {e.bid}"
    listed = [r["rule"] for r in e.doc["reasons"]]
    room = next((r for r in compliant if fits(r, b, loads)), None)
    if room is not None:
        out.add("unrouted_routable", e.bid, f"{where}: unrouted ({', '.join(listed)}), but it "
                f"may take {room.route_id} and fits next to the plan's loads")
    elif listed != ["CAPACITY"]:
        out.add("unrouted_reason", e.bid, f"{where}: reasons {listed}, but it has "
                f"{len(compliant)} compliant route(s), all full: the reason is CAPACITY")
    alone = [r for r in compliant if _fits_alone(r, b)]
    w = e.doc["would_route"]
    if w is None and alone:
        out.add("would_route", e.bid, f"{where}: would_route is null, but with room it would "
                f"take {alone[0].route_id}")
    elif w is not None and w["relax"] != ["CAPACITY"]:
        out.add("would_route", e.bid, f"{where}: would_route relaxes {w['relax']}, but only "
                "CAPACITY keeps it from a compliant route")
    elif w is not None:
        pick = book.find(b, w["lanes"], w["return_port"])
        limited = [ln.lane_id for ln in (pick.lanes if pick else ())
                   if ln.per_vehicle or ln.max_vehicles]
        _check_would_route(e, b, alone, f"room on {', '.join(limited)} in {b.period}", book,
                           out)
    worst = max(book.costing(b, r).objective_alone for r in compliant)
    return 2.0 * worst + PENALTY_BASE_CNY


def failure_sets(b: Batch, routes: Sequence[Route], book: RouteBook
                 ) -> dict[frozenset[str], list[Route]]:
    """The batch's routes by the set of rules that reject each (every route some rule
    rejects, for a batch without a compliant route)."""
    by_set: dict[frozenset[str], list[Route]] = {}
    for r in routes:
        by_set.setdefault(book.failed(b, r), []).append(r)
    return by_set


def _check_refused(e: Entry, b: Batch, routes: Sequence[Route], book: RouteBook,
                   out: Problems) -> None:
    """A batch every route of which some rule rejects: the reasons name exactly those rules;
    the counterfactual is a smallest relaxation that routes it alone."""
    where = f"unrouted {e.bid}"
    listed = [r["rule"] for r in e.doc["reasons"]]
    by_set = failure_sets(b, routes, book)
    failing = sorted(set().union(*by_set))
    if sorted(listed) != failing:
        out.add("unrouted_reason", e.bid, f"{where}: reasons {listed}, but the rules that "
                f"reject its routes are {failing}")
    # a smallest relaxation: every route that fails fewer rules does not fit alone, so the
    # route it gives fails exactly the relaxed rules
    valid = {s: alone for s, rs in by_set.items()
             if len(s) <= MAX_RELAX and s <= RELAXABLE_RULES
             and (alone := [r for r in rs if _fits_alone(r, b)])}
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
    _check_would_route(e, b, valid[relax], None, book, out)


def check_parcels(e: Entry, b: Batch, routes: Sequence[Route], book: RouteBook,
                  out: Problems, left: str = "unrouted") -> None:
    """A batch the rules refuse: no parcel of it may have a compliant route alone (``left``:
    how the plan leaves the batch, unrouted or disposed of)."""
    if len(b.parcels) < 2:
        return
    nodes = book.scenario.network.nodes
    for p in b.parcels:
        alone = book.hold(parcel_alone(b, p, nodes))
        route = next((r for r in routes if book.compliant(alone, r)), None)
        if route is not None:
            out.add("parcel_blocked", e.bid, f"{left} {e.bid}: parcel {p.parcel_id} could "
                    f"route alone ({route.route_id}); the batch left it {left} because of "
                    "its other parcels")


def check_unrouted(entries: Sequence[Entry], loads: Loads, book: RouteBook,
                   out: Problems) -> UnroutedSummary:
    """Every unrouted batch's reasons and counterfactual; the penalties the plan incurs."""
    penalty, refused = 0.0, 0
    for e in entries:
        b = e.batch
        if b is None:
            continue
        routes = book.routes(b.origin, b.destination)
        compliant = [r for r in routes if book.compliant(b, r)]
        if compliant:
            penalty += _check_held(e, b, compliant, loads, book, out)
            continue
        refused += 1
        if routes:
            _check_refused(e, b, routes, book, out)
            check_parcels(e, b, routes, book, out)
        else:
            _check_no_path(e.doc, e.bid, out)
    return UnroutedSummary(penalty, refused)


def _check_no_path(doc: Mapping[str, Any], bid: str, out: Problems) -> None:
    """A batch without a route: NO_PATH alone, and nothing to relax."""
    listed = [r["rule"] for r in doc["reasons"]]
    if listed != ["NO_PATH"]:
        out.add("unrouted_reason", bid, f"unrouted {bid}: reasons {listed}, but it has no route "
                "at all: the reason is NO_PATH")
    if doc["would_route"] is not None:
        out.add("would_route", bid, f"unrouted {bid}: would_route given, but the batch has no "
                "route")
