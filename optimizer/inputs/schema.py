"""The shapes of every input format, as pydantic models (the validation at the I/O edge).

Unknown keys are errors (``extra="forbid"``) in every YAML format; the CSV readers check their
header against the columns listed in their modules. Cross-references (unknown node ids,
districts, goods classes) are checked by the readers once the shapes are known.

Every number has an upper bound (the ``MAX_`` constants below) that no real input comes near,
so that no product or sum the planner forms can overflow to infinity (a weight of 1e308 kg used
to pass ``validate`` and crash ``solve``), and every date lies in 2000..2099 (date arithmetic
cannot leave the calendar). Ids are NFC without invisible or control characters, free text NFC
without control characters (see ``optimizer.inputs.text``).
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from optimizer.domain import (
    DAILY,
    DECLARATION_FIELDS,
    MODES,
    NODE_KINDS,
    RULE_IDS,
    WEEKDAYS,
    Schedule,
)
from optimizer.inputs.text import check_id, check_multiline, check_name, check_text

# ---- limits: far above anything real, low enough that sums and products stay finite ---------
#: a parcel: 100 t (a whole truck load is 20-25 t), 1,000 m3, 10 billion CNY
MAX_PARCEL_KG, MAX_PARCEL_M3, MAX_VALUE_CNY = 100_000, 1_000, 10_000_000_000
#: a lane's prices: 1 million CNY per kg (air is ~50), 1 billion CNY per vehicle (~100,000 for
#: a TIR truck across Eurasia); the same bounds hold after ``overrides.rates``
MAX_COST_PER_KG_CNY, MAX_COST_PER_VEHICLE_CNY = 1_000_000, 1_000_000_000
#: a vehicle carries 1 kg .. 10,000 t and 1 litre .. 100,000 m3 (a block train: ~1,500 t, 3,000 m3)
MIN_VEHICLE_KG, MAX_VEHICLE_KG = 1, 10_000_000
MIN_VEHICLE_M3, MAX_VEHICLE_M3 = 0.001, 100_000
#: vehicles on one departure of a lane (also after ``overrides.capacity``)
MAX_VEHICLES = 1_000_000
#: once round the Earth; 100 kg CO2e per t.km (air freight is ~600-1,000 g, a truck ~100 g)
MAX_DISTANCE_KM, MAX_CO2E_G_PER_TKM = 40_000, 100_000
#: a return declaration fee (real: 800-1,500 CNY)
MAX_CLEARANCE_FEE_CNY = 10_000_000
#: the objective's prices (``returnroute pareto`` tries up to 100,000 a day and 500,000 a tonne)
MAX_CNY_PER_TRANSIT_DAY, MAX_CNY_PER_T_CO2E = 10_000_000, 10_000_000
#: every date in every input (the CBEC return rules date from 2020; date arithmetic adds at most
#: a few decades)
MIN_DATE, MAX_DATE = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
#: ids (parcel_id, lane_id, ...) and free text
MAX_ID_CHARS, MAX_TEXT_CHARS, MAX_PATH_CHARS = 128, 10_000, 4_096


def _upto(high: float, low: float = 0, *, positive: bool = False) -> Any:
    """A finite float in [low, high] (``positive``: in (0, high]): a bounded field's type."""
    if positive:
        return Annotated[float, Field(gt=0, le=high, allow_inf_nan=False)]
    return Annotated[float, Field(ge=low, le=high, allow_inf_nan=False)]


ParcelKg = _upto(MAX_PARCEL_KG, positive=True)
ParcelM3 = _upto(MAX_PARCEL_M3, positive=True)
ValueCny = _upto(MAX_VALUE_CNY)
CostPerKg = _upto(MAX_COST_PER_KG_CNY)
CostPerVehicle = _upto(MAX_COST_PER_VEHICLE_CNY)
VehicleKg = _upto(MAX_VEHICLE_KG, MIN_VEHICLE_KG)
VehicleM3 = _upto(MAX_VEHICLE_M3, MIN_VEHICLE_M3)
DistanceKm = _upto(MAX_DISTANCE_KM)
Co2ePerTkm = _upto(MAX_CO2E_G_PER_TKM)
ClearanceFee = _upto(MAX_CLEARANCE_FEE_CNY)
CnyPerDay = _upto(MAX_CNY_PER_TRANSIT_DAY)
CnyPerTonne = _upto(MAX_CNY_PER_T_CO2E)
VehicleCount = Annotated[int, Field(ge=0, le=MAX_VEHICLES)]

Id = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$", max_length=64)]
#: a free-text id (parcel_id, lane_id, ...): NFC, no control or invisible characters
TextId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID_CHARS),
                   AfterValidator(check_id)]
#: one line of free text (names, sources): NFC, no control characters but tab
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS), AfterValidator(check_text)]
#: free text that may span lines (descriptions)
LongText = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS),
                     AfterValidator(check_multiline)]
#: a file path in a scenario (relative to the scenario)
PathText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PATH_CHARS),
                     AfterValidator(check_text)]
Date = Annotated[dt.date, Field(ge=MIN_DATE, le=MAX_DATE)]
TradeMode = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]
ModeLit = Literal[MODES]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DistrictIn(_Strict):
    id: Id
    name: Text
    pilot_since: Date | None = None
    source: Text = ""


class NodeIn(_Strict):
    id: Id
    name: Text
    kind: Literal[NODE_KINDS]  # type: ignore[valid-type]
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
    district: Id | None = None
    modes: Annotated[list[ModeLit], Field(min_length=1)]
    cbec_return_site: bool = False
    return_trade_modes: list[TradeMode] = []
    tir_open: bool = False
    clearance_fee_cny: ClearanceFee = 0.0
    clearance_days: Annotated[int, Field(ge=0, le=60)] = 0
    locode: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}[A-Z0-9]{3}$")] | None = None
    source: Text = ""
    customs_office: Id | None = None


class PortsIn(_Strict):
    districts: list[DistrictIn]
    nodes: Annotated[list[NodeIn], Field(min_length=1)]


def parse_schedule(text: str) -> Schedule:
    """A lane's ``schedule``: ``daily``, weekday names (``Mon,Thu``) or ISO dates in order
    (``2026-04-09;2026-04-16``); a ValueError says what is wrong, with a did-you-mean."""
    text = text.strip()
    if text.lower() == "daily" or text == "":
        return DAILY
    if text[:1].isdigit():
        try:
            dates = tuple(dt.date.fromisoformat(t.strip()) for t in text.split(";"))
        except ValueError:
            raise ValueError(f"schedule {text!r}: dates must be ISO (YYYY-MM-DD) separated by "
                             "';'") from None
        if list(dates) != sorted(set(dates)):
            raise ValueError(f"schedule {text!r}: dates must be in order, each once")
        if any(not MIN_DATE <= d <= MAX_DATE for d in dates):
            raise ValueError(f"schedule {text!r}: dates must lie in {MIN_DATE}..{MAX_DATE}")
        return Schedule(dates=dates)
    days: set[int] = set()
    for name in (t.strip() for t in text.split(",")):
        if name not in WEEKDAYS:
            near = difflib.get_close_matches(name.title()[:3], WEEKDAYS, n=1)
            raise ValueError(f"schedule {text!r}: unknown weekday {name!r}"
                             + (f" (did you mean {near[0]}?)" if near else "")
                             + "; use daily, weekdays such as Mon,Thu, or ISO dates "
                             "separated by ';'")
        days.add(WEEKDAYS.index(name))
    return Schedule(weekdays=frozenset(days))


class LaneIn(_Strict):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    lane_id: TextId
    origin: Id
    destination: Id
    via: Id | None = None
    mode: ModeLit
    cost_per_kg_cny: CostPerKg
    cost_per_vehicle_cny: CostPerVehicle
    vehicle_capacity_kg: VehicleKg
    vehicle_capacity_m3: VehicleM3
    max_vehicles: VehicleCount | None = None
    transit_days: Annotated[int, Field(ge=0, le=365)]
    #: when the service leaves (``parse_schedule``); a lane without one runs daily
    schedule: Text | None = None
    #: days before a departure the goods must be at the origin (none: 0)
    cutoff_days: Annotated[int, Field(ge=0, le=60)] | None = None
    distance_km: DistanceKm
    co2e_g_per_tkm: Co2ePerTkm
    source: Text = ""
    #: air lanes: ``passenger`` or ``cargo`` (none: passenger, the cautious reading)
    aircraft: Literal["passenger", "cargo"] | None = None
    #: air lanes: the service takes declared dangerous goods (none: it does not)
    dg_accepted: bool | None = None

    @model_validator(mode="after")
    def _air_only(self) -> LaneIn:
        if self.mode != "air" and (self.aircraft is not None or self.dg_accepted):
            raise ValueError(f"aircraft and dg_accepted describe air services; this lane is "
                             f"{self.mode}")
        return self

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str | None) -> str | None:
        if value is not None:
            parse_schedule(value)
        return value


class RegimeIn(_Strict):
    id: Literal["same_route", "pilot", "nationwide"]
    start: Date = Field(alias="from")
    cross_district_trade_modes: list[TradeMode] = []
    return_district_must_be_pilot: bool = False
    export_district_must_be_pilot: bool = False
    source: Text = ""


class GoodsClassIn(_Strict):
    forbidden_modes: list[ModeLit] = []
    #: what an air service must offer to carry the class: ``cargo_aircraft`` (a freighter,
    #: UN3480 batteries), ``dg_accepted`` (declared dangerous goods)
    air_needs: list[Literal["cargo_aircraft", "dg_accepted"]] = []
    tax_relief: bool = True
    duty_rate: Annotated[float, Field(ge=0, le=5, allow_inf_nan=False)] = 0.0
    source: Text = ""


class ReliefPeriodIn(_Strict):
    start: Date = Field(alias="from")
    end: Date = Field(alias="to")
    verified: bool = True
    source: Text = ""


class TaxIn(_Strict):
    vat_rate: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
    relief_months: Annotated[int, Field(ge=0, le=120)]
    relief_periods: list[ReliefPeriodIn] = []
    #: the export trade modes the relief covers (none: ``eligible_trade_modes``)
    relief_trade_modes: list[TradeMode] | None = None
    #: for these trade modes the relief clock starts when the goods left the special customs
    #: area (the parcel's ``left_area_date``), not at the export release
    relief_from_area_exit: list[TradeMode] = []
    #: goods returned for these reasons within ``quality_return_months`` of export pay no duty
    #: or import VAT (the general returned-goods rule)
    quality_return_reasons: list[Annotated[str, StringConstraints(
        pattern=r"^[a-z][a-z_]*$", max_length=32)]] = []
    quality_return_months: Annotated[int, Field(ge=0, le=120)] = 0
    quality_source: Text = ""


class TirCbecIn(_Strict):
    """When CBEC goods may travel under TIR into China: from ``from`` on everywhere TIR is open;
    before it only to the customs offices approved case by case."""

    start: Date | None = Field(default=None, alias="from")
    approved_offices: list[Id] = []
    #: the first declaration date an approved office's approval covers (an approved office not
    #: named here: any date; a date for an office not approved approves nothing)
    approved_from: dict[Id, Date] = {}
    source: Text = ""


class WhenIn(_Strict):
    """A document's condition: every key given must hold (``mode``: some leg travels by it)."""

    mode: ModeLit | None = None
    bonded_transit: bool | None = None
    cross_district: bool | None = None
    tax_relief: bool | None = None
    #: the return's customs procedure: ``cbec`` (2020 No. 44) or ``general`` (returned goods)
    procedure: Literal["cbec", "general"] | None = None
    #: a TIR leg ends at an inland office (not at the border): the inland TIR declaration
    tir_inland: bool | None = None
    #: some parcel comes back tax-free as a quality/specification return
    quality_return: bool | None = None


class DocumentIn(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$", max_length=64)]
    name: Text
    when: WhenIn
    source: Text = ""

    @field_validator("when", mode="before")
    @classmethod
    def _always(cls, value: Any) -> Any:
        """``always`` is the empty condition; any other string is an error that says what fits."""
        if value == "always":
            return {}
        if isinstance(value, str):
            raise ValueError("expected 'always' or a mapping of conditions (mode, "
                             "bonded_transit, cross_district, tax_relief, procedure, "
                             "tir_inland, quality_return)")
        return value


class DeclarationIn(_Strict):
    group_by: Annotated[list[Literal[DECLARATION_FIELDS]],  # type: ignore[valid-type]
                        Field(min_length=1)] = ["return_port", "date", "trade_mode"]
    fee_cny: ClearanceFee | None = None
    per_parcel_fee_cny: ClearanceFee = 0.0
    source: str = ""

    @field_validator("group_by")
    @classmethod
    def _port_first(cls, value: list[str]) -> list[str]:
        if "return_port" not in value:
            raise ValueError("a declaration is lodged at one return port: group_by must "
                             "include return_port")
        if len(set(value)) != len(value):
            raise ValueError("a field is listed twice")
        return value


class DisposalIn(_Strict):
    allowed: bool = False
    fee_cny_per_kg: Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)] = 0.0
    liquidation_recovery_pct: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] = 0.0
    return_recovery_pct: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] = 0.0
    forbid_goods_classes: list[Annotated[str, StringConstraints(
        pattern=r"^[a-z][a-z0-9_]*$")]] = []
    forbid_sellers: list[TextId] = []
    source: str = ""


class ExpressZoneIn(_Strict):
    up_to_km: Annotated[float, Field(gt=0, le=100_000, allow_inf_nan=False)]
    first_kg_cny: Annotated[float, Field(gt=0, le=10_000, allow_inf_nan=False)]
    extra_kg_cny: Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)]
    days: Annotated[int, Field(ge=0, le=60)]


class ExpressIn(_Strict):
    enabled: bool = False
    road_factor: Annotated[float, Field(ge=1, le=5, allow_inf_nan=False)] = 1.3
    co2e_g_per_tkm: Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)] = 0.0
    zones: list[ExpressZoneIn] = []
    source: str = ""

    @field_validator("zones")
    @classmethod
    def _ascending(cls, value: list[ExpressZoneIn]) -> list[ExpressZoneIn]:
        kms = [z.up_to_km for z in value]
        if kms != sorted(set(kms)):
            raise ValueError("zones must be listed by up_to_km, each once, nearest first")
        return value


class WaitingIn(_Strict):
    max_days: Annotated[int, Field(ge=0, le=90)] = 7
    max_departures: Annotated[int, Field(ge=1, le=30)] = 3
    storage_cny_per_kg_day: Annotated[float, Field(ge=0, le=1_000, allow_inf_nan=False)] = 0.0
    source: str = ""


class RulesIn(_Strict):
    enabled: list[Literal[RULE_IDS]]  # type: ignore[valid-type]
    eligible_trade_modes: list[TradeMode]
    general_return_trade_modes: list[TradeMode] = []
    return_window_days: Annotated[int, Field(gt=0, le=3650)]
    same_route_scope: Literal["office", "district"] = "office"
    bonded_transit: Literal["home", "any"] = "home"
    tir_cbec: TirCbecIn = TirCbecIn()
    regimes: Annotated[list[RegimeIn], Field(min_length=1)]
    goods_classes: dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")],
                        GoodsClassIn]
    domestic_modes: list[ModeLit]
    tax: TaxIn
    documents: list[DocumentIn] = []
    declaration: DeclarationIn = DeclarationIn()
    disposal: DisposalIn = DisposalIn()
    domestic_express: ExpressIn = ExpressIn()
    lateness_cny_per_parcel_day: Annotated[float, Field(
        ge=0, le=1e6, allow_inf_nan=False)] | None = None
    waiting: WaitingIn = WaitingIn()


class ParcelIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    parcel_id: TextId
    origin: Id
    destination: Id
    weight_kg: ParcelKg
    volume_m3: ParcelM3
    value_cny: ValueCny
    trade_mode: TradeMode
    export_date: Date
    export_port: Id
    goods_class: Annotated[str, StringConstraints(max_length=64)]
    ready_date: Date
    deadline: Date | None = None
    return_reason: Annotated[str, StringConstraints(max_length=64)] | None = None
    left_area_date: Date | None = None


class PolicyIn(_Strict):
    regime: Literal["auto", "same_route", "pilot", "nationwide"] = "auto"


class NetworkIn(_Strict):
    ports: PathText
    lanes: PathText
    rules: PathText | None = None
    #: the rate card (CSV or .xlsx) and exchange rates; none: ``rates.csv`` / ``fx.csv`` next
    #: to the ports file when there is one, else no rate card
    rates: PathText | None = None
    fx: PathText | None = None


class ConsolidationIn(_Strict):
    window_days: Annotated[int, Field(ge=0, le=365)] = 7


class ObjectiveIn(_Strict):
    cny_per_transit_day: CnyPerDay = 0.0
    cny_per_t_co2e: CnyPerTonne = 0.0
    holding_cost_pct_per_year: Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)] = 0.0


class SolverIn(_Strict):
    time_limit_s: Annotated[float, Field(gt=0, le=86_400, allow_inf_nan=False)] = 30.0
    relative_gap: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 0.0
    max_legs: Annotated[int, Field(ge=1, le=8)] = 4
    log: bool = False
    scip_params: Annotated[str, StringConstraints(max_length=10_000),
                           AfterValidator(check_multiline)] = ""


class CommitmentIn(_Strict):
    batch_id: TextId
    parcel_ids: Annotated[list[TextId], Field(min_length=1)]
    lanes: Annotated[list[TextId], Field(min_length=1, max_length=16)]
    return_port: Id
    depart_date: Date
    why: Text = "fixed in the scenario"


class ScenarioIn(_Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200),
                    AfterValidator(check_name)]
    description: LongText = ""
    as_of: Date
    policy: PolicyIn = PolicyIn()
    network: NetworkIn
    returns: PathText
    consolidation: ConsolidationIn = ConsolidationIn()
    objective: ObjectiveIn = ObjectiveIn()
    solver: SolverIn = SolverIn()
    rules: dict[str, Any] | None = None
    overrides: dict[str, Any] | None = None
    #: batches fixed on a trip (``domain.Commitment``); a re-plan adds its previous plan's
    commitments: list[CommitmentIn] = []
