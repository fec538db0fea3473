"""``explain``: every (return port, mode) a batch had, what it costs, and why it lost.

Options are costed as if the batch travelled alone; the chosen route is the plan's. For the
cheapest alternatives the whole plan is also re-solved with the batch held there, which gives
what that choice really changes in the plan's objective (sharing included), not an estimate.
An unrouted batch also shows its reasons and the verified counterfactual
(``planning.counterfactual``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from optimizer.domain import Scenario
from optimizer.errors import InputError, Problem
from optimizer.plan import BatchPlan, ExplainedOption, Explanation, Plan, Rejection
from optimizer.planning.options import Option
from optimizer.planning.pipeline import Prepared, optimise, prepare, run


def explain_options(options: Sequence[Option], chosen: BatchPlan | None
                    ) -> tuple[ExplainedOption, ...]:
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
                           and [ln.lane_id for ln in o.route.lanes] == lanes
                           and o.depart == chosen.depart_date), None)
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
            best = min(allowed or opts, key=lambda o: (objective(o), o.option_id))
        assert best is not None
        rejected: dict[str, str] = {}  # rule -> the first trip's detail (one per rule:
        if not allowed:               # the trips of one port and mode differ only by date)
            for o in opts:
                for c in o.failed:
                    rejected.setdefault(c.rule, c.detail)
        rows.append(ExplainedOption(
            return_port=port, return_district=best.route.port.district or "", mode=mode,
            status="chosen" if is_chosen else ("allowed" if allowed else "rejected"),
            standalone_cny=round(best.standalone_cny, 2),
            objective_cny=round(objective(best), 2),
            extra_vs_chosen_cny=(round(objective(best) - objective(chosen_opt), 2)
                                 if allowed and chosen_opt is not None else None),
            transit_days=best.transit_days,
            lanes=tuple(lane.lane_id for lane in best.route.lanes),
            rejected_by=tuple(Rejection(r, d) for r, d in rejected.items())))
    order = {"chosen": 0, "allowed": 1, "rejected": 2}
    rows.sort(key=lambda r: (order[r.status], r.objective_cny, r.return_port, r.mode))
    return tuple(rows)


def explain(plan: Plan, options: Sequence[Option], batch_id: str) -> Explanation:
    """The explanation of one batch of ``plan``, from the options it had, with the departures
    its chosen route rides (their rate card lines and bills)."""
    chosen = next((bp for bp in plan.batches if bp.batch_id == batch_id), None)
    unrouted = next((u for u in plan.unrouted if u.batch_id == batch_id), None)
    uses = {(v.lane_id, v.depart_date): v for v in plan.vehicle_uses}
    rides = () if chosen is None else tuple(
        uses[key] for leg in chosen.legs if (key := (leg.lane_id, leg.depart_date)) in uses)
    return Explanation(batch_id, chosen, unrouted, explain_options(options, chosen), rides)


def forced_changes(prepared: Prepared, plan: Plan, batch_id: str,
                   rows: Sequence[ExplainedOption], resolve: int
                   ) -> tuple[ExplainedOption, ...]:
    """The rows with, for the ``resolve`` cheapest allowed (port, mode) the plan did not
    choose, what forcing the batch there changes in the plan's objective: the whole plan is
    re-solved with the batch held to that port and mode (the other batches free to move)."""
    base = plan.objective_cny
    todo = [r for r in rows if r.status == "allowed"][:resolve] if base is not None else []
    out = []
    for row in rows:
        if row.status == "chosen" and base is not None:
            row = dataclasses.replace(row, forced_change_cny=0.0, forced_status=plan.status)
        elif row in todo:
            held = tuple(o for o in prepared.options[batch_id] if o.allowed
                         and (o.route.port.id, o.route.mode) == (row.return_port, row.mode))
            forced = dataclasses.replace(prepared, options={**prepared.options,
                                                            batch_id: held})
            sol, _, fell_back = optimise(forced)
            if sol.objective_cny is not None and base is not None:
                row = dataclasses.replace(
                    row, forced_change_cny=round(sol.objective_cny - base, 2),
                    forced_status="FEASIBLE" if fell_back else sol.status)
        out.append(row)
    return tuple(out)


def explain_scenario(scenario: Scenario, batch_id: str, resolve: int = 5) -> Explanation:
    """Plan the scenario (without the same-route baseline) and explain one of its batches;
    the ``resolve`` cheapest alternatives are re-solved (``forced_changes``)."""
    prepared = prepare(scenario)
    ids = [b.batch_id for b in prepared.batches]
    if batch_id not in ids:
        raise InputError([Problem("--batch", "", "", f"unknown batch {batch_id!r}; batches: "
                                  + ", ".join(ids[:10]) + (" ..." if len(ids) > 10 else ""))])
    plan = run(scenario, same_route_baseline=False, prepared=prepared)
    found = explain(plan, prepared.options[batch_id], batch_id)
    return dataclasses.replace(found, options=forced_changes(
        prepared, plan, batch_id, found.options, resolve))
