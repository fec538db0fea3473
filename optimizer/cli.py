"""``returnroute validate | solve | explain | verify | report | compare | sweep | pareto |
bench-cmnd``.

The command line only parses arguments and wires the stages: every computation is in
``planning``, ``analysis``, ``verify`` or ``bench``, every rendering in ``outputs``. The
``analysis`` and ``bench`` modules (matplotlib, Dask) are imported by their own commands only:
``solve``'s time limit counts from the start of the process, so its start-up is kept short.

Exit codes: 0 solved (also with unrouted batches, which are listed), 2 bad input (also: the
output cannot be written, the memory ran out), 1 internal error, 128 + N when stopped by
signal N (130 Ctrl-C, 143 SIGTERM). Bad input is reported as one line per problem (file, row or
YAML path, field, what is wrong), never as a traceback.

The console script (``optimizer.entry.main``) runs the command in a supervised child process,
so that Ctrl-C and SIGTERM stop it at once, whatever it is doing (see ``optimizer.supervise``);
``cli`` itself runs in-process (click's CliRunner in the tests). ``solve`` keeps to the
scenario's time limit as the budget of the whole command, counted from the start of the
process.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import json
import os
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from optimizer.errors import InputError
from optimizer.inputs import load_scenario
from optimizer.outputs.files import (
    OUTPUT_FILES,
    check_out_dir,
    check_report_target,
    default_out_dir,
    write_atomically,
    write_file_atomically,
    write_outputs,
)
from optimizer.outputs.html import render as render_html
from optimizer.outputs.plan_json import explanation_to_dict, read_plan, to_json
from optimizer.outputs.terminal import print_explanation, print_frame, print_summary
from optimizer.plan import Change
from optimizer.planning.explain import explain_scenario
from optimizer.planning.mip import Cluster, ClusterFailed, SchedulerUnreachable, connect
from optimizer.planning.pipeline import Deadline, prepare, run
from optimizer.planning.replan import changes, with_previous
from optimizer.supervise import memory_limit, writing
from optimizer.verify import verify_plan

F = TypeVar("F", bound=Callable[..., Any])
COMPARE_FILES = ("compare.csv", "compare.json")
SWEEP_FILES = ("sweep.csv", "sweep.json", "sweep.png")
PARETO_FILES = ("pareto.csv", "pareto.json", "pareto.png")

#: errors of a full or unwritable disk: the output cannot be written (exit 2, not a bug)
NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS)


def _guarded(fn: F) -> F:
    """Turn InputError into exit code 2 and anything unexpected into exit code 1, no traceback.

    A disk that is full (or read-only) and a MemoryError are the user's to fix, not bugs: exit 2
    with what happened. A closed pipe on stdout (``| head``) is a quiet exit 0.
    """

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
            _reader_left()
        except MemoryError:
            _out_of_memory()
        except OSError as err:
            if err.errno in NO_SPACE:
                _cannot_write(err)
            _internal_error(err, kwargs.get("debug", False))
        except Exception as exc:
            _internal_error(exc, kwargs.get("debug", False))

    return wrapper  # type: ignore[return-value]


def _reader_left() -> NoReturn:
    """stdout's reader has gone: stop quietly, with nothing more to flush (exit 0)."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)


def _cannot_write(err: OSError) -> NoReturn:
    """The output could not be written (a full disk, say): one line, exit 2."""
    _stderr(f"error: cannot write the output: {err.strerror or err}")
    sys.exit(2)


def _out_of_memory() -> NoReturn:
    """The memory ran out: name the limit and what to do, exit 2."""
    _stderr(f"error: out of memory (the limit is {memory_limit()}): try a smaller returns "
            "file, e.g. one week or one foreign hub at a time")
    sys.exit(2)


def _internal_error(exc: BaseException, debug: bool) -> NoReturn:
    """A bug: one line (the traceback with --debug), exit 1."""
    click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
    if debug:
        traceback.print_exc()
    else:
        click.echo("  (run again with --debug for the traceback; please report it)", err=True)
    sys.exit(1)


def _stderr(line: str) -> None:
    """One line on stderr, even when stdout is what failed (stderr may fail too: then quiet)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def _command_started() -> float:
    """When the command started on the monotonic clock: the process's start under ``main``
    (the interpreter's start and the imports are part of the wait), now otherwise."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    if isinstance(obj, dict) and isinstance(obj.get("started"), float):
        return obj["started"]
    return time.monotonic()


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
@click.option("--previous", type=click.Path(dir_okay=False, path_type=Path),
              help="Re-plan: a plan.json of the same returns made earlier. Its batches that "
                   "have left or are within their cut-off on the scenario's as_of are kept as "
                   "they are; the rest is planned again, and changes.csv says what changed.")
@click.option("--scheduler", metavar="tcp://HOST:PORT", default=None,
              help="Solve the independent groups of batches on this Dask cluster, side by side "
                   "(its workers need this package installed); the time limit still bounds "
                   "the whole command.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def solve(scenario: Path, out_dir: Path | None, as_json: bool, previous: Path | None,
          scheduler: str | None, debug: bool) -> None:
    """Plan the cheapest compliant return routes of a scenario.

    The scenario's ``solver.time_limit_s`` is the budget of the whole command, from reading
    the inputs to writing the files.

    With ``--scheduler`` the cluster is connected to first: a scheduler that cannot be reached
    (or has no workers) is a usage error, one line and exit 2; a group's task that fails on
    the cluster is one line and exit 1 (the traceback with --debug).
    """
    started = _command_started()
    if scheduler is None:
        _solve(scenario, out_dir, as_json, previous, started, None)
        return
    try:
        with connect(scheduler) as cluster:
            _solve(scenario, out_dir, as_json, previous, started, cluster)
    except SchedulerUnreachable as err:
        _stderr(f"error: {err}")
        sys.exit(2)
    except ClusterFailed as err:
        _stderr(f"error: {err}")
        if debug:
            traceback.print_exc()
        sys.exit(1)


def _solve(scenario: Path, out_dir: Path | None, as_json: bool, previous: Path | None,
           started: float, cluster: Cluster | None) -> None:
    """``solve`` once its cluster (if any) is connected."""
    sc = load_scenario(scenario)
    before = None
    if previous is not None:
        before = read_plan(previous)
        sc = with_previous(sc, before)
    if out_dir is not None:
        check_out_dir(out_dir, [*sc.inputs.values(), *([str(previous)] if previous else [])])
    plan = run(sc, deadline=Deadline(sc.solver.time_limit_s, started),
               outputs=out_dir is not None or as_json, keep=True, scheduler=cluster)
    if before is not None:
        plan = dataclasses.replace(plan, changes=changes(before, plan, sc.commitments))
    if out_dir is not None:
        with writing():
            write_outputs(plan, out_dir, sc.parcels)
    if as_json:
        click.echo(to_json(plan), nl=False)
    else:
        print_summary(plan, Console(width=200))
        if before is not None:
            print_changes(plan.changes)
        if out_dir is not None:
            files = [*OUTPUT_FILES, *(["changes.csv"] if before is not None else [])]
            click.echo(f"wrote {', '.join(files)} to {out_dir}")


def print_changes(found: tuple[Change, ...]) -> None:
    """One line per kind of change, then every batch that changed (the re-plan's report)."""
    counts = Counter(c.status for c in found)
    click.echo("re-plan: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    for c in found:
        if c.status not in ("kept", "same"):
            click.echo(f"  {c.status:9} {c.batch_id}: {c.before or '-'} -> {c.after or '-'} "
                       f"({c.why})")


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--batch", "batch_id", required=True, help="Batch id (see `solve`).")
@click.option("--resolve", type=click.IntRange(min=0), default=5, show_default=True,
              help="Re-solve the plan with the batch held on this many of its cheapest "
                   "alternatives (what each really changes in the total).")
@click.option("--json", "as_json", is_flag=True, help="Print the options as JSON.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def explain(scenario: Path, batch_id: str, resolve: int, as_json: bool, debug: bool) -> None:
    """Every candidate return port and mode of one batch: cost, days, and why it lost."""
    explanation = explain_scenario(load_scenario(scenario), batch_id, resolve)
    if as_json:
        click.echo(json.dumps(explanation_to_dict(explanation), indent=2, ensure_ascii=False))
    else:
        print_explanation(explanation, Console(width=220))


@cli.command()
@click.argument("plan_file", metavar="PLAN_JSON",
                type=click.Path(dir_okay=False, path_type=Path))
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def verify(plan_file: Path, scenario: Path, debug: bool) -> None:
    """Check a saved plan against its inputs without trusting the solver (exit 1 on problems)."""
    sc = load_scenario(scenario)
    doc = read_plan(plan_file)
    problems = verify_plan(doc, sc)
    if problems:
        click.echo(f"{plan_file}: {len(problems)} problem(s)", err=True)
        for p in problems:
            click.echo(f"  {p}", err=True)
        sys.exit(1)
    click.echo(f"{plan_file}: OK ({len(doc.get('batches', []))} routed and "
               f"{len(doc.get('unrouted', []))} unrouted batches, "
               f"{len(doc.get('vehicles', []))} lane departures checked)")


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
    from optimizer.analysis.compare import compare as compare_plans

    loaded = [load_scenario(p) for p in scenarios]  # every input checked before any solve
    if out_dir is not None:
        check_out_dir(out_dir, [v for sc in loaded for v in sc.inputs.values()],
                      COMPARE_FILES)
    result = compare_plans([run(sc) for sc in loaded])
    doc = result.to_dict()
    if out_dir is not None:
        with writing():
            write_atomically(out_dir, {
                "compare.csv": result.table.to_csv(index_label="metric"),
                "compare.json": json.dumps(doc, indent=2) + "\n"})
    if as_json:
        click.echo(json.dumps(doc, indent=2))
        return
    console = Console(width=220)
    print_frame(result.table, "returnroute compare", console, index="metric")
    if result.changes.empty:
        click.echo("no batch changed its return port or mode")
    else:
        print_frame(result.changes, "batches whose return port or mode changed", console)
    if out_dir is not None:
        click.echo(f"wrote compare.csv, compare.json to {out_dir}")


def _progress(label: str, total: int, quiet: bool) -> Progress:
    """A progress bar (hidden with --json)."""
    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   transient=quiet, disable=quiet)
    bar.add_task(label, total=total)
    return bar


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
    from optimizer.analysis.charts import chart
    from optimizer.analysis.sweep import sweep as run_sweep
    from optimizer.analysis.sweep import sweep_points

    base, names, points = sweep_points(base, params, samples, seed)
    sc = load_scenario(base)  # the base must be valid before any worker starts
    out_dir = out_dir or default_out_dir("sweep", sc.name)
    check_out_dir(out_dir, sc.inputs.values(), SWEEP_FILES)
    with _progress("sweep", len(points), as_json) as bar:
        result = run_sweep(base, names, points, workers=workers, scheduler=scheduler,
                           progress=lambda done, total: bar.update(bar.task_ids[0],
                                                                   completed=done))
    frame = result.frame()
    doc = result.to_dict()
    files = {"sweep.csv": frame.to_csv(index=False),
             "sweep.json": json.dumps(doc, indent=2) + "\n",
             "sweep.png": chart(result.rows, names, sc.name)}
    with writing():
        write_atomically(out_dir, files)
    if as_json:
        click.echo(json.dumps(doc, indent=2))
        return
    cols = [*names, "status", "total_cny", "cost_cny", "disposal_cny", "declarations",
            "saving_vs_air_pct", "share_tir_road_pct", "share_rail_pct", "share_air_pct",
            "share_sea_pct", "share_road_pct",
            "co2e_kg", "parcels_disposed", "parcels_unrouted"]
    click.echo(frame[[c for c in cols if c in frame]].to_string(index=False))
    click.echo(f"{len(result.rows)} points in {result.seconds:.1f} s ({result.executor}); "
               f"wrote sweep.csv, sweep.json, sweep.png to {out_dir}")


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
    from optimizer.analysis.charts import pareto_chart
    from optimizer.analysis.pareto import AXES
    from optimizer.analysis.pareto import pareto as pareto_fronts

    sc = load_scenario(scenario)
    out_dir = out_dir or default_out_dir("pareto", sc.name)
    check_out_dir(out_dir, sc.inputs.values(), PARETO_FILES)
    with _progress("pareto", 15, as_json) as bar:
        fronts = pareto_fronts(scenario, sc.name, workers=workers, scheduler=scheduler,
                               progress=lambda done, total: bar.update(
                                   bar.task_ids[0], completed=done, total=total))
    import pandas as pd

    doc = fronts.to_dict()
    files = {"pareto.csv": pd.DataFrame(fronts.rows()).to_csv(index=False),
             "pareto.json": json.dumps(doc, indent=2, default=str) + "\n",
             "pareto.png": pareto_chart(fronts.days, fronts.co2, sc.name)}
    with writing():
        write_atomically(out_dir, files)
    if as_json:
        click.echo(json.dumps(doc, indent=2, default=str))
        return
    for label, key, price in AXES:
        click.echo(f"non-dominated plans, cost vs {label}:")
        for r in fronts.front(label):
            click.echo(f"  {price}={r.params[price]:>9,}: cost {r.cost_cny:>14,.0f} CNY, "
                       f"{key} {getattr(r, key):,.1f}")
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
    doc = read_plan(plan_file)
    check_report_target(out_file, plan_file)
    html = render_html(doc)
    with writing():
        write_file_atomically(out_file, html)
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
    from optimizer.bench.cmnd import read_dow, solve_cmnd

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


def run_command(argv: list[str] | None, started: float) -> int:
    """Run the click command line (in the supervised child, see ``optimizer.entry``) and flush
    its output.

    Failures outside a command's own guard end the same way: out of memory or a stdout that
    cannot take the output exit 2 with one line, anything else 1, never a traceback.
    """
    try:
        cli.main(args=argv, prog_name="returnroute", obj={"started": started})
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except MemoryError:
        code = _exit_code(_out_of_memory)
    except BrokenPipeError:
        code = _exit_code(_reader_left)
    except Exception as exc:
        code = _exit_code(functools.partial(_internal_error, exc, False))
    return _flush_stdout(code)


def _flush_stdout(code: int) -> int:
    """Flush what the command printed: a stdout that cannot take it (a full disk: ``solve
    --json > /dev/full``) is exit 2 with one line, never a silent exit 0 with truncated output;
    a reader that left (``| head``) is a quiet 0."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return _exit_code(_reader_left)
    except OSError as err:
        if code == 0:
            return _exit_code(functools.partial(_cannot_write, err))
    except (ValueError, AttributeError):  # closed, or None (no fd 1): nothing to flush
        pass
    return code


def _exit_code(fail: Callable[[], object]) -> int:
    """The exit code ``fail`` ends with (it reports and raises SystemExit)."""
    try:
        fail()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 1
