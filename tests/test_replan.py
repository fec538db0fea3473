"""Rolling re-planning: ``solve --previous`` keeps what is committed and re-plans the rest;
``commitments:`` in a scenario are checked like any input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import yaml
from click.testing import CliRunner
from conftest import parcel

from optimizer.cli import cli


def _solve(*args: str | Path) -> tuple[int, str]:
    res = CliRunner().invoke(cli, ["solve", *map(str, args)])
    return res.exit_code, res.output


def _with(path: Path, **keys: object) -> Path:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc.update(keys)
    out = path.with_name(f"{path.stem}-{len(list(path.parent.iterdir()))}.yaml")
    out.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return out


def test_a_replan_keeps_what_has_left_and_replans_the_rest(make_case, tmp_path: Path) -> None:
    # P1 ready Tue 07-01 leaves that day; P2 is ready Fri 07-04. On Thu 07-03 P1 has left
    # (committed, kept on its trip although it departed before the new planning date), P2
    # is planned again, and P3 (new in the returns) is new.
    first = make_case([parcel("P1", ready="2025-07-01"), parcel("P2", ready="2025-07-04")],
                      window_days=0)
    code, out = _solve(first, "--out", tmp_path / "mon")
    assert code == 0, out
    before = json.loads((tmp_path / "mon" / "plan.json").read_text(encoding="utf-8"))
    assert {b["depart_date"] for b in before["batches"]} == {"2025-07-01", "2025-07-04"}
    returns = first.parent / "returns.csv"
    with returns.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows.append({**rows[0], "parcel_id": "P3", "ready_date": "2025-07-03"})
    with returns.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    later = _with(first, as_of="2025-07-03")
    code, out = _solve(later, "--previous", tmp_path / "mon" / "plan.json",
                       "--out", tmp_path / "thu")  # the checker runs on it: it passes
    assert code == 0, out
    assert "re-plan: " in out
    after = json.loads((tmp_path / "thu" / "plan.json").read_text(encoding="utf-8"))
    kept = [b for b in after["batches"] if b["committed"]]
    assert [b["parcel_ids"] for b in kept] == [["P1"]]
    assert kept[0]["depart_date"] == "2025-07-01" and "departed" in kept[0]["committed"]
    free = [b for b in after["batches"] if not b["committed"]]
    assert all(b["depart_date"] >= "2025-07-03" for b in free)
    with (tmp_path / "thu" / "changes.csv").open(encoding="utf-8") as fh:
        changes = {r["status"]: r for r in csv.DictReader(fh)}
    assert set(changes) >= {"kept", "new"}
    assert changes["new"]["parcels"] == "1"
    # the previous plan is an input: the re-plan may not write over its folder
    code, out = _solve(later, "--previous", tmp_path / "mon" / "plan.json",
                       "--out", tmp_path / "mon")
    assert code == 2, out


def test_commitments_are_checked_with_a_did_you_mean(make_case) -> None:
    path = make_case([parcel("P1")])
    bad = _with(path, commitments=[{"batch_id": "B1", "parcel_ids": ["P11"],
                                    "lanes": ["L_TIR_BORDR"], "return_port": "BORDER",
                                    "depart_date": "2025-07-01"}])
    code, out = _solve(bad)
    assert code == 2
    assert "parcel P11 is not in the returns (did you mean P1?)" in out
    bad = _with(path, commitments=[{"batch_id": "B1", "parcel_ids": ["P1"],
                                    "lanes": ["L_TIR_BORDR"], "return_port": "BORDER",
                                    "depart_date": "2025-07-01"}])
    code, out = _solve(bad)
    assert code == 2 and "unknown lane L_TIR_BORDR (did you mean L_TIR_BORDER?)" in out
