"""Generate the rate card ``data/rates.csv`` and the exchange rates ``data/fx.csv``.

Issue 13, "freight bought the way forwarders sell it": every bundled lane of ``data/lanes.csv`` is
priced here as a forwarder would quote it, in the quote's own currency, with weight breaks,
minimums, fees per shipment, surcharges and volumetric weight (``optimizer.domain.RateLine`` and
``Tariff.charge`` hold the billing arithmetic; the README's "Rate cards" describes the format).
lanes.csv keeps 0 in its two CNY cost columns for these lanes.

How each service is priced (every figure is a constant below, with its source or the reason for
the assumption; every row of rates.csv repeats what it rests on in its ``source``):

- **air** (kg, USD, chargeable weight with divisor 6000): a published China->Russia airline tariff
  with IATA-style breaks (M, N, +45 ... +1000) is the shape and level; the backhaul into China is
  the ratio of WorldACD's Europe-origin to Asia-Pacific-origin average rates; via-hub connections
  are cheaper by the ratio of domain.md's 2023 via-hub and direct ranges. Fuel and security
  surcharges are per chargeable kg (that is how airlines publish them) and an air waybill fee per
  shipment.
- **TIR full truck** (vehicle, USD): the backhaul price of a 20 t truck Moscow -> Yiwu via Khorgos
  split into a fixed part per truck (TIR carnet, border crossings from CAREC's corridor
  monitoring) and a rate per km, instead of the former pure pro-rata kilometres.
- **TIR groupage** (kg, USD, volumetric 333 kg/m3): the consolidator sells the truck's space at a
  load factor, adds a margin, a consolidation/handling fee per shipment and a minimum.
- **rail 40' box** (vehicle, USD): the backhaul box price split into a fixed terminal and border
  (gauge change) part and a rate per km; two validity periods (2024, 2025 on), as the outbound
  box price fell.
- **rail groupage (LCL)** (W/M, USD): per revenue tonne (the larger of tonnes and m3) on the same
  train: the box's price over its sold W/M plus a margin, a CFS fee per shipment, at least 1 W/M.
- **domestic FTL** (vehicle, CNY): the CFLP line price of a 13.5 m truck, or a light truck's
  fixed charge plus a rate per km; **domestic LTL** (kg, CNY): weight breaks, a minimum per ticket.

Issue 14 adds:

- **sea 40' HC box** (vehicle, USD, per box): the Drewry World Container Index backhaul rates into
  Shanghai (Los Angeles -> Shanghai, Rotterdam -> Shanghai; they include the base rate, fuel and
  all surcharges but not the destination THC) for two validity periods, other origins by a stated
  relation to those; the Chinese destination charges per box (THC, D/O, EIR, documents, EDI, lift)
  are the fee per vehicle. Every Chinese seaport of a hub is priced alike (base-port parity).
- **sea LCL** (W/M, USD): the box's price over its sold W/M plus a margin, destination CFS handling
  per W/M, documents and consolidation per shipment, at least 1 W/M.
- **South-East Asia land** (CNY): a cross-border truck (the CFLP domestic rate per km with a foreign
  road premium, plus the border transshipment cost), truck groupage per kg, a rail box at half the
  truck's price (the reported saving of the China-Laos and China-Vietnam trains), rail LCL per W/M.
- **bonded transit** (CNY): a bonded truck (the CFLP rate per km with a bonded premium, plus a
  fixed charge for the seal and transit formalities) and bonded LTL per kg.
- **air** from the new hubs: the same airline tariff shape with a backhaul factor by origin region
  (WorldACD regional averages).

Lanes from Warsaw are quoted in EUR (a Polish forwarder's tariff): the USD figures converted at
the central parity in force on the first day of each calendar year, one row per year.

Exchange rates: CFETS central parity rates of the CNY (published daily by the China Foreign
Exchange Trade System, relayed by Xinhua's "Market exchange rates in China"), one fix for most
months found in public copies of those bulletins; a cost is converted at the latest fix on or
before its departure, so a month without a fix here uses the one before it.

Run after ``data/build_lanes.py``: ``python data/build_rates.py`` (reads data/lanes.csv and
data/ports.yaml, rewrites data/rates.csv and data/fx.csv; deterministic).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
D = dt.date

# ---- exchange rates: CFETS central parity (CNY per 100 USD, per 100 EUR; RUB per 100 CNY) ------
# Xinhua's bulletin lists USD and EUR as "100 = x yuan" and the ruble the other way round
# ("1,260.60 rubles = 100 yuan"). None: the copy found did not show that currency.
XINHUA = "CFETS central parity, Xinhua 'Market exchange rates in China'"
FX_FIXES: list[tuple[dt.date, float | None, float | None, float | None, str]] = [
    (D(2023, 12, 26), 709.65, 783.35, 1294.99,
     "english.news.cn/20231226/77a721de438d4232a68bc8fb0b40ef87/c.html"),
    (D(2024, 1, 2), 707.70, 782.18, 1260.60, "zhsailing.com/market-exchange-rates-in-china-jan-2"),
    (D(2024, 4, 22), 710.43, 759.55, 1298.34, "bignewsnetwork.com/news/274296442"),
    (D(2024, 5, 6), 709.94, 766.32, None, "m.ru24.pro/english/378092567"),
    (D(2024, 6, 17), 711.49, 765.55, 1247.45, "bignewsnetwork.com/news/274414389"),
    (D(2024, 7, 16), 713.28, 780.47, 1226.74,
     "english.news.cn/20240716/97686c8eb6634f0ca9624771876a987f/c.html"),
    (D(2024, 8, 13), 714.79, 782.17, 1270.03, "bignewsnetwork.com/news/274491261"),
    (D(2024, 9, 24), 705.10, 783.32, 1319.04,
     "zhsailing.com/market-exchange-rates-in-china-sept-24"),
    (D(2024, 9, 30), 700.74, 782.67, 1338.68, "bignewsnetwork.com/news/274653069"),
    (D(2024, 11, 21), 719.34, 761.78, 1387.34,
     "china.org.cn/china/Off_the_Wire/2024-11/21/content_117561106.htm"),
    (D(2024, 11, 25), 719.18, None, None,
     "zh.helm.news/2024-11-25/china-sets-central-parity-rate-yuan-per-us-dollar-november-th.html"),
    (D(2024, 12, 31), 718.84, 752.57, 1513.87, "menafn.com/1109044218"),
    (D(2025, 1, 2), 718.79, 749.10, 1554.94,
     "japannews24.com/market-exchange-rates-in-china-jan-2"),
    (D(2025, 1, 15), 718.83, 745.31, 1404.00,
     "japannews24.com/market-exchange-rates-in-china-jan-15"),
    (D(2025, 2, 18), 716.97, 753.31, 1260.10,
     "news.az/news/market-exchange-rates-in-china-for-february-18"),
    (D(2025, 2, 25), 717.26, 753.22, 1210.16,
     "china.org.cn/china/Off_the_Wire/2025-02/25/content_117731713.htm"),
    (D(2025, 4, 22), 720.74, 832.40, 1113.95,
     "english.news.cn/20250422/8527d2e0cf0c4b36946ef05701623859/c.html"),
    (D(2025, 4, 30), 720.14, None, None, "en.people.cn/n3/2025/0430/c90000-20309632.html"),
    (D(2025, 7, 16), 715.26, 831.57, 1086.57,
     "english.news.cn/20250716/3db1b089e64a4a81a08c406879f06b32/c.html"),
    (D(2025, 9, 1), 710.72, 831.29, 1123.18,
     "lj1995.com/english/20250901/3db4b953aa3b45d49d0d33b6ac5f3e2c/c.html (Xinhua)"),
    (D(2026, 1, 26), 698.43, None, None,
     "ichongqing.info/2026/01/26/chinese-yuan-strengthens-to-6-9843-against-usd-monday"),
    (D(2026, 1, 27), 698.58, 827.55, 1097.67,
     "sjzmxmy.com/english/20260127/cba751482a5e433bb6c121e58d8ae77b/c.html (Xinhua)"),
]

# ---- validity periods ----------------------------------------------------------------------------
START = D(2024, 1, 1)  # the bundled scenarios plan from 2024-09-01 to 2026-09-01
#: quotes in EUR are re-issued every calendar year (assumption: a forwarder's yearly tariff)
EUR_ORIGINS = ("WARSAW",)
EUR_YEARS: list[tuple[dt.date, dt.date | None]] = [
    (D(2024, 1, 1), D(2024, 12, 31)), (D(2025, 1, 1), D(2025, 12, 31)), (D(2026, 1, 1), None)]

# ---- air ---------------------------------------------------------------------------------------
# A China->Russia airline tariff published by a Russian forwarder (tks.ru/pr/889029, undated, USD
# per kg ex surcharges): M 225, N (-45 kg) 6.85, +45 5.85, +100 2.95, +300 2.75, +500 2.55,
# +1000 1.95. Its N rate is the top of domain.md's 2023 "direct US$4.80-6.85" range.
AIR_TARIFF_BREAKS = ((0, 6.85), (45, 5.85), (100, 2.95), (300, 2.75), (500, 2.55), (1000, 1.95))
AIR_TARIFF_MIN = 225.0
AIR_TARIFF_SRC = ("China->Russia airline tariff M 225, N 6.85, +45 5.85, +100 2.95, +300 2.75, "
                  "+500 2.55, +1000 1.95 USD/kg (tks.ru/pr/889029, undated)")
# Backhaul into China: WorldACD full-market averages in week 44 of 2024 were US$2.13/kg from Europe
# origins and US$3.56/kg from Asia-Pacific origins (eximin.net, 2024-11-13): the westbound lane
# costs 0.60 of the eastbound one. No Russia->China air rate was found (domain-audit F8).
AIR_BACKHAUL = 2.13 / 3.56
# Issue 14, other origin regions, relative to that Europe-origin factor:
# - North America: WorldACD week 47 of 2024 spot averages, North America origins US$2.04/kg against
#   Europe origins US$2.90/kg (asiacargonews.com 2024-11-29): x 2.04/2.90;
# - Middle East (Jebel Ali/Dubai): WorldACD week 29 of 2024 full-market averages, MESA origins
#   US$2.78/kg against Asia Pacific origins US$3.34/kg (ajot.com): 2.78/3.34 of the Asia
#   Pacific level (that average is mostly MESA -> Europe, so high for MESA -> China);
# - intra-Asia (Singapore, Bangkok, Korea, Laos, Vietnam -> China): as Europe origins (assumption;
#   check: TAC Index Korea -> China ~US$2.34/kg and Singapore -> China US$3.27/kg in February 2020,
#   infinitycargo.com, against ~US$2.4/kg here for +100 kg with surcharges);
# - Russia, Central Asia, Mongolia, Belarus, Poland: the Europe-origin factor (unchanged).
AIR_REGION: dict[str, tuple[float, str]] = {
    **{c: (AIR_BACKHAUL, "Europe-origin") for c in ("RU", "KZ", "UZ", "KG", "MN", "BY", "PL", "NL",
                                                    "DE", "GB")},
    "US": (AIR_BACKHAUL * 2.04 / 2.90, "North America-origin (WorldACD wk47 2024 spot NA 2.04 / "
                                       "Europe 2.90 USD/kg, asiacargonews.com) x Europe-origin"),
    "AE": (2.78 / 3.34, "MESA-origin (WorldACD wk29 2024 MESA 2.78 / Asia Pacific 3.34 USD/kg, "
                        "ajot.com)"),
    **{c: (AIR_BACKHAUL, "intra-Asia taken as Europe-origin (assumption; TAC Index Korea->China "
                         "~2.34, Singapore->China 3.27 USD/kg Feb 2020, infinitycargo.com)")
       for c in ("SG", "TH", "KR", "LA", "VN")},
}
# Via-hub connections: domain.md §4 (2023, low reliability): direct US$4.80-6.85, via hubs
# 3.85-5.50 -> ratio of the mid-points.
AIR_VIA_HUB = (3.85 + 5.50) / (4.80 + 6.85)
# Fuel surcharge per chargeable kg, long haul: Cargolux EUR 0.55-0.65 (2019, aircargoworld.com),
# Lufthansa EUR 1.05 (March 2023, transatl.com), Hong Kong long haul HKD 6.80 = US$0.87 (2012,
# hkshippers.org.hk): assumption US$0.90. Short haul is half of long haul in the Hong Kong scale
# (HKD 3.40 vs 6.80): US$0.45 on lanes shorter than 2,500 km (assumption: the Central Asian hops
# into Urumqi).
AIR_FUEL_USD_KG = {"long": 0.90, "short": 0.45}
AIR_SHORT_HAUL_KM = 2_500
# Security surcharge per chargeable kg: US$0.15-0.25 (jetcurrent.com glossary); EUR 0.15 in Europe
# since 2001 (trucknews.com, Air Canada): US$0.15.
AIR_SECURITY_USD_KG = 0.15
# Air waybill fee per shipment: US$30 (Moscow forwarder's air tariff, ace-intl-moving.com).
AIR_AWB_USD = 30.0
AIR_DIVISOR = 6000  # cm3/kg: IATA 167 kg/m3 (corp.uzairways.com "Rates", itg.de)

# ---- TIR road ----------------------------------------------------------------------------------
# Outbound China -> central Russia US$10,000-12,500 per 20 t truck (H1 2024; domain.md §4,
# domain-audit F1) -> mid 11,250 for Yiwu -> Moscow. Returns ride the backhaul: 40% below
# (assumption, as before: trucks return largely empty; no Moscow->China rate found, audit F2).
TIR_OUTBOUND_USD = (10_000 + 12_500) / 2
TIR_BACKHAUL = 0.60
TIR_REF_LANE = "TIR_FTL_MOSCOW_KHORGOS_YIWU_CUSTOMS"
# Fixed part of a truck's trip (the fee per vehicle): the TIR carnet and transit documents,
# US$150 (assumption: the IRU carnet price was not found), and the border crossings: US$638 at
# the Chinese border (CAREC Corridor Performance Measurement and Monitoring, CPMM 2022: PRC road
# border-crossing cost, the latest published; 166 in 2019, 424 in 2020, 1,219 in 2021; Horgos
# alone 1,861 in 2022; cpmm.carecprogram.org/2022-report/peoples-republic-of-china and
# /2020-report/peoples-republic-of-china) and US$199 at every other border on the way (CPMM 2020
# CAREC road average; 162 in 2019; cpmm.carecprogram.org/2020-report/key-results).
TIR_CARNET_USD = 150.0
ROAD_BORDER_CN_USD = 638.0
ROAD_BORDER_OTHER_USD = 199.0
# Borders crossed before the Chinese one, by (origin country, country facing the Chinese
# crossing). Belarus-Russia has no customs control (Union State); Poland-Belarus is an EU border.
OTHER_BORDERS = {
    ("RU", "RU"): 0, ("RU", "KZ"): 1, ("RU", "MN"): 1, ("KZ", "KZ"): 0, ("UZ", "KG"): 1,
    ("KG", "KG"): 0, ("MN", "MN"): 0, ("BY", "KZ"): 1, ("PL", "KZ"): 2,
}
FACING = {"KHORGOS": "KZ", "ALASHANKOU": "KZ", "TACHENG": "KZ", "ERENHOT": "MN",
          "MANZHOULI": "RU", "SUIFENHE": "RU", "IRKESHTAM": "KG", "TORUGART": "KG"}
# Groupage: the consolidator sells chargeable kg at 333 kg/m3 (divisor 3000, the road
# convention); an e-commerce mix cubes out before it weighs out, so a truck sells 85 m3 x 333
# kg/m3 x its load factor 0.60 (as the former groupage lanes) = 17,000 chargeable kg; on top a
# margin of 20%, a consolidation/handling fee of US$150 per shipment (depot receipt and
# documents, share of the TIR carnet, deconsolidation at destination) and a minimum of 100
# chargeable kg. Assumptions: no published Russia->China groupage tariff or fee was found; the
# fee is of the order of a customs broker's declaration (RMB 200-800, domain.md §4).
ROAD_DIVISOR = 3000
TIR_TRUCK_M3 = 85.0
GROUPAGE_LOAD_FACTOR = 0.60
GROUPAGE_MARGIN = 0.20
GROUPAGE_FEE_USD = 150.0
GROUPAGE_MIN_KG = 100.0

# ---- rail --------------------------------------------------------------------------------------
# Outbound 40' box China -> Moscow: US$6-7k (2023) -> 6,500 for 2024 (Xi'an/Shanghai/Guangzhou ->
# Moscow 5,000-5,674 in May 2024, kpiz.ru after Vedomosti/ЦЦИ; Guangzhou 8,500 in June 2024,
# domain-audit F5); Shanghai -> Moscow 5,300-6,300 (December 2025, audit F5) -> 5,800 from 2025.
# Backhaul: 50% below (assumption, as before: ~150k surplus boxes in Russia, audit F6).
RAIL_PERIODS: list[tuple[dt.date, dt.date | None, float, str]] = [
    (D(2024, 1, 1), D(2024, 12, 31), 6_500.0,
     "40' box China->Moscow US$6-7k (2023, domain.md §4), 5,000-5,674 (May 2024, kpiz.ru/"
     "Vedomosti), 8,500 Guangzhou (June 2024, audit F5): 6,500"),
    (D(2025, 1, 1), None, 5_800.0,
     "40' box Shanghai->Moscow US$5,300-6,300 (Dec 2025, audit F5): 5,800"),
]
RAIL_BACKHAUL = 0.50
RAIL_REF_KM = 10_150  # Yiwu-Moscow via Manzhouli (domain.md §3)
RAIL_REF_ENTRY, RAIL_REF_ORIGIN = "MANZHOULI", "MOSCOW"
# Fixed part per box: terminal lifts at both ends, US$150 each (assumption: no terminal tariff
# found), the gauge change at the Chinese border (CPMM 2020: Dostyk/Alashankou US$329, also used
# for Khorgos-Altynkol; Erenhot 120; cpmm.carecprogram.org/2020-report/rail-transport; elsewhere
# the PRC rail border-crossing cost, CPMM 2022: 120) and US$215 at every other border (CPMM 2022
# CAREC rail average border-crossing cost, cpmm.carecprogram.org/?p=133).
RAIL_TERMINALS_USD = 300.0
RAIL_GAUGE_CHANGE_USD = {"ALASHANKOU": 329.0, "KHORGOS": 329.0, "ERENHOT": 120.0}
RAIL_GAUGE_CHANGE_OTHER_USD = 120.0
RAIL_GAUGE_CHANGE_SRC = {"ALASHANKOU": "Dostyk, CPMM 2020", "KHORGOS": "as Dostyk, CPMM 2020",
                         "ERENHOT": "Erenhot, CPMM 2020"}
RAIL_GAUGE_CHANGE_OTHER_SRC = "PRC rail border-crossing cost, CPMM 2022"
RAIL_BORDER_OTHER_USD = 215.0
# Groupage (LCL): per revenue tonne W/M; the consolidator sells 60% of a 40' HC's 76.2 m3
# (assumption, as road groupage) = 45.7 W/M a box, adds 20% margin and a CFS fee of US$100 per
# shipment (stuffing/destuffing, SMGS documents; assumption), with volume breaks of 5% from 5 W/M
# and 10% from 10 W/M (assumption), at least 1 W/M (LCL rail minimum 1 cbm, fardanza.org 2026).
RAIL_FEU_M3 = 76.2
LCL_LOAD_FACTOR = 0.60
LCL_MARGIN = 0.20
LCL_FEE_USD = 100.0
LCL_BREAKS = ((0, 1.00), (5, 0.95), (10, 0.90))
LCL_MIN_WM = 1.0

# ---- domestic road in China (CNY) --------------------------------------------------------------
# 13.6 m trailer: CFLP line price of a 13.5 m truck Tianjin -> Shanghai (~1,150 km) 7,125 CNY
# (August 2015, domain-audit F9), moved by the CFLP road-freight index 1,027.6 (August 2015) ->
# 1,051.19 (September 2025, chinawuliu.com.cn 2025-09-12): 6.34 CNY/km.
FTL_CNY_KM = 7_125 / 1_150 * (1_051.19 / 1_027.6)
FTL_KG = 24_000
# 4.2 m light truck (lanes up to 400 km): 300 CNY per truck + 3.0 CNY/km (assumption, as before;
# no line prices found, audit F10).
LIGHT_FIXED_CNY, LIGHT_CNY_KM = 300.0, 3.0
LIGHT_MAX_KM = 400
# LTL: the +500 kg band costs twice the trailer's cost per kg-km plus 0.20 CNY/kg handling (as the
# former flat LTL price); smaller tickets pay more, bigger less: x1.5 from 0 kg, x1.25 from 100,
# x1.0 from 500, x0.9 from 1 t, x0.8 from 3 t; at least 50 CNY a ticket; chargeable weight at
# 333 kg/m3 (assumption: no LTL band table found, audit F10).
LTL_HANDLING_CNY_KG = 0.20
LTL_BANDS = ((0, 1.5), (100, 1.25), (500, 1.0), (1000, 0.9), (3000, 0.8))
LTL_MIN_CNY = 50.0

# ---- sea (issue 14) ----------------------------------------------------------------------------
# Drewry World Container Index (WCI), US$ per 40' box, spot, "includes the base ocean rate, the fuel
# surcharge and all other surcharges, but not the THC at the destination" (JOC 2024-09-23, p59):
#   Los Angeles -> Shanghai: 714 (2024-09-05, magazine.joc.com 2024-09-23 p59); 725 (2025-01-16,
#   airfreight.news) and 723 (2025-09-12, trasportoeuropa.it): 2025 on 724;
#   Rotterdam -> Shanghai: 676 (2024-06-27, trasportoeuropa.it); 518 (2025-01-16, airfreight.news)
#   and 455 (2025-09-12, trasportoeuropa.it): 2025 on 486.5.
# Against the headhaul on the same dates (Shanghai -> Los Angeles 6,030 and 5,228, Shanghai ->
# Rotterdam 4,231 on 2025-01-16) the backhaul is 12-14% of it: these ARE the backhaul rates, no
# factor is applied. Other origins (assumptions stated, no direct index found):
# - New York: FBX04 (North America East Coast -> China/East Asia) / FBX02 (West Coast -> China/East
#   Asia) = 478 / 375 on the undated FBX snapshot at terminal.freightos.com (early 2025): x 1.275 of
#   Los Angeles;
# - Hamburg, Felixstowe: one North Europe range with Rotterdam in FBX12 (its port list names
#   Rotterdam, Hamburg, Felixstowe, Antwerp, Bremerhaven, Le Havre, Southampton): as Rotterdam;
# - Jebel Ali: as Rotterdam (assumption: the Middle East exports few containers, carriers load
#   empties back to Asia at their own cost, upply.com 2019; no Gulf -> China index found);
# - Singapore, Laem Chabang, Busan: Drewry Intra-Asia Container Index (IACI) composite, 589 (second
#   half of September 2024, hellenicshippingnews.com) and 573 (second half of October 2024,
#   hellenicshippingnews.com 2024-11-01): 2024 581; 667 (to 2025-02-15, hellenicshippingnews.com
#   2025-02-18), 604 (first half of March 2025, freshplaza.com), 668 (to 2025-04-15,
#   logisticsnews.ph): 2025 on 646 (the composite mixes the 18 routes both ways; into-China lanes
#   taken at the composite, assumption; check: Xeneta long-term Southeast Asia -> China ~US$725/FEU
#   in March 2023, xeneta.com week 13 2023).
SEA_PERIODS: list[tuple[dt.date, dt.date | None, dict[str, float], str]] = [
    (D(2024, 1, 1), D(2024, 12, 31),
     {"LA": 714.0, "RTM": 676.0, "IA": 581.0},
     "Drewry WCI Los Angeles->Shanghai 714 (2024-09-05, magazine.joc.com), Rotterdam->Shanghai 676 "
     "(2024-06-27, trasportoeuropa.it); Drewry IACI composite 589/573 (Sep/Oct 2024, "
     "hellenicshippingnews.com) -> 581"),
    (D(2025, 1, 1), None,
     {"LA": 724.0, "RTM": 486.5, "IA": 646.0},
     "Drewry WCI Los Angeles->Shanghai 725 (2025-01-16, airfreight.news) / 723 (2025-09-12, "
     "trasportoeuropa.it) -> 724, Rotterdam->Shanghai 518 / 455 (same dates) -> 486.5; Drewry IACI "
     "composite 667/604/668 (Feb-Apr 2025, hellenicshippingnews.com, freshplaza.com, "
     "logisticsnews.ph) -> 646"),
]
SEA_NY_FACTOR = 478 / 375
SEA_BASE = {"LOS_ANGELES": ("LA", 1.0, "as Los Angeles"),
            "NEW_YORK": ("LA", SEA_NY_FACTOR, "Los Angeles x 478/375 (FBX04/FBX02, "
                                              "terminal.freightos.com snapshot, early 2025)"),
            "ROTTERDAM": ("RTM", 1.0, "as Rotterdam"),
            "HAMBURG": ("RTM", 1.0, "as Rotterdam (one FBX12 North Europe range)"),
            "FELIXSTOWE": ("RTM", 1.0, "as Rotterdam (one FBX12 North Europe range)"),
            "JEBEL_ALI": ("RTM", 1.0, "as Rotterdam (assumption: Gulf exports few boxes, empties "
                                      "go back to Asia, upply.com 2019)"),
            "SINGAPORE": ("IA", 1.0, "Drewry IACI composite (assumption: into-China at the "
                                     "composite)"),
            "BANGKOK": ("IA", 1.0, "Drewry IACI composite (Laem Chabang-Shanghai is one of its "
                                   "routes)"),
            "BUSAN": ("IA", 1.0, "Drewry IACI composite (Busan-Shanghai is one of its routes)")}
# Chinese destination charges per 40' HC box, import, Ningbo (KCN Shipping local charges,
# kcnshipping.com/en/china-2, undated): THC 1,250 + D/O 250 + EIR 60 + DOC 500/BL + EDI 100/BL +
# LO-LO 300/BL = 2,460 CNY (its "customs clearance 500/BL" is left out: the return declaration is
# the node's clearance fee). Taken for every Chinese seaport (assumption), in USD at the CFETS
# parity on the first day of the validity period (FX_FIXES).
SEA_DEST_CNY_PER_BOX = 1_250 + 250 + 60 + 500 + 100 + 300
SEA_BOX_M3 = 67.0
# LCL: the consolidator sells 60% of the box's 67 m3 (assumption, as rail LCL) = 40.2 W/M, +20%
# margin; destination CFS per W/M: THC 50 CNY per W/M (mackweldon.cn 2024-01-06, low reliability) +
# destuffing 50 CNY per W/M (assumption, as the THC); per shipment: origin documentation EUR 50 and
# consolidation EUR 40 (ShipTogether, China -> Europe LCL 2026: documentation EUR 35-75,
# consolidation EUR 25-50; ship-together.com), converted at the CFETS EUR/USD parity of 2026-01-27,
# + destination DOC 150 CNY (mackweldon.cn) + D/O 250 + EDI 100 CNY (KCN Shipping); volume breaks as
# rail LCL; at least 1 W/M (LCL minimum 1 m3: xzzgzbsc.com.cn 2025; ShipTogether notes some
# consolidators bill 2-3 m3 at least). One shipment is everything we put on a sailing (shipment =
# departure): our batches on a sailing travel as one house B/L of one shipper (our returns
# consolidator abroad) to one consignee at the Chinese CFS, so documents and the minimum are paid
# once a sailing (assumption; as rail LCL and TIR groupage).
SEA_LCL_LOAD_FACTOR, SEA_LCL_MARGIN = 0.60, 0.20
SEA_LCL_DEST_CNY_PER_WM = 50.0 + 50.0
SEA_LCL_ORIGIN_EUR = 50.0 + 40.0
SEA_LCL_DEST_CNY_PER_SHIPMENT = 150.0 + 250.0 + 100.0

# ---- South-East Asia land (issue 14), CNY ------------------------------------------------------
# Cross-border truck: the domestic CFLP rate per km (FTL_CNY_KM) x 1.3 (assumption: mountain roads
# in Laos and northern Vietnam, permits, a return leg found less easily) per km, + per truck: the
# transshipment at the border, 800-1,000 CNY a truck (the cost GMS-CBTA through-trucks save, from
# 2025-05-14: english.thesaigontimes.vn; en.gxzf.gov.cn/China Daily 2025-06-06) -> 900, kept for all
# dates (assumption: few through permits, 500 a side, en.gxzf.gov.cn) + 300 CNY documents on the
# foreign side (assumption). No published Laos/Vietnam -> China truck rate found.
GMS_ROAD_PREMIUM = 1.3
GMS_BORDER_CNY = 900.0
GMS_DOCS_CNY = 300.0
# Rail: half the truck (the China-Vietnam container train "halves freight rate ... compared to road
# transport", Vietnam Railways, sggpnews.org.vn 2017; Thai farm exports via the China-Laos railway
# cost "nearly one-half" of the traditional way, Kunming government, transportjournal.com 2022).
GMS_RAIL_FACTOR = 0.5
# Groupage and LCL: as TIR groupage and rail LCL (load factor 0.6, margin 20%), fees 1,000 CNY per
# shipment for truck groupage and 700 CNY for rail LCL (assumptions: of the order of the TIR
# groupage US$150 and rail LCL US$100 fees), at least 100 kg / 1 W/M.
GMS_GRP_FEE_CNY, GMS_LCL_FEE_CNY = 1_000.0, 700.0

# ---- bonded transit (issue 14), CNY ------------------------------------------------------------
# Bonded LTL (one service per lane, see build_lanes.bonded_rows): the domestic LTL band rates x 1.2
# (bonded premium, assumption: a customs-registered vehicle and driver, GPS e-seal, a return leg
# found less easily), a transit declaration of 300 CNY per shipment (assumption, inside the broker
# range RMB 200-800 per declaration, domain.md §4) and at least 100 CNY; the batches on a departure
# travel on one transit declaration (shipment = departure). No bonded-trucking tariff was found.
BONDED_PREMIUM = 1.2
BONDED_LTL_FEE_CNY = 300.0
BONDED_LTL_MIN_CNY = 100.0

COLUMNS = [
    "lane_id", "service", "carrier", "currency", "valid_from", "valid_to", "basis", "min_charge",
    "fee_per_shipment", "surcharge_pct", "surcharge_per_unit", "divisor_cm3_per_kg", "shipment",
    "source",
]
FX_COLUMNS = ["date", "currency", "cny_per_unit", "source"]


@dataclass(frozen=True)
class Line:
    """One rate line before it is written: amounts in ``currency``."""

    lane_id: str
    service: str
    carrier: str
    basis: str
    breaks: tuple[tuple[float, float], ...]
    source: str
    currency: str = "USD"
    valid_from: dt.date = START
    valid_to: dt.date | None = None
    min_charge: float = 0.0
    fee: float = 0.0
    surcharge_per_unit: float = 0.0
    divisor: int | None = None
    #: what one shipment is: "departure" (our batches on a departure consolidated on one booking)
    #: or "batch" (each batch billed alone)
    shipment: str = "departure"

    def to_eur(self, usd_per_eur: float, fixed_on: dt.date) -> Line:
        """The line re-quoted in EUR at ``usd_per_eur`` (the parity of ``fixed_on``)."""
        k = 1 / usd_per_eur
        return replace(
            self, currency="EUR", breaks=tuple((lo, r * k) for lo, r in self.breaks),
            min_charge=self.min_charge * k, fee=self.fee * k,
            surcharge_per_unit=self.surcharge_per_unit * k,
            source=f"{self.source}; in EUR at {usd_per_eur:.4f} USD/EUR (CFETS parities of "
                   f"{fixed_on.isoformat()}; assumption: a Polish forwarder's yearly EUR tariff)")


def fx_rows() -> list[dict]:
    """data/fx.csv: CNY per USD, EUR and RUB on each fix found."""
    rows = []
    for day, usd, eur, rub, url in FX_FIXES:
        for cur, value in (("EUR", None if eur is None else eur / 100),
                           ("RUB", None if rub is None else 100 / rub),
                           ("USD", None if usd is None else usd / 100)):
            if value is not None:
                rows.append({"date": day.isoformat(), "currency": cur,
                             "cny_per_unit": f"{value:.6f}", "source": f"{XINHUA}: {url}"})
    return rows


def parity(day: dt.date) -> tuple[float, dt.date]:
    """USD per EUR from the latest fix on or before ``day`` that lists both."""
    fix = max((f for f in FX_FIXES if f[0] <= day and f[1] and f[2]), key=lambda f: f[0])
    return fix[2] / fix[1], fix[0]


def entry_of(lane: dict) -> str:
    """The Chinese crossing a lane enters by (its ``via``, or its destination)."""
    return lane["via"] or lane["destination"]


def borders_before(lane: dict, countries: dict[str, str]) -> int:
    """Borders the lane crosses before the Chinese one."""
    return OTHER_BORDERS[(countries[lane["origin"]], FACING[entry_of(lane)])]


def tir_fixed_usd(lane: dict, countries: dict[str, str]) -> float:
    """Carnet and border crossings of one TIR truck on ``lane``."""
    return (TIR_CARNET_USD + ROAD_BORDER_CN_USD
            + ROAD_BORDER_OTHER_USD * borders_before(lane, countries))


def rail_fixed_usd(origin_country: str, entry: str) -> float:
    """Terminals and border crossings of one box entering China at ``entry``."""
    return (RAIL_TERMINALS_USD + RAIL_GAUGE_CHANGE_USD.get(entry, RAIL_GAUGE_CHANGE_OTHER_USD)
            + RAIL_BORDER_OTHER_USD * OTHER_BORDERS[(origin_country, FACING[entry])])


def km_of(lane: dict) -> int:
    """The lane's distance (lanes.csv)."""
    return int(lane["distance_km"])


def air_lines(lane: dict, service: str, country: str = "RU") -> list[Line]:
    """The airline tariff of an air lane (backhaul by origin region, via hub when so)."""
    backhaul, region = AIR_REGION[country]
    k = backhaul * (AIR_VIA_HUB if service == "via_hub" else 1.0)
    haul = "short" if km_of(lane) < AIR_SHORT_HAUL_KM else "long"
    per_kg = AIR_FUEL_USD_KG[haul] + AIR_SECURITY_USD_KG
    how = "direct" if service == "direct" else "via hub"
    return [Line(
        lane_id=lane["lane_id"], service=f"air general cargo {how}",
        carrier=f"airline ({how}) through a forwarder", basis="kg",
        breaks=tuple((lo, r * k) for lo, r in AIR_TARIFF_BREAKS), min_charge=AIR_TARIFF_MIN * k,
        fee=AIR_AWB_USD, surcharge_per_unit=per_kg, divisor=AIR_DIVISOR,
        source=(f"{AIR_TARIFF_SRC} x{backhaul:.3f} backhaul (WorldACD wk44 2024 Europe-origin "
                f"2.13 / Asia-Pacific-origin 3.56 USD/kg, eximin.net"
                + ("" if region == "Europe-origin" else f"; this origin: {region}") + ")"
                + (f" x{AIR_VIA_HUB:.3f} via hub (domain.md §4 2023 via-hub/direct mid-points)"
                   if service == "via_hub" else "")
                + f"; surcharges per chargeable kg: fuel {AIR_FUEL_USD_KG[haul]:.2f} {haul} haul "
                  "(Cargolux EUR 0.55-0.65 2019, Lufthansa EUR 1.05 2023, HK long/short haul "
                  "HKD 6.80/3.40; assumption) + security 0.15 (jetcurrent.com, trucknews.com); "
                  "AWB US$30/shipment (ace-intl-moving.com); volumetric 6000 cm3/kg (IATA)"))]


def tir_lines(lane: dict, countries: dict[str, str], per_km: float) -> list[Line]:
    """The full-truck or the groupage line of a TIR lane."""
    km, fixed = km_of(lane), tir_fixed_usd(lane, countries)
    truck = fixed + per_km * km
    crossings = borders_before(lane, countries)
    base = (f"TIR backhaul truck calibrated on Yiwu-Moscow via Khorgos: US$"
            f"{TIR_OUTBOUND_USD:,.0f}/20 t China->central Russia (mid of 10-12.5k, H1 2024, "
            f"domain.md §4) x{TIR_BACKHAUL} backhaul (assumption, audit F2); this lane: "
            f"US${fixed:,.0f} fixed per truck (TIR carnet 150, assumption; Chinese border 638, "
            f"CAREC CPMM 2022; {crossings} other border(s) x 199, CPMM 2020; "
            f"cpmm.carecprogram.org) + {per_km:.4f}/km x {km:,} km = US${truck:,.0f}")
    if lane["lane_id"].startswith("TIR_FTL_"):
        return [Line(lane_id=lane["lane_id"], service="TIR full truck (backhaul)",
                     carrier="TIR carrier", basis="vehicle", breaks=((0, per_km * km),),
                     fee=fixed, source=base)]
    sold_kg = TIR_TRUCK_M3 * 1e6 / ROAD_DIVISOR * GROUPAGE_LOAD_FACTOR
    rate = truck / sold_kg * (1 + GROUPAGE_MARGIN)
    return [Line(
        lane_id=lane["lane_id"], service="TIR groupage (backhaul space)",
        carrier="TIR groupage consolidator", basis="kg", breaks=((0, rate),),
        min_charge=rate * GROUPAGE_MIN_KG, fee=GROUPAGE_FEE_USD, divisor=ROAD_DIVISOR,
        source=(f"{base}; sold per chargeable kg at 333 kg/m3 over 85 m3 x {GROUPAGE_LOAD_FACTOR} "
                f"load factor = {sold_kg:,.0f} kg a truck, +{GROUPAGE_MARGIN:.0%} margin; "
                f"US${GROUPAGE_FEE_USD:.0f}/shipment consolidation and handling, minimum "
                f"{GROUPAGE_MIN_KG:.0f} kg (assumptions: no published groupage tariff found)"))]


def rail_lines(lane: dict, countries: dict[str, str]) -> list[Line]:
    """The box or the LCL lines of a rail lane, one per validity period."""
    km, entry = km_of(lane), entry_of(lane)
    fixed = rail_fixed_usd(countries[lane["origin"]], entry)
    ref_fixed = rail_fixed_usd(countries[RAIL_REF_ORIGIN], RAIL_REF_ENTRY)
    lines = []
    for start, end, outbound, why in RAIL_PERIODS:
        per_km = (outbound * RAIL_BACKHAUL - ref_fixed) / RAIL_REF_KM
        box = fixed + per_km * km
        base = (f"rail backhaul box calibrated on Yiwu-Moscow 10,150 km: {why} x{RAIL_BACKHAUL} "
                f"backhaul (assumption: surplus boxes, audit F6); this lane: US${fixed:,.0f} fixed "
                f"per box (terminals "
                f"2 x 150, assumption; gauge change at {entry} "
                f"{RAIL_GAUGE_CHANGE_USD.get(entry, RAIL_GAUGE_CHANGE_OTHER_USD):.0f}, CAREC "
                f"{RAIL_GAUGE_CHANGE_SRC.get(entry, RAIL_GAUGE_CHANGE_OTHER_SRC)}; "
                f"{OTHER_BORDERS[(countries[lane['origin']], FACING[entry])]} other border(s) x "
                f"215, CPMM 2022; cpmm.carecprogram.org) + {per_km:.4f}/km x {km:,} km "
                f"= US${box:,.0f}")
        if lane["lane_id"].startswith("RAIL_FEU_"):
            lines.append(Line(lane_id=lane["lane_id"], service="rail 40' HC box (block train)",
                              carrier="block-train operator", basis="vehicle",
                              breaks=((0, per_km * km),), fee=fixed, source=base,
                              valid_from=start, valid_to=end))
            continue
        sold = RAIL_FEU_M3 * LCL_LOAD_FACTOR
        rate = box / sold * (1 + LCL_MARGIN)
        lines.append(Line(
            lane_id=lane["lane_id"], service="rail groupage LCL (W/M)",
            carrier="rail LCL consolidator", basis="wm",
            breaks=tuple((lo, rate * f) for lo, f in LCL_BREAKS), min_charge=rate * LCL_MIN_WM,
            fee=LCL_FEE_USD, valid_from=start, valid_to=end,
            source=(f"{base}; LCL per revenue tonne W/M: 76.2 m3 x {LCL_LOAD_FACTOR} = {sold:.1f} "
                    f"W/M sold a box, +{LCL_MARGIN:.0%} margin, -5% from 5 W/M, -10% from 10 "
                    f"W/M, US${LCL_FEE_USD:.0f}/shipment CFS fee (assumptions); minimum 1 W/M "
                    "(rail LCL minimum 1 cbm, fardanza.org)")))
    return lines


def road_lines(lane: dict) -> list[Line]:
    """The domestic truck (FTL or light truck) or LTL line of a delivery lane, in CNY."""
    km = km_of(lane)
    if lane["lane_id"].startswith("ROAD_TRK_"):
        if km <= LIGHT_MAX_KM:
            return [Line(lane_id=lane["lane_id"], service="domestic light truck 4.2 m",
                         carrier="domestic trucker", currency="CNY", basis="vehicle",
                         breaks=((0, LIGHT_CNY_KM * km),), fee=LIGHT_FIXED_CNY,
                         source=(f"4.2 m light truck {LIGHT_FIXED_CNY:.0f} CNY + {LIGHT_CNY_KM} "
                                 f"CNY/km x {km} km (assumption, audit F10)"))]
        return [Line(lane_id=lane["lane_id"], service="domestic FTL 13.6 m trailer",
                     carrier="domestic trucker", currency="CNY", basis="vehicle",
                     breaks=((0, FTL_CNY_KM * km),),
                     source=(f"13.5 m truck line price 7,125 CNY Tianjin-Shanghai ~1,150 km (CFLP "
                             f"2015-08, audit F9) x CFLP road-freight index 1,051.19/1,027.6 "
                             f"(2025-09/2015-08, chinawuliu.com.cn) = {FTL_CNY_KM:.2f} CNY/km "
                             f"x {km} km"))]
    base = 2 * FTL_CNY_KM / FTL_KG * km + LTL_HANDLING_CNY_KG
    return [Line(lane_id=lane["lane_id"], service="domestic LTL", carrier="LTL network",
                 currency="CNY", basis="kg", breaks=tuple((lo, base * f) for lo, f in LTL_BANDS),
                 min_charge=LTL_MIN_CNY, divisor=ROAD_DIVISOR, shipment="batch",
                 source=(f"LTL +500 kg band = 2 x trailer cost per kg-km ({FTL_CNY_KM:.2f} CNY/km "
                         f"/ 24 t, CFLP) x {km} km + 0.20 CNY/kg handling = {base:.3f} CNY/kg; "
                         "bands x1.5 from 0, x1.25 from 100, x0.9 from 1,000, x0.8 from 3,000 "
                         "kg; minimum 50 CNY a ticket; chargeable at 333 kg/m3 (assumptions, "
                         "audit F10); each batch is its own ticket (it goes to its own "
                         "consignees in the seller cluster)"))]


def usd_per_cny(day: dt.date) -> float:
    """USD per CNY at the latest CFETS fix on or before ``day``."""
    fix = max((f for f in FX_FIXES if f[0] <= day and f[1]), key=lambda f: f[0])
    return 100 / fix[1]


def sea_lines(lane: dict) -> list[Line]:
    """The 40' HC box or the LCL lines of a sea lane, one per validity period (USD)."""
    hub = lane["origin"]
    key, factor, how = SEA_BASE[hub]
    eur_usd, eur_day = parity(D(2026, 1, 27))
    lines = []
    for start, end, base, why in SEA_PERIODS:
        box = base[key] * factor
        k = usd_per_cny(start)
        dest = SEA_DEST_CNY_PER_BOX * k
        src = (f"sea backhaul into China: {why}; this hub: {how} = US${box:,.0f} per 40' box; "
               f"every Chinese seaport of the hub alike (base-port parity, assumption)")
        if lane["lane_id"].startswith("SEA_FCL_"):
            lines.append(Line(
                lane_id=lane["lane_id"], service="sea FCL 40' HC (backhaul)",
                carrier="ocean carrier", basis="vehicle", breaks=((0, box),), fee=dest,
                valid_from=start, valid_to=end,
                source=(f"{src}; + destination charges {SEA_DEST_CNY_PER_BOX:,} CNY a box (THC "
                        "1,250, D/O 250, EIR 60, DOC 500, EDI 100, LO-LO 300; KCN Shipping Ningbo "
                        f"import, kcnshipping.com) = US${dest:,.0f} at the CFETS parity of "
                        f"{start.isoformat()}")))
            continue
        sold = SEA_BOX_M3 * SEA_LCL_LOAD_FACTOR
        rate = box / sold * (1 + SEA_LCL_MARGIN) + SEA_LCL_DEST_CNY_PER_WM * k
        fee = SEA_LCL_ORIGIN_EUR * eur_usd + SEA_LCL_DEST_CNY_PER_SHIPMENT * k
        lines.append(Line(
            lane_id=lane["lane_id"], service="sea LCL (W/M)", carrier="LCL consolidator",
            basis="wm", breaks=tuple((lo, rate * f) for lo, f in LCL_BREAKS),
            min_charge=rate * LCL_MIN_WM, fee=fee, valid_from=start, valid_to=end,
            source=(f"{src}; LCL per W/M: box over 67 m3 x {SEA_LCL_LOAD_FACTOR} = {sold:.1f} W/M, "
                    f"+{SEA_LCL_MARGIN:.0%} margin (assumptions) + destination THC 50 CNY/W/M "
                    "(mackweldon.cn) and destuffing 50 CNY/W/M (assumption); per shipment: origin "
                    "documentation EUR 50 + consolidation EUR 40 (ship-together.com 2026) at "
                    f"{eur_usd:.4f} USD/EUR (CFETS {eur_day.isoformat()}) + destination DOC 150 "
                    "(mackweldon.cn), D/O 250, EDI 100 CNY (kcnshipping.com) = "
                    f"US${fee:,.0f}; -5% from 5 W/M, -10% from 10 W/M (assumption); minimum 1 W/M "
                    "(xzzgzbsc.com.cn); one house B/L for our batches on a sailing (shipment = "
                    "departure, assumption)")))
    return lines


def gms_truck_cny(km: int) -> tuple[float, float]:
    """(fixed per truck, per-km part) of a South-East Asia cross-border truck, CNY."""
    return GMS_BORDER_CNY + GMS_DOCS_CNY, FTL_CNY_KM * GMS_ROAD_PREMIUM * km


def gms_lines(lane: dict) -> list[Line]:
    """A South-East Asia land lane: truck, truck groupage, rail box or rail LCL (CNY)."""
    lid = lane["lane_id"]
    km = km_of(lane)
    fixed, run = gms_truck_cny(km)
    base = (f"cross-border truck: {FTL_CNY_KM:.2f} CNY/km (CFLP line price, audit F9) x "
            f"{GMS_ROAD_PREMIUM} foreign-road premium (assumption) x {km:,} km + per truck "
            f"border transshipment 900 CNY (800-1,000 a truck, english.thesaigontimes.vn, China "
            f"Daily 2025-06-06) + 300 CNY documents (assumption) = {fixed + run:,.0f} CNY")
    if lid.startswith("GMS_TRK_FTL_"):
        return [Line(lane_id=lid, service="cross-border truck (GMS)", carrier="Guangxi/Yunnan "
                     "trucker", currency="CNY", basis="vehicle", breaks=((0, run),), fee=fixed,
                     source=base)]
    if lid.startswith("GMS_TRK_GRP_"):
        sold = 85.0 * 1e6 / ROAD_DIVISOR * GROUPAGE_LOAD_FACTOR
        rate = (fixed + run) / sold * (1 + GROUPAGE_MARGIN)
        return [Line(lane_id=lid, service="cross-border truck groupage (GMS)",
                     carrier="groupage consolidator", currency="CNY", basis="kg",
                     breaks=((0, rate),), min_charge=rate * GROUPAGE_MIN_KG, fee=GMS_GRP_FEE_CNY,
                     divisor=ROAD_DIVISOR,
                     source=(f"{base}; per chargeable kg at 333 kg/m3 over 85 m3 x "
                             f"{GROUPAGE_LOAD_FACTOR} = {sold:,.0f} kg, +{GROUPAGE_MARGIN:.0%} "
                             f"margin, {GMS_GRP_FEE_CNY:,.0f} CNY/shipment, minimum "
                             f"{GROUPAGE_MIN_KG:.0f} kg (assumptions)"))]
    # rail: half the truck over the rail lane's own distance
    fixed_r, run_r = (GMS_RAIL_FACTOR * x for x in gms_truck_cny(km))
    rail = (f"rail box = {GMS_RAIL_FACTOR} x a cross-border truck over the rail distance (trains "
            "halve the road freight: Vietnam Railways, sggpnews.org.vn 2017; China-Laos railway "
            "'nearly one-half', transportjournal.com 2022): truck "
            f"{FTL_CNY_KM:.2f} CNY/km (CFLP) x {GMS_ROAD_PREMIUM} (assumption) x {km:,} km + "
            f"900 border (China Daily 2025) + 300 documents (assumption) -> {fixed_r + run_r:,.0f} "
            "CNY a 40' box")
    if lid.startswith("GMS_RAIL_FEU_"):
        return [Line(lane_id=lid, service="rail 40' HC box (China-Laos / China-Vietnam)",
                     carrier="rail operator", currency="CNY", basis="vehicle",
                     breaks=((0, run_r),), fee=fixed_r, source=rail)]
    sold = RAIL_FEU_M3 * LCL_LOAD_FACTOR
    rate = (fixed_r + run_r) / sold * (1 + LCL_MARGIN)
    return [Line(lane_id=lid, service="rail LCL (W/M)", carrier="rail LCL consolidator",
                 currency="CNY", basis="wm", breaks=tuple((lo, rate * f) for lo, f in LCL_BREAKS),
                 min_charge=rate * LCL_MIN_WM, fee=GMS_LCL_FEE_CNY,
                 source=(f"{rail}; LCL per W/M: 76.2 m3 x {LCL_LOAD_FACTOR} = {sold:.1f} W/M, "
                         f"+{LCL_MARGIN:.0%} margin, {GMS_LCL_FEE_CNY:,.0f} CNY/shipment CFS fee, "
                         "volume breaks as rail LCL (assumptions); minimum 1 W/M"))]


def bonded_lines(lane: dict) -> list[Line]:
    """The bonded LTL line of a bonded-transit lane (CNY)."""
    km = km_of(lane)
    base = (2 * FTL_CNY_KM / FTL_KG * km + LTL_HANDLING_CNY_KG) * BONDED_PREMIUM
    return [Line(lane_id=lane["lane_id"], service="bonded LTL (under customs seal)",
                 carrier="bonded LTL network", currency="CNY", basis="kg",
                 breaks=tuple((lo, base * f) for lo, f in LTL_BANDS),
                 min_charge=BONDED_LTL_MIN_CNY, fee=BONDED_LTL_FEE_CNY, divisor=ROAD_DIVISOR,
                 source=(f"domestic LTL +500 kg band (2 x CFLP trailer cost per kg-km x {km:,} km "
                         f"+ 0.20 CNY/kg, audit F10) x {BONDED_PREMIUM} bonded premium = "
                         f"{base:.3f} CNY/kg, bands as domestic LTL; {BONDED_LTL_FEE_CNY:,.0f} CNY "
                         "transit declaration per shipment (inside RMB 200-800 a declaration, "
                         f"domain.md §4), minimum {BONDED_LTL_MIN_CNY:,.0f} CNY (assumptions); one "
                         "transit declaration for the batches on a departure"))]


def in_currency(line: Line, origin: str) -> Iterator[Line]:
    """The line as quoted: in USD/CNY as built, or for a EUR origin re-quoted each year."""
    if origin not in EUR_ORIGINS or line.currency != "USD":
        yield line
        return
    for start, end in EUR_YEARS:
        if (line.valid_to is not None and start > line.valid_to) or (
                end is not None and end < line.valid_from):
            continue
        usd_per_eur, fixed_on = parity(start)
        ends = [e for e in (end, line.valid_to) if e is not None]
        yield replace(line.to_eur(usd_per_eur, fixed_on), valid_from=max(start, line.valid_from),
                      valid_to=min(ends) if ends else None)


def lines_of(lane: dict, countries: dict[str, str], services: dict[str, str],
             tir_per_km: float) -> list[Line]:
    """Every rate line of a lane of lanes.csv."""
    lid = lane["lane_id"]
    if lid.startswith("AIR_"):
        return air_lines(lane, services[lid], countries[lane["origin"]])
    if lid.startswith("SEA_"):
        return sea_lines(lane)
    if lid.startswith("GMS_"):
        return gms_lines(lane)
    if lid.startswith("BND_"):
        return bonded_lines(lane)
    if lid.startswith("TIR_"):
        return tir_lines(lane, countries, tir_per_km)
    if lid.startswith("RAIL_"):
        return rail_lines(lane, countries)
    if lid.startswith("ROAD_"):
        return road_lines(lane)
    raise ValueError(f"no rate card rule for lane {lid}")


def num(x: float, nd: int) -> str:
    """``x`` rounded to ``nd`` decimals, without trailing zeros."""
    return format(round(x, nd), f".{nd}f").rstrip("0").rstrip(".")


def row_of(line: Line, break_cols: list[int]) -> dict:
    """The CSV row of a line."""
    row = {
        "lane_id": line.lane_id, "service": line.service, "carrier": line.carrier,
        "currency": line.currency, "valid_from": line.valid_from.isoformat(),
        "valid_to": "" if line.valid_to is None else line.valid_to.isoformat(),
        "basis": line.basis, "min_charge": num(line.min_charge, 2),
        "fee_per_shipment": num(line.fee, 2), "surcharge_pct": "0",
        "surcharge_per_unit": num(line.surcharge_per_unit, 4),
        "divisor_cm3_per_kg": "" if line.divisor is None else str(line.divisor),
        "shipment": line.shipment,
        "source": line.source,
    }
    rates = dict(line.breaks)
    nd = 2 if line.basis == "vehicle" else 4
    for lo in break_cols:
        row[f"+{lo}"] = num(rates[lo], nd) if lo in rates else ""
    return row


def build(lanes: list[dict], countries: dict[str, str],
          services: dict[str, str]) -> list[Line]:
    """Every rate line of every lane, in lanes.csv order."""
    ref = next(ln for ln in lanes if ln["lane_id"] == TIR_REF_LANE)
    tir_per_km = ((TIR_OUTBOUND_USD * TIR_BACKHAUL - tir_fixed_usd(ref, countries))
                  / km_of(ref))
    return [q for lane in lanes for ln in lines_of(lane, countries, services, tir_per_km)
            for q in in_currency(ln, lane["origin"])]


def main() -> None:
    """Rewrite data/rates.csv and data/fx.csv from data/lanes.csv and data/ports.yaml."""
    import build_lanes  # the sibling generator: the air services of its lanes

    ports = yaml.safe_load((HERE / "ports.yaml").read_text(encoding="utf-8"))
    countries = {n["id"]: n["country"] for n in ports["nodes"]}
    services = {f"AIR_{o}_{d}": s for o, d, s in build_lanes.AIR_LANES}
    with (HERE / "lanes.csv").open(encoding="utf-8", newline="") as fh:
        lanes = list(csv.DictReader(fh))
    lines = build(lanes, countries, services)
    break_cols = sorted({lo for ln in lines for lo, _ in ln.breaks})
    with (HERE / "rates.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS + [f"+{lo}" for lo in break_cols],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(row_of(ln, break_cols) for ln in lines)
    fx = fx_rows()
    with (HERE / "fx.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FX_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(fx)
    print(f"wrote {len(lines)} rate lines for {len(lanes)} lanes to {HERE / 'rates.csv'} and "
          f"{len(fx)} exchange rates to {HERE / 'fx.csv'}")


if __name__ == "__main__":
    main()
