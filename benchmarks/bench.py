"""Benchmark the engine against a real peer and write BENCHMARKS.md: ``python
benchmarks/bench.py`` (``make bench``).

The peer (``optimizer.bench.peer``) is the plain textbook MIP of the same problem in HiGHS:
every allowed trip, the valid per-batch linking rows, the same tariff bands, the same costs and
disposal, one thread, no pruning, decomposition or starting plan. Both get the same prepared
batches and trips (``planning.pipeline.prepare``, timed once as *prepare s*), so the figures
say what the engine's own work buys over a good solver.

For every instance of ``benchmarks/generate.py`` (S, M, L on the bundled network, X synthetic)
and every bundled scenario, each solver runs in a fresh process (for its peak memory), the two
alternating (the engine first on odd repeats, the peer first on even ones), and each process
measures, in this order:

- ``first``: seconds until it has a feasible plan (engine: greedy + local search, its starting
  plan, the search capped as in ``pipeline.optimise``; peer: HiGHS stopped at its first
  improving solution);
- ``gap1``: seconds until the gap is at most 1% (a run with relative_gap 0.01);
- ``final``: a run with relative_gap 0 and the time limit: its objective, bound and gap, and the
  seconds to optimality when it was proven.

Seconds are from the prepared trips to the answer: the engine's include its starting plan, the
peer's its model building. Ratios are peer / engine (above 1: the engine is faster). Repeats
give the median and the spread (max - min). Then an end-to-end ``returnroute solve --out`` of
L and the two CMND instances.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTANCES = ROOT / "benchmarks" / "instances"
SCENARIOS = ROOT / "scenarios"
CMND = ROOT / "tests" / "data"
TIME_LIMIT = 60.0
SOLVERS = ("engine", "peer")
MODES = ("first", "gap1", "final")


def measure(scenario: Path, solver: str, limit: float) -> dict:
    """Prepare the scenario once, then the three measurements of one solver in this
    process; returns a JSON-able dict."""
    from optimizer.bench import peer
    from optimizer.inputs import load_scenario
    from optimizer.planning.baselines import greedy
    from optimizer.planning.heuristic import improve
    from optimizer.planning.mip import solve
    from optimizer.planning.pipeline import improve_looks, leave_costs, prepare

    t0 = time.perf_counter()
    sc = load_scenario(scenario)
    sc = dataclasses.replace(sc, solver=dataclasses.replace(
        sc.solver, time_limit_s=limit, relative_gap=0.0, formulation="strong"))
    prepared = prepare(sc)
    allowed = prepared.allowed()
    leave = leave_costs(prepared)
    out: dict = {"parcels": len(sc.parcels), "batches": len(prepared.batches),
                 "lanes": len(sc.network.lanes),
                 "options": sum(len(v) for v in allowed.values()),
                 "prepare_s": time.perf_counter() - t0}
    for mode in MODES:
        gap = 0.01 if mode == "gap1" else 0.0
        t1 = time.perf_counter()
        if solver == "engine":
            start = improve(prepared.batches, allowed, greedy(prepared.batches, allowed),
                            max_looks=improve_looks(sc))
            if mode == "first":
                out["first_s"] = time.perf_counter() - t1
                continue
            settings = dataclasses.replace(sc.solver, relative_gap=gap,
                                           time_limit_s=limit - (time.perf_counter() - t1))
            sol = solve(prepared.batches, allowed, settings, hint=start, leave=leave)
            status, obj, bound, g = sol.status, sol.objective_cny, sol.bound_cny, sol.gap
            if mode == "final":
                out.update({k: v for k, v in dataclasses.asdict(sol.stats).items()
                            if v is not None})
        else:
            res = peer.solve(prepared.batches, allowed, limit, relative_gap=gap,
                             first_only=mode == "first", leave=leave)
            status, obj, bound, g = res.status, res.objective, res.bound, res.gap
            if mode == "final":
                out.update(variables=res.variables, constraints=res.constraints)
        seconds = time.perf_counter() - t1
        if mode == "first":
            out["first_s"] = seconds if obj is not None else None
        elif mode == "gap1":
            out["gap1_s"] = seconds if g is not None and g <= 0.01 + 1e-9 else None
        else:
            out.update(status=status, objective=obj, bound=bound, gap=g, final_s=seconds,
                       optimal_s=seconds if status == "OPTIMAL" else None)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def measure_xl(scenario: Path, limit: float) -> dict:
    """XL as far as the engine gets in this process: reading, preparing (consolidation and
    every batch's checked and priced trips), the starting plan, then the solver with ``limit``
    seconds; each stage's seconds and the peak memory. (The end-to-end command refuses a
    budget it cannot keep, so the stages are timed here without one.)"""
    from optimizer.inputs import load_scenario
    from optimizer.planning.baselines import greedy
    from optimizer.planning.heuristic import improve
    from optimizer.planning.mip import solve
    from optimizer.planning.pipeline import improve_looks, leave_costs, prepare

    t0 = time.perf_counter()
    sc = load_scenario(scenario)
    out: dict = {"parcels": len(sc.parcels), "read_s": time.perf_counter() - t0}
    t1 = time.perf_counter()
    prepared = prepare(sc)
    allowed = prepared.allowed()
    out.update(batches=len(prepared.batches), options=sum(len(v) for v in allowed.values()),
               prepare_s=time.perf_counter() - t1,
               prepare_peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    t2 = time.perf_counter()
    start = improve(prepared.batches, allowed, greedy(prepared.batches, allowed),
                    max_looks=improve_looks(sc))
    out["first_s"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    settings = dataclasses.replace(sc.solver, time_limit_s=limit, relative_gap=0.0)
    sol = solve(prepared.batches, allowed, settings, hint=start, leave=leave_costs(prepared))
    out.update(solve_s=time.perf_counter() - t3, status=sol.status, objective=sol.objective_cny,
               bound=sol.bound_cny, gap=sol.gap, total_s=time.perf_counter() - t0,
               peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def run_child(*args: str) -> dict:
    """Run ``measure`` (or a CLI) in a fresh process and parse its JSON."""
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def stages_xl() -> dict:
    """Generate XL under out/ (timed: *build*), then its stages in a fresh process with the
    solver given XL's whole budget (``generate.TIME_LIMIT_S``)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate

    t0 = time.perf_counter()
    scenario = generate.bundled_instance("XL", ROOT / "out" / "bench-instances")
    build_s = time.perf_counter() - t0
    stages = run_child("--measure-xl", str(scenario), str(generate.TIME_LIMIT_S["XL"]))
    return {"build_s": build_s, "budget_s": generate.TIME_LIMIT_S["XL"], **stages}


def end_to_end(scenario: Path, out_dir: Path) -> dict:
    """``returnroute solve SCENARIO --out DIR`` timed as a user runs it."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "optimizer", "solve", str(scenario), "--out",
                           str(out_dir), "--json"], capture_output=True, text=True, cwd=ROOT,
                          check=False)
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    doc = json.loads(proc.stdout) if proc.returncode == 0 else {}
    said = proc.stderr.strip().splitlines()
    return {"seconds": seconds, "exit": proc.returncode, "status": doc.get("status"),
            "gap": doc.get("gap"), "children_peak_mb": usage.ru_maxrss / 1024,
            "error": said[-1] if proc.returncode and said else None}


def med(values: list[float | None]) -> tuple[float | None, float | None]:
    """Median and spread of the values that exist (None when a run never got there)."""
    got = [v for v in values if v is not None]
    if not got:
        return None, None
    return statistics.median(got), max(got) - min(got)


def fmt(v: float | None, nd: int = 2, pct: bool = False) -> str:
    if v is None:
        return "—"
    return f"{v * 100:.{nd}f}%" if pct else f"{v:,.{nd}f}"


def summarise(name: str, runs: dict[str, list[dict]]) -> dict:
    """One row: each solver's medians, and the peer / engine ratios of the times."""
    row: dict = {"instance": name, **{k: runs["engine"][0][k] for k in (
        "parcels", "batches", "lanes", "options")},
        "prepare_s": med([r["prepare_s"] for rs in runs.values() for r in rs])}
    for s in SOLVERS:
        rs = runs[s]
        row[s] = {
            "first_s": med([r.get("first_s") for r in rs]),
            "gap1_s": med([r.get("gap1_s") for r in rs]),
            "optimal_s": med([r.get("optimal_s") for r in rs]),
            "objective": med([r.get("objective") for r in rs]),
            "bound": med([r.get("bound") for r in rs]),
            "gap": med([r.get("gap") for r in rs]),
            "status": sorted({str(r.get("status")) for r in rs}),
            "peak_mb": max(r["peak_mb"] for r in rs),
            "runs_at_optimum": sum(1 for r in rs if r.get("optimal_s") is not None),
            "runs": len(rs)}
    for key in ("first_s", "gap1_s", "optimal_s"):
        e, p = row["engine"][key][0], row["peer"][key][0]
        row[f"ratio_{key}"] = None if e is None or p is None else p / max(e, 1e-3)
    both = [(row[s]["objective"][0], row[s]["status"]) for s in SOLVERS]
    row["optimum_match"] = (abs(both[0][0] - both[1][0]) if all(
        st == ["OPTIMAL"] and o is not None for o, st in both) else None)
    return row


def instances(sizes: list[str], scenarios: list[str]) -> list[tuple[str, Path]]:
    """(name, scenario path) of every instance to run, generating S/M/L/X as asked."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate

    out = []
    for size in sizes:
        out.append((size, generate.synthetic_instance(INSTANCES) if size == "X"
                    else generate.bundled_instance(size, INSTANCES)))
    for name in scenarios:
        out.append((name, SCENARIOS / f"{name}.yaml"))
    return out


def _chosen(ap: argparse.ArgumentParser, args: argparse.Namespace
            ) -> tuple[list[str], list[str]]:
    """The generated sizes and bundled scenario names asked for; an unknown one is a usage
    error (exit 2) naming the closest known one."""
    from optimizer.inputs.files import did_you_mean

    sizes = [s for s in args.sizes.split(",") if s]
    bundled = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))
    names = (bundled if args.scenarios == "all"
             else [] if args.scenarios == "none" else args.scenarios.split(","))
    for size in sizes:
        if size not in ("S", "M", "L", "X"):  # generate.SIZES and the synthetic X
            ap.error(f"--sizes: unknown instance {size!r}{did_you_mean(size, 'SMLX')}")
    for name in names:
        if name not in bundled:
            ap.error(f"--scenarios: no scenarios/{name}.yaml{did_you_mean(name, bundled)}")
    return sizes, names


def main() -> None:
    """Generate the instances, run every measurement, print each row, write BENCHMARKS.md."""
    ap = argparse.ArgumentParser(description="returnroute benchmark: the engine and its peer")
    ap.add_argument("--measure", nargs=3, metavar=("SCENARIO", "SOLVER", "LIMIT"))
    ap.add_argument("--sizes", default="S,M,X,L", help="generated instances, comma-separated")
    ap.add_argument("--scenarios", default="all",
                    help="bundled scenarios, comma-separated: all, none or names")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--limit", type=float, default=TIME_LIMIT, help="seconds per solve")
    ap.add_argument("--no-cmnd", action="store_true", help="skip the CMND instances")
    ap.add_argument("--xl", action="store_true",
                    help="also XL (500,000 parcels, generated under out/): its stages, timed")
    ap.add_argument("--measure-xl", nargs=2, metavar=("SCENARIO", "LIMIT"),
                    help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = ap.parse_args()
    if args.measure:
        scenario, solver, limit = args.measure
        print(json.dumps(measure(Path(scenario), solver, float(limit))))
        return
    if args.measure_xl:
        print(json.dumps(measure_xl(Path(args.measure_xl[0]), float(args.measure_xl[1])),
                         default=str))
        return
    sizes, names = _chosen(ap, args)
    rows = []
    for name, scenario in instances(sizes, names):
        runs: dict[str, list[dict]] = {s: [] for s in SOLVERS}
        for i in range(args.repeats):
            for solver in (SOLVERS if i % 2 == 0 else SOLVERS[::-1]):
                runs[solver].append(run_child("--measure", str(scenario), solver,
                                              str(args.limit)))
        rows.append(summarise(name, runs))
        print(json.dumps(rows[-1], default=str), flush=True)
    e2e = None
    if "L" in sizes:
        e2e = end_to_end(INSTANCES / "L" / "scenario.yaml", ROOT / "out" / "bench-L")
        print("end-to-end L:", json.dumps(e2e), flush=True)
    xl = None
    if args.xl:
        xl = stages_xl()
        print("XL:", json.dumps(xl, default=str), flush=True)
    cmnd = []
    for name in () if args.no_cmnd else ("c33", "c41"):
        for flag in ((), ("--unsplittable",)):
            proc = subprocess.run([sys.executable, "-m", "optimizer", "bench-cmnd",
                                   str(CMND / f"{name}.dow"), *flag, "--time-limit", "300",
                                   "--json"], capture_output=True, text=True, cwd=ROOT,
                                  check=True)
            cmnd.append(json.loads(proc.stdout))
            print(json.dumps(cmnd[-1]), flush=True)
    write_markdown(args.out, rows, e2e, cmnd, args.repeats, args.limit, xl)
    print(f"wrote {args.out}")


def _ms(pair: tuple[float | None, float | None], nd: int = 2, pct: bool = False) -> str:
    value, spread = pair
    if value is None:
        return "not reached"
    text = fmt(value, nd, pct)
    return text if not spread else f"{text} (±{fmt(spread, nd, pct)})"


def _ratio(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}x"


def write_markdown(path: Path, rows: list[dict], e2e: dict | None, cmnd: list[dict],
                   repeats: int, limit: float, xl: dict | None = None) -> None:
    """BENCHMARKS.md: the side-by-side tables, the machine, and how to read them."""
    import ortools

    from optimizer.planning.highs import quiet_highs

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT, check=False).stdout.strip()
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(ln.split(":", 1)[1].strip() for ln in
                   Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name"))
    hv = quiet_highs().version()
    lines = [
        "# Benchmarks", "",
        f"Generated by `make bench` (benchmarks/bench.py) on {dt.date.today()}, commit "
        f"{commit}: {os.cpu_count()} cores ({cpu or platform.machine()}), Python "
        f"{platform.python_version()}, OR-Tools {ortools.__version__}, HiGHS {hv}. Time limit "
        f"{limit:.0f} s a solve, one solver thread, {repeats} run(s) of each solver, "
        "alternating: median (spread = max - min). Instances from benchmarks/generate.py "
        "(seeded) and the bundled scenarios.", "",
        "**Engine** = returnroute's solver (`planning.mip`); **peer** = the plain MIP of the "
        "same trips in HiGHS (`optimizer.bench.peer`: per-batch linking rows, same costs, one "
        "thread, no pruning, decomposition or starting plan). Seconds run from the prepared "
        "trips to the answer; *ratio* = peer / engine (above 1: the engine is faster).", "",
        "## Time", "",
        "| instance | parcels | batches | trips | prepare s | first feasible s engine / peer "
        "| ratio | to 1% s engine / peer | ratio | to optimal s engine / peer | ratio |",
        "|---|---:|---:|---:|---:|---|---:|---|---:|---|---:|"]
    for r in rows:
        e, p = r["engine"], r["peer"]
        lines.append(
            f"| {r['instance']} | {r['parcels']:,} | {r['batches']:,} | {r['options']:,} | "
            f"{_ms(r['prepare_s'])} | {_ms(e['first_s'])} / {_ms(p['first_s'])} | "
            f"{_ratio(r['ratio_first_s'])} | {_ms(e['gap1_s'])} / {_ms(p['gap1_s'])} | "
            f"{_ratio(r['ratio_gap1_s'])} | {_ms(e['optimal_s'])} / {_ms(p['optimal_s'])} | "
            f"{_ratio(r['ratio_optimal_s'])} |")
    lines += ["", f"## At the time limit ({limit:.0f} s)", "",
              "| instance | engine status | engine objective | engine bound | engine gap | "
              "peer status | peer objective | peer bound | peer gap | optima differ by | "
              "peak MB engine / peer |",
              "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---|"]
    for r in rows:
        e, p = r["engine"], r["peer"]
        match = "—" if r["optimum_match"] is None else f"{r['optimum_match']:.2e}"
        lines.append(
            f"| {r['instance']} | {'/'.join(e['status'])} | {_ms(e['objective'], 0)} | "
            f"{_ms(e['bound'], 0)} | {_ms(e['gap'], 2, True)} | {'/'.join(p['status'])} | "
            f"{_ms(p['objective'], 0)} | {_ms(p['bound'], 0)} | {_ms(p['gap'], 2, True)} | "
            f"{match} | {e['peak_mb']:,.0f} / {p['peak_mb']:,.0f} |")
    lines += ["", "- *trips*: the allowed dated trips of all batches, what both solvers choose "
              "among (the engine prunes dominated ones; the peer takes them all).",
              "- *first feasible*: engine = greedy + local search (its starting plan); peer = "
              "HiGHS stopped at its first improving solution.",
              "- *to 1%*: a separate run with relative_gap 0.01; *to optimal*: the run with "
              "relative_gap 0, when it proved optimality within the limit; \"not reached\" = "
              "not within the limit.",
              "- *objective* is what both minimise: landed cost + the scenario's shadow prices "
              "(holding, transit days, CO2e, deadlines) + disposal costs or the penalty of an "
              "unrouted batch. *optima differ by*: |engine - peer| when both proved "
              "optimality.", ""]
    if e2e:
        lines += ["## End to end", "",
                  f"`returnroute solve benchmarks/instances/L/scenario.yaml --out out/bench-L`"
                  f" (read the parcels, consolidate, solve, same-route baseline, verify, "
                  f"write): **{e2e['seconds']:.1f} s**, exit {e2e['exit']}, status "
                  f"{e2e['status']}, gap {fmt(e2e['gap'], 2, True)}, peak memory of the "
                  f"process {e2e['children_peak_mb']:,.0f} MB."
                  + (f" It said: {e2e['error']}" if e2e.get("error") else ""), ""]
    if xl:
        lines += ["## XL: a week of a large platform's returns", "",
                  f"`python benchmarks/bench.py --xl`: {xl['parcels']:,} parcels over 14 days "
                  f"(benchmarks/generate.py XL, generated in {xl['build_s']:.1f} s), "
                  f"{xl['batches']:,} batches, {xl['options']:,} allowed trips.", "",
                  "| stage | seconds |", "|---|---:|",
                  f"| read the returns | {xl['read_s']:.1f} |",
                  f"| prepare (consolidate, check and price every trip) | "
                  f"{xl['prepare_s']:.1f} |",
                  f"| starting plan (greedy + local search) | {xl['first_s']:.1f} |",
                  f"| solve (limit {xl['budget_s']:g} s) | {xl['solve_s']:.1f} |",
                  f"| **total** | **{xl['total_s']:.1f}** |", "",
                  f"Solver: {xl['status']}, objective {fmt(xl['objective'])}, bound "
                  f"{fmt(xl['bound'])}, gap {fmt(xl['gap'], 2, True)}. Peak memory "
                  f"{xl['prepare_peak_mb']:,.0f} MB after preparing, {xl['peak_mb']:,.0f} MB "
                  "at the end.", ""]
    if cmnd:
        lines += ["## CMND (Canad C instances, shared/benchmarks/cmnd)", "",
                  "| instance | variant | status | objective | bound | gap | seconds |",
                  "|---|---|---|---:|---:|---:|---:|"]
        for c in cmnd:
            lines.append(f"| {c['instance']} | "
                         f"{'unsplittable' if c['unsplittable'] else 'splittable'} | "
                         f"{c['status']} | {c['objective']:,.0f} | {c['bound']:,.0f} | "
                         f"{fmt(c['gap'], 2, True)} | {c['seconds']:.2f} |")
        lines += ["", "Published optima: c33 423,848 (splittable), 423,933 (unsplittable); "
                  "c41 429,398 (splittable).", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
