"""Solving the independent groups on a Dask cluster (``solve --scheduler``, issue 15) gives the
plan of a local solve, really runs the groups on the cluster, and fails cleanly.

The scenario is the 2025 pilot week of the rule timeline: 18 batches in two groups of nine
(336 and 1,238 trips), each proven optimal by SCIP in about a second. The cluster is two
worker processes of one thread (``processes=True``, as a real cluster is: the groups' data is
pickled to another interpreter and back), started once for the module.
"""

from __future__ import annotations

import dataclasses
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ROOT

from optimizer.cli import cli
from optimizer.inputs import load_scenario
from optimizer.planning import mip
from optimizer.planning.mip import ClusterFailed, Solution, connect
from optimizer.planning.pipeline import Prepared, optimise, prepare

SCENARIO = ROOT / "scenarios" / "timeline-2025-pilot.yaml"
TASK = "solve_group_task"


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    """The scheduler of a LocalCluster of 2 worker processes x 1 thread."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def prepared() -> Prepared:
    return prepare(load_scenario(SCENARIO))


def decided(sol: Solution) -> dict[str, Any]:
    """What a solution decided and proved (not how long it took)."""
    return {"status": sol.status, "objective": sol.objective_cny, "bound": sol.bound_cny,
            "gap": sol.gap, "chosen": {bid: o.option_id for bid, o in sol.chosen.items()},
            "dropped": sol.dropped, "vehicles": dict(sol.vehicles), "stats": sol.stats,
            "time_limit_reached": sol.time_limit_reached}


def group_tasks(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The task stream's records of group solves."""
    from dask.utils import key_split

    return [r for r in records if key_split(r["key"]) == TASK]


def test_the_cluster_solves_the_groups_and_finds_the_local_plan(prepared: Prepared,
                                                                address: str) -> None:
    from distributed import get_task_stream

    local, _, _ = optimise(prepared)
    assert local.status == "OPTIMAL" and local.stats.groups == 2
    with connect(address) as cluster, get_task_stream(client=cluster.client) as stream:
        remote, _, _ = optimise(prepared, cluster=cluster)
    assert decided(remote) == decided(local)
    assert remote.penalty_cny == local.penalty_cny
    tasks = group_tasks(stream.data)
    # both groups of nine were solved as tasks, side by side: one a worker (LPT over 2 slots)
    assert len(tasks) == 2 and len({t["worker"] for t in tasks}) == 2


def without_times(doc: Any) -> Any:
    """A plan.json without its timings."""
    if isinstance(doc, dict):
        return {k: without_times(v) for k, v in doc.items() if "seconds" not in k}
    if isinstance(doc, list):
        return [without_times(v) for v in doc]
    return doc


def test_solve_command_on_the_cluster_prints_the_local_plan(address: str) -> None:
    from distributed import get_task_stream

    local = CliRunner().invoke(cli, ["solve", str(SCENARIO), "--json"])
    assert local.exit_code == 0, local.output
    with connect(address) as watcher, get_task_stream(client=watcher.client) as stream:
        remote = CliRunner().invoke(cli, ["solve", str(SCENARIO), "--json",
                                          "--scheduler", address])
    assert remote.exit_code == 0, remote.output
    ours, theirs = json.loads(local.stdout), json.loads(remote.stdout)
    assert ours["solver_status"] == "OPTIMAL"
    assert without_times(theirs) == without_times(ours)
    assert len(group_tasks(stream.data)) >= 2  # the plan's solve at least, maybe the baseline's


def test_a_task_that_raises_is_a_clear_error(prepared: Prepared, address: str) -> None:
    # SCIP refuses a thread count that is not a number: on the worker, in the group's solve
    bad = dataclasses.replace(prepared.scenario.solver, threads="two")
    with connect(address) as cluster, pytest.raises(
            ClusterFailed, match=r"group \d \(9 batches, on worker tcp://.*\) failed: TypeError"):
        mip.solve(prepared.batches, prepared.allowed(), bad, cluster=cluster)


def free_port() -> int:
    """A local port nothing listens on (it was free a moment ago)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("address, what", [
    ("tcp://127.0.0.1:{free}", "cannot connect"),  # the port is picked when the test runs:
    ("localhost", "not a scheduler address"),       # test ids must be the same on every worker
])
def test_an_unreachable_scheduler_is_a_usage_error(monkeypatch: pytest.MonkeyPatch,
                                                   address: str, what: str) -> None:
    address = address.format(free=free_port())
    monkeypatch.setattr(mip, "CONNECT_TIMEOUT_S", 1.0)  # Dask retries a refused port until then
    res = CliRunner().invoke(cli, ["solve", str(SCENARIO), "--scheduler", address])
    assert res.exit_code == 2
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: Dask scheduler {address}: {what}")
    assert "Traceback" not in res.output


def test_groups_are_dealt_largest_first_to_the_least_loaded_thread() -> None:
    assert mip._chains({0: 5, 1: 4, 2: 3, 3: 3}, 2) == [[0, 3], [1, 2]]
    assert mip._chains({4: 1, 7: 9}, 3) == [[7], [4], []]
