"""A small, hand-checkable network written to real files, so tests go through the same readers
as users do.

    HUB -> BORDER   (district ADIST, pilot)   TIR truck 10,000, 5 d; road to SELLER 3.0/kg
    HUB -> INLAND   via BORDER (BDIST, pilot) TIR truck 15,000, 8 d; road to SELLER 0.2/kg
    HUB -> AIRPORT  (BDIST)                   air 30/kg, 2 d;        road to SELLER 0.3/kg
    HUB -> NOPILOT  via BORDER (CDIST, none)  TIR truck 12,000, 7 d; road to SELLER 0.2/kg

Clearance fees: BORDER 500, INLAND 300, AIRPORT 400, NOPILOT 300; one day each. SELLER2 has
the same road lanes as SELLER.
"""

from __future__ import annotations

import csv
import functools
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

if TYPE_CHECKING:
    from optimizer.domain import Scenario
    from optimizer.plan import Plan

ROOT = Path(__file__).resolve().parents[1]

LANE_FIELDS = ["lane_id", "origin", "destination", "via", "mode", "cost_per_kg_cny",
               "cost_per_vehicle_cny", "vehicle_capacity_kg", "vehicle_capacity_m3",
               "max_vehicles", "transit_days", "distance_km", "co2e_g_per_tkm", "source"]
PARCEL_FIELDS = ["parcel_id", "origin", "destination", "weight_kg", "volume_m3", "value_cny",
                 "trade_mode", "export_date", "export_port", "goods_class", "ready_date"]


def small_ports() -> dict[str, Any]:
    """Districts and nodes of the small network."""
    def cn(id_: str, kind: str, district: str, modes: list[str], fee: float, **kw: Any) -> dict:
        return {"id": id_, "name": id_.title(), "kind": kind, "country": "CN", "lat": 30.0,
                "lon": 110.0, "district": district, "modes": modes, "cbec_return_site": True,
                "tir_open": True, "clearance_fee_cny": fee, "clearance_days": 1, **kw}

    return {
        "districts": [
            {"id": "ADIST", "name": "A Customs", "pilot_since": "2024-12-15"},
            {"id": "BDIST", "name": "B Customs", "pilot_since": "2024-12-15"},
            {"id": "CDIST", "name": "C Customs", "pilot_since": None},
        ],
        "nodes": [
            {"id": "HUB", "name": "Hub", "kind": "foreign_hub", "country": "RU", "lat": 55.0,
             "lon": 37.0, "modes": ["tir_road", "air", "rail"]},
            cn("BORDER", "border_crossing", "ADIST", ["tir_road", "road"], 500),
            cn("INLAND", "clearance_site", "BDIST", ["tir_road", "road"], 300),
            cn("AIRPORT", "airport", "BDIST", ["air", "road"], 400, tir_open=False),
            cn("NOPILOT", "clearance_site", "CDIST", ["tir_road", "road"], 300),
            {"id": "SELLER", "name": "Sellers", "kind": "seller_cluster", "country": "CN",
             "lat": 29.0, "lon": 120.0, "district": "BDIST", "modes": ["road"]},
            {"id": "SELLER2", "name": "Sellers 2", "kind": "seller_cluster", "country": "CN",
             "lat": 29.5, "lon": 120.5, "district": "BDIST", "modes": ["road"]},
        ],
    }


def lane(lane_id: str, origin: str, dest: str, mode: str, per_kg: float = 0.0,
         per_vehicle: float = 0.0, days: int = 1, via: str = "", cap_kg: float = 20_000,
         cap_m3: float = 80, max_vehicles: int | str = "", km: float = 1000,
         co2: float = 100) -> dict[str, Any]:
    """One lanes.csv row."""
    return {"lane_id": lane_id, "origin": origin, "destination": dest, "via": via, "mode": mode,
            "cost_per_kg_cny": per_kg, "cost_per_vehicle_cny": per_vehicle,
            "vehicle_capacity_kg": cap_kg, "vehicle_capacity_m3": cap_m3,
            "max_vehicles": max_vehicles, "transit_days": days, "distance_km": km,
            "co2e_g_per_tkm": co2, "source": "test"}


@functools.cache
def small_rules() -> str:
    """The bundled rules.yaml, with the small network's inland offices holding a case-by-case
    approval for CBEC goods under TIR (rules.yaml tir_cbec: before 2026-01-15 only approved
    offices), so that the other rules can be tested on its 2025 dates; test_audit_rules tests
    the rule itself."""
    doc = yaml.safe_load((ROOT / "data" / "rules.yaml").read_text(encoding="utf-8"))
    doc["tir_cbec"]["approved_offices"] = ["BORDER", "INLAND", "NOPILOT"]
    return yaml.safe_dump(doc, sort_keys=False)


def small_lanes() -> list[dict[str, Any]]:
    """Lanes of the small network (see the module docstring)."""
    rows = [
        lane("L_TIR_BORDER", "HUB", "BORDER", "tir_road", per_vehicle=10_000, days=5),
        lane("L_TIR_INLAND", "HUB", "INLAND", "tir_road", per_vehicle=15_000, days=8,
             via="BORDER"),
        lane("L_AIR", "HUB", "AIRPORT", "air", per_kg=30.0, days=2, cap_kg=5000, cap_m3=30,
             max_vehicles=7),
        lane("L_TIR_NOPILOT", "HUB", "NOPILOT", "tir_road", per_vehicle=12_000, days=7,
             via="BORDER"),
    ]
    for seller in ("SELLER", "SELLER2"):
        suffix = "" if seller == "SELLER" else "_2"
        rows += [
            lane(f"L_ROAD_BORDER{suffix}", "BORDER", seller, "road", per_kg=3.0, days=3),
            lane(f"L_ROAD_INLAND{suffix}", "INLAND", seller, "road", per_kg=0.2, days=1),
            lane(f"L_ROAD_AIR{suffix}", "AIRPORT", seller, "road", per_kg=0.3, days=1),
            lane(f"L_ROAD_NOPILOT{suffix}", "NOPILOT", seller, "road", per_kg=0.2, days=1),
        ]
    return rows


def parcel(pid: str, weight: float = 1000.0, *, volume: float = 5.0, value: float = 100_000.0,
           mode: str = "9610", export: str = "2025-06-01", port: str = "BORDER",
           goods: str = "general", ready: str = "2025-07-01", dest: str = "SELLER",
           origin: str = "HUB") -> dict[str, Any]:
    """One returns CSV row."""
    return {"parcel_id": pid, "origin": origin, "destination": dest, "weight_kg": weight,
            "volume_m3": volume, "value_cny": value, "trade_mode": mode, "export_date": export,
            "export_port": port, "goods_class": goods, "ready_date": ready}


def write_csv(path: Path, rows: list[dict[str, Any]], fields: list[str]) -> None:
    """Write rows with a header: ``fields`` first, then any other keys the rows carry."""
    fields = fields + sorted({k for row in rows for k in row} - set(fields))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


CaseFn = Callable[..., Path]


# ---- pytest-xdist: the slow files first -----------------------------------------------------

#: the files that take longest (`make test --durations`), in the order pytest-xdist's
#: ``--dist loadfile`` should start them: it hands whole files to 2 workers, the first seven
#: in turn (1, 3, 5, 7 to one and 2, 4, 6 to the other), then one to whichever is free. A long
#: file started last would keep one worker busy while the other has nothing left; the files
#: that read the bundled plans test_scenarios solves (``bundled_plans``) come later
SLOW_FILES = ("test_scenarios.py", "test_schedule_verify.py", "test_interrupts.py",
              "test_robustness.py", "test_solve.py", "test_deadline.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, the slow files first, each file's tests in their own order (every
    worker collects, and sorts, the same way); in one process the order stays as it is."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    rank = {name: i for i, name in enumerate(SLOW_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture
def make_case(tmp_path: Path) -> CaseFn:
    """Write a complete scenario (network, rules, returns, YAML) and return the YAML's path."""
    counter = {"n": 0}

    def make(parcels: list[dict[str, Any]] | None = None, *,
             lanes: list[dict[str, Any]] | None = None, ports: dict[str, Any] | None = None,
             as_of: str = "2025-07-01", regime: str = "auto", window_days: int = 7,
             objective: dict[str, Any] | None = None, rules: dict[str, Any] | None = None,
             solver: dict[str, Any] | None = None) -> Path:
        counter["n"] += 1
        d = tmp_path / f"case{counter['n']}"
        d.mkdir()
        (d / "ports.yaml").write_text(yaml.safe_dump(ports or small_ports(), sort_keys=False),
                                      encoding="utf-8")
        write_csv(d / "lanes.csv", lanes if lanes is not None else small_lanes(), LANE_FIELDS)
        (d / "rules.yaml").write_text(small_rules(), encoding="utf-8")
        write_csv(d / "returns.csv", parcels if parcels is not None else [parcel("P1")],
                  PARCEL_FIELDS)
        doc: dict[str, Any] = {
            "name": f"case{counter['n']}", "as_of": as_of, "policy": {"regime": regime},
            "network": {"ports": "ports.yaml", "lanes": "lanes.csv", "rules": "rules.yaml"},
            "returns": "returns.csv", "consolidation": {"window_days": window_days},
            "solver": {"time_limit_s": 20, "relative_gap": 0.0, **(solver or {})}}
        if objective:
            doc["objective"] = objective
        if rules:
            doc["rules"] = rules
        path = d / "scenario.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        return path

    return make


# ---- the bundled scenarios' plans, solved once per test run -------------------------------

Bundled = Callable[[str], "tuple[Scenario, Plan]"]


@pytest.fixture(scope="session")
def bundled_plans(tmp_path_factory: pytest.TempPathFactory) -> Bundled:
    """name -> (scenario, plan) of a bundled scenario (scenarios/NAME.yaml), planned exactly as
    ``run(scenario)`` plans it (its own time limit, the same-route baseline, checked by
    verify_plan inside run), at most once per test run.

    Several files read the same plans (test_scenarios, test_tamper, test_verify, test_report,
    test_schedules), and mixed-week alone takes a minute: each is solved by whichever test asks
    first. Under pytest-xdist the workers share them too: the first worker to ask solves the
    scenario under a file lock in the run's temporary folder (the parent of each worker's
    own) and leaves the plan there, pickled; a worker that asks meanwhile waits for it rather
    than solving it again. The scenario itself is loaded by each process (it is cheap)."""
    from optimizer.inputs import load_scenario
    from optimizer.planning.pipeline import run

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the controller's basetemp: one per run, above gw0, gw1, ...
    shared /= "bundled-plans"
    shared.mkdir(exist_ok=True)
    cache: dict[str, tuple[Scenario, Plan] | Exception] = {}

    def solve_once(name: str, sc: Scenario) -> Plan:
        try:
            import fcntl
        except ImportError:  # not POSIX: no file locks, each process solves its own
            return run(sc)
        path = shared / f"{name}.pickle"
        with (shared / f"{name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes (or we die)
            if path.exists():
                return pickle.loads(path.read_bytes())
            plan = run(sc)  # raises (and leaves nothing) when the plan fails its check
            part = path.with_suffix(".part")
            part.write_bytes(pickle.dumps(plan))
            part.replace(path)
            return plan

    def get(name: str) -> tuple[Scenario, Plan]:
        if name not in cache:
            try:
                sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
                cache[name] = (sc, solve_once(name, sc))
            except Exception as err:  # each test that asks fails with it, none solves again
                cache[name] = err
        found = cache[name]
        if isinstance(found, Exception):
            raise found
        return found

    return get
