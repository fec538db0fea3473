"""The HTML report in headless Chromium, the spreadsheets, load lists and documents."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from optimizer.cli import cli

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def solve_to(scenario: str, out: Path) -> Path:
    res = CliRunner().invoke(cli, ["solve", str(ROOT / "scenarios" / scenario), "--out",
                                   str(out)])
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("reports")
    return {name: solve_to(f"{name}.yaml", base / name) for name in ("yiwu-tir-return",
                                                                     "mixed-week")}


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


@pytest.mark.parametrize("name", ["yiwu-tir-return", "mixed-week"])
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


@pytest.mark.parametrize("name", ["yiwu-tir-return", "mixed-week"])
def test_report_is_self_contained(outputs, name: str) -> None:
    text = (outputs[name] / "report.html").read_text(encoding="utf-8")
    assert re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I) is None
    assert re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", text, re.I) is None
    assert "<script src" not in text and "<link" not in text


def test_report_command_renders_the_saved_plan_again(outputs, tmp_path: Path) -> None:
    out = tmp_path / "again.html"
    plan = outputs["yiwu-tir-return"] / "plan.json"
    res = CliRunner().invoke(cli, ["report", str(plan), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text() == (outputs["yiwu-tir-return"] / "report.html").read_text()
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
    # every parcel of every routed batch rides each lane of its route exactly once
    rides = {(r["lane_id"], r["parcel_id"]) for r in manifest}
    assert len(rides) == len(manifest)
    for b in doc["batches"]:
        for leg in b["legs"]:
            for pid in b["parcel_ids"]:
                assert (leg["lane_id"], pid) in rides
    # vehicle by vehicle, the loads fit
    lanes = {v["lane_id"]: v for v in doc["vehicles"]}
    for v in doc["vehicles"]:
        if v["count"]:
            cap = v["capacity_kg"] / v["count"]
            assert len(v["loads"]) == v["count"]
            assert all(ld["load_kg"] <= cap + 1e-6 for ld in v["loads"])
    assert lanes


def test_documents_follow_the_route(outputs, tmp_path: Path) -> None:
    doc = json.loads((outputs["yiwu-tir-return"] / "plan.json").read_text())
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
