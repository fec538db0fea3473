"""``returnroute validate | solve | explain | verify | compare | sweep | pareto | bench-cmnd``.

The command line only wires the stages.

Exit codes: 0 solved (also with unrouted batches, which are listed), 2 bad input, 1 internal
error. Bad input is reported as one line per problem (file, row or YAML path, field, what is
wrong), never as a traceback.
"""

from __future__ import annotations

import functools
import io
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from optimizer.cmnd import read_dow, solve_cmnd
from optimizer.compare import compare as compare_plans
from optimizer.io import InputError, Problem, load_scenario, read_scenario_doc
from optimizer.pipeline import prepare, run
from optimizer.report import (
    OUTPUT_FILES,
    explain_rows,
    print_summary,
    to_json,
    write_atomically,
    write_file_atomically,
    write_outputs,
)
from optimizer.report_html import render as render_html
from optimizer.sweep import (
    CO2_PRICES,
    DAY_PRICES,
    chart,
    front,
    grid,
    pareto_chart,
    parse_param,
    read_sweep_file,
    run_points,
)
from optimizer.verify import verify_plan

F = TypeVar("F", bound=Callable[..., Any])
COMPARE_FILES = ("compare.csv", "compare.json")
SWEEP_FILES = ("sweep.csv", "sweep.json", "sweep.png")
PARETO_FILES = ("pareto.csv", "pareto.json", "pareto.png")


def _guarded(fn: F) -> F:
    """Turn InputError into exit code 2 and anything unexpected into exit code 1, no traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as err:
            click.echo("error: invalid input", err=True)
            for p in err.problems:
                click.echo(f"  {p}", err=True)
            sys.exit(2)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:  # `returnroute solve ... | head`: the reader left, not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except Exception as exc:
            click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
            if kwargs.get("debug"):
                traceback.print_exc()
            else:
                click.echo("  (run again with --debug for the traceback; please report it)",
                           err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="optimizer", prog_name="returnroute")
def cli() -> None:
    """Cheapest compliant return routes for cross-border e-commerce export returns into China."""


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def validate(scenario: Path, debug: bool) -> None:
    """Check a scenario and every file it names; print what it contains."""
    sc = load_scenario(scenario)
    prepared = prepare(sc)
    allowed = prepared.allowed()
    no_option = [b.batch_id for b in prepared.batches if not allowed[b.batch_id]]
    click.echo(f"{scenario}: OK")
    click.echo(f"  {len(sc.network.districts)} districts, {len(sc.network.nodes)} nodes, "
               f"{len(sc.network.lanes)} lanes")
    click.echo(f"  {len(sc.parcels)} parcels -> {len(prepared.batches)} batches "
               f"(window {sc.window_days} days)")
    click.echo(f"  as_of {sc.as_of}, regime {sc.regime}"
               + (" (forced)" if sc.regime_forced else " (from the rule timeline)"))
    if no_option:
        click.echo(f"  {len(no_option)} batch(es) have no compliant route (see `explain`): "
                   + ", ".join(no_option[:5]) + (" ..." if len(no_option) > 5 else ""))


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Directory for plan.json, routes.csv, vehicles.csv and report.html.")
@click.option("--json", "as_json", is_flag=True, help="Print plan.json to stdout.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def solve(scenario: Path, out_dir: Path | None, as_json: bool, debug: bool) -> None:
    """Plan the cheapest compliant return routes of a scenario."""
    sc = load_scenario(scenario)
    if out_dir is not None:
        _check_out_dir(out_dir, sc.inputs.values())
    plan = run(sc)
    if out_dir is not None:
        write_outputs(plan, out_dir, sc.parcels)
    if as_json:
        click.echo(to_json(plan), nl=False)
    else:
        print_summary(plan, Console(width=200))
        if out_dir is not None:
            click.echo(f"wrote {', '.join(OUTPUT_FILES)} to {out_dir}")


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--batch", "batch_id", required=True, help="Batch id (see `solve`).")
@click.option("--json", "as_json", is_flag=True, help="Print the options as JSON.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def explain(scenario: Path, batch_id: str, as_json: bool, debug: bool) -> None:
    """Every candidate return port and mode of one batch: cost, days, and why it lost."""
    sc = load_scenario(scenario)
    prepared = prepare(sc)
    ids = [b.batch_id for b in prepared.batches]
    if batch_id not in ids:
        raise InputError([Problem("--batch", "", "", f"unknown batch {batch_id!r}; batches: "
                                  + ", ".join(ids[:10]) + (" ..." if len(ids) > 10 else ""))])
    plan = run(sc, same_route_baseline=False, prepared=prepared)
    chosen = next((bp for bp in plan.batches if bp.batch_id == batch_id), None)
    rows = explain_rows(prepared.options[batch_id], chosen)
    doc = {"batch_id": batch_id, "chosen": None if chosen is None else {
        "return_port": chosen.return_port, "mode": chosen.mode,
        "cost_cny": round(chosen.cost_cny, 2), "lanes": [leg.lane_id for leg in chosen.legs]},
        "unrouted": next(({"reasons": [{"rule": c.rule, "detail": c.detail} for c in u.reasons],
                           "would_route": u.would_route}
                          for u in plan.unrouted if u.batch_id == batch_id), None),
        "options": rows}
    if as_json:
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"{batch_id}: candidate return ports and modes")
    for col in ("return port", "district", "mode", "status", "landed CNY", "objective CNY",
                "vs chosen", "days", "best route", "rejected by"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["return_port"], r["return_district"], r["mode"], r["status"],
                      f"{r['standalone_cny']:,.0f}", f"{r['objective_cny']:,.0f}",
                      "—" if r["extra_vs_chosen_cny"] is None
                      else f"{r['extra_vs_chosen_cny']:+,.0f}",
                      str(r["transit_days"]), " > ".join(r["lanes"]),
                      "\n".join(f"{x['rule']}: {x['detail']}" for x in r["rejected_by"]))
    Console(width=220).print(table)
    if chosen is not None:
        click.echo(f"chosen: {chosen.return_port} by {chosen.mode}, {chosen.cost_cny:,.0f} CNY "
                   "in the plan (vehicles shared with other batches where cheaper)")
    for u in plan.unrouted:
        if u.batch_id == batch_id:
            click.echo("unrouted: " + "; ".join(f"{c.rule}: {c.detail}" for c in u.reasons))
            if u.would_route:
                click.echo(f"  {u.would_route['sentence']} (confirmed by re-solving)")


@cli.command()
@click.argument("plan_file", metavar="PLAN_JSON",
                type=click.Path(dir_okay=False, path_type=Path))
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def verify(plan_file: Path, scenario: Path, debug: bool) -> None:
    """Check a saved plan against its inputs without trusting the solver (exit 1 on problems)."""
    sc = load_scenario(scenario)
    doc = _read_plan(plan_file)
    problems = verify_plan(doc, sc)
    if problems:
        click.echo(f"{plan_file}: {len(problems)} problem(s)", err=True)
        for p in problems:
            click.echo(f"  {p}", err=True)
        sys.exit(1)
    click.echo(f"{plan_file}: OK ({len(doc.get('batches', []))} routed and "
               f"{len(doc.get('unrouted', []))} unrouted batches, "
               f"{len(doc.get('vehicles', []))} lane-weeks checked)")


@cli.command()
@click.argument("scenarios", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Directory for compare.csv and compare.json.")
@click.option("--json", "as_json", is_flag=True, help="Print compare.json to stdout.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def compare(scenarios: tuple[Path, ...], out_dir: Path | None, as_json: bool,
            debug: bool) -> None:
    """Compare scenarios: a column each, then the batches whose port or mode changed."""
    loaded = [load_scenario(p) for p in scenarios]  # every input checked before any solve
    if out_dir is not None:
        _check_out_dir(out_dir, [v for sc in loaded for v in sc.inputs.values()],
                       COMPARE_FILES)
    result = compare_plans([run(sc) for sc in loaded])
    doc = result.to_dict()
    if out_dir is not None:
        buf = io.StringIO()
        result.table.to_csv(buf, index_label="metric")
        write_atomically(out_dir, {"compare.csv": buf.getvalue(),
                                   "compare.json": json.dumps(doc, indent=2) + "\n"})
    if as_json:
        click.echo(json.dumps(doc, indent=2))
        return
    console = Console(width=220)
    table = Table(title="returnroute compare")
    table.add_column("metric")
    for name in result.table.columns:
        table.add_column(str(name), justify="right")
    for metric, row in result.table.iterrows():
        table.add_row(str(metric), *[_cell(v) for v in row])
    console.print(table)
    if result.changes.empty:
        click.echo("no batch changed its return port or mode")
    else:
        changes = Table(title="batches whose return port or mode changed")
        for col in result.changes.columns:
            changes.add_column(str(col))
        for row in result.changes.itertuples(index=False):
            changes.add_row(*[_cell(v) for v in row])
        console.print(changes)
    if out_dir is not None:
        click.echo(f"wrote compare.csv, compare.json to {out_dir}")


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


@cli.command()
@click.argument("base", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--param", "params", multiple=True, metavar="NAME=VALUES",
              help="e.g. rates.air=0.5:1.5:11 or as_of=2024-06-01,2025-06-01 (repeatable: grid)")
@click.option("--random", "samples", type=click.IntRange(min=1), default=None,
              help="Seeded random draws between the first and last value of each --param "
                   "instead of a grid.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Local worker processes (1: serial).")
@click.option("--scheduler", metavar="tcp://HOST:PORT", default=None,
              help="Run the points on this Dask cluster instead.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Directory for sweep.csv, sweep.json and sweep.png (default out/sweep-NAME).")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def sweep(base: Path, params: tuple[str, ...], samples: int | None, seed: int, workers: int,
          scheduler: str | None, out_dir: Path | None, as_json: bool, debug: bool) -> None:
    """Solve BASE at every point of a parameter grid (or a sweep YAML with base: and params:)."""
    raw = read_scenario_doc(base)
    if "base" in raw and "params" in raw:  # a sweep file
        base, points = read_sweep_file(base)
        names = list(points[0]) if points else []
    else:
        if not params:
            raise InputError([Problem("--param", "", "", "give at least one --param, or a "
                                      "sweep YAML with base: and params:")])
        parsed = dict(parse_param(p) for p in params)
        names = list(parsed)
        if samples:
            rng = np.random.default_rng(seed)
            points = [{n: _draw(rng, v) for n, v in parsed.items()} for _ in range(samples)]
        else:
            points = grid(parsed)
    sc = load_scenario(base)  # the base must be valid before any worker starts
    out_dir = out_dir or Path("out") / f"sweep-{sc.name}"
    _check_out_dir(out_dir, sc.inputs.values(), SWEEP_FILES)
    started = time.perf_counter()
    with Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=as_json, disable=as_json) as bar:
        task = bar.add_task("sweep", total=len(points))
        rows = run_points(base, points, workers=workers, scheduler=scheduler,
                          progress=lambda done, total: bar.update(task, completed=done))
    seconds = time.perf_counter() - started
    frame = pd.DataFrame(rows)
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    doc = {"base": str(base), "params": names, "points": len(rows), "seconds": seconds,
           "executor": scheduler or (f"{workers} processes" if workers > 1 else "serial"),
           "rows": json.loads(frame.to_json(orient="records"))}
    write_atomically(out_dir, {"sweep.csv": buf.getvalue(),
                               "sweep.json": json.dumps(doc, indent=2) + "\n",
                               "sweep.png": chart(rows, names, sc.name)})
    if as_json:
        click.echo(json.dumps(doc, indent=2))
        return
    cols = [*names, "status", "cost_cny", "saving_vs_air_pct", "share_tir_road_pct",
            "share_rail_pct", "share_air_pct", "co2e_kg", "batches_unrouted"]
    click.echo(frame[[c for c in cols if c in frame]].to_string(index=False))
    click.echo(f"{len(rows)} points in {seconds:.1f} s ({doc['executor']}); wrote sweep.csv, "
               f"sweep.json, sweep.png to {out_dir}")


def _draw(rng: np.random.Generator, values: list[Any]) -> Any:
    if all(isinstance(v, (int, float)) for v in values) and len(values) >= 2:
        return round(float(rng.uniform(min(values), max(values))), 6)
    return values[int(rng.integers(0, len(values)))]


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True)
@click.option("--scheduler", metavar="tcp://HOST:PORT", default=None)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Directory for pareto.csv, pareto.json and pareto.png "
                   "(default out/pareto-NAME).")
@click.option("--json", "as_json", is_flag=True, help="Print the fronts as JSON.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def pareto(scenario: Path, workers: int, scheduler: str | None, out_dir: Path | None,
           as_json: bool, debug: bool) -> None:
    """Cost vs transit time and cost vs CO2e: the non-dominated plans, by varying the prices."""
    sc = load_scenario(scenario)
    out_dir = out_dir or Path("out") / f"pareto-{sc.name}"
    _check_out_dir(out_dir, sc.inputs.values(), PARETO_FILES)
    day_points = [{"objective.cny_per_transit_day": v} for v in DAY_PRICES]
    co2_points = [{"objective.cny_per_t_co2e": v} for v in CO2_PRICES]
    with Progress(TextColumn("pareto"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=as_json, disable=as_json) as bar:
        task = bar.add_task("pareto", total=len(day_points) + len(co2_points))
        rows = run_points(scenario, day_points + co2_points, workers=workers,
                          scheduler=scheduler,
                          progress=lambda done, total: bar.update(task, completed=done))
    days, co2 = rows[:len(day_points)], rows[len(day_points):]
    doc = {"scenario": sc.name,
           "time": {"points": days, "front": front(days, "mean_transit_days")},
           "co2e": {"points": co2, "front": front(co2, "co2e_kg")}}
    frame = pd.DataFrame([{**r, "front": "time" if r in doc["time"]["front"] else ""}
                          for r in days] + [
        {**r, "front": "co2e" if r in doc["co2e"]["front"] else ""} for r in co2])
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    write_atomically(out_dir, {"pareto.csv": buf.getvalue(),
                               "pareto.json": json.dumps(doc, indent=2, default=str) + "\n",
                               "pareto.png": pareto_chart(days, co2, sc.name)})
    if as_json:
        click.echo(json.dumps(doc, indent=2, default=str))
        return
    for label, key, price in (("time", "mean_transit_days", "objective.cny_per_transit_day"),
                              ("co2e", "co2e_kg", "objective.cny_per_t_co2e")):
        click.echo(f"non-dominated plans, cost vs {label}:")
        for r in doc[label]["front"]:
            click.echo(f"  {price}={r[price]:>9,}: cost {r['cost_cny']:>14,.0f} CNY, "
                       f"{key} {r[key]:,.1f}")
    click.echo(f"wrote pareto.csv, pareto.json, pareto.png to {out_dir}")


@cli.command()
@click.argument("plan_file", metavar="PLAN_JSON",
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_file", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The HTML file to write.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def report(plan_file: Path, out_file: Path, debug: bool) -> None:
    """Render a saved plan.json as the self-contained HTML report again."""
    doc = _read_plan(plan_file)
    if out_file.resolve() == plan_file.resolve():
        raise InputError([Problem("--out", str(out_file), "", "would overwrite the plan")])
    if out_file.exists() and out_file.suffix.lower() not in (".html", ".htm"):
        raise InputError([Problem("--out", str(out_file), "", "exists and is not an HTML "
                                  "file; not overwriting it")])
    write_file_atomically(out_file, render_html(doc))
    click.echo(f"wrote {out_file} ({out_file.stat().st_size:,} bytes)")


@cli.command("bench-cmnd")
@click.argument("dow_file", metavar="FILE.dow", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--unsplittable", is_flag=True, help="Each commodity on a single path.")
@click.option("--time-limit", "time_limit", type=click.FloatRange(min=0, min_open=True),
              default=60.0, show_default=True, help="Seconds.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def bench_cmnd(dow_file: Path, unsplittable: bool, time_limit: float, as_json: bool,
               debug: bool) -> None:
    """Solve a Canad multicommodity fixed-charge network design instance (.dow)."""
    inst = read_dow(dow_file)
    result = solve_cmnd(inst, unsplittable=unsplittable, time_limit_s=time_limit)
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"{inst.name} ({inst.nodes} nodes, {len(inst.arcs)} arcs, "
               f"{len(inst.commodities)} commodities, "
               f"{'unsplittable' if unsplittable else 'splittable'}): {result['status']} "
               f"objective {result['objective']} bound {result['bound']} gap {result['gap']} "
               f"in {result['seconds']} s")


def _read_plan(path: Path) -> dict[str, Any]:
    """Read a plan.json, as bad input (exit 2) when it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(path), "", "", f"cannot read: {exc}")]) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(str(path), f"line {exc.lineno}, column {exc.colno}", "",
                                  f"invalid JSON: {exc.msg}")]) from None
    if not isinstance(doc, dict) or "batches" not in doc:
        raise InputError([Problem(str(path), "", "", "not a returnroute plan.json")])
    return doc


def _check_out_dir(out_dir: Path, inputs: Any, ours: tuple[str, ...] = OUTPUT_FILES) -> None:
    """Refuse an output directory that holds inputs or other people's files."""
    out = out_dir.resolve()
    problems = []
    if out.exists() and not out.is_dir():
        problems.append("exists and is not a directory")
    for item in inputs:
        p = Path(item).resolve()
        if out == p or out in p.parents:
            problems.append(f"contains the input {item}; choose another directory")
            break
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in ours)
        if foreign:
            problems.append("holds files returnroute did not write (" + ", ".join(foreign[:5])
                            + "); not overwriting it")
    if problems:
        raise InputError([Problem("--out", str(out_dir), "", msg) for msg in problems])


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="returnroute")


if __name__ == "__main__":  # pragma: no cover
    main()
