"""The benchmark's command line (benchmarks/bench.py) refuses an instance it does not know
before any work, with exit 2 and the closest name: a typo must not cost an hour of solving or
end in a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT


@pytest.mark.parametrize(("args", "said"), [
    (["--sizes", "", "--scenarios", "yiwu-tir-retrun"],
     "--scenarios: no scenarios/yiwu-tir-retrun.yaml (did you mean yiwu-tir-return?)"),
    (["--sizes", "S,Q", "--scenarios", "none"], "--sizes: unknown instance 'Q'"),
])
def test_an_unknown_instance_is_a_usage_error(args: list[str], said: str) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)
    assert proc.returncode == 2
    assert said in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""  # nothing was run or written
