"""Writing output files: one ``--out`` directory replaced atomically, or one file.

A directory D (``write_atomically``) is written under these names, all visible siblings of D in
its parent folder P, so nothing large ever hides in a dot-folder:

- ``D.returnroute.lock``: the lock of D (``flock``). It cannot live inside D, which is swapped;
  it is deleted again by the run that holds it, so only a killed run leaves it, empty.
- ``D.returnroute-partial-<pid>``: the staging folder a run writes every file into.
- ``D.returnroute-old-<pid>``: the previous D, only where the OS cannot swap two folders in one
  step and only between the two renames that replace it.
- ``D.returnroute-new-<pid>``: complete new outputs a run could not put in place because D
  received files returnroute did not write while it ran; named in the error and never cleaned.
- ``D.returnroute-kept-<pid>``: a leftover or previous folder that held something else besides
  our files; renamed instead of deleted and never cleaned.

The protocol of one write:

1. Refuse (``InputError``) a D that cannot be written: a non-directory on its path, a parent
   without write permission, a D that is not writable, a name reserved for the siblings above.
2. Take the lock, waiting at most ``LOCK_TIMEOUT`` seconds for another run writing the same D
   (then refuse). Writes are short next to solves, so waiting serialises two runs: each leaves
   one complete set of files, the later one wins, as if they had run one after the other.
3. Recover what killed runs left behind: with the lock held no live run owns a partial or old
   folder of D. An old folder goes back to D when D is missing (a kill between two renames),
   otherwise it is deleted; a partial folder is deleted. A folder holding anything but regular
   files with our names is renamed to a kept folder instead.
4. Write every file into the partial folder, each flushed to disk.
5. Check D again: anything in it that is not a regular file with one of our names (a file the
   user added during the run, a folder or symlink named ``plan.json``) makes it foreign; D is
   then left untouched and the partial folder is renamed to a new folder named in the error.
6. Swap: ``renameat2(RENAME_EXCHANGE)`` (Linux, through libc) exchanges the partial folder and D
   in one step, so there is never a moment without D; where the C library or file system lacks
   it, two renames (D to old, partial to D; a failure of the second puts D back). A D that does
   not exist yet is created with ``RENAME_NOREPLACE``, so a D appearing meanwhile is not
   replaced.
7. Delete the previous D (only our files), unlock, and delete the lock file.

A single file (``write_file_atomically``) follows the same steps with a partial file.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import functools
import os
import re
import stat
import sys
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from optimizer.domain import Parcel
from optimizer.errors import InputError, Problem
from optimizer.outputs.changes import changes_csv
from optimizer.outputs.html import render as render_html
from optimizer.outputs.plan_json import dumps, plan_to_dict, run_log
from optimizer.outputs.tables import (
    MANIFEST_COLUMNS,
    csv_text,
    declarations_csv,
    manifest_rows,
    parcels_csv,
    plan_xlsx,
    routes_csv,
    vehicles_csv,
)
from optimizer.plan import Plan

#: the files ``solve --out`` writes
OUTPUT_FILES = ("plan.json", "routes.csv", "vehicles.csv", "manifests.csv", "parcels.csv",
                "declarations.csv", "plan.xlsx", "report.html", "run.json")
#: every file a plan's output directory may hold: a re-plan adds changes.csv
OUR_FILES = (*OUTPUT_FILES, "changes.csv")

#: seconds a writer waits for another run writing the same target before refusing: writing
#: takes seconds even for the largest plans, so this only runs out when something is stuck
LOCK_TIMEOUT = 120.0

#: the names of the siblings a target may not take itself (see the module docstring)
_RESERVED = re.compile(r"\.returnroute(-(partial|old|new|kept)-\d+(-\d+)?|\.lock)$")
#: longest target name in bytes: the sibling names add up to 40 bytes to it, within 255
_MAX_NAME_BYTES = 200
_SLUG_CHARS = 80
_SLUG_BYTES = 160

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
#: errno values meaning "this C library or file system has no such rename": fall back
_NO_RENAMEAT2 = (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP)
#: errno values of a rename that found a target which appeared after the last check
_TARGET_APPEARED = (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR)

OnFile = Callable[[Path], object]


# --- public API ----------------------------------------------------------------------------


def write_outputs(plan: Plan, out_dir: Path, parcels: Sequence[Parcel]) -> list[Path]:
    """Write every file of ``OUTPUT_FILES`` into ``out_dir`` atomically (``write_atomically``)."""
    doc = plan_to_dict(plan)
    files: dict[str, str | bytes] = {
        "plan.json": dumps(doc), "routes.csv": routes_csv(plan),
        "vehicles.csv": vehicles_csv(plan),
        "manifests.csv": csv_text(manifest_rows(plan, parcels), MANIFEST_COLUMNS),
        "parcels.csv": parcels_csv(plan, parcels), "declarations.csv": declarations_csv(plan),
        "plan.xlsx": plan_xlsx(plan, parcels),
        "report.html": render_html(doc), "run.json": dumps(run_log(plan))}
    if plan.changes:  # a re-plan (solve --previous): what it did to the previous plan
        files["changes.csv"] = changes_csv(plan.changes)
    return write_atomically(Path(out_dir), files, ours=OUR_FILES)


def write_atomically(out_dir: Path, files: Mapping[str, str | bytes], *,
                     ours: Iterable[str] = (), lock_timeout: float = LOCK_TIMEOUT,
                     on_file: OnFile | None = None) -> list[Path]:
    """Make ``out_dir`` hold exactly ``files``, replacing it in one step (module docstring).

    The old directory survives any failure, another run writing the same directory is waited
    for, and nothing found in ``out_dir`` that returnroute did not write (names outside
    ``files`` and ``ours``, or not regular files) is ever deleted: the run refuses and leaves
    its outputs in a sibling folder it names. ``on_file`` is called with each staged file once
    it is on disk (progress; tests pause there). Raises ``InputError`` for every refusal and
    for an OS error while writing (disk full, permission), so the CLI exits 2.
    """
    out = Path(out_dir).resolve()
    names = _file_names(files)
    our_names = frozenset(names) | frozenset(ours)
    _refuse(out_dir, _path_problems(out, is_dir=True))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with _locked(out_dir, out, lock_timeout):
            _recover_dir(out, our_names)
            staging = _stage(out, files, on_file)
            _commit(out_dir, out, staging, our_names)
    except OSError as exc:
        _refuse(out_dir, [f"could not write it: {exc}"])
    return [out / name for name in names]


def write_file_atomically(path: Path, text: str, *, lock_timeout: float = LOCK_TIMEOUT) -> None:
    """Write one file through a partial sibling, so a failure leaves the old file intact.

    Same lock and recovery as ``write_atomically``: a partial file a killed run left next to
    ``path`` is deleted by the next write. Raises ``InputError`` when the file cannot be written.
    """
    target = Path(path).parent.resolve() / Path(path).name
    _refuse(path, _path_problems(target, is_dir=False))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _locked(path, target, lock_timeout):
            for leftover in _leftovers(target, "partial"):
                if stat.S_ISREG(os.lstat(leftover).st_mode):
                    leftover.unlink()
            partial = _sibling(target, "partial")
            try:
                _write_file(partial, text.encode("utf-8"))
                os.replace(partial, target)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            _fsync_dir(target.parent)
    except OSError as exc:
        _refuse(path, [f"could not write it: {exc}"])


def check_out_dir(out_dir: Path, inputs: Iterable[str | Path],
                  ours: Sequence[str] = OUR_FILES) -> None:
    """Refuse, before the solve, an output directory the run could not or may not replace.

    Refused (``InputError``, one problem each): a non-directory on the path, a parent folder or
    D that is not writable, a D that is or contains an input, and a D holding anything but
    regular files named in ``ours``. Leftovers of killed runs for D are recovered first (when no
    live run holds the lock of D), so a D lost between two renames is back before it is judged.
    Nothing is created: D and its parents are made only by the write.
    """
    out = Path(out_dir).resolve()
    problems = _path_problems(out, is_dir=True)
    if not problems:
        problems = _recover_unlocked(out, frozenset(ours)) + _foreign_problems(out, ours)
    problems = _input_problems(out, inputs) + problems
    _refuse(out_dir, problems)


def check_report_target(out_file: Path, plan_file: Path) -> None:
    """Refuse to write a report over the plan, over a file that is not HTML or where it cannot.

    Checked before rendering, so a bad ``--out`` is reported before any work: a non-directory on
    the path, a parent folder that is not writable, a target that is not a writable regular file.
    """
    target = Path(out_file).resolve()
    if target == Path(plan_file).resolve():
        raise InputError([Problem("--out", str(out_file), "", "would overwrite the plan")])
    problems = _path_problems(target, is_dir=False)
    if not problems and target.exists() and target.suffix.lower() not in (".html", ".htm"):
        problems = ["exists and is not an HTML file; not overwriting it"]
    _refuse(out_file, problems)


def default_out_dir(kind: str, name: str, root: Path = Path("out")) -> Path:
    """``root / "<kind>-<slug>"``: the default folder of ``sweep`` or ``pareto`` for a scenario.

    The scenario ``name`` is data, not a path: the slug keeps letters, digits, ``-``, ``_`` and
    single dots, replaces anything else (separators, ``..``, control characters) with ``_``,
    never starts with a dot, and is at most 80 characters (160 bytes), so the result is always
    a direct child of ``root``. An empty slug becomes ``scenario``.
    """
    folder = f"{_slug(kind, 'out')}-{_slug(name, 'scenario')}"
    if _RESERVED.search(folder):  # a name like our own staging folders' would be refused
        folder = folder.replace(".returnroute", "_returnroute")
    return Path(root) / folder


# --- checks --------------------------------------------------------------------------------


def _refuse(arg: object, messages: Sequence[str]) -> None:
    """Raise one ``InputError`` with a ``--out`` problem per message (none: return)."""
    if messages:
        raise InputError([Problem("--out", str(arg), "", msg) for msg in messages])


def _path_problems(target: Path, *, is_dir: bool) -> list[str]:
    """Why ``target`` (absolute) could not be created or replaced; ``[]`` when it can.

    Checked through ``os.access``, which also sees a read-only file system or an immutable
    folder when running as root (root passes plain permission bits).
    """
    name_problem = _name_problem(target)
    if name_problem:
        return [name_problem]
    existing, mode = _deepest_existing(target)
    if mode is None:
        return [f"cannot reach {existing}: permission denied"]
    if existing != target:
        if not stat.S_ISDIR(mode):
            return [f"{existing} exists and is not a directory"]
        return _writable(existing, "its parent folder ")
    if is_dir != stat.S_ISDIR(mode) or not (is_dir or stat.S_ISREG(mode)):
        return ["exists and is not a " + ("directory" if is_dir else "regular file")]
    return _writable(target, "") + _writable(target.parent, "its parent folder ")


def _name_problem(target: Path) -> str | None:
    """A target name returnroute cannot use: a root, too long, or one of its sibling names."""
    if not target.name:
        return "is a file system root; choose a folder inside it"
    if len(os.fsencode(target.name)) > _MAX_NAME_BYTES:
        return f"the name is longer than {_MAX_NAME_BYTES} bytes"
    if _RESERVED.search(target.name):
        return "the name is reserved for returnroute's own staging folders"
    return None


def _deepest_existing(target: Path) -> tuple[Path, int | None]:
    """The first of ``target`` and its parents that exists, with its mode (None: no access)."""
    for path in (target, *target.parents):
        try:
            return path, os.stat(path).st_mode
        except (FileNotFoundError, NotADirectoryError):
            continue
        except PermissionError:
            return path, None
    return Path("/"), None


def _writable(path: Path, what: str) -> list[str]:
    """``[]`` when returnroute may create and delete entries in (or replace) ``path``."""
    if os.access(path, os.W_OK | os.X_OK if path.is_dir() else os.W_OK):
        return []
    return [f"{what}{path} is not writable" if what else "is not writable"]


def _input_problems(out: Path, inputs: Iterable[str | Path]) -> list[str]:
    """The first input that is ``out`` or lies inside it (replacing ``out`` would delete it)."""
    for item in inputs:
        p = Path(item).resolve()
        if out == p or out in p.parents:
            return [f"contains the input {item}; choose another directory"]
    return []


def _foreign_problems(out: Path, ours: Collection[str]) -> list[str]:
    """The refusal for a directory holding anything returnroute did not write."""
    foreign = _foreign_entries(out, ours)
    if not foreign:
        return []
    more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
    return [f"holds files returnroute did not write ({', '.join(foreign[:5])}{more}); "
            "not overwriting it"]


def _foreign_entries(folder: Path, ours: Collection[str]) -> list[str]:
    """What in ``folder`` returnroute may not delete: anything but a regular file of ours.

    A directory, symlink or fifo is foreign even when it carries one of our names (deleting a
    folder ``plan.json/`` would delete what it holds). A missing folder holds nothing; a
    ``folder`` that is itself no directory is reported as such.
    """
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return [f"{folder.name} itself (not a directory)"]
    except FileNotFoundError:
        return []
    with os.scandir(folder) as entries:
        return sorted(_describe(e) for e in entries
                      if e.name not in ours or not e.is_file(follow_symlinks=False))


def _describe(entry: os.DirEntry[str]) -> str:
    """An entry's name, with its kind when the name alone would look like one of ours."""
    if entry.is_symlink():
        return f"{entry.name} (a symlink)"
    if entry.is_dir(follow_symlinks=False):
        return f"{entry.name} (a directory)"
    if not entry.is_file(follow_symlinks=False):
        return f"{entry.name} (not a regular file)"
    return entry.name


def _file_names(files: Mapping[str, str | bytes]) -> list[str]:
    """The file names to write; each must be a plain name (a programming error otherwise)."""
    names = list(files)
    for name in names:
        if not name or name in (".", "..") or "/" in name or "\0" in name:
            raise ValueError(f"not a plain file name: {name!r}")
    return names


def _slug(text: object, fallback: str) -> str:
    """Letters, digits, ``-``, ``_`` and single dots of ``text``; no leading dot; bounded."""
    kept = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(text))
    kept = re.sub(r"_{2,}", "_", re.sub(r"\.{2,}", ".", kept)).strip("._-")[:_SLUG_CHARS]
    while len(kept.encode("utf-8")) > _SLUG_BYTES:
        kept = kept[:-1]
    return kept.strip("._-") or fallback


# --- locking -------------------------------------------------------------------------------


def _sibling(target: Path, kind: str) -> Path:
    """``<target>.returnroute-<kind>-<pid>``: this process's visible sibling of ``target``."""
    return target.with_name(f"{target.name}.returnroute-{kind}-{os.getpid()}")


def _free_sibling(target: Path, kind: str) -> Path:
    """A sibling of ``kind`` that does not exist yet (``-2``, ``-3``... when needed)."""
    base = _sibling(target, kind)
    candidate, n = base, 1
    while os.path.lexists(candidate):
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def _lock_file(target: Path) -> Path:
    return target.with_name(f"{target.name}.returnroute.lock")


@contextlib.contextmanager
def _locked(arg: object, target: Path, timeout: float) -> Iterator[None]:
    """Hold the lock of ``target`` for the block, waiting up to ``timeout`` seconds for it."""
    lock = _lock_file(target)
    fd = _acquire(lock, time.monotonic() + timeout)
    if fd is None:
        raise InputError([Problem("--out", str(arg), "", f"another returnroute run"
                                  f"{_read_holder(lock)} is writing it (lock {lock} held for "
                                  f"more than {timeout:g} s); try again when it has finished")])
    try:
        yield
    finally:
        _release(lock, fd)


def _acquire(lock: Path, deadline: float) -> int | None:
    """The descriptor holding ``lock``, or None when still held by another run at ``deadline``.

    A holder deletes the lock file when done, so after locking, the file must still be the one
    at the path; otherwise another run may already hold a new file there and we try again.
    """
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if _same_file(fd, lock):
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                return fd
        except BlockingIOError:
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.05)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False


def _release(lock: Path, fd: int) -> None:
    """Delete the lock file while still holding it, then unlock (see ``_acquire``)."""
    try:
        lock.unlink(missing_ok=True)
    finally:
        os.close(fd)


def _read_holder(lock: Path) -> str:
    """`` (pid N)`` of the run holding ``lock``, for the message; empty when unknown."""
    try:
        pid = lock.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


# --- recovery ------------------------------------------------------------------------------


def _leftovers(target: Path, kind: str) -> list[Path]:
    """Siblings ``<target>.returnroute-<kind>-<pid>`` of any process."""
    pattern = re.compile(re.escape(f"{target.name}.returnroute-{kind}-") + r"\d+")
    try:
        with os.scandir(target.parent) as entries:
            return sorted(Path(e.path) for e in entries if pattern.fullmatch(e.name))
    except FileNotFoundError:
        return []


def _recover_unlocked(out: Path, ours: Collection[str]) -> list[str]:
    """Recover leftovers of ``out`` if no live run holds its lock; problems if that fails."""
    if not (_leftovers(out, "partial") or _leftovers(out, "old")):
        return []
    try:
        fd = _acquire(_lock_file(out), time.monotonic())
        if fd is None:
            return []  # a live run is writing: its folders are not leftovers
        try:
            _recover_dir(out, ours)
        finally:
            _release(_lock_file(out), fd)
    except OSError as exc:
        return [f"could not clean up what an interrupted run left next to it: {exc}"]
    return []


def _recover_dir(out: Path, ours: Collection[str]) -> None:
    """Clean the leftovers of killed runs for ``out``; call with the lock of ``out`` held.

    The lock proves no live run owns them. An old folder is the previous ``out`` of a run
    killed between its two renames: it becomes ``out`` again if ``out`` is missing.
    """
    olds = _leftovers(out, "old")
    if olds and not os.path.lexists(out):
        newest = max(olds, key=lambda p: os.lstat(p).st_ctime)
        os.rename(newest, out)
        olds.remove(newest)
    for folder in olds + _leftovers(out, "partial"):
        if stat.S_ISDIR(os.lstat(folder).st_mode):
            _discard(folder, out, ours)


def _discard(folder: Path, target: Path, ours: Collection[str]) -> Path | None:
    """Delete a folder of our files; one holding anything else is renamed to a kept sibling.

    Returns the kept folder's name, or None when the folder is gone. Only regular files with
    our names are deleted, so nothing the user put there is lost.
    """
    if not _foreign_entries(folder, ours):
        with os.scandir(folder) as entries:
            for entry in list(entries):
                os.unlink(entry.path)
        try:
            os.rmdir(folder)
            return None
        except OSError as exc:  # something arrived in between
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
    kept = _free_sibling(target, "kept")
    os.rename(folder, kept)
    return kept


# --- writing and swapping ------------------------------------------------------------------


def _stage(out: Path, files: Mapping[str, str | bytes], on_file: OnFile | None) -> Path:
    """Write every file into this run's partial folder next to ``out``; return the folder."""
    staging = _sibling(out, "partial")
    os.mkdir(staging)
    try:
        for name, content in files.items():
            path = staging / name
            _write_file(path, content.encode("utf-8") if isinstance(content, str) else content)
            if on_file is not None:
                on_file(path)
        _fsync_dir(staging)
    except BaseException:
        _discard(staging, out, files)
        raise
    return staging


def _write_file(path: Path, data: bytes) -> None:
    """Create ``path`` (umask applies, as for any file the user makes) holding ``data``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    """Make the renames in ``path`` durable (a no-op where the file system cannot)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _commit(arg: object, out: Path, staging: Path, ours: Collection[str]) -> None:
    """Check ``out`` once more and swap the staged folder in; delete the previous one."""
    foreign = _foreign_entries(out, ours)
    if foreign:
        _keep_new(arg, staging, out, f"received files returnroute did not write while it "
                  f"ran ({', '.join(foreign[:5])})")
    with contextlib.suppress(OSError):  # keep the permissions the user gave the folder
        os.chmod(staging, stat.S_IMODE(os.stat(out).st_mode))
    try:
        previous = _swap_in(staging, out)
    except OSError as exc:
        if exc.errno in _TARGET_APPEARED and os.path.isdir(staging):
            _keep_new(arg, staging, out, "appeared while it was being written")
        if os.path.isdir(staging):
            _discard(staging, out, ours)
        raise
    _fsync_dir(out.parent)
    kept = None if previous is None else _discard(previous, out, ours)
    if kept is not None:
        _refuse(arg, [f"holds the new outputs, but files returnroute did not write arrived "
                      f"while it was replaced; the previous folder with them is {kept}"])


def _keep_new(arg: object, staging: Path, out: Path, why: str) -> NoReturn:
    """Leave ``out`` untouched, move the complete outputs to a visible sibling, refuse."""
    new = _free_sibling(out, "new")
    os.rename(staging, new)
    raise InputError([Problem("--out", str(arg), "", f"{why}; left it untouched and wrote the "
                              f"new outputs to {new}")])


def _swap_in(staging: Path, out: Path) -> Path | None:
    """Put ``staging`` in place of ``out``; return the folder now holding the previous ``out``.

    One atomic exchange where the OS can; otherwise two renames, undoing the first when the
    second fails (a kill in between is undone by ``_recover_dir``).
    """
    if not os.path.lexists(out):
        if not _renameat2(staging, out, _RENAME_NOREPLACE):
            os.rename(staging, out)
        return None
    if _renameat2(staging, out, _RENAME_EXCHANGE):
        return staging
    old = _sibling(out, "old")
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(old, out)
        raise
    return old


def _renameat2(src: Path, dst: Path, flags: int) -> bool:
    """Linux ``renameat2``; False when the C library or file system lacks it (fall back)."""
    func = _libc_renameat2()
    if func is None:
        return False
    if func(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags) == 0:
        return True
    err = ctypes.get_errno()
    if err in _NO_RENAMEAT2:
        return False
    raise OSError(err, os.strerror(err), str(src), None, str(dst))


@functools.cache
def _libc_renameat2() -> Any:
    """libc's ``renameat2`` (glibc 2.28+, musl 1.1.24+), or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        func = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                     ctypes.c_uint]
    func.restype = ctypes.c_int
    return func
