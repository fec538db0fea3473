"""Planners' and analysts' tools: compare, sweeps (serial, process pool, Dask), Pareto, API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, parcel

import optimizer
from optimizer.analysis.pareto import front
from optimizer.analysis.sweep import SweepRow, grid, key_path, parse_values, run_points
from optimizer.cli import cli


def test_compare_cli(make_case, tmp_path: Path) -> None:
    # planned on 2025-01-15 (pilot since 2024-12-15), declared within the 6-month tax relief
    base = make_case([parcel("P1", 3000, volume=15, export="2024-10-01", ready="2024-11-01")],
                     as_of="2025-01-15")
    old = base.parent / "old.yaml"
    old.write_text(f"extends: {base.name}\nname: old-rule\nas_of: 2024-11-30\n")
    out = tmp_path / "cmp"
    res = CliRunner().invoke(cli, ["compare", str(old), str(base), "--out", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "compare.json").read_text())
    assert doc["scenarios"] == ["old-rule", base.parent.name]
    cost = doc["metrics"]["landed cost of the returns (CNY)"]
    assert doc["metrics"]["total cost: returns + disposals (CNY)"] == cost  # nothing disposed
    # same_route: BORDER 10,000 + 500 + 9,000 = 19,500; pilot: INLAND 15,000 + 300 + 600 = 15,900
    assert cost["old-rule"] == pytest.approx(19_500)
    assert cost[base.parent.name] == pytest.approx(15_900)
    (change,) = doc["changes"]
    assert change["old-rule: route"] == "BORDER tir_road"
    assert change[f"{base.parent.name}: route"] == "INLAND tir_road"
    assert change[f"{base.parent.name}: vs old-rule"] == pytest.approx(-3_600)
    assert (out / "compare.csv").read_text().startswith("metric,")


def test_param_parsing() -> None:
    assert parse_values("0.5:1.5:3") == [0.5, 1.0, 1.5]
    assert parse_values("1,2,x") == [1, 2, "x"]
    assert key_path("rates.air") == ("overrides", "rates", "modes", "air")
    assert key_path("rates.lane.L1") == ("overrides", "rates", "lanes", "L1")
    assert key_path("capacity.tir_road") == ("overrides", "capacity", "modes", "tir_road")
    assert key_path("objective.cny_per_transit_day") == ("objective", "cny_per_transit_day")
    assert grid({"a": [1, 2], "b": ["x"]}) == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]
    with pytest.raises(optimizer.InputError):
        key_path("rates.boat")
    with pytest.raises(optimizer.InputError):
        key_path("colour")


def test_sweep_cli_air_rates(make_case, tmp_path: Path) -> None:
    # 1,000 kg: BORDER 13,500 beats air (30/kg: 30,700) until air costs <= 12.8/kg:
    # air at x: 30,000 x + 700 < 13,500  <=>  x < 0.4267
    path = make_case([parcel("P1", 1000)])
    out = tmp_path / "sw"
    res = CliRunner().invoke(cli, ["sweep", str(path), "--param", "rates.air=0.3:0.6:4",
                                   "--workers", "1", "--out", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "sweep.json").read_text())
    rows = {round(r["rates.air"], 2): r for r in doc["rows"]}
    assert rows[0.3]["share_air_pct"] == 100 and rows[0.3]["cost_cny"] == pytest.approx(9_700)
    assert rows[0.4]["share_air_pct"] == 100 and rows[0.4]["cost_cny"] == pytest.approx(12_700)
    assert rows[0.5]["share_air_pct"] == 0 and rows[0.5]["cost_cny"] == pytest.approx(13_500)
    modes = ("tir_road", "rail", "air", "sea", "road")  # every international mode has a share
    assert all(sum(r[f"share_{m}_pct"] for m in modes) == pytest.approx(100) for r in doc["rows"])
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "sweep.csv").read_text().count("\n") == 5


def test_sweep_yaml_random_is_seeded(make_case, tmp_path: Path) -> None:
    path = make_case([parcel("P1", 1000)])
    spec = path.parent / "sweep.yaml"
    spec.write_text(f"base: {path.name}\nmode: random\nsamples: 3\nseed: 5\nparams:\n"
                    "  rates.air: {low: 0.2, high: 1.0}\n"
                    "  objective.cny_per_transit_day: {values: [0, 1000]}\n")
    runs = []
    for i in range(2):
        out = tmp_path / f"r{i}"
        res = CliRunner().invoke(cli, ["sweep", str(spec), "--workers", "1", "--out",
                                       str(out), "--json"])
        assert res.exit_code == 0, res.output
        runs.append([(r["rates.air"], r["objective.cny_per_transit_day"], r["cost_cny"])
                     for r in json.loads(res.output)["rows"]])
    assert runs[0] == runs[1] and len(runs[0]) == 3


def test_pool_and_dask_give_the_serial_answer(make_case) -> None:
    from dask.distributed import LocalCluster

    path = make_case([parcel("P1", 1000), parcel("P2", 1300, dest="SELLER2")])
    points = [{"rates.air": v} for v in (0.2, 0.4, 0.6, 1.0)]

    def strip(rows):
        return [{k: v for k, v in r.flat().items() if k != "seconds"} for r in rows]

    serial = strip(run_points(path, points, workers=1))
    pool = strip(run_points(path, points, workers=2))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        dask = strip(run_points(path, points, scheduler=cluster.scheduler_address))
    assert serial == pool == dask
    assert [r["rates.air"] for r in dask] == [0.2, 0.4, 0.6, 1.0]


def test_pareto_front() -> None:
    rows = [SweepRow({}, "OPTIMAL", cost_cny=c, co2e_kg=d)
            for c, d in ((10, 9), (12, 7), (13, 8), (15, 5), (11, 9))]
    assert [r.cost_cny for r in front(rows, "co2e_kg")] == [10, 12, 15]


def test_pareto_cli(make_case, tmp_path: Path) -> None:
    # BORDER 13,500 in 9 days; AIRPORT 30,700 in 4 days: a high price per day flips it
    path = make_case([parcel("P1", 1000)])
    out = tmp_path / "pa"
    res = CliRunner().invoke(cli, ["pareto", str(path), "--workers", "1", "--out", str(out),
                                   "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    fr = [(r["cost_cny"], r["mean_transit_days"]) for r in doc["time"]["front"]]
    assert fr == [(pytest.approx(13_500), 9), (pytest.approx(30_700), 4)]
    assert (out / "pareto.png").exists()


README_EXAMPLE_MARK = "```python"


def test_readme_python_example_runs(tmp_path: Path, monkeypatch) -> None:
    """The README's API example is executed as written (from the repository root)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(README_EXAMPLE_MARK) + len(README_EXAMPLE_MARK)
    code = text[start:text.index("```", start)]
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    plan = namespace["plan"]
    # rail groupage to Yiwu West is the cheapest on the rate cards (README: the Yiwu case)
    assert set(plan.routes["return_port"]) <= {"YIWU_CUSTOMS", "YIWU_RAIL"}
    assert plan.totals.loc["yiwu-tir-return", "cost_cny"] == pytest.approx(
        plan.summary.cost_cny)
    assert len(plan.vehicles) >= 1
    cmp = namespace["cmp"]
    assert list(cmp.table.columns) == ["yiwu-tir-return", "old rule"]


def test_compare_states_savings_over_the_same_goods(make_case) -> None:
    """Two scenarios of the same two batches where the second cannot fly one of them (air
    closed for batteries by the goods class): the common rows cover only the batch both may
    fly, with the same all-air baseline in both columns."""
    from optimizer.analysis.compare import COMMON_ROWS, compare
    from optimizer.inputs import load_scenario
    from optimizer.planning.pipeline import run

    rows = [parcel("G", 1000), parcel("F", 1000, goods="fragile", dest="SELLER2")]
    base = load_scenario(make_case(rows))
    strict = load_scenario(make_case(rows, rules={"goods_classes": {
        "fragile": {"forbidden_modes": ["air"], "tax_relief": True, "duty_rate": 0.08}}}))
    result = compare([run(base), run(strict)])
    table = result.table
    flows, _, air, _ = COMMON_ROWS
    assert list(table.loc[flows]) == [1, 1]
    a, b = table.loc[air]
    assert a == pytest.approx(b) and a > 0


def test_compare_shows_waiting_and_storage(make_case) -> None:
    """P1 waits two days for the truck P2 fills (see tests/test_report.py ``waits``); alone, it
    leaves at once: the waiting rows say so, storage included (0.01 CNY a kg and day)."""
    from optimizer.analysis.compare import compare
    from optimizer.inputs import load_scenario
    from optimizer.planning.pipeline import run

    both = load_scenario(make_case([parcel("P1", 1000),
                                    parcel("P2", 1000, ready="2025-07-03", dest="SELLER2")]))
    alone = load_scenario(make_case([parcel("P1", 1000)]))
    table = compare([run(both, check=False), run(alone, check=False)]).table
    assert list(table.loc["batches waiting for a later departure"]) == [1, 0]
    assert list(table.loc["days waited for later departures"]) == [2, 0]
    assert list(table.loc["waiting: each batch's own saving, summed (CNY)"]) == pytest.approx(
        [13_280, 0])
    assert list(table.loc["storage at the hubs (CNY)"]) == pytest.approx([20, 0])
