"""Read and validate the inputs: ports.yaml, lanes.csv, rules.yaml, the returns CSV, the scenario.

Every problem is reported with its file, its row (CSV line number) or YAML path, the field and
what is wrong, and several problems are collected before giving up, so a user fixes a file in
one pass. Validation of shapes and types is pydantic's; the cross-references (unknown node ids,
districts, goods classes) are checked here once the shapes are known. Nothing is ever written.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io as _io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from optimizer import overrides as overrides_mod
from optimizer.model import (
    NODE_KINDS,
    District,
    DocumentRule,
    GoodsClass,
    Lane,
    Network,
    Node,
    Objective,
    Parcel,
    RegimeRule,
    ReliefPeriod,
    Rules,
    Scenario,
    SolverOptions,
)

#: stop collecting after this many problems in one file
MAX_PROBLEMS = 50
#: refuse input files larger than this (bytes); a returns week of 50,000 parcels is ~6 MB
MAX_FILE_BYTES = 512 * 1024 * 1024

Id = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$", max_length=64)]
NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
TradeMode = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
ModeLit = Literal["tir_road", "rail", "air", "road"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input: where (file, row or YAML path, field) and what."""

    file: str
    where: str
    field: str
    message: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.where:
            parts.append(self.where)
        if self.field:
            parts.append(f"field '{self.field}'")
        return f"{': '.join([', '.join(parts), self.message])}"


class InputError(Exception):
    """Raised when an input is invalid; carries every problem found (up to ``MAX_PROBLEMS``)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class _Collector:
    """Accumulates problems for one file and raises them together."""

    def __init__(self, file: Path | str) -> None:
        self.file = str(file)
        self.problems: list[Problem] = []

    def add(self, where: str, field: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(self.file, where, field, message))
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append(Problem(self.file, "", "", "too many problems; stopped here"))

    def add_validation(self, err: ValidationError, where: str, prefix: str = "") -> None:
        for e in err.errors(include_url=False):
            loc = ".".join(str(x) for x in e["loc"])
            field = f"{prefix}{loc}" if prefix and loc else (prefix.rstrip(".") or loc)
            msg = e["msg"]
            if e["type"] == "extra_forbidden":
                msg = "unknown key (not part of the format)"
            elif "input" in e and e["type"] not in ("missing",):
                msg = f"{msg} (got {e['input']!r})"
            self.add(where, field, msg)

    @property
    def full(self) -> bool:
        return len(self.problems) > MAX_PROBLEMS

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)


# ---- reading files ------------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    """Read a UTF-8 text file (a BOM is accepted), with clear errors for the usual mistakes."""
    col = _Collector(path)
    if not path.exists():
        col.add("", "", "file not found")
    elif not path.is_file():
        col.add("", "", "not a file")
    elif path.stat().st_size > MAX_FILE_BYTES:
        col.add("", "", f"file too large ({path.stat().st_size} bytes, limit {MAX_FILE_BYTES})")
    col.raise_if_any()
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        hint = ""
        try:
            data.decode("gbk")
            hint = " (it looks like GBK: re-save it as UTF-8)"
        except UnicodeDecodeError:
            pass
        col.add(f"byte {exc.start}", "", f"not valid UTF-8{hint}")
        col.raise_if_any()
    if "\x00" in text:
        col.add("", "", "contains NUL bytes: not a text file")
    if not text.strip():
        col.add("", "", "file is empty")
    col.raise_if_any()
    return text


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate mapping keys instead of keeping the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key: let the base class report it
                break
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _read_yaml(path: Path) -> Any:
    """Parse a YAML file, turning syntax errors into a problem with line and column."""
    text = _read_text(path)
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError([Problem(str(path), where, "", f"invalid YAML: {problem}")]) from None


def _read_csv(path: Path, required: Iterable[str], optional: Iterable[str] = ()) -> tuple[
        list[str], list[tuple[int, dict[str, str]]]]:
    """Read a CSV with a header row; returns the header and (line number, row) pairs."""
    text = _read_text(path)
    col = _Collector(path)
    reader = csv.reader(_io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise InputError([Problem(str(path), "line 1", "", f"cannot read the header: {exc}")]) \
            from None
    required = list(required)
    missing = [c for c in required if c not in header]
    if missing:
        col.add("line 1", ", ".join(missing), "missing column(s); expected "
                + ", ".join(required) + (" (optional: " + ", ".join(optional) + ")"
                                         if optional else ""))
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        col.add("line 1", ", ".join(dupes), "duplicate column name(s)")
    if any(not h for h in header):
        col.add("line 1", "", "empty column name in the header")
    col.raise_if_any()
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for values in reader:
            line = reader.line_num
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) != len(header):
                col.add(f"line {line}", "", f"{len(values)} values for {len(header)} columns")
                if col.full:
                    break
                continue
            rows.append((line, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    except csv.Error as exc:
        col.add(f"line {reader.line_num}", "", f"malformed CSV: {exc}")
    col.raise_if_any()
    if not rows:
        raise InputError([Problem(str(path), "", "", "no data rows")])
    return header, rows


# ---- ports.yaml ---------------------------------------------------------------------------------


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


def load_ports(path: Path) -> tuple[dict[str, District], dict[str, Node]]:
    """Read ``ports.yaml``: districts and nodes, with ids unique and districts known."""
    raw = _read_yaml(path)
    col = _Collector(path)
    if not isinstance(raw, Mapping):
        raise InputError([Problem(str(path), "", "", "expected a mapping with 'districts' and "
                                  "'nodes'")])
    try:
        doc = PortsIn.model_validate(raw)
    except ValidationError as err:
        col.add_validation(err, "")
        col.raise_if_any()
        raise  # pragma: no cover - add_validation always adds
    districts: dict[str, District] = {}
    for i, d in enumerate(doc.districts):
        if d.id in districts:
            col.add(f"districts[{i}]", "id", f"duplicate district id {d.id}")
        districts[d.id] = District(d.id, d.name, d.pilot_since, d.source)
    nodes: dict[str, Node] = {}
    for i, n in enumerate(doc.nodes):
        where = f"nodes[{i}] ({n.id})"
        if n.id in nodes:
            col.add(where, "id", f"duplicate node id {n.id}")
        if n.country == "CN" and n.district is None:
            col.add(where, "district", "a node in China needs its customs district")
        if n.district is not None and n.district not in districts:
            col.add(where, "district", f"unknown district {n.district}")
        nodes[n.id] = Node(
            id=n.id, name=n.name, kind=n.kind, country=n.country, lat=n.lat, lon=n.lon,
            modes=frozenset(n.modes), district=n.district, cbec_return_site=n.cbec_return_site,
            return_trade_modes=frozenset(n.return_trade_modes), tir_open=n.tir_open,
            clearance_fee_cny=n.clearance_fee_cny, clearance_days=n.clearance_days,
            locode=n.locode, source=n.source)
    col.raise_if_any()
    return districts, nodes


# ---- lanes.csv ----------------------------------------------------------------------------------

LANE_COLUMNS = (
    "lane_id", "origin", "destination", "mode", "cost_per_kg_cny", "cost_per_vehicle_cny",
    "vehicle_capacity_kg", "vehicle_capacity_m3", "max_vehicles", "transit_days", "distance_km",
    "co2e_g_per_tkm", "source",
)
LANE_OPTIONAL = ("via",)


def _blank_to_none(row: Mapping[str, str], keys: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = dict(row)
    for k in keys:
        if k in out and out[k] == "":
            out[k] = None
    return out


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


def load_lanes(path: Path, nodes: Mapping[str, Node]) -> dict[str, Lane]:
    """Read ``lanes.csv``; every node id must exist and the lane must go somewhere."""
    header, rows = _read_csv(path, LANE_COLUMNS, LANE_OPTIONAL)
    col = _Collector(path)
    unknown = [h for h in header if h not in LANE_COLUMNS and h not in LANE_OPTIONAL]
    if unknown:
        col.add("line 1", ", ".join(unknown), "unknown column(s); lanes.csv has "
                + ", ".join((*LANE_COLUMNS, *LANE_OPTIONAL)))
        col.raise_if_any()
    lanes: dict[str, Lane] = {}
    for line, row in rows:
        where = f"line {line}"
        try:
            r = LaneIn.model_validate(_blank_to_none(row, ("via", "max_vehicles")))
        except ValidationError as err:
            col.add_validation(err, where)
            bad = {str(e["loc"][0]) for e in err.errors() if e["loc"]}
            for key in ("origin", "destination", "via"):
                if key not in bad and row.get(key) and row[key] not in nodes:
                    col.add(where, key, f"unknown node {row[key]}")
            if col.full:
                break
            continue
        where = f"line {line} ({r.lane_id})"
        for field, msg in _lane_problems(r, nodes):
            col.add(where, field, msg)
        if r.lane_id in lanes:
            col.add(where, "lane_id", f"duplicate lane id {r.lane_id}")
        lanes[r.lane_id] = _lane(r)
        if col.full:
            break
    col.raise_if_any()
    return lanes


def _lane_problems(r: LaneIn, nodes: Mapping[str, Node]) -> list[tuple[str, str]]:
    """(field, message) of what is wrong with a lane beyond its shape (lanes.csv and add_lanes)."""
    problems = [(k, f"unknown node {getattr(r, k)}") for k in ("origin", "destination", "via")
                if getattr(r, k) is not None and getattr(r, k) not in nodes]
    if r.origin == r.destination:
        problems.append(("destination", "a lane from a node to itself"))
    if r.cost_per_kg_cny == 0 and r.cost_per_vehicle_cny == 0:
        problems.append(("cost_per_kg_cny", "a lane needs a cost per kg or per vehicle"))
    return problems


def _lane(r: LaneIn) -> Lane:
    """The domain lane of a validated row."""
    return Lane(lane_id=r.lane_id, origin=r.origin, destination=r.destination, mode=r.mode,
                cost_per_kg_cny=r.cost_per_kg_cny, cost_per_vehicle_cny=r.cost_per_vehicle_cny,
                vehicle_capacity_kg=r.vehicle_capacity_kg,
                vehicle_capacity_m3=r.vehicle_capacity_m3, max_vehicles=r.max_vehicles,
                transit_days=r.transit_days, distance_km=r.distance_km,
                co2e_g_per_tkm=r.co2e_g_per_tkm, via=r.via, source=r.source)


# ---- rules.yaml ---------------------------------------------------------------------------------

RULE_IDS = ("TRADE_MODE", "RETURN_WINDOW", "DISTRICT", "CBEC_SITE", "GOODS_MODE", "TIR_OPEN",
            "NODE_MODE", "DOMESTIC_MODE", "DEADLINE", "CLOSED", "PLANNER")


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


def load_rules(path: Path, override: Mapping[str, Any] | None = None,
               override_file: str = "") -> Rules:
    """Read ``rules.yaml`` and apply a scenario's ``rules:`` overrides on top of it."""
    raw = _read_yaml(path)
    if not isinstance(raw, Mapping):
        raise InputError([Problem(str(path), "", "", "expected a mapping of rule parameters")])
    if override:
        raw = overrides_mod.deep_merge(raw, override)
    col = _Collector(f"{path}" + (f" (with overrides from {override_file})" if override else ""))
    try:
        doc = RulesIn.model_validate(raw)
    except ValidationError as err:
        col.add_validation(err, "")
        col.raise_if_any()
        raise  # pragma: no cover
    starts = [r.start for r in doc.regimes]
    if starts != sorted(starts):
        col.add("regimes", "from", "regimes must be listed in date order")
    for i, p in enumerate(doc.tax.relief_periods):
        if p.end < p.start:
            col.add(f"tax.relief_periods[{i}]", "to", "ends before it starts")
    col.raise_if_any()
    return Rules(
        enabled=tuple(doc.enabled),
        eligible_trade_modes=frozenset(doc.eligible_trade_modes),
        return_window_days=doc.return_window_days,
        regimes=tuple(RegimeRule(
            id=r.id, start=r.start, cross_district_trade_modes=frozenset(
                r.cross_district_trade_modes),
            return_district_must_be_pilot=r.return_district_must_be_pilot,
            export_district_must_be_pilot=r.export_district_must_be_pilot, source=r.source)
            for r in doc.regimes),
        goods_classes={k: GoodsClass(k, frozenset(v.forbidden_modes), v.tax_relief, v.duty_rate,
                                     v.source) for k, v in sorted(doc.goods_classes.items())},
        domestic_modes=frozenset(doc.domestic_modes),
        vat_rate=doc.tax.vat_rate,
        relief_months=doc.tax.relief_months,
        relief_periods=tuple(ReliefPeriod(p.start, p.end, p.verified, p.source)
                             for p in doc.tax.relief_periods),
        documents=tuple(DocumentRule(d.id, d.name, () if d.when == "always"
                                     else tuple(sorted(d.when.items())), d.source)
                        for d in doc.documents),
    )


# ---- returns CSV --------------------------------------------------------------------------------

RETURN_COLUMNS = (
    "parcel_id", "origin", "destination", "weight_kg", "volume_m3", "value_cny", "trade_mode",
    "export_date", "export_port", "goods_class", "ready_date",
)
RETURN_OPTIONAL = ("deadline",)


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


def load_returns(path: Path, nodes: Mapping[str, Node], goods_classes: Iterable[str],
                 as_of: dt.date) -> tuple[Parcel, ...]:
    """Read the returns CSV: one parcel a row; extra columns are kept and passed through."""
    header, rows = _read_csv(path, RETURN_COLUMNS, RETURN_OPTIONAL)
    extra_cols = [h for h in header if h not in RETURN_COLUMNS and h not in RETURN_OPTIONAL]
    classes = set(goods_classes)
    col = _Collector(path)
    parcels: list[Parcel] = []
    seen: set[str] = set()
    for line, row in rows:
        where = f"line {line}"
        try:
            r = ParcelIn.model_validate(_blank_to_none(row, ("deadline",)))
        except ValidationError as err:
            col.add_validation(err, where)
            bad = {str(e["loc"][0]) for e in err.errors() if e["loc"]}
            for key in ("origin", "destination", "export_port"):
                if key not in bad and row.get(key) and row[key] not in nodes:
                    col.add(where, key, f"unknown node {row[key]}")
            if "goods_class" not in bad and row.get("goods_class") not in classes:
                col.add(where, "goods_class", f"unknown goods class {row.get('goods_class')!r}")
            if col.full:
                break
            continue
        where = f"line {line} ({r.parcel_id})"
        if r.parcel_id in seen:
            col.add(where, "parcel_id", f"duplicate parcel id {r.parcel_id}")
        seen.add(r.parcel_id)
        _check_node(col, where, "origin", r.origin, nodes, lambda n: n.kind == "foreign_hub",
                    "a foreign_hub")
        _check_node(col, where, "destination", r.destination, nodes,
                    lambda n: n.kind == "seller_cluster", "a seller_cluster")
        _check_node(col, where, "export_port", r.export_port, nodes,
                    lambda n: n.domestic and n.district is not None, "a node in China")
        if r.goods_class not in classes:
            col.add(where, "goods_class", f"unknown goods class {r.goods_class!r} (known: "
                    + ", ".join(sorted(classes)) + ")")
        if r.export_date > as_of:
            col.add(where, "export_date", f"{r.export_date} is after the scenario's as_of "
                    f"{as_of}")
        if r.ready_date < r.export_date:
            col.add(where, "ready_date", f"{r.ready_date} is before the export date "
                    f"{r.export_date}")
        parcels.append(Parcel(
            parcel_id=r.parcel_id, origin=r.origin, destination=r.destination,
            weight_kg=r.weight_kg, volume_m3=r.volume_m3, value_cny=r.value_cny,
            trade_mode=r.trade_mode, export_date=r.export_date, export_port=r.export_port,
            goods_class=r.goods_class, ready_date=r.ready_date, deadline=r.deadline, row=line,
            extra=tuple((c, row[c]) for c in extra_cols)))
        if col.full:
            break
    col.raise_if_any()
    return tuple(parcels)


def _check_node(col: _Collector, where: str, field: str, node_id: str,
                nodes: Mapping[str, Node], ok: Any, what: str) -> None:
    node = nodes.get(node_id)
    if node is None:
        col.add(where, field, f"unknown node {node_id}")
    elif not ok(node):
        col.add(where, field, f"{node_id} is a {node.kind} in {node.country}, expected {what}")


def _check_reachable(path: Path, parcels: Iterable[Parcel], lanes: Mapping[str, Lane]) -> None:
    """Every (hub, seller cluster) pair in the returns must be joined by some lane path."""
    successors: dict[str, set[str]] = {}
    for lane in lanes.values():
        successors.setdefault(lane.origin, set()).add(lane.destination)
    reach: dict[str, set[str]] = {}
    col = _Collector(path)
    reported: set[tuple[str, str]] = set()
    for p in parcels:
        if p.origin not in reach:
            seen, stack = {p.origin}, [p.origin]
            while stack:
                for nxt in successors.get(stack.pop(), ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append(nxt)
            reach[p.origin] = seen
        if p.destination not in reach[p.origin] and (p.origin, p.destination) not in reported:
            reported.add((p.origin, p.destination))
            col.add(f"line {p.row} ({p.parcel_id})", "destination",
                    f"no lane path from {p.origin} to {p.destination}: the seller cluster is "
                    "unreachable in lanes.csv")
    col.raise_if_any()


# ---- scenario YAML ------------------------------------------------------------------------------


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


def read_scenario_doc(path: str | Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The scenario's YAML document with ``extends:`` resolved, paths relative to this process.

    A scenario may ``extends: base.yaml`` (relative to itself): the base is read first (it may
    extend another), every path in it is taken relative to the base's own file, and this file's
    keys are merged on top (mappings key by key, anything else replaced).
    """
    path = Path(path)
    key = path.resolve()
    if key in _chain:
        raise InputError([Problem(str(path), "extends", "", "extends itself (a cycle: "
                                  + " -> ".join(p.name for p in (*_chain, key)) + ")")])
    raw = _read_yaml(path)
    if not isinstance(raw, Mapping):
        raise InputError([Problem(str(path), "", "", "expected a mapping (name, as_of, network, "
                                  "returns, ...)")])
    doc = dict(raw)
    network = doc.get("network")
    if isinstance(network, Mapping):
        doc["network"] = {k: (str(path.parent / v) if k in ("ports", "lanes", "rules")
                              and isinstance(v, str) else v) for k, v in network.items()}
    if isinstance(doc.get("returns"), str):
        doc["returns"] = str(path.parent / doc["returns"])
    base = doc.pop("extends", None)
    if base is not None:
        if not isinstance(base, str):
            raise InputError([Problem(str(path), "extends", "", "expected the path of the "
                                      "scenario this one builds on")])
        doc = overrides_mod.deep_merge(read_scenario_doc(path.parent / base, (*_chain, key)),
                                       doc)
    return doc


def _lane_from_row(row: Mapping[str, Any], nodes: Mapping[str, Node]) -> Lane | list[
        tuple[str, str]]:
    """An added lane (same columns and rules as lanes.csv), or its problems."""
    try:
        r = LaneIn.model_validate(dict(row))
    except ValidationError as err:
        return [(".".join(str(x) for x in e["loc"]), e["msg"])
                for e in err.errors(include_url=False)]
    return _lane_problems(r, nodes) or _lane(r)


def load_scenario(path: str | Path, **overrides: Any) -> Scenario:
    """Read a scenario YAML and everything it points to; paths are relative to the scenario.

    Keyword arguments are scenario keys merged on top of the file (the Python API's what-ifs),
    e.g. ``load_scenario(p, as_of="2024-06-01", overrides={"close": {"nodes": ["KHORGOS"]}})``.
    """
    path = Path(path)
    raw = read_scenario_doc(path)
    if overrides:
        raw = overrides_mod.deep_merge(raw, overrides)
    col = _Collector(path)
    try:
        doc = ScenarioIn.model_validate(raw)
    except ValidationError as err:
        col.add_validation(err, "")
        col.raise_if_any()
        raise  # pragma: no cover
    ports_path = Path(doc.network.ports)
    lanes_path = Path(doc.network.lanes)
    rules_path = Path(doc.network.rules) if doc.network.rules else \
        ports_path.parent / "rules.yaml"
    returns_path = Path(doc.returns)

    districts, nodes = load_ports(ports_path)
    lanes = load_lanes(lanes_path, nodes)
    rules = load_rules(rules_path, doc.rules, str(path))
    network = Network(districts=districts, nodes=nodes, lanes=lanes)
    try:
        ov = overrides_mod.parse(doc.overrides)
    except ValidationError as err:
        raise InputError([Problem(str(path), where, "", msg) for where, msg in
                          overrides_mod.validation_problems(err)]) from None
    network, batch_rules, problems = overrides_mod.apply(network, ov, _lane_from_row)
    if problems:
        raise InputError([Problem(str(path), where, "", msg) for where, msg in problems])
    rules = dataclasses.replace(rules, batch_rules=batch_rules)
    parcels = load_returns(returns_path, network.nodes, rules.goods_classes, doc.as_of)
    _check_reachable(returns_path, parcels, network.lanes)

    regime = doc.policy.regime
    forced = regime != "auto"
    if forced and regime not in {r.id for r in rules.regimes}:
        col.add("policy", "regime", f"regime {regime} is not defined in {rules_path}")
        col.raise_if_any()
    resolved = regime if forced else rules.regime_on(doc.as_of).id
    return Scenario(
        name=doc.name, description=doc.description, path=path, as_of=doc.as_of,
        regime=resolved, regime_forced=forced,  # type: ignore[arg-type]
        network=network, rules=rules,
        parcels=parcels, window_days=doc.consolidation.window_days,
        objective=Objective(doc.objective.cny_per_transit_day, doc.objective.cny_per_t_co2e,
                            doc.objective.holding_cost_pct_per_year),
        solver=SolverOptions(time_limit_s=doc.solver.time_limit_s,
                             relative_gap=doc.solver.relative_gap, max_legs=doc.solver.max_legs),
        inputs={"scenario": str(path), "ports": str(ports_path), "lanes": str(lanes_path),
                "rules": str(rules_path), "returns": str(returns_path)},
    )


__all__ = ["InputError", "Problem", "load_lanes", "load_ports", "load_returns",
           "load_rules", "load_scenario"]
