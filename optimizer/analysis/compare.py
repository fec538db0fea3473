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

from optimizer.plan import Flow, Plan, Totals

METRICS = [
    ("status", "status"),
    ("regime", "regime"),
    ("cost_cny", "total landed cost (CNY)"),
    ("air_baseline_cny", "all-air baseline (CNY)"),
    ("saving_vs_air_pct", "saving vs all-air (%)"),
    ("same_route_baseline_cny", "same-route baseline (CNY)"),
    ("saving_vs_same_route_pct", "saving vs same-route (%)"),
    ("co2e_kg", "CO2e (kg)"),
    ("mean_transit_days", "mean transit days"),
    ("max_transit_days", "max transit days"),
    ("vehicles", "vehicles"),
    ("batches_routed", "batches routed"),
    ("batches_unrouted", "batches unrouted"),
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
    for item in (*plan.batches, *plan.unrouted):
        groups[item.flow].append((item.window_start.isoformat(), item.batch_id))
    return {bid: "-".join(flow) + f"#{i + 1}" for flow, members in groups.items()
            for i, (_, bid) in enumerate(sorted(members))}


def compare(plans: Sequence[Plan]) -> Comparison:
    """Compare plans; scenario names must be unique (they are the column names)."""
    names = [p.scenario for p in plans]
    if len(set(names)) != len(names):
        names = [f"{p.scenario} ({i + 1})" for i, p in enumerate(plans)]
    rows: dict[str, dict[str, Any]] = {}
    for name, plan in zip(names, plans, strict=True):
        col: dict[str, Any] = {label: getattr(plan.summary, key) for key, label in METRICS
                               if key in Totals.__dataclass_fields__}
        col["status"] = plan.status
        col["regime"] = plan.meta.regime
        by_mode: dict[str, int] = defaultdict(int)
        for v in plan.vehicle_uses:
            if v.count:
                by_mode[v.mode] += v.count
        for mode in ("tir_road", "rail", "air", "road"):
            col[f"vehicles: {mode}"] = by_mode.get(mode, 0)
        kg_by_mode: dict[str, float] = defaultdict(float)
        for bp in plan.batches:
            kg_by_mode[bp.mode] += bp.weight_kg
        total_kg = sum(kg_by_mode.values()) or 1.0
        for mode in ("tir_road", "rail", "air"):
            col[f"share of kg: {mode} (%)"] = 100 * kg_by_mode.get(mode, 0.0) / total_kg
        rows[name] = col
    order = [label for _, label in METRICS] + [
        f"vehicles: {m}" for m in ("tir_road", "rail", "air", "road")] + [
        f"share of kg: {m} (%)" for m in ("tir_road", "rail", "air")]
    table = pd.DataFrame(rows).reindex(order)

    per_batch: dict[str, dict[str, Any]] = defaultdict(dict)
    for name, plan in zip(names, plans, strict=True):
        flows = _flows(plan)
        for bp in plan.batches:
            per_batch[flows[bp.batch_id]][name] = (bp.return_port, bp.mode, bp.cost_cny)
        for u in plan.unrouted:
            per_batch[flows[u.batch_id]][name] = ("unrouted", "", None)
    changes = []
    first = names[0]
    for batch_id in sorted(per_batch):
        seen = per_batch[batch_id]
        routes = {(v[0], v[1]) for v in seen.values()}
        if len(seen) < 2 or len(routes) < 2:
            continue
        row: dict[str, Any] = {"flow": batch_id}
        for name in names:
            port, mode, cost = seen.get(name, ("—", "", None))
            row[f"{name}: route"] = f"{port} {mode}".strip()
            row[f"{name}: cost_cny"] = None if cost is None else round(cost, 2)
            base = seen.get(first, (None, None, None))[2]
            row[f"{name}: vs {first}"] = (None if cost is None or base is None
                                          else round(cost - base, 2))
        changes.append(row)
    return Comparison(table, pd.DataFrame(changes))
