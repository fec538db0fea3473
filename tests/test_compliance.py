"""Each compliance rule, accepting and rejecting, and the regime timeline."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from conftest import lane, parcel, small_lanes, small_ports

from optimizer.compliance import RULES, check_option
from optimizer.domain import RULE_IDS, BatchRule, Check
from optimizer.errors import InputError
from optimizer.inputs import load_scenario
from optimizer.planning.consolidate import consolidate
from optimizer.planning.pipeline import prepare, run
from optimizer.planning.routes import RouteIndex
from optimizer.planning.schedules import trips


def _checks(path, port: str, mode: str | None = None) -> dict[str, Check]:
    """The checks of the first option of the only batch that clears at ``port``."""
    sc = load_scenario(path)
    prepared = prepare(sc)
    (batch,) = prepared.batches
    opts = [o for o in prepared.options[batch.batch_id] if o.route.port.id == port
            and (mode is None or o.route.mode == mode)]
    assert opts, f"no option at {port}"
    return {c.rule: c for c in opts[0].checks}


def test_every_rule_in_data_is_implemented() -> None:
    import yaml
    from conftest import ROOT
    enabled = yaml.safe_load((ROOT / "data" / "rules.yaml").read_text())["enabled"]
    assert set(enabled) == set(RULES)


def test_trade_mode(make_case) -> None:
    assert _checks(make_case([parcel("P1", mode="9610")]), "BORDER")["TRADE_MODE"].passed
    bad = _checks(make_case([parcel("P1", mode="0110")]), "BORDER")["TRADE_MODE"]
    assert not bad.passed and "0110" in bad.detail


def test_return_window(make_case) -> None:
    # export 2024-07-15, ready 2025-07-01: BORDER declares 2025-07-07 (5 days + 1 clearance),
    # the window closes 2025-07-15 -> allowed; INLAND declares 2025-07-10 -> allowed;
    # exported 2024-07-05 the window closes 2025-07-05 -> both rejected.
    ok = make_case([parcel("P1", export="2024-07-15")])
    assert _checks(ok, "BORDER")["RETURN_WINDOW"].passed
    late = make_case([parcel("P1", export="2024-07-05")])
    check = _checks(late, "BORDER")["RETURN_WINDOW"]
    assert not check.passed and "2025-07-05" in check.detail
    # declared exactly on the last day is still in time: export 2024-07-07 -> closes 2025-07-07
    edge = make_case([parcel("P1", export="2024-07-07")])
    assert _checks(edge, "BORDER")["RETURN_WINDOW"].passed
    assert not _checks(edge, "INLAND")["RETURN_WINDOW"].passed


def test_district_under_each_regime(make_case) -> None:
    p = [parcel("P1", export="2024-05-01", ready="2024-06-01")]
    # same_route (before 2024-12-15): only the export district ADIST
    old = make_case(p, as_of="2024-06-01")
    assert _checks(old, "BORDER")["DISTRICT"].passed
    check = _checks(old, "INLAND")["DISTRICT"]
    assert not check.passed and "same_route" in check.detail
    # pilot: a pilot return district is fine, a non-pilot one is not
    p = [parcel("P1")]
    pilot = make_case(p, as_of="2025-07-10")
    assert _checks(pilot, "INLAND")["DISTRICT"].passed
    check = _checks(pilot, "NOPILOT")["DISTRICT"]
    assert not check.passed and "CDIST is not a cross-district pilot" in check.detail
    # nationwide: any district
    p = [parcel("P1", export="2026-04-01", ready="2026-05-01")]
    assert _checks(make_case(p, as_of="2026-05-10"), "NOPILOT")["DISTRICT"].passed


def test_pilot_export_district_parameter(make_case) -> None:
    ports = small_ports()
    ports["districts"][0]["pilot_since"] = None  # ADIST (export district) is not a pilot
    p = [parcel("P1")]
    strict = make_case(p, ports=ports)
    check = _checks(strict, "INLAND")["DISTRICT"]
    assert not check.passed and "export district ADIST" in check.detail
    relaxed = make_case(p, ports=ports, rules={"regimes": [
        {"id": "same_route", "from": "2020-03-27"},
        {"id": "pilot", "from": "2024-12-15", "cross_district_trade_modes": ["9610"],
         "return_district_must_be_pilot": True, "export_district_must_be_pilot": False},
        {"id": "nationwide", "from": "2026-04-01", "cross_district_trade_modes": ["9610"]}]})
    assert _checks(relaxed, "INLAND")["DISTRICT"].passed


@pytest.mark.parametrize("mode", ["1210", "9810", "9710"])
def test_only_9610_crosses_districts(make_case, mode: str) -> None:
    p = [parcel("P1", mode=mode, export="2026-04-01", ready="2026-05-01")]
    path = make_case(p, as_of="2026-05-10")
    assert not _checks(path, "NOPILOT")["DISTRICT"].passed
    assert _checks(path, "BORDER")["DISTRICT"].passed


def test_cbec_site(make_case) -> None:
    ports = small_ports()
    for node in ports["nodes"]:
        if node["id"] == "INLAND":
            node["cbec_return_site"] = False
        if node["id"] == "AIRPORT":
            node["return_trade_modes"] = ["1210"]
    path = make_case([parcel("P1")], ports=ports)
    assert _checks(path, "BORDER")["CBEC_SITE"].passed
    assert not _checks(path, "INLAND")["CBEC_SITE"].passed
    check = _checks(path, "AIRPORT")["CBEC_SITE"]
    assert not check.passed and "1210 only" in check.detail


def test_goods_class_vs_mode(make_case) -> None:
    # a standalone lithium battery (UN3480) may not fly on the small network's air lane (a
    # passenger service by default); test_audit_rules covers every air restriction
    path = make_case([parcel("P1", goods="battery_standalone")])
    check = _checks(path, "AIRPORT")["GOODS_MODE"]
    assert not check.passed and "cargo aircraft" in check.detail
    assert _checks(path, "BORDER")["GOODS_MODE"].passed
    assert _checks(make_case([parcel("P1")]), "AIRPORT")["GOODS_MODE"].passed
    # a class may also be kept off a mode altogether
    rules = {"goods_classes": {"general": {"forbidden_modes": ["air"]}}}
    check = _checks(make_case([parcel("P1")], rules=rules), "AIRPORT")["GOODS_MODE"]
    assert not check.passed and check.detail == "general goods may not travel by air"


def test_tir_open(make_case) -> None:
    ports = small_ports()
    for node in ports["nodes"]:
        if node["id"] == "BORDER":
            node["tir_open"] = False
    path = make_case([parcel("P1")], ports=ports)
    # the TIR lane to INLAND enters via BORDER, which is closed to TIR
    check = _checks(path, "INLAND")["TIR_OPEN"]
    assert not check.passed and "BORDER" in check.detail
    assert _checks(path, "AIRPORT")["TIR_OPEN"].passed


def test_node_mode(make_case) -> None:
    lanes = [*small_lanes(), lane("L_RAIL", "HUB", "INLAND", "rail", per_vehicle=9000, days=9)]
    path = make_case([parcel("P1")], lanes=lanes)
    check = _checks(path, "INLAND", mode="rail")["NODE_MODE"]
    assert not check.passed and "INLAND (rail)" in check.detail
    assert _checks(path, "INLAND", mode="tir_road")["NODE_MODE"].passed


def test_domestic_mode_and_port_choice_on_a_path(make_case) -> None:
    # BORDER -> INLAND bonded TIR lane: the route HUB>BORDER>INLAND>SELLER may clear at BORDER
    # (then the TIR leg would be domestic: rejected) or at INLAND (allowed).
    lanes = [*small_lanes(), lane("L_BONDED", "BORDER", "INLAND", "tir_road", per_vehicle=100)]
    sc = load_scenario(make_case([parcel("P1")], lanes=lanes))
    prepared = prepare(sc)
    (batch,) = prepared.batches
    via = [o for o in prepared.options[batch.batch_id]
           if [ln.lane_id for ln in o.route.lanes] == ["L_TIR_BORDER", "L_BONDED",
                                                       "L_ROAD_INLAND"]]
    by_port = {o.route.port.id: {c.rule: c for c in o.checks} for o in via}
    assert set(by_port) == {"BORDER", "INLAND"}
    assert not by_port["BORDER"]["DOMESTIC_MODE"].passed
    assert by_port["INLAND"]["DOMESTIC_MODE"].passed


def test_deadline(make_case) -> None:
    row = parcel("P1") | {"deadline": "2025-07-09"}
    path = make_case([row])
    # BORDER arrives 2025-07-10 (too late), AIRPORT 2025-07-05 (in time)
    assert not _checks(path, "BORDER")["DEADLINE"].passed
    assert _checks(path, "AIRPORT")["DEADLINE"].passed
    plan = run(load_scenario(path))
    assert plan.batches[0].return_port == "AIRPORT"


def test_rules_can_be_switched_off_in_the_scenario(make_case) -> None:
    path = make_case([parcel("P1", goods="battery")], rules={
        "enabled": ["TRADE_MODE", "RETURN_WINDOW", "DISTRICT", "CBEC_SITE"]})
    checks = _checks(path, "AIRPORT")
    assert "GOODS_MODE" not in checks


@pytest.mark.parametrize(("as_of", "export", "ready", "expected"), [
    ("2024-11-30", "2024-10-01", "2024-11-01", {"BORDER"}),                       # same_route
    ("2025-07-10", "2025-06-01", "2025-07-01", {"BORDER", "INLAND", "AIRPORT"}),  # pilot
    ("2026-05-10", "2026-04-01", "2026-05-01",
     {"BORDER", "INLAND", "AIRPORT", "NOPILOT"}),                                 # nationwide
])
def test_allowed_ports_follow_as_of(make_case, as_of, export, ready, expected) -> None:
    path = make_case([parcel("P1", export=export, ready=ready)], as_of=as_of)
    prepared = prepare(load_scenario(path))
    (batch,) = prepared.batches
    allowed = {o.route.port.id for o in prepared.options[batch.batch_id] if o.allowed}
    assert allowed == expected


def test_answer_changes_with_as_of(make_case) -> None:
    # 3,000 kg: INLAND (15,900) beats BORDER (19,500) once cross-district returns are allowed;
    # NOPILOT (12,000 + 300 + 600 = 12,900) wins only under the nationwide rule.
    def port(as_of: str, export: str, ready: str, regime: str = "auto") -> str:
        path = make_case([parcel("P1", 3000, volume=15, export=export, ready=ready)],
                         as_of=as_of, regime=regime)
        return run(load_scenario(path)).batches[0].return_port

    assert port("2024-11-30", "2024-10-01", "2024-11-01") == "BORDER"
    assert port("2025-07-10", "2025-06-01", "2025-07-01") == "INLAND"
    assert port("2026-05-10", "2026-04-01", "2026-05-01") == "NOPILOT"
    # a forced regime wins over the date
    assert port("2026-05-10", "2026-04-01", "2026-05-01", regime="same_route") == "BORDER"
    assert port("2026-05-10", "2026-04-01", "2026-05-01", regime="pilot") == "INLAND"


def test_regime_boundaries(make_case) -> None:
    rules = load_scenario(make_case()).rules
    assert rules.regime_on(dt.date(2024, 12, 14)).id == "same_route"
    assert rules.regime_on(dt.date(2024, 12, 15)).id == "pilot"
    assert rules.regime_on(dt.date(2026, 3, 31)).id == "pilot"
    assert rules.regime_on(dt.date(2026, 4, 1)).id == "nationwide"


def test_unrouted_batch_keeps_reasons_and_others_still_route(make_case) -> None:
    parcels = [parcel("P1", mode="0110", dest="SELLER"), parcel("P2", dest="SELLER2")]
    plan = run(load_scenario(make_case(parcels)))
    assert plan.status == "PARTIAL"
    assert [bp.destination for bp in plan.batches] == ["SELLER2"]
    (u,) = plan.unrouted
    assert {c.rule for c in u.reasons} >= {"TRADE_MODE"}
    assert all(not c.passed for c in u.reasons)


def test_checks_are_reported_for_chosen_routes(make_case) -> None:
    plan = run(load_scenario(make_case()))
    rules = [c.rule for c in plan.batches[0].compliance]
    assert rules == ["TRADE_MODE", "RETURN_WINDOW", "DISTRICT", "CBEC_SITE", "GOODS_MODE",
                     "TIR_OPEN", "NODE_MODE", "DOMESTIC_MODE", "DEADLINE", "CLOSED", "PLANNER"]
    assert all(c.passed for c in plan.batches[0].compliance)


def _route_checks(sc, batch, regime=None, rules=None) -> dict[str, dict[str, Check]]:
    """check_option on every route HUB -> SELLER, by return port: rule id -> check."""
    rules = rules or sc.rules
    regime = regime or sc.regime_rule
    # the lanes.csv routes (domestic express adds one more per clearing node)
    routes = [r for r in RouteIndex(sc.network).routes("HUB", "SELLER")
              if not r.lanes[-1].parcel_first_kg_cny]
    assert sorted(r.port.id for r in routes) == ["AIRPORT", "BORDER", "INLAND", "NOPILOT"]
    out = {}
    for route in routes:
        # the earliest trip: the lanes run daily without cut-off, so it leaves on the ready day
        trip = trips(route, batch.ready_date, rules.waiting)[0]
        assert trip.depart == batch.ready_date
        checks = check_option(batch, trip, sc.network, rules, regime, sc.as_of)
        # one check per enabled rule, in the data's order, each under its own id
        assert [c.rule for c in checks] == list(rules.enabled)
        out[route.port.id] = {c.rule: c for c in checks}
    return out


def _failed(checks: dict[str, Check]) -> set[str]:
    return {rule for rule, c in checks.items() if not c.passed}


def _names(detail: str, *words: str) -> None:
    for word in words:
        assert word in detail, (word, detail)


#: the small network's return ports: district and international mode
PORTS = {"BORDER": ("ADIST", "tir_road"), "INLAND": ("BDIST", "tir_road"),
         "AIRPORT": ("BDIST", "air"), "NOPILOT": ("CDIST", "tir_road")}


@pytest.mark.parametrize(("regime_id", "rejected"), [
    ("same_route", {"INLAND", "AIRPORT", "NOPILOT"}),  # only the export district ADIST
    ("pilot", {"NOPILOT"}),                              # CDIST is not a pilot
    ("nationwide", set()),                               # any district
])
def test_check_option_directly(make_case, regime_id: str, rejected: set[str]) -> None:
    # P1: 9610 general goods exported 2025-06-01 via BORDER (ADIST), ready 2025-07-01, no
    # deadline; only DISTRICT depends on the regime, every other rule passes on every route
    sc = load_scenario(make_case())
    (batch,) = consolidate(sc.parcels, sc.network.nodes, 7)
    by_port = _route_checks(sc, batch, regime=sc.rules.regime(regime_id))
    declared = {"BORDER": "2025-07-07", "INLAND": "2025-07-10", "AIRPORT": "2025-07-04",
                "NOPILOT": "2025-07-09"}
    for port, checks in by_port.items():
        district, mode = PORTS[port]
        assert _failed(checks) == ({"DISTRICT"} if port in rejected else set()), port
        _names(checks["TRADE_MODE"].detail, "trade mode 9610 returns under the CBEC return "
               "procedure")
        _names(checks["RETURN_WINDOW"].detail, f"declared {declared[port]} at {port}",
               "window closes 2026-06-01", "export 2025-06-01")
        _names(checks["CBEC_SITE"].detail, f"{port} supervises CBEC 9610 returns")
        _names(checks["GOODS_MODE"].detail, "general goods allowed on", mode)
        _names(checks["TIR_OPEN"].detail, "no TIR leg" if mode == "air" else "TIR-open")
        _names(checks["DEADLINE"].detail, "no deadline")
        detail = checks["DISTRICT"].detail
        if port == "BORDER" and regime_id == "same_route":
            _names(detail, "original export customs office BORDER; BORDER is under it")
        elif port == "BORDER":
            assert detail == "BORDER is in the export district ADIST"
        elif regime_id == "same_route":
            _names(detail, "same_route regime", "9610", "original export customs office "
                   "BORDER", f"{port} is under {port} ({district})")
        elif port in rejected:
            # the pilot list is read on the day the return is declared
            _names(detail, f"{regime_id} regime", f"return district {district}",
                   f"is not a cross-district pilot on {declared[port]}")
        else:
            _names(detail, f"{regime_id} regime", f"cross-district return ADIST -> {district}",
                   "allowed for 9610")


def test_check_option_rejects_for_exactly_the_failing_rules(make_case) -> None:
    # a battery batch exported 2024-07-05 (window closes 2025-07-05), due 2025-07-09; AIRPORT
    # takes 1210 returns only and the planner forbids INLAND; under the pilot regime:
    ports = small_ports()
    for node in ports["nodes"]:
        if node["id"] == "AIRPORT":
            node["return_trade_modes"] = ["1210"]
    row = parcel("P1", goods="battery_standalone", export="2024-07-05") | {
        "deadline": "2025-07-09"}
    sc = load_scenario(make_case([row], ports=ports))
    assert sc.regime_rule.id == "pilot"
    rules = dataclasses.replace(sc.rules, batch_rules=(
        BatchRule(match=(("destination", "SELLER"),), forbid_ports=frozenset({"INLAND"})),))
    (batch,) = consolidate(sc.parcels, sc.network.nodes, 7)
    by_port = _route_checks(sc, batch, rules=rules)
    assert {port: _failed(checks) for port, checks in by_port.items()} == {
        "AIRPORT": {"CBEC_SITE", "GOODS_MODE"},
        "BORDER": {"RETURN_WINDOW", "DEADLINE"},
        "INLAND": {"RETURN_WINDOW", "DEADLINE", "PLANNER"},
        "NOPILOT": {"RETURN_WINDOW", "DISTRICT", "DEADLINE"},
    }
    air, border = by_port["AIRPORT"], by_port["BORDER"]
    _names(air["CBEC_SITE"].detail, "AIRPORT", "1210 only", "not 9610")
    _names(air["GOODS_MODE"].detail, "battery_standalone goods fly only on a cargo aircraft",
           "L_AIR (passenger aircraft)")
    _names(air["RETURN_WINDOW"].detail, "declared 2025-07-04 at AIRPORT",
           "window closes 2025-07-05")  # passed: declared a day before the window closes
    _names(air["DEADLINE"].detail, "arrives 2025-07-05, deadline 2025-07-09")  # passed
    _names(border["RETURN_WINDOW"].detail, "declared 2025-07-07 at BORDER",
           "window closes 2025-07-05", "export 2024-07-05")
    _names(border["DEADLINE"].detail, "arrives 2025-07-10, deadline 2025-07-09")
    _names(border["GOODS_MODE"].detail,  # passed
           "battery_standalone goods allowed on road, tir_road")
    _names(by_port["INLAND"]["PLANNER"].detail, "planner forbids return port INLAND")
    _names(by_port["INLAND"]["RETURN_WINDOW"].detail, "declared 2025-07-10 at INLAND")
    _names(by_port["INLAND"]["DEADLINE"].detail, "arrives 2025-07-11")
    _names(by_port["NOPILOT"]["DISTRICT"].detail, "return district CDIST is not a")
    _names(by_port["NOPILOT"]["RETURN_WINDOW"].detail, "declared 2025-07-09 at NOPILOT")
    for port in ("AIRPORT", "BORDER", "NOPILOT"):
        assert by_port[port]["PLANNER"].passed
    # without the planner's decision INLAND fails only for the dates
    assert _failed(_route_checks(sc, batch)["INLAND"]) == {"RETURN_WINDOW", "DEADLINE"}


def test_memoised_checks_equal_direct_checks(make_case) -> None:
    # batches that share routes and dates but differ in what the rules look at: the options'
    # (memoised, see Screener) checks must be exactly what check_option says for each
    rows = [parcel("P1", export="2024-07-15"), parcel("P2", goods="battery", export="2024-07-05"),
            parcel("P3", mode="1210"), parcel("P4", mode="0110", dest="SELLER2"),
            parcel("P5", dest="SELLER2") | {"deadline": "2025-07-09"}]
    sc = load_scenario(make_case(rows))
    prepared = prepare(sc)
    assert len(prepared.batches) == 5
    verdicts = set()
    for batch in prepared.batches:
        for opt in prepared.options[batch.batch_id]:
            direct = check_option(batch, opt.trip, sc.network, sc.rules, sc.forced_regime,
                                  sc.as_of)
            assert opt.checks == direct, (batch.batch_id, opt.route.route_id)
            verdicts.add(opt.allowed)
    assert verdicts == {True, False}


def test_rule_registry_covers_exactly_the_rule_ids(make_case) -> None:
    # every id rules.yaml may enable has an implementation, and every implementation an id
    assert len(set(RULE_IDS)) == len(RULE_IDS)
    assert set(RULES) == set(RULE_IDS)
    # each implementation reports under the id it is registered as
    sc = load_scenario(make_case())
    all_rules = dataclasses.replace(sc.rules, enabled=RULE_IDS)
    (batch,) = consolidate(sc.parcels, sc.network.nodes, 7)
    for checks in _route_checks(sc, batch, rules=all_rules).values():
        assert list(checks) == list(RULE_IDS)
    # and an id that is not a rule cannot be enabled
    with pytest.raises(InputError, match=r"enabled\.1.*NO_SUCH_RULE"):
        load_scenario(make_case(rules={"enabled": ["TRADE_MODE", "NO_SUCH_RULE"]}))
