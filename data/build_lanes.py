"""Generate ``data/lanes.csv`` from ``data/ports.yaml`` and the service assumptions below.

Why a script: every lane's capacity, schedule and transit time follows from a handful of sourced
figures (shared/domain.md) and stated assumptions. Writing them down once, here, keeps the 600-odd
rows of lanes.csv consistent and lets a reviewer change one assumption and regenerate. The CSV stays
the interface: planners may edit it by hand or replace it; this script is not used at run time.

Prices: every bundled lane is priced by the rate card ``data/rates.csv`` (written by
``data/build_rates.py`` from this file's lanes, issue 13: freight bought the way forwarders sell
it: breaks, minimums, fees, surcharges, currencies). Its two CNY cost columns are therefore 0 here;
a lane added by hand may still carry a CNY price per kg or per vehicle instead of rate lines.

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
# assumption: route length / great-circle distance, by mode
DETOUR = {"road": 1.25, "tir_road": 1.25, "rail": 1.30, "air": 1.05}
#: what every lane's ``source`` says about its price
PRICED = "price: data/rates.csv (rate card, data/build_rates.py)"

# ---- TIR road (domain.md §3) -------------------------------------------------------------------
TIR_TRUCK_KG, TIR_TRUCK_M3 = 20_000, 85.0  # rate basis 20 t (domain.md §4); 13.6 m tent ~85 m3
TIR_DAYS_YIWU_MOSCOW = 11.5  # 10-13 days Yiwu-Moscow (domain.md §3)
# Full truck: assumption ~10-14 backhaul trucks a week we can book per lane (was 10 a week), any
# day: a daily service of 2 trucks a departure (14 a week). Cut-off 0: the truck leaves when loaded.
TIR_SCHEDULE = "daily"
TIR_CUTOFF_DAYS = 0
TIR_TRUCKS_PER_DEPARTURE = 2
# Space on a returning TIR truck, sold per kg by a groupage consolidator ("returned on a TIR truck's
# backhaul", Yiwu case). Assumption: 2 trucks' worth a week, on two consolidated departures, Mon and
# Thu, 1 truck's worth each; cut-off 1 day (goods must be at the consolidator's depot the day
# before to be built into the load).
TIR_GROUPAGE_SCHEDULE = "Mon,Thu"
TIR_GROUPAGE_CUTOFF_DAYS = 1
TIR_GROUPAGE_TRUCKS_PER_DEPARTURE = 1
CO2_ROAD = 94  # g/t-km, articulated HGV 85-103 (DEFRA)

# ---- rail (domain.md §3) -----------------------------------------------------------------------
# Moscow -> China rail time was not found; blogs say 25-35 days China-Russia (2023): we take 25
# days for the 10,150 km of Yiwu-Moscow.
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
# Rail groupage (LCL, sold per revenue tonne W/M by a consolidator who stuffs its own boxes on the
# same weekly block train). Assumption: offered on the long-haul corridors from the big European and
# Russian hubs only (the regional lanes from Novosibirsk, Almaty, Ulaanbaatar and Vladivostok have
# no LCL service); one box's worth of space a train; goods at the consolidator's CFS 2 days before
# the train (stuffing), and 1 day more than the box in transit (destuffing at the destination CFS).
RAIL_LCL_ORIGINS = ("MOSCOW", "ST_PETERSBURG", "MINSK", "WARSAW")
RAIL_LCL_BOXES_PER_DEPARTURE = 1
RAIL_LCL_CUTOFF_DAYS = 2
RAIL_LCL_EXTRA_DAYS = 1
CO2_RAIL = 30  # g/t-km (DEFRA)

# ---- air ---------------------------------------------------------------------------------------
AIR_ALLOTMENT_KG, AIR_ALLOTMENT_M3 = 5_000, 30.0  # assumption: per flight allotment (167 kg/m3)
# Assumption (as the former 7 and 3 flights a week): direct flights daily, via-hub connections
# Mon/Wed/Fri; 1 allotment a flight; cut-off 1 day (cargo accepted at the airport the day before).
AIR_SCHEDULE = {"direct": "daily", "via_hub": "Mon,Wed,Fri"}
AIR_ALLOTMENTS_PER_FLIGHT = 1
AIR_CUTOFF_DAYS = 1
AIR_DAYS = {"direct": 2, "via_hub": 4}  # assumption: flight + handling
CO2_AIR = 570  # g/t-km long-haul (DEFRA)

# ---- domestic road in China --------------------------------------------------------------------
# Full truck: a 13.6 m trailer (24 t / 85 m3); short hops (<= 400 km) use a 4.2 m light truck
# (3 t / 16 m3). LTL networks take any weight (capacity: one trailer's worth a day).
FTL_KG, FTL_M3 = 24_000, 85.0
LIGHT_KG, LIGHT_M3 = 3_000, 16.0
LIGHT_MAX_KM = 400
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
    """One CSV row with numbers rounded the way they are published; no CNY price (the rate card
    prices every bundled lane)."""
    row = {c: kw.get(c, "") for c in COLUMNS}
    row["cost_per_kg_cny"], row["cost_per_vehicle_cny"] = 0.0, 0.0
    row["distance_km"] = round(float(row["distance_km"]))
    row["vehicle_capacity_m3"] = round(float(row["vehicle_capacity_m3"]), 1)
    return row


def tag_of(origin: str, dest: str, via: str | None) -> str:
    """The lane id suffix: ``ORIGIN_DEST`` or ``ORIGIN_VIA_DEST``."""
    return f"{origin}_{via}_{dest}" if via else f"{origin}_{dest}"


def tir_rows(nodes: dict) -> list[dict]:
    """A full-truck and a groupage lane for every TIR (origin, destination, via)."""
    ref_km = route_km(nodes, "tir_road", "MOSCOW", "YIWU_CUSTOMS", "KHORGOS")
    km_day = ref_km / TIR_DAYS_YIWU_MOSCOW
    src = (f"TIR backhaul, 20 t / 85 m3 tent trailer; 10-13 days Yiwu-Moscow (domain.md §3): "
           f"{km_day:.0f} km/day; {PRICED}")
    ftl_departs = departs(TIR_SCHEDULE, TIR_CUTOFF_DAYS,
                          f"{TIR_TRUCKS_PER_DEPARTURE} trucks a departure (assumption: ~10-14 "
                          "backhaul trucks a week we can book)")
    grp_departs = departs(TIR_GROUPAGE_SCHEDULE, TIR_GROUPAGE_CUTOFF_DAYS,
                          f"{TIR_GROUPAGE_TRUCKS_PER_DEPARTURE} truck's worth a departure "
                          "(assumption: 2 trucks' worth a week, consolidated the day before)")
    rows: list[dict] = []
    for o, d, via in TIR_LANES:
        km = route_km(nodes, "tir_road", o, d, via)
        common = {"origin": o, "destination": d, "via": via or "", "mode": "tir_road",
                  "vehicle_capacity_kg": TIR_TRUCK_KG, "vehicle_capacity_m3": TIR_TRUCK_M3,
                  "transit_days": math.ceil(km / km_day), "distance_km": km,
                  "co2e_g_per_tkm": CO2_ROAD}
        rows.append(lane_row(
            lane_id=f"TIR_FTL_{tag_of(o, d, via)}", max_vehicles=TIR_TRUCKS_PER_DEPARTURE,
            schedule=TIR_SCHEDULE, cutoff_days=TIR_CUTOFF_DAYS,
            source=f"{src}; full truck{ftl_departs}", **common))
        rows.append(lane_row(
            lane_id=f"TIR_GRP_{tag_of(o, d, via)}",
            max_vehicles=TIR_GROUPAGE_TRUCKS_PER_DEPARTURE, schedule=TIR_GROUPAGE_SCHEDULE,
            cutoff_days=TIR_GROUPAGE_CUTOFF_DAYS,
            source=f"{src}; groupage space sold per kg by a consolidator{grp_departs}",
            **common))
    return rows


def rail_rows(nodes: dict) -> list[dict]:
    """A 40' box lane for every rail (origin, destination, via), and a groupage (LCL) lane on the
    same train from the LCL origins."""
    km_day = RAIL_REF_KM / RAIL_REF_DAYS
    src = (f"rail 40' HC 26.5 t / 76.2 m3; Moscow->China time not found: {RAIL_REF_DAYS} days"
           f"/10,150 km (low end of 25-35 days, 2023; domain.md §3); {PRICED}")
    rows: list[dict] = []
    for o, d, via in RAIL_LANES:
        km = route_km(nodes, "rail", o, d, via)
        days = math.ceil(km / km_day)
        common = {"origin": o, "destination": d, "via": via or "", "mode": "rail",
                  "vehicle_capacity_kg": RAIL_FEU_KG, "vehicle_capacity_m3": RAIL_FEU_M3,
                  "schedule": RAIL_DEPARTURE_DAY[o], "distance_km": km,
                  "co2e_g_per_tkm": CO2_RAIL}
        rows.append(lane_row(
            lane_id=f"RAIL_FEU_{tag_of(o, d, via)}", max_vehicles=RAIL_FEU_PER_DEPARTURE,
            transit_days=days, cutoff_days=RAIL_CUTOFF_DAYS,
            source=(f"{src}; weekly block train {RAIL_DEPARTURE_DAY[o]}, cut-off "
                    f"{RAIL_CUTOFF_DAYS} day, {RAIL_FEU_PER_DEPARTURE} FEU allotment a train "
                    "(assumption; trains ~100 TEU, domain.md §3)"), **common))
        if o in RAIL_LCL_ORIGINS:
            rows.append(lane_row(
                lane_id=f"RAIL_LCL_{tag_of(o, d, via)}",
                max_vehicles=RAIL_LCL_BOXES_PER_DEPARTURE,
                transit_days=days + RAIL_LCL_EXTRA_DAYS, cutoff_days=RAIL_LCL_CUTOFF_DAYS,
                source=(f"{src}; groupage (LCL) space sold per W/M on the weekly block train "
                        f"{RAIL_DEPARTURE_DAY[o]}, {RAIL_LCL_BOXES_PER_DEPARTURE} box's worth a "
                        f"train, cut-off {RAIL_LCL_CUTOFF_DAYS} days (CFS stuffing), "
                        f"+{RAIL_LCL_EXTRA_DAYS} day destuffing (assumption)"), **common))
    return rows


def air_rows(nodes: dict) -> list[dict]:
    """An airline allotment lane for every (origin, airport, service)."""
    rows: list[dict] = []
    for o, d, service in AIR_LANES:
        rows.append(lane_row(
            lane_id=f"AIR_{o}_{d}", origin=o, destination=d, via="", mode="air",
            vehicle_capacity_kg=AIR_ALLOTMENT_KG, vehicle_capacity_m3=AIR_ALLOTMENT_M3,
            max_vehicles=AIR_ALLOTMENTS_PER_FLIGHT, transit_days=AIR_DAYS[service],
            schedule=AIR_SCHEDULE[service], cutoff_days=AIR_CUTOFF_DAYS,
            distance_km=route_km(nodes, "air", o, d, None), co2e_g_per_tkm=CO2_AIR,
            source=(f"air cargo {service.replace('_', ' ')} into China; {AIR_ALLOTMENT_KG} kg "
                    f"allotment/flight (assumption); {PRICED}"
                    + departs(AIR_SCHEDULE[service], AIR_CUTOFF_DAYS,
                              f"{AIR_ALLOTMENTS_PER_FLIGHT} allotment a flight (assumption)"))))
    return rows


def road_rows(nodes: dict, ports: list[str]) -> list[dict]:
    """Domestic delivery from every port to every seller cluster: a truck and an LTL lane."""
    clusters = sorted(n for n, v in nodes.items() if v["kind"] == "seller_cluster")
    road_departs = departs(ROAD_SCHEDULE, ROAD_CUTOFF_DAYS, "no vehicle limit (assumption)")
    rows: list[dict] = []
    for p in ports:
        for c in clusters:
            km = max(route_km(nodes, "road", p, c, None), 10.0)
            if km <= LIGHT_MAX_KM:
                cap_kg, cap_m3, co2, kind = LIGHT_KG, LIGHT_M3, CO2_LIGHT_TRUCK, "4.2 m light truck"
            else:
                cap_kg, cap_m3, co2, kind = FTL_KG, FTL_M3, CO2_ROAD, "13.6 m trailer"
            common = {"origin": p, "destination": c, "via": "", "mode": "road",
                      "max_vehicles": "", "schedule": ROAD_SCHEDULE,
                      "cutoff_days": ROAD_CUTOFF_DAYS, "distance_km": km}
            rows.append(lane_row(
                lane_id=f"ROAD_TRK_{p}_{c}", vehicle_capacity_kg=cap_kg,
                vehicle_capacity_m3=cap_m3, transit_days=max(1, math.ceil(km / 700)),
                co2e_g_per_tkm=co2,
                source=f"domestic delivery: {kind}; 700 km/day; {PRICED}{road_departs}",
                **common))
            rows.append(lane_row(
                lane_id=f"ROAD_LTL_{p}_{c}", vehicle_capacity_kg=FTL_KG,
                vehicle_capacity_m3=FTL_M3, transit_days=1 + math.ceil(km / 500),
                co2e_g_per_tkm=CO2_LTL,
                source=(f"domestic LTL: 500 km/day + 1 day (assumption); {PRICED}"
                        f"{road_departs}"), **common))
    return rows


def build(nodes: dict) -> list[dict]:
    """All lanes: international (TIR, rail, air) and domestic road delivery from every port."""
    rows = tir_rows(nodes) + rail_rows(nodes) + air_rows(nodes)
    ports = sorted({r["destination"] for r in rows})
    return rows + road_rows(nodes, ports)


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
