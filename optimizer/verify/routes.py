"""The checker's own candidate routes, the rule engine's verdict on them, and their costs.

A route is a simple path of lanes from a foreign hub to a seller cluster (at most
``scenario.solver.max_legs`` lanes) that enters China, with one of the clearing nodes it reaches
as the return port. The routes of a (hub, cluster) pair are enumerated once, by this module's
own depth-first search; the rules are those of ``optimizer.compliance.check_option`` (the
specification both the planner and the checker consult), evaluated per (batch, route) only when
a check needs them and remembered.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence

from optimizer.compliance import check_option
from optimizer.domain import Batch, Check, Lane, Network, RegimeRule, Route, Scenario, entry_node
from optimizer.verify.arith import (
    Costing,
    RouteFacts,
    clearance_alone,
    costing,
    declaration_fee,
    express_charge,
    route_facts,
    space,
    tax,
)
from optimizer.verify.problems import CENT


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
    it reaches as the return port; sorted by route id."""
    if (origin == destination or origin not in net.nodes or destination not in net.nodes
            or max_legs < 1):
        return ()
    found = []
    for path in _paths(leaving, origin, destination, max_legs):
        entry = entry_node(path, net.nodes)
        if entry is None:
            continue
        for i, lane in enumerate(path):
            port = net.nodes[lane.destination]
            if port.can_clear:
                found.append(Route(lanes=path, port_index=i, port=port, entry=entry))
    return tuple(sorted(found, key=lambda r: r.route_id))


class RouteBook:
    """Routes per (hub, cluster), and per (batch, route) the checks and costs, memoised.

    Batches are told apart by identity: the checker rebuilds each batch once, and a forged plan
    may give two batches the same id.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._leaving = lanes_leaving(scenario.network)
        self._routes: dict[tuple[str, str], tuple[Route, ...]] = {}
        self._checks: dict[tuple[int, str, str], tuple[Check, ...]] = {}
        self._costs: dict[tuple[int, str], Costing] = {}
        self._facts: dict[str, RouteFacts] = {}
        self._tax: dict[tuple[int, dt.date], float] = {}
        self._held: list[Batch] = []

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

    def checks(self, batch: Batch, route: Route, regime: RegimeRule | None = None
               ) -> tuple[Check, ...]:
        """Every enabled rule's check of the batch on the route (the scenario's regime, or
        ``regime``)."""
        sc = self.scenario
        regime = regime or sc.regime_rule
        key = (id(batch), route.route_id, regime.id)
        found = self._checks.get(key)
        if found is None:
            found = check_option(batch, route, sc.network, sc.rules, regime, sc.as_of)
            self._checks[key] = found
        return found

    def failed(self, batch: Batch, route: Route, regime: RegimeRule | None = None
               ) -> frozenset[str]:
        """The rules that reject the batch on the route."""
        return frozenset(c.rule for c in self.checks(batch, route, regime) if not c.passed)

    def compliant(self, batch: Batch, route: Route, regime: RegimeRule | None = None) -> bool:
        """Whether every rule allows the batch on the route."""
        return all(c.passed for c in self.checks(batch, route, regime))

    def costing(self, batch: Batch, route: Route) -> Costing:
        """What the batch costs on the route (tax at the route's declaration date)."""
        key = (id(batch), route.route_id)
        found = self._costs.get(key)
        if found is None:
            facts = self.facts(route)
            declared = batch.depart_date + dt.timedelta(days=facts.days_to_declaration)
            found = costing(batch, facts, self.scenario, self.tax(batch, declared))
            self._costs[key] = found
        return found

    def landed_floor(self, batch: Batch, route: Route) -> float:
        """The least landed cost the batch can have on the route in any plan: freight (per kg
        and per parcel), its per-parcel declaration fees (its share of a declaration's fixed
        fee can be as small as the other batches on it make it), tax, and on each lane bought
        by the vehicle the vehicle cost of the space it takes (shares go by space, and a
        lane-week buys at least as many vehicles as its load fills: a share is never less).
        Cheaper than ``costing``."""
        facts = self.facts(route)
        declared = batch.depart_date + dt.timedelta(days=facts.days_to_declaration)
        per_parcel = clearance_alone(batch, 0.0, self.scenario)
        freight = (facts.cost_per_kg * batch.weight_kg
                   + express_charge(facts.express_lanes, batch))
        space_cny = sum(ln.cost_per_vehicle_cny * space(ln, batch.weight_kg, batch.volume_m3)
                        for ln in facts.vehicle_lanes)
        return (freight + per_parcel + self.tax(batch, declared)
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
        """What the route is, whatever the batch: days, per-kg cost, emissions, lanes."""
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
