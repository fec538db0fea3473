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

Issue 14 adds the sea network (LCL and 40' HC box services from port-city hubs to seven Chinese
seaports), air from the new hubs (every air lane now says its ``aircraft`` and ``dg_accepted``),
South-East Asia land crossings (China-Laos railway and road into Mohan, Hanoi into Pingxiang) and
bonded transit (``bonded_road``: a truck under customs seal from the node where goods enter China to
an inland clearance site, before clearance). Every lane's ``source`` says what it rests on.

CO2e: every factor is DESNZ/DEFRA 2025 (category "Freighting goods" plus "WTT- delivery vehs &
freight", mirrored in github scope3emissiontest-oss/JulesProject defra_factors_2025_v2), taken
**well-to-wheel (WTT + direct), no radiative forcing, ISO 14083 style** (the ``WTW`` text below,
repeated in each lane's ``source``; domain-audit F12-F15).

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
DETOUR = {"road": 1.25, "tir_road": 1.25, "rail": 1.30, "air": 1.05, "bonded_road": 1.25,
          "sea": 1.00}

# ---- CO2e, g per tonne-km: DESNZ/DEFRA 2025, well-to-wheel (direct + WTT), no RF ---------------
WTW = "well-to-wheel (WTT + direct), no radiative forcing, ISO 14083 style"
DEFRA = "DEFRA 2025 (github scope3emissiontest-oss/JulesProject defra_factors_2025_v2)"
#: (direct, WTT) kg CO2e per t-km, "Average laden" where DEFRA splits by load
DEFRA_2025 = {
    "artic": (0.07703, 0.01799, "HGV articulated >33 t average laden"),
    "all_hgv": (0.10163, 0.02359, "all HGVs average laden"),
    "rigid_3_5_7_5": (0.52761, 0.12296, "HGV rigid >3.5-7.5 t average laden"),
    "rail": (0.02779, 0.00691, "freight train"),
    "air": (0.5313, 0.13516, "freight flight international, without RF"),
    "ship_8000": (0.01266, 0.00287, "container ship 8000+ TEU"),
    "ship_2000": (0.02025, 0.00459, "container ship 2000-2999 TEU"),
    "ship_1000": (0.0325, 0.00737, "container ship 1000-1999 TEU"),
}


def co2(kind: str) -> tuple[float, str]:
    """The WTW factor in g/t-km (one decimal) and the text a lane's ``source`` carries."""
    direct, wtt, what = DEFRA_2025[kind]
    g = round((direct + wtt) * 1000, 1)
    return g, (f"CO2e {g:g} g/t-km = {direct * 1000:.2f} direct + {wtt * 1000:.2f} WTT, {what}, "
               f"{DEFRA}, {WTW}")


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
CO2_ROAD = "artic"  # 95.0 g/t-km WTW (was 94, "DEFRA 85-103"; domain-audit F12)

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
CO2_RAIL = "rail"  # 34.7 g/t-km WTW (was 30: 27.8 direct only; domain-audit F13)

# ---- air ---------------------------------------------------------------------------------------
AIR_ALLOTMENT_KG, AIR_ALLOTMENT_M3 = 5_000, 30.0  # assumption: per flight allotment (167 kg/m3)
# Assumption (as the former 7 and 3 flights a week): direct flights daily, via-hub connections
# Mon/Wed/Fri; 1 allotment a flight; cut-off 1 day (cargo accepted at the airport the day before).
AIR_SCHEDULE = {"direct": "daily", "via_hub": "Mon,Wed,Fri"}
AIR_ALLOTMENTS_PER_FLIGHT = 1
AIR_CUTOFF_DAYS = 1
AIR_DAYS = {"direct": 2, "via_hub": 4}  # assumption: flight + handling
CO2_AIR = "air"  # 666.5 g/t-km WTW without RF (was 570, the 2007 DEFRA value; domain-audit F14)

# ---- domestic road in China --------------------------------------------------------------------
# Full truck: a 13.6 m trailer (24 t / 85 m3); short hops (<= 400 km) use a 4.2 m light truck
# (3 t / 16 m3). LTL networks take any weight (capacity: one trailer's worth a day).
FTL_KG, FTL_M3 = 24_000, 85.0
LIGHT_KG, LIGHT_M3 = 3_000, 16.0
LIGHT_MAX_KM = 400
# 4.2 m light truck (3 t payload): DEFRA's rigid 3.5-7.5 t, 650.6 g/t-km WTW; LTL networks run mixed
# trucks: DEFRA's all-HGV average, 125.2 g (were 180 and 120, assumptions; domain-audit F15)
CO2_LIGHT_TRUCK, CO2_LTL = "rigid_3_5_7_5", "all_hgv"
# Assumption: domestic trucks (FTL and light) are booked any day and leave when loaded (cut-off 0,
# no vehicle limit); LTL networks collect daily, the day's pick-up leaves that day (cut-off 0).
ROAD_SCHEDULE = "daily"
ROAD_CUTOFF_DAYS = 0

COLUMNS = [
    "lane_id", "origin", "destination", "via", "mode", "cost_per_kg_cny", "cost_per_vehicle_cny",
    "vehicle_capacity_kg", "vehicle_capacity_m3", "max_vehicles", "transit_days", "schedule",
    "cutoff_days", "distance_km", "co2e_g_per_tkm", "source", "aircraft", "dg_accepted",
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
    # issue 14: the new hubs (a road feeder to the hub's cargo airport is inside price and days)
    ("LOS_ANGELES", "PVG_AIRPORT", "direct"), ("LOS_ANGELES", "CAN_AIRPORT", "direct"),
    ("LOS_ANGELES", "HGH_AIRPORT", "via_hub"),
    ("NEW_YORK", "PVG_AIRPORT", "direct"), ("NEW_YORK", "CAN_AIRPORT", "via_hub"),
    ("NEW_YORK", "HGH_AIRPORT", "via_hub"),
    ("ROTTERDAM", "PVG_AIRPORT", "direct"), ("ROTTERDAM", "CAN_AIRPORT", "via_hub"),
    ("ROTTERDAM", "HGH_AIRPORT", "via_hub"),
    ("HAMBURG", "PVG_AIRPORT", "direct"), ("HAMBURG", "CAN_AIRPORT", "via_hub"),
    ("HAMBURG", "HGH_AIRPORT", "via_hub"),
    ("FELIXSTOWE", "PVG_AIRPORT", "direct"), ("FELIXSTOWE", "CAN_AIRPORT", "via_hub"),
    ("JEBEL_ALI", "PVG_AIRPORT", "direct"), ("JEBEL_ALI", "CAN_AIRPORT", "direct"),
    ("JEBEL_ALI", "HGH_AIRPORT", "via_hub"),
    ("SINGAPORE", "PVG_AIRPORT", "direct"), ("SINGAPORE", "CAN_AIRPORT", "direct"),
    ("SINGAPORE", "SZX_AIRPORT", "direct"), ("SINGAPORE", "HGH_AIRPORT", "direct"),
    ("BANGKOK", "PVG_AIRPORT", "direct"), ("BANGKOK", "CAN_AIRPORT", "direct"),
    ("BANGKOK", "SZX_AIRPORT", "direct"), ("BANGKOK", "KMG_AIRPORT", "direct"),
    ("BUSAN", "PVG_AIRPORT", "direct"), ("BUSAN", "HGH_AIRPORT", "direct"),
    ("BUSAN", "CAN_AIRPORT", "direct"),
    ("VIENTIANE", "KMG_AIRPORT", "direct"),
    ("HANOI", "CAN_AIRPORT", "direct"), ("HANOI", "KMG_AIRPORT", "direct"),
]
# What flies each air lane (contract of issue 14: ``aircraft``, ``dg_accepted``). A lane flown by a
# scheduled freighter found in a source is ``cargo`` and accepts declared dangerous goods
# (assumption: freighter operators take Class 9 lithium batteries and Class 3 under IATA DGR; no
# operator's DG policy was read). Every other lane is belly hold of passenger flights
# (``passenger``) and is taken NOT to accept DG (assumption, the cautious reading: forwarders'
# consolidated belly bookings, and on via-hub lanes a transfer at the hub).
AIR_FREIGHTERS: dict[tuple[str, str], str] = {
    ("MOSCOW", "PVG_AIRPORT"): "Air China Cargo B777F Shanghai-Sheremetyevo, 3 a week from April "
                               "2023 (abnews.ru 2023-04-13)",
    ("MOSCOW", "CGO_AIRPORT"): "Volga-Dnepr scheduled freighters Zhengzhou-Moscow since 2022 "
                               "(seanews.ru 2025-05-21)",
    ("MOSCOW", "CAN_AIRPORT"): "Volga-Dnepr scheduled freighters Guangzhou-Moscow since 2022 "
                               "(seanews.ru 2025-05-21)",
    ("MOSCOW", "URC_AIRPORT"): "Volga-Dnepr IL-76 scheduled freighter Urumqi-Moscow from "
                               "2025-05-19, charters before (seanews.ru 2025-05-21)",
    ("LOS_ANGELES", "PVG_AIRPORT"): "China Cargo Airlines B777F Shanghai-Los Angeles rotation "
                                    "(aircargoworld.com 2019-11-21)",
    ("NEW_YORK", "PVG_AIRPORT"): "Air China Cargo freighters Shanghai-New York "
                                 "(aviationreportglobal.com 2011-05-10; old source)",
    ("HAMBURG", "PVG_AIRPORT"): "China Cargo Airlines B777F Frankfurt-Shanghai, 2 a week "
                                "(mylogistics.net 2018-03-22); road feeder Hamburg-Frankfurt "
                                "(assumption)",
    ("ROTTERDAM", "PVG_AIRPORT"): "China Cargo Airlines B777F Frankfurt-Shanghai (mylogistics.net "
                                  "2018-03-22); road feeder Rotterdam-Frankfurt (assumption)",
}

# ---- sea (issue 14) ------------------------------------------------------------------------------
# Two services per (hub, Chinese seaport): a 40' HC box (FCL, priced per box) and LCL space (priced
# per W/M by a consolidator who stuffs its own boxes on the same sailing). Box: 26,500 kg / 67 m3
# usable (contract of issue 14; domain.md §3 gives 76.2 m3 internal: ~88% stowable, assumption).
SEA_BOX_KG, SEA_BOX_M3 = 26_500, 67.0
# Assumption: 10 boxes a sailing (backhaul ships to China sail far from full: carriers load empties
# out of the Middle East at their own cost, upply.com 2019; no allotment figure found).
SEA_FCL_BOXES_PER_SAILING = 10
# LCL: one box's worth a sailing (as rail LCL); goods at the consolidator's CFS 4 days before the
# sailing (assumption, inside the "3-7 days lost at the origin CFS" of viniacargo.com), and 2 days
# more than the box for destuffing at the destination CFS (assumption).
SEA_LCL_BOXES_PER_SAILING = 1
SEA_FCL_CUTOFF_DAYS = 2  # gate-in at the terminal 2 days before the sailing (assumption)
SEA_LCL_CUTOFF_DAYS = 4
SEA_LCL_EXTRA_DAYS = 2
# Transit: distance at 14 knots (the average container ship service speed: Shanghai-Los Angeles 17
# days, Shanghai-New York via Panama 32 days at 14 kn, casualnavigation.com) plus 2 days of port
# time (assumption). Checks: Los Angeles-Shanghai 20 days here against 14-18 days of sailing on
# standard services (en.56ok.com) and 17 days at 14 kn (casualnavigation.com); Rotterdam-Shanghai 44
# days here, 45-48 days port to port round the Cape in Q2 2025 (geesecargo.com).
SEA_KNOTS = 14.0
SEA_PORT_DAYS = 2
NM_KM = 1.852
# Weekly sailings (no schedule read): each hub's services leave on a weekday, the loops to its
# different Chinese ports on successive days (assumption, fixed so the CSV is deterministic).
SEA_SAILING_DAY = {"LOS_ANGELES": 0, "NEW_YORK": 1, "ROTTERDAM": 2, "HAMBURG": 3, "FELIXSTOWE": 4,
                   "JEBEL_ALI": 5, "SINGAPORE": 6, "BANGKOK": 0, "BUSAN": 1}
WEEK = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Ship size on the trade (DEFRA 2025 classes): East-West deep-sea loops 8000+ TEU; Singapore and
# Laem Chabang to China 2000-2999 TEU; Busan-China short sea 1000-1999 TEU (assumption by trade).
SEA_SHIP = {"LOS_ANGELES": "ship_8000", "NEW_YORK": "ship_8000", "ROTTERDAM": "ship_8000",
            "HAMBURG": "ship_8000", "FELIXSTOWE": "ship_8000", "JEBEL_ALI": "ship_8000",
            "SINGAPORE": "ship_2000", "BANGKOK": "ship_2000", "BUSAN": "ship_1000"}
# Which Chinese seaports each hub's weekly services call (at least Shanghai, Ningbo and Yantian; the
# others where a direct weekly service is plausible: assumption, no schedule read). Asia-North
# Europe loops from Shanghai, Ningbo, Yantian, Qingdao, Tianjin, Xiamen and Nansha; transpacific
# loops call Qingdao, Xiamen, Nansha; Far East-Middle East loops Qingdao, Shanghai, Ningbo,
# Shekou/Nansha (scm-en.ecer.com: ONE/TS Lines SMX and CME services, 2025).
SEA_LANES: dict[str, tuple[str, ...]] = {
    "LOS_ANGELES": ("SHANGHAI_PORT", "NINGBO_PORT", "SHENZHEN_PORT", "QINGDAO_PORT", "XIAMEN_PORT",
                    "NANSHA_PORT"),
    "NEW_YORK": ("SHANGHAI_PORT", "NINGBO_PORT", "SHENZHEN_PORT", "QINGDAO_PORT", "XIAMEN_PORT"),
    "ROTTERDAM": ("SHANGHAI_PORT", "NINGBO_PORT", "SHENZHEN_PORT", "QINGDAO_PORT", "TIANJIN_PORT",
                  "XIAMEN_PORT", "NANSHA_PORT"),
    "HAMBURG": ("SHANGHAI_PORT", "NINGBO_PORT", "SHENZHEN_PORT", "QINGDAO_PORT", "TIANJIN_PORT"),
    "FELIXSTOWE": ("SHANGHAI_PORT", "NINGBO_PORT", "SHENZHEN_PORT", "XIAMEN_PORT"),
    "JEBEL_ALI": ("SHANGHAI_PORT", "NINGBO_PORT", "SHENZHEN_PORT", "QINGDAO_PORT", "NANSHA_PORT"),
    "SINGAPORE": ("SHANGHAI_PORT", "NINGBO_PORT", "SHENZHEN_PORT", "QINGDAO_PORT", "TIANJIN_PORT",
                  "XIAMEN_PORT", "NANSHA_PORT"),
    "BANGKOK": ("SHANGHAI_PORT", "NINGBO_PORT", "SHENZHEN_PORT", "XIAMEN_PORT", "NANSHA_PORT"),
    "BUSAN": ("SHANGHAI_PORT", "NINGBO_PORT", "SHENZHEN_PORT", "QINGDAO_PORT", "TIANJIN_PORT"),
}
# Sea distance: great circles through the waypoints below (straits, capes, headlands; general
# knowledge of the sea lanes, coordinates approximate), DETOUR["sea"] 1.00: the waypoints already
# make the route; checked against Shanghai-Los Angeles 5,712 nm and Shanghai-New York via Panama
# 10,752 nm (17 and 32 days at 14 kn, casualnavigation.com) and Shanghai-Rotterdam round the Cape
# 13,800-14,000 nm (porteconomicsmanagement.org; jiffa.or.jp after Flexport): within 4% (5,777,
# 10,327 and 13,940 nm here). en.56ok.com's "Los Angeles-Shanghai 4,674 nm" is below the great
# circle (~5,640 nm) and is not used. Asia-Europe services go round the Cape of Good Hope since
# the Red Sea attacks (from December 2023, still in 2025: porteconomicsmanagement.org;
# geesecargo.com); a Suez what-if would cut ~3,000 nm and ~10 days.
WAYPOINTS = {
    "DOVER": (51.0, 1.6), "USHANT": (48.8, -5.8), "FINISTERRE": (43.3, -10.0),
    "CAPE_VERDE": (14.5, -19.5), "CAPE": (-35.5, 19.0), "SUMATRA_N": (6.0, 94.5),
    "SINGAPORE_E": (1.3, 104.5), "PADARAN": (11.0, 110.0), "HORMUZ": (26.5, 56.5),
    "RAS_AL_HADD": (22.6, 60.0), "DONDRA": (5.5, 80.6), "LAEM_CHABANG": (13.08, 100.88),
    "GULF_THAILAND": (9.5, 102.5), "CA_MAU": (8.0, 105.5), "WINDWARD": (20.0, -73.8),
    "PANAMA": (9.0, -79.6), "JAPAN_S": (34.0, 140.5), "KYUSHU_S": (30.8, 131.5),
    "BASHI": (21.0, 121.0), "TAIWAN_STRAIT": (24.5, 119.5), "TAIWAN_N": (26.0, 121.0),
    "SHANTOU_S": (22.8, 117.0), "PRD_MOUTH": (22.0, 113.8), "ZHOUSHAN_E": (29.5, 122.5),
    "YELLOW_SEA_S": (33.0, 125.0), "JIANGSU_E": (31.5, 123.5), "SHANDONG_E": (37.4, 123.0),
    "BOHAI": (38.4, 121.0), "KOREA_STRAIT": (34.3, 128.6), "JEJU_N": (33.9, 126.2),
    "EAST_CHINA_SEA": (31.0, 124.0),
}
# Hub -> the side it reaches China from, and the waypoints on the way there.
SEA_HUB_ROUTE: dict[str, tuple[str, tuple[str, ...]]] = {
    "LOS_ANGELES": ("east", ("JAPAN_S",)),
    "NEW_YORK": ("east", ("WINDWARD", "PANAMA", "JAPAN_S")),
    "ROTTERDAM": ("south", ("DOVER", "USHANT", "FINISTERRE", "CAPE_VERDE", "CAPE", "SUMATRA_N",
                            "SINGAPORE_E", "PADARAN")),
    "HAMBURG": ("south", ("DOVER", "USHANT", "FINISTERRE", "CAPE_VERDE", "CAPE", "SUMATRA_N",
                          "SINGAPORE_E", "PADARAN")),
    "FELIXSTOWE": ("south", ("DOVER", "USHANT", "FINISTERRE", "CAPE_VERDE", "CAPE", "SUMATRA_N",
                             "SINGAPORE_E", "PADARAN")),
    "JEBEL_ALI": ("south", ("HORMUZ", "RAS_AL_HADD", "DONDRA", "SUMATRA_N", "SINGAPORE_E",
                            "PADARAN")),
    "SINGAPORE": ("south", ("SINGAPORE_E", "PADARAN")),
    "BANGKOK": ("south", ("LAEM_CHABANG", "GULF_THAILAND", "CA_MAU", "PADARAN")),
    "BUSAN": ("korea", ("KOREA_STRAIT",)),
}
# Side -> Chinese seaport -> the waypoints of the approach.
SEA_APPROACH: dict[str, dict[str, tuple[str, ...]]] = {
    "south": {"SHENZHEN_PORT": (), "NANSHA_PORT": ("PRD_MOUTH",), "XIAMEN_PORT": (),
              "SHANGHAI_PORT": ("TAIWAN_STRAIT", "ZHOUSHAN_E"),
              "NINGBO_PORT": ("TAIWAN_STRAIT", "ZHOUSHAN_E"),
              "QINGDAO_PORT": ("TAIWAN_STRAIT", "ZHOUSHAN_E", "JIANGSU_E"),
              "TIANJIN_PORT": ("TAIWAN_STRAIT", "ZHOUSHAN_E", "JIANGSU_E", "SHANDONG_E", "BOHAI")},
    "east": {"SHANGHAI_PORT": ("KYUSHU_S",), "NINGBO_PORT": ("KYUSHU_S",),
             "QINGDAO_PORT": ("KYUSHU_S", "YELLOW_SEA_S"),
             "TIANJIN_PORT": ("KYUSHU_S", "YELLOW_SEA_S", "SHANDONG_E", "BOHAI"),
             "XIAMEN_PORT": ("KYUSHU_S", "TAIWAN_N"), "SHENZHEN_PORT": ("BASHI",),
             "NANSHA_PORT": ("BASHI", "PRD_MOUTH")},
    "korea": {"SHANGHAI_PORT": (), "NINGBO_PORT": (), "QINGDAO_PORT": ("JEJU_N",),
              "TIANJIN_PORT": ("JEJU_N", "SHANDONG_E", "BOHAI"),
              "XIAMEN_PORT": ("EAST_CHINA_SEA", "TAIWAN_N"),
              "SHENZHEN_PORT": ("EAST_CHINA_SEA", "TAIWAN_STRAIT", "SHANTOU_S"),
              "NANSHA_PORT": ("EAST_CHINA_SEA", "TAIWAN_STRAIT", "SHANTOU_S", "PRD_MOUTH")},
}

# ---- South-East Asia land (issue 14) -------------------------------------------------------------
# China-Laos railway: Kunming-Vientiane 1,035 km, of which 422 km in Laos (transportjournal.com
# 2022; en.people.cn 2023-04-20); the Lancang-Mekong Express runs Kunming-Vientiane in 26 hours
# (en.people.cn 2022-03-03); Kunming-Bangkok by the China-Laos-Thailand train 55 hours with a reload
# at Vientiane South (en.people.cn 2023-02-08). China-Vietnam container trains Hanoi (Yen Vien, Dong
# Anh) - Pingxiang since 2017, one a week at first, then three (sggpnews.org.vn; Pingxiang inspected
# 1,536 China-Vietnam trains in Jan-Jul 2022, bbrtv.com). Road: GMS-CBTA trucks drive through from
# 2025-05-14 (Kunming-Hanoi ~700 km, arrived the next day; en.gxzf.gov.cn / China Daily 2025-06-06).
# (origin, destination, via): every one gets a rail box, rail LCL, a full truck and truck groupage.
GMS_LANES = [("VIENTIANE", "MOHAN", None), ("HANOI", "PINGXIANG", None),
             ("BANGKOK", "MOHAN", "VIENTIANE")]
#: sourced rail distances (km) where known; other legs: great circle x DETOUR
GMS_RAIL_KM = {("VIENTIANE", "MOHAN"): 422.0}
# Days: rail Vientiane-Mohan 1 (422 of the 1,035 km the express runs in 26 h) + 1 at the border;
# Hanoi-Pingxiang ~160 km: 1 + 1 at the border; Bangkok-Mohan: 3 (the 55 h Kunming-Bangkok train
# less the Chinese section, + the Vientiane reload). Road: 600 km a day + 1 at the border
# (assumption; Kunming-Hanoi 700 km arrived the next day).
GMS_RAIL_DAYS = {"VIENTIANE": 2, "HANOI": 2, "BANGKOK": 3}
GMS_ROAD_KM_DAY = 600
GMS_BORDER_DAYS = 1
# Schedules (assumption): China-Laos and China-Vietnam trains Mon/Wed/Fri (the Vietnam service went
# from one to three a week, sggpnews.org.vn), 4 boxes a train; LCL one box's worth on the Wednesday
# train, CFS cut-off 2 days, +1 day destuffing (as rail LCL); trucks daily, 2 a day; groupage
# Tue/Fri, 1 truck's worth, cut-off 1 day.
GMS_RAIL_SCHEDULE, GMS_RAIL_FEU_PER_TRAIN, GMS_RAIL_CUTOFF = "Mon,Wed,Fri", 4, 1
GMS_LCL_SCHEDULE, GMS_LCL_CUTOFF, GMS_LCL_EXTRA_DAYS = "Wed", 2, 1
GMS_TRUCK_SCHEDULE, GMS_TRUCKS_PER_DAY = "daily", 2
GMS_GRP_SCHEDULE, GMS_GRP_CUTOFF = "Tue,Fri", 1

# ---- bonded transit (issue 14) -------------------------------------------------------------------
# A truck under customs seal (转关) from the node where goods enter China to an inland clearance
# site, before clearance: a full bonded truck (13.6 m trailer) and a bonded LTL service. (entry,
# site): the Xinjiang crossings to Urumqi and on to the inland hubs and Zhejiang (the Yiwu case's
# Khorgos -> Yiwu corridor); the other crossings to the inland hubs they serve; rail terminals,
# airports and seaports to the sites of their region and further (Ningbo port -> Yiwu). 56 pairs.
BONDED_LANES: list[tuple[str, str]] = [
    *[(x, s) for x in ("KHORGOS", "ALASHANKOU")
      for s in ("URUMQI_CBEC", "ZHENGZHOU_CBEC", "XIAN_CBEC", "HANGZHOU_CBEC", "YIWU_CUSTOMS",
                "NINGBO_CBEC")],
    ("TACHENG", "URUMQI_CBEC"), ("IRKESHTAM", "KASHGAR_CBEC"), ("IRKESHTAM", "URUMQI_CBEC"),
    ("TORUGART", "KASHGAR_CBEC"),
    ("ERENHOT", "ZHENGZHOU_CBEC"), ("ERENHOT", "XIAN_CBEC"), ("ERENHOT", "YIWU_CUSTOMS"),
    ("ERENHOT", "HANGZHOU_CBEC"),
    ("MANZHOULI", "YIWU_CUSTOMS"), ("MANZHOULI", "HANGZHOU_CBEC"), ("MANZHOULI", "ZHENGZHOU_CBEC"),
    ("SUIFENHE", "YIWU_CUSTOMS"), ("SUIFENHE", "ZHENGZHOU_CBEC"),
    ("XIAN_RAIL", "XIAN_CBEC"), ("XIAN_RAIL", "ZHENGZHOU_CBEC"),
    ("ZHENGZHOU_RAIL", "ZHENGZHOU_CBEC"), ("ZHENGZHOU_RAIL", "YIWU_CUSTOMS"),
    ("ZHENGZHOU_RAIL", "HANGZHOU_CBEC"),
    ("YIWU_RAIL", "HANGZHOU_CBEC"), ("YIWU_RAIL", "NINGBO_CBEC"),
    ("PVG_AIRPORT", "HANGZHOU_CBEC"), ("PVG_AIRPORT", "YIWU_CUSTOMS"),
    ("PVG_AIRPORT", "NINGBO_CBEC"),
    ("HGH_AIRPORT", "HANGZHOU_CBEC"), ("HGH_AIRPORT", "YIWU_CUSTOMS"),
    ("NGB_AIRPORT", "NINGBO_CBEC"), ("NGB_AIRPORT", "YIWU_CUSTOMS"),
    ("YIW_AIRPORT", "YIWU_CUSTOMS"), ("URC_AIRPORT", "URUMQI_CBEC"),
    ("CGO_AIRPORT", "ZHENGZHOU_CBEC"), ("XIY_AIRPORT", "XIAN_CBEC"),
    ("KMG_AIRPORT", "KUNMING_CBEC"),
    ("SHANGHAI_PORT", "HANGZHOU_CBEC"), ("SHANGHAI_PORT", "YIWU_CUSTOMS"),
    ("SHANGHAI_PORT", "NINGBO_CBEC"), ("SHANGHAI_PORT", "ZHENGZHOU_CBEC"),
    ("NINGBO_PORT", "NINGBO_CBEC"), ("NINGBO_PORT", "YIWU_CUSTOMS"),
    ("NINGBO_PORT", "HANGZHOU_CBEC"),
    ("QINGDAO_PORT", "ZHENGZHOU_CBEC"), ("TIANJIN_PORT", "ZHENGZHOU_CBEC"),
    ("XIAMEN_PORT", "YIWU_CUSTOMS"),
    ("MOHAN", "KUNMING_CBEC"), ("PINGXIANG", "NANNING_CBEC"),
]
# Assumptions (no bonded-trucking timetable found): bonded trucks any day, leaving when sealed and
# loaded (cut-off 0), 700 km a day + 1 day for sealing at the entry and the transit formalities
# (as domestic FTL + 1); bonded LTL daily, 500 km a day + 1 day + 1 day of formalities.
BONDED_SCHEDULE, BONDED_CUTOFF = "daily", 0


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
    if isinstance(row["co2e_g_per_tkm"], str):  # a DEFRA_2025 key: the factor and its basis
        row["co2e_g_per_tkm"], basis = co2(row["co2e_g_per_tkm"])
        row["source"] = f"{row['source']}; {basis}"
    if row["mode"] == "air":
        row["dg_accepted"] = "true" if row["dg_accepted"] else "false"
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
    """An airline allotment lane for every (origin, airport, service), with what flies it."""
    rows: list[dict] = []
    for o, d, service in AIR_LANES:
        freighter = AIR_FREIGHTERS.get((o, d))
        what = (f"; aircraft cargo, dangerous goods accepted: scheduled freighter ({freighter}); "
                "DG acceptance by freighter operators assumed (IATA DGR)" if freighter else
                "; aircraft passenger (belly hold), no dangerous goods: no freighter service found "
                "on this lane (assumption, the cautious reading)")
        rows.append(lane_row(
            aircraft="cargo" if freighter else "passenger", dg_accepted=bool(freighter),
            lane_id=f"AIR_{o}_{d}", origin=o, destination=d, via="", mode="air",
            vehicle_capacity_kg=AIR_ALLOTMENT_KG, vehicle_capacity_m3=AIR_ALLOTMENT_M3,
            max_vehicles=AIR_ALLOTMENTS_PER_FLIGHT, transit_days=AIR_DAYS[service],
            schedule=AIR_SCHEDULE[service], cutoff_days=AIR_CUTOFF_DAYS,
            distance_km=route_km(nodes, "air", o, d, None), co2e_g_per_tkm=CO2_AIR,
            source=(f"air cargo {service.replace('_', ' ')} into China; {AIR_ALLOTMENT_KG} kg "
                    f"allotment/flight (assumption); {PRICED}"
                    + departs(AIR_SCHEDULE[service], AIR_CUTOFF_DAYS,
                              f"{AIR_ALLOTMENTS_PER_FLIGHT} allotment a flight (assumption)")
                    + what)))
    return rows


def sea_km(nodes: dict, hub: str, port: str) -> float:
    """Sea distance hub -> Chinese seaport through the waypoints of the hub's side, x DETOUR."""
    side, way = SEA_HUB_ROUTE[hub]
    pts = [nodes[hub], *({"lat": la, "lon": lo} for la, lo in
                         (WAYPOINTS[w] for w in (*way, *SEA_APPROACH[side][port]))), nodes[port]]
    return sum(great_circle_km(a, b) for a, b in itertools.pairwise(pts)) * DETOUR["sea"]


def sea_rows(nodes: dict) -> list[dict]:
    """A 40' HC box lane and an LCL lane for every (hub, Chinese seaport) of ``SEA_LANES``."""
    rows: list[dict] = []
    for hub, ports in SEA_LANES.items():
        side, way = SEA_HUB_ROUTE[hub]
        for k, port in enumerate(ports):
            km = sea_km(nodes, hub, port)
            nm = km / NM_KM
            days = math.ceil(nm / (SEA_KNOTS * 24) + SEA_PORT_DAYS)
            day = WEEK[(SEA_SAILING_DAY[hub] + k) % 7]
            route = " - ".join(w.lower().replace("_", " ") for w in
                               (*way, *SEA_APPROACH[side][port]))
            src = (f"port-to-port sea, {nm:,.0f} nm: great circles via {route or 'direct'} "
                   "(waypoints: general knowledge; checked within 4% of sourced port distances, "
                   f"data/build_lanes.py); {days} days = {nm:,.0f} nm at {SEA_KNOTS:g} kn "
                   f"(casualnavigation.com) + {SEA_PORT_DAYS} port days (assumption); weekly "
                   f"sailing {day} (assumption: no schedule read); ports called: assumption "
                   "(SEA_LANES); "
                   f"{PRICED}")
            common = {"origin": hub, "destination": port, "via": "", "mode": "sea",
                      "vehicle_capacity_kg": SEA_BOX_KG, "vehicle_capacity_m3": SEA_BOX_M3,
                      "schedule": day, "distance_km": km, "co2e_g_per_tkm": SEA_SHIP[hub]}
            rows.append(lane_row(
                lane_id=f"SEA_FCL_{hub}_{port}", max_vehicles=SEA_FCL_BOXES_PER_SAILING,
                transit_days=days, cutoff_days=SEA_FCL_CUTOFF_DAYS,
                source=(f"{src}; 40' HC box 26.5 t / 67 m3 usable (contract of issue 14), "
                        f"{SEA_FCL_BOXES_PER_SAILING} boxes a sailing, gate-in cut-off "
                        f"{SEA_FCL_CUTOFF_DAYS} days (assumptions)"), **common))
            rows.append(lane_row(
                lane_id=f"SEA_LCL_{hub}_{port}", max_vehicles=SEA_LCL_BOXES_PER_SAILING,
                transit_days=days + SEA_LCL_EXTRA_DAYS, cutoff_days=SEA_LCL_CUTOFF_DAYS,
                source=(f"{src}; LCL space sold per W/M by a consolidator, one box's worth a "
                        f"sailing, CFS cut-off {SEA_LCL_CUTOFF_DAYS} days (3-7 days lost at the "
                        f"origin CFS, viniacargo.com), +{SEA_LCL_EXTRA_DAYS} days destuffing at "
                        "the destination CFS (assumptions)"), **common))
    return rows


def gms_rows(nodes: dict) -> list[dict]:
    """South-East Asia land lanes: a rail box, rail LCL, a full truck and truck groupage for
    every (origin, crossing, via) of ``GMS_LANES``."""
    rows: list[dict] = []
    for o, d, via in GMS_LANES:
        tag = tag_of(o, d, via)
        legs = [o, via, d] if via else [o, d]
        rail_km = sum(GMS_RAIL_KM.get((a, b)) or route_km(nodes, "rail", a, b, None)
                      for a, b in itertools.pairwise(legs))
        road_km = route_km(nodes, "road", o, d, via)
        road_days = math.ceil(road_km / GMS_ROAD_KM_DAY) + GMS_BORDER_DAYS
        rail_src = ("China-Laos railway (Kunming-Vientiane 1,035 km, 422 km in Laos; express 26 h; "
                    "Kunming-Bangkok 55 h with a reload at Vientiane South; en.people.cn, "
                    "transportjournal.com)" if d == "MOHAN" else
                    "China-Vietnam container trains Hanoi-Pingxiang (since 2017, one then three a "
                    "week; sggpnews.org.vn; Pingxiang 1,536 trains in Jan-Jul 2022, bbrtv.com)")
        laos = "422 km Vientiane-Boten, sourced; " if d == "MOHAN" else ""
        rail_src += (f"; {rail_km:,.0f} km ({laos}other legs great circle x {DETOUR['rail']}); "
                     f"{GMS_RAIL_DAYS[o]} days incl. 1 at the border (GMS_RAIL_DAYS); {PRICED}")
        road_src = (f"cross-border truck under the GMS-CBTA (Chinese trucks drive through from "
                    f"2025-05-14; english.thesaigontimes.vn, en.gxzf.gov.cn); {road_km:,.0f} km "
                    f"(great circle x {DETOUR['road']}); {GMS_ROAD_KM_DAY} km/day + "
                    f"{GMS_BORDER_DAYS} day at the border (assumption); {PRICED}")
        rail = {"origin": o, "destination": d, "via": via or "", "mode": "rail",
                "vehicle_capacity_kg": RAIL_FEU_KG, "vehicle_capacity_m3": RAIL_FEU_M3,
                "distance_km": rail_km, "co2e_g_per_tkm": CO2_RAIL}
        road = {"origin": o, "destination": d, "via": via or "", "mode": "road",
                "vehicle_capacity_kg": FTL_KG, "vehicle_capacity_m3": FTL_M3,
                "distance_km": road_km, "co2e_g_per_tkm": CO2_ROAD}
        rows += [
            lane_row(lane_id=f"GMS_RAIL_FEU_{tag}", max_vehicles=GMS_RAIL_FEU_PER_TRAIN,
                     transit_days=GMS_RAIL_DAYS[o], schedule=GMS_RAIL_SCHEDULE,
                     cutoff_days=GMS_RAIL_CUTOFF,
                     source=(f"{rail_src}; 40' HC box; trains {GMS_RAIL_SCHEDULE}, "
                             f"{GMS_RAIL_FEU_PER_TRAIN} FEU a train, cut-off {GMS_RAIL_CUTOFF} day "
                             "(assumptions)"), **rail),
            lane_row(lane_id=f"GMS_RAIL_LCL_{tag}", max_vehicles=1,
                     transit_days=GMS_RAIL_DAYS[o] + GMS_LCL_EXTRA_DAYS,
                     schedule=GMS_LCL_SCHEDULE, cutoff_days=GMS_LCL_CUTOFF,
                     source=(f"{rail_src}; LCL per W/M on the {GMS_LCL_SCHEDULE} train, one box's "
                             f"worth, CFS cut-off {GMS_LCL_CUTOFF} days, +{GMS_LCL_EXTRA_DAYS} day "
                             "destuffing (assumptions)"), **rail),
            lane_row(lane_id=f"GMS_TRK_FTL_{tag}", max_vehicles=GMS_TRUCKS_PER_DAY,
                     transit_days=road_days, schedule=GMS_TRUCK_SCHEDULE, cutoff_days=0,
                     source=(f"{road_src}; full 13.6 m truck, {GMS_TRUCKS_PER_DAY} a day "
                             "(assumption)"), **road),
            lane_row(lane_id=f"GMS_TRK_GRP_{tag}", max_vehicles=1, transit_days=road_days + 1,
                     schedule=GMS_GRP_SCHEDULE, cutoff_days=GMS_GRP_CUTOFF,
                     source=(f"{road_src}; groupage space per kg, {GMS_GRP_SCHEDULE}, one truck's "
                             f"worth, cut-off {GMS_GRP_CUTOFF} day, +1 day deconsolidation "
                             "(assumptions)"), **road),
        ]
    return rows


def bonded_rows(nodes: dict) -> list[dict]:
    """A bonded LTL lane for every (entry, inland site) of ``BONDED_LANES``.

    One service per pair: a sealed truck sold by the kg, the batches of a departure on one
    transit declaration (rates.csv ``shipment`` departure, LTL breaks up to 3,000 kg). A second,
    per-vehicle service doubled the bonded routes (mixed-week: 20,195 routes, 556k trips, 74 s to
    build the options, against 3,551 routes and 107k trips without bonded transit); the
    consolidated LTL stands for both at the volumes the scenarios return (assumption).
    """
    rows: list[dict] = []
    src = ("bonded transit (转关) under customs seal before clearance (contract of issue 14); "
           f"route great circle x {DETOUR['bonded_road']}; {PRICED}")
    for o, d in BONDED_LANES:
        km = route_km(nodes, "bonded_road", o, d, None)
        limit = departs(BONDED_SCHEDULE, BONDED_CUTOFF, "no vehicle limit (assumption)")
        rows.append(lane_row(
            lane_id=f"BND_LTL_{o}_{d}", origin=o, destination=d, via="", mode="bonded_road",
            vehicle_capacity_kg=FTL_KG, vehicle_capacity_m3=FTL_M3, max_vehicles="",
            schedule=BONDED_SCHEDULE, cutoff_days=BONDED_CUTOFF, distance_km=km,
            transit_days=2 + math.ceil(km / 500), co2e_g_per_tkm=CO2_LTL,
            source=(f"{src}; bonded LTL network; 500 km/day + 1 day + 1 day transit formalities "
                    f"(assumption){limit}")))
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
    """All lanes: international (TIR, rail, air, sea, South-East Asia land), bonded transit and
    domestic road delivery from every node a lane ends at (every port a return can clear at)."""
    rows = (tir_rows(nodes) + rail_rows(nodes) + air_rows(nodes) + sea_rows(nodes)
            + gms_rows(nodes) + bonded_rows(nodes))
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
