"""The capacity ledger: loads per (lane, period), the vehicles they need, and whether they fit.

Every stage that asks "how many vehicles does this load need, and does it fit the lane's
limits?" asks it here: the MIP (variable bounds, starting plans, the value of a plan), the
baselines (the greedy no-sharing plan), the local-search heuristic and assembly. Only the
independent checker (``optimizer.verify``) keeps its own arithmetic, on purpose.

A lane bought by the vehicle (``Lane.per_vehicle``) needs whole vehicles for its load, by weight or
by volume, whichever binds, and at most ``max_vehicles`` of them a period. A departure billed on a
tariff whose price depends on its whole load (``Lane.tariffed``: weight breaks, a minimum, fees per
shipment, volumetric weight) is one shipment: the batches on it share one bill, ``Tariff.cost_cny``
of their consolidated load (counted as one "vehicle" here: one booking). A lane bought by the kg
with ``max_vehicles`` set can carry at most ``max_vehicles`` vehicles' worth a period. A period is
one departure of the lane (the lanes of an option are pinned to their departures,
``planning.schedules``; the key is the departure's ISO date), or for a resource with a period of
its own, that period (``Lane.period``: a return declaration, see ``planning.declarations``).
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping

from optimizer.domain import Lane, RateLine, Tariff

#: (lane id, period)
Key = tuple[str, str]
#: (kg, m3)
Load = tuple[float, float]
#: loads below this are empty (sums and differences of floats drift)
EPS = 1e-9
#: in a model, a tariff band's units stop this far below the next break (units at the break
#: fall in the next band)
BREAK_EPS = 1e-6


def key_of(lane: Lane, period: str = "") -> Key:
    """The (lane, period) a load lands on: a lane pinned to a departure, that departure (ISO
    date); a declaration, its own group; else ``period`` (a lane not pinned: tests, old
    callers)."""
    if lane.departure is not None:
        return (lane.lane_id, lane.departure.isoformat())
    return (lane.lane_id, lane.period or period)


def vehicles_needed(lane: Lane, kg: float, m3: float) -> int:
    """Whole vehicles of ``lane`` a load needs, by weight or volume; 0 for an empty load."""
    if kg <= EPS and m3 <= EPS:
        return 0
    return max(1, math.ceil(max(kg / lane.vehicle_capacity_kg,
                                m3 / lane.vehicle_capacity_m3) - EPS))


def shared(lane: Lane) -> bool:
    """Whether the lane's cost is shared by the batches on a departure (vehicles, or one bill
    on a tariff)."""
    return lane.per_vehicle or lane.tariffed


@functools.lru_cache(maxsize=1 << 17)
def bill_cny(tariff: Tariff, kg: float, m3: float) -> float:
    """``Tariff.cost_cny``, cached: every trip of a batch on the same departure asks it again
    (a hundred thousand times on a fortnight's returns)."""
    return tariff.cost_cny(kg, m3)


def resource_cny(lane: Lane, kg: float, m3: float) -> float:
    """What a load costs on a departure's shared resource: its whole vehicles, or the tariff's
    bill of the consolidated shipment (0 for a lane priced per kg alone)."""
    if lane.per_vehicle:
        return vehicles_needed(lane, kg, m3) * lane.cost_per_vehicle_cny
    if lane.tariffed:
        assert lane.tariff is not None
        return bill_cny(lane.tariff, kg, m3)
    return 0.0


def period_capacity(lane: Lane) -> Load | None:
    """What a per-kg lane may carry in one period (None: no limit, or a per-vehicle lane)."""
    if lane.per_vehicle or lane.max_vehicles is None:
        return None
    return (lane.max_vehicles * lane.vehicle_capacity_kg,
            lane.max_vehicles * lane.vehicle_capacity_m3)


def booked_capacity(lane: Lane, count: int) -> Load:
    """The capacity a plan has on a lane in one period: ``count`` vehicles, or a per-kg lane's
    period limit (0 when it has none)."""
    n = count if lane.per_vehicle else (lane.max_vehicles or 0)
    return n * lane.vehicle_capacity_kg, n * lane.vehicle_capacity_m3


def standalone_vehicle_cny(lanes: Iterable[Lane], kg: float, m3: float) -> float:
    """What a load travelling alone pays for its own vehicles and its own tariff bills on
    ``lanes`` (limits ignored)."""
    return sum(resource_cny(lane, kg, m3) for lane in lanes)


class CapacityLedger:
    """Loads on (lane, period) and the vehicles they need.

    ``sharing=True`` (a plan): the loads on a lane share its vehicles. ``sharing=False`` (the
    greedy no-sharing baseline): every load added buys its own vehicles. ``background`` holds
    loads already there (batches fixed elsewhere): they fill vehicles and capacity. On a
    tariffed departure (``shared``, not per vehicle) a sharing ledger holds one shipment, a
    no-sharing one a shipment per load added, each billed alone.
    """

    def __init__(self, *, sharing: bool = True,
                 background: Mapping[Key, Load] | None = None) -> None:
        self.sharing = sharing
        self._kg: dict[Key, float] = defaultdict(float)
        self._m3: dict[Key, float] = defaultdict(float)
        self._own: dict[Key, int] = defaultdict(int)
        self._own_cny: dict[Key, float] = defaultdict(float)
        self._lanes: dict[Key, Lane] = {}
        for key, (kg, m3) in (background or {}).items():
            self._kg[key] += kg
            self._m3[key] += m3

    # ---- loads ------------------------------------------------------------------------------

    def add(self, lanes: Iterable[Lane], period: str, kg: float, m3: float) -> None:
        """Put a load on every lane of ``lanes`` in ``period``."""
        for lane in lanes:
            key = key_of(lane, period)
            self._lanes[key] = lane
            if not self.sharing and shared(lane):
                self._own[key] += vehicles_needed(lane, kg, m3) if lane.per_vehicle else 1
                self._own_cny[key] += resource_cny(lane, kg, m3)
            self._kg[key] += kg
            self._m3[key] += m3

    def remove(self, lanes: Iterable[Lane], period: str, kg: float, m3: float) -> None:
        """Take a load off again (sharing ledgers only)."""
        assert self.sharing, "a no-sharing ledger cannot give vehicles back"
        for lane in lanes:
            key = key_of(lane, period)
            self._kg[key] -= kg
            self._m3[key] -= m3

    def load(self, lane_id: str, period: str) -> Load:
        """The kg and m3 on a lane in a period."""
        key = (lane_id, period)
        return self._kg.get(key, 0.0), self._m3.get(key, 0.0)

    def loads(self) -> dict[Key, Load]:
        """Every non-empty (lane, period) and its load."""
        return {key: (kg, self._m3[key]) for key, kg in self._kg.items()
                if kg > EPS or self._m3[key] > EPS}

    # ---- vehicles ---------------------------------------------------------------------------

    def vehicles(self, lane: Lane, period: str) -> int:
        """Vehicles a per-vehicle lane needs in a period for what the ledger holds (shipments on
        a tariffed one: 1 when it carries something)."""
        key = key_of(lane, period)
        if not self.sharing:
            return self._own.get(key, 0)
        kg, m3 = self.load(*key)
        if lane.tariffed:
            return int(kg > EPS or m3 > EPS)
        return vehicles_needed(lane, kg, m3)

    def resource_cny(self, lane: Lane, period: str) -> float:
        """What the ledger's load on a lane in a period costs in vehicles or its tariff bill."""
        key = key_of(lane, period)
        if not self.sharing:
            return self._own_cny.get(key, 0.0)
        return resource_cny(lane, *self.load(*key))

    def vehicle_counts(self) -> dict[Key, int]:
        """Vehicles per (lane, period) on the per-vehicle lanes that carry something, and
        shipments on the tariffed ones."""
        out = {}
        for key in self._kg:
            lane = self._lanes.get(key)
            if lane is not None and shared(lane):
                n = self.vehicles(lane, key[1])
                if n:
                    out[key] = n
        return out

    def vehicle_cny(self) -> float:
        """What the vehicles and tariff bills of ``vehicle_counts`` cost."""
        return sum(self.resource_cny(self._lanes[key], key[1])
                   for key in self.vehicle_counts())

    # ---- adding one more load ---------------------------------------------------------------

    def _after(self, lane: Lane, period: str, kg: float, m3: float) -> tuple[int, int]:
        """Vehicles on a per-vehicle lane before and after adding a load."""
        before = self.vehicles(lane, period)
        if self.sharing:
            now_kg, now_m3 = self.load(*key_of(lane, period))
            return before, vehicles_needed(lane, now_kg + kg, now_m3 + m3)
        return before, before + vehicles_needed(lane, kg, m3)

    def extra_vehicle_cny(self, lanes: Iterable[Lane], period: str, kg: float,
                          m3: float) -> float | None:
        """What adding a load on ``lanes`` adds in vehicles, or None when it does not fit
        (more vehicles than a lane allows a period, or more than a per-kg lane's limit)."""
        extra = 0.0
        for lane in lanes:
            if lane.tariffed:
                extra += self._extra_bill(lane, period, kg, m3)
            if lane.per_vehicle:
                before, after = self._after(lane, period, kg, m3)
                if lane.max_vehicles is not None and after > lane.max_vehicles:
                    return None
                extra += (after - before) * lane.cost_per_vehicle_cny
                continue
            cap = period_capacity(lane)
            if cap is not None:
                now_kg, now_m3 = self.load(*key_of(lane, period))
                if now_kg + kg > cap[0] + EPS or now_m3 + m3 > cap[1] + EPS:
                    return None
        return extra

    def _extra_bill(self, lane: Lane, period: str, kg: float, m3: float) -> float:
        """What adding a load to a tariffed departure adds to its bill (its own bill when the
        ledger does not share)."""
        if not self.sharing:
            return resource_cny(lane, kg, m3)
        now_kg, now_m3 = self.load(*key_of(lane, period))
        return resource_cny(lane, now_kg + kg, now_m3 + m3) - resource_cny(lane, now_kg, now_m3)

    def fits(self, lanes: Iterable[Lane], period: str, kg: float, m3: float) -> bool:
        """Whether a load can be added on ``lanes`` within every limit."""
        return self.extra_vehicle_cny(lanes, period, kg, m3) is not None


def chargeable_measures(line: RateLine) -> list[tuple[float, float]]:
    """The chargeable units of a load as (per kg, per m3) pairs, one per measure that may
    bind: the units are the largest of them (weight or volumetric weight, t or m3)."""
    if line.basis == "kg":
        return [(1.0, 0.0)] + ([] if line.divisor_cm3_per_kg is None else [
            (0.0, 1e6 / line.divisor_cm3_per_kg)])
    if line.basis == "m3":
        return [(0.0, 1.0)]
    return [(1e-3, 0.0), (0.0, 1.0)]  # W/M: revenue tonnes
