"""The plan as a whole: headline totals, objective, bound and gap, status, meta and nodes.

Every figure of ``totals`` is recomputed from the checked batches and vehicles (money from the
data, not from the rounded batch figures), the disposals beside the returns (``total_cny`` is
the landed cost plus the disposal costs); the objective is the landed cost plus the shadow
prices (lateness included) plus the penalties of batches left out for capacity plus the
disposal costs, and it may be null only when the heuristic plan was used (``meta.fallback``);
the bound is at most the objective and the gap is (objective - bound) / objective; a status
says what is returned and how well it is proven (INFEASIBLE only when every batch is
unrouted: a disposed batch is not).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from optimizer.domain import Scenario
from optimizer.verify.batches import Entry, Sections
from optimizer.verify.disposal import DisposalSummary
from optimizer.verify.problems import CENT, KG, Problems, close, close_or_null, money_tol
from optimizer.verify.routed import Routed
from optimizer.verify.unrouted import UnroutedSummary
from optimizer.verify.vehicles import Fleet

#: the gap is written with 6 decimals
GAP_TOL = 5.0001e-7
#: a solver may call a plan optimal at a gap this small when asked for gap 0
OPTIMAL_GAP = 1e-9


def _show(value: float | None) -> str:
    """A recomputed figure as a message shows it."""
    return "null" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def _pct(base: float, value: float) -> float | None:
    """Saving of ``value`` against ``base`` in % of ``base`` (None without a positive base)."""
    return (base - value) / base * 100 if base > 0 else None


def _check_costs(t: Mapping[str, Any], routed: Sequence[Routed], fleet: Fleet,
                 out: Problems) -> None:
    """Cost and its components (storage too), weight, CO2e, transit days and the days waited
    of the routed batches."""
    parts = {"freight": sum(r.freight for r in routed), "vehicles": fleet.cost,
             "clearance": sum(r.clearance for r in routed),
             "tax_exposure": sum(r.cost.tax for r in routed)}
    parts["storage"] = sum(r.cost.storage for r in routed)
    money = {"cost_cny": sum(parts.values()), **{f"{k}_cny": v for k, v in parts.items()}}
    days = [r.cost.transit_days for r in routed]
    waits = [max(0, r.trip.wait_days) for r in routed]
    figures = [("total", key, value, money_tol(value)) for key, value in money.items()]
    figures += [
        ("total", "weight_kg", sum(r.batch.weight_kg for r in routed), 1.0001e-3),
        ("co2e", "co2e_kg", sum(r.cost.co2e_kg for r in routed), CENT),
        ("total", "mean_transit_days", sum(days) / len(days) if days else None, 0.0050001),
        ("total", "max_transit_days", max(days, default=None), 0.0),
        ("total", "wait_days", sum(waits), 0.0),
        ("count", "batches_waiting", sum(1 for w in waits if w > 0), 0.0)]
    for kind, key, want, tol in figures:
        if not close_or_null(t[key], want, tol):
            out.add(kind, None, f"totals.{key} {t[key]} but the plan's batches give "
                    f"{_show(want)}")


def _check_counts(doc: Mapping[str, Any], scenario: Scenario, fleet: Fleet,
                  out: Problems) -> None:
    """Batches (routed, unrouted, disposed of), parcels and vehicles counted."""
    t = doc["totals"]
    routed, unrouted, disposed = (len(doc["batches"]), len(doc["unrouted"]),
                                  len(doc["disposed"]))
    want = {"batches": routed + unrouted + disposed, "batches_routed": routed,
            "batches_unrouted": unrouted, "batches_disposed": disposed,
            "parcels": len(scenario.parcels), "vehicles": fleet.vehicles}
    for key, value in want.items():
        if t[key] != value:
            out.add("count", None, f"totals.{key} {t[key]} but the plan has {value}")


def check_left_behind(doc: Mapping[str, Any], sections: Sections, out: Problems) -> None:
    """The parcels routed, and the parcels, kg and value left unrouted and disposed of: a plan
    never looks cheaper for leaving goods behind without saying so (from the returns file's
    parcels of each batch)."""
    t = doc["totals"]
    counts = {"parcels_routed": sum(len(e.batch.parcels) for e in sections.routed if e.batch)}
    for name, entries in (("unrouted", sections.unrouted), ("disposed", sections.disposed)):
        left = [e.batch for e in entries if e.batch is not None]
        counts[f"parcels_{name}"] = sum(len(b.parcels) for b in left)
        kg = sum(p.weight_kg for b in left for p in b.parcels)
        value = sum(p.value_cny for b in left for p in b.parcels)
        for key, want, tol in ((f"weight_{name}_kg", kg, KG * max(1, len(left))),
                               (f"value_{name}_cny", value, money_tol(value, len(left)))):
            if not close(t[key], want, tol):
                out.add("total", None, f"totals.{key} {t[key]} but the {name} batches' "
                        f"parcels give {want:.3f}")
    for key, value in counts.items():
        if t[key] != value:
            out.add("count", None, f"totals.{key} {t[key]} but the plan's batches hold {value}")


def _check_baseline(t: Mapping[str, Any], name: str, base: float | None, plan: float,
                    compared: int, tol: float, out: Problems) -> None:
    """A baseline's total over the batches that have it, the saving against it in CNY and %,
    and how many batches it compares."""
    if t[f"batches_compared_with_{name}"] != compared:
        out.add("count", None, f"totals.batches_compared_with_{name} "
                f"{t[f'batches_compared_with_{name}']} but {compared} batches have the "
                "baseline")
    key = "air_baseline_cny" if name == "air" else "same_route_baseline_cny"
    if not close_or_null(t[key], base, tol):
        out.add("saving", None, f"totals.{key} {t[key]} but its batches give {_show(base)}")
        return
    stated = t[key]  # within its rounding of ``base``: the savings are computed from it
    saving = None if stated is None else stated - plan
    pct = None if stated is None else _pct(stated, plan)
    # the % is rounded to 2 decimals, from figures known here to a fen or so: a % on a rounding
    # edge may be written either way
    pct_tol = 0.0050001 + (100 * money_tol(plan) / stated if stated else 0.0)
    for field, want, tol_ in ((f"saving_vs_{name}_cny", saving, money_tol(plan)),
                              (f"saving_vs_{name}_pct", pct, pct_tol)):
        if not close_or_null(t[field], want, tol_):
            out.add("saving", None, f"totals.{field} {t[field]} but the baselines give "
                    f"{_show(want)}")


def _check_disposal_totals(t: Mapping[str, Any], routed: Sequence[Routed], fleet: Fleet,
                           disposal: DisposalSummary, out: Problems) -> None:
    """The disposal costs, the total of returns and disposals, and the landed cost per
    returned kg (null when nothing is returned)."""
    cost = sum(r.variable for r in routed) + fleet.cost
    kg = sum(r.batch.weight_kg for r in routed)
    total = cost + disposal.cost
    per_kg = cost / kg if routed and kg > 0 else None
    for key, want, tol in (("disposal_cny", disposal.cost, money_tol(disposal.cost)),
                           ("total_cny", total, money_tol(total, 2)),
                           ("cost_per_kg_cny", per_kg,
                            CENT + money_tol(cost) / max(kg, 1e-9))):
        if not close_or_null(t[key], want, tol):
            out.add("total", None, f"totals.{key} {t[key]} but the plan's batches give "
                    f"{_show(want)}")


def _check_compared_parcels(t: Mapping[str, Any], name: str, routed: Sequence[Routed],
                            out: Problems) -> None:
    """The parcels of the batches a saving is over (``routed``: those with the baseline)."""
    want = sum(len(r.batch.parcels) for r in routed)
    key = f"parcels_compared_with_{name}"
    if t[key] != want:
        out.add("count", None, f"totals.{key} {t[key]} but the {len(routed)} batches with the "
                f"baseline hold {want} parcels")


def check_totals(doc: Mapping[str, Any], scenario: Scenario, routed: Sequence[Routed],
                 airs: Sequence[float | None], fleet: Fleet, disposal: DisposalSummary,
                 out: Problems) -> None:
    """Every figure of ``totals``."""
    t = doc["totals"]
    _check_costs(t, routed, fleet, out)
    _check_counts(doc, scenario, fleet, out)
    _check_disposal_totals(t, routed, fleet, disposal, out)
    with_air = [(r, a) for r, a in zip(routed, airs, strict=True) if a is not None]
    air = sum(a for _, a in with_air) if with_air else None
    _check_baseline(t, "air", air, sum(r.landed for r, _ in with_air), len(with_air),
                    money_tol(air or 0.0), out)
    _check_compared_parcels(t, "air", [r for r, _ in with_air], out)
    old = [(r, r.entry.doc["same_route_cost_cny"]) for r in routed
           if r.entry.doc["same_route_cost_cny"] is not None]
    base = sum(c for _, c in old) if old else None
    _check_baseline(t, "same_route", base, sum(r.landed for r, _ in old), len(old),
                    money_tol(base or 0.0, len(old)), out)
    _check_compared_parcels(t, "same_route", [r for r, _ in old], out)


# -- objective, bound, gap and status --------------------------------------------------------


def _check_penalty(doc: Mapping[str, Any], summary: UnroutedSummary, out: Problems) -> None:
    """The penalties of batches left out for capacity (none in a heuristic plan, which has no
    objective to add them to)."""
    stated = doc["meta"]["unrouted_penalty_cny"]
    allowed = [summary.penalty] + ([0.0] if doc["meta"]["fallback"] is not None else [])
    if not any(close(stated, want, money_tol(want)) for want in allowed):
        out.add("penalty", None, f"meta.unrouted_penalty_cny {stated} but the batches left "
                f"out for capacity give {summary.penalty:.2f}")


def _check_objective(doc: Mapping[str, Any], routed: Sequence[Routed], fleet: Fleet,
                     summary: UnroutedSummary, disposal: DisposalSummary,
                     out: Problems) -> None:
    """Null only for the heuristic plan; else cost + shadow prices (lateness included) +
    penalties + disposal costs."""
    obj, fallback = doc["objective_cny"], doc["meta"]["fallback"]
    if obj is None:
        if fallback is None:
            out.add("objective", None, "objective_cny is null, but meta.fallback says the "
                    "solver's plan was used")
        return
    if fallback is not None:
        out.add("objective", None, f"objective_cny {obj}, but meta.fallback says the "
                "heuristic plan was used (it has no objective)")
    recomputed = (sum(r.variable + r.cost.shadow for r in routed) + fleet.cost
                  + summary.penalty + disposal.cost)
    if not close(obj, recomputed, CENT + 1e-7 * abs(recomputed)):
        out.add("objective", None, f"objective {obj} but cost + shadow prices + penalties + "
                f"disposal costs = {recomputed:.2f}")


def _check_bound(doc: Mapping[str, Any], relative_gap: float, out: Problems) -> None:
    """Bound and gap: null with the objective; else bound <= objective, gap = (objective -
    bound) / objective, and a plan called optimal within the gap asked for."""
    obj, bound, gap = doc["objective_cny"], doc["bound_cny"], doc["gap"]
    if obj is None:
        if bound is not None or gap is not None:
            out.add("bound" if bound is not None else "gap", None, f"bound {bound} and gap "
                    f"{gap} given without an objective")
        return
    if bound is None or bound > obj + CENT:
        out.add("bound", None, f"bound {bound} is not a bound at or below the objective {obj}")
        return
    want = (obj - bound) / abs(obj) if obj else 0.0
    if gap is None or abs(gap - want) > GAP_TOL + 2 * CENT / max(abs(obj), CENT):
        out.add("gap", None, f"gap {gap} but (objective - bound) / objective = {want:.6f}")
    optimal = "OPTIMAL" in (doc["status"], doc["solver_status"])
    if optimal and gap is not None and gap > max(relative_gap, OPTIMAL_GAP):
        out.add("status", None, f"status OPTIMAL at gap {gap}, beyond the gap asked for "
                f"({relative_gap})")


def _check_status(doc: Mapping[str, Any], out: Problems) -> None:
    """INFEASIBLE when every batch is unrouted (none returned, none disposed of), PARTIAL when
    some are, else the solver's status (or FEASIBLE for the heuristic plan); the solver has a
    status of a plan exactly when there is an objective."""
    routed, unrouted = len(doc["batches"]), len(doc["unrouted"])
    disposed = len(doc["disposed"])
    status, solver = doc["status"], doc["solver_status"]
    fallback = doc["meta"]["fallback"] is not None
    if routed == 0 and disposed == 0 and unrouted:
        expected = "INFEASIBLE"
    elif unrouted:
        expected = "PARTIAL"
    else:
        expected = "FEASIBLE" if fallback else solver
    if status != expected:
        out.add("status", None, f"status {status} but {routed} batches are routed, "
                f"{disposed} disposed of and {unrouted} unrouted (solver: {solver}"
                + (", heuristic plan)" if fallback else ")"))
    if (solver in ("OPTIMAL", "FEASIBLE")) != (doc["objective_cny"] is not None):
        out.add("status", None, f"solver status {solver} with objective "
                f"{doc['objective_cny']}")


def check_objective(doc: Mapping[str, Any], scenario: Scenario, routed: Sequence[Routed],
                    fleet: Fleet, summary: UnroutedSummary, disposal: DisposalSummary,
                    out: Problems) -> None:
    """Penalties, objective, bound, gap and status."""
    _check_penalty(doc, summary, out)
    _check_objective(doc, routed, fleet, summary, disposal, out)
    _check_bound(doc, scenario.solver.relative_gap, out)
    _check_status(doc, out)


# -- meta and nodes --------------------------------------------------------------------------


def check_meta(doc: Mapping[str, Any], scenario: Scenario, out: Problems) -> None:
    """The date, regime and solver settings the plan says it was made with. (Not the scenario's
    name: a plan may be checked against another scenario of the same inputs.)"""
    meta, solver = doc["meta"], doc["meta"]["solver"]
    want = {"meta.as_of": (meta["as_of"], scenario.as_of.isoformat()),
            "meta.regime": (meta["regime"], scenario.regime),
            "meta.regime_forced": (meta["regime_forced"], scenario.regime_forced),
            "meta.solver.threads": (solver["threads"], scenario.solver.threads),
            "meta.solver.seed": (solver["seed"], scenario.solver.seed),
            "meta.solver.time_limit_s": (solver["time_limit_s"], scenario.solver.time_limit_s),
            "meta.solver.relative_gap": (solver["relative_gap"], scenario.solver.relative_gap)}
    wrong = [f"{key} {stated} (scenario: {value})" for key, (stated, value) in want.items()
             if stated != value]
    if wrong:
        out.add("meta", None, f"not the scenario's settings: {'; '.join(wrong)}")


def check_nodes(doc: Mapping[str, Any], scenario: Scenario, routed: Sequence[Routed],
                entries: Sequence[Entry], out: Problems) -> None:
    """``nodes`` holds every node the plan mentions (legs, hubs, seller clusters, export
    ports) and only those, each as ports.yaml has it."""
    net = scenario.network
    mentioned = {n for r in routed for lane in r.route.lanes for n in lane.nodes}
    mentioned |= {n for e in entries if e.batch is not None
                  for n in (e.batch.origin, e.batch.destination, e.batch.export_port)}
    listed = doc["nodes"]
    if set(listed) != mentioned:
        out.add("nodes", None, f"nodes lists {sorted(set(listed) - mentioned)} the plan does "
                f"not mention and leaves out {sorted(mentioned - set(listed))}")
    for node_id in sorted(set(listed) & mentioned):
        n, stated = net.nodes.get(node_id), listed[node_id]
        if n is None or stated != {"name": n.name, "kind": n.kind, "lat": n.lat, "lon": n.lon,
                                   "district": n.district, "country": n.country}:
            out.add("nodes", None, f"nodes.{node_id} is not the node of ports.yaml")
