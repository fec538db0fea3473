"""Generate the bundled returns CSVs (seeded, so the files are reproducible byte for byte).

- ``returns/yiwu-moscow.csv``: the Yiwu TIR case (shared/domain.md §2): ~2.6 t, ~RMB 700k of 9610
  parcels exported through Khorgos in spring 2025 to buyers in Moscow, cancelled, returning to
  sellers in Yiwu, Zhuji, Dongyang and Yongkang. Parcel weights and values are drawn around the
  case's totals and scaled to hit them; the split between the four towns is an assumption.
- ``returns/ningbo-air.csv``: the Ningbo case (Hangzhou export, Ningbo return, Feb 2025);
- ``returns/timeline-{2024,2025,2026}.csv``: the same flows in three years, for the policy
  timeline scenarios;
- ``returns/mixed-week.csv``: a two-week mixed flow on the bundled network (several hubs, every
  goods class, eligible and ineligible trade modes, a few parcels past the 1-year window and some
  past the 6-month tax relief), for testing and demonstrations.

Run: ``python scenarios/generate_returns.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
COLUMNS = ["parcel_id", "origin", "destination", "weight_kg", "volume_m3", "value_cny",
           "trade_mode", "export_date", "export_port", "goods_class", "ready_date", "order_ref"]


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} parcels to {path}")


def yiwu(seed: int = 20250716) -> list[dict]:
    """The Yiwu case: 520 parcels, 2,600 kg and RMB 700,000 in total."""
    rng = np.random.default_rng(seed)
    n, total_kg, total_value = 520, 2600.0, 700_000.0
    towns = rng.choice(["YIWU_SELLERS", "ZHUJI", "DONGYANG", "YONGKANG"], size=n,
                       p=[0.4, 0.2, 0.2, 0.2])
    w = rng.lognormal(mean=1.4, sigma=0.5, size=n)
    w = np.round(w * total_kg / w.sum(), 2)
    w[-1] = round(total_kg - w[:-1].sum(), 2)
    v = rng.lognormal(mean=7.0, sigma=0.6, size=n)
    v = np.round(v * total_value / v.sum(), 2)
    v[-1] = round(total_value - v[:-1].sum(), 2)
    density = rng.uniform(120, 200, size=n)  # kg per m3 of boxed parcels (assumption)
    rows = []
    for i in range(n):
        export = dt.date(2025, 5, 10) + dt.timedelta(days=int(rng.integers(0, 31)))
        ready = dt.date(2025, 7, 1) + dt.timedelta(days=int(rng.integers(0, 3)))
        rows.append({
            "parcel_id": f"YW{i + 1:04d}", "origin": "MOSCOW", "destination": towns[i],
            "weight_kg": f"{w[i]:.2f}", "volume_m3": f"{w[i] / density[i]:.4f}",
            "value_cny": f"{v[i]:.2f}", "trade_mode": "9610", "export_date": export.isoformat(),
            "export_port": "KHORGOS", "goods_class": "general", "ready_date": ready.isoformat(),
            "order_ref": f"MOW-{int(rng.integers(10**6, 10**7))}"})
    return rows


def mixed(seed: int = 7, n: int = 900) -> list[dict]:
    """A mixed two-week flow in May 2026 (nationwide regime)."""
    rng = np.random.default_rng(seed)
    hubs = {  # hub: (share, typical export ports)
        "MOSCOW": (0.30, ["KHORGOS", "YIWU_CUSTOMS", "HANGZHOU_CBEC", "MANZHOULI", "PVG_AIRPORT"]),
        "ST_PETERSBURG": (0.06, ["KHORGOS", "PVG_AIRPORT"]),
        "NOVOSIBIRSK": (0.08, ["ALASHANKOU", "URUMQI_CBEC"]),
        "ALMATY": (0.14, ["KHORGOS", "ALASHANKOU", "XIAN_CBEC", "URUMQI_CBEC"]),
        "TASHKENT": (0.07, ["IRKESHTAM", "KASHGAR_CBEC"]),
        "BISHKEK": (0.05, ["TORUGART", "KASHGAR_CBEC"]),
        "ULAANBAATAR": (0.08, ["ERENHOT", "ZHENGZHOU_CBEC"]),
        "MINSK": (0.10, ["ALASHANKOU", "CGO_AIRPORT", "ZHENGZHOU_CBEC"]),
        "WARSAW": (0.12, ["ALASHANKOU", "CGO_AIRPORT", "NINGBO_CBEC"]),
    }
    clusters = ["YIWU_SELLERS", "ZHUJI", "DONGYANG", "YONGKANG", "HANGZHOU_SELLERS",
                "NINGBO_SELLERS", "GUANGZHOU_SELLERS", "SHENZHEN_SELLERS", "XIAN_SELLERS",
                "ZHENGZHOU_SELLERS"]
    cluster_p = [0.22, 0.08, 0.07, 0.07, 0.12, 0.1, 0.1, 0.08, 0.08, 0.08]
    modes, mode_p = ["9610", "9710", "9810", "1210", "0110"], [0.70, 0.10, 0.08, 0.07, 0.05]
    classes = ["general", "battery", "liquid", "food", "fragile"]
    class_p = [0.6, 0.15, 0.08, 0.07, 0.10]
    names = list(hubs)
    share = np.array([hubs[h][0] for h in names])
    rows = []
    for i in range(n):
        hub = names[int(rng.choice(len(names), p=share / share.sum()))]
        port = hubs[hub][1][int(rng.integers(0, len(hubs[hub][1])))]
        weight = float(np.clip(rng.lognormal(3.0, 0.8), 0.5, 200))
        age = int(rng.choice([rng.integers(20, 150), rng.integers(150, 300),
                              rng.integers(360, 420)], p=[0.8, 0.15, 0.05]))
        ready = dt.date(2026, 5, 11) + dt.timedelta(days=int(rng.integers(0, 14)))
        export = ready - dt.timedelta(days=age)
        rows.append({
            "parcel_id": f"MX{i + 1:05d}", "origin": hub,
            "destination": clusters[int(rng.choice(len(clusters), p=cluster_p))],
            "weight_kg": f"{weight:.2f}",
            "volume_m3": f"{weight / rng.uniform(90, 220):.4f}",
            "value_cny": f"{weight * rng.uniform(80, 400):.2f}",
            "trade_mode": modes[int(rng.choice(len(modes), p=mode_p))],
            "export_date": export.isoformat(), "export_port": port,
            "goods_class": classes[int(rng.choice(len(classes), p=class_p))],
            "ready_date": ready.isoformat(), "order_ref": f"ORD-{int(rng.integers(10**7, 10**8))}"})
    return rows


def ningbo(seed: int = 20250212) -> list[dict]:
    """The Ningbo case (2025-02-12): 9610 parcels exported from Hangzhou in January 2025,
    returned to Ningbo sellers; the buyers' hub and the parcel mix are assumptions."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(60):
        w = float(np.clip(rng.lognormal(0.6, 0.5), 0.2, 8))
        export = dt.date(2025, 1, 3) + dt.timedelta(days=int(rng.integers(0, 20)))
        rows.append({
            "parcel_id": f"NB{i + 1:03d}", "origin": "MOSCOW", "destination": "NINGBO_SELLERS",
            "weight_kg": f"{w:.2f}", "volume_m3": f"{w / rng.uniform(120, 200):.4f}",
            "value_cny": f"{w * rng.uniform(600, 1500):.2f}", "trade_mode": "9610",
            "export_date": export.isoformat(), "export_port": "HGH_AIRPORT",
            "goods_class": "general", "ready_date": "2025-02-05",
            "order_ref": f"NB-{int(rng.integers(10**6, 10**7))}"})
    return rows


def timeline(year: int, seed: int = 2024) -> list[dict]:
    """The same flows in ``year`` (2024, 2025, 2026): exports through Khorgos (Urumqi, a pilot
    district) and through Xi'an (not a pilot) returning to Zhejiang and Xi'an sellers; only the
    dates move, by whole years, so the three files differ in dates alone."""
    rng = np.random.default_rng(seed)
    flows = [("MOSCOW", "YIWU_SELLERS", "KHORGOS"), ("MOSCOW", "HANGZHOU_SELLERS", "KHORGOS"),
             ("ALMATY", "YIWU_SELLERS", "XIAN_CBEC"), ("ALMATY", "XIAN_SELLERS", "XIAN_CBEC"),
             ("MINSK", "ZHUJI", "XIAN_CBEC"), ("MOSCOW", "XIAN_SELLERS", "KHORGOS")]
    rows = []
    for i in range(240):
        origin, dest, port = flows[i % len(flows)]
        w = float(np.clip(rng.lognormal(2.8, 0.7), 1, 120))
        export = dt.date(year, 6, 1) + dt.timedelta(days=int(rng.integers(0, 60)))
        ready = dt.date(year, 9, 1) + dt.timedelta(days=int(rng.integers(0, 7)))
        rows.append({
            "parcel_id": f"TL{i + 1:04d}", "origin": origin, "destination": dest,
            "weight_kg": f"{w:.2f}", "volume_m3": f"{w / rng.uniform(110, 200):.4f}",
            "value_cny": f"{w * rng.uniform(100, 350):.2f}", "trade_mode": "9610",
            "export_date": export.isoformat(), "export_port": port,
            "goods_class": str(rng.choice(["general", "general", "fragile", "battery"])),
            "ready_date": ready.isoformat(), "order_ref": f"TL-{int(rng.integers(10**6, 10**7))}"})
    return rows


def main() -> None:
    """Write every bundled returns file."""
    _write(HERE / "returns" / "yiwu-moscow.csv", yiwu())
    _write(HERE / "returns" / "mixed-week.csv", mixed())
    _write(HERE / "returns" / "ningbo-air.csv", ningbo())
    for year in (2024, 2025, 2026):
        _write(HERE / "returns" / f"timeline-{year}.csv", timeline(year))


if __name__ == "__main__":
    main()
