"""plan.json: the one writer of the plan document, its version, and its JSON Schema.

The document is the contract other tools rely on (see README "Outputs"): stable key order,
money rounded to the fen, weights to the gram, dates in ISO 8601, input paths relative to the
scenario's folder and no timing (timings go to ``run.json``, see ``run_log``): the same inputs
give the same bytes. ``SCHEMA_VERSION`` is raised
whenever a field changes meaning or disappears; the schema shipped as package data
(``optimizer/data/plan.schema.json``, shared with the checker) describes the current version,
and ``validate`` checks a document against it with the ``jsonschema`` library.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from optimizer.errors import InputError, Problem
from optimizer.plan import (
    BatchPlan,
    Declaration,
    Disposal,
    Explanation,
    Plan,
    PlanMeta,
    SolverStats,
    Totals,
    Unrouted,
    VehicleUse,
    WouldRoute,
)

#: the version of the plan.json format this writer produces (see plan.schema.json); 3 shares
#: return declarations (``declarations``, a batch's clearance is its share of the fee) and
#: lists the batches disposed of abroad (``disposed``); 4 puts time on schedules (vehicles per
#: departure, dated legs, a batch's ready date, waiting and storage)
SCHEMA_VERSION = 5


def r(value: float | None, nd: int = 2) -> float | None:
    """A figure rounded for the document (None stays None)."""
    return None if value is None else round(float(value), nd)


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan.json document."""
    return {
        "schema_version": SCHEMA_VERSION,
        "scenario": plan.scenario,
        "status": plan.status,
        "solver_status": plan.solver_status,
        "objective_cny": r(plan.objective_cny),
        "bound_cny": r(plan.bound_cny),
        "gap": r(plan.gap, 6),
        "totals": totals_dict(plan.summary),
        "batches": [_batch_dict(bp) for bp in plan.batches],
        "vehicles": [_vehicle_dict(v) for v in plan.vehicle_uses],
        "unrouted": [_unrouted_dict(u) for u in plan.unrouted],
        "disposed": [disposal_dict(d) for d in plan.disposed],
        "declarations": [declaration_dict(d) for d in
                         sorted(plan.declarations, key=lambda d: d.declaration_id)],
        "meta": _meta_dict(plan.meta),
        "nodes": {n: {"name": m.name, "kind": m.kind, "lat": m.lat, "lon": m.lon,
                      "district": m.district, "country": m.country}
                  for n, m in plan.nodes.items()},
    }


def unwritten_totals() -> frozenset[str]:
    """The ``Totals`` fields plan.json does not carry (yet): those its schema does not
    describe, whose meaning the document (and so the checker) does not state. tests/test_schema
    names them, so a new field is a decision, not an accident."""
    described = schema()["$defs"]["totals"]["properties"]
    return frozenset(set(Totals.__dataclass_fields__) - set(described))


def totals_dict(totals: Totals) -> dict[str, Any]:
    """The totals, in their field order, money and weights rounded (without
    ``unwritten_totals``)."""
    out: dict[str, Any] = {}
    unwritten = unwritten_totals()
    for name in Totals.__dataclass_fields__:
        if name in unwritten:
            continue
        value = getattr(totals, name)
        out[name] = r(value) if isinstance(value, float) else value
    return out


def batch_keys(bp: BatchPlan) -> dict[str, Any]:
    """What a batch is and where it clears: the fields plan.json and routes.csv share."""
    return {
        "batch_id": bp.batch_id, "origin": bp.origin, "destination": bp.destination,
        "weight_kg": r(bp.weight_kg, 3), "volume_m3": r(bp.volume_m3, 4),
        "value_cny": r(bp.value_cny), "goods_class": bp.goods_class,
        "trade_mode": bp.trade_mode, "export_district": bp.export_district,
        "entry_point": bp.entry_point, "return_port": bp.return_port,
        "return_district": bp.return_district, "mode": bp.mode}


def _day(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _batch_dict(bp: BatchPlan) -> dict[str, Any]:
    c = bp.components
    return {
        **batch_keys(bp),
        "legs": [{"lane_id": leg.lane_id, "from": leg.origin, "to": leg.destination,
                  "via": leg.via, "mode": leg.mode, "cost_cny": r(leg.cost_cny),
                  "transit_days": leg.transit_days, "depart_date": _day(leg.depart_date),
                  "arrive_date": _day(leg.arrive_date), "tariff": leg.tariff or None}
                 for leg in bp.legs],
        "ready_date": _day(bp.ready_date), "depart_date": bp.depart_date.isoformat(),
        "wait_days": bp.wait_days, "wait_saving_cny": r(bp.wait_saving_cny),
        "declare_date": bp.declare_date.isoformat(),
        "eta": bp.eta.isoformat(), "transit_days": bp.transit_days,
        "cost_cny": r(bp.cost_cny),
        "components": {"freight": r(c.freight), "vehicles": r(c.vehicles),
                       "clearance": r(c.clearance), "tax_exposure": r(c.tax_exposure),
                       "storage": r(c.storage)},
        "air_cost_cny": r(bp.air_cost_cny), "same_route_cost_cny": r(bp.same_route_cost_cny),
        "co2e_kg": r(bp.co2e_kg, 1),
        "compliance": [{"rule": c.rule, "passed": c.passed, "detail": c.detail}
                       for c in bp.compliance],
        "parcel_ids": list(bp.parcel_ids),
        "documents": [{"id": d.id, "name": d.name, "why": d.why} for d in bp.documents],
        "declaration_id": bp.declaration_id,
        "marginal_cny": r(bp.marginal_cny),
        "committed": bp.committed,
    }


def declaration_dict(d: Declaration) -> dict[str, Any]:
    """One return declaration: where and when it is lodged, its fee (paid once) and what it
    covers (the fields of plan.json ``declarations`` and of declarations.csv)."""
    return {"declaration_id": d.declaration_id, "return_port": d.return_port,
            "date": d.date.isoformat(), "trade_mode": d.trade_mode, "fee_cny": r(d.fee_cny),
            "batch_ids": list(d.batch_ids), "parcels": d.parcels,
            "weight_kg": r(d.weight_kg, 3)}


def _vehicle_dict(v: VehicleUse) -> dict[str, Any]:
    return {
        "lane_id": v.lane_id, "period": v.period, "depart_date": _day(v.depart_date),
        "arrive_date": _day(v.arrive_date), "mode": v.mode, "count": v.count,
        "load_kg": r(v.load_kg, 3), "capacity_kg": r(v.capacity_kg, 3),
        "load_m3": r(v.load_m3, 4), "capacity_m3": r(v.capacity_m3, 4),
        "cost_cny": r(v.cost_cny), "batch_ids": list(v.batch_ids),
        "loads": [{"vehicle": ld.vehicle, "load_kg": r(ld.load_kg, 3),
                   "load_m3": r(ld.load_m3, 4), "batch_ids": list(ld.batch_ids)}
                  for ld in v.loads],
        "tariff": tariff_dict(v)}


def tariff_dict(v: VehicleUse) -> dict[str, Any] | None:
    """The rate card line a departure is billed on and its bill (None: priced in lanes.csv).

    Amounts are in the line's currency (``total`` is the bill: freight, surcharges and fees;
    of one vehicle on the vehicle basis), ``fx_cny`` CNY per unit of it, dated ``fx_date``."""
    t, b = v.priced, v.bill
    if t is None:
        return None
    ln = t.line
    return {
        "service": ln.service, "carrier": ln.carrier, "currency": ln.currency,
        "basis": ln.basis, "valid_from": ln.valid_from.isoformat(),
        "valid_to": _day(ln.valid_to), "breaks": [[lo, rate] for lo, rate in ln.breaks],
        "min_charge": ln.min_charge, "fee_per_shipment": ln.fee_per_shipment,
        "surcharge_pct": ln.surcharge_pct, "surcharge_per_unit": ln.surcharge_per_unit,
        "divisor_cm3_per_kg": ln.divisor_cm3_per_kg,
        "fx_cny": t.fx_cny, "fx_date": t.fx_date.isoformat(),
        "units": None if b is None else round(b.units, 6),
        "billed_units": None if b is None else round(b.billed_units, 6),
        "band_from": None if b is None else b.band_from,
        "rate": None if b is None else b.rate,
        "minimum_applied": None if b is None else b.minimum_applied,
        "freight": None if b is None else r(b.freight),
        "surcharges": None if b is None else r(b.surcharges),
        "fees": None if b is None else r(b.fees),
        "total": None if b is None else r(b.total),
        "total_cny": None if b is None else r(b.total_cny),
        "text": v.tariff,
        "source": ln.source}


def would_route_dict(w: WouldRoute | None) -> dict[str, Any] | None:
    """A verified counterfactual (``verified`` is always true: it was re-solved)."""
    if w is None:
        return None
    return {"relax": list(w.relax), "return_port": w.return_port, "mode": w.mode,
            "cost_cny": r(w.cost_cny), "lanes": list(w.lanes), "detail": w.detail,
            "sentence": w.sentence(), "verified": True}


def _unrouted_dict(u: Unrouted) -> dict[str, Any]:
    return {
        "batch_id": u.batch_id, "origin": u.origin, "destination": u.destination,
        "weight_kg": r(u.weight_kg, 3),
        "reasons": [{"rule": c.rule, "detail": c.detail} for c in u.reasons],
        "would_route": would_route_dict(u.would_route), "parcel_ids": list(u.parcel_ids)}


def disposal_dict(d: Disposal) -> dict[str, Any]:
    """A batch disposed of abroad: what it is, what disposing of it and returning it would
    cost, the rules that keep it from coming back and why (plan.json ``disposed``)."""
    return {
        "batch_id": d.batch_id, "origin": d.origin, "destination": d.destination,
        "goods_class": d.goods_class, "trade_mode": d.trade_mode,
        "export_district": d.export_district, "window_start": d.window_start.isoformat(),
        "weight_kg": r(d.weight_kg, 3), "value_cny": r(d.value_cny),
        "parcel_ids": list(d.parcel_ids), "cost_cny": r(d.cost_cny),
        "return_cny": r(d.return_cny),
        "reasons": [{"rule": c.rule, "passed": c.passed, "detail": c.detail}
                    for c in d.reasons],
        "why": d.why}


def _stats_dict(stats: SolverStats) -> dict[str, int]:
    return {name: getattr(stats, name) for name in SolverStats.__dataclass_fields__
            if getattr(stats, name) is not None}


def _meta_dict(meta: PlanMeta) -> dict[str, Any]:
    s = meta.solver
    return {
        "as_of": meta.as_of.isoformat(), "regime": meta.regime,
        "regime_forced": meta.regime_forced,
        "solver": {"backend": s.backend, "threads": s.threads, "seed": s.seed,
                   "time_limit_s": s.time_limit_s, "relative_gap": s.relative_gap,
                   "ortools": s.ortools, **_stats_dict(s.stats)},
        "fallback": meta.fallback,
        "unrouted_penalty_cny": meta.unrouted_penalty_cny,
        "returnroute": meta.returnroute,
        "inputs": dict(meta.inputs),
        "time_limit_reached": meta.time_limit_reached,
    }


def explanation_to_dict(e: Explanation) -> dict[str, Any]:
    """``explain --json``: the chosen route, the unrouted reasons, every option."""
    return {
        "batch_id": e.batch_id,
        "chosen": None if e.chosen is None else {
            "return_port": e.chosen.return_port, "mode": e.chosen.mode,
            "cost_cny": r(e.chosen.cost_cny), "lanes": [leg.lane_id for leg in e.chosen.legs]},
        "unrouted": None if e.unrouted is None else {
            "reasons": [{"rule": c.rule, "detail": c.detail} for c in e.unrouted.reasons],
            "would_route": would_route_dict(e.unrouted.would_route)},
        "options": [{
            "return_port": o.return_port, "return_district": o.return_district,
            "mode": o.mode, "status": o.status, "standalone_cny": o.standalone_cny,
            "objective_cny": o.objective_cny, "extra_vs_chosen_cny": o.extra_vs_chosen_cny,
            "transit_days": o.transit_days, "lanes": list(o.lanes),
            "rejected_by": [{"rule": x.rule, "detail": x.detail} for x in o.rejected_by],
            "forced_change_cny": r(o.forced_change_cny), "forced_status": o.forced_status}
            for o in e.options],
    }


def run_log(plan: Plan) -> dict[str, Any]:
    """run.json: what differs between identical runs (timings), kept out of plan.json so that
    the same inputs give a byte-identical plan."""
    return {"scenario": plan.scenario, "solve_seconds": r(plan.solve_seconds, 3),
            "status": plan.status, "time_limit_reached": plan.meta.time_limit_reached}


def dumps(doc: Mapping[str, Any]) -> str:
    """A document as text (UTF-8, indented, deterministic)."""
    return json.dumps(doc, indent=2, ensure_ascii=False, default=_json_default) + "\n"


def to_json(plan: Plan) -> str:
    """plan.json as text."""
    return dumps(plan_to_dict(plan))


def _json_default(obj: object) -> object:
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset, tuple)):
        return sorted(obj) if isinstance(obj, (set, frozenset)) else list(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of plan.json (shipped in the package)."""
    text = resources.files("optimizer.data").joinpath("plan.schema.json").read_text(
        encoding="utf-8")
    return json.loads(text)


def validate(doc: Mapping[str, Any]) -> list[str]:
    """Every way ``doc`` breaks the plan.json schema, as '<path>: <message>' (empty: valid)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return [f"{'/'.join(str(p) for p in err.absolute_path) or '(document)'}: {err.message}"
            for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))]


#: a saved plan larger than this is refused (the 50,000-parcel benchmark's plan.json is ~40 MB)
MAX_PLAN_BYTES = 512 * 1024 * 1024


def read_plan(path: Path) -> dict[str, Any]:
    """Read a saved plan.json: readable, strict JSON (no NaN or Infinity), a returnroute plan of
    this version that validates against the schema; anything else is bad input (exit 2)."""
    def bad(where: str, message: str) -> InputError:
        return InputError([Problem(str(path), where, "", message)])

    try:
        size = path.stat().st_size
        if size > MAX_PLAN_BYTES:
            raise bad("", f"file too large ({size} bytes, limit {MAX_PLAN_BYTES})")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise bad("", f"cannot read: {exc}") from None
    try:
        doc = json.loads(text, parse_constant=_no_constant)
    except (json.JSONDecodeError, ValueError, RecursionError) as exc:
        where = f"line {exc.lineno}, column {exc.colno}" if isinstance(
            exc, json.JSONDecodeError) else ""
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise bad(where, f"invalid JSON: {message}") from None
    if not isinstance(doc, dict) or "batches" not in doc:
        raise bad("", "not a returnroute plan.json")
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise bad("schema_version", f"plan.json version {doc.get('schema_version')!r}; this "
                  f"returnroute reads version {SCHEMA_VERSION} (solve the scenario again)")
    errors = validate(doc)
    if errors:
        raise InputError([Problem(str(path), "", "", f"not a valid plan.json: {e}")
                          for e in errors[:20]])
    return doc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")
