"""The transport network as a networkx multigraph, and the candidate routes between two places.

A route (``domain.Route``) is a simple path of lanes from a foreign hub to a seller cluster plus
the choice of the node where the return is declared (the *return port*): the lanes up to it
travel under bond, the lanes after it are domestic delivery. A path through several clearing
nodes yields one route per possible return port, except a port before a bonded lane (a
``bonded_road`` truck under seal carries uncleared goods only: cleared earlier, the goods could
not ride it, so such a route would only ever be rejected). Routes depend only on the network,
never on a batch, so they are enumerated once per (hub, cluster) pair and reused for every batch
of that pair.
"""

from __future__ import annotations

import networkx as nx

from optimizer.domain import BONDED_MODES, Network, Route, entry_node


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
            last = max((i for i, lane in enumerate(path) if lane.mode in BONDED_MODES),
                       default=-1)
            for i, lane in enumerate(path):
                port = nodes[lane.destination]
                if port.can_clear and i >= last:
                    found.append(Route(lanes=path, port_index=i, port=port, entry=entry))
        found.sort(key=lambda r: r.route_id)
        return tuple(found)
