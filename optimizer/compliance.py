"""The rule engine: which (batch, trip) options customs allows, and why not the others.

A trip is a route on dated departures (``domain.Trip``): the rules that depend on time judge its
own dates (the declaration day for the return window and the regime in force, the arrival for a
deadline, every leg's days for a closure).

Each rule is a small function registered under its id; which rules run, and every parameter they
use, come from data (rules.yaml, overridable per scenario). A rule returns a ``Check`` with
``passed`` and a detail a customs officer would accept as the reason. Every check is kept, so a
rejected option says exactly which rules it failed and a chosen one which rules it passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from optimizer.domain import (
    BONDED_MODES,
    Batch,
    Check,
    Network,
    RegimeRule,
    Route,
    Rules,
    Trip,
)


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule may look at: the batch, the trip, the network, the rules, and the regime a
    scenario forces (None: the regime in force on the trip's declaration day)."""

    batch: Batch
    trip: Trip
    network: Network
    rules: Rules
    forced: RegimeRule | None
    as_of: dt.date

    @property
    def route(self) -> Route:
        """The trip's route."""
        return self.trip.route

    @property
    def regime(self) -> RegimeRule:
        """The district rule that judges this return: the forced one, or the one in force on
        the day the return is declared (a return declared after a policy change gets the new
        rule)."""
        return self.forced or self.rules.regime_on(self.trip.declare_date)


RuleFn = Callable[[Context], Check]
#: what a rule's outcome depends on, given (batch, trip): equal keys give equal checks
KeyFn = Callable[[Batch, Trip], Hashable]


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A rule implementation and the key its outcome depends on (for memoisation)."""

    check: RuleFn
    key: KeyFn


RULES: dict[str, RuleSpec] = {}


def rule(rule_id: str, key: KeyFn) -> Callable[[RuleFn], RuleFn]:
    """Register a rule implementation under its id (the id used in data and reports)."""

    def register(fn: RuleFn) -> RuleFn:
        RULES[rule_id] = RuleSpec(fn, key)
        return fn

    return register


@rule("TRADE_MODE", key=lambda b, t: b.trade_mode)
def _trade_mode(c: Context) -> Check:
    mode = c.batch.trade_mode
    procedure = c.rules.procedure(mode)
    if procedure == "cbec":
        return Check("TRADE_MODE", True, f"trade mode {mode} returns under the CBEC return "
                     "procedure (GAC 2020 No. 44)")
    if procedure == "general":
        return Check("TRADE_MODE", True, f"trade mode {mode} is not covered by GAC 2020 No. 44: "
                     "it returns under the general returned-goods procedure, never changing "
                     "district")
    eligible = ", ".join(sorted(c.rules.eligible_trade_modes | c.rules.general_return_trade_modes))
    return Check("TRADE_MODE", False, f"trade mode {mode} has no return procedure in the rules "
                 f"({eligible})")


@rule("RETURN_WINDOW", key=lambda b, t: (t.declare_date, b.earliest_export, t.route.port.id))
def _return_window(c: Context) -> Check:
    limit = c.batch.earliest_export + dt.timedelta(days=c.rules.return_window_days)
    declared = c.trip.declare_date
    ok = declared <= limit
    return Check("RETURN_WINDOW", ok, f"declared {declared} at {c.route.port.id}, window "
                 f"closes {limit} ({c.rules.return_window_days} days after export "
                 f"{c.batch.earliest_export})")


#: the rules an explanation may propose to relax: a planner's or a seller's decision (a
#: deadline, a planner's force or forbid) or a closure that ends. Every other rule is the law
#: (the trade mode, the 1-year window, the district rule, CBEC sites, dangerous goods, TIR) or
#: physics (a node's modes), and an explanation never advises breaking it.
RELAXABLE_RULES = frozenset({"DEADLINE", "CLOSED", "PLANNER"})


#: the rules whose outcome depends on the regime in force (re-checked for the same-route baseline)
REGIME_RULES = frozenset({"DISTRICT"})


def _district_key(b: Batch, t: Trip) -> Hashable:
    return (b.trade_mode, b.export_district, b.export_office, t.route.port.id, t.declare_date)


def _home(c: Context, why: str) -> Check:
    """A return that may not cross districts: it clears through the original export customs
    office (``same_route_scope`` office) or anywhere in the export district (district)."""
    port = c.route.port
    export_d, return_d = c.batch.export_district, port.district or ""
    if c.rules.same_route_scope == "district":
        ok = return_d == export_d
        return Check("DISTRICT", ok, f"{why}: it must clear in the export district {export_d}; "
                     f"{port.id} is " + ("in it" if ok else f"in {return_d}"))
    office = c.batch.export_office
    ok = port.office == office
    return Check("DISTRICT", ok, f"{why}: it must clear through the original export customs "
                 f"office {office}; {port.id} is " + ("under it" if ok else
                                                       f"under {port.office} ({return_d})"))


@rule("DISTRICT", key=_district_key)
def _district(c: Context) -> Check:
    export_d = c.batch.export_district
    return_d = c.route.port.district or ""
    regime = c.regime
    day = c.trip.declare_date
    mode = c.batch.trade_mode
    if c.rules.procedure(mode) == "general":
        return _home(c, f"general returned-goods procedure ({mode})")
    if mode not in regime.cross_district_trade_modes:
        return _home(c, f"{regime.id} regime: {mode} returns may not change district")
    districts = c.network.districts
    if regime.export_district_must_be_pilot and not (
            export_d in districts and districts[export_d].is_pilot(day)):
        # the cross-district rule does not cover this return at all: the old rule holds
        return _home(c, f"{regime.id} regime: export district {export_d} is not a "
                     f"cross-district pilot on {day}")
    if return_d == export_d:
        return Check("DISTRICT", True, f"{c.route.port.id} is in the export district {export_d}")
    if regime.return_district_must_be_pilot and not districts[return_d].is_pilot(day):
        return Check("DISTRICT", False, f"{regime.id} regime: return district {return_d} is not "
                     f"a cross-district pilot on {day}")
    return Check("DISTRICT", True, f"{regime.id} regime: cross-district return {export_d} -> "
                 f"{return_d} allowed for {mode}")


@rule("CBEC_SITE", key=lambda b, t: (b.trade_mode, t.route.port.id))
def _cbec_site(c: Context) -> Check:
    port = c.route.port
    if c.rules.procedure(c.batch.trade_mode) == "general":
        return Check("CBEC_SITE", True, f"general returned-goods procedure: {port.id} clears "
                     "imports; no CBEC site needed")
    if not port.cbec_return_site:
        return Check("CBEC_SITE", False, f"{port.id} does not supervise CBEC export returns")
    if port.return_trade_modes and c.batch.trade_mode not in port.return_trade_modes:
        return Check("CBEC_SITE", False, f"{port.id} supervises returns of "
                     f"{', '.join(sorted(port.return_trade_modes))} only, not "
                     f"{c.batch.trade_mode}")
    return Check("CBEC_SITE", True, f"{port.id} supervises CBEC {c.batch.trade_mode} returns")


def _goods_key(b: Batch, t: Trip) -> Hashable:
    return (b.goods_class, t.route.modes, tuple(
        (lane.lane_id, lane.aircraft, lane.dg_accepted) for lane in t.route.lanes
        if lane.mode == "air"))


#: what each air need means, for the messages
AIR_NEEDS = {"cargo_aircraft": "a cargo aircraft (freighter)",
             "dg_accepted": "a service that accepts declared dangerous goods"}


@rule("GOODS_MODE", key=_goods_key)
def _goods_mode(c: Context) -> Check:
    goods = c.rules.goods_classes[c.batch.goods_class]
    modes = {lane.mode for lane in c.route.lanes}
    bad = sorted(modes & goods.forbidden_modes)
    if bad:
        return Check("GOODS_MODE", False, f"{goods.id} goods may not travel by "
                     f"{', '.join(bad)}")
    short = []
    for lane in c.route.lanes:
        if lane.mode != "air":
            continue
        has = {"cargo_aircraft": lane.aircraft == "cargo", "dg_accepted": lane.dg_accepted}
        missing = [AIR_NEEDS[n] for n in sorted(goods.air_needs) if not has[n]]
        if missing:
            short.append(f"{lane.lane_id} ({lane.aircraft or 'passenger'} aircraft"
                         f"{', dangerous goods accepted' if lane.dg_accepted else ''}) is not "
                         + " and not ".join(missing))
    if short:
        return Check("GOODS_MODE", False, f"{goods.id} goods fly only on "
                     + " and ".join(AIR_NEEDS[n] for n in sorted(goods.air_needs)) + ": "
                     + "; ".join(short))
    extra = (" (air: " + " and ".join(AIR_NEEDS[n] for n in sorted(goods.air_needs)) + ")"
             if goods.air_needs and "air" in modes else "")
    return Check("GOODS_MODE", True, f"{goods.id} goods allowed on "
                 f"{', '.join(sorted(modes))}{extra}")


def _tir_key(b: Batch, t: Trip) -> Hashable:
    return (t.route.route_id, t.declare_date)


@rule("TIR_OPEN", key=_tir_key)
def _tir_open(c: Context) -> Check:
    nodes = c.network.nodes
    tir = [lane for lane in c.route.lanes if lane.mode == "tir_road"]
    closed = sorted({n for lane in tir for n in lane.nodes
                     if nodes[n].domestic and not nodes[n].tir_open})
    if closed:
        return Check("TIR_OPEN", False, f"TIR leg through {', '.join(closed)}, not TIR-open")
    if not tir:
        return Check("TIR_OPEN", True, "no TIR leg")
    rules, day = c.rules, c.trip.declare_date
    # a carnet that ends at the border crossing is cleared there as any road import (the TIR
    # gateways since 2018); what GAC 2026 No. 2 opens is CBEC goods under TIR to inland offices
    inland = [lane for lane in tir if nodes[lane.destination].kind != "border_crossing"]
    if inland and rules.tir_cbec_from is not None and day < rules.tir_cbec_from:
        ends = sorted({nodes[lane.destination].office for lane in inland})
        since = dict(rules.tir_cbec_approved_from)
        off = [o for o in ends if o not in rules.tir_cbec_offices
               or (o in since and day < since[o])]
        if off:
            approved = ", ".join(o + (f" from {since[o]}" if o in since else "")
                                 for o in sorted(rules.tir_cbec_offices)) or "none"
            return Check("TIR_OPEN", False, f"CBEC goods under TIR to an inland office only "
                         f"from {rules.tir_cbec_from} ({rules.tir_cbec_source}); before it only "
                         f"into offices approved case by case ({approved}), not "
                         f"{', '.join(off)} (declared {day})")
        return Check("TIR_OPEN", True, f"TIR legs through TIR-open nodes into "
                     f"{', '.join(ends)}, approved for CBEC goods before "
                     f"{rules.tir_cbec_from}")
    return Check("TIR_OPEN", True, "TIR legs only through TIR-open nodes")


@rule("NODE_MODE", key=lambda b, t: t.route.route_id)
def _node_mode(c: Context) -> Check:
    nodes = c.network.nodes
    bad = sorted({f"{n} ({lane.mode})" for lane in c.route.lanes for n in lane.nodes
                  if lane.mode not in nodes[n].modes})
    if bad:
        return Check("NODE_MODE", False, f"mode not handled at {', '.join(bad)}")
    return Check("NODE_MODE", True, "every node handles its legs' modes")


@rule("DOMESTIC_MODE", key=lambda b, t: t.route.route_id)
def _domestic_mode(c: Context) -> Check:
    allowed = c.rules.domestic_modes
    route = c.route
    bad = sorted({lane.lane_id for lane in route.domestic_lanes if lane.mode not in allowed})
    if bad:
        return Check("DOMESTIC_MODE", False, f"after clearance only {', '.join(sorted(allowed))};"
                     f" not {', '.join(bad)}")
    nodes = c.network.nodes
    loose = sorted(lane.lane_id for lane in route.lanes[:route.port_index + 1]
                   if lane.mode in allowed and lane.mode not in BONDED_MODES
                   and nodes[lane.origin].domestic)
    if loose:
        return Check("DOMESTIC_MODE", False, f"before clearance goods in China travel under "
                     f"bond (bonded transit); {', '.join(loose)} is domestic delivery")
    return Check("DOMESTIC_MODE", True, "domestic delivery by " + ", ".join(sorted(allowed)))


@rule("DEADLINE", key=lambda b, t: (b.deadline, t.eta))
def _deadline(c: Context) -> Check:
    eta = c.trip.eta
    if c.batch.deadline is None:
        return Check("DEADLINE", True, f"no deadline; arrives {eta}")
    ok = eta <= c.batch.deadline
    price = c.rules.lateness_cny_per_parcel_day
    if ok or price is None:
        return Check("DEADLINE", ok, f"arrives {eta}, deadline {c.batch.deadline}")
    late = (eta - c.batch.deadline).days
    return Check("DEADLINE", True, f"arrives {eta}, deadline {c.batch.deadline}: {late} "
                 f"day(s) late, allowed at {price:g} CNY a parcel-day (soft deadlines)")


@rule("CLOSED", key=lambda b, t: t.trip_id)  # the route and first departure fix every date
def _closed(c: Context) -> Check:
    closures = c.network.closures
    if not closures:
        return Check("CLOSED", True, "no closures")
    hits = []
    for lane in c.trip.lanes:
        day = lane.departure or c.trip.depart
        last = day + dt.timedelta(days=lane.transit_days)
        for cl in closures:
            touched = (cl.kind == "lane" and cl.id == lane.lane_id) or (
                cl.kind == "node" and cl.id in lane.nodes)
            if touched and cl.overlaps(day, last):
                hits.append(f"{cl.describe()} ({lane.lane_id} {day}..{last})")
    if hits:
        return Check("CLOSED", False, "; ".join(sorted(set(hits))))
    return Check("CLOSED", True, "no closure on the route while the batch travels")


@rule("PLANNER", key=lambda b, t: (b.batch_id, t.route.port.id, t.route.mode))
def _planner(c: Context) -> Check:
    reasons = []
    for br in c.rules.batch_rules:
        if not br.matches(c.batch):
            continue
        port, mode = c.route.port.id, c.route.mode
        if br.force_port and port != br.force_port:
            reasons.append(f"planner forces return port {br.force_port}")
        if port in br.forbid_ports:
            reasons.append(f"planner forbids return port {port}")
        if br.force_mode and mode != br.force_mode:
            reasons.append(f"planner forces mode {br.force_mode}")
        if mode in br.forbid_modes:
            reasons.append(f"planner forbids mode {mode}")
    if reasons:
        return Check("PLANNER", False, "; ".join(sorted(set(reasons))))
    return Check("PLANNER", True, "no planner decision against it")


def check_option(batch: Batch, trip: Trip, network: Network, rules: Rules,
                 regime: RegimeRule | None, as_of: dt.date) -> tuple[Check, ...]:
    """Run every enabled rule, in the order the data lists them, on one (batch, trip)
    (``regime``: the one a scenario forces, None for the one in force when declared)."""
    ctx = Context(batch, trip, network, rules, regime, as_of)
    return tuple(RULES[rule_id].check(ctx) for rule_id in rules.enabled)


class Screener:
    """Checks options for one scenario, remembering each rule's outcome by what it depends on.

    Thousands of batches share routes, ports and trade modes; a rule is evaluated once per
    distinct key (see ``rule(..., key=...)``) instead of once per option.
    """

    def __init__(self, network: Network, rules: Rules, regime: RegimeRule | None,
                 as_of: dt.date) -> None:
        self.network, self.rules, self.regime, self.as_of = network, rules, regime, as_of
        self._specs = [(rule_id, RULES[rule_id]) for rule_id in rules.enabled]
        self._memo: dict[tuple[str, Hashable], Check] = {}

    def recheck(self, checks: tuple[Check, ...], batch: Batch, trip: Trip,
                rules: frozenset[str]) -> tuple[Check, ...]:
        """``checks`` with only the rules in ``rules`` evaluated again (others kept)."""
        return tuple(self.check_one(c.rule, batch, trip) if c.rule in rules else c
                     for c in checks)

    def check_one(self, rule_id: str, batch: Batch, trip: Trip) -> Check:
        """One rule's check, memoised like ``check``."""
        spec = RULES[rule_id]
        key = (rule_id, spec.key(batch, trip))
        found = self._memo.get(key)
        if found is None:
            found = spec.check(Context(batch, trip, self.network, self.rules, self.regime,
                                       self.as_of))
            self._memo[key] = found
        return found

    def check(self, batch: Batch, trip: Trip) -> tuple[Check, ...]:
        """The checks of every enabled rule on one (batch, trip), in data order."""
        out = []
        memo = self._memo
        for rule_id, spec in self._specs:
            key = (rule_id, spec.key(batch, trip))
            found = memo.get(key)
            if found is None:
                found = spec.check(Context(batch, trip, self.network, self.rules,
                                           self.regime, self.as_of))
                memo[key] = found
            out.append(found)
        return tuple(out)


def passed(checks: tuple[Check, ...]) -> bool:
    """True when every check passed."""
    return all(c.passed for c in checks)
