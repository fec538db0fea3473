"""Wire the stages into one run: scenario -> batches -> options -> start -> solution -> Plan.

This is the only place that knows the order of the stages; the CLI and the Python API call
``run``. Each stage stays a plain function of its inputs (see DESIGN in README.md).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version

import ortools

from optimizer.baselines import cheapest_air, greedy, greedy_cost, improve
from optimizer.compliance import REGIME_RULES, Screener
from optimizer.consolidate import consolidate
from optimizer.costs import Option, build_options
from optimizer.documents import checklist
from optimizer.manifests import pack
from optimizer.model import (
    Batch,
    BatchPlan,
    Check,
    Leg,
    Plan,
    Scenario,
    Unrouted,
    VehicleUse,
)
from optimizer.network import RouteIndex
from optimizer.relax import would_route
from optimizer.report import plan_to_dict
from optimizer.solve import Solution, allocate_vehicle_costs, plan_vehicles, solve
from optimizer.verify import verify_plan

#: at most this many distinct reasons are listed for one unrouted batch
MAX_REASONS = 12


@dataclasses.dataclass(frozen=True, slots=True)
class Prepared:
    """The batches of a scenario and every option each has (allowed or not)."""

    scenario: Scenario
    batches: tuple[Batch, ...]
    options: Mapping[str, tuple[Option, ...]]
    index: RouteIndex

    def allowed(self) -> dict[str, tuple[Option, ...]]:
        """Only the options every rule allows, per batch."""
        return {bid: tuple(o for o in opts if o.allowed) for bid, opts in self.options.items()}


def prepare(scenario: Scenario, index: RouteIndex | None = None) -> Prepared:
    """Consolidate the parcels and check and price every candidate route of every batch."""
    batches = consolidate(scenario.parcels, scenario.network.nodes, scenario.window_days)
    index = index or RouteIndex(scenario.network, scenario.solver.max_legs)
    options = build_options(batches, scenario, index)
    return Prepared(scenario, batches, options, index)


def recheck(prepared: Prepared, scenario: Scenario) -> Prepared:
    """The same batches and priced routes under another regime (the same-route baseline).

    Only the regime-dependent checks are recomputed; costs do not depend on the regime.
    """
    screener = Screener(scenario.network, scenario.rules, scenario.regime_rule, scenario.as_of)
    options = {bid: tuple(dataclasses.replace(
        o, checks=screener.recheck(o.checks, o.batch, o.route, REGIME_RULES)) for o in opts)
        for bid, opts in prepared.options.items()}
    return Prepared(scenario, prepared.batches, options, prepared.index)


def optimise(prepared: Prepared) -> tuple[Solution, dict[str, Option], bool]:
    """Solve from a heuristic start; when the solver has no plan in time, use the heuristic's.

    The start is the greedy no-sharing plan improved by local search (batches joining vehicles
    that run anyway). Returns the solution, the greedy plan (a baseline) and whether the
    fallback was used.
    """
    allowed = prepared.allowed()
    start = greedy(prepared.batches, allowed)
    warm = improve(prepared.batches, allowed, start)
    sol = solve(prepared.batches, allowed, prepared.scenario.solver, hint=warm)
    if sol.objective_cny is not None:
        return sol, start, False
    routable = [b.batch_id for b in prepared.batches if allowed.get(b.batch_id)]
    fallback = Solution(
        status=sol.status, objective_cny=None, bound_cny=None, gap=None, seconds=sol.seconds,
        chosen=warm, dropped=tuple(b for b in routable if b not in warm),
        vehicles=plan_vehicles(warm), stats=sol.stats)
    return fallback, start, True


class PlanCheckError(RuntimeError):
    """The independent checker found a problem in a plan: a bug, never the user's fault."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("the plan failed its independent check:\n  " + "\n  ".join(problems))


def run(scenario: Scenario, *, same_route_baseline: bool = True, check: bool = True,
        prepared: Prepared | None = None) -> Plan:
    """Plan the scenario: the optimal compliant routes, with the baselines to compare against.

    Every plan is checked by ``verify.verify_plan`` before it is returned (``check=False`` skips
    that, for benchmarks that time the solver alone); a plan that fails raises PlanCheckError.
    ``prepared`` reuses the batches and options of ``prepare(scenario)`` when the caller has them.
    """
    prepared = prepared if prepared is not None else prepare(scenario)
    sol, start, fell_back = optimise(prepared)

    same_route: dict[str, float] = {}
    same_route_unrouted = 0
    if same_route_baseline:
        if scenario.regime == "same_route":
            same_route = _batch_costs(sol)
        else:
            # the old rule only changes which options are allowed: re-check, do not re-price;
            # the baseline gets a sixth of the time limit (at least 5 s)
            limit = min(scenario.solver.time_limit_s, max(5.0, scenario.solver.time_limit_s / 6))
            old = dataclasses.replace(
                scenario, regime="same_route", regime_forced=True,
                solver=dataclasses.replace(scenario.solver, time_limit_s=limit))
            old_sol, _, _ = optimise(recheck(prepared, old))
            same_route = _batch_costs(old_sol)
        same_route_unrouted = sum(1 for b in prepared.batches if b.batch_id not in same_route)
    plan = assemble(prepared, sol, start, same_route, same_route_unrouted, fell_back)
    if check:
        problems = verify_plan(plan_to_dict(plan), scenario)
        if problems:
            raise PlanCheckError(problems)
    return plan


def _batch_costs(sol: Solution) -> dict[str, float]:
    """Landed cost per routed batch, with its share of the shared vehicles."""
    batches = {bid: o.batch for bid, o in sol.chosen.items()}
    shares = allocate_vehicle_costs(sol.chosen, batches, sol.vehicles)
    costs: dict[str, float] = defaultdict(float)
    for bid, opt in sol.chosen.items():
        costs[bid] = opt.landed_variable_cny
    for (bid, _), share in shares.items():
        costs[bid] += share
    return dict(costs)


def _unrouted_reasons(batch: Batch, options: Sequence[Option], dropped: bool,
                      max_legs: int) -> tuple[Check, ...]:
    if dropped:
        return (Check("CAPACITY", False, f"every compliant route is full in {batch.period} "
                      f"({sum(1 for o in options if o.allowed)} compliant options)"),)
    if not options:
        return (Check("NO_PATH", False, f"no lane path from {batch.origin} to "
                      f"{batch.destination} through a clearing node within {max_legs} legs"),)
    by_rule: dict[str, list[Option]] = {}
    for opt in options:
        for c in opt.failed:
            by_rule.setdefault(c.rule, []).append(opt)
    reasons = []
    for rule, opts in sorted(by_rule.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        ports = sorted({o.route.port.id for o in opts})
        example = next(c.detail for c in opts[0].failed if c.rule == rule)
        shown = ", ".join(ports[:MAX_REASONS]) + (" ..." if len(ports) > MAX_REASONS else "")
        reasons.append(Check(rule, False, f"rejects {len(opts)} of {len(options)} routes "
                             f"(return ports {shown}); e.g. {example}"))
    return tuple(reasons)


def assemble(prepared: Prepared, sol: Solution, start: Mapping[str, Option],
             same_route: Mapping[str, float], same_route_unrouted: int,
             fell_back: bool) -> Plan:
    """Turn a solution into the Plan users read: legs with costs, vehicles, totals, reasons."""
    scenario = prepared.scenario
    batches = {b.batch_id: b for b in prepared.batches}
    shares = allocate_vehicle_costs(sol.chosen, batches, sol.vehicles)
    allowed = prepared.allowed()

    batch_plans: list[BatchPlan] = []
    for b in prepared.batches:
        opt = sol.chosen.get(b.batch_id)
        if opt is None:
            continue
        route = opt.route
        legs = []
        for lane in route.lanes:
            cost = lane.cost_per_kg_cny * b.weight_kg + shares.get((b.batch_id, lane.lane_id), 0.0)
            legs.append(Leg(lane.lane_id, lane.origin, lane.destination, lane.mode, cost,
                            lane.transit_days, lane.via))
        vehicles_cny = sum(shares.get((b.batch_id, lane.lane_id), 0.0) for lane in route.lanes)
        components = {"freight": opt.freight_cny, "vehicles": vehicles_cny,
                      "clearance": opt.clearance_cny, "tax_exposure": opt.tax_cny}
        air = cheapest_air(allowed[b.batch_id])
        batch_plans.append(BatchPlan(
            batch_id=b.batch_id, origin=b.origin, destination=b.destination,
            weight_kg=b.weight_kg, volume_m3=b.volume_m3, value_cny=b.value_cny,
            goods_class=b.goods_class, trade_mode=b.trade_mode, export_district=b.export_district,
            return_port=route.port.id, return_district=route.port.district or "",
            entry_point=route.entry.id, mode=route.mode, legs=tuple(legs),
            depart_date=b.depart_date, declare_date=opt.declare_date, eta=opt.eta,
            transit_days=opt.transit_days, cost_cny=sum(components.values()),
            components=components, co2e_kg=opt.co2e_kg,
            air_cost_cny=air.standalone_cny if air else None,
            same_route_cost_cny=same_route.get(b.batch_id), compliance=opt.checks,
            parcel_ids=tuple(p.parcel_id for p in b.parcels),
            documents=checklist(opt, scenario.rules)))

    riders: dict[tuple[str, str], list[str]] = defaultdict(list)
    for bid, opt in sorted(sol.chosen.items()):
        for lane in opt.route.lanes:
            riders[(lane.lane_id, batches[bid].period)].append(bid)
    lanes = scenario.network.lanes
    vehicles = []
    for (lane_id, period), members in sorted(riders.items()):
        lane = lanes[lane_id]
        count = sol.vehicles.get((lane_id, period), 0)
        if lane.per_vehicle and count == 0:
            continue
        vehicles.append(VehicleUse(
            lane_id=lane_id, period=period, mode=lane.mode, count=count,
            load_kg=sum(batches[m].weight_kg for m in members),
            load_m3=sum(batches[m].volume_m3 for m in members),
            capacity_kg=(count if lane.per_vehicle else (lane.max_vehicles or 0))
            * lane.vehicle_capacity_kg,
            capacity_m3=(count if lane.per_vehicle else (lane.max_vehicles or 0))
            * lane.vehicle_capacity_m3,
            cost_cny=count * lane.cost_per_vehicle_cny, batch_ids=tuple(members),
            loads=pack(lane, count, [batches[m] for m in members])))

    dropped = set(sol.dropped)
    unrouted = []
    for b in prepared.batches:
        if b.batch_id in sol.chosen:
            continue
        opts = prepared.options[b.batch_id]
        cf = would_route(b, opts, b.batch_id in dropped)
        unrouted.append(Unrouted(
            b.batch_id, b.origin, b.destination, b.weight_kg,
            _unrouted_reasons(b, opts, b.batch_id in dropped, scenario.solver.max_legs),
            tuple(p.parcel_id for p in b.parcels),
            None if cf is None else {
                "relax": list(cf.relax), "return_port": cf.return_port, "mode": cf.mode,
                "cost_cny": round(cf.cost_cny, 2), "lanes": list(cf.lanes),
                "detail": cf.detail, "sentence": cf.sentence(), "verified": True}))

    cost = sum(bp.cost_cny for bp in batch_plans)
    with_air = [bp for bp in batch_plans if bp.air_cost_cny is not None]
    air_total = sum(bp.air_cost_cny or 0.0 for bp in with_air)
    with_old = [bp for bp in batch_plans if bp.same_route_cost_cny is not None]
    old_total = sum(bp.same_route_cost_cny or 0.0 for bp in with_old)
    comp_totals = {f"{k}_cny": sum(bp.components[k] for bp in batch_plans)
                   for k in ("freight", "vehicles", "clearance", "tax_exposure")}
    totals: dict[str, float | int | None] = {
        "cost_cny": cost,
        **comp_totals,
        "air_baseline_cny": air_total if with_air else None,
        "same_route_baseline_cny": old_total if with_old else None,
        "greedy_baseline_cny": greedy_cost(start),
        "saving_vs_air_cny": air_total - sum(bp.cost_cny for bp in with_air) if with_air else None,
        "saving_vs_air_pct": _pct(air_total, sum(bp.cost_cny for bp in with_air)),
        "saving_vs_same_route_cny": (old_total - sum(bp.cost_cny for bp in with_old)
                                     if with_old else None),
        "saving_vs_same_route_pct": _pct(old_total, sum(bp.cost_cny for bp in with_old)),
        "batches_compared_with_air": len(with_air),
        "batches_compared_with_same_route": len(with_old),
        "same_route_unrouted": same_route_unrouted,
        "co2e_kg": sum(bp.co2e_kg for bp in batch_plans),
        "weight_kg": sum(bp.weight_kg for bp in batch_plans),
        "batches": len(prepared.batches),
        "batches_routed": len(batch_plans),
        "batches_unrouted": len(unrouted),
        "parcels": len(scenario.parcels),
        "vehicles": sum(v.count for v in vehicles),
        "mean_transit_days": (sum(bp.transit_days for bp in batch_plans) / len(batch_plans)
                              if batch_plans else None),
        "max_transit_days": max((bp.transit_days for bp in batch_plans), default=None),
    }

    if not prepared.batches:
        status = "OPTIMAL"
    elif not batch_plans:
        status = "INFEASIBLE"
    elif unrouted:
        status = "PARTIAL"
    elif fell_back:
        status = "FEASIBLE"
    else:
        status = sol.status
    nodes = scenario.network.nodes
    mentioned = {n for bp in batch_plans for leg in bp.legs
                 for n in scenario.network.lanes[leg.lane_id].nodes}
    mentioned |= {n for b in prepared.batches for n in (b.origin, b.destination, b.export_port)}
    node_info = {n: {"name": nodes[n].name, "kind": nodes[n].kind, "lat": nodes[n].lat,
                     "lon": nodes[n].lon, "district": nodes[n].district,
                     "country": nodes[n].country} for n in sorted(mentioned)}
    return Plan(
        scenario=scenario.name, status=status, solver_status=sol.status, nodes=node_info,
        objective_cny=sol.objective_cny, bound_cny=sol.bound_cny, gap=sol.gap,
        solve_seconds=sol.seconds, batches=tuple(batch_plans), vehicle_uses=tuple(vehicles),
        unrouted=tuple(unrouted), summary=totals,
        meta={
            "as_of": scenario.as_of.isoformat(), "regime": scenario.regime,
            "regime_forced": scenario.regime_forced,
            "solver": {"backend": scenario.solver.backend, "threads": scenario.solver.threads,
                       "seed": scenario.solver.seed, "time_limit_s": scenario.solver.time_limit_s,
                       "relative_gap": scenario.solver.relative_gap,
                       "ortools": ortools.__version__, **dict(sol.stats)},
            "fallback": "heuristic plan (greedy + local search): the solver found none within "
                        "the time limit"
            if fell_back else None,
            "unrouted_penalty_cny": sol.penalty_cny,
            "returnroute": _version(),
            "inputs": dict(scenario.inputs),
        },
    )


def _pct(base: float, value: float) -> float | None:
    return (base - value) / base * 100 if base > 0 else None


def _version() -> str:
    try:
        return version("optimizer")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"
