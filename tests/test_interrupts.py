"""Ctrl-C and SIGTERM stop a command at once and leave --out as it was; output errors and a
lack of memory end with a clear message and exit 2, never a traceback or a silent exit 0.

The interruption tests drive the real console script (``python -m optimizer``) in a subprocess,
in a session of its own as a shell would start it, signal it while SCIP is solving (its log,
``solver.log: true``, shows when), and check the exit code, the one-line message, that there is
no traceback, that --out is byte for byte what it was with nothing left beside it, and that no
process of the run (worker processes included) is left running. Each test is bounded by
timeouts; none measures speed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT

import optimizer.cli as cli_module
from optimizer.cli import cli
from optimizer.supervise import supervise

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not Path("/proc/self").is_dir(),
                                reason="POSIX processes and /proc")

#: SCIP's log has started: the command is inside the solver
SOLVING = (b"presolving", b"SCIP version")
STARTUP_S = 60  # to SCIP's first log line: ~5-20 s on a busy 2-CPU machine


def _cut_l(tmp_path_factory: pytest.TempPathFactory, parcels: int) -> Path:
    """Benchmark instance L cut to its first ``parcels`` parcels, 300 s limit, SCIP's log on."""
    d = tmp_path_factory.mktemp("long")
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--out", str(d),
                    "L"], check=True, capture_output=True, timeout=120)
    returns = d / "L" / "returns.csv"
    with returns.open(encoding="utf-8") as fh:
        head = [next(fh) for _ in range(parcels + 1)]
    returns.write_text("".join(head), encoding="utf-8")
    path = d / "long.yaml"
    path.write_text(yaml.safe_dump({"extends": str(d / "L" / "scenario.yaml"),
                                    "solver": {"time_limit_s": 300, "log": True}}),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def long_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Benchmark instance L cut to its first 400 parcels: read and prepared in seconds, one
    group small enough for SCIP itself (no LP-first path), which it is busy with for seconds
    more (300 s limit, SCIP's log on)."""
    return _cut_l(tmp_path_factory, 400)


@pytest.fixture(scope="module")
def previous_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of an earlier, completed ``solve``."""
    out = tmp_path_factory.mktemp("previous") / "plan"
    res = CliRunner().invoke(cli, ["solve", str(ROOT / "scenarios" / "ningbo-air.yaml"),
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


class Run:
    """The console script running in a session of its own, its output collected as it comes."""

    def __init__(self, *args: str | Path) -> None:
        self.marker = str(args[-1])  # a path unique to the test: finds the run's processes
        self.proc = subprocess.Popen([sys.executable, "-m", "optimizer", *map(str, args)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                                     start_new_session=True)
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.solving = threading.Event()
        self.readers = [threading.Thread(target=self._read, args=(self.proc.stdout, self.stdout),
                                         daemon=True),
                        threading.Thread(target=self._read, args=(self.proc.stderr, self.stderr),
                                         daemon=True)]
        for t in self.readers:
            t.start()

    def _read(self, stream, into: bytearray) -> None:
        for line in stream:
            into.extend(line)
            if any(s in line for s in SOLVING):
                self.solving.set()

    def wait_solving(self, startup_s: float = STARTUP_S) -> None:
        """Until SCIP has started (and a little longer, so it is deep in the solve)."""
        ok = self.solving.wait(startup_s)
        assert ok, f"the solve did not start: {self.stderr.decode(errors='replace')[-2000:]}"
        assert self.proc.poll() is None, "the run ended before it could be interrupted"
        time.sleep(0.5)

    def wait_workers(self, count: int, cpu_s: float = 1.0, timeout_s: float = 120) -> None:
        """Until ``count`` worker processes of the command (children of the supervised child)
        have each used ``cpu_s`` of CPU time: they are running their work, not starting."""
        tick = os.sysconf("SC_CLK_TCK")
        until = time.monotonic() + timeout_s
        while True:
            assert self.proc.poll() is None, "the run ended before it could be interrupted"
            stats = {pid: stat for pid, stat in _stats().items()
                     if self.marker.encode() in _cmdline(Path(f"/proc/{pid}"))}
            children = {pid for pid, stat in stats.items() if stat[1] == self.proc.pid}
            busy = [pid for pid, stat in stats.items()
                    if stat[1] in children and (stat[11] + stat[12]) / tick >= cpu_s]
            if len(busy) >= count:
                return
            assert time.monotonic() < until, (
                f"{len(busy)} of {count} workers busy after {timeout_s} s: "
                f"{self.stderr.decode(errors='replace')[-2000:]}")
            time.sleep(0.1)

    def finish(self) -> int:
        """Wait for the exit (bounded) and for the output to be read."""
        code = self.proc.wait(timeout=10)
        for t in self.readers:
            t.join(timeout=10)
        return code

    def kill(self) -> None:
        """Test teardown: whatever is left of the run (the child dies with its parent)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def survivors(self) -> list[int]:
        """Live processes of this run (zombies have no command line); waits up to 10 s for
        killed ones to go."""
        until = time.monotonic() + 10
        while True:
            alive = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                     and self.marker.encode() in _cmdline(p)]
            if not alive or time.monotonic() > until:
                return alive
            time.sleep(0.1)


def _cmdline(proc: Path) -> bytes:
    try:
        return (proc / "cmdline").read_bytes()
    except OSError:
        return b""


def _stats() -> dict[int, list[int]]:
    """pid -> the numeric fields of /proc/PID/stat after "pid (comm) state": [0] is the
    state's place, [1] the parent's pid, [11] and [12] the user and system CPU time in ticks."""
    out = {}
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                fields = (p / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            out[int(p.name)] = [0, *map(int, fields[1:])]
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def out(previous_plan: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the previous plan in a folder of its own (so leftovers beside it show)."""
    target = tmp_path / "work" / "plan"
    shutil.copytree(previous_plan, target)
    yield target


def _check_stopped(run: Run, code: int, out: Path, before: dict[str, bytes], expected: int,
                   message: str) -> None:
    """Exit code, one message line, no traceback, --out untouched, nothing left running."""
    err = run.stderr.decode(errors="replace")
    assert code == expected, err[-2000:]
    assert err.count(message) == 1, err[-2000:]
    assert "Traceback" not in err and "Aborted" not in err
    assert b"pressed CTRL-C" not in run.stdout  # SCIP no longer catches the signal
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]
    assert run.survivors() == []


@pytest.mark.parametrize("presses", [1, 3])
def test_ctrl_c_during_the_solve_stops_at_once(long_scenario: Path, out: Path,
                                               presses: int) -> None:
    before = _snapshot(out)
    run = Run("solve", long_scenario, "--out", out)
    try:
        run.wait_solving()
        for _ in range(presses):  # the terminal signals the whole foreground process group
            os.killpg(run.proc.pid, signal.SIGINT)
            time.sleep(0.05)
        code = run.finish()
    finally:
        run.kill()
    _check_stopped(run, code, out, before, 130,
                   "interrupted (SIGINT): nothing was written; --out is unchanged")


def test_sigterm_during_the_solve_stops_at_once(long_scenario: Path, out: Path) -> None:
    before = _snapshot(out)
    run = Run("solve", long_scenario, "--out", out)
    try:
        run.wait_solving()
        os.kill(run.proc.pid, signal.SIGTERM)  # `kill PID`: the process, not its group
        code = run.finish()
    finally:
        run.kill()
    _check_stopped(run, code, out, before, 143,
                   "terminated (SIGTERM): nothing was written; --out is unchanged")


def test_ctrl_c_stops_a_sweeps_worker_processes(long_scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "work" / "sweep"
    out.mkdir(parents=True)
    for name in ("sweep.csv", "sweep.json", "sweep.png"):
        (out / name).write_bytes(f"previous {name}\n".encode())
    before = _snapshot(out)
    run = Run("sweep", long_scenario, "--param", "rates.air=0.9,1.1", "--workers", "2",
              "--out", out)
    try:
        # both worker processes are running their point (a second of CPU each: loading,
        # preparing or solving 400 parcels, which takes them tens of seconds). They never see
        # the signal (they are in the command's process group, not the terminal's): the
        # supervisor must kill them. SCIP's log does not show when they solve: it is
        # block-buffered in a worker, and a worker ends without flushing it
        run.wait_workers(2)
        os.killpg(run.proc.pid, signal.SIGINT)
        code = run.finish()
    finally:
        run.kill()
    _check_stopped(run, code, out, before, 130,
                   "interrupted (SIGINT): nothing was written; --out is unchanged")


# ---- output that cannot be written, memory that runs out ---------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_json_to_a_full_disk_is_an_error_not_a_truncated_success() -> None:
    with open("/dev/full", "wb") as full:
        res = subprocess.run([sys.executable, "-m", "optimizer", "solve",
                              str(ROOT / "scenarios" / "ningbo-air.yaml"), "--json"],
                             stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                             timeout=120, check=False)
    assert res.returncode == 2
    assert res.stderr.strip() == "error: cannot write the output: No space left on device"


def test_a_closed_pipe_stays_a_quiet_success(tmp_path: Path) -> None:
    # stderr goes to a file: a run that fails with a long message to a pipe nobody reads
    # would block on it, and the test with it, instead of failing
    with (tmp_path / "stderr").open("wb") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "optimizer", "solve",
                                 str(ROOT / "scenarios" / "yiwu-tir-return.yaml"), "--json"],
                                stdout=subprocess.PIPE, stderr=stderr, cwd=ROOT)
    assert proc.stdout is not None
    try:
        head = proc.stdout.read(10)
        proc.stdout.close()  # `| head -c 10`
        code = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = (tmp_path / "stderr").read_bytes()
    assert head.startswith(b"{"), err[-2000:]
    assert code == 0, err[-2000:]
    assert err == b""


def test_out_of_memory_names_the_limit(make_case, monkeypatch) -> None:
    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(cli_module, "run", exhausted)
    res = CliRunner().invoke(cli, ["solve", str(make_case())])
    assert res.exit_code == 2
    assert "error: out of memory (the limit is " in res.output
    assert "smaller returns file" in res.output
    assert "internal error" not in res.output and "Traceback" not in res.output


# ---- the supervisor itself ---------------------------------------------------------------------


def test_the_childs_exit_code_is_passed_through() -> None:
    assert supervise(lambda: 3) == 3
    assert supervise(lambda: sys.exit(2)) == 2
    assert supervise(lambda: 0) == 0


def test_a_child_killed_from_outside_is_reported(capfd) -> None:
    code = supervise(lambda: os.kill(os.getpid(), signal.SIGKILL) or 0)
    assert code == 128 + signal.SIGKILL
    err = capfd.readouterr().err
    assert "killed by SIGKILL" in err and "memory" in err and "nothing was written" in err


@pytest.mark.parametrize(("events", "said"), [
    (["writing"], "stopped while writing: --out holds the previous or the new output"),
    (["writing", "written"], "the output had been written completely"),
])
def test_the_message_says_what_is_on_disk(events: list[str], said: str) -> None:
    # the supervisor in a process of its own with one thread, as the console script runs it:
    # it blocks the stop signals around its fork in its own thread only, so in a process with
    # other threads (a pytest-xdist worker has some) a signal that comes before its handlers
    # are in place goes to another thread and takes the default action: the worker dies
    code = f"""if True:
        import os, signal, sys, time
        from optimizer.supervise import note, supervise

        def target() -> int:
            for event in {events!r}:
                note(event)
            os.kill(os.getppid(), signal.SIGTERM)
            time.sleep(30)  # killed long before
            return 0

        sys.exit(supervise(target))
    """
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60, check=False)
    assert res.returncode == 128 + signal.SIGTERM, res.stderr
    assert f"terminated (SIGTERM): {said}" in res.stderr


def test_ctrl_c_while_the_package_is_still_loading_has_no_traceback(tmp_path) -> None:
    """A Ctrl-C during start-up (the supervised child still importing pandas and OR-Tools)
    ends like any other interruption: one line, exit 130, no traceback. The console entry
    installs its handler before loading anything heavy, and ``import optimizer`` is lazy."""
    import signal
    import subprocess
    import sys
    import time

    scenario = ROOT / "scenarios" / "mixed-week.yaml"
    for delay in (0.0, 0.25):
        proc = subprocess.Popen([sys.executable, "-m", "optimizer", "solve", str(scenario),
                                 "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, cwd=tmp_path)
        try:
            # the supervisor has forked its child (so the console entry's handlers are in
            # place: a signal before that, while Python itself starts, is not the entry's to
            # handle), which is importing the package: pandas and OR-Tools take a second
            # and more, so the signal comes during start-up (a fixed sleep after Popen, on a
            # busy machine, could come before Python has even started)
            _wait_for_child(proc.pid)
            time.sleep(delay)
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        assert proc.returncode == 130, err
        assert "Traceback" not in err and "KeyboardInterrupt" not in err
        assert "interrupted" in err


def _wait_for_child(pid: int, timeout_s: float = 30) -> None:
    """Until process ``pid`` has a child process (bounded)."""
    until = time.monotonic() + timeout_s
    while not any(stat[1] == pid for stat in _stats().values()):
        assert time.monotonic() < until, f"process {pid} started no child in {timeout_s} s"
        time.sleep(0.005)


def test_import_optimizer_loads_nothing_heavy() -> None:
    """`import optimizer` must stay cheap (the supervisor starts first): no pandas, no
    OR-Tools until a public name is used."""
    import subprocess
    import sys

    code = ("import sys, optimizer; heavy = [m for m in ('pandas', 'ortools', 'numpy') "
            "if m in sys.modules]; print(heavy); optimizer.load_scenario; "
            "print('ortools' in sys.modules or 'pandas' in sys.modules or 'pydantic' in "
            "sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "True"
