"""Writing output files: one ``--out`` directory replaced atomically, or one file.

Everything goes to a temporary sibling directory that replaces ``--out`` only once every file
is complete, so a failed run never leaves a half-written plan and never destroys the previous
one. A directory that holds the inputs or files returnroute did not write is refused.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from optimizer.domain import Parcel
from optimizer.errors import InputError, Problem
from optimizer.outputs.html import render as render_html
from optimizer.outputs.plan_json import dumps, plan_to_dict, run_log
from optimizer.outputs.tables import (
    MANIFEST_COLUMNS,
    csv_text,
    manifest_rows,
    parcels_csv,
    plan_xlsx,
    routes_csv,
    vehicles_csv,
)
from optimizer.plan import Plan

#: the files ``solve --out`` writes
OUTPUT_FILES = ("plan.json", "routes.csv", "vehicles.csv", "manifests.csv", "parcels.csv",
                "plan.xlsx", "report.html", "run.json")


def write_outputs(plan: Plan, out_dir: Path, parcels: Sequence[Parcel]) -> list[Path]:
    """Write every file of ``OUTPUT_FILES`` into ``out_dir`` atomically."""
    doc = plan_to_dict(plan)
    files: dict[str, str | bytes] = {
        "plan.json": dumps(doc), "routes.csv": routes_csv(plan),
        "vehicles.csv": vehicles_csv(plan),
        "manifests.csv": csv_text(manifest_rows(plan, parcels), MANIFEST_COLUMNS),
        "parcels.csv": parcels_csv(plan, parcels), "plan.xlsx": plan_xlsx(plan, parcels),
        "report.html": render_html(doc), "run.json": dumps(run_log(plan))}
    return write_atomically(Path(out_dir), files)


def write_file_atomically(path: Path, text: str) -> None:
    """Write one file through a temporary sibling, so a failure leaves the old file intact."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(out_dir: Path, files: Mapping[str, str | bytes]) -> list[Path]:
    """Create ``out_dir`` holding exactly ``files``; the old directory survives any failure."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; the output is the user's
    try:
        for name, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        old = None
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
            old.rmdir()
            out_dir.rename(old)
        tmp.rename(out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out_dir / name for name in files]




def check_out_dir(out_dir: Path, inputs: Iterable[str | Path],
                  ours: Sequence[str] = OUTPUT_FILES) -> None:
    """Refuse an output directory that holds inputs or other people's files (InputError)."""
    out = out_dir.resolve()
    problems = []
    if out.exists() and not out.is_dir():
        problems.append("exists and is not a directory")
    for item in inputs:
        p = Path(item).resolve()
        if out == p or out in p.parents:
            problems.append(f"contains the input {item}; choose another directory")
            break
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in ours)
        if foreign:
            problems.append("holds files returnroute did not write (" + ", ".join(foreign[:5])
                            + "); not overwriting it")
    if problems:
        raise InputError([Problem("--out", str(out_dir), "", msg) for msg in problems])


def check_report_target(out_file: Path, plan_file: Path) -> None:
    """Refuse to write a report over the plan itself or over a file that is not HTML."""
    if out_file.resolve() == plan_file.resolve():
        raise InputError([Problem("--out", str(out_file), "", "would overwrite the plan")])
    if out_file.exists() and out_file.suffix.lower() not in (".html", ".htm"):
        raise InputError([Problem("--out", str(out_file), "", "exists and is not an HTML "
                                  "file; not overwriting it")])
