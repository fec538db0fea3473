"""Assembly: turn the solver's decisions into the Plan users read.

Each routed batch gets its legs with their share of the vehicles, its cost components, its
baselines, checks and documents; each departure of a lane its vehicles with their load lists; each
unrouted batch its reasons and verified counterfactual; the plan its totals, status and the
evidence of how it was solved.
"""

from __future__ import annotations

import dataclasses
import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import ortools

from optimizer.domain import Batch, Check, DisposalRule, Lane, Scenario
from optimizer.plan import (
    BatchPlan,
    CostComponents,
    Disposal,
    Leg,
    MapNode,
    Plan,
    PlanMeta,
    SolverMeta,
    Totals,
    Unrouted,
    VehicleUse,
)
from optimizer.planning.baselines import cheapest_air, greedy_cost
from optimizer.planning.capacity import Key, booked_capacity, key_of, resource_cny
from optimizer.planning.counterfactual import would_route
from optimizer.planning.declarations import declarations
from optimizer.planning.disposal import disposal_cost, disposal_why
from optimizer.planning.documents import checklist
from optimizer.planning.manifests import pack
from optimizer.planning.marginal import marginal_costs, wait_savings
from optimizer.planning.mip import BACKEND, Solution, allocate_vehicle_costs
from optimizer.planning.options import Option, own_freight_cny

#: at most this many distinct reasons are listed for one unrouted batch
MAX_REASONS = 12


@dataclass(frozen=True, slots=True)
class Baselines:
    """What the plan is compared against: the greedy start, and the same-route plan's cost per
    batch (empty when it was not computed) with how many batches it could not route."""

    greedy: Mapping[str, Option]
    same_route: Mapping[str, float]
    same_route_unrouted: int


def batch_costs(sol: Solution, scenario: Scenario) -> dict[str, float]:
    """Landed cost per routed batch, with its share of the shared vehicles and declarations."""
    batches = {bid: o.batch for bid, o in sol.chosen.items()}
    shares = allocate_vehicle_costs(sol.chosen, batches, sol.vehicles)
    fees, _, _ = declarations(sol.chosen, scenario.rules.declaration)
    costs: dict[str, float] = defaultdict(float)
    for bid, opt in sol.chosen.items():
        costs[bid] = opt.landed_variable_cny + fees[bid]
    for (bid, _), share in shares.items():
        costs[bid] += share
    return dict(costs)


def assemble(scenario: Scenario, batches: Sequence[Batch],
             options: Mapping[str, Sequence[Option]], sol: Solution, baselines: Baselines,
             fell_back: bool) -> Plan:
    """The Plan of a solution: routed batches, vehicles, unrouted batches, totals and meta."""
    by_id = {b.batch_id: b for b in batches}
    shares = allocate_vehicle_costs(sol.chosen, by_id, sol.vehicles)
    fees, decl_ids, decls = declarations(sol.chosen, scenario.rules.declaration)
    marginal = marginal_costs(sol.chosen)
    waited = wait_savings(sol.chosen, options)
    vehicles = _vehicle_uses(scenario, by_id, sol)
    tariffs = departure_tariffs(vehicles)
    batch_plans = tuple(dataclasses.replace(
        _batch_plan(b, sol.chosen[b.batch_id], shares, options[b.batch_id], baselines, scenario,
                    (decl_ids[b.batch_id], fees[b.batch_id]), waited, tariffs),
        marginal_cny=marginal[b.batch_id])
        for b in batches if b.batch_id in sol.chosen)
    dropped = set(sol.dropped)
    rule = scenario.rules.disposal
    left = [(b, disposal_cost(b, rule)) for b in batches if b.batch_id not in sol.chosen]
    disposed = tuple(_disposal(b, options[b.batch_id], rule, cost, scenario.solver.max_legs)
                     for b, cost in left if cost is not None)
    unrouted = tuple(_unrouted(b, options[b.batch_id], b.batch_id in dropped,
                               scenario.solver.max_legs)
                     for b, cost in left if cost is None)
    totals = _totals(scenario, batches, batch_plans, vehicles, unrouted, baselines,
                     len(decls), disposed)
    return Plan(
        scenario=scenario.name, status=_status(batches, batch_plans, unrouted, fell_back, sol),
        solver_status=sol.status, nodes=_map_nodes(scenario, batches, batch_plans),
        objective_cny=sol.objective_cny, bound_cny=sol.bound_cny, gap=sol.gap,
        solve_seconds=sol.seconds, batches=batch_plans, vehicle_uses=vehicles,
        unrouted=unrouted, summary=totals,
        meta=_meta(scenario, sol, fell_back, sum(d.cost_cny for d in disposed)),
        declarations=decls, disposed=disposed)


def _batch_plan(b: Batch, opt: Option, shares: Mapping[Key, float], options: Sequence[Option],
                baselines: Baselines, scenario: Scenario,
                declaration: tuple[str, float], waited: Mapping[str, float],
                tariffs: Mapping[Key, str]) -> BatchPlan:
    """One routed batch: legs with their share of vehicles, components (clearance: its
    per-parcel fees and its share of its declaration's fee), baselines, papers."""
    route = opt.route
    legs = tuple(Leg(lane.lane_id, lane.origin, lane.destination, lane.mode,
                     own_freight_cny(lane, b) + shares.get((b.batch_id, lane.lane_id), 0.0),
                     lane.transit_days, lane.via, lane.departure, lane.arrival,
                     lane.tariff.text(b.weight_kg, b.volume_m3)
                     if lane.billed_per_batch and lane.tariff is not None
                     else tariffs.get(key_of(lane), ""))
                 for lane in opt.trip.lanes)
    billed = sum(shares.get((b.batch_id, lane.lane_id), 0.0)
                 for lane in opt.trip.lanes if lane.tariffed)
    components = CostComponents(  # a share of a tariff's bill is freight; of vehicles, vehicles
        freight=opt.freight_cny + billed,
        vehicles=sum(shares.get((b.batch_id, lane.lane_id), 0.0) for lane in route.lanes)
        - billed,
        clearance=opt.clearance_cny + declaration[1], tax_exposure=opt.tax_cny,
        storage=opt.storage_cny)
    air = cheapest_air([o for o in options if o.allowed])
    return BatchPlan(
        batch_id=b.batch_id, origin=b.origin, destination=b.destination,
        weight_kg=b.weight_kg, volume_m3=b.volume_m3, value_cny=b.value_cny,
        goods_class=b.goods_class, trade_mode=b.trade_mode, export_district=b.export_district,
        return_port=route.port.id, return_district=route.port.district or "",
        entry_point=route.entry.id, mode=route.mode, legs=legs,
        depart_date=opt.depart, declare_date=opt.declare_date, eta=opt.eta,
        transit_days=opt.transit_days, cost_cny=components.total, components=components,
        co2e_kg=opt.co2e_kg, air_cost_cny=air.standalone_cny if air else None,
        same_route_cost_cny=baselines.same_route.get(b.batch_id), compliance=opt.checks,
        parcel_ids=tuple(p.parcel_id for p in b.parcels), window_start=b.window_start,
        documents=checklist(opt, scenario.rules), declaration_id=declaration[0],
        ready_date=opt.trip.ready, wait_days=opt.trip.wait_days,
        wait_saving_cny=waited.get(b.batch_id, 0.0),
        committed=next((c.why for c in scenario.commitments if c.batch_id == b.batch_id), ""))


def _vehicle_uses(scenario: Scenario, batches: Mapping[str, Batch],
                  sol: Solution) -> tuple[VehicleUse, ...]:
    """Per departure of a lane: the vehicles bought (or the per-kg booking) and their load
    lists."""
    riders: dict[Key, list[str]] = defaultdict(list)
    pinned: dict[Key, Lane] = {}
    for bid, opt in sorted(sol.chosen.items()):
        for lane in opt.trip.lanes:
            riders[key_of(lane)].append(bid)
            pinned[key_of(lane)] = lane
    out = []
    for (lane_id, period), members in sorted(riders.items()):
        lane = pinned[(lane_id, period)]
        count = sol.vehicles.get((lane_id, period), 0)
        if lane.per_vehicle and count == 0:
            continue
        cap_kg, cap_m3 = booked_capacity(lane, count)
        kg = sum(batches[m].weight_kg for m in members)
        m3 = sum(batches[m].volume_m3 for m in members)
        on = (1.0, 0.0) if lane.per_vehicle else (kg, m3)  # the bill of a vehicle, a shipment
        out.append(VehicleUse(
            lane_id=lane_id, period=period, mode=lane.mode, count=count,
            load_kg=kg, load_m3=m3,
            capacity_kg=cap_kg, capacity_m3=cap_m3,
            cost_cny=count * lane.cost_per_vehicle_cny if lane.per_vehicle
            else resource_cny(lane, kg, m3), batch_ids=tuple(members),
            loads=pack(lane, count, [batches[m] for m in members]),
            depart_date=lane.departure, arrive_date=lane.arrival,
            tariff="" if lane.tariff is None else lane.tariff.text(
                *(() if lane.billed_per_batch else on)),
            priced=lane.tariff, bill=None if lane.tariff is None or lane.billed_per_batch
            else lane.tariff.charge(*on)))
    return tuple(out)


def departure_tariffs(vehicles: Sequence[VehicleUse]) -> dict[Key, str]:
    """The tariff line applied on each departure (lane id, ISO date), for the legs."""
    return {(v.lane_id, v.period): v.tariff for v in vehicles if v.tariff}


def _disposal(b: Batch, options: Sequence[Option], rule: DisposalRule, cost: float,
              max_legs: int) -> Disposal:
    """A batch disposed of abroad at ``cost``: what returning it alone would cost, and why."""
    allowed = [o for o in options if o.allowed]
    back = min((o.standalone_cny for o in allowed), default=None)
    reasons = () if allowed else unrouted_reasons(b, options, False, max_legs)
    return Disposal(
        batch_id=b.batch_id, origin=b.origin, destination=b.destination,
        goods_class=b.goods_class, trade_mode=b.trade_mode, export_district=b.export_district,
        weight_kg=b.weight_kg, value_cny=b.value_cny,
        parcel_ids=tuple(p.parcel_id for p in b.parcels), cost_cny=cost, return_cny=back,
        reasons=reasons, why=disposal_why(b, rule, cost, back), window_start=b.window_start)


def _unrouted(b: Batch, options: Sequence[Option], dropped: bool, max_legs: int) -> Unrouted:
    """An unrouted batch with its reasons and the relaxation re-solving confirms."""
    return Unrouted(
        b.batch_id, b.origin, b.destination, b.weight_kg,
        unrouted_reasons(b, options, dropped, max_legs),
        tuple(p.parcel_id for p in b.parcels), b.goods_class, b.trade_mode,
        b.export_district, b.window_start, would_route(b, options, dropped))


def unrouted_reasons(batch: Batch, options: Sequence[Option], dropped: bool,
                     max_legs: int) -> tuple[Check, ...]:
    """Why a batch is unrouted: every compliant route full, no path, or the rules that rejected
    its routes (most routes first), each with the ports it rejects and an example."""
    if dropped:
        return (Check("CAPACITY", False, "every compliant trip is full on its departures "
                      f"({sum(1 for o in options if o.allowed)} compliant options)"),)
    if not options:
        return (Check("NO_PATH", False, f"no trip from {batch.origin} to "
                      f"{batch.destination}: no lane path through a clearing node within "
                      f"{max_legs} legs, or none with a departure left on every lane after "
                      f"{batch.ready_date} (lanes that run on listed dates only, or whose "
                      "rate card has no line valid on the days it would leave)"),)
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


def _pct(base: float, value: float) -> float | None:
    return (base - value) / base * 100 if base > 0 else None


def _totals(scenario: Scenario, batches: Sequence[Batch], batch_plans: Sequence[BatchPlan],
            vehicles: Sequence[VehicleUse], unrouted: Sequence[Unrouted],
            baselines: Baselines, n_declarations: int,
            disposed: Sequence[Disposal]) -> Totals:
    """The headline figures; savings over the batches that have the baseline; the unrouted
    parcels with their kg and value beside the cost."""
    by_id = {b.batch_id: b for b in batches}
    left = [p for u in unrouted for p in by_id[u.batch_id].parcels]
    disposal = sum((d.cost_cny for d in disposed), 0.0)
    with_air = [bp for bp in batch_plans if bp.air_cost_cny is not None]
    air_total = sum(bp.air_cost_cny or 0.0 for bp in with_air)
    air_plan = sum(bp.cost_cny for bp in with_air)
    with_old = [bp for bp in batch_plans if bp.same_route_cost_cny is not None]
    old_total = sum(bp.same_route_cost_cny or 0.0 for bp in with_old)
    old_plan = sum(bp.cost_cny for bp in with_old)
    return Totals(
        cost_cny=sum((bp.cost_cny for bp in batch_plans), 0.0),
        freight_cny=sum((bp.components.freight for bp in batch_plans), 0.0),
        vehicles_cny=sum((bp.components.vehicles for bp in batch_plans), 0.0),
        clearance_cny=sum((bp.components.clearance for bp in batch_plans), 0.0),
        tax_exposure_cny=sum((bp.components.tax_exposure for bp in batch_plans), 0.0),
        air_baseline_cny=air_total if with_air else None,
        same_route_baseline_cny=old_total if with_old else None,
        greedy_baseline_cny=greedy_cost(baselines.greedy),
        saving_vs_air_cny=air_total - air_plan if with_air else None,
        saving_vs_air_pct=_pct(air_total, air_plan),
        saving_vs_same_route_cny=old_total - old_plan if with_old else None,
        saving_vs_same_route_pct=_pct(old_total, old_plan),
        batches_compared_with_air=len(with_air),
        batches_compared_with_same_route=len(with_old),
        same_route_unrouted=baselines.same_route_unrouted,
        co2e_kg=sum((bp.co2e_kg for bp in batch_plans), 0.0),
        weight_kg=sum((bp.weight_kg for bp in batch_plans), 0.0),
        batches=len(batches), batches_routed=len(batch_plans), batches_unrouted=len(unrouted),
        parcels=len(scenario.parcels), vehicles=sum(v.count for v in vehicles),
        mean_transit_days=(sum(bp.transit_days for bp in batch_plans) / len(batch_plans)
                           if batch_plans else None),
        max_transit_days=max((bp.transit_days for bp in batch_plans), default=None),
        declarations=n_declarations,
        parcels_routed=sum(len(bp.parcel_ids) for bp in batch_plans),
        parcels_unrouted=len(left), weight_unrouted_kg=sum((p.weight_kg for p in left), 0.0),
        value_unrouted_cny=sum((p.value_cny for p in left), 0.0),
        batches_disposed=len(disposed),
        parcels_disposed=sum(len(d.parcel_ids) for d in disposed),
        weight_disposed_kg=sum((d.weight_kg for d in disposed), 0.0),
        value_disposed_cny=sum((d.value_cny for d in disposed), 0.0),
        disposal_cny=disposal,
        total_cny=sum((bp.cost_cny for bp in batch_plans), 0.0) + disposal,
        parcels_compared_with_air=sum(len(bp.parcel_ids) for bp in with_air),
        parcels_compared_with_same_route=sum(len(bp.parcel_ids) for bp in with_old),
        cost_per_kg_cny=(sum(bp.cost_cny for bp in batch_plans)
                         / sum(bp.weight_kg for bp in batch_plans)) if batch_plans else None,
        storage_cny=sum((bp.components.storage for bp in batch_plans), 0.0),
        batches_waiting=sum(1 for bp in batch_plans if bp.wait_days > 0),
        wait_days=sum(bp.wait_days for bp in batch_plans))


def _status(batches: Sequence[Batch], batch_plans: Sequence[BatchPlan],
            unrouted: Sequence[Unrouted], fell_back: bool, sol: Solution) -> str:
    """OPTIMAL or FEASIBLE (the solver's), PARTIAL (some unrouted), INFEASIBLE (every batch
    unrouted: none returned and none disposed of)."""
    if not batches:
        return "OPTIMAL"
    if len(unrouted) == len(batches):
        return "INFEASIBLE"
    if unrouted:
        return "PARTIAL"
    if fell_back:
        return "FEASIBLE"
    return sol.status


def _map_nodes(scenario: Scenario, batches: Sequence[Batch],
               batch_plans: Sequence[BatchPlan]) -> dict[str, MapNode]:
    """Every node the plan mentions (legs, hubs, clusters, export ports), for maps."""
    net = scenario.network
    mentioned = {n for bp in batch_plans for leg in bp.legs for n in net.lanes[leg.lane_id].nodes}
    mentioned |= {n for b in batches for n in (b.origin, b.destination, b.export_port)}
    return {n: MapNode(net.nodes[n].name, net.nodes[n].kind, net.nodes[n].lat,
                       net.nodes[n].lon, net.nodes[n].district, net.nodes[n].country)
            for n in sorted(mentioned)}


def _meta(scenario: Scenario, sol: Solution, fell_back: bool, disposal: float) -> PlanMeta:
    """What the plan was made from and how it was solved."""
    settings = scenario.solver
    return PlanMeta(
        as_of=scenario.as_of, regime=scenario.regime, regime_forced=scenario.regime_forced,
        solver=SolverMeta(backend=BACKEND, threads=settings.threads, seed=settings.seed,
                          time_limit_s=settings.time_limit_s,
                          relative_gap=settings.relative_gap, ortools=ortools.__version__,
                          stats=sol.stats),
        fallback="heuristic plan (greedy + local search): the solver found none within the "
                 "time limit" if fell_back else None,
        unrouted_penalty_cny=_penalty(sol, disposal), returnroute=_version(),
        inputs=_relative_inputs(scenario), time_limit_reached=sol.time_limit_reached)


def _penalty(sol: Solution, disposal: float) -> float:
    """The penalties of the batches left unrouted: what the solver's dropped batches cost,
    less the disposal costs among them (0 for the heuristic's plan, which has no objective)."""
    if sol.objective_cny is None:
        return 0.0
    return max(0.0, sol.penalty_cny - disposal)


def _relative_inputs(scenario: Scenario) -> dict[str, str]:
    """The input paths relative to the scenario's folder (POSIX separators): the plan does not
    depend on the folder it was run from or on how the path was typed."""
    base = os.path.dirname(os.path.abspath(scenario.inputs.get("scenario", ".")))
    return {role: Path(os.path.relpath(os.path.abspath(p), base)).as_posix()
            for role, p in scenario.inputs.items()}


def _version() -> str:
    try:
        return version("optimizer")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"
