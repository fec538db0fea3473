"""The public CMND benchmark: published optima reproduced exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from optimizer.bench.cmnd import read_dow, solve_cmnd
from optimizer.cli import cli

CMND = ROOT.parent / "shared" / "benchmarks" / "cmnd"


def _instance(name: str) -> Path:
    path = CMND / f"{name}.dow"
    if not path.exists():  # CI has shared/ beside the clone; a copy in tests/data otherwise
        path = ROOT / "tests" / "data" / f"{name}.dow"
    return path


@pytest.mark.parametrize(("name", "unsplittable", "optimum"), [
    ("c33", False, 423_848), ("c33", True, 423_933), ("c41", False, 429_398)])
def test_published_optima(name: str, unsplittable: bool, optimum: float) -> None:
    res = solve_cmnd(read_dow(_instance(name)), unsplittable=unsplittable, time_limit_s=300)
    assert res["status"] == "OPTIMAL"
    assert res["objective"] == pytest.approx(optimum, abs=1e-6)
    assert res["bound"] == pytest.approx(optimum, abs=1e-6)


def test_tiny_instance_by_hand(tmp_path: Path) -> None:
    # 3 nodes; 10 units 1 -> 3. Direct arc: fixed 100 + 1/unit = 110. Via 2: two arcs fixed 10
    # each + 2/unit each = 60. Splittable with a capacity of 6 on the cheap path: 6 units via 2
    # (20 + 24) + 4 direct (100 + 4) = 148 vs all direct 110 -> 110.
    dow = tmp_path / "t.dow"
    dow.write_text("MULTIGEN.DAT:\n3 3 1\n1 3 1 100 100 1 1\n1 2 2 100 10 1 2\n"
                   "2 3 2 100 10 1 3\n1 3 10\n")
    assert solve_cmnd(read_dow(dow))["objective"] == pytest.approx(60)
    dow.write_text("MULTIGEN.DAT:\n3 3 1\n1 3 1 100 100 1 1\n1 2 2 6 10 1 2\n"
                   "2 3 2 6 10 1 3\n1 3 10\n")
    assert solve_cmnd(read_dow(dow))["objective"] == pytest.approx(110)
    assert solve_cmnd(read_dow(dow), unsplittable=True)["objective"] == pytest.approx(110)


def test_cli_json(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["bench-cmnd", str(_instance("c41")), "--unsplittable",
                                   "--time-limit", "300", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert {"objective", "bound", "status", "seconds"} <= set(doc)
    assert doc["status"] == "OPTIMAL" and doc["objective"] == pytest.approx(430_253)
    bad = tmp_path / "bad.dow"
    bad.write_text("MULTIGEN.DAT:\n3 1 1\n1 3 x 100 100 1 1\n1 3 10\n")
    res = CliRunner().invoke(cli, ["bench-cmnd", str(bad)])
    assert res.exit_code == 2 and "line 3" in res.output
