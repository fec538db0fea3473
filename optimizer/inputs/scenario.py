"""The scenario YAML: what to plan, under which rules and prices; ``extends`` and overrides.

``load_scenario`` reads the scenario and every file it names, applies the what-if overrides and
returns a fully validated ``Scenario``; paths in a scenario are relative to its own file.

The network is put together in this order: ports and lanes, the lanes added by the overrides,
then the prices (the rate card and ``overrides.add_rates``, with the FX table and
``overrides.fx``: ``rates.price_lanes``), then the rest of the overrides (rate multipliers,
capacities, pilots, closures, planners' decisions), then the domestic express lanes. Every
problem of the overrides and the prices is reported together.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from optimizer.domain import (
    BatchRule,
    Commitment,
    Network,
    Node,
    Objective,
    Scenario,
    SolverOptions,
)
from optimizer.errors import InputError, Problem
from optimizer.inputs import fx as fx_mod
from optimizer.inputs import overrides as overrides_mod
from optimizer.inputs.commitments import check_commitments
from optimizer.inputs.express import express_lanes
from optimizer.inputs.files import Collector, nearest, problem, read_yaml, refuse
from optimizer.inputs.memory import check_memory
from optimizer.inputs.network import lane_from_row, load_ports, read_lanes
from optimizer.inputs.rates import load_rate_card, override_lines, price_lanes
from optimizer.inputs.returns import check_reachable, load_returns
from optimizer.inputs.rules import load_rules
from optimizer.inputs.runsize import check_run_size
from optimizer.inputs.schema import NetworkIn, ScenarioIn

#: scenarios one ``extends`` chain may hold (a what-if of a what-if of a base is 3)
MAX_EXTENDS = 16
#: the keys of ``network:`` that name files (relative to the scenario that writes them)
NETWORK_FILES = ("ports", "lanes", "rules", "rates", "fx")


def read_scenario_doc(path: str | Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The scenario's YAML document with ``extends:`` resolved, paths relative to this process.

    A scenario may ``extends: base.yaml`` (relative to itself): the base is read first (it may
    extend another), every path in it is taken relative to the base's own file, and this file's
    keys are merged on top (mappings key by key, anything else replaced).
    """
    path = Path(path)
    try:
        key = path.resolve()
    except (OSError, RuntimeError) as exc:  # a name too long, a symlink loop
        raise refuse(path, "", "", f"cannot read it: {exc}") from None
    if key in _chain:
        raise refuse(path, "extends", "", "extends itself (a cycle: "
                     + " -> ".join(p.name for p in (*_chain, key)) + ")")
    if len(_chain) >= MAX_EXTENDS:
        raise refuse(path, "extends", "", f"more than {MAX_EXTENDS} scenarios in one extends "
                     "chain (the limit)")
    raw = read_yaml(path)
    if not isinstance(raw, Mapping):
        raise refuse(path, "", "", "expected a mapping (name, as_of, network, returns, ...)")
    doc = dict(raw)
    network = doc.get("network")
    if isinstance(network, Mapping):
        doc["network"] = {k: (str(path.parent / v) if k in NETWORK_FILES
                              and isinstance(v, str) else v) for k, v in network.items()}
    if isinstance(doc.get("returns"), str):
        doc["returns"] = str(path.parent / doc["returns"])
    base = doc.pop("extends", None)
    if base is not None:
        if not isinstance(base, str) or not base:
            raise refuse(path, "extends", "", "expected the path of the scenario this one "
                         "builds on")
        doc = overrides_mod.deep_merge(read_scenario_doc(path.parent / base, (*_chain, key)),
                                       doc)
    return doc


def _beside(given: str | None, default: Path) -> Path | None:
    """A network file: the one given, else ``default`` if it exists (else none)."""
    if given:
        return Path(given)
    return default if default.is_file() else None


@dataclasses.dataclass(frozen=True, slots=True)
class _Files:
    """The input files of a scenario, by role (optional ones None when absent)."""

    scenario: Path
    ports: Path
    lanes: Path
    rules: Path
    returns: Path
    rates: Path | None
    fx: Path | None
    #: where a missing exchange rate should be added (the FX file, or where it would be)
    fx_named: str

    def inputs(self) -> dict[str, str]:
        """The files read, by role (``Scenario.inputs``)."""
        roles = ("scenario", "ports", "lanes", "rules", "returns", "rates", "fx")
        return {r: str(getattr(self, r)) for r in roles if getattr(self, r) is not None}


def _files(path: Path, network: NetworkIn, returns: str) -> _Files:
    """The files a scenario names, or the defaults next to its ports file."""
    ports = Path(network.ports)
    fx_default = ports.parent / "fx.csv"
    fx = _beside(network.fx, fx_default)
    return _Files(scenario=path, ports=ports, lanes=Path(network.lanes),
                  rules=Path(network.rules) if network.rules else ports.parent / "rules.yaml",
                  returns=Path(returns), rates=_beside(network.rates, ports.parent / "rates.csv"),
                  fx=fx, fx_named=str(fx) if fx is not None else f"{fx_default} (no such file)")


def _network(files: _Files, network: Network, lines: Mapping[str, int],
             ov: overrides_mod.OverridesIn, as_of: dt.date) -> tuple[
        Network, tuple[BatchRule, ...]]:
    """The network (as read from ports and lanes; ``lines``: the line of each lane) with its
    prices and the overrides applied, and the planners' batch rules; every problem of the
    lanes' prices and the overrides is raised together."""
    card = load_rate_card(files.rates) if files.rates is not None else []
    fx = fx_mod.load_fx(files.fx) if files.fx is not None else {}
    scenario = str(files.scenario)
    added, issues = overrides_mod.add_lanes(network, ov, functools.partial(
        lane_from_row, require_price=False))
    places = {lane_id: (str(files.lanes), f"line {n} ({lane_id})")
              for lane_id, n in lines.items()}
    places |= {lane_id: (scenario, f"overrides.add_lanes[{i}] ({lane_id})")
               for lane_id, i in added.index.items()}
    extra, problems = override_lines(ov.add_rates, scenario)
    priced, more = price_lanes(added.lanes, places, [*card, *extra],
                               fx_mod.with_overrides(fx, ov.fx, scenario), as_of,
                               files.fx_named, skip=added.refused)
    network, batch_rules, rest = overrides_mod.apply(
        dataclasses.replace(network, lanes=priced), ov)
    found: list[Problem] = [problem(scenario, where, "", msg) for where, msg in issues]
    found += problems + more + [problem(scenario, where, "", msg) for where, msg in rest]
    if found:
        raise InputError(found)
    return network, batch_rules


def _check_offices(where: Path, offices: Iterable[str], nodes: Mapping[str, Node]) -> None:
    """Every office a scenario's ``rules: tir_cbec: approved_offices`` names is a customs office
    of the network (a node's ``customs_office``, or its id): a typo would approve nothing. (The
    bundled rules.yaml's list names the bundled network's offices; a scenario on another network
    that gives its own list is checked against it.)"""
    known = sorted({n.office for n in nodes.values() if n.domestic})
    col = Collector(where)
    for office in sorted(offices):
        if office not in known:
            node = nodes.get(office) or nodes.get(nearest(office, list(nodes)) or "")
            near = nearest(office, known) or (node.office if node is not None else None)
            col.add("rules.tir_cbec", "approved_offices", f"unknown customs office {office}"
                    + (f" (did you mean {near}?)" if near else "")
                    + "; an office is a node's customs_office in ports.yaml, or its id")
    col.raise_if_any()


def load_scenario(path: str | Path, **overrides: Any) -> Scenario:
    """Read a scenario YAML and everything it points to; paths are relative to the scenario.

    Keyword arguments are scenario keys merged on top of the file (the Python API's what-ifs),
    e.g. ``load_scenario(p, as_of="2024-06-01", overrides={"close": {"nodes": ["KHORGOS"]}})``.
    """
    path = Path(path)
    raw = read_scenario_doc(path)
    if overrides:
        raw = overrides_mod.deep_merge(raw, overrides)
    col = Collector(path)
    doc = col.validate(ScenarioIn, raw)
    files = _files(path, doc.network, doc.returns)
    districts, nodes = load_ports(files.ports)
    lanes, lines = read_lanes(files.lanes, nodes)
    rules = load_rules(files.rules, doc.rules, str(path))
    given = (doc.rules or {}).get("tir_cbec")
    if isinstance(given, Mapping) and (given.get("approved_offices")
                                       or given.get("approved_from")):
        _check_offices(path, rules.tir_cbec_offices | {
            o for o, _ in rules.tir_cbec_approved_from if o in (given.get("approved_from") or {})},
            nodes)
    try:
        ov = overrides_mod.parse(doc.overrides)
    except ValidationError as err:
        raise InputError([problem(path, where, "", msg) for where, msg in
                          overrides_mod.validation_problems(err)]) from None
    network, batch_rules = _network(files, Network(districts=districts, nodes=nodes,
                                                   lanes=lanes), lines, ov, doc.as_of)
    rules = dataclasses.replace(rules, batch_rules=batch_rules)
    network = dataclasses.replace(network, lanes={
        **network.lanes, **express_lanes(network.nodes, network.lanes, rules.express)})
    returns_path = files.returns
    parcels = load_returns(returns_path, network.nodes, rules.goods_classes, doc.as_of)
    check_memory(len(parcels), returns_path)
    check_run_size(returns_path, parcels, network, doc.solver.max_legs)
    check_reachable(returns_path, parcels, network.lanes)

    regime = doc.policy.regime
    forced = regime != "auto"
    if forced and regime not in {r.id for r in rules.regimes}:
        col.add("policy", "regime", f"regime {regime} is not defined in {files.rules}")
        col.raise_if_any()
    resolved = regime if forced else rules.regime_on(doc.as_of).id
    return Scenario(
        name=doc.name, description=doc.description, path=path, as_of=doc.as_of,
        regime=resolved, regime_forced=forced,  # type: ignore[arg-type]
        network=network, rules=rules,
        parcels=parcels, window_days=doc.consolidation.window_days,
        objective=Objective(doc.objective.cny_per_transit_day, doc.objective.cny_per_t_co2e,
                            doc.objective.holding_cost_pct_per_year),
        solver=SolverOptions(time_limit_s=doc.solver.time_limit_s,
                             relative_gap=doc.solver.relative_gap, max_legs=doc.solver.max_legs,
                             log=doc.solver.log, scip_params=doc.solver.scip_params),
        inputs=files.inputs(),
        commitments=check_commitments(path, tuple(Commitment(
            c.batch_id, tuple(c.parcel_ids), tuple(c.lanes), c.return_port, c.depart_date,
            c.why) for c in doc.commitments), parcels, network),
    )
