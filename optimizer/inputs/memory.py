"""Will the run fit in memory? An estimate from the parcel count, checked before planning.

Without this, a run too large for its machine does not fail: it swaps or thrashes (a 1M-parcel
run under a 1.5 GB cap spun for 10 minutes). ``check_memory`` estimates the memory planning
needs beyond what the process holds once the inputs are read, and compares it with what the
process may still use: the address-space limit (``RLIMIT_AS``) less what it maps now, the
cgroup's memory limit less its usage (v2 ``memory.max``, v1 ``memory.limit_in_bytes``), and the
system's ``MemAvailable``. When the estimate exceeds any of them the run is refused with
``InputError`` naming the figures, before any time is spent.

The estimate is ``FIXED_BYTES + BYTES_PER_PARCEL * parcels``, from whole runs (load and solve,
``optimizer.planning.pipeline.run``): their peak resident memory less their memory once the
inputs were read, in MiB (the address space grew by the same amounts, within 10 MiB):

    instance                          parcels  batches  after reading  peak  planning needs
    scenarios/mixed-week.yaml             900      642            111   183  72 (the fixed part)
    benchmarks L (generate.py)         50,000    5,256            129   361  232 = 4.8 KiB/parcel
    L-like, 150,000 over 27 days      150,000   13,362            165   702  537 = 3.7 KiB/parcel

Memory follows the batches and their options more than the parcels, so the figure per parcel is
the largest measured with a margin (6 KiB), and the fixed part likewise (128 MiB): the estimate
is meant to refuse runs that cannot fit, not to be exact. For the largest planned run (500,000
parcels) it asks for 3.0 GiB.
"""

from __future__ import annotations

import resource
from pathlib import Path

from optimizer.inputs.files import refuse

MIB = 1024 * 1024
#: planning's fixed cost beyond the inputs (solver, the network's routes); measured 72 MiB
FIXED_BYTES = 128 * MIB
#: planning's cost per parcel beyond the inputs; measured at most 4.8 KiB (instance L)
BYTES_PER_PARCEL = 6 * 1024

_CGROUP = Path("/sys/fs/cgroup")


def estimate_bytes(parcel_count: int) -> int:
    """The memory planning ``parcel_count`` parcels needs beyond the inputs read (see above)."""
    return FIXED_BYTES + BYTES_PER_PARCEL * max(0, parcel_count)


def _read_int(path: Path) -> int | None:
    """The integer a one-line file holds, or None (missing, unreadable, ``max``)."""
    try:
        return int(path.read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _status_bytes(key: str) -> int | None:
    """A ``kB`` figure of ``/proc/self/status`` or ``/proc/meminfo`` (``VmSize``,
    ``MemAvailable``), in bytes."""
    source = Path("/proc/meminfo" if key.startswith("Mem") else "/proc/self/status")
    try:
        for line in source.read_text(encoding="ascii").splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _address_space() -> tuple[str, int] | None:
    """The soft ``RLIMIT_AS`` less the address space mapped now, if there is a limit."""
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft < 0:
        return None
    mapped = _status_bytes("VmSize") or 0
    return (f"the address-space limit (RLIMIT_AS) of {soft / MIB:,.0f} MiB less the "
            f"{mapped / MIB:,.0f} MiB mapped", soft - mapped)


def _cgroup_files() -> list[tuple[Path, Path]]:
    """(limit, usage) files of this process's memory cgroup: v2 and v1 layouts, each at the
    process's own cgroup path and at the root of the mount (as inside a container)."""
    pairs = []
    try:
        lines = Path("/proc/self/cgroup").read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) == 3 and parts[0] == "0" and parts[1] == "":
            d = _CGROUP / parts[2].lstrip("/")
            pairs.append((d / "memory.max", d / "memory.current"))
        elif len(parts) == 3 and "memory" in parts[1].split(","):
            d = _CGROUP / "memory" / parts[2].lstrip("/")
            pairs.append((d / "memory.limit_in_bytes", d / "memory.usage_in_bytes"))
    pairs += [(_CGROUP / "memory.max", _CGROUP / "memory.current"),
              (_CGROUP / "memory" / "memory.limit_in_bytes",
               _CGROUP / "memory" / "memory.usage_in_bytes")]
    return pairs


def _cgroup() -> tuple[str, int] | None:
    """The cgroup memory limit less the cgroup's usage, if a limit is set (the first found)."""
    for limit_file, usage_file in _cgroup_files():
        limit = _read_int(limit_file)
        if limit is None or limit >= 1 << 60:  # absent, "max", or v1's "no limit"
            continue
        used = _read_int(usage_file) or 0
        return (f"the cgroup memory limit ({limit_file}) of {limit / MIB:,.0f} MiB less the "
                f"{used / MIB:,.0f} MiB in use", limit - used)
    return None


def _available() -> tuple[str, int] | None:
    """The system's ``MemAvailable`` (memory it can give without swapping)."""
    avail = _status_bytes("MemAvailable")
    return None if avail is None else ("MemAvailable in /proc/meminfo", avail)


def headroom() -> list[tuple[str, int]]:
    """What the process may still use, by each limit that applies: (what, bytes)."""
    return [h for h in (_address_space(), _cgroup(), _available()) if h is not None]


def check_memory(parcel_count: int, file: Path | str = "the returns") -> None:
    """Refuse (InputError) a run whose estimated memory exceeds what the process may use."""
    need = estimate_bytes(parcel_count)
    for what, free in headroom():
        if need > free:
            raise refuse(file, "", "", (
                f"{parcel_count:,} parcels need an estimated {need / MIB:,.0f} MiB to plan "
                f"({FIXED_BYTES / MIB:,.0f} MiB + {BYTES_PER_PARCEL / 1024:,.0f} KiB a parcel), "
                f"but only {max(0, free) / MIB:,.0f} MiB is free: {what}. Split the returns "
                "into smaller runs, or run where more memory is available"))
