"""The scenario YAML: what to plan, under which rules and prices; ``extends`` and overrides.

``load_scenario`` reads the scenario and every file it names, applies the what-if overrides and
returns a fully validated ``Scenario``; paths in a scenario are relative to its own file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from optimizer.domain import Commitment, Network, Objective, Scenario, SolverOptions
from optimizer.errors import InputError
from optimizer.inputs import overrides as overrides_mod
from optimizer.inputs.commitments import check_commitments
from optimizer.inputs.express import express_lanes
from optimizer.inputs.files import Collector, problem, read_yaml, refuse
from optimizer.inputs.memory import check_memory
from optimizer.inputs.network import lane_from_row, load_lanes, load_ports
from optimizer.inputs.returns import check_reachable, load_returns
from optimizer.inputs.rules import load_rules
from optimizer.inputs.runsize import check_run_size
from optimizer.inputs.schema import ScenarioIn

#: scenarios one ``extends`` chain may hold (a what-if of a what-if of a base is 3)
MAX_EXTENDS = 16


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
        doc["network"] = {k: (str(path.parent / v) if k in ("ports", "lanes", "rules")
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
    ports_path = Path(doc.network.ports)
    lanes_path = Path(doc.network.lanes)
    rules_path = Path(doc.network.rules) if doc.network.rules else \
        ports_path.parent / "rules.yaml"
    returns_path = Path(doc.returns)

    districts, nodes = load_ports(ports_path)
    lanes = load_lanes(lanes_path, nodes)
    rules = load_rules(rules_path, doc.rules, str(path))
    network = Network(districts=districts, nodes=nodes, lanes=lanes)
    try:
        ov = overrides_mod.parse(doc.overrides)
    except ValidationError as err:
        raise InputError([problem(path, where, "", msg) for where, msg in
                          overrides_mod.validation_problems(err)]) from None
    network, batch_rules, problems = overrides_mod.apply(network, ov, lane_from_row)
    if problems:
        raise InputError([problem(path, where, "", msg) for where, msg in problems])
    rules = dataclasses.replace(rules, batch_rules=batch_rules)
    network = dataclasses.replace(network, lanes={
        **network.lanes, **express_lanes(network.nodes, network.lanes, rules.express)})
    parcels = load_returns(returns_path, network.nodes, rules.goods_classes, doc.as_of)
    check_memory(len(parcels), returns_path)
    check_run_size(returns_path, parcels, network, doc.solver.max_legs)
    check_reachable(returns_path, parcels, network.lanes)

    regime = doc.policy.regime
    forced = regime != "auto"
    if forced and regime not in {r.id for r in rules.regimes}:
        col.add("policy", "regime", f"regime {regime} is not defined in {rules_path}")
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
        inputs={"scenario": str(path), "ports": str(ports_path), "lanes": str(lanes_path),
                "rules": str(rules_path), "returns": str(returns_path)},
        commitments=check_commitments(path, tuple(Commitment(
            c.batch_id, tuple(c.parcel_ids), tuple(c.lanes), c.return_port, c.depart_date,
            c.why) for c in doc.commitments), parcels, network),
    )
