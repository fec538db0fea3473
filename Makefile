# returnroute: `make demo` solves the bundled Yiwu scenario, `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: demo test lint data bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/returnroute solve scenarios/yiwu-tir-return.yaml --out out/yiwu

# the report tests drive Debian's chromium: install it when missing (root on a fresh machine)
CHROMIUM = /usr/bin/chromium /usr/bin/chromedriver

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	else echo "install chromium and chromium-driver (Debian) to run the report tests"; exit 1; fi

# two worker processes (pytest-xdist), whole files to each (a file's module fixtures, solved
# plans or a browser, are made once), the slow files first in the order tests/conftest.py puts
# them (--no-loadscope-reorder: not by their number of tests): ~30 min of tests in under 15
test: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder

# ruff (style, bugs, complexity C901 <= 10) and the layer contracts (import-linter, pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check optimizer tests data scenarios benchmarks
	$(BIN)/lint-imports

# regenerate the bundled lanes and returns from their (seeded) generators
data: $(STAMP)
	$(BIN)/python data/build_lanes.py
	$(BIN)/python data/build_rates.py
	$(BIN)/python scenarios/generate_returns.py
	$(BIN)/python scenarios/generate_3pl_week.py
	$(BIN)/python scenarios/generate_block_train.py

clean:
	rm -rf out $(VENV) *.egg-info .pytest_cache .ruff_cache

# benchmark: regenerates the instances, runs the engine and its HiGHS peer side by side on them and on every bundled scenario, writes BENCHMARKS.md (hours on 2 cores)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py
