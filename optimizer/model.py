"""Immutable domain types shared by every stage of the pipeline.

Units are in the field names (``weight_kg``, ``cost_cny``, ``transit_days``) so that a reader never
has to guess them. Types here carry data only; the stages that compute with them are the modules
``consolidate``, ``network``, ``compliance``, ``costs``, ``solve`` and ``baselines``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

Mode = Literal["tir_road", "rail", "air", "road"]
MODES: tuple[Mode, ...] = ("tir_road", "rail", "air", "road")
NodeKind = Literal[
    "foreign_hub", "border_crossing", "airport", "rail_terminal", "clearance_site", "seller_cluster"
]
NODE_KINDS: tuple[NodeKind, ...] = (
    "foreign_hub", "border_crossing", "airport", "rail_terminal", "clearance_site", "seller_cluster"
)
#: node kinds at which customs can take a return declaration
CLEARING_KINDS: frozenset[str] = frozenset(
    {"border_crossing", "airport", "rail_terminal", "clearance_site"}
)
Regime = Literal["same_route", "pilot", "nationwide"]
REGIMES: tuple[Regime, ...] = ("same_route", "pilot", "nationwide")


@dataclass(frozen=True, slots=True)
class District:
    """A directly-subordinate customs district; ``pilot_since`` is None when it is not a pilot."""

    id: str
    name: str
    pilot_since: dt.date | None = None
    source: str = ""

    def is_pilot(self, on: dt.date) -> bool:
        """Whether the district takes cross-district 9610 returns under the pilot on ``on``."""
        return self.pilot_since is not None and self.pilot_since <= on


@dataclass(frozen=True, slots=True)
class Node:
    """A place in the network: foreign hub, crossing, airport, terminal, clearance site, sellers."""

    id: str
    name: str
    kind: NodeKind
    country: str
    lat: float
    lon: float
    modes: frozenset[str]
    district: str | None = None
    cbec_return_site: bool = False
    #: trade modes whose returns this site may supervise (empty: every eligible mode)
    return_trade_modes: frozenset[str] = frozenset()
    tir_open: bool = False
    clearance_fee_cny: float = 0.0
    clearance_days: int = 0
    locode: str | None = None
    source: str = ""

    @property
    def domestic(self) -> bool:
        """True for nodes in China (the customs territory the return enters)."""
        return self.country == "CN"

    @property
    def can_clear(self) -> bool:
        """Whether a return could be declared here at all (kind and country)."""
        return self.domestic and self.kind in CLEARING_KINDS


@dataclass(frozen=True, slots=True)
class Lane:
    """A transport service between two nodes, optionally entering China ``via`` a crossing.

    A lane with ``cost_per_vehicle_cny > 0`` is bought by the vehicle (truck, container): batches
    on it share whole vehicles. Otherwise it is bought by the kg (air, groupage, LTL) and
    ``max_vehicles * vehicle_capacity_kg`` bounds the kg a period may ship on it.
    """

    lane_id: str
    origin: str
    destination: str
    mode: Mode
    cost_per_kg_cny: float
    cost_per_vehicle_cny: float
    vehicle_capacity_kg: float
    vehicle_capacity_m3: float
    max_vehicles: int | None
    transit_days: int
    distance_km: float
    co2e_g_per_tkm: float
    via: str | None = None
    source: str = ""

    @property
    def per_vehicle(self) -> bool:
        """True when the lane is paid per vehicle and its vehicles are shared by batches."""
        return self.cost_per_vehicle_cny > 0

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every node the lane touches, in order (origin, via, destination)."""
        return (self.origin, self.via, self.destination) if self.via else (
            self.origin, self.destination)


@dataclass(frozen=True, slots=True)
class Parcel:
    """One returned parcel, as read from the returns CSV (extra columns kept in ``extra``)."""

    parcel_id: str
    origin: str
    destination: str
    weight_kg: float
    volume_m3: float
    value_cny: float
    trade_mode: str
    export_date: dt.date
    export_port: str
    goods_class: str
    ready_date: dt.date
    deadline: dt.date | None = None
    row: int = 0
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Batch:
    """A consolidated group of parcels that travels unsplit along one route."""

    batch_id: str
    origin: str
    destination: str
    goods_class: str
    trade_mode: str
    export_district: str
    export_port: str
    depart_date: dt.date
    period: str
    parcels: tuple[Parcel, ...]
    weight_kg: float
    volume_m3: float
    value_cny: float
    #: the oldest export release in the batch: it sets the legal return window
    earliest_export: dt.date
    deadline: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Closure:
    """A node or lane out of service, for ever or from ``start`` to ``end`` (inclusive)."""

    kind: Literal["node", "lane"]
    id: str
    start: dt.date | None = None
    end: dt.date | None = None

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        """Whether the closure covers any day from ``first`` to ``last``."""
        return (self.start is None or self.start <= last) and (self.end is None
                                                               or first <= self.end)

    def describe(self) -> str:
        """'KHORGOS closed 2025-07-01..2025-07-14' (or 'closed' for good)."""
        if self.start is None and self.end is None:
            return f"{self.id} closed"
        return f"{self.id} closed {self.start or '...'}..{self.end or '...'}"


@dataclass(frozen=True, slots=True)
class BatchRule:
    """A planner's decision for the batches it matches: force or forbid ports and modes."""

    match: tuple[tuple[str, str], ...]
    force_port: str | None = None
    forbid_ports: frozenset[str] = frozenset()
    force_mode: str | None = None
    forbid_modes: frozenset[str] = frozenset()

    def matches(self, batch: Batch) -> bool:
        """True when every key of ``match`` equals the batch's."""
        return all(getattr(batch, key) == value for key, value in self.match)


@dataclass(frozen=True, slots=True)
class Network:
    """The districts, nodes and lanes of one scenario (after overrides), and its closures."""

    districts: Mapping[str, District]
    nodes: Mapping[str, Node]
    lanes: Mapping[str, Lane]
    closures: tuple[Closure, ...] = ()


@dataclass(frozen=True, slots=True)
class RegimeRule:
    """The district rule of one period of the policy timeline (see data/rules.yaml)."""

    id: Regime
    start: dt.date
    cross_district_trade_modes: frozenset[str]
    return_district_must_be_pilot: bool = False
    export_district_must_be_pilot: bool = False
    source: str = ""


@dataclass(frozen=True, slots=True)
class GoodsClass:
    """What a goods class may travel by, and how it is taxed when it loses the relief."""

    id: str
    forbidden_modes: frozenset[str]
    tax_relief: bool
    duty_rate: float
    source: str = ""


@dataclass(frozen=True, slots=True)
class ReliefPeriod:
    """Exports released in [start, end] may come back tax-free within ``relief_months``."""

    start: dt.date
    end: dt.date
    verified: bool = True
    source: str = ""


@dataclass(frozen=True, slots=True)
class DocumentRule:
    """A document a batch's paperwork needs when every condition in ``when`` holds."""

    id: str
    name: str
    when: tuple[tuple[str, object], ...] = ()
    source: str = ""


@dataclass(frozen=True, slots=True)
class Rules:
    """Compliance rules and their parameters, read from data (rules.yaml) and scenario overrides."""

    enabled: tuple[str, ...]
    eligible_trade_modes: frozenset[str]
    return_window_days: int
    regimes: tuple[RegimeRule, ...]
    goods_classes: Mapping[str, GoodsClass]
    domestic_modes: frozenset[str]
    vat_rate: float
    relief_months: int
    relief_periods: tuple[ReliefPeriod, ...]
    #: the documents checklist (rule -> document), see data/rules.yaml
    documents: tuple[DocumentRule, ...] = ()
    #: planners' force/forbid decisions from the scenario's overrides
    batch_rules: tuple[BatchRule, ...] = ()

    def regime_on(self, on: dt.date) -> RegimeRule:
        """The regime in force on ``on``: the last one that started on or before it."""
        current = self.regimes[0]
        for regime in self.regimes:
            if regime.start <= on:
                current = regime
        return current

    def regime(self, regime_id: str) -> RegimeRule:
        """The regime with this id (for a scenario that forces one)."""
        for regime in self.regimes:
            if regime.id == regime_id:
                return regime
        raise KeyError(regime_id)


@dataclass(frozen=True, slots=True)
class Objective:
    """Prices that turn time and emissions into CNY next to the landed cost."""

    cny_per_transit_day: float = 0.0
    cny_per_t_co2e: float = 0.0
    #: inventory carrying cost on the declared value, % a year, charged per transit day
    holding_cost_pct_per_year: float = 0.0


@dataclass(frozen=True, slots=True)
class SolverOptions:
    """How long and how exactly to solve; seed and threads are fixed for determinism."""

    time_limit_s: float = 30.0
    relative_gap: float = 0.0
    backend: str = "SCIP"
    threads: int = 1
    seed: int = 0
    max_legs: int = 4
    #: "strong" (dominance, decomposition, linking, warm start) or "obvious" (for benchmarks)
    formulation: str = "strong"


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything one run needs, fully resolved and validated."""

    name: str
    description: str
    path: Path | None
    as_of: dt.date
    regime: Regime
    regime_forced: bool
    network: Network
    rules: Rules
    parcels: tuple[Parcel, ...]
    window_days: int
    objective: Objective
    solver: SolverOptions
    inputs: Mapping[str, str] = field(default_factory=dict)

    @property
    def regime_rule(self) -> RegimeRule:
        """The district rule in force for this scenario (forced or derived from ``as_of``)."""
        return self.rules.regime(self.regime)


# ---- results -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of one compliance rule for one batch and option."""

    rule: str
    passed: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Leg:
    """One lane of a chosen route, with the batch's share of its cost."""

    lane_id: str
    origin: str
    destination: str
    mode: str
    cost_cny: float
    transit_days: int
    via: str | None = None


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """The chosen route of one batch and what it costs, with the checks that allowed it."""

    batch_id: str
    origin: str
    destination: str
    weight_kg: float
    volume_m3: float
    value_cny: float
    goods_class: str
    trade_mode: str
    export_district: str
    return_port: str
    return_district: str
    entry_point: str
    mode: str
    legs: tuple[Leg, ...]
    depart_date: dt.date
    declare_date: dt.date
    eta: dt.date
    transit_days: int
    cost_cny: float
    components: Mapping[str, float]
    co2e_kg: float
    air_cost_cny: float | None
    same_route_cost_cny: float | None
    compliance: tuple[Check, ...]
    parcel_ids: tuple[str, ...]
    #: the documents checklist: (id, name, why)
    documents: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class VehicleLoad:
    """What one vehicle (or one per-kg booking) on a lane carries: batches and parcels."""

    vehicle: int
    load_kg: float
    load_m3: float
    batch_ids: tuple[str, ...]
    parcel_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VehicleUse:
    """Vehicles bought on one lane in one period, and how full they are."""

    lane_id: str
    period: str
    mode: str
    count: int
    load_kg: float
    load_m3: float
    capacity_kg: float
    capacity_m3: float
    cost_cny: float
    batch_ids: tuple[str, ...]
    #: per vehicle (per-vehicle lanes) or one booking (per-kg lanes): its load list
    loads: tuple[VehicleLoad, ...] = ()


@dataclass(frozen=True, slots=True)
class Unrouted:
    """A batch the plan could not route, with every reason found."""

    batch_id: str
    origin: str
    destination: str
    weight_kg: float
    reasons: tuple[Check, ...]
    parcel_ids: tuple[str, ...] = ()
    #: the smallest relaxation the solver confirmed would route the batch (see relax.py)
    would_route: Mapping[str, object] | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """The answer for one scenario: routes, vehicles, unrouted batches and solver evidence."""

    scenario: str
    status: str
    solver_status: str
    objective_cny: float | None
    bound_cny: float | None
    gap: float | None
    solve_seconds: float
    batches: tuple[BatchPlan, ...]
    vehicle_uses: tuple[VehicleUse, ...]
    unrouted: tuple[Unrouted, ...]
    #: the totals (plan.json "totals"); ``totals`` is the same as a DataFrame
    summary: Mapping[str, float | int | None]
    meta: Mapping[str, object]
    #: the nodes the plan mentions, for maps (id -> name, kind, lat, lon, district, country)
    nodes: Mapping[str, Mapping[str, object]] = field(default_factory=dict)

    # pandas views for notebooks (built on demand by report.py, which owns the columns)

    @property
    def routes(self) -> pd.DataFrame:
        """One row per routed batch: the columns of routes.csv."""
        import pandas as pd

        from optimizer.report import ROUTE_COLUMNS, route_rows
        return pd.DataFrame(route_rows(self), columns=list(ROUTE_COLUMNS))

    @property
    def vehicles(self) -> pd.DataFrame:
        """One row per lane and week: the columns of vehicles.csv."""
        import pandas as pd

        from optimizer.report import VEHICLE_COLUMNS, vehicle_rows
        return pd.DataFrame(vehicle_rows(self), columns=list(VEHICLE_COLUMNS))

    @property
    def totals(self) -> pd.DataFrame:
        """The totals as a one-row frame indexed by the scenario's name."""
        import pandas as pd
        return pd.DataFrame([dict(self.summary)], index=pd.Index([self.scenario],
                                                                name="scenario"))
