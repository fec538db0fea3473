"""The ``--out`` directory under attack: foreign files, two writers, killed writers, read-only
targets and hostile scenario names. Every case ends in a refusal (``InputError``, exit 2) or a
complete directory, and no file anybody put anywhere is lost.

Running as root, permission bits do not stop anything, so "not writable" is tested with
``chattr +i`` (immutable: refused even for root, and ``os.access`` reports it) where the file
system supports it, with ``chmod`` when not root, and with a monkeypatched ``os.access`` always.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from optimizer.errors import InputError
from optimizer.outputs import files as F
from optimizer.outputs.files import (
    OUTPUT_FILES,
    check_out_dir,
    check_report_target,
    default_out_dir,
    write_atomically,
    write_file_atomically,
)

ROOT = Path(__file__).resolve().parents[1]

#: a writer in its own process: ``out tag pause [two-renames]``; prints a line per staged file
#: (then sleeps ``pause``), "between" after the first of two renames, "done <time>" at the end
WRITER = r"""
import os, sys, time
from pathlib import Path
from optimizer.outputs import files as F
out, tag, pause = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
if sys.argv[4:] == ["two-renames"]:
    F._renameat2 = lambda *args: False
    real_rename = os.rename
    def rename(src, dst):
        real_rename(src, dst)
        if ".returnroute-old-" in str(dst):
            print("between", flush=True)
            time.sleep(60)
    os.rename = rename
def on_file(path):
    print("wrote", path.name, flush=True)
    time.sleep(pause)
F.write_atomically(out, {n: f"{tag} {n}\n" for n in F.OUTPUT_FILES}, on_file=on_file)
print("done", repr(time.time()), flush=True)
"""


def plan_files(tag: str) -> dict[str, str]:
    return {name: f"{tag} {name}\n" for name in OUTPUT_FILES}


def tree(path: Path) -> dict[str, str]:
    """Everything under ``path`` (kind and content), to show nothing was touched or lost."""
    if path.is_symlink() or not path.is_dir():
        return {".": f"link {os.readlink(path)}" if path.is_symlink() else path.read_text()}
    out = {}
    for p in sorted(path.rglob("*")):
        rel = str(p.relative_to(path))
        if p.is_symlink():
            out[rel] = f"link {os.readlink(p)}"
        elif p.is_dir():
            out[rel] = "dir"
        elif p.is_fifo():
            out[rel] = "fifo"
        else:
            out[rel] = p.read_text()
    return out


def is_plan(path: Path, tag: str) -> bool:
    return tree(path) == plan_files(tag)


def siblings(out: Path) -> list[str]:
    """Everything next to ``out`` in its parent besides ``out`` itself."""
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


def dead_pid() -> int:
    """The pid of a process that has finished: what a killed run's folder names carry."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def start_writer(out: Path, tag: str, pause: float, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", WRITER, str(out), tag, str(pause), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for(proc: subprocess.Popen[str], word: str) -> None:
    """Read the writer's lines until one starts with ``word``."""
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(word):
            return
    raise AssertionError(f"writer ended before {word!r}: {proc.stderr and proc.stderr.read()}")


def hold_lock(out: Path) -> int:
    """Take the lock of ``out`` as another run would (a separate open file: flock conflicts)."""
    fd = os.open(out.parent / f"{out.name}.returnroute.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


@pytest.fixture
def read_only() -> Iterator[Callable[[Path], None]]:
    """Make a path unwritable for this process: ``chattr +i`` as root, ``chmod`` otherwise."""
    done: list[tuple[Path, int | None]] = []

    def make(path: Path) -> None:
        if os.geteuid() != 0:
            done.append((path, path.stat().st_mode))
            path.chmod(0o555 if path.is_dir() else 0o444)
            return
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: cannot make a folder read-only")
        res = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
        if res.returncode != 0:
            pytest.skip(f"chattr +i not supported here: {res.stderr.decode().strip()}")
        done.append((path, None))

    yield make
    for path, mode in reversed(done):
        if mode is None:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(mode)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An output folder holding a previous plan ("old"), alone in its parent."""
    parent = tmp_path / "parent"
    parent.mkdir()
    write_atomically(parent / "D", plan_files("old"))
    return parent / "D"


# --- the normal write -------------------------------------------------------------------------


def test_write_replaces_the_folder_and_leaves_nothing_beside_it(out: Path) -> None:
    seen = []
    paths = write_atomically(out, plan_files("new"),
                             on_file=lambda p: seen.append(siblings(out)))
    assert paths == [out / name for name in OUTPUT_FILES]
    assert is_plan(out, "new")
    assert siblings(out) == []
    # while writing: a visible staging folder and the lock, both beside D, never in it
    assert seen[0] == [f"D.returnroute-partial-{os.getpid()}", "D.returnroute.lock"]


def test_a_smaller_file_set_replaces_every_old_file(out: Path) -> None:
    write_atomically(out, {"plan.json": "x"}, ours=OUTPUT_FILES)
    assert tree(out) == {"plan.json": "x"}


def test_the_swap_is_one_exchange_and_creation_never_replaces(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if F._libc_renameat2() is None:
        pytest.skip("no renameat2 in this C library")
    calls = []
    real = F._renameat2

    def spy(src: Path, dst: Path, flags: int) -> bool:
        calls.append(flags)
        return real(src, dst, flags)

    monkeypatch.setattr(F, "_renameat2", spy)
    d = tmp_path / "D"
    write_atomically(d, plan_files("one"))
    write_atomically(d, plan_files("two"))
    assert calls == [F._RENAME_NOREPLACE, F._RENAME_EXCHANGE]
    assert is_plan(d, "two") and siblings(d) == []


def test_without_renameat2_two_renames_do_the_same(
        out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(F, "_libc_renameat2", lambda: None)
    write_atomically(out, plan_files("new"))
    assert is_plan(out, "new") and siblings(out) == []
    fresh = out.parent / "E"
    write_atomically(fresh, plan_files("new"))
    assert is_plan(fresh, "new")


def test_a_failed_second_rename_puts_the_folder_back(
        out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(F, "_renameat2", lambda *args: False)
    real = os.rename

    def rename(src: str | Path, dst: str | Path) -> None:
        if ".returnroute-partial-" in str(src):
            raise OSError(errno.EIO, "injected")
        real(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(InputError, match="could not write it"):
        write_atomically(out, plan_files("new"))
    monkeypatch.undo()
    assert is_plan(out, "old") and siblings(out) == []


def test_a_write_error_leaves_the_old_folder_and_no_partial(out: Path) -> None:
    def disk_full(path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(InputError, match="No space left"):
        write_atomically(out, plan_files("new"), on_file=disk_full)
    assert is_plan(out, "old") and siblings(out) == []


# --- 1. foreign files: before the solve, during it, at the swap -------------------------------


def _add_file(d: Path) -> None:
    (d / "notes.txt").write_text("keep me")


def _dir_named_like_ours(d: Path) -> None:
    (d / "plan.json").unlink()
    (d / "plan.json").mkdir()
    (d / "plan.json" / "inner.txt").write_text("keep me")


def _symlink_named_like_ours(d: Path) -> None:
    (d.parent / "elsewhere.csv").write_text("keep me")
    (d / "routes.csv").unlink()
    (d / "routes.csv").symlink_to(d.parent / "elsewhere.csv")


def _fifo_named_like_ours(d: Path) -> None:
    (d / "vehicles.csv").unlink()
    os.mkfifo(d / "vehicles.csv")


def _folder_became_a_file(d: Path) -> None:
    shutil.rmtree(d)
    d.write_text("keep me")


def _folder_appeared(d: Path) -> None:
    d.mkdir(exist_ok=True)
    (d / "notes.txt").write_text("keep me")


INTRUSIONS = [_add_file, _dir_named_like_ours, _symlink_named_like_ours, _fifo_named_like_ours,
              _folder_became_a_file]


@pytest.mark.parametrize("intrude", INTRUSIONS, ids=lambda f: f.__name__.strip("_"))
def test_check_out_dir_refuses_what_returnroute_did_not_write(
        out: Path, intrude: Callable[[Path], None]) -> None:
    intrude(out)
    before = tree(out)
    with pytest.raises(InputError, match="not"):
        check_out_dir(out, [])
    assert tree(out) == before


@pytest.mark.parametrize("intrude", [*INTRUSIONS, _folder_appeared],
                         ids=lambda f: f.__name__.strip("_"))
def test_what_arrives_during_the_run_is_never_touched(
        tmp_path: Path, intrude: Callable[[Path], None]) -> None:
    parent = tmp_path / "parent"
    parent.mkdir()
    d = parent / "D"
    if intrude is not _folder_appeared:
        write_atomically(d, plan_files("old"))
    check_out_dir(d, [])  # before the solve: all fine
    snapshot: dict[str, str] = {}

    def during_the_run(path: Path) -> None:
        if not snapshot:
            intrude(d)
            snapshot.update(tree(d))

    with pytest.raises(InputError) as err:
        write_atomically(d, plan_files("new"), on_file=during_the_run)
    new = parent / f"D.returnroute-new-{os.getpid()}"
    assert f"wrote the new outputs to {new}" in str(err.value)
    assert tree(d) == snapshot  # nothing the user put there is touched
    assert is_plan(new, "new")  # the run's outputs are where the message says
    assert [n for n in siblings(d) if "returnroute" in n] == [new.name]


@pytest.mark.parametrize("fallback", [False, True], ids=["renameat2", "two-renames"])
def test_a_folder_appearing_just_before_the_rename_is_not_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fallback: bool) -> None:
    d = tmp_path / "D"
    real_renameat2, real_rename = F._renameat2, os.rename

    def racing_renameat2(src: Path, dst: Path, flags: int) -> bool:
        _folder_appeared(dst)  # after every check, at the system call that creates D
        return False if fallback else real_renameat2(src, dst, flags)

    def racing_rename(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == d:
            _folder_appeared(d)
        real_rename(src, dst)

    monkeypatch.setattr(F, "_renameat2", racing_renameat2)
    monkeypatch.setattr(os, "rename", racing_rename)
    with pytest.raises(InputError, match="appeared while it was being written"):
        write_atomically(d, plan_files("new"))
    monkeypatch.undo()
    assert tree(d) == {"notes.txt": "keep me"}
    assert is_plan(tmp_path / f"D.returnroute-new-{os.getpid()}", "new")
    assert siblings(d) == [f"D.returnroute-new-{os.getpid()}"]


@pytest.mark.parametrize("fallback", [False, True], ids=["renameat2", "two-renames"])
def test_a_file_arriving_during_the_swap_is_kept(
        out: Path, monkeypatch: pytest.MonkeyPatch, fallback: bool) -> None:
    real = F._swap_in
    if fallback:
        monkeypatch.setattr(F, "_renameat2", lambda *args: False)

    def racing_swap(staging: Path, target: Path) -> Path | None:
        _add_file(target)  # after the last check, before the exchange
        return real(staging, target)

    monkeypatch.setattr(F, "_swap_in", racing_swap)
    with pytest.raises(InputError, match="previous folder with them is"):
        write_atomically(out, plan_files("new"))
    assert is_plan(out, "new")
    kept = out.parent / f"D.returnroute-kept-{os.getpid()}"
    assert tree(kept) == {**plan_files("old"), "notes.txt": "keep me"}
    assert siblings(out) == [kept.name]


def test_existing_cli_refusals_still_hold(tmp_path: Path) -> None:
    inputs = tmp_path / "case"
    inputs.mkdir()
    (inputs / "scenario.yaml").write_text("x")
    with pytest.raises(InputError, match="contains the input"):
        check_out_dir(inputs, [inputs / "scenario.yaml"])
    with pytest.raises(InputError, match="contains the input"):
        check_out_dir(tmp_path, [inputs / "scenario.yaml"])
    assert (inputs / "scenario.yaml").read_text() == "x"


# --- 2. two writers into one --out ------------------------------------------------------------


@pytest.mark.parametrize("existing", [True, False], ids=["replace", "create"])
def test_two_concurrent_writers_leave_one_complete_set(tmp_path: Path, existing: bool) -> None:
    d = tmp_path / "D"
    if existing:
        write_atomically(d, plan_files("old"))
    first = start_writer(d, "first", 0.15)
    wait_for(first, "wrote")  # the first holds the lock and is writing slowly
    second = start_writer(d, "second", 0.05)
    finished = {}
    for tag, proc in (("first", first), ("second", second)):
        stdout, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 0, stderr
        finished[tag] = float(stdout.split("done ")[1])
    winner = max(finished, key=lambda tag: finished[tag])
    assert winner == "second"  # it waited for the lock, then replaced the first's set
    assert is_plan(d, winner)
    assert siblings(d) == []


def test_a_writer_waits_for_the_lock_then_refuses_cleanly(out: Path) -> None:
    fd = hold_lock(out)
    try:
        start = time.monotonic()
        with pytest.raises(InputError, match=r"another returnroute run .*is writing it"):
            write_atomically(out, plan_files("new"), lock_timeout=0.3)
        assert time.monotonic() - start >= 0.3
        assert is_plan(out, "old")
        assert siblings(out) == ["D.returnroute.lock"]  # only the holder's lock
    finally:
        os.close(fd)


def test_a_waiting_writer_goes_on_when_the_lock_is_released(out: Path) -> None:
    first = start_writer(out, "first", 0.1)
    wait_for(first, "wrote")
    write_atomically(out, plan_files("second"), lock_timeout=30)  # waits, then writes
    first.communicate(timeout=60)
    assert first.returncode == 0
    assert is_plan(out, "second") and siblings(out) == []


# --- 3. killed writers and their leftovers ----------------------------------------------------


def _make(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)


def test_killed_during_staging_partial_folder_is_cleaned(out: Path) -> None:
    pid = dead_pid()
    _make(out.parent / f"D.returnroute-partial-{pid}", dict(list(plan_files("dead").items())[:3]))
    (out.parent / "D.returnroute.lock").write_text(f"{pid}\n")  # a killed run's lock file
    check_out_dir(out, [])
    assert is_plan(out, "old") and siblings(out) == []
    write_atomically(out, plan_files("new"))
    assert is_plan(out, "new") and siblings(out) == []


def test_killed_between_the_two_renames_the_folder_comes_back(out: Path) -> None:
    pid = dead_pid()
    out.rename(out.parent / f"D.returnroute-old-{pid}")  # D gone, the previous plan beside it
    _make(out.parent / f"D.returnroute-partial-{pid}", plan_files("dead"))
    check_out_dir(out, [])  # before the solve: D is back, the staging folder gone
    assert is_plan(out, "old") and siblings(out) == []
    _make(out.parent / f"D.returnroute-old-{pid}", plan_files("older"))
    out.rename(out.parent / "moved-away")
    write_atomically(out, plan_files("new"))  # the write recovers too
    assert is_plan(out, "new") and siblings(out) == ["moved-away"]


@pytest.mark.parametrize("kind", ["partial", "old"])
def test_killed_after_the_swap_the_previous_folder_is_deleted(out: Path, kind: str) -> None:
    # exchange done (the partial name holds the previous D) or two renames done (old name)
    _make(out.parent / f"D.returnroute-{kind}-{dead_pid()}", plan_files("previous"))
    check_out_dir(out, [])
    assert is_plan(out, "old") and siblings(out) == []


@pytest.mark.parametrize("kind", ["partial", "old"])
def test_a_leftover_holding_other_files_is_kept_not_deleted(out: Path, kind: str) -> None:
    leftover = out.parent / f"D.returnroute-{kind}-{dead_pid()}"
    _make(leftover, {"plan.json": "x", "notes.txt": "keep me"})
    (leftover / "sub").mkdir()
    write_atomically(out, plan_files("new"))
    kept = out.parent / f"D.returnroute-kept-{os.getpid()}"
    assert tree(kept) == {"plan.json": "x", "notes.txt": "keep me", "sub": "dir"}
    assert is_plan(out, "new") and siblings(out) == [kept.name]


def test_a_live_runs_folders_are_not_leftovers(out: Path) -> None:
    live = out.parent / f"D.returnroute-partial-{os.getpid()}"
    _make(live, {"plan.json": "being written"})
    fd = hold_lock(out)
    try:
        check_out_dir(out, [])  # a live run holds the lock: its folder stays
        assert live.is_dir()
    finally:
        os.close(fd)
    check_out_dir(out, [])  # the run is gone: now it is a leftover
    assert not live.exists()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_writer_killed_mid_write_is_recovered_by_the_next(out: Path, sig: int) -> None:
    proc = start_writer(out, "killed", 60)
    wait_for(proc, "wrote")  # one file staged, the writer sleeping before the next
    proc.send_signal(sig)
    proc.communicate(timeout=30)
    assert proc.returncode == -sig
    assert is_plan(out, "old")
    assert siblings(out) == [f"D.returnroute-partial-{proc.pid}", "D.returnroute.lock"]
    assert not [n for n in os.listdir(out.parent) if n.startswith(".")]  # nothing hidden
    write_atomically(out, plan_files("new"))
    assert is_plan(out, "new") and siblings(out) == []


def test_a_writer_killed_between_two_renames_is_recovered(out: Path) -> None:
    proc = start_writer(out, "killed", 0, "two-renames")
    wait_for(proc, "between")  # D renamed away, the new folder not yet in place
    proc.kill()
    proc.communicate(timeout=30)
    assert not out.exists()
    assert sorted(siblings(out)) == sorted([f"D.returnroute-old-{proc.pid}",
                                            f"D.returnroute-partial-{proc.pid}",
                                            "D.returnroute.lock"])
    check_out_dir(out, [])
    assert is_plan(out, "old") and siblings(out) == []  # the previous plan is back
    write_atomically(out, plan_files("new"))
    assert is_plan(out, "new") and siblings(out) == []


# --- 4. targets that cannot be written, found before the solve --------------------------------


def test_a_file_on_the_path_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("keep me")
    for target, message in [(tmp_path / "file" / "sub" / "D",
                             re.escape(f"{tmp_path / 'file'} exists and is not a directory")),
                            (tmp_path / "file", "exists and is not a directory")]:
        with pytest.raises(InputError, match=message):
            check_out_dir(target, [])
        with pytest.raises(InputError, match=message):
            write_atomically(target, plan_files("new"))
    assert tree(tmp_path) == {"file": "keep me"}


def test_check_out_dir_creates_nothing(tmp_path: Path) -> None:
    check_out_dir(tmp_path / "a" / "b" / "D", [])
    assert list(tmp_path.iterdir()) == []


def test_reserved_and_root_names_are_refused(tmp_path: Path) -> None:
    for name in ("D.returnroute-new-12", "D.returnroute-partial-3", "D.returnroute.lock"):
        with pytest.raises(InputError, match="reserved"):
            check_out_dir(tmp_path / name, [])
    with pytest.raises(InputError, match="file system root"):
        check_out_dir(Path("/"), [])


def test_unwritable_parent_and_folder_are_refused_monkeypatched(
        out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a non-root user with plain permission bits sees (``os.access`` says no)."""
    denied: set[Path] = set()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) not in denied and real(p, mode))
    denied.add(out)
    with pytest.raises(InputError, match=re.escape(f"{out}: is not writable")):
        check_out_dir(out, [])
    denied.clear()
    denied.add(out.parent)
    message = re.escape(f"its parent folder {out.parent} is not writable")
    with pytest.raises(InputError, match=message):
        check_out_dir(out.parent / "E" / "sub", [])  # the deepest existing folder counts
    with pytest.raises(InputError, match=r"its parent folder .* is not writable"):
        write_atomically(out.parent / "E", plan_files("new"))
    assert is_plan(out, "old")


def test_read_only_folder_or_parent_is_refused_for_real(
        out: Path, read_only: Callable[[Path], None]) -> None:
    read_only(out)
    with pytest.raises(InputError, match="is not writable"):
        check_out_dir(out, [])
    with pytest.raises(InputError, match="is not writable"):
        write_atomically(out, plan_files("new"))
    assert is_plan(out, "old")
    read_only(out.parent)
    with pytest.raises(InputError, match=r"its parent folder .* is not writable"):
        check_out_dir(out.parent / "E", [])
    with pytest.raises(InputError, match=r"its parent folder .* is not writable"):
        write_atomically(out.parent / "E", plan_files("new"))
    assert sorted(p.name for p in out.parent.iterdir()) == ["D"]


def test_report_file_targets(tmp_path: Path, read_only: Callable[[Path], None]) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text("{}")
    report = tmp_path / "r" / "report.html"
    with pytest.raises(InputError, match="would overwrite the plan"):
        check_report_target(plan, plan)
    (tmp_path / "dir.html").mkdir()
    with pytest.raises(InputError, match="not a regular file"):
        check_report_target(tmp_path / "dir.html", plan)
    with pytest.raises(InputError, match="not a directory"):
        check_report_target(plan / "report.html", plan)
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(InputError, match="not an HTML file"):
        check_report_target(tmp_path / "notes.txt", plan)
    check_report_target(report, plan)
    report.parent.mkdir()
    (report.parent / f"report.html.returnroute-partial-{dead_pid()}").write_text("half")
    write_file_atomically(report, "<html>1</html>")
    assert report.read_text() == "<html>1</html>"
    assert os.listdir(report.parent) == ["report.html"]  # the killed run's partial file cleaned
    read_only(report.parent)
    with pytest.raises(InputError, match="is not writable"):
        check_report_target(report, plan)
    with pytest.raises(InputError, match="is not writable"):
        write_file_atomically(report, "<html>2</html>")
    assert report.read_text() == "<html>1</html>"


# --- 5. default folders built from scenario names ---------------------------------------------


HOSTILE = ["x/../../..", "../../etc/passwd", "/abs/path", "..", ".", "", "...", ".hidden",
           "a\\..\\b", "a\x00b", "line\nbreak", "~", "C:\\Windows", "-rf", "x/./y", "a" * 500,
           "名" * 200, "．．／．．", "\u2215etc", "D.returnroute-new-1", " ", "./.", "..a..b.."]


@pytest.mark.parametrize("name", HOSTILE)
def test_default_out_dir_stays_inside_root(tmp_path: Path, name: str) -> None:
    root = tmp_path / "out"
    for kind in ("sweep", "pareto"):
        path = default_out_dir(kind, name, root)
        slug = path.name.removeprefix(f"{kind}-")
        assert path.parent == root
        assert path.resolve().parent == root.resolve()
        assert slug and not slug.startswith(".") and ".." not in slug
        assert "/" not in slug and "\\" not in slug and len(slug) <= 80
        assert all(c.isalnum() or c in "-_." for c in slug)
        path.mkdir(parents=True)  # a name the file system takes, with room for the siblings
        check_out_dir(path, [])


def test_default_out_dir_keeps_readable_names() -> None:
    assert default_out_dir("sweep", "base") == Path("out/sweep-base")
    assert default_out_dir("sweep", "air rates v1.2") == Path("out/sweep-air_rates_v1.2")
    assert default_out_dir("pareto", "华东-2025") == Path("out/pareto-华东-2025")
    assert default_out_dir("pareto", "x/../../..", Path("r")) == Path("r/pareto-x")
    assert default_out_dir("sweep", "../..") == Path("out/sweep-scenario")
