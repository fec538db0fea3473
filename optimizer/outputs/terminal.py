"""The terminal: a plan's summary and a batch's explanation, as rich tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from optimizer.plan import BatchPlan, Explanation, Plan

if TYPE_CHECKING:
    import pandas as pd


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
    table = Table(title=f"returnroute — {plan.scenario} (as of {plan.meta.as_of}, "
                        f"{plan.meta.regime} regime)", show_lines=False)
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
            console.print(f"    -> {u.would_route.sentence()}")
    t = plan.summary

    def fmt(v: object, suffix: str = "") -> str:
        return "—" if v is None else f"{float(v):,.1f}{suffix}"  # type: ignore[arg-type]

    console.print(
        f"total landed cost {fmt(t.cost_cny)} CNY | all-air {fmt(t.air_baseline_cny)} "
        f"(saving {fmt(t.saving_vs_air_pct, '%')}) | same-route "
        f"{fmt(t.same_route_baseline_cny)} (saving {fmt(t.saving_vs_same_route_pct, '%')})"
        f" | greedy {fmt(t.greedy_baseline_cny)} | CO2e {fmt(t.co2e_kg)} kg | "
        f"{t.vehicles} vehicles")
    console.print(
        f"status {plan.status} (solver {plan.solver_status}) | objective "
        f"{fmt(plan.objective_cny)} | bound {fmt(plan.bound_cny)} | gap "
        f"{fmt(None if plan.gap is None else plan.gap * 100, '%')} | "
        f"{plan.solve_seconds:.2f} s")




def print_explanation(e: Explanation, console: Console) -> None:
    """Every (return port, mode) of one batch, then the chosen route or why it is unrouted."""
    table = Table(title=f"{e.batch_id}: candidate return ports and modes")
    for col in ("return port", "district", "mode", "status", "landed CNY", "objective CNY",
                "vs chosen", "days", "best route", "rejected by"):
        table.add_column(col)
    for o in e.options:
        table.add_row(o.return_port, o.return_district, o.mode, o.status,
                      f"{o.standalone_cny:,.0f}", f"{o.objective_cny:,.0f}",
                      "—" if o.extra_vs_chosen_cny is None else f"{o.extra_vs_chosen_cny:+,.0f}",
                      str(o.transit_days), " > ".join(o.lanes),
                      "\n".join(f"{x.rule}: {x.detail}" for x in o.rejected_by))
    console.print(table)
    if e.chosen is not None:
        console.print(f"chosen: {e.chosen.return_port} by {e.chosen.mode}, "
                      f"{e.chosen.cost_cny:,.0f} CNY in the plan (vehicles shared with other "
                      "batches where cheaper)", highlight=False, markup=False)
    if e.unrouted is not None:
        console.print("unrouted: " + "; ".join(f"{c.rule}: {c.detail}"
                                               for c in e.unrouted.reasons),
                      highlight=False, markup=False)
        if e.unrouted.would_route:
            console.print(f"  {e.unrouted.would_route.sentence()} (confirmed by re-solving)",
                          highlight=False, markup=False)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def print_frame(frame: pd.DataFrame, title: str, console: Console,
                index: str | None = None) -> None:
    """A DataFrame as a table (``index``: show the index as the first column, so named)."""
    table = Table(title=title)
    if index is not None:
        table.add_column(index)
    for name in frame.columns:
        table.add_column(str(name), justify="right" if index is not None else "left")
    for key, row in frame.iterrows():
        cells = [_cell(v) for v in row]
        table.add_row(*([str(key), *cells] if index is not None else cells))
    console.print(table)
