"""Generate ``data/lanes.csv`` from ``data/ports.yaml`` and the rate assumptions below.

Why a script: every lane's cost, capacity and transit time follows from a handful of sourced figures
(shared/domain.md) and stated assumptions. Writing them down once, here, keeps the 600-odd rows of
lanes.csv consistent and lets a reviewer change one assumption and regenerate. The CSV stays the
interface: planners may edit it by hand or replace it; this script is not used at run time.

Departures: each lane has a ``schedule`` (when the service leaves its origin: ``daily``,
weekday names in week order such as ``Mon,Thu``, or ISO dates ``2026-04-09;2026-04-16``, the last
not used here) and ``cutoff_days`` (days before a departure the goods must be at the lane's origin).
``max_vehicles`` is the limit **per departure** (blank: unlimited); the per-departure figures below
were chosen to keep each lane's weekly capacity about what it was when the limit was per ISO week.
No departure frequencies were found in shared/domain.md or domain-audit.md (only "trains ~100 TEU",
domain.md §3), so every schedule and cut-off is an assumption, stated next to its constant and in
the lane's ``source``.

Run: ``python data/build_lanes.py`` (rewrites data/lanes.csv; deterministic).
"""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent

# ---- general assumptions -----------------------------------------------------------------------
USD_CNY = 7.2  # assumption: 2024-25 average exchange rate
# assumption: route length / great-circle distance, by mode
DETOUR = {"road": 1.25, "tir_road": 1.25, "rail": 1.30, "air": 1.05}

# ---- TIR road (domain.md §3, §4) ---------------------------------------------------------------
# Outbound China -> central Russia: US$10,000-12,500 per 20 t truck (2024, medium) -> mid US$11,250,
# for a door-to-door trip of the length of Yiwu -> Moscow via Khorgos. Returns ride the backhaul:
# assumption 40% below the outbound rate (trucks return largely empty).
TIR_TRUCK_USD = 11_250
TIR_BACKHAUL = 0.60
TIR_TRUCK_KG, TIR_TRUCK_M3 = 20_000, 85.0  # rate basis 20 t; 13.6 m tent trailer ~85 m3
TIR_DAYS_YIWU_MOSCOW = 11.5  # 10-13 days Yiwu-Moscow (domain.md §3)
# Full truck: assumption ~10-14 backhaul trucks a week we can book per lane (was 10 a week), any
# day: a daily service of 2 trucks a departure (14 a week). Cut-off 0: the truck leaves when loaded.
TIR_SCHEDULE = "daily"
TIR_CUTOFF_DAYS = 0
TIR_TRUCKS_PER_DEPARTURE = 2
# Space on a returning TIR truck, sold per kg ("returned on a TIR truck's backhaul", Yiwu case):
# the truck's backhaul price spread over an assumed 60% load factor. Assumption: 2 trucks' worth a
# week as before, on two consolidated departures, Mon and Thu, 1 truck's worth each; cut-off 1 day
# (goods must be at the consolidator's depot the day before to be built into the load).
GROUPAGE_LOAD_FACTOR = 0.60
TIR_GROUPAGE_SCHEDULE = "Mon,Thu"
TIR_GROUPAGE_CUTOFF_DAYS = 1
TIR_GROUPAGE_TRUCKS_PER_DEPARTURE = 1
CO2_ROAD = 94  # g/t-km, articulated HGV 85-103 (DEFRA)

# ---- rail (domain.md §3, §4) -------------------------------------------------------------------
# Outbound China -> Moscow 40' box US$6-7k (2023) -> US$6,500 for Yiwu-Moscow 10,150 km. Backhaul:
# ~150k surplus boxes in Russia (2023) -> assumption 50% below outbound. Moscow -> China rail time
# was not found; blogs say 25-35 days China-Russia (2023): we take 25 days for 10,150 km.
RAIL_FEU_USD = 6_500
RAIL_BACKHAUL = 0.50
RAIL_REF_KM = 10_150
RAIL_REF_DAYS = 25
RAIL_FEU_KG, RAIL_FEU_M3 = 26_500, 76.2  # 40' HC
# Assumption: one block train a week per origin hub (no timetable found), 4 FEU allotment a train
# (as the former 4 a week; trains ~100 TEU, domain.md §3), boxes loaded the day before: cut-off 1.
RAIL_FEU_PER_DEPARTURE = 4
RAIL_CUTOFF_DAYS = 1
# Weekday of the weekly train by origin hub. Assumption: Moscow Thu, the others spread over the
# week (fixed here, so the CSV is deterministic); a lane's train leaves on its origin's day.
RAIL_DEPARTURE_DAY = {
    "MINSK": "Mon", "VLADIVOSTOK": "Mon", "ST_PETERSBURG": "Tue", "WARSAW": "Wed",
    "MOSCOW": "Thu", "NOVOSIBIRSK": "Fri", "ALMATY": "Sat", "ULAANBAATAR": "Sun",
}
CO2_RAIL = 30  # g/t-km (DEFRA)

# ---- air (domain.md §4) ------------------------------------------------------------------------
# China -> Russia 2023 (low reliability, ex fuel): direct US$4.80-6.85/kg, via hubs 3.85-5.50.
# Backhaul into China: assumption 25% below. Fuel surcharge not modelled (air is if anything
# understated, so savings against air are conservative).
AIR_DIRECT_USD_KG = (4.80 + 6.85) / 2
AIR_VIA_HUB_USD_KG = (3.85 + 5.50) / 2
AIR_BACKHAUL = 0.75
AIR_ALLOTMENT_KG, AIR_ALLOTMENT_M3 = 5_000, 30.0  # assumption: per flight allotment (167 kg/m3)
# Assumption (as the former 7 and 3 flights a week): direct flights daily, via-hub connections
# Mon/Wed/Fri; 1 allotment a flight; cut-off 1 day (cargo accepted at the airport the day before).
AIR_SCHEDULE = {"direct": "daily", "via_hub": "Mon,Wed,Fri"}
AIR_ALLOTMENTS_PER_FLIGHT = 1
AIR_CUTOFF_DAYS = 1
AIR_DAYS = {"direct": 2, "via_hub": 4}  # assumption: flight + handling
AIR_RANGES = {"direct": "direct US$4.80-6.85", "via_hub": "via hubs US$3.85-5.50"}
CO2_AIR = 570  # g/t-km long-haul (DEFRA)

# ---- domestic road in China (domain.md §4) -----------------------------------------------------
# FTL index 0.235 CNY/t-km (2007, low, "assume higher today"): assumption +30% to today, on a
# 24 t / 85 m3 13.6 m trailer. Short hops (<= 400 km) use a 4.2 m light truck: assumption
# 300 CNY + 3.0 CNY/km, 3 t / 16 m3. LTL (per kg): assumption twice the FTL cost per kg-km plus
# 0.20 CNY/kg handling.
FTL_CNY_TKM = 0.235 * 1.30
FTL_KG, FTL_M3 = 24_000, 85.0
LIGHT_KG, LIGHT_M3 = 3_000, 16.0
LIGHT_FIXED_CNY, LIGHT_CNY_KM = 300.0, 3.0
LIGHT_MAX_KM = 400
LTL_HANDLING_CNY_KG = 0.20
CO2_LIGHT_TRUCK, CO2_LTL = 180, 120  # g/t-km, assumption (GLEC trucks 60-120; light trucks higher)
# Assumption: domestic trucks (FTL and light) are booked any day and leave when loaded (cut-off 0,
# no vehicle limit); LTL networks collect daily, the day's pick-up leaves that day (cut-off 0).
ROAD_SCHEDULE = "daily"
ROAD_CUTOFF_DAYS = 0

COLUMNS = [
    "lane_id", "origin", "destination", "via", "mode", "cost_per_kg_cny", "cost_per_vehicle_cny",
    "vehicle_capacity_kg", "vehicle_capacity_m3", "max_vehicles", "transit_days", "schedule",
    "cutoff_days", "distance_km", "co2e_g_per_tkm", "source",
]

# (origin, destination, via) by mode. TIR lanes get a full-truck and a groupage product.
TIR_LANES = [
    ("MOSCOW", "KHORGOS", None), ("MOSCOW", "YIWU_CUSTOMS", "KHORGOS"),
    ("MOSCOW", "URUMQI_CBEC", "KHORGOS"), ("MOSCOW", "HANGZHOU_CBEC", "KHORGOS"),
    ("MOSCOW", "NINGBO_CBEC", "KHORGOS"), ("MOSCOW", "ZHENGZHOU_CBEC", "KHORGOS"),
    ("MOSCOW", "ERENHOT", None), ("MOSCOW", "YIWU_CUSTOMS", "ERENHOT"),
    ("MOSCOW", "MANZHOULI", None), ("MOSCOW", "YIWU_CUSTOMS", "MANZHOULI"),
    ("ST_PETERSBURG", "KHORGOS", None), ("ST_PETERSBURG", "YIWU_CUSTOMS", "KHORGOS"),
    ("NOVOSIBIRSK", "ALASHANKOU", None), ("NOVOSIBIRSK", "URUMQI_CBEC", "ALASHANKOU"),
    ("NOVOSIBIRSK", "TACHENG", None),
    ("ALMATY", "KHORGOS", None), ("ALMATY", "ALASHANKOU", None), ("ALMATY", "TACHENG", None),
    ("ALMATY", "URUMQI_CBEC", "KHORGOS"), ("ALMATY", "YIWU_CUSTOMS", "KHORGOS"),
    ("ALMATY", "XIAN_CBEC", "KHORGOS"),
    ("TASHKENT", "IRKESHTAM", None), ("TASHKENT", "KASHGAR_CBEC", "IRKESHTAM"),
    ("BISHKEK", "TORUGART", None), ("BISHKEK", "IRKESHTAM", None),
    ("BISHKEK", "KASHGAR_CBEC", "TORUGART"),
    ("ULAANBAATAR", "ERENHOT", None), ("ULAANBAATAR", "YIWU_CUSTOMS", "ERENHOT"),
    ("ULAANBAATAR", "ZHENGZHOU_CBEC", "ERENHOT"),
    ("MINSK", "KHORGOS", None), ("MINSK", "YIWU_CUSTOMS", "KHORGOS"),
    ("WARSAW", "KHORGOS", None), ("WARSAW", "YIWU_CUSTOMS", "KHORGOS"),
    ("VLADIVOSTOK", "SUIFENHE", None),
]
RAIL_LANES = [
    ("MOSCOW", "MANZHOULI", None), ("MOSCOW", "YIWU_RAIL", "MANZHOULI"),
    ("MOSCOW", "ALASHANKOU", None), ("MOSCOW", "XIAN_RAIL", "ALASHANKOU"),
    ("MOSCOW", "ERENHOT", None), ("MOSCOW", "ZHENGZHOU_RAIL", "ERENHOT"),
    ("ST_PETERSBURG", "YIWU_RAIL", "MANZHOULI"),
    ("MINSK", "ALASHANKOU", None), ("MINSK", "XIAN_RAIL", "ALASHANKOU"),
    ("WARSAW", "ALASHANKOU", None), ("WARSAW", "ZHENGZHOU_RAIL", "ALASHANKOU"),
    ("WARSAW", "YIWU_RAIL", "ALASHANKOU"), ("WARSAW", "XIAN_RAIL", "KHORGOS"),
    ("NOVOSIBIRSK", "ALASHANKOU", None), ("NOVOSIBIRSK", "XIAN_RAIL", "ALASHANKOU"),
    ("ALMATY", "KHORGOS", None), ("ALMATY", "ALASHANKOU", None),
    ("ALMATY", "XIAN_RAIL", "KHORGOS"),
    ("ULAANBAATAR", "ERENHOT", None), ("ULAANBAATAR", "ZHENGZHOU_RAIL", "ERENHOT"),
    ("VLADIVOSTOK", "SUIFENHE", None),
]
AIR_LANES = [  # (origin, destination, service)
    ("MOSCOW", "PVG_AIRPORT", "direct"), ("MOSCOW", "HGH_AIRPORT", "direct"),
    ("MOSCOW", "URC_AIRPORT", "direct"), ("MOSCOW", "CGO_AIRPORT", "direct"),
    ("MOSCOW", "CAN_AIRPORT", "direct"), ("MOSCOW", "NGB_AIRPORT", "via_hub"),
    ("MOSCOW", "YIW_AIRPORT", "via_hub"), ("MOSCOW", "XIY_AIRPORT", "via_hub"),
    ("ST_PETERSBURG", "PVG_AIRPORT", "via_hub"), ("ST_PETERSBURG", "HGH_AIRPORT", "via_hub"),
    ("NOVOSIBIRSK", "URC_AIRPORT", "direct"), ("NOVOSIBIRSK", "PVG_AIRPORT", "via_hub"),
    ("ALMATY", "URC_AIRPORT", "direct"), ("ALMATY", "XIY_AIRPORT", "via_hub"),
    ("ALMATY", "PVG_AIRPORT", "via_hub"),
    ("TASHKENT", "URC_AIRPORT", "direct"), ("TASHKENT", "PVG_AIRPORT", "via_hub"),
    ("BISHKEK", "URC_AIRPORT", "direct"), ("BISHKEK", "PVG_AIRPORT", "via_hub"),
    ("ULAANBAATAR", "PVG_AIRPORT", "via_hub"),
    ("MINSK", "CGO_AIRPORT", "via_hub"), ("MINSK", "PVG_AIRPORT", "via_hub"),
    ("WARSAW", "CGO_AIRPORT", "via_hub"), ("WARSAW", "PVG_AIRPORT", "via_hub"),
]


def great_circle_km(a: dict, b: dict) -> float:
    """Haversine distance between two nodes with ``lat``/``lon`` (mean Earth radius 6,371 km)."""
    la1, lo1, la2, lo2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def route_km(nodes: dict, mode: str, origin: str, dest: str, via: str | None) -> float:
    """Distance along origin -> (via) -> destination, with the mode's detour factor."""
    stops = [origin, via, dest] if via else [origin, dest]
    gc = sum(great_circle_km(nodes[a], nodes[b]) for a, b in itertools.pairwise(stops))
    return gc * DETOUR[mode]


def departs(schedule: str, cutoff: int, limit: str) -> str:
    """The schedule clause appended to a lane's ``source``."""
    return f"; departs {schedule}, cut-off {cutoff} day{'' if cutoff == 1 else 's'}, {limit}"


def lane_row(**kw: object) -> dict:
    """One CSV row with numbers rounded the way they are published."""
    row = {c: kw.get(c, "") for c in COLUMNS}
    for col, nd in (("cost_per_kg_cny", 4), ("cost_per_vehicle_cny", 2), ("distance_km", 0),
                    ("vehicle_capacity_m3", 1)):
        if row[col] != "":
            row[col] = round(float(row[col]), nd)
    row["distance_km"] = int(row["distance_km"])
    return row


def build(nodes: dict) -> list[dict]:
    """All lanes: international (TIR, rail, air) and domestic road delivery from every port."""
    rows: list[dict] = []
    tir_ref_km = route_km(nodes, "tir_road", "MOSCOW", "YIWU_CUSTOMS", "KHORGOS")
    tir_cny_km = TIR_TRUCK_USD * USD_CNY * TIR_BACKHAUL / tir_ref_km
    tir_km_day = tir_ref_km / TIR_DAYS_YIWU_MOSCOW
    tir_src = (f"TIR backhaul: US$10-12.5k/20 t truck China->central Russia (2024, domain.md §4) "
               f"x{TIR_BACKHAUL} backhaul (assumption), prorated {tir_cny_km:.2f} CNY/km over "
               f"{tir_ref_km:.0f} km Yiwu-Moscow via Khorgos; 10-13 days (domain.md §3)")
    ftl_departs = departs(TIR_SCHEDULE, TIR_CUTOFF_DAYS,
                          f"{TIR_TRUCKS_PER_DEPARTURE} trucks a departure (assumption: ~10-14 "
                          "backhaul trucks a week we can book)")
    grp_departs = departs(TIR_GROUPAGE_SCHEDULE, TIR_GROUPAGE_CUTOFF_DAYS,
                          f"{TIR_GROUPAGE_TRUCKS_PER_DEPARTURE} truck's worth a departure "
                          "(assumption: 2 trucks' worth a week, consolidated the day before)")
    for o, d, via in TIR_LANES:
        km = route_km(nodes, "tir_road", o, d, via)
        truck = tir_cny_km * km
        days = math.ceil(km / tir_km_day)
        tag = f"{o}_{via}_{d}" if via else f"{o}_{d}"
        rows.append(lane_row(
            lane_id=f"TIR_FTL_{tag}", origin=o, destination=d, via=via or "", mode="tir_road",
            cost_per_kg_cny=0, cost_per_vehicle_cny=truck, vehicle_capacity_kg=TIR_TRUCK_KG,
            vehicle_capacity_m3=TIR_TRUCK_M3, max_vehicles=TIR_TRUCKS_PER_DEPARTURE,
            transit_days=days, schedule=TIR_SCHEDULE, cutoff_days=TIR_CUTOFF_DAYS, distance_km=km,
            co2e_g_per_tkm=CO2_ROAD, source=tir_src + "; full truck" + ftl_departs))
        rows.append(lane_row(
            lane_id=f"TIR_GRP_{tag}", origin=o, destination=d, via=via or "", mode="tir_road",
            cost_per_kg_cny=truck / (TIR_TRUCK_KG * GROUPAGE_LOAD_FACTOR), cost_per_vehicle_cny=0,
            vehicle_capacity_kg=TIR_TRUCK_KG, vehicle_capacity_m3=TIR_TRUCK_M3,
            max_vehicles=TIR_GROUPAGE_TRUCKS_PER_DEPARTURE, transit_days=days,
            schedule=TIR_GROUPAGE_SCHEDULE, cutoff_days=TIR_GROUPAGE_CUTOFF_DAYS, distance_km=km,
            co2e_g_per_tkm=CO2_ROAD,
            source=f"{tir_src}; space per kg at {GROUPAGE_LOAD_FACTOR:.0%} load factor "
                   f"(assumption){grp_departs}"))

    rail_cny_km = RAIL_FEU_USD * USD_CNY * RAIL_BACKHAUL / RAIL_REF_KM
    rail_km_day = RAIL_REF_KM / RAIL_REF_DAYS
    rail_src = (f"rail 40' HC US$6-7k China->Moscow (2023, domain.md §4) x{RAIL_BACKHAUL} backhaul "
                f"(assumption: surplus boxes), {rail_cny_km:.2f} CNY/km over 10,150 km; "
                f"Moscow->China time not found: {RAIL_REF_DAYS} days/10,150 km "
                "(low end of 25-35 days, 2023)")
    for o, d, via in RAIL_LANES:
        km = route_km(nodes, "rail", o, d, via)
        tag = f"{o}_{via}_{d}" if via else f"{o}_{d}"
        rows.append(lane_row(
            lane_id=f"RAIL_FEU_{tag}", origin=o, destination=d, via=via or "", mode="rail",
            cost_per_kg_cny=0, cost_per_vehicle_cny=rail_cny_km * km,
            vehicle_capacity_kg=RAIL_FEU_KG, vehicle_capacity_m3=RAIL_FEU_M3,
            max_vehicles=RAIL_FEU_PER_DEPARTURE, transit_days=math.ceil(km / rail_km_day),
            schedule=RAIL_DEPARTURE_DAY[o], cutoff_days=RAIL_CUTOFF_DAYS, distance_km=km,
            co2e_g_per_tkm=CO2_RAIL,
            source=(f"{rail_src}; weekly block train {RAIL_DEPARTURE_DAY[o]}, cut-off "
                    f"{RAIL_CUTOFF_DAYS} day, {RAIL_FEU_PER_DEPARTURE} FEU allotment a train "
                    "(assumption; trains ~100 TEU, domain.md §3)")))

    for o, d, service in AIR_LANES:
        km = route_km(nodes, "air", o, d, None)
        usd = AIR_DIRECT_USD_KG if service == "direct" else AIR_VIA_HUB_USD_KG
        rows.append(lane_row(
            lane_id=f"AIR_{o}_{d}", origin=o, destination=d, via="", mode="air",
            cost_per_kg_cny=usd * USD_CNY * AIR_BACKHAUL, cost_per_vehicle_cny=0,
            vehicle_capacity_kg=AIR_ALLOTMENT_KG, vehicle_capacity_m3=AIR_ALLOTMENT_M3,
            max_vehicles=AIR_ALLOTMENTS_PER_FLIGHT, transit_days=AIR_DAYS[service],
            schedule=AIR_SCHEDULE[service], cutoff_days=AIR_CUTOFF_DAYS, distance_km=km,
            co2e_g_per_tkm=CO2_AIR,
            source=(f"air China->Russia 2023 {AIR_RANGES[service]}"
                    f"/kg ex fuel (domain.md §4, low) x{AIR_BACKHAUL} backhaul (assumption); "
                    f"{AIR_ALLOTMENT_KG} kg allotment/flight (assumption)"
                    + departs(AIR_SCHEDULE[service], AIR_CUTOFF_DAYS,
                              f"{AIR_ALLOTMENTS_PER_FLIGHT} allotment a flight (assumption)"))))

    ports = sorted({r["destination"] for r in rows})
    clusters = sorted(n for n, v in nodes.items() if v["kind"] == "seller_cluster")
    ftl_cny_km = FTL_CNY_TKM * (FTL_KG / 1000)
    road_departs = departs(ROAD_SCHEDULE, ROAD_CUTOFF_DAYS, "no vehicle limit (assumption)")
    for p in ports:
        for c in clusters:
            km = max(route_km(nodes, "road", p, c, None), 10.0)
            if km <= LIGHT_MAX_KM:
                truck = LIGHT_FIXED_CNY + LIGHT_CNY_KM * km
                cap_kg, cap_m3, co2 = LIGHT_KG, LIGHT_M3, CO2_LIGHT_TRUCK
                kind = (f"4.2 m light truck {LIGHT_FIXED_CNY:.0f} CNY + {LIGHT_CNY_KM} CNY/km "
                        "(assumption)")
            else:
                truck, cap_kg, cap_m3, co2 = ftl_cny_km * km, FTL_KG, FTL_M3, CO2_ROAD
                kind = ("13.6 m trailer at 0.235 CNY/t-km (2007 index, domain.md §4) x1.30 "
                        "(assumption)")
            rows.append(lane_row(
                lane_id=f"ROAD_TRK_{p}_{c}", origin=p, destination=c, via="", mode="road",
                cost_per_kg_cny=0, cost_per_vehicle_cny=truck, vehicle_capacity_kg=cap_kg,
                vehicle_capacity_m3=cap_m3, max_vehicles="",
                transit_days=max(1, math.ceil(km / 700)), schedule=ROAD_SCHEDULE,
                cutoff_days=ROAD_CUTOFF_DAYS, distance_km=km, co2e_g_per_tkm=co2,
                source=f"domestic delivery: {kind}; 700 km/day{road_departs}"))
            rows.append(lane_row(
                lane_id=f"ROAD_LTL_{p}_{c}", origin=p, destination=c, via="", mode="road",
                cost_per_kg_cny=2 * FTL_CNY_TKM / 1000 * km + LTL_HANDLING_CNY_KG,
                cost_per_vehicle_cny=0, vehicle_capacity_kg=FTL_KG, vehicle_capacity_m3=FTL_M3,
                max_vehicles="", transit_days=1 + math.ceil(km / 500), schedule=ROAD_SCHEDULE,
                cutoff_days=ROAD_CUTOFF_DAYS, distance_km=km, co2e_g_per_tkm=CO2_LTL,
                source="domestic LTL: 2x FTL cost per kg-km + 0.20 CNY/kg handling, "
                       f"500 km/day + 1 day (assumption){road_departs}"))
    return rows


def main() -> None:
    """Rewrite data/lanes.csv from data/ports.yaml."""
    ports = yaml.safe_load((HERE / "ports.yaml").read_text(encoding="utf-8"))
    nodes = {n["id"]: n for n in ports["nodes"]}
    rows = build(nodes)
    with (HERE / "lanes.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} lanes to {HERE / 'lanes.csv'}")


if __name__ == "__main__":
    main()
