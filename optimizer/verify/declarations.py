"""Return declarations: which routed batches share one, what each pays, and the list of them.

Recomputed from rules.yaml's ``declaration`` rule and the checker's own routes, not from the
planner's grouping (which this package may not import). The routed batches that agree on every
field of ``group_by`` share one declaration, whose values are, per batch: ``return_port`` its
route's return port, ``date`` its declare date (its trip's arrival at the return port plus its
clearance days), ``week`` that date's ISO week (``YYYY-Www``), ``trade_mode``, ``goods_class``,
``origin``, ``destination`` and ``export_district`` its own, ``batch`` its id. The
declaration's id is ``DECL-`` and those values joined by ``-`` in ``group_by`` order, dates
written ``YYYYMMDD``.

Its fixed fee (``declaration.fee_cny``, else the return port's ``clearance_fee_cny``) is paid
once and shared by its batches in proportion to their parcels: a batch's ``clearance`` is its
per-parcel fees plus that share, so the plan's cost counts each fee once. (A batch alone, in a
baseline, a penalty or a counterfactual, lodges a declaration of its own and pays the whole
fee: ``arith.Costing.clearance``.)
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from optimizer.domain import Batch, Scenario
from optimizer.verify.arith import clearance_share, iso_week
from optimizer.verify.problems import KG, Problems, close
from optimizer.verify.routed import Routed


@dataclass
class Group:
    """One declaration as the checker makes it: its routed batches and fixed fee."""

    declaration_id: str
    fee: float
    members: list[Routed] = field(default_factory=list)

    @property
    def parcels(self) -> int:
        """The parcels of its batches."""
        return sum(len(r.batch.parcels) for r in self.members)

    def expected(self) -> dict[str, Any]:
        """What plan.json's entry of this declaration must state (but the rounding)."""
        dates = sorted({r.cost.declared for r in self.members})
        modes = {r.batch.trade_mode for r in self.members}
        return {"declaration_id": self.declaration_id,
                "return_port": self.members[0].route.port.id, "date": dates[0].isoformat(),
                "trade_mode": next(iter(modes)) if len(modes) == 1 else "",
                "fee_cny": self.fee, "batch_ids": sorted(r.bid for r in self.members),
                "parcels": self.parcels,
                "weight_kg": sum(r.batch.weight_kg for r in self.members)}


def declaration_of(b: Batch, bid: str, port: str, declared: dt.date,
                   group_by: Sequence[str]) -> str:
    """The id of the declaration a batch (plan id ``bid``) declared at ``port`` on
    ``declared`` is cleared on: ``DECL-`` and its values of the ``group_by`` fields."""
    values = {"return_port": port, "date": f"{declared:%Y%m%d}",
              "week": iso_week(declared), "trade_mode": b.trade_mode,
              "goods_class": b.goods_class, "origin": b.origin, "destination": b.destination,
              "export_district": b.export_district, "batch": bid}
    return "DECL-" + "-".join(values[name] for name in group_by)


def group(routed: Sequence[Routed], scenario: Scenario) -> dict[str, Group]:
    """The declarations of the routed batches, by id (each group's fee is that of its first
    batch's port: ``group_by`` always holds ``return_port``, so they all share it)."""
    rule = scenario.rules.declaration
    groups: dict[str, Group] = {}
    for r in routed:
        did = declaration_of(r.batch, r.bid, r.route.port.id, r.cost.declared, rule.group_by)
        if did not in groups:
            groups[did] = Group(did, r.cost.fee)
        groups[did].members.append(r)
    return groups


def _check_entry(stated: Mapping[str, Any], g: Group, out: Problems) -> None:
    """One entry of ``declarations`` against the group it names."""
    want = g.expected()
    wrong = [key for key in ("return_port", "date", "trade_mode", "parcels")
             if stated[key] != want[key]]
    if sorted(stated["batch_ids"]) != want["batch_ids"]:
        wrong.append("batch_ids")
    if not close(stated["fee_cny"], want["fee_cny"]):
        wrong.append("fee_cny")
    if not close(stated["weight_kg"], want["weight_kg"], KG * max(1, len(g.members))):
        wrong.append("weight_kg")
    if wrong:
        shown = "; ".join(f"{key} {stated[key]} (batches give {want[key]})" for key in wrong)
        out.add("declaration", g.declaration_id, f"declaration {g.declaration_id}: {shown}")


def _check_list(doc: Mapping[str, Any], groups: Mapping[str, Group], out: Problems) -> None:
    """``declarations``: each group once, sorted by id, each entry its group's figures."""
    listed = [d["declaration_id"] for d in doc["declarations"]]
    for did, n in sorted(Counter(listed).items()):
        if n > 1:
            out.add("declaration", did, f"declaration {did} is listed {n} times (its fee is "
                    "paid once)")
    extra = sorted(set(listed) - set(groups))
    missing = sorted(set(groups) - set(listed))
    for did in extra:
        out.add("declaration", did, f"declaration {did}: no routed batch is declared on it")
    for did in missing:
        out.add("declaration", did, f"declaration {did} of batches "
                f"{sorted(r.bid for r in groups[did].members)} is not listed")
    if listed != sorted(listed):
        out.add("declaration", None, "declarations are not sorted by declaration_id")
    seen: set[str] = set()
    for stated in doc["declarations"]:
        did = stated["declaration_id"]
        if did in groups and did not in seen:
            _check_entry(stated, groups[did], out)
        seen.add(did)


def check_declarations(doc: Mapping[str, Any], routed: Sequence[Routed], scenario: Scenario,
                       out: Problems) -> dict[str, Group]:
    """Each routed batch's declaration id, clearance share and whether it is alone on its
    declaration (set on it for the cost checks that follow), the ``declarations`` list and
    ``totals.declarations``; the declarations the routed batches make, by id."""
    groups = group(routed, scenario)
    for g in groups.values():
        parcels = g.parcels
        for r in g.members:
            r.clearance_share = clearance_share(len(r.batch.parcels), parcels, g.fee, scenario)
            r.declaration_alone = len(g.members) == 1
            stated = r.entry.doc["declaration_id"]
            if stated != g.declaration_id:
                out.add("declaration_id", r.bid, f"batch {r.bid}: declaration_id {stated}, "
                        f"but it is declared on {g.declaration_id} (rules.yaml declaration "
                        f"group_by {list(scenario.rules.declaration.group_by)})")
    _check_list(doc, groups, out)
    stated_n = doc["totals"]["declarations"]
    if stated_n != len(groups):
        out.add("count", None, f"totals.declarations {stated_n} but the routed batches make "
                f"{len(groups)} declarations")
    return groups

