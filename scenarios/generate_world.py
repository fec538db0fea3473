"""Generate the returns of the "world" scenarios of issue 14 (seeded, reproducible to the byte).

- ``returns/us-sea-air.csv`` (``us-sea-air.yaml``): a week of returns from Los Angeles and New
  York to sellers in Shenzhen, Guangzhou, Yiwu, Ningbo and Hangzhou, where sea (LCL or a 40' box)
  competes with air: pallets of unsold overseas-warehouse stock (9810), small urgent high-value
  parcels with deadlines, standalone lithium batteries (UN3480) and flammable liquids (Class 3),
  bonded-zone goods (1210) and ordinary retail returns (9610);
- ``returns/asean-land.csv`` (``asean-land.yaml``): a week of returns from Vientiane, Hanoi and
  Bangkok by the China-Laos railway or a GMS truck into Mohan and by rail or road into Pingxiang,
  with bonded-zone (1210) and B2B (9710) goods that left China through the Kunming or Nanning
  bonded zones and must clear there again (bonded transit from the border), and Bangkok
  warehouse pallets (9810) that left by rail or by sea;
- ``returns/eu-rail-sea-air.csv`` (``eu-rail-sea-air.yaml``): a week of returns from
  Rotterdam, Hamburg, Felixstowe (sea or air) and Warsaw, Minsk (China-Europe rail, TIR or air).

Every parcel is drawn from a *segment* (a kind of return: who sends it back, from where, how it
left China, what it is); each segment says its share of hubs, clusters (or clusters per hub),
export ports, goods classes and return reasons, and its weights, densities, values, export ages
and deadlines. The figures are assumptions unless a source is named, chosen so that every parcel
has a compliant route on the bundled network (data/lanes.csv):

- Hubs, clusters and export ports: nodes of data/ports.yaml. A return that may not change
  customs office (1210, 9810, 9710: rules.yaml DISTRICT) left China through a port its hub has a
  lane (or a lane and a bonded transit, data/lanes.csv ``bonded_road``) back into: 9810 pallets
  shipped out by sea come back by sea to the same port, railed out by rail to the same terminal
  (or, from Minsk, by TIR or rail and bond to the Yiwu office), 1210 goods to their bonded zone
  through a seaport, airport, rail terminal or border crossing and a bonded truck. 9610 may come
  back anywhere (the nationwide rule from 2026-04-01, domain.md section 1).
- One export office per flow: batches are split by export customs office (rules.yaml
  ``same_route_scope: office``) and by goods class, and every batch multiplies the solver's
  model by its few hundred trips (routes x departures), so each (hub, cluster) flow of a segment
  left China through one port and retail segments hold one or two goods classes. That keeps
  each week at 30-45 batches, which SCIP proves optimal in seconds; the same mix spread over
  every airport and class (about 190 batches for 300 US parcels) is not proven optimal in 60 s
  (issue 14 report).
- Goods classes after the IPC cross-border shopper survey (asendia.com, 2017; as in
  generate_3pl_week.py): mostly apparel-type general goods, some consumer electronics (lithium
  batteries in equipment, UN3481). Standalone batteries (power banks, UN3480) and Class 3
  liquids (perfume) are segments of their own, because only some air services take them
  (rules.yaml goods_classes; lanes.csv ``aircraft``, ``dg_accepted``).
- Weights: lognormal around a median per segment (retail parcels 1.2-2 kg, B2B cartons 18 kg,
  pallets 380-420 kg, within 200-700 kg). Densities 70-600 kg/m3 by class, pallets 160-320
  (boxed parcels around the 200 kg/m3 of the courier divisor 5,000; assumption). Values per kg
  lognormal around a median per segment: retail goods 150-220 CNY/kg (220 as
  generate_3pl_week.py, calibrated on the Yiwu case, RMB 700k / 2.6 t, domain.md section 2;
  150 for South-East Asia, assumption), pallets of unsold stock 25-30 CNY/kg (low-value bulky
  goods: assumption), B2B cartons 60 CNY/kg, urgent parcels 1,500 CNY/kg (phones, watches,
  designer goods: assumption).
- Ready dates: the week from ``as_of`` (Mon 18% .. Fri 15%, Sat 10%, Sun 8%, as
  generate_3pl_week.py); one consolidation window (7 days). Export ages lognormal (median 40-90
  days by segment) within 14-300 days, so inside the 1-year window (GAC 2020 No. 44); pallets
  of warehouse stock at most 100-120 days old so that the slowest sea route still declares them
  inside the 6-month tax relief (2026 No. 16): the cases are about the mode, not the relief.
- Deadlines: one date per scenario (a sale the sellers restock for: before the 618 festival in
  the US case, 16 June; before the National Day holiday in the EU case, 25 September; 29 June
  in the ASEAN case), 9-18 days after ready: air makes it, sea does not. Every urgent parcel
  has it, 40% of the US dangerous goods, every dangerous-goods parcel of Rotterdam and Hamburg,
  3-10% of some other segments. One date, because parcels with different deadlines never share
  a batch.
- ``left_area_date`` (1210): 10-120 days after the export declaration into the bonded zone,
  never after ``as_of`` or the ready date (assumption: bonded stock sells within months).

Run: ``python scenarios/generate_world.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
COLUMNS = ["parcel_id", "origin", "destination", "weight_kg", "volume_m3", "value_cny",
           "trade_mode", "export_date", "export_port", "goods_class", "ready_date", "deadline",
           "return_reason", "left_area_date", "order_ref"]
WEEKDAY_P = [0.18, 0.17, 0.16, 0.16, 0.15, 0.10, 0.08]  # Mon..Sun (generate_3pl_week.py)
#: kg per m3 of a boxed parcel by goods class (assumption, as generate_3pl_week.py)
DENSITY: dict[str, tuple[float, float]] = {
    "general": (100, 200), "battery": (180, 320), "battery_standalone": (250, 400),
    "fragile": (70, 140), "liquid": (350, 600), "dg_liquid": (350, 600), "food": (220, 400),
}
RETAIL_REASONS = {"unsold": 0.05, "cancelled": 0.25, "refused": 0.25, "after_sales": 0.25,
                  "quality": 0.08, "specification": 0.04, "other": 0.08}

Shares = dict[str, float]


@dataclass(frozen=True)
class Segment:
    """One kind of return: ``n`` parcels drawn alike.

    ``ports`` maps a (hub, cluster) to the export ports the goods left China through, with
    shares; the key ``(hub, "*")`` or ``("*", cluster)`` or ``("*", "*")`` stands for any.
    """

    name: str
    n: int
    trade_mode: str
    hubs: Shares
    clusters: Shares
    ports: dict[tuple[str, str], Shares]
    classes: Shares
    median_kg: float
    kg: tuple[float, float]
    cny_per_kg: float
    age_days: tuple[float, int, int]  # median, min, max days from export to ready
    reasons: Shares = field(default_factory=lambda: dict(RETAIL_REASONS))
    deadline_share: float = 0.0
    #: hubs whose parcels of this segment never get a deadline (no air service that takes them)
    no_deadline_hubs: frozenset[str] = frozenset()
    weight_sigma: float = 0.8
    #: densities for pallets (kg per m3) instead of the goods class's parcel density
    density: tuple[float, float] | None = None
    #: the clusters by hub, where each hub serves its own (instead of ``clusters``)
    hub_clusters: dict[str, Shares] | None = None


def _pick(rng: np.random.Generator, shares: Shares) -> str:
    """One key of ``shares``, drawn with its share as probability."""
    keys = list(shares)
    p = np.array([shares[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _ports(seg: Segment, hub: str, cluster: str) -> Shares:
    for key in ((hub, cluster), (hub, "*"), ("*", cluster), ("*", "*")):
        if key in seg.ports:
            return seg.ports[key]
    raise KeyError(f"{seg.name}: no export port for {hub} -> {cluster}")


def _dates(rng: np.random.Generator, seg: Segment, as_of: dt.date, deadline_on: dt.date,
           hub: str) -> tuple[dt.date, dt.date, str]:
    """Ready date (the week from as_of), export date (before as_of) and deadline."""
    ready = as_of + dt.timedelta(days=int(rng.choice(7, p=WEEKDAY_P)))
    median, low, high = seg.age_days
    age = int(np.clip(round(rng.lognormal(np.log(median), 0.45)), low, high))
    export = min(ready - dt.timedelta(days=age), as_of - dt.timedelta(days=1))
    deadline = ""
    if hub not in seg.no_deadline_hubs and rng.random() < seg.deadline_share:
        deadline = deadline_on.isoformat()
    return ready, export, deadline


def _left_area(rng: np.random.Generator, trade_mode: str, export: dt.date, ready: dt.date,
               as_of: dt.date) -> str:
    """1210 goods: the day they left the bonded zone (10-120 days after export)."""
    if trade_mode != "1210":
        return ""
    left = export + dt.timedelta(days=int(rng.integers(10, 121)))
    return min(left, ready, as_of).isoformat()


def _parcel(rng: np.random.Generator, seg: Segment, world: World, pid: str) -> dict[str, str]:
    """One parcel row of the segment."""
    hub = _pick(rng, seg.hubs)
    cluster = _pick(rng, seg.hub_clusters[hub] if seg.hub_clusters else seg.clusters)
    port = _pick(rng, _ports(seg, hub, cluster))
    goods = _pick(rng, seg.classes)
    weight = float(np.clip(rng.lognormal(np.log(seg.median_kg), seg.weight_sigma), *seg.kg))
    volume = max(weight / rng.uniform(*(seg.density or DENSITY[goods])), 0.0001)
    value = max(10.0, weight * rng.lognormal(np.log(seg.cny_per_kg), 0.5))
    ready, export, deadline = _dates(rng, seg, world.as_of, world.deadline, hub)
    return {
        "parcel_id": pid, "origin": hub, "destination": cluster, "weight_kg": f"{weight:.2f}",
        "volume_m3": f"{volume:.4f}", "value_cny": f"{value:.2f}",
        "trade_mode": seg.trade_mode, "export_date": export.isoformat(), "export_port": port,
        "goods_class": goods, "ready_date": ready.isoformat(), "deadline": deadline,
        "return_reason": _pick(rng, seg.reasons),
        "left_area_date": _left_area(rng, seg.trade_mode, export, ready, world.as_of),
        "order_ref": f"{seg.name}-{int(rng.integers(10**6, 10**7))}"}


@dataclass(frozen=True)
class World:
    """One scenario's returns: its segments, planning date, deadline, id prefix and seed."""

    segments: tuple[Segment, ...]
    as_of: dt.date
    #: the one date every deadline of the scenario falls on (a sale the sellers restock for):
    #: parcels with different deadlines would each make a batch of their own
    deadline: dt.date
    prefix: str
    seed: int


def generate(world: World) -> list[dict[str, str]]:
    """Every segment's parcels from one seeded generator, numbered in order."""
    rng = np.random.default_rng(world.seed)
    rows: list[dict[str, str]] = []
    for seg in world.segments:
        for _ in range(seg.n):
            rows.append(_parcel(rng, seg, world, f"{world.prefix}{len(rows) + 1:05d}"))
    return rows


# --- us-sea-air ---------------------------------------------------------------------------------

#: retail export port of each cluster's goods: the sellers' airport (one customs office per
#: cluster, so a cluster's parcels consolidate: batches are split by export office)
US_AIRPORT = {"SHENZHEN_SELLERS": "SZX_AIRPORT", "GUANGZHOU_SELLERS": "CAN_AIRPORT",
              "YIWU_SELLERS": "HGH_AIRPORT", "NINGBO_SELLERS": "NGB_AIRPORT",
              "HANGZHOU_SELLERS": "HGH_AIRPORT"}
#: the seaport a cluster's sea-borne goods left from
US_SEAPORT = {"SHENZHEN_SELLERS": "SHENZHEN_PORT", "GUANGZHOU_SELLERS": "NANSHA_PORT",
              "YIWU_SELLERS": "NINGBO_PORT", "NINGBO_SELLERS": "NINGBO_PORT",
              "HANGZHOU_SELLERS": "SHANGHAI_PORT"}
US_HUBS = {"LOS_ANGELES": 0.6, "NEW_YORK": 0.4}


def us_world() -> World:
    """Los Angeles and New York, one week of returns ready from Monday 2026-06-01."""
    one = {("*", c): {p: 1.0} for c, p in US_AIRPORT.items()}
    return World((
        # unsold stock of US overseas warehouses (9810), shipped out by sea, back through the
        # same port (no New York - Nansha service: Guangzhou's stock is not in New York)
        Segment("US-PALLET", 26, "9810", US_HUBS,
                {"YIWU_SELLERS": 0.4, "SHENZHEN_SELLERS": 0.35, "NINGBO_SELLERS": 0.25},
                {("*", c): {US_SEAPORT[c]: 1.0}
                 for c in ("YIWU_SELLERS", "SHENZHEN_SELLERS", "NINGBO_SELLERS")},
                {"general": 0.85, "fragile": 0.15},
                median_kg=420, kg=(250, 700), cny_per_kg=25, age_days=(80, 45, 120),
                reasons={"unsold": 0.85, "other": 0.15}, weight_sigma=0.3,
                density=(160, 320)),
        # phones, watches, designer goods the sellers want back before the 618 festival
        Segment("US-URGENT", 30, "9610", US_HUBS,
                {"SHENZHEN_SELLERS": 0.5, "HANGZHOU_SELLERS": 0.25, "YIWU_SELLERS": 0.25},
                one, {"general": 0.7, "battery": 0.3},
                median_kg=1.2, kg=(0.2, 6), cny_per_kg=1500, age_days=(40, 14, 150),
                reasons={"after_sales": 0.4, "refused": 0.3, "quality": 0.3},
                deadline_share=1.0),
        # power banks (UN3480) and perfume (Class 3), shipped out by sea: they fly only on the
        # services that take them
        Segment("US-DG", 20, "9610", US_HUBS, {"SHENZHEN_SELLERS": 1.0},
                {("*", "SHENZHEN_SELLERS"): {"SHENZHEN_PORT": 1.0}},
                {"battery_standalone": 0.6, "dg_liquid": 0.4},
                median_kg=2.0, kg=(0.3, 15), cny_per_kg=250, age_days=(60, 14, 200),
                deadline_share=0.4),
        # ordinary retail returns (9610)
        Segment("US-RETAIL", 110, "9610", US_HUBS,
                {"YIWU_SELLERS": 0.25, "SHENZHEN_SELLERS": 0.25, "GUANGZHOU_SELLERS": 0.2,
                 "HANGZHOU_SELLERS": 0.15, "NINGBO_SELLERS": 0.15},
                one, {"general": 1.0},
                median_kg=2.0, kg=(0.2, 25), cny_per_kg=220, age_days=(60, 14, 300),
                deadline_share=0.03),
        # goods sold out of the Ningbo and Hangzhou bonded zones (1210): back through the
        # zone's office, entering at a seaport or airport and on under bond
        Segment("US-BONDED", 24, "1210", US_HUBS,
                {"NINGBO_SELLERS": 0.6, "HANGZHOU_SELLERS": 0.4},
                {("*", "NINGBO_SELLERS"): {"NINGBO_CBEC": 1.0},
                 ("*", "HANGZHOU_SELLERS"): {"HANGZHOU_CBEC": 1.0}},
                {"general": 1.0},
                median_kg=1.5, kg=(0.2, 20), cny_per_kg=220, age_days=(90, 30, 300),
                deadline_share=0.1),
    ), as_of=dt.date(2026, 6, 1), deadline=dt.date(2026, 6, 16), prefix="US", seed=20260601)


# --- asean-land ---------------------------------------------------------------------------------


def asean_world() -> World:
    """Vientiane, Hanoi and Bangkok, one week of returns ready from Monday 2026-06-15."""
    # the corridor each hub's retail goods left by: Mohan (China-Laos railway, Kunming-Bangkok
    # road) for Laos and Thailand, Pingxiang (Youyiguan) for Vietnam
    corridor = {("VIENTIANE", "*"): {"MOHAN": 1.0}, ("BANGKOK", "*"): {"MOHAN": 1.0},
                ("HANOI", "*"): {"PINGXIANG": 1.0}}
    zone = {("VIENTIANE", "*"): {"KUNMING_CBEC": 1.0}, ("BANGKOK", "*"): {"KUNMING_CBEC": 1.0},
            ("HANOI", "*"): {"NANNING_CBEC": 1.0}}
    return World((
        Segment("AS-RETAIL", 100, "9610", {"VIENTIANE": 0.3, "HANOI": 0.45, "BANGKOK": 0.25},
                {"GUANGZHOU_SELLERS": 0.35, "SHENZHEN_SELLERS": 0.25, "YIWU_SELLERS": 0.4},
                corridor, {"general": 0.75, "battery": 0.15, "fragile": 0.1},
                median_kg=1.5, kg=(0.2, 20), cny_per_kg=150, age_days=(45, 14, 300),
                deadline_share=0.05),
        # bonded-zone goods (1210): the Kunming zone (for Laos and Thailand) or the Nanning
        # zone (for Vietnam); they clear there again, after a bonded truck from the border
        Segment("AS-BONDED", 40, "1210", {"VIENTIANE": 0.4, "BANGKOK": 0.2, "HANOI": 0.4},
                {"GUANGZHOU_SELLERS": 0.5, "SHENZHEN_SELLERS": 0.5},
                zone, {"general": 0.85, "battery": 0.15},
                median_kg=1.5, kg=(0.2, 20), cny_per_kg=150, age_days=(80, 30, 300)),
        # B2B cartons (9710): general returned-goods procedure, at the original export office:
        # the crossing they left by, or the bonded zone they were declared in
        Segment("AS-B2B", 40, "9710", {"VIENTIANE": 0.5, "HANOI": 0.5},
                {"GUANGZHOU_SELLERS": 0.5, "YIWU_SELLERS": 0.5},
                {("VIENTIANE", "*"): {"MOHAN": 0.5, "KUNMING_CBEC": 0.5},
                 ("HANOI", "*"): {"PINGXIANG": 0.5, "NANNING_CBEC": 0.5}},
                {"general": 1.0},
                median_kg=18, kg=(5, 60), cny_per_kg=60, age_days=(70, 20, 300),
                reasons={"specification": 0.3, "quality": 0.3, "unsold": 0.4},
                weight_sigma=0.5),
        # overseas-warehouse stock in Bangkok (9810): railed out through Laos via Mohan, or
        # shipped out of Shenzhen (Yantian); back the way it left
        Segment("AS-PALLET", 14, "9810", {"BANGKOK": 1.0},
                {"GUANGZHOU_SELLERS": 0.5, "SHENZHEN_SELLERS": 0.5},
                {("*", "GUANGZHOU_SELLERS"): {"MOHAN": 1.0},
                 ("*", "SHENZHEN_SELLERS"): {"SHENZHEN_PORT": 1.0}},
                {"general": 1.0},
                median_kg=380, kg=(200, 600), cny_per_kg=30, age_days=(80, 45, 120),
                reasons={"unsold": 1.0}, weight_sigma=0.3, density=(160, 320)),
    ), as_of=dt.date(2026, 6, 15), deadline=dt.date(2026, 6, 29), prefix="AS", seed=20260615)


# --- eu-rail-sea-air ----------------------------------------------------------------------------

EU_PORT_HUBS = ("ROTTERDAM", "HAMBURG", "FELIXSTOWE")
EU_LAND_HUBS = ("WARSAW", "MINSK")
#: where each cluster's retail goods left China: from the ports' hinterland by air (one
#: airport per cluster), towards Warsaw and Minsk on the train from the cluster's terminal
EU_AIRPORT = {"YIWU_SELLERS": "HGH_AIRPORT", "NINGBO_SELLERS": "PVG_AIRPORT",
              "SHENZHEN_SELLERS": "SZX_AIRPORT", "ZHENGZHOU_SELLERS": "CGO_AIRPORT"}
EU_TRAIN = {"YIWU_SELLERS": "YIWU_RAIL", "NINGBO_SELLERS": "YIWU_RAIL",
            "SHENZHEN_SELLERS": "ALASHANKOU", "ZHENGZHOU_SELLERS": "ZHENGZHOU_RAIL"}
EU_SEAPORT = {"YIWU_SELLERS": "NINGBO_PORT", "NINGBO_SELLERS": "NINGBO_PORT",
              "SHENZHEN_SELLERS": "SHENZHEN_PORT", "ZHENGZHOU_SELLERS": "SHANGHAI_PORT"}


def _by_hub(sea: dict[str, str], land: dict[str, str]) -> dict[tuple[str, str], Shares]:
    """Export ports by (hub, cluster): ``sea`` for the port hubs, ``land`` for the rail hubs."""
    out = {(h, c): {p: 1.0} for h in EU_PORT_HUBS for c, p in sea.items()}
    out.update({(h, c): {p: 1.0} for h in EU_LAND_HUBS for c, p in land.items()})
    return out


def eu_world() -> World:
    """Rotterdam, Hamburg, Felixstowe, Warsaw and Minsk, one week from Monday 2026-09-07.

    Each hub serves a few seller clusters (a forwarder's return lanes), so the week makes about
    30 batches: a size SCIP proves optimal in seconds (see the scenario file)."""
    hubs = {"ROTTERDAM": 0.25, "HAMBURG": 0.2, "FELIXSTOWE": 0.1, "WARSAW": 0.25,
            "MINSK": 0.2}
    retail_clusters = {
        "ROTTERDAM": {"YIWU_SELLERS": 0.6, "SHENZHEN_SELLERS": 0.4},
        "HAMBURG": {"YIWU_SELLERS": 0.5, "ZHENGZHOU_SELLERS": 0.5},
        "FELIXSTOWE": {"SHENZHEN_SELLERS": 1.0},
        "WARSAW": {"YIWU_SELLERS": 0.5, "ZHENGZHOU_SELLERS": 0.5},
        "MINSK": {"YIWU_SELLERS": 0.5, "SHENZHEN_SELLERS": 0.5}}
    retail = _by_hub(EU_AIRPORT, EU_TRAIN)
    return World((
        Segment("EU-RETAIL", 110, "9610", hubs, {}, retail, {"general": 1.0},
                median_kg=1.8, kg=(0.2, 25), cny_per_kg=220, age_days=(70, 14, 300),
                hub_clusters=retail_clusters),
        # parcels the sellers want back before the National Day holiday (Golden Week)
        Segment("EU-URGENT", 24, "9610", {"ROTTERDAM": 0.4, "HAMBURG": 0.3, "WARSAW": 0.3},
                {}, retail, {"general": 0.7, "battery": 0.3},
                median_kg=1.2, kg=(0.2, 6), cny_per_kg=1500, age_days=(40, 14, 150),
                reasons={"after_sales": 0.4, "refused": 0.3, "quality": 0.3},
                deadline_share=1.0,
                hub_clusters={"ROTTERDAM": {"SHENZHEN_SELLERS": 1.0},
                              "HAMBURG": {"YIWU_SELLERS": 1.0},
                              "WARSAW": {"YIWU_SELLERS": 1.0}}),
        # power banks and perfume with a deadline, from the hubs whose airports have a cargo
        # aircraft that takes dangerous goods (Rotterdam, Hamburg into Pudong) ...
        Segment("EU-DG-AIR", 10, "9610", {"ROTTERDAM": 0.5, "HAMBURG": 0.5},
                {"SHENZHEN_SELLERS": 1.0}, _by_hub(EU_SEAPORT, EU_TRAIN),
                {"battery_standalone": 0.6, "dg_liquid": 0.4},
                median_kg=2.0, kg=(0.3, 15), cny_per_kg=250, age_days=(60, 14, 120),
                deadline_share=1.0),
        # ... and power banks from Felixstowe and Warsaw, whose air services take none
        Segment("EU-DG-SURFACE", 8, "9610", {"FELIXSTOWE": 0.5, "WARSAW": 0.5},
                {"SHENZHEN_SELLERS": 1.0}, _by_hub(EU_SEAPORT, EU_TRAIN),
                {"battery_standalone": 1.0},
                median_kg=2.0, kg=(0.3, 15), cny_per_kg=250, age_days=(60, 14, 120)),
        # overseas-warehouse stock (9810): out by sea from the cluster's port to the port hubs,
        # by train to Warsaw and Minsk; back the way it left
        Segment("EU-PALLET", 28, "9810",
                {"ROTTERDAM": 0.3, "HAMBURG": 0.2, "FELIXSTOWE": 0.1, "WARSAW": 0.25,
                 "MINSK": 0.15},
                {}, _by_hub(EU_SEAPORT, EU_TRAIN), {"general": 1.0},
                median_kg=420, kg=(250, 700), cny_per_kg=25, age_days=(70, 45, 100),
                reasons={"unsold": 0.85, "other": 0.15}, weight_sigma=0.3,
                density=(160, 320),
                hub_clusters={"ROTTERDAM": {"YIWU_SELLERS": 0.5, "SHENZHEN_SELLERS": 0.5},
                              "HAMBURG": {"ZHENGZHOU_SELLERS": 1.0},
                              "FELIXSTOWE": {"SHENZHEN_SELLERS": 1.0},
                              "WARSAW": {"ZHENGZHOU_SELLERS": 1.0},
                              "MINSK": {"YIWU_SELLERS": 1.0}}),
        # bonded-zone goods (1210): Ningbo's zone sells to the Netherlands, Zhengzhou's to
        # Poland; back through the zone's office under bond
        Segment("EU-BONDED", 18, "1210", {"ROTTERDAM": 0.5, "WARSAW": 0.5}, {},
                {("ROTTERDAM", "*"): {"NINGBO_CBEC": 1.0},
                 ("WARSAW", "*"): {"ZHENGZHOU_CBEC": 1.0}},
                {"general": 1.0},
                median_kg=1.5, kg=(0.2, 20), cny_per_kg=220, age_days=(90, 30, 300),
                hub_clusters={"ROTTERDAM": {"NINGBO_SELLERS": 1.0},
                              "WARSAW": {"ZHENGZHOU_SELLERS": 1.0}}),
        # B2B cartons (9710): out by sea from Ningbo, or on the train via Alashankou
        Segment("EU-B2B", 14, "9710", {"ROTTERDAM": 0.5, "WARSAW": 0.5}, {},
                {("ROTTERDAM", "*"): {"NINGBO_PORT": 1.0}, ("WARSAW", "*"): {"ALASHANKOU": 1.0}},
                {"general": 1.0},
                median_kg=18, kg=(5, 60), cny_per_kg=60, age_days=(70, 20, 150),
                reasons={"specification": 0.3, "quality": 0.3, "unsold": 0.4},
                weight_sigma=0.5,
                hub_clusters={"ROTTERDAM": {"YIWU_SELLERS": 1.0},
                              "WARSAW": {"ZHENGZHOU_SELLERS": 1.0}}),
    ), as_of=dt.date(2026, 9, 7), deadline=dt.date(2026, 9, 25), prefix="EU", seed=20260907)


#: returns file name: its world
WORLDS = {"us-sea-air.csv": us_world, "asean-land.csv": asean_world,
          "eu-rail-sea-air.csv": eu_world}


def rows_for(name: str) -> list[dict[str, str]]:
    """The rows of one returns file (``us-sea-air.csv``, ...)."""
    return generate(WORLDS[name]())


def write(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} parcels to {path}")


def main() -> None:
    """Write the three returns files."""
    for name in WORLDS:
        write(HERE / "returns" / name, rows_for(name))


if __name__ == "__main__":
    main()
