"""Each routed batch's marginal cost: what the plan's landed cost falls by without it.

The other batches stay where they are, so it follows from the plan alone: the batch's own
freight (per kg and per parcel), per-parcel declaration fees and tax; for every lane bought by
the vehicle that it rides, the vehicles the lane-week's load needs less those it needs without
the batch's kg and m3, at the lane's vehicle cost; and its declaration's fixed fee when no
other batch is declared on it. (A batch's ``cost_cny`` is its *share* of the vehicles and the
fee; ``marginal_cny`` says what keeping it really adds.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from optimizer.domain import Scenario
from optimizer.verify.arith import clearance_alone, needed
from optimizer.verify.problems import Problems, close, money_tol
from optimizer.verify.routed import Routed

Loads = Mapping[tuple[str, str], tuple[float, float]]


def marginal_cost(r: Routed, loads: Loads, scenario: Scenario) -> float:
    """The landed cost the plan saves without the batch (the module docstring's sum);
    ``loads``: each lane-week's routed kg and m3."""
    b = r.batch
    saved = r.cost.freight + clearance_alone(b, 0.0, scenario) + r.cost.tax
    for lane in r.route.lanes:
        if not lane.per_vehicle:
            continue
        kg, m3 = loads.get((lane.lane_id, b.period), (b.weight_kg, b.volume_m3))
        fewer = needed(lane, kg, m3) - needed(lane, max(0.0, kg - b.weight_kg),
                                             max(0.0, m3 - b.volume_m3))
        saved += fewer * lane.cost_per_vehicle_cny
    if r.declaration_alone:
        saved += r.cost.fee
    return saved


def check_marginal(routed: Sequence[Routed], loads: Loads, scenario: Scenario,
                   out: Problems) -> None:
    """Every routed batch's ``marginal_cny``, recomputed."""
    for r in routed:
        want = marginal_cost(r, loads, scenario)
        stated = r.entry.doc["marginal_cny"]
        if not close(stated, want, money_tol(want, 2)):
            out.add("marginal_cost", r.bid, f"batch {r.bid}: marginal_cny {stated}, but without "
                    f"it the plan's landed cost falls by {want:.2f} (its freight, per-parcel "
                    "fees and tax, the vehicles and declaration no longer needed)")
