"""The returns CSV: one row per returned parcel; extra columns are kept and passed through.

The file is streamed (``files.open_csv``): each row is validated and dropped, so reading costs
the memory of the parcels, not of the file's text. A run takes at most ``MAX_PARCELS`` parcels;
reading stops at the first row over the limit. Parcel ids are compared in Unicode NFC, and a
duplicate names both lines; extra columns are free text (NFC, no control characters but tab).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from optimizer.domain import RETURN_REASONS, Lane, Node, Parcel
from optimizer.inputs.files import Collector, blank_to_none, nearest, open_csv
from optimizer.inputs.schema import ParcelIn
from optimizer.inputs.text import clean_text

RETURN_COLUMNS = (
    "parcel_id", "origin", "destination", "weight_kg", "volume_m3", "value_cny", "trade_mode",
    "export_date", "export_port", "goods_class", "ready_date",
)
RETURN_OPTIONAL = ("deadline", "return_reason", "left_area_date")
#: parcels in one run: the largest instance the project plans for is 500,000 parcels (a
#: busy week of a large platform); 20% above that, a run is refused rather than left to exhaust
#: the machine (a 1M-parcel run under a 1.5 GB cap spun for 10 minutes before this limit)
MAX_PARCELS = 600_000


def load_returns(path: Path, nodes: Mapping[str, Node], goods_classes: Iterable[str],
                 as_of: dt.date) -> tuple[Parcel, ...]:
    """Read the returns CSV: one parcel a row; extra columns are kept and passed through."""
    col = Collector(path)
    parcels: list[Parcel] = []
    with open_csv(path, RETURN_COLUMNS, RETURN_OPTIONAL, max_rows=MAX_PARCELS,
                  what="parcels") as table:
        reader = _RowReader(table.header, nodes, set(goods_classes), as_of, col)
        line = 1
        try:
            for line, row in table.rows(col):
                parcel = reader.parcel(line, row)
                if parcel is not None:
                    parcels.append(parcel)
                if col.full:
                    break
        except MemoryError:
            parcels.clear()
            raise col.stop(f"line {line}", "", f"out of memory after {len(reader.seen):,} "
                           "parcels: split the returns or run on a larger machine") from None
    col.raise_if_any()
    return tuple(parcels)


class _RowReader:
    """Turns validated rows into parcels, remembering the ids seen (first line of each)."""

    def __init__(self, header: list[str], nodes: Mapping[str, Node], classes: set[str],
                 as_of: dt.date, col: Collector) -> None:
        self.extra_cols = [h for h in header
                           if h not in RETURN_COLUMNS and h not in RETURN_OPTIONAL]
        self.nodes, self.classes, self.as_of, self.col = nodes, classes, as_of, col
        self.seen: dict[str, int] = {}
        self._shared: dict[Any, Any] = {}  # one object per repeated value (ids, dates)

    def parcel(self, line: int, row: Mapping[str, str]) -> Parcel | None:
        """The parcel of one row, or None (its problems recorded)."""
        try:
            r = ParcelIn.model_validate(blank_to_none(row, RETURN_OPTIONAL))
        except ValidationError as err:
            _shape_problems(self.col, f"line {line}", row, err, self.nodes, self.classes)
            self._extra(line, row)
            return None
        where = f"line {line} ({r.parcel_id})"
        if r.parcel_id in self.seen:
            self.col.add(where, "parcel_id", f"duplicate parcel id {r.parcel_id} (also on line "
                         f"{self.seen[r.parcel_id]})")
        else:
            self.seen[r.parcel_id] = line
        _row_problems(self.col, where, r, self.nodes, self.classes, self.as_of)
        s = self._share
        return Parcel(
            parcel_id=r.parcel_id, origin=s(r.origin), destination=s(r.destination),
            weight_kg=r.weight_kg, volume_m3=r.volume_m3, value_cny=r.value_cny,
            trade_mode=s(r.trade_mode), export_date=s(r.export_date),
            export_port=s(r.export_port), goods_class=s(r.goods_class),
            ready_date=s(r.ready_date), deadline=s(r.deadline), row=line,
            extra=self._extra(line, row), return_reason=s(r.return_reason),
            left_area_date=s(r.left_area_date))

    def _share(self, value: Any) -> Any:
        """The one stored copy of a value many parcels repeat (a node id, a date)."""
        if isinstance(value, str):
            return sys.intern(value)
        return self._shared.setdefault(value, value)

    def _extra(self, line: int, row: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
        """The extra columns' values: free text in NFC (a control character is a problem)."""
        out = []
        for c in self.extra_cols:
            try:
                out.append((c, clean_text(row[c], "the value")))
            except ValueError as exc:
                self.col.add(f"line {line}", c, str(exc))
        return tuple(out)


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
        col.add(where, "export_date", f"{r.export_date} is after the scenario's as_of {as_of}; "
                "as_of is the planning date (nothing departs before it), so a return must "
                "have been exported by then: move as_of on, or ask a what-if of another "
                "policy with policy.regime")
    if r.return_reason is not None and r.return_reason not in RETURN_REASONS:
        near = nearest(r.return_reason, RETURN_REASONS)
        col.add(where, "return_reason", f"unknown return reason {r.return_reason!r}"
                + (f" (did you mean {near}?)" if near else "")
                + f"; known: {', '.join(RETURN_REASONS)}")
    if r.left_area_date is not None and r.left_area_date < r.export_date:
        col.add(where, "left_area_date", f"{r.left_area_date} is before the export date "
                f"{r.export_date}")
    elif r.left_area_date is not None and r.left_area_date > r.ready_date:
        col.add(where, "left_area_date", f"{r.left_area_date} is after the ready date "
                f"{r.ready_date}: goods leave the special area before they are exported and "
                "come back")
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
