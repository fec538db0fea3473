"""Fuzzing (hypothesis): readers never fail with anything but InputError, and random networks
always give a plan that passes the independent check (run() verifies every plan it returns).

Bounded for CI; a longer run: ``RETURNROUTE_FUZZ=long make test`` (see conftest.py).
"""

from __future__ import annotations

import csv
import io
import os
import string
from pathlib import Path

import yaml
from conftest import LANE_FIELDS, PARCEL_FIELDS, lane, parcel, small_lanes, small_ports, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.errors import InputError
from optimizer.inputs import load_scenario
from optimizer.planning.pipeline import run

LONG = os.environ.get("RETURNROUTE_FUZZ") == "long"
EXAMPLES = 2000 if LONG else 60
NETWORKS = 400 if LONG else 25
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

cells = st.one_of(
    st.text(alphabet=string.printable + "包裹é\u00a0", max_size=12),
    st.sampled_from(["", "nan", "inf", "-1", "0", "1e308", "2025-02-30", "2025-07-01",
                     "HUB", "SELLER", "BORDER", "9610", "0110", "general", "battery", "1,5",
                     " 12 ", "NULL", "true"]),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-10**6, max_value=10**6).map(str),
)


def _scenario_dir(tmp: Path) -> Path:
    (tmp / "ports.yaml").write_text(yaml.safe_dump(small_ports(), sort_keys=False))
    write_csv(tmp / "lanes.csv", small_lanes(), LANE_FIELDS)
    (tmp / "rules.yaml").write_text((Path(__file__).parents[1] / "data" / "rules.yaml")
                                    .read_text())
    (tmp / "scenario.yaml").write_text(yaml.safe_dump({
        "name": "fuzz", "as_of": "2025-07-10",
        "network": {"ports": "ports.yaml", "lanes": "lanes.csv", "rules": "rules.yaml"},
        "returns": "returns.csv"}))
    return tmp / "scenario.yaml"


def _load(path: Path) -> None:
    try:
        load_scenario(path)
    except InputError as err:
        assert err.problems
        for p in err.problems:
            assert p.file and p.message


@FUZZ
@given(rows=st.lists(st.fixed_dictionaries({f: cells for f in PARCEL_FIELDS}), max_size=6),
       header=st.permutations(PARCEL_FIELDS))
def test_returns_reader(tmp_path_factory, rows, header) -> None:
    path = _scenario_dir(tmp_path_factory.mktemp("r"))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (path.parent / "returns.csv").write_text(buf.getvalue(), encoding="utf-8")
    _load(path)


@FUZZ
@given(data=st.binary(max_size=300))
def test_returns_reader_raw_bytes(tmp_path_factory, data: bytes) -> None:
    path = _scenario_dir(tmp_path_factory.mktemp("b"))
    (path.parent / "returns.csv").write_bytes(data)
    _load(path)


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10),
              st.dates().map(str)),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.text(max_size=8), children, max_size=3)),
    max_leaves=10)


@FUZZ
@given(doc=st.dictionaries(
    st.sampled_from(["name", "as_of", "policy", "network", "returns", "consolidation",
                     "objective", "solver", "rules", "description", "extra"]),
    yaml_values, max_size=8))
def test_scenario_reader(tmp_path_factory, doc) -> None:
    path = _scenario_dir(tmp_path_factory.mktemp("s"))
    write_csv(path.parent / "returns.csv", [parcel("P1")], PARCEL_FIELDS)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    _load(path)


@FUZZ
@given(text=st.text(max_size=200))
def test_scenario_reader_raw_text(tmp_path_factory, text: str) -> None:
    path = _scenario_dir(tmp_path_factory.mktemp("t"))
    path.write_text(text, encoding="utf-8")
    _load(path)


HUB_LANES = ["BORDER", "INLAND", "AIRPORT", "NOPILOT"]


@st.composite
def networks(draw):
    """A random subset of the small network's lanes with random rates and limits, and parcels."""
    rows = []
    for base in small_lanes():
        if draw(st.booleans()) or (base["origin"] != "HUB" and draw(st.booleans())):
            continue
        row = dict(base)
        if row["cost_per_vehicle_cny"]:
            row["cost_per_vehicle_cny"] = draw(st.integers(500, 30_000))
        else:
            row["cost_per_kg_cny"] = draw(st.floats(0.05, 40).map(lambda x: round(x, 3)))
        row["max_vehicles"] = draw(st.sampled_from(["", 0, 1, 2, 5]))
        row["vehicle_capacity_kg"] = draw(st.sampled_from([1000, 5000, 20_000]))
        row["transit_days"] = draw(st.integers(0, 40))
        rows.append(row)
    if not rows:
        rows.append(lane("L_ONLY", "HUB", "AIRPORT", "air", per_kg=30))
    parcels = []
    for i in range(draw(st.integers(1, 6))):
        parcels.append(parcel(
            f"P{i}", draw(st.floats(0.5, 25_000).map(lambda x: round(x, 2))),
            volume=draw(st.floats(0.01, 90).map(lambda x: round(x, 3))),
            value=draw(st.floats(0, 500_000).map(lambda x: round(x, 2))),
            mode=draw(st.sampled_from(["9610", "9610", "1210", "9810", "0110"])),
            goods=draw(st.sampled_from(["general", "battery", "food", "liquid"])),
            export=draw(st.sampled_from(["2024-07-01", "2025-01-15", "2025-06-01"])),
            ready=draw(st.sampled_from(["2025-07-01", "2025-07-03", "2025-07-09"])),
            dest=draw(st.sampled_from(["SELLER", "SELLER2"]))))
    as_of = draw(st.sampled_from(["2025-07-10", "2026-05-01"]))
    return rows, parcels, as_of


@settings(max_examples=NETWORKS, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(net=networks())
def test_random_networks_give_verified_plans(make_case, net) -> None:
    rows, parcels, as_of = net
    path = make_case(parcels, lanes=rows, as_of=as_of, solver={"time_limit_s": 10})
    try:
        sc = load_scenario(path)
    except InputError as err:
        # the only input errors a random subset can produce: unreachable seller clusters
        assert all("unreachable" in p.message for p in err.problems), err
        return
    plan = run(sc)  # raises PlanCheckError if the independent checker finds anything
    assert len(plan.batches) + len(plan.unrouted) == plan.summary.batches
    for u in plan.unrouted:
        assert u.reasons
