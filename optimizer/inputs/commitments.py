"""Commitments: batches a scenario (or a re-plan's previous plan) fixes on a trip.

Every commitment is checked against the returns and the network before anything is planned, so
a typo or a stale plan is an input error with its place and a did-you-mean, never a traceback
or a silently different plan.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

from optimizer.domain import Commitment, Network, Parcel
from optimizer.inputs.files import Collector

#: the parcel fields every parcel of one committed batch must share (a batch travels as one)
SHARED = ("origin", "destination", "goods_class", "trade_mode")


def _near(word: str, known: Sequence[str]) -> str:
    found = difflib.get_close_matches(word, known, n=1)
    return f" (did you mean {found[0]}?)" if found else ""


def check_commitments(path: Path, commitments: tuple[Commitment, ...],
                      parcels: Sequence[Parcel], network: Network) -> tuple[Commitment, ...]:
    """The commitments, after checking each names known parcels (each in one commitment only)
    sharing hub, seller cluster, goods class and trade mode, and a chain of known lanes from
    that hub to that cluster through its return port, leaving on a day the first lane runs."""
    col = Collector(path)
    by_id = {p.parcel_id: p for p in parcels}
    owner: dict[str, str] = {}
    ids: set[str] = set()
    for i, c in enumerate(commitments):
        where = f"commitments[{i}] ({c.batch_id})"
        if c.batch_id in ids:
            col.add(where, "batch_id", f"batch {c.batch_id} is committed twice")
        ids.add(c.batch_id)
        mine = _parcels(col, where, c, by_id, owner)
        if mine:
            _lanes(col, where, c, mine[0], network)
    col.raise_if_any()
    return commitments


def _parcels(col: Collector, where: str, c: Commitment, by_id: dict[str, Parcel],
             owner: dict[str, str]) -> list[Parcel]:
    mine = []
    for pid in c.parcel_ids:
        if pid not in by_id:
            col.add(where, "parcel_ids", f"parcel {pid} is not in the returns"
                    + _near(pid, sorted(by_id)))
            continue
        if pid in owner:
            col.add(where, "parcel_ids", f"parcel {pid} is also in the commitment of "
                    f"{owner[pid]}")
            continue
        owner[pid] = c.batch_id
        mine.append(by_id[pid])
    for name in SHARED:
        values = sorted({getattr(p, name) for p in mine})
        if len(values) > 1:
            col.add(where, "parcel_ids", f"its parcels differ in {name} ({', '.join(values)}): "
                    "a committed batch travels as one")
    return mine


def _lanes(col: Collector, where: str, c: Commitment, first: Parcel, network: Network) -> None:
    lanes = network.lanes
    unknown = [lid for lid in c.lanes if lid not in lanes]
    for lid in unknown:
        col.add(where, "lanes", f"unknown lane {lid}" + _near(lid, sorted(lanes)))
    if unknown:
        return
    chain = [lanes[lid] for lid in c.lanes]
    at = first.origin
    for lane in chain:
        if lane.origin != at:
            col.add(where, "lanes", f"lane {lane.lane_id} starts at {lane.origin}, not at {at} "
                    "where the goods are")
            return
        at = lane.destination
    if at != first.destination:
        col.add(where, "lanes", f"the lanes end at {at}, not at the parcels' seller cluster "
                f"{first.destination}")
    if c.return_port not in {lane.destination for lane in chain}:
        col.add(where, "return_port", f"{c.return_port} is not where one of its lanes ends")
    if not chain[0].schedule.departs_on(c.depart_date):
        col.add(where, "depart_date", f"{chain[0].lane_id} does not leave on {c.depart_date} "
                f"(schedule {chain[0].schedule.text()})")
