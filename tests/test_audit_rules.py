"""The rules the domain audit corrected (shared/domain-audit.md), each accepting and rejecting:
9710 under the general returned-goods procedure (R2), the original export customs office (R3),
the 1210 relief clock (R8), tax-free quality returns (R9), lithium batteries and liquids on air
(R10, R11), TIR for CBEC goods from 2026-01-15 (R15), the TIR inland declaration (R18), bonded
transit before clearance, and the sea mode."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from conftest import lane, parcel, small_lanes, small_ports

from optimizer.domain import Check, Parcel
from optimizer.errors import InputError
from optimizer.inputs import load_scenario
from optimizer.planning.costs import full_tax, relief_deadline
from optimizer.planning.documents import checklist
from optimizer.planning.pipeline import prepare, run
from optimizer.verify.arith import relieved

GENERAL = 0.08 + 0.13 * 1.08  # duty 8%, VAT 13% on value plus duty


def _options(path, port: str, mode: str | None = None) -> list:
    prepared = prepare(load_scenario(path))
    (batch,) = prepared.batches
    opts = [o for o in prepared.options[batch.batch_id] if o.route.port.id == port
            and (mode is None or o.route.mode == mode)]
    assert opts, f"no option at {port}"
    return opts


def _checks(path, port: str, mode: str | None = None) -> dict[str, Check]:
    return {c.rule: c for c in _options(path, port, mode)[0].checks}


def _ports_with(*nodes: dict[str, Any], office: dict[str, str] | None = None) -> dict[str, Any]:
    ports = small_ports()
    ports["nodes"] += list(nodes)
    for node in ports["nodes"]:
        if office and node["id"] in office:
            node["customs_office"] = office[node["id"]]
    return ports


def _cn(id_: str, kind: str, district: str, modes: list[str], **kw: Any) -> dict[str, Any]:
    return {"id": id_, "name": id_.title(), "kind": kind, "country": "CN", "lat": 30.0,
            "lon": 110.0, "district": district, "modes": modes, "cbec_return_site": True,
            "tir_open": True, "clearance_fee_cny": 300, "clearance_days": 1, **kw}


# ---- R2: 9710 is not a CBEC return -----------------------------------------------------------

def test_9710_returns_under_the_general_procedure(make_case) -> None:
    path = make_case([parcel("P1", mode="9710", export="2026-04-01", ready="2026-05-01")],
                     as_of="2026-05-10")
    border = _checks(path, "BORDER")
    assert border["TRADE_MODE"].passed and "general returned-goods" in border["TRADE_MODE"].detail
    assert border["DISTRICT"].passed
    # even nationwide, a general return never changes district or office
    nopilot = _checks(path, "NOPILOT")["DISTRICT"]
    assert not nopilot.passed and "original export customs office BORDER" in nopilot.detail
    # its paperwork is the general declaration, not the CBEC one
    docs = {d.id for d in checklist(_options(path, "BORDER")[0], load_scenario(path).rules)}
    assert "GENERAL_RETURN_DECLARATION" in docs and "RETURN_DECLARATION" not in docs


def test_9710_needs_no_cbec_site_and_9610_does(make_case) -> None:
    ports = small_ports()
    for node in ports["nodes"]:
        if node["id"] == "BORDER":
            node["cbec_return_site"] = False
    general = make_case([parcel("P1", mode="9710")], ports=ports)
    assert _checks(general, "BORDER")["CBEC_SITE"].passed
    cbec = make_case([parcel("P1", mode="9610")], ports=ports)
    assert not _checks(cbec, "BORDER")["CBEC_SITE"].passed
    docs = {d.id for d in checklist(_options(cbec, "INLAND")[0], load_scenario(cbec).rules)}
    assert "RETURN_DECLARATION" in docs and "GENERAL_RETURN_DECLARATION" not in docs


def test_a_trade_mode_with_no_procedure_is_rejected(make_case) -> None:
    check = _checks(make_case([parcel("P1", mode="0110")]), "BORDER")["TRADE_MODE"]
    assert not check.passed and "no return procedure" in check.detail


# ---- R3: the original export customs office ----------------------------------------------------

def _two_offices_case(make_case, scope: str | None, **kw: Any):
    """BORDER2: a second border crossing of the export district ADIST, its own office."""
    ports = _ports_with(_cn("BORDER2", "border_crossing", "ADIST", ["tir_road", "road"]))
    lanes = [*small_lanes(),
             lane("L_TIR_BORDER2", "HUB", "BORDER2", "tir_road", per_vehicle=9_000, days=5),
             lane("L_ROAD_BORDER2", "BORDER2", "SELLER", "road", per_kg=3.0, days=3)]
    rules = {"same_route_scope": scope} if scope else None
    return make_case([parcel("P1", export="2024-05-01", ready="2024-06-01")], ports=ports,
                     lanes=lanes, as_of="2024-06-01", rules=rules, **kw)


def test_same_route_returns_through_the_original_export_office(make_case) -> None:
    office = _two_offices_case(make_case, None)  # the default: office
    assert _checks(office, "BORDER")["DISTRICT"].passed
    check = _checks(office, "BORDER2")["DISTRICT"]
    assert not check.passed and "original export customs office BORDER" in check.detail
    district = _two_offices_case(make_case, "district")
    assert _checks(district, "BORDER2")["DISTRICT"].passed
    assert not _checks(district, "INLAND")["DISTRICT"].passed


def test_the_pilot_does_not_cover_a_non_pilot_export_district(make_case) -> None:
    # 9610 under the pilot regime (July 2025) from ADIST, which here is no pilot: the
    # cross-district rule does not apply, so the return comes back through its export office,
    # not another office of its own district
    ports = _ports_with(_cn("BORDER2", "border_crossing", "ADIST", ["tir_road", "road"]))
    ports["districts"][0]["pilot_since"] = None
    lanes = [*small_lanes(),
             lane("L_TIR_BORDER2", "HUB", "BORDER2", "tir_road", per_vehicle=9_000, days=5),
             lane("L_ROAD_BORDER2", "BORDER2", "SELLER", "road", per_kg=3.0, days=3)]
    path = make_case([parcel("P1")], ports=ports, lanes=lanes,
                     rules={"tir_cbec": {"approved_offices": ["BORDER", "BORDER2", "INLAND"]}})
    assert _checks(path, "BORDER")["DISTRICT"].passed
    check = _checks(path, "BORDER2")["DISTRICT"]
    assert not check.passed and "export district ADIST is not a cross-district pilot" in \
        check.detail and "original export customs office BORDER" in check.detail
    # with the export district a pilot, any office of it (or a pilot district) will do
    ports["districts"][0]["pilot_since"] = "2024-12-15"
    path = make_case([parcel("P1")], ports=ports, lanes=lanes,
                     rules={"tir_cbec": {"approved_offices": ["BORDER", "BORDER2", "INLAND"]}})
    assert _checks(path, "BORDER2")["DISTRICT"].passed


def test_offices_of_one_district_sharing_an_office_id_are_one_office(make_case) -> None:
    ports = _ports_with(_cn("BORDER2", "border_crossing", "ADIST", ["tir_road", "road"]),
                        office={"BORDER": "AOFFICE", "BORDER2": "AOFFICE"})
    lanes = [*small_lanes(),
             lane("L_TIR_BORDER2", "HUB", "BORDER2", "tir_road", per_vehicle=9_000, days=5),
             lane("L_ROAD_BORDER2", "BORDER2", "SELLER", "road", per_kg=3.0, days=3)]
    path = make_case([parcel("P1", export="2024-05-01", ready="2024-06-01")], ports=ports,
                     lanes=lanes, as_of="2024-06-01",
                     rules={"tir_cbec": {"approved_offices": ["AOFFICE", "INLAND"]}})
    assert _checks(path, "BORDER2")["DISTRICT"].passed


def test_batches_split_by_export_office_only_when_the_office_binds(make_case) -> None:
    ports = _ports_with(_cn("BORDER2", "border_crossing", "ADIST", ["tir_road", "road"]))
    parcels = [parcel("P1"), parcel("P2", port="BORDER2")]
    by_office = prepare(load_scenario(make_case(parcels, ports=ports))).batches
    assert sorted(b.export_office for b in by_office) == ["BORDER", "BORDER2"]
    assert all(b.batch_id.split("-")[4:6] == ["ADIST", b.export_office] for b in by_office)
    one = prepare(load_scenario(make_case(parcels, ports=ports,
                                          rules={"same_route_scope": "district"}))).batches
    assert len(one) == 1 and "-ADIST-2025" in one[0].batch_id


# ---- R8, R9: the relief clock of 1210 goods, quality returns -----------------------------------

def _parcel(**kw: Any) -> Parcel:
    base = dict(parcel_id="P", origin="HUB", destination="SELLER", weight_kg=1.0,
                volume_m3=0.01, value_cny=1000.0, trade_mode="9610",
                export_date=dt.date(2026, 1, 10), export_port="BORDER", goods_class="general",
                ready_date=dt.date(2026, 9, 1))
    base.update(kw)
    return Parcel(**base)


@pytest.fixture
def scenario(make_case):
    return load_scenario(make_case([parcel("P1")], as_of="2026-07-01"))


def _taxed(p: Parcel, declared: dt.date, scenario) -> tuple[bool, bool]:
    """(engine says taxed, checker says taxed) for ``p`` declared on ``declared``."""
    deadline = relief_deadline(p, scenario.rules)
    engine = deadline is None or declared > deadline
    return engine, not relieved(p, declared, scenario)


def test_a_quality_return_after_six_months_pays_no_tax(scenario) -> None:
    day = dt.date(2026, 10, 1)  # 8 months after the export of 2026-01-10
    assert _taxed(_parcel(return_reason="quality"), day, scenario) == (False, False)
    assert _taxed(_parcel(return_reason="specification"), day, scenario) == (False, False)
    assert _taxed(_parcel(return_reason="cancelled"), day, scenario) == (True, True)
    assert _taxed(_parcel(), day, scenario) == (True, True)
    # past the year even a quality return pays (exported 2026-01-10: free up to 2027-01-10)
    assert _taxed(_parcel(return_reason="quality"), dt.date(2027, 1, 10), scenario) == (
        False, False)
    assert _taxed(_parcel(return_reason="quality"), dt.date(2027, 1, 11), scenario) == (
        True, True)
    # food has no CBEC relief, but a quality return is the general rule: free within the year
    assert _taxed(_parcel(goods_class="food", return_reason="quality"), day, scenario) == (
        False, False)
    assert full_tax(_parcel(), scenario.rules) == pytest.approx(1000 * GENERAL)


def test_the_1210_relief_runs_from_leaving_the_special_area(scenario) -> None:
    day = dt.date(2026, 8, 1)  # 6 months + 3 weeks after the export of 2026-01-10
    late = _parcel(trade_mode="1210")
    assert _taxed(late, day, scenario) == (True, True)
    left = _parcel(trade_mode="1210", left_area_date=dt.date(2026, 3, 1))  # free to 09-01
    assert _taxed(left, day, scenario) == (False, False)
    assert _taxed(left, dt.date(2026, 9, 2), scenario) == (True, True)
    # the area-exit clock is for 1210 only
    assert _taxed(_parcel(left_area_date=dt.date(2026, 3, 1)), day, scenario) == (True, True)


def test_9710_keeps_the_six_month_relief(scenario) -> None:
    assert _taxed(_parcel(trade_mode="9710"), dt.date(2026, 7, 10), scenario) == (False, False)
    assert _taxed(_parcel(trade_mode="9710"), dt.date(2026, 7, 11), scenario) == (True, True)


def test_quality_returns_are_planned_tax_free_with_their_evidence(make_case) -> None:
    # exported 2025-09-01, declared in 2026-07: 10 months on, no CBEC relief left
    rows = [dict(parcel("P1", export="2025-09-01", ready="2026-07-01"), return_reason="quality")]
    path = make_case(rows, as_of="2026-07-01")
    opt = _options(path, "BORDER")[0]
    assert opt.tax_cny == 0
    docs = {d.id for d in checklist(opt, load_scenario(path).rules)}
    assert "QUALITY_RETURN_EVIDENCE" in docs and "VAT_REBATE_CERTIFICATE" not in docs
    plain = make_case([parcel("P1", export="2025-09-01", ready="2026-07-01")],
                      as_of="2026-07-01")
    assert _options(plain, "BORDER")[0].tax_cny == pytest.approx(100_000 * GENERAL)


def test_return_reason_and_area_exit_are_checked(make_case) -> None:
    rows = [dict(parcel("P1"), return_reason="qualty"),
            dict(parcel("P2"), left_area_date="2025-05-01")]
    with pytest.raises(InputError) as err:
        load_scenario(make_case(rows))
    text = str(err.value)
    assert "did you mean quality?" in text and "return_reason" in text
    assert "left_area_date" in text and "before the export date 2025-06-01" in text


# ---- R10, R11: batteries and liquids on air ----------------------------------------------------

def _air_case(make_case, goods: str, aircraft: str | None, dg: bool | None):
    lanes = small_lanes()
    for row in lanes:
        if row["lane_id"] == "L_AIR":
            if aircraft is not None:
                row["aircraft"] = aircraft
            if dg is not None:
                row["dg_accepted"] = "true" if dg else "false"
    return make_case([parcel("P1", goods=goods)], lanes=lanes)


@pytest.mark.parametrize(("goods", "aircraft", "dg", "flies"), [
    ("battery", None, None, True),                 # UN3481 in equipment: any aircraft
    ("battery", "passenger", False, True),
    ("battery_standalone", "passenger", True, False),  # UN3480: cargo aircraft only
    ("battery_standalone", "cargo", False, False),     # ... as declared dangerous goods
    ("battery_standalone", "cargo", True, True),
    ("liquid", "passenger", False, True),          # a liquid that is not DG is ordinary cargo
    ("dg_liquid", "passenger", False, False),      # Class 3 needs a DG service
    ("dg_liquid", "passenger", True, True),
    ("general", None, None, True),
])
def test_air_restrictions_follow_the_dangerous_goods_rules(make_case, goods: str,
                                                           aircraft: str | None,
                                                           dg: bool | None, flies: bool) -> None:
    path = _air_case(make_case, goods, aircraft, dg)
    check = _checks(path, "AIRPORT")["GOODS_MODE"]
    assert check.passed is flies, check.detail
    if not flies:
        assert "L_AIR" in check.detail
    assert _checks(path, "BORDER")["GOODS_MODE"].passed  # by road every class may travel


def test_aircraft_is_for_air_lanes_only(make_case) -> None:
    lanes = small_lanes()
    lanes[0]["aircraft"] = "cargo"  # L_TIR_BORDER
    with pytest.raises(InputError) as err:
        load_scenario(make_case(lanes=lanes))
    assert "aircraft and dg_accepted describe air services" in str(err.value)


# ---- R15, R18: TIR for CBEC goods, and the inland TIR declaration ------------------------------

def test_tir_for_cbec_goods_before_2026_01_15_only_into_approved_offices(make_case) -> None:
    unapproved = {"tir_cbec": {"approved_offices": []}}
    before = make_case([parcel("P1")], rules=unapproved)  # declared in July 2025
    check = _checks(before, "INLAND")["TIR_OPEN"]
    assert not check.passed and "2026-01-15" in check.detail and "INLAND" in check.detail
    assert _checks(before, "AIRPORT")["TIR_OPEN"].passed  # no TIR leg
    # a carnet that ends at the border crossing is cleared there: no approval needed
    assert _checks(before, "BORDER")["TIR_OPEN"].passed
    approved = make_case([parcel("P1")], rules={"tir_cbec": {"approved_offices": ["INLAND"]}})
    assert _checks(approved, "INLAND")["TIR_OPEN"].passed
    # an approval dated after the declaration does not cover it; one dated before it does
    late = make_case([parcel("P1")], rules={"tir_cbec": {
        "approved_offices": ["INLAND"], "approved_from": {"INLAND": "2025-12-01"}}})
    check = _checks(late, "INLAND")["TIR_OPEN"]
    assert not check.passed and "INLAND from 2025-12-01" in check.detail
    early = make_case([parcel("P1")], rules={"tir_cbec": {
        "approved_offices": ["INLAND"], "approved_from": {"INLAND": "2025-01-01"}}})
    assert _checks(early, "INLAND")["TIR_OPEN"].passed
    after = make_case([parcel("P1", export="2026-01-20", ready="2026-02-01")],
                      as_of="2026-02-01", rules=unapproved)
    assert _checks(after, "INLAND")["TIR_OPEN"].passed


def test_a_tir_transport_ending_inland_lists_the_inland_tir_declaration(make_case) -> None:
    path = make_case([parcel("P1")])
    rules = load_scenario(path).rules
    inland = {d.id for d in checklist(_options(path, "INLAND")[0], rules)}
    border = {d.id for d in checklist(_options(path, "BORDER")[0], rules)}
    assert {"TIR_CARNET", "TIR_INLAND_DECLARATION"} <= inland
    assert "TIR_CARNET" in border and "TIR_INLAND_DECLARATION" not in border


# ---- bonded transit and sea --------------------------------------------------------------------

def test_uncleared_goods_move_inland_under_bond_only(make_case) -> None:
    ports = copy.deepcopy(small_ports())
    for node in ports["nodes"]:
        if node["id"] in ("BORDER", "INLAND"):
            node["modes"] += ["bonded_road"]
    road = [*small_lanes(), lane("L_BORDER_INLAND", "BORDER", "INLAND", "road", per_kg=0.1)]
    anywhere = {"bonded_transit": "any"}  # INLAND is outside the export district ADIST
    path = make_case([parcel("P1")], ports=ports, lanes=road, rules=anywhere)
    opts = [o for o in _options(path, "INLAND") if len(o.route.lanes) == 3]
    check = {c.rule: c for c in opts[0].checks}["DOMESTIC_MODE"]
    assert not check.passed and "under bond" in check.detail
    bonded = [*small_lanes(),
              lane("L_BORDER_INLAND", "BORDER", "INLAND", "bonded_road", per_kg=0.1)]
    home = make_case([parcel("P1")], ports=ports, lanes=bonded)
    # by default a batch is offered bonded transit only into its export district
    assert not [o for o in _options(home, "INLAND") if len(o.route.lanes) == 3]
    path = make_case([parcel("P1")], ports=ports, lanes=bonded, rules=anywhere)
    opts = [o for o in _options(path, "INLAND") if len(o.route.lanes) == 3]
    checks = {c.rule: c for c in opts[0].checks}
    assert checks["DOMESTIC_MODE"].passed and checks["NODE_MODE"].passed
    docs = {d.id for d in checklist(opts[0], load_scenario(path).rules)}
    assert "TRANSIT_RECORD" in docs
    # cleared at BORDER, the goods could not ride the bonded lane: no such route at all
    assert not [o for o in _options(path, "BORDER") if len(o.route.lanes) == 3]


def test_a_sea_return_is_planned_through_a_seaport(make_case) -> None:
    ports = _ports_with(_cn("SEAPORT", "seaport", "BDIST", ["sea", "road"], tir_open=False))
    ports["nodes"][0]["modes"] += ["sea"]
    lanes = [*small_lanes(),
             lane("L_SEA", "HUB", "SEAPORT", "sea", per_vehicle=6_000, days=20, cap_kg=26_500,
                  cap_m3=67),
             lane("L_ROAD_SEA", "SEAPORT", "SELLER", "road", per_kg=0.2, days=1)]
    path = make_case([parcel("P1", weight=15_000, volume=60, export="2026-06-01",
                             ready="2026-07-01")], ports=ports, lanes=lanes, as_of="2026-07-01")
    plan = run(load_scenario(path))
    (bp,) = plan.batches
    # 15 t: one 40' box 6,000 + 300 clearance + 3,000 road beats TIR 15,000 and air 450,000
    assert bp.return_port == "SEAPORT" and bp.mode == "sea"


def test_offices_and_approvals_are_checked(make_case) -> None:
    # one office in two districts would let a return change district through it
    ports = _ports_with(office={"BORDER": "AOFFICE", "INLAND": "AOFFICE"})
    with pytest.raises(InputError) as err:
        load_scenario(make_case(ports=ports))
    assert "one customs office in several districts (ADIST, BDIST)" in str(err.value)
    # an approval for an office the network does not have approves nothing: an error
    with pytest.raises(InputError) as err:
        load_scenario(make_case(rules={"tir_cbec": {"approved_offices": ["INLANDD"]}}))
    assert "unknown customs office INLANDD (did you mean INLAND?)" in str(err.value)
    with pytest.raises(InputError) as err:
        load_scenario(make_case(rules={"tir_cbec": {"approved_offices": ["INLAND"],
                                                    "approved_from": {"INLNAD": "2025-01-01"}}}))
    assert "unknown customs office INLNAD (did you mean INLAND?)" in str(err.value)
    # goods leave the special area before they come back
    rows = [dict(parcel("P1", mode="1210"), left_area_date="2025-07-02")]
    with pytest.raises(InputError) as err:
        load_scenario(make_case(rows))
    assert "after the ready date 2025-07-01" in str(err.value)
