"""The bundled network and scenarios: they load, and the Yiwu case comes out as reported."""

from __future__ import annotations

import csv
import importlib.util
import io
from pathlib import Path

import pytest
from conftest import ROOT

from optimizer.inputs import load_scenario
from optimizer.planning.pipeline import run

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def yiwu_plan():
    return run(load_scenario(ROOT / "scenarios" / "yiwu-tir-return.yaml"))


def _load_module(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_bundled_scenarios_load(path: Path) -> None:
    sc = load_scenario(path)
    assert sc.parcels and sc.network.lanes


def test_yiwu_clears_at_yiwu_by_tir(yiwu_plan) -> None:
    plan = yiwu_plan
    assert plan.meta.regime == "pilot"
    assert plan.status == "OPTIMAL" and plan.gap == pytest.approx(0)
    assert {bp.destination for bp in plan.batches} == {"YIWU_SELLERS", "ZHUJI", "DONGYANG",
                                                       "YONGKANG"}
    assert sum(bp.weight_kg for bp in plan.batches) == pytest.approx(2600)
    assert sum(bp.value_cny for bp in plan.batches) == pytest.approx(700_000)
    for bp in plan.batches:
        assert (bp.return_port, bp.return_district, bp.mode) == ("YIWU_CUSTOMS", "HANGZHOU",
                                                                 "tir_road")
        assert bp.export_district == "URUMQI"
        assert all(c.passed for c in bp.compliance)
    assert plan.summary.cost_cny < plan.summary.air_baseline_cny
    assert plan.summary.cost_cny <= plan.summary.same_route_baseline_cny


def test_yiwu_same_route_clears_in_the_export_district() -> None:
    plan = run(load_scenario(ROOT / "scenarios" / "yiwu-same-route.yaml"))
    assert plan.meta.regime == "same_route"
    assert plan.batches and not plan.unrouted
    for bp in plan.batches:
        assert bp.return_district == "URUMQI"


def test_mixed_week_routes_what_it_may(tmp_path: Path) -> None:
    sc = load_scenario(ROOT / "scenarios" / "mixed-week.yaml")
    plan = run(sc)
    assert plan.status == "PARTIAL"  # some parcels are past the window or ineligible
    assert len(plan.batches) > 100
    reasons = {c.rule for u in plan.unrouted for c in u.reasons}
    assert {"TRADE_MODE", "RETURN_WINDOW"} <= reasons
    nodes = sc.network.nodes
    for bp in plan.batches:
        assert all(c.passed for c in bp.compliance)
        if bp.trade_mode in ("1210", "9810", "9710"):
            assert bp.return_district == bp.export_district
        assert nodes[bp.return_port].cbec_return_site
        if bp.goods_class in ("battery", "liquid"):
            assert all(leg.mode != "air" for leg in bp.legs)
    assert plan.summary.cost_cny <= plan.summary.greedy_baseline_cny + 1e-6
    assert plan.summary.tax_exposure_cny > 0


def test_lanes_csv_is_what_the_generator_writes() -> None:
    build = _load_module(ROOT / "data" / "build_lanes.py")
    import yaml
    ports = yaml.safe_load((ROOT / "data" / "ports.yaml").read_text(encoding="utf-8"))
    rows = build.build({n["id"]: n for n in ports["nodes"]})
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=build.COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    assert buf.getvalue() == (ROOT / "data" / "lanes.csv").read_text(encoding="utf-8")


def test_every_lane_cites_a_source() -> None:
    with (ROOT / "data" / "lanes.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            assert row["source"].strip(), row["lane_id"]


def test_returns_csvs_are_reproducible(tmp_path: Path) -> None:
    gen = _load_module(ROOT / "scenarios" / "generate_returns.py")
    gen._write(tmp_path / "y.csv", gen.yiwu())
    gen._write(tmp_path / "m.csv", gen.mixed())
    assert (tmp_path / "y.csv").read_text() == \
        (ROOT / "scenarios" / "returns" / "yiwu-moscow.csv").read_text()
    assert (tmp_path / "m.csv").read_text() == \
        (ROOT / "scenarios" / "returns" / "mixed-week.csv").read_text()
