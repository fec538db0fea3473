"""Parameter sweeps: solve a scenario at many points, in parallel.

A point is a set of scenario keys (dotted paths) and values, applied on top of the base scenario
like ``optimizer.load_scenario(base, **keys)``. Shortcuts: ``rates.MODE`` (a rate multiplier),
``rates.lane.LANE_ID``, ``capacity.MODE`` (a multiplier of the vehicles per departure); any
other path is a scenario key (``objective.cny_per_transit_day``, ``as_of``,
``overrides.pilots.XIAN`` ...).

Points run in a local process pool, or on a Dask cluster given its scheduler address (an
existing distributed engine, not a home-made one); results come back in point order.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from optimizer.errors import InputError, Problem
from optimizer.inputs import load_scenario
from optimizer.inputs.files import read_yaml
from optimizer.planning.pipeline import run

ALIASES = {
    "rates": ("overrides", "rates", "modes"),
    "capacity": ("overrides", "capacity", "modes"),
}
TOP_KEYS = {"as_of", "policy", "objective", "solver", "consolidation", "overrides", "rules",
            "name", "description"}
MODES = ("tir_road", "rail", "air", "road", "sea", "bonded_road")


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


def _read_sweep_doc(path: Path) -> SweepIn:
    """The validated sweep document; schema errors and unknown parameters raise InputError.

    Every parameter name is checked here, before any point is built, so a typo fails fast.
    """
    raw = read_yaml(path)
    try:
        doc = SweepIn.model_validate(raw)
    except ValidationError as err:
        raise InputError([Problem(str(path), ".".join(str(x) for x in e["loc"]), "", e["msg"])
                          for e in err.errors(include_url=False)]) from None
    for name in doc.params:
        key_path(name)
    return doc


def _grid_values(path: Path, name: str, p: _ParamIn) -> list[Any]:
    """A grid parameter's values: its ``values``, or ``num`` points from ``from`` to ``to``."""
    if p.values is not None:
        return p.values
    if None not in (p.start, p.stop, p.num):
        return [round(float(v), 10) for v in
                np.linspace(p.start, p.stop, p.num)]  # type: ignore[arg-type]
    raise InputError([Problem(str(path), f"params.{name}", "",
                              "a grid needs values or from/to/num")])


def _draw_param(rng: np.random.Generator, path: Path, name: str, p: _ParamIn) -> Any:
    """One random draw of a parameter: one of its ``values``, or uniform in [low, high].

    ``from``/``to`` stand in for a missing ``low``/``high``. The draws consume the generator in
    point order, then parameter order, so a seed gives the same points every time.
    """
    if p.values is not None:
        return p.values[int(rng.integers(0, len(p.values)))]
    low = p.low if p.low is not None else p.start
    high = p.high if p.high is not None else p.stop
    if low is None or high is None:
        raise InputError([Problem(str(path), f"params.{name}", "",
                                  "random draws need values or low/high")])
    return round(float(rng.uniform(low, high)), 6)


def _random_file_points(path: Path, doc: SweepIn) -> list[dict[str, Any]]:
    """``doc.samples`` points drawn with the document's seed."""
    rng = np.random.default_rng(doc.seed)
    return [{name: _draw_param(rng, path, name, p) for name, p in doc.params.items()}
            for _ in range(doc.samples)]


def read_sweep_file(path: Path) -> tuple[Path, list[dict[str, Any]]]:
    """A sweep YAML: its base scenario and its points (grid or seeded random draws)."""
    doc = _read_sweep_doc(path)
    if doc.mode == "grid":
        values = {name: _grid_values(path, name, p) for name, p in doc.params.items()}
        return path.parent / doc.base, grid(values)
    return path.parent / doc.base, _random_file_points(path, doc)


def _die_with_parent(parent: int) -> None:
    """A worker process: have the kernel kill it when the process that runs the sweep dies,
    even by SIGKILL (Linux ``PR_SET_PDEATHSIG``), so no worker outlives a killed run. (The
    command's own supervisor stops the whole process group on Ctrl-C and SIGTERM; this covers
    a SIGKILL, which only the kernel sees.)"""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(128 + signal.SIGKILL)


@dataclass(frozen=True, slots=True)
class SweepRow:
    """One solved point of a sweep: its parameters and what the plan came to."""

    params: Mapping[str, Any]
    status: str
    error: str | None = None
    cost_cny: float | None = None
    objective_cny: float | None = None
    gap: float | None = None
    air_baseline_cny: float | None = None
    saving_vs_air_pct: float | None = None
    co2e_kg: float | None = None
    mean_transit_days: float | None = None
    max_transit_days: int | None = None
    vehicles: int | None = None
    batches_unrouted: int | None = None
    total_cny: float | None = None
    disposal_cny: float | None = None
    declarations: int | None = None
    parcels_disposed: int | None = None
    parcels_unrouted: int | None = None
    share_tir_road_pct: float | None = None
    share_rail_pct: float | None = None
    share_air_pct: float | None = None
    share_sea_pct: float | None = None
    #: international road without a TIR carnet (the GMS trucks through Pingxiang, Mohan)
    share_road_pct: float | None = None
    seconds: float = 0.0

    def flat(self) -> dict[str, Any]:
        """The parameters, then every figure (sweep.csv and sweep.json rows); an input error
        keeps only its parameters, status and error."""
        figures = {f: getattr(self, f) for f in SweepRow.__dataclass_fields__
                   if f not in ("params", "error")}
        if self.status == "INPUT_ERROR":
            return {**self.params, "status": self.status, "error": self.error}
        return {**self.params, **figures}


def solve_point(base: str, point: Mapping[str, Any]) -> SweepRow:
    """Solve the base scenario with ``point`` applied (runs in a worker)."""
    started = time.perf_counter()
    try:
        plan = run(load_scenario(base, **nest(point)), same_route_baseline=False)
    except InputError as err:
        return SweepRow(dict(point), "INPUT_ERROR", error=str(err))
    totals = plan.summary
    kg: dict[str, float] = {m: 0.0 for m in ("tir_road", "rail", "air", "sea", "road")}
    for bp in plan.batches:
        kg[bp.mode] = kg.get(bp.mode, 0.0) + bp.weight_kg
    total_kg = sum(kg.values()) or 1.0
    return SweepRow(
        params=dict(point), status=plan.status, cost_cny=totals.cost_cny,
        objective_cny=plan.objective_cny, gap=plan.gap,
        air_baseline_cny=totals.air_baseline_cny, saving_vs_air_pct=totals.saving_vs_air_pct,
        co2e_kg=totals.co2e_kg, mean_transit_days=totals.mean_transit_days,
        max_transit_days=totals.max_transit_days, vehicles=totals.vehicles,
        batches_unrouted=totals.batches_unrouted, total_cny=totals.total_cny,
        disposal_cny=totals.disposal_cny, declarations=totals.declarations,
        parcels_disposed=totals.parcels_disposed, parcels_unrouted=totals.parcels_unrouted,
        share_tir_road_pct=100 * kg["tir_road"] / total_kg,
        share_rail_pct=100 * kg["rail"] / total_kg, share_air_pct=100 * kg["air"] / total_kg,
        share_sea_pct=100 * kg["sea"] / total_kg, share_road_pct=100 * kg["road"] / total_kg,
        seconds=time.perf_counter() - started)


def random_points(params: Mapping[str, Sequence[Any]], samples: int,
                  seed: int) -> list[dict[str, Any]]:
    """``samples`` seeded draws: uniform between the least and greatest of numeric values,
    one of the values otherwise."""
    rng = np.random.default_rng(seed)
    return [{name: _draw(rng, list(values)) for name, values in params.items()}
            for _ in range(samples)]


def _draw(rng: np.random.Generator, values: list[Any]) -> Any:
    if all(isinstance(v, (int, float)) for v in values) and len(values) >= 2:
        return round(float(rng.uniform(min(values), max(values))), 6)
    return values[int(rng.integers(0, len(values)))]


def run_points(base: Path, points: Sequence[Mapping[str, Any]], *, workers: int = 2,
               scheduler: str | None = None,
               progress: Callable[[int, int], None] | None = None) -> list[SweepRow]:
    """Solve every point: serially (workers=1), in a process pool, or on a Dask cluster."""
    base_s = str(base)
    results: list[SweepRow | None] = [None] * len(points)
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
        with ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            futs = {pool.submit(solve_point, base_s, dict(p)): i for i, p in enumerate(points)}
            for fut in as_completed(futs):
                results[futs[fut]] = fut.result()
                tick()
    return [r for r in results if r is not None]




@dataclass(frozen=True, slots=True)
class Sweep:
    """A finished sweep: its base, parameter names, rows in point order, and how it ran."""

    base: Path
    params: tuple[str, ...]
    rows: tuple[SweepRow, ...]
    seconds: float
    executor: str

    def frame(self) -> Any:
        """The rows as a DataFrame (sweep.csv)."""
        import pandas as pd
        return pd.DataFrame([r.flat() for r in self.rows])

    def to_dict(self) -> dict[str, Any]:
        """sweep.json."""
        import json
        return {"base": str(self.base), "params": list(self.params), "points": len(self.rows),
                "seconds": self.seconds, "executor": self.executor,
                "rows": json.loads(self.frame().to_json(orient="records"))}


def sweep_points(base: Path, params: Sequence[str], samples: int | None,
                 seed: int) -> tuple[Path, list[str], list[dict[str, Any]]]:
    """The base scenario, parameter names and points of a sweep: from a sweep YAML (``base:``
    and ``params:``), or from ``--param NAME=VALUES`` (a grid, or ``samples`` seeded draws)."""
    from optimizer.inputs import read_scenario_doc

    raw = read_scenario_doc(base)
    if "base" in raw and "params" in raw:  # a sweep file
        base, points = read_sweep_file(base)
        return base, list(points[0]) if points else [], points
    if not params:
        raise InputError([Problem("--param", "", "", "give at least one --param, or a sweep "
                                  "YAML with base: and params:")])
    parsed = dict(parse_param(p) for p in params)
    points = random_points(parsed, samples, seed) if samples else grid(parsed)
    return base, list(parsed), points


def sweep(base: Path, params: Sequence[str], points: Sequence[Mapping[str, Any]], *,
          workers: int = 2, scheduler: str | None = None,
          progress: Callable[[int, int], None] | None = None) -> Sweep:
    """Solve every point and time it."""
    started = time.perf_counter()
    rows = run_points(base, points, workers=workers, scheduler=scheduler, progress=progress)
    executor = scheduler or (f"{workers} processes" if workers > 1 else "serial")
    return Sweep(base, tuple(params), tuple(rows), time.perf_counter() - started, executor)
