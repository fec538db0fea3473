"""The dates of a routed batch: every leg on its lane's schedule, connected, and what follows.

From the plan's own leg dates and the checker's own schedule arithmetic (``verify.trips``):

- ``ready``: the batch is ready at its hub on the later of its last parcel's ready date and the
  planning date (a committed batch: its last parcel's);
- ``schedule``: every leg departs on a day its lane runs, none before the planning date (but
  a committed batch's, which may have left); ``unpriced_departure``: on a lane with a rate card,
  a day it prices (a valid line and an exchange rate: a departure without one does not exist);
- ``cutoff``: the first leg leaves no earlier than the batch is ready plus the lane's cut-off;
- ``connection``: every later leg takes the first departure its goods can make: after the
  previous leg arrives (and, after the leg into the return port, its clearance days) plus the
  lane's cut-off;
- ``arrival``: every leg arrives ``transit_days`` after it departs; the declaration day is the
  arrival at the return port plus its clearance days, the ETA the last leg's arrival and the
  transit days those from leaving the hub to delivery;
- ``dates``: the batch departs when its first leg does;
- ``wait``: the days it waits are those from the first departure it could make to the one it
  takes, and that one is among the first ``waiting.max_departures`` within
  ``waiting.max_days`` of it (rules.yaml ``waiting``; a committed batch keeps its own).

The trip the legs make (``domain.Trip``, the lanes pinned to the plan's departures) is what the
rule engine judges and what the batch is costed on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from optimizer.domain import Batch, Route, Scenario, Trip
from optimizer.verify.batches import Entry
from optimizer.verify.problems import Problems
from optimizer.verify.tariffs import why_unpriced
from optimizer.verify.trips import (
    committed,
    first_departures,
    next_departure,
    priced,
    ready_day,
    shift,
    trip_on,
)


def _day(text: Any) -> dt.date | None:
    """An ISO date of the document (None when it is not one)."""
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _check_schedule(e: Entry, route: Route, departs: Sequence[dt.date], fixed: bool,
                    as_of: dt.date, out: Problems) -> None:
    """Every leg on a day its lane runs, none before the planning date (unless committed)."""
    for lane, day in zip(route.lanes, departs, strict=True):
        if not lane.schedule.departs_on(day):
            out.add("schedule", e.bid, f"batch {e.bid}: leg {lane.lane_id} departs {day} "
                    f"({day:%a}), a day the lane does not run (schedule "
                    f"{lane.schedule.text()})")
        if day < as_of and not fixed:
            out.add("schedule", e.bid, f"batch {e.bid}: leg {lane.lane_id} departs {day}, "
                    f"before the planning date {as_of}")
        if lane.pricing is not None and not priced(lane, day):
            out.add("unpriced_departure", e.bid, f"batch {e.bid}: leg {lane.lane_id} departs "
                    f"{day}, but the lane's rate card prices no departure that day: "
                    f"{why_unpriced(lane.pricing, day)}")


def _check_cutoff(e: Entry, route: Route, first: dt.date, ready: dt.date,
                  out: Problems) -> None:
    """The first leg leaves no earlier than the batch is ready plus the lane's cut-off."""
    lane = route.lanes[0]
    due = shift(first, -lane.cutoff_days)
    if due is None or due < ready:
        out.add("cutoff", e.bid, f"batch {e.bid}: leg {lane.lane_id} departs {first}, but the "
                f"batch is ready at {lane.origin} on {ready} and the lane's cut-off is "
                f"{lane.cutoff_days} day(s): the first departure it can make is "
                f"{next_departure(lane, ready)}")


def _check_connections(e: Entry, route: Route, departs: Sequence[dt.date],
                       out: Problems) -> None:
    """Every later leg on the first departure its goods can make after the previous leg."""
    for i in range(1, len(route.lanes)):
        before, lane = route.lanes[i - 1], route.lanes[i]
        there = shift(departs[i - 1], before.transit_days)
        if i - 1 == route.port_index:
            there = shift(there, route.port.clearance_days)
        want = next_departure(lane, there)
        if there is None or departs[i] == want:
            continue
        due = shift(departs[i], -lane.cutoff_days)
        how = ("before its goods can be there" if due is None or due < there
               else "not the first departure its goods can make")
        out.add("connection", e.bid, f"batch {e.bid}: leg {lane.lane_id} departs "
                f"{departs[i]}, {how}: they reach {lane.origin} on {there} "
                + ("(after clearance) " if i - 1 == route.port_index else "")
                + f"with a cut-off of {lane.cutoff_days} day(s), so it takes {want}")


def _check_arrivals(e: Entry, route: Route, departs: Sequence[dt.date],
                    out: Problems) -> None:
    """Every leg arrives its lane's transit days after it departs."""
    for leg, lane, day in zip(e.doc["legs"], route.lanes, departs, strict=True):
        want = shift(day, lane.transit_days)
        if _day(leg["arrive_date"]) != want:
            out.add("arrival", e.bid, f"batch {e.bid}: leg {lane.lane_id} arrives "
                    f"{leg['arrive_date']}, but it departs {day} and takes "
                    f"{lane.transit_days} day(s): {want}")


def _check_batch_dates(e: Entry, trip: Trip, out: Problems) -> None:
    """Departure, declaration, ETA and transit days of the batch from its legs."""
    doc, depart = e.doc, trip.lanes[0].departure
    if _day(doc["depart_date"]) != depart:
        out.add("dates", e.bid, f"batch {e.bid}: depart_date {doc['depart_date']}, but its "
                f"first leg departs {depart}")
    days = (trip.eta - depart).days if depart is not None else None
    wrong = [f"{name} {doc[name]} (legs: {want})" for name, want, ok in (
        ("declare_date", trip.declare_date, _day(doc["declare_date"]) == trip.declare_date),
        ("eta", trip.eta, _day(doc["eta"]) == trip.eta),
        ("transit_days", days, doc["transit_days"] == days)) if not ok]
    if wrong:
        out.add("arrival", e.bid, f"batch {e.bid}: {'; '.join(wrong)}: the declaration is "
                "the arrival at the return port plus its clearance days, the ETA the last "
                "leg's arrival")


def _earliest(route: Route, ready: dt.date, first: dt.date, fixed: bool) -> dt.date | None:
    """The first departure of the first lane the batch could make (a committed batch: no later
    than its own)."""
    earliest = next_departure(route.lanes[0], ready)
    if fixed:
        return min(earliest or first, first)
    return earliest


def _check_wait(e: Entry, route: Route, first: dt.date, ready: dt.date, fixed: bool,
                scenario: Scenario, out: Problems) -> dt.date:
    """The days waited, and a first departure the waiting rule allows; the earliest departure
    it could make (its own departure when there is none)."""
    earliest = _earliest(route, ready, first, fixed) or first
    wait = (first - earliest).days
    if e.doc["wait_days"] != wait and wait >= 0:  # before the earliest: the cut-off says so
        out.add("wait", e.bid, f"batch {e.bid}: wait_days {e.doc['wait_days']}, but the first "
                f"departure it could make is {earliest} and it leaves {first}: {wait}")
    rule = scenario.rules.waiting
    lane = route.lanes[0]
    if fixed or first < earliest or not lane.schedule.departs_on(first) or not priced(
            lane, first):
        return earliest  # committed, or the cut-off, schedule and price problems say it
    if first not in first_departures(lane, ready, rule):
        out.add("wait", e.bid, f"batch {e.bid}: leaves {first}, but the waiting rule allows "
                f"only the first {rule.max_departures} departure(s) of {lane.lane_id} within "
                f"{rule.max_days} day(s) of {earliest}")
    return earliest


def plan_departures(legs: Sequence[Mapping[str, Any]]) -> list[dt.date] | None:
    """The departure of every leg the plan states (None when one is not a date)."""
    days = [_day(leg["depart_date"]) for leg in legs]
    return None if any(d is None for d in days) else [d for d in days if d is not None]


def check_timing(e: Entry, b: Batch, route: Route, scenario: Scenario,
                 out: Problems) -> Trip | None:
    """Every date of a routed batch (see the module docstring); the trip its legs make (None
    when it cannot be made: a date that is none, or runs off the calendar)."""
    departs = plan_departures(e.doc["legs"])
    if departs is None:
        out.add("schedule", e.bid, f"batch {e.bid}: a leg departs on no date")
        return None
    fixed = committed(b, scenario) is not None
    ready = ready_day(b, scenario)
    if _day(e.doc["ready_date"]) != ready:
        out.add("ready", e.bid, f"batch {e.bid}: ready_date {e.doc['ready_date']}, but its "
                f"last parcel is ready {max(p.ready_date for p in b.parcels)} and the "
                f"planning date is {scenario.as_of}: {ready}")
    _check_schedule(e, route, departs, fixed, scenario.as_of, out)
    if not fixed:
        _check_cutoff(e, route, departs[0], ready, out)
    _check_connections(e, route, departs, out)
    _check_arrivals(e, route, departs, out)
    earliest = _check_wait(e, route, departs[0], ready, fixed, scenario, out)
    trip = trip_on(route, ready, earliest, departs)
    if trip is None:
        out.add("arrival", e.bid, f"batch {e.bid}: its legs arrive beyond the calendar")
        return None
    _check_batch_dates(e, trip, out)
    return trip
