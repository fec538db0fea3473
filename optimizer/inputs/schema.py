"""The shapes of every input format, as pydantic models (the validation at the I/O edge).

Unknown keys are errors (``extra="forbid"``) in every YAML format; the CSV readers check their
header against the columns listed in their modules. Cross-references (unknown node ids,
districts, goods classes) are checked by the readers once the shapes are known.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from optimizer.domain import NODE_KINDS, RULE_IDS

Id = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$", max_length=64)]
NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
TradeMode = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
ModeLit = Literal["tir_road", "rail", "air", "road"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DistrictIn(_Strict):
    id: Id
    name: str
    pilot_since: dt.date | None = None
    source: str = ""


class NodeIn(_Strict):
    id: Id
    name: str
    kind: Literal[NODE_KINDS]  # type: ignore[valid-type]
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
    district: Id | None = None
    modes: Annotated[list[ModeLit], Field(min_length=1)]
    cbec_return_site: bool = False
    return_trade_modes: list[TradeMode] = []
    tir_open: bool = False
    clearance_fee_cny: NonNeg = 0.0
    clearance_days: Annotated[int, Field(ge=0, le=60)] = 0
    locode: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}[A-Z0-9]{3}$")] | None = None
    source: str = ""


class PortsIn(_Strict):
    districts: list[DistrictIn]
    nodes: Annotated[list[NodeIn], Field(min_length=1)]


class LaneIn(_Strict):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    lane_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    origin: Id
    destination: Id
    via: Id | None = None
    mode: ModeLit
    cost_per_kg_cny: NonNeg
    cost_per_vehicle_cny: NonNeg
    vehicle_capacity_kg: Positive
    vehicle_capacity_m3: Positive
    max_vehicles: Annotated[int, Field(ge=0)] | None = None
    transit_days: Annotated[int, Field(ge=0, le=365)]
    distance_km: NonNeg
    co2e_g_per_tkm: NonNeg
    source: str = ""


class RegimeIn(_Strict):
    id: Literal["same_route", "pilot", "nationwide"]
    start: dt.date = Field(alias="from")
    cross_district_trade_modes: list[TradeMode] = []
    return_district_must_be_pilot: bool = False
    export_district_must_be_pilot: bool = False
    source: str = ""


class GoodsClassIn(_Strict):
    forbidden_modes: list[ModeLit] = []
    tax_relief: bool = True
    duty_rate: Annotated[float, Field(ge=0, le=5, allow_inf_nan=False)] = 0.0
    source: str = ""


class ReliefPeriodIn(_Strict):
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    verified: bool = True
    source: str = ""


class TaxIn(_Strict):
    vat_rate: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
    relief_months: Annotated[int, Field(ge=0, le=120)]
    relief_periods: list[ReliefPeriodIn] = []


class DocumentIn(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")]
    name: str
    when: Literal["always"] | dict[Literal["mode", "bonded_transit", "cross_district",
                                           "tax_relief"], Any]
    source: str = ""


class RulesIn(_Strict):
    enabled: list[Literal[RULE_IDS]]  # type: ignore[valid-type]
    eligible_trade_modes: list[TradeMode]
    return_window_days: Annotated[int, Field(gt=0, le=3650)]
    regimes: Annotated[list[RegimeIn], Field(min_length=1)]
    goods_classes: dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")],
                        GoodsClassIn]
    domestic_modes: list[ModeLit]
    tax: TaxIn
    documents: list[DocumentIn] = []


class ParcelIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    parcel_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    origin: Id
    destination: Id
    weight_kg: Positive
    volume_m3: Positive
    value_cny: NonNeg
    trade_mode: TradeMode
    export_date: dt.date
    export_port: Id
    goods_class: str
    ready_date: dt.date
    deadline: dt.date | None = None


class PolicyIn(_Strict):
    regime: Literal["auto", "same_route", "pilot", "nationwide"] = "auto"


class NetworkIn(_Strict):
    ports: str
    lanes: str
    rules: str | None = None


class ConsolidationIn(_Strict):
    window_days: Annotated[int, Field(ge=0, le=365)] = 7


class ObjectiveIn(_Strict):
    cny_per_transit_day: NonNeg = 0.0
    cny_per_t_co2e: NonNeg = 0.0
    holding_cost_pct_per_year: Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)] = 0.0


class SolverIn(_Strict):
    time_limit_s: Annotated[float, Field(gt=0, le=86_400, allow_inf_nan=False)] = 30.0
    relative_gap: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 0.0
    max_legs: Annotated[int, Field(ge=1, le=8)] = 4
    log: bool = False
    scip_params: Annotated[str, StringConstraints(max_length=10_000)] = ""


class ScenarioIn(_Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    description: str = ""
    as_of: dt.date
    policy: PolicyIn = PolicyIn()
    network: NetworkIn
    returns: str
    consolidation: ConsolidationIn = ConsolidationIn()
    objective: ObjectiveIn = ObjectiveIn()
    solver: SolverIn = SolverIn()
    rules: dict[str, Any] | None = None
    overrides: dict[str, Any] | None = None
