"""Vehicles per departure of a lane: counts, costs, shares and load lists, from the routed loads.

Vehicles are bought for one departure: an entry's ``period`` is the departure's ISO date, its
``depart_date`` that day and its ``arrive_date`` the lane's transit days later, and the batches
it carries are those whose leg on the lane departs that day (``vehicle_departure`` otherwise).
The load of a departure is what the routed batches put on it (their rebuilt weights and
volumes). A lane bought by the vehicle must buy the fewest whole vehicles that hold it (fewer is
overfull, more an inflated cost) within its limit per departure (``max_vehicles``); the
vehicles' cost is shared out to the batches in proportion to the space each takes (the larger of
its kg and m3 shares of a vehicle). A lane bought by the kg has one booking entry, no vehicles,
and its limit per departure as capacity. Load lists number the vehicles 1..count and put every
rider in some vehicle; each vehicle's load must be possible for the batches it lists and within
its capacity, unless it is a packing fragment (a parcel that fits in no other vehicle had to go
somewhere).

A lane with a rate card is priced per departure (``verify.tariffs``): on the vehicle basis it is
bought by the vehicle at that day's price; a linear line makes it a per-kg lane; any other line
makes the departure one shipment (``count`` 1, one booking, the per-kg limit per departure)
whose ``cost_cny`` is the bill of its routed load, shared by the riders in proportion to their
chargeable units (a share counts in the batch's freight), or, on a line that bills each batch
alone, a per-kg lane whose batches pay their own bills in their freight. Its ``tariff`` is
checked by ``verify.billing``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.domain import Batch, Lane, Network
from optimizer.verify.arith import departure_limit, needed, space
from optimizer.verify.billing import check_leg_tariffs, check_tariff
from optimizer.verify.problems import CENT, EPS, KG, M3, Problems, close, lane_departure
from optimizer.verify.routed import Routed
from optimizer.verify.tariffs import bill_cny, by_vehicle, chargeable, pin, tariff_of
from optimizer.verify.trips import ride_key, shift

#: (lane id, departure as an ISO date)
Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Fleet:
    """What the vehicles section establishes for the later ones."""

    #: the routed batches on each lane departure, and their load (kg, m3)
    riders: Mapping[Key, Sequence[Routed]]
    loads: Mapping[Key, tuple[float, float]]
    #: the count each lane departure's entry states (its first entry)
    counts: Mapping[Key, int]
    #: what the vehicles bought on departures that batches ride cost
    cost: float
    #: vehicles[].count summed over the document
    vehicles: int
    #: what the bills of the tariffed departures batches ride come to (part of their freight)
    bills: float = 0.0


def _ride(routed: Sequence[Routed]) -> tuple[dict[Key, list[Routed]],
                                             dict[Key, tuple[float, float]], dict[Key, Lane]]:
    """Who rides each lane departure, the load they make, and the lane pinned to it."""
    riders: dict[Key, list[Routed]] = defaultdict(list)
    pins: dict[Key, Lane] = {}
    for r in routed:
        for lane in r.trip.lanes:
            riders[ride_key(lane)].append(r)
            pins[ride_key(lane)] = lane
    loads = {key: (sum(r.batch.weight_kg for r in members),
                   sum(r.batch.volume_m3 for r in members))
             for key, members in riders.items()}
    return riders, loads, pins


def _pinned(key: Key, pins: Mapping[Key, Lane], net: Network) -> Lane | None:
    """The lane of an entry pinned to its departure (None: no such lane); the lane as a service
    when its period is not a date (``vehicle_departure`` says so)."""
    if key in pins:
        return pins[key]
    lane = net.lanes.get(key[0])
    if lane is None:
        return None
    try:
        return pin(lane, dt.date.fromisoformat(key[1]))
    except (TypeError, ValueError):
        return lane


def _want_cost(lane: Lane, count: int, load: tuple[float, float]) -> tuple[float, str]:
    """What an entry's ``cost_cny`` must be, and what that is for people."""
    if by_vehicle(lane):
        return count * lane.cost_per_vehicle_cny, "count x vehicle cost"
    price = tariff_of(lane)
    if price is not None:
        return bill_cny(price, *load), "the bill of its load on the tariff"
    return 0.0, "0 (a lane paid per kg, or billed per batch in the batches' freight)"


def _check_fields(v: Mapping[str, Any], lane: Lane, members: Sequence[Routed],
                  load: tuple[float, float], name: str, out: Problems) -> None:
    """Riders, mode, load and capacity as the routes and lanes.csv give them."""
    riders = sorted(r.bid for r in members)
    listed = sorted(v["batch_ids"])
    if listed != riders:
        extra = sorted((Counter(listed) - Counter(riders)).elements())
        absent = sorted((Counter(riders) - Counter(listed)).elements())
        out.add("vehicle_batches", name, f"vehicles {name}: the batches listed are not those "
                f"routed there (listed only: {extra}; routed only: {absent})")
    if not members:
        out.add("vehicle_entry", name, f"vehicles {name}: no routed batch rides this departure")
    count = v["count"]
    vehicles = by_vehicle(lane)
    booked = count if vehicles else (lane.max_vehicles or 0)
    wrong = [f"{key} {v[key]} (should be {want})" for key, want, ok in (
        ("mode", lane.mode, v["mode"] == lane.mode),
        ("load_kg", round(load[0], 3), close(v["load_kg"], load[0], KG)),
        ("load_m3", round(load[1], 4), close(v["load_m3"], load[1], M3)),
        ("capacity_kg", booked * lane.vehicle_capacity_kg,
         close(v["capacity_kg"], booked * lane.vehicle_capacity_kg, KG)),
        ("capacity_m3", booked * lane.vehicle_capacity_m3,
         close(v["capacity_m3"], booked * lane.vehicle_capacity_m3, M3)),
        ("count", 0, vehicles or tariff_of(lane) is not None or count == 0)) if not ok]
    if wrong:
        out.add("vehicle_fields", name, f"vehicles {name}: {'; '.join(wrong)}")
    cost, what = _want_cost(lane, count, load)
    if not close(v["cost_cny"], cost):
        out.add("vehicle_cost", name, f"vehicles {name}: cost {v['cost_cny']} is not {what} "
                f"({cost:.2f})")


def _check_count(v: Mapping[str, Any], lane: Lane, load: tuple[float, float], name: str,
                 out: Problems) -> None:
    """A lane bought by the vehicle buys the fewest whole vehicles that hold its load, within
    its limit per departure."""
    count, need = v["count"], needed(lane, *load)
    if lane.max_vehicles is not None and count > lane.max_vehicles:
        out.add("vehicle_limit", name, f"vehicles {name}: {count} vehicles, the lane allows "
                f"{lane.max_vehicles} a departure")
    if need and count < 1:
        out.add("no_vehicle", name, f"vehicles {name}: batches ride it but no vehicle is "
                "bought")
    elif count < need:
        out.add("overfull", name, f"vehicles {name}: {load[0]:.1f} kg / {load[1]:.2f} m3 "
                f"overfill {count} vehicle(s); they need {need}")
    elif count > need:
        out.add("extra_vehicles", name, f"vehicles {name}: {count} vehicles bought where "
                f"{need} hold {load[0]:.1f} kg / {load[1]:.2f} m3")


def _check_shipments(v: Mapping[str, Any], members: Sequence[Routed], name: str,
                     out: Problems) -> None:
    """A tariffed departure is one shipment: ``count`` 1 when batches ride it."""
    count, need = v["count"], int(bool(members))
    if count < need:
        out.add("no_vehicle", name, f"vehicles {name}: batches ride it but no shipment is "
                "booked (count 0; a tariffed departure is one shipment)")
    elif count > need:
        out.add("extra_vehicles", name, f"vehicles {name}: count {count}, but a tariffed "
                f"departure is {need} shipment(s), billed on its whole load")


def _numbered(loads: Sequence[Mapping[str, Any]], n: int) -> bool:
    """Whether the load list numbers exactly ``n`` vehicles 1..n in order."""
    return len(loads) == n and all(ld["vehicle"] == i for i, ld in enumerate(loads, 1))


def _bounds(ld: Mapping[str, Any], batches: Mapping[str, Batch], times: Counter[str],
            attr: str) -> tuple[float, float]:
    """The least and most ``attr`` (weight_kg, volume_m3) a vehicle listing these batches can
    hold: a batch listed in one vehicle only is in it whole; a batch split over k vehicles
    has at least one parcel in each of them."""
    lo = hi = 0.0
    for bid in ld["batch_ids"]:
        b = batches.get(bid)
        if b is None:
            continue
        total = getattr(b, attr)
        if times[bid] == 1:
            lo, hi = lo + total, hi + total
            continue
        least = min(getattr(p, attr) for p in b.parcels)
        lo += least
        hi += total - (times[bid] - 1) * least
    return lo, hi


def _fragment(ld: Mapping[str, Any], loads: Sequence[Mapping[str, Any]], lane: Lane,
              batches: Mapping[str, Batch]) -> bool:
    """Whether an overfull vehicle is a packing fragment: it holds a parcel (of a batch it
    lists) that fits in no other vehicle as loaded. Whole vehicles are bought for the weight and
    volume of a departure, but parcels do not split: a parcel that fits nowhere goes to some
    vehicle, overfilling it (the load list reports it, as planning.manifests does)."""
    others = [o for o in loads if o is not ld]
    return any(all(o["load_kg"] + p.weight_kg > lane.vehicle_capacity_kg + EPS
                   or o["load_m3"] + p.volume_m3 > lane.vehicle_capacity_m3 + EPS
                   for o in others)
               for bid in ld["batch_ids"] if bid in batches for p in batches[bid].parcels)


def _check_vehicle_loads(loads: Sequence[Mapping[str, Any]], lane: Lane,
                         batches: Mapping[str, Batch], name: str, out: Problems) -> None:
    """Each vehicle of a shared lane: a load its batches can make, within its capacity."""
    times = Counter(bid for ld in loads for bid in ld["batch_ids"])
    for bid, k in sorted(times.items()):
        b = batches.get(bid)
        if b is not None and k > len(b.parcels):
            out.add("load_list", name, f"vehicles {name}: {bid} is split over {k} vehicles but "
                    f"has {len(b.parcels)} parcel(s)")
    for ld in loads:
        n = len(ld["batch_ids"]) + 1
        for attr, key, tol in (("weight_kg", "load_kg", KG * n), ("volume_m3", "load_m3", M3 * n)):
            lo, hi = _bounds(ld, batches, times, attr)
            if not lo - tol <= ld[key] <= hi + tol:
                out.add("load_list", name, f"vehicles {name}: vehicle {ld['vehicle']} states "
                        f"{key} {ld[key]}, but its batches make {lo:.4f} to {hi:.4f}")
        if (ld["load_kg"] > lane.vehicle_capacity_kg + KG
                or ld["load_m3"] > lane.vehicle_capacity_m3 + M3) and not _fragment(
                    ld, loads, lane, batches):
            out.add("overfull", name, f"vehicles {name}: vehicle {ld['vehicle']} carries "
                    f"{ld['load_kg']} kg / {ld['load_m3']} m3, beyond one vehicle's "
                    f"{lane.vehicle_capacity_kg} kg / {lane.vehicle_capacity_m3} m3, and "
                    "none of its parcels was left without room elsewhere")


def _check_loads(v: Mapping[str, Any], lane: Lane, members: Sequence[Routed],
                 load: tuple[float, float], name: str, out: Problems) -> None:
    """The load list: one booking (per-kg lane, or one vehicle), else vehicles 1..count that
    every rider rides, each listing riders only, their loads adding up to the departure's."""
    loads = v["loads"]
    single = not by_vehicle(lane) or v["count"] <= 1
    if not _numbered(loads, 1 if single else v["count"]):
        out.add("load_list", name, f"vehicles {name}: the load list must number "
                f"{1 if single else v['count']} vehicle(s) from 1, it has {len(loads)}")
        return
    batches = {r.bid: r.batch for r in members}
    listed = {bid for ld in loads for bid in ld["batch_ids"]}
    if listed != set(batches):
        out.add("load_list", name, f"vehicles {name}: the load list carries "
                f"{sorted(listed - set(batches))} that do not ride here and leaves out "
                f"{sorted(set(batches) - listed)}")
    n = len(loads) + 1
    if not (close(sum(ld["load_kg"] for ld in loads), load[0], KG * n)
            and close(sum(ld["load_m3"] for ld in loads), load[1], M3 * n)):
        out.add("load_list", name, f"vehicles {name}: the vehicles' loads do not add up to "
                f"{load[0]:.3f} kg / {load[1]:.4f} m3")
    if not single:
        _check_vehicle_loads(loads, lane, batches, name, out)


def _share_out(riders: Mapping[Key, Sequence[Routed]], counts: Mapping[Key, int],
               loads: Mapping[Key, tuple[float, float]],
               pins: Mapping[Key, Lane]) -> tuple[float, float]:
    """Give each rider its share of its departures' vehicles (by the space it takes) and of the
    bills of its tariffed departures (by its chargeable units); the vehicles' cost and the
    bills'."""
    cost = bills = 0.0
    for key, members in riders.items():
        lane = pins[key]
        price = tariff_of(lane)
        if by_vehicle(lane):
            total = counts.get(key, 0) * lane.cost_per_vehicle_cny
            cost += total
            spaces = [space(lane, r.batch.weight_kg, r.batch.volume_m3) for r in members]
        elif price is not None:
            total = bill_cny(price, *loads[key])
            bills += total
            spaces = [chargeable(price.line, r.batch.weight_kg, r.batch.volume_m3)
                      for r in members]
        else:
            continue
        whole = sum(spaces)
        for r, s in zip(members, spaces, strict=True):
            share = total * s / whole if whole > 0 else 0.0
            into = r.shares if price is None else r.bills
            into[lane.lane_id] = into.get(lane.lane_id, 0.0) + share
    return cost, bills


def _rides_on(routed: Sequence[Routed]) -> dict[tuple[str, str], str]:
    """(batch id, lane id) -> the departure the batch's leg on the lane takes (ISO date)."""
    return {(r.bid, lane.lane_id): ride_key(lane)[1] for r in routed for lane in r.trip.lanes}


def _check_departure(v: Mapping[str, Any], lane: Lane, rides_on: Mapping[tuple[str, str], str],
                     name: str, out: Problems) -> None:
    """An entry's departure and arrival are its period and the lane's transit days later; the
    batches it lists ride the lane on that departure."""
    try:
        day = dt.date.fromisoformat(v["period"])
    except (TypeError, ValueError):
        out.add("vehicle_departure", name, f"vehicles {name}: period {v['period']!r} is not "
                "a departure date")
        return
    arrive = shift(day, lane.transit_days)
    if v["depart_date"] != day.isoformat() or arrive is None or (
            v["arrive_date"] != arrive.isoformat()):
        out.add("vehicle_departure", name, f"vehicles {name}: they leave {v['depart_date']} "
                f"and arrive {v['arrive_date']}, but the departure is {day} and the lane takes "
                f"{lane.transit_days} day(s)")
    moved = sorted({f"{bid} ({rides_on[(bid, lane.lane_id)]})" for bid in v["batch_ids"]
                    if rides_on.get((bid, lane.lane_id), v["period"]) != v["period"]})
    if moved:
        out.add("vehicle_departure", name, f"vehicles {name}: carry {', '.join(moved)}, whose "
                f"legs on {lane.lane_id} depart on the dates shown")


def _check_uncovered(riders: Mapping[Key, Sequence[Routed]], loads: Mapping[Key, tuple[float,
                     float]], listed: Mapping[Key, Sequence[str]], pins: Mapping[Key, Lane],
                     out: Problems) -> None:
    """Every departure a trip rides has its entry (one that lists its batches on another day
    of the lane is misdated), and a per-kg lane its limit per departure."""
    for key, members in riders.items():
        lane, name, load = pins[key], lane_departure(key), loads[key]
        if key not in listed:
            elsewhere = sorted(k[1] for k, bids in listed.items() if k[0] == key[0]
                               and any(r.bid in bids for r in members))
            if elsewhere:
                out.add("vehicle_departure", name, f"vehicles {name}: batches ride this "
                        f"departure, but the lane's entries listing them are for "
                        f"{', '.join(elsewhere)}")
            elif by_vehicle(lane) or tariff_of(lane) is not None:
                out.add("no_vehicle", name, f"vehicles {name}: batches ride it but no "
                        + ("vehicle is bought" if by_vehicle(lane) else "shipment is booked"))
            else:
                out.add("vehicle_entry", name, f"vehicles {name}: batches ride it but it has "
                        "no booking entry")
        limit = departure_limit(lane)
        if limit is not None and (load[0] > limit[0] + EPS or load[1] > limit[1] + EPS):
            out.add("per_kg_capacity", name, f"vehicles {name}: {load[0]:.1f} kg / "
                    f"{load[1]:.2f} m3 exceed the lane's capacity per departure")


def _check_entry(v: Mapping[str, Any], lane: Lane, riders: Mapping[Key, Sequence[Routed]],
                 loads: Mapping[Key, tuple[float, float]],
                 rides_on: Mapping[tuple[str, str], str], out: Problems) -> None:
    """One vehicles entry of a departure (``lane`` pinned to it)."""
    key = (v["lane_id"], v["period"])
    name = lane_departure(key)
    members, load = riders.get(key, ()), loads.get(key, (0.0, 0.0))
    _check_departure(v, lane, rides_on, name, out)
    _check_fields(v, lane, members, load, name, out)
    if by_vehicle(lane):
        _check_count(v, lane, load, name, out)
    elif tariff_of(lane) is not None:
        _check_shipments(v, members, name, out)
    _check_loads(v, lane, members, load, name, out)
    check_tariff(v, lane, load, name, out)


def check_vehicles(doc: Mapping[str, Any], routed: Sequence[Routed], net: Network,
                   out: Problems) -> Fleet:
    """Every vehicles entry and every lane departure a trip rides; each rider's vehicle
    shares and shares of tariff bills; each leg's tariff."""
    riders, loads, pins = _ride(routed)
    rides_on = _rides_on(routed)
    counts: dict[Key, int] = {}
    listed: dict[Key, Sequence[str]] = {}
    entries: dict[Key, Mapping[str, Any]] = {}
    for v in doc["vehicles"]:
        key = (v["lane_id"], v["period"])
        name = lane_departure(key)
        lane = _pinned(key, pins, net)
        if lane is None:
            out.add("vehicle_unknown_lane", name, f"vehicles: unknown lane {key[0]}")
            continue
        if key in counts:
            out.add("vehicle_entry", name, f"vehicles {name}: the departure is listed twice")
            continue
        counts[key] = v["count"]
        listed[key] = v["batch_ids"]
        entries[key] = v
        _check_entry(v, lane, riders, loads, rides_on, out)
    _check_uncovered(riders, loads, listed, pins, out)
    check_leg_tariffs(routed, entries, out)
    cost, bills = _share_out(riders, counts, loads, pins)
    shared = sum(r.entry.doc["components"]["vehicles"] for r in routed)
    if not close(shared, cost, CENT * max(1, len(routed))):
        out.add("vehicle_share", None, f"vehicle costs {cost:.2f} are not fully shared out to "
                f"batches ({shared:.2f})")
    return Fleet(riders, loads, counts, cost, sum(v["count"] for v in doc["vehicles"]), bills)
