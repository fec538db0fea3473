"""The route and trip of each routed batch, and what follows from them alone.

The legs must be lanes of lanes.csv chained from the batch's hub to its seller cluster through
a clearing node, on departures their schedules give (``verify.timing``); the rule engine must
allow the batch on that trip (judged on its own dates), and the plan's record of its checks
must be the engine's; the mode, the emissions and the documents checklist must follow from the
lanes. Costs wait for the vehicles section (a leg's cost includes the batch's share of the
vehicles of its departure) and are checked by ``check_costs``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from optimizer.domain import Batch, Lane, Network, Route, Scenario, Trip, entry_node
from optimizer.verify.arith import Costing, cbec_relieved, parcel_charge, quality_relieved
from optimizer.verify.batches import Entry
from optimizer.verify.problems import CENT, Problems, close
from optimizer.verify.routes import RouteBook
from optimizer.verify.tariffs import own_bill_cny
from optimizer.verify.timing import check_timing
from optimizer.verify.trips import committed

#: emissions are rounded to 0.1 kg in plan.json
CO2E_TOL = 0.0500001


@dataclass
class Routed:
    """A routed batch whose route could be established, with what later sections need."""

    entry: Entry
    batch: Batch
    #: its route on the plan's own departures
    trip: Trip
    cost: Costing
    #: lane id -> the batch's share of the vehicles bought on the departure it rides
    shares: dict[str, float] = field(default_factory=dict)
    #: lane id -> the batch's share of the bill of the tariffed departure it rides (freight)
    bills: dict[str, float] = field(default_factory=dict)
    #: its per-parcel fees and share of its declaration's fee (``verify.declarations``); None
    #: until that section runs (then it clears alone: ``cost.clearance``)
    clearance_share: float | None = None
    #: whether it is the only batch on its declaration (``verify.declarations``): its marginal
    #: cost then includes the declaration's fee
    declaration_alone: bool = False

    @property
    def bid(self) -> str:
        """The batch id the plan gives."""
        return self.entry.bid

    @property
    def route(self) -> Route:
        """The trip's route."""
        return self.trip.route

    @property
    def clearance(self) -> float:
        """What the batch pays to clear in the plan: its share of its declaration."""
        return self.cost.clearance if self.clearance_share is None else self.clearance_share

    @property
    def freight(self) -> float:
        """Its freight in the plan: per kg and per parcel, and its shares of the bills of the
        tariffed departures it rides."""
        return self.cost.freight + sum(self.bills.values())

    @property
    def variable(self) -> float:
        """Freight, clearance (its share), tax and storage: the landed cost apart from
        vehicles."""
        return self.freight + self.clearance + self.cost.tax + self.cost.storage

    @property
    def landed(self) -> float:
        """The batch's landed cost: freight, its share of the vehicles, clearance, tax and
        storage."""
        return self.variable + sum(self.shares.values())


def _route_lanes(e: Entry, where: str, net: Network, out: Problems) -> list[Lane] | None:
    """The lanes of the entry's legs, each matching lanes.csv; None when a lane is unknown."""
    lanes: list[Lane] = []
    for leg in e.doc["legs"]:
        lane = net.lanes.get(leg["lane_id"])
        if lane is None:
            out.add("unknown_lane", e.bid, f"{where}: unknown lane {leg['lane_id']}")
            return None
        stated = (leg["from"], leg["to"], leg["via"] or None, leg["mode"], leg["transit_days"])
        if stated != (lane.origin, lane.destination, lane.via or None, lane.mode,
                      lane.transit_days):
            out.add("leg_mismatch", e.bid, f"{where}: leg {lane.lane_id} does not match "
                    "lanes.csv")
        lanes.append(lane)
    return lanes


def _check_chain(lanes: Sequence[Lane], b: Batch, bid: str, where: str, out: Problems) -> None:
    """The lanes must run, connected and without loops, from the hub to the seller cluster."""
    chain = [lanes[0].origin] + [ln.destination for ln in lanes]
    if chain[0] != b.origin or chain[-1] != b.destination:
        out.add("route_ends", bid, f"{where}: route runs {chain[0]} -> {chain[-1]}, batch is "
                f"{b.origin} -> {b.destination}")
    for a, c in itertools.pairwise(lanes):
        if a.destination != c.origin:
            out.add("legs_disconnected", bid, f"{where}: legs {a.lane_id} and {c.lane_id} do "
                    "not connect")
    if len(set(chain)) != len(chain):
        out.add("revisits_node", bid, f"{where}: the route visits a node twice")


def _route(e: Entry, lanes: Sequence[Lane], where: str, net: Network,
           out: Problems) -> Route | None:
    """The route the entry states (port, entry point, district); None when they cannot hold."""
    port_id = e.doc["return_port"]
    idx = [i for i, ln in enumerate(lanes) if ln.destination == port_id]
    if not idx or port_id not in net.nodes or not net.nodes[port_id].can_clear:
        out.add("not_clearing_port", e.bid, f"{where}: return port {port_id} is not a clearing "
                "node on the route")
        return None
    port = net.nodes[port_id]
    entry_point = entry_node(tuple(lanes), net.nodes)
    if entry_point is None or entry_point.id != e.doc["entry_point"]:
        out.add("entry_point", e.bid, f"{where}: entry point {e.doc['entry_point']} is not "
                "where the route enters China")
        return None
    if e.doc["return_district"] != (port.district or ""):
        out.add("return_district", e.bid, f"{where}: {port_id} is in {port.district}, not "
                f"{e.doc['return_district']}")
    return Route(tuple(lanes), idx[0], port, entry_point)


def _check_compliance(e: Entry, b: Batch, trip: Trip, book: RouteBook, where: str,
                      out: Problems) -> None:
    """Every rule in force must allow the batch on its trip (a committed batch is kept
    whatever the rules say now), and the plan's record of the checks must be the rule
    engine's (rule, outcome and detail, in the order rules.yaml runs them)."""
    checks = book.engine_checks(b, trip)
    fixed = committed(b, book.scenario) is not None
    for check in checks:
        if not check.passed and not fixed:
            out.add("noncompliant", e.bid, f"{where}: not compliant: {check.rule}: "
                    f"{check.detail}")
    engine = [{"rule": c.rule, "passed": c.passed, "detail": c.detail} for c in checks]
    if e.doc["compliance"] != engine:
        out.add("compliance_record", e.bid, f"{where}: the compliance checks listed are not "
                "the rule engine's for this trip")


def expected_documents(b: Batch, route: Route, cost: Costing,
                       scenario: Scenario) -> list[tuple[str, str]]:
    """The (id, name) of every document of rules.yaml whose condition holds for the batch on
    the route: a leg by a mode; entered at one node and cleared at another (bonded transit);
    cleared outside the export district; some parcel declared within its 6-month relief; some
    parcel a tax-free quality return; the return's procedure (cbec or general: the trade mode
    lists of rules.yaml); a TIR leg that ends at the return port when that is not a border
    crossing (the TIR import declared inland)."""
    rules = scenario.rules
    procedure = ("cbec" if b.trade_mode in rules.eligible_trade_modes else
                 "general" if b.trade_mode in rules.general_return_trade_modes else "none")
    facts = {
        "bonded_transit": route.entry.id != route.port.id,
        "cross_district": (route.port.district or "") != b.export_district,
        "tax_relief": any(cbec_relieved(p, cost.declared, scenario) for p in b.parcels),
        "quality_return": any(quality_relieved(p, cost.declared, scenario) for p in b.parcels),
        "tir_inland": route.port.kind != "border_crossing" and any(
            lane.mode == "tir_road" and lane.destination == route.port.id
            for lane in route.lanes),
    }
    modes = {lane.mode for lane in route.lanes}
    return [(d.id, d.name) for d in rules.documents
            if all(value in modes if key == "mode" else value == procedure
                   if key == "procedure" else bool(facts.get(key)) == bool(value)
                   for key, value in d.when)]


def _check_figures(e: Entry, b: Batch, route: Route, cost: Costing, scenario: Scenario,
                   where: str, out: Problems) -> None:
    """The mode the batch is named by, its emissions and its documents checklist."""
    if e.doc["mode"] != route.lanes[0].mode:
        out.add("batch_mode", e.bid, f"{where}: mode {e.doc['mode']} but its international "
                f"(first) leg goes by {route.lanes[0].mode}")
    if not close(e.doc["co2e_kg"], cost.co2e_kg, CO2E_TOL):
        out.add("co2e", e.bid, f"{where}: co2e_kg {e.doc['co2e_kg']} but its lanes give "
                f"{cost.co2e_kg:.1f}")
    stated = [(d["id"], d["name"]) for d in e.doc["documents"]]
    want = expected_documents(b, route, cost, scenario)
    if stated != want:
        out.add("documents", e.bid, f"{where}: documents {[i for i, _ in stated]} but rules.yaml "
                f"asks for {[i for i, _ in want]}")


def _check_committed(e: Entry, b: Batch, scenario: Scenario, out: Problems) -> None:
    """A batch says why it is committed exactly when the scenario commits it."""
    c = committed(b, scenario)
    want = "" if c is None else c.why
    if e.doc["committed"] != want:
        out.add("batch_fields", e.bid, f"batch {e.bid}: committed {e.doc['committed']!r}, but "
                + (f"the scenario commits it: {want!r}" if c else "no commitment holds it"))


def check_route(e: Entry, book: RouteBook, out: Problems) -> Routed | None:
    """One routed batch: its route, port, dates, compliance and figures; None when its route
    or trip cannot be established (its costs are then not checked)."""
    b = e.batch
    if b is None:
        return None
    where = f"batch {e.bid}"
    net = book.scenario.network
    lanes = _route_lanes(e, where, net, out)
    if lanes is None:
        return None
    _check_chain(lanes, b, e.bid, where, out)
    route = _route(e, lanes, where, net, out)
    if route is None:
        return None
    trip = check_timing(e, b, route, book.scenario, out)
    if trip is None:
        return None
    _check_committed(e, b, book.scenario, out)
    _check_compliance(e, b, trip, book, where, out)
    cost = book.costing(b, trip)
    _check_figures(e, b, route, cost, book.scenario, where, out)
    return Routed(e, b, trip, cost)


def check_costs(r: Routed, out: Problems) -> None:
    """Freight (with its shares of tariff bills) and tax from the data, clearance from its
    declaration (its per-parcel fees and share of the fee), storage from its days at the hub,
    the vehicle share from the vehicles section; the batch's cost their sum; each leg
    (``_check_legs``)."""
    where = f"batch {r.bid}"
    comps = r.entry.doc["components"]
    billed = sum(r.bills.values())
    for key, want in (("freight", r.freight), ("clearance", r.clearance),
                      ("tax_exposure", r.cost.tax)):
        if not close(comps[key], want):
            how = (f" ({r.cost.freight:.2f} per kg and parcel + {billed:.2f}, its shares of "
                   "the tariff bills of its departures)" if key == "freight" and r.bills
                   else "")
            out.add("cost_component", r.bid, f"{where}: {key} {comps[key]} but the data give "
                    f"{want:.2f}{how}")
    if not close(comps["storage"], r.cost.storage):
        hub = ((r.trip.lanes[0].departure or r.trip.ready) - r.trip.ready).days
        out.add("storage", r.bid, f"{where}: storage {comps['storage']}, but "
                f"{hub} day(s) at the hub from {r.trip.ready} cost {r.cost.storage:.2f} "
                "(rules.yaml waiting.storage_cny_per_kg_day per kg and day)")
    share = sum(r.shares.values())
    if not close(comps["vehicles"], share):
        out.add("vehicle_share", r.bid, f"{where}: vehicles {comps['vehicles']} but its share "
                f"of the vehicles it rides is {share:.2f}")
    if not close(r.entry.doc["cost_cny"], r.landed, 2 * CENT):
        out.add("batch_cost", r.bid, f"{where}: cost {r.entry.doc['cost_cny']} is not freight + "
                f"vehicles + clearance + tax + storage ({r.landed:.2f})")
    _check_legs(r, where, out)


def _check_legs(r: Routed, where: str, out: Problems) -> None:
    """Each leg: the per-kg cost of its departure, its parcels' charges on a per-parcel
    (express) lane, its own bill on a departure billed per batch, its share of the vehicles,
    and on a tariffed departure its share of the shipment's bill (``tariff_share`` when that is
    what differs)."""
    for leg, lane in zip(r.entry.doc["legs"], r.trip.lanes, strict=True):
        own = (lane.cost_per_kg_cny * r.batch.weight_kg + parcel_charge(lane, r.batch.parcels)
               + own_bill_cny(lane, r.batch.weight_kg, r.batch.volume_m3))
        want = own + r.shares.get(lane.lane_id, 0.0) + r.bills.get(lane.lane_id, 0.0)
        if close(leg["cost_cny"], want):
            continue
        if lane.lane_id in r.bills:
            out.add("tariff_share", r.bid, f"{where}: leg {lane.lane_id} costs "
                    f"{leg['cost_cny']}, but its share of the bill of {lane.lane_id}@"
                    f"{lane.departure} by its chargeable units is "
                    f"{r.bills[lane.lane_id]:.2f} (+ {own:.2f} per kg and parcel: "
                    f"{want:.2f})")
        else:
            out.add("leg_costs", r.bid, f"{where}: leg {lane.lane_id} costs {leg['cost_cny']}, "
                    "not its per-kg cost plus its parcels' express charges plus its own bill "
                    f"(a line billing each batch) plus its share of the vehicles ({want:.2f})")
