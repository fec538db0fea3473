"""Measure ``solve --scheduler`` (issue 15): the same solves locally and on a Dask LocalCluster.

    python benchmarks/dask_groups.py [SCENARIO ...] [--limit S] [--workers N] [--threads T]

For every scenario (default: the benchmark instances M and X, and the bundled scenarios whose
decomposition has several groups of more than one batch), two fresh processes each prepare it
and solve it with ``pipeline.optimise`` (the greedy start, then ``mip.solve``): one locally,
one on a LocalCluster of ``--workers`` worker processes of ``--threads`` threads started in that
process before anything is timed, its workers made to import the solver first (*warm-up s*:
a long-running cluster pays that once). The solve seconds are ``Solution.seconds`` (decomposition,
sending the groups, the solves, gathering), not preparing or starting the cluster. Prints a
markdown table: the groups (of more than one batch), the largest group's batches and trips,
both solves' seconds and their ratio (local / cluster: above 1, the cluster is faster), each
solve's status and objective, and whether the two plans are identical (status, objective,
bound, each batch's trip, vehicles).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from optimizer.planning.pipeline import Prepared

ROOT = Path(__file__).resolve().parents[1]
#: the benchmark instances M and X, and the bundled scenarios with at least two groups of more
#: than one batch (the 2024 and 2025 weeks of the rule timeline, two groups of nine; the other
#: bundled scenarios are one group, or one batch)
DEFAULT = (ROOT / "benchmarks" / "instances" / "M" / "scenario.yaml",
           ROOT / "benchmarks" / "instances" / "X" / "scenario.yaml",
           ROOT / "scenarios" / "timeline-2024-same_route.yaml",
           ROOT / "scenarios" / "timeline-2025-pilot.yaml")


def measure(scenario: Path, where: str, limit: float | None, workers: int, threads: int
            ) -> dict:
    """Prepare and solve the scenario in this process, locally or on a fresh LocalCluster."""
    import contextlib
    import importlib

    from optimizer.inputs import load_scenario
    from optimizer.planning.mip import connect
    from optimizer.planning.pipeline import optimise, prepare

    sc = load_scenario(scenario)
    if limit is not None:
        sc = dataclasses.replace(sc, solver=dataclasses.replace(sc.solver, time_limit_s=limit))
    prepared = prepare(sc)
    warm = 0.0
    with contextlib.ExitStack() as stack:
        cluster = None
        if where == "cluster":
            from distributed import LocalCluster

            local = stack.enter_context(LocalCluster(
                n_workers=workers, threads_per_worker=threads, processes=True,
                dashboard_address=None))
            cluster = stack.enter_context(connect(local.scheduler_address))
            t0 = time.perf_counter()  # a fresh worker imports the solver on its first task
            cluster.client.run(importlib.import_module, "optimizer.planning.mip")
            warm = time.perf_counter() - t0
        t0 = time.perf_counter()
        sol, _, fell_back = optimise(prepared, cluster=cluster)
        wall = time.perf_counter() - t0
    groups = _groups(prepared)
    return {"status": sol.status, "objective": sol.objective_cny, "bound": sol.bound_cny,
            "gap": sol.gap, "seconds": sol.seconds, "wall_s": wall, "fell_back": fell_back,
            "warm_s": warm,
            "time_limit_s": sc.solver.time_limit_s, "groups": sol.stats.groups,
            "multi": groups, "chosen": {b: o.option_id for b, o in sorted(sol.chosen.items())},
            "dropped": sorted(sol.dropped),
            "vehicles": sorted([*k, n] for k, n in sol.vehicles.items())}


def _groups(prepared: Prepared) -> list[list[int]]:
    """The groups of more than one batch as mip.solve forms them: [batches, trips] each."""
    from optimizer.planning import mip

    allowed = prepared.allowed()
    routed = [b for b in prepared.batches if allowed.get(b.batch_id)]
    kept, groups, _ = mip._decompose(routed, allowed, prepared.scenario.solver, None, {})
    return [[len(g), sum(len(kept[b.batch_id]) for b in g)] for g in groups if len(g) > 1]


def child(*args: str) -> dict:
    """``measure`` in a fresh process; its JSON."""
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def identical(a: dict, b: dict) -> bool:
    """The same plan: status, objective, bound, trips, unrouted batches and vehicles."""
    keys = ("status", "objective", "bound", "chosen", "dropped", "vehicles")
    return all(a[k] == b[k] for k in keys)


def row(name: str, local: dict, remote: dict) -> str:
    """One line of the table."""
    largest = max(local["multi"], default=[1, 0])
    ratio = local["seconds"] / remote["seconds"] if remote["seconds"] > 0 else float("nan")

    def outcome(r: dict) -> str:
        obj = "none" if r["objective"] is None else f"{r['objective']:,.0f}"
        return f"{r['status']} {obj}"

    return (f"| {name} | {local['groups']} ({len(local['multi'])}) | {largest[0]} / "
            f"{largest[1]:,} | {local['time_limit_s']:g} | {local['seconds']:.1f} | "
            f"{remote['seconds']:.1f} | {ratio:.2f} | {remote['warm_s']:.1f} | {outcome(local)} | "
            f"{outcome(remote)} | {'yes' if identical(local, remote) else 'no'} |")


def main() -> None:
    """Measure every scenario, local then cluster, and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenarios", nargs="*", type=Path, default=list(DEFAULT))
    ap.add_argument("--limit", type=float, default=None,
                    help="solver seconds (default: each scenario's own time limit)")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    ap.add_argument("--threads", type=int, default=1, help="threads per worker")
    ap.add_argument("--measure", nargs=2, metavar=("SCENARIO", "WHERE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        scenario, where = args.measure
        print(json.dumps(measure(Path(scenario), where, args.limit, args.workers,
                                 args.threads)))
        return
    extra = [*(["--limit", str(args.limit)] if args.limit is not None else []),
             "--workers", str(args.workers), "--threads", str(args.threads)]
    print(f"{os.cpu_count()} CPUs; cluster: LocalCluster of {args.workers} worker processes x "
          f"{args.threads} thread(s); solve seconds are Solution.seconds, one run each\n")
    print("| instance | groups (>1 batch) | largest group: batches / trips | limit s "
          "| local s | cluster s | local / cluster | warm-up s | local | cluster | identical |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for scenario in args.scenarios:
        local = child("--measure", str(scenario), "local", *extra)
        remote = child("--measure", str(scenario), "cluster", *extra)
        name = scenario.parent.name if scenario.name == "scenario.yaml" else scenario.stem
        print(row(name, local, remote), flush=True)


if __name__ == "__main__":
    main()
