"""Parcels and batches: every parcel once, every batch a valid consolidation of its parcels.

The batches are rebuilt from the plan's own ``parcel_ids`` lists, not by re-running the
planner's consolidation: a plan that groups the parcels differently from the planner, but
validly, passes. The grouping contract is what customs and the sellers rely on, not one
particular grouping.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.domain import Batch, Node, Parcel, Scenario
from optimizer.verify.arith import iso_week
from optimizer.verify.problems import CENT, KG, M3, Problems, close

#: the parcel fields (and the export district) every parcel of one batch shares
GROUP_FIELDS: tuple[str, ...] = ("origin", "destination", "goods_class", "trade_mode",
                                 "export_district")
#: and the export customs office, when returns that may not change district must come back
#: through it (rules.yaml ``same_route_scope: office``)
OFFICE_FIELDS: tuple[str, ...] = (*GROUP_FIELDS, "export_office")


#: what may follow the base id: the window close and the deadline that bind the batch
_SUFFIX = re.compile(r"(?:-W(\d{8}))?(?:-D(\d{8}))?")


@dataclass(frozen=True, slots=True)
class Entry:
    """A batch of the plan (routed or unrouted): its document entry, the id the plan gives it,
    and the batch its parcels make (None when none of its parcels is in the returns file)."""

    doc: Mapping[str, Any]
    bid: str
    batch: Batch | None


def _district(p: Parcel, nodes: Mapping[str, Node]) -> str:
    """The export district of a parcel: the district of its export port ('' when unknown)."""
    node = nodes.get(p.export_port)
    return (node.district or "") if node is not None else ""


def _port_office(port: str, nodes: Mapping[str, Node]) -> str:
    """The customs office of an export port ('' when unknown)."""
    node = nodes.get(port)
    return node.office if node is not None else ""


def _office(p: Parcel, nodes: Mapping[str, Node]) -> str:
    """The customs office of a parcel's export port ('' when unknown)."""
    return _port_office(p.export_port, nodes)


def _fields(scenario: Scenario) -> tuple[str, ...]:
    """The fields every parcel of one batch shares in this scenario."""
    return OFFICE_FIELDS if scenario.rules.same_route_scope == "office" else GROUP_FIELDS


def _group_values(p: Parcel, nodes: Mapping[str, Node],
                  fields: tuple[str, ...] = GROUP_FIELDS) -> tuple[str, ...]:
    """The parcel's values of ``fields``."""
    values = (p.origin, p.destination, p.goods_class, p.trade_mode, _district(p, nodes))
    return (*values, _office(p, nodes)) if len(fields) > len(GROUP_FIELDS) else values


def _members(entry: Mapping[str, Any], bid: str, where: str, parcels: Mapping[str, Parcel],
             seen: dict[str, str], out: Problems) -> list[Parcel]:
    """The returns-file parcels an entry lists, each once; unknown and repeated ids reported."""
    members: dict[str, Parcel] = {}
    for pid in entry["parcel_ids"]:
        if pid in seen:
            out.add("duplicate_parcel", bid, f"parcel {pid} appears in {seen[pid]} and {bid}")
        seen[pid] = bid
        if pid not in parcels:
            out.add("unknown_parcel", bid, f"{where}: parcel {pid} is not in the returns file")
        else:
            members.setdefault(pid, parcels[pid])
    return sorted(members.values(), key=lambda p: (p.ready_date, p.parcel_id))


def _check_contract(bid: str, where: str, members: Sequence[Parcel], scenario: Scenario,
                    out: Problems) -> str:
    """Check that the parcels may travel as one batch; return the id they give the batch. (A
    batch the scenario commits, by its id and exactly its parcels, keeps its id and grouping:
    it has left, or a planner fixed it.)"""
    nodes = scenario.network.nodes
    mine = {p.parcel_id for p in members}
    fixed = any(c.batch_id == bid and set(c.parcel_ids) == mine for c in scenario.commitments)
    # a committed batch keeps the grouping it left with (an earlier plan may not have split
    # batches by export office)
    fields = GROUP_FIELDS if fixed else _fields(scenario)
    values = [_group_values(p, nodes, fields) for p in members]
    keys = values[0]
    differ = [f"{name} ({', '.join(sorted({v[i] for v in values}))})"
              for i, name in enumerate(fields) if any(v[i] != keys[i] for v in values)]
    if differ:
        out.add("mixed_batch", bid, f"{where}: its parcels differ in {'; '.join(differ)}")
    if fixed:
        return bid
    first, last = members[0].ready_date, max(p.ready_date for p in members)
    if (last - first).days > scenario.window_days:
        out.add("window", bid, f"{where}: parcels ready {first} to {last}, more than the "
                f"{scenario.window_days}-day consolidation window apart")
    want = "-".join(keys) + f"-{first:%Y%m%d}"
    wrong = _suffix_problem(bid, want, members, scenario.rules.return_window_days)
    if wrong is not None:
        out.add("batch_id", bid, f"{where}: its parcels make the batch id {want}, with "
                f"-WYYYYMMDD / -DYYYYMMDD only for a window close / deadline every parcel "
                f"shares ({wrong})")
        return want
    return bid


def _day(digits: str) -> dt.date | None:
    """A YYYYMMDD date, None when it is no date."""
    try:
        return dt.datetime.strptime(digits, "%Y%m%d").date()
    except ValueError:
        return None


def _suffix_problem(bid: str, base: str, members: Sequence[Parcel],
                    return_window_days: int) -> str | None:
    """Why ``bid`` is not ``base`` with the suffixes its parcels allow (None: it is).

    ``-WYYYYMMDD``: the day the 1-year return window of every parcel closes (export date plus
    ``return_window_days``); ``-DYYYYMMDD``: the deadline of every parcel. The consolidation
    batches parcels whose window close or deadline binds only with parcels sharing that date,
    and names it; a batch whose parcels do not share it may not carry it.
    """
    if not bid.startswith(base):
        return "the base id differs"
    match = _SUFFIX.fullmatch(bid[len(base):])
    if match is None:
        return f"{bid[len(base):]!r} is not a -W / -D suffix"
    close_digits, deadline_digits = match.groups()
    bad = [d for d in (close_digits, deadline_digits) if d is not None and _day(d) is None]
    if bad:
        return f"{bad[0]} is not a date"
    if close_digits is not None:
        closes = {p.export_date + dt.timedelta(days=return_window_days) for p in members}
        if closes != {_day(close_digits)}:
            return (f"-W{close_digits}, but their windows close "
                    f"{', '.join(sorted(str(c) for c in closes))}")
    if deadline_digits is not None:
        deadlines = {p.deadline for p in members}
        if deadlines != {_day(deadline_digits)}:
            return (f"-D{deadline_digits}, but their deadlines are "
                    f"{', '.join(sorted(str(d) for d in deadlines))}")
    return None


def _rebuild(batch_id: str, members: Sequence[Parcel], nodes: Mapping[str, Node]) -> Batch:
    """The batch the parcels make (the first parcel's keys, when they are mixed)."""
    first = members[0]
    ready = max(p.ready_date for p in members)
    deadlines = [p.deadline for p in members if p.deadline is not None]
    ports = Counter(p.export_port for p in members)
    return Batch(
        batch_id=batch_id, origin=first.origin, destination=first.destination,
        goods_class=first.goods_class, trade_mode=first.trade_mode,
        export_district=_district(first, nodes),
        export_port=min(ports, key=lambda k: (-ports[k], k)),
        window_start=first.ready_date, ready_date=ready, period=iso_week(ready),
        parcels=tuple(members),
        weight_kg=round(sum(p.weight_kg for p in members), 3),
        volume_m3=round(sum(p.volume_m3 for p in members), 4),
        value_cny=round(sum(p.value_cny for p in members), 2),
        earliest_export=min(p.export_date for p in members),
        deadline=min(deadlines) if deadlines else None,
        # the office of the most common export port (the engine's rule; for a batch split by
        # office every parcel's)
        export_office=_port_office(min(ports, key=lambda k: (-ports[k], k)), nodes))


def parcel_alone(batch: Batch, parcel: Parcel, nodes: Mapping[str, Node]) -> Batch:
    """The batch one of its parcels would make on its own (under the batch's id, so that a
    planner's rule naming the batch still applies to it)."""
    return _rebuild(batch.batch_id, [parcel], nodes)


def _check_batch_fields(entry: Mapping[str, Any], bid: str, b: Batch, where: str,
                        out: Problems) -> None:
    """The weight and the other fields the entry states must be the parcels' own (keys,
    volume, value and the window's first ready date, where the entry states them)."""
    if not close(entry["weight_kg"], b.weight_kg, KG):
        out.add("weight", bid, f"{where}: weight {entry['weight_kg']} but its parcels "
                f"weigh {b.weight_kg}")
    wrong = [f"{name} {entry[name]} (parcels: {getattr(b, name)})" for name in OFFICE_FIELDS
             if name in entry and entry[name] != getattr(b, name)]
    wrong += [f"{name} {entry[name]} (parcels: {getattr(b, name)})"
              for name, tol in (("volume_m3", M3), ("value_cny", CENT))
              if name in entry and not close(entry[name], getattr(b, name), tol)]
    if "window_start" in entry and entry["window_start"] != b.window_start.isoformat():
        wrong.append(f"window_start {entry['window_start']} (parcels: {b.window_start})")
    if wrong:
        out.add("batch_fields", bid, f"{where}: {'; '.join(wrong)}")


@dataclass(frozen=True, slots=True)
class Sections:
    """The plan's batches by what becomes of them, each entry with the batch its parcels make:
    routed (``batches``), left unrouted, disposed of abroad."""

    routed: list[Entry]
    unrouted: list[Entry]
    disposed: list[Entry]

    @property
    def all(self) -> list[Entry]:
        """Every entry, routed, unrouted and disposed of."""
        return [*self.routed, *self.unrouted, *self.disposed]


def rebuild_batches(doc: Mapping[str, Any], scenario: Scenario, out: Problems) -> Sections:
    """Every parcel once (a disposed parcel is placed too), every batch a valid batch; the
    routed, unrouted and disposed entries, each with the batch its parcels make."""
    parcels = {p.parcel_id: p for p in scenario.parcels}
    seen: dict[str, str] = {}
    ids: set[str] = set()
    found: dict[str, list[Entry]] = {"batches": [], "unrouted": [], "disposed": []}
    for section, label in (("batches", "batch"), ("unrouted", "unrouted batch"),
                           ("disposed", "disposed batch")):
        for entry in doc[section]:
            bid = entry["batch_id"]
            where = f"{label} {bid}"
            if bid in ids:
                out.add("duplicate_batch", bid, f"{where}: the batch id is listed twice")
            ids.add(bid)
            members = _members(entry, bid, where, parcels, seen, out)
            batch = None
            if not members:
                out.add("no_parcels", bid, f"{where}: no parcel of the returns file")
            else:
                batch_id = _check_contract(bid, where, members, scenario, out)
                batch = _rebuild(batch_id, members, scenario.network.nodes)
                _check_batch_fields(entry, bid, batch, where, out)
            found[section].append(Entry(entry, bid, batch))
    missing = sorted(set(parcels) - set(seen))
    if missing:
        out.add("missing_parcels", None, f"{len(missing)} parcels in no batch, e.g. "
                f"{missing[:3]}")
    return Sections(found["batches"], found["unrouted"], found["disposed"])
