"""What the checker reports: the kinds of problem, the problem type, and the tolerances.

Tolerances are those of plan.json's rounding (money to the fen, weights to the gram, volumes to
a tenth of a litre), a hair over so that float noise in sums never makes a problem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

CENT = 0.0100001  # values in plan.json are rounded to the fen
KG = 1.0001e-3  # weights are rounded to the gram (a hair over, for float noise in the sums)
M3 = 1.0001e-4  # volumes are rounded to a tenth of a litre
#: loads this close to a whole number of vehicles need no more (the planner's float slack)
EPS = 1e-9

#: every kind of problem the checker reports (see the package docstring), by section
KINDS: tuple[str, ...] = (
    "schema",
    "unknown_parcel", "duplicate_parcel", "missing_parcels", "no_parcels", "duplicate_batch",
    "mixed_batch", "window", "batch_id", "weight", "batch_fields",
    "unknown_lane", "leg_mismatch", "route_ends", "legs_disconnected", "revisits_node",
    "not_clearing_port", "entry_point", "return_district", "noncompliant", "compliance_record",
    "batch_mode", "documents",
    "dates", "ready", "schedule", "cutoff", "connection", "arrival", "wait", "wait_saving",
    "storage", "cost_component", "batch_cost", "leg_costs", "co2e", "air_cost", "same_route",
    "vehicle_unknown_lane", "vehicle_entry", "vehicle_batches", "vehicle_fields", "overfull",
    "extra_vehicles", "vehicle_limit", "vehicle_cost", "per_kg_capacity", "no_vehicle",
    "vehicle_share", "load_list", "vehicle_departure",
    "unpriced_departure", "tariff_line", "tariff_fx", "tariff_bill", "tariff_share",
    "unrouted_reason", "unrouted_routable", "would_route", "penalty", "parcel_blocked",
    "declaration_id", "declaration",
    "marginal_cost",
    "disposal_forbidden", "disposal_cost", "disposal_return", "disposal_reason",
    "disposal_why", "disposed_dearer", "unrouted_disposable",
    "total", "count", "saving", "greedy_baseline", "objective", "bound", "gap", "status",
    "meta", "nodes",
)


@dataclass(frozen=True, slots=True)
class PlanProblem:
    """One thing wrong with a plan, typed so that programs and tests need not parse messages.

    ``kind`` is one of ``KINDS``; ``batch`` the batch id or lane departure ('LANE@2025-07-03')
    it concerns, None for the plan as a whole; ``detail`` the message a person reads, which is also
    what ``str()`` gives (the CLI and ``PlanCheckError`` print it as before).
    """

    kind: str
    batch: str | None
    detail: str

    def __str__(self) -> str:
        return self.detail


class Problems:
    """The problems found so far, in the order the sections run."""

    def __init__(self) -> None:
        self.found: list[PlanProblem] = []

    def add(self, kind: str, batch: str | None, detail: str) -> None:
        """Record a problem; an unlisted kind is a bug in this package, not in the plan."""
        if kind not in KINDS:
            raise ValueError(f"unknown problem kind {kind!r}")
        self.found.append(PlanProblem(kind, batch, detail))


def close(a: Any, b: float, tol: float = CENT) -> bool:
    """Whether the document's figure ``a`` is a finite number within ``tol`` of ``b``."""
    return (isinstance(a, (int, float)) and not isinstance(a, bool) and math.isfinite(a)
            and abs(a - b) <= tol)


def close_or_null(a: Any, b: float | None, tol: float = CENT) -> bool:
    """``close``, where None (JSON null) must meet None."""
    if a is None or b is None:
        return a is None and b is None
    return close(a, b, tol)


def money_tol(value: float, terms: int = 1) -> float:
    """The tolerance of a sum of ``terms`` figures rounded to the fen, near ``value``."""
    return CENT * max(1, terms) + 1e-9 * abs(value)


def lane_departure(key: tuple[str, str]) -> str:
    """How a departure of a lane is named in problems: 'LANE@2025-07-03'."""
    return f"{key[0]}@{key[1]}"
