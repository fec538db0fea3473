"""Parcels -> batches.

Parcels are consolidated when they can legally and physically travel as one declaration: the same
foreign hub, seller cluster, goods class, trade mode and export district (the district decides
what the rules allow) and, when a return that may not change district must clear through its
original export customs office (rules.yaml ``same_route_scope: office``), the same export
office; ready within ``window_days`` of the first parcel of the batch. A batch
is ready when its last parcel is; it leaves on a departure of its route after that (a trip,
``planning.schedules``), which the solver chooses. Batch ids are built from those keys, so the
same flows keep the same ids across scenarios and runs.

Every parcel is judged on its own dates: the rules check a batch on its oldest export date (the
1-year return window) and its earliest deadline, so a parcel whose window closes, or whose
deadline falls, within reach of the routes (before ``ready + window_days + horizon_days``, the
horizon being the longest route's transit) is batched only with parcels that share that exact
date. A stale parcel then never blocks a returnable one, and a parcel with a tight deadline
never forces its neighbours onto a dear route. Parcels whose dates cannot bind consolidate
freely. The binding dates appear in the batch id (``-W`` window close, ``-D`` deadline).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping

from optimizer.domain import Batch, Node, Parcel


def iso_period(day: dt.date) -> str:
    """The ISO week of a day (a batch's ready week)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


#: a batch key: hub, seller cluster, goods class, trade mode, export district, export office
#: ('' when batches are not split by office), and the binding window close and deadline (''
#: when they cannot bind)
Key = tuple[str, str, str, str, str, str, str, str]


def binding_dates(p: Parcel, window_days: int, return_window_days: int,
                  horizon_days: int) -> tuple[str, str]:
    """The parcel's return-window close and deadline (ISO dates) when either could reject a
    route it may take, '' when it cannot: it lies after the latest arrival of any route."""
    reach = p.ready_date + dt.timedelta(days=window_days + horizon_days)
    close = p.export_date + dt.timedelta(days=return_window_days)
    return (close.isoformat() if close <= reach else "",
            p.deadline.isoformat() if p.deadline is not None and p.deadline <= reach else "")


def consolidate(parcels: Iterable[Parcel], nodes: Mapping[str, Node], window_days: int,
                return_window_days: int = 365, horizon_days: int = 0,
                by_office: bool = False) -> tuple[Batch, ...]:
    """Group parcels into batches; deterministic for the same parcels in any order.

    ``horizon_days``: the longest transit of a route (days); with 0 every window close and
    deadline after the parcel's ready date and consolidation window is taken as not binding,
    so callers pass the routes' (``pipeline.prepare`` does). ``by_office``: parcels of
    different export customs offices never share a batch (``same_route_scope: office``).
    """
    groups: dict[Key, list[Parcel]] = defaultdict(list)
    for p in parcels:
        port = nodes[p.export_port]
        district = port.district or ""
        groups[(p.origin, p.destination, p.goods_class, p.trade_mode, district,
                port.office if by_office else "",
                *binding_dates(p, window_days, return_window_days, horizon_days))].append(p)

    batches: list[Batch] = []
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda p: (p.ready_date, p.parcel_id))
        chunk: list[Parcel] = []
        for p in members:
            if chunk and (p.ready_date - chunk[0].ready_date).days > window_days:
                batches.append(make_batch(key, chunk, nodes))
                chunk = []
            chunk.append(p)
        if chunk:
            batches.append(make_batch(key, chunk, nodes))
    return tuple(batches)


def make_batch(key: Key, parcels: list[Parcel], nodes: Mapping[str, Node]) -> Batch:
    """One batch of ``parcels`` under ``key`` (id, ready date, sums, binding dates)."""
    origin, destination, goods_class, trade_mode, district, office, close, deadline = key
    binds = (f"-W{close.replace('-', '')}" if close else "") + (
        f"-D{deadline.replace('-', '')}" if deadline else "")
    first = parcels[0].ready_date
    ready = max(p.ready_date for p in parcels)
    deadlines = [p.deadline for p in parcels if p.deadline is not None]
    # the most common export port names the batch's export office (ties: alphabetical)
    ports: dict[str, int] = defaultdict(int)
    for p in parcels:
        ports[p.export_port] += 1
    export_port = min(ports, key=lambda k: (-ports[k], k))
    where = f"{district}-{office}" if office else district
    return Batch(
        batch_id=f"{origin}-{destination}-{goods_class}-{trade_mode}-{where}-"
                 f"{first:%Y%m%d}{binds}",
        origin=origin, destination=destination, goods_class=goods_class,
        trade_mode=trade_mode, export_district=district, export_port=export_port,
        window_start=first, ready_date=ready, period=iso_period(ready), parcels=tuple(parcels),
        weight_kg=round(sum(p.weight_kg for p in parcels), 3),
        volume_m3=round(sum(p.volume_m3 for p in parcels), 4),
        value_cny=round(sum(p.value_cny for p in parcels), 2),
        earliest_export=min(p.export_date for p in parcels),
        deadline=min(deadlines) if deadlines else None,
        export_office=office or nodes[export_port].office,
    )
