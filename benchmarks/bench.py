"""Benchmark the solver and write BENCHMARKS.md: ``python benchmarks/bench.py`` (``make bench``).

For every instance of ``benchmarks/generate.py`` (S, M, L on the bundled network, X synthetic)
and both formulations (``strong``: ours; ``obvious``: the plain model, one piece, default
settings, no starting plan), each measurement runs in a fresh process (for its peak memory):

- ``first``: time until a feasible plan exists (strong: the greedy + local-search start; obvious:
  SCIP stopped at its first solution);
- ``gap1``: time until the gap is at most 1% (the solver run with relative_gap 0.01);
- ``final``: objective, bound and gap at the time limit (60 s) with relative_gap 0.

Plus the greedy no-sharing and all-air baselines, an end-to-end ``returnroute solve --out`` of L
(reading 50,000 parcels to writing the outputs), and the two CMND instances. Repeated runs give
the median and the spread (max - min). Times are wall-clock seconds on this machine.
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
CMND = ROOT / "tests" / "data"
TIME_LIMIT = 60.0


def measure(scenario: Path, formulation: str, mode: str) -> dict:
    """One measurement in this process; returns a JSON-able dict."""
    from optimizer.inputs import load_scenario
    from optimizer.planning.baselines import cheapest_air, greedy, greedy_cost
    from optimizer.planning.heuristic import improve
    from optimizer.planning.mip import solve, unrouted_penalty
    from optimizer.planning.pipeline import prepare

    t0 = time.perf_counter()
    sc = load_scenario(scenario)
    gap = 0.01 if mode == "gap1" else 0.0
    sc = dataclasses.replace(sc, solver=dataclasses.replace(
        sc.solver, time_limit_s=TIME_LIMIT, relative_gap=gap, formulation=formulation))
    prepared = prepare(sc)
    allowed = prepared.allowed()
    build = time.perf_counter() - t0
    out = {"parcels": len(sc.parcels), "batches": len(prepared.batches),
           "lanes": len(sc.network.lanes), "build_s": build}
    t1 = time.perf_counter()
    start = greedy(prepared.batches, allowed)
    out["greedy_cny"] = greedy_cost(start)
    routable = [b for b in prepared.batches if allowed[b.batch_id]]
    out["greedy_objective"] = sum(
        start[b.batch_id].variable_cny + start[b.batch_id].standalone_vehicle_cny
        if b.batch_id in start else unrouted_penalty(allowed[b.batch_id]) for b in routable)
    air = [cheapest_air(allowed[b.batch_id]) for b in prepared.batches]
    out["air_cny"] = sum(a.standalone_cny for a in air if a is not None)
    hint = None
    if formulation == "strong":
        hint = improve(prepared.batches, allowed, start)
    heuristic_s = time.perf_counter() - t1
    if mode == "first" and formulation == "strong":
        out["first_s"] = build + heuristic_s
    else:
        if mode == "first":  # SCIP stops at its first solution
            sc = dataclasses.replace(sc, solver=dataclasses.replace(
                sc.solver, scip_params="limits/solutions = 1"))
        t2 = time.perf_counter()
        sol = solve(prepared.batches, allowed, sc.solver, hint=hint)
        solve_s = time.perf_counter() - t2
        out.update({"solve_s": solve_s, "status": sol.status, "objective": sol.objective_cny,
                    "bound": sol.bound_cny, "gap": sol.gap, "unrouted": len(sol.dropped),
                    **{k: v for k, v in dataclasses.asdict(sol.stats).items()
                       if v is not None}})
        elapsed = build + heuristic_s + solve_s
        if mode == "first":
            out["first_s"] = elapsed if sol.objective_cny is not None else None
        if mode == "gap1":
            reached = sol.gap is not None and sol.gap <= 0.01 + 1e-9
            out["gap1_s"] = elapsed if reached else None
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run_child(*args: str) -> dict:
    """Run ``measure`` (or a CLI) in a fresh process and parse its JSON."""
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def end_to_end(scenario: Path, out_dir: Path) -> dict:
    """``returnroute solve SCENARIO --out DIR`` timed as a user runs it."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "optimizer", "solve", str(scenario), "--out",
                           str(out_dir), "--json"], capture_output=True, text=True, cwd=ROOT,
                          check=False)
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    doc = json.loads(proc.stdout) if proc.returncode == 0 else {}
    return {"seconds": seconds, "exit": proc.returncode, "status": doc.get("status"),
            "gap": doc.get("gap"), "children_peak_mb": usage.ru_maxrss / 1024}


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


def main() -> None:
    """Generate the instances, run every measurement, print the table, write BENCHMARKS.md."""
    ap = argparse.ArgumentParser(description="returnroute benchmark")
    ap.add_argument("--measure", nargs=3, metavar=("SCENARIO", "FORMULATION", "MODE"))
    ap.add_argument("--sizes", default="S,M,L,X")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = ap.parse_args()
    if args.measure:
        scenario, formulation, mode = args.measure
        print(json.dumps(measure(Path(scenario), formulation, mode)))
        return

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate

    sizes = args.sizes.split(",")
    rows = []
    for size in sizes:
        scenario = (generate.synthetic_instance(INSTANCES) if size == "X"
                    else generate.bundled_instance(size, INSTANCES))
        for formulation in ("strong", "obvious"):
            runs: dict[str, list[dict]] = {"first": [], "gap1": [], "final": []}
            for _ in range(args.repeats):
                for mode in runs:
                    runs[mode].append(run_child("--measure", str(scenario), formulation, mode))
            final = runs["final"]
            row = {"instance": size, "formulation": formulation, **{
                k: final[0][k] for k in ("parcels", "batches", "lanes", "greedy_cny",
                                         "greedy_objective", "air_cny")},
                "variables": final[0].get("variables"),
                "constraints": final[0].get("constraints"),
                "build_s": med([r["build_s"] for r in final]),
                "first_s": med([r.get("first_s") for r in runs["first"]]),
                "gap1_s": med([r.get("gap1_s") for r in runs["gap1"]]),
                "objective": med([r.get("objective") for r in final]),
                "bound": med([r.get("bound") for r in final]),
                "gap": med([r.get("gap") for r in final]),
                "solve_s": med([r.get("solve_s") for r in final]),
                "peak_mb": max(r["peak_mb"] for mode in runs.values() for r in mode),
                "not_ok": sum(1 for r in final if r.get("objective") is None),
                "status": sorted({r.get("status") for r in final})}
            rows.append(row)
            print(json.dumps(row, default=str), flush=True)

    e2e = None
    if "L" in sizes:
        e2e = end_to_end(INSTANCES / "L" / "scenario.yaml", ROOT / "out" / "bench-L")
        print("end-to-end L:", json.dumps(e2e), flush=True)
    cmnd = []
    for name in ("c33", "c41"):
        for flag in ((), ("--unsplittable",)):
            proc = subprocess.run([sys.executable, "-m", "optimizer", "bench-cmnd",
                                   str(CMND / f"{name}.dow"), *flag, "--time-limit", "300",
                                   "--json"], capture_output=True, text=True, cwd=ROOT,
                                  check=True)
            cmnd.append(json.loads(proc.stdout))
            print(json.dumps(cmnd[-1]), flush=True)
    write_markdown(args.out, rows, e2e, cmnd, args.repeats)
    print(f"wrote {args.out}")


def write_markdown(path: Path, rows: list[dict], e2e: dict | None, cmnd: list[dict],
                   repeats: int) -> None:
    """BENCHMARKS.md: the table, the machine, and how to read it."""
    import ortools

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT, check=False).stdout.strip()
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(ln.split(":", 1)[1].strip() for ln in
                   Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name"))
    lines = [
        "# Benchmarks", "",
        f"Generated by `make bench` (benchmarks/bench.py) on {dt.date.today()}, commit "
        f"{commit}: {os.cpu_count()} cores ({cpu or platform.machine()}), Python "
        f"{platform.python_version()}, OR-Tools {ortools.__version__}. Time limit "
        f"{TIME_LIMIT:.0f} s, one solver thread, {repeats} runs each: median (spread = max - "
        "min). Instances from benchmarks/generate.py (seeded).", "",
        "| instance | formulation | parcels | batches | lanes | vars | cons | build s | "
        "first feasible s | to 1% gap s | objective CNY | bound CNY | gap | solve s | "
        "peak MB | greedy objective | greedy CNY | all-air CNY | runs not OK |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        "---:|---:|---:|"]
    for r in rows:
        def ms(key: str, nd: int = 2, pct: bool = False, r: dict = r) -> str:
            value, spread = r[key]
            if value is None:
                return "not reached"
            text = fmt(value, nd, pct)
            return text if not spread else f"{text} (±{fmt(spread, nd, pct)})"
        lines.append(
            f"| {r['instance']} | {r['formulation']} | {r['parcels']:,} | {r['batches']:,} | "
            f"{r['lanes']:,} | {r['variables'] or 0:,} | {r['constraints'] or 0:,} | "
            f"{ms('build_s')} | {ms('first_s')} | {ms('gap1_s')} | {ms('objective', 0)} | "
            f"{ms('bound', 0)} | {ms('gap', 2, True)} | {ms('solve_s')} | "
            f"{r['peak_mb']:,.0f} | {r['greedy_objective']:,.0f} | {r['greedy_cny']:,.0f} | "
            f"{r['air_cny']:,.0f} | "
            f"{r['not_ok']} |")
    lines += ["", "- *vars / cons*: of the models SCIP solved (strong: after dominance pruning "
              "and decomposition; the LP of a large group solved by GLOP is not counted).",
              "- *first feasible*: strong = build + greedy + local search; obvious = SCIP "
              "stopped at its first solution.",
              "- *to 1% gap*: a separate run with relative_gap 0.01; \"not reached\" = not "
              "within the time limit.",
              "- *objective* is what the solver minimises: landed cost + the scenario's "
              "holding-cost price (25%/year on value in transit) + penalties for unrouted "
              "batches; *greedy objective* is the same measure for the greedy no-sharing plan "
              "(the plan must never exceed it). *greedy CNY* is that plan's landed cost; "
              "*all-air CNY* the landed cost of the batches that have a compliant air option "
              "(batteries and liquids do not), each alone.", ""]
    if e2e:
        lines += ["## End to end", "",
                  f"`returnroute solve benchmarks/instances/L/scenario.yaml --out out/bench-L`"
                  f" (read 50,000 parcels, consolidate, solve, same-route baseline, verify, "
                  f"write): **{e2e['seconds']:.1f} s**, exit {e2e['exit']}, status "
                  f"{e2e['status']}, gap {fmt(e2e['gap'], 2, True)}, peak memory of the "
                  f"process {e2e['children_peak_mb']:,.0f} MB.", ""]
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
