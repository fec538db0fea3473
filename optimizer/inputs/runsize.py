"""Limits on a whole run: the totals its fields may each respect yet reach together.

Each field has its own bound (``schema``), but a run multiplies them: 20,000 parcels of 100 t
each on 20 t trucks make 100,000 vehicles a week on one lane (``solve`` ran for more than ten
minutes), and 40 such parcels on 1 kg "vehicles" make 4 million. Costs multiply the same way,
until the independent checker's arithmetic to the fen no longer holds. ``check_run_size``
bounds the run's totals once the returns and the network (with its overrides) are read, at
levels far above the largest run planned (500,000 parcels of ~20 kg, ~10,000 t, on the bundled
network: ~3,300 light trucks, a worst-case cost near 1e11 CNY).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from optimizer.domain import Network, Parcel
from optimizer.inputs.files import Collector

#: the weight and volume of one run's returns: 100,000 t, 1,000,000 m3 (10x the planned largest)
MAX_RUN_KG, MAX_RUN_M3 = 100_000_000, 1_000_000
#: the declared value of one run: 1e12 CNY (the planned largest is ~5e9)
MAX_RUN_VALUE_CNY = 1_000_000_000_000
#: vehicles one lane would need in a week if every parcel took the smallest vehicle of the
#: network (the bundled 3 t light truck: ~3,300 for the planned largest run)
MAX_RUN_VEHICLES = 100_000
#: a bound on any plan's cost (every leg at the dearest rates, duty and VAT at their highest):
#: costs stay well inside the range where floating-point sums are exact to the fen
MAX_RUN_CNY = 10_000_000_000_000
#: the highest duty + VAT the rules allow on a value (duty <= 500%, VAT <= 100% of value + duty)
_MAX_TAX_FACTOR = 5 + 1 * (1 + 5)


def worst_vehicles(total_kg: float, total_m3: float, network: Network) -> float:
    """Vehicles one lane would need if all of the run's goods took its smallest vehicle."""
    per_vehicle = [lane for lane in network.lanes.values() if lane.per_vehicle]
    if not per_vehicle:
        return 0.0
    return max(total_kg / min(lane.vehicle_capacity_kg for lane in per_vehicle),
               total_m3 / min(lane.vehicle_capacity_m3 for lane in per_vehicle))


def worst_cost(parcels: Sequence[Parcel], network: Network, max_legs: int) -> float:
    """An upper bound on what any plan of the run could cost (see ``MAX_RUN_CNY``)."""
    lanes = network.lanes.values()
    total_kg = sum(p.weight_kg for p in parcels)
    total_m3 = sum(p.volume_m3 for p in parcels)
    per_kg = max((lane.cost_per_kg_cny for lane in lanes), default=0.0)
    per_vehicle = max((lane.cost_per_vehicle_cny for lane in lanes), default=0.0)
    vehicles = worst_vehicles(total_kg, total_m3, network) + len(parcels)
    fee = max((n.clearance_fee_cny for n in network.nodes.values()), default=0.0)
    return (max_legs * (total_kg * per_kg + vehicles * per_vehicle) + len(parcels) * fee
            + _MAX_TAX_FACTOR * sum(p.value_cny for p in parcels))


def check_run_size(path: Path, parcels: Sequence[Parcel], network: Network,
                   max_legs: int) -> None:
    """Refuse (InputError) a run whose totals exceed the limits above, naming them."""
    col = Collector(path)
    total_kg = sum(p.weight_kg for p in parcels)
    total_m3 = sum(p.volume_m3 for p in parcels)
    total_value = sum(p.value_cny for p in parcels)
    for field, total, limit in (("weight_kg", total_kg, MAX_RUN_KG),
                                ("volume_m3", total_m3, MAX_RUN_M3),
                                ("value_cny", total_value, MAX_RUN_VALUE_CNY)):
        if total > limit:
            col.add("", field, f"the returns total {total:,.6g}, above the limit {limit:,} "
                    "for one run")
    col.raise_if_any()
    vehicles = worst_vehicles(total_kg, total_m3, network)
    if vehicles > MAX_RUN_VEHICLES:
        col.add("", "weight_kg", f"the returns would fill {vehicles:,.0f} of the network's "
                f"smallest vehicles, above the limit {MAX_RUN_VEHICLES:,} for one run")
    cost = worst_cost(parcels, network, max_legs)
    if cost > MAX_RUN_CNY:
        col.add("", "", f"a plan could cost up to {cost:,.4g} CNY (the dearest lanes, "
                f"vehicles and taxes), above the limit {MAX_RUN_CNY:,.0f} CNY for one run")
    col.raise_if_any()
