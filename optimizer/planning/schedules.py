"""Dated trips: a route ridden on the departures its lanes' schedules offer.

A batch ready at its hub on day ``r`` (the planning date at the earliest) can take its first
lane's departure ``d`` when ``d - cutoff >= r``. The first such departure is the earliest; the
batch may also wait for a later one, up to the scenario's ``waiting`` rule (the first
``max_departures`` departures within ``max_days`` of the earliest): each is a trip of its own,
so waiting is a decision of the solver. After the first leg every leg takes the first departure
it can make: goods are at its origin when the previous leg arrives (the first domestic leg after
the return port's clearance days) and must be there ``cutoff_days`` before it leaves. Waiting at a
node on the way would only postpone the same shared vehicles, so it is not offered.

Each trip pins its lanes to their departures (``Lane.departure``): vehicles are bought for one
departure of one lane (``capacity.key_of``), and a lane's ``max_vehicles`` limits a departure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools

from optimizer.domain import Lane, Route, Trip, WaitingRule


@functools.lru_cache(maxsize=1 << 18)
def pinned(lane: Lane, day: dt.date) -> Lane:
    """The lane pinned to its departure on ``day`` (cached: one object per lane and day, shared
    by every trip that rides it), priced by its rate card on that day when it has one.

    A rate line priced per vehicle becomes the departure's CNY price per vehicle; a plain rate
    per kg (``Tariff.linear``) its CNY price per kg; any other tariff stays on the departure
    (``Lane.tariffed``): the batches on it share one bill (``planning.capacity``).
    """
    if lane.pricing is None:
        return dataclasses.replace(lane, departure=day)
    tariff = lane.pricing.tariff_on(day)
    if tariff is None:  # callers only pin priced departures (next_departure); be loud if not
        raise ValueError(f"lane {lane.lane_id} has no valid rate on {day}")
    per_kg = per_vehicle = 0.0
    if tariff.line.basis == "vehicle":
        per_vehicle = tariff.cost_cny(1.0, 0.0)
    elif tariff.linear:
        per_kg = tariff.bands()[0][2] + tariff.bands()[0][3]
    return dataclasses.replace(lane, departure=day, tariff=tariff, cost_per_kg_cny=per_kg,
                               cost_per_vehicle_cny=per_vehicle)


#: days searched for a priced departure before giving up (a rate card valid only far ahead)
PRICE_SEARCH_DAYS = 366


def next_departure(lane: Lane, at_origin: dt.date) -> dt.date | None:
    """The first departure of ``lane`` that goods at its origin on ``at_origin`` can make (on a
    lane with a rate card, the first one a rate line is valid for: a service without a price
    that day cannot be booked)."""
    day = lane.schedule.next_on_or_after(at_origin + dt.timedelta(days=lane.cutoff_days))
    if lane.pricing is None or day is None:
        return day
    pricing = lane.pricing
    for _ in range(PRICE_SEARCH_DAYS):
        if day is None or pricing.tariff_on(day) is not None:
            return day
        later = [ln.valid_from for ln in pricing.lines if ln.valid_from > day]
        if all(ln.valid_to is not None and ln.valid_to < day for ln in pricing.lines) \
                and not later:
            return None  # every line has expired
        day = lane.schedule.next_on_or_after(day + dt.timedelta(days=1))
    return None


#: the legs of a route leaving on a day, by (id of the route, day): the route object is kept
#: with them, so an id reused by another route after garbage collection never matches
_LEGS: dict[tuple[int, dt.date], tuple[Route, tuple[Lane, ...], dt.date, dt.date] | None] = {}


def ride(route: Route, ready: dt.date, first: dt.date, earliest: dt.date) -> Trip | None:
    """The trip leaving on ``first`` and taking the first connection at every later node
    (None when a later lane has no departure left)."""
    key = (id(route), first)
    found = _LEGS.get(key)
    if found is None or found[0] is not route:
        legs = _legs(route, first)
        found = None if legs is None else (route, *legs)
        if len(_LEGS) > 1 << 20:
            _LEGS.clear()
        _LEGS[key] = found
    if found is None:
        return None
    _, lanes, declare_date, eta = found
    return Trip(route=route, ready=ready, earliest=earliest, lanes=lanes,
                declare_date=declare_date, eta=eta)


def _legs(route: Route, first: dt.date) -> tuple[tuple[Lane, ...], dt.date, dt.date] | None:
    """The route's lanes pinned to the departures a batch leaving on ``first`` rides, the day
    its return is declared and the day it arrives."""
    lanes: list[Lane] = []
    declare_date = None
    depart: dt.date | None = first
    for i, lane in enumerate(route.lanes):
        if depart is None:
            return None
        lanes.append(pinned(lane, depart))
        arrive = depart + dt.timedelta(days=lane.transit_days)
        if i == route.port_index:
            arrive += dt.timedelta(days=route.port.clearance_days)
            declare_date = arrive
        if i + 1 < len(route.lanes):
            depart = next_departure(route.lanes[i + 1], arrive)
    assert declare_date is not None
    return tuple(lanes), declare_date, arrive


def trips(route: Route, ready: dt.date, waiting: WaitingRule) -> tuple[Trip, ...]:
    """Every trip a batch ready at the hub on ``ready`` may take on ``route``, earliest first:
    the earliest departure and the later ones ``waiting`` allows."""
    lane = route.lanes[0]
    earliest = next_departure(lane, ready)
    out: list[Trip] = []
    day = earliest
    last = None if earliest is None else earliest + dt.timedelta(days=waiting.max_days)
    while day is not None and last is not None and day <= last and len(
            out) < max(1, waiting.max_departures):
        trip = ride(route, ready, day, earliest or day)
        if trip is not None:
            out.append(trip)
        day = next_departure(lane, day + dt.timedelta(days=1 - lane.cutoff_days))
    return tuple(out)


def longest_days(route: Route, waiting: WaitingRule, start: dt.date) -> int:
    """The most days any trip on ``route`` can take from ready (on or after ``start``) to
    delivery: transit, clearance, every cut-off and schedule gap, and the longest wait (bounds
    which dates can bind). A lane that runs on listed dates only may make a batch wait until
    its last date."""
    return route.transit_days + waiting.max_days + sum(
        lane.cutoff_days + (max(lane.schedule.longest_gap_days(),
                                (lane.schedule.dates[-1] - start).days)
                            if lane.schedule.dates else lane.schedule.longest_gap_days())
        for lane in route.lanes)
