"""The HTML report in headless Chromium, the spreadsheets, load lists and documents; time on
schedules in every output (departures, arrivals, waiting)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ROOT, parcel
from rich.console import Console

from optimizer.cli import cli
from optimizer.domain import Scenario
from optimizer.inputs import load_scenario
from optimizer.outputs.files import write_outputs
from optimizer.outputs.html import render
from optimizer.outputs.plan_json import plan_to_dict
from optimizer.outputs.tables import MANIFEST_COLUMNS, ROUTE_COLUMNS, VEHICLE_COLUMNS
from optimizer.outputs.terminal import print_summary
from optimizer.plan import Plan
from optimizer.planning import pipeline

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def solve_to(scenario: str, out: Path) -> Path:
    res = CliRunner().invoke(cli, ["solve", str(ROOT / "scenarios" / scenario), "--out",
                                   str(out)])
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, bundled_plans) -> dict[str, Path]:
    """The output folders of Yiwu on TIR groupage (the case as it moved), written by
    ``returnroute solve --out``, and of mixed-week,
    written by the same ``write_outputs`` from its plan, which other files read too (solved
    once per test run: conftest's ``bundled_plans``; mixed-week takes a minute to solve)."""
    base = tmp_path_factory.mktemp("reports")
    sc, plan = bundled_plans("mixed-week")
    write_outputs(plan, base / "mixed-week", sc.parcels)
    yiwu = solve_to("yiwu-tir-groupage.yaml", base / "yiwu-tir-groupage")
    return {"yiwu-tir-groupage": yiwu,
            "mixed-week": base / "mixed-week"}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("Chromium and ChromeDriver are needed (Debian packages chromium and "
                    "chromium-driver; `make test` and .ci/run install them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions",
                "--disable-quic", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1280,1800",
                f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    yield driver
    driver.quit()


def _requests(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


@pytest.mark.parametrize("name", ["yiwu-tir-groupage", "mixed-week"])
def test_report_in_chromium(browser, outputs, name: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    page = outputs[name] / "report.html"
    browser.get_log("performance")  # drop what earlier pages logged
    browser.get(page.as_uri())
    assert browser.execute_script("return document.readyState") == "complete"
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    # the map: country outlines, the chosen legs, the return ports
    assert len(browser.find_elements(By.CSS_SELECTOR, "#map path.country")) > 50
    legs = browser.find_elements(By.CSS_SELECTOR, "#map polyline.leg")
    # drawn: the long international legs span the map (a delivery within a town may be a dot)
    assert legs and max(max(leg.rect["width"], leg.rect["height"]) for leg in legs) > 100
    assert browser.find_elements(By.CSS_SELECTOR, "#map g.node.port")
    assert "tir_road" in legs[0].get_attribute("class") or len(legs) > 1
    # every chart drew bars with a size
    for chart in ("chart-mode", "chart-components", "chart-batches", "chart-utilisation"):
        bars = browser.find_elements(By.CSS_SELECTOR, f"#{chart} rect.bar")
        assert bars and max(bar.rect["width"] for bar in bars) > 10, chart
    # the batch table sorts by cost, both ways
    header = next(th for th in browser.find_elements(By.CSS_SELECTOR, "#batches th")
                  if th.text.startswith("cost CNY"))
    col = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#batches th")].index(
        header.text)

    def costs() -> list[float]:
        return [float(td.get_attribute("data-v")) for td in browser.find_elements(
            By.CSS_SELECTOR, f"#batches tbody tr td:nth-child({col + 1})")]

    header.click()
    assert costs() == sorted(costs()) and len(costs()) >= 4
    header.click()
    assert costs() == sorted(costs(), reverse=True)
    # every departure is listed (vehicles bought or kg booked), with when it leaves and arrives
    doc = json.loads((outputs[name] / "plan.json").read_text())
    departures = browser.find_elements(By.CSS_SELECTOR, "#vehicles tbody tr")
    assert len(departures) == len(doc["vehicles"])
    v = doc["vehicles"][0]
    assert any(f"{v['lane_id']} " in tr.text and f" {v['depart_date']} {v['arrive_date']} "
               in tr.text for tr in departures)
    # the filter hides the rows that do not match
    box = browser.find_element(By.ID, "filter")
    box.send_keys("YIWU_CUSTOMS")
    visible = [tr for tr in browser.find_elements(By.CSS_SELECTOR, "#batches tbody tr")
               if tr.is_displayed()]
    assert visible and all("YIWU_CUSTOMS" in tr.text for tr in visible)
    shot = tmp_path / f"{name}.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 20_000
    # nothing but the file itself was requested
    urls = _requests(browser)
    assert urls and all(u.startswith(("file:", "data:")) for u in urls), urls


@pytest.mark.parametrize("name", ["yiwu-tir-groupage", "mixed-week"])
def test_report_is_self_contained(outputs, name: str) -> None:
    text = (outputs[name] / "report.html").read_text(encoding="utf-8")
    assert re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I) is None
    assert re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", text, re.I) is None
    assert "<script src" not in text and "<link" not in text


def test_report_command_renders_the_saved_plan_again(outputs, tmp_path: Path) -> None:
    out = tmp_path / "again.html"
    plan = outputs["yiwu-tir-groupage"] / "plan.json"
    res = CliRunner().invoke(cli, ["report", str(plan), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text() == (outputs["yiwu-tir-groupage"] / "report.html").read_text()
    res = CliRunner().invoke(cli, ["report", str(plan), "--out", str(plan)])
    assert res.exit_code == 2 and "overwrite the plan" in res.output


def test_spreadsheet_and_load_lists(outputs) -> None:
    import openpyxl

    out = outputs["mixed-week"]
    book = openpyxl.load_workbook(out / "plan.xlsx", read_only=True)
    assert book.sheetnames == ["routes", "vehicles", "manifests", "declarations", "disposed",
                               "totals"]
    with (out / "manifests.csv").open() as fh:
        manifest = list(csv.DictReader(fh))
    assert book["manifests"].max_row == len(manifest) + 1
    doc = json.loads((out / "plan.json").read_text())
    assert book["routes"].max_row == len(doc["batches"]) + 1
    # every parcel of every routed batch rides each lane of its route exactly once, on the
    # departure of its leg, and the manifest row says when that departure leaves and arrives
    rides = {(r["lane_id"], r["parcel_id"]): (r["depart_date"], r["arrive_date"])
             for r in manifest}
    assert len(rides) == len(manifest)
    for b in doc["batches"]:
        for leg in b["legs"]:
            for pid in b["parcel_ids"]:
                assert rides[(leg["lane_id"], pid)] == (leg["depart_date"], leg["arrive_date"])
    # vehicle by vehicle, the loads fit (a shipment on a rate card without a limit a
    # departure has no capacity to fit)
    lanes = {v["lane_id"]: v for v in doc["vehicles"]}
    for v in doc["vehicles"]:
        if v["count"] and v["capacity_kg"] > 0:
            cap = v["capacity_kg"] / v["count"]
            assert len(v["loads"]) == v["count"]
            assert all(ld["load_kg"] <= cap + 1e-6 for ld in v["loads"])
    assert lanes


def test_documents_follow_the_route(outputs, tmp_path: Path) -> None:
    doc = json.loads((outputs["yiwu-tir-groupage"] / "plan.json").read_text())
    for b in doc["batches"]:
        ids = {d["id"] for d in b["documents"]}
        assert {"RETURN_DECLARATION", "EXPORT_REFERENCES", "RETURN_REASON", "TIR_CARNET",
                "TRANSIT_RECORD", "CROSS_DISTRICT_FILING", "ORIGINAL_STATE_EVIDENCE"} <= ids
    old = solve_to("yiwu-same-route.yaml", tmp_path / "old")
    for b in json.loads((old / "plan.json").read_text())["batches"]:
        ids = {d["id"] for d in b["documents"]}
        assert "CROSS_DISTRICT_FILING" not in ids and "RETURN_DECLARATION" in ids


def test_disposals_in_every_output(browser, outputs) -> None:
    """mixed-week disposes of batches abroad: the report's headline and its table of them (with
    why), the "disposed" sheet, parcels.csv's status and reason, routes.csv's marginal cost."""
    import openpyxl
    from selenium.webdriver.common.by import By

    out = outputs["mixed-week"]
    doc = json.loads((out / "plan.json").read_text())
    t = doc["totals"]
    assert doc["disposed"] and t["total_cny"] == pytest.approx(t["cost_cny"] + t["disposal_cny"],
                                                                abs=0.011)
    browser.get((out / "report.html").as_uri())
    headline = browser.find_element(By.CSS_SELECTOR, "p.headline").text
    assert f"Total {t['total_cny']:,.0f} CNY = returns {t['cost_cny']:,.0f} CNY" in headline
    assert (f"disposed of abroad: {t['parcels_disposed']:,} parcels, "
            f"{t['weight_disposed_kg']:,.1f} kg") in headline
    assert (f"over {t['parcels_compared_with_air']:,} of {t['parcels_routed']:,} returned "
            "parcels (those that may fly)") in headline
    assert f"cost per returned kg {t['cost_per_kg_cny']:,.2f} CNY" in headline
    rows = browser.find_elements(By.CSS_SELECTOR, "#disposed tbody tr")
    assert len(rows) == len(doc["disposed"])
    first = doc["disposed"][0]
    assert first["batch_id"] in rows[0].text and first["why"] in rows[0].text
    book = openpyxl.load_workbook(out / "plan.xlsx", read_only=True)
    sheet = list(book["disposed"].iter_rows(values_only=True))
    assert len(sheet) == len(doc["disposed"]) + 1 and sheet[1][0] == first["batch_id"]
    assert sheet[1][sheet[0].index("why")] == first["why"]
    with (out / "parcels.csv").open() as fh:
        parcels = {r["parcel_id"]: r for r in csv.DictReader(fh)}
    for d in doc["disposed"]:
        for pid in d["parcel_ids"]:
            assert (parcels[pid]["status"], parcels[pid]["reason"]) == ("disposed", d["why"])
    assert sum(r["status"] == "disposed" for r in parcels.values()) == t["parcels_disposed"]
    with (out / "routes.csv").open() as fh:
        routes = {r["batch_id"]: r for r in csv.DictReader(fh)}
    for b in doc["batches"]:
        assert float(routes[b["batch_id"]]["marginal_cny"]) == pytest.approx(b["marginal_cny"])


# ---- time on schedules: departures, arrivals and waiting in every output ----------------------


@pytest.fixture
def waits(make_case) -> tuple[Scenario, Plan]:
    """P1 (1,000 kg) is ready on 2025-07-01, P2 (1,000 kg, another seller) on 07-03: P1 waits
    two days to share P2's truck on L_TIR_INLAND (one 15,000 CNY truck for both). Leaving
    alone on 07-01 it would cost 13,500 CNY more than its share of freight (BORDER: a 10,000
    truck, the 500 fee and 3,000 of road), and waiting costs 200 freight and 20 storage (0.01
    CNY a kg and day): it saves 13,280 CNY. The outputs are under test here, not the plan (the
    checker has its own tests), so the plan is not checked."""
    sc = load_scenario(make_case([parcel("P1", 1000),
                                  parcel("P2", 1000, ready="2025-07-03", dest="SELLER2")]))
    return sc, pipeline.run(sc, check=False)


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_the_plan_waits_for_the_shared_truck(waits) -> None:
    _, plan = waits
    first, second = sorted(plan.batches, key=lambda bp: bp.ready_date)
    assert (first.ready_date, first.depart_date, first.wait_days) == (
        dt.date(2025, 7, 1), dt.date(2025, 7, 3), 2)
    assert first.wait_saving_cny == pytest.approx(13_280)
    assert first.components.storage == pytest.approx(20)
    assert (second.wait_days, second.wait_saving_cny) == (0, 0)


def test_vehicles_and_manifests_are_per_departure(waits, tmp_path: Path) -> None:
    sc, plan = waits
    out = tmp_path / "out"
    write_outputs(plan, out, sc.parcels)
    vehicles = _csv(out / "vehicles.csv")
    assert tuple(vehicles[0]) == VEHICLE_COLUMNS
    assert not any("period" in c or "week" in c for c in VEHICLE_COLUMNS + MANIFEST_COLUMNS)
    # one row per departure of a lane, arriving transit days after it leaves
    assert len({(v["lane_id"], v["depart_date"]) for v in vehicles}) == len(vehicles)
    transit = {leg.lane_id: leg.transit_days for bp in plan.batches for leg in bp.legs}
    for v in vehicles:
        assert dt.date.fromisoformat(v["arrive_date"]) == dt.date.fromisoformat(
            v["depart_date"]) + dt.timedelta(days=transit[v["lane_id"]])
    (truck,) = [v for v in vehicles if v["lane_id"] == "L_TIR_INLAND"]
    assert {k: truck[k] for k in ("from", "to", "depart_date", "arrive_date", "count",
                                  "batches")} == {
        "from": "HUB", "to": "INLAND", "depart_date": "2025-07-03",
        "arrive_date": "2025-07-11", "count": "1", "batches": "2"}
    # each manifest row carries the departure and arrival of its vehicle
    manifest = _csv(out / "manifests.csv")
    assert tuple(manifest[0]) == MANIFEST_COLUMNS
    when = {(v["lane_id"], v["depart_date"]): v["arrive_date"] for v in vehicles}
    assert all(when[(m["lane_id"], m["depart_date"])] == m["arrive_date"] for m in manifest)
    on_truck = {m["parcel_id"] for m in manifest if m["lane_id"] == "L_TIR_INLAND"}
    assert on_truck == {"P1", "P2"}


def test_batches_and_parcels_carry_their_departures(waits, tmp_path: Path) -> None:
    import openpyxl

    sc, plan = waits
    out = tmp_path / "out"
    write_outputs(plan, out, sc.parcels)
    routes = {r["batch_id"]: r for r in _csv(out / "routes.csv")}
    first = min(plan.batches, key=lambda bp: bp.ready_date)
    row = routes[first.batch_id]
    assert tuple(row) == ROUTE_COLUMNS
    legs = " > ".join(f"{leg.lane_id}@{leg.depart_date}" for leg in first.legs)
    assert row["legs"].startswith("L_TIR_INLAND@2025-07-03 > ") and row["legs"] == legs
    assert {k: row[k] for k in ("ready_date", "depart_date", "wait_days")} == {
        "ready_date": "2025-07-01", "depart_date": "2025-07-03", "wait_days": "2"}
    assert float(row["wait_saving_cny"]) == pytest.approx(13_280)
    assert float(row["storage_cny"]) == pytest.approx(20)
    parcels = {p["parcel_id"]: p for p in _csv(out / "parcels.csv")}
    assert (parcels["P1"]["depart_date"], parcels["P1"]["legs"]) == ("2025-07-03", legs)
    book = openpyxl.load_workbook(out / "plan.xlsx", read_only=True)
    assert next(book["vehicles"].iter_rows(values_only=True)) == VEHICLE_COLUMNS
    totals = dict(book["totals"].iter_rows(min_row=2, values_only=True))
    assert (totals["batches_waiting"], totals["wait_days"]) == (1, 2)
    assert totals["wait_saving_cny"] == pytest.approx(13_280)
    assert totals["storage_cny"] == pytest.approx(20)


def _text_of(html: str, element_id: str) -> str:
    """The visible text of the element with this id (tags dropped, spaces collapsed)."""
    start = html.index(f'id="{element_id}"')
    end = html.index("</table>", start) if "<table" in html[start - 40:start] else html.index(
        "</p>", start)
    return " ".join(re.sub(r"<[^>]+>", " ", html[start:end]).split())


def test_report_shows_departures_and_waiting(waits) -> None:
    _, plan = waits
    doc: dict[str, Any] = plan_to_dict(plan)
    html = render(doc)
    first = min(plan.batches, key=lambda bp: bp.ready_date)
    batches = _text_of(html, "batches")
    assert "L_TIR_INLAND 2025-07-03 → 2025-07-11" in batches
    assert f"{first.batch_id} " in batches and " 2025-07-01 2025-07-03 2 " in batches
    summary = _text_of(html, "waiting-summary")
    assert "1 of 2 batches wait by choice for a later departure (2 days in all)" in summary
    assert "summed: 13,280 CNY" in summary and "not what waiting saves the plan" in summary
    waiting = _text_of(html, "waiting")
    assert (f"{first.batch_id} 1,000.0 2025-07-01 2025-07-01 2025-07-03 2 13,280 20.00 "
            in waiting)
    assert "its declaration with 1 other batch(es); the vehicles of L_TIR_INLAND with 1" in (
        waiting)
    departures = _text_of(html, "vehicles")
    assert "L_TIR_INLAND HUB → INLAND 2025-07-03 2025-07-11 1 2,000 20,000 15,000" in departures
    assert "per kg" in departures and "booking: 1,000 kg" in departures
    # nobody waits: the section says so
    doc["batches"] = [b for b in doc["batches"] if b["wait_days"] == 0]
    assert "No batch waits" in render(doc)


def _summary(plan: Plan) -> str:
    console = Console(file=io.StringIO(), width=400)
    print_summary(plan, console)
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_terminal_says_what_waiting_saves_when_some_batch_waits(waits, make_case) -> None:
    _, plan = waits
    (line,) = [ln for ln in _summary(plan).splitlines() if ln.startswith("waiting:")]
    assert line == ("waiting: 1 of 2 batches wait for a later departure (2 days in all); each "
                    "one's own saving against leaving first, summed: 13,280 CNY (a fee shared by "
                    "several counts in each); storage at the hubs 20 CNY")
    assert "2025-07-03 (waits 2 d)" in _summary(plan)
    alone = pipeline.run(load_scenario(make_case()), check=False)
    assert "waiting:" not in _summary(alone)


def test_the_map_styles_every_node_kind() -> None:
    """Every node kind has its own marker on the report's map and in its legend (a seaport
    drawn as an unknown black dot was a gap)."""
    import typing

    from optimizer.domain import NodeKind
    from optimizer.outputs.html import KIND_STYLE

    assert set(KIND_STYLE) == set(typing.get_args(NodeKind))
    assert len({fill for _, fill in KIND_STYLE.values()}) == len(KIND_STYLE)
