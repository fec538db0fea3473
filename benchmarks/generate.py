"""Seeded benchmark instances.

- ``S``, ``M``, ``L``: a week or two of returns on the bundled network (data/), with the mix of
  the bundled mixed scenario: nine foreign hubs, ten seller clusters, every goods class, mostly
  9610 with some 9710/9810/1210 and a few ineligible trade modes, export dates from weeks to
  over a year before the return, lognormal weights;
  returns carry what the other issues made the engine handle: deadlines on about 5% of parcels
  (a fifth of them 5-8 days after the parcel is ready, so some have passed on the planning date:
  stale parcels), a return reason (the retail mix of scenarios/generate_world.py), and disposal
  abroad allowed where it pays (``rules: {disposal: {allowed: true}}``, as the 3pl-week
  scenario); the bundled lanes bring the schedules, rate cards (data/rates.csv) and return
  declarations. These extras are drawn from their own random stream, so each parcel's other
  fields are those of the earlier instances;
- ``XL``: issue 15's week of a large platform, 500,000 parcels over 14 days, generated on demand
  (``bench.py --xl``; not stored);
- ``X``: a synthetic stress network of ~100 nodes and ~1,000 lanes with ~1,000 batches, to test
  the solver where the real network is too small.

Each instance is a directory with a scenario YAML (and, for X, its own ports/lanes/rules).
X's lanes follow the departure policy of data/build_lanes.py: each lane has a ``schedule`` (when
it leaves its origin: ``daily`` or weekday names such as ``Mon,Thu``), a ``cutoff_days`` (days
before a departure the goods must be at the origin) and a ``max_vehicles`` limit **per
departure** (blank: unlimited). TIR full trucks leave daily (cut-off 0, 1-2 trucks a departure),
TIR groupage Mon and Thu (cut-off 1, 1 truck's worth), rail weekly on the hub's weekday
(cut-off 1, 4 FEU a train), air daily or Mon/Wed/Fri (cut-off 1, 1 allotment a flight), domestic
road daily (cut-off 0, unlimited). S/M/L point at the bundled data/lanes.csv.
Run ``python benchmarks/generate.py [--out DIR] [SIZE ...]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import shutil
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
COLUMNS = ["parcel_id", "origin", "destination", "weight_kg", "volume_m3", "value_cny",
           "trade_mode", "export_date", "export_port", "goods_class", "ready_date"]
#: S/M/L/XL's returns also carry a deadline and a return reason
BUNDLED_COLUMNS = [*COLUMNS, "deadline", "return_reason"]
#: share of parcels with a deadline, and of those a tight one (scenarios/generate_3pl_week.py)
DEADLINE_SHARE, TIGHT_SHARE = 0.05, 0.2
#: the retail mix of return reasons (scenarios/generate_world.py RETAIL_REASONS; assumption)
REASONS = {"unsold": 0.05, "cancelled": 0.25, "refused": 0.25, "after_sales": 0.25,
           "quality": 0.08, "specification": 0.04, "other": 0.08}

#: parcels and days of returns per size (batches follow from the consolidation keys)
SIZES = {"S": (22, 7), "M": (640, 14), "L": (50_000, 9), "XL": (500_000, 14)}
#: the whole command's budget per size: XL is issue 15's "five minutes end to end"
TIME_LIMIT_S = {"XL": 300.0}

HUBS = {  # hub: (share, export ports its goods typically left through)
    "MOSCOW": (0.30, ["KHORGOS", "YIWU_CUSTOMS", "HANGZHOU_CBEC", "MANZHOULI", "PVG_AIRPORT",
                      "NINGBO_CBEC"]),
    "ST_PETERSBURG": (0.06, ["KHORGOS", "PVG_AIRPORT", "HGH_AIRPORT"]),
    "NOVOSIBIRSK": (0.08, ["ALASHANKOU", "URUMQI_CBEC", "URC_AIRPORT"]),
    "ALMATY": (0.14, ["KHORGOS", "ALASHANKOU", "XIAN_CBEC", "URUMQI_CBEC"]),
    "TASHKENT": (0.07, ["IRKESHTAM", "KASHGAR_CBEC", "URC_AIRPORT"]),
    "BISHKEK": (0.05, ["TORUGART", "KASHGAR_CBEC"]),
    "ULAANBAATAR": (0.08, ["ERENHOT", "ZHENGZHOU_CBEC"]),
    "MINSK": (0.10, ["ALASHANKOU", "CGO_AIRPORT", "ZHENGZHOU_CBEC", "XIAN_CBEC"]),
    "WARSAW": (0.12, ["ALASHANKOU", "CGO_AIRPORT", "NINGBO_CBEC", "ZHENGZHOU_CBEC"]),
}
CLUSTERS = ["YIWU_SELLERS", "ZHUJI", "DONGYANG", "YONGKANG", "HANGZHOU_SELLERS",
            "NINGBO_SELLERS", "GUANGZHOU_SELLERS", "SHENZHEN_SELLERS", "XIAN_SELLERS",
            "ZHENGZHOU_SELLERS"]
CLUSTER_P = [0.22, 0.08, 0.07, 0.07, 0.12, 0.10, 0.10, 0.08, 0.08, 0.08]
MODES, MODE_P = ["9610", "9710", "9810", "1210", "0110"], [0.72, 0.10, 0.08, 0.07, 0.03]
CLASSES, CLASS_P = ["general", "battery", "liquid", "food", "fragile"], [0.6, 0.15, 0.08, 0.07,
                                                                         0.10]
AS_OF = dt.date(2026, 5, 25)


def returns_rows(n: int, days: int, seed: int, hubs: dict | None = None,
                 clusters: list[str] | None = None, start: dt.date = dt.date(2026, 5, 11)
                 ) -> list[dict]:
    """``n`` parcels ready over ``days`` days from ``start``."""
    rng = np.random.default_rng(seed)
    hubs = hubs or HUBS
    clusters = clusters or CLUSTERS
    cp = CLUSTER_P if clusters is CLUSTERS else [1 / len(clusters)] * len(clusters)
    names = list(hubs)
    share = np.array([hubs[h][0] for h in names], dtype=float)
    hub_idx = rng.choice(len(names), size=n, p=share / share.sum())
    cl_idx = rng.choice(len(clusters), size=n, p=cp)
    modes = rng.choice(len(MODES), size=n, p=MODE_P)
    classes = rng.choice(len(CLASSES), size=n, p=CLASS_P)
    weights = np.clip(rng.lognormal(2.6, 0.9, size=n), 0.3, 400)
    density = rng.uniform(90, 220, size=n)
    value_per_kg = rng.uniform(60, 400, size=n)
    ready_off = rng.integers(0, days, size=n)
    age_kind = rng.choice(3, size=n, p=[0.82, 0.15, 0.03])
    extra = np.random.default_rng(seed + 7919)  # the extras' own stream (module docstring)
    has_deadline = extra.random(n) < DEADLINE_SHARE
    tight = extra.random(n) < TIGHT_SHARE
    deadline_days = np.where(tight, extra.integers(5, 9, size=n), extra.integers(10, 31, size=n))
    reasons = extra.choice(list(REASONS), size=n, p=list(REASONS.values()))
    rows = []
    for i in range(n):
        hub = names[hub_idx[i]]
        ports = hubs[hub][1]
        age = int((rng.integers(15, 150), rng.integers(150, 330), rng.integers(360, 420))
                  [age_kind[i]])
        ready = start + dt.timedelta(days=int(ready_off[i]))
        rows.append({
            "parcel_id": f"B{i + 1:06d}", "origin": hub, "destination": clusters[cl_idx[i]],
            "weight_kg": f"{weights[i]:.2f}", "volume_m3": f"{weights[i] / density[i]:.4f}",
            "value_cny": f"{weights[i] * value_per_kg[i]:.2f}",
            "trade_mode": MODES[modes[i]],
            "export_date": (ready - dt.timedelta(days=age)).isoformat(),
            "export_port": ports[int(rng.integers(0, len(ports)))],
            "goods_class": CLASSES[classes[i]], "ready_date": ready.isoformat(),
            "deadline": ((ready + dt.timedelta(days=int(deadline_days[i]))).isoformat()
                         if has_deadline[i] else ""),
            "return_reason": str(reasons[i])})
    return rows


def _write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _scenario(path: Path, name: str, network: dict[str, str], time_limit: float,
              gap: float = 0.0, disposal: bool = False) -> None:
    path.write_text(yaml.safe_dump({
        "name": name, "description": f"benchmark instance {name} (benchmarks/generate.py)",
        "as_of": AS_OF.isoformat(), "policy": {"regime": "auto"}, "network": network,
        "returns": "returns.csv", "consolidation": {"window_days": 7},
        "objective": {"holding_cost_pct_per_year": 25},
        **({"rules": {"disposal": {"allowed": True}}} if disposal else {}),
        "solver": {"time_limit_s": time_limit, "relative_gap": gap}}, sort_keys=False),
        encoding="utf-8")


def bundled_instance(size: str, out: Path, seed: int = 1) -> Path:
    """An S/M/L instance on the bundled network; returns its scenario path."""
    n, days = SIZES[size]
    d = out / size
    d.mkdir(parents=True, exist_ok=True)
    _write_csv(d / "returns.csv", returns_rows(n, days, seed), BUNDLED_COLUMNS)
    rel = Path("..") / ".." / ".." / "data" if out == ROOT / "benchmarks" / "instances" else DATA
    network = {"ports": str(rel / "ports.yaml"), "lanes": str(rel / "lanes.csv"),
               "rules": str(rel / "rules.yaml")}
    _scenario(d / "scenario.yaml", size, network, time_limit=TIME_LIMIT_S.get(size, 60),
              disposal=True)
    return d / "scenario.yaml"


LANE_COLUMNS = ["lane_id", "origin", "destination", "via", "mode", "cost_per_kg_cny",
                "cost_per_vehicle_cny", "vehicle_capacity_kg", "vehicle_capacity_m3",
                "max_vehicles", "transit_days", "schedule", "cutoff_days", "distance_km",
                "co2e_g_per_tkm", "source"]
CO2E_G_PER_TKM = {"tir_road": 94, "rail": 30, "air": 570, "road": 110}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
INLAND_MODES = {"airport": ["air", "road"], "rail_terminal": ["rail", "road"],
                "clearance_site": ["tir_road", "road"]}


def _place(rng: np.random.Generator, lat0: float, lon0: float,
           spread: float) -> tuple[float, float]:
    """A (lat, lon) scattered normally around (lat0, lon0), rounded to 4 decimals."""
    return (round(float(lat0 + rng.normal(0, spread)), 4),
            round(float(lon0 + rng.normal(0, spread)), 4))


def _synthetic_districts() -> list[dict]:
    """Twenty districts; two in three have been pilot districts since 2024-12-15."""
    return [{"id": f"D{i:02d}", "name": f"District {i}",
             "pilot_since": "2024-12-15" if i % 3 else None} for i in range(20)]


def _hub_node(rng: np.random.Generator, i: int) -> dict:
    """Foreign hub ``Hii`` around European Russia, reachable by TIR, rail and air."""
    lat, lon = _place(rng, 52, 45, 8)
    return {"id": f"H{i:02d}", "name": f"H{i:02d}", "kind": "foreign_hub", "country": "RU",
            "lat": lat, "lon": lon, "modes": ["tir_road", "rail", "air"]}


def _crossing_node(rng: np.random.Generator, i: int) -> dict:
    """Border crossing ``Xii`` in western China; some are no CBEC return site or closed to TIR,
    so the compliance rules have something to reject."""
    lat, lon = _place(rng, 44, 95, 10)
    return {"id": f"X{i:02d}", "name": f"X{i:02d}", "kind": "border_crossing",
            "country": "CN", "lat": lat, "lon": lon, "district": f"D{i % 20:02d}",
            "modes": ["tir_road", "rail", "road"], "cbec_return_site": bool(i % 4),
            "tir_open": bool(i % 5), "clearance_fee_cny": 1500, "clearance_days": 2}


def _inland_node(rng: np.random.Generator, i: int) -> dict:
    """Inland port ``Iii`` in central China: airport, rail terminal or clearance site in turn."""
    lat, lon = _place(rng, 31, 114, 5)
    kind = ("airport", "rail_terminal", "clearance_site")[i % 3]
    return {"id": f"I{i:02d}", "name": f"I{i:02d}", "kind": kind, "country": "CN",
            "lat": lat, "lon": lon, "district": f"D{(i * 7) % 20:02d}",
            "modes": list(INLAND_MODES[kind]), "cbec_return_site": True,
            "tir_open": kind == "clearance_site", "clearance_fee_cny": 1000,
            "clearance_days": 1}


def _cluster_node(rng: np.random.Generator, i: int) -> dict:
    """Seller cluster ``Cii`` in eastern China, reached by domestic road only."""
    lat, lon = _place(rng, 29, 116, 4)
    return {"id": f"C{i:02d}", "name": f"C{i:02d}", "kind": "seller_cluster",
            "country": "CN", "lat": lat, "lon": lon, "district": f"D{i % 20:02d}",
            "modes": ["road"]}


class _Lanes:
    """The synthetic lanes being built, numbered in order, costed from great-circle distance."""

    def __init__(self, by_id: dict[str, dict]) -> None:
        self.by_id = by_id
        self.rows: list[dict] = []

    def km(self, a: str, b: str) -> float:
        """Road/rail km between two nodes: great circle x 1.25 detour, at least 20 km."""
        p, q = self.by_id[a], self.by_id[b]
        la1, lo1, la2, lo2 = map(math.radians, (p["lat"], p["lon"], q["lat"], q["lon"]))
        h = (math.sin((la2 - la1) / 2) ** 2
             + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
        return max(20.0, 2 * 6371 * math.asin(math.sqrt(h)) * 1.25)

    def add(self, o: str, dst: str, mode: str, via: str = "", per_kg: float = 0.0,
            per_vehicle: float = 0.0, cap: float = 20_000, m3: float = 85.0,
            max_v: int | str = "", speed: float = 700, schedule: str = "daily",
            cutoff: int = 0) -> None:
        """Append a lane (through ``via`` if given); days from distance at ``speed`` km/day.

        ``max_v`` limits one departure of the ``schedule``; goods must be at the origin
        ``cutoff`` days before it leaves."""
        dist = self.km(o, via) + self.km(via, dst) if via else self.km(o, dst)
        limit = f"{max_v} vehicle(s) a departure" if max_v != "" else "no vehicle limit"
        self.rows.append({
            "lane_id": f"{mode[:3].upper()}{len(self.rows):04d}", "origin": o,
            "destination": dst, "via": via, "mode": mode, "cost_per_kg_cny": round(per_kg, 4),
            "cost_per_vehicle_cny": round(per_vehicle, 2), "vehicle_capacity_kg": cap,
            "vehicle_capacity_m3": m3, "max_vehicles": max_v,
            "transit_days": max(1, math.ceil(dist / speed)), "schedule": schedule,
            "cutoff_days": cutoff, "distance_km": int(dist),
            "co2e_g_per_tkm": CO2E_G_PER_TKM[mode],
            "source": f"synthetic (benchmarks/generate.py); departs {schedule}, cut-off {cutoff}"
                      f" day{'' if cutoff == 1 else 's'}, {limit} (assumption)"})


def _hub_lanes(rng: np.random.Generator, lanes: _Lanes, h: str, crossings: list[str],
               inland: list[str]) -> None:
    """A hub's international lanes: TIR to 5 crossings (full truck and groupage) and on to
    2 clearance sites each, rail through half of them, and air to 3 airports.

    Departures as in data/build_lanes.py: TIR full truck daily, 1-2 trucks a departure,
    cut-off 0; groupage Mon,Thu, 1 truck's worth, cut-off 1; rail one train a week on a weekday
    fixed by the hub's number, 4 FEU, cut-off 1; air 2-7 flights a week drawn as before become
    daily (5 or more) or Mon,Wed,Fri, 1 allotment a flight, cut-off 1."""
    km, add = lanes.km, lanes.add
    rail_day = WEEKDAYS[(int(h[1:]) + 3) % 7]  # H00 Thu (as Moscow), then spread over the week
    kinds = {i: lanes.by_id[i]["kind"] for i in inland}
    tir_sites = [i for i in inland if kinds[i] == "clearance_site"]
    rail_sites = [i for i in inland if kinds[i] == "rail_terminal"]
    airports = [i for i in inland if kinds[i] == "airport"]
    for x in rng.choice(crossings, size=5, replace=False):
        add(h, x, "tir_road", per_vehicle=5.5 * km(h, x), max_v=int(rng.integers(1, 3)))
        add(h, x, "tir_road", per_kg=5.5 * km(h, x) / 12_000, max_v=1, schedule="Mon,Thu",
            cutoff=1)
        for s in rng.choice(tir_sites, size=2, replace=False):
            add(h, s, "tir_road", via=x, per_vehicle=5.5 * (km(h, x) + km(x, s)),
                max_v=int(rng.integers(1, 3)))
        if rng.random() < 0.5:
            r = rail_sites[int(rng.integers(0, len(rail_sites)))]
            add(h, r, "rail", via=x, per_vehicle=2.3 * (km(h, x) + km(x, r)),
                cap=26_500, m3=76.2, max_v=4, speed=400, schedule=rail_day, cutoff=1)
    for a in rng.choice(airports, size=3, replace=False):
        per_kg, flights = float(rng.uniform(25, 40)), int(rng.integers(2, 8))
        add(h, a, "air", per_kg=per_kg, cap=5000, m3=30, max_v=1, speed=5000,
            schedule="daily" if flights >= 5 else "Mon,Wed,Fri", cutoff=1)


def _road_lanes(rng: np.random.Generator, lanes: _Lanes, clusters: list[str]) -> None:
    """From every port an international lane reaches, road to 8 clusters: an LTL lane per kg
    and a vehicle lane (a truck over 400 km, a van below)."""
    ports = sorted({ln["destination"] for ln in lanes.rows})
    for p in ports:
        for c in rng.choice(clusters, size=8, replace=False):
            dist = lanes.km(p, c)
            lanes.add(p, c, "road", per_kg=2 * 0.3055 / 1000 * dist + 0.2)
            lanes.add(p, c, "road", per_vehicle=7.33 * dist if dist > 400 else 300 + 3 * dist,
                      cap=24_000 if dist > 400 else 3000, m3=85 if dist > 400 else 16)


def _reachable_pairs(lanes: list[dict], hubs: list[str],
                     clusters: list[str]) -> list[tuple[str, str]]:
    """The (hub, cluster) pairs with a port between them, sorted: batches only go there."""
    serves: dict[str, set[str]] = {}
    for ln in lanes:
        serves.setdefault(ln["origin"], set()).add(ln["destination"])
    return sorted({(h, c) for h in hubs for p in serves[h] for c in serves.get(p, ())
                   if c in clusters})


def _synthetic_returns(rng: np.random.Generator, batches: int, pairs: list[tuple[str, str]],
                       export_ports: list[str]) -> list[dict]:
    """``batches`` parcel groups of 1-3 parcels, one group per batch (distinct keys by
    construction), cycling over the pairs, in two ready weeks."""
    rows: list[dict] = []
    for i in range(batches):
        h, c = pairs[i % len(pairs)]
        goods = CLASSES[int(rng.choice(len(CLASSES), p=CLASS_P))]
        mode = MODES[int(rng.choice(len(MODES), p=MODE_P))]
        port = export_ports[int(rng.integers(0, 8))]
        ready = dt.date(2026, 5, 11) + dt.timedelta(days=int(7 * (i // (batches // 2 + 1))))
        export = ready - dt.timedelta(days=int(rng.integers(20, 160)))
        for _ in range(int(rng.integers(1, 4))):
            w = float(np.clip(rng.lognormal(4.5, 1.2), 5, 9000))
            rows.append({
                "parcel_id": f"X{len(rows) + 1:06d}", "origin": h, "destination": c,
                "weight_kg": f"{w:.2f}", "volume_m3": f"{w / rng.uniform(100, 220):.4f}",
                "value_cny": f"{w * rng.uniform(60, 300):.2f}", "trade_mode": mode,
                "export_date": export.isoformat(), "export_port": port, "goods_class": goods,
                "ready_date": ready.isoformat()})
    return rows


def synthetic_instance(out: Path, seed: int = 2, n_hubs: int = 12, n_crossings: int = 14,
                       n_inland: int = 34, n_clusters: int = 40, batches: int = 1000) -> Path:
    """~100 nodes, ~1,000 lanes, ~1,000 batches on a random but plausible network.

    One generator feeds every step in a fixed order (nodes by kind, hub lanes, road lanes,
    returns), so a seed always writes the same files.
    """
    rng = np.random.default_rng(seed)
    d = out / "X"
    d.mkdir(parents=True, exist_ok=True)
    hub_nodes = [_hub_node(rng, i) for i in range(n_hubs)]
    crossing_nodes = [_crossing_node(rng, i) for i in range(n_crossings)]
    inland_nodes = [_inland_node(rng, i) for i in range(n_inland)]
    cluster_nodes = [_cluster_node(rng, i) for i in range(n_clusters)]
    nodes = [*hub_nodes, *crossing_nodes, *inland_nodes, *cluster_nodes]
    hubs, crossings, inland, clusters = ([n["id"] for n in group] for group in (
        hub_nodes, crossing_nodes, inland_nodes, cluster_nodes))
    lanes = _Lanes({n["id"]: n for n in nodes})
    for h in hubs:
        _hub_lanes(rng, lanes, h, crossings, inland)
    _road_lanes(rng, lanes, clusters)
    shutil.copy(DATA / "rules.yaml", d / "rules.yaml")
    (d / "ports.yaml").write_text(yaml.safe_dump({"districts": _synthetic_districts(),
                                                  "nodes": nodes}, sort_keys=False),
                                  encoding="utf-8")
    _write_csv(d / "lanes.csv", lanes.rows, LANE_COLUMNS)
    export_ports = [x for x in crossings if lanes.by_id[x]["district"]]
    rows = _synthetic_returns(rng, batches, _reachable_pairs(lanes.rows, hubs, clusters),
                              export_ports)
    _write_csv(d / "returns.csv", rows, COLUMNS)
    _scenario(d / "scenario.yaml", "X", {"ports": "ports.yaml", "lanes": "lanes.csv",
                                         "rules": "rules.yaml"}, time_limit=60)
    return d / "scenario.yaml"


def main() -> None:
    """Write the requested instances (default: all) under ``--out``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", default=["S", "M", "L", "X"])
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "instances")
    args = ap.parse_args()
    for size in args.sizes:
        path = (synthetic_instance(args.out) if size == "X"
                else bundled_instance(size, args.out))
        print(f"{size}: {path}")


if __name__ == "__main__":
    main()
