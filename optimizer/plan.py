"""Typed results of a plan: what ``planning`` produces and ``outputs`` and ``analysis`` read.

A ``Plan`` holds the chosen route of every routed batch, the vehicles bought, the batches left
unrouted with their reasons, the totals, and the solver's evidence. Every field is typed (no
mapping read by string key): plan.json is one rendering of these types (``outputs.plan_json``),
the CSV and Excel tables and the pandas views are others (``outputs.tables``). Types here carry
data only and import nothing but ``optimizer.domain``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from optimizer.domain import Charge, Check, Tariff

#: the batch fields that make a *flow* (the same goods between the same places): batches of one
#: flow in different windows or scenarios are matched by it (see analysis.compare)
Flow = tuple[str, str, str, str, str]


@dataclass(frozen=True, slots=True)
class Leg:
    """One lane of a chosen route on its departure, with the batch's share of its cost."""

    lane_id: str
    origin: str
    destination: str
    mode: str
    cost_cny: float
    transit_days: int
    via: str | None = None
    #: the departure the batch rides (on the lane's schedule) and its arrival
    depart_date: dt.date | None = None
    arrive_date: dt.date | None = None
    #: the rate card line its departure is billed on and the bill of the whole shipment (""
    #: for a lane priced in lanes.csv)
    tariff: str = ""


@dataclass(frozen=True, slots=True)
class CostComponents:
    """A routed batch's landed cost by component (CNY); they add up to its ``cost_cny``."""

    #: per kg and per parcel, and its share of the tariff bills of the shipments it rides
    freight: float
    vehicles: float
    clearance: float
    tax_exposure: float
    #: storage at the hub while the batch waits for its departure
    storage: float = 0.0

    @property
    def total(self) -> float:
        """The landed cost."""
        return self.freight + self.vehicles + self.clearance + self.tax_exposure + self.storage


@dataclass(frozen=True, slots=True)
class Document:
    """One document of a batch's checklist and why it is needed."""

    id: str
    name: str
    why: str


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
    components: CostComponents
    co2e_kg: float
    air_cost_cny: float | None
    same_route_cost_cny: float | None
    compliance: tuple[Check, ...]
    parcel_ids: tuple[str, ...]
    #: the first ready date of the batch's consolidation window (orders its flow's windows)
    window_start: dt.date
    documents: tuple[Document, ...] = ()
    #: the return declaration the batch is cleared on (``Plan.declarations``)
    declaration_id: str = ""
    #: what the plan's landed cost falls by without this batch, the others unchanged: its own
    #: costs plus the vehicles and declaration no longer needed (``cost_cny`` is its share)
    marginal_cny: float = 0.0
    #: the day the batch is ready at its hub (its last parcel, or the planning date if later)
    ready_date: dt.date | None = None
    #: days it waits by choice after the first departure it could take (``depart_date`` minus
    #: that departure)
    wait_days: int = 0
    #: what leaving when it does saves against its best allowed trip leaving earlier (any
    #: route), the others unchanged (``planning.marginal.wait_savings``); 0 when none is dearer
    wait_saving_cny: float = 0.0
    #: why the batch is committed to its trip (a re-plan keeps it); empty when it is not
    committed: str = ""

    @property
    def flow(self) -> Flow:
        """Hub, seller cluster, goods class, trade mode and export district."""
        return (self.origin, self.destination, self.goods_class, self.trade_mode,
                self.export_district)


@dataclass(frozen=True, slots=True)
class Change:
    """What a re-plan did to one batch of the previous plan (or to a batch new in this one)."""

    batch_id: str
    #: kept (committed), same, changed, disposed, unrouted, gone (parcels no longer in the
    #: returns) or new (parcels the previous plan did not have)
    status: str
    before: str
    after: str
    why: str
    parcels: int


@dataclass(frozen=True, slots=True)
class Declaration:
    """One return declaration: the routed batches cleared on it and its fixed fee.

    Its batches agree on every field of the rule's ``group_by`` (by default the return port,
    the day it is lodged and the trade mode); the fee is paid once and shared by the batches in
    proportion to their parcels (each batch's ``components.clearance`` holds its share plus
    the per-parcel fees).
    """

    declaration_id: str
    return_port: str
    date: dt.date
    trade_mode: str
    fee_cny: float
    batch_ids: tuple[str, ...]
    parcels: int
    weight_kg: float


@dataclass(frozen=True, slots=True)
class Disposal:
    """A batch disposed of (or liquidated) abroad instead of returned, and why.

    ``cost_cny`` is the disposal fee plus the value lost against a return (``rules.disposal``);
    ``return_cny`` what returning it alone would cost (its cheapest compliant route with its own
    vehicles and declaration), None when no rule lets it come back.
    """

    batch_id: str
    origin: str
    destination: str
    goods_class: str
    trade_mode: str
    export_district: str
    weight_kg: float
    value_cny: float
    parcel_ids: tuple[str, ...]
    cost_cny: float
    return_cny: float | None
    #: the rules that keep it from coming back (empty when it could, but costs more)
    reasons: tuple[Check, ...]
    why: str
    #: the first ready date of the batch's consolidation window (orders its flow's windows)
    window_start: dt.date

    @property
    def flow(self) -> Flow:
        """Hub, seller cluster, goods class, trade mode and export district."""
        return (self.origin, self.destination, self.goods_class, self.trade_mode,
                self.export_district)


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
    """Vehicles bought for one departure of a lane, and how full they are (``period`` is the
    departure's ISO date)."""

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
    #: when the vehicles leave the lane's origin and arrive at its destination
    depart_date: dt.date | None = None
    arrive_date: dt.date | None = None
    #: the rate card line applied (service, price, surcharges, FX) and, for a shipment billed
    #: on its whole load, the bill: chargeable units, the break or minimum applied ("" for a
    #: lane priced in lanes.csv)
    tariff: str = ""
    #: the same as data: the tariff of the departure and its bill (of one vehicle on a lane
    #: priced per vehicle); None for a lane priced in lanes.csv
    priced: Tariff | None = None
    bill: Charge | None = None


@dataclass(frozen=True, slots=True)
class WouldRoute:
    """A counterfactual the solver confirmed: relax ``relax`` and the batch routes like this."""

    relax: tuple[str, ...]
    return_port: str
    mode: str
    cost_cny: float
    lanes: tuple[str, ...]
    detail: str

    def sentence(self) -> str:
        """The explanation as one sentence."""
        what = " and ".join(self.relax)
        return (f"would route via {self.return_port} by {self.mode} at {self.cost_cny:,.0f} CNY "
                f"if {what} {'were' if len(self.relax) == 1 else 'were all'} relaxed"
                + (f" ({self.detail})" if self.detail else ""))


@dataclass(frozen=True, slots=True)
class Unrouted:
    """A batch the plan could not route, with every reason found."""

    batch_id: str
    origin: str
    destination: str
    weight_kg: float
    reasons: tuple[Check, ...]
    parcel_ids: tuple[str, ...]
    goods_class: str
    trade_mode: str
    export_district: str
    window_start: dt.date
    #: the smallest relaxation the solver confirmed would route the batch (planning.explain)
    would_route: WouldRoute | None = None

    @property
    def flow(self) -> Flow:
        """Hub, seller cluster, goods class, trade mode and export district."""
        return (self.origin, self.destination, self.goods_class, self.trade_mode,
                self.export_district)


@dataclass(frozen=True, slots=True)
class Totals:
    """The plan's headline figures (plan.json ``totals``), every one computed at assembly.

    Savings compare only the batches that have the baseline (``batches_compared_with_*``).
    """

    cost_cny: float
    freight_cny: float
    vehicles_cny: float
    clearance_cny: float
    tax_exposure_cny: float
    air_baseline_cny: float | None
    same_route_baseline_cny: float | None
    greedy_baseline_cny: float
    saving_vs_air_cny: float | None
    saving_vs_air_pct: float | None
    saving_vs_same_route_cny: float | None
    saving_vs_same_route_pct: float | None
    batches_compared_with_air: int
    batches_compared_with_same_route: int
    same_route_unrouted: int
    co2e_kg: float
    weight_kg: float
    batches: int
    batches_routed: int
    batches_unrouted: int
    parcels: int
    vehicles: int
    mean_transit_days: float | None
    max_transit_days: int | None
    #: return declarations lodged (each batch of one shares its fee)
    declarations: int = 0
    #: the parcels of the routed batches, and of the unrouted ones with their kg and value: a
    #: plan never looks cheaper for leaving goods behind without saying so
    parcels_routed: int = 0
    parcels_unrouted: int = 0
    weight_unrouted_kg: float = 0.0
    value_unrouted_cny: float = 0.0
    #: the batches disposed of abroad: their count, parcels, kg, value and cost (fees plus the
    #: value lost against a return); ``total_cny`` = ``cost_cny`` + ``disposal_cny``
    batches_disposed: int = 0
    parcels_disposed: int = 0
    weight_disposed_kg: float = 0.0
    value_disposed_cny: float = 0.0
    disposal_cny: float = 0.0
    total_cny: float = 0.0
    #: the parcels the savings are over (the returned batches that have the baseline: that may
    #: fly, that the old rule could return), and the landed cost per returned kg
    parcels_compared_with_air: int = 0
    parcels_compared_with_same_route: int = 0
    cost_per_kg_cny: float | None = None
    #: storage at the hubs (part of ``cost_cny``); batches that wait by choice and their days
    storage_cny: float = 0.0
    batches_waiting: int = 0
    wait_days: int = 0


@dataclass(frozen=True, slots=True)
class SolverStats:
    """The size of what the solver was given (absent figures: that step did not run)."""

    batches_in_model: int | None = None
    options: int | None = None
    options_after_dominance: int | None = None
    groups: int | None = None
    largest_group: int | None = None
    variables: int | None = None
    constraints: int | None = None


@dataclass(frozen=True, slots=True)
class SolverMeta:
    """How the plan was solved: backend, settings, versions and model sizes."""

    backend: str
    threads: int
    seed: int
    time_limit_s: float
    relative_gap: float
    ortools: str
    stats: SolverStats = SolverStats()


@dataclass(frozen=True, slots=True)
class PlanMeta:
    """What the plan was made from and with (plan.json ``meta``)."""

    as_of: dt.date
    regime: str
    regime_forced: bool
    solver: SolverMeta
    #: why the heuristic plan was used, or None when the solver's was
    fallback: str | None
    #: the penalties of batches left unrouted for capacity (part of the objective)
    unrouted_penalty_cny: float
    returnroute: str
    #: the input files (scenario, ports, lanes, rules, returns), relative to the scenario's
    #: folder, so the same inputs give the same plan wherever they are run from
    inputs: Mapping[str, str] = field(default_factory=dict)
    #: True when the solver stopped at its time limit before proving optimality
    time_limit_reached: bool = False


@dataclass(frozen=True, slots=True)
class MapNode:
    """A node the plan mentions, with what a map needs to draw it."""

    name: str
    kind: str
    lat: float
    lon: float
    district: str | None
    country: str


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
    #: the headline figures (plan.json "totals")
    summary: Totals
    meta: PlanMeta
    #: the nodes the plan mentions, for maps (id -> name, kind, position, district, country)
    nodes: Mapping[str, MapNode] = field(default_factory=dict)
    #: the return declarations of the routed batches
    declarations: tuple[Declaration, ...] = ()
    #: the batches disposed of abroad instead of returned
    disposed: tuple[Disposal, ...] = ()
    #: a re-plan: what happened to each batch of the previous plan (empty otherwise)
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True, slots=True)
class Rejection:
    """A rule that rejected an option, with its detail."""

    rule: str
    detail: str


@dataclass(frozen=True, slots=True)
class ExplainedOption:
    """One (return port, mode) of a batch in ``explain``: its best route, or why none is allowed.

    Costs are as if the batch travelled alone (its own vehicles): ``objective_cny`` is what the
    solver minimises (landed cost plus the scenario's prices for days, holding and CO2e), and
    ``extra_vs_chosen_cny`` its difference to the chosen route costed the same way.
    """

    return_port: str
    return_district: str
    mode: str
    status: str  # chosen | allowed | rejected
    standalone_cny: float
    objective_cny: float
    extra_vs_chosen_cny: float | None
    transit_days: int
    lanes: tuple[str, ...]
    rejected_by: tuple[Rejection, ...]
    #: what forcing the batch onto this (port, mode) changes in the plan's objective, found by
    #: re-solving the whole plan with the batch held there (None: not re-solved; 0 for the
    #: chosen row), and the status of that re-solve (OPTIMAL: the change is exact)
    forced_change_cny: float | None = None
    forced_status: str | None = None


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why one batch goes the way it does: the chosen route, or why it is unrouted, and every
    (return port, mode) it had."""

    batch_id: str
    chosen: BatchPlan | None
    unrouted: Unrouted | None
    options: tuple[ExplainedOption, ...]
    #: the departures the chosen route rides, in leg order (a leg's lane and departure date):
    #: the vehicles, booking or shipment of each, with the rate card line and bill applied
    departures: tuple[VehicleUse, ...] = ()
