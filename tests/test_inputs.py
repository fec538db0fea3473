"""Hostile input: every reader reports file, row or YAML path, field and problem (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import LANE_FIELDS, lane, parcel, small_lanes, small_ports, write_csv

import optimizer.inputs.files as rio
from optimizer.cli import cli
from optimizer.errors import InputError
from optimizer.inputs import load_scenario


def solve_fails(path: Path, *fragments: str) -> str:
    res = CliRunner().invoke(cli, ["solve", str(path)])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    for f in fragments:
        assert f in res.output, (f, res.output)
    return res.output


def test_duplicate_yaml_keys(make_case) -> None:
    path = make_case()
    text = path.read_text()
    path.write_text(text + "as_of: 2025-07-11\n")
    solve_fails(path, "duplicate key 'as_of'", "line")


def test_unknown_lane_column(make_case) -> None:
    path = make_case()
    rows = small_lanes()
    for r in rows:
        r["cost_per_kilo"] = 1
    write_csv(path.parent / "lanes.csv", rows, LANE_FIELDS)
    solve_fails(path, "lanes.csv", "line 1", "cost_per_kilo", "unknown column")


def test_row_problems_are_all_reported(make_case) -> None:
    path = make_case([parcel("P1", -3, dest="NOWHERE", goods="toys")])
    solve_fails(path, "line 2", "weight_kg", "unknown node NOWHERE", "unknown goods class")


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "0", "", "1e400", "12kg"])
def test_bad_weights(make_case, value: str) -> None:
    rows = [parcel("P1") | {"weight_kg": value}]
    solve_fails(make_case(rows), "line 2", "weight_kg")


def test_zero_volume_and_negative_value(make_case) -> None:
    solve_fails(make_case([parcel("P1", volume=0)]), "volume_m3")
    solve_fails(make_case([parcel("P1", value=-1)]), "value_cny")


def test_duplicate_ids(make_case) -> None:
    solve_fails(make_case([parcel("P1"), parcel("P1")]), "line 3", "duplicate parcel id P1")
    ports = small_ports()
    ports["nodes"].append(dict(ports["nodes"][1]))
    solve_fails(make_case(ports=ports), "ports.yaml", "duplicate node id BORDER")


def test_unreachable_seller_cluster(make_case) -> None:
    lanes = [r for r in small_lanes() if r["destination"] != "SELLER2"]
    # without domestic express (which reaches every cluster from every clearing node)
    path = make_case([parcel("P1"), parcel("P2", dest="SELLER2")], lanes=lanes,
                     rules={"domestic_express": {"enabled": False}})
    solve_fails(path, "line 3 (P2)", "destination", "unreachable")


def test_wrong_node_kinds(make_case) -> None:
    solve_fails(make_case([parcel("P1", origin="BORDER")]), "origin", "expected a foreign_hub")
    solve_fails(make_case([parcel("P1", dest="INLAND")]), "destination",
                "expected a seller_cluster")
    solve_fails(make_case([parcel("P1", port="HUB")]), "export_port", "expected a node in China")


def test_ready_before_export(make_case) -> None:
    solve_fails(make_case([parcel("P1", export="2025-07-05", ready="2025-07-01")]), "ready_date")


def test_lane_without_any_cost(make_case) -> None:
    rows = [*small_lanes(), lane("L_FREE", "HUB", "BORDER", "tir_road")]
    solve_fails(make_case(lanes=rows), "L_FREE", "needs a cost")


def test_ragged_csv_row(make_case) -> None:
    path = make_case()
    with (path.parent / "returns.csv").open("a") as fh:
        fh.write("P9,HUB,SELLER\n")
    solve_fails(path, "line 3", "3 values for 11 columns")


def test_huge_file_is_refused(make_case, monkeypatch) -> None:
    monkeypatch.setattr(rio, "MAX_FILE_BYTES", 100)
    with pytest.raises(InputError, match="file too large"):
        load_scenario(make_case())


def test_binary_file(make_case) -> None:
    path = make_case()
    (path.parent / "returns.csv").write_bytes(b"parcel_id\x00\x01\x02")
    solve_fails(path, "NUL")


@pytest.mark.parametrize(("doc", "fragment"), [
    ([1, 2, 3], "expected a mapping"),
    ({"name": "x"}, "as_of"),
    ({"name": "x", "as_of": "2025-01-01", "network": {"ports": "p"}, "returns": "r"}, "lanes"),
    ("just a string", "expected a mapping"),
])
def test_scenario_shapes(tmp_path: Path, doc, fragment: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc))
    solve_fails(path, fragment)


def test_nested_yaml_path_is_named(make_case) -> None:
    path = make_case(solver={"time_limit_s": -1})
    solve_fails(path, "solver.time_limit_s", "greater than 0")


def test_rules_override_is_validated(make_case) -> None:
    path = make_case(rules={"goods_classes": {"general": {"forbidden_modes": ["boat"]}}})
    solve_fails(path, "rules.yaml (with overrides from", "goods_classes.general.forbidden_modes")


def test_extra_returns_columns_are_kept(make_case) -> None:
    sc = load_scenario(make_case([parcel("P1") | {"order_ref": "X-1", "note": "fragile lid"}]))
    assert dict(sc.parcels[0].extra) == {"note": "fragile lid", "order_ref": "X-1"}
