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


#: how many batches, heaviest first, the terminal shows of a plan over ``MAX_SUMMARY_ROWS``
HEAVIEST_ROWS = 40

BATCH_COLUMNS = (("batch", "left"), ("kg", "right"), ("return port", "left"),
                 ("district", "left"), ("entry", "left"), ("mode", "left"), ("legs", "left"),
                 ("cost CNY", "right"), ("all-air CNY", "right"), ("saving", "right"),
                 ("days", "right"))


def _shown_batches(plan: Plan) -> tuple[BatchPlan, ...]:
    """Every batch, or beyond ``MAX_SUMMARY_ROWS`` the heaviest 40 (ties by batch id)."""
    if len(plan.batches) > MAX_SUMMARY_ROWS:
        return tuple(sorted(plan.batches,
                            key=lambda bp: (-bp.weight_kg, bp.batch_id))[:HEAVIEST_ROWS])
    return plan.batches


def _batch_row(bp: BatchPlan) -> tuple[str, ...]:
    """The cells of one batch: its route, its legs (one a line, with cost) and its figures.

    The saving vs all-air is "—" when the batch has no all-air price (or it is zero).
    """
    saving = (f"{(bp.air_cost_cny - bp.cost_cny) / bp.air_cost_cny:.0%}"
              if bp.air_cost_cny else "—")
    return (bp.batch_id, f"{bp.weight_kg:,.1f}", bp.return_port, bp.return_district,
            bp.entry_point, bp.mode,
            "\n".join(f"{leg.lane_id} ({leg.cost_cny:,.0f})" for leg in bp.legs),
            f"{bp.cost_cny:,.0f}",
            f"{bp.air_cost_cny:,.0f}" if bp.air_cost_cny is not None else "—",
            saving, str(bp.transit_days))


def _batch_table(plan: Plan, shown: tuple[BatchPlan, ...]) -> Table:
    """The main table: one row per shown batch, titled with the scenario, date and regime."""
    table = Table(title=f"returnroute — {plan.scenario} (as of {plan.meta.as_of}, "
                        f"{plan.meta.regime} regime)", show_lines=False)
    for col, justify in BATCH_COLUMNS:
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for bp in shown:
        table.add_row(*_batch_row(bp))
    return table


def _route_table(batches: tuple[BatchPlan, ...]) -> Table:
    """Every batch grouped by (return port, district, mode), the costliest group first.

    Shown when the main table lists only the heaviest batches, so no route goes unseen.
    """
    groups: dict[tuple[str, str, str], list[BatchPlan]] = {}
    for bp in batches:
        groups.setdefault((bp.return_port, bp.return_district, bp.mode), []).append(bp)
    by_route = Table(title="batches by return port and mode")
    for col in ("return port", "district", "mode", "batches", "kg", "cost CNY", "mean days"):
        by_route.add_column(col, justify="left" if col in ("return port", "district",
                                                            "mode") else "right")
    for (port, district, mode), bps in sorted(groups.items(),
                                              key=lambda kv: -sum(b.cost_cny for b in kv[1])):
        by_route.add_row(port, district, mode, str(len(bps)),
                         f"{sum(b.weight_kg for b in bps):,.0f}",
                         f"{sum(b.cost_cny for b in bps):,.0f}",
                         f"{sum(b.transit_days for b in bps) / len(bps):.1f}")
    return by_route


def _print_unrouted(plan: Plan, console: Console) -> None:
    """Each unrouted batch with its reasons and what would route it; beyond
    ``MAX_SUMMARY_ROWS`` only a count by first reason (plan.json has them all)."""
    unrouted = plan.unrouted
    if len(unrouted) > MAX_SUMMARY_ROWS:
        rules: dict[str, int] = {}
        for u in unrouted:
            for c in u.reasons[:1]:
                rules[c.rule] = rules.get(c.rule, 0) + 1
        console.print(f"[bold red]{len(unrouted)} batches unrouted[/] (first reason: "
                      + ", ".join(f"{r} {n}" for r, n in sorted(rules.items()))
                      + "); each with its reasons in plan.json")
        return
    for u in unrouted:
        console.print(f"[bold red]unrouted[/] {u.batch_id} ({u.weight_kg:,.1f} kg):")
        for c in u.reasons:
            console.print(f"    {c.rule}: {c.detail}")
        if u.would_route:
            console.print(f"    -> {u.would_route.sentence()}")


def _fig(v: object, suffix: str = "") -> str:
    """A figure with one decimal and thousands separators, or "—" when missing."""
    return "—" if v is None else f"{float(v):,.1f}{suffix}"  # type: ignore[arg-type]


def _print_totals(plan: Plan, console: Console) -> None:
    """The plan's totals and baselines on one line, the solve (status, bound, gap) on the next."""
    t = plan.summary
    console.print(
        f"total landed cost {_fig(t.cost_cny)} CNY | all-air {_fig(t.air_baseline_cny)} "
        f"(saving {_fig(t.saving_vs_air_pct, '%')}) | same-route "
        f"{_fig(t.same_route_baseline_cny)} (saving {_fig(t.saving_vs_same_route_pct, '%')})"
        f" | greedy {_fig(t.greedy_baseline_cny)} | CO2e {_fig(t.co2e_kg)} kg | "
        f"{t.vehicles} vehicles")
    console.print(
        f"status {plan.status} (solver {plan.solver_status}) | objective "
        f"{_fig(plan.objective_cny)} | bound {_fig(plan.bound_cny)} | gap "
        f"{_fig(None if plan.gap is None else plan.gap * 100, '%')} | "
        f"{plan.solve_seconds:.2f} s"
        + (" | stopped at the time limit" if plan.meta.time_limit_reached else ""))


def print_summary(plan: Plan, console: Console) -> None:
    """Per batch: port, district, entry, mode, legs, cost, all-air, saving, days; then totals.

    A plan with more than ``MAX_SUMMARY_ROWS`` batches shows the heaviest 40 and a table by
    return port and mode; every batch is in routes.csv.
    """
    shown = _shown_batches(plan)
    console.print(_batch_table(plan, shown))
    if len(shown) < len(plan.batches):
        console.print(f"... the {len(shown)} heaviest of {len(plan.batches)} batches; all are in "
                      "routes.csv")
        console.print(_route_table(plan.batches))
    _print_unrouted(plan, console)
    _print_totals(plan, console)


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
