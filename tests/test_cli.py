"""The command line: outputs, exit codes, and bad input reported without a traceback."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import parcel

from optimizer.cli import cli


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_solve_writes_outputs(make_case, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = invoke("solve", make_case(), "--out", out)
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == [
        "declarations.csv", "manifests.csv", "parcels.csv", "plan.json", "plan.xlsx",
        "report.html", "routes.csv", "run.json", "vehicles.csv"]
    doc = json.loads((out / "plan.json").read_text())
    assert doc["status"] == "OPTIMAL"
    for key in ("objective_cny", "bound_cny", "gap", "totals", "batches", "vehicles",
                "unrouted"):
        assert key in doc
    for key in ("cost_cny", "air_baseline_cny", "same_route_baseline_cny", "saving_vs_air_pct",
                "co2e_kg"):
        assert key in doc["totals"]
    (b,) = doc["batches"]
    for key in ("batch_id", "origin", "destination", "weight_kg", "return_port",
                "return_district", "entry_point", "mode", "legs", "cost_cny", "air_cost_cny",
                "transit_days", "compliance"):
        assert key in b
    assert set(b["legs"][0]) >= {"lane_id", "from", "to", "mode", "cost_cny", "transit_days"}
    assert b["cost_cny"] == 13_500
    assert (out / "routes.csv").read_text().count("\n") == 2
    assert "BORDER" in res.output and "OPTIMAL" in res.output


def test_parcels_csv_passes_extra_columns_through(make_case, tmp_path: Path) -> None:
    rows = [parcel("P1") | {"order_ref": "A-1"}, parcel("P2", mode="0110") | {"order_ref": "B-2"}]
    out = tmp_path / "out"
    assert invoke("solve", make_case(rows), "--out", out).exit_code == 0
    with (out / "parcels.csv").open() as fh:
        got = {r["parcel_id"]: r for r in csv.DictReader(fh)}
    assert got["P1"]["order_ref"] == "A-1" and got["P1"]["status"] == "routed"
    assert got["P1"]["return_port"] == "BORDER"
    assert got["P2"]["order_ref"] == "B-2" and got["P2"]["status"] == "unrouted"


def test_solve_json_is_deterministic(make_case) -> None:
    path = make_case([parcel("P1", 1300, dest="SELLER"), parcel("P2", 1300, dest="SELLER2")])
    first_text = invoke("solve", path, "--json").output
    assert invoke("solve", path, "--json").output == first_text  # byte for byte
    first = json.loads(first_text)
    assert "solve_seconds" not in first  # timings go to run.json
    assert first["meta"]["solver"]["threads"] == 1
    assert first["meta"]["solver"]["seed"] == 0


def test_validate(make_case) -> None:
    res = invoke("validate", make_case([parcel("P1"), parcel("P2", mode="0110")]))
    assert res.exit_code == 0
    assert "2 parcels -> 2 batches" in res.output
    assert "1 batch(es) have no compliant route" in res.output


def test_explain_lists_every_port_and_mode(make_case) -> None:
    path = make_case()
    res = invoke("explain", path, "--batch", "HUB-SELLER-general-9610-ADIST-BORDER-20250701",
                 "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    rows = {(r["return_port"], r["mode"]): r for r in doc["options"]}
    assert set(rows) == {("BORDER", "tir_road"), ("INLAND", "tir_road"), ("AIRPORT", "air"),
                         ("NOPILOT", "tir_road")}
    assert rows[("BORDER", "tir_road")]["status"] == "chosen"
    assert rows[("INLAND", "tir_road")]["extra_vs_chosen_cny"] == pytest.approx(2000)
    assert rows[("AIRPORT", "air")]["extra_vs_chosen_cny"] == pytest.approx(17_200)
    nopilot = rows[("NOPILOT", "tir_road")]
    assert nopilot["status"] == "rejected"
    assert [r["rule"] for r in nopilot["rejected_by"]] == ["DISTRICT"]
    res = invoke("explain", path, "--batch", "HUB-SELLER-general-9610-ADIST-BORDER-20250701")
    assert res.exit_code == 0 and "not a cross-district pilot" in res.output


def test_explain_unknown_batch(make_case) -> None:
    res = invoke("explain", make_case(), "--batch", "NOPE")
    assert res.exit_code == 2
    assert "unknown batch 'NOPE'" in res.output


def _edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


BAD_INPUTS = [
    # (file to edit, old text, new text, expected fragments of the message)
    ("returns.csv", "weight_kg,", "weight,", ["returns.csv", "line 1", "weight_kg",
                                              "missing column"]),
    ("returns.csv", "HUB,SELLER,1000.0", "HUB,SELLERX,1000.0",
     ["returns.csv", "line 2", "destination", "unknown node SELLERX"]),
    ("returns.csv", "HUB,SELLER,1000.0", "HUB,SELLER,-5", ["line 2", "weight_kg",
                                                           "greater than 0"]),
    ("returns.csv", "HUB,SELLER,1000.0", "HUB,SELLER,nan", ["line 2", "weight_kg"]),
    ("returns.csv", "2025-06-01", "2025-13-01", ["line 2", "export_date"]),
    ("returns.csv", "2025-06-01", "2025-08-01", ["line 2", "export_date", "after the "
                                                 "scenario's as_of"]),
    ("returns.csv", ",general,", ",toys,", ["line 2", "goods_class", "unknown goods class"]),
    ("returns.csv", ",9610,", ",96X0,", ["line 2", "trade_mode"]),
    ("lanes.csv", "L_AIR,HUB,AIRPORT", "L_AIR,HUB,HUB", ["lanes.csv", "from a node to itself"]),
    ("lanes.csv", "L_AIR,HUB,AIRPORT", "L_TIR_BORDER,HUB,AIRPORT",
     ["lanes.csv", "duplicate lane id"]),
    ("lanes.csv", "L_AIR,HUB,AIRPORT", "L_AIR,HUB,ATLANTIS", ["unknown node ATLANTIS"]),
    ("ports.yaml", "district: BDIST", "district: ZDIST", ["ports.yaml", "unknown district"]),
    ("ports.yaml", "lat: 30.0", "lat: 300.0", ["ports.yaml", "lat"]),
    ("scenario.yaml", "as_of: '2025-07-01'", "as_of: 2025-07-10x", ["scenario.yaml",
                                                                    "as_of"]),
    ("scenario.yaml", "policy:", "polcy:", ["scenario.yaml", "polcy", "unknown key"]),
    ("scenario.yaml", "regime: auto", "regime: sometimes", ["regime"]),
    ("scenario.yaml", "name: case1", "name: [case1", ["scenario.yaml", "invalid YAML",
                                                       "line"]),
    ("scenario.yaml", "returns: returns.csv", "returns: missing.csv", ["missing.csv",
                                                                        "file not found"]),
    ("rules.yaml", "vat_rate: 0.13", "vat_rate: thirteen", ["rules.yaml", "vat_rate"]),
]


@pytest.mark.parametrize(("name", "old", "new", "expected"), BAD_INPUTS,
                         ids=[f"{b[0]}:{b[2]}" for b in BAD_INPUTS])
def test_bad_input_exit_2_with_a_clear_message(make_case, name, old, new, expected) -> None:
    path = make_case()
    target = path.parent / name
    before = target.read_text(encoding="utf-8")
    assert old in before, f"fixture text {old!r} not in {name}"
    _edit(target, old, new)
    edited = target.read_text(encoding="utf-8")
    res = invoke("solve", path)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    for fragment in expected:
        assert fragment in res.output, (fragment, res.output)
    assert target.read_text(encoding="utf-8") == edited  # the input is never modified


def test_several_problems_are_reported_together(make_case) -> None:
    path = make_case([parcel("P1", -1), parcel("P2", dest="NOWHERE"), parcel("P3")])
    res = invoke("solve", path)
    assert res.exit_code == 2
    assert "line 2" in res.output and "line 3" in res.output


def test_encodings(make_case) -> None:
    path = make_case()
    returns = path.parent / "returns.csv"
    text = returns.read_text(encoding="utf-8")
    returns.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # a UTF-8 BOM is fine
    assert invoke("solve", path).exit_code == 0
    returns.write_bytes(text.replace("P1", "包裹一").encode("gbk"))
    res = invoke("solve", path)
    assert res.exit_code == 2 and "not valid UTF-8" in res.output and "GBK" in res.output


def test_empty_file(make_case) -> None:
    path = make_case()
    (path.parent / "returns.csv").write_text("")
    res = invoke("solve", path)
    assert res.exit_code == 2 and "file is empty" in res.output


def test_failed_run_keeps_the_previous_plan(make_case, tmp_path: Path) -> None:
    path = make_case()
    out = tmp_path / "plan"
    assert invoke("solve", path, "--out", out).exit_code == 0
    before = (out / "plan.json").read_text()
    _edit(path.parent / "returns.csv", "HUB,SELLER,1000.0", "HUB,SELLER,-1")
    assert invoke("solve", path, "--out", out).exit_code == 2
    assert (out / "plan.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_out_dir_holding_inputs_or_other_files_is_refused(make_case, tmp_path: Path) -> None:
    path = make_case()
    res = invoke("solve", path, "--out", path.parent)
    assert res.exit_code == 2 and "contains the input" in res.output
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    res = invoke("solve", path, "--out", other)
    assert res.exit_code == 2 and "not overwriting" in res.output
    assert (other / "notes.txt").read_text() == "keep me"


def test_console_script_exit_codes(make_case) -> None:
    path = make_case()
    ok = subprocess.run([sys.executable, "-m", "optimizer", "validate", str(path)],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    _edit(path.parent / "returns.csv", "HUB,SELLER,1000.0", "HUB,SELLER,abc")
    bad = subprocess.run([sys.executable, "-m", "optimizer", "solve", str(path)],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr and "weight_kg" in bad.stderr
