"""The Python API's two functions: solve a scenario with pandas views, compare plans.

Reached as ``optimizer.solve`` and ``optimizer.compare`` (``optimizer/__init__`` imports this
module on first use).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from optimizer.analysis.compare import Comparison
from optimizer.analysis.compare import compare as compare_plans
from optimizer.domain import Scenario
from optimizer.inputs import load_scenario
from optimizer.outputs.tables import TabularPlan
from optimizer.plan import Plan
from optimizer.planning.pipeline import run


def solve(scenario: Scenario | str | Path, *, same_route_baseline: bool = True,
          scheduler: str | None = None) -> TabularPlan:
    """Plan a scenario (a loaded one, or the path of its YAML); the plan is verified.

    The plan has pandas views: ``routes``, ``vehicles`` and ``totals``. ``scheduler``: a Dask
    scheduler's address (``tcp://HOST:PORT``) to solve the independent groups of batches on
    (``returnroute solve --scheduler``); the same plan when every group is proven optimal.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    return TabularPlan.of(run(scenario, same_route_baseline=same_route_baseline,
                              scheduler=scheduler))


def compare(items: Sequence[Plan | Scenario | str | Path]) -> Comparison:
    """Compare plans (scenarios and paths are solved first): ``.table`` and ``.changes``."""
    return compare_plans([item if isinstance(item, Plan) else solve(item) for item in items])
