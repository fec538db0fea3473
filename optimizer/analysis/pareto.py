"""Pareto fronts: cost against transit time and against CO2e, by varying their prices.

The scenario is solved at a ladder of prices for a transit day and for a tonne of CO2e (a sweep
of ``objective.cny_per_transit_day`` and ``objective.cny_per_t_co2e``); the non-dominated plans
of each ladder form its front.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.analysis.sweep import SweepRow, run_points

DAY_PRICES = (0, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000)
CO2_PRICES = (0, 200, 1_000, 5_000, 20_000, 100_000, 500_000)
#: (front name, the figure traded against cost, the price varied)
AXES = (("time", "mean_transit_days", "objective.cny_per_transit_day"),
        ("co2e", "co2e_kg", "objective.cny_per_t_co2e"))


def front(rows: Sequence[SweepRow], other: str) -> list[SweepRow]:
    """The non-dominated rows for (cost_cny, ``other``), both minimised, by cost."""
    ok = sorted((r for r in rows if r.cost_cny is not None and getattr(r, other) is not None),
                key=lambda r: (r.cost_cny, getattr(r, other)))
    kept: list[SweepRow] = []
    best = math.inf
    for r in ok:
        if getattr(r, other) < best - 1e-9:
            kept.append(r)
            best = getattr(r, other)
    return kept


@dataclass(frozen=True, slots=True)
class Fronts:
    """The solved points of both ladders and their fronts."""

    scenario: str
    days: tuple[SweepRow, ...]
    co2: tuple[SweepRow, ...]

    def front(self, name: str) -> list[SweepRow]:
        """The front named ``time`` or ``co2e``."""
        rows, other = (self.days, "mean_transit_days") if name == "time" else (self.co2,
                                                                                "co2e_kg")
        return front(rows, other)

    def to_dict(self) -> dict[str, Any]:
        """pareto.json."""
        return {"scenario": self.scenario,
                "time": {"points": [r.flat() for r in self.days],
                         "front": [r.flat() for r in self.front("time")]},
                "co2e": {"points": [r.flat() for r in self.co2],
                         "front": [r.flat() for r in self.front("co2e")]}}

    def rows(self) -> list[dict[str, Any]]:
        """pareto.csv: every point, marked with the front it is on."""
        on_time = {id(r) for r in self.front("time")}
        on_co2 = {id(r) for r in self.front("co2e")}
        return ([{**r.flat(), "front": "time" if id(r) in on_time else ""} for r in self.days]
                + [{**r.flat(), "front": "co2e" if id(r) in on_co2 else ""} for r in self.co2])


def pareto(scenario: Path, name: str, *, workers: int = 2, scheduler: str | None = None,
           progress: Callable[[int, int], None] | None = None) -> Fronts:
    """Solve the scenario at every price of both ladders and keep the fronts."""
    day_points = [{"objective.cny_per_transit_day": v} for v in DAY_PRICES]
    co2_points = [{"objective.cny_per_t_co2e": v} for v in CO2_PRICES]
    rows = run_points(scenario, day_points + co2_points, workers=workers, scheduler=scheduler,
                      progress=progress)
    return Fronts(name, tuple(rows[:len(day_points)]), tuple(rows[len(day_points):]))
