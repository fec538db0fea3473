"""The checker's own candidate routes and trips, the rule engine's verdict on them, and their
costs.

A route is a simple path of lanes from a foreign hub to a seller cluster (at most
``scenario.solver.max_legs`` lanes) that enters China, with one of the clearing nodes it reaches
as the return port. The routes of a (hub, cluster) pair are enumerated once, by this module's
own depth-first search; a batch's trips are its routes on the departures ``verify.trips`` gives
it. The rules are those of ``optimizer.compliance.check_option`` (the specification both the
planner and the checker consult), evaluated per (batch, trip) only when a check needs them and
remembered.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterator, Mapping, Sequence

from optimizer.compliance import Screener, check_option
from optimizer.domain import (
    BONDED_MODES,
    Batch,
    Check,
    Commitment,
    Lane,
    Network,
    RegimeRule,
    Route,
    Scenario,
    Trip,
    entry_node,
)
from optimizer.verify.arith import (
    Costing,
    RouteFacts,
    clearance_alone,
    costing,
    declaration_fee,
    route_facts,
    space,
    tax,
)
from optimizer.verify.problems import CENT
from optimizer.verify.tariffs import by_vehicle, chargeable, tariff_of
from optimizer.verify.trips import Rides, committed, committed_trip, ready_day, trips
from optimizer.verify.trips import key as trip_key


def lanes_leaving(net: Network) -> dict[str, list[Lane]]:
    """The lanes out of each node, by lane id."""
    leaving: dict[str, list[Lane]] = defaultdict(list)
    for lane_id in sorted(net.lanes):
        lane = net.lanes[lane_id]
        leaving[lane.origin].append(lane)
    return leaving


def _paths(leaving: Mapping[str, Sequence[Lane]], origin: str, destination: str,
           max_legs: int) -> Iterator[tuple[Lane, ...]]:
    """Every simple lane path from ``origin`` to ``destination`` of at most ``max_legs`` lanes."""
    stack: list[tuple[tuple[Lane, ...], frozenset[str]]] = [((), frozenset({origin}))]
    while stack:
        path, seen = stack.pop()
        here = path[-1].destination if path else origin
        for lane in leaving.get(here, ()):
            if lane.destination in seen:
                continue
            longer = (*path, lane)
            if lane.destination == destination:
                yield longer
            elif len(longer) < max_legs:
                stack.append((longer, seen | {lane.destination}))


def enumerate_routes(net: Network, leaving: Mapping[str, Sequence[Lane]], origin: str,
                     destination: str, max_legs: int) -> tuple[Route, ...]:
    """Every route of a (hub, cluster) pair: each path that enters China, with each clearing node
    it reaches as the return port (none before a bonded lane: that lane carries uncleared goods
    only); sorted by route id."""
    if (origin == destination or origin not in net.nodes or destination not in net.nodes
            or max_legs < 1):
        return ()
    found = []
    for path in _paths(leaving, origin, destination, max_legs):
        entry = entry_node(path, net.nodes)
        if entry is None:
            continue
        bonded = [i for i, lane in enumerate(path) if lane.mode in BONDED_MODES]
        for i, lane in enumerate(path):
            port = net.nodes[lane.destination]
            if port.can_clear and not any(j > i for j in bonded):
                found.append(Route(lanes=path, port_index=i, port=port, entry=entry))
    return tuple(sorted(found, key=lambda r: r.route_id))


class RouteBook:
    """Routes per (hub, cluster), the trips a batch may take on them, and per (batch, trip) the
    checks and costs, memoised.

    Batches are told apart by identity: the checker rebuilds each batch once, and a forged plan
    may give two batches the same id.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._leaving = lanes_leaving(scenario.network)
        self._routes: dict[tuple[str, str], tuple[Route, ...]] = {}
        self._trips: dict[tuple[str, str, dt.date, str], tuple[Trip, ...]] = {}
        self._route_trips: dict[tuple[str, dt.date], tuple[Trip, ...]] = {}
        self._fixed: dict[int, tuple[Trip, ...]] = {}
        self._checks: dict[tuple[int, Hashable, str], tuple[Check, ...]] = {}
        self._costs: dict[tuple[int, Hashable], Costing] = {}
        self._facts: dict[str, RouteFacts] = {}
        self._tax: dict[tuple[int, dt.date], float] = {}
        self._held: list[Batch] = []
        self._rides = Rides()
        self._screeners: dict[str, Screener] = {}

    def routes(self, origin: str, destination: str) -> tuple[Route, ...]:
        """Every route from ``origin`` to ``destination``."""
        key = (origin, destination)
        if key not in self._routes:
            self._routes[key] = enumerate_routes(self.scenario.network, self._leaving, origin,
                                                 destination, self.scenario.solver.max_legs)
        return self._routes[key]

    def find(self, batch: Batch, lane_ids: Sequence[str], port: str) -> Route | None:
        """The batch's route over ``lane_ids`` clearing at ``port``, if it is one."""
        want = "+".join(lane_ids) + "@" + port
        return next((r for r in self.routes(batch.origin, batch.destination)
                     if r.route_id == want), None)

    def ready(self, batch: Batch) -> dt.date:
        """The day the batch is ready at its hub (``trips.ready_day``)."""
        return ready_day(batch, self.scenario)

    def trips(self, batch: Batch, mode: str | None = None) -> tuple[Trip, ...]:
        """Every trip the batch may take: each route the option set holds for it (rules.yaml
        ``bonded_transit``) on each first departure the waiting rule allows (a committed batch:
        its committed trip alone); ``mode``: only the routes whose first (international) lane
        goes by it."""
        fixed = self._fixed.get(id(batch))
        if fixed is None and committed(batch, self.scenario) is not None:
            trip = self._committed_trip(batch, committed(batch, self.scenario))
            self._fixed[id(batch)] = fixed = () if trip is None else (trip,)
            self.hold(batch)
        if fixed is not None:
            return tuple(t for t in fixed if mode in (None, t.route.lanes[0].mode))
        ready = self.ready(batch)
        offers = self.scenario.rules.offers
        if mode is not None:
            return tuple(t for r in self.routes(batch.origin, batch.destination)
                         if r.lanes[0].mode == mode and offers(batch, r)
                         for t in self.route_trips(r, ready))
        key = (batch.origin, batch.destination, ready, batch.export_district)
        if key not in self._trips:
            self._trips[key] = tuple(t for r in self.routes(batch.origin, batch.destination)
                                     if offers(batch, r) for t in self.route_trips(r, ready))
        return self._trips[key]

    def first_departures(self, lane: Lane, ready: dt.date) -> list[dt.date]:
        """The departures of ``lane`` a batch ready on ``ready`` may take first, the earliest
        first (``trips.first_departures``)."""
        return self._rides.firsts(lane, ready, self.scenario.rules.waiting)

    def route_trips(self, route: Route, ready: dt.date) -> tuple[Trip, ...]:
        """The trips of one route for a batch ready on ``ready`` (``trips.trips``)."""
        key = (route.route_id, ready)
        found = self._route_trips.get(key)
        if found is None:
            found = self._route_trips[key] = trips(route, ready, self.scenario.rules.waiting,
                                                   self._rides)
        return found

    def _committed_trip(self, batch: Batch, c: Commitment | None) -> Trip | None:
        """The trip a commitment fixes (its lanes, port and first departure)."""
        if c is None:
            return None
        net = self.scenario.network
        route = self.find(batch, c.lanes, c.return_port)
        if route is None:
            lanes = tuple(net.lanes[lid] for lid in c.lanes if lid in net.lanes)
            idx = [i for i, ln in enumerate(lanes) if ln.destination == c.return_port]
            if len(lanes) != len(c.lanes) or not idx or c.return_port not in net.nodes:
                return None
            port = net.nodes[c.return_port]
            route = Route(lanes, idx[0], port, entry_node(lanes, net.nodes) or port)
        return committed_trip(route, self.ready(batch), c.depart_date)

    def checks(self, batch: Batch, trip: Trip, regime: RegimeRule | None = None
               ) -> tuple[Check, ...]:
        """Every enabled rule's check of the batch on the trip: under ``regime``, else the
        regime the scenario forces, else the one in force on the trip's declaration day.

        Evaluated through the rule engine's ``Screener``, which evaluates each rule once per
        distinct value of what it depends on (the many alternatives of unrouted and disposed
        batches and of the baselines); a routed batch's own trip is judged afresh
        (``engine_checks``)."""
        sc = self.scenario
        regime = regime or sc.forced_regime
        name = regime.id if regime else ""
        screener = self._screeners.get(name)
        if screener is None:
            screener = self._screeners[name] = Screener(sc.network, sc.rules, regime, sc.as_of)
        key = (id(batch), trip_key(trip), name)
        found = self._checks.get(key)
        if found is None:
            found = self._checks[key] = screener.check(batch, trip)
        return found

    def engine_checks(self, batch: Batch, trip: Trip) -> tuple[Check, ...]:
        """Every enabled rule's check of the batch on the trip, each rule evaluated afresh
        (``compliance.check_option``) in the scenario's regime."""
        sc = self.scenario
        return check_option(batch, trip, sc.network, sc.rules, sc.forced_regime, sc.as_of)

    def failed(self, batch: Batch, trip: Trip, regime: RegimeRule | None = None
               ) -> frozenset[str]:
        """The rules that reject the batch on the trip."""
        return frozenset(c.rule for c in self.checks(batch, trip, regime) if not c.passed)

    def compliant(self, batch: Batch, trip: Trip, regime: RegimeRule | None = None) -> bool:
        """Whether every rule allows the batch on the trip."""
        return all(c.passed for c in self.checks(batch, trip, regime))

    def costing(self, batch: Batch, trip: Trip) -> Costing:
        """What the batch costs on the trip (tax on the trip's declaration day)."""
        key = (id(batch), (trip_key(trip), trip.ready))
        found = self._costs.get(key)
        if found is None:
            found = costing(batch, trip, self.facts(trip.route), self.scenario,
                            self.tax(batch, trip.declare_date))
            self._costs[key] = found
        return found

    def landed_floor(self, batch: Batch, trip: Trip) -> float:
        """The least landed cost the batch can have on the trip in any plan: freight (per kg
        and per parcel), its per-parcel declaration fees (its share of a declaration's fixed
        fee can be as small as the other batches on it make it), tax, storage, on each lane
        bought by the vehicle the vehicle cost of the space it takes (shares go by space, and a
        departure buys at least as many vehicles as its load fills: a share is never less), and
        on each tariffed departure its chargeable units at the least a unit can cost there
        (shares go by units, and a bill is never less than its units at that price)."""
        cost = self.costing(batch, trip)
        per_parcel = clearance_alone(batch, 0.0, self.scenario)
        kg, m3 = batch.weight_kg, batch.volume_m3
        space_cny = sum(ln.cost_per_vehicle_cny * space(ln, kg, m3)
                        for ln in trip.lanes if by_vehicle(ln))
        space_cny += sum(price.least_unit_cny * chargeable(price.line, kg, m3)
                         for ln in trip.lanes if (price := tariff_of(ln)) is not None)
        return (cost.freight + per_parcel + cost.tax + cost.storage
                + max(0.0, space_cny * (1 - 1e-6) - CENT))

    def fee(self, route: Route) -> float:
        """The fixed fee of a declaration at the route's return port."""
        return declaration_fee(self.scenario.rules.declaration, route.port)

    def hold(self, batch: Batch) -> Batch:
        """Keep a batch the checker made on the side (a parcel alone) alive while the book
        remembers it: memos are keyed by identity, which a freed batch would hand on."""
        self._held.append(batch)
        return batch

    def facts(self, route: Route) -> RouteFacts:
        """What the route is, whatever the batch: per-kg cost, emissions, lanes."""
        found = self._facts.get(route.route_id)
        if found is None:
            found = self._facts[route.route_id] = route_facts(route)
        return found

    def tax(self, batch: Batch, declared: dt.date) -> float:
        """The batch's duty and VAT when declared on ``declared``."""
        key = (id(batch), declared)
        if key not in self._tax:
            self._tax[key] = sum(tax(p, declared, self.scenario) for p in batch.parcels)
        return self._tax[key]
