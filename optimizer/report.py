"""Render a Plan: the JSON document, CSV tables, a self-contained HTML page and terminal tables.

Output directories are written atomically: everything goes to a temporary sibling directory
that replaces ``--out`` only once every file is complete, so a failed run never leaves a
half-written plan and never destroys the previous one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from optimizer.costs import Option
from optimizer.model import BatchPlan, Parcel, Plan
from optimizer.report_html import render as render_html


def _r(value: float | None, nd: int = 2) -> float | None:
    return None if value is None else round(float(value), nd)


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan.json document (see README "Outputs"); stable key order, rounded to the fen."""
    return {
        "scenario": plan.scenario,
        "status": plan.status,
        "solver_status": plan.solver_status,
        "objective_cny": _r(plan.objective_cny),
        "bound_cny": _r(plan.bound_cny),
        "gap": _r(plan.gap, 6),
        "solve_seconds": _r(plan.solve_seconds, 3),
        "totals": {k: (_r(v) if isinstance(v, float) else v) for k, v in plan.summary.items()},
        "batches": [_batch_dict(bp) for bp in plan.batches],
        "vehicles": [{
            "lane_id": v.lane_id, "period": v.period, "mode": v.mode, "count": v.count,
            "load_kg": _r(v.load_kg, 3), "capacity_kg": _r(v.capacity_kg, 3),
            "load_m3": _r(v.load_m3, 4), "capacity_m3": _r(v.capacity_m3, 4),
            "cost_cny": _r(v.cost_cny), "batch_ids": list(v.batch_ids),
            "loads": [{"vehicle": ld.vehicle, "load_kg": _r(ld.load_kg, 3),
                       "load_m3": _r(ld.load_m3, 4), "batch_ids": list(ld.batch_ids)}
                      for ld in v.loads]}
            for v in plan.vehicle_uses],
        "unrouted": [{
            "batch_id": u.batch_id, "origin": u.origin, "destination": u.destination,
            "weight_kg": _r(u.weight_kg, 3),
            "reasons": [{"rule": c.rule, "detail": c.detail} for c in u.reasons],
            "would_route": u.would_route, "parcel_ids": list(u.parcel_ids)}
            for u in plan.unrouted],
        "meta": plan.meta,
        "nodes": plan.nodes,
    }


def _batch_keys(bp: BatchPlan) -> dict[str, Any]:
    """What a batch is and where it clears: the fields plan.json and routes.csv share."""
    return {
        "batch_id": bp.batch_id, "origin": bp.origin, "destination": bp.destination,
        "weight_kg": _r(bp.weight_kg, 3), "volume_m3": _r(bp.volume_m3, 4),
        "value_cny": _r(bp.value_cny), "goods_class": bp.goods_class,
        "trade_mode": bp.trade_mode, "export_district": bp.export_district,
        "entry_point": bp.entry_point, "return_port": bp.return_port,
        "return_district": bp.return_district, "mode": bp.mode}


def _batch_dict(bp: BatchPlan) -> dict[str, Any]:
    return {
        **_batch_keys(bp),
        "legs": [{"lane_id": leg.lane_id, "from": leg.origin, "to": leg.destination,
                  "via": leg.via, "mode": leg.mode, "cost_cny": _r(leg.cost_cny),
                  "transit_days": leg.transit_days} for leg in bp.legs],
        "depart_date": bp.depart_date.isoformat(), "declare_date": bp.declare_date.isoformat(),
        "eta": bp.eta.isoformat(), "transit_days": bp.transit_days,
        "cost_cny": _r(bp.cost_cny),
        "components": {k: _r(v) for k, v in bp.components.items()},
        "air_cost_cny": _r(bp.air_cost_cny), "same_route_cost_cny": _r(bp.same_route_cost_cny),
        "co2e_kg": _r(bp.co2e_kg, 1),
        "compliance": [{"rule": c.rule, "passed": c.passed, "detail": c.detail}
                       for c in bp.compliance],
        "parcel_ids": list(bp.parcel_ids),
        "documents": [{"id": d, "name": n, "why": w} for d, n, w in bp.documents],
    }


def to_json(plan: Plan) -> str:
    """plan.json as text (UTF-8, indented, deterministic)."""
    return _dumps(plan_to_dict(plan))


def _dumps(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, default=_json_default) + "\n"


def _json_default(obj: object) -> object:
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset, tuple)):
        return sorted(obj) if isinstance(obj, (set, frozenset)) else list(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buf.getvalue()


ROUTE_COLUMNS = ("batch_id", "origin", "destination", "weight_kg", "volume_m3", "value_cny",
                 "goods_class", "trade_mode", "export_district", "entry_point", "return_port",
                 "return_district", "mode", "lanes", "depart_date", "declare_date", "eta",
                 "transit_days", "cost_cny", "freight_cny", "vehicles_cny", "clearance_cny",
                 "tax_exposure_cny", "air_cost_cny", "same_route_cost_cny", "co2e_kg", "parcels")
VEHICLE_COLUMNS = ("lane_id", "period", "mode", "count", "load_kg", "capacity_kg", "load_m3",
                   "capacity_m3", "utilisation_pct", "cost_cny", "batch_ids")


def route_rows(plan: Plan) -> list[dict[str, Any]]:
    """One row per routed batch (the columns of routes.csv)."""
    return [{
        **_batch_keys(bp),
        "lanes": " > ".join(leg.lane_id for leg in bp.legs),
        "depart_date": bp.depart_date.isoformat(), "declare_date": bp.declare_date.isoformat(),
        "eta": bp.eta.isoformat(), "transit_days": bp.transit_days,
        "cost_cny": _r(bp.cost_cny), "freight_cny": _r(bp.components["freight"]),
        "vehicles_cny": _r(bp.components["vehicles"]),
        "clearance_cny": _r(bp.components["clearance"]),
        "tax_exposure_cny": _r(bp.components["tax_exposure"]),
        "air_cost_cny": _r(bp.air_cost_cny), "same_route_cost_cny": _r(bp.same_route_cost_cny),
        "co2e_kg": _r(bp.co2e_kg, 1), "parcels": len(bp.parcel_ids)} for bp in plan.batches]


def vehicle_rows(plan: Plan) -> list[dict[str, Any]]:
    """One row per lane and week with vehicles bought or kg booked (vehicles.csv)."""
    return [{
        "lane_id": v.lane_id, "period": v.period, "mode": v.mode, "count": v.count,
        "load_kg": _r(v.load_kg, 3), "capacity_kg": _r(v.capacity_kg, 3),
        "load_m3": _r(v.load_m3, 4), "capacity_m3": _r(v.capacity_m3, 4),
        "utilisation_pct": _r(100 * max(v.load_kg / v.capacity_kg if v.capacity_kg else 0,
                                        v.load_m3 / v.capacity_m3 if v.capacity_m3 else 0), 1),
        "cost_cny": _r(v.cost_cny), "batch_ids": " ".join(v.batch_ids)} for v in plan.vehicle_uses]


def routes_csv(plan: Plan) -> str:
    """routes.csv: one row per routed batch."""
    return _csv(route_rows(plan), ROUTE_COLUMNS)


def vehicles_csv(plan: Plan) -> str:
    """vehicles.csv: one row per lane and period with vehicles bought or kg booked."""
    return _csv(vehicle_rows(plan), VEHICLE_COLUMNS)


PARCEL_COLUMNS = ("parcel_id", "batch_id", "origin", "destination", "weight_kg", "value_cny",
                  "trade_mode", "goods_class", "export_date", "export_port", "ready_date",
                  "return_port", "mode", "eta", "status")


def parcels_csv(plan: Plan, parcels: Sequence[Parcel]) -> str:
    """parcels.csv: every input parcel with its batch and route; extra input columns pass through.

    Parcels of unrouted batches are listed too (status ``unrouted``), so none goes missing.
    """
    where: dict[str, tuple[str, BatchPlan | None]] = {}
    for bp in plan.batches:
        for pid in bp.parcel_ids:
            where[pid] = (bp.batch_id, bp)
    for u in plan.unrouted:
        for pid in u.parcel_ids:
            where[pid] = (u.batch_id, None)
    extra = sorted({k for p in parcels for k, _ in p.extra} - set(PARCEL_COLUMNS))
    rows = []
    for p in parcels:
        batch_id, bp = where.get(p.parcel_id, ("", None))
        row: dict[str, Any] = {
            "parcel_id": p.parcel_id, "batch_id": batch_id, "origin": p.origin,
            "destination": p.destination, "weight_kg": p.weight_kg, "value_cny": p.value_cny,
            "trade_mode": p.trade_mode, "goods_class": p.goods_class,
            "export_date": p.export_date.isoformat(), "export_port": p.export_port,
            "ready_date": p.ready_date.isoformat(),
            "return_port": bp.return_port if bp else "", "mode": bp.mode if bp else "",
            "eta": bp.eta.isoformat() if bp else "", "status": "routed" if bp else "unrouted"}
        row.update({k: v for k, v in p.extra if k in extra})
        rows.append(row)
    return _csv(rows, [*PARCEL_COLUMNS, *extra])


MANIFEST_COLUMNS = ("lane_id", "period", "mode", "vehicle", "batch_id", "parcel_id",
                    "weight_kg", "volume_m3")


def manifest_rows(plan: Plan, parcels: Sequence[Parcel]) -> list[dict[str, Any]]:
    """One row per parcel per vehicle (or per-kg booking) it rides: the load lists."""
    by_id = {p.parcel_id: p for p in parcels}
    batch_of = {pid: bp.batch_id for bp in plan.batches for pid in bp.parcel_ids}
    return [{"lane_id": v.lane_id, "period": v.period, "mode": v.mode, "vehicle": ld.vehicle,
             "batch_id": batch_of[pid], "parcel_id": pid, "weight_kg": by_id[pid].weight_kg,
             "volume_m3": by_id[pid].volume_m3}
            for v in plan.vehicle_uses for ld in v.loads for pid in ld.parcel_ids]


def plan_xlsx(plan: Plan, parcels: Sequence[Parcel]) -> bytes:
    """plan.xlsx: sheets routes, vehicles, manifests and totals, for spreadsheet users.

    Written row by row with XlsxWriter (a 50,000-parcel week has ~100,000 manifest rows; going
    through DataFrames took several seconds more).
    """
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "constant_memory": True})
    bold = book.add_format({"bold": True})
    sheets: list[tuple[str, Sequence[str], Iterable[Mapping[str, Any]]]] = [
        ("routes", ROUTE_COLUMNS, route_rows(plan)),
        ("vehicles", VEHICLE_COLUMNS, vehicle_rows(plan)),
        ("manifests", MANIFEST_COLUMNS, manifest_rows(plan, parcels)),
        ("totals", ("metric", "value"), ({"metric": k, "value": v}
                                         for k, v in plan.summary.items()))]
    for name, columns, rows in sheets:
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, columns, bold)
        sheet.freeze_panes(1, 0)
        for r, row in enumerate(rows, start=1):
            sheet.write_row(r, 0, [row.get(c) for c in columns])
    book.close()
    return buf.getvalue()


#: the files ``solve --out`` writes
OUTPUT_FILES = ("plan.json", "routes.csv", "vehicles.csv", "manifests.csv", "parcels.csv",
                "plan.xlsx", "report.html")


def write_outputs(plan: Plan, out_dir: Path, parcels: Sequence[Parcel]) -> list[Path]:
    """Write every file of ``OUTPUT_FILES`` into ``out_dir`` atomically."""
    doc = plan_to_dict(plan)
    files: dict[str, str | bytes] = {
        "plan.json": _dumps(doc), "routes.csv": routes_csv(plan),
        "vehicles.csv": vehicles_csv(plan),
        "manifests.csv": _csv(manifest_rows(plan, parcels), MANIFEST_COLUMNS),
        "parcels.csv": parcels_csv(plan, parcels), "plan.xlsx": plan_xlsx(plan, parcels),
        "report.html": render_html(doc)}
    return write_atomically(Path(out_dir), files)


def write_file_atomically(path: Path, text: str) -> None:
    """Write one file through a temporary sibling, so a failure leaves the old file intact."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(out_dir: Path, files: Mapping[str, str | bytes]) -> list[Path]:
    """Create ``out_dir`` holding exactly ``files``; the old directory survives any failure."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; the output is the user's
    try:
        for name, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        old = None
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
            old.rmdir()
            out_dir.rename(old)
        tmp.rename(out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out_dir / name for name in files]


# ---- terminal -----------------------------------------------------------------------------------


#: the terminal lists every batch up to this many; beyond, the heaviest and a summary by route
MAX_SUMMARY_ROWS = 60


def print_summary(plan: Plan, console: Console) -> None:
    """Per batch: port, district, entry, mode, legs, cost, all-air, saving, days; then totals.

    A plan with more than ``MAX_SUMMARY_ROWS`` batches shows the heaviest 40 and a table by
    return port and mode; every batch is in routes.csv.
    """
    shown = plan.batches
    if len(plan.batches) > MAX_SUMMARY_ROWS:
        shown = tuple(sorted(plan.batches, key=lambda bp: (-bp.weight_kg, bp.batch_id))[:40])
    table = Table(title=f"returnroute — {plan.scenario} (as of {plan.meta.get('as_of')}, "
                        f"{plan.meta.get('regime')} regime)", show_lines=False)
    for col, justify in (("batch", "left"), ("kg", "right"), ("return port", "left"),
                         ("district", "left"), ("entry", "left"), ("mode", "left"),
                         ("legs", "left"), ("cost CNY", "right"), ("all-air CNY", "right"),
                         ("saving", "right"), ("days", "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for bp in shown:
        saving = (f"{(bp.air_cost_cny - bp.cost_cny) / bp.air_cost_cny:.0%}"
                  if bp.air_cost_cny else "—")
        table.add_row(bp.batch_id, f"{bp.weight_kg:,.1f}", bp.return_port, bp.return_district,
                      bp.entry_point, bp.mode,
                      "\n".join(f"{leg.lane_id} ({leg.cost_cny:,.0f})" for leg in bp.legs),
                      f"{bp.cost_cny:,.0f}",
                      f"{bp.air_cost_cny:,.0f}" if bp.air_cost_cny is not None else "—",
                      saving, str(bp.transit_days))
    console.print(table)
    if len(shown) < len(plan.batches):
        console.print(f"... the {len(shown)} heaviest of {len(plan.batches)} batches; all are in "
                      "routes.csv")
        groups: dict[tuple[str, str, str], list[BatchPlan]] = {}
        for bp in plan.batches:
            groups.setdefault((bp.return_port, bp.return_district, bp.mode), []).append(bp)
        by_route = Table(title="batches by return port and mode")
        for col in ("return port", "district", "mode", "batches", "kg", "cost CNY",
                    "mean days"):
            by_route.add_column(col, justify="left" if col in ("return port", "district",
                                                                "mode") else "right")
        for (port, district, mode), bps in sorted(groups.items(),
                                                  key=lambda kv: -sum(b.cost_cny
                                                                      for b in kv[1])):
            by_route.add_row(port, district, mode, str(len(bps)),
                             f"{sum(b.weight_kg for b in bps):,.0f}",
                             f"{sum(b.cost_cny for b in bps):,.0f}",
                             f"{sum(b.transit_days for b in bps) / len(bps):.1f}")
        console.print(by_route)
    unrouted = plan.unrouted
    if len(unrouted) > MAX_SUMMARY_ROWS:
        rules: dict[str, int] = {}
        for u in unrouted:
            for c in u.reasons[:1]:
                rules[c.rule] = rules.get(c.rule, 0) + 1
        console.print(f"[bold red]{len(unrouted)} batches unrouted[/] (first reason: "
                      + ", ".join(f"{r} {n}" for r, n in sorted(rules.items()))
                      + "); each with its reasons in plan.json")
        unrouted = ()
    for u in unrouted:
        console.print(f"[bold red]unrouted[/] {u.batch_id} ({u.weight_kg:,.1f} kg):")
        for c in u.reasons:
            console.print(f"    {c.rule}: {c.detail}")
        if u.would_route:
            console.print(f"    -> {u.would_route['sentence']}")
    t = plan.summary

    def fmt(v: object, suffix: str = "") -> str:
        return "—" if v is None else f"{float(v):,.1f}{suffix}"  # type: ignore[arg-type]

    console.print(
        f"total landed cost {fmt(t['cost_cny'])} CNY | all-air {fmt(t['air_baseline_cny'])} "
        f"(saving {fmt(t['saving_vs_air_pct'], '%')}) | same-route "
        f"{fmt(t['same_route_baseline_cny'])} (saving {fmt(t['saving_vs_same_route_pct'], '%')})"
        f" | greedy {fmt(t['greedy_baseline_cny'])} | CO2e {fmt(t['co2e_kg'])} kg | "
        f"{t['vehicles']} vehicles")
    console.print(
        f"status {plan.status} (solver {plan.solver_status}) | objective "
        f"{fmt(plan.objective_cny)} | bound {fmt(plan.bound_cny)} | gap "
        f"{fmt(None if plan.gap is None else plan.gap * 100, '%')} | "
        f"{plan.solve_seconds:.2f} s")


def explain_rows(options: Sequence[Option], chosen: BatchPlan | None) -> list[dict[str, Any]]:
    """One row per (return port, mode) of a batch: its best option, or why every one failed.

    Options are compared as if the batch travelled alone (``standalone``: its own vehicles), by
    objective (landed cost plus the scenario's prices for days, holding and CO2e), which is what
    the solver minimises; ``extra_vs_chosen_cny`` is the objective difference to the route the
    plan chose, also costed standalone. The chosen group shows the chosen route itself.
    """
    def objective(o: Option) -> float:
        return o.variable_cny + o.standalone_vehicle_cny

    chosen_opt = None
    if chosen is not None:
        lanes = [leg.lane_id for leg in chosen.legs]
        chosen_opt = next((o for o in options if o.route.port.id == chosen.return_port
                           and [ln.lane_id for ln in o.route.lanes] == lanes), None)
    groups: dict[tuple[str, str], list[Option]] = {}
    for opt in options:
        groups.setdefault((opt.route.port.id, opt.route.mode), []).append(opt)
    rows = []
    for (port, mode), opts in groups.items():
        allowed = [o for o in opts if o.allowed]
        is_chosen = chosen_opt is not None and chosen_opt in opts
        if is_chosen:
            best = chosen_opt
        else:
            best = min(allowed or opts, key=lambda o: (objective(o), o.route.route_id))
        rejected: dict[tuple[str, str], None] = {}
        if not allowed:
            for o in opts:
                for c in o.failed:
                    rejected[(c.rule, c.detail)] = None
        rows.append({
            "return_port": port, "return_district": best.route.port.district or "",
            "mode": mode,
            "status": "chosen" if is_chosen else ("allowed" if allowed else "rejected"),
            "standalone_cny": round(best.standalone_cny, 2),
            "objective_cny": round(objective(best), 2),
            "extra_vs_chosen_cny": (round(objective(best) - objective(chosen_opt), 2)
                                    if allowed and chosen_opt is not None else None),
            "transit_days": best.transit_days,
            "lanes": [lane.lane_id for lane in best.route.lanes],
            "rejected_by": [{"rule": r, "detail": d} for r, d in rejected],
        })
    order = {"chosen": 0, "allowed": 1, "rejected": 2}
    rows.sort(key=lambda r: (order[r["status"]], r["objective_cny"], r["return_port"],
                             r["mode"]))
    return rows
