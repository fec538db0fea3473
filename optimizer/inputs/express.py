"""Domestic parcel express after clearance: one lane from every node that may clear a return to
every seller cluster, priced per parcel (``rules.domestic_express``).

Once cleared, returned goods are domestic parcels: a courier takes a 5 kg parcel to its seller
for a few tens of CNY, where the network's domestic lanes would buy a whole truck. The lanes are
made here from the rule's tariff: the road distance is the great-circle distance times
``road_factor``, which sets the zone (its first-kg and additional-kg prices and its days). A
pair farther apart than the last zone gets no express lane. Lane ids are
``EXPRESS_{PORT}_{CLUSTER}``; an id already in lanes.csv is left as it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from optimizer.domain import ExpressRule, ExpressZone, Lane, Node

#: mean Earth radius (km), for great-circle distances
EARTH_KM = 6371.0


def great_circle_km(a: Node, b: Node) -> float:
    """The great-circle distance between two nodes (haversine)."""
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def zone(rule: ExpressRule, km: float) -> ExpressZone | None:
    """The tariff zone of a road distance, or None beyond the last zone."""
    return next((z for z in rule.zones if km <= z.up_to_km), None)


def express_lanes(nodes: Mapping[str, Node], lanes: Mapping[str, Lane],
                  rule: ExpressRule) -> dict[str, Lane]:
    """The express lanes the rule adds (none when it is off), by lane id, sorted."""
    if not rule.enabled or not rule.zones:
        return {}
    ports = sorted(n.id for n in nodes.values() if n.can_clear and "road" in n.modes)
    clusters = sorted(n.id for n in nodes.values() if n.kind == "seller_cluster")
    out: dict[str, Lane] = {}
    for port in ports:
        for cluster in clusters:
            lane_id = f"EXPRESS_{port}_{cluster}"
            km = great_circle_km(nodes[port], nodes[cluster]) * rule.road_factor
            z = zone(rule, km)
            if lane_id in lanes or z is None:
                continue
            out[lane_id] = Lane(
                lane_id=lane_id, origin=port, destination=cluster, mode="road",
                cost_per_kg_cny=0.0, cost_per_vehicle_cny=0.0, vehicle_capacity_kg=1e9,
                vehicle_capacity_m3=1e9, max_vehicles=None, transit_days=z.days,
                distance_km=round(km, 1), co2e_g_per_tkm=rule.co2e_g_per_tkm,
                source=f"domestic express, zone up to {z.up_to_km:g} km: {rule.source}",
                parcel_first_kg_cny=z.first_kg_cny, parcel_extra_kg_cny=z.extra_kg_cny)
    return out
