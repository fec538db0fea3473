"""Dated trips by the checker's own arithmetic: departures, cut-offs, connections, waiting.

Written from the README's definitions (time on schedules), not from ``planning.schedules``,
which this package may not import; only the schedule itself (``Schedule.departs_on`` and
``next_on_or_after``, data of the lane) is shared.

- A lane with a rate card (``Lane.pricing``) runs only on the days of its schedule its rate card
  prices (a valid line and an exchange rate, ``verify.tariffs``): a departure without a price
  cannot be booked, the schedule skips it. Its lanes are pinned with that day's CNY prices
  (``tariffs.pin``).
- A batch is *ready* at its hub on the later of its last parcel's ready date and the planning
  date (``as_of``): nothing departs in the past.
- Goods at a lane's origin on day ``t`` can take a departure ``d`` of its schedule with
  ``d - cutoff_days >= t``; the first such one is the lane's *next departure*.
- The first lane's next departure after ``ready`` is the *earliest*; the batch may take it or
  one of the first ``waiting.max_departures`` departures within ``waiting.max_days`` of it.
- Every later lane takes its next departure after the previous lane arrives (``depart +
  transit_days``), the first domestic lane after the return port's ``clearance_days`` too.
- The return is declared when the lane into the return port arrives plus its clearance days;
  the batch is delivered when the last lane arrives.

A committed batch (``scenario.commitments``: it has left, or a planner fixed it) keeps its own
first departure and is ready on its last parcel's ready date, even before the planning date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from optimizer.domain import Batch, Commitment, Lane, Route, Scenario, Trip, WaitingRule
from optimizer.verify.tariffs import next_priced, pin, price_on


def shift(day: dt.date | None, days: int) -> dt.date | None:
    """``day`` plus ``days``; None past the calendar's end (a forged date near year 9999)."""
    if day is None:
        return None
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return None


def _runs_on_or_after(lane: Lane, day: dt.date | None) -> dt.date | None:
    """The first day of the lane's schedule on or after ``day`` (None: none, or past the
    calendar's end)."""
    if day is None:
        return None
    try:
        return lane.schedule.next_on_or_after(day)
    except OverflowError:
        return None


def departs_from(lane: Lane, day: dt.date | None) -> dt.date | None:
    """The first departure of ``lane`` on or after ``day``: on its schedule and, with a rate
    card, priced (None: there is none)."""
    found = _runs_on_or_after(lane, day)
    pricing = lane.pricing
    if pricing is None:
        return found
    while found is not None and price_on(pricing, found) is None:
        found = _runs_on_or_after(lane, next_priced(pricing, found))
    return found


def priced(lane: Lane, day: dt.date) -> bool:
    """Whether the lane's rate card (if it has one) prices a departure on ``day``."""
    return lane.pricing is None or price_on(lane.pricing, day) is not None


def next_departure(lane: Lane, at_origin: dt.date | None) -> dt.date | None:
    """The first departure of ``lane`` goods at its origin on ``at_origin`` can make (on its
    schedule, ``cutoff_days`` after they arrive, priced by its rate card); None when there is
    none."""
    return departs_from(lane, shift(at_origin, lane.cutoff_days))


def committed(batch: Batch, scenario: Scenario) -> Commitment | None:
    """The commitment the batch is (its id and exactly its parcels), if any."""
    mine = {p.parcel_id for p in batch.parcels}
    return next((c for c in scenario.commitments
                 if c.batch_id == batch.batch_id and set(c.parcel_ids) == mine), None)


def ready_day(batch: Batch, scenario: Scenario) -> dt.date:
    """The day the batch is ready at its hub: its last parcel's ready date, or the planning
    date when that is later (a committed batch: its last parcel's, whatever the date)."""
    last = max(p.ready_date for p in batch.parcels)
    return last if committed(batch, scenario) is not None else max(last, scenario.as_of)


def first_departures(lane: Lane, ready: dt.date, waiting: WaitingRule) -> list[dt.date]:
    """The departures of the first lane a batch ready on ``ready`` may take: the earliest
    (first in the list) and those the waiting rule allows after it."""
    earliest = next_departure(lane, ready)
    if earliest is None:
        return []
    last = shift(earliest, waiting.max_days)
    out: list[dt.date] = []
    day: dt.date | None = earliest
    while day is not None and last is not None and day <= last and len(out) < max(
            1, waiting.max_departures):
        out.append(day)
        day = departs_from(lane, shift(day, 1))
    return out


@dataclasses.dataclass(frozen=True, slots=True)
class Timing:
    """The dates of a route ridden from a first departure: every leg's departure and arrival,
    the declaration day and the delivery day."""

    departs: tuple[dt.date, ...]
    arrives: tuple[dt.date, ...]
    declare_date: dt.date
    eta: dt.date


def connect(route: Route, first: dt.date) -> Timing | None:
    """The route ridden from ``first``, every later leg on its next departure after the
    previous one arrives (after clearance at the return port); None when a lane has no
    departure left."""
    departs: list[dt.date] = []
    arrives: list[dt.date] = []
    declare: dt.date | None = None
    depart: dt.date | None = first
    for i, lane in enumerate(route.lanes):
        arrive = shift(depart, lane.transit_days)
        if depart is None or arrive is None:
            return None
        departs.append(depart)
        arrives.append(arrive)
        ready_next: dt.date | None = arrive
        if i == route.port_index:
            declare = ready_next = shift(arrive, route.port.clearance_days)
        if i + 1 < len(route.lanes):
            depart = next_departure(route.lanes[i + 1], ready_next)
    if declare is None:
        return None
    return Timing(tuple(departs), tuple(arrives), declare, arrives[-1])


def pinned(route: Route, departs: Sequence[dt.date]) -> tuple[Lane, ...]:
    """The route's lanes, each pinned to its departure (``tariffs.pin``)."""
    return tuple(pin(lane, day) for lane, day in zip(route.lanes, departs, strict=True))


def trip_on(route: Route, ready: dt.date, earliest: dt.date,
            departs: Sequence[dt.date]) -> Trip | None:
    """The trip that rides the route's lanes on ``departs`` (whatever they are: a plan's own
    dates are checked elsewhere), with the declaration and delivery days they give; None when
    a date runs off the calendar."""
    declare: dt.date | None = None
    eta: dt.date | None = None
    for i, (lane, day) in enumerate(zip(route.lanes, departs, strict=True)):
        eta = shift(day, lane.transit_days)
        if eta is None:
            return None
        if i == route.port_index:
            declare = shift(eta, route.port.clearance_days)
    if declare is None or eta is None:
        return None
    return Trip(route=route, ready=ready, earliest=earliest, lanes=pinned(route, departs),
                declare_date=declare, eta=eta)


class Rides:
    """The dates and pinned lanes of each route ridden from each first departure, remembered
    (many batches ride the same route on the same departures)."""

    def __init__(self) -> None:
        self._rides: dict[tuple[str, dt.date], tuple[Timing, tuple[Lane, ...]] | None] = {}
        self._pins: dict[tuple[str, dt.date], Lane] = {}
        self._firsts: dict[tuple[str, dt.date], list[dt.date]] = {}

    def firsts(self, lane: Lane, ready: dt.date, waiting: WaitingRule) -> list[dt.date]:
        """``first_departures(lane, ready, waiting)``, remembered."""
        key = (lane.lane_id, ready)
        found = self._firsts.get(key)
        if found is None:
            found = self._firsts[key] = first_departures(lane, ready, waiting)
        return found

    def ride(self, route: Route, first: dt.date) -> tuple[Timing, tuple[Lane, ...]] | None:
        """``connect(route, first)`` and the lanes pinned to its departures."""
        key = (route.route_id, first)
        if key not in self._rides:
            timing = connect(route, first)
            self._rides[key] = None if timing is None else (timing, tuple(
                self._pin(lane, day) for lane, day in zip(route.lanes, timing.departs,
                                                          strict=True)))
        return self._rides[key]

    def _pin(self, lane: Lane, day: dt.date) -> Lane:
        key = (lane.lane_id, day)
        found = self._pins.get(key)
        if found is None:
            found = self._pins[key] = pin(lane, day)
        return found


def trips(route: Route, ready: dt.date, waiting: WaitingRule,
          rides: Rides | None = None) -> tuple[Trip, ...]:
    """Every trip a batch ready on ``ready`` may take on ``route``, earliest first."""
    rides = rides or Rides()
    firsts = rides.firsts(route.lanes[0], ready, waiting)
    out = []
    for first in firsts:
        found = rides.ride(route, first)
        if found is None:
            break  # later departures arrive later still: no later lane runs for them either
        timing, lanes = found
        out.append(Trip(route=route, ready=ready, earliest=firsts[0], lanes=lanes,
                        declare_date=timing.declare_date, eta=timing.eta))
    return tuple(out)


def committed_trip(route: Route, ready: dt.date, depart: dt.date) -> Trip | None:
    """A committed batch's trip: its own first departure, the first connection after it."""
    timing = connect(route, depart)
    if timing is None:
        return None
    earliest = next_departure(route.lanes[0], ready) or depart
    return Trip(route=route, ready=ready, earliest=min(earliest, depart),
                lanes=pinned(route, timing.departs), declare_date=timing.declare_date,
                eta=timing.eta)


def ride_key(lane: Lane) -> tuple[str, str]:
    """The departure a pinned lane stands for, as vehicles are bought: (lane id, ISO date)."""
    return lane.lane_id, lane.departure.isoformat() if lane.departure else ""


def key(trip: Trip) -> tuple[str, tuple[dt.date | None, ...]]:
    """What tells a batch's trips apart: the route and every departure."""
    return trip.route.route_id, tuple(lane.departure for lane in trip.lanes)
