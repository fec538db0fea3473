"""Return declarations as shared fixed costs: which batches one declaration covers.

A broker lodges one return (import) declaration for the goods cleared at one return port on one
day under one trade mode (``rules.declaration.group_by``, data/rules.yaml); its fee is paid once,
whatever the number of batches on it. The solver treats a declaration like a vehicle with room
for everything: a resource bought once for its group (``declaration_lane``), so a batch joins a
declaration that is lodged anyway at no fee, exactly as it joins a truck that runs anyway.
Assembly shares each fee out to the declaration's batches in proportion to their parcels.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Mapping
from typing import Protocol

from optimizer.domain import Batch, DeclarationRule, Lane, Node, Route
from optimizer.plan import Declaration


class Cleared(Protocol):
    """What grouping needs of a chosen option (``options.Option`` has it; options imports
    this module, so the type is structural)."""

    @property
    def batch(self) -> Batch: ...
    @property
    def route(self) -> Route: ...
    @property
    def declare_date(self) -> dt.date: ...

#: room of a declaration: more than any run may hold (inputs cap a run at 1e8 kg, 1e6 m3)
UNLIMITED = 1e12


@functools.lru_cache(maxsize=4096)
def _day_and_week(declared: dt.date) -> tuple[str, str]:
    """A day as YYYYMMDD and its ISO week as YYYY-Www (cached: pricing asks for a few days
    tens of thousands of times)."""
    year, week, _ = declared.isocalendar()
    return f"{declared:%Y%m%d}", f"{year}-W{week:02d}"


def group_values(rule: DeclarationRule, batch: Batch, route: Route, declared: dt.date
                 ) -> tuple[str, ...]:
    """The values of ``rule.group_by`` for ``batch`` declared on ``declared`` at the route's
    return port (dates as YYYYMMDD, the ISO week as YYYY-Www)."""
    day, week = _day_and_week(declared)
    fields = {"return_port": route.port.id, "date": day,
              "week": week, "trade_mode": batch.trade_mode,
              "goods_class": batch.goods_class, "origin": batch.origin,
              "destination": batch.destination, "export_district": batch.export_district,
              "batch": batch.batch_id}
    return tuple(fields[name] for name in rule.group_by)


def declaration_id(values: tuple[str, ...]) -> str:
    """The id of the declaration a group of values makes: ``DECL-PORT-YYYYMMDD-MODE``."""
    return "DECL-" + "-".join(values)


def declaration_fee(rule: DeclarationRule, port: Node) -> float:
    """The fixed fee of one declaration at ``port``: the rule's, or the port's own."""
    return rule.fee_cny if rule.fee_cny is not None else port.clearance_fee_cny


def declaration_lane(rule: DeclarationRule, batch: Batch, route: Route,
                     declared: dt.date) -> Lane | None:
    """The declaration the batch would be cleared on, as a resource the solver buys once
    (one "vehicle" with unlimited room at the fee, in the declaration's own period); None when
    it costs nothing (nothing to share)."""
    fee = declaration_fee(rule, route.port)
    if fee <= 0:
        return None
    return _resource(declaration_id(group_values(rule, batch, route, declared)),
                     route.port.id, fee)


@functools.lru_cache(maxsize=65536)
def _resource(did: str, port: str, fee: float) -> Lane:
    """The declaration ``did`` as a resource (one object per declaration: cached)."""
    return Lane(lane_id=did, origin=port, destination=port, mode="road", cost_per_kg_cny=0.0,
                cost_per_vehicle_cny=fee, vehicle_capacity_kg=UNLIMITED,
                vehicle_capacity_m3=UNLIMITED, max_vehicles=None, transit_days=0,
                distance_km=0.0, co2e_g_per_tkm=0.0, source="return declaration",
                period="declaration")


def declarations(chosen: Mapping[str, Cleared], rule: DeclarationRule
                 ) -> tuple[dict[str, float], dict[str, str], tuple[Declaration, ...]]:
    """The declarations of a plan's routed batches (batch id -> option).

    Returns each batch's share of its declaration's fixed fee (in proportion to its parcels),
    each batch's declaration id, and the declarations sorted by id.
    """
    groups: dict[str, list[Cleared]] = defaultdict(list)
    for bid in sorted(chosen):
        opt = chosen[bid]
        groups[declaration_id(group_values(rule, opt.batch, opt.route, opt.declare_date))
               ].append(opt)
    shares: dict[str, float] = {}
    ids: dict[str, str] = {}
    out = []
    for did in sorted(groups):
        members = groups[did]
        port = members[0].route.port
        fee = declaration_fee(rule, port)
        parcels = sum(len(o.batch.parcels) for o in members)
        for o in members:
            shares[o.batch.batch_id] = fee * len(o.batch.parcels) / parcels
            ids[o.batch.batch_id] = did
        modes = {o.batch.trade_mode for o in members}
        out.append(Declaration(
            declaration_id=did, return_port=port.id,
            date=min(o.declare_date for o in members),
            trade_mode=modes.pop() if len(modes) == 1 else "", fee_cny=fee,
            batch_ids=tuple(o.batch.batch_id for o in members), parcels=parcels,
            weight_kg=sum(o.batch.weight_kg for o in members)))
    return shares, ids, tuple(out)
