"""A saved plan.json given to `verify` or `report` is input: anything but a valid plan of this
version is refused with exit 2 and a message, never a traceback or exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from optimizer.cli import cli

SCENARIO = ROOT / "scenarios" / "yiwu-tir-return.yaml"


@pytest.fixture(scope="module")
def plan_text() -> str:
    res = CliRunner().invoke(cli, ["solve", str(SCENARIO), "--json"])
    assert res.exit_code == 0, res.output
    return res.output


def _edit(text: str, change) -> str:
    doc = json.loads(text)
    change(doc)
    return json.dumps(doc)


def _set(*path, value):
    def change(doc):
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


CASES = [
    ("nan-bound", lambda t: t.replace('"bound_cny": ', '"bound_cny": NaN, "x": ', 1),
     "NaN is not a number JSON allows"),
    ("infinity", lambda t: t.replace('"gap": ', '"gap": Infinity, "y": ', 1),
     "Infinity is not a number JSON allows"),
    ("not-json", lambda t: t[: len(t) // 2], "invalid JSON"),
    ("deep", lambda t: "[" * 100_000 + "]" * 100_000, "invalid JSON"),
    ("not-a-plan", lambda t: json.dumps({"hello": 1}), "not a returnroute plan.json"),
    ("old-version", lambda t: _edit(t, _set("schema_version", value=1)), "version 1"),
    ("version-2", lambda t: _edit(t, _set("schema_version", value=2)), "version 2"),
    ("no-declarations", lambda t: _edit(t, lambda d: d.pop("declarations")),
     "'declarations' is a required property"),
    ("hostile-declaration-fee", lambda t: _edit(t, _set("declarations", 0, "fee_cny",
                                                        value="<b>1</b>")),
     "declarations/0/fee_cny"),
    ("unrouted-parcels-hidden", lambda t: _edit(t, lambda d: d["totals"].pop(
        "parcels_unrouted")), "'parcels_unrouted' is a required property"),
    ("batches-not-a-list", lambda t: _edit(t, _set("batches", value="x")),
     "batches: 'x' is not of type 'array'"),
    ("hostile-count", lambda t: _edit(t, _set("vehicles", 0, "count", value="<script>")),
     "vehicles/0/count"),
    ("negative-leg", lambda t: _edit(t, _set("batches", 0, "legs", 0, "cost_cny", value=-5)),
     "batches/0/legs/0/cost_cny"),
    ("unknown-key", lambda t: _edit(t, _set("surprise", value=1)), "surprise"),
]


@pytest.mark.parametrize("command", ["verify", "report"])
@pytest.mark.parametrize(("name", "edit", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_plan_files_exit_2(plan_text: str, tmp_path: Path, command: str, name: str,
                               edit, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(edit(plan_text), encoding="utf-8")
    args = ([command, str(path), str(SCENARIO)] if command == "verify"
            else [command, str(path), "--out", str(tmp_path / "r.html")])
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert "Traceback" not in res.output and "internal error" not in res.output
    assert not (tmp_path / "r.html").exists()


def test_the_real_plan_reads_back(plan_text: str, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(plan_text, encoding="utf-8")
    res = CliRunner().invoke(cli, ["verify", str(path), str(SCENARIO)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(cli, ["report", str(path), "--out", str(tmp_path / "r.html")])
    assert res.exit_code == 0, res.output
