"""Rolling re-planning: keep what is committed, re-optimise the rest, say what changed.

A re-plan (``returnroute solve --previous PLAN_JSON``, or ``commitments:`` in a scenario) keeps
every committed batch on its trip: its parcels stay together on the same lanes, return port and
first departure, and its vehicles still run (other batches may fill them). A batch of the
previous plan is committed when it has left (its departure is before the new planning date) or
is within its cut-off (its goods are due at the terminal by the planning date). Everything else
is planned again from the planning date, with whatever parcels the returns now hold.

``changes`` compares the previous plan with the new one parcel by parcel and says, per batch of
the previous plan and per new batch, what happened to it and why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from optimizer.compliance import Screener
from optimizer.domain import Batch, Commitment, Parcel, Route, Scenario, Trip, entry_node
from optimizer.errors import InputError, Problem
from optimizer.inputs.commitments import check_commitments
from optimizer.plan import Change, Plan
from optimizer.planning.consolidate import make_batch
from optimizer.planning.costs import TaxTable
from optimizer.planning.options import Option, price
from optimizer.planning.routes import RouteIndex
from optimizer.planning.schedules import next_departure, ride


def commitments_from(previous: Mapping[str, Any], scenario: Scenario) -> tuple[Commitment, ...]:
    """The batches of a previous plan (a plan.json document) committed on ``scenario.as_of``:
    departed (left before it) or within their cut-off (due at the terminal by then)."""
    out = []
    lanes = scenario.network.lanes
    for b in previous.get("batches", []):
        depart = dt.date.fromisoformat(b["depart_date"])
        first = lanes.get(b["legs"][0]["lane_id"])
        cutoff = first.cutoff_days if first is not None else 0
        if depart < scenario.as_of:
            why = f"departed {depart}"
        elif depart - dt.timedelta(days=cutoff) <= scenario.as_of:
            why = f"within its cut-off: leaves {depart}, goods due {cutoff} day(s) before"
        else:
            continue
        out.append(Commitment(b["batch_id"], tuple(b["parcel_ids"]),
                              tuple(leg["lane_id"] for leg in b["legs"]), b["return_port"],
                              depart, why))
    return tuple(out)


def with_previous(scenario: Scenario, previous: Mapping[str, Any]) -> Scenario:
    """The scenario re-planning ``previous`` (a plan.json document): its committed batches
    (``commitments_from``) join the scenario's own commitments, checked like them."""
    found = commitments_from(previous, scenario)
    mine = {c.batch_id for c in scenario.commitments}
    joined = (*scenario.commitments, *(c for c in found if c.batch_id not in mine))
    path = scenario.path or ""
    return dataclasses.replace(scenario, commitments=check_commitments(
        Path(path), joined, scenario.parcels, scenario.network))


def committed_batches(scenario: Scenario, index: RouteIndex
                      ) -> tuple[tuple[Batch, ...], dict[str, tuple[Option, ...]]]:
    """The committed batches and their one option each (the trip they are committed to)."""
    by_id = {p.parcel_id: p for p in scenario.parcels}
    screener = Screener(scenario.network, scenario.rules, scenario.forced_regime, scenario.as_of)
    batches: list[Batch] = []
    options: dict[str, tuple[Option, ...]] = {}
    for c in scenario.commitments:
        parcels = sorted((by_id[pid] for pid in c.parcel_ids),
                         key=lambda p: (p.ready_date, p.parcel_id))
        batch = _batch(c, parcels, scenario)
        trip = _trip(c, batch, scenario, index)
        batches.append(batch)
        options[batch.batch_id] = (price(batch, trip, screener.check(batch, trip),
                                         scenario.objective, TaxTable(batch, scenario.rules),
                                         scenario.rules),)
    return tuple(batches), options


def _batch(c: Commitment, parcels: Sequence[Parcel], scenario: Scenario) -> Batch:
    p = parcels[0]
    district = scenario.network.nodes[p.export_port].district or ""
    made = make_batch((p.origin, p.destination, p.goods_class, p.trade_mode, district, "", "",
                       ""), list(parcels), scenario.network.nodes)
    return dataclasses.replace(made, batch_id=c.batch_id)


def _trip(c: Commitment, batch: Batch, scenario: Scenario, index: RouteIndex) -> Trip:
    route = next((r for r in index.routes(batch.origin, batch.destination)
                  if tuple(ln.lane_id for ln in r.lanes) == c.lanes
                  and r.port.id == c.return_port), None)
    if route is None:
        route = _route(c, scenario)
    earliest = next_departure(route.lanes[0], batch.ready_date) or c.depart_date
    trip = ride(route, batch.ready_date, c.depart_date, min(earliest, c.depart_date))
    if trip is None:
        raise InputError([Problem(str(scenario.path or ""), f"commitment {c.batch_id}",
                                  "lanes", "a later lane has no departure left after the "
                                  "committed one")])
    return trip


def _route(c: Commitment, scenario: Scenario) -> Route:
    nodes = scenario.network.nodes
    lanes = tuple(scenario.network.lanes[lid] for lid in c.lanes)
    port_index = next(i for i, ln in enumerate(lanes) if ln.destination == c.return_port)
    entry = entry_node(lanes, nodes) or nodes[c.return_port]
    return Route(lanes=lanes, port_index=port_index, port=nodes[c.return_port], entry=entry)


def _where(b: Mapping[str, Any]) -> str:
    lanes = "+".join(leg["lane_id"] for leg in b["legs"])
    return f"{lanes} @{b['return_port']} leaving {b['depart_date']}"


def changes(previous: Mapping[str, Any], plan: Plan,
            commitments: Sequence[Commitment]) -> tuple[Change, ...]:
    """Per batch of the previous plan: kept, the same, changed (and how), disposed, unrouted
    or gone (its parcels are no longer in the returns); then every batch of the new plan with
    parcels the previous plan did not have."""
    committed = {c.batch_id for c in commitments}
    new_of: dict[str, str] = {}
    for bp in plan.batches:
        for pid in bp.parcel_ids:
            new_of[pid] = bp.batch_id
    new_batches = {bp.batch_id: bp for bp in plan.batches}
    disposed = {pid: d.batch_id for d in plan.disposed for pid in d.parcel_ids}
    unrouted = {pid: u.batch_id for u in plan.unrouted for pid in u.parcel_ids}
    before_cost = {b["batch_id"]: b["cost_cny"] for b in previous.get("batches", [])}
    out: list[Change] = []
    seen: set[str] = set()
    for b in previous.get("batches", []):
        pids = list(b["parcel_ids"])
        seen.update(pids)
        out.append(_change(b, pids, committed, new_of, new_batches, disposed, unrouted,
                           before_cost))
    for bp in plan.batches:
        fresh = [pid for pid in bp.parcel_ids if pid not in seen]
        if fresh and len(fresh) == len(bp.parcel_ids):
            out.append(Change(bp.batch_id, "new", "", _plan_where(bp), "parcels new in the "
                              "returns since the previous plan", len(fresh)))
    return tuple(out)


def _plan_where(bp: Any) -> str:
    return (f"{'+'.join(leg.lane_id for leg in bp.legs)} @{bp.return_port} leaving "
            f"{bp.depart_date}")


def _change(b: Mapping[str, Any], pids: list[str], committed: set[str],
            new_of: Mapping[str, str], new_batches: Mapping[str, Any],
            disposed: Mapping[str, str], unrouted: Mapping[str, str],
            before_cost: Mapping[str, float]) -> Change:
    bid, before = b["batch_id"], _where(b)
    if bid in committed:
        return Change(bid, "kept", before, before, "committed: it has left or is within its "
                      "cut-off", len(pids))
    if all(pid in disposed for pid in pids):
        return Change(bid, "disposed", before, f"disposed of ({disposed[pids[0]]})",
                      "disposing of it now costs less than bringing it back", len(pids))
    if any(pid in unrouted for pid in pids):
        return Change(bid, "unrouted", before, "unrouted", "see the plan's unrouted "
                      "reasons", len(pids))
    targets = sorted({new_of[pid] for pid in pids if pid in new_of})
    if not targets:
        return Change(bid, "gone", before, "", "its parcels are not in the returns any more",
                      len(pids))
    after = "; ".join(_plan_where(new_batches[t]) for t in targets)
    if after == before:
        return Change(bid, "same", before, after, "still the best trip", len(pids))
    grown = any(len(new_batches[t].parcel_ids) != len(pids) for t in targets)
    now = sum(new_batches[t].cost_cny for t in targets)
    why = ("consolidated with other parcels" if grown else "re-optimised around the committed "
           f"batches and the returns now known: its cost {before_cost.get(bid, 0):,.2f} -> "
           f"{now:,.2f} CNY (its share of shared vehicles and declarations moves with the "
           "others; the plan's total is what the solver lowers)")
    return Change(bid, "changed", before, after, why, len(pids))
