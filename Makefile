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

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check optimizer tests data scenarios

# regenerate the bundled lanes and returns from their (seeded) generators
data: $(STAMP)
	$(BIN)/python data/build_lanes.py
	$(BIN)/python scenarios/generate_returns.py

clean:
	rm -rf out $(VENV) *.egg-info .pytest_cache .ruff_cache

# benchmark: regenerates the instances, runs every measurement, writes BENCHMARKS.md (~1 h)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py
