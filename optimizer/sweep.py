"""Parameter sweeps and Pareto fronts: solve a scenario at many points, in parallel.

A point is a set of scenario keys (dotted paths) and values, applied on top of the base scenario
like ``optimizer.load_scenario(base, **keys)``. Shortcuts: ``rates.MODE`` (a rate multiplier),
``rates.lane.LANE_ID``, ``capacity.MODE`` (a weekly-capacity multiplier); any other path is a
scenario key (``objective.cny_per_transit_day``, ``as_of``, ``overrides.pilots.XIAN`` ...).

Points run in a local process pool, or on a Dask cluster given its scheduler address (an
existing distributed engine, not a home-made one); results come back in point order.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from optimizer.io import InputError, Problem

ALIASES = {
    "rates": ("overrides", "rates", "modes"),
    "capacity": ("overrides", "capacity", "modes"),
}
TOP_KEYS = {"as_of", "policy", "objective", "solver", "consolidation", "overrides", "rules",
            "name", "description"}
MODES = ("tir_road", "rail", "air", "road")


def key_path(name: str) -> tuple[str, ...]:
    """The scenario-document path of a parameter name (shortcuts expanded)."""
    parts = tuple(name.split("."))
    if parts[0] == "rates" and len(parts) == 3 and parts[1] == "lane":
        return ("overrides", "rates", "lanes", parts[2])
    if parts[0] in ALIASES and len(parts) == 2 and parts[1] in MODES:
        return (*ALIASES[parts[0]], parts[1])
    if parts[0] not in TOP_KEYS or (parts[0] in ALIASES and len(parts) == 2):
        raise InputError([Problem("--param", name, "", "unknown parameter: use rates.MODE, "
                                  "rates.lane.LANE_ID, capacity.MODE or a scenario key such "
                                  "as objective.cny_per_transit_day or as_of")])
    return parts


def nest(point: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario keys of a point as a nested mapping."""
    out: dict[str, Any] = {}
    for name, value in point.items():
        node = out
        path = key_path(name)
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return out


def parse_values(spec: str) -> list[Any]:
    """``0.5:1.5:11`` (start:stop:count, inclusive) or ``a,b,c`` (numbers, dates or text)."""
    if spec.count(":") == 2 and "," not in spec:
        try:
            start, stop, num = spec.split(":")
            n = int(num)
            if n < 1:
                raise ValueError
            return [round(float(v), 10) for v in np.linspace(float(start), float(stop), n)]
        except ValueError:
            raise InputError([Problem("--param", spec, "", "expected start:stop:count, e.g. "
                                      "0.5:1.5:11")]) from None
    values: list[Any] = []
    for item in spec.split(","):
        item = item.strip()
        try:
            values.append(int(item) if item.lstrip("-").isdigit() else float(item))
        except ValueError:
            values.append(item)
    return values


def parse_param(text: str) -> tuple[str, list[Any]]:
    """``name=values`` of ``--param``."""
    if "=" not in text:
        raise InputError([Problem("--param", text, "", "expected NAME=VALUES, e.g. "
                                  "rates.air=0.5:1.5:11")])
    name, spec = text.split("=", 1)
    key_path(name.strip())
    return name.strip(), parse_values(spec)


def grid(params: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the values, in a fixed order."""
    points: list[dict[str, Any]] = [{}]
    for name, values in params.items():
        points = [{**p, name: v} for p in points for v in values]
    return points


class _ParamIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    values: list[Any] | None = None
    start: float | None = Field(default=None, alias="from")
    stop: float | None = Field(default=None, alias="to")
    num: int | None = Field(default=None, ge=1, le=10_000)
    low: float | None = None
    high: float | None = None


class SweepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base: str
    mode: str = Field(default="grid", pattern="^(grid|random)$")
    samples: int = Field(default=10, ge=1, le=100_000)
    seed: int = 0
    params: dict[str, _ParamIn]


def read_sweep_file(path: Path) -> tuple[Path, list[dict[str, Any]]]:
    """A sweep YAML: its base scenario and its points (grid or seeded random draws)."""
    from optimizer.io import _read_yaml

    raw = _read_yaml(path)
    try:
        doc = SweepIn.model_validate(raw)
    except ValidationError as err:
        raise InputError([Problem(str(path), ".".join(str(x) for x in e["loc"]), "", e["msg"])
                          for e in err.errors(include_url=False)]) from None
    for name in doc.params:
        key_path(name)
    if doc.mode == "grid":
        values: dict[str, list[Any]] = {}
        for name, p in doc.params.items():
            if p.values is not None:
                values[name] = p.values
            elif None not in (p.start, p.stop, p.num):
                values[name] = [round(float(v), 10) for v in
                                np.linspace(p.start, p.stop, p.num)]  # type: ignore[arg-type]
            else:
                raise InputError([Problem(str(path), f"params.{name}", "",
                                          "a grid needs values or from/to/num")])
        return path.parent / doc.base, grid(values)
    rng = np.random.default_rng(doc.seed)
    points = []
    for _ in range(doc.samples):
        point: dict[str, Any] = {}
        for name, p in doc.params.items():
            if p.values is not None:
                point[name] = p.values[int(rng.integers(0, len(p.values)))]
            else:
                low = p.low if p.low is not None else p.start
                high = p.high if p.high is not None else p.stop
                if low is None or high is None:
                    raise InputError([Problem(str(path), f"params.{name}", "",
                                              "random draws need values or low/high")])
                point[name] = round(float(rng.uniform(low, high)), 6)
        points.append(point)
    return path.parent / doc.base, points


def solve_point(base: str, point: Mapping[str, Any]) -> dict[str, Any]:
    """Solve the base scenario with ``point`` applied; one tidy row (runs in a worker)."""
    from optimizer.io import load_scenario
    from optimizer.pipeline import run

    started = time.perf_counter()
    row: dict[str, Any] = dict(point)
    try:
        plan = run(load_scenario(base, **nest(point)), same_route_baseline=False)
    except InputError as err:
        row.update({"status": "INPUT_ERROR", "error": str(err)})
        return row
    totals = plan.summary
    kg: dict[str, float] = {m: 0.0 for m in ("tir_road", "rail", "air")}
    for bp in plan.batches:
        kg[bp.mode] = kg.get(bp.mode, 0.0) + bp.weight_kg
    total_kg = sum(kg.values()) or 1.0
    row.update({
        "status": plan.status, "cost_cny": totals["cost_cny"], "objective_cny": plan.objective_cny,
        "gap": plan.gap, "air_baseline_cny": totals["air_baseline_cny"],
        "saving_vs_air_pct": totals["saving_vs_air_pct"], "co2e_kg": totals["co2e_kg"],
        "mean_transit_days": totals["mean_transit_days"],
        "max_transit_days": totals["max_transit_days"], "vehicles": totals["vehicles"],
        "batches_unrouted": totals["batches_unrouted"],
        **{f"share_{m}_pct": 100 * kg[m] / total_kg for m in ("tir_road", "rail", "air")},
        "seconds": time.perf_counter() - started})
    return row


def run_points(base: Path, points: Sequence[Mapping[str, Any]], *, workers: int = 2,
               scheduler: str | None = None,
               progress: Callable[[int, int], None] | None = None) -> list[dict[str, Any]]:
    """Solve every point: serially (workers=1), in a process pool, or on a Dask cluster."""
    base_s = str(base)
    results: list[dict[str, Any] | None] = [None] * len(points)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, len(points))

    if scheduler:
        from dask.distributed import Client
        from dask.distributed import as_completed as dask_completed

        with Client(scheduler, timeout=30) as client:
            futures = [client.submit(solve_point, base_s, dict(p), pure=False)
                       for p in points]
            index = {f.key: i for i, f in enumerate(futures)}
            for fut in dask_completed(futures):
                results[index[fut.key]] = fut.result()
                tick()
    elif workers <= 1 or len(points) == 1:
        for i, p in enumerate(points):
            results[i] = solve_point(base_s, p)
            tick()
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futs = {pool.submit(solve_point, base_s, dict(p)): i for i, p in enumerate(points)}
            for fut in as_completed(futs):
                results[futs[fut]] = fut.result()
                tick()
    return [r for r in results if r is not None]


def chart(rows: Sequence[Mapping[str, Any]], params: Iterable[str], title: str) -> bytes:
    """PNG: total landed cost and mode share (of kg) against each parameter."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    params = list(params)
    ok = [r for r in rows if r.get("cost_cny") is not None]
    positions = {name: _positions([r[name] for r in ok]) for name in params}
    fig, axes = plt.subplots(2, len(params), figsize=(5.5 * len(params), 7), squeeze=False)
    for j, name in enumerate(params):
        xs = [positions[name][0][i] for i in range(len(ok))]
        order = sorted(range(len(ok)), key=lambda i: xs[i])
        x = [xs[i] for i in order]
        ax = axes[0][j]
        ax.plot(x, [ok[i]["cost_cny"] for i in order], marker="o", color="#1f4e79")
        ax.set_ylabel("total landed cost (CNY)")
        ax.set_title(f"{title}: cost vs {name}", fontsize=10)
        ax.grid(alpha=0.3)
        ax2 = axes[1][j]
        bottom = np.zeros(len(x))
        for mode, colour in (("tir_road", "#c0504d"), ("rail", "#4f81bd"), ("air", "#9bbb59")):
            share = np.array([ok[i][f"share_{mode}_pct"] for i in order])
            ax2.bar(range(len(x)), share, bottom=bottom, color=colour, label=mode)
            bottom += share
        ax2.set_xticks(range(len(x)), [positions[name][1][i] for i in order], rotation=45,
                       fontsize=8)
        ax2.set_xlabel(name)
        ax2.set_ylabel("share of kg (%)")
        ax2.legend(fontsize=8)
    return _png(fig)


def _png(fig: Any) -> bytes:
    """A matplotlib figure as PNG bytes (and closed)."""
    import io

    import matplotlib.pyplot as plt

    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def _positions(values: Sequence[Any]) -> tuple[list[float], list[str]]:
    """x positions and tick labels: numbers as they are, dates by day, text by sorted order."""
    try:
        return [float(v) for v in values], [f"{float(v):g}" for v in values]
    except (TypeError, ValueError):
        pass
    try:
        days = [dt.date.fromisoformat(str(v)) for v in values]
        return [float(d.toordinal()) for d in days], [d.isoformat() for d in days]
    except ValueError:
        ranks = {v: i for i, v in enumerate(sorted({str(v) for v in values}))}
        return [float(ranks[str(v)]) for v in values], [str(v) for v in values]


# ---- Pareto fronts -----------------------------------------------------------------------------

DAY_PRICES = (0, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000)
CO2_PRICES = (0, 200, 1_000, 5_000, 20_000, 100_000, 500_000)


def front(rows: Sequence[Mapping[str, Any]], other: str) -> list[Mapping[str, Any]]:
    """The non-dominated rows for (cost_cny, ``other``), both minimised, by cost."""
    ok = sorted((r for r in rows if r.get("cost_cny") is not None and r.get(other) is not None),
                key=lambda r: (r["cost_cny"], r[other]))
    kept: list[Mapping[str, Any]] = []
    best = math.inf
    for r in ok:
        if r[other] < best - 1e-9:
            kept.append(r)
            best = r[other]
    return kept


def pareto_chart(days: Sequence[Mapping[str, Any]], co2: Sequence[Mapping[str, Any]],
                 title: str) -> bytes:
    """PNG: cost vs mean transit days and cost vs CO2e, every point and the front."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for ax, rows, key, label in ((axes[0], days, "mean_transit_days", "mean transit days"),
                                 (axes[1], co2, "co2e_kg", "CO2e (kg)")):
        pts = [r for r in rows if r.get("cost_cny") is not None]
        ax.scatter([r[key] for r in pts], [r["cost_cny"] for r in pts], color="#999999",
                   label="solved points")
        fr = front(pts, key)
        ax.plot([r[key] for r in fr], [r["cost_cny"] for r in fr], marker="o",
                color="#c0504d", label="non-dominated")
        ax.set_xlabel(label)
        ax.set_ylabel("total landed cost (CNY)")
        ax.set_title(f"{title}: cost vs {label}", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return _png(fig)
