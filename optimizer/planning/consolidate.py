"""Parcels -> batches.

Parcels are consolidated when they can legally and physically travel as one declaration: the same
foreign hub, seller cluster, goods class, trade mode and export district (the district decides
what the rules allow), ready within ``window_days`` of the first parcel of the batch. A batch
leaves when its last parcel is ready. Batch ids are built from those keys, so the same flows keep
the same ids across scenarios and runs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping

from optimizer.domain import Batch, Node, Parcel


def iso_period(day: dt.date) -> str:
    """The ISO week a batch departs in; vehicles-per-week limits apply per such period."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def consolidate(parcels: Iterable[Parcel], nodes: Mapping[str, Node],
                window_days: int) -> tuple[Batch, ...]:
    """Group parcels into batches; deterministic for the same parcels in any order."""
    groups: dict[tuple[str, str, str, str, str], list[Parcel]] = defaultdict(list)
    for p in parcels:
        district = nodes[p.export_port].district or ""
        groups[(p.origin, p.destination, p.goods_class, p.trade_mode, district)].append(p)

    batches: list[Batch] = []
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda p: (p.ready_date, p.parcel_id))
        chunk: list[Parcel] = []
        for p in members:
            if chunk and (p.ready_date - chunk[0].ready_date).days > window_days:
                batches.append(_make_batch(key, chunk))
                chunk = []
            chunk.append(p)
        if chunk:
            batches.append(_make_batch(key, chunk))
    return tuple(batches)


def _make_batch(key: tuple[str, str, str, str, str], parcels: list[Parcel]) -> Batch:
    origin, destination, goods_class, trade_mode, district = key
    first = parcels[0].ready_date
    depart = max(p.ready_date for p in parcels)
    deadlines = [p.deadline for p in parcels if p.deadline is not None]
    # the most common export port names the batch's export office (ties: alphabetical)
    ports: dict[str, int] = defaultdict(int)
    for p in parcels:
        ports[p.export_port] += 1
    export_port = min(ports, key=lambda k: (-ports[k], k))
    return Batch(
        batch_id=f"{origin}-{destination}-{goods_class}-{trade_mode}-{district}-"
                 f"{first:%Y%m%d}",
        origin=origin, destination=destination, goods_class=goods_class,
        trade_mode=trade_mode, export_district=district, export_port=export_port,
        window_start=first, depart_date=depart, period=iso_period(depart), parcels=tuple(parcels),
        weight_kg=round(sum(p.weight_kg for p in parcels), 3),
        volume_m3=round(sum(p.volume_m3 for p in parcels), 4),
        value_cny=round(sum(p.value_cny for p in parcels), 2),
        earliest_export=min(p.export_date for p in parcels),
        deadline=min(deadlines) if deadlines else None,
    )
