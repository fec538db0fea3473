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

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the public API, imported on first use (see __getattr__)
    from optimizer.analysis.compare import Comparison
    from optimizer.api import compare, solve
    from optimizer.domain import Scenario
    from optimizer.errors import InputError
    from optimizer.inputs import load_scenario
    from optimizer.plan import Plan

__all__ = ["Comparison", "InputError", "Plan", "Scenario", "compare", "load_scenario", "solve"]

#: where each public name lives; importing ``optimizer`` stays cheap (the console script's
#: supervisor starts before pandas, OR-Tools and the rest are loaded)
_PUBLIC = {
    "Comparison": "optimizer.analysis.compare", "InputError": "optimizer.errors",
    "Plan": "optimizer.plan", "Scenario": "optimizer.domain",
    "load_scenario": "optimizer.inputs", "solve": "optimizer.api", "compare": "optimizer.api",
}


def __getattr__(name: str) -> Any:
    """The public API, imported when first used."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'optimizer' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
