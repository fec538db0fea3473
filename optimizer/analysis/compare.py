"""Compare plans of several scenarios: one column per scenario, then the flows that changed.

Used by ``returnroute compare`` and ``optimizer.compare``. Batches are matched across scenarios
by flow (hub, cluster, goods, trade mode, export district, and the order of the consolidation
window), so the same flows match even when their dates differ between scenarios.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from optimizer.outputs.waiting import Waiting, waiting
from optimizer.plan import Flow, Plan, Totals

METRICS = [
    ("status", "status"),
    ("regime", "regime"),
    ("total_cny", "total cost: returns + disposals (CNY)"),
    ("cost_cny", "landed cost of the returns (CNY)"),
    ("disposal_cny", "disposals abroad (CNY)"),
    ("clearance_cny", "declarations (CNY)"),
    ("declarations", "declarations"),
    ("air_baseline_cny", "all-air baseline (CNY)"),
    ("saving_vs_air_pct", "saving vs all-air (%)"),
    ("batches_compared_with_air", "batches compared with all-air"),
    ("parcels_compared_with_air", "parcels compared with all-air (those that may fly)"),
    ("same_route_baseline_cny", "same-route baseline (CNY)"),
    ("saving_vs_same_route_pct", "saving vs same-route (%)"),
    ("batches_compared_with_same_route", "batches compared with same-route"),
    ("parcels_compared_with_same_route", "parcels compared with same-route"),
    ("cost_per_kg_cny", "landed cost per returned kg (CNY)"),
    ("co2e_kg", "CO2e (kg)"),
    ("mean_transit_days", "mean transit days"),
    ("max_transit_days", "max transit days"),
    ("batches_waiting", "batches waiting for a later departure"),
    ("wait_days", "days waited for later departures"),
    ("wait_saving_cny", "waiting: each batch's own saving, summed (CNY)"),
    ("storage_cny", "storage at the hubs (CNY)"),
    ("vehicles", "vehicles"),
    ("batches_routed", "batches routed"),
    ("batches_disposed", "batches disposed of"),
    ("batches_unrouted", "batches unrouted"),
    ("parcels_routed", "parcels returned"),
    ("parcels_disposed", "parcels disposed of"),
    ("parcels_unrouted", "parcels unrouted"),
    ("weight_kg", "kg returned"),
    ("weight_disposed_kg", "kg disposed of"),
    ("weight_unrouted_kg", "kg unrouted"),
    ("value_unrouted_cny", "value unrouted (CNY)"),
]


@dataclass(frozen=True)
class Comparison:
    """The metrics table (rows: metrics, columns: scenarios) and the batches that changed."""

    table: pd.DataFrame
    changes: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form (compare.json)."""
        return {"scenarios": list(self.table.columns),
                "metrics": {metric: {sc: _plain(v) for sc, v in row.items()}
                            for metric, row in self.table.iterrows()},
                "changes": [{k: _plain(v) for k, v in row.items()}
                            for row in self.changes.to_dict(orient="records")]}


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _flows(plan: Plan) -> dict[str, str]:
    """batch id -> flow key: the flow's fields, numbered by window within the flow.

    The same flows in scenarios of different dates (the policy timeline) then match: the
    first window of MOSCOW-ZHUJI-general-9610-URUMQI is ``...-URUMQI#1`` in every year.
    """
    groups: dict[Flow, list[tuple[str, str]]] = defaultdict(list)
    for item in (*plan.batches, *plan.disposed, *plan.unrouted):
        groups[item.flow].append((item.window_start.isoformat(), item.batch_id))
    return {bid: "-".join(flow) + f"#{i + 1}" for flow, members in groups.items()
            for i, (_, bid) in enumerate(sorted(members))}


#: the modes counted in the vehicles rows and in the share-of-kg rows of the metrics table
VEHICLE_MODES = ("tir_road", "rail", "air", "sea", "bonded_road", "road")
SHARE_MODES = ("tir_road", "rail", "air", "sea")


def _column_names(plans: Sequence[Plan]) -> list[str]:
    """The scenario names as column names, numbered when two plans share a name.

    The names key the table's columns and the change rows, so they must be unique.
    """
    names = [p.scenario for p in plans]
    if len(set(names)) != len(names):
        names = [f"{p.scenario} ({i + 1})" for i, p in enumerate(plans)]
    return names


def _vehicles_by_mode(plan: Plan) -> dict[str, int]:
    """The ``vehicles: MODE`` cells: vehicles used per mode (0 for a mode not used)."""
    by_mode: dict[str, int] = defaultdict(int)
    for v in plan.vehicle_uses:
        if v.count:
            by_mode[v.mode] += v.count
    return {f"vehicles: {mode}": by_mode.get(mode, 0) for mode in VEHICLE_MODES}


def _kg_shares(plan: Plan) -> dict[str, float]:
    """The ``share of kg: MODE (%)`` cells: the routed kg by the batch's main mode.

    A plan with nothing routed divides by 1 kg, so its shares are 0 rather than NaN.
    """
    kg_by_mode: dict[str, float] = defaultdict(float)
    for bp in plan.batches:
        kg_by_mode[bp.mode] += bp.weight_kg
    total_kg = sum(kg_by_mode.values()) or 1.0
    return {f"share of kg: {mode} (%)": 100 * kg_by_mode.get(mode, 0.0) / total_kg
            for mode in SHARE_MODES}


#: the METRICS rows about waiting for later departures: from ``plan.summary`` where ``Totals``
#: carries them, else counted from the batches (``outputs.waiting``; its saving is each
#: batch's own, summed, not what waiting saves the plan)
WAITING_METRICS = frozenset(Waiting.__dataclass_fields__) - {"waiting", "waiting_for_nothing"}


def _metrics_column(plan: Plan) -> dict[str, Any]:
    """One scenario's column of the metrics table, keyed by row label.

    The totals come from ``plan.summary`` (the waiting rows from its batches while ``Totals``
    does not carry them); status and regime from the plan and its meta.
    """
    col: dict[str, Any] = {label: getattr(plan.summary, key) for key, label in METRICS
                           if key in Totals.__dataclass_fields__}
    w = waiting(plan.batches)
    col.update({label: getattr(w, key) for key, label in METRICS
                if key in WAITING_METRICS and label not in col})
    col["status"] = plan.status
    col["regime"] = plan.meta.regime
    col.update(_vehicles_by_mode(plan))
    col.update(_kg_shares(plan))
    return col


def _metrics_table(names: Sequence[str], plans: Sequence[Plan]) -> pd.DataFrame:
    """Rows: the metrics in a fixed order (METRICS, vehicles, shares); columns: scenarios."""
    rows = {name: _metrics_column(plan) for name, plan in zip(names, plans, strict=True)}
    order = [label for _, label in METRICS] + [
        f"vehicles: {m}" for m in VEHICLE_MODES] + [
        f"share of kg: {m} (%)" for m in SHARE_MODES]
    return pd.DataFrame(rows).reindex(order)


Route = tuple[str, str, float | None]  # (return port or "unrouted", mode, cost CNY)


def _routes_by_flow(names: Sequence[str], plans: Sequence[Plan]) -> dict[str, dict[str, Route]]:
    """flow key -> scenario name -> its route there, for every batch of every plan.

    Keys are flow keys (see ``_flows``), so batches of different dates match across scenarios.
    """
    per_batch: dict[str, dict[str, Route]] = defaultdict(dict)
    for name, plan in zip(names, plans, strict=True):
        flows = _flows(plan)
        for bp in plan.batches:
            per_batch[flows[bp.batch_id]][name] = (bp.return_port, bp.mode, bp.cost_cny)
        for d in plan.disposed:
            per_batch[flows[d.batch_id]][name] = ("disposed", "", d.cost_cny)
        for u in plan.unrouted:
            per_batch[flows[u.batch_id]][name] = ("unrouted", "", None)
    return per_batch


def _change_row(flow: str, seen: dict[str, Route], names: Sequence[str]) -> dict[str, Any]:
    """One changed flow: per scenario its route, its cost and the difference to the first.

    A scenario without the flow shows route "—" and no cost.
    """
    first = names[0]
    base = seen.get(first, (None, None, None))[2]
    row: dict[str, Any] = {"flow": flow}
    for name in names:
        port, mode, cost = seen.get(name, ("—", "", None))
        row[f"{name}: route"] = f"{port} {mode}".strip()
        row[f"{name}: cost_cny"] = None if cost is None else round(cost, 2)
        row[f"{name}: vs {first}"] = (None if cost is None or base is None
                                      else round(cost - base, 2))
    return row


def _changes(names: Sequence[str], plans: Sequence[Plan]) -> pd.DataFrame:
    """The flows in two or more scenarios whose (port, mode) differ, sorted by flow key.

    A cost change alone on the same route is not a change of route, so it is left out.
    """
    changes = []
    per_batch = _routes_by_flow(names, plans)
    for flow in sorted(per_batch):
        seen = per_batch[flow]
        routes = {(v[0], v[1]) for v in seen.values()}
        if len(seen) < 2 or len(routes) < 2:
            continue
        changes.append(_change_row(flow, seen, names))
    return pd.DataFrame(changes)


#: the like-for-like rows: over the flows every plan returns and may fly
COMMON_ROWS = ("common flows returned by every plan that may fly",
               "landed cost of the common flows (CNY)",
               "all-air baseline of the common flows (CNY)",
               "saving vs all-air on the common flows (%)")


def _common(plans: Sequence[Plan]) -> list[dict[str, Any]]:
    """Per plan, its cost and all-air baseline over exactly the same goods: the flows every
    plan returns and every plan may fly. A column's own all-air figure covers its own routed
    batches, which differ between scenarios (a closure strands some, a rate change moves
    others); these rows compare the same parcels in every column."""
    flows = [_flows(plan) for plan in plans]
    keyed = [{fl[bp.batch_id]: bp for bp in plan.batches if bp.air_cost_cny is not None}
             for plan, fl in zip(plans, flows, strict=True)]
    shared = set.intersection(*(set(k) for k in keyed)) if keyed else set()
    out = []
    for k in keyed:
        cost = sum(k[f].cost_cny for f in shared)
        air = sum(k[f].air_cost_cny or 0.0 for f in shared)
        out.append(dict(zip(COMMON_ROWS, (len(shared), cost, air,
                                          (air - cost) / air * 100 if air > 0 else None),
                            strict=True)))
    return out


def compare(plans: Sequence[Plan]) -> Comparison:
    """Compare plans; scenario names must be unique (they are the column names)."""
    names = _column_names(plans)
    table = _metrics_table(names, plans)
    common = pd.DataFrame(dict(zip(names, _common(plans), strict=True)))
    return Comparison(pd.concat([table, common.reindex(list(COMMON_ROWS))]),
                      _changes(names, plans))
