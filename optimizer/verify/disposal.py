"""Disposed batches: disposal allowed, its cost, what returning would cost, the reasons and why.

A batch may be disposed of (destroyed, recycled or sold off) abroad instead of returned where
rules.yaml ``disposal`` allows it: ``allowed``, and neither its goods class
(``forbid_goods_classes``) nor its seller cluster (``forbid_sellers``) must come back. From the
rule and the checker's own trips of the batch (``verify.trips``):

- ``cost_cny`` is ``fee_cny_per_kg`` x its kg plus (``return_recovery_pct`` -
  ``liquidation_recovery_pct``) % of its declared value (what a return would recover and a
  liquidation does not);
- ``return_cny`` is its cheapest compliant trip alone (freight per kg and per parcel, its own
  vehicles, a declaration of its own with the whole fee and its per-parcel fees, tax, storage
  while it waits), null when no trip is compliant;
- ``reasons`` are empty when it has a compliant trip, else those of a batch the rules refuse
  (``NO_PATH`` without any trip, else exactly the rules that reject some trip), each not
  passed; no parcel of a refused batch may have a compliant trip on its own
  (``parcel_blocked``, as for unrouted batches);
- ``why`` is the sentence ``arith.disposal_why`` gives for those figures;
- it is not dearer than returning it: a compliant trip that fits next to the plan's loads and
  costs the objective less alone (landed cost and shadow prices) than the disposal, by more than
  the plan's own gap allows (objective - bound), is ``disposed_dearer`` (not judged for the
  heuristic plan, which proves nothing).

And a batch the rule lets be disposed of is never left ``unrouted`` (``unrouted_disposable``):
leaving it behind costs the objective more than its disposal, always.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.domain import Batch, DisposalRule, Trip
from optimizer.verify.arith import disposal_allowed, disposal_cost, disposal_why
from optimizer.verify.batches import Entry
from optimizer.verify.problems import CENT, Problems, close, close_or_null, money_tol
from optimizer.verify.routes import RouteBook
from optimizer.verify.unrouted import Loads, check_parcels, failure_sets, fits


@dataclass(frozen=True, slots=True)
class DisposalSummary:
    """What the disposal section establishes for the totals and the objective."""

    #: the disposal costs of the disposed batches the rule allows, recomputed
    cost: float
    #: disposed batches with no compliant trip (no rule lets them come back)
    refused: int


def _check_reasons(e: Entry, b: Batch, trips: Sequence[Trip], compliant: bool,
                   book: RouteBook, out: Problems) -> None:
    """Empty with a compliant trip; else NO_PATH without trips, or exactly the rules that
    reject its trips; none of them passed."""
    listed = [r["rule"] for r in e.doc["reasons"]]
    where = f"disposed {e.bid}"
    if any(r["passed"] for r in e.doc["reasons"]):
        out.add("disposal_reason", e.bid, f"{where}: a reason that keeps it from coming back "
                "is marked passed")
    if compliant:
        if listed:
            out.add("disposal_reason", e.bid, f"{where}: reasons {listed}, but it has a "
                    "compliant trip (it is disposed of for cost: no reason)")
        return
    want = sorted(set().union(*failure_sets(b, trips, book))) if trips else ["NO_PATH"]
    if sorted(listed) != want:
        out.add("disposal_reason", e.bid, f"{where}: reasons {listed}, but what keeps it from "
                f"coming back is {want}")


def _check_dearer(e: Entry, b: Batch, cost: float, trips: Sequence[Trip], loads: Loads,
                  slack: float | None, book: RouteBook, out: Problems) -> None:
    """No compliant trip that fits next to the plan's loads may cost the objective less alone
    than the disposal, beyond ``slack`` (objective - bound; None: not judged)."""
    if slack is None:
        return
    ranked = sorted(trips, key=lambda t: (book.costing(b, t).objective_alone, t.trip_id))
    room = next((t for t in ranked if fits(t, b, loads) and book.compliant(b, t)), None)
    if room is None:
        return
    back, route_id = book.costing(b, room).objective_alone, room.trip_id
    if back + slack + money_tol(cost) < cost:
        out.add("disposed_dearer", e.bid, f"disposed {e.bid}: disposal costs {cost:.2f}, but "
                f"returning it alone on {route_id} costs {back:.2f} (landed cost and shadow "
                "prices) and fits next to the plan's loads")


def _check_why(e: Entry, b: Batch, rule: DisposalRule, cost: float, back: float | None,
               out: Problems) -> None:
    """``why`` is the sentence for the recomputed figures (or for the stated ones, which are
    within a fen of them: a figure on a rounding edge may be written either way)."""
    stated = e.doc["why"]
    accepted = {disposal_why(b, rule, cost, back)}
    if close(e.doc["cost_cny"], cost) and close_or_null(e.doc["return_cny"], back):
        accepted.add(disposal_why(b, rule, e.doc["cost_cny"], e.doc["return_cny"]))
    if stated not in accepted:
        out.add("disposal_why", e.bid, f"disposed {e.bid}: why {stated!r} is not "
                f"{disposal_why(b, rule, cost, back)!r}")


def _check_one(e: Entry, b: Batch, loads: Loads, slack: float | None, book: RouteBook,
               out: Problems) -> float | None:
    """One disposed batch; its disposal cost (None: the rule does not allow it)."""
    rule = book.scenario.rules.disposal
    where = f"disposed {e.bid}"
    if not disposal_allowed(b, rule):
        out.add("disposal_forbidden", e.bid, f"{where}: rules.yaml disposal does not allow "
                f"it (allowed {rule.allowed}; goods class {b.goods_class}, seller cluster "
                f"{b.destination} must come back: {b.goods_class in rule.forbid_goods_classes}"
                f", {b.destination in rule.forbid_sellers})")
        return None
    cost = disposal_cost(b, rule)
    if not close(e.doc["cost_cny"], cost, money_tol(cost)):
        out.add("disposal_cost", e.bid, f"{where}: cost_cny {e.doc['cost_cny']} but the fee "
                f"and the value lost come to {cost:.2f}")
    trips = book.trips(b)
    cheapest = sorted(trips, key=lambda t: (book.costing(b, t).standalone, t.trip_id))
    first = next((t for t in cheapest if book.compliant(b, t)), None)
    back = None if first is None else book.costing(b, first).standalone
    if not close_or_null(e.doc["return_cny"], back, CENT + 1e-9 * (back or 0.0)):
        out.add("disposal_return", e.bid, f"{where}: return_cny {e.doc['return_cny']} but "
                + ("no compliant trip brings it back" if back is None else
                   f"its cheapest compliant trip alone costs {back:.2f}"))
    _check_reasons(e, b, trips, first is not None, book, out)
    if trips and first is None:
        check_parcels(e, b, book, out, left="disposed of")
    _check_why(e, b, rule, cost, back, out)
    _check_dearer(e, b, cost, trips, loads, slack, book, out)
    return cost


def _slack(doc: Mapping[str, Any]) -> float | None:
    """How much better than the plan a plan may be by its own bound (objective - bound); None
    for the heuristic plan or a plan without a valid bound (the bound section reports it)."""
    obj, bound = doc["objective_cny"], doc["bound_cny"]
    if obj is None or bound is None or bound > obj + CENT:
        return None
    return max(0.0, obj - bound)


def check_disposed(doc: Mapping[str, Any], entries: Sequence[Entry], loads: Loads,
                   book: RouteBook, out: Problems) -> DisposalSummary:
    """Every disposed batch (see the module docstring); the disposal costs they add."""
    slack = _slack(doc)
    total, refused = 0.0, 0
    for e in entries:
        b = e.batch
        if b is None:
            continue
        cost = _check_one(e, b, loads, slack, book, out)
        total += cost or 0.0
        if not any(book.compliant(b, t) for t in book.trips(b)):
            refused += 1
    return DisposalSummary(total, refused)


def check_undisposed(entries: Sequence[Entry], book: RouteBook, out: Problems) -> None:
    """No batch the disposal rule allows may be left unrouted."""
    rule = book.scenario.rules.disposal
    for e in entries:
        if e.batch is not None and disposal_allowed(e.batch, rule):
            out.add("unrouted_disposable", e.bid, f"unrouted {e.bid}: left unrouted, but "
                    "rules.yaml disposal allows disposing of it abroad (a batch that may be "
                    "disposed of is, never left behind)")
