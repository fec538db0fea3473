"""An independent check of a plan against its inputs: ``returnroute verify plan.json SCENARIO``.

It reads the plan as the JSON document users receive and trusts nothing the solver computed:
every figure the plan states is recomputed from the scenario's inputs by this package's own
code (it imports nothing of ``optimizer.planning``, ``optimizer.inputs`` or ``optimizer.outputs``;
the rules are evaluated by the rule engine, ``optimizer.compliance``, the specification both
sides consult). In order:

1. ``schema``: the document must validate against plan.schema.json, hold only finite numbers and
   integers a JSON number holds exactly; if not, the check stops there (nothing else can be
   trusted to have its type).
2. parcels and batches (``batches``): every parcel of the returns file once (routed, unrouted
   or disposed of); each batch a valid consolidation of its parcels, with the id, weight and
   fields they give (the id may name the window close and the deadline its parcels all share:
   ``-WYYYYMMDD``, ``-DYYYYMMDD``).
3. routed batches (``routed``): legs on lanes of lanes.csv, chained from hub to seller cluster
   through a clearing node that is the return port; the entry point and district; the dates
   (``timing``, by the checker's own schedule arithmetic, ``trips``): the ready day, every leg
   on its lane's schedule and not before the planning date (on a lane with a rate card, on a
   day it prices: a valid line and an exchange rate, ``tariffs``), the first after the cut-off,
   every later one on the first connection, arrivals, declaration day, ETA and transit days,
   the days waited within rules.yaml's ``waiting``; every rule in force passes on the trip the legs
   make (the regime in force on its declaration day, unless the scenario forces one), and the
   compliance record is the rule engine's; mode, CO2e and the documents checklist follow from
   the lanes and rules.yaml.
4. vehicles (``vehicles``): per departure of a lane (its ISO date, with its departure and
   arrival) the fewest whole vehicles that hold the routed load (more is an inflated cost,
   fewer overfull) within the lane's limit per departure, their cost, capacity and load, and
   only batches whose leg rides that departure; per-kg lanes one booking with no vehicles and
   their limit per departure; load lists that number the vehicles and carry every rider, each
   vehicle a load its batches can make within its capacity; each rider's share of the vehicles
   in proportion to the space it takes.
   Rate cards (``tariffs``, the checker's own arithmetic from ``Lane.pricing``: the line valid
   on the departure, the latest FX rate on or before it, the bill of a load; ``billing``): a
   vehicle-basis line prices the departure's vehicles; a linear line (one band per kg, no
   minimum, fee or divisor) the batch's freight per kg; any other makes the departure one
   shipment (``count`` 1, ``cost_cny`` the bill of its routed load: chargeable units, all-units
   breaks or the next break when cheaper, the minimum, surcharges, fees) shared by the riders in
   proportion to their chargeable units, each share in its freight and its leg; a line whose
   shipment is each batch (``RateLine.shipment``) bills every batch alone on its own load, in
   its own freight and leg. Each entry's ``tariff`` names the line valid that day, its FX rate
   and date, and the bill of the load (of one vehicle on the vehicle basis, none when each
   batch is billed alone); a lane without a rate card has none; each leg's ``tariff`` is its
   departure's (its own bill's, when billed alone).
5. return declarations (``declarations``): the routed batches that agree on every field of
   rules.yaml's ``declaration.group_by`` share one declaration and its fee, paid once; each
   batch's declaration id, the ``declarations`` list and each batch's clearance (per-parcel
   fees plus its share of the fee, in proportion to its parcels).
   Costs of routed batches: freight (per kg, per parcel on domestic express lanes, its own
   bills where each batch is billed alone, and its shares of the bills of the tariffed
   departures it rides), clearance and tax (its own tax and month arithmetic, on the
   declaration day), storage at the hub while it waits, vehicle shares, the landed cost, and
   every leg (per-kg cost plus its parcels' express charges plus its own bill plus its vehicle
   share or share of the bill); each batch's marginal cost and what its
   waiting saves (``marginal``: what the plan's landed cost falls by without it, and what
   leaving on its first possible departure would cost instead; tariff bills count at what they
   would fall or grow by).
6. baselines (``baselines``): each batch's all-air cost from the checker's own trips (routes
   on the departures the waiting rule allows; a tariffed departure billed on its own load
   alone); what always holds of the same-route and greedy baselines.
7. unrouted batches (``unrouted``): every reason re-derived from the checker's own trips
   (``NO_PATH``, the failing rules, ``CAPACITY`` only when no compliant trip fits next to the
   plan's loads), every counterfactual re-checked, no parcel of a batch the rules refuse
   routable on its own (batches are parcel-true), the penalties of the objective; no batch the
   disposal rule allows is left unrouted.
   Disposed batches (``disposal``): allowed by rules.yaml ``disposal``, their cost, what
   returning them alone would cost, their reasons and why, none dearer than returning it.
8. the plan (``totals``): every figure of ``totals`` (with the parcels, kg and value left
   unrouted and disposed of, the disposal costs, returns + disposals, the parcels each saving
   is over and the cost per returned kg); the objective (required unless the heuristic plan
   was used) as cost + shadow prices (lateness under soft deadlines included) + penalties +
   disposal costs; bound, gap and status; the scenario's settings in ``meta``; the ``nodes``
   the plan mentions.
9. the bound of a small plan that checks out (``optimum``): not above the optimum of the
   checker's own re-solve (every assignment of its batches to their compliant trips, disposal
   or being left out, priced by the checker's arithmetic).

Not independently verified, because they cannot be recomputed without re-solving or are prose:

- a batch's ``same_route_cost_cny`` and the same-route totals (the plan re-solved under the old
  rule): only a lower bound per batch, the totals' consistency with the per-batch figures and
  the range of ``same_route_unrouted`` are checked; not that the plan costs less (the objective
  also prices days, holding and CO2e, and a time-limited solve proves nothing);
- ``greedy_baseline_cny`` (the planner's heuristic): only an upper bound;
- that the plan is optimal or its bound valid, beyond bound <= objective, the gap's arithmetic
  and the status's claim against the gap asked for: only for a small plan (``optimum``: up to
  eight batches and a search of 100,000 nodes), which the checker re-solves by its own search
  and arithmetic, and whose bound must not be above the optimum it finds;
- which vehicle carries which parcel (plan.json lists batches per vehicle, not parcels): only
  bounds any packing meets, and an overfull vehicle is accepted as a packing fragment when one
  of its parcels fits in no other vehicle as loaded (as planning.manifests packs them);
- the prose of unrouted reasons' details and of documents' ``why``, and the ``text`` of a rate
  card line (``vehicles[].tariff.text``, which each leg's ``tariff`` must repeat); ``meta``'s
  versions, backend, model sizes, input paths and ``time_limit_reached``.

The batches are rebuilt from the plan's own ``parcel_ids`` lists, not by re-running the
planner's consolidation: a plan that groups the parcels differently from the planner, but
validly, passes. That is intended: the grouping contract is what customs and the sellers rely
on, not one particular grouping.

A batch the scenario commits (``commitments``: it has left, or a planner fixed it) keeps its id,
its trip (which may have left before the planning date, without regard to its cut-off or the
waiting rule) and its place whatever the rules say now; everything else about it is checked.

Each problem is a ``PlanProblem``: a stable ``kind`` (for programs and tests), the batch id or
lane departure (``LANE@2025-07-03``) it concerns, and the message a person reads. The kinds
(``KINDS``):

the document
    ``schema`` not a plan.json by its JSON Schema, a non-finite number or an inexact integer.
parcels and batches (routed and unrouted)
    ``unknown_parcel`` a parcel id the returns file does not have; ``duplicate_parcel`` a parcel
    in two batches; ``missing_parcels`` parcels of the returns file in no batch; ``no_parcels`` a
    batch with no parcel of the returns file; ``duplicate_batch`` a batch id listed twice;
    ``mixed_batch`` parcels differing in origin, destination, goods class, trade mode or export
    district; ``window`` ready dates further apart than ``window_days``; ``batch_id`` an id that
    does not follow from the parcels (the base id, then ``-W`` only with the window close and
    ``-D`` only with the deadline of every parcel); ``weight`` a weight that is not the
    parcels' sum; ``batch_fields`` another field the parcels determine (keys, volume, value)
    that differs.
the route of a routed batch
    ``unknown_lane`` a leg on no lane of lanes.csv; ``leg_mismatch`` a leg whose ends, via, mode
    or days differ from its lane; ``route_ends`` a route not from the batch's hub to its seller
    cluster; ``legs_disconnected`` consecutive legs that do not meet; ``revisits_node`` a route
    through a node twice; ``not_clearing_port`` a return port that is not a clearing node on the
    route; ``entry_point`` an entry point that is not where the route enters China;
    ``return_district`` the wrong district for the return port; ``noncompliant`` a compliance
    rule in force fails; ``compliance_record`` the listed checks are not the rule engine's;
    ``batch_mode`` a mode other than the first leg's; ``documents`` a checklist other than the
    one rules.yaml gives for the route.
dates of a routed batch
    ``ready`` a ready date other than its last parcel's, or the planning date when later;
    ``schedule`` a leg departing on a day its lane does not run, or before the planning date;
    ``cutoff`` a first leg leaving before the batch is ready plus the lane's cut-off;
    ``connection`` a later leg not on the first departure its goods can make after the
    previous leg arrives (and clears, after the return port) plus the lane's cut-off;
    ``arrival`` a leg arriving other than its transit days after it departs, or a declaration
    day, ETA or transit days that do not follow from the legs; ``dates`` a departure other than
    its first leg's; ``wait`` wait days other than from the first departure it could make, or a
    first departure beyond what rules.yaml ``waiting`` allows.
costs and baselines of a routed batch
    ``storage`` storage other than its days at the hub at rules.yaml's price;
    ``cost_component`` freight (with its shares of tariff bills), clearance (per-parcel fees
    plus the batch's share of its declaration's fee) or tax differing from the data;
    ``batch_cost`` a cost that is not freight + vehicle share + clearance + tax + storage;
    ``leg_costs`` a leg cost other than the departure's per-kg cost plus its parcels' express
    charges plus its own bill (a line billing each batch) plus the batch's share of its
    vehicles; ``marginal_cost`` a marginal cost other
    than its freight, per-parcel fees, tax and storage plus the vehicles and declaration fee
    no longer needed without it and what the tariff bills it shares fall by;
    ``wait_saving`` a saving from waiting other than what leaving on its first possible
    departure would add less its marginal cost; ``co2e`` emissions (per batch or in total)
    other than the lanes give; ``air_cost`` an all-air cost other than its cheapest compliant
    air trip alone; ``same_route`` a same-route figure that cannot hold.
vehicles (per departure of a lane)
    ``vehicle_unknown_lane`` an entry on no lane; ``vehicle_entry`` a departure listed twice,
    without riders, or ridden without an entry (per-kg lanes); ``vehicle_departure`` an entry
    whose departure or arrival is not its period's and the lane's, that lists a batch whose leg
    on the lane departs another day, or a departure ridden whose batches' entry is dated
    another day; ``vehicle_batches`` riders other than the batches routed there;
    ``vehicle_fields`` mode, load or capacity other than the routes and lanes give, or vehicles
    on a per-kg lane; ``overfull`` fewer vehicles than the load needs, or a vehicle loaded
    beyond its capacity; ``extra_vehicles`` more vehicles than the load needs (on a tariffed
    departure, a count above its one shipment); ``vehicle_limit`` more vehicles than the lane
    allows a departure; ``vehicle_cost`` a cost other than count x vehicle cost (the
    day's vehicle price on a rate card), the bill of the load on a tariffed departure, or 0;
    ``per_kg_capacity`` a per-kg (or tariffed) lane loaded beyond its capacity per departure;
    ``no_vehicle`` batches on a per-vehicle lane with no vehicle bought (on a tariffed
    departure, no shipment booked: count 0 or no entry); ``vehicle_share`` a
    batch's vehicle cost other than its share, or vehicle costs not fully shared out;
    ``load_list`` a load list that does not number the vehicles, carry every rider, add up, or
    make a load its batches can make.
rate cards (per departure of a lane with one, and its riders)
    ``unpriced_departure`` a leg or entry on a departure its lane's rate card does not price
    (no line valid that day, or no exchange rate on or before it); ``tariff_line`` an entry
    naming another line than the one valid on its departure (an expired one, another field),
    a line on a lane priced in lanes.csv or none on one with a rate card, or a leg's tariff
    null or other than its departure's; ``tariff_fx`` an exchange rate or its date other than
    the latest on or before the departure; ``tariff_bill`` units, billed units, break, rate,
    minimum, freight, surcharges, fees or totals other than the bill of the departure's routed
    load (of one vehicle on the vehicle basis); ``tariff_share`` a leg on a tariffed departure
    whose cost is not the batch's share of the bill by its chargeable units.
return declarations
    ``declaration_id`` a batch declared on another declaration than its group's;
    ``declaration`` an entry of ``declarations`` listed twice, for no routed batch, missing,
    out of order, or with a port, date, trade mode, fee, batches, parcels or weight other than
    its batches give.
unrouted batches
    ``unrouted_reason`` reasons that do not hold (``NO_PATH`` with a trip, rules other than
    those failing, another reason than ``CAPACITY`` for a batch with full compliant trips);
    ``unrouted_routable`` a batch with a compliant trip that fits next to the plan's loads;
    ``would_route`` a counterfactual that is not a smallest relaxation's cheapest trip with its
    port, mode, cost, detail and sentence (or a missing one); ``penalty`` penalties other than
    those of the batches left out for capacity; ``parcel_blocked`` a parcel of a batch the
    rules refuse that could route alone (the batch left it unrouted or disposed of it because
    of its other parcels); ``unrouted_disposable`` a batch the disposal rule allows listed
    unrouted.
disposed batches
    ``disposal_forbidden`` a batch disposed of that rules.yaml ``disposal`` does not allow to
    be; ``disposal_cost`` a cost other than fee x kg + the recovery lost on its value;
    ``disposal_return`` a return cost other than its cheapest compliant trip alone (or null
    with one); ``disposal_reason`` reasons other than a refused batch's rules (or any, when it
    has a compliant trip); ``disposal_why`` a why other than its figures give;
    ``disposed_dearer`` a batch disposed of that a compliant trip fitting next to the plan's
    loads returns for less (beyond what the plan's bound allows).
the plan as a whole
    ``total`` a cost, weight, value or transit-days total that the data do not give (the kg and
    value left unrouted and disposed of, disposal costs, returns + disposals, cost per kg
    too); ``count`` a count of batches, parcels (routed, unrouted, disposed of), vehicles,
    declarations or compared batches and parcels; ``saving`` a baseline total or saving
    other than its batches give; ``greedy_baseline`` a greedy cost no plan of these batches can
    have; ``objective`` a missing objective or one other than cost + shadow prices + penalties
    + disposal costs;
    ``bound`` a missing bound, one above the objective, or (a small plan that checks out
    otherwise) one above the optimum the checker finds re-solving it; ``gap`` a gap other
    than (objective - bound) / objective; ``status`` a status that does not match what is
    routed, the solver's status or the gap; ``meta`` settings other than the scenario's;
    ``nodes`` nodes other than those the plan mentions, as ports.yaml has them.
"""

from __future__ import annotations

from typing import Any

from optimizer.domain import Scenario
from optimizer.verify.baselines import check_air, check_greedy, check_same_route
from optimizer.verify.batches import rebuild_batches
from optimizer.verify.declarations import check_declarations
from optimizer.verify.disposal import check_disposed, check_undisposed
from optimizer.verify.marginal import check_marginal, check_wait_savings
from optimizer.verify.optimum import check_bound_optimum
from optimizer.verify.problems import KINDS, PlanProblem, Problems
from optimizer.verify.routed import Routed, check_costs, check_route
from optimizer.verify.routes import RouteBook
from optimizer.verify.schema import schema_problems
from optimizer.verify.totals import (
    check_left_behind,
    check_meta,
    check_nodes,
    check_objective,
    check_totals,
)
from optimizer.verify.unrouted import check_unrouted
from optimizer.verify.vehicles import check_vehicles

__all__ = ["KINDS", "PlanProblem", "verify_plan"]


def verify_plan(doc: Any, scenario: Scenario) -> list[PlanProblem]:
    """Every problem found in the plan document ``doc`` for ``scenario`` (empty: it checks out).

    ``doc`` is whatever was read from plan.json: anything that is not a plan gives problems of
    kind ``schema``, never an exception.
    """
    problems = schema_problems(doc)
    if problems:
        return problems
    out = Problems()
    book = RouteBook(scenario)
    sections = rebuild_batches(doc, scenario, out)
    routed: list[Routed] = [r for e in sections.routed
                            if (r := check_route(e, book, out)) is not None]
    fleet = check_vehicles(doc, routed, scenario.network, out)
    groups = check_declarations(doc, routed, scenario, out)
    for r in routed:
        check_costs(r, out)
    check_marginal(routed, fleet.loads, scenario, out)
    check_wait_savings(routed, fleet.loads, groups, book, out)
    airs = check_air(routed, book, out)
    summary = check_unrouted(sections.unrouted, fleet.loads, book, out)
    check_undisposed(sections.unrouted, book, out)
    disposal = check_disposed(doc, sections.disposed, fleet.loads, book, out)
    check_same_route(doc, routed, sections.routed, summary.refused + disposal.refused, book,
                     out)
    check_greedy(doc, [e.batch for e in sections.all if e.batch is not None], book, out)
    check_totals(doc, scenario, routed, airs, fleet, disposal, out)
    check_left_behind(doc, sections, out)
    check_objective(doc, scenario, routed, fleet, summary, disposal, out)
    check_meta(doc, scenario, out)
    check_nodes(doc, scenario, routed, sections.all, out)
    if not out.found:  # a re-solve means something only of a plan that checks out
        check_bound_optimum(doc, sections.all, book, out)
    return out.found
