"""The capacity ledger: loads per (lane, period), the vehicles they need, and whether they fit.

Every stage that asks "how many vehicles does this load need, and does it fit the lane's
limits?" asks it here: the MIP (variable bounds, starting plans, the value of a plan), the
baselines (the greedy no-sharing plan), the local-search heuristic and assembly. Only the
independent checker (``optimizer.verify``) keeps its own arithmetic, on purpose.

A lane bought by the vehicle (``Lane.per_vehicle``) needs whole vehicles for its load, by weight
or by volume, whichever binds, and at most ``max_vehicles`` of them a period. A lane bought by
the kg with ``max_vehicles`` set can carry at most ``max_vehicles`` vehicles' worth a period. A
period is one departure of the lane (the lanes of an option are pinned to their departures,
``planning.schedules``; the key is the departure's ISO date), or for a resource with a period of
its own, that period (``Lane.period``: a return declaration, see ``planning.declarations``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping

from optimizer.domain import Lane

#: (lane id, period)
Key = tuple[str, str]
#: (kg, m3)
Load = tuple[float, float]
#: loads below this are empty (sums and differences of floats drift)
EPS = 1e-9


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


def can_bind(lane: Lane, potential: Load) -> bool:
    """Whether one batch's use of ``lane`` can change another's cost or feasibility in a period
    where at most ``potential`` could ride it: shared vehicles, or a per-kg limit it exceeds."""
    if lane.per_vehicle:
        return True
    cap = period_capacity(lane)
    return cap is not None and (potential[0] > cap[0] or potential[1] > cap[1])


def standalone_vehicle_cny(lanes: Iterable[Lane], kg: float, m3: float) -> float:
    """What a load travelling alone pays for its own vehicles on ``lanes`` (limits ignored)."""
    return sum(vehicles_needed(lane, kg, m3) * lane.cost_per_vehicle_cny
               for lane in lanes if lane.per_vehicle)


class CapacityLedger:
    """Loads on (lane, period) and the vehicles they need.

    ``sharing=True`` (a plan): the loads on a lane share its vehicles. ``sharing=False`` (the
    greedy no-sharing baseline): every load added buys its own vehicles. ``background`` holds
    loads already there (batches fixed elsewhere): they fill vehicles and capacity.
    """

    def __init__(self, *, sharing: bool = True,
                 background: Mapping[Key, Load] | None = None) -> None:
        self.sharing = sharing
        self._kg: dict[Key, float] = defaultdict(float)
        self._m3: dict[Key, float] = defaultdict(float)
        self._own: dict[Key, int] = defaultdict(int)
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
            if not self.sharing and lane.per_vehicle:
                self._own[key] += vehicles_needed(lane, kg, m3)
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
        """Vehicles a per-vehicle lane needs in a period for what the ledger holds."""
        key = key_of(lane, period)
        if not self.sharing:
            return self._own.get(key, 0)
        return vehicles_needed(lane, *self.load(*key))

    def vehicle_counts(self) -> dict[Key, int]:
        """Vehicles per (lane, period) on the per-vehicle lanes that carry something."""
        out = {}
        for key in self._kg:
            lane = self._lanes.get(key)
            if lane is not None and lane.per_vehicle:
                n = self.vehicles(lane, key[1])
                if n:
                    out[key] = n
        return out

    def vehicle_cny(self) -> float:
        """What the vehicles of ``vehicle_counts`` cost."""
        return sum(n * self._lanes[key].cost_per_vehicle_cny
                   for key, n in self.vehicle_counts().items())

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

    def fits(self, lanes: Iterable[Lane], period: str, kg: float, m3: float) -> bool:
        """Whether a load can be added on ``lanes`` within every limit."""
        return self.extra_vehicle_cny(lanes, period, kg, m3) is not None
