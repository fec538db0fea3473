"""Trust under attack: inputs written to break the reader end as InputError (exit 2), never as
another exception, a hang or a blown memory budget.

1. numbers past their limits (1e308 used to pass ``validate`` and crash ``solve``);
2. documents' conditions of the wrong type (a list as ``when.mode``);
3. too many parcels or lines, files streamed, the memory guard;
4. look-alike Unicode ids, invisible and control characters;
5. a hypothesis run mutating the bundled inputs: ``load_scenario`` returns or raises InputError.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT, lane, parcel, small_lanes, small_ports
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import optimizer.inputs.files as files
import optimizer.inputs.memory as memory
import optimizer.inputs.returns as returns
from optimizer.cli import cli
from optimizer.errors import InputError
from optimizer.inputs import load_scenario
from optimizer.inputs.memory import check_memory
from optimizer.inputs.text import clean_id
from optimizer.planning.pipeline import run

UNPRINTABLE = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def problems_of(path: Path) -> str:
    """The problems load_scenario raises for ``path`` (it must raise InputError), one a line."""
    with pytest.raises(InputError) as info:
        load_scenario(path)
    text = str(info.value)
    assert_printable(info.value)
    return text


def assert_printable(err: InputError) -> None:
    """Every problem names its file and says what is wrong, with nothing that drives a terminal."""
    assert err.problems
    for p in err.problems:
        assert p.file and p.message
        bad = [ch for ch in str(p) if unicodedata.category(ch) in UNPRINTABLE]
        assert not bad, (bad, str(p))


def validate_fails(path: Path, *fragments: str) -> str:
    """``returnroute validate`` exits 2 with every fragment in its output, no traceback."""
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output
    for f in fragments:
        assert f in res.output, (f, res.output)
    return res.output


def _edit_yaml(path: Path, edit: Any) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


# ---- 1. numbers past their limits ---------------------------------------------------------------


@pytest.mark.parametrize("field", ["weight_kg", "volume_m3", "value_cny"])
def test_huge_parcel_numbers_name_their_limit(make_case, field: str) -> None:
    path = make_case([parcel("P1") | {field: "1e308"}])
    validate_fails(path, "line 2", field, "less than or equal to", "the limit for this field")


@pytest.mark.parametrize(("field", "limit"), [
    ("cost_per_kg_cny", "1000000"), ("cost_per_vehicle_cny", "1000000000"),
    ("vehicle_capacity_kg", "10000000"), ("vehicle_capacity_m3", "100000"),
    ("max_vehicles", "1000000"), ("distance_km", "40000"), ("co2e_g_per_tkm", "100000")])
def test_huge_lane_numbers_name_their_limit(make_case, field: str, limit: str) -> None:
    rows = small_lanes()
    rows[0][field] = "1e308" if field != "max_vehicles" else str(10**30)
    validate_fails(make_case(lanes=rows), "lanes.csv", field, limit, "limit")


def test_tiny_vehicles_are_refused(make_case) -> None:
    rows = small_lanes()
    rows[0]["vehicle_capacity_kg"] = "1e-300"
    validate_fails(make_case(lanes=rows), "vehicle_capacity_kg", "greater than or equal to 1")


def test_huge_fees_prices_and_dates(make_case) -> None:
    ports = small_ports()
    ports["nodes"][1]["clearance_fee_cny"] = 1e308
    validate_fails(make_case(ports=ports), "ports.yaml", "clearance_fee_cny", "10000000")
    validate_fails(make_case(objective={"cny_per_transit_day": 1e308}), "cny_per_transit_day")
    validate_fails(make_case(objective={"cny_per_t_co2e": 1e300}), "cny_per_t_co2e")
    # date arithmetic must stay in the calendar: 9999-12-31 + transit days used to overflow
    validate_fails(make_case([parcel("P1", ready="9999-12-31")]), "ready_date", "2099-12-31")
    validate_fails(make_case([parcel("P1", export="0001-01-01")]), "export_date", "2000-01-01")


def test_overrides_cannot_multiply_past_the_limits(make_case) -> None:
    base = make_case([parcel("P1")])
    doc = yaml.safe_load(base.read_text())
    doc["overrides"] = {"rates": {"modes": {"air": 1000}},
                        "add_lanes": [lane("L_DEAR", "HUB", "AIRPORT", "air", per_kg=999_999)]}
    base.write_text(yaml.safe_dump(doc))
    validate_fails(base, "overrides.rates", "L_DEAR", "cost_per_kg_cny", "limit 1,000,000")
    doc["overrides"] = {"capacity": {"lanes": {"L_AIR": 10**30}}}
    base.write_text(yaml.safe_dump(doc))
    validate_fails(base, "overrides.capacity.lanes.L_AIR", "1000000")


def test_run_totals_are_bounded(make_case) -> None:
    """Each field within its limit, the run beyond: 40 parcels of 100 t on 1 kg 'vehicles'
    would need 4 million of them (solve ran for more than ten minutes)."""
    rows = small_lanes()
    for r in rows:
        r["vehicle_capacity_kg"], r["vehicle_capacity_m3"] = 1, 0.001
    path = make_case([parcel(f"P{i}", 100_000, volume=1000) for i in range(40)], lanes=rows)
    validate_fails(path, "smallest vehicles", "limit 100,000")
    heavy = make_case([parcel(f"P{i}", 100_000) for i in range(1_001)])
    validate_fails(heavy, "weight_kg", "above the limit 100,000,000")


def test_every_field_at_its_limit_still_solves(make_case) -> None:
    """The limits are safe, not only refusing: a parcel and lanes at the largest values each
    field accepts give a verified plan with finite costs (run() checks every plan)."""
    rows = small_lanes()
    for r in rows:
        r["distance_km"], r["co2e_g_per_tkm"] = 40_000, 100_000
        if r["cost_per_vehicle_cny"]:
            r["cost_per_vehicle_cny"] = 1_000_000_000
        else:
            r["cost_per_kg_cny"] = 1_000_000
    ports = small_ports()
    for n in ports["nodes"][1:5]:
        n["clearance_fee_cny"] = 10_000_000
    path = make_case([parcel("P1", 100_000, volume=1_000, value=10_000_000_000)], lanes=rows,
                     ports=ports, objective={"cny_per_transit_day": 10_000_000,
                                            "cny_per_t_co2e": 10_000_000,
                                            "holding_cost_pct_per_year": 1000})
    plan = run(load_scenario(path), same_route_baseline=False)
    assert len(plan.batches) == 1
    assert 0 < plan.summary.cost_cny < 1e13


# ---- 2. documents' conditions -------------------------------------------------------------------


@pytest.mark.parametrize(("when", "fragments"), [
    ({"mode": ["tir_road"]}, ["documents.4.when.mode", "'tir_road', 'rail', 'air', 'road', "
                              "'sea' or 'bonded_road'"]),
    ({"mode": {"a": 1}}, ["documents.4.when.mode"]),
    ({"mode": "boat"}, ["documents.4.when.mode"]),
    ({"bonded_transit": [True]}, ["documents.4.when.bonded_transit", "boolean"]),
    ({"colour": "red"}, ["documents.4.when.colour", "unknown key"]),
    ("sometimes", ["documents.4.when", "expected 'always' or a mapping"]),
    ([1, 2], ["documents.4.when"]),
])
def test_document_conditions_are_typed(make_case, when: Any, fragments: list[str]) -> None:
    path = make_case()
    rules = path.parent / "rules.yaml"

    def edit(doc: dict[str, Any]) -> None:
        assert doc["documents"][4]["id"] == "TIR_CARNET"
        doc["documents"][4]["when"] = when

    _edit_yaml(rules, edit)
    validate_fails(path, "rules.yaml", *fragments)


def test_document_conditions_still_work(make_case) -> None:
    sc = load_scenario(make_case())
    docs = {d.id: d.when for d in sc.rules.documents}
    assert docs["RETURN_DECLARATION"] == (("procedure", "cbec"),)
    assert docs["EXPORT_REFERENCES"] == ()
    assert docs["TIR_CARNET"] == (("mode", "tir_road"),)
    assert docs["TRANSIT_RECORD"] == (("bonded_transit", True),)


# ---- 3. size limits, streaming, memory ----------------------------------------------------------


def test_parcel_limit_stops_reading_early(make_case, monkeypatch) -> None:
    monkeypatch.setattr(returns, "MAX_PARCELS", 5)
    path = make_case([parcel(f"P{i}") for i in range(8)])
    with (path.parent / "returns.csv").open("a", encoding="utf-8") as fh:
        fh.write("broken,row\n")  # after the limit: never read, so never reported
    text = problems_of(path)
    assert "line 7" in text and "more than 5 parcels (the limit per run)" in text
    assert "broken" not in text and "2 values" not in text


def test_line_limit_counts_blank_lines(make_case, monkeypatch) -> None:
    monkeypatch.setattr(files, "MAX_CSV_LINES", 50)
    path = make_case([parcel("P1")])
    with (path.parent / "returns.csv").open("a", encoding="utf-8") as fh:
        fh.write("\n" * 100)
    assert "more than 50 lines" in problems_of(path)


def test_blank_lines_keep_line_numbers(make_case) -> None:
    path = make_case([parcel("P1"), parcel("P2")])
    returns_csv = path.parent / "returns.csv"
    header, *rows = returns_csv.read_text(encoding="utf-8").splitlines()
    returns_csv.write_text("\n\n" + header + "\n\n \n" + "\n,,\n".join(rows) + "\n\n",
                           encoding="utf-8")
    sc = load_scenario(path)
    assert [p.row for p in sc.parcels] == [6, 8]


def test_only_blank_lines_is_an_empty_file(make_case) -> None:
    path = make_case()
    (path.parent / "returns.csv").write_text("\n \r\n\n", encoding="utf-8")
    assert "file is empty" in problems_of(path)


def test_bad_utf8_deep_in_a_streamed_file(make_case) -> None:
    path = make_case([parcel(f"P{i}") for i in range(300)])
    returns_csv = path.parent / "returns.csv"
    data = returns_csv.read_bytes()
    at = data.index(b"P250")
    returns_csv.write_bytes(data[:at] + b"\xff" + data[at:])
    assert f"byte {at}" in problems_of(path)
    returns_csv.write_bytes(data.decode("utf-8").replace("P1,", "包裹一,").encode("gbk"))
    assert "GBK" in problems_of(path)
    returns_csv.write_bytes(data[:at] + b"\x00" + data[at:])
    assert "NUL" in problems_of(path)


def test_long_lines_and_growing_files(make_case, monkeypatch) -> None:
    path = make_case()
    returns_csv = path.parent / "returns.csv"
    monkeypatch.setattr(files, "MAX_LINE_CHARS", 64)
    assert "line longer than 64 characters" in problems_of(path)
    monkeypatch.setattr(files, "MAX_LINE_CHARS", 1 << 20)
    # a size the file does not report (a /proc file, a file still being written) is counted
    monkeypatch.setattr(files, "_check_file", lambda path, limit: None)
    monkeypatch.setattr(files, "MAX_FILE_BYTES", returns_csv.stat().st_size - 1)
    assert "more than" in problems_of(path) and "bytes" in problems_of(path)


def test_unreadable_paths_are_input_errors(make_case) -> None:
    path = make_case()
    _edit_yaml(path, lambda doc: doc.update(returns="x" * 300 + ".csv"))  # over NAME_MAX
    assert "cannot read it: File name too long" in problems_of(path)
    _edit_yaml(path, lambda doc: doc.update(returns="x" * 5_000 + ".csv"))
    assert "the limit for this field" in problems_of(path)
    _edit_yaml(path, lambda doc: doc.update(returns="."))
    assert "not a file" in problems_of(path)


_MEASURE = """
import resource, sys
from pathlib import Path
from optimizer.errors import InputError
from optimizer.inputs import files
from optimizer.inputs.files import open_csv, Collector
files.MAX_CSV_LINES = 10**9
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    with open_csv(Path(sys.argv[1]), ["a"]) as table:
        for _ in table.rows(Collector(sys.argv[1])):
            pass
except InputError as err:
    print(err.problems[0].message)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) // 1024)
"""


def test_a_large_file_of_blank_lines_is_streamed(tmp_path: Path) -> None:
    """64 MiB of blank lines is read a line at a time and dropped: reading it all costs a few
    MiB (holding the file's text, as the reader once did, cost five times its size)."""
    big = tmp_path / "blank.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("a\n")
        for _ in range(64 * 256):
            fh.write(" " * 4095 + "\n")
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(big)], capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout.splitlines()
    assert out[0] == "no data rows"
    assert int(out[1]) < 16, f"reading took {out[1]} MiB more"


def test_memory_guard_names_the_figures(monkeypatch) -> None:
    monkeypatch.setattr(memory, "headroom", lambda: [("a test limit", 300 * memory.MIB)])
    check_memory(1_000)  # 128 MiB + 6 MiB fit
    with pytest.raises(InputError) as info:
        check_memory(500_000, "returns.csv")
    msg = info.value.problems[0].message
    assert "500,000 parcels need an estimated 3,058 MiB" in msg
    assert "only 300 MiB is free: a test limit" in msg
    assert info.value.problems[0].file == "returns.csv"


def test_load_scenario_checks_memory(make_case, monkeypatch) -> None:
    monkeypatch.setattr(memory, "headroom", lambda: [("MemAvailable in /proc/meminfo", 0)])
    assert "MemAvailable" in problems_of(make_case())


def test_memory_guard_reads_the_real_address_space_limit() -> None:
    """Under ``ulimit -v`` (RLIMIT_AS) a run too large is refused before planning starts."""
    code = """
import resource
from optimizer.errors import InputError
from optimizer.inputs.memory import MIB, _status_bytes, check_memory
mapped = _status_bytes("VmSize")
resource.setrlimit(resource.RLIMIT_AS, (mapped + 400 * MIB, resource.RLIM_INFINITY))
check_memory(100)
try:
    check_memory(500_000)
except InputError as err:
    print(err.problems[0].message)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    assert "500,000 parcels need" in out and "RLIMIT_AS" in out


def test_headroom_on_this_machine_is_sane() -> None:
    found = dict(memory.headroom())
    assert "MemAvailable in /proc/meminfo" in found or not Path("/proc/meminfo").exists()
    assert all(isinstance(v, int) for v in found.values())


# ---- 4. look-alike and invisible characters -----------------------------------------------------


def test_nfc_and_nfd_ids_are_one_parcel(make_case) -> None:
    path = make_case([parcel("caf\u00e9"), parcel("cafe\u0301")])
    text = problems_of(path)
    assert "line 3 (café)" in text and "duplicate parcel id café (also on line 2)" in text


@pytest.mark.parametrize(("pid", "what"), [
    ("P\u200b1", "U+200B ZERO WIDTH SPACE"), ("P1\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("P\u200e1", "U+200E LEFT-TO-RIGHT MARK"), ("P\x1b[31m1", "U+001B ESCAPE"),
    ("P\u20281", "a line separator"), ("P\t1", "U+0009 TAB"), ("P\ufeff1", "U+FEFF"),
    ("P\x851", "control character")])
def test_invisible_and_control_characters_in_ids(make_case, pid: str, what: str) -> None:
    text = problems_of(make_case([parcel(pid)]))
    assert "parcel_id" in text and what in text
    assert "\x1b" not in text


def test_lane_ids_are_normalised_everywhere(make_case) -> None:
    """A lane id typed in NFD in lanes.csv and in NFC in the overrides is one lane."""
    rows = [*small_lanes(), lane("L_CAFE\u0301", "HUB", "AIRPORT", "air", per_kg=25.0)]
    path = make_case(lanes=rows)
    _edit_yaml(path, lambda doc: doc.update(overrides={"rates": {"lanes": {"L_CAF\u00c9": 2}}}))
    sc = load_scenario(path)
    assert sc.network.lanes["L_CAF\u00c9"].cost_per_kg_cny == pytest.approx(50.0)
    rows.append(lane("L_CAF\u00c9", "HUB", "AIRPORT", "air", per_kg=25.0))
    text = problems_of(make_case(lanes=rows))
    assert "duplicate lane id L_CAFÉ (also on line 14)" in text
    bad = [*small_lanes(), lane("L\u200bAIR", "HUB", "AIRPORT", "air", per_kg=25.0)]
    assert "ZERO WIDTH SPACE" in problems_of(make_case(lanes=bad))


def test_override_ids_are_checked(make_case) -> None:
    path = make_case()
    _edit_yaml(path, lambda doc: doc.update(overrides={"close": {"lanes": ["L_AIR\u202e"]}}))
    assert "RIGHT-TO-LEFT OVERRIDE" in problems_of(path)
    _edit_yaml(path, lambda doc: doc.update(overrides={"rates": {"lanes": {"\x1b[2J": 2}}}))
    text = problems_of(path)
    assert "ESCAPE" in text and "\\x1b[2J" in text


def test_free_text_fields(make_case) -> None:
    sc = load_scenario(make_case([parcel("P1") | {"note": "lid\tcracked", "ref": "cafe\u0301"}]))
    assert dict(sc.parcels[0].extra) == {"note": "lid\tcracked", "ref": "caf\u00e9"}
    text = problems_of(make_case([parcel("P1") | {"note": "\x1b]0;pwned\x07"}]))
    assert "line 2" in text and "note" in text and "control character" in text
    ports = small_ports()
    ports["nodes"][0]["name"] = "Hu\u0301b"
    assert load_scenario(make_case(ports=ports)).network.nodes["HUB"].name == "H\u00fab"
    ports["nodes"][0]["name"] = "Hub\x1b[8m"
    assert "nodes.0.name" in problems_of(make_case(ports=ports))
    text = problems_of(make_case([parcel("P1") | {"order\u200bref": "x"}]))
    assert "line 1" in text and "column name" in text


@pytest.mark.parametrize(("name", "fragment"), [
    ("../../etc/x", "path separator"), ("a\\b", "path separator"),
    ("bad\x00name", "control character"), ("x\u202e", "format character")])
def test_scenario_name_is_safe_for_file_names(make_case, name: str, fragment: str) -> None:
    path = make_case()
    _edit_yaml(path, lambda doc: doc.update(name=name))
    assert fragment in problems_of(path)


def test_yaml_keys_equal_after_normalisation_are_duplicates(make_case) -> None:
    path = make_case()
    path.write_text(path.read_text(encoding="utf-8")
                    + "overrides:\n  pilots:\n    caf\u00e9: null\n    cafe\u0301: null\n",
                    encoding="utf-8")
    assert "duplicate key 'café'" in problems_of(path)


def test_clean_id_unit() -> None:
    assert clean_id("cafe\u0301") == "caf\u00e9"
    assert clean_id("包裹-1 A") == "包裹-1 A"
    for bad in ("\u200d", "a\u2029", "a\x7f", " x", "x\u00a0"):
        with pytest.raises(ValueError):
            clean_id(bad)


# ---- 5. other ways a malformed file used to escape as another exception -------------------------


@pytest.mark.parametrize(("text", "fragment"), [
    ("as_of: 2025-02-30\n", "cannot read '2025-02-30' as timestamp"),
    ("as_of: 2025-07-10 25:00:00\n", "hour must be in 0..23"),
    ("solver: {time_limit_s: !!int 0x}\n", "cannot read '0x' as int"),
    ("description: !!timestamp x\n", "as timestamp"),
    ("description: !!float abc\n", "as float"),
])
def test_yaml_values_python_cannot_build(make_case, text: str, fragment: str) -> None:
    path = make_case()
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines()
             if not ln.startswith(text.split(":")[0] + ":")]
    path.write_text("\n".join(lines) + "\n" + text, encoding="utf-8")
    assert fragment in problems_of(path)


def test_recursive_yaml_structures(make_case) -> None:
    """``&o {close: *o}`` builds a value that contains itself; merging it with a base that does
    the same used to recurse without end."""
    path = make_case()
    path.write_text(path.read_text(encoding="utf-8") + "overrides: &o {close: *o}\n",
                    encoding="utf-8")
    assert "recursive structure" in problems_of(path)


def test_extends_chain_is_bounded(make_case) -> None:
    base = make_case()
    prev = base
    for i in range(20):
        nxt = base.parent / f"s{i}.yaml"
        nxt.write_text(yaml.safe_dump({"extends": prev.name, "name": f"s{i}"}))
        prev = nxt
    assert "more than 16 scenarios in one extends chain" in problems_of(prev)


def test_unicode_digits_are_not_a_trade_mode(make_case) -> None:
    assert "trade_mode" in problems_of(make_case([parcel("P1", mode="\u0669\u0666\u0661\u0660")]))


def test_add_lanes_unknown_keys(make_case) -> None:
    path = make_case()
    row = lane("L_NEW", "HUB", "AIRPORT", "air", per_kg=20) | {"cost_per_kilo": 1}
    _edit_yaml(path, lambda doc: doc.update(overrides={"add_lanes": [row]}))
    assert "overrides.add_lanes[0].cost_per_kilo" in problems_of(path)


def test_huge_values_are_shown_briefly(make_case) -> None:
    path = make_case()
    _edit_yaml(path, lambda doc: doc.update(policy=list(range(5_000))))
    text = problems_of(path)
    assert len(text) < 1_000 and "..." in text


# ---- the hypothesis run: mutate the bundled inputs ----------------------------------------------

LONG = os.environ.get("RETURNROUTE_FUZZ") == "long"
HOSTILE = settings(derandomize=True, max_examples=300 if LONG else 12, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow])

TEXTS = ["", " ", "caf\u00e9", "cafe\u0301", "P\u200b1", "P1\u202e", "\x1b[31mred", "a\x00b",
         "a\nb", "a\u2028b", "\u0669\u0666\u0661\u0660", "../../x", "x" * 3000, "包裹",
         "\ufeffBOM", "\U0001d7d8", "KHORGOS", "tir_road", "9610", "general", "always"]
NUMBERS = [1e308, -1e308, float("inf"), float("-inf"), float("nan"), -0.0, 5e-324, 10**400,
           -10**400, -1, 0, 1, 2**63, 0.5]
DATES = ["2025-02-30", "9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01",
         dt.date(9999, 12, 31), dt.date(1, 1, 1), dt.date(2025, 7, 16)]
scalars = st.one_of(st.none(), st.booleans(), st.sampled_from(NUMBERS), st.integers(),
                    st.floats(), st.sampled_from(DATES), st.sampled_from(TEXTS),
                    st.text(max_size=12))
values = st.recursive(scalars, lambda kids: st.one_of(
    st.lists(kids, max_size=3), st.dictionaries(st.sampled_from(TEXTS) | st.text(max_size=6),
                                                kids, max_size=3)), max_leaves=6)
#: YAML written as text (what a dumped Python value cannot be): values Python cannot build,
#: tags, aliases, escapes
RAW_YAML = ["2025-02-30", "2025-13-01", "2025-01-01 25:00:00", "!!int 0x", "!!float abc",
            "!!timestamp x", "!!binary zz", "1e400", ".nan", "-.inf", "0x" + "f" * 40,
            "!!set {a, b}", "*nope", "&a [*a]", "!!python/object:os.system x",
            '"\\x1b[31m"', '"\\u202e"', '"\\0"', "[[[[[[]]]]]]", "{a: 1, a: 2}", "~", "[]",
            "{}", "!!str", "? [a]\n", "'2025-07-10'", "9999-12-31", "!!omap [1]"]
CELLS = st.one_of(st.sampled_from(TEXTS), st.sampled_from(NUMBERS).map(str),
                  st.sampled_from([str(d) for d in DATES]), st.text(max_size=12),
                  st.floats().map(str), st.integers().map(str))
PLACEHOLDER = "@@HOSTILE@@"


#: the bundled rate card and exchange rates (found beside ports.yaml), when the data has them
PRICE_FILES = [n for n in ("rates.csv", "fx.csv") if (ROOT / "data" / n).exists()]
#: the CSV files the hypothesis run mutates
CSV_FILES = ["lanes.csv", "returns.csv", *PRICE_FILES]


def _bundled(tmp: Path) -> Path:
    """A copy of the bundled Yiwu scenario (its first 40 parcels) with an overrides section
    that touches every kind of override, in ``tmp``."""
    for name in ("ports.yaml", "lanes.csv", "rules.yaml", *PRICE_FILES):
        shutil.copy(ROOT / "data" / name, tmp / name)
    lines = (ROOT / "scenarios" / "returns" / "yiwu-moscow.csv").read_text(
        encoding="utf-8").splitlines()
    (tmp / "returns.csv").write_text("\n".join(lines[:41]) + "\n", encoding="utf-8")
    doc = yaml.safe_load((ROOT / "scenarios" / "yiwu-tir-return.yaml").read_text())
    doc["network"] = {"ports": "ports.yaml", "lanes": "lanes.csv", "rules": "rules.yaml"}
    doc["returns"] = "returns.csv"
    lane_id = (tmp / "lanes.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    doc["overrides"] = {
        "close": {"nodes": [{"id": "ERENHOT", "from": "2025-07-01", "to": "2025-07-14"}],
                  "lanes": [lane_id]},
        "capacity": {"lanes": {lane_id: 2}, "modes": {"tir_road": 0.5}},
        "rates": {"modes": {"air": 0.7}, "lanes": {lane_id: 1.2}},
        "add_lanes": [lane("L_EXTRA", "MOSCOW", "YIWU_CUSTOMS", "air")],
        "add_rates": [{"lane_id": "L_EXTRA", "service": "air what-if", "currency": "CNY",
                       "valid_from": "2025-01-01", "basis": "kg", "breaks": {0: 40, 100: 35},
                       "min_charge": 200, "source": "what-if (test)"}],
        "fx": [{"currency": "USD", "date": "2025-06-30", "cny_per_unit": 7.2,
                "source": "what-if (test)"}],
        "pilots": {"XIAN": "2025-01-01"},
        "batches": [{"match": {"origin": "MOSCOW", "goods_class": "general"},
                     "forbid_modes": ["air"]}]}
    doc["rules"] = {"return_window_days": 300}
    (tmp / "scenario.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return tmp / "scenario.yaml"


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> dict[str, bytes]:
    """The bundled inputs as written by ``_bundled``, by file name."""
    d = tmp_path_factory.mktemp("bundled")
    _bundled(d)
    load_scenario(d / "scenario.yaml")  # the unmutated copy is valid
    return {p.name: p.read_bytes() for p in d.iterdir()}


def _write(tmp: Path, originals: dict[str, bytes], name: str, data: bytes) -> Path:
    for n, content in originals.items():
        (tmp / n).write_bytes(data if n == name else content)
    return tmp / "scenario.yaml"


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indices) in a YAML document, containers included."""
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(doc: Any, path: tuple[Any, ...], op: str, value: Any) -> Any:
    """``doc`` with the node at ``path`` replaced, removed, or given an extra key."""
    if not path:
        return value if op != "extra" or not isinstance(doc, dict) else {**doc, "zz": value}
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if op == "delete":
        del parent[last]
    elif op == "extra" and isinstance(parent[last], dict):
        parent[last]["zz_unknown"] = value
    else:
        parent[last] = value
    return doc


def _load_or_input_error(path: Path) -> None:
    try:
        load_scenario(path)
    except InputError as err:
        assert_printable(err)


@HOSTILE
@given(name=st.sampled_from(["scenario.yaml", "ports.yaml", "rules.yaml"]), data=st.data())
def test_mutated_yaml_inputs(tmp_path_factory, bundled, name: str, data) -> None:
    doc = yaml.safe_load(bundled[name])
    paths = _paths(doc)
    path = paths[data.draw(st.integers(0, len(paths) - 1), label="path")]
    op = data.draw(st.sampled_from(["replace", "delete", "extra", "raw"]), label="op")
    if op == "raw":
        doc = _mutate(doc, path, "replace", PLACEHOLDER)
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=10_000)
        raw = data.draw(st.sampled_from(RAW_YAML), label="raw")
        text = text.replace(f"'{PLACEHOLDER}'", raw).replace(PLACEHOLDER, raw)
    else:
        value = data.draw(values, label="value")
        doc = _mutate(doc, path, op if path else "replace", value)
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    _load_or_input_error(_write(tmp_path_factory.mktemp("y"), bundled, name,
                                text.encode("utf-8")))


@HOSTILE
@given(name=st.sampled_from(CSV_FILES), data=st.data())
def test_mutated_csv_inputs(tmp_path_factory, bundled, name: str, data) -> None:
    rows = list(csv.reader(io.StringIO(bundled[name].decode("utf-8"))))
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        r = data.draw(st.integers(0, len(rows) - 1), label="row")
        op = data.draw(st.sampled_from(["cell", "cell", "cell", "drop_cell", "add_cell",
                                        "duplicate", "delete"]), label="op")
        if op == "cell" and rows[r]:
            rows[r][data.draw(st.integers(0, len(rows[r]) - 1), label="col")] = data.draw(CELLS)
        elif op == "drop_cell" and rows[r]:
            rows[r].pop()
        elif op == "add_cell":
            rows[r].append(data.draw(CELLS))
        elif op == "duplicate":
            rows.append(list(rows[r]))
        elif op == "delete" and len(rows) > 1:
            del rows[r]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    _load_or_input_error(_write(tmp_path_factory.mktemp("c"), bundled, name,
                                buf.getvalue().encode("utf-8")))


@HOSTILE
@given(name=st.sampled_from([*CSV_FILES, "ports.yaml", "scenario.yaml"]),
       at=st.floats(0, 1), junk=st.sampled_from([b"\x00", b"\xff\xfe", b"\xe4\xb8", b"\r",
                                                  b'"', b"\n\n\n", b"\xef\xbb\xbf", b"\x1b"]))
def test_mutated_bytes(tmp_path_factory, bundled, name: str, at: float, junk: bytes) -> None:
    data = bundled[name]
    cut = int(at * len(data))
    _load_or_input_error(_write(tmp_path_factory.mktemp("b"), bundled, name,
                                data[:cut] + junk + data[cut:]))
