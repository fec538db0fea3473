"""Run a command in a child process that its parent can always stop: Ctrl-C means stop.

Why a child. The solver (SCIP through OR-Tools) runs in native code for seconds to minutes.
Python runs signal handlers only between bytecodes of its main thread, SCIP catches SIGINT
itself by default (and then swallows it: the run went on and wrote its plan), and a sweep's
worker processes never see a signal sent to their parent. A parent that does nothing but wait
can act on a signal at once: it kills the child's whole process group (the command and every
worker process it started) with SIGKILL, says in one line what happened and what is on disk,
and exits 128 + the signal's number as shells do (130 for SIGINT, 143 for SIGTERM, 129 for
SIGHUP). Output is only ever replaced by an atomic swap at the end of a run
(``optimizer.outputs.files``), so a killed run leaves the previous output in place.

The child runs in a process group of its own, so the terminal's Ctrl-C (sent to the foreground
process group) reaches the parent only. The child ignores SIGINT anyway (a kill sent to its
group would otherwise end in a KeyboardInterrupt traceback), ignores SIGTTOU (it writes to the
terminal from outside the foreground group, even under ``stty tostop``), and on Linux dies with
its parent (``PR_SET_PDEATHSIG``), should the parent itself be killed with SIGKILL. Ctrl-Z
stops the child's group with the parent. The child's exit code is passed through; when it is
killed by a signal the parent did not send (the kernel's out-of-memory killer sends SIGKILL),
the parent says so. stdin, stdout and stderr are inherited.

The child tells the parent through a pipe when it starts and finishes writing output (``with
writing():``), so the message after an interruption says what is on disk.

Standard library only, nothing of the package: the command line's entry point uses it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NoReturn

#: the signals that stop a supervised command, and how the message names each
STOP_SIGNALS = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated",
                signal.SIGHUP: "hung up"}

#: in the child: the write end of the pipe to the parent (None when not supervised)
_notes_fd: int | None = None

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass
class _State:
    """What the parent knows: the child's pid, whether it has ended, the stop signals received
    while it ran, in order."""

    pid: int
    done: bool = False
    signals: list[int] = field(default_factory=list)


def supervise(target: Callable[[], int], *, restore: bool = True) -> int:
    """Run ``target`` in a child process and return its exit code, or 128 + N after signal N.

    ``restore=False`` leaves the stop signals ignored once the child has ended, for a caller
    that exits next: a late Ctrl-C (the third of three) then cannot interrupt the exit, nor
    kill the interpreter while it shuts down (it restores the default handlers of the signals
    it handles, but leaves ignored ones alone). Without ``os.fork`` (Windows) ``target``
    simply runs here.
    """
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        return target()
    for stream in (sys.stdout, sys.stderr):  # nothing buffered may be written twice
        with contextlib.suppress(OSError, ValueError, AttributeError):  # None: fd closed
            stream.flush()
    watched = [*STOP_SIGNALS, signal.SIGTSTP]
    previous = {s: signal.getsignal(s) for s in watched}
    read_fd, write_fd = os.pipe()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, watched)  # none lost around the fork
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(target, write_fd, mask)
    os.close(write_fd)
    state = _State(pid)
    with contextlib.suppress(OSError):  # the child does the same: whoever runs first
        os.setpgid(pid, pid)
    try:
        for s in STOP_SIGNALS:
            signal.signal(s, lambda signum, _frame: _stop(state, signum))
        signal.signal(signal.SIGTSTP, lambda _signum, _frame: _suspend(state))
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        exited, status = _wait(pid)
    except BaseException:  # never leave the command running behind a failed supervisor
        _kill_group(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        raise
    finally:
        state.done = True
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_IGN if not restore
                          else handler if handler is not None else signal.SIG_DFL)
    notes = _read_notes(read_fd)
    return _outcome(state, exited, status, notes)


def note(event: str) -> None:
    """Tell the supervising parent what the command is doing (nothing without a parent)."""
    if _notes_fd is not None:
        with contextlib.suppress(OSError):
            os.write(_notes_fd, event.encode("ascii", "replace") + b"\n")


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Mark the writing of output, so that an interruption can say what is on disk."""
    note("writing")
    yield
    note("written")


def process_started() -> float:
    """When this process started, on the ``time.monotonic`` clock (now if unknown).

    A command's time budget counts from here: the interpreter's start and the imports are part
    of what the user waits for. Linux: the start time in /proc/self/stat is in clock ticks
    since boot, on the boot-time clock.
    """
    now = time.monotonic()
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        start_s = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22 of proc(5)
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - start_s
    except (OSError, ValueError, IndexError, AttributeError):
        return now
    return now - min(max(age, 0.0), 60.0)  # a sanity cap: imports never take a minute


def memory_limit() -> str:
    """The memory this process may use, in words: the tightest of the address-space and data
    rlimits (``ulimit -v``, ``ulimit -d``) and the cgroup's ``memory.max``, else the RAM."""
    limits: list[tuple[int, str]] = []
    with contextlib.suppress(ImportError, OSError, ValueError):
        import resource

        for which, name in ((resource.RLIMIT_AS, "address space, ulimit -v"),
                            (resource.RLIMIT_DATA, "data, ulimit -d")):
            soft = resource.getrlimit(which)[0]
            if soft != resource.RLIM_INFINITY:
                limits.append((soft, name))
    cgroup = _cgroup_memory_max()
    if cgroup is not None:
        limits.append((cgroup, "cgroup memory.max"))
    if limits:
        size, name = min(limits)
        return f"{_gib(size)} ({name})"
    try:
        return f"{_gib(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES'))} of RAM"
    except (OSError, ValueError, AttributeError):  # pragma: no cover - not POSIX
        return "unknown"


# ---- the child ---------------------------------------------------------------------------------


def _child(target: Callable[[], int], notes_fd: int, mask: set[signal.Signals]) -> NoReturn:
    """Run ``target`` in the forked child and leave with its exit code, never returning."""
    global _notes_fd
    code = 1
    try:
        parent = os.getppid()
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)
        _notes_fd = notes_fd
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGTSTP):
            signal.signal(s, signal.SIG_DFL)
        _die_with_parent(parent)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        code = _exit_code(target)
    except BaseException as exc:  # the last resort: one line, never a traceback
        with contextlib.suppress(Exception):
            sys.stderr.write(f"internal error: {type(exc).__name__}: {exc}\n")
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def _exit_code(target: Callable[[], int]) -> int:
    """``target``'s result, or the code of the SystemExit it raised."""
    try:
        return int(target() or 0)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        sys.stderr.write(f"{exc.code}\n")
        return 1


def _die_with_parent(parent: int) -> None:
    """Linux: have the kernel kill this process when its parent dies (even by SIGKILL)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(128 + signal.SIGKILL)


# ---- the parent --------------------------------------------------------------------------------


def _stop(state: _State, signum: int) -> None:
    """A stop signal: remember it and kill the child's process group at once (once the child
    has ended, there is nothing left to stop: the signal is ignored)."""
    if state.done:
        return
    state.signals.append(signum)
    _kill_group(state.pid, signal.SIGKILL)


def _suspend(state: _State) -> None:
    """Ctrl-Z: stop the child's group, then this process; continue both on ``fg``."""
    if state.done:
        return
    _kill_group(state.pid, signal.SIGSTOP)
    signal.signal(signal.SIGTSTP, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTSTP)  # stops here until SIGCONT
    signal.signal(signal.SIGTSTP, lambda _signum, _frame: _suspend(state))
    _kill_group(state.pid, signal.SIGCONT)


def _kill_group(pid: int, sig: int) -> None:
    """Send ``sig`` to the child's process group and to the child (in case it has none yet)."""
    if pid <= 0:  # 0 would mean this process's own group
        return
    with contextlib.suppress(OSError):
        os.killpg(pid, sig)
    with contextlib.suppress(OSError):
        os.kill(pid, sig)


def _wait(pid: int) -> tuple[bool, int]:
    """Wait for the child to end: (exited normally, exit code or signal number).

    Before the child is reaped (its pid, and so its process group id, cannot be reused yet),
    whatever is left of its group (worker processes) is killed: a command leaves nothing
    running behind it.
    """
    while True:
        try:
            info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
        except ChildProcessError:  # pragma: no cover - reaped by someone else
            return True, 1
        if info is not None:
            break
    _kill_group(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    return info.si_code == os.CLD_EXITED, info.si_status


def _read_notes(fd: int) -> list[str]:
    """What the child noted (see ``note``), in order."""
    os.set_blocking(fd, False)
    data = b""
    with contextlib.suppress(OSError):
        while chunk := os.read(fd, 4096):
            data += chunk
    os.close(fd)
    return data.decode("ascii", "replace").split()


def _on_disk(notes: list[str]) -> str:
    """What an interrupted command left on disk, from its notes."""
    if "writing" not in notes:
        return "nothing was written; --out is unchanged"
    if notes[-1] == "writing":
        return ("stopped while writing: --out holds the previous or the new output, complete, "
                "never a mix (the next run clears what this one left beside it)")
    return "the output had been written completely"


def _outcome(state: _State, exited: bool, status: int, notes: list[str]) -> int:
    """The exit code, and one line on stderr when the command did not end by itself."""
    if state.signals:
        signum = state.signals[0]
        _say(f"{STOP_SIGNALS[signal.Signals(signum)]} ({signal.Signals(signum).name}): "
             f"{_on_disk(notes)}")
        return 128 + signum
    if exited:
        return status
    try:
        name = signal.Signals(status).name
    except ValueError:
        name = f"signal {status}"
    cause = (f", most likely by the kernel for lack of memory (limit: {memory_limit()}); try a "
             "smaller returns file" if status == signal.SIGKILL else "")
    _say(f"killed by {name}{cause}: {_on_disk(notes)}")
    return 128 + status


def _say(message: str) -> None:
    """One line on stderr (after a line break on a terminal, where ^C was echoed)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # None: fd closed
        lead = "\n" if sys.stderr.isatty() else ""
        sys.stderr.write(f"{lead}{message}\n")
        sys.stderr.flush()


def _cgroup_memory_max() -> int | None:
    """The memory limit of this process's cgroup (v2 ``memory.max``, v1
    ``memory.limit_in_bytes``), if one is set."""
    for path in _cgroup_limit_files():
        with contextlib.suppress(OSError, ValueError), open(path, encoding="ascii") as fh:
            value = fh.read().strip()
            if value != "max" and int(value) < 1 << 60:  # v1 writes "no limit" as ~2**63
                return int(value)
    return None


def _cgroup_limit_files() -> list[str]:
    """Where this process's cgroup keeps its memory limit, most specific first."""
    files: list[str] = []
    with contextlib.suppress(OSError), open("/proc/self/cgroup", encoding="utf-8") as fh:
        for line in fh:
            _, controllers, rel = line.rstrip("\n").split(":", 2)
            rel = rel.strip("/")
            if controllers == "":
                files.append(os.path.join("/sys/fs/cgroup", rel, "memory.max"))
            elif "memory" in controllers.split(","):
                files.append(os.path.join("/sys/fs/cgroup/memory", rel,
                                          "memory.limit_in_bytes"))
    return [*files, "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]


def _gib(size: int) -> str:
    """Bytes in GiB (MiB below one GiB)."""
    return f"{size / 2**30:.1f} GiB" if size >= 2**30 else f"{size / 2**20:.0f} MiB"
