"""The transport network as a networkx multigraph, and the candidate routes between two places.

A route is a simple path of lanes from a foreign hub to a seller cluster plus the choice of the
node where the return is declared (the *return port*): the lanes up to it travel under bond, the
lanes after it are domestic delivery. A path through several clearing nodes yields one route per
possible return port. Routes depend only on the network, never on a batch, so they are
enumerated once per (hub, cluster) pair and reused for every batch of that pair.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx

from optimizer.model import Lane, Network, Node


@dataclass(frozen=True, slots=True)
class Route:
    """A path of lanes with its return port; ``lanes[port_index].destination`` is the port.

    Everything that depends only on the route (days, per-kg cost, the lanes whose capacity is
    shared or limited) is computed once here: a route is reused by every batch of its pair.
    """

    lanes: tuple[Lane, ...]
    port_index: int
    port: Node
    entry: Node
    route_id: str = field(init=False)
    days_to_declaration: int = field(init=False)
    transit_days: int = field(init=False)
    cost_per_kg_cny: float = field(init=False)
    co2e_kg_per_kg: float = field(init=False)
    #: lanes whose use by one batch can change another's cost or feasibility: bought per vehicle,
    #: or per kg with a weekly limit
    limited_lanes: frozenset[str] = field(init=False)
    #: every mode the route uses
    modes: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        bonded = self.lanes[: self.port_index + 1]
        domestic = self.lanes[self.port_index + 1:]
        to_port = sum(lane.transit_days for lane in bonded) + self.port.clearance_days
        values = {
            "route_id": "+".join(lane.lane_id for lane in self.lanes) + "@" + self.port.id,
            "days_to_declaration": to_port,
            "transit_days": to_port + sum(lane.transit_days for lane in domestic),
            "cost_per_kg_cny": sum(lane.cost_per_kg_cny for lane in self.lanes),
            "co2e_kg_per_kg": sum(lane.distance_km * lane.co2e_g_per_tkm
                                  for lane in self.lanes) / 1e6,
            "limited_lanes": frozenset(lane.lane_id for lane in self.lanes
                                       if lane.per_vehicle or lane.max_vehicles is not None),
            "modes": frozenset(lane.mode for lane in self.lanes),
        }
        for key, value in values.items():
            object.__setattr__(self, key, value)

    @property
    def mode(self) -> str:
        """The mode of the international leg, the one a planner names the route by."""
        return self.lanes[0].mode

    @property
    def bonded_lanes(self) -> tuple[Lane, ...]:
        """Lanes travelled before the return is declared."""
        return self.lanes[: self.port_index + 1]

    @property
    def domestic_lanes(self) -> tuple[Lane, ...]:
        """Lanes travelled after clearance, as domestic goods."""
        return self.lanes[self.port_index + 1:]

    def declare_date(self, depart: dt.date) -> dt.date:
        """The date the return declaration is cleared for a batch leaving on ``depart``."""
        return depart + dt.timedelta(days=self.days_to_declaration)

    def eta(self, depart: dt.date) -> dt.date:
        """The delivery date at the seller cluster for a batch leaving on ``depart``."""
        return depart + dt.timedelta(days=self.transit_days)


def build_graph(network: Network) -> nx.MultiDiGraph:
    """A directed multigraph: one node per network node, one edge per lane keyed by lane id."""
    graph = nx.MultiDiGraph()
    for node_id in sorted(network.nodes):
        graph.add_node(node_id, node=network.nodes[node_id])
    for lane_id in sorted(network.lanes):
        lane = network.lanes[lane_id]
        graph.add_edge(lane.origin, lane.destination, key=lane_id, lane=lane)
    return graph


class RouteIndex:
    """Enumerates and caches candidate routes per (origin, destination) pair."""

    def __init__(self, network: Network, max_legs: int = 4) -> None:
        self.network = network
        self.max_legs = max_legs
        self.graph = build_graph(network)
        self._cache: dict[tuple[str, str], tuple[Route, ...]] = {}

    def routes(self, origin: str, destination: str) -> tuple[Route, ...]:
        """Every route from ``origin`` to ``destination`` within ``max_legs`` lanes, sorted."""
        key = (origin, destination)
        if key not in self._cache:
            self._cache[key] = self._enumerate(origin, destination)
        return self._cache[key]

    def _enumerate(self, origin: str, destination: str) -> tuple[Route, ...]:
        graph = self.graph
        if origin not in graph or destination not in graph or origin == destination:
            return ()
        nodes = self.network.nodes
        lanes = self.network.lanes
        found: list[Route] = []
        for edge_path in nx.all_simple_edge_paths(graph, origin, destination,
                                                  cutoff=self.max_legs):
            path = tuple(lanes[key] for _, _, key in edge_path)
            entry = entry_node(path, nodes)
            if entry is None:
                continue
            for i, lane in enumerate(path):
                port = nodes[lane.destination]
                if port.can_clear:
                    found.append(Route(lanes=path, port_index=i, port=port, entry=entry))
        found.sort(key=lambda r: r.route_id)
        return tuple(found)


def entry_node(path: tuple[Lane, ...], nodes: Mapping[str, Node]) -> Node | None:
    """The first node in China the path reaches (a lane's ``via`` counts)."""
    for lane in path:
        for node_id in lane.nodes[1:]:
            if nodes[node_id].domestic:
                return nodes[node_id]
    return None
