"""Per-vehicle load lists: which batches and parcels ride each truck or container.

The solver decides how many vehicles run on one departure of a lane (vehicles are bought per
departure); here the parcels of the batches riding that departure are packed into those
vehicles, largest first (first-fit decreasing by the share of a vehicle a parcel takes, kg or
m3), keeping a batch's parcels together where they fit. A per-kg lane (air, groupage, LTL) has
one booking per departure holding every batch on it.

A load list belongs to its departure: the caller passes the lane pinned to it
(``Lane.departure``) and the batches riding it, and the plan keeps the lists in the
``VehicleUse`` of that departure, which carries its depart and arrive dates (manifests.csv and
the xlsx sheet print them on every row).
"""

from __future__ import annotations

from collections.abc import Sequence

from optimizer.domain import Batch, Lane
from optimizer.plan import VehicleLoad


def pack(lane: Lane, count: int, batches: Sequence[Batch]) -> tuple[VehicleLoad, ...]:
    """The load list of each of ``count`` vehicles of one departure of ``lane`` (or of the one
    booking of a per-kg lane), for ``batches``: those riding that departure."""
    if not lane.per_vehicle or count <= 1:
        parcels = [p for b in batches for p in b.parcels]
        return (VehicleLoad(1, sum(p.weight_kg for p in parcels),
                            sum(p.volume_m3 for p in parcels),
                            tuple(b.batch_id for b in batches),
                            tuple(p.parcel_id for p in parcels)),)
    cap_kg, cap_m3 = lane.vehicle_capacity_kg, lane.vehicle_capacity_m3
    kg = [0.0] * count
    m3 = [0.0] * count
    members: list[list[tuple[str, str]]] = [[] for _ in range(count)]
    # whole batches first (largest first), then the parcels of batches that fit nowhere whole
    leftovers = []
    for b in sorted(batches, key=lambda b: (-max(b.weight_kg / cap_kg, b.volume_m3 / cap_m3),
                                            b.batch_id)):
        slot = next((i for i in range(count) if kg[i] + b.weight_kg <= cap_kg + 1e-9
                     and m3[i] + b.volume_m3 <= cap_m3 + 1e-9), None)
        if slot is None:
            leftovers.append(b)
            continue
        kg[slot] += b.weight_kg
        m3[slot] += b.volume_m3
        members[slot] += [(b.batch_id, p.parcel_id) for p in b.parcels]
    parcels = sorted(((b.batch_id, p) for b in leftovers for p in b.parcels),
                     key=lambda bp: (-max(bp[1].weight_kg / cap_kg, bp[1].volume_m3 / cap_m3),
                                     bp[1].parcel_id))
    for batch_id, p in parcels:
        slot = next((i for i in range(count) if kg[i] + p.weight_kg <= cap_kg + 1e-9
                     and m3[i] + p.volume_m3 <= cap_m3 + 1e-9), None)
        if slot is None:  # fragmentation: the emptiest vehicle takes it (reported overfull)
            slot = min(range(count), key=lambda i: max(kg[i] / cap_kg, m3[i] / cap_m3))
        kg[slot] += p.weight_kg
        m3[slot] += p.volume_m3
        members[slot].append((batch_id, p.parcel_id))
    return tuple(VehicleLoad(i + 1, kg[i], m3[i],
                             tuple(sorted({bid for bid, _ in members[i]})),
                             tuple(pid for _, pid in members[i]))
                 for i in range(count))
