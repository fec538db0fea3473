"""The returns CSV: one row per returned parcel; extra columns are kept and passed through."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from optimizer.domain import Lane, Node, Parcel
from optimizer.inputs.files import Collector, blank_to_none, read_csv
from optimizer.inputs.schema import ParcelIn

RETURN_COLUMNS = (
    "parcel_id", "origin", "destination", "weight_kg", "volume_m3", "value_cny", "trade_mode",
    "export_date", "export_port", "goods_class", "ready_date",
)
RETURN_OPTIONAL = ("deadline",)


def load_returns(path: Path, nodes: Mapping[str, Node], goods_classes: Iterable[str],
                 as_of: dt.date) -> tuple[Parcel, ...]:
    """Read the returns CSV: one parcel a row; extra columns are kept and passed through."""
    header, rows = read_csv(path, RETURN_COLUMNS, RETURN_OPTIONAL)
    extra_cols = [h for h in header if h not in RETURN_COLUMNS and h not in RETURN_OPTIONAL]
    classes = set(goods_classes)
    col = Collector(path)
    parcels: list[Parcel] = []
    seen: set[str] = set()
    for line, row in rows:
        try:
            r = ParcelIn.model_validate(blank_to_none(row, ("deadline",)))
        except ValidationError as err:
            _shape_problems(col, f"line {line}", row, err, nodes, classes)
        else:
            where = f"line {line} ({r.parcel_id})"
            if r.parcel_id in seen:
                col.add(where, "parcel_id", f"duplicate parcel id {r.parcel_id}")
            seen.add(r.parcel_id)
            _row_problems(col, where, r, nodes, classes, as_of)
            parcels.append(Parcel(
                parcel_id=r.parcel_id, origin=r.origin, destination=r.destination,
                weight_kg=r.weight_kg, volume_m3=r.volume_m3, value_cny=r.value_cny,
                trade_mode=r.trade_mode, export_date=r.export_date, export_port=r.export_port,
                goods_class=r.goods_class, ready_date=r.ready_date, deadline=r.deadline,
                row=line, extra=tuple((c, row[c]) for c in extra_cols)))
        if col.full:
            break
    col.raise_if_any()
    return tuple(parcels)


def _shape_problems(col: Collector, where: str, row: Mapping[str, str], err: ValidationError,
                    nodes: Mapping[str, Node], classes: set[str]) -> None:
    """A row that failed validation: its shape errors, and the unknown ids among the fields
    that did validate (so one pass reports them all)."""
    col.add_validation(err, where)
    bad = {str(e["loc"][0]) for e in err.errors() if e["loc"]}
    for key in ("origin", "destination", "export_port"):
        if key not in bad and row.get(key) and row[key] not in nodes:
            col.add(where, key, f"unknown node {row[key]}")
    if "goods_class" not in bad and row.get("goods_class") not in classes:
        col.add(where, "goods_class", f"unknown goods class {row.get('goods_class')!r}")


def _row_problems(col: Collector, where: str, r: ParcelIn, nodes: Mapping[str, Node],
                  classes: set[str], as_of: dt.date) -> None:
    """A validated row's references and dates: node kinds, goods class, date order."""
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
        col.add(where, "export_date", f"{r.export_date} is after the scenario's as_of {as_of}")
    if r.ready_date < r.export_date:
        col.add(where, "ready_date", f"{r.ready_date} is before the export date "
                f"{r.export_date}")


def _check_node(col: Collector, where: str, field: str, node_id: str,
                nodes: Mapping[str, Node], ok: Any, what: str) -> None:
    node = nodes.get(node_id)
    if node is None:
        col.add(where, field, f"unknown node {node_id}")
    elif not ok(node):
        col.add(where, field, f"{node_id} is a {node.kind} in {node.country}, expected {what}")


def check_reachable(path: Path, parcels: Iterable[Parcel], lanes: Mapping[str, Lane]) -> None:
    """Every (hub, seller cluster) pair in the returns must be joined by some lane path."""
    successors: dict[str, set[str]] = {}
    for lane in lanes.values():
        successors.setdefault(lane.origin, set()).add(lane.destination)
    reach: dict[str, set[str]] = {}
    col = Collector(path)
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
