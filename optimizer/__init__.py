"""returnroute: cheapest compliant return routes for cross-border e-commerce export returns.

The Python API for notebooks::

    import optimizer
    sc = optimizer.load_scenario("scenarios/yiwu-tir-return.yaml")
    plan = optimizer.solve(sc)
    plan.routes        # pandas DataFrame, one row per batch
    plan.vehicles      # pandas DataFrame, one row per lane and week
    plan.totals        # pandas DataFrame, one row
    optimizer.compare([plan, optimizer.solve(optimizer.load_scenario(
        "scenarios/yiwu-tir-return.yaml", policy={"regime": "same_route"}, name="old rule"))])

``load_scenario(path, **keys)`` takes any scenario key on top of the file (``as_of``,
``objective``, ``overrides`` ...). ``compare`` takes plans, scenarios or scenario paths.

The package is layered (imports run one way, checked by import-linter in ``make lint``)::

    cli -> analysis, bench -> planning -> verify, outputs -> compliance -> inputs
        -> plan -> domain, errors
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from optimizer.analysis.compare import Comparison
from optimizer.analysis.compare import compare as compare_plans
from optimizer.domain import Scenario
from optimizer.errors import InputError
from optimizer.inputs import load_scenario
from optimizer.outputs.tables import TabularPlan
from optimizer.plan import Plan
from optimizer.planning.pipeline import run

__all__ = ["Comparison", "InputError", "Plan", "Scenario", "compare", "load_scenario", "solve"]


def solve(scenario: Scenario | str | Path, *, same_route_baseline: bool = True) -> TabularPlan:
    """Plan a scenario (a loaded one, or the path of its YAML); the plan is verified.

    The plan has pandas views: ``routes``, ``vehicles`` and ``totals``.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    return TabularPlan.of(run(scenario, same_route_baseline=same_route_baseline))


def compare(items: Sequence[Plan | Scenario | str | Path]) -> Comparison:
    """Compare plans (scenarios and paths are solved first): ``.table`` and ``.changes``."""
    return compare_plans([item if isinstance(item, Plan) else solve(item) for item in items])
