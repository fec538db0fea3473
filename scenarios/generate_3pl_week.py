"""Generate ``returns/3pl-week.csv``: a week of a 3PL's returns (seeded, reproducible to the byte).

A third-party logistics firm collects cancelled and refused parcels at seven foreign hubs and brings
them back to sellers in six Chinese clusters. The file is a benchmark for plan quality: big enough
to need consolidation (about 2,400 parcels, Mon 2026-06-08 .. Sun 2026-06-14, ``as_of``
2026-06-15, nationwide regime), with the awkward parcels a real week holds: ineligible trade
modes (0110), parcels past the 1-year window, parcels near its edge, and a few deadlines.

Sources and assumptions (shared/domain.md is cited as "domain.md"):

- Hubs and clusters: nodes of data/ports.yaml; every (hub, cluster) pair has a lane path in
  data/lanes.csv. Hub shares: assumption (Russia taken as the largest market for China's
  land-route CBEC exports, Kazakhstan next; no published split by hub was found). Cluster
  shares: assumption (Yiwu, the Pearl River Delta and Hangzhou/Ningbo as the big CBEC seller
  bases, domain.md §2 for Yiwu; no published split found).
- Export ports: the goods left China on the hub's corridor (a land or rail crossing the hub has
  lanes to, e.g. Khorgos for Almaty and Moscow, domain.md §2/§3), through a CBEC site near the
  seller, or by air from an airport near the seller. The split by trade mode is an assumption:
  1210 goods leave a bonded area near the seller (for Guangzhou and Shenzhen, which have no CBEC
  site in ports.yaml, the bonded zone at Guangzhou Baiyun airport); B2B modes (9710, 9810) and
  0110 go by freight, never by air; 9610 parcels use all three channels. Batteries and liquids
  never left by air (restricted on air, rules.yaml), so they were not exported from an airport.
- Export ports match the hub: only 9610 may come back into another customs district (nationwide
  rule, domain.md §1), so a non-9610 parcel was exported through a site near the seller only if
  its hub has a lane into that site's district (HUB_REACH, read off data/lanes.csv), else through
  the hub's corridor; and 1210 is drawn only where the hub has such a lane into the bonded area's
  district. The scenario's unroutable parcels are thus the intended ones (0110, stale, tight
  deadlines, window edge), not gaps in the bundled lanes.
- Trade modes: 9610 70%, 9710 7.5%, 9810 7.5%, 1210 12% where the hub reaches the bonded area
  (about 55% of parcels, so 1210 is about 7% overall), 0110 3%. Assumption: a 3PL's parcel
  returns are mostly retail 9610; 0110 (general trade, not return-eligible, rules.yaml) is the
  odd parcel booked under the wrong mode.
- Goods classes: general 72%, battery 12%, fragile 7%, liquid 6%, food 3%. Assumption after the
  IPC cross-border shopper survey (asendia.com, 2017): fashion 33%, consumer electronics 21%,
  health and beauty 13% of cross-border orders; only some electronics ship with lithium cells,
  only some beauty products are liquids.
- Weights: lognormal, median 1.8 kg for retail (9610, 1210) and 6 kg for B2B cartons (9710, 9810,
  0110), 1.5% heavy items of 20-40 kg. Assumption between the IPC survey (66% of cross-border
  parcels <= 1 kg, 4% > 5 kg) and the Yiwu case's 5 kg per parcel (2.6 t in 520 parcels,
  domain.md §2): returns pooled by a 3PL are heavier than the average outbound parcel.
- Volumes: weight / density, densities by goods class (kg per m3; apparel-type general goods
  100-200, batteries 180-320, liquids 350-600, food 220-400, fragile with padding 70-140).
  Assumption: boxed-parcel densities around the 200 kg/m3 of the courier volumetric divisor 5,000.
- Values: weight x a CNY/kg price, lognormal (sigma 0.6) with class medians general 220,
  battery 450, liquid 180, food 90, fragile 160, at least 10 CNY. General goods calibrated on
  the Yiwu case (RMB 700k / 2.6 t = 269 CNY/kg, domain.md §2); the other classes: assumption.
- Ready dates: weekday profile Mon 18%, Tue 17%, Wed 16%, Thu 16%, Fri 15%, Sat 10%, Sun 8%.
  Assumption: hubs inspect and release returns on working days with thin weekend shifts, and
  Monday also clears the weekend's drop-offs.
- Export dates: 96.5% of parcels exported a lognormal age before the ready date (median 75 days,
  sigma 0.45, kept to 14-340 days: about 90% within 1-5 months, some past the 6-month tax
  relief); 2.5% stale (366-450 days, past the 1-year window of GAC 2020 No. 44, domain.md §1);
  1% near the edge (350-364 days). Assumption: cancellations and refusals come back within
  weeks to months; the stale and edge shares are assumptions set to exercise RETURN_WINDOW.
- Deadlines: 5% of parcels carry one, 80% of them 10-30 days after the ready date and 20% tight
  (5-8 days). Assumption: sellers who need stock back for a sale or a claim.

Run: ``python scenarios/generate_3pl_week.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "returns" / "3pl-week.csv"
COLUMNS = ["parcel_id", "origin", "destination", "weight_kg", "volume_m3", "value_cny",
           "trade_mode", "export_date", "export_port", "goods_class", "ready_date", "deadline",
           "order_ref"]
SEED = 20260608
N_PARCELS = 2400
WEEK_START = dt.date(2026, 6, 8)  # a Monday; as_of is the Monday after (2026-06-15)
WEEKDAY_P = [0.18, 0.17, 0.16, 0.16, 0.15, 0.10, 0.08]  # Mon..Sun (assumption, see above)

#: hub: (share of parcels, {corridor export port: share}); ports the hub has lanes to
HUBS: dict[str, tuple[float, dict[str, float]]] = {
    "MOSCOW": (0.36, {"KHORGOS": 0.4, "MANZHOULI": 0.3, "ERENHOT": 0.15, "ALASHANKOU": 0.15}),
    "ST_PETERSBURG": (0.10, {"KHORGOS": 1.0}),
    "NOVOSIBIRSK": (0.08, {"ALASHANKOU": 0.6, "URUMQI_CBEC": 0.4}),
    "ALMATY": (0.16, {"KHORGOS": 0.6, "ALASHANKOU": 0.25, "URUMQI_CBEC": 0.15}),
    "TASHKENT": (0.08, {"IRKESHTAM": 0.5, "KASHGAR_CBEC": 0.5}),
    "MINSK": (0.10, {"ALASHANKOU": 0.6, "KHORGOS": 0.4}),
    "WARSAW": (0.12, {"ALASHANKOU": 0.6, "KHORGOS": 0.4}),
}
#: cluster: (share of parcels, CBEC site or bonded area nearby, airports nearby); the first
#: airport is the bonded area of a cluster with no CBEC site
CLUSTERS: dict[str, tuple[float, str | None, list[str]]] = {
    "YIWU_SELLERS": (0.26, "YIWU_CUSTOMS", ["HGH_AIRPORT", "PVG_AIRPORT"]),
    "SHENZHEN_SELLERS": (0.20, None, ["CAN_AIRPORT"]),
    "GUANGZHOU_SELLERS": (0.16, None, ["CAN_AIRPORT"]),
    "HANGZHOU_SELLERS": (0.14, "HANGZHOU_CBEC", ["HGH_AIRPORT", "PVG_AIRPORT"]),
    "NINGBO_SELLERS": (0.12, "NINGBO_CBEC", ["NGB_AIRPORT", "PVG_AIRPORT"]),
    "ZHENGZHOU_SELLERS": (0.12, "ZHENGZHOU_CBEC", ["CGO_AIRPORT"]),
}
#: customs district of the sites near the sellers (data/ports.yaml)
DISTRICT = {"YIWU_CUSTOMS": "HANGZHOU", "HANGZHOU_CBEC": "HANGZHOU", "NINGBO_CBEC": "NINGBO",
            "ZHENGZHOU_CBEC": "ZHENGZHOU", "CAN_AIRPORT": "GUANGZHOU"}
#: hub: (districts it has road/rail lanes into, districts it has air lanes into); data/lanes.csv
HUB_REACH: dict[str, tuple[set[str], set[str]]] = {
    "MOSCOW": ({"URUMQI", "HANGZHOU", "NINGBO", "ZHENGZHOU", "HOHHOT", "MANZHOULI", "XIAN"},
               {"URUMQI", "HANGZHOU", "NINGBO", "ZHENGZHOU", "XIAN", "SHANGHAI", "GUANGZHOU"}),
    "ST_PETERSBURG": ({"URUMQI", "HANGZHOU"}, {"HANGZHOU", "SHANGHAI"}),
    "NOVOSIBIRSK": ({"URUMQI", "XIAN"}, {"URUMQI", "SHANGHAI"}),
    "ALMATY": ({"URUMQI", "HANGZHOU", "XIAN"}, {"URUMQI", "XIAN", "SHANGHAI"}),
    "TASHKENT": ({"URUMQI"}, {"URUMQI", "SHANGHAI"}),
    "MINSK": ({"URUMQI", "HANGZHOU", "XIAN"}, {"ZHENGZHOU", "SHANGHAI"}),
    "WARSAW": ({"URUMQI", "HANGZHOU", "ZHENGZHOU", "XIAN"}, {"ZHENGZHOU", "SHANGHAI"}),
}
AIR_FORBIDDEN = {"battery", "liquid"}  # data/rules.yaml goods_classes
#: trade mode: (share, median kg, channel shares: corridor, local CBEC site, air)
MODES: dict[str, tuple[float, float, tuple[float, float, float]]] = {
    "9610": (0.70, 1.8, (0.55, 0.25, 0.20)),
    "9710": (0.075, 6.0, (0.70, 0.30, 0.0)),
    "9810": (0.075, 6.0, (0.75, 0.25, 0.0)),
    "1210": (0.12, 1.8, (0.0, 1.0, 0.0)),
    "0110": (0.03, 6.0, (0.60, 0.40, 0.0)),
}
#: goods class: (share, density kg/m3 low-high, median CNY per kg)
CLASSES: dict[str, tuple[float, tuple[float, float], float]] = {
    "general": (0.72, (100, 200), 220.0),
    "battery": (0.12, (180, 320), 450.0),
    "fragile": (0.07, (70, 140), 160.0),
    "liquid": (0.06, (350, 600), 180.0),
    "food": (0.03, (220, 400), 90.0),
}
HEAVY_SHARE, HEAVY_KG = 0.015, (20.0, 40.0)
#: export age kinds: (share, (low, high) days before ready; None: the lognormal body)
AGES: dict[str, tuple[float, tuple[int, int] | None]] = {
    "body": (0.965, None), "stale": (0.025, (366, 450)), "edge": (0.01, (350, 364)),
}
DEADLINE_SHARE, TIGHT_SHARE = 0.05, 0.2


def _pick(rng: np.random.Generator, shares: dict[str, float]) -> str:
    """One key of ``shares``, drawn with its share as probability."""
    keys = list(shares)
    p = np.array([shares[k] for k in keys])
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _bonded_area(cluster: str) -> str:
    """Where the cluster's 1210 goods leave: its CBEC site, else its first airport."""
    _, site, airports = CLUSTERS[cluster]
    return site if site is not None else airports[0]


def _reachable(hub: str, port: str, goods: str) -> bool:
    """Whether the hub has a lane the goods may use into the port's customs district."""
    surface, air = HUB_REACH[hub]
    return DISTRICT[port] in surface or (DISTRICT[port] in air and goods not in AIR_FORBIDDEN)


def _mode(rng: np.random.Generator, hub: str, cluster: str, goods: str) -> str:
    """The trade mode; 1210 only where the goods can come back into the bonded area's district."""
    shares = {m: v[0] for m, v in MODES.items()}
    if not _reachable(hub, _bonded_area(cluster), goods):
        del shares["1210"]
    return _pick(rng, shares)


def _export_port(rng: np.random.Generator, hub: str, cluster: str, mode: str,
                 goods: str) -> str:
    """The export port: on the hub's corridor, a CBEC site near the seller, or an airport."""
    if mode == "1210":
        return _bonded_area(cluster)
    corridor, local, air = MODES[mode][2]
    if goods in AIR_FORBIDDEN:
        local, air = local + air, 0.0
    channel = _pick(rng, {"corridor": corridor, "local": local, "air": air})
    _, site, airports = CLUSTERS[cluster]
    if channel == "air":
        return airports[int(rng.integers(0, len(airports)))]
    if channel == "local" and site is not None and (mode == "9610"
                                                    or _reachable(hub, site, goods)):
        return site
    return _pick(rng, HUBS[hub][1])


def _weight(rng: np.random.Generator, mode: str) -> float:
    """Parcel weight in kg: lognormal around the mode's median, a few heavy items."""
    if rng.random() < HEAVY_SHARE:
        return float(rng.uniform(*HEAVY_KG))
    return float(np.clip(rng.lognormal(np.log(MODES[mode][1]), 0.85), 0.1, 60.0))


def _export_age(rng: np.random.Generator) -> int:
    """Days from the export release to the ready date."""
    kind = _pick(rng, {k: v[0] for k, v in AGES.items()})
    bounds = AGES[kind][1]
    if bounds is None:
        return int(np.clip(round(rng.lognormal(np.log(75), 0.45)), 14, 340))
    return int(rng.integers(bounds[0], bounds[1] + 1))


def _deadline(rng: np.random.Generator, ready: dt.date) -> str:
    """A deadline for about 5% of parcels (a fifth of them tight), else blank."""
    if rng.random() >= DEADLINE_SHARE:
        return ""
    low, high = (5, 8) if rng.random() < TIGHT_SHARE else (10, 30)
    return (ready + dt.timedelta(days=int(rng.integers(low, high + 1)))).isoformat()


def _parcel(rng: np.random.Generator, i: int) -> dict[str, str]:
    """One parcel row."""
    hub = _pick(rng, {h: v[0] for h, v in HUBS.items()})
    cluster = _pick(rng, {c: v[0] for c, v in CLUSTERS.items()})
    goods = _pick(rng, {g: v[0] for g, v in CLASSES.items()})
    mode = _mode(rng, hub, cluster, goods)
    _, (dens_lo, dens_hi), cny_per_kg = CLASSES[goods]
    weight = _weight(rng, mode)
    ready = WEEK_START + dt.timedelta(days=int(rng.choice(7, p=WEEKDAY_P)))
    export = ready - dt.timedelta(days=_export_age(rng))
    value = max(10.0, weight * rng.lognormal(np.log(cny_per_kg), 0.6))
    return {
        "parcel_id": f"TW{i + 1:05d}", "origin": hub, "destination": cluster,
        "weight_kg": f"{weight:.2f}",
        "volume_m3": f"{max(weight / rng.uniform(dens_lo, dens_hi), 0.0001):.4f}",
        "value_cny": f"{value:.2f}", "trade_mode": mode, "export_date": export.isoformat(),
        "export_port": _export_port(rng, hub, cluster, mode, goods), "goods_class": goods,
        "ready_date": ready.isoformat(), "deadline": _deadline(rng, ready),
        "order_ref": f"ORD-{int(rng.integers(10**7, 10**8))}"}


def three_pl_week(seed: int = SEED, n: int = N_PARCELS) -> list[dict[str, str]]:
    """The week's parcels, drawn one by one from a single seeded generator."""
    rng = np.random.default_rng(seed)
    return [_parcel(rng, i) for i in range(n)]


def main() -> None:
    """Write ``returns/3pl-week.csv``."""
    rows = three_pl_week()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} parcels to {OUT}")


if __name__ == "__main__":
    main()
