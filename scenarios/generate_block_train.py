"""Generate ``returns/block-train.csv``: two weeks of a marketplace's returns from its Moscow hub
(seeded, reproducible to the byte), for the wait-or-go scenario ``block-train.yaml``.

A marketplace collects cancelled and refused parcels at its Moscow returns hub and brings them
back to sellers in Yiwu and Zhengzhou. Parcels are ready at the hub every day from Mon
2026-06-01 to Sun 2026-06-14 (``as_of`` 2026-06-01, nationwide regime). The bundled lanes
leave Moscow on schedules (data/lanes.csv): the block train (rail, 40' boxes bought whole) once a
week, TIR groupage on Mondays and Thursdays, full TIR trucks and flights every day. The file is
sized so that a week of one cluster's parcels fills most of a 40' box, which is what makes the
train cheap per kg: a batch ready on Friday can wait six days for it, or leave on Monday by
truck; a batch with a deadline cannot wait.

Sources and assumptions (shared/domain.md is cited as "domain.md"):

- Hub, clusters and export port: MOSCOW, YIWU_SELLERS and ZHENGZHOU_SELLERS, KHORGOS (nodes of
  data/ports.yaml). Every parcel left China as a 9610 retail export through Khorgos, the
  Yiwu-Moscow TIR corridor of the Yiwu case (domain.md §2); the nationwide rule lets 9610
  returns clear at any CBEC site (domain.md §1), so the export district does not limit the
  routes. Cluster shares Yiwu 60%, Zhengzhou 40%: assumption.
- Volume: 6,400 parcels in two weeks, about 20 t (assumption: a large marketplace's Moscow
  returns to two seller bases; a week of Yiwu's parcels is about 6 t and 45 m3, more than half
  a 40' box of 76.2 m3, domain.md §3).
- Goods classes: general 82%, battery 10%, fragile 8%; densities (kg per m3) general 100-200,
  battery 180-320, fragile 70-140; value per kg lognormal (sigma 0.6) around general 220,
  battery 450, fragile 160 CNY. As generate_3pl_week.py (the general-goods value calibrated on
  the Yiwu case, RMB 700k / 2.6 t = 269 CNY/kg, domain.md §2); the rest: assumption.
- Weights: lognormal, median 2.5 kg (sigma 0.7), kept to 0.2-40 kg. Assumption: household and
  apparel returns pooled by a marketplace hub, heavier than the average outbound parcel (the
  Yiwu case: 5 kg a parcel, domain.md §2).
- Ready dates: weekday profile Mon 18%, Tue 17%, Wed 16%, Thu 16%, Fri 15%, Sat 10%, Sun 8%
  (assumption, as generate_3pl_week.py).
- Export dates: a lognormal age before the ready date, median 60 days (sigma 0.4), kept to
  14-120 days, so every parcel is declared well inside the 1-year return window and the 6-month
  tax relief whichever departure it takes (assumption: this scenario is about time on the way
  back, not about stale goods or tax).
- Deadlines: 3% of the general and fragile parcels must be back within 6 days of being ready
  (only air makes it), 5% of all parcels within 16 days (a TIR truck makes it, the train does
  not). Assumption: sellers who need stock back for a promotion or a claim.

Run: ``python scenarios/generate_block_train.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "returns" / "block-train.csv"
COLUMNS = ["parcel_id", "origin", "destination", "weight_kg", "volume_m3", "value_cny",
           "trade_mode", "export_date", "export_port", "goods_class", "ready_date", "deadline"]
SEED = 20260601
N_PARCELS = 6400
START = dt.date(2026, 6, 1)  # a Monday: the scenario's as_of
DAYS = 14
WEEKDAY_P = [0.18, 0.17, 0.16, 0.16, 0.15, 0.10, 0.08]  # Mon..Sun (assumption, see above)
HUB, EXPORT_PORT, TRADE_MODE = "MOSCOW", "KHORGOS", "9610"
#: seller cluster: share of parcels (assumption)
CLUSTERS = {"YIWU_SELLERS": 0.6, "ZHENGZHOU_SELLERS": 0.4}
#: goods class: (share, density kg/m3 low-high, median CNY per kg); see above
CLASSES: dict[str, tuple[float, tuple[float, float], float]] = {
    "general": (0.88, (100, 200), 220.0),
    "battery": (0.12, (180, 320), 450.0),
}
AIR_FORBIDDEN = {"battery"}  # data/rules.yaml goods_classes
MEDIAN_KG, SIGMA_KG, KG_RANGE = 4.0, 0.7, (0.2, 40.0)
#: days from the export release to the ready date (median 60, kept to this range)
AGE_DAYS = (14, 120)
#: deadlines: (share, days after ready); tight ones only for goods that may fly
TIGHT, MEDIUM = (0.03, 6), (0.05, 20)


def _pick(rng: np.random.Generator, shares: dict[str, float]) -> str:
    """One key of ``shares``, drawn with its share as probability."""
    keys = list(shares)
    p = np.array([shares[k] for k in keys])
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _ready(rng: np.random.Generator) -> dt.date:
    """A day of the two weeks, by the weekday profile."""
    week = int(rng.integers(0, DAYS // 7))
    return START + dt.timedelta(days=7 * week + int(rng.choice(7, p=WEEKDAY_P)))


def _deadline(rng: np.random.Generator, ready: dt.date, goods: str) -> str:
    """A tight or a medium deadline for a few parcels, else blank."""
    draw = rng.random()
    if goods not in AIR_FORBIDDEN and draw < TIGHT[0]:
        return (ready + dt.timedelta(days=TIGHT[1])).isoformat()
    if TIGHT[0] <= draw < TIGHT[0] + MEDIUM[0]:
        return (ready + dt.timedelta(days=MEDIUM[1])).isoformat()
    return ""


def _parcel(rng: np.random.Generator, i: int) -> dict[str, str]:
    """One parcel row."""
    cluster = _pick(rng, CLUSTERS)
    goods = _pick(rng, {g: v[0] for g, v in CLASSES.items()})
    _, (dens_lo, dens_hi), cny_per_kg = CLASSES[goods]
    weight = float(np.clip(rng.lognormal(np.log(MEDIAN_KG), SIGMA_KG), *KG_RANGE))
    ready = _ready(rng)
    age = int(np.clip(round(rng.lognormal(np.log(60), 0.4)), *AGE_DAYS))
    value = max(10.0, weight * rng.lognormal(np.log(cny_per_kg), 0.6))
    return {
        "parcel_id": f"BT{i + 1:05d}", "origin": HUB, "destination": cluster,
        "weight_kg": f"{weight:.2f}",
        "volume_m3": f"{max(weight / rng.uniform(dens_lo, dens_hi), 0.0001):.4f}",
        "value_cny": f"{value:.2f}", "trade_mode": TRADE_MODE,
        "export_date": (ready - dt.timedelta(days=age)).isoformat(),
        "export_port": EXPORT_PORT, "goods_class": goods, "ready_date": ready.isoformat(),
        "deadline": _deadline(rng, ready, goods)}


def block_train(seed: int = SEED, n: int = N_PARCELS) -> list[dict[str, str]]:
    """The two weeks' parcels, drawn one by one from a single seeded generator, in ready order
    (then by id)."""
    rng = np.random.default_rng(seed)
    rows = [_parcel(rng, i) for i in range(n)]
    return sorted(rows, key=lambda r: (r["ready_date"], r["parcel_id"]))


def write(path: Path, rows: list[dict[str, str]]) -> None:
    """Write the parcels as a returns CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    """Write ``returns/block-train.csv``."""
    rows = block_train()
    write(OUT, rows)
    print(f"wrote {len(rows)} parcels to {OUT}")


if __name__ == "__main__":
    main()
